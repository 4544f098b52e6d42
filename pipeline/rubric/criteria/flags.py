"""Built-in flag detectors: signals that send a conversation to a human reviewer."""
from __future__ import annotations

import re

from pydantic import Field

from pipeline.conversation import Conversation, Flag
from pipeline.customer_state import SHIPPED_STATE_MODEL
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria import lexicons_redline as R
from pipeline.rubric.criteria import lexicons_state as S
from pipeline.rubric.criteria._end_state import EndReader, EndStateParams, default_end_state, negative_end_hidden
from pipeline.rubric.criteria._hidden_upset import default_hidden
from pipeline.rubric.criteria._common import EmotionDetector, EmotionParams, GuardParams, PhraseMatcher, emotion_cues
from pipeline.rubric.matching import compile_entries, local_analysis_form
from pipeline.rubric.registry import FlagDetector, register_flag
from pipeline.rubric.schema import LexiconParams, Strict


class CriterionFailParams(Strict):
    criterion: str = Field(description="id of a criterion in this rubric")
    reason: str = Field(
        default="{note}",
        description="Chinese reason; {note} is the failing evidence's note, {matched} the matched words, {criterion} the id",
    )


@register_flag("criterion_fail.v1")
class CriterionFail(FlagDetector):
    """Raised when the named criterion fails (sla_breach, empathy_missing; forbidden_phrase as a red line)."""

    Params = CriterionFailParams

    def detect(self, conversation: Conversation, rubric) -> list[Flag]:
        result = conversation.criteria.get(self.params.criterion)
        if result is None or result.status != "fail":
            return []
        ev = next((e for e in result.evidence if e.span is not None and e.seq is not None and not e.rule.endswith(".trigger.lexicon")), None)
        ev = ev or next((e for e in reversed(result.evidence) if e.seq is not None), None)
        note = ev.note if ev else ""
        matched = ev.text[ev.span[0] : ev.span[1]] if ev and ev.span else ""
        reason = self.params.reason.format(note=note, matched=matched, criterion=self.params.criterion)
        return [self.flag(reason, ev.seq if ev else None)]


class LowScoreParams(Strict):
    threshold: float = Field(default=60, ge=0, le=100, description="default: the rubric's low_score")


@register_flag("low_score.v1")
class LowScore(FlagDetector):
    Params = LowScoreParams
    rubric_defaults = {"threshold": "low_score"}

    def detect(self, conversation: Conversation, rubric) -> list[Flag]:
        if conversation.score is None or conversation.score >= self.params.threshold:
            return []
        return [self.flag(f"质检得分 {conversation.score:g}，低于 {self.params.threshold:g} 分", None)]


def _default_negative_end() -> EmotionParams:
    return EmotionParams(
        cues_with_sentiment=False,
        state_mode="polarity",
        cues=emotion_cues(),
        departure=LexiconParams(phrases=S.DEPARTURE, exclude=S.DEPARTURE_EXCLUDE),  # default@8: leaving for good ends negative in any context
        repeated_status=S.REPEATED_STATUS,  # default@9: a repeated chase ends negative in any context
        laughter=S.LAUGHTER,  # default@10: a laughing last turn is cheer, not a negative end
        goodwill=S.GOODWILL,  # default@10
        state_model_version=SHIPPED_STATE_MODEL,
        # default@13 (emp12b): sarcastic praise and resigned assent end negative too; default@14 (end13): 你们厉害 / 您说的都对
        hidden=negative_end_hidden(default_hidden()),
    )


