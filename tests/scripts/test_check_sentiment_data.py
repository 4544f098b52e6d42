"""scripts/check_sentiment_data.py: the shipped turn files pass; leakage between files is caught."""
from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_sentiment_data.py"


def _load():
    spec = importlib.util.spec_from_file_location("check_sentiment_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_turn_files_pass(capsys):
    assert _load().main([]) == 0
    assert "chat_turns_endings.tsv" in capsys.readouterr().out


def test_an_end_of_chat_turn_repeating_a_probe_text_is_an_error(tmp_path, capsys):
    (tmp_path / "chat_turns.tsv").write_text("neutral\t好的\n", encoding="utf-8")
    (tmp_path / "chat_turns_holdout.tsv").write_text("negative\t算了不买了\n", encoding="utf-8")
    (tmp_path / "chat_turns_closings.tsv").write_text("neutral\t那就它了\n", encoding="utf-8")
    (tmp_path / "chat_turns_endings.tsv").write_text("neutral\t那就它了。\nneutral\t那换鸡肉味吧\n", encoding="utf-8")
    assert _load().main([str(tmp_path)]) == 1
    assert "near-duplicate of chat_turns_closings.tsv" in capsys.readouterr().err
