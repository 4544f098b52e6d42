"""An emotion word in a calm turn (default@13, emp12d): the turn reader (EmotionDetector, _common) found an emotion word
(how == "lexicon") that the customer does not feel now, or the state layer's reading alone fired on a turn whose
customer disclaims a complaint. Vetoes on empathy's trigger, read by `first_trigger` (_conversation_upset) after the
laughing / hurry vetoes:
- hypothetical: the word's sentence opens a condition on something not yet happened (如果 / 要是 / 万一 / 假如 … 我会很
  难过): a worry about a future case asked about, not a feeling shown; a threat (再不发我就投诉 / 要是还不…) is none of these
  (`threat` keeps it);
- reported: the word is said of someone else (我朋友说她很失望 / 评论里好多人说…很烦): a third party and a verb of saying
  before it in the same sentence, with no 我也 / 我自己 between;
- embedded (emp14): the word is the object of a request to find out (帮我看一下怎么回事 / 麻烦查下什么情况): the customer
  asks what happened, on a turn the state layer reads calm (under `embedded_max_state`);
- for others (emp14): the word's sentence puts the feared or regretted thing on other buyers (就是怕你们下次给别人也发成这样
  / 担心别的买家也收到坏的): a concern for the shop's other customers, not the customer's own feeling, on a turn read
  under `others_max_state`;
- disclaimed: the turn disclaims a complaint or a push (我不是要投诉 / 不是催您 / 没有怪你们的意思 / 不是来找茬) and has no
  emotion word besides the disclaimed one; the word inside the disclaimer (投诉) is no feeling, and the state layer's
  reading alone counts only from `disclaimed_min_state`.
Each rule is a regex on the analysis form; null switches it off."""
from __future__ import annotations

import re

from pydantic import Field

from pipeline.conversation import Message
from pipeline.rubric.matching import Match, view
from pipeline.rubric.schema import Strict

_SENT = "。.!！?？;；\n"
_CLAUSE_BREAK = "，,~～" + _SENT


class CalmCueParams(Strict):
    hypothetical: str | None = Field(default=None, description="a condition opening the word's sentence before it (如果 / 要是 / 万一)")
    threat: str | None = Field(
        default=None, description="what keeps a conditional word a feeling: a threat or a repeat (再不 / 还不 / 投诉 / 差评)")
    reported: str | None = Field(
        default=None, description="a third party and a verb of saying before the word in its sentence (我朋友说 / 评论里有人说)")
    reported_self: str | None = Field(default=None, description="the customer joining in after the report (我也 / 我自己)")
    disclaimer: str | None = Field(
        default=None, description="a complaint or a push disclaimed (我不是要投诉 / 不是催您 / 没有怪你们的意思)")
    embedded: str | None = Field(
        default=None, description="emp14: a request to find out right before the word (帮我看一下 / 麻烦查下 / 想问问) — the "
        "word (怎么回事 / 什么情况) is what the customer asks about (a regex matched against the text just before the word)")
    embedded_words: str | None = Field(
        default=None, description="emp14: the cue words that can be asked about this way (怎么回事 / 咋回事 / 什么情况)")
    embedded_max_state: float = Field(default=0.5, ge=0, le=1, description="emp14: the embedded word is no feeling below "
                                      "this P(needs empathy)")
    others: str | None = Field(
        default=None, description="emp14: other buyers named as the ones affected after the word in its sentence (给别人 / "
        "别的买家 / 其他顾客 / 下一个买家)")
    others_max_state: float = Field(default=0.85, ge=0, le=1, description="emp14: a worry for others is no feeling below this "
                                    "P(needs empathy)")
    disclaimed_min_state: float = Field(
        default=0.95, ge=0, le=1,
        description="on a turn with a disclaimer and no other emotion word, the state layer's reading counts from this P")


def _c(p: str | None) -> re.Pattern | None:
    return re.compile(p) if p else None


def _sentence(s: str, start: int, end: int) -> tuple[int, int]:
    a = max((i + 1 for i in range(0, start) if s[i] in _SENT), default=0)
    b = next((i for i in range(end, len(s)) if s[i] in _SENT), len(s))
    return a, b


