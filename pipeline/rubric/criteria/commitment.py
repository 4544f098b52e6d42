"""time_commitment.v1: when the agent hands the problem on, it says when the customer will hear back.

default@12 (issue 13, commit7): the hand-off model (models/handoffs.py, zh-cs-handoffs) reads every human agent message
with the customer's turn before it. A message the word lists miss is a hand-off when the model's P(hands on) reaches
`model.threshold`; a hand-off message (the rule's or the model's) says when when the rule's time patterns find a time in
its window or the model's P(with time | hands on) for it reaches `model.time_threshold`. The evidence of a model
decision names the message, the model id and the probability."""
from __future__ import annotations

import re

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult, Evidence
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria import lexicons_state as S
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, human_agent_messages, pinned_model
from pipeline.rubric.criteria._shapes import asks_to_confirm
from pipeline.rubric.matching import compile_entries, find_spans, message_evidence, view
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, Strict

HANDOFF_MODEL_VERSION = "zh-cs-handoffs@3"

# default@11 (judge6): options put to the customer to choose from (可以直接退货退款；或者今晚给您加急补发一件): nothing is
# handed on until the customer picks one, so a hand-off word inside the option is an offer
OPTIONS_OFFERED = ["re:(或者|或是|要么|要不然|要不|也可以|还可以)[^，。,.!！?？;；]{0,16}"]
# default@11 (judge6): the request settled in the chat (换货已经给您办好了 / 已经给你申请好换货啦 / 已经安排好了): the time
# in the message is when the goods leave (新鞋今天就发出), not a wait for anyone's answer — unless the message still
# waits on someone (`pending`: 审核 / 联系您 …)
SETTLED = ["re:(已经|已)[^，。,.!！?？]{0,8}(申请|安排|办理|办|弄)好(了|啦|咯|哒|喽)?"]
# default@13 (lst12): a booking fixed in the chat (周四8点已锁定 / 已经帮您改到周六上午 / 已经给您换好订单): the time in the
# message is the appointment, nobody is left to decide — unless the message still waits on someone (`pending`)
SETTLED_13 = ["re:(已经|已)(给您|帮您|为您|给你|帮你|为你)?(锁定|约好|定好|排好|改好|改到|换好|约到|排到)"]
# default@13 (lst12): a time word that describes the present or the past, not when the customer hears back: the
# workload now (师傅那边今天单子特别多), the time the customer lost (耽误您半天 / 让您等了一上午)
COMMITMENT_EXCLUDE_13 = [
    "re:(今天|今日|这会儿?|现在|目前|本周|这周|今晚)[^，。,.!！?？]{0,4}((单量|单子|订单|活儿?|件|人)[^，。,.!！?？]{0,3}(多|大|满|爆)|(比较|特别|太|很|有点|挺)忙|排满)",
    "re:(耽误|耽搁|浪费|白等|让您等|让你等|等了)(了)?(您|你|亲)?(的)?[0-9一二两三四五六七八九十半几]+\\s*(个)?(小时|天|分钟|钟头|日|周|上午|下午|晚上)",
]
# default@13 (lst12): the point at which the goods move (今天下午从仓库发出 / 明天上午顺丰上门取件): after a request reported
# done in the chat, such a time is the delivery of what was done, it is no wait for anyone's answer — the done report stands
# (a window — 48小时内发出 — is not read so: `_own_time`)
GOODS_TIMES = ["re:^[^，。,.!！?？;；]{0,8}(发出|发货|寄出|出库|送达|送到|送过去|到货|揽收|取件|上门取|派送)"]
# a window or a deadline (48小时内 / 1-3个工作日 / 8点前), not a point of the day (今天下午 / 明天上午)
_WINDOW = re.compile(r"[0-9一二两三四五六七八九十半几]\s*(个)?(小时|工作日|工作天|天|分钟|钟头|周|日|h)|(内|前)$")
# default@13 (lst12): negotiating with a third party for the customer (我已经在跟酒店交涉 / 正在和商家协调) hands the matter on
HANDOFF_13 = ["re:(跟|和|与|同)(?!您|你|亲|客户)[^，。,.!！?？]{1,6}(交涉|协调)"]

