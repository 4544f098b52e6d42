"""empathy.v1's trigger in default@9 (issue 13): when empathy is required at all. The feared thing found with the
fright named beside it is relief; buying again and again is loyalty, not persistence. Readings set by hand."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import status_with_reading as _status


@pytest.mark.parametrize("text", ["哈哈找到了！吓死我了 还以为快递丢了", "吓我一跳 原来放在门卫那了😂", "收到了收到了 我以为寄错地址了"])
def test_the_feared_thing_found_is_relief(empathy, text):
    assert _status(empathy, text, "negative", 0.97, 0.6) == "na", text


@pytest.mark.parametrize("text", ["吓死我了 打开是碎的", "找到了，但是盒子全压扁了 吓死我了"])
def test_fright_without_the_fear_undone_still_counts(empathy, text):
    assert _status(empathy, text, "negative", 0.97, 0.6) == "fail", text


def test_buying_again_and_again_is_loyalty_not_persistence(empathy):
    # a moderate negative score counts only with a shape of feeling; 回购 is none, 问了好几次 is one
    assert _status(empathy, "我在你家回购好几次了，这个茶叶能给老顾客便宜点吗", "negative", 0.88, 0.3) == "na"
    assert _status(empathy, "我都问了好几次了，这个茶叶到底什么时候发", "negative", 0.88, 0.3) == "fail"


@pytest.mark.parametrize("text", ["哈哈哈 我妈说我又乱花钱 气死她了", "买了三个色 老公要疯了😂"])
def test_a_laughing_turn_is_a_joke(empathy, text):
    assert _status(empathy, text, "negative", 0.97, 0.6) == "na", text


@pytest.mark.parametrize("text", ["哈哈 你们可真行 五天了还不发", "气死了 一直没人回 😂"])
def test_laughing_beside_a_shape_of_feeling_still_counts(empathy, text):
    assert _status(empathy, text, "negative", 0.97, 0.6) == "fail", text
