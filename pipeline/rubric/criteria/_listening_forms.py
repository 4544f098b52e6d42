"""default@15 (lst14): active_listening — when it applies, and what counts as listening, by mechanism.

Each list is the default of one switch in `active_listening.params` (rubrics/default.yaml; `[]` or null = off):

- `hypothetical`: a trouble word in a clause that is a condition (…的话) or a wish against it (别到了碎了 / 免得路上压坏 /
  会不会一碰就碎), or a place asked about (是不是到驿站了), reports nothing that happened: pre-sale worry, a policy
  question or a look-up. Excluded from the topic words and from the problem / action signals.
- `disclaimed` (a decision signal, -1.2: it outweighs one trouble word): the customer says nothing is wrong or nothing is bought or shipped yet
  (现在没坏 / 就是问问 / 还没买呢 / 还没发吧 / 趁还没发货) — an order change or a question, not a case to restate.
- `fee_dispute`: a charge disputed — a fee taken (运费扣了我 / 收了我安装费) or asked of the customer against what was
  promised (页面明明写的免运费 / 说好包安装) — is a complaint, though no goods failed.
- `invoice_error`: an invoice issued wrongly (发票开错了 / 抬头开错 / 金额跟实付不一致) is after-sales (the writers'
  convention; an invoice asked for is pre-sale and stays so).
- `ignored_instruction`: the shop did not do what the customer had asked (我说了改地址的 你们没改 / 备注了不要辣 结果还是放了).
- `check_forms` (listening): the agent's own look-up of this order in other words (我查了下这单的打包记录 / 这边调出了您的订单 /
  我去仓库核查一下这个订单的出库记录) — the 帮您核实一下订单 of the spec in another aspect or verb.
- `confirm_closes` (listening): a confirming question closed in other words (…，是这样吗 / 我没理解错吧 / 是这个意思吗)
  and a summing-up opened by 明白，就是说 / 了解，意思是.
"""
from __future__ import annotations

_TROUBLE_FAKE = "(?!(是)?(假|仿|高仿|山寨|翻新|二手))"

HYPOTHETICAL_15 = [
    # the condition from its clause's start (the analysis form drops spaces: 已经坏了 退货的话 is one run, and a fact
    # opened by 已经 / 都 / 刚 is no condition) and what it asks (坏了的话保修吗)
    "re:(?:^|(?<=[，。,.!！?？~～]))(?:(?!已经|已|都|刚|结果|现在)[^，。,.!！?？]){0,16}(的话|嘅话)[^，。,.!！?？]{0,8}",
    "re:(别|可别|千万别|千万不要)(?!再)(到时|到了|一|没|用|穿|洗|戴|寄|收到|路上|过几天|过两天|几天|一个月|半年|一年|两天|三天|刚)[^，。,.!！?？]{0,8}",
    "re:(免得|以免|省得|生怕)[^，。,.!！?？]{0,10}",
    "re:(会不会|容不容易|经不经)(?!是)" + _TROUBLE_FAKE + "[^，。,.!！?？]{0,8}(啊|呀|吧|呢|吗|么|嘛|[?？])",
    # where the parcel is, asked (是不是到驿站了 / 放快递柜了吗): a look-up, not a parcel left against the customer's wish
    "re:(是不是|是否|有没有)(已经)?[^，。,.!！?？]{0,6}(驿站|快递柜|丰巢|代收点)[^，。,.!！?？]{0,2}",
    "re:[^，。,.!！?？]{0,6}(驿站|快递柜|丰巢|代收点)(了)?(吗|么|嘛|[?？])",
]

DISCLAIMED_15 = [
    "re:(现在|目前|暂时|还|东西|它)?(没坏|没出问题|没什么问题|没啥问题|没毛病|没啥毛病)(?![^，。,.!！?？]{0,4}(吗|么|嘛|[?？]))",
    "re:(就是|只是|就|先|随便|顺便|单纯|我就|就想|只想|先想)(想)?(问|咨询|了解)(问|一下|下)(而已|哈|哦|啊|呀)?(?=[，,。.!！~～]|$)",
    "re:不(急|着急)(哈|哦|啊|呀|的|嘛)?[，, ]*(就是|就|只是|我就|只)?(想)?(问|咨询)(问|一下|下)",
    "re:还(没|没有)(买|拍|下单|付款)((呢|哦|啊|呀)|(?=[，,。.!！~～]|$|先|想|准备|打算))",
    "re:(还没发|没发货|还没发货|还没寄|还没出库)(吧|的话|对吧)",
    "re:趁(还)?(没|没有)(发|发货|寄|出库)",
    "re:(发货前|发货之前|没发之前|出库前)[^，。,.!！?？]{0,6}(改|换|取消|加|备注|升级)",
]