def _clause_end(s: str, start: int, limit: int) -> int:
    """emp14: where the clause from `start` ends (a clause break or a space, the chat's comma), at most 12 letters on."""
    return next((i for i in range(start, min(limit, start + 12)) if s[i] in _CLAUSE_BREAK or s[i].isspace()), min(limit, start + 12))


class CalmCue:
    def __init__(self, params: CalmCueParams, rule_prefix: str) -> None:
        self.params = params
        self.rule_prefix = rule_prefix
        self.hyp, self.threat = _c(params.hypothetical), _c(params.threat)
        self.reported, self.self_ = _c(params.reported), _c(params.reported_self)
        self.disclaimer = _c(params.disclaimer)
        self.embedded, self.embedded_words = _c(params.embedded), _c(params.embedded_words)
        self.others = _c(params.others)

    def _embedded(self, msg: Message, s: str, cue: Match, other_cues: list[Match]) -> bool:
        """emp14: 帮我看一下怎么回事 — the cue word is what a request to find out asks about, on a calm reading, and the turn
        has no other emotion word (你们看看怎么回事 气死了 stands)."""
        words = self.embedded_words
        if self.embedded is None or words is None or not words.fullmatch(s[cue.start : cue.end]):
            return False
        if any(not words.fullmatch(h.view.s[h.start : h.end]) for h in other_cues):
            return False
        st = getattr(msg, "state", None)
        if st is None or st.needs_empathy >= self.params.embedded_max_state:
            return False
        return bool(self.embedded.search(s[max(0, cue.start - 8) : cue.start]))

    def _for_others(self, msg: Message, s: str, cue: Match) -> bool:
        """emp14: the word's clause names other buyers as the ones it is for (怕你们下次给别人也这样), on a calm-ish reading."""
        st = getattr(msg, "state", None)
        if self.others is None or st is None or st.needs_empathy >= self.params.others_max_state:
            return False
        b = _sentence(s, cue.start, cue.end)[1]
        return bool(self.others.search(s, cue.end, _clause_end(s, cue.end, b)))

    def _alone(self, s: str, cue: Match, other_cues: list[Match]) -> bool:
        """emp14: no emotion word besides the cue, except inside a disclaimer (我不是要投诉 … 就是怕…给别人)."""
        d = self.disclaimer.search(s) if self.disclaimer is not None else None
        return all(h.start == cue.start or (d is not None and d.start() <= h.start < d.end() + 2) for h in other_cues)

    def why(self, msg: Message, how: str, cue: Match | None, other_cues: list[Match]) -> str | None:
        """Why the turn reader's hit is no feeling shown now (None when it stands)."""
        s = view(msg).s
        if how == "lexicon" and cue is not None:
            a, b = _sentence(s, cue.start, cue.end)
            before, sent = s[a : cue.start], s[a:b]
            if self.hyp is not None and self.hyp.search(before) and not (self.threat is not None and self.threat.search(sent)):
                return "hypothetical"
            if self._embedded(msg, s, cue, other_cues):
                return "embedded"
            if self._for_others(msg, s, cue) and self._alone(s, cue, other_cues):
                return "others"
            if self.reported is not None:
                # the report governs the word only within its clause (我朋友说你们家不错，结果太失望了: the customer's own)
                ca = max((i + 1 for i in range(a, cue.start) if s[i] in _CLAUSE_BREAK), default=a)
                rep = None
                for rep in self.reported.finditer(s, ca, cue.start):
                    pass
                if rep is not None and not (self.self_ is not None and self.self_.search(s, rep.end(), cue.start)):
                    return "reported"
        if self.disclaimer is not None:
            d = self.disclaimer.search(s)
            if d is None:
                return None
            # emp14: a worry for other buyers beside the disclaimer is no feeling of the customer's either
            outside = [h for h in other_cues if not (d.start() <= h.start < d.end() + 2) and not self._for_others(msg, s, h)]
            if outside:
                return None
            if how == "lexicon" and cue is not None and d.start() <= cue.start < d.end() + 2:
                return "disclaimed"
            st = getattr(msg, "state", None)
            if how in ("state", "sentiment") and st is not None and st.needs_empathy < self.params.disclaimed_min_state:
                return "disclaimed"
        return None