# default@14 (lst13): a look-up the agent does itself (我查一下 / 我问一下仓库 / 帮您核实一下) that a later agent message of
# the chat answers (仓库说还有两件，已经给您留了一件 / 在您市里的网点了，预计明天送达): the matter was settled while the customer
# waited — the look-up hands nothing on, and a time in the answer is information. A hand-off to act (反馈 / 登记 / 申请 /
# 提交 / 催 / 联系 / 派单 …) is no look-up, and a later message that only asks to wait (稍等 / 正在查) answers nothing
LOOKUP = r"(查|看|核实|核对|确认|问)(一)?下"
LOOKUP_NOT = r"(反馈|登记|申请|提交|催|联系|派单|转|报|上报|安排|加急|备注|工单|售后|专员|主管|回复您|答复|通知)"
WAITING = r"(稍等|稍候|请等|等一下|等我|正在|还在|马上|这就|在查|在问|耐心|[吗呢][?？]?\s*$)"
# default@14 (lst13): a message that closes by asking the customer's leave (我跟您协调一下入住时间好吗 / 帮您申请一下可以吗):
# an offer — nothing is handed on until the customer agrees, and the message that then does it is the hand-off. Read on
# the model's hand-offs (zh-cs-handoffs@3 reads such offers at 0.7–0.8)
OFFER_QUESTION = r"(好吗|好不好|可以吗|可不可以|行吗|行不行|要不要|需要吗|需不需要|您看呢|您看可以吗|方便吗)[?？~～。.!！\s]*$"
# default@14 (lst13): money or goods already on their way or arrived (已经到账了 / 已经退到您卡里了 / 已经补发出去了) report a
# request done in the chat, whatever verb asked for it (给您申请了20元补偿，已经到账了)
DONE_14 = ["re:(已经|已)[^，。,.!！?？]{0,6}(到账|退到|退回到|打到|返到|转到|发出|寄出|发出去|寄出去|补发出)"]
# default@14 (lst13): a promise to tell once it is done (安排好了跟您说 / 登记好了告诉您) still waits: the done word in it is
# a condition, not a report; 跟您说声抱歉 is an apology
PENDING_14 = ["re:(好|了|后|完)(我)?(再|会)?(跟您说|告诉您|和您说|给您说|跟你说|告诉你|和你说|回您|找您)(?!声)",
              "re:(再|会|到时)(跟您说|告诉您|和您说|跟你说|告诉你)(?!声)"]


class HandoffModelParams(Strict):
    enabled: bool = Field(default=True, description="read agent messages with the hand-off model (models/zh-cs-handoffs)")
    model: str | None = Field(default=None, description="hand-off model directory; null = the shipped models/zh-cs-handoffs")
    model_version: str | None = Field(
        default=HANDOFF_MODEL_VERSION,
        description="the hand-off model this rubric was calibrated with; another model is an error (null accepts any)",
    )
    threshold: float | None = Field(
        default=0.5, ge=0, le=1, description="P(hands on) from which a message the triggers miss is a hand-off (null: the model adds none; "
        "default@12: 0.5, chosen leave one writer out, `python -m pipeline.rubric.evaluate_handoffs`)"
    )
    timed_threshold: float | None = Field(
        default=None, ge=0, le=1,
        description="a lower P(hands on) from which a message that names a time itself (the time patterns) is a hand-off (null: `threshold`)",
    )
    time_threshold: float | None = Field(
        default=None, ge=0, le=1,
        description="P(with time | hands on) from which a hand-off message says when, whatever the time patterns find (null: only the patterns; default@12: "
        "null — at 0.5 / 0.7 it lost held-out rows, the patterns already find the times the model reads)",
    )
    veto: float | None = Field(
        default=0.05, ge=0, le=1, description="a trigger hit in a message the model reads below this P(hands on) is no hand-off (null: never)"
    )


