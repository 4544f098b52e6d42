"""pipeline.rubric.evaluate_handoffs: a writer's row as a conversation, and a setting scored through the criterion."""
import numpy as np

from pipeline.rubric.engine import load_rubric
from pipeline.rubric.evaluate_handoffs import EXPECTED, RULE_ALONE, Unit, row_conversation, score_unit
from pipeline.rubric.testing import prepare


def test_a_row_is_the_customers_burst_then_the_agents_message():
    conv = row_conversation("买的车厘子烂了 || 图片我发了", "我把图转给果园那边核一下")
    assert [(m.role, m.text) for m in conv.messages] == [
        ("customer", "买的车厘子烂了"), ("customer", "图片我发了"), ("agent", "我把图转给果园那边核一下")]
    assert conv.messages[-1].agent_id == "A01"
    assert EXPECTED == {"hands_on_with_time": "pass", "hands_on_no_time": "fail", "solved_now": "na", "other": "na"}


class Fixed:
    model_id = "zh-cs-handoffs@test"

    def readings(self, examples):
        return np.full(len(examples), 0.9), np.zeros(len(examples))


def test_a_setting_is_scored_through_the_criterion_and_the_rule_alone_switches_the_model_off():
    rubric = load_rubric(None)
    crit = next(c for c in rubric.criteria if c.id == "time_commitment")
    unit = Unit("t", [(prepare(row_conversation("榴莲是生的", "收到，我跟种植基地那边说一下")), "fail")])
    assert score_unit(crit, Fixed(), unit, (0.6, None, None, None)) == [("fail", "fail")]
    assert score_unit(crit, Fixed(), unit, RULE_ALONE) == [("fail", "na")]
