"""Default words for hidden upset (default@13, emp12b): the context rules of _hidden_upset (sarcastic praise, resigned
assent, stated urgency) and the emotion words the customer-emotion lists lacked. Written for this project from a
broad list of Chinese emotion words (anger, disappointment, worry, fear, helplessness, grievance; Cantonese and
internet forms), each checked against the existing lists and guarded against its non-emotional uses. Analysis form
(simplified, half-width, lower-case; spaces may remain)."""
from __future__ import annotations

# emotion words the lists lacked; each left out where an ordinary non-emotional use is common (上头 = addictive,
# 炸毛 = a pet's fur, 泄气 / 紧张 alone = a deflating mattress / low stock, 头痛 = a symptom, 寄了 = posted, 麻了 = numb,
# 裂开 = cracked goods, 不值 inside 值不值, 亏了 inside 多亏了)
EMOTION_GAP = [
    # anger
    "恼火", "来气", "气炸", "气疯", "冒火", "火冒三丈", "恼怒", "愤慨", "憋火", "窝囊", "抓狂", "气不过", "咽不下这口气", "发飙",
    "暴躁",
    # disappointment and loss
    "遗憾", "心凉", "心寒", "沮丧", "灰心", "大失所望", "白高兴", "空欢喜", "落空", "亏大了", "憋屈", "冤大头", "哑巴亏",
    "re:(好|很|真|太|挺|有点|有些)泄气",
    # worry
    "担忧", "忧心", "揪心", "犯嘀咕", "心里打鼓", "放心不下", "焦急", "急坏", "急疯", "心急如焚", "火烧眉毛",
    "re:(好|很|真|太|挺|有点|有些|心里|特别|非常)紧张", "re:心(一直|都|还)?悬着",
    # fear
    "怵", "胆战心惊", "心惊胆战", "恐惧", "惊恐",
    # helplessness
    "无奈", "无助", "没辙", "没招了", "束手无策", "走投无路", "欲哭无泪", "哭笑不得", "绝望", "身心俱疲", "伤脑筋",
    "re:(被|把我|给我)[^，。,.!！?？]{0,4}折腾(死|坏|惨|够|得)", "折腾够了", "re:(好|太|真|我好|真的好|真系好)惨", "惨了", "emo了",
    # grievance
    "不公平", "re:(?<!水土)不服(气)?(?!务|装|饰)", "不讲理", "欺负人", "店大欺客", "霸王条款", "区别对待", "看不起人",
    # Cantonese (惊 = afraid, 吓亲 = frightened, 忟憎 = irritable, 头痕 = annoyed, 唔抵 = not fair / not worth it,
    # 肉赤 = it hurts to pay, 揾笨 = taken for a fool, 屈 = wronged)
    "re:(好|超|真系|真|几|咁)惊(?!喜|艳|讶|叹|人的好)", "惊死", "吓亲", "忟憎", "头痕", "唔抵", "肉赤", "揾笨", "re:(好|真系|咁)屈",
]
EMOTION_GAP_EXCLUDE = ["没有遗憾", "不留遗憾", "无遗憾", "没什么遗憾", "不紧张", "别紧张", "不用紧张", "不无奈", "惊喜"]

