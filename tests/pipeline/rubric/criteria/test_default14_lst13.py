"""default@14 (lst13): active_listening — after-sales shapes without a trouble word (AFTER_SALES_MORE_14) and the kind
model zh-cs-kinds@4 at na_below 0.4 (lst13 proposed 0.35; the lead kept 0.4); time_commitment — a look-up answered later in the chat hands nothing on
(answered_lookup), money already arrived reports a request done (DONE_14), a promise to tell once done still waits
(PENDING_14). Each with contrasts that must not change, and each mechanism switched off where it has a switch."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


def _conv(*turns):
    return make_conversation([("customer" if r == "c" else "agent", t, 30 * i) for i, (r, t) in enumerate(turns)], run_stages=False)


# ---- active_listening: the rule's after-sales shapes --------------------------------------------------------------


@pytest.mark.parametrize("customer", [
    "窗帘做好寄到了 短了十公分 我量的尺寸没错啊",
    "这块表戴了两天 一天慢五分钟",
    "毛衣拆开看 领口那里有个小洞",
    "下单选的一米八的床单 寄来的明显是一米五的",
    "送货的师傅态度太差了 东西扔门口就走",
    "包裹七天了都没变过 一直在转运中心",
    "遥控器有两个键按下去弹不起来",
])
def test_a_fault_told_by_its_shape_makes_the_chat_after_sales(listening, customer):
    res = listening.score(_conv(("c", customer), ("a", "您好亲，请稍等")))
    assert res.status == "fail", customer  # applies; nobody restated it


@pytest.mark.parametrize("customer", [
    "这个桌子长120厘米 宽60厘米吗",  # a size given, no shortfall
    "能再短十公分吗 我家窗户小",  # a request
    "有没有洞洞鞋 夏天穿的",  # a style
    "你们客服态度真好 再问下有没有大码",  # the agent's manner, praised — and no delivery staff
])
def test_a_size_a_request_a_style_are_no_fault(listening, customer):
    assert listening.score(_conv(("c", customer), ("a", "您好亲"))).status == "na", customer


def test_the_kind_model_is_pinned_at_its_new_version_and_veto_line(rubric):
    kp = next(c for c in rubric.criteria if c.id == "active_listening").params.kinds
    assert kp.model_version == "zh-cs-kinds@4" and kp.na_below == 0.4


# ---- time_commitment --------------------------------------------------------------------------------------------


def test_a_look_up_answered_in_the_chat_hands_nothing_on(commitment):
    conv = _conv(("c", "还有黑色L码吗 着急穿"), ("a", "我问一下仓库"), ("a", "仓库说还剩一件，已经给您留下了，今天下午发出"))
    res = commitment.score(conv)
    assert res.status == "na"


def test_the_same_look_up_without_the_switch_is_a_hand_off(commitment):
    crit = type(commitment)(commitment.id, commitment.max_points, commitment.params.model_copy(update={"answered_lookup": None}))
    conv = _conv(("c", "还有黑色L码吗 着急穿"), ("a", "我问一下仓库"), ("a", "仓库说还剩一件，已经给您留下了，今天下午发出"))
    assert crit.score(conv).status == "pass"


@pytest.mark.parametrize("turns", [
    (("c", "还有黑色L码吗"), ("a", "我问一下仓库"), ("a", "稍等哦 还在问")),  # a wait answers nothing
    (("c", "碗碎了一个"), ("a", "我反馈给仓库查一下"), ("a", "您先别扔，留着碎片")),  # a hand-off to act, not a look-up
])
def test_a_wait_or_a_hand_off_to_act_is_not_answered(commitment, turns):
    assert commitment.score(_conv(*turns)).status == "fail"


def test_a_chasing_hand_off_answered_with_a_time_still_passes(commitment):
    conv = _conv(("c", "订单一直没发货"), ("a", "我去仓库那边催一下"), ("c", "好"), ("a", "仓库回复说今晚之前一定发出，发出后我再跟您说"))
    assert commitment.score(conv).status == "pass"


def test_money_already_arrived_is_a_request_done(commitment):
    conv = _conv(("c", "衣服洗一次就掉色"), ("a", "给您申请了15元补偿，已经到账了，您看一下"))
    assert commitment.score(conv).status == "na"


def test_a_promise_to_tell_once_done_still_waits(commitment):
    conv = _conv(("c", "椅子少了一颗螺丝"), ("a", "抱歉，给您登记补发螺丝，安排好了跟您说"))
    res = commitment.score(conv)
    assert res.status == "fail" and res.evidence[-1].rule == "time_commitment.missing"


def test_an_apology_is_no_promise_to_tell(commitment):
    conv = _conv(("c", "卫衣掉色"), ("a", "退款已经提交，马上到账。再次跟您说声抱歉"))
    assert commitment.score(conv).status == "na"


def test_the_answered_look_up_is_named_in_the_evidence(commitment):
    conv = _conv(("c", "我的快递到哪了"), ("a", "我帮您查一下"), ("a", "在您市里的分拣中心了，预计明天上午送到"))
    res = commitment.score(conv)
    assert res.status == "na" and [e.rule for e in res.evidence] == ["time_commitment.answered_lookup"] * 2
    assert res.evidence[0].text == "我帮您查一下"


# ---- active_listening: confirming forms (LISTENING_MORE_14) -----------------------------------------------------


@pytest.mark.parametrize("agent", [
    "您好，是靠近拉链那块的污渍吗？",  # which one, asked back by its details
    "亲，是上周二到的那箱吗",
    "我记一下：12号拍的灰色毛衣，领口有个洞，给您换一件新的",  # the request summed up before acting
])
def test_a_confirming_form_passes(listening, agent):
    res = listening.score(_conv(("c", "衣服收到了 有一块污渍洗不掉 想换"), ("a", agent)))
    assert res.status == "pass" and res.evidence[-1].rule == "active_listening.lexicon", agent


@pytest.mark.parametrize("agent", [
    "您好，请问是哪件呢",  # asks, confirms nothing
    "我记一下：稍等",  # a colon with nothing summed up
    "好的亲，给您申请换货",
])
def test_a_question_or_a_bare_note_is_no_confirmation(listening, agent):
    assert listening.score(_conv(("c", "衣服收到了 有一块污渍洗不掉 想换"), ("a", agent))).status == "fail", agent


def test_asking_the_customers_leave_is_an_offer_not_a_model_hand_off(commitment):
    conv = _conv(("c", "到了酒店说没房了"), ("a", "我跟您协调一下入住时间好吗"))
    assert commitment.score(conv).status == "na"
    off = type(commitment)(commitment.id, commitment.max_points, commitment.params.model_copy(update={"offer_question": None}))
    res = off.score(conv)  # zh-cs-handoffs@3 reads the offer at 0.72, over the 0.7 bar
    assert res.status == "fail" and res.evidence[0].rule == "time_commitment.model_handoff"
