"""The customer-state layer (issue 13): context-read short replies, needs-empathy, politeness that is not empathy."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from models.state import load_state_model, mandarin, tail_clause
from pipeline.conversation import Conversation, Message, Sentiment
from pipeline.customer_state import annotate_state
from pipeline.normalise import normalise_conversation
from pipeline.results import conversation_to_result

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
FLAT = {"negative": 1 / 3, "neutral": 1 / 3, "positive": 1 / 3}


def conv(lines, scores=None):
    msgs = [
        Message("c", i + 1, role, T0 + timedelta(seconds=30 * i), text, agent_id="A" if role == "agent" else None)
        for i, (role, text) in enumerate(lines)
    ]
    for m in msgs:
        if m.role == "customer":
            s = (scores or {}).get(m.text, FLAT)
            m.sentiment = Sentiment(max(s, key=s.get), dict(s))
    c = Conversation("c", msgs)
    normalise_conversation(c)
    return c


@pytest.fixture(scope="module")
def sm():
    return load_state_model()


def test_cantonese_and_contrast_forms():
    assert "真是好失望" in mandarin("真係好失望")
    assert "等了" in mandarin("等咗成個禮拜")
    assert tail_clause("好的谢谢，不过说实话挺失望的").startswith("不过")
    assert tail_clause("吓死我了，还好收到了").startswith("还好")
    assert tail_clause("好的谢谢") is None


def test_short_reply_read_with_the_agent_message(sm):
    close = conv([("agent", "亲，还有什么可以帮您的吗？"), ("customer", "没有了")])
    refusal = conv([("agent", "这个确实没办法退的哦，规定就是这样"), ("customer", "好吧")])
    annotate_state([close, refusal], sm)
    c, r = close.messages[1], refusal.messages[1]
    assert c.state.prev_seq == 1 and c.state.model == sm.model_id
    assert c.sentiment.label in ("neutral", "positive")
    assert r.state.needs_empathy > c.state.needs_empathy + 0.3


def test_calm_report_is_negative_but_needs_no_empathy(sm):
    neg = {"negative": 0.9, "neutral": 0.08, "positive": 0.02}
    calm = conv([("customer", "刚拆开 有一个碎了")], {"刚拆开 有一个碎了": neg})
    upset = conv([("customer", "呵呵，真是神速啊，等了一个礼拜")], {"呵呵，真是神速啊，等了一个礼拜": neg})
    annotate_state([calm, upset], sm)
    assert upset.messages[0].state.needs_empathy > calm.messages[0].state.needs_empathy
    assert upset.messages[0].state.needs_empathy >= 0.5


def test_results_keep_the_model_label_and_probabilities():
    class Fixed:
        model_id = "fake-state@0"

        def predict(self, texts, prevs, proba):
            from models.state import StateOutput

            return StateOutput(np.full(len(texts), 0.1), np.tile([0.05, 0.9, 0.05], (len(texts), 1)))

    neg = {"negative": 0.8, "neutral": 0.15, "positive": 0.05}
    c = conv([("agent", "还有什么可以帮您"), ("customer", "没有了")], {"没有了": neg})
    annotate_state([c], Fixed())
    turn = conversation_to_result(c)["sentiment"]["turns"][0]
    assert turn["label"] == "neutral" and turn["model_label"] == "negative"
    assert turn["scores"] == neg  # the sentiment model's own probabilities
    assert turn["state"] == {"needs_empathy": 0.1, "scores": {"negative": 0.05, "neutral": 0.9, "positive": 0.05}, "model": "fake-state@0"}
    assert conversation_to_result(c)["sentiment"]["customer_end"] == "neutral"


def _empathy(c):
    from pipeline.rubric import load_rubric
    from pipeline.segment import segmenter_for

    rubric = load_rubric("rubrics/default.yaml")
    segmenter_for(rubric.lexicon_terms())(c)
    return rubric.criterion("empathy").score(c)


def test_sorry_before_a_request_is_not_empathy(sm):
    upset = {"negative": 0.95, "neutral": 0.04, "positive": 0.01}
    text = "上次买的就出了问题，这次心里没底，气死了"
    polite = conv([("customer", text), ("agent", "不好意思，麻烦提供一下订单号")], {text: upset})
    sorry = conv([("customer", text), ("agent", "不好意思让您担心了，我马上帮您查")], {text: upset})
    annotate_state([polite, sorry], sm)
    r1, r2 = _empathy(polite), _empathy(sorry)
    assert r1.status == "fail" and any("礼貌用语" in (e.note or "") for e in r1.evidence)
    assert r2.status == "pass"
