"""negative_end in default@14 (end13, pipeline/rubric/criteria/_end_state.py): the end read as a whole — giving up after
a refusal, the clause after a contrast, a calm threat to review or complain, the strongest message of the last burst.
The model readings are set by hand (the last turn reads calm in context, so only the new rules can raise the flag); the
sentences are mine."""
from __future__ import annotations

import pytest

from pipeline.rubric.criteria._end_state import EndReader, EndStateParams
from pipeline.rubric.testing import make_conversation, set_reading

COMPLAINT = "买的电饭煲内胆有划痕，太让人生气了"
PRESALE = "这个保温杯有蓝色的吗"
# a put-off, not a red line (forbidden_phrases passes: the default@8 resigned_after rule stays out of it)
PUT_OFF = "已经帮您反馈给仓库了，有结果会通知您"
FIX = "非常抱歉，已经给您安排换新，明天发出，旧的不用寄回"


def _score(rubric, turns, readings):
    """turns: (role, text); readings: {index: P(negative)} for customer turns (≥ 0.5 reads negative in context)."""
    conv = make_conversation([(r, t, 20 * i) for i, (r, t) in enumerate(turns)], run_stages=False)
    for i, m in enumerate(conv.messages):
        if m.role != "customer":
            continue
        neg = readings.get(i, 0.05)
        label = "negative" if neg >= 0.5 else "neutral"
        set_reading(m, label, neg, neg)
        m.state.scores = {"negative": neg, "neutral": 1 - neg, "positive": 0.0}
    rubric.score(conv)
    return [f for f in conv.flags if f.code == "negative_end"]


def _end(rubric, first, agent, last, *, complained=True):
    return _score(rubric, [("customer", first), ("agent", agent), ("customer", last)], {0: 0.97 if complained else 0.05})


@pytest.mark.parametrize("last", ["随便", "那我只能自己再买一个了", "那还能怎么办呢", "无所谓了，就这样"])
def test_giving_up_after_a_refusal_of_a_complaint_ends_negative(rubric, last):
    flags = _end(rubric, COMPLAINT, PUT_OFF, last)
    assert flags and "negative_end.resigned_after_refusal" in flags[0].reason, last


@pytest.mark.parametrize("last", ["行吧，那算了", "那算了，谢谢"])
def test_giving_up_that_opens_by_accepting_or_thanks_stays_calm(rubric, last):
    assert not _end(rubric, COMPLAINT, PUT_OFF, last), last


def test_giving_up_on_a_presale_no_without_a_grievance_stays_calm(rubric):
    assert not _end(rubric, PRESALE, "蓝色的卖完了哦", "那算了", complained=False)


def test_giving_up_words_after_a_fix_stay_calm(rubric):
    assert not _end(rubric, COMPLAINT, FIX, "随便吧")


def test_a_feeling_after_a_contrast_ends_negative_whatever_the_polite_opening(rubric):
    flags = _end(rubric, COMPLAINT, FIX, "好的谢谢，不过说实话挺失望的")
    assert flags and "negative_end.contrast_clause" in flags[0].reason
    flags = _end(rubric, COMPLAINT, FIX, "收到，但是这次体验真的不太好")
    assert flags and "negative_end.contrast_clause" in flags[0].reason


def test_a_question_after_a_contrast_stays_calm(rubric):
    assert not _end(rubric, COMPLAINT, FIX, "好的谢谢，不过颜色能换成白色的吗")


@pytest.mark.parametrize("last", ["好的，我会在评价里如实写的", "知道了，那我申请平台介入", "行，那我走法律途径"])
def test_a_calm_threat_after_a_refusal_ends_negative(rubric, last):
    flags = _end(rubric, COMPLAINT, PUT_OFF, last)
    assert flags and "negative_end.calm_threat" in flags[0].reason, last


@pytest.mark.parametrize("last", ["好的，我会给好评的", "放心，不会写差的评价"])
def test_praise_or_a_denied_threat_is_no_threat(rubric, last):
    assert not _end(rubric, COMPLAINT, FIX, last), last


