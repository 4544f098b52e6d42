"""Behaviour of the built-in criteria, on hand-built conversations (not the golden set)."""
from __future__ import annotations

import pytest

from pipeline.rubric import CRITERIA
from pipeline.rubric.testing import make_conversation


def score(criterion_type: str, turns, **params):
    cls = CRITERIA[criterion_type]
    criterion = cls(params=cls.Params(**params)) if params else cls()
    return criterion.score(make_conversation(turns))


def status(criterion_type: str, turns, **params) -> str:
    return score(criterion_type, turns, **params).status


def spans(result):
    return [(e.seq, e.text[e.span[0] : e.span[1]], e.rule) for e in result.evidence if e.span]


# ---------------------------------------------------------------- greeting / closing


@pytest.mark.parametrize(
    "first_agent_text, expected",
    [
        ("您好，很高兴为您服务", "pass"),
        ("亲，在的哦", "pass"),
        ("在的亲，请问有什么可以帮您", "pass"),
        ("哈喽～欢迎光临小店", "pass"),
        ("Hi，有什么需要吗", "pass"),
        ("您好呀😊", "pass"),
        ("請問有什麼可以幫您", "pass"),
        ("亲自给您发货", "fail"),
        ("这款是双人的", "fail"),
        ("稍等", "fail"),
    ],
)
def test_greeting_first_human_message(first_agent_text, expected):
    turns = [("customer", "这个有货吗", 0), ("agent", first_agent_text, 20), ("agent", "您好", 30)]
    assert status("greeting.v1", turns) == expected


def test_bot_greeting_does_not_count_for_agent():
    turns = [("customer", "在吗", 0), ("bot", "您好，欢迎光临！", 1), ("agent", "这个有货", 40)]
    result = score("greeting.v1", turns)
    assert result.status == "fail"
    assert result.evidence[0].seq == 3 and result.evidence[0].span is None  # where it was expected


def test_greeting_evidence_points_into_text_as_shown():
    result = score("greeting.v1", [("customer", "在嗎", 0), ("agent", "[微笑]親，您好", 20)])
    assert result.status == "pass"
    (seq, shown, rule), = spans(result)[:1]
    assert seq == 2 and shown in ("親", "您好") and rule == "greeting.lexicon"


def test_greeting_no_human_agent_fails_but_empty_conversation_na():
    assert status("greeting.v1", [("customer", "在吗", 0), ("bot", "您好", 1)]) == "fail"
    assert status("greeting.v1", []) == "na"


@pytest.mark.parametrize(
    "last_texts, expected",
    [
        (["好的，已经改好了", "请问还有其他可以帮您的吗？"], "pass"),
        (["感谢您的耐心等待", "好的"], "pass"),
        (["祝您周末愉快～", "嗯"], "pass"),
        (["有问题随时找我哦", "好"], "pass"),
        (["好的", "直接拍就行"], "fail"),
    ],
)
def test_closing_last_two_agent_messages(last_texts, expected):
    turns = [("customer", "在吗", 0), ("agent", "您好", 10), ("customer", "改地址", 20)]
    turns += [("agent", t, 30 + i) for i, t in enumerate(last_texts)]
    assert status("closing.v1", turns) == expected


def test_closing_earlier_courtesy_outside_window_fails():
    turns = [
        ("customer", "在吗", 0), ("agent", "请问还有其他可以帮您的吗", 10), ("customer", "有", 20),
        ("agent", "这款偏大", 30), ("agent", "直接拍就行", 40), ("bot", "感谢光临，再见", 50),
    ]
    result = score("closing.v1", turns)
    assert result.status == "fail" and result.evidence[0].seq == 5


# ---------------------------------------------------------------- empathy


NEG = ("customer", "等了三天还没发货，真的很失望", 0)


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("非常抱歉给您带来不便", "pass"),
        ("让您久等了，我马上查", "pass"),
        ("我非常理解您现在的心情", "pass"),
        ("换做是我也会着急的", "pass"),
        ("搁谁都膈应，实在对不住", "pass"),
        ("真是过意不去，耽误您用了", "pass"),
        ("這事確實挺讓人鬧心的", "pass"),
        ("我不是不理解您，但是没办法", "fail"),  # negation + contrast
        ("我理解，但规定就是规定", "fail"),  # contrast without an offer
        ("我不理解您为什么生气", "fail"),  # negated
        ("您说“非常抱歉”有什么用是吧", "fail"),  # quoting
        ("理解理解理解，呵呵", "fail"),  # sarcasm
        ("请提供订单号", "fail"),
    ],
)
def test_empathy_after_negative_message(reply, expected):
    assert status("empathy.v1", [NEG, ("agent", reply, 30)]) == expected


