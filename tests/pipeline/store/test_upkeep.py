"""A killed run does not stay 'running' forever; ingest notes are stored and shown (issue 15)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlalchemy as sa

from pipeline.scoring import score_files
from pipeline.store import Store
from pipeline.store.schema import run_processes
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, chat_rows, fake_stages, write_jsonl
from tests.pipeline.store.helpers import BACKENDS, open_store


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_store(request.param, tmp_path) as s:
        yield s


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _set_process(store, run_id, **values):
    with store.engine.begin() as conn:
        conn.execute(run_processes.update().where(run_processes.c.run_id == run_id).values(**values))


def test_a_run_whose_process_is_gone_is_marked_failed(store):
    alive = store.start_run(["a.jsonl"], command="zhijian score a.jsonl")
    killed = store.start_run(["b.jsonl"], command="zhijian score b.jsonl")
    elsewhere = store.start_run(["c.jsonl"], command="zhijian score c.jsonl")
    reused = store.start_run(["d.jsonl"], command="zhijian score d.jsonl")
    pid = _dead_pid()
    _set_process(store, killed, pid=pid)
    _set_process(store, elsewhere, pid=pid, host="another-host")  # cannot be checked from here: left alone
    _set_process(store, reused, process_started=-1.0)  # our pid, but not the process that started the run
    by_id = {r["run_id"]: r for r in store.list_runs()}
    assert by_id[alive]["status"] == "running" and by_id[elsewhere]["status"] == "running"
    assert by_id[killed]["status"] == "failed" and by_id[killed]["error"] == f"killed (process {pid} gone)"
    assert by_id[killed]["finished_at"] is not None
    assert by_id[reused]["status"] == "failed"
    store.finish_run(alive)
    assert store.get_run(alive)["status"] == "ok"


def test_kill_9_mid_run_then_a_new_run_marks_it_failed(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    code = (
        "import os, signal\nfrom pipeline.store import Store\n"
        f"s = Store({url!r}); print(s.start_run(['x.jsonl']), flush=True); os.kill(os.getpid(), signal.SIGKILL)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9
    run_id = proc.stdout.strip()
    with Store(url) as s:
        with s.engine.connect() as conn:  # still 'running' until someone looks
            assert conn.execute(sa.text("select status from runs")).scalar() == "running"
        s.start_run(["y.jsonl"])
        assert s.get_run(run_id)["status"] == "failed" and "killed (process" in s.get_run(run_id)["error"]


def test_ingest_notes_are_stored_counted_and_shown(tmp_path):
    from typer.testing import CliRunner

    from zhijian.cli import app

    rows = chat_rows("h001")
    rows[0].update(csat="很好", seq="第一")  # dropped values, the message kept
    rows[2]["text"] = "好" * 20_500  # cut at 20,000 characters
    chats = write_jsonl(tmp_path / "chats.jsonl", rows)
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    s = score_files([chats], store_url=url, results_path=tmp_path / "out.jsonl", rubric=FakeRubric(),
                    model=FakeModel(), stages=fake_stages())  # fmt: skip
    assert (s.read, s.stored, s.quarantined, s.notes) == (3, 3, 0, 3)
    assert "notes" not in s.summary_line()  # the contract's summary line is unchanged
    with Store(url) as st:
        notes = st.list_notes(s.run_id)
    assert [(n["line"], n["field"]) for n in notes] == [(1, "csat"), (1, "seq"), (3, "text")]
    assert "20500 characters" in notes[2]["reason"] and all(n["run_id"] == s.run_id for n in notes)
    shown = CliRunner().invoke(app, ["quarantine", "--store", url, "--run", s.run_id])
    assert shown.exit_code == 0 and "dropped or cut (3)" in shown.output and "csat" in shown.output
    again = score_files([chats], store_url=url, results_path=tmp_path / "out.jsonl", rubric=FakeRubric(),
                        model=FakeModel(), stages=fake_stages())  # fmt: skip
    # A note belongs to its message: a re-run that stores no message adds none of its notes.
    assert again.notes == 0 and again.stored == 0
    with Store(url) as st:
        assert st.list_notes(again.run_id) == [] and len(st.list_notes()) == 3
    json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])
