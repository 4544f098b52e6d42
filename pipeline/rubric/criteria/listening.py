"""active_listening.v1: in after-sales / complaint conversations the agent restates or confirms."""
from __future__ import annotations

import re
from dataclasses import replace

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria import lexicons_state as S
from pipeline.rubric.criteria._common import (
    DecisionParams,
    Fired,
    GuardParams,
    PhraseMatcher,
    SentimentSignalParams,
    SignalDecision,
    SignalParams,
    TopicParams,
    customer_messages,
    human_agent_messages,
    is_praise,
    pinned_model,
)
from pipeline.rubric.criteria import _listening_forms as F15
from pipeline.rubric.criteria._restatement import RestatementParams, find_restatement
from pipeline.rubric.criteria._shapes import _QUESTION_END, asks_to_confirm
from pipeline.rubric.matching import message_evidence, view
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, Strict


# default@9 (listen5): the customer deciding to buy at the end (那我下单了 / 好 我去拍 / 那我先买一盒试试) marks a
# pre-sale chat: trouble words in it were a worry, a past buy elsewhere or a warranty question, not a complaint.
# Anchored at the end of the message, and not a re-order (重新/再), which follows a lost or wrong parcel; 我去拍 is
# going to take a photo.
BUYS_NOW = [
    "re:那(我|就|我就|我先|就先)?(去)?(下单|下个单|拍下|拍|买|入手|付款)(了|吧|啦|咯)?"
    "(一(个|件|包|罐|盒|瓶|台|双|套|份|袋|支|只|箱|单))?(试试|看看)?(了|吧|啦|咯|哈)?[。.!！~～]*$",
    "re:(?:^|[，,。.!！~～])(好|好的|行|嗯|ok|好吧|明白了|知道了)[ ，,]*我(就|先|这就|现在|马上)?(去)?(下单|下个单|拍下|入手|付款)(了|吧|啦|咯)?[。.!！~～]*$",
    "re:我(这就|马上|现在)?去(下单|买)(了|吧|啦|咯)?[。.!！~～]*$",
]
# a decision to buy, or not to (不买了), is no purchase already made; 刚拍的 already counts as before_delivery
NOT_BOUGHT = BUYS_NOW + ["re:(不|不想|不敢|没)(买|要|拍)了", "re:刚(刚)?(下单|拍|付款|买)(的)?"]
BUYS_NOW_EXCLUDE = ["re:(重新|再|又|重)(去)?(下单|下个单|拍|买)", "re:(不|没|别|不想|不敢)(下单|拍|买)"]
# the trouble belongs to a past buy from another shop, an earlier one or the old item traded in (之前在别家买的…鼓包了 /
# 以前买过一台…坏了 / 旧手机能抵钱吗): a
# reason for worry before buying, not a complaint about this order; a past buy from this shop (之前买过你们家的) is none
TRADE_IN = "re:(以旧换新|旧[^，。,.!！?？]{0,6}(抵|回收|估价|折价|换新))"  # an old item traded in (旧手机能折价换新吗)
OLD_ITEM = "re:旧(的|手机|机子|机器|电脑|款|车|表)(是|为)"  # default@11: the old item described (旧的是P40 屏幕有划痕) while trading it in
ELSEWHERE = [
    "re:(别家|别的店|别的家|别人家|其他店|其它店|其他家|其他商家|别的商家|别处|外面|别的平台|其他平台)[^，。,.!！?？]{0,6}(买|拍|入|被坑|被骗|遇到|吃)",
    "re:(买|拍|入|用)的(是)?(别家|别的店|别的家|别人家|其他店|其它店|其他家|其他商家|别的商家|别处|外面|别的平台|其他平台)",
    TRADE_IN,
    OLD_ITEM,
    "re:(以前|之前|上回|上次|去年)[^，。,.!！?？]{0,4}(买过|用过|吃过|遇到过|被坑过|被骗过|碰到过)(?![^，。,.!！?？]{0,4}(你们|你家|这家|贵店|咱家|您家))",
]
# what was bought elsewhere is no purchase from this shop and its trouble no problem of this order: the purchase and
# problem signals skip that clause, and its trouble words (上回买的别家垃圾袋一提就漏) are no topic word either (the
# topic words' exclusions); a short reach, so a complaint about this
# shop's goods later in an unpunctuated message (在别家买过…都好好的 你们寄来的这个一用就漏了) keeps its words
ELSEWHERE_CLAUSE = ["re:[^，。,.!！?？]{0,6}" + e[3:] + "[^，。,.!！?？]{0,12}" for e in ELSEWHERE]
# the customer's own slip (拍错了) already counts as before_delivery: no problem of the goods
OWN_SLIP = ["re:(拍|选|填|写)错(了)?"]
# asking for another variant (有没有加厚的) is shopping for the next buy
PRESALE_MORE = ["re:有没有[^，。,.!！?？]{1,6}的(?=[，,。.!！?？]|$|吗|呢|款)"]
# default@11 (judge6): asking when an order placed now would come (今晚下单明早能到吗 / 现在拍来得及吗) is shopping too
PRESALE_11 = ["re:(今晚|今天|现在|马上|这会|明天)(下单|拍|买)[^，。,.!！?？]{0,8}(能到|能发|到吗|发吗|几点到|什么时候到|来得及|赶得上)"]
# an instruction to the customer to look (麻烦您看一下 / 您自己看下说明书) is no check by the agent
LISTENING_EXCLUDE_MORE = [
    "re:(麻烦|请|劳烦|辛苦)(您|你|亲)?(先|再|自己|帮忙)?(看|查看|检查|瞧)(一)?下",
    "re:(?<![帮给为跟和向替])(您|你|亲)(先|再|自己|可以|去)?(看|查看|检查|瞧)(一)?下",
]
# default@10 (listen6): asking for the order number or a photo restates nothing (the rule: asking for the order number
# alone is not enough)
ASKS_ONLY_10 = ["re:(提供|发)(一下)?(您的)?(订单号|订单|单号|照片|图片|视频)"]
# default@13 (lst12): a receipt template (您反馈的问题我们已经收到了 / 您反映的情况已记录): 您反馈的 names nothing of the
# customer's — the problem is "the problem"; a restatement goes on to say what it is (您反馈的杯子漏水 …)
TEMPLATE_13 = ["re:(您|你|亲)(所)?(反馈|反映|遇到|说|提|提出)的(这个|这些)?(问题|情况|事情|事|诉求|意见)(我们|我|这边|我这边|已经|已|都|会|收到|了解|知道|记录|登记|正在)"]
# the agent names what the customer bought in its own words (您的机器是R5型，买的是R3的滤芯) — a restatement of
# the order; a question about it (买的是哪款) or a bare claim of authenticity (买的是正品) is none
LISTENING_MORE = ["re:(买|拍|下单|订|购买)的(是|为)(?!正品|真的|真货|新的|原装|新品)(?![^，。,.!！?？]*(哪|什么|啥))[^，。,.!！?？]{2,16}"]
# default@14 (lst13): two more confirming forms — which one, asked back by its details (是左上角那道吗 / 是周二到的那箱吗:
# 是 + a description + 那/这 + a measure word (+ a short noun: 那块的污渍) + a question close) and the request summed up after a colon before acting
# (我记一下：3号拍的白色卫衣，袖口开线，换一件新的). A question about a kind to buy names the customer's nothing and is
# pre-sale (na); a colon followed by a bare number or an instruction is no summary
LISTENING_MORE_14 = [
    "re:是[^。？?，,!！]{3,20}(那|这)(个|件|道|条|款|双|台|次|单|笔|块|处|盒|箱|包|瓶|根|张|套)[^。？?，,!！哪]{0,6}(吗|吧|对吗|对吧|是吧|是吗)",
    "re:(我|这边|我这边)?(记|记录|登记|整理|汇总)(一下|下|好了|了)[:：][^。？?!！]{0,20}[一-鿿]{2,}[，,、][^。？?!！]{2,}",
]
# default@9 (listen5) topic: goods failing at the first use (一提就破 / 一洗就掉色) and a parcel slowed on its way (路上慢了)
# are complaints; two pictures compared with each other (主图和详情页不一样: nothing received yet), the text of a document
# (发票少了个字), not knowing how to assemble sound goods (装不上 螺丝不知道往哪拧) and a trade-in (旧机折价换新) are none
AFTER_SALES_MORE = [
    "re:一(提|拉|洗|用|穿|碰|拧|扯|晒|泡|煮|开|插|按|戴|折|拎|装|摸|坐|踩)就(破|坏|断|裂|掉|漏|碎|开|歪|松|卡|停|黑|灭|烂|变形|起球|掉色|褪色|散|塌)",
    "re:(路上|途中|在途|运输)[^，。,.!！?？]{0,4}(慢|耽搁|耽误|堵|延误|延迟|停了|卡住)",
]
AFTER_SALES_EXCLUDE_LISTEN = [
    "re:(主图|图片|照片|详情页|详情|视频|直播间?|页面)(上的?)?(跟|和|与)(图|图片|照片|主图|详情|详情页|视频|直播间?|页面)[^，。,.!！?？]{0,8}(不一样|不符|差|不同)[^，。,.!！?？]*",
    "re:(少|缺|多|错)(了)?(一)?(个|位)(字|数字|字母|零)",
    "re:(装|安装|组装|拼|拧)不(上|好|起来)[^，。,.!！?？]{0,8}(不知道|不会|不懂|看不懂|看不明白|怎么装|往哪)",
    TRADE_IN,
]

