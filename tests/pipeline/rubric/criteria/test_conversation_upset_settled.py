"""empathy.v1's trigger passes over a calm report fixed at once (emp14, _conversation_upset.settled): a turn that only
the model readings find upset — no emotion word, no shape of feeling, no persistence — whose human reply settles the
trouble now (已给您补发 / 这就给您换 / 给您办理退款), with no condition on the customer and no hand-off, and which the
customer's next turn takes calmly, shows no feeling to acknowledge. Readings set by hand; invented sentences in several
registers, each rule beside the look-alike that must stay upset."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import conversation_with_readings as _chat

UPSET_READ = ("negative", 0.9, 0.9)  # the state layer reads the fault report as needing empathy
CALM = ("neutral", 0.05, 0.05)
UPSET = ("negative", 0.95, 0.95)


def _rules(r):
    return {e.rule for e in r.evidence}


@pytest.mark.parametrize("report, reply, answer", [
    ("你们发错颜色了 我要的是米白 来的是卡其", "亲，马上给您补发米白色，卡其那件不用寄回啦🌹", "👌 谢谢"),
    ("買的檯燈燈罩是歪的，插上也不亮", "这边直接给您换新，快递小哥明天上门取件", "行 麻烦了"),
    ("少发了一包纸巾 只有两包", "亲，已为您重新发出一包，单号稍后同步", "好滴"),
    ("收到的保溫杯蓋子有條裂縫 訂單尾號2231", "好的亲，已经给您补发一个新的盖子了，明天到", "好的谢谢"),
    ("地址填错了 是7栋不是1栋", "已经给您改好了，7栋2单元", "ok"),
])
def test_a_calm_report_fixed_at_once_needs_no_empathy(empathy, report, reply, answer):
    r = empathy.score(_chat([("agent", "您好，请问有什么可以帮您"), ("customer", report), ("agent", reply), ("customer", answer)],
                            [UPSET_READ, CALM]))
    assert r.status == "na", report
    assert "empathy.trigger.settled_at_once" in _rules(r)


@pytest.mark.parametrize("report", [
    "你们发错颜色了 气死我了",  # an emotion word
    "换回来的这个又是坏的 插上不亮",  # persistence
    "发错颜色了？？我要的是米白",  # a shape of feeling
])
def test_a_feeling_shown_stays_upset_however_fast_the_fix(empathy, report):
    r = empathy.score(_chat([("customer", report), ("agent", "马上给您补发米白色"), ("customer", "好吧")], [UPSET_READ, CALM]))
    assert r.status == "fail", report


@pytest.mark.parametrize("reply", [
    "需要您先寄回来，我们才能给您补发",  # a condition on the customer
    "这边帮您反馈一下，给您补发要等仓库审核",  # a hand-off
    "给您补发可以吗",  # an offer asked, not yet made
    "好的，帮您看一下",  # no fix at all
])
def test_a_reply_that_does_not_settle_it_leaves_the_turn_upset(empathy, reply):
    r = empathy.score(_chat([("customer", "你们发错颜色了 我要的是米白"), ("agent", reply), ("customer", "好吧")], [UPSET_READ, CALM]))
    assert r.status == "fail", reply


def test_a_customer_not_calmed_by_the_fix_stays_upset(empathy):
    r = empathy.score(_chat([("customer", "你们发错颜色了 我要的是米白"), ("agent", "马上给您补发米白色"),
                             ("customer", "补发要等几天啊 我周六就要穿")], [UPSET_READ, UPSET]))
    assert r.status == "fail"


def test_with_no_answer_from_the_customer_nobody_knows_it_was_calm(empathy):
    r = empathy.score(_chat([("customer", "你们发错颜色了 我要的是米白"), ("agent", "马上给您补发米白色")], [UPSET_READ]))
    assert r.status == "fail"


def test_a_later_upset_turn_still_triggers(empathy):
    r = empathy.score(_chat([("customer", "你们发错颜色了 我要的是米白"), ("agent", "马上给您补发米白色"), ("customer", "好的"),
                             ("customer", "补发的怎么还没到 气死了"), ("agent", "我查一下")], [UPSET_READ, CALM, UPSET]))
    assert r.status == "fail"
    assert r.evidence[0].seq == 4


def test_null_switches_it_off(empathy):
    from pipeline.rubric.criteria.empathy import Empathy

    params = empathy.params.model_copy(deep=True)
    params.trigger.conversation.settled = None
    conv = _chat([("customer", "你们发错颜色了 我要的是米白"), ("agent", "马上给您补发米白色"), ("customer", "好的谢谢")],
                 [UPSET_READ, CALM])
    assert Empathy(empathy.id, params=params).score(conv).status == "fail"
    assert empathy.score(conv).status == "na"
