"""`zhijian score --dask tcp://HOST:PORT`: a run on a cluster someone else started scores like one process (issue 16).

tests/flows/test_dask.py covers `--workers` (a cluster the run starts and stops itself, in
process). Here the cluster is the shop's: a distributed.LocalCluster of 2 worker processes
started by the test, its scheduler's address given to the real command line in a subprocess
(Prefect's temporary server and all). The workers load the lexicon model by path, get the rubric's
text with each partition, and never see the store or the input files. The same input scored by
one process must give the same results file, byte for byte, and the same stored rows.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("prefect_dask")
distributed = pytest.importorskip("distributed")

from tests.flows._dask_common import INPUTS, REPO, lexicon_model, stored_rows  # noqa: F401 - lexicon_model is a fixture

BATCH = 4  # conversations per partition: more partitions than workers


def _zhijian(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zhijian", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=400)  # fmt: skip


@pytest.mark.slow
def test_score_on_an_existing_cluster_gives_the_results_of_one_process(tmp_path, lexicon_model):
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": "",  # the command starts its own temporary server, as on a shop's machine without one
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "ZHIJIAN_BATCH_SIZE": str(BATCH),
    }
    common = ["--model", lexicon_model, *map(str, INPUTS)]
    one_url, two_url = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    single = _zhijian("score", "--no-flow", "--store", one_url, "--results", str(tmp_path / "one.jsonl"), *common, env=env)
    assert single.returncode == 0, single.stderr[-4000:]

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            client.wait_for_workers(2, timeout=120)
            spread = _zhijian("score", "--dask", cluster.scheduler_address, "--store", two_url,
                              "--results", str(tmp_path / "two.jsonl"), *common, env=env)  # fmt: skip
            assert spread.returncode == 0, (spread.stdout + spread.stderr)[-4000:]
            # the partitions ran on this cluster's two workers, not in the command's own process
            executed = client.run(lambda dask_worker: dask_worker.state.executed_count)

    summary = single.stdout.strip().splitlines()[-1]
    assert summary.startswith("summary: ") and spread.stdout.strip().splitlines()[-1] == summary
    conversations = int(summary.split("conversations=")[1].split()[0])
    assert conversations > 2 * BATCH, "the input must make more partitions than workers"
    assert sum(executed.values()) >= -(-conversations // BATCH) and all(executed.values()), executed

    one = (tmp_path / "one.jsonl").read_bytes()
    assert (tmp_path / "two.jsonl").read_bytes() == one  # scores, flags, criteria with evidence, sentiment: byte for byte
    for table, order in (("results", "conversation_id"), ("conversations", "conversation_id"), ("messages", "message_key")):
        assert stored_rows(two_url, table, order) == stored_rows(one_url, table, order), table
