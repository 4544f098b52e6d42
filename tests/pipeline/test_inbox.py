"""The nightly inbox: each export scored once, a changed one again, a failed run's files retried (issue 16)."""
from __future__ import annotations

import os
import time
from datetime import date

import pytest

from pipeline import inbox
from pipeline.errors import RunError
from pipeline.store import Store
from pipeline.store.inbox import list_files
from tests.pipeline.store.helpers import BACKENDS, open_store


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_store(request.param, tmp_path) as s:
        yield s


def _export(folder, name, text="{}\n", age=3600.0):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def _names(files):
    return [f.path.name for f in files]


def test_each_file_is_scored_once_and_new_files_are_picked_up(store, tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    _export(box, "chats-09-01.jsonl")
    _export(box, "notes.txt")  # not a chat export
    first = inbox.new_files(box, store)
    assert _names(first) == ["chats-09-01.jsonl"]
    inbox.take(store, first, "run-1")
    assert inbox.new_files(box, store) == first  # taken but not finished: still to do
    inbox.settle(store, first, "run-1", "ok")
    assert inbox.new_files(box, store) == []
    _export(box, "chats-09-02.jsonl", '{"a": 1}\n')
    assert _names(inbox.new_files(box, store)) == ["chats-09-02.jsonl"]
    rows = list_files(store.engine)
    assert [(r["status"], r["run_id"]) for r in rows] == [("done", "run-1")]


def test_a_file_rewritten_with_new_content_is_scored_again_the_same_content_is_not(store, tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    path = _export(box, "chats.jsonl", "one\n")
    files = inbox.new_files(box, store)
    inbox.settle(store, files, "run-1", "ok")
    _export(box, "chats.jsonl", "one\n", age=1800)  # copied again: new mtime, same bytes
    assert inbox.new_files(box, store) == []
    _export(box, "chats.jsonl", "two\n", age=1800)
    again = inbox.new_files(box, store)
    assert _names(again) == ["chats.jsonl"] and again[0].sha256 != files[0].sha256
    inbox.settle(store, again, "run-2", "ok")
    assert len(list_files(store.engine, "done")) == 2 and path.exists()


@pytest.mark.parametrize("run_status, ledger_status", [("failed", "failed"), ("partial", "partial")])
def test_the_files_of_a_failed_or_partial_run_are_retried(store, tmp_path, run_status, ledger_status):
    box = tmp_path / "inbox"
    box.mkdir()
    _export(box, "a.jsonl")
    files = inbox.new_files(box, store)
    inbox.take(store, files, "run-1")
    inbox.settle(store, files, "run-1", run_status)
    assert list_files(store.engine)[0]["status"] == ledger_status
    assert inbox.new_files(box, store) == files
    inbox.take(store, files, "run-2")
    inbox.settle(store, files, "run-2", "ok")
    assert [(r["status"], r["run_id"]) for r in list_files(store.engine)] == [("done", "run-2")]


def test_a_file_still_being_written_waits_for_the_next_run(store, tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    _export(box, "old.jsonl")
    _export(box, "arriving.jsonl", age=0)
    assert _names(inbox.new_files(box, store)) == ["old.jsonl"]
    assert _names(inbox.new_files(box, store, settle_seconds=0)) == ["arriving.jsonl", "old.jsonl"]


def test_a_glob_inbox_and_a_missing_one(tmp_path):
    (tmp_path / "shop-a").mkdir()
    (tmp_path / "shop-b").mkdir()
    _export(tmp_path / "shop-a", "chats.jsonl")
    _export(tmp_path / "shop-b", "chats.csv")
    _export(tmp_path / "shop-b", "chats.jsonl")
    found = inbox.inbox_paths(str(tmp_path / "*" / "*.jsonl"))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["shop-a/chats.jsonl", "shop-b/chats.jsonl"]
    with pytest.raises(RunError, match=r"inbox .*/nope does not exist — create the folder, or set ZHIJIAN_INBOX"):
        inbox.inbox_paths(tmp_path / "nope")


def test_results_file_is_dated_and_a_second_run_that_day_does_not_overwrite_the_first(tmp_path):
    day = date(2026, 12, 7)
    first = inbox.results_path_for(tmp_path, day)
    assert first.name == "nightly-2026-12-07.jsonl"
    first.write_text("")
    assert inbox.results_path_for(tmp_path, day).name == "nightly-2026-12-07-2.jsonl"


def test_a_new_store_has_the_ledger(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'qa.db'}") as s:
        assert list_files(s.engine) == []