# praise of the service's speed — sarcasm after a late reply or beside a fault (HiddenUpsetParams.speed_praise)
SPEED_PRAISE = (
    "(回|回复|答复|处理|发货|响应|速度|效率|动作|反应|客服)(的|得)?(可)?(真|可真|好|太|也太|够|蛮|挺|超|真系|真是|真的)(是)?"
    "(快|及时|迅速|神速|高|有效率|积极)"
)
# praise of the service's care or luck — sarcasm after a refusal or beside an unfixed fault (HiddenUpsetParams.praise);
# 🙃 says it
SARCASTIC_PRAISE = (
    "(可真|真是|真的是|真系|真|好)(用心|贴心|周到|负责|专业|靠谱|给力|到位|省心|细心|有心|高效|有效率)"
    "|好棒棒|棒棒哒|好家伙|(真系|真是|真|好)(好彩|幸运|走运)|运气(真|可真|太)好|🙃"
)
# a fault or a bad event the customer tells (damage, a defect, a wrong or short delivery, a price drop after buying);
# 碎 / 裂 only as damage (碎花裙 is a print)
FAULT = (
    "(?<![没不未无防])(碎(了|掉|成|裂|片|渣)|(摔|打|压)碎|裂(了|开|痕|缝|口)|开裂|破损|破了|破洞|坏了|坏掉|摔坏|压坏|压扁|瘪了|漏水|漏气|漏油|漏液|断了|断掉|不加热|不制冷|不工作|"
    "不转|不亮|开不了机|没反应|不能用|用不了|充不进|鼓包|发霉|变质|过期|少发|漏发|错发|发错|跌价|降价|掉价|平咗|色差|掉色|起球|"
    "开胶|划痕|污渍|瑕疵|有洞|不对版|货不对板|描述不符|假货)"
)
# an agent message that refuses, puts off or puts down (besides positive_framing's refusal words)
BAD_NEWS = (
    "约满|排满|排不(进|上|开)|最早(要|得|也|只能)?[^，。,.!！?？]{0,4}(周|星期|礼拜|号|日|天|月|下午|上午|明天|后天)"
    "|以(实物|实际|收到的|页面|系统|下单时)[^，。,.!！?？]{0,6}为准|(都|已经|早就)(说|讲|告诉|回复)(了|过)|说了(n|好几|几|多少)(遍|次)"
    "|(你|您)?自己(看|查|去看)|没有办法|没办法|爱莫能助|无能为力|恕不|概不"
)
# an agent message that settles the matter: praise or assent after it is taken at its word
FIXED = (
    "(已经|已)(经)?(给|为|帮)?(您|你|亲)?(办好|办理|安排|处理好|补发|重新发|发出|退款|退回|换新|改好|改过来|修好)"
    "|给(您|你|亲)(办理|安排|补发|换新|退款|重新发|免单|补偿)|原路退回|退款(已|成功)"
)
# assent that gives up by letting the shop decide or closing the matter (你们说啥都对 / 你们说了算 / 随便你们 / 就这样吧;
# Cantonese 你哋话事 / 是但): upset after a refusal or with a fault unfixed (HiddenUpsetParams.resigned)
RESIGNED_ASSENT = (
    "(你们|你|您|客服|商家|店家|人家|你哋|你地)(说)?(啥|什么|乜|怎么说)(都|就)(对|是对的|有理|啱)"
    "|(你们|你|您|你哋|你地)(说(了)?算|话事)|随(便)?(你们|你)(吧|咯|了|啦)?(?![^，。,.!！?？]{0,2}(选|挑|看|定))|随(你们|你)便"
    "|^(那)?就这样吧|(你们)?看着办吧|行了行了|是但(啦|喇)?$"
)
# a bare assent said three times (好好好 / 行行行 / 是是是; Cantonese 系系系 / 得得得): upset only right after a refusal or
# a put-down, never as the answer to the agent's 对吗 (HiddenUpsetParams.repeated_assent); 对对对 confirms and is left out
REPEATED_ASSENT = (
    "^(唉|哎|哦|嗯|那|算了)?[,，。.\\s]*(好{3,}|行{3,}|是{3,}|系{3,}|得{3,}|(好的){2,}|(可以){2,}|(行吧){2,}|(好吧){2,})"
)
# thanks or delight beside the assent (好好好 谢谢亲 / 行行行 太好了): no resignation
CHEER = "谢|多谢|唔该|太好|哈|爱你|棒|辛苦|麻烦(你|您)|😊|😄|👍|❤|开心|好评"
# delight beside the praise (啊啊啊好贴心 那我拍了 / 爱了): the praise is meant (谢谢 is left out: 我可真谢谢你 is sarcasm)
DELIGHT = "啊啊啊|(那|就)?我(就)?(拍|买|下单|要|入)(了|啦)|爱了|爱你|😍|🥰|❤|💕|yyds|冲了|必须(买|冲|拍)|哈哈"
# urgency stated, not asked (周四太晚了，有点急): the clause ends on the hurry (等不了 is left out: 在家里等不了 says
# the customer will be out, not in a hurry)
URGENCY_STATED = [
    "re:(有点|有些|好|很|真|挺|比较|特别|非常|超|蛮)急(的|啊|呀|哈|呢|了)?(?=[,，。.!！~～\\s]|$)",
    "re:(周[一二三四五六日天]|星期.|礼拜.|[0-9一二三四五六七八九十]+(号|日)|明天|后天|下周|月底|那天|到时候)(才[^，。,.!！?？]{0,3})?(也|就|都)?太晚(了)?",
]

