"""empathy.v1, emp14 (empathy.py's trigger settings): a shape cue that is only part of another word is no shape (麻烦处理一下
holds 理一下, the ping "pay attention to me"; 应急灯 / 急救包 hold 急), and a complaint the customer says they will not
make (我不想给差评 / 不会给差评的) is disclaimed like 我不是要投诉 — each beside the look-alike that stays upset, and the
na says why (rule empathy.trigger.calm.disclaimed). Readings set by hand."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import score_with_reading


@pytest.mark.parametrize("text", ["麻烦处理一下 衣服有个洞", "亲 帮我办理一下退货", "应急灯充不进电", "急救包里少了一卷绷带"])
def test_a_shape_inside_another_word_is_no_shape(empathy, text):
    # the sentiment model reads the fault report negative at 0.9: only a shape would make it count
    assert score_with_reading(empathy, text, "negative", 0.9, 0.5).status == "na", text


@pytest.mark.parametrize("text", ["麻烦理一下我？？", "急用 今天能发吗", "你们到底处理不处理 一直没人理"])
def test_the_shape_itself_still_counts(empathy, text):
    assert score_with_reading(empathy, text, "negative", 0.9, 0.5).status == "fail", text


@pytest.mark.parametrize("text", ["我不想给差评，但是这个衣服线头太多了，能处理一下吗", "不会给差评的 就是想问下能不能换个颜色",
                                  "唔想俾差评 不过件衫有个窿"])
def test_a_complaint_declined_is_disclaimed(empathy, text):
    r = score_with_reading(empathy, text, "neutral", 0.3, 0.5)
    assert r.status == "na", text
    assert r.evidence[0].rule == "empathy.trigger.calm.disclaimed"


@pytest.mark.parametrize("text", ["我不想给差评，但是你们这也太过分了", "再不发货我就给差评"])
def test_a_complaint_threatened_or_beside_a_feeling_stands(empathy, text):
    assert score_with_reading(empathy, text, "neutral", 0.3, 0.5).status == "fail", text


def test_the_inside_word_exclusions_switch_off(empathy):
    from pipeline.rubric.criteria.empathy import SHAPE_INSIDE_WORDS, Empathy

    params = empathy.params.model_copy(deep=True)
    params.trigger.shape_cues.exclude = [x for x in params.trigger.shape_cues.exclude if x not in SHAPE_INSIDE_WORDS]
    assert score_with_reading(Empathy(empathy.id, params=params), "麻烦处理一下 衣服有个洞", "negative", 0.9, 0.5).status == "fail"


@pytest.mark.parametrize("reply", [
    "非常理解您的心情，但是快递这边确实延误了，我们已经在催了",
    "抱歉让您久等了，但是这个型号确实缺货，预计周五补货",
    "非常抱歉，不过您放心，钱会原路退回的",
    "理解您着急，但是仓库这两天爆单，预计明天发出",
])
def test_an_acknowledgement_whose_contrast_reports_progress_stands(empathy, reply):
    r = score_with_reading(empathy, "等了五天还没发货 气死了", "negative", 0.95, 0.93, reply=reply)
    assert r.status == "pass", reply
    assert r.evidence[-1].rule == "empathy.contrast_progress"


@pytest.mark.parametrize("reply", [
    "我理解，但规定就是规定",
    "实在抱歉，但是活动价已经结束了",
    "理解您，但是这个不能退，放心质量没问题",
    "抱歉哈，但是快递的问题我们也没办法，已经在催了",
    "理解您的心情，只是现在系统升级，晚点再试一下",
])
def test_a_contrast_that_refuses_or_only_explains_still_cancels(empathy, reply):
    assert score_with_reading(empathy, "等了五天还没发货 气死了", "negative", 0.95, 0.93, reply=reply).status == "fail", reply


def test_contrast_progress_null_switches_it_off(empathy):
    from pipeline.rubric.criteria.empathy import Empathy

    params = empathy.params.model_copy(deep=True)
    params.contrast_progress = None
    r = score_with_reading(Empathy(empathy.id, params=params), "等了五天还没发货 气死了", "negative", 0.95, 0.93,
                           reply="非常抱歉，不过您放心，钱会原路退回的")
    assert r.status == "fail"
