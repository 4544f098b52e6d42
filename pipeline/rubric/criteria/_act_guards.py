"""The act layer's word lists and guard patterns for forbidden_phrases.v2 (moved out of forbidden.py in default@15 to keep
it under 600 lines; forbidden.py re-exports every name): what a policy "no", helplessness, a dismissal, an offer or a
rule cited to grant looks like, and the clause shapes that are no act (a confirming or polite question, an owned fault,
a check-in, a promise). act14 adds `REFUSAL_CUE` and `FEELING_NORMAL` (their own section at the end)."""
from __future__ import annotations

import re

# a policy "no" (不支持退换 / 专票开不了 / 不能改价) vs helplessness or dismissal (没办法 / 帮不了 / 您看着办)
PLAIN_REFUSAL = ["re:(不能|不可以|不支持|不予|不提供|不接受|不给|无法|没法|不行|不允许|不可|不参与|不包)", "re:[\u4e00-\u9fff]不(了|到)"]
# helplessness or not-knowing said outright (没办法 / 无奈 / 帮不了 / 也不是很清楚): with it the act model needs less
# certainty (`helpless_threshold`), and it is a dismissal too (below)
HELPLESS = [
    "re:(没|没有)(任何|什么)?(办法|辙|招|法子)", "re:搞不(了|定)", "无能为力", "爱莫能助", "束手无策", "无奈", "re:(帮|管|左右|控制|决定|插)不(了|到|着|上)",
    "re:(没|没有)(这个)?(权限|权力)", "做不了主", "作不了主", "说了不算", "re:不能(帮|为|替)(您|你|亲)",
    "re:(也|都)(不是很|不是太|不太|不大|不)(清楚|了解|知道|晓得)",
]
# dismissals other than helplessness (您看着办 / 找别家 / 算了 / 只能等 / 处理不了): a policy "no" whose message says one of
# these or one of HELPLESS is more than a policy answer. Up to default@9 this list restated most of HELPLESS in other
# spellings, and which of two overlapping entries matched depended on the lists' order; now each family has one home
DISMISSAL = [
    # not being able to handle, solve, answer or meet the request itself, in either spelling (处理不了 / 无法为您处理;
    # default@11: 无法处理 / 解答不了 / 满足不了 were left to positive_framing as a policy "no" while 处理不了 was not)
    "re:(处理|解决|解答|回答|答复|满足|受理|做|弄|办|整)不(了|到|着)",
    "re:(无法|没法|没办法|不予)(为|帮|给|替)?(您|你|亲)?(处理|解决|解答|回答|答复|满足|受理)", "为难", "看着办", "另请高明", "re:(找|去|换)(别家|别的店|其他家|其他店)",
    "没得商量", "re:没有就是没有", "re:(只能|就)(等|等着)(了|吧|啦)?", "re:要就[^，。,.]{0,6}不要就", "算了", "拉倒", "re:(就是|就)(这样|这么)",
    "尽力了", "re:(也|都)没(有)?用", "re:(您|你)(自己)?(理解|体谅)(一下|下)?吧", "re:(我|我们)(也)?(不|没)(知道|清楚)(怎么办)?",
    "另想办法", "re:(不行|不能|不可以|没有)就是(不行|不能|不可以|没有)",
]
AGENT_OFFER = [
    "re:(我|我们|这边|我这边|马上|立刻|先)(来|去|再|先|马上|会|可以|这就|已经)?(帮|给|为|替)(您|你|亲)",
    "re:(给|帮|为)(您|你|亲)(申请|补发|补寄|重发|退款|换|登记|安排|反馈|转|升级|加急|核实|查)",
    "re:(转|升级|反馈|上报)(给|到)[^，。,.]{0,6}(主管|专员|售后|同事|经理|组长)", "优惠券", "补偿",
    "re:(我|我们|这边)(来|可以|再)?(教|告诉|演示|指导|带)(您|你|亲)",
    "re:[0-9一二两三四五六七八九十半]+\\s*(个)?(小时|分钟|工作日|天)(内|之内)",
]
# act13: a brush-off that points the customer to a document (the listing, its pictures, the manual); the answer that may
# follow it is lexicons_taboo.POINTER_ANSWER
_POINTER = re.compile(r"详情|页面|说明书|说明|介绍|参数|描述|图上|图片|商品页")
# declared not-knowing (the standard's 不知道 family): only help in the same message makes it something else
NOT_KNOWING = ["re:(不|没)(是很|是太|太|大|怎么)?(知道|清楚|了解|晓得)", "说不准", "摸不准", "不确定"]
# the agent setting out to find out itself (我问一下质检同事 / 这边马上去核实): with it, not-knowing is the first half of an
# answer (default@13)
FINDS_OUT = [
    "re:(我|我们|这边|我这边|马上|立刻|稍后)(这就|现在|马上|立刻|先|再|去|来|帮您|给您|替您|帮你|给你)*(问|查|核实|确认|咨询|打听|请教|联系)(一下|下)?",
]
# a rule or an authority cited to grant (按平台规定可以退，已经给您同意了): not the rule as a wall
RULE_GRANT = [
    "re:(?<![不没无别])(可以|能|支持|允许|享受|照样|照常)(退|换|补|免|享|领|开|改|寄|带|登机|上车|办理|申请|延长|保修|报销)",
    "re:(已经|已)(给您|帮您|为您|给你|帮你|为你)?(同意|通过|办理|办好|安排|发放|退款|退了|申请|登记|补发)",
]
# an offer word that is itself negated offers nothing: 不能给您补发 / 没法帮您申请 / 补偿是没有的
_OFFER_NEGATED_BEFORE = re.compile(r"(不|没|没有|无|无法|不能|不会|不予|不再|没法|不可以|不可能)(再|会|能|可以)?$")
_OFFER_NEGATED_AFTER = re.compile(
    r"^(这块|这个|这边|方面|的话)?(是|也|都|就|我们|这边|店铺|本店)*(没有|没|不会有|不给|不提供|不可能有|无)(的|了|呢|哦|哈|啊|喔|哟|啦)*(?=[，。,.!！?？~～…;；\s]|$)"
)
# a taboo that begins with a negation and is itself denied: 不是不归我们管 (= it is our business)
_DOUBLE_NEGATION = re.compile(r"(不是|并不是|并非|倒不是|也不是|绝不是|绝对不是|从来不是|可并不是)(说)?$")
_RULE_WORD = re.compile(r"规定|规矩|规则|政策|制度|要求")
_CONTENT = re.compile(r"[\u4e00-\u9fffa-z0-9]")
# a clause that ends by asking the customer to confirm (您要换大一码对吧 / …是不是嘛 / 对不对噻 / 中不中 / 係唔係): a
# dialect particle (嘛 噻 撒 哈 吧 呢 …) may close the tag; 行不行 / 好不好 are left out (别催了好不好 is arguing)
_RESTATEMENT = re.compile(
    r"(对吗|对吧|是吗|是吧|没错吧|没错吗|对不对|是不是|(?<![绝相])对不|(?<![总老])是不|中不中|中不|对头不|係唔係|系唔系|係咪|系咪|啱唔啱|对伐|是伐|對嗎|對吧|對不對|是嗎)"
    r"(嘛|噻|撒|哈|吧|呢|啊|呀|哦|喔|嘞|咯|哇|嗎|吗|么|噶|咩|啦)*[?？。~～!！…\s]*$"
)