def test_empathy_contrast_with_offer_still_counts():
    assert status("empathy.v1", [NEG, ("agent", "非常抱歉，不过我们可以给您补发", 30)]) == "pass"


def test_empathy_na_without_negative_emotion_and_guarded_cues():
    calm = [("customer", "不着急，慢慢来，我不生气", 0), ("agent", "好的", 20)]
    assert status("empathy.v1", calm) == "na"
    assert status("empathy.v1", [("customer", "这个垃圾袋多厚", 0), ("agent", "2丝", 20)]) == "na"


def test_empathy_uses_sentiment_label_when_present():
    turns = [("customer", "嗯，这个样子了", 0, "negative"), ("agent", "抱歉给您添麻烦了", 20)]
    result = score("empathy.v1", turns)
    assert result.status == "pass"
    assert result.evidence[0].rule == "empathy.trigger.sentiment"


def test_empathy_sentiment_threshold_and_question_guard():
    from pipeline.conversation import Sentiment

    conv = make_conversation([("customer", "嗯，这个样子了", 0), ("agent", "抱歉给您添麻烦了", 20)])
    conv.messages[0].sentiment = Sentiment("negative", {"negative": 0.6, "neutral": 0.3, "positive": 0.1})
    assert CRITERIA["empathy.v1"]().score(conv).status == "na"  # not confident enough for an emotion
    conv = make_conversation([("customer", "冷冻还是冷鲜？", 0, "negative"), ("agent", "冷鲜", 20)])
    assert CRITERIA["empathy.v1"]().score(conv).status == "na"  # a plain question is not an emotion
    conv = make_conversation([("customer", "怎么还没发货？气死了", 0, "negative"), ("agent", "在查", 20)])
    assert CRITERIA["empathy.v1"]().score(conv).status == "fail"


def test_empathy_before_negative_message_does_not_count():
    turns = [("customer", "在吗", 0), ("agent", "您好，抱歉久等", 20), ("customer", "怎么还没发货，太差了", 40), ("agent", "今天发", 60)]
    assert status("empathy.v1", turns) == "fail"


def test_empathy_bot_apology_does_not_count():
    turns = [NEG, ("bot", "非常抱歉给您带来不便", 1), ("agent", "订单号多少", 40)]
    assert status("empathy.v1", turns) == "fail"


def test_empathy_similarity_rule_named():
    result = score("empathy.v1", [NEG, ("agent", "给您造成这么多困扰，真的实在抱歉", 30)])
    assert result.status == "pass"
    rules = {e.rule for e in result.evidence}
    assert rules & {"empathy.lexicon", "empathy.cue", "empathy.similarity"}


# ---------------------------------------------------------------- forbidden phrases


@pytest.mark.parametrize(
    "agent_text, expected",
    [
        ("不知道", "fail"),
        ("这个我也没办法", "fail"),
        ("这事儿不归我们这边管", "fail"),
        ("你自己看详情页吧", "fail"),
        ("这是规定", "fail"),
        ("我已经说过了", "fail"),
        ("你听不懂吗", "fail"),
        ("爱买不买", "fail"),
        ("随便你", "fail"),
        ("快递的问题跟我们无关", "fail"),
        ("這個不歸我管", "fail"),
        ("跟我们店没关系", "fail"),
        ("不知道您方便拍一下照片吗", "pass"),  # polite question
        ("不知道亲这边还需要什么", "pass"),
        ("您说“没办法”是指哪一步呢", "pass"),  # quoting the customer
        ("之前同事回复“不归我管”，非常抱歉，我来处理", "pass"),  # quoting a colleague
        ("不是没有办法，我帮您申请", "pass"),
        ("按平台规定，7天内可以无理由退货", "pass"),
        ("好的，这就帮您处理", "pass"),
    ],
)
def test_forbidden_phrases(agent_text, expected):
    turns = [("customer", "你好", 0), ("agent", agent_text, 20)]
    result = score("forbidden_phrases.v1", turns)
    assert result.status == expected, spans(result)


def test_customer_saying_taboo_does_not_count():
    turns = [("customer", "你们是不是想说不知道、不归我管？", 0), ("agent", "您好，我来帮您查", 20)]
    assert status("forbidden_phrases.v1", turns) == "pass"


def test_forbidden_evidence_spans_traditional_text():
    result = score("forbidden_phrases.v1", [("customer", "在嗎", 0), ("agent", "規定就是規定", 20)])
    assert result.status == "fail"
    assert spans(result)[0][1] == "規定就是規定"


