"""forbidden_phrases.v2, act14 (default@15): three guards against false red lines, each behind its own switch —
`acts.refusal_cue` (a refusal reading needs a "no", a limit or a dismissal said: the shop praising its goods refuses
nothing), `acts.owned` (the shop taking the fault or the responsibility, whoever slipped, is no blame-shifting) and
`acts.feeling_normal` (the customer's feeling named as natural is empathy, not condescension). Each test shows the case
the guard must leave alone failing without it and passing with it, and the taboo twin that must still fail.

The sentences are written for these tests (JD / Taobao / PDD / Douyin registers, traditional characters, dialect, emoji),
not lines of a training file or of any dev or held-out set."""
from __future__ import annotations

import pytest

from pipeline.rubric import CRITERIA
from pipeline.rubric.criteria._act_guards import FEELING_NORMAL, OWNED, REFUSAL_CUE
from pipeline.rubric.matching import compile_entries, view
from pipeline.rubric.testing import make_conversation


def _score(criterion, *agent_texts: str, customer: str = "东西怎么还没到"):
    turns = [("customer", customer, 0)] + [("agent", t, 30 + 10 * i) for i, t in enumerate(agent_texts)]
    return criterion.score(make_conversation(turns))


def _row(crit, text: str) -> dict[str, float]:
    model = crit.compiled[3]
    s = view(make_conversation([("agent", text, 0)]).messages[0]).s
    return {c: float(p) for c, p in zip(model.classes_, model.predict_proba([s])[0])}


def _crit(**acts):
    crit = CRITERIA["forbidden_phrases.v2"]()
    for k, v in acts.items():
        setattr(crit.params.acts, k, v)
    return crit


def _bars_at(text: str, **acts):
    """A criterion whose bars all sit just under `text`'s taboo probability (so the model's reading alone fails it)."""
    probe = _crit()
    p = 1 - _row(probe, text)["none"]
    low = max(0.01, p - 0.02)
    return _crit(threshold=low, short_threshold=low, act_thresholds={"arguing": low, "condescension": low, "blame_shifting": low}, **acts)


def test_the_default_rubric_switches_the_three_guards_on(rubric):
    crit = next(c for c in rubric.criteria if c.id == "forbidden_phrases")
    assert crit.params.acts.refusal_cue == REFUSAL_CUE
    assert crit.params.acts.owned == OWNED
    assert crit.params.acts.feeling_normal == FEELING_NORMAL
    # off in code: a rubric that does not name them keeps its verdicts
    assert CRITERIA["forbidden_phrases.v2"]().params.acts.refusal_cue is None


# --- refusal_cue --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "亲亲你好呀～我们家的芒果都是海南直发的哦，个个都甜甜哒～",  # Douyin cute register, praise
        "家人们，这个是厂家直供的，价格已经是最低了呢",  # live-room praise of the price
    ],
)
def test_praise_read_as_refusal_refuses_nothing_without_a_no(text):
    row = _row(_crit(), text)
    assert max((a for a in row if a != "none"), key=row.get) == "refusal"
    off, on = _bars_at(text), _bars_at(text, refusal_cue=REFUSAL_CUE)
    assert _score(off, text).status == "fail"
    res = _score(on, text)
    assert res.status == "pass"
    assert [e.rule for e in res.evidence] == ["forbidden_phrases.none", "forbidden_phrases.guard.no_refusal_cue"]


@pytest.mark.parametrize(
    "text",
    [
        "亲亲这个真的弄不了呢～",  # a "no" said
        "這個我們這邊真的愛莫能助了喔",  # traditional, helplessness
        "您自己看着办吧😊",  # a dismissal without a negation
        "俺们这旮沓只能这样咯",  # a limit (只能), dialect
        "超出我们能管的范围了哈",  # beyond our scope
    ],
)
def test_a_refusal_that_says_no_in_any_form_keeps_its_cue(text):
    crit = _crit(refusal_cue=REFUSAL_CUE)
    crit.compiled  # noqa: B018  (compile)
    v = view(make_conversation([("agent", text, 0)]).messages[0])
    # the criterion also counts its dismissal / helpless / closure lists as cues
    assert crit._unquoted(compile_entries(REFUSAL_CUE), v) or crit._unquoted(crit._dismissal, v)
    assert _score(crit, text).status == _score(_crit(), text).status  # the guard changes nothing here


def test_a_no_word_inside_a_quote_is_no_cue():
    crit = _crit(refusal_cue=REFUSAL_CUE)
    crit.compiled  # noqa: B018
    v = view(make_conversation([("agent", "您说的“不好用”是指哪一块呢", 0)]).messages[0])
    assert not crit._unquoted(compile_entries(["re:不好"]), v)


