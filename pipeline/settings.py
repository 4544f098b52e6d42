"""Every setting in one place (pydantic settings). Environment variables use the ZHIJIAN_ prefix.

The README's settings table is generated from this class, and a test keeps it complete.
`load_settings()` checks them all at start (the CLI before any command, the run's preflight):
one SettingsError lists every bad setting as "ZHIJIAN_X=value: what is wrong — what to do",
instead of a traceback, or a failure after work was done, where the setting is first used.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.errors import RunError

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZHIJIAN_", env_file=".env", extra="ignore")

    store_url: str = Field(
        default=f"sqlite:///{Path.home() / '.zhijian' / 'qa.db'}",
        description="SQLAlchemy URL of the result store (sqlite:///path/qa.db or postgresql://…).",
    )
    rubric_path: Path = Field(
        default=REPO_ROOT / "rubrics" / "default.yaml",
        description="Rubric file used by `zhijian score` and the nightly flow.",
    )
    sentiment_model: str = Field(
        default=str(REPO_ROOT / "models" / "zh-cs-sentiment"),
        description="Sentiment model: a local directory, or a hub name where a hub is reachable.",
    )
    state_model: str = Field(
        default=str(REPO_ROOT / "models" / "zh-cs-state"),
        description="Customer-state model (needs empathy, polarity in context): a local directory, or `off` to score with the sentiment model's own labels.",
    )
    user_dict_path: Path | None = Field(
        default=None,
        description="Extra jieba user dictionary (one term a line) on top of the rubric lexicons and domain terms.",
    )
    timezone: str = Field(default="Asia/Shanghai", description="Time zone for naive timestamps in chat exports.")
    batch_size: int = Field(default=2000, ge=1, description="Conversations per batch (one Prefect task each).")
    threads: int = Field(
        default=0, ge=0,
        description="CPU threads the sentiment model computes with; 0 = automatic: the usable cores (at most 4) for ONNX Runtime, half of them for the torch fallback, whose threads were measured 4× slower on two cores than on one on a busy machine.",
    )
    local_worker: bool = Field(
        default=False,
        description="Score part of each batch's rubric in a second local process beside the run's own, so its Python work runs on two cores: on machines with 2 or more usable cores and a core to spare, for runs of 2 or more batches and 3,000 or more conversations to score. Off by default: on the 2-core build machine it gained no wall time (6,000 conversations 15.9 s against 15.6 s, 2.7 CPU s and 160 MiB more); turn it on where `zhijian bench` shows a gain. Not used on Dask (`--workers`, `--dask`).",
    )
    secret_path: Path = Field(
        default=Path.home() / ".zhijian" / "secret",
        description="Per-installation secret for customer pseudonyms (32 random bytes, created 0600 on first use; keep it outside the store and back it up: a new secret gives new pseudonyms).",
    )
    review_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address of the reviewer workspace (`zhijian review`) as card readers reach it: cards link their examples, red lines and flag counts there.",
    )
    card_min_conversations: int = Field(
        default=15, ge=1, description="Fewest conversations in a month before a card gives a star tier, rank or team comparison (Wilson intervals on fewer are too wide to be fair)."
    )
    calibration_per_agent_day: int = Field(
        default=2, ge=0, le=50, description="Calibration sample: unflagged conversations drawn per agent and day for blind review (as many flagged ones join them so the worklist gives nothing away); 0 switches it off."
    )
    # `zhijian serve` (issue 16): the scheduled nightly run over an inbox, and the monthly cards.
    inbox: str | None = Field(
        default=None,
        description="Where the nightly schedule finds the day's chat exports: a folder (every chat-log file in it) or a glob (`/data/exports/*.jsonl`); each file is scored once, a changed file again.",
    )
    results_dir: Path = Field(
        default=Path.home() / ".zhijian" / "results",
        description="Where scheduled runs write: the nightly results file `nightly-YYYY-MM-DD.jsonl`, and the monthly cards in `cards/YYYY-MM/`.",
    )
    nightly_cron: str = Field(default="0 2 * * *", description="When the `nightly-qa` schedule runs (cron, in ZHIJIAN_SCHEDULE_TIMEZONE).")
    cards_cron: str = Field(
        default="0 6 1 * *", description="When the `monthly-cards` schedule builds the previous month's cards (cron, in ZHIJIAN_SCHEDULE_TIMEZONE)."
    )
    schedule_timezone: str = Field(default="Asia/Shanghai", description="Time zone of the two schedules' cron strings.")
    run_lock_wait: float = Field(
        default=300.0, ge=0,
        description="Seconds a run waits for another run on the same store to finish before it gives up (0: refuse at once); two runs never write one store together.",
    )


class SettingsError(RunError):
    """One or more settings (environment / .env) are invalid; the message lists each with what to do."""


def _env_name(field: str) -> str:
    return f"ZHIJIAN_{field.upper()}"


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


# Five cron fields (minute hour day month weekday); Prefect's own parser checks the rest when `zhijian serve` starts.
_CRON = re.compile(r"[0-9A-Za-z*/,?#-]+(\s+[0-9A-Za-z*/,?#-]+){4}")


def _problems(settings: Settings) -> list[str]:
    """What pydantic cannot see: values that parse but cannot be used."""
    problems = []
    try:
        ZoneInfo(settings.timezone)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        problems.append(f"ZHIJIAN_TIMEZONE={_shown(settings.timezone)}: unknown time zone — use an IANA name such as Asia/Shanghai")
    try:
        ZoneInfo(settings.schedule_timezone)
    except (ValueError, KeyError, OSError):
        problems.append(f"ZHIJIAN_SCHEDULE_TIMEZONE={_shown(settings.schedule_timezone)}: unknown time zone — use an IANA "
                        f"name such as Asia/Shanghai")  # fmt: skip
    for name in ("nightly_cron", "cards_cron"):
        value = getattr(settings, name)
        if not _CRON.fullmatch(value.strip()):
            problems.append(f"{_env_name(name)}={_shown(value)}: not a cron string — give five fields "
                            f"(minute hour day-of-month month day-of-week), e.g. \"0 2 * * *\"")  # fmt: skip
    if "rubric_path" in settings.model_fields_set and not Path(settings.rubric_path).is_file():
        problems.append(f"ZHIJIAN_RUBRIC_PATH={_shown(settings.rubric_path)}: no such file — point it at a rubric YAML "
                        f"file, or unset it for rubrics/default.yaml")  # fmt: skip
    if settings.user_dict_path is not None and not Path(settings.user_dict_path).is_file():
        problems.append(f"ZHIJIAN_USER_DICT_PATH={_shown(settings.user_dict_path)}: no such file — point it at a "
                        f"dictionary file (one term a line), or unset it")  # fmt: skip
    return problems


def load_settings() -> Settings:
    """The settings, every one checked; SettingsError (one line) lists every bad one with what to do."""
    problems: list[str] = []
    try:
        settings = Settings()
    except ValidationError as err:
        bad = {}
        for e in err.errors():
            field = str(e["loc"][0]) if e.get("loc") else "?"
            bad[field] = Settings.model_fields[field].default if field in Settings.model_fields else None
            problems.append(f"{_env_name(field)}={_shown(e.get('input'))}: {e['msg'].lower()} — "
                            f"{_HINTS.get(field, 'fix or unset it')}")  # fmt: skip
        settings = Settings(**{k: v for k, v in bad.items() if k in Settings.model_fields})  # to check the rest
    problems += _problems(settings)
    if problems:
        raise SettingsError(f"invalid setting(s): {'; '.join(problems)}")
    return settings


def settings_problem() -> str | None:
    """None when every setting is usable, else SettingsError's one line (for the CLI to print)."""
    try:
        load_settings()
    except SettingsError as err:
        return str(err)
    return None


_HINTS = {
    "batch_size": "give a whole number ≥ 1 (default 2000), or unset it",
    "card_min_conversations": "give a whole number ≥ 1 (default 15), or unset it",
    "calibration_per_agent_day": "give a whole number from 0 to 50 (default 2; 0 switches the sample off), or unset it",
    "run_lock_wait": "give a number of seconds ≥ 0 (default 300), or unset it",
}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The checked settings (cached): a bad one is a SettingsError wherever it is first asked for."""
    return load_settings()
