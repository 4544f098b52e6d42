"""first_response_sla.v1 and response_pace.v1: how fast the human agent answers."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult, Message
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria import lexicons_courtesy as C
from pipeline.rubric.criteria import lexicons_state as S
from pipeline.rubric.criteria._common import seconds_between
from pipeline.rubric.matching import local_analysis_form, message_evidence, view
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import Strict


def _fmt(seconds: float) -> str:
    return f"{seconds:.0f}" if abs(seconds - round(seconds)) < 0.05 else f"{seconds:.1f}"


_EMOTICON = re.compile(r"\[[^\[\]]{1,8}\]|#e-[a-z0-9]+|/:[a-z0-9]+")
# an export's placeholder for a picture, video, voice, file, link, product or order card: the README's response_pace
# rule 1 counts "every customer row …, pictures (empty text) included" — the placeholder is that picture, not an
# emoticon ([微笑] / [再见] / [表情] stay acknowledgements)
_MEDIA = re.compile(r"\[[^\[\]]{0,6}(图片|照片|视频|语音|文件|链接|商品|宝贝|订单|卡片|位置|截图)[^\[\]]{0,6}\]")
_CLAUSE = re.compile(r"[\s,，。.!！~～…、:：;；]+")
_QUESTION_END = re.compile(r"(吗|么|嘛)[呀啊哦了]*$")  # 能便宜点吗 asks, without a question mark
# "a trailing message that asks something or complains … counts": a question word, a contrast or a fault named
# anywhere in the message keeps it counted, whatever acknowledgement it opens with (谢谢 什么时候发货 / 收到了 但是坏了);
# so does 呵呵, a sneer in chat (呵呵 等着吧), and a wait already endured (等你们消息等了三天了). Rubric data:
# response_pace.params.needs_answer.
NEEDS_ANSWER = (
    "什么时候|啥时候|为什么|为啥|多少|多久|几(天|号|点|时|个)|哪(天|里|儿|个|些)|能不能|可不可以|是不是|有没有|会不会|要不要"
    "|怎么(还|又|没|不|回事|办|样|搞的)|但是|但|可是|不过|还是|不行|没用|垃圾|破|差评|投诉|举报|骗|坏|错|漏发|少了|不对|呵呵|等了|倒霉"
)


def _strip_symbols(s: str) -> str:
    """Emoji and their modifiers (👌🏻 / ❤️: symbols, skin tones, variation selectors, joiners) are no words: an
    emoji alone, or beside an acknowledgement, asks nothing (the rule's `[再见]`)."""
    return "".join(ch for ch in s if unicodedata.category(ch) not in _SYMBOL_CATEGORIES)


_SYMBOL_CATEGORIES = {"So", "Sk", "Mn", "Me", "Cf", "Cs", "Co"}


class Acknowledgements:
    """A customer message that needs no answer: made only of acknowledgement words (好的谢谢 / 嗯嗯 / 👌), or
    default@12 (script7), every clause one of the classes in `clauses` (thanks, understanding, a done action, going
    off to wait or try, a farewell or wish — lexicons_courtesy.ACK_CLAUSES) in any words. The written rule
    (tests/golden/rubric/README.md, response_pace 1): "pure acknowledgements that need no answer (好的 / 好的谢谢 /
    嗯嗯 / 行 / 好吧 / 没了 / 知道了 / 收到 / `[再见]`). A trailing message that asks something or complains … counts":
    so a question mark, or any clause of another kind (a request, a complaint, new information), keeps it counted."""

    def __init__(self, phrases: list[str], filler: str, clauses: list[str] | None = None, needs_answer: str | None = None) -> None:
        words = sorted({local_analysis_form(p) for p in phrases if p}, key=len, reverse=True)
        alternatives = [re.escape(w) for w in words] + [filler]
        self.pattern = re.compile("^(?:" + "|".join(alternatives) + ")*$") if words else None
        families = [f"(?:{local_analysis_form(c)})" for c in clauses or []]
        self.clause = re.compile("^(?:" + "|".join(families + alternatives) + ")+$") if families else None
        self.needs_answer = re.compile(local_analysis_form(needs_answer)) if needs_answer else None

    def is_ack(self, msg: Message) -> bool:
        if not msg.text.strip() or _MEDIA.search(msg.text):
            return False  # a picture or card (empty text, or an export's [图片] / [商品链接]): it may be a question
        if msg.norm_to_text and not msg.norm.strip():
            return True  # normalised away entirely: platform emoticons only ([再见] [抱拳])
        s = _strip_symbols(_EMOTICON.sub("", view(msg).s))
        if not s.strip():
            return True
        if self.pattern and self.pattern.match(s):
            return True
        if self.clause is None or "?" in s or "？" in s or (self.needs_answer and self.needs_answer.search(s)):
            return False
        clauses = [c for c in _CLAUSE.split(s) if c]
        return all(self.clause.match(c) and not _QUESTION_END.search(c) for c in clauses)


class _AcknowledgingCriterion(Criterion):
    """A timing criterion whose params carry `acknowledgements`: compiled once, on first use."""

    @property
    def acks(self) -> Acknowledgements:
        if self._compiled is None:
            p = self.params
            self._compiled = Acknowledgements(p.acknowledgements, L.ACK_FILLER, p.ack_clauses, p.needs_answer)
        return self._compiled


def _default_acks() -> list[str]:
    # default@7: thanks addressed to the agent, Cantonese thanks, going off to try (S.TRAILING_ACKS)
    return list(L.ACKNOWLEDGEMENTS) + S.TRAILING_ACKS


@dataclass(frozen=True)
class FirstResponse:
    """What first_response_sla.v1 measures: the first customer message (in conversation order) and
    the first human-agent message after it by seq (bots do not count). The monthly cards read the
    same measurement, so a card's first-response figures are what was scored."""

    first_customer: Message | None  # None: no customer message (the criterion is na)
    reply: Message | None  # None: no human agent wrote after the first customer message
    opener: Message | None = None  # a human-agent message before the first customer message (agent-initiated chat)

    @property
    def agent_first(self) -> bool:
        """The agent wrote first: the customer never waited for a first response (see FirstResponseSla)."""
        return self.opener is not None

    @property
    def seconds(self) -> float | None:
        """Seconds the customer waited (never negative: clocks of two systems), None without a reply."""
        if self.first_customer is None or self.reply is None:
            return None
        return max(0.0, seconds_between(self.first_customer, self.reply))


def measure_first_response(messages: Sequence[Message]) -> FirstResponse:
    """The first-response measurement over a conversation's messages (seq numbered by assemble)."""
    first_customer = next((m for m in messages if m.role == "customer"), None)
    if first_customer is None:
        return FirstResponse(None, None)
    reply = next((m for m in messages if m.role == "agent" and m.seq > first_customer.seq), None)
    opener = next((m for m in messages if m.role == "agent" and m.seq < first_customer.seq), None)
    return FirstResponse(first_customer, reply, opener)


AGENT_INITIATED = "agent_initiated"  # evidence rule suffix: nobody waited (see FirstResponseSla)


def agent_initiated(result: dict | None) -> bool:
    """True when a stored first_response_sla.v1 result says the agent opened the chat (before default@12: and
    the customer only acknowledged): nobody waited, so nobody is counted as unanswered."""
    evidence = (result or {}).get("evidence") or []
    return any(str(e.get("rule", "")).endswith(f".{AGENT_INITIATED}") for e in evidence)


class FirstResponseParams(Strict):
    threshold_seconds: float = Field(default=300, gt=0, description="default: the rubric's sla.first_response_seconds")
    # read until default@11 (an agent-initiated chat passed only when the customer merely acknowledged); since default@12
    # an agent who wrote first passes whatever the customer wrote. Kept so that stored rubric snapshots still load.
    acknowledgements: list[str] = Field(
        default_factory=_default_acks, description="unused since default@12 (an agent-first chat passes); kept for older rubric files"
    )


@register_criterion("first_response_sla.v1")
class FirstResponseSla(Criterion):
    """Pass when the first human-agent message after the first customer message comes within
    threshold_seconds of it, or when a human agent wrote before the first customer message (nobody
    waited). Bots do not count. Fail when no human agent ever answers; na without customer messages."""

    Params = FirstResponseParams
    rubric_defaults = {"threshold_seconds": "sla.first_response_seconds"}

    def score(self, conversation: Conversation) -> CriterionResult:
        limit = self.params.threshold_seconds
        measured = measure_first_response(conversation.messages)
        first_customer, reply = measured.first_customer, measured.reply
        if first_customer is None:
            return self.not_applicable()
        if measured.agent_first:
            # default@12 (script7): tests/golden/rubric/README.md, first_response_sla: "If the agent wrote first (a
            # proactive message) and the customer only replied after it, the customer never waited, so the label is
            # `pass`" — whatever the customer wrote and however late a later reply came (response_pace times those)
            return self.passed(
                [message_evidence(measured.opener, f"{self.id}.{AGENT_INITIATED}", "人工客服主动发起会话，客户无需等待首次响应", whole=True)]
            )
        if reply is None:
            return self.failed(
                [message_evidence(first_customer, f"{self.id}.no_reply", f"无人工客服回复（超过 {_fmt(limit)} 秒时限）")]
            )
        waited = measured.seconds
        if waited <= limit:
            return self.passed(
                [message_evidence(reply, f"{self.id}.timing", f"首次响应 {_fmt(waited)} 秒，未超过 {_fmt(limit)} 秒", whole=True)]
            )
        return self.failed(
            [message_evidence(reply, f"{self.id}.timing", f"首次响应 {_fmt(waited)} 秒，超过 {_fmt(limit)} 秒", whole=True)]
        )


class ResponsePaceParams(Strict):
    threshold_seconds: float = Field(default=300, gt=0, description="default: the rubric's sla.reply_seconds")
    min_share: float = Field(default=0.8, ge=0, le=1, description="share of customer messages answered in time")
    measure_from: Literal["message", "burst_start"] = Field(
        default="message",
        description="message: each customer message waits until the next human reply; "
        "burst_start: every message of a run of consecutive customer messages counts from the run's first",
    )
    trailing: Literal["count_unless_ack", "count", "ignore"] = Field(
        default="count_unless_ack",
        description="customer messages after the agent's last reply: unanswered unless they only acknowledge "
        "(好的谢谢), always unanswered, or not counted",
    )
    acknowledgements: list[str] = Field(default_factory=_default_acks)
    ack_clauses: list[str] = Field(
        default_factory=lambda: list(C.ACK_CLAUSES),
        description="regexes of clause classes that need no answer (thanks, understanding, done, leaving); [] = words only",
    )
    needs_answer: str = Field(
        default=NEEDS_ANSWER,
        description="regex: a question word, contrast or fault anywhere keeps a message of ack_clauses counted",
    )
    min_messages: int = Field(default=1, ge=1, description="fewer counted customer messages than this: na")


@register_criterion("response_pace.v1")
class ResponsePace(_AcknowledgingCriterion):
    """Share of customer messages answered by a human agent within threshold_seconds. A human
    agent message covers every customer message since the previous human agent message (a run of
    consecutive customer messages is answered by one reply; each is timed from its own timestamp
    unless measure_from=burst_start). Customer messages after the agent's last reply count as
    unanswered unless they only acknowledge (好的谢谢). na when nothing is left to count (an
    agent-initiated chat answered with 好的). Fail when no human ever replies."""

    Params = ResponsePaceParams
    rubric_defaults = {"threshold_seconds": "sla.reply_seconds"}

    def score(self, conversation: Conversation) -> CriterionResult:
        p: ResponsePaceParams = self.params
        msgs = conversation.messages
        customers = [m for m in msgs if m.role == "customer"]
        if not customers:
            return self.not_applicable()
        if not any(m.role == "agent" for m in msgs):
            # default@12 (script7): the README's response_pace rule 3, "`fail` below that, including any conversation
            # with no human agent" — even when the customer only wrote 好的 to a bot (the ack exception is for messages
            # "after the last human-agent message", and there is none)
            return self.failed([message_evidence(customers[0], f"{self.id}.no_agent", "无人工客服回复客户消息", whole=True)])
        waits: list[tuple[Message, Message | None, float | None]] = []
        pending: list[Message] = []
        for m in msgs:
            if m.role == "customer":
                pending.append(m)
            elif m.role == "agent" and pending:
                start = pending[0]
                for c in pending:
                    origin = start if p.measure_from == "burst_start" else c
                    waits.append((c, m, max(0.0, seconds_between(origin, m))))
                pending = []
        if pending and p.trailing != "ignore":
            if p.trailing == "count":
                waits.extend((c, None, None) for c in pending)
            else:
                waits.extend((c, None, None) for c in pending if not self.acks.is_ack(c))
        if len(waits) < p.min_messages:
            return self.not_applicable()
        in_time = [w for w in waits if w[2] is not None and w[2] <= p.threshold_seconds]
        share = len(in_time) / len(waits)
        late = [w for w in waits if w[2] is None or w[2] > p.threshold_seconds]
        summary = f"{len(in_time)}/{len(waits)} 条客户消息在 {_fmt(p.threshold_seconds)} 秒内得到人工回复（{share:.0%}，要求 ≥ {p.min_share:.0%}）"
        evidence = []
        for c, reply, wait in late[:5]:
            if reply is None:
                evidence.append(message_evidence(c, f"{self.id}.unanswered", "该客户消息无人工回复", whole=True))
            else:
                evidence.append(
                    message_evidence(reply, f"{self.id}.late", f"回复客户 seq {c.seq} 用时 {_fmt(wait)} 秒，超过 {_fmt(p.threshold_seconds)} 秒", whole=True)
                )
        anchor = waits[0][1] or waits[0][0]
        evidence.insert(0, message_evidence(anchor, f"{self.id}.share", summary, whole=True))
        if share >= p.min_share:
            return self.passed(evidence)
        return self.failed(evidence)
