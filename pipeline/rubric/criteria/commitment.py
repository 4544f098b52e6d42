"""time_commitment.v1: when the agent hands the problem on, it says when the customer will hear back."""
from __future__ import annotations

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria import lexicons_state as S
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, human_agent_messages
from pipeline.rubric.criteria._shapes import asks_to_confirm
from pipeline.rubric.matching import compile_entries, message_evidence
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, Strict

# default@11 (judge6): options put to the customer to choose from (可以直接退货退款；或者今晚给您加急补发一件): nothing is
# handed on until the customer picks one, so a hand-off word inside the option is an offer
OPTIONS_OFFERED = ["re:(或者|或是|要么|要不然|要不|也可以|还可以)[^，。,.!！?？;；]{0,16}"]
# default@11 (judge6): the request settled in the chat (换货已经给您办好了 / 已经给你申请好换货啦 / 已经安排好了): the time
# in the message is when the goods leave (新鞋今天就发出), not a wait for anyone's answer — unless the message still
# waits on someone (`pending`: 审核 / 联系您 …)
SETTLED = ["re:(已经|已)[^，。,.!！?？]{0,8}(申请|安排|办理|办|弄)好(了|啦|咯|哒|喽)?"]


class CommitmentParams(Strict):
    triggers: LexiconParams = Field(
        default_factory=lambda: LexiconParams(
            phrases=L.TIME_TRIGGERS + S.HANDOFF_MORE + S.HANDOFF_PROMISED, exclude=L.TIME_TRIGGER_EXCLUDE + S.HANDOFF_EXCLUDE_MORE + OPTIONS_OFFERED, variants=L.YOU
        ),
        description="the agent hands the problem on or cannot solve it now",
    )
    commitments: LexiconParams = Field(
        # default@8: a time word describing the present (这两天单量大) is none
        default_factory=lambda: LexiconParams(phrases=L.TIME_COMMITMENTS, exclude=S.COMMITMENT_EXCLUDE), description="a concrete time frame"
    )
    window: int | None = Field(
        default=None, ge=1, description="agent messages from the hand-off in which the time frame may come (null: any later one)"
    )
    lookback: int = Field(
        default=1,
        ge=0,
        description="agent messages just before a hand-off whose time frame also counts (24小时内给您回复 … 有消息我第一时间联系您)",
    )
    done: list[str] = Field(
        default_factory=lambda: list(S.HANDOFF_DONE),
        description="a hand-off word in a message that reports the request done in the chat (退款已经提交 / 已提交成功 / "
        "已经帮您跟仓库确认过了) is no hand-off, unless the message still waits on someone (`pending`)",
    )
    pending: list[str] = Field(
        default_factory=lambda: list(S.HANDOFF_PENDING),
        description="words that show the message still waits on someone (审核 / 回复您 / 有结果): a done clause stays a hand-off",
    )
    decided: list[str] = Field(
        default_factory=lambda: list(S.HANDOFF_DECIDED),
        description="a message that reports the request decided in the chat (已为您申请换新并审核通过 / 已经同意退款了) hands "
        "nothing on, even with a time frame for the money or the goods (default@10)",
    )
    settled: list[str] = Field(
        default_factory=lambda: list(SETTLED),
        description="a message that reports the request settled in the chat (换货已经给您办好了 / 已经安排好了) hands nothing on, "
        "whatever time it gives for the goods to leave, unless it still waits on someone (`pending`) (default@11)",
    )
    question_guard: bool = Field(
        default=True,
        description="a time word in a sentence that asks the customer to confirm (跟您确认一下：…今天两颊起了红点，对吗？) "
        "restates what happened, it promises nothing (default@10)",
    )
    accept_vague: bool = Field(default=False, description="also accept 尽快/马上/稍后 as a commitment")
    vague: list[str] = Field(default_factory=lambda: list(L.TIME_VAGUE))


