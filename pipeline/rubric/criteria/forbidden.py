"""forbidden_phrases.v1 / .v2: the human agent uses no service taboo (禁用语). A red line.

v1 matches words: the lexicon, cue patterns, exemplar similarity and brush-offs without an offer.
v2 adds the *act*: the act model (models/acts.py, zh-cs-acts) reads every agent message and names the
taboo act it performs — refusal, blame-shifting, arguing, condescension — however politely or
indirectly it is worded (这边也是没有任何办法的呢亲 / 物流那边我们左右不了的). A message whose taboo
probability reaches `acts.threshold` fails; the evidence is the clause that shows the act best and
names the act and the model. v2 also drops any hit inside a self-correction (那样回复您是不对的，
我向您道歉: the agent apologising for an earlier reply is not using a taboo), a denied taboo (不是不归我们管)
and a rule cited to grant (按规定可以退，已经给您同意了); a negated offer (补偿是没有的) cancels nothing; a
message that declares helplessness in its own words (这边也很无奈) needs less certainty from the model."""
from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, field_validator

from pipeline.conversation import Conversation, CriterionResult, Evidence
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria.lexicons_taboo import CLOSURE, CONTRADICTION, POINTER_ANSWER, REPROACH
from pipeline.rubric.criteria._act_guards import (  # noqa: F401  (re-exported: framing, tests)
    _CHECK_IN, _CONTENT, _CUSTOMER_ONLY, _DOUBLE_NEGATION, _INFO_QUESTION, _OFFER_NEGATED_AFTER, _OFFER_NEGATED_BEFORE, _OWNS_FAULT,
    _POINTER, _POLITE_QUESTION, _PROMISE, _RESTATEMENT, _RULE_WORD, AGENT_OFFER, DISMISSAL, FINDS_OUT, HELPLESS, NOT_KNOWING,
    PLAIN_REFUSAL, RULE_GRANT, FEELING_DISMISSED, _CONTRAST_AFTER,
)
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, human_agent_messages, pinned_model
from pipeline.rubric.guards import is_apologised_burden, is_quoted, is_self_correction
from pipeline.rubric.matching import Match, compile_entries, find_spans, view
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

    def _keep(self, match) -> bool:
        """Whether a word hit counts (v2 drops self-corrections, double negations and rules cited to grant)."""
        return True

    def _answered(self, match) -> bool:
        """Whether a brush-off is followed by the answer itself (v2: a pointer to the listing, then the figure)."""
        return False

    def _offers(self, pattern, s: str) -> bool:
        """Whether `s` offers something (v2: an offer that is itself negated — 补偿是没有的 — offers nothing)."""
        return pattern.search(s) is not None

    def _shrugs(self, agent_msgs) -> list:
        _, shrugs, offer = self.compiled[:3]
        out = []
        if shrugs is None:
            return out
        for i, m in enumerate(agent_msgs):
            for match in shrugs.find(m).accepted:
                if not self._keep(match) or self._answered(match):
                    continue
                if offer is not None:
                    rest = match.view.s[match.end :]
                    later = [view(x).s for x in agent_msgs[i + 1 : i + self.params.shrugs.window]]
                    if self._offers(offer, rest) or any(self._offers(offer, t) for t in later):
                        continue  # a refusal with an alternative: judged by positive_framing
                out.append(match)
        return out

    def _word_violations(self, agent_msgs) -> list[Evidence]:
        violations = []
        matcher = self.compiled[0]
        offer = self.compiled[2]
        for m in agent_msgs:
            for match in matcher.find(m).accepted:
                if not self._keep(match):
                    continue
                if offer is not None and match.rule.endswith(".similarity") and self._offers(offer, match.view.s[match.end :]):
                    continue  # only a resemblance, and what follows grants or offers (公司规定七天无理由，已经给您同意了)
                violations.append(match.evidence(self._note(match.view.msg)))
        taken = {(e.seq, e.span) for e in violations}
        for match in self._shrugs(agent_msgs):
            ev = match.evidence(self._note(match.view.msg, "推诿，未给出任何替代方案"))
            if (ev.seq, ev.span) not in taken and not _overlaps(ev, violations):
                violations.append(ev)
        return violations

    def _note(self, msg, detail: str = "") -> str:
        return "禁用语" + (f"：{detail}" if detail else "")

    def _pass_note(self, agent_msgs) -> str:
        return "人工客服消息中未发现禁用语" if agent_msgs else "无人工客服消息，无禁用语"

    def score(self, conversation: Conversation) -> CriterionResult:
        agent_msgs = human_agent_messages(conversation)
        if not agent_msgs and not any(m.role == "customer" for m in conversation.messages):
            return self.not_applicable()
        violations = self._word_violations(agent_msgs)
        violations.sort(key=lambda e: (e.seq, e.span or (0, 0)))
        if violations:
            return self.failed(violations)
        return self.passed([Evidence(seq=None, text="", span=None, rule=f"{self.id}.none", note=self._pass_note(agent_msgs))])