def test_reviews_quoted_in_a_presale_question_are_no_threat(rubric):
    assert not _end(rubric, PRESALE, "有的亲", "评价里说会掉漆，是真的吗", complained=False)


def test_the_strongest_message_of_the_last_burst_counts(rubric):
    turns = [("customer", COMPLAINT), ("agent", PUT_OFF), ("customer", "你们这样处理真是让人寒心"), ("customer", "好吧")]
    flags = _score(rubric, turns, {0: 0.97, 2: 0.95})
    assert flags and "negative_end.burst_strongest" in flags[0].reason and flags[0].seq == 3


def test_a_burst_closed_by_thanks_or_after_a_fix_stays_calm(rubric):
    turns = [("customer", COMPLAINT), ("agent", PUT_OFF), ("customer", "你们这样处理真是让人寒心"), ("customer", "好的谢谢")]
    assert not _score(rubric, turns, {0: 0.97, 2: 0.95})
    turns = [("customer", COMPLAINT), ("agent", FIX), ("customer", "之前等得真是烦死了"), ("customer", "好吧")]
    assert not _score(rubric, turns, {0: 0.97, 2: 0.95})


def test_a_bare_acknowledgement_after_a_fix_stays_calm(rubric):
    for last in ("好的", "嗯", "没了谢谢"):
        assert not _end(rubric, COMPLAINT, FIX, last), last


def test_every_rule_switches_off(rubric):
    det = next(f for f in rubric.flags if f.code == "negative_end").compiled
    conv = make_conversation([("customer", COMPLAINT, 0), ("agent", PUT_OFF, 20), ("customer", "随便", 40)], run_stages=False)
    assert EndReader(EndStateParams(), det).read(conv, conv.messages[-1], 1) is None
    on = EndReader(EndStateParams(resigned=r"随便"), det).read(conv, conv.messages[-1], 1)
    assert on is not None and on.rule == "negative_end.resigned_after_refusal"


@pytest.mark.parametrize("last", ["行，你们厉害", "好的呢，您说的都对"])
def test_sarcastic_praise_or_assent_after_an_unfixed_complaint_ends_negative(rubric, last):
    flags = _end(rubric, COMPLAINT, PUT_OFF, last)
    assert flags and ("反话式称赞" in flags[0].reason or "无奈的附和" in flags[0].reason), last


def test_the_same_praise_after_a_fix_stays_calm(rubric):
    assert not _end(rubric, COMPLAINT, FIX, "你们真厉害")


OPTIONS = "这款开封了不能退，可以给您换一件同价位的，或者退一半差价，您看选哪个"
SETTLES = "好的，已经给您安排换货了，明天发出"


def test_a_choice_the_agent_then_settles_is_no_negative_end_on_the_model_alone(rubric):
    turns = [("customer", COMPLAINT), ("agent", OPTIONS), ("customer", "那换一件吧"), ("agent", SETTLES)]
    assert not _score(rubric, turns, {0: 0.97, 2: 0.7})


def test_without_the_settling_reply_or_with_an_emotion_word_the_reading_stands(rubric):
    turns = [("customer", COMPLAINT), ("agent", OPTIONS), ("customer", "那换一件吧")]
    assert _score(rubric, turns, {0: 0.97, 2: 0.7})
    turns = [("customer", COMPLAINT), ("agent", OPTIONS), ("customer", "那换一件吧，真失望"), ("agent", SETTLES)]
    assert _score(rubric, turns, {0: 0.97, 2: 0.7})
    turns = [("customer", COMPLAINT), ("agent", OPTIONS), ("customer", "那换一件吧"), ("agent", SETTLES)]
    assert _score(rubric, turns, {0: 0.97, 2: 0.9})  # above settled_below the model's reading stands


def test_a_denied_bad_review_is_reassurance(rubric):
    assert not _end(rubric, COMPLAINT, FIX, "放心，不会给差评的")
    turns = [("customer", COMPLAINT), ("agent", FIX), ("customer", "谢谢，不会给差评的")]
    assert not _score(rubric, turns, {0: 0.97, 2: 0.7})  # the model reads the word 差评; the denial says otherwise


