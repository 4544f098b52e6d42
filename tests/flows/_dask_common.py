"""What the two Dask tests share: the input, the lexicon model the workers load by path, and stored rows
without what differs between two runs by design."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[2]
INPUTS = [REPO / "data" / "sample" / "chats-2026-10-30.jsonl", REPO / "data" / "sample" / "chats-2026-10-31.jsonl"]
# What differs between two runs by design: the run, when, and the row's own id.
RUN_COLUMNS = {"id", "run_id", "scored_at", "last_run_id", "first_run_id"}


def stored_rows(url: str, table: str, order: str = "conversation_id") -> list[dict]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY {order}"))]
    finally:
        engine.dispose()
    return [{k: v for k, v in row.items() if k not in RUN_COLUMNS} for row in rows]


@pytest.fixture
def lexicon_model(tmp_path):
    from models.baseline import LexiconSentiment

    texts = ["太差了", "好的谢谢", "在吗", "垃圾", "非常满意", "请问发货了吗", "怎么还没到", "退款"]
    labels = ["negative", "positive", "neutral", "negative", "positive", "neutral", "negative", "neutral"]
    return str(LexiconSentiment().fit(texts, labels).save(tmp_path / "lexicon-model"))
