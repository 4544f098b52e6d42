"""abusive_customer in default@11 (issue 13; credit6): the agent's faculties questioned (听不懂人话 / 眼瞎 / 脑子没事吧),
regional insult words, and pinyin initials or homophones of curses are abuse; being taken for a fool, a product called
brainless, point-and-shoot cameras and model numbers are not. The sentences are mine, not a set's."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


def _abusive(rubric, text: str) -> bool:
    flag = next(f for f in rubric.flags if f.code == "abusive_customer")
    conv = make_conversation([("agent", "您好，请问有什么可以帮您", 0), ("customer", text, 20)])
    return bool(flag.detect(conv, rubric))


@pytest.mark.parametrize(
    "text",
    [
        "说几遍了你听不懂人话是吧",
        "客服你瞎吗 快递单号在截图上",
        "你们脑子没事吧 颜色都能发错",
        "这客服智商欠费了吧",
        "什么哈批店员 问三遍都答不上",
        "瓜娃子 我要的是加长款",
        "你个二货 地址都抄错",
        "你们真是一群傻帽",
        "你们是不是虎啊 冬装发成夏装",
        "客服nt吧 我说的是退款",
        "你们是zz吗",
        "特么的又少一件",
        "你麻痹 三天了还不发",
        "扑街 又话今日发货",
        "憨憨客服 看不懂图",
    ],
)
def test_default11_faculties_questioned_regional_words_and_pinyin_curses_are_abuse(rubric, text):
    assert _abusive(rubric, text), text


@pytest.mark.parametrize(
    "text",
    [
        "你们当我是傻子吗 同一个理由说三次",  # accuses, calls the agent nothing
        "这个开关设计得也太脑残了",  # the goods
        "你们这傻瓜相机怎么开闪光灯",  # a point-and-shoot camera
        "你们家猪头肉还有货吗",  # food
        "nt$ 多少钱能寄到台湾",  # a currency, not 脑瘫
        "这是NC10的电池吗",  # a model number
        "我听不懂这个说明书",  # oneself
    ],
)
def test_default11_being_taken_for_a_fool_goods_and_look_alikes_are_not_abuse(rubric, text):
    assert not _abusive(rubric, text), text


@pytest.mark.parametrize("text", ["店家怕不是脑子坏了 发个货发三次", "你们售后是不是脑子有毛病"])
def test_default11_the_brain_questioned_after_the_staff_is_abuse(rubric, text):
    assert _abusive(rubric, text), text


def test_default11_reporting_what_the_agent_implied_about_oneself_is_not(rubric):
    assert not _abusive(rubric, "你说我脑子有问题？我说的明明是对的")


@pytest.mark.parametrize("text", ["滚犊子吧你", "龟儿子 又发错色", "你算什么东西 敢挂我电话", "收皮啦 讲咗三次", "mmp 三天不发货", "你懂个屁 我用了十年"])
def test_default11_more_regions_and_contempt_are_abuse(rubric, text):
    assert _abusive(rubric, text), text


@pytest.mark.parametrize("text", ["买给我奶奶的 字要大一点", "遛狗店附近能自提吗", "这是什么东西 赠品吗"])
def test_default11_kin_dog_walking_and_what_is_this_are_not(rubric, text):
    assert not _abusive(rubric, text), text
