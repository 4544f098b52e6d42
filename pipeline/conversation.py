"""The one object that flows through every stage.

ingest → mask → normalise → segment → sentiment → score → flag → store.
Each stage fills in its own fields and nothing else (see docs/architecture.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# The sentiment labels are the models' (one definition, in the models' base layer, which loads
# nothing heavy: importing this module does not import numpy, torch or transformers).
from models.base import SENTIMENT_LABELS

Role = Literal["customer", "agent", "bot", "system"]
ROLES: tuple[str, ...] = ("customer", "agent", "bot", "system")


@dataclass(frozen=True)
class Token:
    """A jieba token; start/end index the message's analysis form (`Message.norm`)."""

    word: str
    start: int
    end: int


@dataclass
class Sentiment:
    label: str  # one of SENTIMENT_LABELS (the context-read label when the state layer corrected it)
    scores: dict[str, float]  # label -> probability, sums to 1 (always the sentiment model's own)
    model_label: str | None = None  # the sentiment model's own label, set only when `label` differs from it


@dataclass
class CustomerState:
    """How upset a customer turn is, read with the agent's previous message (pipeline.customer_state)."""

    needs_empathy: float  # P(the turn shows a feeling an agent should acknowledge first)
    scores: dict[str, float]  # the context-read polarity (negative / neutral / positive)
    model: str  # e.g. "zh-cs-state@1"
    kind: str | None = None  # 生气 / 着急 / 担心 / 讽刺 / 失望 / 无奈 … when a cue names it (evidence only)
    prev_seq: int | None = None  # the agent message it was read with


@dataclass
class Message:
    # --- filled by ingest (raw text is masked before it is put here) ---
    conversation_id: str
    seq: int  # 1-based order inside the conversation, assigned after sorting
    role: str  # one of ROLES
    timestamp: datetime  # timezone-aware
    text: str  # the text as shown, AFTER masking personal data; evidence spans index this
    agent_id: str | None = None
    agent_name: str | None = None
    customer_id: str | None = None
    channel: str | None = None
    shop: str | None = None
    csat: int | None = None
    message_key: str = ""  # stable content hash: the idempotency key in the store
    source_file: str | None = None
    source_line: int | None = None
    # --- filled by normalise ---
    norm: str = ""  # analysis form: half-width, simplified, emoticons/HTML/mask placeholders out
    norm_to_text: list[int] = field(default_factory=list)  # len(norm)+1; norm index -> text index
    # --- filled by segment ---
    tokens: list[Token] = field(default_factory=list)
    # --- filled by sentiment (customer messages with text only) ---
    sentiment: Sentiment | None = None
    # --- filled by the customer-state layer (customer messages with a sentiment) ---
    state: CustomerState | None = None

    def text_span(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        """Map a [start, end) range in `norm` to the same characters in `text`."""
        if not self.norm_to_text:
            return norm_start, norm_end
        start = self.norm_to_text[norm_start]
        end = self.norm_to_text[norm_end - 1] + 1 if norm_end > norm_start else start
        return start, end

    @property
    def is_human_agent(self) -> bool:
        return self.role == "agent"


@dataclass
class Evidence:
    seq: int | None  # message seq; None when the item is missing and no message applies
    text: str  # the message text as shown (masked) — the whole message
    span: tuple[int, int] | None  # character range in `text`; None for "expected here" pointers
    rule: str  # e.g. "greeting.lexicon", "forbidden_phrases.similarity"
    note: str = ""  # human-readable detail (matched phrase, seconds, why missing)

    def to_dict(self) -> dict:
        d = {"seq": self.seq, "text": self.text, "span": list(self.span) if self.span else None, "rule": self.rule}
        if self.note:
            d["note"] = self.note
        return d


@dataclass
class CriterionResult:
    status: str  # "pass" | "fail" | "na"
    points: float
    max_points: float
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass
class Flag:
    code: str  # forbidden_phrase | sla_breach | negative_end | abusive_customer | empathy_missing | low_score | ...
    reason: str  # Chinese, for the reviewer
    seq: int | None = None
    red_line: bool = False
    # The human agent who wrote message `seq`: in a transferred chat a red line belongs to the
    # agent who said it, not to the conversation's main agent.
    agent_id: str | None = None

    def to_dict(self) -> dict:
        d = {"code": self.code, "reason": self.reason, "seq": self.seq, "red_line": self.red_line}
        if self.agent_id:
            d["agent_id"] = self.agent_id
        return d


@dataclass
class Conversation:
    conversation_id: str
    messages: list[Message] = field(default_factory=list)
    customer_id: str | None = None
    shop: str | None = None
    channel: str | None = None
    # --- filled by score ---
    criteria: dict[str, CriterionResult] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    score: float | None = None
    rubric_version: str | None = None  # e.g. "default@2"
    model_version: str | None = None  # e.g. "zh-cs-sentiment@3"

    # ---- convenience views used by criteria and reports ----
    @property
    def started_at(self) -> datetime | None:
        # The earliest and latest times, not the first and last by seq: an export whose seq order
        # contradicts its clocks must not give a conversation that starts after it ends.
        return min(m.timestamp for m in self.messages) if self.messages else None

    @property
    def ended_at(self) -> datetime | None:
        return max(m.timestamp for m in self.messages) if self.messages else None

    @property
    def agent_messages(self) -> list[Message]:
        """Human-agent messages only; bots never count for the agent."""
        return [m for m in self.messages if m.role == "agent"]

    @property
    def customer_messages(self) -> list[Message]:
        return [m for m in self.messages if m.role == "customer"]

    @property
    def agents(self) -> list[str]:
        seen: list[str] = []
        for m in self.agent_messages:
            if m.agent_id and m.agent_id not in seen:
                seen.append(m.agent_id)
        return seen

    @property
    def agent_id(self) -> str | None:
        """The main human agent: the one with most messages (first to appear breaks ties)."""
        counts: dict[str, int] = {}
        for m in self.agent_messages:
            if m.agent_id:
                counts[m.agent_id] = counts.get(m.agent_id, 0) + 1
        if not counts:
            return None
        order = self.agents
        return max(order, key=lambda a: (counts[a], -order.index(a)))

    @property
    def csat(self) -> int | None:
        values = [m.csat for m in self.messages if m.csat is not None]
        return values[-1] if values else None

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def message(self, seq: int) -> Message:
        for m in self.messages:
            if m.seq == seq:
                return m
        raise KeyError(seq)
