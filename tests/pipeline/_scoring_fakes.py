"""Small local fakes for the store / scoring / CLI / flow tests.

They follow the documented interfaces (docs/architecture.md) so these tests run whether
or not the real ingest, rubric and model modules are finished.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from pipeline.conversation import Conversation, CriterionResult, Evidence, Flag, Message

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 10, 3, 14, 2, 11, tzinfo=CST)


def msg(cid: str, seq: int, role: str, text: str, *, minutes: float = 0, agent: str | None = None, **kw) -> Message:
    m = Message(
        conversation_id=cid,
        seq=seq,
        role=role,
        timestamp=T0 + timedelta(minutes=minutes),
        text=text,
        agent_id=agent if role == "agent" else None,
        **kw,
    )
    from pipeline.ingest import message_key

    m.message_key = message_key(m.conversation_id, m.timestamp, m.role, m.agent_id, m.text)
    return m


def conversation(cid: str, *, start_minutes: float = 0, agent: str = "A07", negative_end: bool = False) -> Conversation:
    ms = [
        msg(cid, 1, "customer", "怎么还没发货啊，都三天了", minutes=start_minutes),
        msg(cid, 2, "agent", "您好，很高兴为您服务", minutes=start_minutes + 1, agent=agent),
        msg(cid, 3, "customer", "还是很差" if negative_end else "好的谢谢", minutes=start_minutes + 2),
    ]
    return Conversation(conversation_id=cid, messages=ms, customer_id="c1", shop="s1", channel="tmall")


class FakeModel:
    """Scikit-learn-like sentiment model: negative when the text has 差/还没, positive on 谢."""

    model_id = "fake-sentiment@1"
    classes_: tuple = ("negative", "neutral", "positive")

    def __init__(self) -> None:
        self.calls = 0

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = []
        for t in texts:
            if "差" in t or "还没" in t or "垃圾" in t:
                out.append([0.9, 0.08, 0.02])
            elif "谢" in t:
                out.append([0.02, 0.08, 0.9])
            else:
                out.append([0.1, 0.8, 0.1])
        return np.array(out, dtype=float).reshape(len(texts), 3)

    def predict(self, texts: list[str]) -> list[str]:
        return [self.classes_[i] for i in self.predict_proba(texts).argmax(axis=1)]


class FakeRubric:
    """Two criteria: greeting (an agent says 您好) and forbidden (垃圾); raises on conversation 'boom'."""

    id = "fake@1"

    def score(self, conv: Conversation) -> None:
        if conv.conversation_id.startswith("boom"):
            raise RuntimeError("criterion blew up")
        greet = next((m for m in conv.agent_messages if "您好" in m.text), None)
        crit = {
            "greeting": CriterionResult(
                "pass" if greet else "fail",
                10 if greet else 0,
                10,
                [Evidence(greet.seq, greet.text, (0, 2), "greeting.lexicon")] if greet else [],
            ),
            "forbidden_phrases": CriterionResult("pass", 10, 10, []),
            "empathy": CriterionResult("na", 0, 0, []),
        }
        conv.criteria = crit
        conv.flags = []
        bad = [m for m in conv.agent_messages if "垃圾" in m.text]
        if bad:
            crit["forbidden_phrases"] = CriterionResult("fail", 0, 10, [])
            conv.flags.append(Flag("forbidden_phrase", "使用禁用语", bad[0].seq, red_line=True))
        felt = [m for m in conv.customer_messages if m.sentiment is not None]
        last = felt[-1] if felt else None
        if last is not None and last.sentiment.label == "negative":
            conv.flags.append(Flag("negative_end", "客户结束时情绪负面", last.seq))
        earned = sum(c.points for c in crit.values() if c.status != "na")
        total = sum(c.max_points for c in crit.values() if c.status != "na")
        conv.score = round(100 * earned / total, 1) if total else 100.0
        conv.rubric_version = self.id


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def chat_rows(cid: str, *, day: int = 3, agent: str = "A07", bad_end: bool = False) -> list[dict]:
    base = f"2026-10-{day:02d}T14:0"
    return [
        {"conversation_id": cid, "timestamp": base + "2:11+08:00", "role": "customer", "text": "怎么还没发货啊，都三天了"},
        {"conversation_id": cid, "timestamp": base + "3:00+08:00", "role": "agent", "agent_id": agent,
         "text": "您好，很高兴为您服务"},
        {"conversation_id": cid, "timestamp": base + "4:00+08:00", "role": "customer",
         "text": "还是很差" if bad_end else "好的谢谢"},
    ]  # fmt: skip


# ---------------------------------------------------------------------- fake ingest stages
@dataclass
class FakeQuarantinedRow:
    source_file: str
    line: int
    field: str
    reason: str
    raw: str


@dataclass
class FakeIngestResult:
    messages: list
    quarantined: list
    read: int
    duplicates_in_batch: int


def fake_read_inputs(paths, mapping=None) -> FakeIngestResult:
    """JSONL only: a row without a timestamp or with bad JSON is quarantined; in-batch repeats dropped."""
    from pipeline.ingest import message_key

    msgs, quarantined, read, dups, seen = [], [], 0, 0, set()
    for path in paths:
        for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            read += 1
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                quarantined.append(FakeQuarantinedRow(str(path), i, "", f"not JSON: {err}", line))
                continue
            if not row.get("timestamp"):
                quarantined.append(FakeQuarantinedRow(str(path), i, "timestamp", "missing timestamp", line))
                continue
            m = Message(
                conversation_id=row["conversation_id"], seq=row.get("seq"), role=row["role"],
                timestamp=datetime.fromisoformat(row["timestamp"]), text=row.get("text", ""),
                agent_id=row.get("agent_id"), source_file=str(path), source_line=i,
            )  # fmt: skip
            m.message_key = message_key(m.conversation_id, m.timestamp, m.role, m.agent_id, m.text)
            if m.message_key in seen:
                dups += 1
                continue
            seen.add(m.message_key)
            msgs.append(m)
    return FakeIngestResult(msgs, quarantined, read, dups)


def fake_assemble(messages) -> list[Conversation]:
    by_id: dict[str, list[Message]] = {}
    for m in messages:
        by_id.setdefault(m.conversation_id, []).append(m)
    convs = []
    for cid, ms in by_id.items():
        ms.sort(key=lambda m: m.timestamp)
        for i, m in enumerate(ms, start=1):
            m.seq = i
        convs.append(Conversation(conversation_id=cid, messages=ms))
    return convs


def fake_normalise(conv: Conversation) -> None:
    if conv.conversation_id.startswith("badnorm"):
        raise ValueError("cannot normalise")
    for m in conv.messages:
        m.norm = m.text
        m.norm_to_text = list(range(len(m.text) + 1))


def fake_segment(conv: Conversation) -> None:
    return None


def fake_stages():
    from pipeline.scoring import Stages

    return Stages(fake_read_inputs, fake_assemble, fake_normalise, fake_segment)


# ---------------------------------------------------------------------- PostgreSQL (CI sets the URL)
from contextlib import contextmanager  # noqa: E402


@contextmanager
def postgres_schema_url():
    """A store URL on ZHIJIAN_TEST_POSTGRES_URL with a private schema (dropped after); skips without the URL."""
    import os
    import uuid

    import pytest
    import sqlalchemy as sa

    from pipeline.store import engine_url

    base = os.environ.get("ZHIJIAN_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PostgreSQL store tests need ZHIJIAN_TEST_POSTGRES_URL (the CI sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(engine_url(base))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield engine_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
