"""Every setting in one place (pydantic settings). Environment variables use the ZHIJIAN_ prefix.

The README's settings table is generated from this class, and a test keeps it complete.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    user_dict_path: Path | None = Field(
        default=None,
        description="Extra jieba user dictionary (one term a line) on top of the rubric lexicons and domain terms.",
    )
    timezone: str = Field(default="Asia/Shanghai", description="Time zone for naive timestamps in chat exports.")
    batch_size: int = Field(default=2000, ge=1, description="Conversations per batch (one Prefect task each).")
    secret_path: Path = Field(
        default=Path.home() / ".zhijian" / "secret",
        description="Per-installation secret for customer pseudonyms (32 random bytes, created 0600 on first use; keep it outside the store and back it up: a new secret gives new pseudonyms).",
    )
    card_min_conversations: int = Field(
        default=15, ge=1, description="Fewest conversations in a month before a card gives a star tier, rank or team comparison (Wilson intervals on fewer are too wide to be fair)."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
