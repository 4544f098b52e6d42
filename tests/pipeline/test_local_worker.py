"""pipeline/local_worker.py: with the worker process forced on, a run leaves exactly what it leaves in one
process (results file, stored rows, scoring errors), and a worker that dies, cannot start or is orphaned
never costs a result nor hangs the run."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import local_worker
from pipeline.local_worker import LocalWorker, WorkerSpec
from pipeline.scoring import score_files
from pipeline.stages import rubric_stage, sentiment_stage
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, chat_rows, fake_read_inputs, fake_stages, write_jsonl
from tests.pipeline.test_scoring_overlap import stored

REPO = Path(__file__).resolve().parents[2]


class DyingRubric(FakeRubric):
    """FakeRubric whose worker process dies (as if killed) on conversation die7; the run's own process scores it."""

    def score(self, conv) -> None:
        if conv.conversation_id == "die7" and os.environ.get("PAR_TEST_RUN_PID") != str(os.getpid()):
            os._exit(3)
        super().score(conv)


@pytest.fixture
def forced(monkeypatch):
    """The worker on for small inputs, answering before the first batch's rubric, in pieces of 2; records its counts."""
    monkeypatch.setattr(local_worker, "MIN_CONVERSATIONS", 0)
    monkeypatch.setattr(local_worker, "CHUNK", 2)
    monkeypatch.setattr(local_worker, "room_for_worker", lambda: True)
    monkeypatch.setenv("PAR_TEST_RUN_PID", str(os.getpid()))
    ready = LocalWorker.ready

    def ready_after_start(self) -> bool:
        if self._started is not None and not self.broken:
            try:
                self._started.result(timeout=120)
            except Exception:
                pass
        return ready(self)

    monkeypatch.setattr(LocalWorker, "ready", ready_after_start)
    counts: list[dict] = []
    close = LocalWorker.close

    def close_and_count(self) -> None:
        counts.append(dict(self.counts, broken=self.broken))
        close(self)

    monkeypatch.setattr(LocalWorker, "close", close_and_count)
    return counts


def night(tmp_path) -> list[Path]:
    ids = [f"h{i}" for i in range(1, 13)] + ["boom1", "die7", "bad3"]
    data = [r for cid in ids for r in chat_rows(cid, bad_end=cid.startswith("bad"))]
    return [write_jsonl(tmp_path / "d.jsonl", data)]


def fake_run(paths, where: Path, rubric) -> object:
    where.mkdir()
    model = FakeModel()
    return score_files(
        paths, f"sqlite:///{where / 'qa.db'}", where / "out.jsonl", model=model, read_inputs=fake_read_inputs,
        stages=[*fake_stages(), sentiment_stage(model), rubric_stage(rubric)], batch_size=4, rubric=rubric,
    )  # fmt: skip


@pytest.mark.parametrize("steal", [False, True])
def test_the_worker_leaves_what_one_process_leaves(tmp_path, forced, monkeypatch, steal):
    """Without taking pieces back (the fake model is instant: the run's thread would take them all), and with."""
    collect = local_worker._Shared.collect
    monkeypatch.setattr(local_worker._Shared, "collect", lambda self, *a: collect(self, *a[:3], steal and a[3]))
    paths = night(tmp_path)
    monkeypatch.setenv("ZHIJIAN_LOCAL_WORKER", "false")
    from pipeline.settings import get_settings

    get_settings.cache_clear()
    try:
        alone = fake_run(paths, tmp_path / "alone", FakeRubric())
    finally:
        monkeypatch.setenv("ZHIJIAN_LOCAL_WORKER", "true")  # off by default: on for this run
        get_settings.cache_clear()
    assert forced == [], "the setting off: no worker"
    shared = fake_run(paths, tmp_path / "shared", FakeRubric())
    assert (forced[-1]["worker"] > 0 or steal) and not forced[-1]["broken"]
    assert (tmp_path / "alone" / "out.jsonl").read_bytes() == (tmp_path / "shared" / "out.jsonl").read_bytes()
    assert stored(tmp_path / "alone") == stored(tmp_path / "shared")
    assert alone.errors == shared.errors and alone.flagged_conversations == shared.flagged_conversations
    assert [(cid, stage) for cid, stage, _ in shared.errors] == [("boom1", "rubric")]
    assert "RuntimeError: criterion blew up" in shared.errors[0][2]
    assert shared.conversations == 15 and shared.status == "partial"


