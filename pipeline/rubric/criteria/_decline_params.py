"""positive_framing's decline-model settings (DeclineModelParams), kept apart from framing.py so the criterion's flow
stays one readable file; framing.py imports it back (its `declines` param)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.rubric.schema import Strict


class DeclineModelParams(Strict):
    """default@12: the decline model (models/declines.py, zh-cs-declines) reads every human-agent message with the
    customer's turn before it; it finds declines said without refusal words (a rule stated, stock gone, a condition not
    met) and whether the message offers something in their place."""

    enabled: bool = True
    model: str | None = Field(default=None, description="decline model directory; null = the shipped models/zh-cs-declines")
    model_version: str | None = Field(default="zh-cs-declines@4", description="the model the thresholds were chosen with: another is refused")
    threshold: float = Field(
        default=0.6, ge=0.0, le=1.0,
        description="a message with no refusal the rule sees is a refusal when the model's P(declines) + "
        "P(declines_with_alternative) reaches this and it answers the customer (`answers`)",
    )
    answers: Literal["customer", "request"] = Field(
        default="request",
        description="what a model decline must answer: `customer` — the customer wrote since the agent's last message; "
        "`request` — one of the customer's last `request_turns` turns makes a request (the `requests` lexicon)",
    )
    alternative: float | None = Field(
        default=0.5, ge=0.0, le=1.0,
        description="a declining message offers something in place when P(declines_with_alternative) / P(either declining "
        "class) reaches this — for the model's declines and, with `rule_refusals`, the rule's (null: the rule's "
        "alternatives only)",
    )
    rule_refusals: bool = Field(default=True, description="the model's alternative reading also answers the rule's refusals")
    customer_above: float | None = Field(
        default=0.8, ge=0.0, le=1.0,
        description="default@13: with `answers: request`, a model decline at this probability or more counts where it answers "
        "the customer though the `requests` lexicon found no request in their turn (我要退货 / 给我发顺丰 / 帮我催一下 ask "
        "without a request word): the model reads the customer's turn too (null: off)",
    )
    veto: float | None = Field(
        default=0.9, ge=0.0, le=1.0,
        description="a rule refusal in a message the model reads as not declining with at least this probability "
        "is no refusal (null: off)",
    )