# a polite question to the customer (不知道亲是想送人还是自用呢？ / 请问您方便…吗): asking, not refusing or talking down
# (a rhetorical 都不会…吗 / 难道… / 连…都 is no polite question)
_POLITE_QUESTION = re.compile(
    r"^\W*(不知道|请问|想问(一下|下)?|冒昧问(一下|下)?)(?![^。!！]*(都不|还不|难道|连|还用))[^。!！]*([?？]|[吗呢嘛][~～…。\s]*)$"
)
# the agent owns the fault (不是物流的问题 是我们发货晚了 / 是我们页面写错了 / 怪我们): not blame-shifting or arguing
_OWNS_FAULT = re.compile(
    r"(?<![不非没])(是|怪)(我们|我|咱们|小店|本店|店里)(这边|自己)?的?[^，。,.!！?？~～]{0,6}(问题|错|责任|失误|疏忽|不对|没做好|没注意|没看仔细|晚了|漏)"
)

# a question asking the customer for a fact (您怎么支付的呢 / 是哪个颜色呢？): without a negation, 还/又/就, 这么 or
# 连/难道 it asks, it does not reproach (您怎么不看清楚呢 / 你怎么这么多事 do)
_INFO_QUESTION = re.compile(
    r"^\W*(?![^。!！]*(不|没|别|还|又|就|都|这么|那么|这样|连|难道|到底|凭什么))[^。!！]*(怎么|什么|哪|几|多少|啥)[^。!！]*([?？]|[吗呢嘛][~～…。\s]*)$"
)
# something only the customer can do or see, said as a need (要您本人登录查看 / 需要您自己在APP里确认): not "do it yourself"
_CUSTOMER_ONLY = re.compile(r"(要|需要|得|须|必须|只能)(您|你|亲)(本人|自己)[^，。,.!！?？]{0,4}(查看|查询|登录|操作|确认|申请|提交|修改|设置)")
# asking after a customer who went quiet (您怎么不说话了 / 咋没回复了呢): a check-in, not a reproach (default@10: @7 read the
# first at 0.92 arguing)
_CHECK_IN = re.compile(r"(怎么|咋)(都)?(不|没)(说话|回复|回消息|回话|吭声|出声)(了|呢|啦|呀|哦)*[?？~～。!！…\s]*$")
# a promise that it will not happen again (这次绝对不会再错了 / 以后不再让您等): not the 不会错 of a denial
_PROMISE = re.compile(r"(不会|绝不会|保证不会|再也不会|一定不会)再|(这次|下次|以后|今后)[^，。,.!！?？]{0,4}(不会|不再)")

