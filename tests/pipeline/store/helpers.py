"""Shared by the store and corrections tests: a store per backend, scored fake conversations."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.conversation import Sentiment
from pipeline.store import Store
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, conversation, postgres_schema_url

BACKENDS = ["sqlite", "postgresql"]  # postgresql runs where ZHIJIAN_TEST_POSTGRES_URL is set (the CI)


@contextmanager
def open_store(backend: str, tmp_path: Path) -> Iterator[Store]:
    if backend == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'sub' / 'qa.db'}")
        try:
            yield s
        finally:
            s.close()
        return
    with postgres_schema_url() as url:
        s = Store(url)
        try:
            yield s
        finally:
            s.close()


def scored(cid: str, **kw):
    """A fake conversation with sentiments, scored by the fake rubric (greeting, empathy, forbidden_phrases)."""
    c = conversation(cid, **kw)
    for m in c.customer_messages:
        m.sentiment = Sentiment("negative" if "差" in m.text or "还没" in m.text else "positive",
                                {"negative": 0.8, "neutral": 0.1, "positive": 0.1})  # fmt: skip
    c.model_version = FakeModel().model_id
    FakeRubric().score(c)
    return c