@register_criterion("time_commitment.v1")
class TimeCommitment(Criterion):
    """na unless a human agent hands the problem on (帮您反馈 / 提交售后 / 登记一下 …) — a live
    transfer inside the chat (the next event is a transfer or another agent answers) is not a
    hand-off, nor is a request reported done in the chat (退款已经提交，马上到账) with nothing left
    waiting, nor one the agent reports done in a later message (我帮您提交 … 已经提交成功) — unless the
    message gives a time frame itself (已经帮您提交退货，1-2个工作日内退款 passes); then pass
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
            compile_entries(p.done) if p.done else None,
            compile_entries(p.pending) if p.pending else None,
            compile_entries(p.decided) if p.decided else None,
            compile_entries(p.settled) if p.settled else None,
        )

    def _done_in_chat(self, hit) -> bool:
        """The message reports the request already done (退款已经提交，马上到账 / 已经给您预约好了，师傅按时上门)
        and nothing in it still waits on someone: the customer is not left waiting."""
        _, _, done, pending, *_ = self.compiled
        s = hit.view.s
        return done is not None and bool(done.search(s)) and (pending is None or not pending.search(s))

    def _decided_in_chat(self, hit) -> bool:
        """The message reports the request decided (已经给您申请换货并审核通过 / 已经同意退款了), or settled (换货已经给您办好了)
        with nothing still waiting on someone: nobody is left to decide, whatever time frame the message gives for the money
        or the goods."""
        decided, settled, pending = self.compiled[4], self.compiled[5], self.compiled[3]
        s = hit.view.s
        if decided is not None and decided.search(s):
            return True
        return settled is not None and bool(settled.search(s)) and (pending is None or not pending.search(s))

    def _time_frames(self, msg) -> list:
        """The message's concrete time frames, less those in a sentence that asks the customer to confirm (question_guard)."""
        found = self.compiled[1].find(msg).accepted
        if not self.params.question_guard:
            return found
        return [f for f in found if not asks_to_confirm(f.view.s, f.end)]

    @staticmethod
    def _live_transfer(conversation: Conversation, msg) -> bool:
        """The next non-customer message is a system transfer event or another human agent."""
        after = [m for m in conversation.messages if m.seq > msg.seq and m.role != "customer"]
        if not after:
            return False
        nxt = after[0]
        return nxt.role == "system" or (nxt.role == "agent" and nxt.agent_id is not None and nxt.agent_id != msg.agent_id)

    def lexicon_terms(self) -> list[str]:
        trig, commit, *_ = self.compiled
        return trig.terms() + commit.terms()

    def score(self, conversation: Conversation) -> CriterionResult:
        trig = self.compiled[0]
        agent_msgs = human_agent_messages(conversation)
        found = []
        for i, m in enumerate(agent_msgs):
            if self._live_transfer(conversation, m):
                continue  # handed to a colleague inside the chat: the customer is not left waiting
            # a message that gives its own time frame keeps its hand-off (已经帮您提交退货，1-2个工作日内退款: pass)
            timed = bool(self._time_frames(m))
            found += [(i, h, (not timed and self._done_in_chat(h)) or self._decided_in_chat(h), timed) for h in trig.find(m).accepted]
        # a hand-off reported done later in the chat (我帮您提交 … 已经提交成功) was carried out while the customer waited
        done_later = [(i, h.pattern) for i, h, done, _ in found if done]
        handoffs = []
        for i, h, done, timed in found:
            if done or (not timed and any(j > i and pattern == h.pattern for j, pattern in done_later)):
                continue
            if not handoffs or handoffs[-1][0] != i:
                handoffs.append((i, h))
        if not handoffs:
            return self.not_applicable()
        # one concrete time frame after a hand-off tells the customer when they hear back
        p: CommitmentParams = self.params
        for i, hand in handoffs:
            end = len(agent_msgs) if p.window is None else i + p.window
            for m in agent_msgs[max(0, i - p.lookback) : end]:
                frames = self._time_frames(m)
                if frames:
                    return self.passed([hand.evidence("转交/反馈处理"), frames[0].evidence("告知处理时限")])
        first = handoffs[0][1]
        return self.failed(
            [
                first.evidence("转交/反馈处理"),
                message_evidence(first.view.msg, f"{self.id}.missing", "转交或反馈处理后未告知客户处理时限（如 24小时内 / 1-3个工作日）"),
            ]
        )