# default@13 (emp12c), conversation-level trigger (_conversation_upset). A stake the customer names: an occasion with a
# date that will not come again, a gift, a child's or a baby's need, an elder's need.
STAKE = (
    "追悼会|葬礼|丧事|殡仪馆|出殡|白事|婚礼|婚宴|结婚|伴娘|伴郎|生日|礼物|送人|送给(我|他|她)?(妈|爸|老人|长辈|老婆|老公|女朋友|男朋友|孩子)|"
    "开学|考试|面试|宝宝|婴儿|奶粉|米粉|尿不湿|孩子(的)?(照片|开学|上学|穿|用|吃)|老人(家)?(用|吃|穿)"
)
# a setback told (not asked): not there when needed, late after the day, short, ruined, a child unwell. A promise
# quoted back (你们说今天能到的) is one.
SETBACK = (
    "(还|都|仍然|仍|也)(没|没有|未)(到|看到|收到|来|发|送到|见到|人)|今天才到|才到|已经(办|过|结束)完?了|用不上了|来不及了|赶不上了|"
    "卡在|滞留|停在|没更新|(少|缺)(了|发)?(一|两|几)?(个|只|件|双|套|块)|拿不出手|喝完|吃完|用完|断(粮|顿)|"
    "拉肚子|腹泻|过敏|起疹子|红肿|发烧|吐了|(你们|你|客服|商家|店家)(说|讲|答应|保证)(的)?[^，。,.!！?？]{0,8}(能到|到的|发的|送到)(的)?(?![吗么嘛?？])"
)
# the trouble or the customer's effort said to repeat
PERSISTENCE = (
    "第[二三四五六七八九十两几\\d]+(次|遍|回)(问|找|来|联系|申请|催|打|说|了)|"
    "(点|试|问|催|打|找|申请|提交|说|联系|弄|换)(了)?([两三四五六七八九十几]|好几|\\d+)(遍|次|回)|每次都|"
    "又(是)?(坏|破|碎|漏|错|不行|不能|没|出问题|出毛病|跳闸|坏的|这样)|连着?[两三\\d](次|个|回|台|件)都"
)
# a negation right before an urgency word: the hurry is disclaimed (我不赶着用 / 并不急用)
HURRY_DENIED = "(不|没|并不|也不|倒不|不是很|不太)$"

# default@13 (emp12d): an emotion word the customer does not feel now (_calm_cue). A condition opening the sentence
# before the word (万一压坏了我会很难过 / 要是不合适会不会很麻烦) — not a counterfactual about the past (要不是…);
# a threat or a repeat in the sentence keeps the feeling (再不发我就投诉 / 要是还不到 / 早知道…)
HYPOTHETICAL = "(如果|要是|万一|假如|假设|倘若|若是|如若|假使|要系|如果係)"
HYPOTHETICAL_KEEPS = "再|还(不|没|是)|又|投诉|差评|举报|曝光|12315|消协|早知道|早说|已经"
# the word said of someone else: a third party outside the household and a verb of saying (评论里好多人说很失望)
REPORTED = ("(朋友|同事|同学|邻居|室友|别人|人家|有人|好多人|很多人|不少人|网友|网上|评论|评价|买家秀|买过的人|博主)"
            "[^，,。！!？?]{0,8}?(说|讲|反映|吐槽|提到|抱怨|觉得|讲过|话)")