def test_a_denial_beside_another_feeling_or_a_departure_stays_negative(rubric):
    turns = [("customer", COMPLAINT), ("agent", FIX), ("customer", "不会给差评的，但是真的很失望")]
    assert _score(rubric, turns, {0: 0.97, 2: 0.7})
    turns = [("customer", COMPLAINT), ("agent", FIX), ("customer", "不会给差评，以后不会再来了")]
    assert _score(rubric, turns, {0: 0.97, 2: 0.7})


def test_declining_help_then_threatening_is_no_denial(rubric):
    # 不用了 declines the agent's help; the threat after it stands
    assert _end(rubric, COMPLAINT, PUT_OFF, "行 不用了 我给差评去")


def test_giving_up_on_the_goodwill_then_settled_keeps_the_models_reading(rubric):
    # 券就算了: turning down the coupon is no choice among remedies, the settling reply does not make it calm
    turns = [("customer", COMPLAINT), ("agent", OPTIONS), ("customer", "券就算了，退款快点"), ("agent", "退款已经给您提交，原路退回")]
    assert _score(rubric, turns, {0: 0.97, 2: 0.7})


def test_nothing_left_to_say_after_a_put_off_ends_negative(rubric):
    flags = _end(rubric, COMPLAINT, PUT_OFF, "那我还能说什么")
    assert flags and "negative_end.resigned_after_refusal" in flags[0].reason


def test_a_result_not_accepted_after_a_contrast_ends_negative(rubric):
    flags = _end(rubric, COMPLAINT, PUT_OFF, "好的谢谢，不过这个处理结果我不太能接受")
    assert flags and "negative_end.contrast_clause" in flags[0].reason


def test_a_hope_is_no_contrast(rubric):
    # 但愿 hopes, it does not turn (the dev writers read 行吧，希望这次靠谱 calm)
    assert not _end(rubric, COMPLAINT, PUT_OFF, "好，那我等着，但愿这次顺利")


@pytest.mark.parametrize("last", ["所以就是不管了呗", "合着还是我的问题"])
def test_the_refusal_summed_up_and_shrugged_at_ends_negative(rubric, last):
    flags = _end(rubric, COMPLAINT, PUT_OFF, last)
    assert flags and "negative_end.resigned_after_refusal" in flags[0].reason, last


@pytest.mark.parametrize("last", ["那就这样吧", "那只能等了"])
def test_a_neutral_close_or_a_wait_accepted_is_no_giving_up(rubric, last):
    late = "等了一周还没发货，太让人生气了"
    assert not _end(rubric, late, "我这边给您加急，今天一定发出", last), last


SORRY = "真的很抱歉，给您添麻烦了，仓库那边确实爆单了"


@pytest.mark.parametrize("last", ["算了算了，没事的，不怪你们", "哎呀算了，理解你们", "没关系，随便吧，反正不急"])
def test_a_customer_who_forgives_ends_calm_whatever_the_model_reads(rubric, last):
    turns = [("customer", COMPLAINT), ("agent", SORRY), ("customer", last)]
    assert not _score(rubric, turns, {0: 0.97, 2: 0.85}), last


@pytest.mark.parametrize("last", ["不怪你们怪谁", "没事，反正以后也不会再来了"])
def test_blame_kept_or_a_departure_is_no_forgiveness(rubric, last):
    turns = [("customer", COMPLAINT), ("agent", SORRY), ("customer", last)]
    assert _score(rubric, turns, {0: 0.97, 2: 0.85}), last


@pytest.mark.parametrize("last", ["好的，收到货我会去评价的", "评价里说不会掉漆，结果还是掉了一点"])
def test_a_review_promised_or_quoted_is_no_threat(rubric, last):
    found = _end(rubric, COMPLAINT, PUT_OFF, last)
    assert not any("calm_threat" in f.reason for f in found), last
