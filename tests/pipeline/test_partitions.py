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


def _recording_stages(model_calls: list, thread_names: set):
    """The fake stages with a sentiment stage marked ahead that records its conversations and thread."""
    import threading

    from pipeline.stages import ConversationStage, rubric_stage

    def label(convs):
        thread_names.add(threading.current_thread().name)
        model_calls.append([c.conversation_id for c in convs])
        for conv in convs:
            conv.model_version = "fake@1"

    sentiment = ConversationStage("sentiment", ("Message.text",), ("Conversation.model_version",), label, label,
                                  ahead=True)  # fmt: skip
    return [*fake_stages(), sentiment, rubric_stage(FakeRubric())]


def test_model_work_on_another_thread_gives_the_same_partition():
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.partitions import PartitionWork

    msgs = lambda: [m for cid in ("h001", "badnorm1", "h002", "boom1") for m in conversation(cid).messages]  # noqa: E731
    calls_in_order: list = []
    in_order = score_messages(_recording_stages(calls_in_order, set()), msgs())
    calls, threads = [], set()
    work = PartitionWork(_recording_stages(calls, threads), msgs())
    with ThreadPoolExecutor(1, thread_name_prefix="model") as pool:
        work.start_ahead(pool)
        work.run_before()
        beside = work.finish()
    assert threads == {"model_0"}  # the second call too: one model, one thread
    # all four went to the model thread; badnorm1 failed normalise, so the three left were labelled again
    assert calls == [["h001", "badnorm1", "h002", "boom1"], ["h001", "h002", "boom1"]]
    assert calls_in_order == [["h001", "h002", "boom1"]]
    assert [c.conversation_id for c in beside.conversations] == [c.conversation_id for c in in_order.conversations]
    assert beside.errors == in_order.errors and beside.error_results == in_order.error_results
    assert [c.model_version for c in beside.conversations] == ["fake@1", "fake@1"]


def test_model_thread_loads_on_the_callers_thread_and_keeps_one_batch_ahead():
    import threading

    from pipeline.partitions import ModelThread

    loads: list = []

    def load(ids):
        loads.append((tuple(ids), threading.current_thread().name))
        return [m for cid in ids for m in conversation(cid).messages]

    stages = _recording_stages([], set())
    ahead = ModelThread()
    try:
        first = ahead.take(stages, ["h001"], load)
        ahead.start(stages, ["h002"], load)
        ahead.start(stages, ["h002"], load)  # a retried batch announces the same next one: loaded once
        assert ahead.take(stages, ["h001"], load) is not first  # the retry of h001 loads again …
        assert [ids for ids, _ in ahead.pending] == [("h002",)]  # … and h002 stays ahead
        second = ahead.take(stages, ["h002"], load)
        assert ahead.pending == []
        assert [c.conversation_id for c in second.finish().conversations] == ["h002"]
        assert [c.conversation_id for c in first.finish().conversations] == ["h001"]
    finally:
        ahead.close()
    assert loads == [(("h001",), threading.current_thread().name), (("h002",), threading.current_thread().name),
                     (("h001",), threading.current_thread().name)]  # fmt: skip
    assert ahead.executor is None


def test_model_thread_score_prepares_the_next_batch_before_this_one_finishes():
    """ModelThread.score: the next batch is loaded, normalised and segmented (on this thread) before this
    batch's rubric, so this thread has work while the model labels this batch."""
    import threading

    from pipeline.partitions import ModelThread
    from pipeline.stages import normalise_stage, rubric_stage

    events: list = []

    def normalise(conv):
        events.append(("normalise", conv.conversation_id, threading.current_thread().name))

    class Rubric(FakeRubric):
        def score(self, conv):
            events.append(("rubric", conv.conversation_id, threading.current_thread().name))
            super().score(conv)

    stages = _recording_stages([], set())
    stages[1], stages[-1] = normalise_stage(normalise), rubric_stage(Rubric())
    load = lambda ids: [m for cid in ids for m in conversation(cid).messages]  # noqa: E731
    ahead = ModelThread()
    try:
        first = ahead.score(stages, ["h001"], ["h002"], load)
        second = ahead.score(stages, ["h002"], None, load)
    finally:
        ahead.close()
    here = threading.current_thread().name
    assert events == [("normalise", "h001", here), ("normalise", "h002", here), ("rubric", "h001", here),
                                   ("rubric", "h002", here)]  # fmt: skip
    assert [c.conversation_id for c in first.conversations + second.conversations] == ["h001", "h002"]
    assert first.stage_seconds.keys() == second.stage_seconds.keys() >= {"normalise", "sentiment", "rubric"}