# default@10 (listen6): more complaint shapes. Goods left at the wrong pick-up point (放到别的柜子了); a meal ordered as one
# thing and delivered as another (点的是A 送来是B: 点/叫 order food as 买/拍 order goods)
AFTER_SALES_MORE_10 = [
    "跌价",  # = 降价
    "re:(放|送|投|派|寄|存)(了)?(去|到|在|进|错)(了)?(另一个|另外一个|另外的|别的|其他|其它|隔壁|错的)[^，。,.!！?？]{0,6}(柜|驿站|快递点|代收点|网点|地方|小区|门口|楼|站)",
    "re:(点|叫|订)的(是)[^，。,.!！?？]{1,10}(送来|送到|来的|到的|收到)(的)?(是|却是|竟然是|成)",
]
# default@14 (lst13): a fault told by its shape rather than by a trouble word — the received goods measured short of
# what they should be (短了十公分 / 慢五分钟 / 小了一圈), a hole in them (袖子上有个小洞), what came plainly being another
# thing (这个明显是一米二的), the manner of the staff who delivered or installed (送货的师傅态度太横了: the agent's own
# manner in a pre-sale chat is no case to restate, as the dev writers read it), a parcel whose tracking has not moved for days
# (五天没变了), a part that will not go back or a page that will not open (按下去弹不起来 / 链接进不去). Not after a
# request or a wish (能短十公分吗 / 想要小一码), not a size given (长120厘米: 了 required, but for a clock's 慢五分钟), not
# 有没有 / 洞洞鞋 (a style)
AFTER_SALES_MORE_14 = [
    "re:(?<![能可以要想再换改请帮做定])((短|长|少|小|大|轻|薄|窄|矮|低)了|(慢|快)了?)[0-9一二两三四五六七八九十半几]+(公分|厘米|cm|毫米|mm|分钟|秒|斤|克|片|圈|截|格|度)",
    "re:(?<!没)有(个|一个|一道|一条|几个|两个|好几个|好多|条|道)?(小|大)?(洞|口子|破口|窟窿|豁口)(?!洞)",
    "re:(这个|这件|这条|这双|这台|收到的|到的|来的|寄来的|发来的)[^，。,.!！?？]{0,4}(明显|分明|根本)(就)?是",
    "re:(师傅|快递员|快递小哥|送货的|送货员|配送员|骑手|安装工|司机|店员|导购|上门的)[^，。,.!！?？]{0,6}(态度|语气|口气)(也)?(太|很|真|好|特别|极其|非常|这么|那么)?(差|横|恶劣|不好|冲|凶|冷淡|敷衍)",
    "re:[0-9一二两三四五六七八九十几]+天(了)?(都|也|还)?(没|没有)(变|变过|动静|更新|信息|消息)",
    "re:(弹|按|摁|推|转|拧|扭|合|进|登|登录|打)不(起来|下去|回来|回去|进去|去|上去)",
]
# default@10 (listen6): trouble words (and the problem / action signals' words) that report no trouble: a question about what would happen if (如果收到有问题怎么办 —
# pre-sale), how often a part is replaced (多久要换滤芯 — care advice), whether stock is near its date (有没有临期的)
NOT_A_COMPLAINT_10 = [
    "re:(如果|要是|万一|假如|假设|若是|到时)[^，。,.!！?？]{0,12}(怎么办|咋办|怎办|点算|点办|怎么处理|怎么弄|咋整|怎么算|能退吗|能换吗|可以退吗|可以换吗|包退吗|包换吗|能不能(退|换)|可不可以(退|换)|保修吗)",
    # (default@11: not a past time — 前几天换货的那件 / 这几个月换过 tell what was done, they ask no care interval)
    "re:(?<![前这那头好近过])(多久|多长时间|几久|几耐|几个月|几天|什么时候|啥时候|几时)[^，。,.!！?？]{0,3}(要|需要|得|该|应该|就要)?(换|更换|换新|清洗|保养)",
    "re:(有没有|会不会|是不是|是否)[^，。,.!！?？]{0,4}临期",
    "re:(?P<yn>[\u4e00-\u9fff])不(?P=yn)",  # an A-not-A question (对不对 / 啱唔啱) asks; it reports nothing
    # an earlier buy's trouble told as the reason to worry about this one (上次买的…坏了 这回还是有点担心): pre-sale
    "re:(上次|上回|之前|以前|去年)[^。!！?？]{0,30}(这回|这次|这一次|再买)[^，。,.!！?？]{0,6}(担心|怕|没底|不放心|犹豫|不踏实)",
    "re:(如果|要是|万一|假如|假设|若是)[^，。,.!！?？]{0,8}",  # a condition: what might go wrong, not what did
]
# default@10 (listen6): signals that read a word out of its sense. 不用了 is no use of the goods; declining a return
# (不退了) is no request for one; an agent stating the terms of a return (要退货的话需要…) handles none; a bare 没有了
# answering 还有什么需要 is a close, not a problem; a price drop after the buy (买的…便宜了200 / 跌价) is one (价保)
PURCHASE_EXCLUDE_10 = ["re:(不|唔)(用|要)了"]
ACTION_EXCLUDE_10 = ["re:(不|唔|不用|唔使|不想|不要|没必要|用不着|不打算|不会)(退|换)"]
AGENT_EXCLUDE_10 = ["re:(如果|要是|若|万一)?[^，。,.!！?？]{0,4}(要|想|需要)(退货|退款|换货|售后|维修|退换)的话"]
# default@11 (judge6): the agent stating the terms of a service (超时有赔付 / 支持上门安装 / 具体以上门质检为准) handles no case
# of this customer: said before a purchase (a next-day promise, a trade-in quote) it pulled pre-sale chats to after-sales
AGENT_TERMS_11 = ["re:(有|包|支持|享|享受|提供|可)(赔付|补偿|理赔|上门)", "re:以[^，。,.!！?？]{0,8}为准"]
PROBLEM_10 = ["re:(便宜|平|低|降|跌)(了|咗)[0-9一二两三四五六七八九十百几]+"]
PROBLEM_EXCLUDE_10 = [
    "re:^((没|没有|没了|没有了|冇)(了|啦|喇|哦|呢|哈)?[，,。.!！~～\\s]*){1,3}(谢谢|多谢|感谢)?[，,。.!！~～]*$",
    "re:没(啥|什么|别的|其他)(事|问题)?(了|啦)",  # 那没啥事了: a close
    # the customer's own understanding or eyesight (我没看明白 / 字小看不清 / 不太懂), not the goods
    "re:(没|没有|不)(太)?(看|听|弄|搞)?(明白|懂|清楚)", "re:(看|听)不(清|懂|明白)",
    "re:不[我你您他她咱那这]",  # 能装…不我那个车: 不 closing a yes-no question in a run-on, not a negation
    "re:(问题|疑问)(有点|有些|太|比较|好|这么|挺)?多",  # 问题有点多: many questions
]

