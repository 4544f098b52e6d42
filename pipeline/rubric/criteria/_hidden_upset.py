"""Hidden upset (default@13, emp12b): customer turns whose words read calm or pleased while their context says
otherwise — praise of the service said right after a wait, a fault or a refusal (sarcasm), assent that gives up
(好好好 你们说啥都对 after a refusal), urgency stated rather than asked (周四太晚了，有点急). The words alone decide
nothing here: each rule reads the conversation before the turn. Read by EmotionDetector (_common) for empathy's trigger
and negative_end; the words are defaults in lexicons_state, the switches in HiddenUpsetParams (rubrics/default.yaml)."""
from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import Field

from pipeline.conversation import Message
from pipeline.rubric.matching import Match, view
from pipeline.rubric.schema import Strict


class HiddenUpsetParams(Strict):
    """Context rules for upset said in calm or pleased words. Every regex reads the analysis form; null switches a rule
    off (all off by default: default@13 switches them on in the rubric)."""

    praise: str | None = Field(
        default=None,
        description="praise of the service's care or luck (可真用心呢 / 好棒棒 / 真係好彩 / 🙃): sarcasm when the context is "
        "adverse (a fault or bad event in the same turn, the agent's refusing reply before it, an earlier fault still "
        "unfixed); praise after a reply that settles the matter stays calm",
    )
    speed_praise: str | None = Field(
        default=None,
        description="praise of the service's speed (回得真快 / 效率真高): sarcasm when a fault is told in the same turn or "
        "the human agent's reply before it came late (late_reply_seconds); a prompt reply praised is praise",
    )
    fault: str | None = Field(default=None, description="a fault or bad event told by the customer (碎了 / 不加热 / 跌价 / 没收到)")
    bad_news: str | None = Field(
        default=None,
        description="an agent message that refuses, puts off or puts down (不支持 / 约满了 / 以实物为准 / 都说了 / 自己看): "
        "read together with the refusal lexicon of positive_framing",
    )
    fixed: str | None = Field(
        default=None,
        description="an agent message that settles the matter (已经给您办好了 / 给您补发 / 退款已原路退回): praise or assent "
        "after it is taken at its word",
    )
    resigned: str | None = Field(
        default=None,
        description="assent that gives up (好好好 / 行行行 / 就这样吧 / 你们说啥都对 / 你们说了算 / 随便你们): upset when "
        "the agent's message before it refuses or puts down, or a fault the customer told is still unfixed",
    )
    repeated_assent: str | None = Field(
        default=None,
        description="a bare assent said three times (好好好 / 行行行 / 是是是): upset only right after a refusal or a put-down, "
        "never as the answer to the agent's confirming question (…对吗)",
    )
    cheer: str | None = Field(default=None, description="thanks or delight beside the assent (好好好 谢谢亲 / 行行行 太好了): no resignation")
    delight: str | None = Field(default=None, description="delight beside the praise (啊啊啊好贴心 那我拍了 / 爱了): the praise is meant")
    late_reply_seconds: int = Field(default=600, ge=0, description="a human agent reply this late after the customer's turn makes speed praise sarcasm")
    urgency_statement_min_state: float | None = Field(
        default=None, ge=0, le=1,
        description="empathy: urgency stated, not asked (周四太晚了，有点急 / 等不了那么久), counts from this P(needs empathy) "
        "(the urgency lexicon, which alone counts inside a question); null: only inside a question",
    )


# the agent's message closes by asking the customer to confirm (…，对吗？ / 是吧): 好好好 / 是是是 answers it
_CONFIRMS = re.compile(r"(对吗|是吗|对吧|是吧|没错吧|对不对|是不是|可以吗|好吗|行吗)[\s?？~～。.!！呢呀哈]*$")


def _c(p: str | None) -> re.Pattern | None:
    return re.compile(p) if p else None


