"""Upset read at conversation level (default@13, emp12c): empathy's trigger asks "from which customer turn on does the
conversation show a feeling the agent owes an acknowledgement?", not only "is this one turn upset?". EmotionDetector
(_common) reads each turn; `first_trigger` walks the customer turns in order and adds what one turn cannot show:

- stake and setback: a stake the customer named (a funeral, a wedding, a gift, a child's first school day, a baby's
  food) together with a setback told (not there yet, arrived after the day, missing, a baby unwell) in the customer's
  turns so far, read at a turn the state layer reads as moderately upset (`stake_min_state`): the situation is the
  evidence the words leave out;
- persistence: a moderate turn (`persistence_min_state`) that says the trouble or the customer's effort repeats
  (第三次问了 / 点了三遍 / 又是坏的): the repetition is the feeling;

and, against false triggers, two vetoes on what the turn reader found:

- hurry disclaimed: an urgency hit that the customer negates in the same clause (不着急 … 我不赶着用);
- said laughing: an emotion word that laughter closes in its clause (烦死了哈哈哈), on a turn read calm in context
  (P(needs empathy) under `laughing_max_state`).

emp13 adds three readings: the agent's reply (a moderately upset turn that the human agent's reply acknowledges as a
feeling starts the trigger: `answered_*`, given the criterion's credit as `acknowledges`), a rhetorical question the
question guard held back (`rhetorical`), and a veto on a turn in which the customer makes peace (`conciliation`).

Each rule is a regex on the analysis form; null switches it off. Empathy's score and state_eval's per-conversation
figures both read `first_trigger` (state_eval without `acknowledges`: no reply is read there); negative_end reads the
last turn alone and does not use it."""
from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import Field

from pipeline.conversation import Message
from pipeline.rubric.criteria._calm_cue import CalmCue, CalmCueParams
from pipeline.rubric.criteria._shapes import asks_anyhow
from pipeline.rubric.matching import Match, view
from pipeline.rubric.schema import Strict

_CLAUSE = "，,。.!！?？;；~～\n"
_CONTRAST_AFTER = re.compile(r"但|不过|可是|就是|只是|然而")


