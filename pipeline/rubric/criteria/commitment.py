"""time_commitment.v1: when the agent hands the problem on, it says when the customer will hear back."""
from __future__ import annotations

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, human_agent_messages
from pipeline.rubric.matching import message_evidence
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, Strict


class CommitmentParams(Strict):
    triggers: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=L.TIME_TRIGGERS, exclude=L.TIME_TRIGGER_EXCLUDE, variants=L.YOU),
        description="the agent hands the problem on or cannot solve it now",
    )
    commitments: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=L.TIME_COMMITMENTS), description="a concrete time frame"
    )
    window: int | None = Field(
        default=None, ge=1, description="agent messages from the hand-off in which the time frame may come (null: any later one)"
    )
    lookback: int = Field(
        default=1,
        ge=0,
        description="agent messages just before a hand-off whose time frame also counts (24小时内给您回复 … 有消息我第一时间联系您)",
    )
    accept_vague: bool = Field(default=False, description="also accept 尽快/马上/稍后 as a commitment")
    vague: list[str] = Field(default_factory=lambda: list(L.TIME_VAGUE))


@register_criterion("time_commitment.v1")
class TimeCommitment(Criterion):
    """na unless a human agent hands the problem on (帮您反馈 / 提交售后 / 登记一下 …) — a live
    transfer inside the chat (the next event is a transfer or another agent answers) is not a
    hand-off; then pass
    when that message, any later agent message (or only the next `window - 1` when window is set),
    or one of the `lookback` agent messages just before it gives a concrete time frame
    (24小时内 / 1-3个工作日 / 明天下午). Vague words (尽快/马上) do not count unless accept_vague.
    One time frame after any hand-off is enough; without one, the first hand-off is the failure."""

    Params = CommitmentParams

    def compile(self):
        p: CommitmentParams = self.params
        commit = p.commitments
        if p.accept_vague:
            commit = commit.model_copy(update={"phrases": [*commit.phrases, *p.vague]})
        return (
            PhraseMatcher(f"{self.id}.handoff", p.triggers, GuardParams(quotation=True, negation=False)),
            PhraseMatcher(self.id, commit, GuardParams(quotation=False)),
        )

    @staticmethod
    def _live_transfer(conversation: Conversation, msg) -> bool:
        """The next non-customer message is a system transfer event or another human agent."""
        after = [m for m in conversation.messages if m.seq > msg.seq and m.role != "customer"]
        if not after:
            return False
        nxt = after[0]
        return nxt.role == "system" or (nxt.role == "agent" and nxt.agent_id is not None and nxt.agent_id != msg.agent_id)

    def lexicon_terms(self) -> list[str]:
        trig, commit = self.compiled
        return trig.terms() + commit.terms()

    def score(self, conversation: Conversation) -> CriterionResult:
        trig, commit = self.compiled
        agent_msgs = human_agent_messages(conversation)
        handoffs = []
        for i, m in enumerate(agent_msgs):
            if self._live_transfer(conversation, m):
                continue  # handed to a colleague inside the chat: the customer is not left waiting
            found = trig.find(m)
            if found.accepted:
                handoffs.append((i, found.accepted[0]))
        if not handoffs:
            return self.not_applicable()
        # one concrete time frame after a hand-off tells the customer when they hear back
        p: CommitmentParams = self.params
        for i, hand in handoffs:
            end = len(agent_msgs) if p.window is None else i + p.window
            for m in agent_msgs[max(0, i - p.lookback) : end]:
                found = commit.find(m)
                if found.accepted:
                    return self.passed([hand.evidence("转交/反馈处理"), found.accepted[0].evidence("告知处理时限")])
        first = handoffs[0][1]
        return self.failed(
            [
                first.evidence("转交/反馈处理"),
                message_evidence(first.view.msg, f"{self.id}.missing", "转交或反馈处理后未告知客户处理时限（如 24小时内 / 1-3个工作日）"),
            ]
        )
