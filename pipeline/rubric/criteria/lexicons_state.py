"""Default word lists added in rubric default@7 and later for the customer-state criteria (empathy's trigger and
courtesy, negative_end, abusive_customer, time_commitment; positive_framing from default@9): each criterion's default is the base list in
`lexicons` plus the list here, in that order (rubrics/default.yaml states the sum, as the docstring of
`lexicons` says). They name mechanisms, written for this project: no phrase of a measure-only set.
Entries are matched on the analysis form (simplified, half-width, lower-case)."""
from __future__ import annotations

import re

from pipeline.rubric.criteria.lexicons import FEEL

# Cantonese and traditional-character anger, impatience and disappointment, in the analysis form
# (traditional is folded to simplified: 係→系, 禮拜→礼拜): 嬲 is Cantonese for angry, 仲未 for 还没,
# 咗 marks the perfect (等咗 = 等了), 冇 = 没有, 唔 = 不, 点解 = 为什么
CANTONESE_EMOTION = [
    "re:(好|真|劲|超|激|很|太|咁|几|非常|都)嬲", "嬲死", "嬲爆", "嬲到", "激嬲", "激气", "激死", "火滚", "顶唔顺", "顶唔住", "忍唔住",
    "唔开心", "唔满意", "唔舒服", "冇眼睇", "搞乜", "搞咩", "咩态度", "乜嘢态度", "心淡", "心都凉",
    "re:等(咗|左)(成|好|咁|几|[0-9一二两三四五六七八九十])[^，。,.!！?？]{0,3}(耐|日|天|礼拜|星期|周|个月|钟)",
    "re:点解(仲|还|咁)(未|慢|耐|差|系咁)", "re:(冇|无)人(理|覆|回|跟)",
    # never again, in Cantonese (以后唔会再嚟 = 以后不会再来)
    "re:(以后|下次|再)[^，。,.!！?？]{0,3}(唔会|唔再|冇)[^，。,.!！?？]{0,4}(帮衬|嚟|买|光顾)",
]
# negations of the words above (唔嬲 = not angry, 唔使急 = no hurry)
CANTONESE_EMOTION_EXCLUDE = ["唔嬲", "冇嬲", "唔使急", "唔急", "唔紧要", "冇问题"]
# default@8: 差 said of how the goods perform (制冷效果很差 / 信号太差 / 续航好差) reports a defect, it names no feeling
# (the state layer and the shapes still read the turn); 服务 / 态度 / 体验 差 stay feelings
PERFORMANCE_NOT_FEELING = [
    "re:(效果|信号|音质|画质|续航|手感|散热|吸力|制冷|制热|隔音|保温|性能|网速|音效|清晰度|灵敏度|稳定性)(很|太|真|好|特别|非常|比较|有点|也|都)?(差|很差|太差)",
]

# fear carried over from a past bad experience, and resignation in idiom
EMOTION_MORE = [
    # default@13: fear said with a degree word (好怕 / 真的很怕) is fear shown, unlike a bare 怕 before a fit (怕拖地)
    "re:(好|很|真|太|超|挺|特别|非常|有点|有些|蛮|真的)(害)?怕",
    # escalation past the shop (the platform or a regulator judges instead): the customer has given up on the agent
    "re:(申请|找|叫|让|要)(平台|官方|小二|客服小二)(介入|处理|仲裁|评理)", "re:(举报|仲裁|工商局|消协|消费者协会|市场监管)",
    # resignation and sarcasm after an acceptance (行 等着呗 / 好吧 反正也习惯了 / 行吧 你们高兴就好): a calm
    # opener needs an emotion word, and these are the words
    "re:反正(也|都)?[^，。,.!！?？]{0,4}(不是第一次|习惯|没用|白搭|一样|无所谓)", "re:(又|也|都)不是第一次(了)?",
    "re:(等着|随便|就这样|认)呗", "re:(你们|你|您|商家|店家|客服)[^，。,.!！?？]{0,2}(开心|高兴|乐意|满意)就(好|行)",
    # chasing with no movement at all (系统一直没有反应 / 到现在都没个下文)
    "re:(一直|始终|仍然|到现在都|至今|还是)(没|没有|未)(任何|个)?(反应|进展|结果|变化|下文|音讯|回音|回应)",
    "心有余悸", "后怕", "有阴影", "留下阴影", "被坑怕了", "怕怕", "随你们便", "随便你们", "爱咋咋地", "爱怎么着怎么着",
    # a reply that is only dots after the agent spoke: speechless (。。。 / ……)
    "re:^[\\s。.…｡·]*(…|[。.｡·]{3})[\\s。.…｡·]*$",
    # default@8: fright at what happened (吓坏了 / 吓出一身汗 / 吓了一大跳; 吓死我了 还好… is relief, EmotionParams.relief)
    "re:吓(坏|傻|懵|呆|哭|蒙|得|出|了一跳|一跳|了一大跳|一大跳|人)",
    # reproach of the agent's manner (态度这么冲 / 口气也太硬了 / 说话怎么这么横)
    "re:(?<![我俺])(?<!我的)(态度|口气|语气|说话)(怎么|咋)?(这么|那么|也太|太|好|真|够|挺)(差|冲|凶|恶劣|横|差劲|拽|傲|硬|不客气|不耐烦|难听|敷衍)",
    # resignation that writes the money off (就当交了学费 / 权当喂了狗 / 算是买个教训)
    "re:(就当|权当|算是|当是|当作)(是)?[^，。,.!！?？]{0,6}(教训|学费|喂狗|打水漂|白扔|扔了|捐了|没买)",
    # a let-down named softly (有点小失落 / 心塞)
    "失落", "心塞",
]

# shapes of feeling that let a moderate negative score count (with empathy's shape_min_score)
SHAPE_MORE = [
    # persistence over days and attempts (天天催 / 连续三天 / 反复联系)
    "re:(天天|每天都|连续|反复|三番五次|一次又一次|再三|屡次|接连|又一次)",
    # chasing with the time it has been stuck (在广州停了三天 / 好几天了还没动): a why-question with it is a complaint
    "re:(停|卡|等|放|压|拖)(了|在)[^，。,.!！?？]{0,4}([0-9一二两三四五六七八九十几半]+|好几)(天|日|周|个星期|个礼拜|个月)",
    "re:([0-9一二两三四五六七八九十几]+|好几)(天|周|个星期|个礼拜|个月)(了)?(都|还)(没|不|没有)",
    # disappointment after a thank-you or an acceptance: the clause after the contrast carries the turn
    "re:(谢谢|谢了|收到了|到了|挺好|还行|不错)[^。!！?？]{0,10}(不过|但是|可是|就是|只是)",
    # a rhetorical question about being refused even a little (连问都不让问吗 / 看一眼也不行吗)
    "re:(都|也|连)[^，。,.!！?？]{0,6}(不行|不可以|不能|不让|不给|没法)[^，。,.!！?？]{0,3}(吗|嘛|么|啊|呀)",
    # a defensive reproach (我就是看不懂才来找你们的) and a retort to the agent's words (你这话说的)
    "re:就是(因为)?[^，。,.!！?？]{1,10}才(问|找|来|联系|咨询|说)",
    "re:(你|您)这(话|叫什么话|是什么话|说的什么话)",
    # default@8: it took repeating to get anywhere (问了两遍才有人回 / 打了三次电话才接通 / 找了好几个客服都…)
    "re:(问|说|打|催|找|联系|发|咨询|反映|申请|讲)(了)?([两三四五六七八九十几]|好几|\\d+)(次|遍|回|趟|个人|个客服)[^，。,.!！?？]{0,4}(才|都|还|也)",
    # scare quotes around the shop's own claim: sarcasm (真是“正品”呢 / 好一个“顺丰包邮” / 所谓的“加厚款”)
    "re:(真是|真的是|好一个|果然是|这就是|这叫|这也叫|所谓的?|号称)[\"“「『'‘][^\"”」』'’]{1,8}[\"”」』'’]",
]

