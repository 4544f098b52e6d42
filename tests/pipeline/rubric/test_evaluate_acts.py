"""pipeline.rubric.evaluate_acts: the criterion measured message by message, and the leave-one-writer-out
rubric that swaps in a fold's act model."""
from __future__ import annotations

import pytest

from models.acts import SHIPPED_ACT_MODEL_DIR
from pipeline.rubric.evaluate_acts import _with_act_model, criterion_acts, main


def test_lowo_rubric_reads_the_given_act_model_and_keeps_only_the_taboo_criterion():
    rubric = _with_act_model(None, str(SHIPPED_ACT_MODEL_DIR))
    assert [c.id for c in rubric.criteria] == ["forbidden_phrases"]
    acts = rubric.criteria[0].params.acts
    assert acts.model == str(SHIPPED_ACT_MODEL_DIR) and acts.model_version is None  # a fold's model has any version
    pred, _ = criterion_acts(["亲 这个我们这边真的是一点辙都没有了哦", "您好，请问有什么可以帮您"], rubric)
    assert pred[0] != "none" and pred[1] == "none"


def test_cli_needs_a_file_or_lowo(capsys):
    with pytest.raises(SystemExit):
        main([])
    assert "--lowo" in capsys.readouterr().err


def test_why_names_the_bar_or_guard_that_dropped_each_missed_taboo():
    # act13: the criterion's misses tallied by the act layer's own reason (a bar per act, a guard, plain_refusal …)
    from pipeline.rubric.evaluate_acts import drop_reasons, format_drops
    from pipeline.rubric.engine import criterion_alone

    rubric = criterion_alone("forbidden_phrases", {"acts": {"threshold": 0.999, "short_threshold": 0.999, "act_thresholds": {},
                                                            "helpless_threshold": 0.999, "contradiction_threshold": 0.999}})
    drops = drop_reasons(["物流那边的延误我们这边左右不了的", "您好，请问有什么可以帮您"], ["blame_shifting", "none"], rubric)
    assert len(drops) == 1 and drops[0][1] == "blame_shifting"  # `none` lines are not drops
    assert drops[0][2].startswith("bar.") or drops[0][2] == "below"
    assert "labelled taboos the criterion passes: 1" in format_drops(drops)