class HiddenUpset:
    """The rules of HiddenUpsetParams; `refusals` is a matching.Lexicon of refusal words (positive_framing's) or None."""

    def __init__(self, params: HiddenUpsetParams, rule_prefix: str, refusals=None) -> None:
        self.params = params
        self.rule_prefix = rule_prefix
        self.praise, self.speed, self.fault = _c(params.praise), _c(params.speed_praise), _c(params.fault)
        self.bad_news, self.fixed = _c(params.bad_news), _c(params.fixed)
        self.resigned, self.repeated, self.cheer = _c(params.resigned), _c(params.repeated_assent), _c(params.cheer)
        self.delight = _c(params.delight)
        self.refusals = refusals

    # -- context -------------------------------------------------------------------------------------------------
    @staticmethod
    def _last_agent(earlier: Sequence[Message]) -> Message | None:
        for m in reversed(earlier):
            if m.role == "agent" and m.text.strip():
                return m
        return None

    def _refuses(self, m: Message | None) -> bool:
        if m is None:
            return False
        v = view(m)
        if self.bad_news is not None and self.bad_news.search(v.s):
            return True
        return self.refusals is not None and bool(self.refusals.find(v))

    def _fixes(self, m: Message | None) -> bool:
        return m is not None and self.fixed is not None and bool(self.fixed.search(view(m).s))

    def _late(self, msg: Message, earlier: Sequence[Message]) -> bool:
        """The human agent's reply before this turn came late after the customer's turn before it."""
        agent = self._last_agent(earlier)
        if agent is None:
            return False
        before = next((m for m in reversed(earlier) if m.seq < agent.seq and m.role == "customer" and m.text.strip()), None)
        if before is None:
            return False
        try:
            gap = (agent.timestamp - before.timestamp).total_seconds()
        except TypeError:
            gap = (agent.timestamp.replace(tzinfo=None) - before.timestamp.replace(tzinfo=None)).total_seconds()
        return gap >= self.params.late_reply_seconds

    def _unfixed_fault(self, earlier: Sequence[Message]) -> bool:
        """An earlier customer turn told a fault and no agent message since settled it."""
        if self.fault is None:
            return False
        for m in reversed(earlier):
            if m.role == "agent" and self._fixes(m):
                return False
            if m.role == "customer" and m.text.strip() and self._fault_in(view(m).s):
                return True
        return False

    def adverse(self, msg: Message, earlier: Sequence[Message]) -> str | None:
        """Why the context is adverse for this turn, or None: the agent's reply before it refuses or puts down, or an
        earlier fault is unfixed. A reply that settles the matter is never adverse."""
        agent = self._last_agent(earlier)
        if self._fixes(agent):
            return None
        if self._refuses(agent):
            return "客服上一条为拒绝/坏消息"
        if self._unfixed_fault(earlier):
            return "客户此前反映的问题尚未解决"
        return None

    # -- rules ---------------------------------------------------------------------------------------------------
    def sarcasm(self, msg: Message, earlier: Sequence[Message]) -> tuple[Match, str] | None:
        """Praise of the service in an adverse context: a fault in the same turn; else speed praise after a late reply,
        care or luck praise after a refusal or with an earlier fault unfixed (never after a reply that settles it)."""
        v = view(msg)
        speed = self.speed.search(v.s) if self.speed is not None else None
        care = self.praise.search(v.s) if self.praise is not None else None
        hit = care or speed
        if hit is None or (self.delight is not None and self.delight.search(v.s)):
            return None
        if self._fault_in(v.s):
            why = "同一条消息里说的是故障/坏事"
        elif self._fixes(self._last_agent(earlier)):
            return None
        elif speed is not None and self._late(msg, earlier):
            hit, why = speed, "客服回复迟缓后称赞速度"
        elif care is not None:
            why = self.adverse(msg, earlier)
        else:
            why = None
        if why is None:
            return None
        return Match(v, hit.start(), hit.end(), f"{self.rule_prefix}.sarcastic_praise", why), why

    def _fault_in(self, s: str) -> bool:
        return self.fault is not None and bool(self.fault.search(s))

    def resignation(self, msg: Message, earlier: Sequence[Message]) -> tuple[Match, str] | None:
        """Assent that gives up: letting the shop decide after a refusal or with a fault unfixed; a bare assent said
        three times only right after a refusal or put-down, and not as the answer to 对吗. Thanks or delight: none."""
        v = view(msg)
        s = v.s.strip()
        if not s or (self.cheer is not None and self.cheer.search(s)):
            return None
        hit = self.resigned.search(s) if self.resigned is not None else None
        why = self.adverse(msg, earlier) if hit is not None else None
        if why is None and self.repeated is not None:
            hit = self.repeated.search(s)
            agent = self._last_agent(earlier)
            if hit is not None and agent is not None and not self._fixes(agent) and self._refuses(agent):
                why = None if _CONFIRMS.search(view(agent).s.strip()) else "客服上一条为拒绝/坏消息"
        if why is None:
            return None
        at = v.s.index(s) + hit.start()
        return Match(v, at, at + (hit.end() - hit.start()), f"{self.rule_prefix}.resigned_assent", why), why

    def read(self, msg: Message, earlier: Sequence[Message]) -> tuple[str, Match] | None:
        """("sarcasm" | "resigned", match) when the turn hides upset in its context; the match's pattern says why."""
        for how, rule in (("sarcasm", self.sarcasm), ("resigned", self.resignation)):
            found = rule(msg, earlier)
            if found is not None:
                return how, found[0]
        return None

    def stated_urgency(self, msg: Message, needs_empathy: float, urgency) -> list[Match]:
        """Urgency said in a statement (周四太晚了，有点急): the urgency lexicon's hits when P(needs empathy) reaches
        urgency_statement_min_state; none when that is null."""
        floor = self.params.urgency_statement_min_state
        if floor is None or urgency is None or needs_empathy < floor:
            return []
        return urgency.find(view(msg))


def stated_urgency(hidden: HiddenUpset | None, msg: Message, state, urgency) -> list[Match]:
    """default@13: urgency in a statement, read by `hidden` (None: none) at the turn's state reading."""
    return hidden.stated_urgency(msg, state.needs_empathy, urgency) if hidden is not None else []


def hidden_upset_for(params, rule_prefix: str) -> HiddenUpset | None:
    """The detector's hidden-upset reader (EmotionParams.hidden), with positive_framing's refusal words; None when off."""
    h = params.hidden
    if not any((h.praise, h.speed_praise, h.resigned, h.repeated_assent, h.urgency_statement_min_state is not None)):
        return None
    from pipeline.rubric.criteria import lexicons as L
    from pipeline.rubric.matching import Lexicon

    refusals = Lexicon(L.REFUSALS, rule=f"{rule_prefix}.refusal", exclude=L.REFUSAL_EXCLUDE, boundary_max_len=0)
    return HiddenUpset(h, rule_prefix, refusals)


def default_hidden(urgency_statement_min_state: float | None = None) -> HiddenUpsetParams:
    """default@13's hidden-upset rules with lexicons_upset's words (empathy also reads stated urgency)."""
    from pipeline.rubric.criteria import lexicons_upset as U

    return HiddenUpsetParams(praise=U.SARCASTIC_PRAISE, speed_praise=U.SPEED_PRAISE, fault=U.FAULT, bad_news=U.BAD_NEWS,
                             fixed=U.FIXED, resigned=U.RESIGNED_ASSENT, repeated_assent=U.REPEATED_ASSENT, cheer=U.CHEER,
                             delight=U.DELIGHT,
                             urgency_statement_min_state=urgency_statement_min_state)
