"""The rubric pins the customer-state model (EmotionParams.state_model_version), as it pins the act model:
results are keyed by rubric and sentiment model only, so a new state model must come with a new rubric version."""
from __future__ import annotations

import pytest

import pipeline.customer_state as customer_state
from pipeline.rubric import load_rubric
from pipeline.rubric.criteria._common import EmotionDetector, EmotionParams


class _Fake:
    def __init__(self, model_id):
        self.model_id = model_id


def test_another_state_model_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setattr(customer_state, "state_model", lambda: _Fake("zh-cs-state@9"))
    with pytest.raises(ValueError) as err:
        EmotionDetector(EmotionParams(state_model_version="zh-cs-state@2"), "empathy.trigger")
    msg = str(err.value)
    assert "empathy.trigger" in msg and "zh-cs-state@2" in msg and "zh-cs-state@9" in msg
    assert "state_model_version" in msg and "ZHIJIAN_STATE_MODEL" in msg


@pytest.mark.parametrize("model, pinned", [(None, "zh-cs-state@2"), (_Fake("zh-cs-state@9"), None), (_Fake("zh-cs-state@2"), "zh-cs-state@2")])
def test_layer_off_unpinned_or_matching_is_accepted(monkeypatch, model, pinned):
    monkeypatch.setattr(customer_state, "state_model", lambda: model)
    EmotionDetector(EmotionParams(state_model_version=pinned), "negative_end")


def test_rules_alone_do_not_look_at_the_state_model(monkeypatch):
    monkeypatch.setattr(customer_state, "state_model", lambda: _Fake("zh-cs-state@9"))
    EmotionDetector(EmotionParams(use_state=False), "empathy.trigger")


def test_default_rubric_pins_the_shipped_state_model():
    rubric = load_rubric()
    empathy = next(c for c in rubric.criteria if c.id == "empathy")
    negative_end = next(f for f in rubric.flags if f.code == "negative_end")
    assert empathy.params.trigger.state_model_version == "zh-cs-state@7"
    assert negative_end.params.emotion.state_model_version == "zh-cs-state@7"
    assert empathy.compiled and negative_end.compiled  # the shipped model is the pinned one


def test_criteria_defaults_pin_the_shipped_state_model():
    """A criterion built without rubric params (tests, a rubric that omits the trigger) accepts the shipped model."""
    from models.state_recipe import VERSION
    from pipeline.customer_state import SHIPPED_STATE_MODEL
    from pipeline.rubric.criteria.empathy import default_emotion
    from pipeline.rubric.criteria.flags import NegativeEndParams

    assert SHIPPED_STATE_MODEL == f"zh-cs-state@{VERSION}"
    assert default_emotion().state_model_version == SHIPPED_STATE_MODEL
    assert NegativeEndParams().emotion.state_model_version == SHIPPED_STATE_MODEL
