"""Settings are checked at start, each bad one named in one line (issue 15: an unknown ZHIJIAN_TIMEZONE or
ZHIJIAN_BATCH_SIZE=0 gave a traceback, or failed after work was done)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipeline.settings import SettingsError, load_settings, settings_problem

BAD = {
    "ZHIJIAN_TIMEZONE": ("Mars/Olympus", "unknown time zone — use an IANA name"),
    "ZHIJIAN_BATCH_SIZE": ("0", "greater than or equal to 1 — give a whole number ≥ 1"),
    "ZHIJIAN_CARD_MIN_CONVERSATIONS": ("lots", "valid integer.* — give a whole number ≥ 1"),
    "ZHIJIAN_RUBRIC_PATH": ("/no/such/rubric.yaml", "no such file — point it at a rubric YAML file"),
    "ZHIJIAN_USER_DICT_PATH": ("/no/such/dict.txt", "no such file — point it at a dictionary file"),
    "ZHIJIAN_SCHEDULE_TIMEZONE": ("Mars/Olympus", "unknown time zone — use an IANA name"),
    "ZHIJIAN_NIGHTLY_CRON": ("every night", "not a cron string — give five fields"),
    "ZHIJIAN_RUN_LOCK_WAIT": ("-1", "greater than or equal to 0 — give a number of seconds ≥ 0"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_each_bad_setting_is_named_with_what_to_do(monkeypatch, name):
    value, expected = BAD[name]
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=f"{name}={value}: .*{expected}") as info:
        load_settings()
    assert "\n" not in str(info.value)


def test_every_bad_setting_at_once(monkeypatch):
    for name, (value, _) in BAD.items():
        monkeypatch.setenv(name, value)
    problem = settings_problem()
    assert problem is not None and all(f"{name}={value}" in problem for name, (value, _) in BAD.items())


def test_good_settings_load(monkeypatch):
    monkeypatch.setenv("ZHIJIAN_TIMEZONE", "Europe/Paris")
    monkeypatch.setenv("ZHIJIAN_BATCH_SIZE", "7")
    assert load_settings().batch_size == 7 and settings_problem() is None


def test_cli_and_run_refuse_bad_settings_before_any_work(monkeypatch, tmp_path):
    from pipeline.scoring import preflight
    from zhijian.cli import app

    monkeypatch.setenv("ZHIJIAN_TIMEZONE", "Nowhere/Atall")
    result = CliRunner().invoke(app, ["runs", "--store", f"sqlite:///{tmp_path / 'qa.db'}"])
    assert result.exit_code == 1 and "ZHIJIAN_TIMEZONE=Nowhere/Atall: unknown time zone" in result.output
    with pytest.raises(SettingsError, match="ZHIJIAN_TIMEZONE"):
        preflight([tmp_path / "chats.jsonl"], f"sqlite:///{tmp_path / 'qa.db'}")
    assert not (tmp_path / "qa.db").exists()
