"""What the card code works on: one scored conversation, corrections already applied."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ConvRecord:
    conversation_id: str
    agent_id: str | None
    started_at: datetime | None
    score: float | None
    criteria: dict[str, dict]  # id -> {"status", "points", "max_points", "evidence": [...]}
    flags: list[dict]  # [{"code", "reason", "seq", "red_line"}]
    sentiment: dict  # {"customer_start", "customer_end", ...}
    csat: float | None = None
    rubric_version: str | None = None
    first_response_s: float | None = None  # seconds, as first_response_sla measures them; None: no reply to time
    unanswered: bool = False  # a customer wrote and no human agent answered (an agent-initiated chat is not)
    corrected: set[str] = field(default_factory=set)  # "score", "flags", "criterion:<id>" that a reviewer changed
    agent_name: str | None = None
    roles: dict[int, str] = field(default_factory=dict)  # message seq -> role (customer/agent), for excerpts