# persistence of something good or neutral (一直都有货 / 老是有人问) is no grievance
SHAPE_EXCLUDE_MORE = [
    # default@9: buying again and again is loyalty, not persistence (买了好几次了 这次能便宜点吗)
    "re:(买|回购|复购|下单|光顾|拍|购买|入手)(了|过)?(好几次|好多次|很多次|几次|多次|无数次|好几回|好多回)(了)?",
    "re:(一直|总是|老是|始终)(都)?(有)(?!问题|毛病|异味|噪音|杂音|声音|故障|裂|破|色差|瑕疵|污渍|点|味)",
    # default@13: wanting, keeping an eye on, using a thing for long is no persistence (一直想买 / 一直在用你家的 / 一直关注)
    "re:(一直|总是|老是|始终)(都)?(很|挺|在)?(想|惦记|关注|种草|蹲|在用|用的|用着|回购)",
    # default@8: a how-to question after the contrast is no disappointment (收到了 就是不太会装 / 挺好的 只是想问下怎么洗)
    "re:(谢谢|谢了|收到了|到了|挺好|还行|不错)[^。!！?？]{0,10}(不过|但是|可是|就是|只是)(不知道|不太会|不会|想问|问一下|问下|请问|怎么|如何|咋)",
]

# the words of a turn that only report where the order is (还没收到 / 还没发 / 仲未到): as an answer to
# the agent (您这边确认收货哦 → 还没收到) they carry no feeling; empathy counts them only when the
# customer-state layer reads the turn negative in context (EmotionParams.status_cue)
STATUS_CUE = "^(还|仲)(没|没有|未|不)"

# relief and the customer's own mistake (虚惊一场 / 白担心了 / 还好找到了 / 是我自己没插好 / 错怪你们了): the
# turn is conciliatory whatever fright it names (吓死我了), unless a contrast follows (EmotionParams.relief)
RELIEF = [
    "虚惊一场", "白担心", "白紧张", "白着急", "松了口气", "松口气", "re:(?<!不)放心了", "错怪", "怪我",
    "re:是我(自己)?(搞错|看错|弄错|记错|没看清|没看到|没插|没装|没注意|没仔细|的错|的问题)",
    # (还好没烫着 after a complaint is partial relief: the complaint stands, so only the feared thing undone counts)
    "re:(还好|幸好|幸亏|好在)(找到|收到|到了|赶上|来得及)",
    # default@9: the feared thing found, with the fright or the false alarm named beside it (找到了！吓死我了 / 吓我一跳
    # 原来在门卫那): the fright is over
    "re:(找到|收到|到了|回来了|没丢|在呢|在这)(了)?((?!但|不过|可是|就是|只是)[^。?？]){0,10}(吓死|吓我|吓坏|吓了|还以为|我以为|差点以为)",
    "re:(吓死|吓我|吓坏|吓了一跳)((?!但|不过|可是|就是|只是)[^。?？]){0,10}(原来|还好|幸好|找到|收到|在这|在门)",
    # default@8: owning one's own manner (刚才我口气不好 / 是我说话急了点): conciliatory
    "re:我(刚才|刚刚|之前|前面)?(的)?(态度|口气|语气|说话)[^，。,.!！?？]{0,4}(冲|不好|急|重|过分|凶|差)",
] + [
    # default@10 (state7): the fault fixed by the customer's own step, reported (亮了亮了 / 好了 不报错了 / 能用了): the
    # layer reads the fault named beside it; not when denied (不亮了 / 又不能用了) or asked (能用了吗)
    "re:(?<![不没])(亮了|能用了|可以用了|正常了|好使了|不报错了|有声音了|能开机了|开机了|连上了|转起来了|通电了|出水了)(?![吗么嘛没])",
    # default@10 (state7): owning a miss of one's own eyes or age (让你见笑了 / 老眼昏花 / 我眼神不好 没看着):
    # conciliatory, like 是我没看清
    "re:(让你|让您|叫你|叫您)?见笑了", "老眼昏花", "re:(?<!以为)我(的)?(眼神|眼睛|眼)(不好|不太好|不行|不济|花了|花)",
]

# short urgency (急用 / 赶时间 / 来不及): inside a calm question it still asks for the agent to
# acknowledge the hurry, so it lifts the customer-state layer's veto (EmotionParams.urgency)
URGENCY = [
    "急用", "急需", "急着用", "着急用", "等着用", "赶着用", "赶时间", "来不及", "赶不上", "着急", "很急", "挺急", "比较急", "急死",
    "越快越好", "re:(有点|有些|好|很|真|挺|比较|特别|非常)?急(的|啊|呀|哈|呢)?$",
    # default@8: worry named inside the question (…还赶得上吗 心里好慌 / 能修好吗 有点担心): like a hurry, the layer
    # reads the calm question around it
    "re:(好|有点|有些|很|真|挺|超|太|特别|非常|心里)(慌|担心|忐忑|焦虑|不踏实|没底)", "慌死", "慌了",
    # asking whether a deadline can still be met (周六前还赶得上吗 / 月底能来得及吗): 来得及 alone is excluded, the
    # question is the hurry
    "re:(还|能|可以|能不能|还能)(来得及|赶得上|赶得及|赶趟)(吗|么|嘛|不|没|呢)",
]
URGENCY_EXCLUDE = [
    # default@10 (state7): whether a change to the order can still be made (现在加一件还来得及吗 / 改地址还赶得上吗) asks
    # about the shop's cut-off, not the customer's own deadline
    "re:(加|改|换|取消|备注|追加|拆单|合并|加购)[^，。,.!！?？]{0,8}(还|能|可以|能不能|还能)(来得及|赶得上|赶得及)(吗|么|嘛|不|没|呢)",
] + ["不急", "不着急", "别急", "不用急", "不赶", "来得及", "不是很急", "不太急", "唔急", "唔使急", "不担心", "不慌", "别慌", "不用担心", "别担心"]

