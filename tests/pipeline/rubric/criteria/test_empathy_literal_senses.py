"""empathy.v1's trigger, emp14 (empathy.LITERAL_SENSES): an emotion word in a literal sense common in shop talk — 气 in
气派, 曝光 of a camera or of sales, 上火 and 头疼 of the body, a program that 崩溃 (crashes), a side effect asked about
(会恶心吗) — shows no feeling; the same words in their emotional sense still count. Readings set by hand (a calm turn:
the emotion word alone would decide)."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import score_with_reading


@pytest.mark.parametrize("text", [
    "这个吊灯挂客厅会不会很气派", "收到了 真气派 就是安装说明看不懂", "這款相機曝光怎麼調", "这款按摩椅曝光率很高啊 网上都在推",
    "荔枝吃多了会上火吗", "App打开就崩溃 闪退", "孩子头疼发烧 这个退热贴几岁能用", "这个药吃了会恶心吗",
    "后悔没早点买 太好用了 还有别的颜色吗", "这个玩具很搞笑 孩子超喜欢 再买一个", "用了一下真行 再来两瓶",
    "我家猫特别怕生 这个猫包透气吗", "这两天热得受不了 有没有凉一点的席子", "冬天手脚冰凉 难受 这个暖宝宝能用多久",
])
def test_a_literal_sense_is_no_feeling(empathy, text):
    assert score_with_reading(empathy, text, "neutral", 0.3, 0.3).status == "na", text


@pytest.mark.parametrize("text", [
    "真气人 又发错了", "再不处理我就去曝光你们", "等了一周 我都上火了", "天天被你们折腾 我要崩溃了", "这事真让我头疼",
    "看着就恶心 什么破东西",
    "后悔买了 一点都不好用", "真行啊 又发错了", "你们这服务真搞笑", "等得受不了了", "用了你们的面霜脸痒得受不了",
])
def test_the_emotional_sense_still_counts(empathy, text):
    assert score_with_reading(empathy, text, "neutral", 0.3, 0.3).status == "fail", text


def test_removing_the_literal_senses_switches_it_off(empathy):
    from pipeline.rubric.criteria.empathy import LITERAL_SENSES, Empathy

    params = empathy.params.model_copy(deep=True)
    params.trigger.cues.exclude = [x for x in params.trigger.cues.exclude if x not in LITERAL_SENSES]
    assert score_with_reading(Empathy(empathy.id, params=params), "荔枝吃多了会上火吗", "neutral", 0.3, 0.3).status == "fail"
