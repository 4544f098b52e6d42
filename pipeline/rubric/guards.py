"""Guards: when a lexicon or paraphrase hit does not mean what its words say.

Each guard looks at a hit's context in a message's analysis view (`matching.View`):
- `is_negated`: a negator just before or after (不是敷衍 is not 敷衍), with rhetorical questions
  (怎么会不知道) and non-negating compounds (不好意思) kept apart;
- `contrast_cancels`: a contrast marker after the hit hands the turn to what follows (但是…);
- `is_quoted`: the words are quoted or reported (您说的“不知道”…) rather than said;
- `has_sarcasm`: the message is sarcastic, so its polite words are not politeness;
- `is_self_correction`: the agent judges its own earlier reply and apologises (那样回复您是不对的).
"""
from __future__ import annotations

import re

from pipeline.rubric.matching import View, clause_of

NEGATORS_BEFORE = ("不是", "并不", "从不", "毫不", "不会", "没有", "无法", "不能", "没法", "不太", "不", "没", "别", "未", "难以")
NEGATORS_AFTER = ("不了", "不到", "不来", "不能")
NON_NEGATING = (
    "不舒服", "不便", "不好意思", "不满", "不开心", "不高兴", "不爽", "不错", "不少", "不同", "不断", "不久", "不好的", "不愉快",
    "没想到", "没收到", "没到", "不合适", "不放心", "没办法", "不容易", "不准", "不一样", "不对", "不行",
    "特别", "别人", "区别", "分别", "级别", "类别", "个别", "告别", "差别", "别的", "别处", "无论", "不管", "不论",
    "不仅", "不好受", "未来", "是不是", "会不会", "能不能", "有没有", "要不要", "是否",
    # set phrases whose negator negates nothing that follows (没错，确实闹心 / 没事 / 不怪您)
    "没错", "可不是", "谁说不是", "没事", "没关系", "不客气", "不用谢", "不怪", "没毛病", "没问题", "不得不", "不但", "不只", "不光",
)
_NON_NEGATING_RE = re.compile("(?=(" + "|".join(sorted(NON_NEGATING, key=len, reverse=True)) + "))")


# a person between the negator and the match: the negator governs another verb (不怪您确实闹心)
_SCOPE_BREAK = re.compile("[您你我他她它咱]|大家|别人")
# a rhetorical question affirms: 我怎么会不理解您呢 / 谁能不着急
_RHETORICAL = re.compile("(怎么会|怎么能|怎么可能|哪能|哪会|怎能|怎会|岂能|谁能|谁会|谁)$")
# 这不是骗人吗 / 这不是坑人嘛: a 不是…吗 question affirms what it seems to negate
_RHETORICAL_END = re.compile("[^，,。.!！?？]{0,3}(吗|嘛|么)[?？!！]*")
# what may stand between a negator and the word it negates (不太理解 / 不是很明白 / 没那么着急);
# anything else is another predicate that the negator belongs to (鞋子不合脚确实闹心: 不 negates 合脚)
_NEGATION_GAP = re.compile("(?:已经|早就|刚才|刚刚|一直|从来|再次|[是太很会能要再都也就还可那这么怎样用必得多过够算特别真的一点些有去来在对跟和给向为又曾])*")


def is_negated(v: View, start: int, end: int, window: int = 3) -> bool:
    """A negator shortly before the match in the same clause (我不理解 / 我不是不理解), or 理解不了 after.
    The negator must govern the match: one followed by a person before the match (不怪您，确实闹心
    without a comma) negates that other verb, not the match."""
    ca, cb = clause_of(v, start, end)
    lo = max(ca, start - window)
    before = v.s[lo:start]
    if not any(n in before for n in NEGATORS_BEFORE):
        after = v.s[end : min(cb, end + 2)]
        return any(after.startswith(n) for n in NEGATORS_AFTER)
    # 不 in 不舒服 / 别 in 特别 describes, it does not negate what follows
    covered = [
        (m.start(1), m.end(1)) for m in _NON_NEGATING_RE.finditer(v.s, max(0, lo - 4), min(len(v.s), start + 4))
    ]
    for n in NEGATORS_BEFORE:
        i = before.find(n)
        while i >= 0:
            pos = lo + i
            if not any(a <= pos and pos + len(n) <= b for a, b in covered):
                gap = v.s[pos + len(n) : start]
                if (
                    not _SCOPE_BREAK.search(gap)
                    and _NEGATION_GAP.fullmatch(gap)
                    and not _RHETORICAL.search(v.s[max(0, pos - 4) : pos])
                    and not (v.s[pos : pos + 2] == "不是" and gap in ("", "是") and _RHETORICAL_END.match(v.s[end:cb]))
                ):
                    return True
            i = before.find(n, i + 1)
    after = v.s[end : min(cb, end + 2)]
    return any(after.startswith(n) for n in NEGATORS_AFTER)


CONTRAST_MARKERS = ("但是", "可是", "不过", "然而", "只是", "但", "可")
_CONTRAST_RE = re.compile("|".join(CONTRAST_MARKERS))


