"""zhijian bench's parts: the replicated input, the per-process measurement, the report and the size option.
(The whole command loads the real model twice per size: it is run by hand, never in the suite.)"""
from __future__ import annotations

import json
import sys

import pytest
import typer

from zhijian.bench import Measure, _parse_sizes, make_inputs, measure, report


def _rows(files):
    return [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip().startswith("{")]


def test_make_inputs_writes_exactly_the_conversations_asked_for(tmp_path):
    files, conversations, rows = make_inputs(tmp_path, 700)
    ids = {r["conversation_id"] for r in _rows(files)}
    assert conversations == len(ids) == 700
    assert sum(1 for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()) == rows
    # every copy is a new conversation: the sample's ids under three prefixes
    assert {i.split("-", 1)[0] for i in ids} == {"b0000", "b0001", "b0002"}


def test_no_customer_text_repeats_across_copies(tmp_path):
    # The run sends each distinct text through the model once: verbatim copies would bench that cache.
    files, _, _ = make_inputs(tmp_path, 700)
    by_copy: dict[str, set[str]] = {}
    for r in _rows(files):
        if r["role"] == "customer" and r.get("text"):
            by_copy.setdefault(r["conversation_id"].split("-", 1)[0], set()).add(r["text"])
    first, second, third = (by_copy[k] for k in ("b0000", "b0001", "b0002"))
    assert not (first & second) and not (first & third) and not (second & third)


def test_measure_reports_the_child_process_own_peak_memory(tmp_path):
    grab = "import time; x = bytearray(300 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]); time.sleep(0.5)"
    wall, cpu, rss, code, workers = measure([sys.executable, "-c", grab], tmp_path / "log")
    assert code == 0 and rss > 300 and wall > 0 and cpu >= 0 and workers == 0
    small = measure([sys.executable, "-c", "import time; time.sleep(0.5)"], tmp_path / "log")
    assert 0 < small[2] < 100  # its own peak: not the largest child's so far, nor this (large) test process's
    assert measure([sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "log")[3] == 3


def test_measure_adds_the_peak_memory_and_cpu_of_a_multiprocessing_worker(tmp_path):
    # as the run's scoring worker (pipeline/local_worker.py): a spawned process, waited for by the one measured
    child = ("import multiprocessing as mp, time\n"
             "def grab():\n"
             "    x = bytearray(200 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]); time.sleep(0.6)\n"
             "if __name__ == '__main__':\n"
             "    p = mp.get_context('spawn').Process(target=grab); p.start(); p.join()\n")  # fmt: skip
    script = tmp_path / "child.py"
    script.write_text(child, encoding="utf-8")
    wall, cpu, rss, code, workers = measure([sys.executable, str(script)], tmp_path / "log")
    assert code == 0 and workers > 200 and rss > workers + 5


def test_report_gives_the_ratio_and_the_stages():
    ours = Measure("zhijian (--no-flow)", 1000, 10000, 10.0, 8.0, 700.0, 0, {"ingest": 1.0, "sentiment": 5.0}, 7.0)
    usual = Measure("usual script", 1000, 10000, 40.0, 40.0, 500.0, 0)
    text = report([(1000, [ours, usual])])
    assert "1,000: 4.00× (per CPU-second 5.00×)" in text
    assert "| sentiment (model) | 5.0 |" in text and "| start-up and the rest (wall − run) | 3.0 |" in text


def test_sizes_option_says_what_it_wants():
    assert _parse_sizes("1000,10_000") == [1000, 10000]
    with pytest.raises(typer.BadParameter, match="e.g. 1000,10000,100000"):
        _parse_sizes("ten")


def test_a_persistent_server_row_is_labelled_and_the_temporary_server_row_stays_the_headline():
    from zhijian.bench import PERSISTENT

    stages = {"sentiment": 5.0}
    headline = Measure("zhijian (flow)", 1000, 10000, 20.0, 16.0, 700.0, 0, stages, 12.0)
    persistent = Measure(PERSISTENT, 1000, 10000, 16.0, 14.0, 650.0, 0, stages, 12.0)
    usual = Measure("usual script", 1000, 10000, 40.0, 40.0, 500.0, 0)
    text = report([(1000, [headline, persistent, usual])])
    assert "per second of wall time: 1,000: 2.00× (per CPU-second 2.50×), 1,000 zhijian (flow, persistent server): 2.50×" in text
    assert "| stage, seconds | 1,000 | 1,000, persistent server |" in text
    assert "| start-up and the rest (wall − run) | 8.0 | 4.0 |" in text


def test_bench_refuses_a_server_that_does_not_answer_before_running_anything(tmp_path):
    from typer.testing import CliRunner

    from zhijian.cli import app

    result = CliRunner().invoke(app, ["bench", "--sizes", "10", "--server", "http://127.0.0.1:9/api", "--keep", str(tmp_path)])
    assert result.exit_code != 0
    assert "no Prefect server answers at http://127.0.0.1:9/api/health" in result.output
    assert not any(tmp_path.iterdir())  # refused before any input was written


def test_the_bench_finds_the_repository_where_the_settings_do():
    from pipeline.settings import REPO_ROOT
    from zhijian import bench

    assert bench.REPO_ROOT == REPO_ROOT and bench.USUAL_SCRIPT.exists()


def test_the_project_is_compiled_where_its_imports_look(tmp_path):
    """The measured processes import bytecode, as an installed package does, even under PYTHONDONTWRITEBYTECODE."""
    import importlib.util
    from pathlib import Path

    from zhijian.bench import PROJECT_PACKAGES, compile_project

    sources = [tmp_path / package / "sub" / "mod.py" for package in PROJECT_PACKAGES]
    for source in sources:
        source.parent.mkdir(parents=True)
        source.write_text("X = 1\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.py").write_text("X = 1\n", encoding="utf-8")
    compile_project(tmp_path)
    assert all(Path(importlib.util.cache_from_source(str(s))).is_file() for s in sources)
    assert not Path(importlib.util.cache_from_source(str(tmp_path / "tests" / "t.py"))).exists()  # the project's packages only