def test_voiding_the_refusal_reading_leaves_the_other_acts_to_judge():
    """Without a "no", the refusal share is taken out of P(taboo) and the next act decides — a blame reading strong
    enough on its own still fails (the guard voids a refusal, it does not pass the message)."""
    text = "这是快递那边搞的，找他们去"
    row = _row(_crit(), text)
    assert row["blame_shifting"] > 0.5
    crit = _crit(refusal_cue=REFUSAL_CUE)
    assert _score(crit, text).status == "fail"


# --- owned ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "快递那边把件放错了驿站，这个是我们没跟进好，我马上联系他们找回来",  # JD register: the follow-up owned
        "是菜鸟仓那边发错了颜色，但这个锅我们背，给您换新的",  # Taobao
        "物流把箱子压变形了 运费我们来承担 您放心",  # PDD, spaces
        "快遞員送錯了樓，這次我們認了，明天重新配送",  # traditional
        "师傅去晚了，怪我们这边没安排好🙏",  # Douyin emoji
    ],
)
def test_the_shop_taking_the_responsibility_is_no_blame_shifting(text):
    owned = [c for c in (compile_entries([e]) for e in OWNED) if c is not None]
    assert any(c.search(view(make_conversation([("agent", text, 0)]).messages[0]).s) for c in owned)
    row = _row(_crit(), text)
    if max((a for a in row if a != "none"), key=row.get) in ("blame_shifting", "arguing"):
        off, on = _bars_at(text), _bars_at(text, owned=OWNED)
        if _score(off, text).status == "fail":  # (an offer in the message may already pass it: 给您换新的)
            res = _score(on, text)
            assert res.status == "pass" and "forbidden_phrases.guard.owned" in [e.rule for e in res.evidence]


def test_owning_is_read_in_the_jd_register_that_failed_before():
    text = "快递那边把件放错了驿站，这个是我们没跟进好，我马上联系他们找回来"
    assert _score(_crit(), text).status == "fail"  # @7 reads blame 0.82: the third party named
    assert _score(_crit(owned=OWNED), text).status == "pass"


@pytest.mark.parametrize(
    "text",
    [
        "这个责任我们不承担，您找快递",  # negated
        "不是我们没跟进好，是快递自己弄丢的",  # denied
        "这个锅我们可不背哈",  # negated after
        "运费我们不负责的哦亲",
        "这个我们认为是人为损坏",  # 认为, not 认
    ],
)
def test_responsibility_refused_or_denied_is_not_owned(text):
    crit = _crit(owned=OWNED)
    crit.compiled  # noqa: B018
    v = view(make_conversation([("agent", text, 0)]).messages[0])
    assert not crit._says(crit._owned, v)


# --- feeling_normal -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "换谁遇到这种事都会着急的，我马上给您查",
        "东西迟迟不到，心里肯定不踏实",
        "搁谁身上都窝火，真的很抱歉",
        "您担心也是人之常情，这款是有正规授权的",
        "換做是我也會擔心的喔",  # traditional
    ],
)
def test_the_feeling_named_as_natural_is_matched(text):
    assert compile_entries(FEELING_NORMAL).search(view(make_conversation([("agent", text, 0)]).messages[0]).s)


def test_the_feeling_named_as_natural_is_no_condescension():
    text = "明白您搬家那天东西要到，心里肯定不踏实，换谁都会担心的"
    row = _row(_crit(), text)
    act = max((a for a in row if a != "none"), key=row.get)
    assert act in ("condescension", "arguing")
    off, on = _bars_at(text), _bars_at(text, feeling_normal=FEELING_NORMAL)
    assert _score(off, text).status == "fail"
    res = _score(on, text)
    assert res.status == "pass" and "forbidden_phrases.guard.feeling_normal" in [e.rule for e in res.evidence]


@pytest.mark.parametrize(
    "text",
    [
        "着急也没用，规定就是这样",  # the feeling brushed off
        "您这么大火气干嘛，至于吗",
        "谁都会急，但是急也白搭",
        "换谁都会着急，但您这样一直催，我们也快不了",  # a contrast after it: the message is judged as usual
    ],
)
def test_a_feeling_brushed_off_or_turned_is_judged_as_without_the_guard(text):
    on = _crit(feeling_normal=FEELING_NORMAL)
    on.compiled  # noqa: B018
    assert not on._feels_natural(view(make_conversation([("agent", text, 0)]).messages[0]))
    assert _score(on, text).status == _score(_crit(), text).status
    assert _score(_bars_at(text, feeling_normal=FEELING_NORMAL), text).status == "fail"


def test_a_relative_act_model_directory_is_read_from_the_repository(tmp_path, monkeypatch):
    """acts.model names a candidate's directory relative to the repository (act14 measured @9 that way), whatever the
    working directory."""
    monkeypatch.chdir(tmp_path)
    crit = _crit(model="models/zh-cs-acts", model_version="zh-cs-acts@7")
    assert crit.compiled[3].model_id == "zh-cs-acts@7"
