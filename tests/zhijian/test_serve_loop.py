"""`zhijian serve` itself, as a shop runs it: a process serving the schedules on a Prefect server (issue 16).

tests/flows/test_deployments.py checks what serve registers and the inbox flow called in-process;
this one starts the real command as a subprocess against a throwaway Prefect server, asks the
server for a `nightly-inbox/nightly-qa` run (as `prefect deployment run` would), and checks that
serve picked it up, ran it in its own flow-run process and filled the store; then stops serve the
way a service manager does (SIGTERM), and checks it paused its schedules on the way out. A lexicon
model keeps the flow run's start cheap; the poll interval is 1 s instead of Prefect's 10 s.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from pipeline.store import Store
from pipeline.store.inbox import list_files

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
DAYS = ("chats-2026-09-01.jsonl", "chats-2026-09-02.jsonl")
DEADLINE_S = 240  # generous: a loaded 2-core machine; the run itself takes ~20-40 s


def _wait_for(what: str, check, proc: subprocess.Popen, log: Path, timeout: float = DEADLINE_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if proc.poll() is not None:
            pytest.fail(f"zhijian serve exited ({proc.returncode}) before {what}:\n{log.read_text()[-4000:]}")
        time.sleep(0.5)
    pytest.fail(f"no {what} within {timeout} s; zhijian serve's output:\n{log.read_text()[-4000:]}")


def _stop(proc: subprocess.Popen) -> int:
    """SIGTERM, as systemd stops a service; a serve that ignores it is killed and the test fails on its code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return -signal.SIGKILL
    return proc.returncode


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals as a service manager sends them")
def test_serve_runs_the_nightly_deployment_when_asked_and_stops_on_sigterm(tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    from models.baseline import LexiconSentiment

    model = LexiconSentiment().fit(["太差了", "好的谢谢", "在吗"], ["negative", "positive", "neutral"]).save(tmp_path / "m")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old = time.time() - 3600  # not still arriving (a file modified in the last minute waits)
    for name in DAYS:
        shutil.copy(SAMPLE / name, inbox / name)
        os.utime(inbox / name, (old, old))
    store = f"sqlite:///{tmp_path / 'qa.db'}"
    results_dir = tmp_path / "results"
    log = tmp_path / "serve.log"

    with prefect_test_harness(server_startup_timeout=120):
        env = {
            **os.environ,
            "PREFECT_API_URL": PREFECT_API_URL.value(),
            "PREFECT_HOME": str(tmp_path / "prefect-home"),
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            "ZHIJIAN_SENTIMENT_MODEL": str(model),  # the served flow runs read the model from the environment
            "ZHIJIAN_STORE_URL": store,
        }
        args = ["serve", "--inbox", str(inbox), "--store", store, "--results-dir", str(results_dir)]
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "zhijian", *args], cwd=REPO, env=env,
                                    stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            with get_client(sync_client=True) as client:

                def registered():
                    try:
                        return client.read_deployment_by_name("nightly-inbox/nightly-qa")
                    except Exception:  # noqa: BLE001 - ObjectNotFound until serve has registered it
                        return None

                deployment = _wait_for("registered nightly-qa deployment", registered, proc, log)
                assert not deployment.paused and [s.active for s in deployment.schedules] == [True]
                asked = client.create_flow_run_from_deployment(deployment.id)

                def finished():
                    run = client.read_flow_run(asked.id)
                    return run if run.state and run.state.is_final() else None

                run = _wait_for("finished nightly-inbox run", finished, proc, log)
                assert run.state.is_completed(), f"{run.state}\n{log.read_text()[-4000:]}"
                subflows = client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id]))
                )
                assert [r.state.is_completed() for r in subflows] == [True]  # the nightly-qa subflow, under it
        finally:
            code = _stop(proc)
        assert code == 0, f"zhijian serve did not stop cleanly on SIGTERM ({code}):\n{log.read_text()[-4000:]}"
        with get_client(sync_client=True) as client:
            stopped = client.read_deployment_by_name("nightly-inbox/nightly-qa")
        assert stopped.paused  # the schedules wait for the next `zhijian serve`, as serve says when it starts

    with Store(store) as s:
        assert [(Path(r["path"]).name, r["status"]) for r in list_files(s.engine)] == [(d, "done") for d in DAYS]
        [row] = s.list_runs()
        assert (row["status"], row["command"]) == ("ok", "zhijian serve (nightly-qa)")
        assert row["conversations"] == 11  # the two days' conversations, all scored into this store
        with s.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM conversations")).scalar() == 11
            assert conn.execute(sa.text("SELECT count(*) FROM results")).scalar() == 11
    [results] = results_dir.glob("nightly-*.jsonl")
    assert len(results.read_text(encoding="utf-8").splitlines()) == 11
