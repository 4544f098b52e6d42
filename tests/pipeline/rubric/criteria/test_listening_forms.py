"""default@15 (lst14): active_listening's switches in _listening_forms.py — when it applies (hypothetical, disclaimed,
fee_dispute, invoice_error, ignored_instruction) and what counts as listening (check_forms, confirm_closes). Each
mechanism: the case it must catch, the look-alike it must leave alone, and the same case with its switch off. Every
sentence is invented; registers: JD / Taobao / PDD / Douyin templates, dialect, traditional characters, typos, emoji."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


def _conv(*turns):
    return make_conversation([("customer" if r == "c" else "agent", t, 30 * i) for i, (r, t) in enumerate(turns)])


def _off(crit, **update):
    return type(crit)(crit.id, crit.max_points, crit.params.model_copy(update=update))


def _status(crit, customer, agent="您好亲，在的"):
    return crit.score(_conv(("c", customer), ("a", agent))).status


# ---- hypothetical: a condition (…的话) or a wish against trouble reports nothing ---------------------------------


HYPOTHETICAL = [
    "碎了的话包赔吗 寄给我婆婆的",
    "亲 起球的话能换吗🤔",
    "壞了的話保修嗎",
    "宝子 这个花瓶千万别收到就有裂纹啊 送人的",
    "这件T恤会不会洗两次就变形啊",
    "麻烦多包几层 免得路上压坏了",
    "帮我查查物流 是不是已经放丰巢了",
    "我的件到驿站了吗？",
]


@pytest.mark.parametrize("customer", HYPOTHETICAL)
def test_a_condition_or_a_wish_against_trouble_is_no_report(listening, customer):
    assert _status(listening, customer) == "na", customer


@pytest.mark.parametrize("customer", HYPOTHETICAL[:4])
def test_without_the_switch_the_trouble_word_counts(listening, customer):
    assert _status(_off(listening, hypothetical=[]), customer) != "na", customer


@pytest.mark.parametrize("customer", [
    "已经坏了 退货的话运费谁出",  # the fault is told outside the condition
    "别再给我发错了 上次就发错过一次",  # 别再: it happened
    "杯子到了就裂了 怎么回事",  # a statement
    "放到驿站没人通知我 白跑一趟",  # a parcel left at a pickup point, told
])
def test_a_fault_told_outside_the_condition_still_applies(listening, customer):
    assert _status(listening, customer) != "na", customer


# ---- disclaimed: nothing wrong, bought or shipped yet -----------------------------------------------------------


DISCLAIMED = [
    "我的扫地机还在保修期吗 目前用着没毛病 随便问一下",
    "打算给我爸买一台 还没拍呢 坏了能上门修吗",
    "能帮我换成蓝色的吗 趁还没发货",
    "东西还没到 不着急哈 就是想问问大概啥时候",
]


@pytest.mark.parametrize("customer", DISCLAIMED)
def test_a_customer_who_says_nothing_is_wrong_yet_is_not_after_sales(listening, customer):
    assert _status(listening, customer) == "na", customer


@pytest.mark.parametrize("customer", DISCLAIMED)
def test_without_the_disclaimed_signal_they_read_after_sales(listening, customer):
    d = listening.params.decision
    crit = _off(listening, decision=d.model_copy(update={"signals": [s for s in d.signals if s.name != "disclaimed"]}))
    assert _status(crit, customer) != "na", customer


@pytest.mark.parametrize("customer", [
    "都一个星期了还没发货吗",  # a chase
    "就问问你们 东西坏了到底管不管",  # 就问问 that goes on to the fault
    "之前好好的 用了三天就坏了",
])
def test_a_complaint_with_a_look_alike_still_applies(listening, customer):
    assert _status(listening, customer) != "na", customer


# ---- fee_dispute: a charge disputed --------------------------------------------------------------------------------


FEES = [
    "为啥收了我20块上楼费😤",
    "明明写着包邮 结算怎么多出来10块运费😡",
    "安装师傅另外收了我100块安装费",
    "運費為甚麼扣了我兩次",
]


@pytest.mark.parametrize("customer", FEES)
def test_a_disputed_charge_is_a_complaint(listening, customer):
    assert _status(listening, customer) != "na", customer


@pytest.mark.parametrize("customer", FEES[:3])
def test_without_the_switch_a_disputed_charge_is_not_read(listening, customer):
    assert _status(_off(listening, fee_dispute=[]), customer) == "na", customer


@pytest.mark.parametrize("customer", [
    "运费多少钱 包邮吗",
    "安装费怎么收",
    "详情写的包安装 是真的吗",
    "运费要我出吗",
])
def test_a_question_about_a_fee_is_pre_sale(listening, customer):
    assert _status(listening, customer) == "na", customer


# ---- invoice_error (shipped off): an invoice issued wrongly ------------------------------------------------------


def test_an_invoice_issued_wrongly_applies_only_with_the_switch_on(listening):
    from pipeline.rubric.criteria._listening_forms import INVOICE_ERROR_15

    customer = "亲 发票金额开错了 跟实付对不上 麻烦重开一张"
    assert listening.params.invoice_error == []  # off in default@15
    assert _status(_off(listening, invoice_error=list(INVOICE_ERROR_15)), customer) != "na"
    assert _status(_off(listening, invoice_error=list(INVOICE_ERROR_15)), "想开个发票 公司抬头") == "na"


# ---- ignored_instruction: the shop did not do what was asked ----------------------------------------------------


IGNORED = [
    "我备注了不要香菜 结果还是放了 一口都吃不了",
    "留言里写过了别放门口 你们怎么又放门口了",
    "說過了要順豐 結果還是發了中通",
]


@pytest.mark.parametrize("customer", IGNORED)
def test_an_instruction_the_shop_ignored_is_a_complaint(listening, customer):
    assert _status(listening, customer) != "na", customer
    assert _status(_off(listening, ignored_instruction=[]), customer) == "na", customer


@pytest.mark.parametrize("customer", ["我说了要两件 你们那边看到了吗", "我写了备注 你们记得看一下哈"])
def test_an_instruction_given_is_no_complaint(listening, customer):
    assert _status(listening, customer) == "na", customer


# ---- check_forms and confirm_closes: listening in other words ---------------------------------------------------

FAULT = "宝贝到了 台灯插上电不亮"

LISTENED = [
    "这边调出了您的订单，3月5号下单的护眼台灯一台",
    "我去仓库查一查这个单子当时的打包记录",
    "已经帮您翻了一下聊天记录，您之前确实备注了要暖光",
    "插上电一点反应都没有，是这个情况吗？",
    "了解，意思是插上电以后一点反应都没有",
    "就是说灯一次都没亮过，我没理解错吧",
]


@pytest.mark.parametrize("agent", LISTENED)
def test_a_check_or_a_confirmation_in_other_words_is_listening(listening, agent):
    res = listening.score(_conv(("c", FAULT), ("a", agent)))
    assert res.status == "pass", agent
    assert res.evidence[-1].rule == "active_listening.lexicon"


@pytest.mark.parametrize("agent", LISTENED)
def test_without_the_switches_they_are_not(listening, agent):
    assert _off(listening, check_forms=[], confirm_closes=[]).score(_conv(("c", FAULT), ("a", agent))).status == "fail", agent


@pytest.mark.parametrize("agent", [
    "您可以在订单详情里查看物流哦",
    "亲亲 您自己查看一下订单吧",
    "好的亲，是这样的，我们会尽快处理",
    "收到，我们会尽快处理的~",
    "非常抱歉给您带来不便😭",
])
def test_politeness_and_instructions_are_not_listening(listening, agent):
    assert listening.score(_conv(("c", FAULT), ("a", agent))).status == "fail", agent


# ---- settled: trouble the shop already settled, told with thanks -------------------------------------------------


SETTLED = [
    "上次那个摔坏的台灯你们给我补发了 谢谢 这次想问问灯泡有没有卖",
    "之前裂开的那个花盆已经给我换了，挺好的～再问下有大号的吗",
]


@pytest.mark.parametrize("customer", SETTLED)
def test_trouble_already_settled_with_thanks_is_no_open_case(listening, customer):
    assert _status(listening, customer) == "na", customer
    assert _status(_off(listening, settled=[]), customer) != "na", customer


@pytest.mark.parametrize("turns", [
    (("c", "杯子到手就碎了"), ("a", "已经给您退款了"), ("c", "退款到账了 谢谢")),  # the chat's own case, settled at its end
    (("c", "退款到账了吗 都三天了"), ("a", "您好")),  # a question settles nothing
    (("c", "你们补发了 谢谢 可是补发的还是碎了"), ("a", "您好")),  # the trouble told again after the thanks
])
def test_a_case_of_this_chat_or_a_question_still_applies(listening, turns):
    assert listening.score(_conv(*turns)).status != "na", turns


# ---- shapes_15: more faults told by their effect ----------------------------------------------------------------


SHAPES = [
    "奶粉罐子鼓起来了 打开一股怪味",
    "新买的沙发有股刺鼻的味道 熏得眼睛疼",
    "这个鞋柜放着一直晃😩",
    "热水壶底座往外渗水",
    "空调外机半夜咣当咣当响",
    "衣櫃門板高低不平",
]


@pytest.mark.parametrize("customer", SHAPES)
def test_a_fault_told_by_its_effect_is_after_sales(listening, customer):
    assert _status(listening, customer) != "na", customer
    assert _status(_off(listening, shapes_15=[]), customer) == "na", customer


@pytest.mark.parametrize("customer", [
    "这款沙发有没有甲醛味啊",
    "床垫会不会晃啊 我睡觉轻",
    "不会有塑料味吧 给宝宝用的",
    "这个音响低音咚咚的好不好",
])
def test_a_question_about_the_effect_is_pre_sale(listening, customer):
    assert _status(listening, customer) == "na", customer


# ---- evidence: what a context set aside is named on the na verdict ----------------------------------------------


@pytest.mark.parametrize("customer,word", [
    ("碎了的话包赔吗 寄给我婆婆的", "碎了"),
    ("上次那个摔坏的台灯你们给我补发了 谢谢 这次想问问灯泡有没有卖", "坏的"),
])
def test_a_trouble_word_set_aside_by_its_context_is_named(listening, customer, word):
    res = listening.score(_conv(("c", customer), ("a", "您好")))
    assert res.status == "na"
    ev = res.evidence[-1]
    assert ev.rule == "active_listening.topic.context" and word in ev.note


def test_without_the_contexts_nothing_is_named(listening):
    res = _off(listening, hypothetical=[], settled=[]).score(_conv(("c", "您好 请问有大码吗"), ("a", "有的")))
    assert res.status == "na" and all(e.rule != "active_listening.topic.context" for e in res.evidence)
