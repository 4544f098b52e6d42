"""The nightly flow end to end under Prefect's test harness (one temporary server for the module).

The harness starts a Prefect server subprocess with a fresh database: ~10–20 s, so every
flow check shares one harness.
"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from flows.nightly_qa import ARTIFACT_KEY, nightly_qa, summary_markdown
from pipeline.scoring import RunSummary
from pipeline.store import Store
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, chat_rows, fake_read_inputs, fake_stages, write_jsonl


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_summary_markdown_lists_counts_and_flags():
    s = RunSummary(run_id="r1", read=7, stored=6, quarantined=1, conversations=2, flagged=1,
                   flagged_conversations=[("h002", ["negative_end", "sla_breach"])],
                   errors=[("boom", "rubric", "RuntimeError: x | y")])  # fmt: skip
    md = summary_markdown(s)
    assert "| 7 | 6 | 0 | 1 | 2 |" in md
    assert "| h002 | negative_end, sla_breach |" in md
    assert "zhijian quarantine --run r1" in md and "| boom | rubric | RuntimeError: x / y |" in md


@pytest.mark.slow
def test_nightly_flow_end_to_end(harness, tmp_path):
    from prefect.client.orchestration import get_client

    rows = chat_rows("h001") + chat_rows("h002", bad_end=True) + chat_rows("boom1")
    rows.append({"conversation_id": "h004", "role": "customer", "text": "没有时间"})
    day = write_jsonl(tmp_path / "day1.jsonl", rows)
    store_url = f"sqlite:///{tmp_path / 'qa.db'}"
    kwargs = dict(store_url=store_url, results_path=str(tmp_path / "out.jsonl"), rubric=FakeRubric(),
                  stages=fake_stages(), read_inputs=fake_read_inputs, batch_size=2)  # fmt: skip

    summary = nightly_qa([str(day)], model=FakeModel(), **kwargs)
    assert summary.summary_line() == "summary: read=10 stored=9 duplicates=0 quarantined=1 conversations=3 flagged=2"
    assert summary.status == "partial" and [e[0] for e in summary.errors] == ["boom1"]
    results = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["conversation_id"] for r in results] == ["h001", "h002", "boom1"]

    with get_client(sync_client=True) as client:
        artifacts = [a for a in client.read_artifacts() if a.key == ARTIFACT_KEY]
    assert artifacts and "h002" in artifacts[-1].data and "negative_end" in artifacts[-1].data

    # Same file again: nothing stored twice, unchanged conversations read back, the failed one retried.
    model = FakeModel()
    again = nightly_qa([str(day)], model=model, **kwargs)
    assert (again.read, again.stored, again.duplicates, again.quarantined) == (10, 0, 9, 1)
    assert again.reused == 2 and again.scoring_errors == 1
    store = Store(store_url)
    assert [r["status"] for r in store.list_runs()] == ["partial", "partial"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM messages")).scalar() == 9


class _FailedState:
    def __init__(self, err: BaseException) -> None:
        self.err = err

    def result(self):
        raise self.err


def test_retries_are_decided_by_type_not_text():
    from flows.nightly_qa import _retry_if_retryable
    from pipeline.errors import RunError, StoreError, StoreUnavailable

    def retried(err):
        return _retry_if_retryable(None, None, _FailedState(err))

    unreachable = RunError("cannot open store sqlite:///x: locked — check --store or ZHIJIAN_STORE_URL")
    unreachable.__cause__ = StoreUnavailable("locked")
    assert retried(unreachable)  # its cause says: worth another try
    # Same words, no retryable cause: a wrong path stays wrong however often it is tried.
    assert not retried(RunError("cannot open store sqlite:///x: no such folder — check --store"))
    assert not retried(StoreError("cannot open store: older schema"))
    assert not retried(RunError("invalid rubric rubrics/x.yaml"))
    assert not retried(OSError("disk full"))


def test_flow_parameters_are_recorded_as_prefect_records_them_objects_by_type_name():
    from pathlib import Path

    from prefect import Flow

    plain = {"paths": ["a.jsonl", "b.jsonl"], "store_url": "sqlite:///qa.db", "results_path": None, "rescore": False,
             "batch_size": 50, "mapping": {"text": "content"}}  # fmt: skip
    assert nightly_qa.serialize_parameters(plain) == Flow.serialize_parameters(nightly_qa, plain) == plain

    class Reader:
        __slots__ = ("pieces",)

    objects = {"read_inputs": Reader(), "stages": [Reader()], "model": Path("models/x")}
    assert nightly_qa.serialize_parameters(objects) == {"read_inputs": "<Reader>", "stages": "<list>", "model": "models/x"}
    assert Flow.serialize_parameters(nightly_qa, {"model": Path("models/x")}) == {"model": "models/x"}


def test_flow_parameters_are_typed_and_validated():
    from prefect.exceptions import ParameterTypeError

    assert nightly_qa.should_validate_parameters
    ok = nightly_qa.validate_parameters({"paths": ["a.jsonl"], "batch_size": 50, "rescore": True})
    assert ok["batch_size"] == 50 and ok["paths"] == ["a.jsonl"]
    for bad in ({"paths": "a.jsonl", "batch_size": 0}, {"paths": ["a.jsonl"], "rescore": "sometimes"}):
        with pytest.raises(ParameterTypeError):
            nightly_qa.validate_parameters(bad)
