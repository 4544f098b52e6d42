"""Default word lists of the two red-line detectors added by mechanism in rubric default@13 (issue 13; tab12):
forbidden_phrases' cue patterns and exclusions (appended to `lexicons.FORBIDDEN_CUES` / `FORBIDDEN_EXCLUDE`) and the
abusive_customer flag's insults and third parties (appended to its defaults in `flags.AbuseParams`). Each entry is a
mechanism — who is the target, what the words answer, what follows them — not one example's phrase."""
from __future__ import annotations

from pipeline.rubric.criteria.lexicons_taboo import _MANY, _P

_PC = _P[1:-1]  # the punctuation class body, for [^…]

TABOO_MECHANISMS_3 = [
    # the repeated telling done by sending (前面已经发过两次视频了 / 都发了三遍链接了): complaining about repeating oneself,
    # unless the message goes on to send or say it again (我再给您发一遍) — that is kind repetition
    f"re:(已经|都|早就|前面|上面|之前|刚才|刚刚)[^{_PC}]{{0,6}}(?<![补寄重转退])发(了|过)(您|你)?{_MANY}(遍|次|回)"
    "(?![^。!！?？]*(再|重新)(给您|帮您|给你|帮你|为您)?(发|说|讲|解释|演示))",
    # urging or worrying declared useless in other words than 没用 (急也解决不了问题 / 催也白搭 / 投诉也改变不了)
    "re:(着急|急|催|问|闹|吵|投诉)(也|都)(解决不了|改变不了|不管用|白搭|无济于事|于事无补|没辙)",
    # take it or leave it on the customer's own dissatisfaction (嫌贵可以不拍 / 觉得慢的话可以去别家买): the condition
    # is the customer's complaint, the answer is to stop buying or go elsewhere
    f"re:(嫌[^{_PC}]{{1,8}}|(觉得|感觉)[^{_PC}]{{0,8}}(贵|慢|高|不好|不值|麻烦|差|不合适|不满意))[^。!！?？]{{0,6}}"
    "((可以|就|那就|也可以|您就|你就)(不|别)(买|拍|要|下单)|(去|到|换|找|上)(别家|别的店|其他家|其他店|别处|别人家))",
    # "do it if you like, it's all the same to us" (要退就退，随您 / 想投诉您就投诉好了): the customer's next step left to them
    # with indifference — 要退就退吧，我马上给您通过 has no indifferent tail and is a grant
    "re:(要|想|爱)(退|换|买|拍|投诉|差评|给差评|评|取消|举报)(您|你|亲)?就(退|换|买|拍|投诉|差评|给|评|取消|举报)"
    "[^。!！?？]{0,4}(好了|呗|随(您|你|便)|无所谓|随意)",
    # not-knowing as the whole reply, in other spellings than 不知道 (不清楚 / 不晓得呢亲 / 这个不太了解哦 / 唔知): nothing
    # asked, nothing offered (照片不清楚 names no subject from the list and is not matched)
    "re:^(这个|这|那个|我|我们|我也|这边|我这边|这块|咱|俺|亲|宝|亲亲|宝子)?[，,\\s]*(也|都|真|确实|实在|真的|还)*"
    "(不太|不是很|不大|不)(清楚|晓得|了解)(呢|哦|哈|啊|呀|的|嘞|啦|喔|亲|哟|诶|耶|捏|嘛)*[。.!！~～…\\s]*$",
    "re:^(我|我哋)?(都|亦)?唔(知|清楚)(呀|啊|喎|噃|啦|嘅|喔)*[。.!！~～…\\s]*$",
]

TABOO_MECHANISM_EXCLUDE_3 = [
    # the agent doubting its own understanding before a restatement (不知道是不是我理解错了，您是说…对吗 / 不知道我有没有
    # 理解对): listening, not the 不知道 of a brush-off
    "re:不知道(是不是|是否)?(我|我这边)(有没有|是不是|是否)?(理解|听|看|说|表达|记)(错|对|清楚|明白|得对|偏)",
]

# abusive_customer (default@13): the target decides. Insults said of the agent in a Cantonese copula, with a modifier
# between the person and the noun, homophones of 傻逼, 有毛病 / 蠢 / 笨 said of the person (never of the goods), 脑子被…
# in any words, a curse infixed after the person (你tm)
ABUSE_DEFAULT13 = [
    "re:(傻|沙|煞)(逼|比|币|笔|b|x|批|13|哔|吊|屌|叉)(?!较|例|赛|分|画|特|得)",
    "re:(你|你们|你哋|你地|客服|店员|店家|商家)(啲|地|的)?(客服|店员)?(真系|就系|都系|系|真是|就是|都是|简直是|简直就是)(个|班|群|一群|一班)?垃圾"
    "(?!袋|桶|分类|箱|站|车|短信|邮件|面料|质量|东西|货|产品)",
    "re:(你|你们|你丫|你这人|你这个人|客服)(是不是|是|真|怕不是|真是|就是)?有(毛病|大病)",
    "re:(你|你们|你丫|客服)(咋|怎么|真|好|太|也太|真是|这么|那么|就是|是不是|是)+(蠢|笨|傻)(?!重|拙|手|瓜相机|瓜机)",
    f"re:(你|你们|你们店|你们家|客服|商家|店家|这家店|你家)(就|都|全|简直|真)?是[^{_PC}]{{1,6}}(骗子|吸血鬼|强盗|土匪|奸商)",
    "re:死(骗子|奸商)", "吸血鬼客服",
    "re:(客服|你们|你|商家|店家)(是|就是|真是)(头|一头|个)?猪(吧|吗|么|啊|呀|[!！?？。]|$)",
    f"re:脑子(被|让)[^{_PC}]{{1,3}}(吃|啃|踢|夹|挤|撞|泡)",
    "re:(?<![a-z])(你|你们|客服)(他|她)?(tm|tmd|特么|他喵的)(?![a-z])",
    "re:死哪(去|儿去|里去|儿|里)了",
]
# people other than the agent whom a customer may call names: family, friends, the customer themself (我真是个傻子 /
# 我老公就是个白痴 — self-mockery and grumbling about one's own people insult no agent)
ABUSE_THIRD_PARTY_DEFAULT13 = [
    "老公", "老婆", "媳妇", "男朋友", "女朋友", "男票", "对象", "孩子", "儿子", "女儿", "我妈", "我爸", "婆婆", "朋友", "同事",
    "室友", "弟弟", "妹妹", "哥哥", "姐姐", "网友", "前任",
    "re:我(?=(自己)?(真|就|真是|就是|简直|也是|可真是|也真是|是)+(个|一个)?)",
]