def _overlaps(ev: Evidence, others: list[Evidence]) -> bool:
    return any(e.seq == ev.seq and e.span and ev.span and not (ev.span[1] <= e.span[0] or ev.span[0] >= e.span[1]) for e in others)


# ----------------------------------------------------------------------------
# v2: the act layer
# ----------------------------------------------------------------------------

ACT_NAMES_ZH = {"refusal": "推诿拒绝", "blame_shifting": "推卸责任", "arguing": "争辩顶撞", "condescension": "居高临下"}
_TABOO_ACTS = tuple(ACT_NAMES_ZH)
# act14: the guards whose verdict a passing result shows (rule forbidden_phrases.guard.<name>, one per message they decided)
_GUARD_NOTES = {
    "no_refusal_cue": "行为模型读作推诿拒绝，但消息里没有任何拒绝的说法（不/没/只能/随您…），不算拒绝（act14）",
    "owned": "消息里本店认责（是我们没跟进好 / 这个锅我们背），即使提到第三方的过失也不算推卸责任（act14）",
    "feeling_normal": "把客户的情绪说成人之常情（换谁都会担心）是共情，不算居高临下或争辩（act14）",
}
def is_denied(s: str, start: int) -> bool:
    """A negation at `start` (不归我们管 / 没办法) that is itself denied just before: 不是不归我们管 / 并不是没办法."""
    return s[start : start + 1] in ("不", "没", "无") and _DOUBLE_NEGATION.search(s[max(0, start - 6) : start]) is not None


def longest_spans(patterns: list[re.Pattern], s: str) -> list[tuple[int, int]]:
    """The longest match of any of `patterns` at each place in `s` (by start): unlike one alternation, where the first
    entry that matches at a place wins, the spans do not depend on the order of the list."""
    best: dict[int, int] = {}
    for pattern in patterns:
        for a, b in find_spans(pattern, s):
            if b > best.get(a, -1):
                best[a] = b
    return sorted(best.items())


def is_negated_offer(s: str, start: int, end: int) -> bool:
    """An offer word negated before (不能给您补发 / 没法帮您申请) or after (补偿是没有的): it offers nothing."""
    return bool(_OFFER_NEGATED_BEFORE.search(s[max(0, start - 5) : start]) or _OFFER_NEGATED_AFTER.search(s[end:]))