# ---------------------------------------------------------------- timing


def test_first_response_sla_boundaries():
    at = lambda s: [("customer", "在吗", 0), ("agent", "您好", s)]  # noqa: E731
    assert status("first_response_sla.v1", at(300)) == "pass"
    result = score("first_response_sla.v1", at(301))
    assert result.status == "fail" and "首次响应 301 秒，超过 300 秒" in result.evidence[0].note
    assert status("first_response_sla.v1", at(200), threshold_seconds=120) == "fail"


def test_first_response_bot_does_not_stop_the_clock():
    turns = [("customer", "在吗", 0), ("bot", "您好，智能助手为您服务", 5), ("agent", "您好", 400)]
    assert status("first_response_sla.v1", turns) == "fail"


def test_first_response_no_human_agent_fails():
    result = score("first_response_sla.v1", [("customer", "在吗", 0), ("bot", "您好", 5)])
    assert result.status == "fail" and result.evidence[0].rule == "first_response_sla.no_reply"


def test_first_response_picture_starts_the_clock():
    turns = [("customer", "", 0), ("customer", "这个破了", 60), ("agent", "您好", 320)]
    assert status("first_response_sla.v1", turns) == "fail"


def test_first_response_agent_initiated_chat():
    turns = [("agent", "您好，您咨询的商品到货了", 0), ("customer", "好的谢谢", 40)]
    assert status("first_response_sla.v1", turns) == "pass"
    assert status("response_pace.v1", turns) == "na"


def test_first_response_no_customer_na():
    assert status("first_response_sla.v1", [("agent", "您好", 0)]) == "na"


def test_response_pace_burst_answered_by_one_reply():
    turns = [
        ("customer", "国行吗", 0), ("customer", "生产日期呢", 200), ("customer", "保质期多久", 380),
        ("agent", "您好，国行，8月产，保质期两年", 400),
        ("customer", "好，下单", 430), ("agent", "感谢支持", 440),
    ]
    # each message timed on its own: 400 s (late), 200 s, 20 s, 10 s -> 3/4 = 75 %
    assert status("response_pace.v1", turns) == "fail"
    assert status("response_pace.v1", turns, min_share=0.75) == "pass"
    assert status("response_pace.v1", turns, min_share=0.75, measure_from="burst_start") == "fail"


def test_response_pace_trailing_messages():
    base = [("customer", "色温能调吗", 0), ("agent", "可以的", 20), ("customer", "好", 40), ("agent", "祝您生活愉快", 50)]
    assert status("response_pace.v1", base + [("customer", "好的谢谢👍", 60)]) == "pass"
    assert status("response_pace.v1", base + [("customer", "[再见]", 60)]) == "pass"
    assert status("response_pace.v1", base + [("customer", "对了，发票怎么开？", 60)]) == "fail"
    assert status("response_pace.v1", base + [("customer", "对了，发票怎么开？", 60)], trailing="ignore") == "pass"


@pytest.mark.parametrize("last", ["好嘞 谢谢您啦", "多謝晒 唔該", "嗯嗯 我去试试", "辛苦你了老板"])
def test_response_pace_trailing_thanks_to_the_agent_cantonese_and_trying_need_no_answer(last):
    """default@7: thanks addressed to the agent (with a name), Cantonese thanks, going off to try."""
    base = [("customer", "色温能调吗", 0), ("agent", "可以的", 20), ("customer", "好", 40), ("agent", "祝您生活愉快", 50)]
    assert status("response_pace.v1", base + [("customer", last, 60)]) == "pass", last
    assert status("response_pace.v1", base + [("customer", "老板 这个能便宜点吗", 60)]) == "fail"


@pytest.mark.parametrize("last", ["好8", "嗯 那我自己选吧", "行吧 我自己再看看"])
def test_response_pace_trailing_own_decision_and_8_for_ba_need_no_answer(last):
    """default@10 (judge5): deciding on one's own after an answer, and 8 for 吧 / 拜 in chat."""
    base = [("customer", "蓝的绿的哪个好", 0), ("agent", "都挺好看的", 20), ("customer", "哦", 40), ("agent", "有需要再找我", 50)]
    assert status("response_pace.v1", base + [("customer", last, 60)]) == "pass", last
    assert status("response_pace.v1", base + [("customer", "那我自己选 能送到8号楼吗", 60)]) == "fail"


