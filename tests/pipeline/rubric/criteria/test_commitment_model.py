"""time_commitment.v1's learned layer (default@12): the hand-off model adds hand-offs the triggers miss, its
evidence names the message, the model and the probability; the thresholds and the version pin."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.rubric.criteria.commitment import HandoffModelParams, TimeCommitment
from pipeline.rubric.testing import make_conversation


class ScriptedModel:
    """Reads P(hands on) / P(with time | hands on) from a table keyed by the agent text (default 0 / 0)."""

    model_id = "zh-cs-handoffs@test"

    def __init__(self, table):
        self.table = table
        self.seen = []

    def readings(self, examples):
        self.seen += list(examples)
        rows = np.array([self.table.get(a, (0.0, 0.0)) for a, _ in examples]).reshape(-1, 2)
        return rows[:, 0], rows[:, 1]


@pytest.fixture(scope="module")
def rule(rubric):
    return next(c for c in rubric.criteria if c.id == "time_commitment")


def _criterion(rule, model, **params):
    crit = TimeCommitment(rule.id, rule.max_points, rule.params.model_copy(
        update={"model": HandoffModelParams(model_version=None, **params)}))
    crit._compiled = (*rule.compiled[:6], model)
    return crit


def _conv(*agent_lines, customer="榴莲打开是生的，硬得跟石头一样"):
    turns = [("customer", customer, 0)] + [("agent", line, 30 + 30 * i) for i, line in enumerate(agent_lines)]
    return make_conversation(turns, run_stages=False)


UNMARKED = "收到，我跟种植基地那边说一下，等他们回话"


def test_a_hand_off_in_words_the_triggers_miss_is_found_by_the_model(rule):
    assert rule.score(_conv(UNMARKED)).status in ("na", "fail")  # whatever the shipped rubric reads
    model = ScriptedModel({UNMARKED: (0.83, 0.1)})
    res = _criterion(rule, model, threshold=0.6).score(_conv(UNMARKED))
    assert res.status == "fail"
    ev = res.evidence[0]
    assert ev.rule == "time_commitment.model_handoff" and ev.seq == 2 and ev.span == (0, len(UNMARKED))
    assert "zh-cs-handoffs@test" in ev.note and "0.83" in ev.note
    # the model read the message with the customer's turn before it
    assert model.seen == [(UNMARKED, "榴莲打开是生的，硬得跟石头一样")]


def test_below_the_threshold_the_model_adds_nothing(rule):
    assert _criterion(rule, ScriptedModel({UNMARKED: (0.55, 0.1)}), threshold=0.6).score(_conv(UNMARKED)).status == "na"
    assert _criterion(rule, ScriptedModel({UNMARKED: (0.99, 0.1)}), threshold=None).score(_conv(UNMARKED)).status == "na"


def test_a_model_hand_off_passes_on_the_rules_time_frame(rule):
    line = "收到，我跟种植基地那边说一下，明天中午前给您回话"
    res = _criterion(rule, ScriptedModel({line: (0.9, 0.2)}), threshold=0.6, time_threshold=None).score(_conv(line))
    assert res.status == "pass"
    assert res.evidence[0].rule == "time_commitment.model_handoff" and res.evidence[1].note.endswith("告知处理时限")


def test_the_models_time_reading_counts_only_from_time_threshold(rule):
    line = "收到，我跟种植基地那边说一下，等他们回话"
    model = ScriptedModel({line: (0.9, 0.8)})
    res = _criterion(rule, model, threshold=0.6, time_threshold=0.7).score(_conv(line))
    assert res.status == "pass" and res.evidence[1].rule == "time_commitment.model_time" and "0.80" in res.evidence[1].note
    assert _criterion(rule, model, threshold=0.6, time_threshold=None).score(_conv(line)).status == "fail"


def test_a_message_naming_a_time_needs_only_the_timed_threshold(rule):
    line = "压坏几个？你拍给我，我叫打包的师傅看一下，明天上午给你回话"
    model = ScriptedModel({line: (0.35, 0.9)})
    assert _criterion(rule, model, threshold=0.6).score(_conv(line)).status == "na"
    assert _criterion(rule, model, threshold=0.6, timed_threshold=0.3).score(_conv(line)).status == "pass"
    # a message without a time keeps the main threshold
    assert _criterion(rule, ScriptedModel({UNMARKED: (0.35, 0.9)}), threshold=0.6, timed_threshold=0.3).score(_conv(UNMARKED)).status == "na"


def test_the_veto_drops_a_trigger_hit_the_model_reads_as_no_hand_off(rule):
    line = "好的，我帮您反馈一下"
    assert _criterion(rule, ScriptedModel({line: (0.02, 0.0)}), veto=None).score(_conv(line)).status == "fail"
    assert _criterion(rule, ScriptedModel({line: (0.02, 0.0)}), veto=0.05).score(_conv(line)).status == "na"
    assert _criterion(rule, ScriptedModel({line: (0.2, 0.0)}), veto=0.05).score(_conv(line)).status == "fail"


def test_the_rules_done_and_excluded_readings_hold_for_model_hand_offs(rule):
    process = "一般提交后3个工作日内审核"  # how a service works (an excluded context of the triggers)
    assert _criterion(rule, ScriptedModel({process: (0.9, 0.9)}), threshold=0.6).score(_conv(process)).status == "na"
    first, later = "麻烦发一下收货地址，我这边安排补发", "补发已经提交好了，单号在订单详情里就能看到"
    model = ScriptedModel({first: (0.9, 0.1)})
    assert _criterion(rule, model, threshold=0.6).score(_conv(first)).status == "fail"
    assert _criterion(rule, model, threshold=0.6).score(_conv(first, later)).status == "na"  # carried out in the chat


def test_a_live_transfer_is_no_model_hand_off(rule):
    turns = [("customer", "我要退货", 0), ("agent", UNMARKED, 30, "A01"), ("agent", "您好，我是售后专员", 60, "A02")]
    conv = make_conversation(turns, run_stages=False)
    assert _criterion(rule, ScriptedModel({UNMARKED: (0.95, 0.0)}), threshold=0.6).score(conv).status == "na"


def test_the_rubric_pins_the_hand_off_model(rule):
    crit = TimeCommitment(rule.id, rule.max_points, rule.params.model_copy(
        update={"model": HandoffModelParams(model_version="zh-cs-handoffs@999")}))
    with pytest.raises(ValueError, match="hand-off model zh-cs-handoffs@999"):
        crit.compiled


def test_the_shipped_rubric_reads_the_shipped_model(rule):
    from models.handoffs import load_handoff_model

    assert rule.params.model.enabled and rule.params.model.model_version == load_handoff_model().model_id