class ActParams(Strict):
    """The act model reads each human agent message; a message whose taboo probability
    (1 − P(none)) reaches `threshold` performs the most probable taboo act."""

    enabled: bool = True
    model: str | None = Field(
        default=None, description="act model directory, relative to the repository or absolute; null = the shipped models/zh-cs-acts "
        "(act14: a candidate such as models.acts_recipe --version 9 --out DIR is read from here, pinned by model_version)"
    )
    model_version: str | None = Field(
        default="zh-cs-acts@7",
        description="the act model this rubric was calibrated with; another model is an error, so a rubric "
        "version always means one act model (null accepts any)",
    )
    threshold: float = Field(
        default=0.785, gt=0, le=1, description="taboo probability (1 − P(none)) at which a message fails (default@9: 0.75 with "
        "zh-cs-acts@6; default@10: 0.785 with @7, which reads more taboo into plain lines; both chosen leave one writer out, "
        "`python -m pipeline.rubric.evaluate_acts --lowo`, and checked on the dev conversations)"
    )
    acts: list[str] = Field(default_factory=lambda: list(_TABOO_ACTS), description="which acts are taboos")
    offer: list[str] = Field(
        default_factory=lambda: list(AGENT_OFFER),
        description="an agent's own offer (帮您申请 / 给您补发 / 转给主管) after the act, in the same message or the next "
        "`window - 1` agent messages, cancels the acts in `offer_cancels`",
    )
    offer_cancels: list[str] = Field(default_factory=lambda: ["refusal", "blame_shifting", "condescension"])
    offer_same_turn: bool = Field(
        default=True, description="act13: a later agent message's offer cancels only when no customer message stands between (the "
        "same turn); an offer made after the customer objected does not unsay the act"
    )
    window: int = Field(default=2, ge=1)
    clause_threshold: float = Field(
        default=0.5, ge=0, le=1, description="the clause (or two adjacent clauses) shown as evidence must itself read as taboo at this probability"
    )
    plain_refusal: list[str] = Field(
        default_factory=lambda: list(PLAIN_REFUSAL),
        description="a refusal shown only by a policy 'no' (不支持退换 / 开不了 / 不能改价) is left to positive_framing "
        "unless the clause also declares helplessness or dismisses the customer (`dismissal`)",
    )
    closure: list[str] = Field(
        default_factory=lambda: list(CLOSURE), description="act13: a policy 'no' declared final, universal or the rule's wall (谁来都一样 / "
        "不接受任何理由 / 一律 / 规则不允许): like `dismissal`, with it the 'no' is not left to positive_framing"
    )
    plain_needs_alternative: bool = Field(
        default=False, description="act13: a policy 'no' (`plain_refusal`) is left to positive_framing only when the message or the "
        "next `window - 1` agent messages give a way forward (`offer` or `shrugs.offer`, not negated); a bare 'no' with "
        "nothing offered is a refusal (rule forbidden_phrases.act.refusal)"
    )
    dismissal: list[str] = Field(
        default_factory=lambda: list(DISMISSAL),
        description="dismissals besides `helpless` (您看着办 / 找别家 / 算了 / 处理不了): with either, a policy 'no' is more than a "
        "policy answer (default@10: the families `helpless` holds are no longer restated here)",
    )
    act_thresholds: dict[str, float] = Field(
        default_factory=lambda: {"arguing": 0.8, "condescension": 0.8, "blame_shifting": 0.785},
        description="the bar of these acts in place of `threshold` (up to default@8: 0.85 for arguing and condescension; "
        "default@9: 0.8 — at 0.75 a product fact and an empathy line became red lines on the dev conversation sets; act13 "
        "proposed blame_shifting 0.7, kept at 0.785 by the lead: at 0.7 a real session's 此单是第三方商家的商品 became a red "
        "line; up to default@14 these could only raise the bar)",
    )
    helpless: list[str] = Field(
        default_factory=lambda: list(HELPLESS),
        description="helplessness or not-knowing said outright (没办法 / 无奈 / 帮不了 / 也不是很清楚): a message that says it "
        "needs only `helpless_threshold` for refusal and blame-shifting — two signals agree",
    )
    helpless_threshold: float = Field(
        default=0.6, gt=0, le=1, description="the taboo probability a refusal or blame-shifting message needs when it says `helpless`"
    )
    contradiction: list[str] = Field(
        default_factory=lambda: list(CONTRADICTION),
        description="act13: the customer's account overruled without checking (那不叫破损 / 不算质量问题 / 不是X，是Y / 又不影响使用 / "
        "您肯定是看错了): a message that says it needs only `contradiction_threshold` for the acts in `contradiction_acts`; quoted or denied uses do not count",
    )
    contradiction_acts: list[str] = Field(
        default_factory=lambda: list(_TABOO_ACTS), description="act13: the acts whose bar `contradiction` lowers (the model may "
        "name the overruling refusal, blame or condescension)"
    )
    contradiction_threshold: float = Field(
        default=0.6, gt=0, le=1, description="act13: the taboo probability a message needs when it says `contradiction` or `reproach`"
    )
    reproach: list[str] = Field(
        default_factory=lambda: list(REPROACH), description="act13: a question reproaching the customer's competence (连…都不会 / 这个都要问 "
        "/ 还找不着？): a condescension or arguing message that says it needs only `contradiction_threshold`"
    )
    not_knowing: list[str] = Field(
        default_factory=lambda: list(NOT_KNOWING),
        description="a refusal whose clause declares not-knowing (也不是很清楚 / 说不准) is cancelled only by an offer in the same "
        "message, not a later one: the standard lists 不知道 as a taboo word whatever follows",
    )
    short_chars: int = Field(
        default=12, ge=0, description="a message with fewer letters than this is short: the model has little to read (default@10: 12, "
        "was 9 — @7 read plain 10–11-letter lines such as a product's scope or a request to wait as taboo at 0.78–0.81)"
    )
    short_threshold: float = Field(
        default=0.9, gt=0, le=1, description="the taboo probability a short message needs (cross-validated precision drops on short "
        "messages; act13 proposed 0.85, kept at 0.9 by the lead: at 0.85 a real session's product praise became a red line)"
    )
    refusal_cue: list[str] | None = Field(
        default=None, description="act14: a refusal reading needs one of these in the agent's own words (a 'no' in any spelling, a limit, "
        "a dismissal: _act_guards.REFUSAL_CUE); without one (the shop praising its goods, a greeting) the refusal reading is set aside "
        "and the message judged on the other acts (rule forbidden_phrases.guard.no_refusal_cue); null: off"
    )
    owned: list[str] | None = Field(
        default=None, description="act14: more ways of taking the fault or the responsibility on the shop (是我们没跟进好 / 这个锅我们背 / "
        "运费我们承担 / 这个我们认: _act_guards.OWNED), not negated: like the built-in owned fault, a message that says one is no "
        "blame-shifting or arguing (rule forbidden_phrases.guard.owned); null: off"
    )
    feeling_normal: list[str] | None = Field(
        default=None, description="act14: a clause naming the customer's feeling as natural (换谁都会担心的 / 心里打鼓太正常了: "
        "_act_guards.FEELING_NORMAL), not brushed off in the same clause (急也没用), is no condescension or arguing "
        "(rule forbidden_phrases.guard.feeling_normal); null: off"
    )
    min_chars: int = Field(default=4, ge=0, description="messages with fewer Chinese/latin letters or digits (嗯 / 👌 / 行) are left to the word layers")
    unquoted: bool = Field(
        default=True, description="read a message that quotes without the quoted words (您说的“没办法用”是指…): quoting a taboo "
        "is not performing it (default@10)"
    )

    @field_validator("acts", "offer_cancels", "act_thresholds", "contradiction_acts")
    @classmethod
    def _known_acts(cls, v):
        bad = [a for a in v if a not in ACT_NAMES_ZH]
        if bad:
            raise ValueError(f"unknown acts {bad}: use {list(ACT_NAMES_ZH)}")
        return v


