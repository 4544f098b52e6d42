"""greeting.v1 with the default rubric: equivalent openers get the same verdict (issue 13, mechanism 6)."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


@pytest.fixture(scope="module")
def greeting(rubric):
    return next(c for c in rubric.criteria if c.id == "greeting")


def _first(criterion, text):
    return criterion.score(make_conversation([("customer", "在吗", 0), ("agent", text, 20)]))


@pytest.mark.parametrize(
    "opener",
    [
        "请问有什么可以帮您",
        "有什么问题我可以帮您处理或解决呢?",  # a platform's standard opener
        "有什么需要我帮忙的吗",
        "请问您需要咨询什么呢",
        "我能为您做些什么？",
        "有什么能为您效劳的",
        "需要什么帮助吗",
        "很乐意为您解答",
    ],
)
def test_offers_of_help_are_greetings(greeting, opener):
    res = _first(greeting, opener)
    assert res.status == "pass", opener
    assert res.evidence[0].span is not None


@pytest.mark.parametrize("text", ["帮您查一下物流", "订单号发一下", "稍等", "已经发货了"])
def test_non_greetings_still_fail(greeting, text):
    assert _first(greeting, text).status == "fail", text


@pytest.fixture(scope="module")
def closing(rubric):
    return next(c for c in rubric.criteria if c.id == "closing")


def _last(criterion, text):
    return criterion.score(make_conversation([("customer", "好的 知道了", 0), ("agent", text, 20)]))


# Word order must not decide the verdict: 还有其他什么 and 还有什么其他 are the same closing question.
@pytest.mark.parametrize(
    "closer",
    ["请问还有什么可以帮您的吗", "请问还有其他什么可以帮您的吗", "还有什么其他问题吗", "您还需要其他什么帮助吗", "还需要什么别的服务吗"],
)
def test_closing_questions_pass_in_either_word_order(closing, closer):
    assert _last(closing, closer).status == "pass", closer


@pytest.mark.parametrize("text", ["已经帮您改好地址了", "这个颜色还有货"])
def test_statements_are_no_closing(closing, text):
    assert _last(closing, text).status == "fail", text


# default@10 (listen6): equivalent openers and closings (mechanism 6); a bare 在 greets only in answer to 在吗


@pytest.mark.parametrize(
    "opener",
    ["各位晚上好～今天的福利款都在购物车哦", "老铁们好，这款在的", "宝子 这个色号今天刚补货", "哈啰，看中哪款啦", "早晨～呢款仲有货",
     "请问您碰到什么麻烦了呢？我帮您看看"],
)
def test_default10_group_greetings_pet_names_and_morning_greet(greeting, opener):
    assert _first(greeting, opener).status == "pass", opener


@pytest.mark.parametrize("text", ["早晨发的货，今天能到", "这批货大家都说好"])
def test_default10_morning_and_everyone_inside_a_statement_do_not_greet(greeting, text):
    assert _first(greeting, text).status == "fail", text


@pytest.mark.parametrize(
    "asked,status",
    [("在吗", "pass"), ("你好，有人吗？", "pass"), ("客服还在吗", "pass"), ("人工", "pass"), ("这台二手相机还在吗", "fail"), ("那套茶具还在不在", "fail")],
)
def test_default10_a_bare_zai_answering_whether_a_thing_is_still_there_is_no_greeting(greeting, asked, status):
    conv = make_conversation([("customer", asked, 0), ("agent", "在", 20)])
    assert greeting.score(conv).status == status, asked


def test_default10_zai_with_a_particle_greets_after_any_question(greeting):
    conv = make_conversation([("customer", "这台二手相机还在吗", 0), ("agent", "在的亲", 20)])
    assert greeting.score(conv).status == "pass"


@pytest.mark.parametrize("closer", ["有别的问题再来找我哈", "后面有其它疑问可以联系客服", "很高兴这次能帮上忙，下次有机会再为您服务"])
def test_default10_other_questions_and_hoping_to_serve_again_close(closing, closer):
    assert _last(closing, closer).status == "pass", closer


@pytest.mark.parametrize("text", ["这个问题我再帮您问问", "有其他颜色，您看下链接"])
def test_default10_a_question_still_open_is_no_closing(closing, text):
    assert _last(closing, text).status == "fail", text


@pytest.mark.parametrize(
    "text,status",
    [
        ("亲，这款是纯棉的", "pass"),
        ("嗯嗯，亲，您说", "pass"),
        ("这款是纯棉的，洗了也不起球的亲", "fail"),  # the address comes after the answer
        ("好的，已经加急了，麻烦亲爱的耐心等下", "fail"),
    ],
)
def test_default10_an_address_greets_where_it_opens_the_message(greeting, text, status):
    assert _first(greeting, text).status == status, text


@pytest.mark.parametrize("text,status", [("运费满59包邮，请问还有什么可以帮到您", "fail"), ("是碰到什么情况了呀？", "pass")])
def test_default10_anything_else_is_a_closing_question_and_asking_the_trouble_greets(greeting, text, status):
    assert _first(greeting, text).status == status, text


# default@12 (script7): the written rules' classes in any words (tests/golden/rubric/README.md) — greeting "equivalents
# such as 早上好, hello亲"; closing "asks whether anything else is needed, thanks the customer, wishes them well (祝您…,
# 早点休息), or invites them back"


@pytest.mark.parametrize(
    "opener",
    [
        "欢迎您", "欢迎光顾小店", "欢迎欢迎", "早呀", "新年好！", "Good morning", "妳好", "哈咯", "来啦来啦", "我在的",
        "我是客服小李，请讲", "我是3号客服小美，很高兴认识您", "客服小美在线为您解答", "您请说", "尊敬的客户，您的订单已发货",
    ],
)
def test_default12_welcomes_hellos_and_platform_openers_greet(greeting, opener):
    assert _first(greeting, opener).status == "pass", opener


@pytest.mark.parametrize(
    "text",
    ["请问，订单号是多少", "您号码是多少", "您的订单已发货，尊敬的客户请注意查收", "嘿嘿，这个没货了", "国庆好多人，发货慢", "早上发的货", "来的路上了", "我在查，稍等", "这里是售后入口", "客服这边帮您看一下"],
)
def test_default12_the_same_words_inside_an_answer_do_not_greet(greeting, text):
    assert _first(greeting, text).status == "fail", text


@pytest.mark.parametrize(
    "closer",
    [
        # wishes and care
        "早点休息", "天冷注意保暖", "路上小心", "新年快乐", "玩得开心", "祝老板生意兴隆", "顺祝商祺", "Have a nice day",
        # inviting back
        "欢迎常来", "欢迎再次光顾", "下次见", "有事随时喊我", "有啥事再叫我", "不懂的再问我", "随时恭候", "如有疑问请随时与我们联系",
        "请您对本次服务做出评价", "愿您生活愉快", "希望您喜欢",
        # anything else?
        "还有吗", "还有别的吗", "还有哪里不清楚的吗", "还有不明白的地方吗", "其他的还有吗",
        # thanks in other registers, leave-taking
        "谢啦", "感恩", "3q", "辛苦您了", "麻烦您了", "唔该晒", "比心", "拜啦", "那您先忙",
    ],
)
def test_default12_closings_in_other_words_and_registers(closing, closer):
    assert _last(closing, closer).status == "pass", closer


@pytest.mark.parametrize(
    "text",
    ["我们随时发货", "这款回购率很高", "祝福卡可以免费写", "还有3天到呢", "辛苦您提供一下订单号", "麻烦您提供一下订单号", "祝福语卡片可以免费写",
     "其他的还要等仓库确认", "您忙完了回复我一下", "还有一件在路上", "希望您尽快提供单号", "请您先评估一下"],
)
def test_default12_the_same_words_in_a_plain_answer_do_not_close(closing, text):
    assert _last(closing, text).status == "fail", text