class ConversationUpsetParams(Strict):
    """Conversation-level rules of empathy's trigger (all off by default; default@13 (emp12c) switches them on)."""

    stake: str | None = Field(default=None, description="a stake named by the customer (追悼会 / 婚礼 / 生日礼物 / 开学 / 宝宝的奶粉)")
    setback: str | None = Field(
        default=None, description="a setback told by the customer (还没看到人 / 今天才到 / 少了一个 / 喝完了 / 拉肚子), not asked about")
    stake_min_state: float | None = Field(
        default=None, ge=0, le=1,
        description="a turn at this P(needs empathy) or above counts when the customer's turns so far name a stake and a "
        "setback (null: off)")
    persistence: str | None = Field(
        default=None, description="the trouble or the customer's effort said to repeat (第三次问了 / 点了三遍 / 又是坏的)")
    persistence_min_state: float | None = Field(
        default=None, ge=0, le=1, description="a turn at this P(needs empathy) or above that names persistence counts (null: off)")
    hurry_denied: str | None = Field(
        default=None, description="a negation right before an urgency hit (不 / 并不 / 也不 + 赶着用): the hurry is disclaimed")
    laughter: str | None = Field(default=None, description="laughter closing an emotion word's clause (烦死了哈哈哈)")
    laughing_max_state: float = Field(
        default=0.5, ge=0, le=1, description="the emotion word said laughing is no distress below this P(needs empathy)")
    calm: CalmCueParams | None = Field(
        default=None, description="default@13 (emp12d): an emotion word not felt now (hypothetical, reported, disclaimed: "
        "_calm_cue); null: off")
    answered_min_state: float | None = Field(
        default=None, ge=0, le=1,
        description="emp13: a turn at this P(needs empathy) or above that nothing else lifts counts when the human agent's "
        "reply to it (its messages before the customer's next turn) acknowledges a feeling as the empathy criterion's "
        "lexicon, cues and exemplars credit one (its guards included; not the credit families): the agent read the turn as upset, and the trigger starts there, not at a later turn (null: off)")
    answered_feeling: str | None = Field(
        default=None,
        description="emp13: the words of an acknowledgement that names the customer's feeling (理解您的担心 / 换我也会着急), "
        "not only apologises: such a reply lifts a turn from answered_feeling_min_state (a regex on the matched words)")
    answered_feeling_min_state: float | None = Field(
        default=None, ge=0, le=1,
        description="emp13: the P(needs empathy) from which a reply naming the customer's feeling lifts the turn (an "
        "apology for a fault is said to calm reporters too; naming a feeling answers one shown). null: answered_min_state")
    rhetorical: str | None = Field(
        default=None,
        description="emp13: the marks of a rhetorical question (难道 / 还用 / 就这 / 你以为 / 还想 / 凭什么 / 有意思吗): a question "
        "the turn reader held back (a plain question needs a shape or an emotion word) counts with one of them from "
        "rhetorical_min_state — it reproaches rather than asks (a regex on the analysis form; null: off)")
    rhetorical_min_state: float = Field(default=0.85, ge=0, le=1, description="emp13: the P(needs empathy) from which a "
                                        "rhetorical question counts")
    conciliation: str | None = Field(
        default=None,
        description="emp13: the customer makes peace — apologises for their own tone (刚才说话太冲了 别往心里去), owns a "
        "misjudgement (误会你们了 / 错怪你们了), or tells a feeling that is over (本来很担心 结果…): with no contrast after "
        "it, the turn is not upset whatever the readings (a regex on the analysis form; null: off)")
    imposed_thanks: str | None = Field(
        default=None,
        description="emp13: thanks for an experience the shop imposed (谢谢你们让我体验了一把… / 感谢让我长见识了): sarcasm "
        "counted from imposed_thanks_min_state, whatever polarity the state layer reads into the thanks (null: off)")
    imposed_thanks_min_state: float = Field(default=0.3, ge=0, le=1, description="emp13: the P(needs empathy) from which "
                                            "imposed thanks count")
    answered_not: str | None = Field(
        default=None,
        description="emp13: an acknowledgement whose sentence matches this regex (analysis form) is the agent's apology for "
        "its own slow reply (抱歉久等 / 不好意思回复晚了), said to calm and upset customers alike: it lifts no turn")
    settled: str | None = Field(
        default=None,
        description="emp14: the remedy done or taken on by the agent now (已给您补发 / 这就给您换 / 给您办理退款): a turn "
        "that only the model readings find upset (no emotion word, no shape) and whose human reply settles it this way, "
        "answered by the customer's calm next turn, is a calm report fixed at once, not a feeling shown (a regex on the "
        "reply's analysis form; null: off)")
    settled_not: str | None = Field(
        default=None,
        description="emp14: words that make the settling sentence no settlement — a condition on the customer or a hand-off "
        "(寄回后才能 / 麻烦您先 / 需要您 / 反馈 / 申请 / 核实): the trouble is not yet fixed (a regex on the sentence)")
    settled_max_state: float = Field(default=1.0, ge=0, le=1, description="emp14: a turn read at this P(needs empathy) or "
                                     "above stays upset however it is settled (1.0: no bar)")
    settled_next_max_state: float = Field(default=0.5, ge=0, le=1, description="emp14: the customer's next turn must read "
                                          "under this P(needs empathy) and not upset: the customer took the fix calmly")



def _c(p: str | None) -> re.Pattern | None:
    return re.compile(p) if p else None


def _sentence(m: Match) -> str:
    """The sentence of the analysis form that holds the match."""
    s = m.view.s
    a = max((i + 1 for i in range(m.start) if s[i] in "。.!！?？\n"), default=0)
    b = next((i for i in range(m.end, len(s)) if s[i] in "。.!！?？\n"), len(s))
    return s[a:b]