class NegativeEndParams(Strict):
    emotion: EmotionParams = Field(default_factory=_default_negative_end)
    resigned_after: str | None = Field(
        default=S.RESIGNED_ENDING,
        description="a last message matching this regex (analysis form: 那算了 / 行 随便吧) ends negative when the agent "
        "message just before it is evidence of a failed `red_line_criterion` (the customer gave up on a refusal or a "
        "put-down); null switches it off",
    )
    red_line_criterion: str = Field(default="forbidden_phrases", description="the criterion whose failed evidence marks the agent's message")
    grievance_criterion: str = Field(
        default="empathy",
        description="default@11: the criterion whose trigger evidence marks the customer's first complaint; the two rules "
        "below apply only to a last message after it",
    )
    sarcastic_after: str | None = Field(
        default=S.SARCASTIC_ENDING,
        description="a last message matching this regex (analysis form: 我可真谢谢你们 / 可真够快的 / 所谓的售后) after the "
        "customer complained ends negative: praise or thanks in a sarcastic frame (default@11); null switches it off",
    )
    question_min_negative: float | None = Field(
        default=0.85, ge=0, le=1,
        description="a last message that asks (`question`) after the customer complained ends negative when the state "
        "layer's context-read P(negative) reaches this (default@11: the question guard kept rhetorical questions such as "
        "这就是你们的售后？ calm without an emotion word); null switches it off",
    )
    question: str = Field(default=S.QUESTION_ENDING, description="regex on the analysis form: the message asks")
    abuse_flag: str | None = Field(
        default="abusive_customer",
        description="default@11: a last message that the rubric's flag of this code reads as an insult to the agent (你是不是"
        "二百五 / 客服nt吧) ends negative, whatever the models read in a pinyin or dialect insult; null switches it off",
    )
    end: EndStateParams = Field(
        default_factory=default_end_state,
        description="default@14 (end13): the end read as a whole — giving up after a refusal, the clause after a contrast, "
        "a calm threat to review or complain, the strongest message of the last burst; calm: a choice the next reply "
        "settles, a customer who forgives, a denied bad review (_end_state)",
    )


