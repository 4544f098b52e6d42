"""positive_framing.v1: a denied refusal word is no refusal, a negated alternative is no alternative (rubric default@7).

The sentences are written for these tests, not taken from any training file or held-out set."""
from __future__ import annotations

from pipeline.rubric import CRITERIA
from pipeline.rubric.testing import make_conversation


def _score(*agent_texts: str, **params):
    crit = CRITERIA["positive_framing.v1"]()
    for k, v in params.items():
        setattr(crit.params, k, v)
    turns = [("customer", "这个能修吗", 0)] + [("agent", t, 30 + 10 * i) for i, t in enumerate(agent_texts)]
    return crit.score(make_conversation(turns)).status


def test_a_denied_refusal_word_is_no_refusal():
    text = "这个并不是不归我们管哦 过了保修也是品牌师傅上门 我已经登记了"
    assert _score(text) == "na"
    assert _score(text, denied=False) == "fail"  # the old reading: 不归我们管 refuses


def test_a_negated_alternative_offers_nothing():
    assert _score("配送晚了不是我们能决定的", "补偿是没有的哦") == "fail"
    assert _score("配送晚了不是我们能决定的", "补偿是没有的哦", negated_offer=False) == "pass"  # the old reading
    assert _score("配送晚了不是我们能决定的", "给您申请一张10元补偿券") == "pass"
