"""first_response_sla.v1 and response_pace.v1 with the default rubric, one case of the written rule each
(tests/golden/rubric/README.md: the first_response_sla row and the response_pace rule; default@12)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipeline.rubric.testing import make_conversation


@pytest.fixture(scope="module")
def sla(rubric):
    return next(c for c in rubric.criteria if c.id == "first_response_sla")


@pytest.fixture(scope="module")
def pace(rubric):
    return next(c for c in rubric.criteria if c.id == "response_pace")


# ---------------------------------------------------------------- first_response_sla


@pytest.mark.parametrize("wait, status", [(300, "pass"), (301, "fail"), (300.6, "fail")])
def test_sla_limit_is_inclusive(sla, wait, status):
    # "Exactly 300 s passes and 301 s fails"
    assert sla.score(make_conversation([("customer", "在吗", 0), ("agent", "您好", wait)])).status == status


def test_sla_agent_first_passes_whatever_comes_after(sla, pace):
    # "If the agent wrote first (a proactive message) and the customer only replied after it, the customer never
    # waited, so the label is `pass`" — even when the customer then asks and the next reply is late or missing;
    # response_pace times those messages
    late = [("agent", "您好，您的订单已发货", 0), ("customer", "什么时候能到", 60), ("agent", "预计明天", 2000)]
    result = sla.score(make_conversation(late))
    assert result.status == "pass" and result.evidence[0].rule == "first_response_sla.agent_initiated"
    assert pace.score(make_conversation(late)).status == "fail"
    unanswered = late[:2]
    assert sla.score(make_conversation(unanswered)).status == "pass"
    assert pace.score(make_conversation(unanswered)).status == "fail"


def test_sla_system_and_bot_rows_do_not_answer(sla):
    # "A bot reply does not stop the clock"; system rows never answer
    turns = [("customer", "在吗", 0), ("bot", "您好，智能助手为您服务", 2), ("system", "已为您转接人工", 3), ("agent", "您好", 400)]
    assert sla.score(make_conversation(turns)).status == "fail"


def test_sla_compares_absolute_instants_across_midnight_and_offsets(sla):
    # "Timestamps are compared as absolute instants, so crossing midnight or a `+00:00` offset makes no difference"
    conv = make_conversation([("customer", "在吗", 0), ("agent", "您好", 0)],
                             start=datetime(2026, 10, 3, 23, 58, tzinfo=timezone(timedelta(hours=8))))
    conv.messages[1].timestamp = datetime(2026, 10, 3, 16, 2, tzinfo=timezone.utc)  # 00:02 +08:00: 240 s later
    assert sla.score(conv).status == "pass"
    conv.messages[1].timestamp = datetime(2026, 10, 3, 16, 4, tzinfo=timezone.utc)  # 360 s later
    assert sla.score(conv).status == "fail"


def test_sla_out_of_service_hours_still_count(sla):
    # the written rule has no service hours: a question at 23:00 answered at 09:00 waited ten hours
    conv = make_conversation([("customer", "在吗", 0), ("agent", "您好", 10 * 3600)],
                             start=datetime(2026, 10, 3, 23, 0, tzinfo=timezone(timedelta(hours=8))))
    assert sla.score(conv).status == "fail"


# ---------------------------------------------------------------- response_pace


def test_pace_fails_without_a_human_agent_even_on_acknowledgements(pace):
    # rule 3: "`fail` below that, including any conversation with no human agent"; the acknowledgement exception is
    # for messages "after the last human-agent message", and there is none
    result = pace.score(make_conversation([("customer", "好的", 0), ("bot", "感谢您的咨询", 2)]))
    assert result.status == "fail" and result.evidence[0].rule == "response_pace.no_agent"


def test_pace_exactly_eighty_percent_passes(pace):
    # rule 3: "`pass` when answered-in-time / counted ≥ 0.8 (exactly 80 % passes)"
    def turns(n: int, late: int) -> list:
        out = []
        for i in range(n):
            out += [("customer", f"问题{i}", i * 1000), ("agent", "好的", i * 1000 + (400 if i < late else 10))]
        return out

    for n in (5, 10, 15, 20):
        assert pace.score(make_conversation(turns(n, n // 5))).status == "pass", n
        assert pace.score(make_conversation(turns(n, n // 5 + 1))).status == "fail", n


def test_pace_each_message_of_a_burst_from_its_own_timestamp(pace):
    # rule 2: "Each of several consecutive customer messages is timed from its own timestamp"
    turns = [("customer", "在吗", 0), ("customer", "这个", 100), ("customer", "有货吗", 250), ("agent", "您好 有的", 350),
             ("customer", "红色呢", 400), ("agent", "也有", 420)]
    assert pace.score(make_conversation(turns)).status == "fail"  # 3 of 4: the first waited 350 s
    turns[3] = ("agent", "您好 有的", 300)
    assert pace.score(make_conversation(turns)).status == "pass"


def test_pace_bot_and_system_rows_never_answer(pace):
    turns = [("customer", "在吗", 0), ("agent", "您好", 10), ("customer", "发货了吗", 20), ("bot", "已发货", 25),
             ("system", "客服已转接", 30), ("agent", "发了", 400)]
    assert pace.score(make_conversation(turns)).status == "fail"


def test_pace_a_transfer_any_human_agent_answers(pace):
    turns = [("customer", "在吗", 0), ("agent", "您好", 10, "A01"), ("system", "转接", 20), ("customer", "我要退货", 30),
             ("agent", "您好，我来处理", 100, "A02")]
    assert pace.score(make_conversation(turns)).status == "pass"


def test_pace_acknowledgements_before_the_last_agent_message_count(pace):
    # rule 1: only messages "after the last human-agent message" may be left out
    turns = [("customer", "在吗", 0), ("agent", "您好", 10), ("customer", "好的", 20), ("agent", "还有别的吗", 1000),
             ("customer", "没了", 1010)]
    assert pace.score(make_conversation(turns)).status == "fail"


BASE = [("customer", "在吗", 0), ("agent", "您好", 10)]


@pytest.mark.parametrize(
    "last",
    [
        # the rule's own examples
        "好的", "好的谢谢", "嗯嗯", "行", "好吧", "没了", "知道了", "收到", "[再见]",
        # emoji with skin tones and variation selectors are no words
        "好的👌🏻", "谢谢🙏🏻", "👍🏻", "好的❤️", "[表情]", "[微笑]",
        # thanks, understanding, a done action, going off to wait or try, a farewell or wish, in other words
        "好的，谢谢你的耐心解答", "好嘞，辛苦小姐姐啦", "明白啦，感谢", "懂了懂了", "好的我知道怎么操作了", "哦哦 原来如此",
        "好的，已确认收货", "拍好了", "没事了，我自己解决了", "嗯嗯 好的 那我等快递", "好的 我先去试试",
        "嗯嗯，那我明天再看看物流", "好的 我知道了 拜拜", "好的 祝你生活愉快", "你也是", "thanks", "3q",
        # a confirmation, nothing more needed, relief, a step about to be taken, leaving
        "对的", "地址没问题", "妥了", "没别的了", "暂时没有了", "太好了", "那我放心了", "好的 我晚点下单", "收到货我再看看",
        "好的 我先下线了", "会回购的", "太感谢了",
    ],
)
def test_pace_trailing_acknowledgements_need_no_answer(pace, last):
    # rule 1: "left out when they are pure acknowledgements that need no answer"
    assert pace.score(make_conversation(BASE + [("customer", last, 20)])).status == "pass", last


@pytest.mark.parametrize(
    "last",
    [
        # the rule's own examples: "A trailing message that asks something or complains … counts, and it is unanswered"
        "发票怎么开？", "那我找平台投诉了", "什么态度！",
        # questions without a question mark, requests, complaints and faults behind an acknowledgement
        "谢谢 什么时候发货", "谢谢，能开发票吗", "好的 那运费谁出", "懂了，那换一个吧", "行，那就退货吧", "谢谢，帮我备注一下",
        "已经收到了 但是坏了", "我试过了还是不行", "我等了三天了", "我看不到物流", "那我等多久", "谢谢你们的垃圾服务",
        "好的 那我去投诉了", "人呢", "客服？", "呵呵 好的", "呵呵 等着吧",
        # a picture may be a question: empty text, or an export's placeholder for it
        "", "[图片]", "[商品链接]", "[视频]",
    ],
)
def test_pace_trailing_questions_and_complaints_count(pace, last):
    assert pace.score(make_conversation(BASE + [("customer", last, 20)])).status == "fail", last
