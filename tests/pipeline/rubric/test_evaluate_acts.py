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
