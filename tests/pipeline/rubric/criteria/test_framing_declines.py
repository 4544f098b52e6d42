"""positive_framing's decline-model layer (default@12): a decline the model reads where the rule saw no refusal, its
alternative reading, the once-per-reply choice, the pin, and the evidence.

A stand-in model with fixed readings isolates the combination from any model's probabilities; one test reads the
shipped model. The sentences are written for these tests, not taken from any training file or held-out set."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.rubric import CRITERIA
from pipeline.rubric.testing import make_conversation


class _Fixed:
    """A decline model whose reading of each agent text is given: (P(declines), P(declines_with_alternative))."""

    model_id = "fixed@0"

    def __init__(self, readings: dict[str, tuple[float, float]]):
        self.readings = readings
        self.seen: list[tuple[str, str]] = []

    def predict_proba(self, rows):
        self.seen += list(rows)
        out = []
        for _, text in rows:
            d, a = self.readings.get(text, (0.0, 0.0))
            out.append([1.0 - d - a, d, a])
        return np.array(out, dtype=np.float32)


def _crit(readings, **declines):
    """The criterion reading `readings` (no veto unless asked: the stand-in reads unlisted texts as declining nothing)."""
    declines = {"veto": None, **declines}
    crit = CRITERIA["positive_framing.v1"]()
    crit.params.declines = crit.params.declines.model_copy(update={"enabled": False})
    compiled = crit.compiled
    crit.params.declines = crit.params.declines.model_copy(update={"enabled": True, **declines})
    model = _Fixed(readings)
    crit._compiled = compiled._replace(decline_model=model)
    return crit, model


def _turns(*turns):
    return make_conversation([(role, text, 30 * i) for i, (role, text) in enumerate(turns)])


SOLD_OUT = "那个颜色这一批全走完了"


def test_a_decline_without_refusal_words_answering_a_request_fails_and_names_the_model():
    crit, _ = _crit({SOLD_OUT: (0.8, 0.1)})
    res = crit.score(_turns(("customer", "还能买到雾蓝色吗"), ("agent", SOLD_OUT)))
    assert res.status == "fail"
    hit = res.evidence[0]
    assert hit.rule == "positive_framing.model_refusal" and hit.seq == 2 and hit.span == (0, len(SOLD_OUT))
    assert "fixed@0" in hit.note and "P=0.90" in hit.note


def test_below_the_threshold_or_to_no_request_it_is_nothing():
    crit, _ = _crit({SOLD_OUT: (0.3, 0.1)})
    assert crit.score(_turns(("customer", "还能买到雾蓝色吗"), ("agent", SOLD_OUT))).status == "na"
    crit, _ = _crit({SOLD_OUT: (0.8, 0.1)}, customer_above=None)
    assert crit.score(_turns(("customer", "发货了哈"), ("agent", SOLD_OUT))).status == "na"  # no request
    crit, _ = _crit({SOLD_OUT: (0.7, 0.05)})  # default@13: under customer_above (0.8) no request still means nothing
    assert crit.score(_turns(("customer", "发货了哈"), ("agent", SOLD_OUT))).status == "na"
    crit, _ = _crit({SOLD_OUT: (0.8, 0.1)}, answers="customer")
    assert crit.score(_turns(("customer", "发货了哈"), ("agent", SOLD_OUT))).status == "fail"


def test_the_models_alternative_reading_passes_a_decline():
    text = "那个颜色这一批全走完了，雾灰这周还能发"
    crit, _ = _crit({text: (0.2, 0.7)})
    res = crit.score(_turns(("customer", "还能买到雾蓝色吗"), ("agent", text)))
    assert res.status == "pass"
    assert [e.rule for e in res.evidence] == ["positive_framing.model_refusal", "positive_framing.model_alternative"]
    crit, _ = _crit({text: (0.2, 0.7)}, alternative=None)
    assert crit.score(_turns(("customer", "还能买到雾蓝色吗"), ("agent", text))).status == "fail"


def test_the_models_alternative_also_answers_a_rule_refusal_unless_switched_off():
    text = "这款不支持刻字的，礼盒可以放贺卡"
    crit, _ = _crit({text: (0.2, 0.7)})
    turns = (("customer", "能刻字吗"), ("agent", text))
    res = crit.score(_turns(*turns))
    assert res.status == "pass" and res.evidence[0].rule.startswith("positive_framing.refusal")
    crit, _ = _crit({text: (0.2, 0.7)}, rule_refusals=False)
    assert crit.score(_turns(*turns)).status == "fail"


def test_one_decline_per_reply_on_its_most_declining_message_and_none_where_the_rule_refused():
    ack, answer = "明白您的意思", "开过的就收不回来了"
    crit, _ = _crit({ack: (0.6, 0.0), answer: (0.9, 0.0)})
    res = crit.score(_turns(("customer", "开封了还能退吗"), ("agent", ack), ("agent", answer)))
    assert res.status == "fail" and res.evidence[0].seq == 3
    # the rule's refusal in the same reply is the reply's refusal: the model adds none beside it
    crit, _ = _crit({ack: (0.9, 0.0)})
    res = crit.score(_turns(("customer", "开封了还能退吗"), ("agent", ack), ("agent", "开封的不能退哦，可以给您换一个新的")))
    assert res.status == "pass" and all(e.rule != "positive_framing.model_refusal" for e in res.evidence)


def test_the_veto_drops_a_rule_refusal_the_model_reads_as_declining_nothing():
    text = "不能用开水烫哦，温水洗就行"
    turns = (("customer", "能帮我退掉吗"), ("agent", text))
    crit, _ = _crit({text: (0.01, 0.01)})
    assert crit.score(_turns(*turns)).status != "na"
    crit, _ = _crit({text: (0.01, 0.01)}, veto=0.95)
    assert crit.score(_turns(*turns)).status == "na"


def test_every_agent_message_is_read_once_per_conversation_with_the_customers_burst():
    crit, model = _crit({})
    crit.score(_turns(("customer", "在吗"), ("customer", "能换货吗"), ("agent", "您好"), ("agent", "请发一下订单号")))
    assert model.seen == [("在吗 || 能换货吗", "您好"), ("在吗 || 能换货吗", "请发一下订单号")]


def test_a_rubric_pinned_to_another_model_is_refused():
    crit = CRITERIA["positive_framing.v1"]()
    crit.params.declines = crit.params.declines.model_copy(update={"model_version": "zh-cs-declines@0"})
    with pytest.raises(ValueError, match="zh-cs-declines@0"):
        crit.compiled


def test_the_shipped_model_reads_a_plain_sold_out_answer_as_a_decline():
    res = CRITERIA["positive_framing.v1"]().score(_turns(("customer", "这款还有42码吗"), ("agent", "42码已经断了，厂家也不再做了")))
    assert res.status == "fail"
    res = CRITERIA["positive_framing.v1"]().score(_turns(("customer", "这款还有42码吗"), ("agent", "有的亲，42码现货，今天就能发")))
    assert res.status == "na"


# default@13 (frl12): a request said without a request word (我要退货 / 给我发顺丰 / 帮我催一下) — the `requests`
# lexicon finds none, so at `threshold` the model's decline did not count; at `customer_above` it counts where it answers
# the customer at all (顺丰的 明天就要用). Contrasts: below customer_above it stays unanswered, a message before the customer wrote counts
# never, and switched off (null) the request gate is as before.
POLICY = "发货快递是系统统一分配的，仓库合作的是中通"


def test_a_strong_decline_answering_a_request_without_request_words_counts():
    crit, _ = _crit({POLICY: (0.9, 0.0)}, customer_above=0.8)
    res = crit.score(_turns(("customer", "顺丰的 明天就要用"), ("agent", POLICY)))
    assert res.status == "fail"
    assert res.evidence[0].rule == "positive_framing.model_refusal" and "P=0.90" in res.evidence[0].note


def test_below_customer_above_or_switched_off_it_needs_a_request_word():
    crit, _ = _crit({POLICY: (0.7, 0.0)}, customer_above=0.8)
    assert crit.score(_turns(("customer", "顺丰的 明天就要用"), ("agent", POLICY))).status == "na"
    crit, _ = _crit({POLICY: (0.9, 0.0)}, customer_above=None)
    assert crit.score(_turns(("customer", "顺丰的 明天就要用"), ("agent", POLICY))).status == "na"
    # with a request word the ordinary threshold still decides
    crit, _ = _crit({POLICY: (0.7, 0.0)}, customer_above=0.8)
    assert crit.score(_turns(("customer", "能发顺丰吗"), ("agent", POLICY))).status == "fail"


def test_customer_above_never_reads_a_message_sent_before_the_customer_wrote():
    crit, _ = _crit({POLICY: (0.95, 0.0)}, customer_above=0.8)
    assert crit.score(_turns(("agent", POLICY), ("customer", "好的"))).status == "na"


def test_a_strong_decline_with_its_alternative_passes():
    text = "发货快递是系统统一分配的，补8块差价可以改顺丰"
    crit, _ = _crit({text: (0.2, 0.75)}, customer_above=0.8)
    assert crit.score(_turns(("customer", "顺丰的 明天就要用"), ("agent", text))).status == "pass"


# default@13 (frl12): an A-not-A question (修不修 / 退不退) leaves the choice to the customer; the 不修 inside it is no
# refusal without a refusal word. The contrast — a plain 不修的 answering a request — still refuses.
@pytest.mark.parametrize("reply, status", [
    ("检测报告出来您看完再决定修不修", "na"),
    ("到时候退不退都看您自己", "na"),
    ("这种进水的我们不修的", "fail"),
])
def test_an_a_not_a_question_is_no_refusal(rubric, reply, status):
    """The word rule's reading (the decline model off: its character n-grams may still read 不修 as a decline)."""
    c = next(c for c in rubric.criteria if c.id == "positive_framing")
    crit = type(c)(c.id, c.max_points, c.params.model_copy(update={"declines": c.params.declines.model_copy(update={"enabled": False})}))
    conv = make_conversation([("customer", "能帮我修一下吗", 0), ("agent", reply, 30)])
    assert crit.score(conv).status == status