# 垃圾 said of the goods (什么垃圾面料 / 垃圾质量) criticises the product, not the agent: not abuse
# default@10 (abusive_customer): calling the agent or the shop's staff stupid or a liar in a question, Mandarin or
# Cantonese (你们是不是傻 / 你哋係咪傻嘅 / 你哋啲客服係咪騙子, folded: 係→系; 你哋 / 你地 = 你们, 係咪 = 是不是,
# 痴线 / 黐线 = crazy, 呃人 = 骗人): the question is the insult
ABUSE_QUESTIONED = [
    "re:(你们|你哋|你地|你|客服|店员|店家|商家)[^，。,.!！?？]{0,4}(是不是|系咪|系唔系|系|是|真系|真是|都系|都是|好)"
    "(傻|蠢|痴线|黐线|白痴|戆居|低能|骗子|呃人|废柴|脑残)(的|嘅|㗎|嚟|架|咩|吗|吧|啊|呀|子|瓜|仔|婆)?",
]
ABUSE_TARGET_MORE = ["你哋", "你地", "店员"]
# default@11 (abusive_customer; credit6): three ways an insult slips past the Mandarin word list. (1) The agent's
# faculties questioned (你是不是听不懂人话 / 你眼瞎啊 / 你脑子没事吧 / 没长脑子): the question is the insult. (2) Regional
# insult words — Sichuan 瓜娃子 / 憨批 / 哈批, Northeast 你虎啊, Wu 戆大 / 瘪三, Cantonese 扑街 / 仆街 / 废柴, general
# 二百五 / 二货 / 傻帽 / 傻缺 / 脑瘫 / 沙雕 / 笨蛋 / 猪头 — the mild or two-sided ones (沙雕 is also a sand sculpture,
# 笨蛋 a tease, 虎 a tiger) only aimed at the agent. (3) Pinyin initials and homophones of the curses already listed
# (dsb / shabi / nt / zz / nc — not 2b, a pencil grade; 尼玛 / 泥马 / 你麻痹 / 特么).
ABUSE_MORE = [
    "re:(听不懂|不会说|不说|听不明白|不懂)人话",
    "re:(你|你们|你哋|你地|客服|店家|商家)[^，。,.!！?？]{0,3}(眼瞎|瞎了|瞎啊|瞎吗|瞎么|瞎呀|是瞎子|没长眼|眼睛长哪|没长脑子|脑子呢)",
    "re:(你|你们|客服)(的)?脑子(是不是|真|怕不是)?(没|有)(毛病|事)(吧|吗|么|啊|呀)",
    "re:(你|你们|客服)[^，。,.!！?？]{0,3}智商(有问题|欠费|堪忧|不够|捉急|低)",
    "瓜娃子", "憨批", "哈批", "二逼", "傻缺", "脑瘫", "扑街", "仆街", "瘪三", "戆大", "狗日的",
    "re:(你|你们|你哋|你地|客服|店家|商家|卖家)(是不是|是|真是|就是|简直是|系咪|系|真|就)?(这个|这种|这群|这帮|一群|一帮|班|个|一个|个大)?"
    "(瓜皮|二百五|二货|傻帽|沙雕|废柴|笨蛋|蠢蛋|猪头|傻瓜|傻子|憨憨)(?!相机|式|机|肉|汤)",
    "re:(你|你们|客服)(是不是|是|真|有点|真是)?(有点)?虎(啊|吧|吗|么|呢|了吧)",
    "re:(?<![a-z0-9])(dsb|shabi|sha bi|nt|zz|nc|rz)(?![a-z0-9$])",
    "尼玛", "泥马", "你麻痹", "麻痹的", "特么", "tm的",
    # the same words before the agent they name (沙雕客服)
    "re:(瓜皮|二百五|二货|傻帽|沙雕|废柴|笨蛋|蠢蛋|猪头|傻瓜|憨憨)(的)?(客服|店家|商家|卖家|店员|老板|售后)",
    # the question between the agent and the brain (你们客服是不是脑子有问题 / 店家怕不是脑子坏了); never with 我 between
    # them (你说我脑子有问题 reports what the agent implied)
    "re:(你|你们|客服|店家|商家|卖家|售后)[^，。,.!！?？我]{0,6}脑子(是不是|是|真|怕不是)?(有问题|坏了|坏掉了|有坑|被驴踢|被门夹|不好使|有毛病|没毛病|进水|瓦特)",
    # more regions and spellings: Northeast 滚犊子 / 瘪犊子, Sichuan 龟儿子 / 妈卖批 (mmp), Cantonese on9 / 冚家铲 / 收皮 /
    # 死开 (= 滚), Wu 册那; spellings of 傻逼 / 你妈逼 / 奶奶的 (傻批 / 傻吊 / 傻13 / nmb / cnmb / nnd — not 奶奶的 itself: 买给我奶奶的); contempt for the
    # person (你算什么东西 / 狗眼看人低 / 懂个屁 / 脑子被狗吃了 / 狗客服)
    "滚犊子", "瘪犊子", "龟儿子", "龟孙子", "妈卖批", "麻卖批", "冚家铲", "收皮", "死开", "册那", "傻批", "傻吊", "傻屌", "傻13",
    "傻哔", "呆逼", "狗眼看人低", "re:(?<![a-z0-9])(on9|mmp|nmb|cnmb|wcnm|nnd)(?![a-z0-9])",
    "re:(你|你们|客服|店家|商家|卖家)(算|是|又算)(个)?(什么|啥)(东西|玩意)", "re:(懂|知道|晓得|会|管)(个|个der|个嘚)(屁|锤子|毛线|毛)",
    "re:脑子(被|让)(狗|猪|驴)(吃|啃|踢)", "re:(?<![走遛养喂])狗(客服|店|商家|卖家|店员)",
]
# default@11: being taken for a fool (你当我是傻子 / 把我当傻瓜) accuses the agent, it calls the agent nothing; a design or
# product called 脑残 / 沙雕 (这设计真脑残) criticises the goods
ABUSE_EXCLUDE_MORE = [
    "re:(你|你们|客服|店家|商家)?[^，。,.!！?？]{0,2}(当|把)(我|我们|老子|本人|顾客|买家)(是|当|当成|看成|当作)?(个|一个)?(傻子|傻瓜|白痴|猪头|笨蛋|二百五|瓜娃子|憨憨|蠢蛋)",
    "re:(设计|做工|东西|产品|商品|功能|软件|系统|app|包装|说明书|规定|政策|流程)[^，。,.!！?？]{0,3}(真|太|好|很|也太|简直)?(是)?(脑残|沙雕|二百五|弱智|智障)",
]
# default@10 (abusive_customer, emotion cues): one's own mother's (拿去看我妈的 / 给老妈的生日礼物) is no curse (妈的)
KIN_NOT_CURSE = ["re:(我|俺|咱|老|她)妈的"]
KIN_NOT_CURSE_MORE = ["妈妈的"]  # default@13 (emotion words): 送我妈妈的生日礼物 — 妈的 inside the kin word

GOODS_NOT_AGENT = [
    # (an exclusion must cover the whole insult hit, 什么垃圾, so it starts with the same words; 你个垃圾东西 stays abuse)
    "re:(什么|这个|这种|这么|这|太|真|好|简直)?(是)?垃圾(的)?(面料|布料|料子|质量|东西|玩意|产品|货|材质|做工|衣服|裤子|鞋|包装|手机|商品|设计|电池|配件|软件|系统|app|款式|味道|效果|快递|物流|尺码)",
    # default@8: 破 said of the shop or the goods (什么破店 / 这破东西 / 破质量) criticises them, it names no person
    "re:(什么|这个|这种|这么|这|这家|啥)?破(店|网店|店铺|东西|玩意|质量|货|快递|物流|平台|app|软件|衣服|手机|商品|系统)",
]

