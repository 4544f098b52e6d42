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
    # default@12 (script7): 您号码 asks for a number; it is no typo of 您好 ("a direct answer" does not greet)
    "re:(您|你)号码",
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
# default@13 (emp12b): a letdown granted as the customer's (盼了那么久一定挺遗憾的 / 确实挺失落的), as 确实着急 grants a
# worry: the customer-side lists now read 遗憾 as feeling, so the agent's answer to it counts (遗憾的是 opens bad news)
EMPATHY_NAMED += ["re:(确实|的确|真的|肯定|当然|难免|一定|实在)[^，。,.!！?？]{0,4}(失落|遗憾|不是滋味|心凉|沮丧|懊恼|扫兴|心塞)(?!的是)"]

# ----------------------------------------------------------------------------
# default@12 (script7): the written rules' courtesy classes as mechanisms, not phrases
# ----------------------------------------------------------------------------
# tests/golden/rubric/README.md: greeting "equivalents such as 早上好, hello亲"; closing "asks whether anything else is
# needed, thanks the customer, wishes them well (祝您…, 早点休息), or invites them back". Each class in any wording
# or register, not only the listed words.
GREETING_EQUIVALENTS = [
    # a welcome in any form opening the message (欢迎您 / 欢迎光顾 / 欢迎进店 / 欢迎欢迎)
    "re:^[\\s~～]*欢迎", "re:欢迎(您|你|亲)?(的)?(光临|光顾|进店|来到|咨询|到来|您|亲)",
    # a time-of-day or festive hello opening the message (早呀 / 新年好 / good morning)
    "re:^[\\s~～]*早(呀|啊|哇|哦|鸭|安|上好|晨好)?(?=[!！,，。.~～\\s]|$)", "re:(新年|过年|节日|中秋|国庆|春节|元旦|周末)(好|快乐)(?=[!！,，。.~～\\s呀啊哦呀]|$)",
    "re:(?<![a-z])(good )?(morning|afternoon|evening)(?![a-z])", "re:(?<![a-z])(ni ?hao|hiya)(?![a-z])",
    "妳好", "哈咯", "re:^[\\s~～]*(嘿|安安)(?=[!！,，。.~～\\s]|$)",
    # the agent announcing it is there or has come (我在 / 来啦来啦 / 您来啦), opening the message
    "re:^[\\s~～]*(我在|来啦|来了|来咯|来喽|您来啦|你来啦|您来了)(的|呢|哦|哒|啦)?(?=[!！,，。.~～\\s]|$|来)",
    # a platform's standard opener: the agent introducing itself or inviting the customer to speak (我是客服小李 / 请讲);
    # a formal salutation (尊敬的客户) greets where it opens the message, like an address (ADDRESS_TERMS), not inside a notice
    "re:^[\\s~～]*(我是|这里是|这边是)[^，。,.!！?？]{0,12}(客服|小二|店长|顾问|助理|专员|管家|小助手)",
    "re:客服[^，。,.!！?？]{0,6}(在线|为您|为你|竭诚|随时)", "re:^[\\s~～]*(尊敬|亲爱)的(客户|顾客|会员|用户|买家|朋友)", "re:^[\\s~～]*dear(?![a-z])", "re:^[\\s~～]*(您|你|亲)?(请讲|请说)(?=[!！,，。.~～\\s]|$)",
]
CLOSING_EQUIVALENTS = [
    # wishes and care in any words (早点休息 / 注意保暖 / 路上小心 / 新年快乐 / 玩得开心 / 祝老板生意兴隆 / 顺祝商祺)
    "re:(早点|好好|注意|多多?)(休息|睡|身体|保暖|安全)", "re:路上(小心|慢点|注意安全)", "早日康复", "一路顺风", "商祺", "时祺", "re:愿(您|你)",
    "re:希望(您|你|亲)[^，。,.!！?？]{0,6}(喜欢|满意|开心|愉快|顺利|早日|一切)",
    "re:(新年|节日|中秋|端午|国庆|春节|元旦|周末|生日|圣诞|假期|元宵|七夕)(快乐|愉快|安康)",
    "re:(玩|吃|用|穿|住)得(开心|愉快|满意|放心|舒心|舒服)", "re:(?:^|[，,。.!！~～\\s也顺])祝(?!福(语|卡|贺卡|卡片|词))",
    "re:(?<![a-z])(have a (nice|good|great|lovely) (day|one|weekend|evening)|take care|see you|cheers)(?![a-z])",
    # inviting them back or to come again, in any words (欢迎常来 / 下次见 / 有事随时喊我 / 随时恭候)
    "re:欢迎(您|亲|你)?(常来|再次|再|下次|回购|光顾|回来)", "re:(下次|改天|明天|回头)(再)?见", "回见", "再会",
    "re:(常来|有空(再)?来|下次再来|再来玩|再来看看)", "re:(记得|期待|等您|等你)(再来|回购|再次光临)", "re:随时(恭候|喊|叫|call|欢迎)", "恭候",
    "re:(有(任何|什么|啥|其他|别的)?(事|事情|问题|需要|疑问)|不懂的?|不清楚的?|不明白的?)[^，。,.!！?？]{0,4}(再|随时|可以)?(喊|叫|call|问|找|联系|咨询|戳|留言)",
    "re:随时(与|和|跟)(我们|我|客服)联系", "re:(请|麻烦|记得|帮忙)[^，。,.!！?？]{0,10}(评价|打分|评分)",
    # asking whether anything else is needed, in any word order (还有吗 / 还有别的吗 / 还有哪里不清楚的吗 / 其他的还有吗)
    "re:还有(其他|其它|别的|哪里|哪些|什么|啥)?(的)?[^，。,.!！]{0,8}(吗|么|嘛|[?？])",
    "re:还有(不清楚|不明白|不懂|疑问|要问|想问|想了解|需要了解)", "re:(其他|其它|别的)(的)?(还有|还需要|还要)[^，。,.!！]{0,6}(吗|么|嘛|[?？])",
    # thanks in any register (谢啦 / 感恩 / 3q / 辛苦您了 / 麻烦您了 / 唔该晒 / 比心 / 么么哒)
    "re:谢(啦|了|咯|喽|哈|哦|呀)", "感恩", "re:(?<![a-z0-9])(3q|thx|tks|ty)(?![a-z0-9])", "唔该", "多谢晒",
    "re:辛苦(您|你|亲)(了|啦)", "re:麻烦(您|你|亲)(了|啦)(?=[!！,，。.~～\\s]|$)", "比心", "笔芯", "么么", "re:爱(你|您)(哟|哦|呦)",
    # leave-taking (拜啦 / 您先忙 / 不打扰)
    "re:^[\\s~～]*拜(啦|了|咯|~|～)?(?=[!！,，。.~～\\s]|$)", "re:(您|你|亲)(先)?忙(吧|哈|哦|去吧)?(?=[!！,，。.~～\\s]|$)",
]

