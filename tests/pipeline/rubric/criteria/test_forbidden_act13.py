"""forbidden_phrases.v2, act13: the act layer's acceptance bar by mechanism — per-act bars that can be lower than the
main one (blame_shifting), the customer's account overruled (`contradiction`) lowering the bar like helplessness does,
the optional "a bare policy 'no' needs a way forward", and the drop reasons evaluate_acts --why tallies.

The sentences are written for these tests, not lines of a training file or of any dev or held-out set."""
from __future__ import annotations

import pytest

from pipeline.rubric import CRITERIA
from pipeline.rubric.testing import make_conversation


def _score(criterion, *agent_texts: str):
    turns = [("customer", "东西怎么还没到", 0)] + [("agent", t, 30 + 10 * i) for i, t in enumerate(agent_texts)]
    return criterion.score(make_conversation(turns))


def _taboo(crit, text: str) -> float:
    """P(taboo) of the message as the criterion reads it (its analysis view)."""
    from pipeline.rubric.matching import view

    model = crit.compiled[3]
    s = view(make_conversation([("agent", text, 0)]).messages[0]).s
    return 1 - float(model.predict_proba([s])[0][model.classes_.index("none")])


def _crit(**acts):
    crit = CRITERIA["forbidden_phrases.v2"]()
    for k, v in acts.items():
        setattr(crit.params.acts, k, v)
    return crit


def test_act_thresholds_set_the_bar_of_an_act_lower_or_higher_than_the_main_one():
    text = "运输途中出现的磕碰一般是承运方造成的哦"
    crit = _crit()
    p = _taboo(crit, text)
    assert 0.2 < p < 0.99
    # main bar above the message: with a lower bar for its act it fails, without it passes (up to default@14
    # act_thresholds could only raise a bar, so no per-act bar could sit below `threshold`)
    lower = _crit(threshold=min(1.0, p + 0.01), short_threshold=0.01, act_thresholds={"blame_shifting": p - 0.01}, helpless=[], contradiction=[])
    same = _crit(threshold=min(1.0, p + 0.01), short_threshold=0.01, act_thresholds={}, helpless=[], contradiction=[])
    assert _score(lower, text).status == "fail"
    assert [e.rule for e in _score(lower, text).evidence if ".act." in e.rule] == ["forbidden_phrases.act.blame_shifting"]
    assert _score(same, text).status == "pass"


@pytest.mark.parametrize(
    "text",
    [
        "这个不算开线 缝份本来就留得窄",  # the complaint renamed
        "那种程度不叫变形，只是运输时压了一下",
        "机身上那点印子又不影响使用的",  # waved off as harmless
        "盒子里根本没有少件，是您没翻到底层",
    ],
)
def test_overruling_the_customers_account_lowers_the_bar(text):
    crit = _crit()
    p = _taboo(crit, text)
    # the main bars just above the message: only the contradiction bar can let it fail
    bars = dict(threshold=min(1.0, p + 0.01), short_threshold=min(1.0, p + 0.01), act_thresholds={}, helpless=[])
    on = _crit(**bars, contradiction_threshold=max(0.01, p - 0.01))
    off = _crit(**bars, contradiction_threshold=max(0.01, p - 0.01), contradiction=[])
    assert _score(on, text).status == "fail"
    assert _score(off, text).status == "pass"


def test_contradiction_words_quoted_or_denied_do_not_lower_the_bar():
    from pipeline.rubric.matching import view

    crit = _crit()
    crit.compiled  # noqa: B018 — compiles the patterns

    def v(s):
        return view(make_conversation([("agent", s, 0)]).messages[0])

    assert crit._says(crit._contradiction, v("那不叫破损，只是压痕"))
    assert not crit._says(crit._contradiction, v("您说的“根本没有用”是指哪一步呢"))  # quoted
    assert not crit._says(crit._contradiction, v("这算不算质量问题呢？我帮您问问"))  # asking, not overruling
    assert not crit._says(crit._contradiction, v("不是您的问题，是我们打包漏了"))  # owning the fault


def test_plain_refusal_needs_a_way_forward_only_when_switched_on():
    bare = "这款定制的不支持退换哦"
    offered = ["这款定制的不支持退换哦", "不过可以给您免费改一次尺寸"]
    pb, po = _taboo(_crit(), bare), _taboo(_crit(), offered[1])
    assert po < pb - 0.02  # the way forward itself reads as no act at the bar below
    bar = dict(threshold=pb - 0.01, short_threshold=pb - 0.01, act_thresholds={}, helpless_threshold=0.99, contradiction_threshold=0.99)
    crit_off = _crit(**bar)
    crit_on = _crit(**bar, plain_needs_alternative=True)
    if crit_off.compiled[3].predict([bare])[0] != "refusal":
        pytest.skip("the act model does not read this line as a refusal")
    assert _score(crit_off, bare).status == "pass"  # default: a policy "no" is positive_framing's
    assert _score(crit_on, bare).status == "fail"  # switched on: nothing offered, a refusal
    assert _score(crit_on, *offered).status == "pass"  # the next message gives a way forward