_FEE = "(运费|邮费|配送费|安装费|服务费|手续费|上楼费|搬运费|打包费|包装费|保价费|调试费|上门费|材料费|远程费)"
FEE_DISPUTE_15 = [
    "re:" + _FEE + "[^，。,.!！?？]{0,6}(收了|扣了|多收|多扣|乱收|另收了|另外收了|加收了|还要另外|另外给|另外收|另外付|另外交|要我出|让我出|让我付|要我付|叫我出|叫我付|算我头上)(?![^，。,.!！?？]{0,2}(吗|么|嘛))",
    "re:(收了|扣了|多收了|多扣了|加收了|另收了|收我|扣我)[^，。,.!！?？]{0,7}" + _FEE,
    "re:(不是说|说了|说过|明明|写着|写的|写了|宣传|承诺|说好)[^，。,.!！?？]{0,8}(包邮|免运费|免邮|免费安装|包安装|免安装费|包上楼|免费上楼|免费送货|送货上门)(?![^，。,.!！?？]{0,6}(吗|嘛|[?？]))",
]

INVOICE_ERROR_15 = [
    "re:发票[^，。,.!！?？]{0,8}(开错|错了|有误|不对|不一致|少开|多开|漏开|开少|开多|作废|红冲|重开)",
    "re:(抬头|税号|开票金额|发票金额|公司名称)[^，。,.!！?？]{0,8}(开错|错了|写错|有误|不对|不一致|开成)",
]

IGNORED_INSTRUCTION_15 = [
    "re:(说了|说过|讲了|讲过|备注了|备注过|交代过|交待过|写了|写过|叮嘱过|强调过)[^。!！?？]{0,14}(你们|你家|结果|还是|怎么|咋)[^，。,.!！?？]{0,3}(没|没有|不|还是|照样|又)",
]

CHECK_FORMS_15 = [
    "re:(我|这边|我这边|我们|我去|我先|马上|已经|已|正在|帮您|帮你|给您|为您)[^，。？?!！]{0,6}"
    "(查|核查|核对|核实|查看|调取|调出|调了|翻|翻看|查询|复核|看)(了|过|一查|了一下|了下|一下|下)?[^，。？?!！]{0,6}"
    "(订单|这单|这笔单|单子|发货记录|打包记录|出库记录|购买记录|下单记录|订单记录|聊天记录|监控|底单|签收记录)",
]

CONFIRM_CLOSES_15 = [
    "re:[^。？?!！]{4,}(是这样吗|是这样吧|是这样的吗|是这个意思吗|是这个情况吗|理解得对吗|理解的对吗|理解得没错吧|没理解错吧|是不是这样|是这么回事吗|这样对吗|说得对吗|我说的对吗)",
    "re:(明白|了解|清楚|懂|收到)(了)?[，, ]*(就是说|也就是|意思是)[^，。？?!！]{4,}",
]

# `settled`: trouble the shop already settled, told with thanks (上回那个漏了的杯子你们给我退了 谢谢 / 补发的已经收到了
# 谢谢): the clause is no open case. Excluded from the topic words and the problem / action signals, so an
# after-sales chat that ends so keeps the trouble words of its earlier messages; a question (退了吗) settles nothing
SETTLED_15 = [
    "re:(?:^|(?<=[，。,.!！?？~～]))[^，。,.!！?？]{0,16}(你们|商家|店家|客服|已经|都)[^，。,.!！?？]{0,4}"
    "(退|退款|退钱|补发|补寄|换|修好|处理好|解决|赔)(了|好了)(?![^，。,.!！?？]{0,2}(吗|么|嘛|没|[?？]))[^。!！?？]{0,12}(谢谢|感谢|多谢|辛苦|没问题|挺好|很满意)",
    "re:(退款|钱|补发的|换的|赔的)[^，。,.!！?？]{0,4}(到账|收到|到了)(了)?(?![^，。,.!！?？]{0,2}(吗|么|嘛|没|[?？]))[^。!！?？]{0,12}(谢谢|感谢|多谢|辛苦)",
]

# `shapes_15`: more faults told by their effect, as default@14's shapes (AFTER_SALES_MORE_14): a bad smell
# (一股怪味 / 有股霉味), the goods swollen (胀气了 / 袋子鼓起来了), seeping (往外渗水 / 底下一滩水), wobbling (放着一直晃 /
# 腿长短不齐) and a noise told by its sound (哐哐响). Not a question about it (有没有异味 / 会不会晃 — `hypothetical`)
_NOT_ASKED = "(?![^，。,.!！?？]{0,3}(吗|么|嘛|不|[?？]))"
SHAPES_15 = [
    # (a smell hoped away — 不会有塑料味吧 — asks too)
    "re:(?<!没)(?<!没有)(?<!有没有)(怪|臭|霉|馊|哈喇|刺鼻|胶水|塑料|橡胶|油漆|甲醛|糊|腥臭)(的)?(味|味道|气味)(?![^，。,.!！?？]{0,3}(吗|么|嘛|不|吧|[?？]))",
    "re:(胀气|胀袋|胀包|鼓起来|鼓鼓的|是鼓的|鼓了)" + _NOT_ASKED,
    "re:(往外|一直|老是|还在|有点)?(渗水|渗油|渗漏|往外渗|渗出来|漏出来)|一(滩|摊)(水|油)",
    "re:(放着|一直|老是|总是|来回|站上去|坐上去|用着)(晃|摇|晃动|摇晃)|长短不(齐|一)|高低不平" + _NOT_ASKED,
    "re:(哐哐|咣咣|咣当|哐当|嘎嘎|咚咚|哗哗|嗒嗒|噼啪)[^，。,.!！?？]{0,2}(响|的响|地响|作响)",
]
