"""pipeline/rubric/evaluate_kinds.py: the pooled figures of a (na_below, applies_above) combination."""
from __future__ import annotations

from pipeline.rubric.evaluate_kinds import Row, figures, sweep


def _rows():
    return [
        # a dev set: the rule reads a pre-sale chat as after-sales, the model says 0.1 (a veto fixes it)
        Row("rubric", ["保修几年"], False, "na", rule=True, judge="fail", p=0.1),
        Row("rubric", ["杯子裂了"], True, "pass", rule=True, judge="pass", p=0.9),
        # a writers' file (no criterion label): the rule misses a defect, the model reads 0.8 (enabling fixes it)
        Row("wkind1", ["底下掉渣渣"], True, None, rule=False, p=0.8),
        Row("wkind1", ["有白色吗"], False, None, rule=False, p=0.2),
    ]


def test_the_rule_alone_and_the_combination():
    rule = figures(_rows(), 0.0, 1.01)
    assert rule["applies_all"] == 0.5 and rule["applies_unseen"] == 0.5 and rule["criterion_dev"] == 0.5
    both = figures(_rows(), 0.3, 0.7)
    assert both["applies_all"] == 1.0 and both["criterion_dev"] == 1.0
    assert both["per_writer"] == {"rubric": 1.0, "wkind1": 1.0}


def test_the_sweep_holds_the_rule_alone_and_only_ordered_bars():
    res = sweep(_rows())
    assert (0.0, 1.01) in [(lo, hi) for lo, hi, _ in res]
    assert all(hi >= lo for lo, hi, _ in res)
