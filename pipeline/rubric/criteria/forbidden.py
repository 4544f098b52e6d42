"""forbidden_phrases.v1: the human agent uses no service taboo (禁用语). A red line."""
from __future__ import annotations

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult, Evidence
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, human_agent_messages
from pipeline.rubric.matching import compile_entries, view
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
    shrugs: "ShrugParams" = Field(default_factory=lambda: ShrugParams(), description="brush-offs that are taboo only without an alternative")


class ShrugParams(Strict):
    """Brush-offs (这个没办法的 / 我也做不了主 / 反正就是不行 / 您找快递去): a taboo only when no
    alternative or help (offer) follows later in the same message or in the next `window - 1`
    agent messages. Negated (不是没有办法) and quoted uses do not count."""

    phrases: list[str] = Field(default_factory=lambda: list(L.FORBIDDEN_SHRUGS))
    offer: list[str] = Field(default_factory=lambda: list(L.FORBIDDEN_SHRUG_OFFER))
    window: int = Field(default=2, ge=1)


ForbiddenParams.model_rebuild()


@register_criterion("forbidden_phrases.v1")
class ForbiddenPhrases(Criterion):
    """Fail when a human agent message uses a taboo (lexicon, cue pattern or exemplar similarity).
    Quoting (您说“没办法”是指… / 之前同事回复“不归我管”) does not count; customers and bots never count."""

    Params = ForbiddenParams

    def compile(self):
        p: ForbiddenParams = self.params
        shrugs = None
        if p.shrugs.phrases:
            shrugs = PhraseMatcher(
                f"{self.id}.shrug",
                LexiconParams(phrases=p.shrugs.phrases, exclude=p.lexicon.exclude, boundary_max_len=0),
                GuardParams(quotation=True, negation=True, negation_window=3),
            )
        offer = compile_entries(p.shrugs.offer) if p.shrugs.offer else None
        return PhraseMatcher(self.id, p.lexicon, p.guards, p.paraphrase), shrugs, offer

    def lexicon_terms(self) -> list[str]:
        return self.compiled[0].terms()

    def _shrugs(self, agent_msgs) -> list:
        _, shrugs, offer = self.compiled
        out = []
        if shrugs is None:
            return out
        for i, m in enumerate(agent_msgs):
            for match in shrugs.find(m).accepted:
                if offer is not None:
                    rest = match.view.s[match.end :]
                    later = [view(x).s for x in agent_msgs[i + 1 : i + self.params.shrugs.window]]
                    if offer.search(rest) or any(offer.search(t) for t in later):
                        continue  # a refusal with an alternative: judged by positive_framing
                out.append(match)
        return out

    def score(self, conversation: Conversation) -> CriterionResult:
        agent_msgs = human_agent_messages(conversation)
        if not agent_msgs and not any(m.role == "customer" for m in conversation.messages):
            return self.not_applicable()
        violations = []
        matcher = self.compiled[0]
        offer = self.compiled[2]
        for m in agent_msgs:
            for match in matcher.find(m).accepted:
                if offer is not None and match.rule.endswith(".similarity") and offer.search(match.view.s[match.end :]):
                    continue  # only a resemblance, and what follows grants or offers (公司规定七天无理由，已经给您同意了)
                violations.append(match.evidence("禁用语"))
        taken = {(e.seq, e.span) for e in violations}
        for match in self._shrugs(agent_msgs):
            ev = match.evidence("禁用语：推诿，未给出任何替代方案")
            if (ev.seq, ev.span) not in taken and not any(
                e.seq == ev.seq and e.span and not (ev.span[1] <= e.span[0] or ev.span[0] >= e.span[1]) for e in violations
            ):
                violations.append(ev)
        violations.sort(key=lambda e: (e.seq, e.span or (0, 0)))
        if violations:
            return self.failed(violations)
        return self.passed([Evidence(seq=None, text="", span=None, rule=f"{self.id}.none", note="人工客服消息中未发现禁用语" if agent_msgs else "无人工客服消息，无禁用语")])