# default@10 (listen6): Cantonese is read as Mandarin for the after-sales decision (issue 13: simplified, traditional and
# Cantonese alike): 冇收到 = 没收到, 冇郁 = 没动, 放咗 = 放了, 第五日 = 第五天. One character for one on the analysis
# form, so spans still index the text. Only in a message with a character found in Cantonese alone (冇 / 咗 / 唔 …):
# 系 / 日 / 仲 / 喇 are Mandarin too, and even then 系 is left in 联系 / 系统.
_YUE_WORDS = {"唔该": "谢谢", "唔使": "不用", "入面": "里面", "冇郁": "没动", "唔郁": "不动", "郁过": "动过", "点算": "怎办", "点解": "为啥", "点样": "怎样", "成个": "整个", "几耐": "多久"}
_YUE_CHARS = {"冇": "没", "喺": "在", "嘅": "的", "啲": "些", "嚟": "来", "畀": "给", "俾": "给", "睇": "看",
              "搵": "找", "攞": "拿", "啱": "对", "佢": "他", "哋": "们", "嗰": "那", "㗎": "的", "喇": "了", "咩": "啥", "乜": "啥"}
_YUE_MARK = re.compile("[冇咗唔喺嘅啲嚟畀睇搵攞啱佢哋嗰㗎咩乜]|" + "|".join(_YUE_WORDS))
_YUE = re.compile(
    "|".join(map(re.escape, _YUE_WORDS)) + "|[" + "".join(_YUE_CHARS) + "]"
    + "|(?<![联关体派星维直旁院])系(?![统列数])|(?<=[0-9一二两三四五六七八九十几])日|仲(?![裁夏秋春冬介])"
    # 唔 / 咗 stay where the Cantonese topic words read them (充唔到 / 爆咗: lexicons_state.CANTONESE_AFTER_SALES)
    + "|(?<![用开着充装连关锁郁])唔|(?<![爆甩穿崩])咗"
)
_YUE_ONE = {"系": "是", "日": "天", "仲": "还", "唔": "不", "咗": "了"}


