"""Scale-out: the nightly flow on a 2-worker local Dask cluster scores exactly like one process.

One small input (two days of data/sample, batches of 4 conversations so there are more partitions
than workers), the real ingest, stages and default rubric, and a lexicon model saved to a folder so
the workers load the model by path (pipeline.partitions' per-worker cache) as they would in a shop.
Prefect's temporary server and the cluster start once: ~30 s on a loaded machine.
"""
from __future__ import annotations

import json

import pytest

pytest.importorskip("prefect_dask")

from tests.flows._dask_common import INPUTS, lexicon_model, stored_rows  # noqa: F401 - lexicon_model is a fixture


@pytest.mark.slow
def test_two_dask_workers_give_the_results_of_one_process(tmp_path, lexicon_model, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    from flows.nightly_qa import dask_task_runner, nightly_qa
    from pipeline.scoring import run

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    common = dict(model=lexicon_model, batch_size=4, command="test")
    single = run([str(p) for p in INPUTS], f"sqlite:///{tmp_path / 'one.db'}", tmp_path / "one.jsonl", **common)

    with prefect_test_harness(server_startup_timeout=120):
        spread = nightly_qa.with_options(task_runner=dask_task_runner(workers=2))(
            [str(p) for p in INPUTS], f"sqlite:///{tmp_path / 'two.db'}", str(tmp_path / "two.jsonl"), **common
        )
        with get_client(sync_client=True) as client:
            names = [t.name for t in client.read_task_runs()]
    # the batches really went to the workers, one partition task each, none scored in this process
    assert sum(n.startswith("score-partition-") for n in names) == -(-single.scored // 4)
    assert not any(n.startswith("score-batch-") for n in names)

    assert single.conversations > 2 * 4, "the input must make more partitions than workers"
    assert spread.summary_line() == single.summary_line()
    assert (spread.scored, spread.status, spread.errors) == (single.scored, single.status, single.errors)
    one = (tmp_path / "one.jsonl").read_text(encoding="utf-8")
    two = (tmp_path / "two.jsonl").read_text(encoding="utf-8")
    assert [json.loads(x)["conversation_id"] for x in two.splitlines()] == [
        json.loads(x)["conversation_id"] for x in one.splitlines()
    ]
    assert two == one  # scores, flags, criteria with their evidence, sentiment: byte for byte
    for table in ("results", "conversations"):
        assert stored_rows(f"sqlite:///{tmp_path / 'two.db'}", table) == stored_rows(f"sqlite:///{tmp_path / 'one.db'}", table)


def test_workers_without_the_flow_is_refused_with_what_to_do():
    from typer.testing import CliRunner

    from zhijian.cli import app

    result = CliRunner().invoke(app, ["score", "--no-flow", "--workers", "2", str(INPUTS[0])])
    assert result.exit_code != 0
    assert "--workers and --dask run through the Prefect flow: drop --no-flow" in result.output
