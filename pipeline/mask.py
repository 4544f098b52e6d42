"""Mask personal data in chat text before anything is stored or shown.

QA reviewers need none of a buyer's personal data to judge service quality, so
ingest replaces it:

| what | becomes |
|---|---|
| mobile phone (any separators, +86, spelled: 一三八… 幺三八… 壹叁捌…, mixed, full-width) | `138****5678` (platform convention: first 3 and last 4 digits) |
| landline (010-12345678, 0571 8888 6666) | `010****5678` |
| ID-card number (18-digit with a valid birth date or 15-digit old form; any separators, final X) | `[身份证号]` |
| e-mail (also `a @ b.com`, `a（at）b.com`, `a [at] b (dot) com`) | `[邮箱]` |
| bank card: any other 13–19-digit number (Luhn or not, 卡 nearby or not) | `[银行卡号]` |
| WeChat id after 微信/微信号/vx/v信/wx/威信/WeChat …; wxid_… anywhere | `[微信号]` |
| QQ number after QQ/扣扣 | `[QQ号]` |
| address (收货地址：…, or 省/市/区/路/号/栋/单元/室 chains) | `[地址]` |
| name after 收件人/联系人/姓名/我叫/本人 … (Chinese or Latin script), self-introductions (我是李娜) | `[姓名]` |
| surname after 我姓/免贵姓, or before 先生/女士/小姐 … in a self-introduction | `[姓名]` |

How a number is read: digits may be ASCII, full-width, another script's, Chinese
(〇零一幺二两…九) or financial (壹贰叁…) numerals; up to three separators (space,
- . / _ and dashes of every width) may stand between digits. The run is split into
groups at its separators and the longest windows of whole groups that read as a
phone (11 digits, 1[3-9]…, optionally 86/0086 first), an ID or a 13–19-digit
number are masked. Only these shapes count: no separator, groups of three or more
(the last may be shorter), or one digit at a time; two-digit groups are how prices
and dates are written (1999.00 2999.00, 2026-10-03 14) and are left alone.

Invisible characters (zero-width space/joiners, word joiner, BOM, soft hyphen, bidi
marks, variation selectors) are ignored while matching, so they cannot split a
phone, ID, e-mail or name; inside a masked span they go with it, elsewhere they stay.

Kept on purpose (false-positive guards):
- order, tracking, ticket and refund numbers right after their cue: 订单号/订单/单号/
  运单/快递单号/工单号/退款/退货/售后/包裹/发票/编号/型号/货号/SKU/courier names …,
  with only separators or 是/为/号码/编号/这个/如下 between cue and number (订单号：…,
  单号是 …, 退款是 …). An 18-digit order number is not an ID card there. A number
  with no cue, or after 退款到这个卡, is masked as a card: privacy wins over a
  reviewer's convenience when the text does not say what the number is.
- a 13–19-digit compact date-time (20261003140211); codes with letters glued on
  (SF1234567890123, GD202611213034); prices, dates, times, quantities, model codes,
  400/800 service hotlines.
- 我是 introduces a name only when a common surname and one or two given-name
  characters end the phrase (punctuation, space, end, or a particle), so 我是来问问 /
  我是想… / 我是说 / 我是周一买的 / 我是江苏人 stay. An agent's work name after a role
  word (我是客服小美, 我是售后专员刘芳) is kept: it is the agent's, named in agent_name
  anyway, and it is how a greeting is judged.
- a Latin name needs two letters and a label; another tool's placeholder ([姓名x]) is
  left as it is.

All placeholders are bracketed nouns or digit/asterisk strings, so masking never
creates a rubric hit (no 不知道/滚/垃圾 can appear), and normalise removes them
from the analysis form. `mask_text` and `mask_value` are idempotent.

`mask_value` is for short fields that are not sentences (shop, channel, agent_name,
ids): the number, e-mail and WeChat/QQ rules only, no name or address guessing, and
letters glued to a number do not protect a phone or ID in it (u13812345678).

Matching runs on a width-folded copy (full-width digits/letters → ASCII, same
length; invisible characters dropped, with a map back), so １３８１２３４５６７８ is
masked too; spans are applied to the original.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from typing import Callable

# Full-width ASCII (U+FF01–FF5E) and the ideographic space fold 1:1 to ASCII.
_WIDTH_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_FOLD[0x3000] = 0x20

# --- kept: identifiers reviewers need --------------------------------------------
_KEEP_LABEL = (r"(?:订单编号|订单号码|订单号|订单|子订单|主订单|运单号码|运单号|运单|快递单号|物流单号|快递号|"
               r"单号|工单号|工单|顺丰|中通|圆通|申通|韵达|极兔|百世|德邦|邮政|EMS|ems|京东快递|快递|物流|售后单号|退款单号|退货单号|服务单号|交易号|流水号|编号|型号|货号|款号|"
               r"sku|SKU|order\s*(?:no\.?|id|number)?|Order\s*(?:No\.?|ID|Number)?)")
_KEEP_RE = re.compile(_KEEP_LABEL + r"\s*(?:[:：#是为]\s*)?[#]?(?:[A-Za-z]{0,4}[-\d]{5,40}[A-Za-z\d]*)")

# --- personal data -----------------------------------------------------------------
_EMAIL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,12}")
_ID18_RE = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
_ID15_RE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
# 16–19 digits, optionally in groups of 4 separated by one space or dash.
_CARD_RE = re.compile(r"(?<![0-9A-Za-z])(?:\d{4}[ \-]?){3}\d{4}(?:[ \-]?\d{1,3})?(?![0-9A-Za-z])")
_CARD_CONTEXT_RE = re.compile(r"(?:卡号|银行卡|储蓄卡|信用卡|借记卡|账号|帐号|账户|帐户|卡)[^。！？\n]{0,8}$")
_MOBILE_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[\s\-]?)?(1[3-9]\d)[\s\-]?(\d{4}|\*{4})[\s\-]?(\d{4})(?![0-9A-Za-z])"
)
_LANDLINE_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[\s\-]?(\d{7,8})(?:[\-转]\d{1,5})?(?![0-9A-Za-z])"
)

# Addresses. A component is a short place name + suffix, or a number + unit.
# Place names may not contain these function characters, so the match does not
# swallow the words before an address (请送到/麻烦核对一下 …).
_STOP = "一下的了在是我你您他她它们这那有和与及或到从送寄发给把被让请帮麻烦亲吗呢吧啊哦呀嗯就都也还要会能可以已经没不很太更最再又才只去来个对址住收货件电话手机码联系人姓名改换填写错地方哪里边"


def _han_class_without(excluded: str) -> str:
    """A character class of the Han block minus `excluded` (a plain class is far faster than a lookahead)."""
    stops = sorted({ord(ch) for ch in excluded if "\u4e00" <= ch <= "\u9fa5"})
    ranges: list[str] = []
    start = 0x4E00
    for cp in stops + [0x9FA6]:
        if cp > start:
            ranges.append(f"{chr(start)}-{chr(cp - 1)}" if cp - 1 > start else chr(start))
        start = cp + 1
    return "[" + "".join(ranges) + "]"


_NAME_CH = _han_class_without(_STOP)
_PROVINCES = ("北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
              "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门")
_ADMIN = rf"(?:(?:{_PROVINCES})(?:省|市|自治区|特别行政区)?|{_NAME_CH}{{1,7}}?(?:自治区|自治州|省|市|州|盟|区|县|旗|镇|乡|街道|村|社区))"
_ROAD = rf"(?:{_NAME_CH}{{1,8}}?(?:大道|大街|路|街|巷|弄|胡同|里))"
_PLACE = rf"(?:{_NAME_CH}{{1,8}}?(?:小区|花园|公寓|大厦|广场|新村|家园|苑|园区|产业园|中心|大楼|公馆|府|庭|湾|城))"
_NUMBER = r"(?:[\d一二三四五六七八九十百零〇]{1,5}(?:号楼|号院|号|栋|幢|座|单元|楼|层|室|户|弄|期|区|排)|\d{1,4}(?:-\d{1,4}){1,3})"
_SEP = r"[\s,，]?"
# A bare room number may close an address (…2单元1502) but not a quantity (…100号2件).
_ADDR_RE = re.compile(rf"(?:(?:{_ADMIN}|{_ROAD}|{_PLACE}|{_NUMBER}){_SEP}){{2,}}(?:\d{{1,5}}(?![\d件个元块台份斤箱双条只次天]))?")
_ADDR_KIND = (
    ("admin", re.compile(_ADMIN)),
    ("road", re.compile(_ROAD)),
    ("place", re.compile(_PLACE)),
    ("number", re.compile(_NUMBER)),
)
_ADDR_GATE = re.compile(r"省|市|区|县|镇|乡|村|路|街|巷|弄|号|栋|幢|单元|室|小区|花园|大厦")
_ADDR_LABEL_RE = re.compile(
    r"(收货地址|收件地址|寄件地址|送货地址|配送地址|详细地址|家庭住址|住址|地址)\s*(?:[:：]\s*|(?:是|为|在)\s*)"
    r"([^。！？!?；;\n]{2,80}?)(?=$|[。！？!?；;\n]|[,，\s]*(?:收件人|收货人|联系人|姓名|电话|手机|联系方式|邮编|谢谢|麻烦|请))"
)
_ADDR_MARKER_RE = re.compile(r"省|市|区|县|镇|乡|村|路|街|道|巷|弄|号|栋|幢|单元|室|楼|小区|花园|大厦|公寓|苑|\d")

# Names: only after an explicit label, and (without a colon) only when the next
# character is a common surname, so 本人已经收到 / 我叫快递 keep their words.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
             "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
             "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
             "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_COMPOUND_SURNAMES = "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐|端木|独孤|南宫|西门"
_GIVEN_STOP = "电手地收联的了是在吗呢吧啊哦呀先女姐生士号码和跟与及也都就要想已经说"
_GIVEN_CH = rf"(?:(?!先生|女士|小姐|老师|师傅|同学){_han_class_without(_GIVEN_STOP)})"
# Surnames that are also everyday words (本人于昨天…, 我叫高兴…) only count after a colon.
_AMBIGUOUS_SURNAMES = set("于和时高成方向管应全明商安常连路单解车项景宁齐曲师文金石白包关甘毕游华古吉简麻查池迟边党宫费冷席卫米宗桂沙荣仲巫寇万钱尚符舒童凌季盛农司卓")
_PLAIN_SURNAMES = "".join(ch for ch in _SURNAMES if ch not in _AMBIGUOUS_SURNAMES)
_NAME_LABELS = "收件人|收货人|寄件人|联系人|签收人|持卡人|开户名|真实姓名|姓名|名字是|名字叫|我叫|本人"
_NAME_COLON_RE = re.compile(rf"(?:{_NAME_LABELS})\s*[:：]\s*([\u4e00-\u9fa5·]{{2,4}})(?![\u4e00-\u9fa5])")
_NAME_RE = re.compile(
    rf"(?:{_NAME_LABELS})\s*(?:是|为)?\s*((?:{_COMPOUND_SURNAMES}|[{_PLAIN_SURNAMES}]){_GIVEN_CH}{{1,2}})"
)
_NAME_GATE = re.compile(_NAME_LABELS)

# Self-introductions: 我是李娜 / 我是欧阳娜娜，… — a common surname and one or two given-name
# characters, then the end of the phrase (punctuation, space, end, or a particle). The
# boundary is what keeps 我是来问问 / 我是想… / 我是说 / 我是周一买的 / 我是江苏人 intact;
# 我是客服小美 / 我是售后专员刘芳 (an agent's work name after a role word) are kept too:
# the agent is named in agent_name anyway, and 客服/售后 are no surnames.
_INTRO_CUES = "我是|我叫|俺是|俺叫|本人是|本人叫|我的名字是|我名字是|我名字叫"
_INTRO_GIVEN_CH = rf"(?:(?!先生|女士|小姐|老师|师傅|同学){_han_class_without(_GIVEN_STOP + '人家买用来问过去们个色款号州市省县区')})"
_INTRO_END = r"(?=$|[\s，。！？,.!?~～、；;：:（）()…\-—]|[啊呀哈哦呢吧啦嘛哟喔噢])"
_INTRO_RE = re.compile(
    rf"(?:{_INTRO_CUES})\s*((?:{_COMPOUND_SURNAMES}|[{_PLAIN_SURNAMES}]){_INTRO_GIVEN_CH}{{1,2}}){_INTRO_END}"
)
# Words that look like surname + given name but are places, days or colours.
_NOT_NAMES = frozenset((
    "周一", "周二", "周三", "周四", "周五", "周六", "周日", "周末", "马上", "江苏", "江西", "黄色", "蓝色", "金色", "苏州",
    "徐州", "温州", "杭州", "郑州", "柳州", "梅州", "林芝", "黄山", "江门", "潘家园", "张家口", "张家界", "唐山", "邯郸",
    "左撇子", "穆斯林", "孙子", "朱红", "杨柳", "陈旧", "黎明", "江南", "江北", "罗马", "秦皇岛", "汤圆", "董事", "谢谢", "许多", "许久",
    "杜绝", "余额", "叶子", "曾经", "蒋介石", "范围", "夏天", "夏季", "秋天", "邱比特", "蔡徐坤", "潘多拉", "贺卡",
))
# 我姓刘 / 免贵姓欧阳 / 我是王小姐: the surname alone is masked.
_SURNAME_RE = re.compile(
    rf"(?:我姓|免贵姓|本人姓|我也姓|俺姓)\s*(?:是)?\s*({_COMPOUND_SURNAMES}|[{_SURNAMES}])"
    rf"|(?:{_INTRO_CUES})\s*({_COMPOUND_SURNAMES}|[{_SURNAMES}])(?=先生|女士|小姐|太太|阿姨|大姐|大哥|老师|师傅)"
)
# A Latin-script name (two letters or more) after a label: 收件人：Li Na / 联系人 John Smith /
# 我叫Tom; not inside another tool's placeholder ([姓名x]).
_LATIN_NAME_RE = re.compile(
    rf"(?:{_NAME_LABELS}|英文名|英文名字)\s*(?:[:：]|是|为|叫)?\s*"
    r"([A-Za-z][A-Za-z'’\-]+(?:[ .·][A-Za-z][A-Za-z'’\-]*){0,3})(?![A-Za-z\]】])"
)
_NOT_LATIN_NAMES = frozenset(("ok", "vip", "app", "id", "qq", "vx", "wx", "sku", "pdf", "excel", "word", "plus", "pro",
                              "max", "mini", "ps", "pc", "tv"))
_INTRO_GATE = re.compile(f"{_INTRO_CUES}|姓|英文名")

_LONG_DIGITS = re.compile(r"\d(?:[\s\-]?\d){6,}")

# --- variants a careless or hostile writer uses -------------------------------------
# Invisible characters (zero-width, soft hyphen, word joiner, BOM, bidi marks, variation
# selectors) are ignored while matching and disappear inside a masked span; elsewhere
# they stay as written.
_INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
              "\u2060-\u2064\u206a-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0")
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")

# Digits as people also write them: Chinese numerals (幺 is how 1 is read out in a phone
# number), financial numerals, circled digits, any other script's decimal digits. One
# character each, so a digit view has the same length as the text.
_DIGIT_FOLD: dict[int, int] = {}
for _digit, _chars in enumerate(("〇零⓪", "一幺壹①", "二两贰②", "三叁③", "四肆④", "五伍⑤", "六陆⑥", "七柒⑦", "八捌⑧", "九玖⑨")):
    for _ch in _chars:
        _DIGIT_FOLD[ord(_ch)] = 48 + _digit
for _cp in range(0x80, 0x10000):
    if unicodedata.category(chr(_cp)) == "Nd":
        _DIGIT_FOLD.setdefault(_cp, 48 + unicodedata.decimal(chr(_cp)))
# Dashes and dots of every width count as separators (after the width fold).
for _ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\u2027\u00b7\u30fb":
    _DIGIT_FOLD[ord(_ch)] = ord("-")
_DIGITISH = r"[\d〇零一幺二两三四五六七八九壹贰叁肆伍陆柒捌玖①-⑨⓪]"
# 400/800 hotlines are businesses, not persons: only a whole number, so a longer number written
# partly in numerals (4000000000零00, a card) is not cut short and kept as a "hotline".
_HOTLINE_RE = re.compile(rf"(?<!{_DIGITISH})[48]00[-\s]?\d{{3}}[-\s]?\d{{4}}(?!{_DIGITISH})")
_NUMBER_GATE = re.compile(rf"{_DIGITISH}(?:[^\u4e00-\u9fa5A-Za-z]{{0,3}}{_DIGITISH}){{6,}}")

# A number written with separators between any digits: 138.1234.5678, 1 3 8 1 2 …,
# 6222 0212 3456 7890 128, 110101 19900307 123X. Up to three separator characters
# between two digits; letters right before or after make it a code (SF1234…), not a number.
_NUM_SEP = r"[ \t\u00a0\-._/]"
_NUMBER_RUN_RE = re.compile(rf"(?<![0-9A-Za-z])[0-9](?:{_NUM_SEP}{{0,3}}[0-9]){{6,}}(?:{_NUM_SEP}{{0,3}}[Xx])?(?![0-9A-Za-z])")
# In a short field (ids, shop names) letters glued to a number do not protect it: u13812345678.
_VALUE_RUN_RE = re.compile(rf"(?<![0-9])[0-9](?:{_NUM_SEP}{{0,3}}[0-9]){{6,}}(?:{_NUM_SEP}{{0,3}}[Xx])?(?![0-9])")
_DIGIT_GROUP_RE = re.compile(r"[0-9]+[Xx]?|[Xx]")
_MOBILE_DIGITS_RE = re.compile(r"(?:0086|86)?(1[3-9][0-9]{9})")
_ID18_DIGITS_RE = re.compile(r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]")
_ID15_DIGITS_RE = re.compile(r"[1-9][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}")
# A compact date-time (20261003140211) is a timestamp, not a card.
_DATETIME_DIGITS_RE = re.compile(r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?:[01][0-9]|2[0-3])[0-5][0-9](?:[0-5][0-9](?:[0-9]{3})?)?")
# Cue words right before a number that keep it (order, tracking, refund, ticket numbers).
_KEEP_CUE_RE = re.compile(_KEEP_LABEL + r"|退款|退货|售后|包裹|发票")
_KEEP_GAP_RE = re.compile(r"(?:[\s:：#,，、]|是|为|号码|号|编号|这个|如下|的)*")

# WeChat and QQ ids after their cue word. A WeChat id is 6–20 letters/digits/_/- (or a
# phone number, masked as a phone first); wxid_… is WeChat's internal id, masked anywhere.
_WECHAT_CUE = r"(?:微信号|微信|薇信|威信|维信|徽信|[vVwW]信|(?<![A-Za-z])(?:[vV][xX]|[wW][xX]|weixin|Weixin|WeChat|Wechat|wechat|WECHAT))"
_WECHAT_RE = re.compile(
    rf"{_WECHAT_CUE}\s*(?:号码|号|ID|id|Id)?\s*(?:[:：]|是|为|加|搜|搜索)?\s*(?:[:：]\s*)?"
    r"([A-Za-z0-9][A-Za-z0-9_\-]{5,19})(?![A-Za-z0-9_\-])"
)
_WXID_RE = re.compile(r"(?<![A-Za-z0-9])wxid_[A-Za-z0-9_\-]{4,30}")
_QQ_RE = re.compile(
    r"(?:(?<![A-Za-z])[Qq][Qq]|扣扣|企鹅号)\s*(?:号码|号|ID|id)?\s*(?:[:：]|是|为|加)?\s*(?:[:：]\s*)?"
    r"([1-9][0-9]{4,10})(?![0-9A-Za-z@._%+\-])"  # qq123456@163.com is an e-mail
)
_ACCOUNT_GATE = re.compile(r"[信xXQq扣企]")  # one character class: cheap on the many texts without any

# E-mail written to dodge a filter: spaces around @, （at）/[at]/ at , (dot)/ dot /点.
_AT = r"(?:\s*@\s*|\s*[(（\[【{<]\s*(?:at|AT|At)\s*[)）\]】}>]\s*|\s+(?:at|AT)\s+|\s*艾特\s*)"
_DOT = r"(?:\s*\.\s*|\s*[(（\[【{<]\s*(?:dot|DOT|Dot)\s*[)）\]】}>]\s*|\s+(?:dot|DOT)\s+|\s*点\s*)"
_TLD = r"(?:com|cn|net|org|edu|gov|io|me|co|info|biz|hk|tw|jp|uk|us|de|top|xyz|vip|cc|COM|CN|NET|ORG)"
_EMAIL_SPELLED_RE = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{{0,63}}{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*?{_DOT}{_TLD}(?![A-Za-z])"
)
_EMAIL_SPELLED_GATE = re.compile(r"[@艾tT]")
# Only full-width digits, letters and the symbols the rules look at need folding (not ，：).
_FULL_WIDTH_CLASS = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff20\uff0b\uff0d\uff0e\uff08\uff09\uff3f\u3000"
_FULL_WIDTH_GATE = re.compile(f"[{_FULL_WIDTH_CLASS}]")
# Either an invisible character or something to width-fold: one search for the common case of neither.
_VIEW_GATE = re.compile(f"[{_INVISIBLE}{_FULL_WIDTH_CLASS}]")
_MASKED_PHONE = "{}****{}"

PLACEHOLDERS: tuple[str, ...] = ("[地址]", "[姓名]", "[邮箱]", "[身份证号]", "[银行卡号]", "[微信号]", "[QQ号]")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


class _Spans:
    """Non-overlapping replacement spans; earlier (more precise) rules win.

    Kept sorted by start, so a text with thousands of numbers is not checked span by span.
    """

    __slots__ = ("items", "starts")

    def __init__(self) -> None:
        self.items: list[tuple[int, int, str | None]] = []  # (start, end, replacement or None = keep)
        self.starts: list[int] = []

    def free(self, start: int, end: int) -> bool:
        return self.first_taken_after(start, end) == end

    def first_taken_after(self, start: int, end: int) -> int:
        """Earliest position in [start, end) that a span covers; `end` if none."""
        i = bisect.bisect_right(self.starts, start)
        if i and self.items[i - 1][1] > start:
            return start
        if i < len(self.starts) and self.starts[i] < end:
            return self.starts[i]
        return end

    def add(self, start: int, end: int, replacement: str | None) -> None:
        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.items.insert(i, (start, end, replacement))


def _claim(spans: _Spans, pattern: re.Pattern[str], folded: str,
           replace: Callable[[re.Match[str]], str | None], group: int = 0) -> None:
    for m in pattern.finditer(folded):
        start, end = m.span(group)
        if start >= 0 and spans.free(start, end):
            rep = replace(m)
            if rep is not None or pattern is _KEEP_RE or pattern is _HOTLINE_RE:
                spans.add(start, end, rep)


# Everyday words that end like a place name but are not one (超市3号货架 is no address).
_NOT_PLACES = frozenset(("超市", "上市", "门市", "夜市", "股市", "城市", "都市", "专区", "地区", "市区", "郊区", "山区",
                         "误区", "禁区", "景区", "校区", "园区", "服务区", "售后专区", "保税区", "商城", "京东商城", "长城",
                         "新城", "中心", "客服中心", "售后中心", "服务中心", "会员中心", "个人中心", "网点"))


def _address_ok(candidate: str) -> bool:
    """An address needs a place (admin/road/estate) and a house number, or three parts."""
    kinds: list[str] = []
    pos = 0
    while pos < len(candidate):
        if candidate[pos] in " ,，":
            pos += 1
            continue
        for kind, pat in _ADDR_KIND:
            m = pat.match(candidate, pos)
            if m:
                if m.group(0) not in _NOT_PLACES:
                    kinds.append(kind)
                pos = m.end()
                break
        else:
            pos += 1
    has_place = any(k in ("admin", "road", "place") for k in kinds)
    if not has_place:
        return False
    return "number" in kinds and len(kinds) >= 2 or len(kinds) >= 3 and ("road" in kinds or "place" in kinds or kinds.count("admin") >= 3)


def mask_text(text: str) -> str:
    """Replace personal data in `text` with placeholders; keeps everything else as written."""
    return _mask_until_stable(text, sentence=True)


def mask_value(value: str | None) -> str | None:
    """Mask phones, ID and card numbers, e-mails and WeChat/QQ ids in a short field.

    For values that are not sentences (shop, channel, agent_name, ids): no name or
    address guessing (a shop called 文三路100号店 keeps its name), and letters glued to a
    number do not protect it (u13812345678 → u138****5678). Idempotent; non-strings and
    values without personal data come back unchanged.
    """
    if not isinstance(value, str) or not value:
        return value
    return _mask_until_stable(value, sentence=False)


def _mask_until_stable(text: str, sentence: bool) -> str:
    # A placeholder can expose a neighbour (zhang@x.com13812345678: the phone only has a
    # boundary once the e-mail is [邮箱]), so repeat until nothing changes (rarely twice).
    for _ in range(4):
        masked = _mask_once(text, sentence)
        if masked == text:
            break
        text = masked
    return text


def _matching_view(text: str) -> tuple[str, list[int] | None]:
    """The text rules match on: invisible characters dropped, full-width folded.

    Returns (view, index) where index[i] is the text position of view[i] (None when the
    view has the text's length, i.e. nothing was dropped).
    """
    index: list[int] | None = None
    view = text
    if not _VIEW_GATE.search(text):
        return view, index
    if _INVISIBLE_RE.search(text):
        index = [i for i, ch in enumerate(text) if not _INVISIBLE_RE.match(ch)]
        view = "".join(text[i] for i in index)
    if _FULL_WIDTH_GATE.search(view):
        view = view.translate(_WIDTH_FOLD)
    return view, index


def _after_keep_cue(view: str, start: int) -> bool:
    """An order/tracking cue right before `start` keeps a number: 订单号：… / 单号是 … / 退款是 ….

    Only separators and 是/为/号码/编号/这个/如下 may stand between the cue and the number,
    so 退款到这个卡 … or a cue in an earlier clause does not keep a card number.
    """
    before = view[max(0, start - 16):start]
    last = None
    for last in _KEEP_CUE_RE.finditer(before):
        pass
    return last is not None and _KEEP_GAP_RE.fullmatch(before, last.end()) is not None


def _classify_number(digits: str, groups: list[str], cards: bool = True) -> str | None:
    """The placeholder for a run of digit groups, or None when it is no personal number."""
    # Shape: groups of three or more (the last may be shorter), or one digit at a time.
    # Prices and dates (1999.00 2999.00, 2026-10-03 14) have two-digit groups inside.
    if len(groups) > 1 and not (all(len(g) >= 3 for g in groups[:-1]) or all(len(g) == 1 for g in groups)):
        if not (groups[0] in ("86", "0086") and len(digits) == len(groups[0]) + 11):
            return None
    m = _MOBILE_DIGITS_RE.fullmatch(digits)
    if m:
        return _MASKED_PHONE.format(m.group(1)[:3], m.group(1)[-4:])
    if len(digits) == 18 and _ID18_DIGITS_RE.fullmatch(digits) or len(digits) == 15 and _ID15_DIGITS_RE.fullmatch(digits):
        return "[身份证号]"
    if cards and 13 <= len(digits) <= 19 and digits.isdigit() and not _DATETIME_DIGITS_RE.fullmatch(digits):
        return "[银行卡号]"
    return None


def _claim_numbers(spans: _Spans, view: str, run_re: re.Pattern[str], keep_cues: bool, cards: bool = True) -> None:
    """Phones, ID and card numbers written with separators, numerals or in other scripts.

    Each run of digits (separators allowed) is split into its groups; the longest
    windows of whole groups that read as a phone, an ID or a card number are masked, so
    买2 13812345678 masks the phone and leaves the 2.
    """
    digit_view = view.translate(_DIGIT_FOLD)
    for run in run_re.finditer(digit_view):
        groups = [(g.start() + run.start(), g.end() + run.start(), g.group(0)) for g in _DIGIT_GROUP_RE.finditer(run.group(0))]
        ends = [0]  # ends[k]: digits in groups[:k]
        for g in groups:
            ends.append(ends[-1] + len(g[2]))
        if ends[-1] < 11:  # every window below needs 11 digits or more: a date, a price, an order number
            continue
        def phone_end(i: int) -> int | None:
            """k when groups[i:k] hold exactly one mobile number."""
            for k in range(i + 1, len(groups) + 1):
                if ends[k] - ends[i] >= 11:
                    window = [g[2] for g in groups[i:k]]
                    if ends[k] - ends[i] == 11 and _classify_number("".join(window), window, False):
                        return k
                    return None
            return None

        i = 0
        while i < len(groups):
            if not spans.free(groups[i][0], groups[i][1]):  # taken by an earlier rule or pass
                i += 1
                continue
            # Windows of 11–19 digits starting at group i, longest first; but a list of
            # phones (138 1234 5678 139 1234 5678) stays phones rather than one card.
            last = i + 1
            while last < len(groups) and ends[last + 1] - ends[i] <= 19:
                last += 1
            k = phone_end(i)
            if k is not None and (k == len(groups) or phone_end(k) is not None):
                last = k
            claimed = False
            for j in range(last, i, -1):
                if ends[j] - ends[i] < 11:
                    break
                window = [g[2] for g in groups[i:j]]
                digits = "".join(window)
                start, end = groups[i][0], groups[j - 1][1]
                rep = _classify_number(digits, window, cards)
                if rep is None or not spans.free(start, end):
                    continue
                if rep[0] != "[" and digits[:2] == "86" and start and view[start - 1] in "+＋" and spans.free(start - 1, start):
                    start -= 1  # +86 goes with the number
                if rep[0] == "[" and keep_cues and _after_keep_cue(view, start):
                    spans.add(start, end, None)
                else:
                    spans.add(start, end, rep)
                claimed = True
                i = j
                break
            if not claimed:
                i += 1


def _mask_once(text: str, sentence: bool = True) -> str:
    if not text:
        return text
    folded, index = _matching_view(text)
    spans = _Spans()
    # Every number rule needs a run of 7+ digits or numerals (separators allowed): skip them
    # all otherwise. _LONG_DIGITS (ASCII-style runs) is a subset of _NUMBER_GATE.
    numbers = _NUMBER_GATE.search(folded) is not None
    has_digit = numbers and _LONG_DIGITS.search(folded) is not None

    if has_digit and sentence:
        _claim(spans, _KEEP_RE, folded, lambda m: None)
    account = _ACCOUNT_GATE.search(folded) is not None
    if account:  # QQ4008001234 is a QQ number, not a hotline (QQ numbers may be 5 digits: no has_digit gate)
        _claim(spans, _QQ_RE, folded, lambda m: "[QQ号]", group=1)
    if has_digit:
        _claim(spans, _HOTLINE_RE, folded, lambda m: None)
    if "@" in folded:
        _claim(spans, _EMAIL_RE, folded, lambda m: "[邮箱]")
    if _EMAIL_SPELLED_GATE.search(folded):
        _claim(spans, _EMAIL_SPELLED_RE, folded, lambda m: "[邮箱]")
    # Numbers in any writing first, so a precise rule below cannot take part of one
    # (0101 19300101 inside an ID written with numerals and invisible characters).
    if numbers:
        _claim_numbers(spans, folded, _NUMBER_RUN_RE, keep_cues=sentence)
        if not sentence:
            _claim_numbers(spans, folded, _VALUE_RUN_RE, keep_cues=False, cards=False)
    if has_digit:
        _claim(spans, _ID18_RE, folded, lambda m: "[身份证号]")
        _claim(spans, _MOBILE_RE, folded, lambda m: _MASKED_PHONE.format(m.group(1), m.group(3)))

        def card(m: re.Match[str]) -> str | None:
            digits = re.sub(r"\D", "", m.group(0))
            if not 16 <= len(digits) <= 19:
                return None
            if _luhn_ok(digits) and digits[0] in "3456":
                return "[银行卡号]"
            if _CARD_CONTEXT_RE.search(folded, max(0, m.start() - 12), m.start()):
                return "[银行卡号]"
            return None

        _claim(spans, _CARD_RE, folded, card)
        _claim(spans, _ID15_RE, folded, lambda m: "[身份证号]")

        def landline(m: re.Match[str]) -> str:
            area = re.sub(r"\D", "", m.group(0)[: m.start(1) - m.start(0)])
            return _MASKED_PHONE.format(area, m.group(1)[-4:])

        _claim(spans, _LANDLINE_RE, folded, landline)
    if account:
        _claim(spans, _WXID_RE, folded, lambda m: "[微信号]")
        _claim(spans, _WECHAT_RE, folded, lambda m: "[微信号]", group=1)

    if sentence and (_ADDR_GATE.search(folded) or "地址" in folded or "住址" in folded):
        for m in _ADDR_LABEL_RE.finditer(folded):
            start, end = m.span(2)
            value = folded[start:end].rstrip(" ,，")
            end = start + len(value)
            end = spans.first_taken_after(start, end)
            value = folded[start:end].rstrip(" ,，")
            if value and _ADDR_MARKER_RE.search(value) and spans.free(start, start + len(value)):
                spans.add(start, start + len(value), "[地址]")
        for m in _ADDR_RE.finditer(folded):
            start, end = m.span()
            cand = folded[start:end].rstrip(" ,，")
            end = start + len(cand)
            if spans.free(start, end) and _address_ok(cand):
                spans.add(start, end, "[地址]")

    if sentence and _NAME_GATE.search(folded):
        _claim(spans, _NAME_COLON_RE, folded, lambda m: "[姓名]", group=1)
        _claim(spans, _NAME_RE, folded, lambda m: "[姓名]", group=1)
    if sentence and _INTRO_GATE.search(folded):
        _claim(spans, _INTRO_RE, folded, lambda m: None if m.group(1) in _NOT_NAMES else "[姓名]", group=1)
        _claim(spans, _SURNAME_RE, folded, lambda m: "[姓名]", group=1)
        _claim(spans, _SURNAME_RE, folded, lambda m: "[姓名]", group=2)
    if sentence and (_NAME_GATE.search(folded) or _INTRO_GATE.search(folded)):
        _claim(spans, _LATIN_NAME_RE, folded,
               lambda m: None if m.group(1).lower() in _NOT_LATIN_NAMES else "[姓名]", group=1)

    replaced = [s for s in spans.items if s[2] is not None]
    if not replaced:
        return text
    replaced.sort()
    out: list[str] = []
    pos = 0
    for start, end, rep in replaced:
        if index is not None:  # view positions → text positions (invisible characters inside go too)
            start, end = index[start], index[end - 1] + 1
        out.append(text[pos:start])
        out.append(rep)  # type: ignore[arg-type]
        pos = end
    out.append(text[pos:])
    return "".join(out)
