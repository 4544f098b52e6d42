"""Beyond word lists: paraphrases of empathy and taboo exemplars, and neutral lines that must not match.

The lists are written in several styles (traditional characters, slang, emoji, typos) and are
not taken from the golden set."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation

EMPATHY = [
    "搁谁都膈应，实在对不住", "换做是我也会着急", "要是换成我肯定也会很着急的", "碰上这种事谁心里都不好受",
    "完全明白您为什么生气", "這種情況換誰都會不開心的，真的抱歉", "亲，太理解你了，遇到这事真闹心😣", "给您添堵了，实在不好意思",
    "您的委屈我们都明白", "真心向您道个歉", "能想象您现在有多着急", "這事確實挺讓人鬧心的", "辛苦亲等了这么久🙏",
    "这种糟心事搁我身上我也受不了", "您别急，先消消气，我马上处理",
]
TABOO = [
    "这事儿不归我们这边管", "这块不是我负责的，您别问我", "想买就买，不想买就算了", "我上面已经跟您说过了，您往上翻一下",
    "我说了几遍了，您怎么还不明白呢", "理解您着急，但着急也没用，等着吧", "我哪知道快递什么时候到", "这个我们也没有任何办法",
    "這個我們管不了", "反正规定就这样", "爱咋咋地", "关我什么事", "那是快递的事，你找他们去", "跟我说也没用", "你自己不会看吗",
    "不是跟你说了吗", "你爱找谁找谁", "早就告诉过你了", "我这边处理不了，你自己想办法吧",
]
NEUTRAL = [
    "好的，我这边帮您查一下订单", "这款是纯棉的，可以机洗", "请问您的订单号是多少", "您可以在订单页面申请退款",
    "不知道您方便什么时候收货呢", "按照规定七天内可以无理由退货", "这个规定是为了保障您的权益", "您说的“不归我管”是哪位同事说的呢？我来处理",
    "亲亲，今天下单明天发货哈", "这个问题我帮您找售后同事处理", "快递那边我已经帮您催了", "之前跟您说的优惠还在哦",
    "您自己拆开检查一下有没有破损哈", "這邊幫您登記了，明天給您回覆", "这个要问一下厂家", "您也可以自己在订单页查看物流",
]


def judge(rubric, criterion_id, agent_text):
    conv = make_conversation([("customer", "等了三天了，真的很失望", 0), ("agent", agent_text, 30)])
    return rubric.criterion(criterion_id).score(conv)


@pytest.mark.parametrize("text", EMPATHY)
def test_empathy_paraphrase(rubric, text):
    result = judge(rubric, "empathy", text)
    assert result.status == "pass", text
    assert result.evidence[-1].rule.split(".")[-1] in ("lexicon", "cue", "similarity")


@pytest.mark.parametrize("text", TABOO)
def test_taboo_paraphrase(rubric, text):
    assert judge(rubric, "forbidden_phrases", text).status == "fail", text


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_lines_are_neither(rubric, text):
    assert judge(rubric, "forbidden_phrases", text).status == "pass", text
    assert judge(rubric, "empathy", text).status == "fail", text


def test_paraphrase_layer_adds_recall(rubric, rubric_lexicon_only):
    def recall(rb):
        e = sum(judge(rb, "empathy", t).status == "pass" for t in EMPATHY)
        f = sum(judge(rb, "forbidden_phrases", t).status == "fail" for t in TABOO)
        return e, f

    on, off = recall(rubric), recall(rubric_lexicon_only)
    assert on[0] > off[0] and on[1] > off[1]