# hand-offs: the agent has someone check or verify (联系派送员核实 / 交给质检鉴定) or promises to come back
HANDOFF_MORE = [
    "re:(联系|问|找|通知|催)(了)?(一下|下)?[^，。,.!！?？]{0,4}(派送员|快递员|配送员|站点|网点|驿站|转运中心|分拣中心|片区|营业部)",
    "re:(交给|转给|送去|寄回给|拿给)[^，。,.!！?？]{0,8}(鉴定|检测|质检|化验|评估|复核|审核)",
    "re:(再|稍后|晚点|有结果|有进展)[^，。,.!！?？]{0,3}(跟|和|给|向)(您|你|亲)(同步|反馈|答复|回复|回电|说一声)",
    # default@8: the job handed to whoever does the work (联系师傅和网点 / 把图纸发给工厂 / 让仓库先打包 / 寄回厂家检测)
    "re:(联系|发给|交给|让|请|通知)(了)?(一下|下)?[^，。,.!！?？]{0,6}(师傅|网点|工坊|工厂|厂家|仓库|供应商|品牌方)",
    "re:寄(回|给)[^，。,.!！?？]{0,4}(厂家|工厂|品牌方|原厂)(检测|鉴定|维修|返修|处理)",
    # the agent contacting for the customer (帮您联系当地网点): the base exclusion of 您联系… (the customer sent there) starts
    # inside this match, so it no longer swallows the agent's own hand-off
    "re:(帮|给|为|替)(您|你|亲)(联系|问|找|催|约)(了)?(一下|下)?[^，。,.!！?？]{0,6}(师傅|网点|工坊|工厂|厂家|仓库|供应商|品牌方|快递|物流)",
]
# the agent's own lapse (是我们跟进不及时) is an apology, not a hand-off
# and sending the customer to the courier's station (建议您联系驿站) is not the agent checking with it
HANDOFF_EXCLUDE_MORE = [
    "re:跟进(得)?(不及时|不到位|不够|太慢|慢了)",
    # default@8: the customer sent to whoever does the work (您直接联系师傅就行) hands nothing on; a "not now" followed by
    # what the customer can do instead (暂时不能直接抵扣，不过可以先估价) is an answer with an alternative, not a hand-off
    "re:(?<![帮给为替])(您|你)(可以|自己|直接|去|先|再|就)*(联系|发给|交给|让|请|通知)(了)?(一下|下)?[^，。,.!！?？]{0,6}(师傅|网点|工坊|工厂|厂家|仓库|供应商|品牌方)",
    "re:(暂时|目前|现在)(无法|不能|没法|还不能)[^。!！?？]{0,20}(不过|但是|但)(可以|能|您可以|你可以)",
    # installation included with the goods (安装师傅免费上门 / 赠送上门安装) is a service of the listing, not a hand-off
    "re:师傅[^，。,.!！?？]{0,3}免费上门", "re:(赠送|免费|包)[^，。,.!！?？]{0,3}(上门)?安装",
    "re:(?<![帮给为替])(您|你)(可以|自己|直接|去|先|再)*(联系|问|找|催)(一下|下)?[^，。,.!！?？]{0,4}(派送员|快递员|配送员|站点|网点|驿站|转运中心|分拣中心|片区|营业部)",
    # default@10: how an installation visit goes, said before or with the delivery (安装师傅随车上门 / 师傅上门时扫码付款 /
    # 师傅上门会先报价), arranges nothing for a problem; an offer the customer may take up (如果…我可以帮您申请检测 / 不过可以给您
    # 申请一张券) hands nothing on yet; a step the customer takes in the app (您在订单里预约上门取件) is theirs
    "re:师傅[^，。,.!！?？]{0,4}随车上门", "re:师傅[^，。,.!！?？]{0,4}上门(时|的时候|可以|免费|安装|会先|现场|扫码|收费|报价)",
    # the platform's own step named in an instruction (在提交订单那个页面 / 点提交申请按钮)
    "re:提交订单|(点|点击|按)(一下)?提交",
    # how the process goes in general (一般提交后1-2个工作日内开出 / 通常登记后…), not this customer's case handed on
    "re:(一般|通常|正常|一般情况下|正常情况下)[^，。,.!！?？]{0,4}(提交|申请|登记|反馈)(后|之后|以后)",
    "re:(可以|能)(给|帮|为|替)(您|你|亲)(申请|登记|预约)",
    "re:(?<![帮给为替])(您|你)(可以|自己|直接|在|去)[^，。,.!！?？]{0,6}(申请|提交|预约)(了|好)?(师傅|上门|维修|安装|检测|检修)?",
]
# default@10: the agent promises to come back to the customer (10分钟内给您回复 / 我今天17点前会给您打电话 / 专员会在两小时内
# 联系您) or lifts the case to someone above (升级到售后专员): the customer is left waiting, a hand-off whatever words name
# who does the work; the rider (骑手) checked like a courier
HANDOFF_PROMISED = [
    "re:(会|将|再|稍后|晚点|之后|内|前)[^，。,.!！?？]{0,10}(给|跟|和|向|与)(您|你|亲)(回复|答复|回电|回个电话|打电话|打个电话|致电|电话联系|同步|说一声)",
    "re:(专员|主管|经理|同事|工程师|师傅)(会|将)[^，。,.!！?？]{0,8}(联系|回电|致电|打电话)(您|你)?",
    "re:升级(到|给|至)?[^，。,.!！?？]{0,6}(专员|主管|经理|售后|部门|处理)",
    "re:(联系|问|找|催)(了)?(一下|下)?[^，。,.!！?？]{0,4}骑手",
    # the agent has to ask someone first (得问一下仓库 / 要先问下厂家; not 要找物流, the customer sent there) or will tell the customer once they know (问到了告诉您 /
    # 查清楚了回复你), or passed a word on to whoever ships (跟仓库备注加急了 / 给快递打了招呼)
    "re:(?<![您你亲])(得|要|需要|还要|还得)(先)?(问|咨询|核实)(一下|下)?(仓库|厂家|快递|物流|师傅|同事|主管|供应商|售后|技术)",
    "re:(问|查|核实|确认|打听)(到|清楚|明白|好)(了)?(后|之后|以后)?[^，。,.!！?？]{0,4}(告诉|通知|回复|联系|答复)(您|你|亲)",
    "re:(跟|和|找|向|给|让)(仓库|快递|物流|厂家|师傅|网点|供应商)[^，。,.!！?？]{0,4}(备注|交代|打招呼|打了招呼|说一声|说了|加急)",
]
# the request done in the chat (退款已经提交 / 已提交成功 / 已经帮您跟仓库确认过了 / 已给您预约了上门取件):
# nothing is handed on, so no time frame is owed (TimeCommitment.done)
HANDOFF_DONE = [
    "re:(已经|已)[^，。,.!！?？]{0,6}(提交|登记|申请|预约|安排|退回|退款|补发|改好|修改)(了|好|成功|完成|完毕)?",
    "re:(提交|登记|申请|预约|安排|修改)(成功|完成|完毕|好了)",
    "re:(已经|已)[^，。,.!！?？]{0,10}(确认|核实|问|查)(过)?了",
]
# what still waits on someone after the hand-off (审核 / 回复您 / 有结果): the hand-off stands
HANDOFF_PENDING = [
    "re:(审核|核实|处理|回复|答复|通知|结果|进展|跟进|联系您|联系你|鉴定|检测|排查|等待|等一下|等消息|安排好后|同步)",
]
# default@10: the request decided in the chat (已为您申请换新并审核通过 / 退货申请已经审核通过 / 已经同意退款了): nothing is left
# to anyone's decision, so the hand-off word beside it is no hand-off even when the message says when the money or the
# goods arrive (…1-3个工作日到账 is the delivery of a decision, not a promise to come back). 审核通过后 (future) is no decision
HANDOFF_DECIDED = [
    "re:(已经|已)[^，。,.!！?？]{0,12}(审核通过|通过审核|审批通过|同意|批准)(?!后|之后|以后|再|就|才)",
    "re:(审核通过|通过审核|审批通过)了(?!后|之后|以后|再|就|才)",
    # a pickup already booked (已经给您预约了上门取件，明天上午快递员上门): the time is the customer's appointment, not a wait
    "re:(已经|已)[^，。,.!！?？]{0,8}预约(了|好)?[^，。,.!！?？]{0,6}取件",
]

# empathy: the agent calls the feeling natural (担心很正常 / 换季着急再正常不过 / 心里没底也难免), without 您
# (the base cues need 您…是正常的); multi-character feelings only, so 气味很正常 stays a product fact


# default@10 (empathy): a condition on the customer (必须先退回来我们才能发新的 / 只有签收了才可以退): what follows it in
# its clause is the condition's, no offer after a contrast
CONDITION = "(?<![刚方])才(能|可以|会|给|帮|行|可)"

# default@10: feelings of a let-down (失落 / 落差 / 不甘心 …) that lexicons.FEEL does not name
FEEL_LETDOWN = "失落|落差|遗憾|不是滋味|心凉|沮丧|懊恼|不甘心|不甘|憋屈|心里空|白期待|期待落空|扫兴|心塞"