def _question(s: str, start: int) -> bool:
    """The clause holding `start` asks (明天能到吗 / 会不会… / 用不上了？): asked, not told. Clause by clause: 家里那罐今晚就
    喝完了，明天能到吗 tells the setback and asks the date."""
    end = next((i for i in range(start, len(s)) if s[i] in _CLAUSE), len(s))
    return (end < len(s) and s[end] in "?？") or bool(re.search(r"(吗|嘛|么|会不会|能不能)$", s[start:end].rstrip()))


class ConversationUpset:
    def __init__(self, params: ConversationUpsetParams, rule_prefix: str) -> None:
        self.params = params
        self.rule_prefix = rule_prefix
        self.stake, self.setback, self.persistence = _c(params.stake), _c(params.setback), _c(params.persistence)
        self.denied, self.laughter = _c(params.hurry_denied), _c(params.laughter)
        self.calm = CalmCue(params.calm, rule_prefix) if params.calm is not None else None
        self.answered_not, self.answered_feeling = _c(params.answered_not), _c(params.answered_feeling)
        self.conciliation, self.rhetoric = _c(params.conciliation), _c(params.rhetorical)
        self.imposed = _c(params.imposed_thanks)
        self.settled, self.settled_not = _c(params.settled), _c(params.settled_not)

    def _told(self, rx: re.Pattern | None, msgs: Sequence[Message]) -> tuple[Message, re.Match] | None:
        if rx is None:
            return None
        for m in msgs:
            s = view(m).s
            for hit in rx.finditer(s):
                if not _question(s, hit.start()):
                    return m, hit
        return None

    def read(self, msg: Message, earlier: Sequence[Message]) -> tuple[str, Match] | None:
        """(how, match) when the conversation up to `msg` shows upset the turn alone does not; else None."""
        st = getattr(msg, "state", None)
        if st is None:
            return None
        p = self.params
        v = view(msg)
        if self.persistence is not None and p.persistence_min_state is not None and st.needs_empathy >= p.persistence_min_state:
            hit = self.persistence.search(v.s)
            if hit is not None:
                why = f"持续/重复：客户说问题或自己的努力在重复（“{hit.group(0)}”），本轮状态模型 P={st.needs_empathy:.2f}"
                return "persistence", Match(v, hit.start(), hit.end(), f"{self.rule_prefix}.persistence", why)
        if self.imposed is not None and st.needs_empathy >= p.imposed_thanks_min_state:
            hit = self.imposed.search(v.s)
            if hit is not None:
                why = f"反话式道谢（“{hit.group(0)}”：谢商家让自己“体验/见识”的是坏事），本轮状态模型 P={st.needs_empathy:.2f}"
                return "imposed", Match(v, hit.start(), hit.end(), f"{self.rule_prefix}.imposed_thanks", why)
        if self.stake is not None and self.setback is not None and p.stake_min_state is not None and st.needs_empathy >= p.stake_min_state:
            turns = [m for m in earlier if m.role == "customer" and m.text.strip()] + [msg]
            stake, setback = self._told(self.stake, turns), self._told(self.setback, turns)
            if stake is not None and setback is not None:
                (sm, sh), (bm, bh) = stake, setback
                at = bh if bm is msg else sh if sm is msg else None
                start, end = (at.start(), at.end()) if at is not None else (0, len(v.s))
                why = (f"处境：客户提到要紧的事（seq {sm.seq}“{sh.group(0)}”）又遇到挫折（seq {bm.seq}“{bh.group(0)}”），"
                       f"本轮状态模型 P={st.needs_empathy:.2f}")
                return "stake", Match(v, start, end, f"{self.rule_prefix}.stake_setback", why)
        return None

    def read_reply(self, det, msg: Message, messages: Sequence[Message], i: int, acknowledges) -> tuple[str, Match] | None:
        """emp13: a moderately upset turn (answered_min_state) that the human agent's reply to it acknowledges as a
        feeling: the agent read it as upset. An apology for the agent's own slow reply (answered_not) lifts nothing."""
        st = getattr(msg, "state", None)
        if st is None:
            return None
        p = self.params
        v = view(msg)
        whole = (0, len(v.s))
        floor = p.answered_min_state
        feeling_floor = p.answered_feeling_min_state if p.answered_feeling_min_state is not None else floor
        if floor is not None and acknowledges is not None and st.needs_empathy >= min(floor, feeling_floor):
            for reply in reply_to(messages, i):
                ack = acknowledges(reply, msg)
                if ack is None or (self.answered_not is not None and self.answered_not.search(_sentence(ack))):
                    continue
                said = ack.view.s[ack.start : ack.end]
                named = self.answered_feeling is not None and bool(self.answered_feeling.search(said))
                if st.needs_empathy >= (feeling_floor if named else floor):
                    why = f"客服随后的回复（seq {reply.seq}“{said}”）回应了情绪，本轮状态模型 P={st.needs_empathy:.2f}"
                    return "answered", Match(v, *whole, f"{self.rule_prefix}.answered_upset", why)
        return None

    def settled_at_once(self, det, msg: Message, messages: Sequence[Message], i: int, how: str, cue: Match | None) -> Match | None:
        """emp14: the turn is a calm report fixed at once — only the model readings (how state / sentiment: no emotion
        word, no shape of feeling) find it upset, the human agent's reply settles the trouble (a remedy done or taken
        on now, no condition on the customer, no hand-off), and the customer's next turn takes it calmly. The match
        names the settling words (evidence for the na); None when the turn stays upset."""
        p = self.params
        st = getattr(msg, "state", None)
        if self.settled is None or how not in ("state", "sentiment") or cue is not None:
            return None
        if st is not None and st.needs_empathy >= p.settled_max_state:
            return None
        if det.matcher.find(msg).accepted or det._shapes(msg) or self.read(msg, messages[:i]) is not None:
            return None  # a word or shape of feeling, or persistence / a stake with a setback: upset shown
        found = None
        replies = reply_to(messages, i)
        for reply in replies:
            v = view(reply)
            for hit in self.settled.finditer(v.s):
                m = Match(v, hit.start(), hit.end(), f"{self.rule_prefix}.settled_at_once", hit.group(0))
                if self.settled_not is None or not self.settled_not.search(_sentence(m)):
                    found = m
                    break
            if found is not None:
                break
        if found is None:
            return None
        last = replies[-1].seq
        j = next((k for k in range(i + 1, len(messages))
                  if messages[k].role == "customer" and messages[k].text.strip() and messages[k].seq > last), None)
        if j is None:
            return None  # nobody knows how the customer took it
        nxt = messages[j]
        nst = getattr(nxt, "state", None)
        if nst is not None and nst.needs_empathy >= p.settled_next_max_state:
            return None
        if det.negative(nxt, messages[:j])[0]:
            return None
        return found

    def conciliates(self, msg: Message) -> bool:
        """emp13: the turn makes peace (own tone apologised for, a misjudgement owned, a feeling told as over) and no
        contrast follows the last such words."""
        if self.conciliation is None:
            return False
        s = view(msg).s
        hits = list(self.conciliation.finditer(s))
        return bool(hits) and not _CONTRAST_AFTER.search(s, hits[-1].end())

    def rhetorical(self, det, msg: Message) -> tuple[str, Match] | None:
        """emp13: a question held back by the turn reader's question guard that bears a rhetorical mark, at an upset
        reading: it reproaches (你以为我不敢？ / 尽力了就这？), it does not ask."""
        st = getattr(msg, "state", None)
        p = self.params
        if st is None or self.rhetoric is None or st.needs_empathy < p.rhetorical_min_state or not asks_anyhow(msg):
            return None
        v = view(msg)
        hit = self.rhetoric.search(v.s)
        if hit is None or det._ack_only(msg) or det._relieved(msg) or det._joking(msg):
            return None
        why = f"反问/质问（“{hit.group(0)}”），状态模型 P={st.needs_empathy:.2f}"
        return "question", Match(v, hit.start(), hit.end(), f"{self.rule_prefix}.rhetorical_question", why)

    def vetoes(self, msg: Message, how: str, cue: Match | None) -> bool:
        """The turn reader's hit is no distress: a hurry the customer disclaims, an emotion word said laughing."""
        if cue is None:
            return False
        s = cue.view.s
        if how == "urgency" and self.denied is not None:
            return bool(self.denied.search(s[max(0, cue.start - 3) : cue.start]))
        if how == "lexicon" and self.laughter is not None:
            st = getattr(msg, "state", None)
            if st is None or st.needs_empathy >= self.params.laughing_max_state:
                return False
            end = next((i for i in range(cue.end, len(s)) if s[i] in _CLAUSE), len(s))
            return bool(self.laughter.search(s[cue.end : end + 1] + s[end : end + 8]))
        return False


    def calm_reading(self, det, msg: Message, how: str, cue: Match | None) -> str | None:
        """emp12d: why the turn reader's hit is no feeling shown now (hypothetical / reported / disclaimed), or None."""
        if self.calm is None:
            return None
        return self.calm.why(msg, how, cue, det.matcher.find(msg).accepted)


