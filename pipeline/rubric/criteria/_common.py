"""Pieces several built-in criteria share: guarded phrase matching, customer
emotion, conversation type, and message selection by role and position."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import Field

from models.base import BoundedMemo
from pipeline.conversation import Conversation, Message
from pipeline.rubric.criteria._emotion_params import EmotionParams, emotion_cues, hidden_upset_for, stated_urgency  # noqa: F401 - re-exported
from pipeline.rubric.criteria._shapes import _CONTRAST_AFTER, _DENIED_AFTER, _OPENER_PING, _SPEECHLESS, _asks  # sentence shapes
from pipeline.rubric.criteria._shapes import _asks_by_spaces, _plain_question, _spaced, asks_anyhow, waiting_unanswered
from pipeline.rubric.guards import contrast_cancels, has_sarcasm, is_negated, is_quoted
from pipeline.rubric.matching import (
    Lexicon,
    Match,
    View,
    compile_entries,
    find_spans,
    local_analysis_form,
    view,
)
from pipeline.rubric.schema import LexiconParams, ParaphraseParams, Strict
from pipeline.rubric.similarity import ParaphraseDetector


class GuardParams(Strict):
    """Which guards drop a match: negated (我不理解), followed by a contrast without an offer
    (我理解，但规定就是规定), quoted (您说“没办法”是指…), sarcastic (呵呵)."""

    negation: bool = False
    negation_window: int = Field(default=3, ge=1, le=10)
    contrast: bool = False
    contrast_offer: list[str] = Field(default_factory=list, description="what after 但/不过 keeps the match (an offer)")
    quotation: bool = True
    sarcasm: bool = False


@dataclass
class Rejected:
    match: Match
    why: str  # "否定" / "转折" / "引用" / "反讽"


@dataclass
class Found:
    accepted: list[Match] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class PhraseMatcher:
    """Lexicon + cue patterns + exemplar similarity, then guards. Rules: <id>.lexicon / .cue / .similarity."""

    def __init__(
        self,
        rule_prefix: str,
        lexicon: LexiconParams,
        guards: GuardParams | None = None,
        paraphrase: ParaphraseParams | None = None,
    ) -> None:
        self.lexicon = Lexicon(
            lexicon.phrases,
            rule=f"{rule_prefix}.lexicon",
            variants=lexicon.variants,
            exclude=lexicon.exclude,
            boundary_max_len=lexicon.boundary_max_len,
        )
        self.guards = guards or GuardParams()
        self.offer = compile_entries(self.guards.contrast_offer) if self.guards.contrast_offer else None
        self.cues: Lexicon | None = None
        self.similar: ParaphraseDetector | None = None
        if paraphrase is not None and paraphrase.enabled:
            if paraphrase.cues:
                self.cues = Lexicon(
                    paraphrase.cues,
                    rule=f"{rule_prefix}.cue",
                    variants=lexicon.variants,
                    exclude=lexicon.exclude,
                    boundary_max_len=0,
                )
            if paraphrase.exemplars:
                self.similar = ParaphraseDetector(
                    paraphrase.exemplars,
                    threshold=paraphrase.threshold,
                    rule=f"{rule_prefix}.similarity",
                    min_exemplar_chars=paraphrase.min_exemplar_chars,
                )
        self.exclude_pattern = compile_entries(lexicon.exclude, lexicon.variants)
        # what `find` decided, per distinct analysis string (template lines repeat all day and several
        # criteria read every message): (start, end, rule, pattern, score, why rejected) per match, in
        # order. A string whose result may hang on token boundaries maps to _BY_TOKENS and is kept
        # under (string, what the lexicons read of its tokens) in _kept_tok instead. Both are bounded memos
        # (models.base.BoundedMemo, the run's one per-text policy): they start again when full.
        self._kept = BoundedMemo((__name__, "_KEPT_MAX"))  # str -> tuple[_Kept, ...] | _BY_TOKENS
        self._kept_tok = BoundedMemo((__name__, "_KEPT_MAX"))  # (str, boundary readings) -> tuple[_Kept, ...]

    def terms(self) -> list[str]:
        return self.lexicon.terms()

    def _why_rejected(self, m: Match) -> str | None:
        v = m.view
        g = self.guards
        if g.quotation and is_quoted(v, m.start, m.end):
            return "引用"
        if g.negation and is_negated(v, m.start, m.end, g.negation_window):
            return "否定"
        if g.contrast and contrast_cancels(v, m.end, self.offer):
            return "转折"
        if g.sarcasm and has_sarcasm(v):
            return "反讽"
        return None

    def find(self, msg: Message) -> Found:
        v = view(msg)
        found = Found()
        s = v.s
        if not s:
            return found
        kept = self._kept.get(s)
        if kept is None:
            if self.lexicon.reads_boundaries(s) or (self.cues is not None and self.cues.reads_boundaries(s)):
                kept = _BY_TOKENS
            else:
                kept = self._decide(v)
            self._kept.put(s, kept)
        if kept is _BY_TOKENS:
            # what the lexicons read of the tokens (a few booleans), not the token offsets themselves:
            # a small key, and the same line segmented alike elsewhere is found again
            key = (s, self.lexicon.boundary_reading(v), self.cues.boundary_reading(v) if self.cues is not None else None)
            kept = self._kept_tok.get(key)
            if kept is None:
                kept = self._decide(v)
                self._kept_tok.put(key, kept)
        # fresh Match / Rejected objects on this message's view: callers may keep or change them
        for a, b, rule, pattern, score, why in kept:  # type: ignore[union-attr]
            m = Match(v, a, b, rule, pattern, score)
            if why:
                found.rejected.append(Rejected(m, why))
            else:
                found.accepted.append(m)
        return found

    def _decide(self, v: View) -> tuple[_Kept, ...]:
        """Candidates, overlaps resolved (lexicon first at the same start), then guards."""
        candidates = list(self.lexicon.find(v))
        if self.cues is not None:
            candidates += self.cues.find(v)
        if self.similar is not None:
            sims = self.similar.find(v)
            if sims:
                excluded = find_spans(self.exclude_pattern, v.s)
                for s in sims:
                    # a paraphrase window overlapping an excluded context (不知道您…) is not a match
                    if any(not (s.end <= a or s.start >= b) for a, b in excluded):
                        continue
                    candidates.append(s)
        taken: list[Match] = []
        out: list[_Kept] = []
        for m in sorted(candidates, key=lambda m: (m.start, -(m.end - m.start))):
            if any(not (m.end <= t.start or m.start >= t.end) for t in taken):
                continue  # overlapping a match already taken (lexicon first at the same start)
            out.append((m.start, m.end, m.rule, m.pattern, m.score, self._why_rejected(m)))
            taken.append(m)
        return tuple(out)


_Kept = tuple[int, int, str, str, "float | None", "str | None"]
_KEPT_MAX = 16_384  # distinct analysis strings whose decisions one matcher keeps (as matching.Lexicon does)
# the result may hang on token boundaries: look in _kept_tok (False, not object(): a matcher copied or pickled with its memory must still recognise it)
_BY_TOKENS = False


# ----------------------------------------------------------------------------
# roles and positions
# ----------------------------------------------------------------------------


def human_agent_messages(conv: Conversation, with_text: bool = True) -> list[Message]:
    """Human-agent messages in order; bots and system events never count for the agent."""
    return [m for m in conv.messages if m.role == "agent" and (m.text.strip() or not with_text)]


def customer_messages(conv: Conversation, with_text: bool = False) -> list[Message]:
    return [m for m in conv.messages if m.role == "customer" and (m.text.strip() or not with_text)]


def seconds_between(a: Message, b: Message) -> float:
    try:
        return (b.timestamp - a.timestamp).total_seconds()
    except TypeError:  # one naive, one aware: read both as wall-clock times
        return (b.timestamp.replace(tzinfo=None) - a.timestamp.replace(tzinfo=None)).total_seconds()


# ----------------------------------------------------------------------------
# customer emotion and conversation type
# ----------------------------------------------------------------------------


def _check_state_model(pinned: str, where: str) -> None:
    """The results key is (conversation, rubric version, sentiment model): a state model other than the one
    the rubric was calibrated with would change scores under the same key, and stored results would be read
    back as if nothing had changed. A layer switched off (ZHIJIAN_STATE_MODEL=off) is not a mismatch: the
    rules decide alone, as the parameters say."""
    from pipeline.customer_state import state_model

    model = state_model()
    if model is not None and model.model_id != pinned:
        raise ValueError(
            f"{where}: the rubric was calibrated with customer-state model {pinned}, but ZHIJIAN_STATE_MODEL "
            f"gives {model.model_id}: set state_model_version (and re-check min_state_score / state_veto) in a new "
            f"rubric version, or point ZHIJIAN_STATE_MODEL at {pinned}"
        )


def pinned_model(where: str, what: str, load, path: str | None, pinned: str | None, setting: str):
    """A criterion's judgement model (`load(path)`; None: the shipped one), checked against the version the rubric
    was calibrated with: another model would change scores under the same results key (rubric version), so it is an
    error, never a silent swap. `setting` names the rubric field to change with it."""
    model = load(path)
    if pinned and model.model_id != pinned:
        raise ValueError(
            f"{where}: the rubric was calibrated with {what} model {pinned}, but {path or 'the shipped model'} is "
            f"{model.model_id}: set {setting} (and re-check the thresholds)"
        )
    return model


# what may follow goodwill that closes a turn: particles and punctuation (早点休息吧 / 挺好看的～)
_GOODWILL_TAIL = re.compile(r"[的了吧呀啊哦呢啦嘛哈哒滴~～。.!！\s]*$")


class EmotionDetector:
    def __init__(self, params: EmotionParams, rule_prefix: str) -> None:
        self.params = params
        self.rule_prefix = rule_prefix
        if params.use_state and params.state_model_version:
            _check_state_model(params.state_model_version, rule_prefix)
        self.matcher = PhraseMatcher(
            rule_prefix,
            params.cues,
            GuardParams(negation=True, negation_window=params.negation_window, quotation=False),
        )
        from pipeline.rubric.criteria import lexicons as L

        self.shape = (
            Lexicon(params.shape_cues.phrases, rule=f"{rule_prefix}.shape", exclude=params.shape_cues.exclude, boundary_max_len=0)
            if params.shape_cues.phrases
            else None
        )
        self.urgency, self.relief = (
            Lexicon(lp.phrases, rule=f"{rule_prefix}.{name}", exclude=lp.exclude, boundary_max_len=0) if lp.phrases else None
            for name, lp in (("urgency", params.urgency), ("relief", params.relief))
        )
        self.status = re.compile(params.status_cue) if params.status_cue else None
        self.repeated = re.compile(params.repeated_status) if params.repeated_status else None
        self.laughter = re.compile(params.laughter) if params.laughter else None
        self.ambivalent = re.compile(params.ambivalent_cue) if params.ambivalent_cue else None
        self.ping = re.compile(params.unanswered_ping) if params.unanswered_ping else None
        self.hedge = re.compile(params.hedged_report) if params.hedged_report else None
        self.goodwill = re.compile(params.goodwill) if params.goodwill else None
        self.hidden = hidden_upset_for(params, rule_prefix)  # default@13: sarcastic praise, resigned assent, stated urgency
        self.departure = (
            PhraseMatcher(f"{rule_prefix}.departure", params.departure,
                          GuardParams(negation=True, negation_window=params.negation_window, quotation=True))
            if params.departure.phrases
            else None
        )
        words = sorted({local_analysis_form(w) for w in params.acknowledgements if w}, key=len, reverse=True)
        self.ack = (
            re.compile("^(?:" + "|".join([re.escape(w) for w in words] + [L.ACK_FILLER]) + ")+$") if words else None
        )
        # 行吧，这还差不多 / 对，就灯罩 / 好，两个都要: a reply that opens by accepting
        openers = sorted({local_analysis_form(w) for w in params.calm_openers if w}, key=len, reverse=True)
        self.opener = (
            re.compile("^(?:" + "|".join(re.escape(w) for w in openers) + ")[了啦呀吧啊哦的呢嘛哒滴嘞]*[\\s,，。.!！~～…、]+")
            if openers
            else None
        )

    def _relieved(self, msg: Message) -> bool:
        """The turn shows relief or owns the mistake, and no contrast follows (还好找到了 但是盒子压坏了 is not)."""
        if self.relief is None:
            return False
        v = view(msg)
        hits = self.relief.find(v)
        return bool(hits) and not _CONTRAST_AFTER.search(v.s, hits[-1].end)

    def _ack_only(self, msg: Message) -> bool:
        """The turn is made only of acknowledgements (哦 好 / 好吧 / 没了); a bare 。。。 is none."""
        return self.ack is not None and bool(self.ack.match(view(msg).s.strip())) and not _SPEECHLESS.match(view(msg).s)

    def _goodwill(self, msg: Message) -> bool:
        """Goodwill (早点休息 / 辛苦你们了 / 东西挺好看的), no contrast after it, no sarcasm, no emotion word: no negative end."""
        if self.goodwill is None:
            return False
        v = view(msg)
        hits = list(self.goodwill.finditer(v.s))
        # the goodwill closes the turn (真辛苦你们了 拖了半个月才回 goes on to the complaint: thanks as sarcasm)
        return (bool(hits) and bool(_GOODWILL_TAIL.match(v.s, hits[-1].end())) and not _CONTRAST_AFTER.search(v.s, hits[0].end())
                and not has_sarcasm(v) and not self.matcher.find(msg).accepted)

    def _joking(self, msg: Message) -> bool:
        """The customer laughs (哈哈 / 😂) and shows no shape of feeling (sarcasm, pings, persistence): a joke."""
        if self.laughter is None:
            return False
        return bool(self.laughter.search(view(msg).s) or self.laughter.search(msg.text)) and not self._shapes(msg)

    def _shapes(self, msg: Message) -> list[Match]:
        """Shape cues, less a greeting ping (在吗 开头 then the question) in a turn that answers no agent: it opens
        the chat, nobody has kept the customer waiting yet."""
        if self.shape is None:
            return []
        hits = self.shape.find(view(msg))
        st = getattr(msg, "state", None)
        if st is None or st.prev_seq is None:
            s = view(msg).s
            hits = [h for h in hits if not (h.start == 0 and _OPENER_PING.match(s[h.start : h.end]) and len(s) > h.end + 1)]
        return hits

    def repeated_chase(self, msg: Message, earlier: Sequence[Message]) -> Match | None:
        """没有收到 … (the agent answers) … 没有退: the customer says again that the order has not come. The match
        is the denial in this turn; None when it is the first."""
        if self.repeated is None:
            return None
        v = view(msg)
        hit = self.repeated.match(v.s)
        if hit is None:
            return None
        if not any(m.role == "customer" and m.seq < msg.seq and self.repeated.match(view(m).s) for m in earlier):
            return None
        return Match(v, hit.start(), hit.end(), f"{self.rule_prefix}.repeated_status", "")

    def unanswered_ping(self, msg: Message, earlier: Sequence[Message]) -> Match | None:
        """有人吗 after a customer turn no human agent answered yet (a bot's reply is none): chasing (default@13)."""
        v, s = view(msg), view(msg).s.strip()
        if not s or self.ping is None or not self.ping.fullmatch(s) or not waiting_unanswered(
                earlier, lambda m: not self.ping.fullmatch(view(m).s.strip()) and not self._ack_only(m)):
            return None
        return Match(v, v.s.index(s), v.s.index(s) + len(s), f"{self.rule_prefix}.unanswered_ping", "")

    def negative(self, msg: Message, earlier: Sequence[Message] = ()) -> tuple[bool, str, Match | None]:
        """(is_negative, how, cue match). how: "state" / "sentiment" / "shape" / "lexicon" / "urgency" / "repeat" / "".
        `earlier`: the conversation's messages before this one (for a repeated chase)."""
        if not msg.text.strip():
            return False, "", None
        ping = self.unanswered_ping(msg, earlier) if earlier and self.params.state_mode == "empathy" else None
        hidden = self.hidden.read(msg, earlier) if self.hidden is not None else None
        for how, hit in (("repeat", self.repeated_chase(msg, earlier) if earlier else None), ("ping", ping), hidden or (None, None)):
            if hit is not None:
                return True, how, hit
        st = getattr(msg, "state", None)
        state = self.params.use_state and st is not None
        if state and self.params.state_mode == "empathy":
            if self.params.acks_before_state and self._ack_only(msg):
                return False, "", None
            # clear upset (hidden frustration, sarcasm, worry, resignation): the state layer decides —
            # unless the turn is a plain question with no shape of feeling; clearly calm (relief,
            # self-apology, a calm report, a neutral close): never — except short urgency inside a
            # question (中午能到吗 急用), which the layer reads as the calm question around it; in between
            # the rules below decide
            if st.needs_empathy < self.params.min_state_score and self._relieved(msg):
                return False, "", None
            if st.needs_empathy < self.params.min_state_score and self._joking(msg):
                return False, "", None
            if st.needs_empathy < self.params.min_state_score and self.urgency is not None:
                urgent = self.urgency.find(view(msg)) if _asks(msg) or _plain_question(msg) or _asks_by_spaces(msg) else stated_urgency(self.hidden, msg, st, self.urgency)
                if urgent:
                    return True, "urgency", urgent[0]
            if st.needs_empathy >= self.params.min_state_score:
                asks = self.params.question_guard and (_plain_question(msg) or _asks(msg))
                if not asks or self._shapes(msg) or self.matcher.find(msg).accepted:
                    return True, "state", None
            elif st.needs_empathy < self.params.state_veto:
                return False, "", None
        elif state and msg.sentiment is not None:
            # polarity read in context: 没有了 after 还有什么可以帮您 is a close, not a negative end — unless the
            # customer leaves for good, threatens a complaint or writes the loss off (算了 去别家看看 / 好 我去投诉):
            # the layer reads the calm words around it, whichever label the sentence model gave (default@10: also
            # when that label is negative but the layer's P(negative) is low)
            gone = self.departure.find(msg).accepted if self.departure is not None else []
            if gone:
                return True, "lexicon", gone[0]
            if self._joking(msg) or self._goodwill(msg):
                # default@10: 那我要M 想要宽松的hhh is cheer, 早点休息吧 / 东西倒是挺好看的 goodwill, however the layer reads it
                return False, "", None
            if msg.sentiment.label != "negative":
                return False, "", None
        if self._ack_only(msg):
            return False, "", None  # 没了 / 好的 / 行吧: an acknowledgement carries no emotion (a bare 。。。 is no acknowledgement)
        if self.params.use_sentiment and msg.sentiment is not None:
            score = msg.sentiment.scores.get("negative", 1.0) if msg.sentiment.scores else 1.0
            if state and self.params.state_mode == "polarity":
                score = st.scores.get("negative", 0.0)  # the context-read probability
            shape = None
            if msg.sentiment.label == "negative" and self.shape is not None and score >= self.params.shape_min_score:
                # a problem stated / pings / sarcasm / urgency: a moderate negative score is enough
                hits = self._shapes(msg)
                shape = hits[0] if hits else None
            if msg.sentiment.label == "negative" and (score >= self.params.min_negative_score or shape is not None):
                calm = self.opener is not None and bool(self.opener.match(view(msg).s.strip()) or self.opener.match(_spaced(msg)))
                if calm or (self.params.question_guard and shape is None and _plain_question(msg)):
                    # a plain question, or a reply that opens by accepting: negative only with an emotion cue
                    found = self.matcher.find(msg)
                    return (True, "lexicon", found.accepted[0]) if found.accepted else (False, "", None)
                if shape is not None and score < self.params.min_negative_score:
                    return True, "shape", shape
                # the model's confident label alone, on a turn the state layer reads as probably calm in context (a
                # how-to question after 收到了, a calm trade-in answer): no feeling shown, nothing to acknowledge
                alone_calm = state and self.params.state_mode == "empathy" and st.needs_empathy < self.params.sentiment_min_state
                if state and self.params.state_mode == "empathy" and self.hedge is not None and st.needs_empathy < self.params.min_state_score:
                    # default@10: a fault told with a hedge (有点薄 / 屏幕有点划痕) is a calm report: the label alone, no
                    # shape and no emotion word, does not make it need empathy
                    alone_calm = alone_calm or bool(self.hedge.search(view(msg).s))
                if not alone_calm:
                    return True, "sentiment", None
            if not self.params.cues_with_sentiment:
                return False, "", None
        accepted = [h for h in self.matcher.find(msg).accepted if not _DENIED_AFTER.match(h.view.s, h.end)]
        if state and msg.sentiment is not None and msg.sentiment.label != "negative":
            # read calm in context: 还没收到 answers the agent (您确认收货哦), it reports no feeling; slang said in
            # delight or a playful question (服了 这保温杯一晚上还烫 / …选哪个色😭) is no distress
            for calm in (self.status, self.ambivalent):
                if calm is not None:
                    accepted = [h for h in accepted if not calm.search(h.view.s[h.start : h.end])]
        elif state and self.ambivalent is not None and self.params.state_mode == "empathy" and asks_anyhow(msg):
            # default@13: inside a question (还有货吗？？ / 怕太硬 软不软啊) the ambivalent words alone are no distress
            accepted = [h for h in accepted if not self.ambivalent.search(h.view.s[h.start : h.end])]
        if accepted:
            return True, "lexicon", accepted[0]
        return False, "", None


class TopicParams(Strict):
    """Conversation type from the customer's words (after-sales / complaint)."""

    cues: LexiconParams = Field(default_factory=LexiconParams)


PRAISE_MIN = 0.9  # a customer turn read as positive with at least this probability is praise, not a problem


def is_praise(m: Message) -> bool:
    """The turn is read (in context, when the state layer ran) as clearly positive: 收到了，质量很好，谢谢.
    Its words (质量 / 问题) do not make the conversation an after-sales or complaint one."""
    s = m.sentiment
    if s is None or s.label != "positive":
        return False
    scores = m.state.scores if getattr(m, "state", None) is not None else s.scores
    return (scores or {}).get("positive", 0.0) >= PRAISE_MIN


def topic_match(conv: Conversation, matcher: PhraseMatcher) -> Match | None:
    for m in customer_messages(conv, with_text=True):
        if is_praise(m):
            continue
        found = matcher.find(m)
        if found.accepted:
            return found.accepted[0]
    return None


def compile_regex(entries: list[str]) -> re.Pattern | None:
    return compile_entries(entries)


# ----------------------------------------------------------------------------
# weighted conversation-type decision (after-sales / complaint)
# ----------------------------------------------------------------------------


class SignalParams(Strict):
    """One signal of a weighted decision: a word list read in one role's messages. It fires at
    most once per conversation and adds `weight` (negative weights pull the other way)."""

    name: str
    role: str = Field(default="customer", description="customer / agent (human agents only)")
    weight: float
    note: str = ""
    phrases: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class SentimentSignalParams(Strict):
    """The sentiment model says a customer message is negative with a good margin."""

    weight: float = 0.0
    min_negative_score: float = Field(default=0.8, ge=0, le=1)
    min_margin: float = Field(default=0.5, ge=0, le=1, description="negative minus the next-best label")


class DecisionParams(Strict):
    """score = Σ weights of the signals that fired; the decision holds at score ≥ threshold."""

    threshold: float = 0.6
    topic_weight: float = Field(default=0.6, description="weight of the criterion's own word list (applies_to) when it fires")
    signals: list[SignalParams] = Field(default_factory=list)
    sentiment: SentimentSignalParams = Field(default_factory=SentimentSignalParams)


@dataclass
class Fired:
    name: str
    weight: float
    msg: Message
    match: Match | None
    note: str


@dataclass
class Decision:
    holds: bool
    score: float
    threshold: float
    fired: list[Fired]

    def explain(self) -> str:
        parts = [f"{f.name}{f.weight:+.2f}" + (f"“{f.match.view.s[f.match.start:f.match.end]}”" if f.match else "") for f in self.fired]
        return f"得分 {self.score:.2f}（阈值 {self.threshold:.2f}）：" + ("，".join(parts) if parts else "无信号")


class SignalDecision:
    def __init__(self, params: DecisionParams, rule_prefix: str) -> None:
        self.params = params
        self.rule_prefix = rule_prefix
        self.signals = [
            (s, Lexicon(s.phrases, rule=f"{rule_prefix}.{s.name}", exclude=s.exclude, boundary_max_len=0)) for s in params.signals
        ]

    def terms(self) -> list[str]:
        out: list[str] = []
        for _, lex in self.signals:
            out += lex.terms()
        return out

    @staticmethod
    def _readable(msgs: list[Message]) -> list[tuple[Message, View]]:
        """The messages a signal reads, with their views (once per conversation, not once per signal)."""
        out = []
        for m in msgs:
            if m.role == "customer" and is_praise(m):
                continue  # praise (质量很好) is not a problem report
            v = view(m)
            if v.s:
                out.append((m, v))
        return out

    def _first(self, lex: Lexicon, readable: list[tuple[Message, View]]) -> tuple[Message, Match] | None:
        for m, v in readable:
            found = lex.find(v)
            if found:
                return m, found[0]
        return None

    def decide(self, conv: Conversation, extra: list[Fired] | None = None) -> Decision:
        """Signals are read pulling-down first, then by weight; reading stops as soon as the
        outcome cannot change (the decision is the same as reading them all)."""
        cust = customer_messages(conv, with_text=True)
        agents = human_agent_messages(conv)
        fired: list[Fired] = list(extra or [])
        score = sum(f.weight for f in fired)
        threshold = self.params.threshold
        sp = self.params.sentiment
        pending = sorted(self.signals, key=lambda x: (x[0].weight >= 0, -abs(x[0].weight)))
        neg_left = sum(x[0].weight for x in pending if x[0].weight < 0)
        pos_left = sum(x[0].weight for x in pending if x[0].weight > 0) + max(sp.weight, 0.0)
        readable: dict[str, list[tuple[Message, View]]] = {}  # by role, made on the first signal that reads it

        def settled() -> bool:
            return score + neg_left >= threshold or score + pos_left < threshold

        for s, lex in pending:
            if settled():
                break
            if s.weight < 0:
                neg_left -= s.weight
            else:
                pos_left -= s.weight
            role = "agent" if s.role == "agent" else "customer"
            if role not in readable:
                readable[role] = self._readable(agents if role == "agent" else cust)
            hit = self._first(lex, readable[role])
            if hit is not None:
                fired.append(Fired(s.name, s.weight, hit[0], hit[1], s.note))
                score += s.weight
        if sp.weight and not settled():
            for m in cust:
                if m.sentiment is None or m.sentiment.label != "negative" or not m.sentiment.scores:
                    continue
                sc = m.sentiment.scores
                neg = sc.get("negative", 0.0)
                other = max([v for k, v in sc.items() if k != "negative"] or [0.0])
                if neg >= sp.min_negative_score and neg - other >= sp.min_margin:
                    fired.append(Fired("sentiment", sp.weight, m, None, f"情感模型 negative {neg:.2f}"))
                    score += sp.weight
                    break
        score = round(score, 4)
        return Decision(score >= threshold, score, threshold, fired)