class ForbiddenV2Params(ForbiddenParams):
    acts: ActParams = Field(default_factory=ActParams)
    self_correction: bool = Field(default=True, description="drop hits inside the agent's apology for an earlier reply")
    double_negation: bool = Field(
        default=True, description="a word hit that begins with a negation and is denied just before (不是不归我们管) does not count"
    )
    negated_offer: bool = Field(
        default=True, description="an offer word that is itself negated (不能给您补发 / 补偿是没有的) does not cancel a refusal"
    )
    apologised_burden: bool = Field(
        default=True, description="default@13: a word hit whose clause makes the customer the one who repeated (让您重复说了好几遍 / "
        "害您问了三次) in a message that apologises does not count — the agent owns the burden, it does not complain of it"
    )
    not_knowing_action: list[str] | None = Field(
        default_factory=lambda: list(FINDS_OUT),
        description="default@13: a not-knowing word hit (`acts.not_knowing`: 不知道 / 不清楚) followed in the same message by the "
        "agent's own step to find out (these) or an offer (`acts.offer`), not negated (没法帮您查), does not count: "
        "这个我确实不知道答案，我问一下质检同事，半小时内回复您 answers; null switches it off",
    )
    pointer_answered: list[str] | None = Field(
        default_factory=lambda: list(POINTER_ANSWER),
        description="act13: a pointer to the listing or manual (详情页有写 / 说明书上标着) followed in the same message by the answer "
        "itself — a figure with or without its unit (是195*133mm / 两年) — answers the question, so it is no brush-off; null switches it off",
    )
    rule_grant: list[str] = Field(
        default_factory=lambda: list(RULE_GRANT),
        description="a word hit that names a rule (规定/规则/政策) does not count when the rest of its message grants "
        "(按平台规定可以退，已经给您同意了)",
    )