def cantonese_as_mandarin(s: str) -> str:
    """The analysis form with Cantonese words as their Mandarin ones, the same length (offsets unchanged)."""
    if not _YUE_MARK.search(s):
        return s
    out = _YUE.sub(lambda m: _YUE_WORDS.get(m.group(0)) or _YUE_CHARS.get(m.group(0)) or _YUE_ONE[m.group(0)], s)
    return out if len(out) == len(s) else s


def _read_as_mandarin(conv: Conversation) -> Conversation:
    """The conversation with each Cantonese customer message read as Mandarin (a copy; the input is unchanged)."""
    msgs, changed = [], False
    for m in conv.messages:
        if m.role == "customer" and m.text:
            s = view(m).s
            t = cantonese_as_mandarin(s)
            if t != s:
                msgs.append(replace(m, norm=t))
                changed = True
                continue
        msgs.append(m)
    return replace(conv, messages=msgs) if changed else conv


# default@12 (listen7): where the kind model overrules the word rule, chosen leave one writer out
# (`python -m pipeline.rubric.evaluate_kinds`; the model card models/zh-cs-kinds/README.md)
KIND_NA_BELOW = 0.4  # default@14: lst13 proposed 0.35 (leave one writer out with zh-cs-kinds@4); the lead kept 0.4 on the honest sets
KIND_APPLIES_ABOVE = 0.7


# default@10 (listen6): the customer says yes (对 / 是的 / 嗯 / 係 / 没错 …) to the agent's restatement
_YES = re.compile(r"^\s*(对|是|是的|对的|对啊|对呀|是啊|是呀|嗯|嗯嗯|没错|对对|对头|是滴|对滴|就是|系|係|系呀|係呀|啱|yes|yep|ok|okay)(?=[\s,，。.!！~～]|$)")


def _confirmed_restatement(
    conv: Conversation, topic: PhraseMatcher, restates: PhraseMatcher, topic_weight: float, confirmed_weight: float
) -> Fired | None:
    """A human agent's restatement the customer then says yes to (您是说…没收到，对吗？ → 对). With a topic word in it, the
    word counts as the customer's at topic_weight: the customer's own words missed it (dialect, slang, a picture).
    Without one in any, the first confirmed restatement adds confirmed_weight. None when nothing was confirmed."""
    msgs = conv.messages
    first = None
    for i, m in enumerate(msgs):
        if m.role != "agent" or not m.text or not restates.find(m).accepted:
            continue
        reply = next((c for c in msgs[i + 1 :] if c.role == "customer" and c.text), None)
        if reply is None or not _YES.match(reply.text.lower()):
            continue
        found = topic.find(m).accepted
        if found:
            return Fired("confirmed", topic_weight, m, found[0], "客户确认了客服复述的问题")
        first = first or Fired("confirmed", confirmed_weight, m, None, "客户确认了客服的复述")
    return first


# default@11 (judge6): a condition placed on the goods (瓶底结了一层白的 / 内侧的标有一点歪 / 底部有积水): a part of the item,
# then what is on it or became of it
LOCATED_CONDITION = (r"(底|内侧|外侧|表面|边缘|边上|侧面|背面|正面|下方|上方|里面|内部|角|接口|缝|顶部|顶上)[^，。,.!！?？]{0,4}"
                     r"(有|结|起|出|长|掉|裂|破)")
