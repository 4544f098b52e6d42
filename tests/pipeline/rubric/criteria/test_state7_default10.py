"""empathy's trigger and negative_end in default@10 (issue 13; state7): the mechanisms behind the w9 sets' false
triggers, each pinned with the readings set by hand. The sentences are mine, not a set's."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation, set_reading
from pipeline.rubric.testing import status_with_reading as _status


@pytest.mark.parametrize("text", ["嗯 好吧", "哦 行", "哦 原来如此 好的", "这样呀 那好吧"])
def test_an_acknowledgement_alone_is_no_feeling_whatever_the_state_layer_reads(empathy, text):
    # the layer reads resignation into a short reply after a refusal; the labelling rules see nothing to acknowledge
    refused = "这个活动已经结束了，没办法再参加了哦"
    assert _status(empathy, text, "negative", 0.9, 0.95, agent_before=refused) == "na", text


def test_a_bare_ellipsis_or_a_word_beyond_the_acknowledgement_still_counts(empathy):
    refused = "这个活动已经结束了，没办法再参加了哦"
    assert _status(empathy, "。。。", "negative", 0.9, 0.95, agent_before=refused) == "fail"
    assert _status(empathy, "好吧 你们说了算", "negative", 0.9, 0.95, agent_before=refused) == "fail"


def test_a_fright_word_said_in_delight_counts_only_read_negative_in_context(empathy):
    assert _status(empathy, "吓死 这么快就到了", "negative", 0.95, 0.5, context="positive") == "na"
    assert _status(empathy, "吓死 这么快就到了", "negative", 0.95, 0.5, context="negative") == "fail"


@pytest.mark.parametrize("text", ["亮了亮了 原来是开关没推到位", "插紧以后能用了", "重启一下 正常了！！", "让您见笑了 刚才没看到按钮",
                                  "我眼神不好 把说明书看漏了"])
def test_the_fault_fixed_by_the_customer_or_a_miss_of_their_own_is_relief(empathy, text):
    # between the cut-offs the sentence model's confident label would count; relief keeps the turn calm
    assert _status(empathy, text, "negative", 0.97, 0.8) == "na", text


@pytest.mark.parametrize("text", ["换了新灯泡还是不亮了", "能用了 但是噪音大得吓人 烦死", "又不能用了 这都第三回了"])
def test_a_fault_that_stays_or_a_contrast_after_the_fix_is_no_relief(empathy, text):
    assert _status(empathy, text, "negative", 0.97, 0.8) == "fail", text


def test_a_fault_told_with_a_hedge_is_a_calm_report(empathy):
    assert _status(empathy, "收到的杯子杯口有点掉漆", "negative", 0.98, 0.75) == "na"
    # the same fault without the hedge: the label alone counts between the cut-offs
    assert _status(empathy, "收到的杯子杯口掉漆了", "negative", 0.98, 0.75) == "fail"
    # the hedge softens nothing when the state layer reads clear upset
    assert _status(empathy, "收到的杯子杯口有点掉漆", "negative", 0.98, 0.9) == "fail"


def _ends_negative(rubric, text: str, context: str = "negative") -> bool:
    flag = next(f for f in rubric.flags if f.code == "negative_end")
    conv = make_conversation([("agent", "这款偏大一码，平时穿M的可以拍S", 0), ("customer", text, 20)], run_stages=False)
    set_reading(conv.messages[1], "negative", 0.8, 0.3, context=context)
    return bool(flag.detect(conv, rubric))


def test_a_laughing_last_turn_is_no_negative_end(rubric):
    assert not _ends_negative(rubric, "那我拍S 穿着显瘦哈哈")
    assert not _ends_negative(rubric, "行 就要这个了😂")
    # 呵呵 is sarcasm, not laughter; a laugh beside a departure still leaves
    assert _ends_negative(rubric, "呵呵 那我再等等")
    assert _ends_negative(rubric, "哈哈 那我去别家看看")


@pytest.mark.parametrize("text", ["现在改个收货地址还来得及吗", "能再加一包纸巾吗 还来得及不"])
def test_asking_whether_an_order_change_can_still_be_made_is_no_hurry(empathy, text):
    assert _status(empathy, text, "neutral", 0.05, 0.05) == "na", text


def test_the_customers_own_deadline_is_still_a_hurry(empathy):
    assert _status(empathy, "下周一开学要用 今天拍还来得及吗", "neutral", 0.05, 0.05) == "fail"


@pytest.mark.parametrize("text", ["没事了 你们也早点休息", "好的 这么晚还回 辛苦你们了", "颜色倒是挺好看的"])
def test_goodwill_at_the_close_is_no_negative_end(rubric, text):
    assert not _ends_negative(rubric, text), text


@pytest.mark.parametrize("text", ["颜色挺好看的 就是一洗就掉色", "真辛苦你们了 拖了半个月才回", "辛苦了 气死我了"])
def test_goodwill_with_a_contrast_sarcasm_or_a_feeling_still_ends_negative(rubric, text):
    assert _ends_negative(rubric, text), text
