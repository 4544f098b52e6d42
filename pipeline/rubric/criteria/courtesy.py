"""greeting.v1 and closing.v1: courtesy at the human agent's first and last messages."""
from __future__ import annotations

import re

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult, Message
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, human_agent_messages
from pipeline.rubric.matching import Match, message_evidence
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, Strict


def _no_agent(criterion: Criterion, conversation: Conversation, note: str) -> CriterionResult:
    """No human agent at all: a customer who wrote was owed the courtesy (fail); nobody wrote: na."""
    customers = [m for m in conversation.messages if m.role == "customer"]
    if not customers:
        return criterion.not_applicable()
    return criterion.failed([message_evidence(customers[0], f"{criterion.id}.no_agent", note)])


_CLAUSE_BREAK = re.compile(r"[，,。.!！?？;；~～…\n]")


def _opens(h: Match) -> bool:
    """The match sits in the message's first clause, or after at most four characters (嗯嗯，亲)."""
    before = h.view.s[: h.start]
    return len(before) <= 4 or not _CLAUSE_BREAK.search(before)


class GreetingParams(Strict):
    lexicon: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=L.GREETING, exclude=L.GREETING_EXCLUDE, boundary_max_len=1)
    )
    first_messages: int = Field(default=1, ge=1, description="how many of the agent's first messages may greet")
    per_agent: bool = Field(default=False, description="after a transfer, each new agent's first message must greet too")
    address_terms: list[str] = Field(
        default_factory=lambda: list(L.ADDRESS_TERMS),
        description="greeting words that only address the customer: they greet where they open the message (first clause)",
    )
    still_there: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=L.STILL_THERE),
        description="the customer asks whether a thing is still there (这双还在吗): a bare 在 right after it answers, it does not greet",
    )


@register_criterion("greeting.v1")
class Greeting(Criterion):
    """Pass when the human agent's first message (with text) greets; bots never count. na without a human agent."""

    Params = GreetingParams

    def compile(self) -> tuple[PhraseMatcher, PhraseMatcher]:
        p: GreetingParams = self.params
        return PhraseMatcher(self.id, p.lexicon, GuardParams(quotation=True)), PhraseMatcher(f"{self.id}.still_there", p.still_there, GuardParams(quotation=False))

    def lexicon_terms(self) -> list[str]:
        return self.compiled[0].terms()

    def _greets(self, conversation: Conversation, m: Message) -> list[Match]:
        """The greetings in m. default@10: an address alone (亲) only where it opens the message; a bare 在 is no greeting
        right after the customer asked whether a thing is still there (这双还在吗 — the answer, not a hello)."""
        matcher, still_there = self.compiled
        address = set(self.params.address_terms)
        accepted = [h for h in matcher.find(m).accepted if h.view.s[h.start : h.end] not in address or _opens(h)]
        bare = [h for h in accepted if h.view.s[h.start : h.end] == "在"]
        if not bare:
            return accepted
        before = [c for c in conversation.messages if c.role == "customer" and c.text and c.seq < m.seq]
        if before and still_there.find(before[-1]).accepted:
            return [h for h in accepted if h not in bare]
        return accepted

    def score(self, conversation: Conversation) -> CriterionResult:
        p: GreetingParams = self.params
        agent_msgs = human_agent_messages(conversation)
        if not agent_msgs:
            return _no_agent(self, conversation, "无人工客服接待，客户未得到问候")
        groups: list[list] = []
        if p.per_agent:
            seen: dict[str | None, list] = {}
            for m in agent_msgs:
                seen.setdefault(m.agent_id, []).append(m)
            groups = [msgs[: p.first_messages] for msgs in seen.values()]
        else:
            groups = [agent_msgs[: p.first_messages]]
        evidence, missing = [], []
        for group in groups:
            hit = None
            for m in group:
                greets = self._greets(conversation, m)
                if greets:
                    hit = greets[0]
                    break
            if hit:
                evidence.append(hit.evidence("人工客服首条消息问候"))
            else:
                missing.append(message_evidence(group[0], f"{self.id}.missing", "人工客服首条消息未问候（应在此处问候客户）"))
        if missing:
            return self.failed(missing + evidence)
        return self.passed(evidence)


class ClosingParams(Strict):
    lexicon: LexiconParams = Field(default_factory=lambda: LexiconParams(phrases=L.CLOSING, variants=L.YOU))
    last_messages: int = Field(default=2, ge=1, description="how many of the agent's last messages may close")


@register_criterion("closing.v1")
class Closing(Criterion):
    """Pass when one of the human agent's last two messages (with text) closes with a courtesy."""

    Params = ClosingParams

    def compile(self) -> PhraseMatcher:
        return PhraseMatcher(self.id, self.params.lexicon, GuardParams(quotation=True))

    def lexicon_terms(self) -> list[str]:
        return self.compiled.terms()

    def score(self, conversation: Conversation) -> CriterionResult:
        agent_msgs = human_agent_messages(conversation)
        if not agent_msgs:
            return _no_agent(self, conversation, "无人工客服接待，没有结束语")
        for m in reversed(agent_msgs[-self.params.last_messages :]):
            found = self.compiled.find(m)
            if found.accepted:
                return self.passed([found.accepted[-1].evidence("人工客服结束语")])
        return self.failed(
            [message_evidence(agent_msgs[-1], f"{self.id}.missing", f"人工客服最后 {self.params.last_messages} 条消息没有结束语（询问其他需要、致谢、祝福或欢迎再来）")]
        )
