"""Other people's styles: slang, emoji, traditional characters, typos, English mixed in."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


def judge(rubric, criterion_id, turns):
    return rubric.criterion(criterion_id).score(make_conversation(turns)).status


@pytest.mark.parametrize(
    "text, expected",
    [("哈喽亲亲～这边是小店客服", "pass"), ("亲爱滴，在呢", "pass"), ("嗨嗨，有啥能帮您", "pass"), ("Hello亲", "pass"),
     ("在哒在哒", "pass"), ("親愛的您好", "pass"), ("您号～有的", "pass"), ("这款卖完了", "fail"), ("收到，马上查", "fail")],
)
def test_greeting_styles(rubric, text, expected):
    assert judge(rubric, "greeting", [("customer", "在吗", 0), ("agent", text, 20)]) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("有啥问题再戳我哈", "pass"), ("那就先这样，拜拜啦", "pass"), ("祝您用得开心～", "pass"), ("謝謝您，祝您愉快", "pass"),
     ("麻烦给个五星好评哦", "pass"), ("好的，已发货", "fail"), ("嗯", "fail")],
)
def test_closing_styles(rubric, text, expected):
    turns = [("customer", "在吗", 0), ("agent", "您好", 10), ("customer", "好的", 20), ("agent", text, 30)]
    assert judge(rubric, "closing", turns) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("跟您核对下收件信息：张先生，尾号5678，对吧", "pass"), ("我确认下哈，是黑色42码那双鞋吧？", "pass"),
     ("您反馈的是屏幕有坏点这个问题对吧", "pass"), ("我理解下您的意思，是要换货不是退货对吗", "pass"), ("已经帮您退了", "fail")],
)
def test_active_listening_styles(rubric, text, expected):
    assert judge(rubric, "active_listening", [("customer", "收到的显示器有坏点，想换货", 0), ("agent", text, 20)]) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("帮您提交了售后，48h内会有人联系您", "pass"), ("已经反馈给仓库了，本周五前给您答复", "pass"), ("已转给技术同事，下午三点前回您", "pass"),
     ("已經幫您提交，三個工作日內處理", "pass"), ("帮您催一下快递，明早给您回复", "pass"), ("帮您报给厂家了，等消息吧", "fail"),
     ("反馈上去了，有消息第一时间告诉您", "fail")],
)
def test_time_commitment_styles(rubric, text, expected):
    assert judge(rubric, "time_commitment", [("customer", "快递丢了", 0), ("agent", text, 20)]) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("这个真没法改价，送您个小礼物吧", "pass"), ("不支持货到付款，可以用花呗分期", "pass"), ("这个颜色卖完了，白色还有，要不要看看", "pass"),
     ("不能指定快递哦，不过可以备注尽量发顺丰", "pass"), ("价格改不了哦", "fail"), ("退不了哈，已经超过七天了", "fail"), ("无法开专票", "fail")],
)
def test_positive_framing_styles(rubric, text, expected):
    assert judge(rubric, "positive_framing", [("customer", "能改价吗", 0), ("agent", text, 20)]) == expected
