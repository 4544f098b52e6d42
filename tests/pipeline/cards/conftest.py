"""One synthetic store and one full build (with PDFs) shared by the card tests: PDF rendering runs once."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.cards import build_cards
from tests.pipeline.cards.synth import build_store

GENERATED_AT = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)
MIN_CONVERSATIONS = 20
# Reviewer corrections the cards must apply: (conversation, kwargs for Store.add_correction)
CORRECTIONS = [
    ("A03-2026-10-005", {"score": 95.0, "comment": "复核：问候在图片卡片里，已补分"}),
    ("A03-2026-10-001", {"criterion": "greeting", "status": "pass"}),
    ("A05-2026-10-000", {"criterion": "first_response_sla", "status": "fail"}),
    ("A05-2026-10-000", {"criterion": "first_response_sla", "status": "pass"}),  # newest wins
]


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cards-store') / 'qa.db'}"
    store = build_store(url)
    for cid, kwargs in CORRECTIONS:
        store.add_correction(cid, reviewer="质检组长", **kwargs)
    store.close()
    return url


@pytest.fixture(scope="session")
def built(synthetic_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("cards-out")
    # min_conversations pinned: the golden card and the texts below must not move with the setting's default
    report = build_cards("2026-10", synthetic_store, out, generated_at=GENERATED_AT, min_conversations=MIN_CONVERSATIONS)
    return report, Path(out)