def contrast_cancels(v: View, end: int, offer: re.Pattern | None) -> bool:
    """我理解，但规定就是规定: a contrast after the match cancels it unless what follows offers help."""
    rest = v.s[end:]
    m = _CONTRAST_RE.search(rest)
    if not m:
        return False
    # 可 only counts as a contrast at a clause start (可是 handled above; 可以 is not a contrast)
    if m.group(0) == "可" and (rest[m.end() : m.end() + 1] in ("以", "能") or (m.start() > 0 and rest[m.start() - 1] not in "，,。 ")):
        return False
    tail = rest[m.end() :]
    if offer is not None and any(not is_incapacity(tail, o.start(), o.end()) for o in offer.finditer(tail)):
        return False
    return True


# default@11: 只能 / 只好 after a contrast resign the customer to waiting (可是急也没用，只能等师傅排); an offer made
# with them still names who helps (只能给您退一半) and is found by its own words
_INCAPACITY_BEFORE = ("不", "无", "没", "未", "莫", "只")
_INCAPACITY_AFTER = ("为力", "莫助")


def is_incapacity(s: str, a: int, b: int) -> bool:
    """An offer word inside a refusal is no offer: 无能为力 / 不能 / 没法 / 不可以 / 爱莫能助."""
    return (a > 0 and s[a - 1] in _INCAPACITY_BEFORE) or s[b : b + 2] in _INCAPACITY_AFTER


_REPORTED = re.compile(r"(说|讲|提到|回复|回答|表示|写着|写的|称|问)(了|过|的是|的)?[:：,，]?\s*$")
# default@13: hearsay from the customer's own people (我朋友说你们是骗子，我不信) is reported too
_SPEAKER = re.compile(r"(您|你|客户|买家|顾客|同事|他|她|对方|之前|上一位|刚才|前面|朋友|网友|网上|评论|别人|大家|邻居|家人|老公|老婆)")
_QUOTE_AFTER = re.compile(r"^[”」』\"']?\s*(是指|是什么意思|的意思|这句话|这种话|这样的话|这个说法|是吗|对吗)")


def is_quoted(v: View, start: int, end: int) -> bool:
    """您说“没办法”是指… / 之前同事回复“不归我管” / 您说没办法是指: quoting is not using."""
    if any(a <= start and end <= b for a, b in v.quotes):
        return True
    # reported speech in the same clause (您说没办法是指… / 同事回复：不归我管), not 您直接跟师傅说，还有…
    ca, _ = clause_of(v, start, end)
    before = v.s[max(ca, start - 8) : start]
    if _REPORTED.search(before) and _SPEAKER.search(before) and not before.rstrip().endswith(("我说", "我说过", "我说了")):
        return True
    if _QUOTE_AFTER.search(v.s[end:]) and _SPEAKER.search(before):
        return True
    return False


SARCASM = re.compile(r"呵呵|你开心就好|您开心就好|随你便|行行行|好好好好|哦哦哦|理解理解理解|真是服了|无语了")


def has_sarcasm(v: View) -> bool:
    return bool(SARCASM.search(v.s))


# 那样回复您是不对的 / 刚才的回复太敷衍了 / 之前跟您说的不妥: the agent judges its own (or a colleague's)
# earlier reply — an apology, not a taboo, whatever words it contains
_SELF_REFERENCE = re.compile(
    r"(那样|这样|那么|这么|刚才|刚刚|之前|前面|先前|上次|上面|那句|这句|那种|这种|同事|我|我们)[^，,。.!！?？;；]{0,8}"
    r"(回复|回答|答复|说|讲|说法|解释|处理|态度|话|表达|措辞|语气)"
)
_SELF_VERDICT = re.compile(r"(不对|不妥|欠妥|不应该|不该|错了|是错|有错|不合适|不恰当|不专业|不礼貌|有问题|敷衍|失误|过分|冒犯|不好)")
_APOLOGY = re.compile(r"(道歉|致歉|抱歉|对不起|对不住|不好意思|赔不是|sorry|歉意)")


def is_self_correction(v: View, start: int, end: int) -> bool:
    """The clause judges the agent's own earlier reply (那样回复您是不对的，我向您道歉): a self-correction
    or an apology for it. The clause must name an earlier reply and pass a verdict on it, and the
    message must apologise somewhere, so 您这样说是不对的 alone is still an argument."""
    ca, cb = clause_of(v, start, end)
    clause = v.s[ca:cb]
    ref = _SELF_REFERENCE.search(clause)
    if not ref or not _SELF_VERDICT.search(clause, ref.end()):
        return False
    # the customer as the speaker (您这样说是不对的) is an argument, not a self-correction
    if re.search(r"(您|你|客户|亲)(这样|那样|这么|那么)?(说|讲|的说法|的话)", clause[: ref.end()]) and not re.search(
        r"(回复|回答|答复|跟|和|对|给)(您|你|亲)", clause[: ref.end() + 2]
    ):
        return False
    return bool(_APOLOGY.search(v.s))


# 让您重复说了好几遍，是我没看仔细 / 害您问了三次，实在抱歉: the customer was made to repeat, and the agent apologises for
# it — the words of "I told you N times" with the customer as the one who repeated (default@13)
_BURDEN = re.compile(r"(让|害|叫|劳|劳烦|辛苦|麻烦)(您|你|亲)[^，,。.!！?？;；]{0,6}$")


def is_apologised_burden(v: View, start: int, end: int) -> bool:
    """The clause puts the customer as the one made to do it (让您…说了好几遍) and the message apologises."""
    ca, _ = clause_of(v, start, end)
    return bool(_BURDEN.search(v.s[ca:start])) and bool(_APOLOGY.search(v.s))
