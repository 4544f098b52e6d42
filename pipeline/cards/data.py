"""Reading a month from the store: effective results (corrections applied) + first-response seconds.

The result JSON carries the first_response_sla status but the seconds only as free text in an
evidence note, so first-response time is measured here from the stored messages table:
first customer message → first human-agent message at or after it (bots do not count).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.cards.model import ConvRecord
from pipeline.settings import get_settings
from pipeline.store import Store


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        try:
            y, m = str(text).strip().split("-")
            month = cls(int(y), int(m))
            if not (1 <= month.month <= 12 and 1900 < month.year < 3000) or len(m) != 2:
                raise ValueError
            return month
        except ValueError:
            raise ValueError(f"month must look like 2026-10 (YYYY-MM), not {text!r}") from None

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shift(self, k: int) -> "Month":
        idx = self.year * 12 + (self.month - 1) + k
        return Month(idx // 12, idx % 12 + 1)

    def start(self, tz: ZoneInfo | None = None) -> datetime:
        """Midnight on the 1st in the shop time zone (settings.timezone): months are local months."""
        return datetime(self.year, self.month, 1, tzinfo=tz or ZoneInfo(get_settings().timezone))

    def end(self, tz: ZoneInfo | None = None) -> datetime:
        return self.shift(1).start(tz)

    def contains(self, when: datetime | None) -> bool:
        if when is None:
            return False
        tz = ZoneInfo(get_settings().timezone)
        return self.start(tz) <= when < self.end(tz)


def _clean(value):
    """pandas turns missing numbers into NaN; the cards want None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def first_response_seconds(msgs: list) -> tuple[float | None, bool]:
    """(seconds from first customer message to first human-agent message at/after it, unanswered?)."""
    ordered = sorted(msgs, key=lambda m: (m.timestamp, m.seq if m.seq is not None else 0))
    first_customer = next((m for m in ordered if m.role == "customer"), None)
    if first_customer is None:
        return None, False
    reply = next((m for m in ordered if m.role == "agent" and m.timestamp >= first_customer.timestamp), None)
    if reply is None:
        return None, True
    return (reply.timestamp - first_customer.timestamp).total_seconds(), False


def load_records(store: Store, start: datetime, end: datetime, rubric_version: str | None = None,
                 with_messages: bool = True) -> tuple[list[ConvRecord], str | None]:
    """Effective results of conversations started in [start, end) as ConvRecords, and the rubric version used."""
    df = store.effective_results(start, end, rubric_version=rubric_version)
    if not len(df):
        return [], rubric_version or store.current_rubric_version()
    version = df["rubric_version"].iloc[0]
    records: list[ConvRecord] = []
    for row in df.to_dict("records"):
        corrected: set[str] = set()
        if row.get("corrected"):
            corrected.add("any")
            for c in row.get("corrected_criteria") or []:
                corrected.add(f"criterion:{c}")
            if _clean(row.get("score")) != _clean(row.get("auto_score")):
                corrected.add("score")
        records.append(ConvRecord(
            conversation_id=row["conversation_id"],
            agent_id=_clean(row.get("agent_id")),
            started_at=_clean(row.get("started_at")),
            score=_clean(row.get("score")),
            criteria=row.get("criteria") or {},
            flags=row.get("flags") or [],
            sentiment=row.get("sentiment") or {},
            csat=_clean(row.get("csat")),
            rubric_version=row.get("rubric_version"),
            corrected=corrected,
        ))
    if with_messages:
        by_conv = _message_heads(store, [r.conversation_id for r in records])
        for r in records:
            msgs = by_conv.get(r.conversation_id, [])
            r.first_response_s, r.unanswered = first_response_seconds(msgs)
            names = [m.agent_name for m in msgs if m.role == "agent" and m.agent_id == r.agent_id and m.agent_name]
            r.agent_name = names[0] if names else None
            r.roles = {m.seq: m.role for m in msgs if m.seq is not None}
    return records, version


@dataclass
class _Msg:
    conversation_id: str
    seq: int | None
    role: str
    timestamp: datetime
    agent_id: str | None
    agent_name: str | None


def _message_heads(store: Store, conversation_ids: list[str]) -> dict[str, list[_Msg]]:
    """Only the columns first-response time needs (not the texts): a month can hold millions of messages.

    A small query over pipeline.store's messages table, so the card code does not widen the Store API.
    """
    import sqlalchemy as sa

    from pipeline.store import messages

    out: dict[str, list[_Msg]] = {}
    cols = [messages.c.conversation_id, messages.c.seq, messages.c.role, messages.c.timestamp,
            messages.c.agent_id, messages.c.agent_name]
    with store.engine.connect() as conn:
        for i in range(0, len(conversation_ids), 500):
            chunk = conversation_ids[i:i + 500]
            stmt = sa.select(*cols).where(messages.c.conversation_id.in_(chunk),
                                          messages.c.role.in_(("customer", "agent")))
            for r in conn.execute(stmt):
                out.setdefault(r.conversation_id, []).append(_Msg(*r))
    return out