_END = re.compile(r"[。!！?？]")


def _restated_condition(conv: Conversation, restates: PhraseMatcher, condition: re.Pattern, weight: float) -> Fired | None:
    """A human agent's restatement that asks the customer to confirm (…，对吗？) a condition on the goods (瓶底结了一层白色的 /
    底部有积水), after a customer turn that stated something rather than asked: the agent confirms a fault the customer
    reported in words the topic list lacks. A feature asked about before buying (里面有加绒吗 → 里面有加绒的对吧) follows a
    question, so it is none."""
    last = None
    for m in conv.messages:
        if m.role == "customer" and m.text.strip():
            last = m
            continue
        if m.role != "agent" or not m.text or last is None or _QUESTION_END.search(view(last).s):
            continue
        for h in restates.find(m).accepted:
            s = h.view.s
            end = _END.search(s, h.start)
            if asks_to_confirm(s, h.start) and condition.search(s[h.start : end.end() if end else len(s)]):
                return Fired("restated", weight, m, None, "客服复述客户所说的商品状况并请其确认")
    return None


def after_sales_topic() -> TopicParams:
    # default@7: Cantonese after-sales words (甩色 / 坏咗 / 用唔到) read like the Mandarin ones, and complaint shapes (跟详情页差太远)
    # default@8: noises, dead-on-arrival, fear of a fake; praise (都说好) and a policy question (能七天无理由吗) are none
    return TopicParams(
        cues=LexiconParams(
            phrases=L.AFTER_SALES + S.CANTONESE_AFTER_SALES + S.COMPLAINT_SHAPES + AFTER_SALES_MORE + AFTER_SALES_MORE_10
            + AFTER_SALES_MORE_14,
            exclude=L.AFTER_SALES_EXCLUDE + S.AFTER_SALES_EXCLUDE_MORE + AFTER_SALES_EXCLUDE_LISTEN + ELSEWHERE_CLAUSE + NOT_A_COMPLAINT_10,
            boundary_max_len=1,
        )
    )


def after_sales_decision() -> DecisionParams:
    return DecisionParams(
        threshold=0.7,
        topic_weight=1.2,
        signals=[
            SignalParams(name="purchase", weight=0.35, note="客户提到已购/已收到的商品", phrases=L.AS_PURCHASE,
                         exclude=L.AS_PURCHASE_EXCLUDE + S.AS_PURCHASE_EXCLUDE_MORE + NOT_BOUGHT + ELSEWHERE_CLAUSE + PURCHASE_EXCLUDE_10),
            SignalParams(name="problem", weight=0.35, note="客户描述问题状态", phrases=L.AS_PROBLEM + PROBLEM_10,
                         exclude=L.AS_PROBLEM_EXCLUDE + ELSEWHERE_CLAUSE + OWN_SLIP + PROBLEM_EXCLUDE_10 + NOT_A_COMPLAINT_10 + ACTION_EXCLUDE_10),
            SignalParams(name="action", weight=0.5, note="客户提出售后诉求", phrases=L.AS_ACTION, exclude=L.AS_ACTION_EXCLUDE + [TRADE_IN] + ACTION_EXCLUDE_10 + NOT_A_COMPLAINT_10),
            SignalParams(name="agent_handling", role="agent", weight=0.5, note="客服按售后处理", phrases=L.AS_AGENT,
                         exclude=L.AS_AGENT_EXCLUDE + S.AS_AGENT_EXCLUDE_MORE + AGENT_EXCLUDE_10 + AGENT_TERMS_11),
            # -0.55, not -0.5: one pulling-down signal outweighs a lone topic word (1.2 - 0.5 tied the threshold)
            SignalParams(name="presale", weight=-0.55, note="售前咨询", phrases=L.AS_PRESALE + PRESALE_MORE + PRESALE_11),
            SignalParams(name="before_delivery", weight=-0.55, note="刚下单/客户自己拍错，发货前修改", phrases=L.AS_BEFORE_DELIVERY),
            SignalParams(name="elsewhere", weight=-0.55, note="问题出在别家/以前买的商品（售前顾虑）", phrases=ELSEWHERE),
            SignalParams(name="buys_now", weight=-0.55, note="客户决定下单（售前）", phrases=BUYS_NOW, exclude=BUYS_NOW_EXCLUDE),
            # default@15 (lst14): the customer says nothing is wrong, bought or shipped yet (weight 0 = off)
            SignalParams(name="disclaimed", weight=-1.2, note="客户说明没有问题/尚未购买或发货（咨询、改单）", phrases=F15.DISCLAIMED_15),
        ],
        sentiment=SentimentSignalParams(weight=0.15, min_negative_score=0.8, min_margin=0.5),
    )