REPORTED_SELF = "我也|我自己|我现在|我真的|我都|我是真|我就"
# a complaint or a push disclaimed (我不是要投诉 / 不是催您哈 / 没有怪你们的意思 / 不是来找茬的 / 唔系要投诉)
DISCLAIMER = ("(不是|并不是|也不是|倒不是|唔系|唔係|没|冇)(要|想|来|说|在|存心)?(投诉|找茬|找麻烦|催|怪|追究|为难|挑刺|闹|怪罪)"
              "|(没有|没|冇)(要|想)?(怪|责怪|投诉|追究|埋怨)(你们|您|你|你哋|客服)?的意思|不是针对(你|您|客服)"
              # emp14: a complaint the customer says they will not make (我不想给差评 / 也不打算投诉 / 唔想俾差评)
              "|(不|不太|并不|也不|唔)(想|愿意|打算|会)(给|打|写|去|俾)?(你们|你|您|你哋)?(个)?(中差评|差评|投诉)")

# emp13: the agent's apology for its own slow reply (抱歉久等 / 不好意思回复晚了): agents say it to calm and upset customers
# alike, so it shows nothing of how the agent read the turn (ConversationUpsetParams.answered_not)
SLOW_REPLY_APOLOGY = "久等|等久|回复(晚|慢|迟)|回(得|的)?(晚|慢|迟)了|来晚|晚回"
# emp13: the words of an acknowledgement that names the customer's feeling rather than only apologising (理解您的担心 / 换我也
# 会着急 / 难怪您生气): said to a feeling the customer showed (ConversationUpsetParams.answered_feeling)
FEELING_NAMED = "理解|明白|体谅|体会|懂|感同身受|心疼|换位|将心比心|设身处地|感受|看得出|听得出|谁|换我|搁|难怪|怪不得|人之常情|情有可原"
# emp13: the customer makes peace (ConversationUpsetParams.conciliation) — asks the agent not to take it to heart or
# apologises for just now (别往心里去 / 不好意思啊刚才…), owns their tone (我刚才语气太冲了), owns a misjudgement (误会你们了 /
# 错怪你们了: not 你误会了, the agent's), or tells a feeling that is over (本来很担心 还好…); a contrast after it keeps the turn
CONCILIATION = (
    "别往心里去|别介意哈?|(不好意思|抱歉|对不起|sorry)(啊|哈|哦|呀)?[^，。,.!！?？]{0,2}(刚才|刚刚|方才)"
    "|我(刚才|刚刚|之前|方才)?[^，。,.!！?？]{0,4}(语气|口气|态度|说话)[^，。,.!！?？]{0,4}(冲|不好|急|重|过分|凶|差)"
    "|误会(你们|您|你|客服)了?|错怪(你们|您|你|客服)?了?|冤枉(你们|您|你)了"
    "|(本来|原本|刚才|刚刚|还以为|差点以为)[^。!！?？]{0,10}(担心|着急|急|生气|气|怕|慌|投诉|被骗|丢了)[^。!！?？]{0,12}(没想到|还好|幸好|好在|原来)"
)
# emp13: the marks of a rhetorical question — it reproaches rather than asks (ConversationUpsetParams.rhetorical): 难道 /
# Cantonese 唔通, 还用 (还用问你), 就这, 你以为, 就你们这…还想 (not a bare 还想: 辣哭了还想吃) / 还好意思, 凭什么,
# 有意思吗 / 有用吗 / 至于吗, 你们自己信吗, 什么意思, 打发 (打发叫花子), 钱呢 / 人呢 said with a question mark
RHETORICAL = (
    "难道|唔通|还用|就这|你以为|你觉得我|就(你们|你|这)这?[^，。,.!！?？]{0,6}还(想|要|敢)|还好意思|凭什么|有意思吗|有用吗|至于吗"
    "|(自己|你)信吗|(你|您)(这)?(是)?(什么|啥)意思|几个意思|打发(叫花子|要饭|乞丐)|(钱|人|东西|货|退款)呢[?？]"
)
# emp13: thanks for an experience the shop imposed (谢谢你们让我体验了一把… / 感谢让我长见识了): sarcasm, whatever the
# state layer reads into the thanks (ConversationUpsetParams.imposed_thanks)
IMPOSED_THANKS = "(谢谢|感谢|多谢)(你们|你|您|贵店|商家|客服)?(啊|呀|哈)?[，,\\s]*(让|给|带)我(体验|见识|长见识|涨知识|感受|领教)"
