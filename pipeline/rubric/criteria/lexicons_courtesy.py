"""Default word lists of the courtesy criteria (greeting.v1, closing.v1). Part of the criteria's default lexicons
(re-exported by `lexicons`, whose docstring says how they relate to rubrics/default.yaml)."""
from __future__ import annotations

GREETING = [
    "您好", "你好", "您好呀", "你好呀", "亲爱滴", "亲爱哒", "亲爱", "您号", "你号", "您hao", "nin好", "泥好", "你豪", "亲", "亲亲", "亲爱的", "哈喽", "嗨", "欢迎光临", "欢迎来到", "欢迎咨询",
    "很高兴为您服务", "很高兴为你服务", "为您服务", "竭诚为您服务", "有什么可以帮您", "有什么可以帮到您",
    "有什么可以为您", "请问有什么", "早上好", "上午好", "中午好", "下午好", "晚上好", "早安", "感谢您的咨询",
    # offers of help are greetings too (issue 13: 有什么问题我可以帮您处理或解决呢 = 请问有什么可以帮您)
    "re:(有什么|有啥|有哪些|什么|哪些|啥|哪方面)[^，。,.!！?？]{0,8}(帮|为|替)(您|你|亲|到)",
    "re:(可以|能|需要|要)(我)?(帮|为|替)(您|你|亲)(做|处理|解决|查|办)?(些|点)?(什么|啥)",
    "re:需要(什么|啥|哪些|点)?(帮助|帮忙|协助|服务)",
    "re:(有什么|有啥|有哪些|什么|哪些|啥)[^，。,.!！?？]{0,6}(帮忙|帮助|协助|效劳)",
    "re:(您|你|亲)?(想|需要|要)(咨询|了解|问)(些|点)?(什么|啥|哪)",
    "re:(乐意|很高兴|非常高兴|荣幸)[^，。,.!！?？]{0,4}(为|给)(您|你|亲)(服务|效劳|解答)",
    "re:^\\s*(在的|在呢|在哦|在滴|在嘞|在哒|在)(?![a-z0-9])", "re:(?<=[，,。!！\\s~～])(在的|在呢|在哦|在滴|在嘞|在哒)",
    "re:(?<![a-z])(hi|hello|hey|哈喽|hallo)(?![a-z])",
    # default@10 (listen6, mechanism 6): the customers greeted as a group or by a shop's pet name (家人们好 / 宝子), 哈啰,
    # Cantonese 早晨 (good morning) opening a message, and 请问遇到什么问题了 (= 请问有什么可以帮您)
    "re:(大家|家人们|家人|宝子们|宝宝们|亲们|朋友们|各位|老铁们|老铁|姐妹们|集美们|小伙伴们)(好|早上好|上午好|下午好|晚上好|早安)",
    "宝子", "哈啰", "哈罗", "re:^[\\s~～]*早晨(?=[!！,，。.~～\\s]|$)",
    "re:请问(您)?(是)?(遇到|碰到|有)(了)?(什么|啥|哪些)(问题|困难|情况|事|麻烦)",
    "re:(遇到|碰到|有)(了)?(什么|啥|哪些)(问题|困难|情况|麻烦|需要)(了)?(呢|嘛|呀|[?？])",  # 这边是有什么问题呢 亲
]
# default@10 (listen6): asked whether a thing is still there (这双鞋还在吗 / 还在不在 — still for sale?), a bare 在 is
# the answer, not a greeting; after 在吗 / 客服在吗 / 人工 it answers the customer's call and greets, as before
STILL_THERE = ["re:(?<!客服)(?<!老板)(?<![人你您亲])还在(吗|么|嘛|不在|不|没)"]
GREETING_EXCLUDE = [
    "亲自", "亲手", "亲身", "亲眼", "亲口", "母亲", "父亲", "双亲", "亲戚", "亲人", "亲友", "相亲", "亲子", "亲测",
    "亲民", "亲属", "亲近", "亲密", "探亲", "亲情",
    # default@10 (listen6): 还有什么可以帮您 asks for anything *else*: a closing question, even in the first message
    "re:还(有|需要)(什么|其他|其它|别的|啥|哪些){0,2}[^，。,.!！?？]{0,8}(帮助|帮忙|帮到|帮|为|替|效劳|协助)(您|你|亲|到)?",
]
# default@10 (listen6): an address alone (亲 / 亲爱的 / 宝子) greets where it opens the message (亲，在的 / 哈哈亲别急), not
# after the answer (…一般3-5个工作日原路退回的亲爱的~ / 好的，…辛苦亲爱的审核下)
ADDRESS_TERMS = ["亲", "亲亲", "亲爱", "亲爱的", "亲爱滴", "亲爱哒", "宝子"]

