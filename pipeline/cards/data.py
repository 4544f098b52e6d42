"""Reading a month from the store: effective results (corrections applied) + first-response seconds.

The result JSON carries the first_response_sla status but the seconds only as free text in an
evidence note, so the seconds are measured again here, with the criterion's own rule
(pipeline.rubric.criteria.timing.measure_first_response) over the stored messages numbered as
the scored conversation was (assemble): first customer message → next human-agent message by
seq. A chat the agent opened (default@12: whatever the customer wrote after; before, only when the
customer merely acknowledged) has no first-response wait and is not unanswered: the stored criterion
result says so (timing.agent_initiated). So a card shows what was scored.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.cards.model import ConvRecord
from pipeline.cards.rubric import FIRST_RESPONSE_CRITERION
from pipeline.conversation import Conversation
from pipeline.corrections import effective_results
from pipeline.ingest import assemble
from pipeline.rubric.criteria.timing import agent_initiated, measure_first_response
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


def first_response(conversation: Conversation, criterion_result: dict | None) -> tuple[float | None, bool]:
    """(seconds the customer waited for the first human reply, unanswered?) as first_response_sla.v1 measured them.

    criterion_result: the conversation's stored first_response_sla result (its evidence tells an
    agent-initiated chat, where nobody waited, from an unanswered one).
    """
    measured = measure_first_response(conversation.messages)
    if measured.first_customer is None:
        return None, False
    if measured.agent_first and agent_initiated(criterion_result):  # the agent opened the chat: nobody waited
        return None, False
    if measured.reply is None:
        return None, not agent_initiated(criterion_result)
    return measured.seconds, False


def load_records(store: Store, start: datetime, end: datetime, rubric_version: str | None = None,
                 with_messages: bool = True) -> tuple[list[ConvRecord], str | None]:
    """Effective results of conversations started in [start, end) as ConvRecords, and the rubric version used."""
    rows, version = effective_results(store, start, end, rubric_version=rubric_version)
    records: list[ConvRecord] = []
    for row in rows:
        corrected: set[str] = set()
        if row["corrected"]:
            corrected.add("any")
            for c in row["corrected_criteria"]:
                corrected.add(f"criterion:{c}")
            if row["score"] != row["auto_score"]:
                corrected.add("score")
        records.append(ConvRecord(
            conversation_id=row["conversation_id"],
            agent_id=row["agent_id"],
            started_at=row["started_at"],
            score=row["score"],
            criteria=row["criteria"],
            flags=row["flags"],
            sentiment=row["sentiment"],
            csat=row["csat"],
            rubric_version=row["rubric_version"],
            corrected=corrected,
        ))
    if with_messages:
        # Only the heads (no texts): a month can hold millions of messages.
        heads = store.load_message_heads([r.conversation_id for r in records])
        by_conv = {c.conversation_id: c for c in assemble(heads)}
        for r in records:
            conv = by_conv.get(r.conversation_id, Conversation(r.conversation_id))
            r.first_response_s, r.unanswered = first_response(conv, r.criteria.get(FIRST_RESPONSE_CRITERION))
            msgs = conv.messages
            names = [m.agent_name for m in msgs if m.role == "agent" and m.agent_id == r.agent_id and m.agent_name]
            r.agent_name = names[0] if names else None
            r.roles = {m.seq: m.role for m in msgs if m.role in ("customer", "agent")}
    return records, version
