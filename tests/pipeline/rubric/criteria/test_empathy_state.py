"""empathy.v1's trigger in default@7 (issue 13), with the customer-state layer's reading set by hand, so each
test pins one rule: short urgency in a calm question lifts the veto; a status answer read calm in context is no
feeling; a question by its question word is a question; 的嘛 closes a statement; Cantonese anger; a bare 。。。;
disappointment after a thank-you; an agent calling the feeling natural is empathy."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation, set_reading as _read
from pipeline.rubric.testing import status_with_reading as _status


@pytest.mark.parametrize("text", ["周五之前能送到吗 赶时间", "能不能今天发出？孩子明天就要用，来不及了", "这个能加急吗 挺急的"])
def test_short_urgency_inside_a_calm_question_lifts_the_state_veto(empathy, text):
    assert _status(empathy, text, "neutral", 0.05, 0.05) == "fail", text


@pytest.mark.parametrize("text", ["周五之前能送到吗", "不急，周末前能发出吗"])
def test_a_calm_question_without_urgency_stays_under_the_veto(empathy, text):
    assert _status(empathy, text, "neutral", 0.05, 0.05) == "na", text


def test_a_status_answer_read_calm_in_context_is_no_feeling(empathy):
    asked = "亲，包裹到了的话麻烦点一下确认收货哦"
    assert _status(empathy, "还没到呢", "negative", 0.9, 0.55, context="neutral", agent_before=asked) == "na"
    # the same words read negative in context (chasing) still count
    assert _status(empathy, "还没到呢", "negative", 0.9, 0.55, context="negative", agent_before=asked) == "fail"
    # persistence is a feeling, not a status
    assert _status(empathy, "一直没人处理", "neutral", 0.9, 0.55, context="neutral") == "fail"


def test_a_question_by_its_question_word_needs_a_shape_or_an_emotion_word(empathy):
    assert _status(empathy, "为什么物流页面显示不出来", "negative", 0.98, 0.95) == "na"
    assert _status(empathy, "为什么还不发货 都四天了", "negative", 0.98, 0.95) == "fail"


def test_de_ma_closes_a_statement_not_a_question(empathy):
    assert _status(empathy, "我要是会弄就不来找你们的嘛", "negative", 0.97, 0.8) == "fail"  # between the cut-offs (0.75 / 0.85): the rules read it


@pytest.mark.parametrize("text", ["件衫缩晒水 我真系好嬲", "等咗成个礼拜都未到", "搞乜啊 讲极都冇人理"])
def test_cantonese_anger_is_read(empathy, text):
    assert _status(empathy, text, "neutral", 0.5, 0.5) == "fail", text


def test_cantonese_negated_anger_is_not(empathy):
    assert _status(empathy, "唔嬲 慢慢嚟", "neutral", 0.5, 0.5) == "na"


def test_a_bare_ellipsis_is_speechless_not_an_acknowledgement(empathy):
    said = "这个已经出库了，改不了地址哦"
    assert _status(empathy, "……", "negative", 0.8, 0.8, agent_before=said) == "fail"  # between the cut-offs (default@10: 0.1 / 0.85)
    assert _status(empathy, "好的", "negative", 0.8, 0.8, agent_before=said) == "na"


def test_disappointment_after_a_thank_you_is_a_shape_of_feeling(empathy):
    assert _status(empathy, "鞋子到了谢谢 不过实物颜色比详情页暗好多", "negative", 0.9, 0.5) == "fail"


@pytest.mark.parametrize("reply", ["第一次网购碰到这种事，着急很正常，我先帮您查", "心里不踏实也难免，我这边给您盯着"])
def test_calling_the_feeling_natural_is_empathy(empathy, reply):
    assert _status(empathy, "东西到底还发不发 急死了", "negative", 0.99, 0.95, reply=reply) == "pass", reply


def test_a_product_fact_called_normal_is_not_empathy(empathy):
    assert _status(empathy, "东西到底还发不发 急死了", "negative", 0.99, 0.95, reply="新衣服有点气味很正常，通风两天就好") == "fail"


def test_urgency_after_a_question_and_a_space_is_read_through_the_whole_pipeline(empathy):
    """The analysis form drops the space after 吗 (中午能到吗 急用 → 吗急用): the question is read on the text."""
    conv = make_conversation([("agent", "预计明天下午送到", 0), ("customer", "上午能送到吗 急用", 20), ("agent", "好的", 40)])
    _read(conv.messages[1], "neutral", 0.05, 0.05)
    assert empathy.score(conv).status == "fail"


def test_persistence_of_something_good_is_no_grievance(empathy):
    assert _status(empathy, "我们店一直都有现货 想问下能不能代发", "negative", 0.88, 0.5) == "na"
    assert _status(empathy, "这个插座一直有异味 用着不放心", "negative", 0.88, 0.5) == "fail"


def test_a_space_ends_a_calm_opener(empathy):
    # 好 这样就行 (the analysis form reads 好这样就行): an acceptance, negative only with an emotion word
    assert _status(empathy, "好 这样就行了", "negative", 0.97, 0.5) == "na"


def test_escalation_past_the_shop_is_a_feeling(empathy):
    assert _status(empathy, "那我只能找平台介入了", "neutral", 0.5, 0.5) == "fail"


@pytest.mark.parametrize("text", ["好 反正也习惯了", "行吧 等着呗", "可以 商家高兴就行"])
def test_resignation_after_an_acceptance_is_a_feeling(empathy, text):
    assert _status(empathy, text, "negative", 0.9, 0.6) == "fail", text


def test_a_why_question_with_the_time_it_has_been_stuck_is_a_complaint(empathy):
    assert _status(empathy, "为什么我的包裹在中转站卡了四天", "negative", 0.97, 0.93) == "fail"
    assert _status(empathy, "为什么我的包裹显示在中转站", "negative", 0.97, 0.93) == "na"


@pytest.mark.parametrize("text", ["哎哟白担心一场 原来放在门卫那了 吓死我了", "是我自己没插好电源 不好意思啊", "还好赶上了 吓我一跳"])
def test_relief_or_the_customers_own_mistake_is_not_negative(empathy, text):
    assert _status(empathy, text, "negative", 0.97, 0.5) == "na", text


def test_relief_followed_by_a_contrast_still_counts(empathy):
    assert _status(empathy, "还好收到了 但是盒子压得稀烂 气死了", "negative", 0.97, 0.5) == "fail"