# A customer message after the agent's last message that needs no answer (response_pace rule 1: "pure acknowledgements
# that need no answer (好的 / 好的谢谢 / 嗯嗯 / 行 / 好吧 / 没了 / 知道了 / 收到 / [再见])"; "a trailing message that asks
# something or complains … counts"). Beyond the word list, each clause of the message must be one of these classes, in
# any words: thanks, understanding, a done action, going off to wait / try / look, a farewell or wish. A clause with a
# question mark or a question particle at its end (能便宜点吗), or one of another kind (a request, a complaint, new
# information), keeps the message counted.
ACK_CLAUSES = [
    # thanks (谢谢你的耐心解答 / 辛苦小姐姐啦 / 感恩 / 3q / 太感谢了)
    "(太|非常|万分|十分|真是|真的|超级|超)?(谢谢|谢了|谢啦|谢咯|感谢|多谢|感恩|3q|thx|thanks|thank you|tks|ty|辛苦|比心|笔芯).{0,12}",
    "麻烦(你|您|你们|亲|客服|小姐姐|小哥哥)?(了|啦|咯)",
    # understanding (懂了 / 我知道怎么操作了 / 原来如此 / 这样啊)
    "(我|俺)?(也|都|终于|总算|大概|基本)?(懂|明白|了解|知道|清楚).{0,8}(了|啦|咯|喽)", "原来(如此|是这样|这样)",
    "(是)?这样(啊|呀|子|的)", "(我)?(懂|明白|了解|清楚)+(的|了|啦|咯)?",
    # a confirmation or an okay in any register (对的 / 没错 / 地址没问题 / 妥了 / 欧克 / 嗯呐)
    "(嗯)?(对|对的|是的|是滴|是嘞|没错|没毛病|正确|就是这个|是这个)+", "(地址|信息|电话|号码|尺码|颜色|型号|都)(没问题|对的|正确|没错)",
    "(妥|欧克|okk+|嗯呐|嗯哪|中|成)(了|的)?",
    # nothing more is needed (没别的了 / 没有其他问题了 / 暂时没有了 / 不需要了)
    "(暂时|目前|也)?(没|没有|不需要|不用)(别的|其他|其它|什么)?(问题|事|需要|的)?(了|啦)", "(那)?(先|就)?(这样|这些|这么定了?)(吧|了|啦)?",
    # relief or praise for the outcome (放心了 / 太好了 / 完美 / 能收到就行)
    "(那|那我|我)?(就)?(放心|安心)(了|啦)", "(太|真|好)?(好了|棒|完美|nice|好耶|赞|给力|靠谱|太好)", "(能|可以)[^，。]{0,6}就行",
    "(哈|嘻|嘿)+",  # not 呵呵: a sneer in chat (呵呵 那我再等个五天呗), it complains
    # a done action reported (已确认收货 / 已下单 / 拍好了 / 问题解决了 / 我自己解决了)
    "(我)?(已|已经)(下单|付款|付了|拍|确认收货|收到|收货|签收|评价|好评|提交|申请|支付|付好|改好|填好|改了|填了|退了|寄了|寄出).{0,6}",
    "(我)?(拍|付|下单|买|改|弄|搞|填|提交|付款|评价)(好|完)了", "(付款|付了款|下单|下好单|拍下|评价|好评|确认收货)了", "好评已给",
    # a purchase or step the customer is about to take (我晚点下单 / 我现在去付款 / 会回购的)
    "(那|我|那我)?(晚点|现在|马上|等下|一会|待会|明天|这就|回头)?(就)?(去)?(下单|付款|拍|买|评价|好评|确认收货)(了|哈|吧)?",
    "(会|还会|下次)(再)?(回购|来买|光顾|再来)(的)?", "(问题)?(我)?(自己)?(解决|搞定|弄好|处理好)(了)?", "(给|给你|给您)?(好评|五星|5星)",
    # going off to wait, try or look (那我等快递 / 我先去试试 / 明天我再来问 / 那我明天再看看物流)
    # (an intention marker first: 看不到物流 reports a problem; 等了 / 等不了 / 试了没用 complain)
    "(那|那我|我|那就|那我就)(先|再|就|去|回头|明天|晚点|等会|稍后|改天|到时候|自己)*(我)?(先|再|就|去|自己)*(等|试|看|问|联系|研究|考虑|想想|琢磨|观察)"
    "(?!了|不|没)(?![^，。]*(投诉|举报|差评|曝光|12315|消协|工商|多久|多少|几|什么|啥|哪|怎么)).{0,10}",
    "等(?!了|不|没)(你|您|你们|快递|物流|消息|通知|回复|到货|收货)?.{0,6}",
    # … or to take up once the goods come (到了再说 / 收到货我再看看 / 到了我说)
    "(我)?(等)?(到了|收到|收到货|到货|货到)(了)?(我)?(再|就)?(说|看|看看|确认|联系|试试|评价|找你)(吧)?",
    # leaving (我先去忙了 / 回头聊 / 改天再来)
    "(好的)?(我)?先(下线|去忙|忙|撤|走|下了)(了|啦)?", "(回头|改天|下次)(再)?(聊|来|见|联系|来买)",
    # farewell or wish (拜拜 / 晚安 / 祝你生活愉快 / 你也是 / 同乐 / 早点休息)
    "(拜|拜拜|再见|晚安|回见|下次见|88|886)", "(也)?祝.{0,12}", "(你|您)也(是|一样)", "同乐", "(早点|好好)休息",
    "(新年|节日|周末)(快乐|愉快)", "没事了.{0,10}",
]

GREETING += GREETING_EQUIVALENTS
CLOSING += CLOSING_EQUIVALENTS