CLOSING = [
    "re:还有(什么|其他|别的|其它|哪些|啥){0,2}(问题|需要|可以|地方|事情|事|疑问|能|要)",
    "re:还需要(什么|别的|其他){0,2}(帮|服务)", "请问还有", "祝您", "祝你", "生活愉快", "购物愉快", "工作顺利", "愉快",
    "re:(感谢|谢谢)(您|你|亲)?(的|对我们的)?(耐心|支持|理解|光临|咨询|配合|信任|等待|惠顾|包容|关注|反馈|体谅)",
    "谢谢", "感谢", "多谢", "re:欢迎(您|亲)?(下次|再次|随时)?(光临|再来|咨询|回来|来玩)", "期待", "随时联系",
    "随时找", "随时咨询", "re:有(任何)?(问题|需要|疑问)(随时|可以|请)?(联系|找|咨询|留言)", "再见", "拜拜", "晚安",
    "祝好", "re:(给个|给|留个|点个)?(好评|五星|5星)", "re:随时(来|再来)?(问|找|联系|咨询|留言|召唤|戳)",
    "re:祝[^，。,.]{0,8}(愉快|健康|顺利|开心|快乐|平安|好运|满意|幸福|如意|周末|节日|生日|新年|一切|暖|成长)",
    "re:有(任何|什么|啥)?(问题|需要|疑问).{0,4}(随时|再|可以|请|欢迎)", "不客气", "re:(请|麻烦)(您)?(对我的服务)?(进行)?评价", "不打扰",
    "re:(?<![0-9])88(?![0-9])", "re:(?<![a-z])(bye|thanks|thank you)(?![a-z])",
    # default@10 (listen6, mechanism 6): 有其他问题再联系 is 有问题随时联系; hoping to serve the customer again invites back
    "re:有(任何|什么|啥|其他|其它|别的){1,2}(问题|需要|疑问).{0,4}(随时|再|可以|请|欢迎|联系|找)",
    "re:(还有|有|下次|再)机会(再)?(为|给|帮)(您|你|亲)",
]

# default@11 (empathy credit; credit6): a bare 理解 answering the customer's feeling (理解，… / 理解的 / 理解理解), opening
# the message or after a back-channel (嗯嗯，理解的), is the agent saying "I understand" — the short form of 我理解. Not
# when the agent asks the customer to understand (还请您理解 / 希望理解) or corrects a reading (理解错了 / 理解一下): those
# never open with the bare word.
EMPATHY_BARE = ["re:^[\\s~～]*(嗯+|嗯嗯|是的|好的|哎|唉|亲|亲亲)?[，,\\s~～]*理解(的|的呢|的哈|呢|哈|哦|啊|呀|理解)?(?=[，,。.!！~～\\s]|$)"]
# default@11 (credit6): the customer's trouble named as a misfortune from their side (遇到这种情况真的很糟心 / 摊上这事真够
# 闹心的 / 唉，这也太倒霉了) validates the feeling like 换我也会生气; the shop owning the slip in its own words
# (是我们没检查好) apologises like 是我们的问题 (not 怪我们: agents say it mostly to deny it, 不能怪我们). Feeling words
# only: 这也太贵了 names a price, not a feeling.
EMPATHY_NAMED = [
    "re:(遇到|碰到|摊上|赶上|遇上)(了)?(这种|这样的?|这)(情况|事情|事儿|事|问题)[^，。,.!！?？]{0,4}(真的|确实|实在|真|也|都)?(是)?"
    "(很|太|挺|够|特别|非常)?(糟糕|糟心|闹心|郁闷|烦人|烦心|倒霉|窝火|难受|憋屈|扫兴|揪心|心累|气人|头疼|添堵)",
    "re:(这|那|这也|那也|这可|真是|实在是?|确实)(真够|太|挺|够|真|是够)(倒霉|糟心|闹心|窝火|憋屈|扫兴|揪心|添堵|气人|郁闷)(了|的|啊|呀)",
    "re:是我们(这边)?(没|没有)(做好|检查好|核对好|包装好|发好|处理好|说清楚|注意到|及时)",
]