# ----------------------------------------------------------------------------
# act14 (default@15)
# ----------------------------------------------------------------------------

# act14: what a refusal cannot do without — a "no" in any spelling (不 / 没 / 无 / 别 / 沒 / 無 / 唔 / 冇 …), a limit (只能 /
# 规定 / 流程 / 系统), or a dismissal without a negation (随您 / 爱…就… / 看着办 / 算了 / 谁知道 / 自己想办法 / 等着 / 晚了 /
# 再说 / no way; and every `acts.dismissal` / `helpless` / `closure` entry: 就这样了 / 您看着办). A message with none of these that the act model reads as a refusal — the shop praising its goods
# (我们家的都是产地直采的，品质超好的呢～), a greeting, a product fact said positively — refuses nothing: its refusal
# reading is set aside (`acts.refusal_cue`, rule forbidden_phrases.guard.no_refusal_cue) and the message is judged on
# the other acts alone. Every refusal line of the act writers' files (training and dev) has one of these.
REFUSAL_CUE = [
    "re:[不没無无别別莫非未甭冇唔否勿沒]",
    "re:只(能|好|可以|有)|规定|規定|规则|規則|规矩|規矩|流程|政策|制度|系统|系統|权限|權限|做主|说了算|說了算",
    "re:随(您|你|便|意)|隨(您|你|便|意)|爱[^，。,.!！?？]{0,4}就|愛[^，。,.!！?？]{0,4}就|看着办|看著辦|算了|拉倒|罢了",
    "re:(您|你|妳)自己|(哪|谁|誰)(知道|晓得|曉得|清楚)|自己(想办法|想辦法|处理|處理|解决|解決|看着|看著)|另(找|请|請|想)|白(问|問|搭|费|費)",
    "re:超出|超过|超過|范围|範圍|爱莫|等着|等著|耐心等|晚了|再说|再說|打烊|下班|为难|為難|难办|難辦|尽力|盡力|免谈|休想|愛莫|无奈|無奈|no\\s*way|can'?t",
]
# act14: the customer's feeling named as natural (换谁都会担心的 / 心里打鼓太正常了 / 东西不到心里肯定不踏实): empathy, not a
# remark about the customer; a condescension or arguing reading of such a message is set aside (`acts.feeling_normal`,
# rule forbidden_phrases.guard.feeling_normal). A clause that also reproaches (急也没用 / 至于吗) is not one of these.
_FEELINGS = (
    "担心|擔心|着急|著急|急|不踏实|不踏實|打鼓|生气|生氣|火大|委屈|难受|難受|郁闷|鬱悶|失望|心疼|上火|不放心|害怕|慌|闹心|鬧心|窝火|窩火|"
    "不舒服|不痛快|不开心|不開心|烦|煩|没底|沒底|揪心|憋屈|不好受|七上八下"
)
FEELING_NORMAL = [
    f"re:(换|換|搁|擱|任|放)(谁|誰|做|作|成|我|在谁|在誰)[^，。,.!！?？~～]{{0,8}}({_FEELINGS})",
    f"re:(谁|誰|大家|是人)(遇到|碰到|摊上|攤上|赶上|趕上)?[^，。,.!！?？~～]{{0,4}}(都|也)(会|會|得)?[^，。,.!！?？~～]{{0,4}}({_FEELINGS})",
    f"re:({_FEELINGS})[^，。,.!！?？~～]{{0,6}}(太|很|也|挺|再|是|都|我|我们|我們)?(正常|理解|能理解|可以理解|人之常情)",
    f"re:心里(肯定|一定|难免|確實|确实|当然|当然会|多少)?[^，。,.!！?？~～]{{0,2}}({_FEELINGS})",
]
# …unless the message brushes the feeling off anywhere, or turns after it (但 / 可是 / 不过 …: 我理解您着急，但规定就是规定)
_CONTRAST_AFTER = re.compile(r"但|可是|可(?![以能爱愛])|不过|不過|只是|然而|就是说|话说回来")
FEELING_DISMISSED = re.compile(r"(也|都|又)?(没用|沒用|没有用|白搭|至于|犯不着|犯不著|不至于|有什么好|有啥好|何必|别|別|不用|不必)")
# act14: more ways of taking the fault or the responsibility on the shop than `_OWNS_FAULT` reads — the follow-up owned
# (是我们没跟进好 / 怪我们没盯紧), the responsibility borne (这个锅我们背 / 责任我们来担 / 运费我们承担), the fault accepted
# (这个我们认): a message that says one, not negated, is no blame-shifting or arguing even where it names the third party
# whose slip it was (快递把件放错了驿站，是我们没跟进好). `acts.owned`, rule forbidden_phrases.guard.owned.
_US = "(我们|我們|我|咱们|咱們|咱|小店|本店|店里|店裡|我们店|我們店|这边|這邊|我这边|我這邊|我哋)"
OWNED = [
    f"re:(?<![不非没沒])(是|怪|算)(在)?{_US}(这边|這邊|自己)?的?[^，。,.!！?？~～不]{{0,4}}(没|没有|沒|沒有|未)(跟进|跟進|跟紧|跟緊|盯|盯紧|盯緊|安排|处理|處理|核实|核實|检查|檢查|查|包|打包|核对|核對|通知|说明|說明|写|寫|备注|備註|更新|做|交代|沟通|溝通)(好|到位|清楚|仔细|仔細|及时|及時|明白)",
    f"re:(责任|責任|锅|鍋)(由|在|归|歸)?{_US}(来|來)?(担|擔|背|负|負|承担|承擔|认|認)(?![^，。,.!！?？~～]{{0,2}}(不|吗|嗎|么|[?？]))",
    f"re:(?<![不别別])(这个|這個|这次|這次|这|這)?{_US}(来|來)?(负责到底|負責到底|全权负责|全權負責|承担(全部|所有)?(的)?(责任|损失|运费|费用)|承擔(全部|所有)?(的)?(責任|損失|運費|費用))",
    f"re:(运费|運費|费用|費用|损失|損失|差价|差價)(都)?(由)?{_US}(来|來)?(承担|承擔|出|负责|負責|包)(?![^，。,.!！?？~～]{{0,2}}(不|吗|嗎|么|[?？]))",
    f"re:(这个|這個|这次|這次)(锅|鍋)?{_US}(认|認)(了|的|啦|哈)?(?=[，。,.!！?？~～…;；\\s]|$)",
]