EMPATHY_MORE = [
    "re:(心里|心情|担心|着急|顾虑|害怕|犹豫|纠结|打鼓|没底|不放心|不踏实|紧张|焦虑|生气|上火|失望|发慌|慌)[^，。,.!！?？]{0,3}"
    "(太|很|非常|再|也|挺|都|是|也是)?(正常|能理解|可以理解|难免)(了|的|不过)?",
    # default@9: the feeling named as what anyone in the customer's place feels most (当妈妈的最揪心 / 换季最容易着急):
    # it came beside a soothing formula that no longer counts alone
    # default@9: perspective-taking with any feeling named (换谁都觉得不是滋味 / 搁谁心里都不好受); not 都一样 (a shrug)
    "re:(换谁|搁谁|放谁|换了谁|换做谁|换成谁|任何人)(遇到|碰到|摊上|赶上)?[^，。,.!！?？]{0,6}(都|也)(会)?(觉得|感觉|感到|心里)(?!一样)[^，。,.!！?？]{1,6}",
    "re:(最|最是|最容易|最会|都会|都容易|难免会|肯定会|自然会)(揪心|紧张|担心|着急|心急|焦虑|发慌|慌|不安|心疼|上火|难受|不踏实|提心吊胆)(?!的)",
    # default@10: perspective-taking said as "in your place I would too" (换位想一想，我也会很生气 / 站在您的角度我也着急)
    f"re:(换位|换个位置|换个角度|站在(您|你)的(角度|立场|位置))[^。!！?？]{{0,8}}(我|谁)?(也|都)(会)?(很|挺|特别|非常)?({FEEL}|{FEEL_LETDOWN})",
    # default@10: the feeling called right (您担心是对的 / 你生气有道理 / 您着急没错)
    "re:(您|你|亲)(会|有点|这么|这样)?(担心|着急|生气|失望|顾虑|害怕|紧张|不放心|心急|焦虑|不满|介意|怀疑)(是|也是)?(对的|有道理|在理|没错|合理|应该的)",
    # default@10: the disappointment family, which the base feelings lack, named from the customer's place (换我也会有点失落 /
    # 要是我也挺不甘心的) or as understood (理解您的落差感 / 知道您挺沮丧的)
    f"re:(换我|换做我|换作我|换成我|换了我|搁我|放我|要是我|我要是|如果是我|是我的话)[^，。,.!！?？]{{0,6}}(也|都)[^，。,.!！?？]{{0,4}}({FEEL_LETDOWN})",
    f"re:(理解|明白|知道|懂|体会|感受到|看得出)(您|你|亲)[^，。,.!！?？]{{0,6}}({FEEL_LETDOWN})",
    # default@10: the customer's circumstance understood (明白您赶时间 / 知道您等着用 / 理解您要赶去上班): the hurry named, not
    # only told to stop (别急)
    "re:(理解|明白|知道|懂|清楚)(您|你|亲)(现在|这边|是)?[^，。,.!！?？]{0,3}(赶时间|赶着|赶去|急用|急着|着急用|等着|时间紧|时间很紧|赶不上|来不及|要上班|要赶)",
]

# after-sales words in Cantonese (analysis form): 甩色 = 掉色, 烂咗 / 坏咗 = 烂了 / 坏了, 用唔到 = 用不了,
# 冇反应 = 没反应 (active_listening's topic; the Mandarin words are in lexicons_after_sales)
CANTONESE_AFTER_SALES = [
    "甩色", "甩线", "甩底", "报废", "冇反应", "冇声", "re:(坏|烂|裂|碎|爆|断|甩|穿|崩|漏)(咗|晒|左)",
    "re:(用|开|着|充|装|连|关|锁|郁)唔(到|了|着|上|入|郁)", "re:(退|换)(返|过|咗)", "退钱",
]
# complaints worded without after-sales words: the goods are far from the pictures (跟详情页差太远). Not "it
# breaks at the first use" (一拉就断): as often said of a past purchase inside a presale question
COMPLAINT_SHAPES = [
    "re:差(得)?(太远|很远|好远|老远|十万八千里)", "re:(跟|和|与)(图|图片|照片|主图|描述|详情|详情页|视频|直播)[^，。,.!！?？]{0,8}(不一样|不符|差)",
    # default@8: a noise the goods should not make (有电流声 / 嗡嗡响 / 咔咔的异响), live or fresh goods dead or spoiled on
    # arrival (死了两条 / 三只不动了 / 发臭), the fear the goods are fake (怕是假的 / 会不会是高仿)
    "re:(电流|滋滋|沙沙|嗡嗡|咔咔|吱吱|咯吱|哒哒)[^，。,.!！?？]{0,2}(声|响)", "异响",
    "re:(死了|死掉了?)[0-9一二两三四五六七八九十几]+(只|个|条|尾|颗)", "re:[0-9一二两三四五六七八九十几]+(只|个|条|尾)(死了|死掉|不动了|发臭|臭了)",
    "re:(怕|担心|是不是|会不会|疑似)(是)?(假的|仿的|高仿|山寨|翻新)",
    # the goods measured against their pictures (比图片上小了一圈 / 比主图暗好多 / 没有视频里那么亮)
    "re:(比|没有|没)(图|图片|照片|主图|详情|详情页|视频|直播间?)(上|里|中)?[^，。,.!！?？]{0,3}(小|大|薄|短|窄|暗|差|少|旧|丑|粗|细|那么|这么)",
]
# default@8: topic words that are no complaint — praise that everyone speaks well of it (老姐妹都说好 / 说好看), a
# question about the return policy before buying (可以七天无理由吗)
AFTER_SALES_EXCLUDE_MORE = [
    "re:(都|人人|大家|谁都|个个|朋友|家人|邻居|同事|姐妹|他们|她们|我妈|我爸)[^，。,.!！?？]{0,2}说好(?!的|了)", "re:说好(看|用|吃|喝|穿|听|闻)",
    "re:(可以|能|支持|有|包)[^，。,.!！?？]{0,4}无理由(退货|退换|退)?(吗|么|嘛|不|没|[?？])",
]
# default@8: deciding to buy (那就买了 / 那我拍下了) is no purchase made before the chat
AS_PURCHASE_EXCLUDE_MORE = ["re:(那|就|那就|那我|我就|我去|那我就|那我先)(买|拍|下单|拍下|入手)(了|吧|啦|咯)"]
# default@8: installation booked with the delivery (安装师傅免费上门 / 约上门时间 / 上门安装) is a service, not after-sales
AS_AGENT_EXCLUDE_MORE = ["re:(安装|装机)[^，。,.!！?？]{0,8}上门", "re:上门(安装|装机|测量)", "免费上门", "re:约[^，。,.!！?？]{0,2}上门"]

# a trailing message that only thanks or goes off to try needs no answer (timing criteria): thanks addressed
# to the agent (谢谢你 / 辛苦您了), Cantonese thanks and okays (唔该晒 / 多谢晒 / 得啦), and the customer going
# to try or look for themselves (我看看 / 我去试试)
TRAILING_ACKS = [
    "谢谢你", "谢谢您", "谢谢你们", "感谢你", "感谢您", "多谢你", "辛苦你了", "辛苦您了", "辛苦你们了", "麻烦你了", "麻烦您了",
    "唔该", "唔该晒", "多谢晒", "得", "冇问题", "冇事", "拜",
    "我看看", "我试试", "我试一下", "我去试试", "我去看看", "我先试试", "那我试试", "我先看看",
    # the agent addressed by a name in the thanks (谢谢你姑娘 / 辛苦了老板): a word the message is made of, never alone a question
    "姑娘", "小姐姐", "小哥哥", "美女", "帅哥", "老板", "掌柜", "宝子", "客服",
    # default@10: deciding on one's own after an answer (那我自己挑吧 / 我自己再看看), and 8 for 吧 / 拜 in chat (行8 / 好8)
    "我自己挑", "我自己选", "我自己再看看", "我自己看看", "我自己决定", "自己挑", "自己选", "8",
]

# default@8 (empathy): slang as often said in delight or in a playful question as in distress (服了 这保温杯一晚上还烫 /
# 绝了 / 哭了 / 笑死 / 救命 / 😭): counts only when the customer-state layer reads the turn negative in context
# (EmotionParams.ambivalent_cue; matched against the cue's own words)
# default@13: marks and a bare 怕 are as often calm as upset — ？？ after a plain stock question (墨绿色还有货吗？？) is a
# typing habit, 怕 before a fit or a feature (我腿短 怕拖地 / 怕太硬 软不软) a preference: the same condition
AMBIVALENT_CUE = "^(吓死|服了|醉了|绝了|哭了|我哭|哭死|笑死|救命|要命|疯了|要疯|跪了|栓q|破防|😭|😂|🤣|😞|🙄|怕|[?？]{2,}|[!！]{3,})$"

