"""--results is checked against the inputs and the store before anything is read or written,
and written atomically (issue 15: `--results chats.jsonl` replaced the export, `--results qa.db` the store)."""
from __future__ import annotations

import hashlib
import os
import stat

import pytest

from pipeline.errors import RunError
from pipeline.outputs import atomic_write, check_output_path, sqlite_files
from pipeline.scoring import score_files
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, chat_rows, fake_read_inputs, fake_stages, write_jsonl


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(tmp_path, inputs, results, store=None):
    return score_files(
        inputs, store_url=f"sqlite:///{store or tmp_path / 'qa.db'}", results_path=results, rubric=FakeRubric(),
        model=FakeModel(), stages=fake_stages(), read_inputs=fake_read_inputs,
    )  # fmt: skip


@pytest.fixture
def chats(tmp_path):
    return write_jsonl(tmp_path / "chats.jsonl", chat_rows("h001") + chat_rows("h002"))


def test_results_naming_an_input_is_refused_and_the_input_kept(chats, tmp_path):
    before = _digest(chats)
    with pytest.raises(RunError, match=r"--results .*chats.jsonl is one of the input files — .*give another file name"):
        _run(tmp_path, [chats], chats)
    assert _digest(chats) == before
    link = tmp_path / "alias.jsonl"
    os.link(chats, link)  # the same file under another name
    with pytest.raises(RunError, match="is one of the input files"):
        _run(tmp_path, [chats], link)
    with pytest.raises(RunError, match="is one of the input files"):
        _run(tmp_path, [chats], tmp_path / "sub" / ".." / "chats.jsonl")
    assert _digest(chats) == before
    assert not (tmp_path / "qa.db").exists()  # refused before the store was even created


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_results_naming_the_store_or_its_wal_is_refused(chats, tmp_path, suffix):
    db = tmp_path / "qa.db"
    _run(tmp_path, [chats], tmp_path / "out.jsonl")
    before = _digest(db)
    with pytest.raises(RunError, match=r"is one of the store's files \(qa.db(-wal|-shm|-journal)?\) — .*give another file name"):
        _run(tmp_path, [chats], str(db) + suffix)
    assert _digest(db) == before
    # and a store that does not exist yet is not created where the results would go
    with pytest.raises(RunError, match="one of the store's files"):
        _run(tmp_path, [chats], tmp_path / "new.db", store=tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()


def test_results_folder_readonly_and_missing_parent(chats, tmp_path):
    with pytest.raises(RunError, match=r"--results .* is a folder — give a file name inside it"):
        _run(tmp_path, [chats], tmp_path)
    ro = tmp_path / "ro.jsonl"
    ro.write_text("keep\n")
    ro.chmod(stat.S_IRUSR)
    with pytest.raises(RunError, match="is read-only — make it writable"):
        _run(tmp_path, [chats], ro)
    assert ro.read_text() == "keep\n"
    with pytest.raises(RunError, match="chats.jsonl is a file, not a folder"):
        _run(tmp_path, [chats], chats / "out.jsonl")
    with pytest.raises(RunError, match="cannot write in /proc"):  # read-only even for root
        check_output_path("/proc/zhijian-results.jsonl")
    s = _run(tmp_path, [chats], tmp_path / "new" / "deeper" / "out.jsonl")  # a missing parent is created
    assert (tmp_path / "new" / "deeper" / "out.jsonl").read_text().count("\n") == s.conversations == 2


def test_errors_are_one_line(chats, tmp_path):
    for bad in (chats, tmp_path, tmp_path / "qa.db"):
        with pytest.raises(RunError) as info:
            check_output_path(bad, [chats], f"sqlite:///{tmp_path / 'qa.db'}")
        assert "\n" not in str(info.value) and " — " in str(info.value)


def test_sqlite_files():
    assert sqlite_files("postgresql://u@h/db") == [] and sqlite_files("sqlite://") == []
    assert [p.name for p in sqlite_files("sqlite:////x/qa.db")] == ["qa.db", "qa.db-wal", "qa.db-shm", "qa.db-journal"]


def test_atomic_write_keeps_the_old_file_on_error(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_write(out) as fh:
            fh.write("half")
            raise RuntimeError("disk full")
    assert out.read_text() == "old\n" and os.listdir(tmp_path) == ["out.jsonl"]  # no temporary file left
    with atomic_write(out) as fh:
        fh.write("new\n")
    assert out.read_text() == "new\n" and os.listdir(tmp_path) == ["out.jsonl"]


def test_atomic_write_through_a_link_keeps_the_link(tmp_path):
    real = tmp_path / "shared" / "results.jsonl"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "results.jsonl"
    link.symlink_to(real)
    with atomic_write(link) as fh:
        fh.write("new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