class KindModelParams(Strict):
    """default@12 (listen7): the conversation-kind model (models/kinds.py, zh-cs-kinds) reads the customer's messages and
    gives P(after-sales / complaint). With the word rule's decision: applicable when the rule holds and P ≥ `na_below`
    (below, the model vetoes it), or when P ≥ `applies_above` whatever the rule says. na_below 0 and applies_above
    above 1 leave the rule alone; both at one value let the model decide alone."""

    enabled: bool = True
    model: str | None = Field(default=None, description="kind model directory; null = the shipped models/zh-cs-kinds")
    model_version: str | None = Field(
        default="zh-cs-kinds@4",
        description="the kind model this rubric was calibrated with; another one is an error (null accepts any)",
    )
    na_below: float = Field(default=KIND_NA_BELOW, ge=0, le=1, description="P(after-sales) under which the rule's after-sales reading is vetoed")
    applies_above: float = Field(default=KIND_APPLIES_ABOVE, ge=0, le=1.01,
                                 description="P(after-sales) from which the conversation is after-sales though the rule says not (above 1: never)")
    tail: bool = Field(default=True, description="default@15 (lst14): before vetoing, the model reads the customer's messages from "
                       "the one with the rule's trouble word on; at P ≥ applies_above there, and with no signal of the rule pulling "
                       "the other way, the veto does not hold (a chat that opens with small talk and turns to a fault)")


class ListeningParams(Strict):
    kinds: KindModelParams = Field(default_factory=KindModelParams, description="the conversation-kind model (default@12)")
    applies_to: TopicParams = Field(default_factory=after_sales_topic, description="after-sales/complaint words of the customer")
    decision: DecisionParams = Field(
        default_factory=after_sales_decision,
        description="weighted after-sales decision: applies_to words (topic_weight) + signals + sentiment ≥ threshold",
    )
    confirmed_weight: float = Field(
        default=0.2,
        description="a restatement by the agent that the customer answers yes to (对 / 是的), with no trouble word in it: "
        "what it adds to the after-sales decision (a trouble word in it adds decision.topic_weight)",
    )
    shopping_signals: list[str] = Field(
        default_factory=lambda: ["presale", "buys_now"],
        description="decision signals that show the customer shopping (有没有加厚的 / 今晚下单能到吗): a topic word in a customer "
        "message where one of them fires is the reason for the next buy (上次买的一提就破 / 充电器坏了), not a complaint, "
        "unless the message asks for an after-sales remedy too (the `action` signal: 想换一个); it counts only from another "
        "message (default@11)",
    )
    restated_condition: str | None = Field(
        default=LOCATED_CONDITION,
        description="a human agent's restatement asking the customer to confirm a condition on the goods (瓶底结了一层白色的，"
        "对吗 / 底部有积水对吗), after a customer turn that stated rather than asked, counts as a topic word (decision."
        "topic_weight) when the customer's words have none (regex on the analysis form; null switches it off; default@11)",
    )
    restatement: RestatementParams = Field(
        default_factory=RestatementParams,
        description="default@13 (lsn12b): a restatement found by the content the agent's sentence shares with the customer's "
        "words (pipeline/rubric/criteria/_restatement.py); enabled false = the lexicon alone",
    )
    # default@15 (lst14): one switch per mechanism ([] = off); the lists and why: _listening_forms.py
    hypothetical: list[str] = Field(default_factory=lambda: list(F15.HYPOTHETICAL_15),
                                    description="a trouble word in a condition (…的话) or a wish against it (别到了碎了) is no report: "
                                    "excluded from the topic words and the problem / action signals")
    fee_dispute: list[str] = Field(default_factory=lambda: list(F15.FEE_DISPUTE_15), description="a charge disputed is a complaint (topic words)")
    invoice_error: list[str] = Field(default_factory=list,
                                     description="an invoice issued wrongly is after-sales (topic words; the presale signal's 发票 does not count "
                                     "there). Off ([]) in default@15: a dev writer labels it na; _listening_forms.INVOICE_ERROR_15 switches it on")
    ignored_instruction: list[str] = Field(default_factory=lambda: list(F15.IGNORED_INSTRUCTION_15),
                                           description="the shop did not do what the customer had asked (topic words)")
    settled: list[str] = Field(default_factory=lambda: list(F15.SETTLED_15),
                               description="trouble the shop already settled, told with thanks, is no open case (excluded like `hypothetical`)")
    shapes_15: list[str] = Field(default_factory=lambda: list(F15.SHAPES_15),
                                 description="more faults told by their effect: a bad smell, swollen, seeping, wobbling, a noise by its sound (topic words)")
    check_forms: list[str] = Field(default_factory=lambda: list(F15.CHECK_FORMS_15),
                                   description="listening: the agent's own look-up of this order in other words (lexicon phrases)")
    confirm_closes: list[str] = Field(default_factory=lambda: list(F15.CONFIRM_CLOSES_15),
                                      description="listening: a confirming question closed in other words (lexicon phrases)")
    lexicon: LexiconParams = Field(
        default_factory=lambda: LexiconParams(
            phrases=L.LISTENING + LISTENING_MORE + LISTENING_MORE_14, exclude=L.LISTENING_EXCLUDE + LISTENING_EXCLUDE_MORE + ASKS_ONLY_10 + TEMPLATE_13,
            variants=L.YOU
        )
    )


def _decision_15(p: ListeningParams) -> DecisionParams:
    """The decision with default@15's switches read in: `hypothetical` clauses excluded from the problem / action
    signals, the customer's disclaimer (the `disclaimed` signal's own words: 没坏) from the problem signal, and a
    clause of a complaint found by `fee_dispute` / `invoice_error` / `ignored_instruction` from the presale signal (its
    运费 / 发票 / 改地址 ask nothing before buying there)."""
    disclaimed = [w for s in p.decision.signals if s.name == "disclaimed" and s.weight for w in s.phrases]
    clauses = ["re:[^，。,.!！?？]{0,8}" + x[3:] + "[^，。,.!！?？]{0,8}" if x.startswith("re:") else x
               for x in p.fee_dispute + p.invoice_error + p.ignored_instruction]
    sig = []
    for s in p.decision.signals:
        ex = s.exclude
        if s.name in ("problem", "action"):
            ex = ex + p.hypothetical + p.settled + (disclaimed if s.name == "problem" else [])
        elif s.name == "presale":
            ex = ex + clauses
        sig.append(s.model_copy(update={"exclude": ex}) if ex is not s.exclude else s)
    return p.decision.model_copy(update={"signals": sig})