# default@13 (empathy's trigger): a turn made only of a ping; after a customer turn that no human agent has answered
# yet it is chasing (EmotionParams.unanswered_ping; the regex must match the whole turn on the analysis form)
UNANSWERED_PING = r"(在吗|在不在|在么|在嘛|有人吗|有人在吗|有没有人|人呢|还在吗|客服呢|回个话|理一下|理下我)[?？!！。.~～]*"

# default@10 (state7, empathy's trigger): a fault told with a hedge (你家袋子有点薄 / 屏幕有点划痕) is a calm report —
# the sentiment model's label alone does not make it need empathy; a hedged feeling (有点急 / 有点失望) is no hedge
HEDGED_REPORT = ("(有点|有些|稍微|稍稍|一点点|略微|略有)(?!急|着急|担心|慌|怕|害怕|生气|气|失望|不爽|烦|无语|难受|不高兴|郁闷|伤心|心疼|"
                 "不开心|崩溃|懵|不放心|忐忑|委屈|寒心|心塞|失落)")
# default@10 (state7, negative_end): goodwill at the close — the agent wished well, the goods praised
GOODWILL = ("早点休息|注意休息|早点睡|辛苦(你|您)?(们)?(了|啦)|你们也(挺|很|蛮|够)?(不容易|辛苦|累|晚)|"
            "(挺|很|真|蛮|还|超)(好看|漂亮|不错|好用|喜欢)")
# default@10 (state7, empathy's trigger): taking an answer in (哦 这样啊 好吧 / 原来如此) is an acknowledgement
ACK_TAKEN_IN = ["这样啊", "这样呀", "原来这样", "原来如此", "是这样啊"]

# default@8 (negative_end): the customer leaves the shop for good — elsewhere, never again, blocked
# (EmotionParams.departure): negative whatever the state layer reads around it (算了 去别家看看 / 好，以后都不来了)
DEPARTURE = [
    "re:(去|到|换|找|上)(别家|别的店|别的家|其他家|其他店|其它家|别处|别人家|隔壁家|隔壁店|别的平台|其他平台|实体店)",
    "re:(以后|再也|下次|下回|今后)[^，。,.!！?？]{0,3}(不会|不|唔会|唔|冇)再?[^，。,.!！?？]{0,4}(买|来|光顾|回购|帮衬|嚟|下单)",
    "re:(拉黑|取关|卸载)(了|你们|这家|店铺)",
    # holding the shop liable for what may still go wrong (…坏了谁负责 / 丢了你们赔吗): the dispute is left open
    "re:(你们|你|店家|商家|卖家|谁)(来)?(负责|赔|管|担责|承担)(吗|么|嘛|不|啊|呀|[?？])",
    # default@10: taking it further (我去消委会投诉 / 等着差评吧 / 打12315): the labelling rules name a threat to complain
    # as a negative end; a calm word beside it (好 我去投诉) is no settlement
    "re:(投诉|举报|12315|消委会|消协|消费者协会|工商局|市场监管|曝光|维权|差评)",
    # default@10: writing the loss off (算了 自认倒霉 / 就当长记性了) and breaking off the talk (懒得跟你说 / 废事同你讲 =
    # not worth talking to you): resigned anger, however calm the words around it
    "re:(自认倒霉|算我倒霉|认栽|长(个|点)?记性|长(个|点)?教训|吃一堑|交学费|交智商税)",
    "re:(懒得|废事|费事|不想|不愿)(再)?(跟|和|同|搭理|理)(你|你们)?[^，。,.!！?？]{0,2}(说|讲|争|吵|扯|废话|计较|理论)?",
    "re:懒得(再)?(说|讲|争|吵|问|理)",
    # default@10: leaving the shop to do as it likes (随便你们吧 / 爱咋咋地) and having bought elsewhere already (我已经在别家买了)
    "re:(随便你们|随你们便|爱咋咋地|爱怎么着怎么着|你们看着办)",
    "re:(在|从)(别家|别的店|别的家|其他家|其他店|其它家|别处|隔壁家|隔壁店|别的平台|其他平台|实体店)[^，。,.!！?？]{0,2}(买|下单|拍)",
    # default@10: daring the shop to keep failing (我就看你们能拖多久 / 看你们还能糊弄到什么时候)
    "re:(看|瞧)(你们|你)(能|还能|要|会)[^，。,.!！?？]{0,2}(拖|骗|装|糊弄|敷衍|推)(多久|到什么时候|到啥时候|到几时)",
]

# default@10: a threat denied (不会给差评的 / 没有要投诉的意思 / 不是想曝光): the negation guard's window reads two
# characters, these run longer
DEPARTURE_EXCLUDE = [
    "re:(不会|不想|不打算|没打算|不是要|不是想|没有要|没有想|没想|没要|不至于|不用|不必|哪会)[^，。,.!！?？]{0,3}(投诉|举报|12315|曝光|维权|差评)",
    "re:(没有|没)(投诉|举报|差评)的?(意思|打算|想法)",
]

# default@8 (negative_end): a bare resigned ending (那算了 / 行 随便吧 / 拉倒) right after an agent message that broke a
# red line: the customer gave up, whatever the state layer reads in the two words (NegativeEndParams.resigned_after)
# default@10: one more giving-up word may follow (好 算了 不用了 / 那算了 不买了)
RESIGNED_ENDING = (
    "^(那|那就|行|好|哦|嗯|唉|哎)?[，,\\s]*(算了|拉倒|随便|罢了|无所谓|不买了|不要了)(吧|呗|啦|了|吧你)?"
    "([，,\\s]*(算了|不用了|不要了|不买了|拉倒|罢了)(吧|呗|啦)?)?[。.!！…~～\\s]*$"
)

# default@11 (negative_end; credit6): after the customer has complained, praise or thanks in a sarcastic frame ends
# negative (NegativeEndParams.sarcastic_after): the thanks idiom 我可真谢谢你们 / 可真是谢谢您百忙之中, praise with 够…的
# (可真够快的 / 真够负责的), 没谁了, "your so-called service" (所谓的售后 / 这就是你们的服务), and hoping for nothing
# (还能指望你们啥). Analysis form; only with a grievance earlier in the chat, since each may be meant on a happy day
# (神速 and 百忙之中 alone are left out: 谢谢您百忙之中帮我处理 is plain politeness; so is asking 这就是你们的售后电话吗 or
# saying 这就是我想要的服务).
SARCASTIC_ENDING = (
    "(我|那我|那|这)?可真(是)?(得|要)?(谢谢|感谢|多谢)"
    "|(可真|真|可|也真|也)够(快|及时|负责|专业|效率|有效率|贴心|迅速|神速|厉害|靠谱|高效|省心|周到)的"
    "|(真是|可真是|也是|真)没谁了"
    "|(所谓的|这就是你们的?|这就是)[^，。,.!！?？我]{0,6}(服务|售后|态度|效率|品牌|大牌|专业|保障|承诺)(?!电话|热线|号|地址|网点|中心|政策|流程|部门|人员|单)"
    "|(还能|又能|能)指望(你们|你|您|谁|啥|什么)"
)
# default@11: a question the state layer reads negative in context after that complaint is the complaint going on, not
# a request for information (这就是你们的售后？ / 还要我等到哪天呢) — the question guard no longer hides it
QUESTION_ENDING = r"[?？]|(吗|么|嘛|呢|啥|咋|哪天|多久)[\s。.!！~～…]*$"

# default@8: grudging acceptance closes a dispute (这还差不多 / 这才像话 / 这才对嘛): an acknowledgement, never negative
GRUDGING_ACCEPT = ["这还差不多", "还差不多", "这才像话", "这还像话", "这才对嘛", "这才对", "早这样不就好了"]