def test_response_pace_transfer_counts_any_human_agent():
    turns = [
        ("customer", "在吗", 0), ("agent", "您好，帮您转售后", 20, "A01"), ("system", "会话已转接", 25),
        ("customer", "好", 30), ("agent", "您好，我是售后", 90, "A02"),
    ]
    assert status("response_pace.v1", turns) == "pass"


# ---------------------------------------------------------------- active listening, time, framing


def test_active_listening_only_in_after_sales():
    presale = [("customer", "质量怎么样", 0), ("agent", "挺好的", 20)]
    assert status("active_listening.v1", presale) == "na"
    after = [("customer", "收到的杯子碎了，想退款", 0), ("agent", "好的", 20)]
    assert status("active_listening.v1", after) == "fail"
    confirm = [("customer", "收到的杯子碎了，想退款", 0), ("agent", "跟您确认一下，是蓝色那只杯子碎了对吗？", 20)]
    assert status("active_listening.v1", confirm) == "pass"
    shouhuo = [("customer", "我要退货", 0), ("agent", "请先确认收货", 20)]
    assert status("active_listening.v1", shouhuo) == "fail"


@pytest.mark.parametrize(
    "agent_text, expected",
    [
        ("我帮您反馈给仓库，24小时内给您回复", "pass"),
        ("已经提交售后，1-3个工作日内处理完", "pass"),
        ("我登记一下，明天下午给您答复", "pass"),
        ("我帮您反馈一下，尽快给您答复", "fail"),  # vague
        ("已帮您反馈给仓库，有结果再通知您", "fail"),
        ("您可以直接在订单里申请退款", "na"),  # the customer acts, nothing handed on
        ("这款是纯棉的", "na"),
    ],
)
def test_time_commitment(agent_text, expected):
    assert status("time_commitment.v1", [("customer", "少发了一个配件", 0), ("agent", agent_text, 20)]) == expected


def test_time_commitment_vague_accepted_when_configured():
    turns = [("customer", "少发了", 0), ("agent", "帮您反馈了，尽快回复您", 20)]
    assert status("time_commitment.v1", turns, accept_vague=True) == "pass"


@pytest.mark.parametrize(
    "agent_texts, expected",
    [
        (["赠品已经送完了，不过可以给您一张优惠券"], "pass"),
        (["今天发不了了", "不过您可以选顺丰加急，明天就到"], "pass"),
        (["虽然不能退，但是我们可以帮您换一个其他颜色"], "pass"),
        (["专票开不了"], "fail"),
        (["不能改价的亲", "还有其他问题可以随时问我哦"], "fail"),
        (["仅退款不行"], "fail"),
        (["可以的，直接拍"], "na"),
        # default@12: the decline model (zh-cs-declines@1) reads the question echoed before the grant as declining with an
        # alternative (P 0.84) — a known limit of its character n-grams (model card)
        pytest.param(["能不能用优惠券？可以的"], "na", marks=pytest.mark.xfail(strict=True, reason="zh-cs-declines@1 misreads it")),
    ],
)
def test_positive_framing(agent_texts, expected):
    turns = [("customer", "能便宜点吗", 0)] + [("agent", t, 20 + i) for i, t in enumerate(agent_texts)]
    assert status("positive_framing.v1", turns) == expected


def test_long_pasted_text_stays_cheap(rubric):
    import time

    wall = ("这个问题我们已经帮您处理了您好亲谢谢快递规定" * 700)[:10000]
    conv = make_conversation([("customer", "气死了" + wall, 0), ("agent", wall, 30)])
    # A guard against quadratic blow-ups (a criterion re-scanning the text per character), not a speed target:
    # CPU seconds, which other processes on a busy machine do not inflate as they do wall time, and a bound
    # ~14x what it costs (0.35 CPU s measured); a quadratic criterion on 10,000 characters takes far longer.
    start = time.process_time()
    rubric.score(conv)
    assert time.process_time() - start < 5.0
    for result in conv.criteria.values():
        for ev in result.evidence:
            if ev.span:
                assert 0 <= ev.span[0] <= ev.span[1] <= len(ev.text)


def test_out_of_order_and_naive_timestamps():
    from datetime import datetime

    turns = [("customer", "在吗", 100), ("agent", "您好", 50)]  # agent clock behind: waited 0 s, not negative
    assert status("first_response_sla.v1", turns) == "pass"
    conv = make_conversation([("customer", "在吗", 0), ("agent", "您好", 30)])
    conv.messages[1].timestamp = datetime(2026, 10, 3, 14, 0, 30)  # naive
    assert CRITERIA["first_response_sla.v1"]().score(conv).status == "pass"
