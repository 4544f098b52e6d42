"""default@13 (lst12): time_commitment — a time that describes the present or the past is no time frame, a booking fixed
in the chat and a done report whose times are when the goods move hand nothing on, negotiating with a third party is a
hand-off; active_listening — a receipt template is no restatement. Each with contrasts that must not change."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


def _tc(commitment, customer, *agent_lines):
    turns = [("customer", customer, 0)] + [("agent", a, 30 + 30 * i) for i, a in enumerate(agent_lines)]
    return commitment.score(make_conversation(turns, run_stages=False))


@pytest.mark.parametrize("reply", [
    "不好意思 维修师傅那边今天单子特别多，我已经反馈给网点了，排到了会先给您打电话",
    "耽误您半天了实在抱歉，我已经反馈给安装网点，让他们重新排，有结果马上通知您",
    "让您等了一上午真不好意思，这边帮您反馈给站点了，等他们回复",
])
def test_a_time_of_the_present_or_the_past_is_no_time_frame(commitment, reply):
    assert _tc(commitment, "约好的师傅一直没来", reply).status == "fail", reply


@pytest.mark.parametrize("reply", [
    "我已经反馈给安装网点了，今天下班前给您回电话",  # a deadline still counts
    "这两天师傅有点忙，我帮您反馈一下，明天上午给您答复",
])
def test_a_real_time_frame_beside_it_still_passes(commitment, reply):
    assert _tc(commitment, "约好的师傅一直没来", reply).status == "pass", reply


@pytest.mark.parametrize("reply", [
    "好的，周六上午9点已锁定，师傅周五晚上会给您打电话确认",
    "已经帮您改到周日下午了，师傅出发前会打您电话",
])
def test_a_booking_fixed_in_the_chat_hands_nothing_on(commitment, reply):
    assert _tc(commitment, "安装能改个时间吗", reply).status == "na", reply


def test_a_done_report_with_the_point_the_goods_move_is_no_hand_off(commitment):
    reply = "确实是我们发错了，已经给您登记了换货，新的今天下午从仓库发出，旧的明天上午快递上门取件"
    assert _tc(commitment, "发错货了", reply).status == "na"


@pytest.mark.parametrize("reply", [
    "已经帮您提交给仓库了，48小时内给您发出新的",  # a window: the labels read it as a promise
    "多扣的钱我已经提交给财务退款，1-3个工作日内原路退回",
    "已经给您登记了换货，仓库核实后明天上午给您回复",  # still waits on someone
])
def test_a_window_or_a_pending_check_keeps_the_hand_off(commitment, reply):
    assert _tc(commitment, "发错货了", reply).status == "pass", reply


def test_negotiating_with_a_third_party_is_a_hand_off(commitment):
    reply = "我正在跟酒店交涉保留原房间，最晚今晚八点前电话告诉您结果"
    assert _tc(commitment, "到了酒店说没房了", reply).status == "pass"
    # talking it through with the customer is none
    assert _tc(commitment, "到了酒店说没房了", "我跟您协调一下入住时间好吗").status == "na"


def _al(listening, agent):
    conv = make_conversation([("customer", "收到的杯子漏水 杯盖那圈一直滴", 0), ("agent", agent, 30)], run_stages=False)
    return listening.score(conv).status


@pytest.mark.parametrize("agent", [
    "您反馈的问题我们已经收到了哦，会尽快给您处理",
    "你反映的情况这边已经记录了，请耐心等待",
    "亲 您遇到的问题我了解了 马上安排",
])
def test_a_receipt_template_is_no_restatement(listening, agent):
    assert _al(listening, agent) == "fail", agent


@pytest.mark.parametrize("agent", [
    "您反馈的杯盖漏水我们已经收到了，跟您确认一下是杯盖那一圈在滴对吗",
    "您是说杯盖那圈一直滴水，对吗？",
])
def test_a_restatement_that_names_the_problem_still_passes(listening, agent):
    assert _al(listening, agent) == "pass", agent