def test_the_project_rubric_in_the_worker_gives_the_same_results_file(tmp_path, forced, monkeypatch):
    """The real stages on the bundled sample (333 conversations): the worker builds the rubric from its text."""
    files = sorted(str(p) for p in (REPO / "data" / "sample").glob("*.jsonl"))
    out = {}
    for_run = LocalWorker.__dict__["for_run"]
    for name, on in (("one", False), ("two", True)):
        monkeypatch.setattr(LocalWorker, "for_run", for_run if on else classmethod(lambda cls, *a: None))
        summary = score_files(files, f"sqlite:///{tmp_path / name}.db", tmp_path / f"{name}.jsonl", batch_size=100)
        out[name] = (summary, (tmp_path / f"{name}.jsonl").read_bytes())
    assert forced[-1]["worker"] > 0 and not forced[-1]["broken"]
    assert out["one"][1] == out["two"][1]
    assert out["one"][0].errors == out["two"][0].errors and out["two"][0].conversations == 333


def test_a_worker_that_dies_leaves_its_pieces_to_the_run(tmp_path, forced, caplog, monkeypatch):
    collect = local_worker._Shared.collect  # every piece the worker's, die7's too
    monkeypatch.setattr(local_worker._Shared, "collect", lambda self, *a: collect(self, *a[:3], False))
    paths = night(tmp_path)
    for_run = LocalWorker.__dict__["for_run"]
    monkeypatch.setattr(LocalWorker, "for_run", classmethod(lambda cls, *a: None))
    alone = fake_run(paths, tmp_path / "alone", DyingRubric())
    monkeypatch.setattr(LocalWorker, "for_run", for_run)
    with caplog.at_level(logging.WARNING, logger="zhijian.local_worker"):
        shared = fake_run(paths, tmp_path / "shared", DyingRubric())
    assert forced[-1]["broken"] and "scoring worker process stopped" in caplog.text
    assert (tmp_path / "alone" / "out.jsonl").read_bytes() == (tmp_path / "shared" / "out.jsonl").read_bytes()
    assert stored(tmp_path / "alone") == stored(tmp_path / "shared") and shared.errors == alone.errors


def test_a_worker_that_cannot_start_is_given_up_and_the_run_scores_alone(caplog):
    worker = LocalWorker(WorkerSpec(rubric_text="criteria: [unclosed", rubric_source="broken.yaml"), batch_size=1)
    with caplog.at_level(logging.WARNING, logger="zhijian.local_worker"):
        worker._start()
        deadline = time.monotonic() + 120
        while worker._started is not None and not worker._started.done() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.ready() is False
    assert worker.broken and worker.share([], [object()]) is None
    assert "scoring worker process stopped" in caplog.text
    worker.close()


def test_an_orphaned_worker_ends_by_itself(tmp_path):
    """The run killed with SIGKILL: its worker process notices and exits (it would wait on its queue for ever)."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from pipeline.local_worker import LocalWorker, WorkerSpec\n"
        "from pipeline.stages import rubric_stage\n"
        "from tests.pipeline._scoring_fakes import FakeRubric\n"
        "w = LocalWorker(WorkerSpec(stages=(rubric_stage(FakeRubric()),)), batch_size=1)\n"
        "w._start()\n"
        "print(w._started.result(timeout=120), flush=True)\n"
        "time.sleep(600)\n",
        encoding="utf-8",
    )  # fmt: skip
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        worker_pid = int(parent.stdout.readline())
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(worker_pid):
        time.sleep(0.1)
    assert not _alive(worker_pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; its parent (gone) would reap it