@register_flag("negative_end.v1")
class NegativeEnd(FlagDetector):
    """The customer's last message with text is negative: Message.sentiment when the sentiment stage
    filled it, else the negative-cue lexicon (the reason and seq say which was used)."""

    Params = NegativeEndParams

    def compile(self) -> EmotionDetector:
        return EmotionDetector(self.params.emotion, "negative_end")

    def lexicon_terms(self) -> list[str]:
        return self.compiled.matcher.terms()

    def _end_reader(self) -> EndReader:
        if getattr(self, "_end", None) is None:
            self._end = EndReader(self.params.end, self.compiled, "negative_end")
        return self._end

    def _complained(self, conversation: Conversation) -> int | None:
        """The seq of the customer's first complaint (the grievance criterion's trigger evidence), or None."""
        result = conversation.criteria.get(self.params.grievance_criterion)
        if result is None or result.status == "na":
            return None
        return next((e.seq for e in result.evidence if ".trigger" in e.rule and e.seq is not None), None)

    def _end_as_a_whole(self, conversation: Conversation, last) -> Flag | None:
        """default@14 (end13): the end read with the agent's line before it and how the conversation went."""
        found = self._end_reader().read(conversation, last, self._complained(conversation))
        if found is None:
            return None
        return self.flag(f"{found.note}（规则 {found.rule}，seq {found.seq}），问题未解决", found.seq)

    def _gave_up_after_red_line(self, conversation: Conversation, last) -> Flag | None:
        """那算了 right after the agent's refusal or put-down: the customer gave up, the two words read calm."""
        p: NegativeEndParams = self.params
        result = conversation.criteria.get(p.red_line_criterion)
        if p.resigned_after is None or result is None or result.status != "fail":
            return None
        if not re.search(p.resigned_after, local_analysis_form(last.text).strip()):
            return None
        before = next((m for m in reversed(conversation.messages) if m.seq < last.seq and m.role in ("agent", "customer") and m.text.strip()), None)
        if before is None or before.role != "agent" or not any(e.seq == before.seq for e in result.evidence):
            return None
        return self.flag(f"客户在客服违规回复（seq {before.seq}）后放弃：“{last.text.strip()}”，问题未解决", last.seq)

    def _insults(self, rubric, last) -> Flag | None:
        """The last message insults the agent (read by the rubric's abuse flag): an angry end (default@11)."""
        code = self.params.abuse_flag
        abuse = next((f for f in getattr(rubric, "flags", ()) if f.code == code), None) if code else None
        hit = abuse.insult_in(last) if isinstance(abuse, AbusiveCustomer) else None
        if hit is None:
            return None
        return self.flag(f"客户最后一条消息辱骂客服（“{hit.matched_text}”，seq {last.seq}），问题未解决", last.seq)

    def _grievance_goes_on(self, conversation: Conversation, last) -> Flag | None:
        """After the customer's complaint (the grievance criterion's trigger, earlier than the last message), a last
        message in a sarcastic frame, or a question the state layer reads negative, ends negative (default@11)."""
        p: NegativeEndParams = self.params
        result = conversation.criteria.get(p.grievance_criterion)
        if result is None or result.status == "na" or (p.sarcastic_after is None and p.question_min_negative is None):
            return None
        first = next((e.seq for e in result.evidence if ".trigger" in e.rule and e.seq is not None), None)
        if first is None or first >= last.seq:
            return None
        s = local_analysis_form(last.text).strip()
        if p.sarcastic_after is not None:
            hit = re.search(p.sarcastic_after, s)
            if hit:
                return self.flag(f"客户投诉（seq {first}）后最后一条消息是反话：“{hit.group(0)}”，问题未解决", last.seq)
        st = last.state
        if p.question_min_negative is not None and st is not None and re.search(p.question, s):
            neg = st.scores.get("negative", 0.0)
            if neg >= p.question_min_negative:
                return self.flag(
                    f"客户投诉（seq {first}）后最后一条消息是反问（客户状态模型 {st.model} 结合上下文 P(负面)={neg:.2f}，seq {last.seq}），问题未解决",
                    last.seq,
                )
        return None

    def detect(self, conversation: Conversation, rubric) -> list[Flag]:
        last = next((m for m in reversed(conversation.messages) if m.role == "customer" and m.text.strip()), None)
        if last is None:
            return []
        negative, how, cue = self.compiled.negative(last, [m for m in conversation.messages if m.seq < last.seq])
        if not negative:
            gave_up = self._gave_up_after_red_line(conversation, last) or self._grievance_goes_on(conversation, last)
            gave_up = gave_up or self._insults(rubric, last) or self._end_as_a_whole(conversation, last)
            return [gave_up] if gave_up is not None else []
        end = self._end_reader()
        if how in ("state", "sentiment", "shape", "lexicon") and (
                end.denied(last) or (how != "lexicon" and (end.forgives(last) or end.settled_after(conversation, last)))):
            return []  # default@14 (end13): a threat denied; the model's reading alone, and the customer forgives or the next reply settled it
        if how == "repeat":
            return [self.flag(f"客户最后一条消息再次说明仍未收到/未到账（“{cue.matched_text}”，重复追问，seq {last.seq}），问题未解决", last.seq)]
        if how == "state":
            st = last.state
            ctx = f"，结合客服上一条 seq {st.prev_seq}" if st.prev_seq else ""
            return [self.flag(f"客户最后一条消息情绪为负面（客户状态模型 {st.model} P={st.scores.get('negative', 0):.2f}{ctx}，seq {last.seq}），问题可能未解决", last.seq)]
        if how in ("sentiment", "shape") and last.state is not None and self.params.emotion.use_state:
            st = last.state
            ctx = f"，结合客服上一条 seq {st.prev_seq}" if st.prev_seq else ""
            return [self.flag(f"客户最后一条消息情绪为负面（结合上下文：客户状态模型 {st.model} P={st.scores.get('negative', 0):.2f}{ctx}，seq {last.seq}），问题可能未解决", last.seq)]
        if how in ("sentiment", "shape"):
            return [self.flag(f"客户最后一条消息情绪为负面（情感模型，seq {last.seq}），问题可能未解决", last.seq)]
        if how in ("sarcasm", "resigned"):  # default@13 (emp12b): words calm or pleased, the context not (cue.pattern says why)
            kind = "反话式称赞" if how == "sarcasm" else "无奈的附和"
            return [self.flag(f"客户最后一条消息是{kind}“{cue.matched_text}”（{cue.pattern}，规则 {cue.rule}，seq {last.seq}），问题未解决", last.seq)]
        return [self.flag(f"客户最后一条消息含负面情绪词“{cue.matched_text}”（词表兜底，未使用情感模型），问题可能未解决", last.seq)]


