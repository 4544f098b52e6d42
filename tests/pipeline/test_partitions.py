"""pipeline.partitions: a worker builds the stages once per model + rubric, and a partition scored
apart from the store comes back whole (picklable, errors as text)."""
from __future__ import annotations

import pickle

import pytest

from pipeline import partitions
from pipeline.partitions import PartitionSpec, score_messages, stages_for, strip_analysis
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, conversation, fake_stages

RUBRIC_TEXT = "id: fake\nversion: 1\n"


@pytest.fixture
def built(monkeypatch):
    """Count stage builds instead of loading a model and a rubric."""
    calls: list[PartitionSpec] = []

    def fake_build(spec):
        calls.append(spec)
        return [object()]

    monkeypatch.setattr(partitions, "_build", fake_build)
    monkeypatch.setattr(partitions, "_STAGES", {})
    return calls


def test_stages_are_built_once_per_model_and_rubric_text(built):
    spec = PartitionSpec(model="models/zh-cs-sentiment", rubric_text=RUBRIC_TEXT)
    first = stages_for(spec)
    assert stages_for(PartitionSpec(model="models/zh-cs-sentiment", rubric_text=RUBRIC_TEXT)) is first
    assert len(built) == 1
    # an edited rubric (same id, other text) or another model is a new build, never a stale one
    stages_for(PartitionSpec(model="models/zh-cs-sentiment", rubric_text=RUBRIC_TEXT + "# edited\n"))
    stages_for(PartitionSpec(model="other-model", rubric_text=RUBRIC_TEXT))
    assert len(built) == 3 and len(partitions._STAGES) == partitions._KEEP


def test_objects_in_the_spec_are_not_cached(built):
    spec = PartitionSpec(model=FakeModel(), rubric_text=None, rubric=FakeRubric())
    assert spec.cache_key() is None
    stages_for(spec), stages_for(spec)
    assert len(built) == 2


def test_a_scored_partition_pickles_with_its_errors_as_text():
    msgs = [m for cid in ("h001", "boom1") for m in conversation(cid).messages]
    spec = PartitionSpec(model=FakeModel(), rubric_text=None, rubric=FakeRubric(), replace=tuple(fake_stages()))
    scored = strip_analysis(score_messages(stages_for(spec), msgs))
    back = pickle.loads(pickle.dumps(scored))
    assert [c.conversation_id for c in back.conversations] == ["h001"]
    assert [(cid, stage) for cid, stage, _ in back.errors] == [("boom1", "rubric")]
    assert "criterion blew up" in back.errors[0][2]
    assert back.error_results["boom1"]["flags"][0]["code"] == "scoring_error"
    assert set(back.stage_seconds) >= {"assemble", "rubric"}
    assert all(m.tokens == [] and m.norm == "" for m in back.conversations[0].messages)
