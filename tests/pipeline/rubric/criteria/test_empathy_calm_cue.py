"""empathy.v1's trigger vetoes an emotion word the customer does not feel now (default@13, emp12d; _calm_cue): a word
in a condition on a case not yet happened, a word said of someone else, a complaint or a push disclaimed. Each stands
beside its contrast that must still trigger."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation, set_reading

AGENT = "您好，我帮您查一下"


def _score(empathy, text):
    return empathy.score(make_conversation([("customer", text, 0), ("agent", AGENT, 30)]))


@pytest.mark.parametrize("text", [
    "万一路上压坏了我会很难过，能多包几层吗",  # hypothetical
    "如果收到有破损的话，我很生气的，能退吗",
    "我朋友说她买的那个很失望，你们这个质量怎么样",  # reported of someone else
    "我不是要投诉哈，就是说一下，快递盒子压扁了，里面东西没事",  # disclaimed
])
def test_an_emotion_word_not_felt_now_is_no_trigger(empathy, text):
    assert _score(empathy, text).status == "na"


@pytest.mark.parametrize("text", [
    "如果今天再不发货我真的要投诉了",  # a threat keeps the conditional word
    "要是还不到我会很生气",
    "我朋友说你们家不错我才买的，结果太失望了",  # the report is in another clause: the customer's own
    "朋友说这家很坑，我也觉得很失望",  # the customer joins in
    "我不是要投诉，但你们这也太过分了，等了一个星期",  # another emotion word beside the disclaimer
    "这个质量太差了，我很失望",
])
def test_the_same_words_felt_now_still_trigger(empathy, text):
    assert _score(empathy, text).status == "fail"


def _with_state(empathy, text, needs):
    conv = make_conversation([("customer", text, 0), ("agent", AGENT, 30)], run_stages=False)
    set_reading(conv.messages[0], "negative", needs, needs)
    return empathy.score(conv)


def test_a_disclaimer_lowers_the_state_reading_alone(empathy):
    text = "我不是要投诉哈，就是跟你们说一声，外箱压扁了"
    assert _with_state(empathy, text, 0.87).status == "na"
    assert _with_state(empathy, text, 0.97).status == "fail"  # from disclaimed_min_state the reading still counts
    assert _with_state(empathy, "就是跟你们说一声，外箱压扁了", 0.87).status == "fail"  # no disclaimer: unchanged


def test_calm_null_switches_it_off(rubric):
    from pipeline.rubric.criteria._calm_cue import CalmCue, CalmCueParams

    cue = CalmCue(CalmCueParams(), "x")
    conv = make_conversation([("customer", "万一压坏了我会很难过", 0)])
    assert cue.why(conv.messages[0], "lexicon", None, []) is None
