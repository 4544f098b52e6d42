"""The stage protocol: the run checks the stages' order once, at start, before any data is touched."""
from __future__ import annotations

import pytest

from pipeline.scoring import score_files
from pipeline.stages import (
    STAGE_ORDER,
    ConversationStage,
    StageOrderError,
    build_stages,
    check_order,
    normalise_stage,
    segment_stage,
)
from pipeline.store import Store
from tests.pipeline._scoring_fakes import (
    FakeModel,
    FakeRubric,
    chat_rows,
    fake_read_inputs,
    fake_segment,
    fake_stages,
    write_jsonl,
)


def test_the_project_stages_in_order():
    stages = build_stages(FakeRubric(), FakeModel(), segmenter=lambda: fake_segment)
    assert tuple(s.name for s in stages) == STAGE_ORDER == ("assemble", "normalise", "segment", "sentiment", "rubric")
    for stage in stages:
        assert stage.requires and stage.assigns


def test_segment_before_normalise_is_refused_with_what_to_do():
    stages = build_stages(FakeRubric(), FakeModel(), segmenter=lambda: fake_segment)
    swapped = [stages[0], stages[2], stages[1], *stages[3:]]
    with pytest.raises(StageOrderError) as err:
        check_order(swapped)
    message = str(err.value)
    assert "stage 'segment' requires Message.norm, which no earlier stage assigns" in message
    assert "assemble → segment → normalise" in message and "put the stage that assigns it before 'segment'" in message


def test_replacement_needing_an_unassigned_field_fails_at_start(tmp_path):
    """A stage whose requirement no earlier stage assigns: a clear RunError before anything is stored."""
    needy = ConversationStage("segment", ("Message.norm", "Message.lemma"), ("Message.tokens",), fake_segment)
    day = write_jsonl(tmp_path / "d.jsonl", chat_rows("h001"))
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    with pytest.raises(StageOrderError, match="stage 'segment' requires Message.lemma"):
        score_files([day], url, rubric=FakeRubric(), model=FakeModel(), read_inputs=fake_read_inputs,
                    stages=[*fake_stages()[:2], needy])  # fmt: skip
    assert Store(url).list_runs() == []  # refused before the run started


def test_unknown_and_repeated_stage_names():
    with pytest.raises(StageOrderError, match="unknown stage"):
        build_stages(FakeRubric(), FakeModel(), replace=[ConversationStage("lemmatise", (), (), print)])
    normalise = normalise_stage(lambda conv: None)
    with pytest.raises(StageOrderError, match="repeat"):
        check_order([normalise, normalise])


def test_segment_stage_wraps_any_segmenter():
    calls = []
    stage = segment_stage(calls.append)
    stage("conv")
    stage.pipe(["a", "b"])
    assert calls == ["conv", "a", "b"]


def test_the_model_stage_runs_ahead_beside_normalise_and_segment():
    from pipeline.stages import split_ahead

    stages = build_stages(FakeRubric(), FakeModel(), segmenter=lambda: fake_segment)
    before, ahead, after = split_ahead(stages[1:])
    assert ([s.name for s in before], [s.name for s in ahead], [s.name for s in after]) == (
        ["normalise", "segment"], ["sentiment"], ["rubric"]
    )  # fmt: skip
    unmarked = [s for s in stages[1:] if s.name != "sentiment"]
    assert split_ahead(unmarked) == ([], [], unmarked)


def test_a_stage_marked_ahead_that_depends_on_an_earlier_stage_is_refused():
    import dataclasses

    stages = build_stages(FakeRubric(), FakeModel(), segmenter=lambda: fake_segment)
    sentiment = stages[3]
    reads_tokens = dataclasses.replace(sentiment, requires=(*sentiment.requires, "Message.tokens"))
    with pytest.raises(StageOrderError, match="'sentiment' is marked ahead .* segment assigns Message.tokens"):
        check_order([*stages[:3], reads_tokens, stages[4]])
    writes_norm = dataclasses.replace(sentiment, assigns=(*sentiment.assigns, "Message.norm"))
    with pytest.raises(StageOrderError, match="normalise assigns Message.norm; segment requires Message.norm"):
        check_order([*stages[:3], writes_norm, stages[4]])
    rubric_ahead = dataclasses.replace(stages[4], ahead=True)
    with pytest.raises(StageOrderError, match="'rubric' is marked ahead"):
        check_order([*stages[:4], rubric_ahead])
