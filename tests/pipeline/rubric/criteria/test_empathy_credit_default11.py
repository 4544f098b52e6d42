"""empathy.v1 credit in default@11 (issue 13; credit6). An acknowledgement or apology that only opens a taboo act in the same
message — no contrast word between them, no help offered after — is the act's preface, not empathy (the act model reads
the rest of the message); a bare 理解 opening the reply, the trouble named as a misfortune and the slip owned are
empathy; 只能 after a contrast offers nothing; a contrast inside a later sentence leaves the acknowledgement. The customer
turn is read upset by hand, so each test pins the credit of the reply."""
from __future__ import annotations

import pytest

from pipeline.rubric.criteria.empathy import Empathy, EmpathyParams
from pipeline.rubric.testing import score_with_reading

UPSET = "书壳子全压瘪了，送人的礼物，气得我一晚上没睡好"


def _score(empathy, reply: str):
    return score_with_reading(empathy, UPSET, "negative", 0.97, 0.95, reply=reply, kind="不满")


@pytest.mark.parametrize(
    "reply",
    [
        "懂您的感受，这事儿我这边确实管不了，您问平台去吧",  # refusal
        "实在抱歉，包裹压坏是物流那边的责任，我们店不负责的",  # blame shifted
        "非常抱歉，活动结束了就是结束了，差价补不了",  # a bare no after the apology
    ],
)
def test_default11_an_acknowledgement_that_opens_a_taboo_act_is_no_empathy(empathy, reply):
    res = _score(empathy, reply)
    assert res.status == "fail", reply
    assert any("行为模型读为" in e.note for e in res.evidence), [e.note for e in res.evidence]


@pytest.mark.parametrize(
    "reply",
    [
        "非常抱歉让您碰上这种事，这就给您重新寄一本新的",  # help follows
        "真抱歉，退款这边办不了，可以给您换一本全新的",  # a limit with an alternative
        "抱歉让您糟心了，麻烦发一下订单截图呢",  # a request for information is no act
        "理解您的心情，真的很抱歉",  # nothing after the acknowledgement but more of it
    ],
)
def test_default11_an_acknowledgement_followed_by_help_or_a_question_stands(empathy, reply):
    assert _score(empathy, reply).status == "pass", reply


def test_default11_the_dismissal_check_can_be_switched_off(empathy):
    params = empathy.params.model_copy(update={"dismissal": empathy.params.dismissal.model_copy(update={"enabled": False})})
    off = Empathy(empathy.id, empathy.max_points, EmpathyParams.model_validate(params.model_dump()))
    assert _score(off, "懂您的感受，这事儿我这边确实管不了，您问平台去吧").status == "pass"


def test_default11_a_model_other_than_the_calibrated_one_is_refused(empathy):
    params = EmpathyParams.model_validate({**empathy.params.model_dump(), "dismissal": {"model_version": "zh-cs-acts@0"}})
    with pytest.raises(ValueError, match="zh-cs-acts@0"):
        Empathy(empathy.id, empathy.max_points, params).compiled


@pytest.mark.parametrize("reply", ["理解，第一次送人的礼物肯定想要完好的。这就给您补寄", "嗯嗯，理解的，这就帮您催仓库", "理解理解！马上给您换"])
def test_default11_a_bare_understanding_opening_the_reply_is_empathy(empathy, reply):
    assert _score(empathy, reply).status == "pass", reply


# 您可能理解错了 offers no understanding: 能理解 inside 可能理解 is excluded (default@12), whatever the act model reads in
# the rest (the act model zh-cs-acts@8, tried this session, read the bare fact 这个是赠品 just under its bar)
@pytest.mark.parametrize("reply", ["还请您理解，活动价不能再改了", "您可能理解错了，这个本来就是赠品", "您可能理解错了，这个是赠品"])
def test_default11_asking_the_customer_to_understand_is_not(empathy, reply):
    assert _score(empathy, reply).status == "fail", reply


def test_default11_only_waiting_after_a_contrast_is_no_offer(empathy):
    assert _score(empathy, "我明白您着急，不过急也没用，只能等仓库排").status == "fail"
    assert _score(empathy, "理解您的心情，但这单只能给您退一半运费").status == "pass"


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("理解您的担心。我们先帮您联系快递查件，但是具体几点到还要看派送员", "pass"),  # the contrast qualifies the help
        ("理解您的担心。包裹还在路上，但是我们也没办法，您自己等着吧", "fail"),  # a later sentence, but a refusal
        ("理解您的心情。但规定就是规定", "fail"),  # the contrast opens the next sentence
    ],
)
def test_default11_a_contrast_inside_a_later_sentence_leaves_the_acknowledgement(empathy, reply, status):
    assert _score(empathy, reply).status == status, reply


@pytest.mark.parametrize(
    "reply",
    ["碰上这种事确实挺揪心的，我这边马上补寄", "唉，这可真够倒霉的，给您重新发一本", "是我们没包装好，这就给您补一本新的"],
)
def test_default11_the_trouble_named_as_a_misfortune_or_the_slip_owned_is_empathy(empathy, reply):
    assert _score(empathy, reply).status == "pass", reply


@pytest.mark.parametrize("reply", ["这也太贵了吧，您可以等活动再买", "这个不能怪我们哦，是物流压的"])
def test_default11_a_price_or_a_denied_blame_is_not(empathy, reply):
    assert _score(empathy, reply).status == "fail", reply
