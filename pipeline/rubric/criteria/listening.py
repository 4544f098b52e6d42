"""active_listening.v1: in after-sales / complaint conversations the agent restates or confirms."""
from __future__ import annotations

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, TopicParams, human_agent_messages, topic_match
from pipeline.rubric.matching import message_evidence
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, Strict


def after_sales_topic() -> TopicParams:
    return TopicParams(cues=LexiconParams(phrases=L.AFTER_SALES, exclude=L.AFTER_SALES_EXCLUDE, boundary_max_len=1))


class ListeningParams(Strict):
    applies_to: TopicParams = Field(default_factory=after_sales_topic, description="after-sales/complaint words of the customer")
    lexicon: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=L.LISTENING, exclude=L.LISTENING_EXCLUDE, variants=L.YOU)
    )


@register_criterion("active_listening.v1")
class ActiveListening(Criterion):
    """na unless the customer's words make it an after-sales/complaint conversation
    (退货/退款/换货/破损/投诉/没收到/质量 …); then pass when a human agent restates or confirms
    the problem or order details (跟您确认一下 / 您是说…对吗 / 帮您核实一下订单)."""

    Params = ListeningParams

    def compile(self):
        p: ListeningParams = self.params
        topic = PhraseMatcher(f"{self.id}.topic", p.applies_to.cues, GuardParams(negation=True, negation_window=2, quotation=False))
        return topic, PhraseMatcher(self.id, p.lexicon, GuardParams(quotation=True))

    def lexicon_terms(self) -> list[str]:
        topic, matcher = self.compiled
        return topic.terms() + matcher.terms()

    def score(self, conversation: Conversation) -> CriterionResult:
        topic, matcher = self.compiled
        hit = topic_match(conversation, topic)
        if hit is None:
            return self.not_applicable()
        topic_ev = hit.evidence("售后/投诉类会话")
        agent_msgs = human_agent_messages(conversation)
        if not agent_msgs:
            return self.not_applicable([topic_ev])
        for m in agent_msgs:
            found = matcher.find(m)
            if found.accepted:
                return self.passed([topic_ev, found.accepted[0].evidence("复述或确认客户问题/订单信息")])
        return self.failed(
            [topic_ev, message_evidence(agent_msgs[0], f"{self.id}.missing", "售后/投诉会话中人工客服未复述或确认问题、订单信息")]
        )