class AbuseParams(Strict):
    lexicon: LexiconParams = Field(
        default_factory=lambda: LexiconParams(
            # 什么垃圾面料 criticises the goods, not the agent (S.GOODS_NOT_AGENT)
            phrases=L.ABUSE + S.ABUSE_QUESTIONED + S.ABUSE_MORE + R.ABUSE_DEFAULT13, exclude=L.ABUSE_EXCLUDE + S.GOODS_NOT_AGENT + S.KIN_NOT_CURSE + S.ABUSE_EXCLUDE_MORE, variants=L.ABUSE_VARIANTS, boundary_max_len=1
        )
    )
    target: list[str] = Field(
        default_factory=lambda: L.ABUSE_TARGET + S.ABUSE_TARGET_MORE, description="who the insult must be aimed at (你/你们/客服/店家)"
    )
    third_party: list[str] = Field(
        default_factory=lambda: L.ABUSE_THIRD_PARTY + R.ABUSE_THIRD_PARTY_DEFAULT13,
        description="others the customer may insult (快递员/司机; default@13: family, friends, the customer themself — 我老公就是个"
        "白痴 / 我真是个傻子): an insult aimed at them is not abuse of the agent",
    )


_SENTENCE_END = re.compile(r"[。!！?？\n]")


@register_flag("abusive_customer.v1")
class AbusiveCustomer(FlagDetector):
    """The customer insults or swears at the agent (垃圾客服 / 你是猪吗 / 滚), guarded against 垃圾袋 /
    滚筒洗衣机 / 滚动 and quotations. Protects the agent; it never lowers the agent's score."""

    Params = AbuseParams

    def compile(self):
        p: AbuseParams = self.params
        target = compile_entries(p.target) if p.target else None
        third = compile_entries(p.third_party) if p.third_party else None
        return PhraseMatcher("abusive_customer", p.lexicon, GuardParams(quotation=True)), target, third

    def lexicon_terms(self) -> list[str]:
        return self.compiled[0].terms()

    def _aimed_at_third_party(self, match) -> bool:
        """The nearest person named before the insult in its sentence (else the first after it) is a
        third party (快递员真是神经病 / 那司机有病吧), and the insult itself names no target."""
        _, target, third = self.compiled
        if third is None:
            return False
        s = match.view.s
        if target is not None and target.search(s, match.start, match.end):
            return False  # 垃圾客服 / 你是猪吗: aimed at the agent by its own words
        a = max((m.end() for m in _SENTENCE_END.finditer(s, 0, match.start)), default=0)
        e = _SENTENCE_END.search(s, match.end)
        b = e.start() if e else len(s)
        mentions = []
        for kind, pat in (("target", target), ("third", third)):
            if pat is None:
                continue
            for m in pat.finditer(s, a, b):
                if m.end() <= match.start or m.start() >= match.end:
                    mentions.append((m.start(), -(m.end() - m.start()), kind))
        before = [x for x in mentions if x[0] < match.start]
        if before:
            # the last person named before the insult (longest name at that place)
            last = max(before, key=lambda x: (x[0] - x[1], -x[1]))
            return last[2] == "third"
        after = sorted(x for x in mentions if x[0] >= match.end)
        return bool(after) and after[0][2] == "third"

    def insult_in(self, m):
        """The first insult in a customer message aimed at the agent (not at a courier or a neighbour), or None."""
        if m.role != "customer" or not m.text.strip():
            return None
        return next((hit for hit in self.compiled[0].find(m).accepted if not self._aimed_at_third_party(hit)), None)

    def detect(self, conversation: Conversation, rubric) -> list[Flag]:
        for m in conversation.messages:
            hit = self.insult_in(m)
            if hit is not None:
                return [self.flag(f"客户辱骂客服：“{hit.matched_text}”（保护客服，不扣客服分）", m.seq)]
        return []