@register_criterion("forbidden_phrases.v2")
class ForbiddenPhrasesV2(ForbiddenPhrases):
    """v1's word layers, self-corrections dropped (那样回复您是不对的，我向您道歉), plus the act layer:
    a message the act model reads as refusal / blame-shifting / arguing / condescension fails, with
    the clause that shows the act as evidence (rule forbidden_phrases.act.<act>, the model id in the note)."""

    Params = ForbiddenV2Params
    _plain = _dismissal = _grant = _helpless = _contradiction = _reproach = _not_knowing = _finds_out = _pointer_answer = None
    _refusal_cue = _feeling_normal = _owned = None

    def compile(self):
        p: ForbiddenV2Params = self.params
        matcher, shrugs, offer = super().compile()
        model = act_offer = None
        if p.acts.enabled:
            from models.acts import ROOT, load_act_model

            where = p.acts.model if not p.acts.model or Path(p.acts.model).is_absolute() else str(ROOT / p.acts.model)  # act14: from the repository
            model = pinned_model(self.id, "act", load_act_model, where, p.acts.model_version, "acts.model_version")
            act_offer = compile_entries(p.acts.offer) if p.acts.offer else None
        self._plain = compile_entries(p.acts.plain_refusal) if p.acts.plain_refusal else None
        dismissal = [*p.acts.helpless, *p.acts.dismissal, *p.acts.closure]  # helplessness and a shut door dismiss too
        self._dismissal = compile_entries(dismissal) if dismissal else None
        self._grant = compile_entries(p.rule_grant) if p.rule_grant else None
        self._pointer_answer = compile_entries(p.pointer_answered) if p.pointer_answered else None
        # one pattern per entry: where two entries match at one place the longest wins, whatever their order
        self._helpless = [c for c in (compile_entries([e]) for e in p.acts.helpless) if c is not None] or None
        self._contradiction = [c for c in (compile_entries([e]) for e in p.acts.contradiction) if c is not None] or None
        self._reproach = [c for c in (compile_entries([e]) for e in p.acts.reproach) if c is not None] or None
        self._not_knowing = compile_entries(p.acts.not_knowing) if p.acts.not_knowing else None
        finds = [*(p.not_knowing_action or []), *(p.acts.offer if p.not_knowing_action is not None else [])]
        self._finds_out = compile_entries(finds) if finds else None
        self._refusal_cue = compile_entries(p.acts.refusal_cue) if p.acts.refusal_cue else None
        self._feeling_normal = compile_entries(p.acts.feeling_normal) if p.acts.feeling_normal else None
        self._owned = [c for c in (compile_entries([e]) for e in p.acts.owned or []) if c is not None] or None
        return matcher, shrugs, offer, model, act_offer

    def _keep(self, match) -> bool:
        v, a, b = match.view, match.start, match.end
        if self.params.self_correction and is_self_correction(v, a, b):
            return False
        if self.params.double_negation and is_denied(v.s, a):
            return False  # 不是不归我们管 / 并不是没办法: the agent denies the taboo
        if self._grant is not None and _RULE_WORD.search(v.s[a:b]) and self._grant.search(v.s[b:]):
            return False  # the rule is cited to grant the request, not to refuse it
        if self.params.apologised_burden and is_apologised_burden(v, a, b):
            return False  # 让您重复说了好几遍，是我没看仔细: the customer repeated, the agent apologises
        if self._finds_out is not None and self._not_knowing is not None and self._not_knowing.search(v.s[a:b]):
            if any(not is_negated_offer(v.s, x, y) for x, y in find_spans(self._finds_out, v.s[b:]) for x, y in [(x + b, y + b)]):
                return False  # 我不知道，我问一下质检同事: not-knowing answered by the agent's own step
        return True

    def _answered(self, match) -> bool:
        if self._pointer_answer is None or not _POINTER.search(match.view.s[match.start : match.end]):
            return False
        return self._pointer_answer.search(match.view.s[match.end :]) is not None  # 详情页有写哦，是195*133mm

    def _offers(self, pattern, s: str) -> bool:
        if not self.params.negated_offer:
            return super()._offers(pattern, s)
        return any(not is_negated_offer(s, a, b) for a, b in find_spans(pattern, s))

    def _alternative(self, s: str, later) -> bool:
        """A way forward in the message itself (anywhere: 可以…，这个不能退) or the next agent messages: the agent's
        offer (`acts.offer`) or an alternative (`shrugs.offer`: 不过 / 建议 / 可以 / 或者), not itself negated."""
        pats = [x for x in (self.compiled[2], self.compiled[4]) if x is not None]
        return any(self._offers(x, t) for x in pats for t in [s, *(view(m).s for m in later)])

    def _says_helpless(self, v) -> bool:
        """The message declares helplessness in its own words (quoting the customer's 没办法用 does not, nor
        denying it: 并不是没办法)."""
        return self._says(self._helpless, v)

    def _says(self, patterns, v) -> bool:
        """One of `patterns` in the agent's own words: not quoted, not denied just before (并不是没办法)."""
        if not patterns:
            return False
        return any(not is_quoted(v, a, b) and not is_denied(v.s, a) for a, b in longest_spans(patterns, v.s))

    def _feels_natural(self, v) -> bool:
        """act14: the message names the customer's feeling as natural (换谁都会担心的), in its own words, with nothing after it
        turning on the customer — no brush-off anywhere (急也没用 / 至于吗) and no contrast after it (但规定就是规定)."""
        if self._feeling_normal is None or FEELING_DISMISSED.search(v.s):
            return False
        return any(not is_quoted(v, a, b) and not _CONTRAST_AFTER.search(v.s[b:]) for a, b in find_spans(self._feeling_normal, v.s))

    def _unquoted(self, pattern, v) -> bool:
        """`pattern` somewhere in the agent's own words (not inside a quote)."""
        return any(not is_quoted(v, a, b) for a, b in find_spans(pattern, v.s))

    def _act_row(self, model, v, row):
        """The act probabilities of what the agent says itself: a message that quotes (您说的“没办法用”是指…) is read
        without the quoted words (default@10), since quoting a taboo is not performing it."""
        if not self.params.acts.unquoted or not v.quotes:
            return row
        parts, last = [], 0
        for a, b in v.quotes:
            parts.append(v.s[last:a])
            last = b
        return model.predict_proba(["".join(parts) + v.s[last:]])[0]

    def _windows(self, v) -> list[tuple[int, int]]:
        spans = list(v.clause_spans) or [(0, len(v.s))]
        return spans + [(spans[i][0], spans[i + 1][1]) for i in range(len(spans) - 1)]

    def _act_hit(self, model, i: int, agent_msgs, probs, act_offer, customer_seqs=()) -> Evidence | None:
        return self._act_verdict(model, i, agent_msgs, probs, act_offer, customer_seqs)[0]

    def _act_verdict(self, model, i: int, agent_msgs, probs, act_offer, customer_seqs=()) -> tuple[Evidence | None, str]:
        """The act layer's verdict on agent message `i` and why: the evidence, or None and the bar or guard that
        dropped the model's reading (evaluate_acts --why tallies these)."""
        p: ActParams = self.params.acts
        m = agent_msgs[i]
        v = view(m)
        row = self._act_row(model, v, probs[i])
        cols = {a: model.classes_.index(a) for a in p.acts}
        taboo = 1.0 - float(row[model.classes_.index("none")])
        if taboo < min(p.threshold, p.short_threshold, p.helpless_threshold, p.contradiction_threshold, *p.act_thresholds.values()):
            return None, "below"  # below every bar a message can have (most messages): the same answer, sooner
        letters = len(_CONTENT.findall(v.s))
        if not cols or letters < p.min_chars:
            return None, "min_chars"
        act = max(cols, key=lambda a: row[cols[a]])
        voided = ""  # act14: the refusal reading set aside for want of a "no" (`refusal_cue`)
        if act == "refusal" and self._refusal_cue is not None and not any(self._unquoted(x, v) for x in (self._refusal_cue, self._dismissal) if x):
            bar = max(p.act_thresholds.get(act, p.threshold), p.short_threshold if letters < p.short_chars else 0.0)
            voided = "no_refusal_cue+" if taboo >= bar else ""  # named only where the refusal reading would have failed
            taboo -= float(row[cols.pop("refusal")])  # no "no" said: the refusal reading is void, the other acts judge
            if not cols or taboo < min(p.threshold, p.short_threshold, p.contradiction_threshold, *p.act_thresholds.values()):
                return None, voided + "below"
            act = max(cols, key=lambda a: row[cols[a]])
        bar = p.act_thresholds.get(act, p.threshold)
        if letters < p.short_chars:
            bar = max(bar, p.short_threshold)  # little to read: the model needs more certainty
        if act in ("refusal", "blame_shifting") and self._says_helpless(v):
            bar = min(bar, p.helpless_threshold)  # the words say it too (这边也很无奈 / 也不是很清楚)
        if act in p.contradiction_acts and self._says(self._contradiction, v):
            bar = min(bar, p.contradiction_threshold)  # the customer's account overruled (那不叫破损 / 不算质量问题)
        if act in ("condescension", "arguing") and self._says(self._reproach, v):
            bar = min(bar, p.contradiction_threshold)  # the customer's competence reproached (连…都不会 / 还找不着？)
        if taboo < bar:
            return None, voided + f"bar.{act}"
        if act in ("condescension", "arguing") and self._feels_natural(v):
            return None, voided + "feeling_normal"  # 换谁都会担心的: the customer's feeling named as natural is empathy
        windows = self._windows(v)
        wp = model.predict_proba([v.s[a:b] for a, b in windows]) if len(windows) > 1 else None
        order = sorted(range(len(windows)), key=lambda k: (-(wp[k][cols[act]] if wp is not None else 1.0), windows[k][1] - windows[k][0]))
        skipped: list[str] = []
        for k in order:
            a, b = windows[k]
            if wp is not None and 1.0 - float(wp[k][model.classes_.index("none")]) < p.clause_threshold:
                skipped.append("clause_below")
                break  # no clause shows the act on its own (ordered by the act's probability)
            if is_quoted(v, a, b):
                skipped.append("quoted")
                continue  # quoting the words is not performing the act
            if _RESTATEMENT.search(v.s[a:b]) or _POLITE_QUESTION.search(v.s[a:b].strip()):
                skipped.append("question")
                continue  # 您说的是…对吗 / 不知道您…呢？: confirming or asking is listening, not arguing
            if act in ("arguing", "condescension") and _INFO_QUESTION.search(v.s[a:b].strip()):
                skipped.append("info_question")
                continue  # asking for a fact, not reproaching
            if act in ("arguing", "condescension") and _CHECK_IN.search(v.s[a:b].strip()):
                skipped.append("check_in")
                continue  # asking whether the customer is still there
            if act == "condescension" and _CUSTOMER_ONLY.search(v.s[a:b]):
                skipped.append("customer_only")
                continue  # what only the customer can see or do
            if act == "arguing" and _PROMISE.search(v.s[a:b]):
                skipped.append("promise")
                continue  # a promise for next time, not a denial
            if act in ("blame_shifting", "arguing") and _OWNS_FAULT.search(v.s):
                return None, voided + "owns_fault"  # the message takes the fault on the shop: the opposite of shifting it
            if act in ("blame_shifting", "arguing") and self._says(self._owned, v):
                return None, voided + "owned"  # 是我们没跟进好 / 这个锅我们背: the responsibility taken, whoever slipped
            if act == "refusal" and self._plain is not None and self._plain.search(v.s[a:b]) and not (
                self._dismissal is not None and self._dismissal.search(v.s)
            ):
                if not p.plain_needs_alternative or self._alternative(v.s, agent_msgs[i + 1 : i + p.window]):
                    return None, voided + "plain_refusal"  # a policy "no" with a way forward: positive_framing judges it
            if self.params.self_correction and is_self_correction(v, a, b):
                skipped.append("self_correction")
                continue
            if act in p.offer_cancels and act_offer is not None:
                later = [view(x).s for x in agent_msgs[i + 1 : i + p.window]]
                if p.offer_same_turn:  # an offer the customer had to ask for again does not unsay the act
                    later = [view(x).s for x in agent_msgs[i + 1 : i + p.window] if not any(m.seq < c < x.seq for c in customer_seqs)]
                if act == "refusal" and self._not_knowing is not None and self._not_knowing.search(v.s[a:b]):
                    later = []  # 这边也不是很清楚: help offered later does not unsay it
                if self._offers(act_offer, v.s[a:]) or any(self._offers(act_offer, t) for t in later):
                    return None, voided + "offer"  # the agent goes on to offer something: judged by positive_framing
            note = f"禁用语：{ACT_NAMES_ZH[act]}（{act}，概率 {taboo:.2f}，{model.model_id}）"
            return Match(view=v, start=a, end=b, rule=f"{self.id}.act.{act}").evidence(note), ""
        return None, voided + ("+".join(dict.fromkeys(skipped)) or "no_clause")

    def prime(self, conversations) -> None:
        """The act model reads every human agent message of a batch at once (Rubric.score_many), each conversation's
        rows kept for `score`: one numpy pass, the same numbers to the last bit (every step is per row)."""
        if self.compiled[3] is not None:
            texts = [[view(m).s for m in human_agent_messages(c)] for c in conversations]
            self.keep_primed(conversations, [len(ts) for ts in texts], self.compiled[3].predict_proba([t for ts in texts for t in ts]))

    def score(self, conversation: Conversation) -> CriterionResult:
        agent_msgs = human_agent_messages(conversation)
        if not agent_msgs and not any(m.role == "customer" for m in conversation.messages):
            return self.not_applicable()
        model, act_offer = self.compiled[3], self.compiled[4]
        violations, guards = self._word_violations(agent_msgs), []
        if model is not None and agent_msgs:
            primed = self.take_primed(conversation)  # this conversation's slice of the batch's rows (`prime`)
            probs = primed[0] if primed is not None else model.predict_proba([view(m).s for m in agent_msgs])
            none_col = model.classes_.index("none")
            by_seq = {m.seq: probs[i] for i, m in enumerate(agent_msgs)}
            for e in violations:  # name the act of a word hit too
                row = by_seq.get(e.seq)
                if row is not None:
                    acts = [a for a in self.params.acts.acts]
                    if acts:
                        best = max(acts, key=lambda a: row[model.classes_.index(a)])
                        if row[none_col] < 0.5:
                            e.note += f"（{ACT_NAMES_ZH[best]}，{model.model_id}）"
            hit_seqs, guards = {e.seq for e in violations}, []
            customer_seqs = tuple(m.seq for m in conversation.messages if m.role == "customer")
            for i, m in enumerate(agent_msgs):
                if m.seq in hit_seqs:
                    continue  # the message already fails on its words
                ev, why = self._act_verdict(model, i, agent_msgs, probs, act_offer, customer_seqs)
                if ev is not None:
                    violations.append(ev)
                guards += [Evidence(m.seq, m.text, None, f"{self.id}.guard.{g}", _GUARD_NOTES[g]) for g in _GUARD_NOTES if g in why.split("+")]
        violations.sort(key=lambda e: (e.seq, e.span or (0, 0)))
        if violations:
            return self.failed(violations)
        note = self._pass_note(agent_msgs) + (f"（含行为模型 {model.model_id}）" if model is not None and agent_msgs else "")
        return self.passed([Evidence(seq=None, text="", span=None, rule=f"{self.id}.none", note=note), *guards])