@register_criterion("active_listening.v1")
class ActiveListening(Criterion):
    """na unless the customer's words make it an after-sales/complaint conversation
    (退货/退款/换货/破损/投诉/没收到/质量 …); then pass when a human agent restates or confirms
    the problem or order details (跟您确认一下 / 您是说…对吗 / 帮您核实一下订单)."""

    Params = ListeningParams
    _kinds = None

    def compile(self):
        p: ListeningParams = self.params
        extra = p.fee_dispute + p.invoice_error + p.ignored_instruction + p.shapes_15
        words = p.applies_to.cues.model_copy(update={"phrases": p.applies_to.cues.phrases + extra})
        ctx = p.hypothetical + p.settled
        guards = GuardParams(negation=True, negation_window=2, quotation=False)
        topic = PhraseMatcher(f"{self.id}.topic", words.model_copy(update={"exclude": words.exclude + ctx}), guards)
        # default@15: the same words without the `hypothetical` / `settled` contexts, to name what they set aside (evidence)
        self._context_topic = PhraseMatcher(f"{self.id}.topic", words, guards) if ctx else None
        kinds = None
        if p.kinds.enabled:
            from models.kinds import load_kind_model

            kinds = pinned_model(self.id, "kind", load_kind_model, p.kinds.model, p.kinds.model_version,
                                 "kinds.model_version (and re-check na_below / applies_above)")
        self._kinds = kinds
        lex = p.lexicon.model_copy(update={"phrases": p.lexicon.phrases + p.check_forms + p.confirm_closes})
        return topic, PhraseMatcher(self.id, lex, GuardParams(quotation=True)), SignalDecision(_decision_15(p), f"{self.id}.topic")

    def prime(self, conversations) -> None:
        """Speed only: the kind model reads the batch's customer messages at once (Rubric.score_many) and keeps each
        conversation's P(after-sales), the same number to the last bit `score` would get asking one at a time."""
        self.compiled  # noqa: B018 - compiling sets the kind model
        kp, prime = self.params.kinds, getattr(self._kinds, "prime", None)  # a model without one is asked one at a time
        if prime is not None and (kp.na_below > 0 or kp.applies_above <= 1):  # the model is asked at all (`score`)
            texts = ([m.text for m in customer_messages(c, with_text=True)] for c in conversations)
            prime([t for t in texts if t])

    def lexicon_terms(self) -> list[str]:
        topic, matcher, decision = self.compiled
        return topic.terms() + matcher.terms() + decision.terms()

    def _topic_word(self, conv: Conversation, topic: PhraseMatcher, decision: SignalDecision):
        """The first topic word of a customer message (praise skipped) that shows no shopping: in a message where a
        `shopping_signals` signal fires and no after-sales remedy is asked, the trouble is the reason for the next buy
        (default@11)."""
        shopping = [lex for s, lex in decision.signals if s.name in self.params.shopping_signals and s.role == "customer"]
        remedy = [lex for s, lex in decision.signals if s.name == "action"]
        for m in customer_messages(conv, with_text=True):
            if is_praise(m):
                continue
            found = topic.find(m).accepted
            if not found:
                continue
            v = view(m)
            if not any(lex.find(v) for lex in shopping) or any(lex.find(v) for lex in remedy):
                return found[0]
        return None

    def rule_decision(self, conversation: Conversation):
        """The word rule's after-sales decision (kind model aside): topic word, confirmed restatement, signals."""
        topic, matcher, decision = self.compiled
        # the topic words read Cantonese as Mandarin; the signals read the text as written: their broad negation
        # patterns (不… / 没…) would fire on every Cantonese 唔 (唔係 / 唔好意思)
        hit = self._topic_word(_read_as_mandarin(conversation), topic, decision)
        extra = [Fired("words", self.params.decision.topic_weight, hit.view.msg, hit, "售后/投诉用语")] if hit is not None else []
        if hit is None:
            p = self.params
            confirmed = _confirmed_restatement(conversation, topic, matcher, p.decision.topic_weight, p.confirmed_weight)
            if (confirmed is None or confirmed.weight < p.decision.topic_weight) and p.restated_condition:
                confirmed = _restated_condition(conversation, matcher, re.compile(p.restated_condition), p.decision.topic_weight) or confirmed
            extra = [confirmed] if confirmed is not None else []
        return decision.decide(conversation, extra)

    def score(self, conversation: Conversation) -> CriterionResult:
        topic, matcher, decision = self.compiled
        d = self.rule_decision(conversation)
        kp, kind = self.params.kinds, self._kinds
        # the model is asked only where it can change the rule's reading
        p_as = None
        if kind is not None and (kp.na_below > 0 if d.holds else kp.applies_above <= 1):
            texts = [m.text for m in customer_messages(conversation, with_text=True)]
            p_as = float(kind.predict_proba([texts])[0]) if texts else 0.0
        # default@15: the veto does not hold where the part from the trouble word on reads as after-sales
        tail = self._tail_reading(conversation, d) if d.holds and p_as is not None and p_as < kp.na_below else None
        if d.holds and p_as is not None and p_as < kp.na_below and tail is None:
            # named: what the rule read as trouble (its span), the model id and P
            lead = next((f for f in d.fired if f.weight > 0), d.fired[0])
            note = f"分类模型 {kind.model_id} 判为非售后/投诉会话（P(售后)={p_as:.2f} < {kp.na_below:g}），规则的售后读数被否决：{d.explain()}"
            ev = lead.match.evidence(note) if lead.match is not None else message_evidence(lead.msg, "", note, whole=True)
            ev.rule = f"{self.id}.kind"
            return self.not_applicable([ev])
        if not d.holds and (p_as is None or p_as < kp.applies_above):
            ev = []
            if d.fired:
                f = d.fired[0]
                ev.append(message_evidence(f.msg, f"{self.id}.topic.score", f"不判为售后/投诉会话，{d.explain()}"))
            ev += self._context_evidence(conversation, topic)
            return self.not_applicable(ev)
        if not d.holds:  # the model's reading: the customer's first message is what the chat is about
            first = next(iter(customer_messages(conversation, with_text=True)))
            topic_ev = message_evidence(first, f"{self.id}.kind", f"售后/投诉类会话：分类模型 {kind.model_id} P(售后)={p_as:.2f} ≥ "
                                        f"{kp.applies_above:g}（规则{d.explain()}）", whole=True)
            return self._judge(conversation, topic_ev, matcher)
        lead = next((f for f in d.fired if f.weight > 0 and f.match is not None), d.fired[0])
        if lead.match is not None:
            topic_ev = lead.match.evidence(f"售后/投诉类会话，{d.explain()}")
            topic_ev.rule = f"{self.id}.topic.{lead.name}" if lead.name != "words" else topic_ev.rule
        else:
            topic_ev = message_evidence(lead.msg, f"{self.id}.topic.score", f"售后/投诉类会话，{d.explain()}")
        if p_as is not None:
            topic_ev.note += f"；分类模型 {kind.model_id} P(售后)={p_as:.2f}"
        if tail is not None:
            topic_ev.rule = f"{self.id}.kind.tail"
            topic_ev.note += f"，自该条起的客户消息 P(售后)={tail:.2f} ≥ {kp.applies_above:g}，否决不成立"
        return self._judge(conversation, topic_ev, matcher)

    def _context_evidence(self, conversation: Conversation, topic: PhraseMatcher) -> list:
        """default@15: the first trouble word a `hypothetical` / `settled` context set aside (坏了的话… / 你们给我补发了 谢谢),
        named with rule `active_listening.topic.context`, on an na verdict; [] when none."""
        if self._context_topic is None:
            return []
        for m in customer_messages(_read_as_mandarin(conversation), with_text=True):
            if topic.find(m).accepted:
                return []
            found = self._context_topic.find(m).accepted
            if found:
                ev = found[0].evidence("售后用语出现在假设、担忧、询问或已解决的语境中（hypothetical / settled），不计为售后/投诉")
                ev.rule = f"{self.id}.topic.context"
                return [ev]
        return []

    def _tail_reading(self, conversation: Conversation, d) -> float | None:
        """default@15 (lst14, `kinds.tail`): P(after-sales) of the customer's messages from the one holding the rule's
        lead trouble word on, when that is not the first, no signal of the rule pulled the other way (a worry before
        buying that cites a past bad buy, then buys: the veto holds) and the model reads it at ≥ applies_above; else None."""
        kp = self.params.kinds
        if not kp.tail or any(f.weight < 0 for f in d.fired):  # a sign of shopping (presale / elsewhere / buys_now …): the veto holds
            return None
        lead = next((f for f in d.fired if f.weight > 0 and f.msg is not None and f.msg.role == "customer"), None)
        cust = list(customer_messages(conversation, with_text=True))
        k = next((n for n, m in enumerate(cust) if lead is not None and m.seq == lead.msg.seq), 0)
        if k == 0:
            return None
        p = float(self._kinds.predict_proba([[m.text for m in cust[k:]]])[0])
        return p if p >= kp.applies_above else None

    def _judge(self, conversation: Conversation, topic_ev, matcher: PhraseMatcher) -> CriterionResult:
        """pass / fail of an after-sales conversation: a human agent restates or confirms (unchanged by the kind model)."""
        agent_msgs = human_agent_messages(conversation)
        if not agent_msgs:
            # default@9: an after-sales chat no human ever answered (bot only) fails: nobody restated anything
            last = conversation.messages[-1]
            return self.failed([topic_ev, message_evidence(last, f"{self.id}.no_human", "售后/投诉会话无人工客服回复，无人复述或确认")])
        for m in agent_msgs:
            found = matcher.find(m)
            if found.accepted:
                return self.passed([topic_ev, found.accepted[0].evidence("复述或确认客户问题/订单信息")])
        rp = self.params.restatement
        if rp.enabled:
            skip = [re.compile(x[3:]) for x in TEMPLATE_13]
            for m in agent_msgs:
                r = find_restatement(conversation, m, rp, skip)
                if r is not None:
                    return self.passed([topic_ev, r.evidence(f"{self.id}.restatement")])
        return self.failed(
            [topic_ev, message_evidence(agent_msgs[0], f"{self.id}.missing", "售后/投诉会话中人工客服未复述或确认问题、订单信息")]
        )
