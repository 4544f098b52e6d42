"""`zhijian serve`: the two deployments on a throwaway Prefect server, and the nightly inbox flow run once (issue 16).

One Prefect test harness (a server subprocess on a fresh database in a temporary folder) for
the module: registering through the CLI, then reading the deployments back from the server's API.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.deployments import CARDS, NIGHTLY, ServeOptions, build_deployments, nightly_inbox
from pipeline.store import Store
from pipeline.store.inbox import list_files
from zhijian.cli import app

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _inbox(folder: Path, *names: str) -> Path:
    folder.mkdir(exist_ok=True)
    old = time.time() - 3600  # not still arriving
    for name in names:
        shutil.copy(SAMPLE / name, folder / name)
        os.utime(folder / name, (old, old))
    return folder


def test_serve_needs_a_prefect_server(tmp_path):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: None}):
        result = CliRunner().invoke(app, ["serve", "--inbox", str(tmp_path), "--register-only"])
    assert result.exit_code == 1
    assert "no Prefect server: start one (`prefect server start`) and set PREFECT_API_URL" in result.output


def test_a_store_password_is_never_a_deployment_parameter(tmp_path):
    deployments = build_deployments(ServeOptions(inbox=str(tmp_path), store_url="postgresql://qa:s3cret@db/qa"))
    assert all(d.parameters["store_url"] is None for d in deployments)
    assert "s3cret" not in json.dumps([d.parameters for d in deployments])


def test_a_bad_schedule_is_refused_with_what_to_do(tmp_path):
    from pipeline.errors import RunError

    with pytest.raises(RunError, match=r"ZHIJIAN_NIGHTLY_CRON=61 2 \* \* \* \(Asia/Shanghai\): .* give a cron string"):
        build_deployments(ServeOptions(inbox=str(tmp_path), nightly_cron="61 2 * * *"))


def _deployment(name: str):
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_deployment_by_name(name)


def test_serve_registers_both_deployments_with_their_schedules_and_parameters(harness, tmp_path):
    inbox = _inbox(tmp_path / "inbox", "chats-2026-09-01.jsonl")
    store = f"sqlite:///{tmp_path / 'qa.db'}"
    args = ["serve", "--register-only", "--inbox", str(inbox), "--store", store, "--results-dir", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "registered nightly-inbox/nightly-qa: " in result.output

    nightly = _deployment(f"nightly-inbox/{NIGHTLY}")
    [schedule] = nightly.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone, schedule.active) == ("0 2 * * *", "Asia/Shanghai", True)
    assert nightly.parameters == {"inbox": str(inbox), "store_url": store, "results_dir": str(tmp_path / "out")}
    assert nightly.entrypoint == "flows.deployments.nightly_inbox" and not nightly.paused

    cards = _deployment(f"monthly_cards/{CARDS}")
    [schedule] = cards.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 6 1 * *", "Asia/Shanghai")
    assert cards.parameters == {"store_url": store, "out_dir": str(tmp_path / "out" / "cards")}

    # options override the settings; registering again updates the deployment in place
    result = CliRunner().invoke(app, [*args, "--nightly-cron", "30 1 * * *", "--timezone", "Asia/Hong_Kong"])
    assert result.exit_code == 0, result.output
    again = _deployment(f"nightly-inbox/{NIGHTLY}")
    assert again.id == nightly.id
    assert [(s.schedule.cron, s.schedule.timezone) for s in again.schedules] == [("30 1 * * *", "Asia/Hong_Kong")]


def test_the_nightly_inbox_flow_scores_new_files_once(harness, tmp_path):
    from models.baseline import LexiconSentiment

    model = LexiconSentiment().fit(["太差了", "好的谢谢", "在吗"], ["negative", "positive", "neutral"]).save(tmp_path / "m")
    inbox = _inbox(tmp_path / "inbox", "chats-2026-09-01.jsonl", "chats-2026-09-02.jsonl")
    store = f"sqlite:///{tmp_path / 'qa.db'}"
    options = dict(inbox=str(inbox), store_url=store, results_dir=str(tmp_path / "out"), model=str(model))

    first = nightly_inbox(**options)
    assert first["status"] == "ok" and [Path(p).name for p in first["files"]] == ["chats-2026-09-01.jsonl",
                                                                                  "chats-2026-09-02.jsonl"]  # fmt: skip
    results = Path(first["results_path"])
    assert results.parent == tmp_path / "out" and results.name.startswith("nightly-20")
    assert len(results.read_text(encoding="utf-8").splitlines()) == 11  # conversations in the two files

    assert nightly_inbox(**options)["status"] == "nothing to do"
    _inbox(inbox, "chats-2026-09-03.jsonl")
    third = nightly_inbox(**options)
    assert [Path(p).name for p in third["files"]] == ["chats-2026-09-03.jsonl"]
    with Store(store) as s:
        assert [(Path(r["path"]).name, r["status"]) for r in list_files(s.engine)] == [
            ("chats-2026-09-01.jsonl", "done"), ("chats-2026-09-02.jsonl", "done"), ("chats-2026-09-03.jsonl", "done")]
        assert len({r["run_id"] for r in list_files(s.engine)}) == 2
        assert [r["status"] for r in s.list_runs()] == ["ok", "ok"]
