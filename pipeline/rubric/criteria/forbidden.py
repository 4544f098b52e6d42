"""forbidden_phrases.v1: the human agent uses no service taboo (禁用语). A red line."""
from __future__ import annotations

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult, Evidence
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, human_agent_messages
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, ParaphraseParams, Strict


class ForbiddenParams(Strict):
    lexicon: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=L.FORBIDDEN, exclude=L.FORBIDDEN_EXCLUDE, boundary_max_len=2)
    )
    paraphrase: ParaphraseParams = Field(
        default_factory=lambda: ParaphraseParams(threshold=0.66, exemplars=L.FORBIDDEN_EXEMPLARS, cues=L.FORBIDDEN_CUES)
    )
    guards: GuardParams = Field(default_factory=lambda: GuardParams(quotation=True))


@register_criterion("forbidden_phrases.v1")
class ForbiddenPhrases(Criterion):
    """Fail when a human agent message uses a taboo (lexicon, cue pattern or exemplar similarity).
    Quoting (您说“没办法”是指… / 之前同事回复“不归我管”) does not count; customers and bots never count."""

    Params = ForbiddenParams

    def compile(self) -> PhraseMatcher:
        p: ForbiddenParams = self.params
        return PhraseMatcher(self.id, p.lexicon, p.guards, p.paraphrase)

    def lexicon_terms(self) -> list[str]:
        return self.compiled.terms()

    def score(self, conversation: Conversation) -> CriterionResult:
        agent_msgs = human_agent_messages(conversation)
        if not agent_msgs and not any(m.role == "customer" for m in conversation.messages):
            return self.not_applicable()
        violations = []
        for m in agent_msgs:
            for match in self.compiled.find(m).accepted:
                violations.append(match.evidence("禁用语"))
        if violations:
            return self.failed(violations)
        return self.passed([Evidence(seq=None, text="", span=None, rule=f"{self.id}.none", note="人工客服消息中未发现禁用语" if agent_msgs else "无人工客服消息，无禁用语")])
