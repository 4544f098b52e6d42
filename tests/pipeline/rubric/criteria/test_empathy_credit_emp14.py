"""empathy credit, emp14 (_empathy_credit): acknowledgement read by its function, not a fixed phrase — an apology word
with the remedy taken on now (`apology_remedy`), the shop as the subject of a failure (`owned_failure`), the agent in
the customer's place whatever the feeling is called (`perspective`). Each beside the look-alike that stays courtesy or
dismissal: an apology before a request or a refusal, a denial, a rule said of everyone. Invented sentences in several
registers (JD / Taobao / PDD templates, Cantonese, traditional characters, emoji)."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import score_with_reading


def _score(empathy, reply):
    return score_with_reading(empathy, "等了五天还没发货 气死了", "negative", 0.95, 0.93, reply=reply)


@pytest.mark.parametrize("reply, family", [
    ("实在不好意思，这边马上安排加急发出", "apology_remedy"),
    ("真的很不好意思亲，今天一定发出，单号晚点发您", "apology_remedy"),
    ("唔好意思呀，即刻幫你補寄", "apology_remedy"),
    ("sorry亲😣 现在就催仓库发", "apology_remedy"),
    ("是我们打包没做到位😣 给您重新发两个哈", "owned_failure"),
    ("我们这边没有及时跟进，马上处理", "owned_failure"),
    ("这是我们的失职，今天发出", "owned_failure"),
    ("五天都没动静，换谁都坐不住，我这边马上催仓库", "perspective"),
    ("换我也肯定坐不住，这就帮您催", "perspective"),
    ("钱迟迟不到账确实让人揪心，这边马上给您催", "situation_feeling"),
    ("這樣真係令人好嬲，我即刻跟進", "situation_feeling"),
    ("太让人窝火了😤 我马上联系快递", "situation_feeling"),
])
def test_acknowledgement_by_its_function_is_credited(empathy, reply, family):
    r = _score(empathy, reply)
    assert r.status == "pass", reply
    assert r.evidence[-1].rule == f"empathy.credit.{family}", reply


@pytest.mark.parametrize("reply", [
    "不好意思，麻烦提供一下订单号",  # before a request: courtesy
    "不好意思，您先拍个照，我们马上处理",
    "不好意思，今天处理不了",  # a refusal is no remedy
    "不好意思，我们这边今天一定发出，麻烦您耐心等",
    "不是我们没包装好，是快递摔的",  # a denial
    "我们这边没有检查到质量问题",  # no failure owned
    "换谁都一样的，规定就是这样",  # a rule said of everyone
    "换谁来都得按流程走",
    "换我也不知道怎么办",
    "换谁都是这个流程哦",
    "这款不会让人失望的",  # nothing granted: a promise about the product
    "质量真的让人放心",  # not a trouble's feeling
    "退款很快的，不会让人等太久",
])
def test_the_look_alikes_earn_nothing(empathy, reply):
    assert _score(empathy, reply).status == "fail", reply


@pytest.mark.parametrize("family, reply", [
    ("apology_remedy", "实在不好意思，这边马上安排加急发出"),
    ("owned_failure", "是我们打包没做到位，给您重新发"),
    ("perspective", "换谁都坐不住，我马上催"),
    ("situation_feeling", "确实让人揪心，我马上催"),
])
def test_an_empty_family_switches_it_off(empathy, family, reply):
    from pipeline.rubric.criteria.empathy import Empathy

    params = empathy.params.model_copy(deep=True)
    setattr(params.credit, family, [])
    assert _score(Empathy(empathy.id, params=params), reply).status == "fail"


@pytest.mark.parametrize("reply", ["亲，辛苦您一直等着，这个确实拖得太久了，我马上帮您催财务", "辛苦您一直等哈，马上好"])
def test_thanks_for_effort_naming_the_long_wait_is_no_request_preface(empathy, reply):
    # courtesy.cause (emp14): the wait named long (一直等 / 拖得太久) is what the thanks is for
    assert _score(empathy, reply).status == "pass", reply


@pytest.mark.parametrize("reply", ["辛苦您点一下确认收货", "辛苦亲提供下订单号", "不好意思，您一直等的那个单号是多少"])
def test_thanks_or_sorry_before_a_request_stays_courtesy(empathy, reply):
    assert _score(empathy, reply).status == "fail", reply
