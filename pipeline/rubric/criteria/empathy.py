"""empathy.v1: after the customer's first negative message, an agent acknowledges the feeling or apologises."""
from __future__ import annotations

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria._common import EmotionDetector, EmotionParams, GuardParams, PhraseMatcher
from pipeline.rubric.matching import message_evidence
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, ParaphraseParams, Strict


def default_emotion() -> EmotionParams:
    # the sentiment model's "negative" covers plain problem reports (收到的床单上有一块污渍 scores
    # 0.95, and a plain report is neutral by the labelling rules); with no emotion word, only a very
    # confident label counts — or a moderate one when the message's shape shows feeling (pings,
    # sarcasm, urgency, persistence: shape_cues); a plain question needs an emotion word
    return EmotionParams(
        min_negative_score=0.96,
        shape_min_score=0.85,
        shape_cues=LexiconParams(phrases=L.EMO_SHAPE, exclude=L.EMO_SHAPE_EXCLUDE),
        cues=LexiconParams(phrases=L.NEGATIVE_EMOTION, exclude=L.NEGATIVE_EMOTION_EXCLUDE, boundary_max_len=1),
    )


class EmpathyParams(Strict):
    trigger: EmotionParams = Field(default_factory=default_emotion, description="when a customer message is negative")
    lexicon: LexiconParams = Field(default_factory=lambda: LexiconParams(phrases=L.EMPATHY, variants=L.YOU))
    paraphrase: ParaphraseParams = Field(
        default_factory=lambda: ParaphraseParams(threshold=0.6, exemplars=L.EMPATHY_EXEMPLARS, cues=L.EMPATHY_CUES)
    )
    guards: GuardParams = Field(
        default_factory=lambda: GuardParams(
            negation=True, contrast=True, contrast_offer=L.EMPATHY_OFFER, quotation=True, sarcasm=True
        )
    )


@register_criterion("empathy.v1")
class Empathy(Criterion):
    """na when no customer message is negative (sentiment label, or negative-emotion cues);
    otherwise pass when a human agent's reply after the first negative message acknowledges the
    feeling or apologises — lexicon, cue pattern or exemplar similarity — not negated, not cancelled
    by a contrast (我理解，但规定就是规定), not quoted, not sarcastic. No human reply after the
    negative message at all is a fail too (the feeling was never acknowledged)."""

    Params = EmpathyParams

    def compile(self):
        p: EmpathyParams = self.params
        return (
            EmotionDetector(p.trigger, f"{self.id}.trigger"),
            PhraseMatcher(self.id, p.lexicon, p.guards, p.paraphrase),
        )

    def lexicon_terms(self) -> list[str]:
        emotion, matcher = self.compiled
        return matcher.terms() + emotion.matcher.terms()

    def score(self, conversation: Conversation) -> CriterionResult:
        emotion, matcher = self.compiled
        trigger = None
        for m in conversation.messages:
            if m.role != "customer":
                continue
            negative, how, cue = emotion.negative(m)
            if negative:
                trigger = (m, how, cue)
                break
        if trigger is None:
            return self.not_applicable()
        tmsg, how, cue = trigger
        if how == "state":
            st = tmsg.state
            kind = f"{st.kind}，" if st.kind else ""
            ctx = f"，结合客服上一条 seq {st.prev_seq}" if st.prev_seq else ""
            trig_ev = message_evidence(
                tmsg, f"{self.id}.trigger.state",
                f"客户首次出现需安抚的情绪（{kind}客户状态模型 {st.model} P={st.needs_empathy:.2f}{ctx}）", whole=True,
            )
        elif how == "shape":
            score = tmsg.sentiment.scores.get("negative", 0.0) if tmsg.sentiment and tmsg.sentiment.scores else 0.0
            trig_ev = cue.evidence(f"客户首次出现负面情绪（情感模型 negative {score:.2f} ≥ 形态阈值，且消息形态为问题陈述/催促/反讽/着急）")
        elif cue is not None:
            trig_ev = cue.evidence("客户首次出现负面情绪（情绪词，未使用情感模型）")
            trig_ev.rule = f"{self.id}.trigger.lexicon"
        else:
            trig_ev = message_evidence(tmsg, f"{self.id}.trigger.sentiment", "客户首次出现负面情绪（情感模型判为 negative）", whole=True)
        later_agent = [m for m in conversation.messages if m.role == "agent" and m.seq > tmsg.seq and m.text.strip()]
        rejected = []
        for m in conversation.messages:
            if m.seq <= tmsg.seq or m.role != "agent" or not m.text.strip():
                continue
            found = matcher.find(m)
            if found.accepted:
                return self.passed([trig_ev, found.accepted[0].evidence("人工客服表达理解或歉意")])
            rejected.extend(found.rejected)
        evidence = [trig_ev]
        for r in rejected[:3]:
            evidence.append(r.match.evidence(f"不计入：{r.why}"))
        where = later_agent[0] if later_agent else tmsg  # no reply at all: the negative message itself
        evidence.append(
            message_evidence(where, f"{self.id}.missing", "客户出现负面情绪后，人工客服未表达理解或歉意（应在此处先安抚情绪）")
        )
        return self.failed(evidence)