# default@8 (empathy): a Cantonese apology (唔好意思 = 不好意思, 对唔住 = 对不住); 唔好意思 is courtesy like 不好意思 unless the
# sentence says what for (等咗咁耐 = 等了这么久: CANTONESE_APOLOGY_CAUSE)
CANTONESE_APOLOGY = ["唔好意思", "对唔住", "对唔起"]
CANTONESE_APOLOGY_CAUSE = ["re:(等|搞|拖|要|阻)(咗|左)(咁|好|成)?(耐|久|多)", "咁耐"]
# default@9: the customer's trouble named in the sentence (辛苦您折腾了一晚上 / 不好意思让您白跑一趟) is what the apology is for
TROUBLE_CAUSE = ["折腾", "白跑", "re:跑(了)?(一|两|好几|几)趟", "受累", "费心", "操心"]

# default@8 (time_commitment): a time word that describes the present (仓库这两天单量大 / 最近几天下雨) is no time frame
COMMITMENT_EXCLUDE = [
    "re:(这|最近|近|前)(两|几|一两|三|两三)天[^，。,.!！?？]{0,6}(单量|订单|单子|比较|太|很|都|爆|忙|多|人多|下雨|降温|放假|堵|缺货|断货)",
    # default@10: a date in the past (restating the order: 3月5日下的单 / 6号签收的) and the length of a policy (7天无理由 /
    # 30天价保期 / 15天质量问题换货期内 / 有效期30天) say nothing about when the customer hears back
    "re:[0-9一二两三四五六七八九十]+月[0-9一二两三四五六七八九十]+(日|号)(上午|下午|晚上|早上|中午)?[^，。,.!！?？]{0,2}"
    "(下单|下的单|购买|买的|拍的|付款|支付|签收|申请|寄到|寄出|寄回|收到|到货|送修|提交)",
    "re:[0-9一二两三四五六七八九十百]+\\s*(个)?(天|日|小时|个月|月|年)[^，。,.!！?？]{0,8}(无理由|(价保|保价|换货|退货|退换|退换货|质保|保修|售后|有效|试用)期)",
    # what the customer should do meanwhile (这两天先别用 / 这几天尽量别碰水) names no deadline
    "re:(这|最近|近)(两|几|一两|三|两三)天[^，。,.!！?？]{0,2}(先|别|不要|暂时|尽量|就)",
    # how long the money usually takes to arrive (退款已经提交，一般几分钟到账 / 通常1小时内原路退回) describes the payment
    # channel once the refund is done, it promises no answer (审核一般1个工作日内完成 still does)
    "re:(一般|通常|正常|一般情况下|正常情况下)[^，。,.!！?？]{0,2}[0-9一二两三四五六七八九十半几]+\\s*(-|~|到|至|—)?\\s*[0-9一二两三四五六七八九十]*\\s*(个)?(工作日|工作天|小时|天|分钟|钟头|日|周)(内|之内|以内|左右)?(就|会)?(到账|原路退回|原路返回|退回|返还)",
    # a time in a condition (如果明天还没消退…) names no deadline
    "re:(如果|要是|万一|假如|若是|若)[^，。,.!！?？]{0,3}(今天|今日|明天|明日|后天|[0-9一二两三四五六七八九十]+(天|日|小时))",
    # a time word for what is already fixed (今天的配送路线已经排好了) states the present, it promises nothing
    "re:(今天|今日|当天|明天)的[^，。,.!！?？]{0,8}(已经|已|都)",
    "re:(超过|超出|过了|已过|有效期|保修期|质保期|价保期)(了)?[^，。,.!！?？]{0,2}[0-9一二两三四五六七八九十百]+\\s*(个)?(天|日|小时|个月|月|年)",
]

# default@9 (empathy courtesy): after 让您 / 给您 a request (让您提供一下订单号 / 给您查一下 / 让您再等等) says what the customer
# should do next, not what the shop put them through: 不好意思 before it stays courtesy
REQUEST_AFTER_YOU = (
    "稍等|等一下|等下|等等|再等|先|再|提供|发(一下|下|个|张|来)|确认|核对|核实|拍|点|填|看|查|把|上传|复制|截图|联系|留意|关注|耐心|操作|试"
)
# default@9 (empathy courtesy): telling the customer not to feel (别生气 / 别慌 / 消消气) acknowledges nothing, like 您放心
SOOTHING_MORE = ["别生气", "不要生气", "不用生气", "别慌", "不要慌", "不用慌", "别上火", "别难过", "别焦虑", "消消气", "息怒", "稍安勿躁"]
# default@9 (empathy courtesy): the customer says they have chased before — a count of asks (催了三次 / 问第二遍), every
# day (天天催), again (又来问) — so 不用着急 answers none of the wait
CHASED_BEFORE = (
    "(催|问|找|联系|打|反映|咨询|说)(了)?(第)?([两三四五六七八九十几]|好几|\\d+)(次|遍|回|趟)"
    "|第([二三四五六七八九十几]|\\d+)(次|遍|回)(来)?(催|问|找|联系|咨询)"
    "|(天天|每天|一直|又|反复|三番五次|再三)(在)?(催|来问|问|找|联系)"
)

_APOLOGY = re.compile(r"歉|对不起|对不住|对唔|不好意思|唔好意思|sorry|过意不去|见谅|疏忽|失误|做得不|没做|错")
_TROUBLE = re.compile(r"(让|害|给|叫)(您|你|亲)|跑|久等|等了|耽误|麻烦|不便|困扰|添|折腾|白跑|受累|辛苦|破费|费心|操心|堵|多跑")
_FEELING = re.compile(r"理解|明白|体谅|体会|懂|感同身受|心疼|换位|将心比心|设身处地|知道|感受|看得出|听得出")
_NATURAL = re.compile(r"谁|换|搁|难怪|怪不得|正常|应该|人之常情|情有可原|确实|的确|肯定")
_SOOTHE = re.compile(r"放心|别|不要|不用|消消气|息怒|稍安勿躁|抱抱|摸摸")


def acknowledgement_kind(said: str) -> str:
    """What an accepted empathy match acknowledges, for the evidence (said: the match on the analysis form)."""
    for pattern, kind in (
        (_FEELING, "理解客户的感受"),
        (_TROUBLE, "承认给客户带来的等待或麻烦"),
        (_APOLOGY, "致歉"),
        (_NATURAL, "认可客户的感受合情合理"),
        (_SOOTHE, "安抚客户的着急"),
    ):
        if pattern.search(said):
            return kind
    return "表达理解或歉意"

# ---------------------------------------------------------------------------
# default@9 positive_framing: refusals said without a refusal word, read as refusals only when they answer a
# customer's request (FramingParams.answered_refusals / requests). Said to a customer who asked for nothing
# (天气原因停运了 这个我们控制不了) they explain, they refuse nothing.
# ---------------------------------------------------------------------------
# default@9 positive_framing: a next step the agent takes is an alternative (我帮您转给售后同事 / 这边给您反馈仓库 / 我去问下厂家)
# default@10 (positive_framing): a whether-question (2小时内答复您能不能退 / 我联系快递看能不能给您送到村里) holds a refusal
# word and refuses nothing
# …, and a condition (送不到的话我直接给您补发 / 修不好的话给您换新): what happens if it fails, not a refusal
REFUSAL_EXCLUDE_MORE = ["re:(能不能|可不可以|能否|可否)[^，。,.!！?？]{0,6}", "re:[\\u4e00-\\u9fff](不了|不到|不上|不好|不行)的话"]

# default@10 (positive_framing): the agent takes back an earlier answer (我上一条说错了，是支持的 / 更正一下 / 刚才误导您了)
RETRACTION = "说错了|讲错了|回复错了|更正一下|纠正一下|误导(您|你)|之前说的不对|刚才说的不对|上一条(说|回复)?(错|有误)"

