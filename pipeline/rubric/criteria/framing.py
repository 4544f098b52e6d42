"""positive_framing.v1: a refusal offers an alternative (虽然…不过我们可以…)."""
from __future__ import annotations

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, human_agent_messages
from pipeline.rubric.matching import Lexicon, message_evidence, view
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, Strict


class FramingParams(Strict):
    refusals: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=L.REFUSALS, exclude=L.REFUSAL_EXCLUDE, variants=L.YOU)
    )
    alternatives: LexiconParams = Field(default_factory=lambda: LexiconParams(phrases=L.ALTERNATIVES, variants=L.YOU))
    window: int = Field(default=2, ge=1, description="agent messages from the refusal in which the alternative may come")


@register_criterion("positive_framing.v1")
class PositiveFraming(Criterion):
    """na unless a human agent refuses (无法退款 / 不支持 / 超过售后期限 …); then pass when every
    refusal is followed — later in the same message or in the next `window - 1` agent messages —
    by an alternative (可以为您… / 建议 / 或者 / 补偿 …)."""

    Params = FramingParams

    def compile(self):
        p: FramingParams = self.params
        refusal = PhraseMatcher(self.id + ".refusal", p.refusals, GuardParams(quotation=True))
        alt = Lexicon(
            p.alternatives.phrases,
            rule=f"{self.id}.alternative",
            variants=p.alternatives.variants,
            exclude=p.alternatives.exclude,
            boundary_max_len=p.alternatives.boundary_max_len,
        )
        return refusal, alt

    def lexicon_terms(self) -> list[str]:
        refusal, alt = self.compiled
        return refusal.terms() + alt.terms()

    def score(self, conversation: Conversation) -> CriterionResult:
        refusal, alt = self.compiled
        agent_msgs = human_agent_messages(conversation)
        evidence = []
        any_refusal = False
        for i, m in enumerate(agent_msgs):
            found = refusal.find(m)
            if not found.accepted:
                continue
            any_refusal = True
            r = found.accepted[0]
            offer = next((a for a in alt.find(view(m)) if a.start >= r.end), None)
            if offer is None:
                for later in agent_msgs[i + 1 : i + self.params.window]:
                    cands = alt.find(view(later))
                    if cands:
                        offer = cands[0]
                        break
            if offer is None:
                return self.failed(
                    [r.evidence("拒绝客户请求"), message_evidence(m, f"{self.id}.missing", "拒绝后未给出替代方案（虽然…不过我们可以…）")]
                )
            evidence += [r.evidence("拒绝客户请求"), offer.evidence("给出替代方案")]
        if not any_refusal:
            return self.not_applicable()
        return self.passed(evidence)