def reader_for(det) -> ConversationUpset | None:
    """The conversation reader of an EmotionDetector (its params' `conversation`), made once per detector."""
    if "_conversation_upset" not in det.__dict__:
        params = getattr(det.params, "conversation", None)
        on = params is not None and any((params.stake, params.persistence, params.hurry_denied, params.laughter, params.calm,
                                         params.answered_min_state is not None, params.rhetorical,
                                         params.conciliation, params.imposed_thanks, params.settled))
        det.__dict__["_conversation_upset"] = ConversationUpset(params, det.rule_prefix) if on else None
    return det.__dict__["_conversation_upset"]


def reply_to(messages: Sequence[Message], i: int) -> list[Message]:
    """The human agent's reply to the customer turn messages[i]: its messages with text after the turn (and after the
    customer's further messages sent before any answer) up to the customer's next turn."""
    out: list[Message] = []
    for m in messages[i + 1 :]:
        if m.role == "customer" and m.text.strip():
            if out:
                break
        elif m.role == "agent" and m.text.strip():
            out.append(m)
    return out


def first_trigger(det, messages: Sequence[Message], acknowledges=None,
                  settled: list | None = None) -> tuple[Message, str, Match | None] | None:
    """The first customer turn from which the conversation needs empathy: the turn reader (det.negative), less its
    vetoed hits, then the conversation rules. None when no turn does. `acknowledges(agent_msg, turn) -> Match | None`
    (the empathy criterion's credit) lets the agent's reply lift a moderately upset turn (answered_min_state).
    `settled` (emp14), when given, collects the matches of turns passed over as calm reports fixed at once (rule
    …settled_at_once) or as an emotion word not felt now (…calm.<reason>: hypothetical / reported / disclaimed /
    embedded)."""
    conv = reader_for(det)
    for i, m in enumerate(messages):
        if m.role != "customer" or not m.text.strip():
            continue
        if conv is not None and conv.conciliates(m):
            continue  # emp13: the customer makes peace in this turn
        negative, how, cue = det.negative(m, messages[:i])
        calm = conv.calm_reading(det, m, how, cue) if negative and conv is not None else None
        if calm and settled is not None:  # emp14: say why the turn counted for nothing (the evidence of an na)
            v = cue.view if cue is not None else view(m)
            a, b = (cue.start, cue.end) if cue is not None else (0, len(v.s))
            settled.append(Match(v, a, b, f"{conv.rule_prefix}.calm.{calm}", v.s[a:b]))
        if negative and not (conv is not None and (conv.vetoes(m, how, cue) or calm)):
            fixed = conv.settled_at_once(det, m, messages, i, how, cue) if conv is not None else None
            if fixed is None:
                return m, how, cue
            if settled is not None:
                settled.append(fixed)
            continue  # emp14: a calm report fixed at once; the later turns are read as before
        if conv is not None:
            hit = (conv.read(m, messages[:i]) or (None if negative else conv.rhetorical(det, m))
                   or conv.read_reply(det, m, messages, i, acknowledges))
            if hit is not None:
                return m, hit[0], hit[1]
    return None