def test_act_verdict_names_why_a_reading_was_dropped():
    crit = _crit()
    conv = make_conversation([("customer", "在吗", 0), ("agent", "您好，请问有什么可以帮您", 30)])
    agent = [m for m in conv.messages if m.role == "agent"]
    model = crit.compiled[3]
    ev, reason = crit._act_verdict(model, 0, agent, model.predict_proba([agent[0].text]), crit.compiled[4])
    assert ev is None and reason == "below"


@pytest.mark.parametrize("text", ["连订单号在哪都找不到吗", "这种也要问呀 页面第一行就有", "页面上那么大个按钮 您还找不着？"])
def test_a_question_reproaching_the_customers_competence_lowers_the_bar(text):
    crit = _crit()
    p = _taboo(crit, text)
    if crit.compiled[3].predict([text])[0] not in ("condescension", "arguing"):
        pytest.skip("the act model names another act for this line")
    bars = dict(threshold=min(1.0, p + 0.01), short_threshold=min(1.0, p + 0.01), act_thresholds={}, helpless=[], contradiction=[])
    on = _crit(**bars, contradiction_threshold=max(0.01, p - 0.01))
    off = _crit(**bars, contradiction_threshold=max(0.01, p - 0.01), reproach=[])
    assert _score(on, text).status == "fail"
    assert _score(off, text).status == "pass"


def test_a_policy_no_declared_final_is_not_left_to_positive_framing():
    from pipeline.rubric.criteria.lexicons_taboo import CLOSURE
    from pipeline.rubric.matching import compile_entries

    closure = compile_entries(CLOSURE)
    for shut in ["这个价谁来都一样 改不了", "定制款不接受任何理由的退换", "系统就是不让改地址的", "退款一律走原路 别想了"]:
        assert closure.search(shut), shut
    for plain in ["拆封后就不支持退换了哈", "这个颜色暂时没货了", "谁都会着急的 我帮您催一下"]:
        assert not closure.search(plain), plain
    text = "这边的活动价一律不能改的哈"
    crit = _crit()
    p = _taboo(crit, text)
    if crit.compiled[3].predict([text])[0] != "refusal":
        pytest.skip("the act model does not read this line as a refusal")
    bars = dict(threshold=max(0.01, p - 0.01), short_threshold=max(0.01, p - 0.01), act_thresholds={})
    assert _score(_crit(**bars), text).status == "fail"  # the door declared shut: a refusal
    assert _score(_crit(**bars, closure=[]), text).status == "pass"  # a plain policy "no": positive_framing's


def test_a_pointer_to_the_listing_followed_by_the_answer_is_no_brush_off():
    answered = "亲，杯子容量说明书上有写哦，是450ml的"
    bare = "亲，杯子容量说明书上有写哦"
    crit = _crit(enabled=False)  # the word layers alone: the brush-off list decides
    crit_off = CRITERIA["forbidden_phrases.v2"]()
    crit_off.params.acts.enabled = False
    crit_off.params.pointer_answered = None
    shrug = lambda c, t: [e for e in _score(c, t).evidence if ".shrug" in e.rule]  # noqa: E731
    assert shrug(crit_off, answered)  # without the guard: "it is written in the manual" is a brush-off
    assert not shrug(crit, answered)  # the figure follows: an answer that also says where it is written
    assert shrug(crit, bare)  # pointing there instead of answering stays a brush-off
    assert CRITERIA["forbidden_phrases.v1"]()._answered is not None  # v1 keeps its meaning (no guard)


def test_an_offer_made_only_after_the_customer_objects_does_not_unsay_the_act():
    blame = "配送是合作物流在做，路上的事归他们管，您可以直接找配送站"
    offer = "那我帮您登记一下，有结果再通知您"
    crit = _crit()
    p = _taboo(crit, blame)
    bars = dict(threshold=max(0.01, p - 0.01), short_threshold=max(0.01, p - 0.01), act_thresholds={})
    same_turn = [("customer", "洗衣机漏水了", 0), ("agent", blame, 30), ("agent", offer, 40)]
    after_objection = [("customer", "洗衣机漏水了", 0), ("agent", blame, 30), ("customer", "配送站电话打不通", 50), ("agent", offer, 60)]
    assert _crit(**bars).score(make_conversation(same_turn)).status == "pass"  # the agent goes on to help: cancelled
    assert _crit(**bars).score(make_conversation(after_objection)).status == "fail"  # help only once the customer pushed back
    assert _crit(**bars, offer_same_turn=False).score(make_conversation(after_objection)).status == "pass"  # up to default@14