class CommitmentParams(Strict):
    triggers: LexiconParams = Field(
        default_factory=lambda: LexiconParams(
            phrases=L.TIME_TRIGGERS + S.HANDOFF_MORE + S.HANDOFF_PROMISED + HANDOFF_13, exclude=L.TIME_TRIGGER_EXCLUDE + S.HANDOFF_EXCLUDE_MORE + OPTIONS_OFFERED, variants=L.YOU
        ),
        description="the agent hands the problem on or cannot solve it now",
    )
    commitments: LexiconParams = Field(
        # default@8: a time word describing the present (这两天单量大) is none
        default_factory=lambda: LexiconParams(phrases=L.TIME_COMMITMENTS, exclude=S.COMMITMENT_EXCLUDE + COMMITMENT_EXCLUDE_13),
        description="a concrete time frame"
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
        default_factory=lambda: list(S.HANDOFF_DONE + DONE_14),
        description="a hand-off word in a message that reports the request done in the chat (退款已经提交 / 已提交成功 / "
        "已经帮您跟仓库确认过了) is no hand-off, unless the message still waits on someone (`pending`)",
    )
    pending: list[str] = Field(
        default_factory=lambda: list(S.HANDOFF_PENDING + PENDING_14),
        description="words that show the message still waits on someone (审核 / 回复您 / 有结果): a done clause stays a hand-off",
    )
    decided: list[str] = Field(
        default_factory=lambda: list(S.HANDOFF_DECIDED),
        description="a message that reports the request decided in the chat (已为您申请换新并审核通过 / 已经同意退款了) hands "
        "nothing on, even with a time frame for the money or the goods (default@10)",
    )
    settled: list[str] = Field(
        default_factory=lambda: list(SETTLED + SETTLED_13),
        description="a message that reports the request settled in the chat (换货已经给您办好了 / 已经安排好了) hands nothing on, "
        "whatever time it gives for the goods to leave, unless it still waits on someone (`pending`) (default@11)",
    )
    goods_times: list[str] = Field(
        default_factory=lambda: list(GOODS_TIMES),
        description="regex read right after a time frame: the time is when the goods move (今天下午从仓库发出 / 明天上午顺丰上门取件). "
        "In a message that reports the request done, such times do not keep the hand-off (default@13)",
    )
    question_guard: bool = Field(
        default=True,
        description="a time word in a sentence that asks the customer to confirm (跟您确认一下：…今天两颊起了红点，对吗？) "
        "restates what happened, it promises nothing (default@10)",
    )
    answered_lookup: int | None = Field(
        default=2, ge=1,
        description="a look-up by the agent (`lookup`: 我查一下 / 我问一下仓库) with no hand-off to act in it (`lookup_not`) is "
        "no hand-off when one of the next N human agent messages answers it (not a hand-off itself, not a wait: `waiting`) "
        "(default@14, lst13; null: off)",
    )
    lookup: str = Field(default=LOOKUP, description="regex: the agent looks something up itself")
    lookup_not: str = Field(default=LOOKUP_NOT, description="regex: a hand-off to act, which no answer in the chat settles")
    waiting: str = Field(default=WAITING, description="regex: a later message that only asks to wait or asks a question")
    offer_question: str | None = Field(
        default=OFFER_QUESTION,
        description="regex: a message closing on a question for the customer's leave (…好吗 / …可以吗) is an offer, no model "
        "hand-off (default@14, lst13; null: off)",
    )
    model: HandoffModelParams = Field(default_factory=HandoffModelParams, description="the learned layer (default@12)")
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
            self._load_model(p.model),
            compile_entries(p.goods_times) if p.goods_times else None,
            # _unanswered's look-up, act and wait patterns: compiled here once, not on every conversation
            (re.compile(p.lookup), re.compile(p.lookup_not), re.compile(p.waiting)) if p.answered_lookup is not None else None,
        )

    def _load_model(self, mp: HandoffModelParams):
        if not mp.enabled:
            return None
        from models.handoffs import load_handoff_model

        model = pinned_model(self.id, "hand-off", load_handoff_model, mp.model, mp.model_version, "model.model_version")
        return model

    def _done_in_chat(self, hit_or_view) -> bool:
        """The message reports the request already done (退款已经提交，马上到账 / 已经给您预约好了，师傅按时上门)
        and nothing in it still waits on someone: the customer is not left waiting."""
        _, _, done, pending, *_ = self.compiled
        s = getattr(hit_or_view, "view", hit_or_view).s
        return done is not None and bool(done.search(s)) and (pending is None or not pending.search(s))

    def _decided_in_chat(self, hit_or_view) -> bool:
        """The message reports the request decided (已经给您申请换货并审核通过 / 已经同意退款了), or settled (换货已经给您办好了)
        with nothing still waiting on someone: nobody is left to decide, whatever time frame the message gives for the money
        or the goods."""
        decided, settled, pending = self.compiled[4], self.compiled[5], self.compiled[3]
        s = getattr(hit_or_view, "view", hit_or_view).s
        if decided is not None and decided.search(s):
            return True
        return settled is not None and bool(settled.search(s)) and (pending is None or not pending.search(s))

    def _time_frames(self, msg) -> list:
        """The message's concrete time frames, less those in a sentence that asks the customer to confirm (question_guard)."""
        found = self.compiled[1].find(msg).accepted
        if not self.params.question_guard:
            return found
        return [f for f in found if not asks_to_confirm(f.view.s, f.end)]

    def _own_time(self, msg) -> bool:
        """The message names a time frame that is not only the point at which the goods move (`goods_times`): a done
        report with only such times stays done (已经给您登记了换货，新的今天下午发出). A window (48小时内给您发出 / 1-3个工作日
        内退回) still promises something, as the labels read it: it keeps the hand-off."""
        goods = self.compiled[7] if len(self.compiled) > 7 else None  # a compiled tuple set by hand may stop at the model
        return any(goods is None or _WINDOW.search(f.view.s[f.start:f.end]) or not goods.search(f.view.s[f.end:])
                   for f in self._time_frames(msg))

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

    def _model_reading(self, conversation: Conversation, agent_msgs) -> tuple | None:
        """(P(hands on), P(with time | hands on)) per human agent message, each read with the customer's turn before it."""
        model = self.compiled[6]
        if model is None or not agent_msgs:
            return None
        primed = self.take_primed(conversation)
        if primed is not None:
            return primed  # this conversation's slice of the batch's readings (`prime`)
        from models.handoffs import handoff_examples

        # the same messages as human_agent_messages, in order: agent role, some text
        examples = handoff_examples((m.role, m.text) for m in conversation.messages)
        return model.readings(examples)

    def prime(self, conversations) -> None:
        """The hand-off model reads every human agent message of a batch at once (Rubric.score_many), and each
        conversation's slice of the readings is kept for `_model_reading`: one numpy pass instead of one per
        conversation, the same numbers to the last bit (every step of a reading is per row)."""
        model = self.compiled[6]
        if model is None:
            return
        from models.handoffs import handoff_examples

        per_conv = [handoff_examples((m.role, m.text) for m in conv.messages) for conv in conversations]
        examples = [x for xs in per_conv for x in xs]
        if examples:
            self.keep_primed(conversations, [len(xs) for xs in per_conv], *model.readings(examples))

    def _model_evidence(self, msg, rule: str, what: str, prob: float) -> Evidence:
        return message_evidence(msg, f"{self.id}.{rule}", f"{what}（模型 {self.compiled[6].model_id}，概率 {prob:.2f}）", whole=True)

    def _unanswered(self, agent_msgs, handoffs: list, triggered: set[int]) -> list:
        """(the hand-offs less the agent's own look-ups answered later in the chat, (look-up, answer) index pairs)
        (answered_lookup): 我问一下仓库 → 仓库说还有两件，已经给您留了一件. An answer is one of the next N agent messages with
        no hand-off word of its own and no wait (稍等 / 正在查)."""
        p: CommitmentParams = self.params
        if p.answered_lookup is None:
            return handoffs, []
        c = self.compiled  # a compiled tuple set by hand may stop before the patterns
        lookup, act, waiting = c[8] if len(c) > 8 else (re.compile(p.lookup), re.compile(p.lookup_not), re.compile(p.waiting))
        keep, answered = [], []
        for i, hand in handoffs:
            s = view(agent_msgs[i]).s
            if lookup.search(s) and not act.search(s):
                later = range(i + 1, min(len(agent_msgs), i + 1 + p.answered_lookup))
                j = next((j for j in later if j not in triggered and len(view(agent_msgs[j]).s) >= 8
                          and not waiting.search(view(agent_msgs[j]).s)), None)
                if j is not None:
                    answered.append((i, j))
                    continue  # looked up and answered in the chat: nothing handed on
            keep.append((i, hand))
        return keep, answered

    def score(self, conversation: Conversation) -> CriterionResult:
        trig = self.compiled[0]
        mp: HandoffModelParams = self.params.model
        agent_msgs = human_agent_messages(conversation)
        reading = self._model_reading(conversation, agent_msgs)
        hands, timed_p = reading if reading is not None else (None, None)
        found = []
        live = set()
        for i, m in enumerate(agent_msgs):
            if self._live_transfer(conversation, m):
                live.add(i)
                continue  # handed to a colleague inside the chat: the customer is not left waiting
            # a message that gives its own time frame keeps its hand-off (已经帮您提交退货，1-2个工作日内退款: pass)
            timed = self._own_time(m)
            found += [(i, h, (not timed and self._done_in_chat(h)) or self._decided_in_chat(h), timed) for h in trig.find(m).accepted]
        # a hand-off reported done later in the chat (我帮您提交 … 已经提交成功) was carried out while the customer waited
        done_later = [(i, h.pattern) for i, h, done, _ in found if done]
        handoffs: list[tuple[int, Evidence]] = []
        for i, h, done, timed in found:
            if done or (not timed and any(j > i and pattern == h.pattern for j, pattern in done_later)):
                continue
            if hands is not None and mp.veto is not None and hands[i] < mp.veto:
                continue  # the model reads no hand-off at all in the message: a trigger word there is something else
            if not handoffs or handoffs[-1][0] != i:
                handoffs.append((i, h.evidence("转交/反馈处理")))
        if hands is not None and mp.threshold is not None:  # hand-offs in words the triggers do not know
            ruled = {i for i, _ in handoffs}
            bar = [mp.threshold] * len(agent_msgs)
            if mp.timed_threshold is not None:  # a message that names a time needs less certainty from the model
                bar = [min(b, mp.timed_threshold) if self._time_frames(m) else b for b, m in zip(bar, agent_msgs)]
            for i, m in enumerate(agent_msgs):
                if i in ruled or i in live or hands[i] < bar[i]:
                    continue
                # the rule's readings hold for the model's hand-offs too: a request done or settled in the chat, or
                # reported done in a later message (我帮您提交补发 … 补发已经提交好了), and the contexts where a hand-off
                # word does not count (您可以自己联系快递 / 一般提交后…审核 / options put to the customer)
                v = view(m)
                if (not self._own_time(m) and self._done_in_chat(v)) or self._decided_in_chat(v):
                    continue
                if trig.exclude_pattern is not None and find_spans(trig.exclude_pattern, v.s):
                    continue
                if self.params.offer_question and re.search(self.params.offer_question, v.s):
                    continue  # asks the customer's leave first: an offer, nothing handed on yet
                if any(self._done_in_chat(view(x)) for x in agent_msgs[i + 1:]):
                    continue
                handoffs.append((i, self._model_evidence(m, "model_handoff", "转交/反馈处理", float(hands[i]))))
            handoffs.sort(key=lambda x: x[0])
        handoffs, answered = self._unanswered(agent_msgs, handoffs, {i for i, *_ in found})
        if not handoffs and answered:  # named: the look-up and the message that answered it
            i, j = answered[0]
            return self.not_applicable([
                message_evidence(agent_msgs[i], f"{self.id}.answered_lookup", "客服自己查询/询问，并在会话中答复了客户，未转交", whole=True),
                message_evidence(agent_msgs[j], f"{self.id}.answered_lookup", "会话中的答复（其中的时间是告知信息）", whole=True),
            ])
        if not handoffs:
            return self.not_applicable()
        # one concrete time frame after a hand-off tells the customer when they hear back
        p: CommitmentParams = self.params
        for i, hand in handoffs:
            end = len(agent_msgs) if p.window is None else i + p.window
            for m in agent_msgs[max(0, i - p.lookback) : end]:
                frames = self._time_frames(m)
                if frames:
                    return self.passed([hand, frames[0].evidence("告知处理时限")])
        if timed_p is not None and mp.time_threshold is not None:
            for i, hand in handoffs:  # the hand-off message says when in words the time patterns do not know
                if timed_p[i] >= mp.time_threshold:
                    return self.passed([hand, self._model_evidence(agent_msgs[i], "model_time", "告知处理时限", float(timed_p[i]))])
        first_i, first = handoffs[0]
        return self.failed(
            [
                first,
                message_evidence(agent_msgs[first_i], f"{self.id}.missing", "转交或反馈处理后未告知客户处理时限（如 24小时内 / 1-3个工作日）"),
            ]
        )