# default@10 (positive_framing): the shop declines the matter as not its own (我们这边确实干预不了 / 店铺这边是管不到的 / 速递嘅
# 嘢我哋控制唔到 / 唔关我哋事): a refusal to help whether or not the customer phrased a request — the complaint is the request
DECLINED_AS_NOT_OURS = [
    "re:(干预|左右|插手|管|控制|决定|过问)(不了|不到|唔到|唔了)|插不上手",
    "re:(唔关|不关|无关|唔系)(我哋|我们|我地|本店|店铺)(嘅)?(事|责任|负责)",
]
# default@10 (positive_framing): sending the customer to the courier, the station or the brand to sort it out themselves
# (您可以直接跟快递公司协商 / 您直接跟驿站沟通就可以啦 / 建议您联系驿站 / 你自己打去顺丰问下) is no alternative: the shop
# offers nothing of its own
SENT_ELSEWHERE = [
    "re:(建议)?(您|你|亲)(也)?(可以|直接|自己|就|先|去|再)*(跟|和|同|找|联系|问|打给|打去|打电话给|咨询)(一下|下)?"
    "[^，。,.!！?？]{0,3}(快递|物流|驿站|站点|快递员|快递公司|物流公司|速递|顺丰|中通|圆通|申通|韵达|极兔|邮政|德邦|厂家|品牌方|平台)"
    "[^，。,.!！?？]{0,8}",
]

NEXT_STEPS = [
    "re:(帮|给|为|替)(您|你|亲)(转|转交|转给|联系|反馈|上报|催|问|跟进|核实|登记|提交|报备)",
    "re:(我|我们|这边|我这边)(会|去|来|马上|立刻|先|再)?(帮您|给您|为您)?(反馈|联系|跟进|上报|转交|转给|申请|催促|协调|问问|问一下|问下)",
]
ANSWERED_REFUSALS = [
    # any action + 不了 / 不到 / 不上 (动不了 / 操作不了 / 干预不了 / 取消不了 / 帮不上 / 控制唔到); what costs or takes
    # little (用不了多久 / 花不了几个钱) and what cannot go wrong (错不了 / 跑不了) are reassurance; going and coming
    # (去不了 / 赶不回来) is the customer's own situation restated
    "re:(?![错少免跑忘差坏慢晚贵受去来走回赶吃睡穿住玩得])[\\u4e00-\\u9fff](不了|不到|不上|唔到|唔了)(?!多少|多久|几|多长|什么|位)",
    # 不 + a service verb that closes the clause: 超时的不赔的 / 拆封了不退哦
    # default@10: the price said to be fixed, to a customer who asked for less (价格都是定好的 / 标的就是最低价 / 已经是底价了)
    "re:(价格|价钱|价|标价|标的|页面价)[^，。,.!！?？]{0,3}(定好|固定|统一|最低|底价|不变)",
    "re:(已经|就|这)是(最低|底|最优惠|最便宜)(的)?价",
    # default@10: + the bargaining verbs (不刀 / 不砍 / 不议的 / 不让): a flat no to a price asked
    "re:不(赔|退|换|补|包|管|保|修|送|开|收|予|给|做|办|寄|发|拦|改|刀|砍|议|讲|让)(的|哦|哈|呢|了|啦|喔|哟|呀|滴|哒|亲)*(?=[，。,.!！~～\\s]|$)",
    # the cost put on the customer: 运费需要您自理 / 由您承担 / 得您自己出
    "re:(需要|要|得|由|请)(您|你|亲|买家|客户)(自己|自行)?(承担|自理|负担|出|支付|付)", "re:(运费|邮费|费用|差价)[^，。,.!！?？]{0,4}自理",
    # not eligible: 不属于质量问题 / 不在保修范围
    "re:不(属于|在|算)[^，。,.!！?？]{0,4}(质量问题|售后|保修|退换|赔付|理赔|包邮|保价|范围)",
    # helpless with nothing after it: 这个我们也没有办法的 / 没法子了
    "re:(没有|没|冇)(任何)?(办法|法子|辙)(?![，,]?(?:不过|但|可以|帮|给|为))",
    # a tautology that closes the matter: 结束就是结束了 / 不行就是不行
    "re:(?P<_taut>[\\u4e00-\\u9fff]{2,4})了?就是(?P=_taut)",
    # modal + action with words between (暂时不能在下单时直接抵扣 / 這款暫時不能直接顺丰寄)
    "re:(不能|无法|没法|不可以|不支持|唔可以|唔得)[^，。,.!！?？]{0,8}(退|换|改|补|发|寄|抵|扣|送|开|取消|拦|加急|便宜|优惠|保价|赔|修|用)",
    "卖断", "卖光", "售空", "没货", "无货",
]
# the message grants the request (可以换的 / 已经给您通过了): a cost or condition after it is no refusal
GRANTED = (
    "^(亲|亲亲|您好|你好|在的)?[，,~～\\s]*(可以|能|行|没问题|支持|好的)(的|哦|呢|哈|啊|呀|滴|哒)?[，,。.!！~～\\s]"
    "|(已经|已)(给您|为您|帮您|给你|帮你)?[^，。,.!！?？]{0,6}(通过|同意|办理好|办好|安排好|批准)"
)
ANSWERED_REFUSALS_EXCLUDE = ["re:(不能|无法|没法|不可以)[^，。,.!！?？]{0,8}(吗|么|嘛|呢)?[?？]", "用不了多", "要不了多", "花不了多",
                             # what the customer cannot do themselves (您自己撤销不了): who does it, not a refusal
                             "re:(您|你|亲)(自己|本人)?(这边|那边)?[^，。,.!！?？]{0,4}[\\u4e00-\\u9fff](不了|不到|不上)"]
# the customer asks the shop for something: can it be done (能/可以/支持/有没有…), a request verb, a demand
REQUESTS = [
    "re:(?<![功性智可不节本技效才只])(能|可以|可否|能否|支持)(?!力)", "能不能", "可不可以", "行不行", "行吗", "有没有", "re:有[^，。,.!！?？]{0,6}(吗|么|嘛)",
    "re:(帮我|给我|麻烦|想|要求|申请|希望|请)[^，。,.!！?？]{0,6}(退|换|改|补|赔|送|寄|发|取消|拦|便宜|优惠|保价|加急|报销|开|修|延|免|包|处理|查)",
    "re:(你们|店家|商家|卖家|店里)[^，。,.!！?？]{0,4}(出|赔|负责|承担|包|补|管)",
    # default@10: asking in the negative (连运费都不能包吗 / 就不能便宜点吗): still asks the shop for something
    "re:(都|也|就|还)不(能|可以|肯)[^，。,.!！?？]{0,6}(吗|么|嘛|喔|哦|啊|呀|[?？])",
    # default@10: a price offered (450出吗 / 三百包邮卖不): bargaining asks for a lower price
    "re:[0-9一二两三四五六七八九十百千]+(块|元)?[^，。,.!！?？]{0,2}(出|卖|包邮|走|拿)(吗|么|嘛|不|呗)",
]

# default@9 (empathy's trigger, negative_end): a turn that opens by saying the order has not come, not been refunded, not
# moved (没有收到 / 还是没退 / 仍未到账). Once is a status; said again after an earlier such turn it is a repeated chase
# (EmotionParams.repeated_status): the agent's answer did not settle it
REPEATED_STATUS = (
    "^(可是|但是|但|可|我|我这边|我这|这边)?(还是|还|仍然|依然|仍|都|根本|压根)?(没|没有|未|冇|唔)(有)?"
    "(收到|到账|到|退|退回|退款|发|发货|更新|动|显示|看到|查到)"
)

# default@9 (empathy's trigger): laughing — not 呵呵, which is sarcasm (EmotionParams.laughter)
LAUGHTER = "哈哈|嘻嘻|嘿嘿|hhh|😂|🤣|😄|😁|😆|\\[(偷笑|呲牙|憨笑|大笑|破涕为笑)\\]"
