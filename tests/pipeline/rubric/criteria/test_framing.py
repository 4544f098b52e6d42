"""positive_framing.v1: a denied refusal word is no refusal, a negated alternative is no alternative (rubric default@7).

The sentences are written for these tests, not taken from any training file or held-out set."""
from __future__ import annotations

import pytest

from pipeline.rubric import CRITERIA
from pipeline.rubric.testing import make_conversation


def _rule():
    """The criterion's word lists alone: these tests pin the rule's readings; the decline model's layer (default@12)
    is tested in test_framing_declines.py."""
    crit = CRITERIA["positive_framing.v1"]()
    crit.params.declines = crit.params.declines.model_copy(update={"enabled": False})
    return crit


def _score(*agent_texts: str, **params):
    crit = _rule()
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


# default@9: a refusal without a refusal word is one when it answers the customer's request (issue 13)
def _answer(customer: str, *agent_texts: str):
    crit = _rule()
    turns = [("customer", customer, 0)] + [("agent", t, 30 + 10 * i) for i, t in enumerate(agent_texts)]
    return crit.score(make_conversation(turns))


@pytest.mark.parametrize(
    ("customer", "reply"),
    [
        ("包裹能帮我截回来吗 地址写错了", "已经在派送途中了，这个我们动不了的呢"),
        ("外包装有点瘪，能补偿点吗", "外包装压痕不赔的哦"),
        ("尺码不合适想退，运费你们出吗", "非质量问题的话，运费需要您自理哦"),
        ("满减券昨天过期了，还能用吗", "活动过了就是过了哈"),
        ("能不能先发新的给我", "这个我们也没有办法的"),
        ("颜色跟图片不一样 想退货 你们包运费吗", "轻微色差不属于质量问题的"),
        ("刚下的单可以取消吗", "亲，已经出库了取消不了哦"),
    ],
)
def test_a_bare_refusal_of_a_request_fails(customer, reply):
    res = _answer(customer, reply)
    assert res.status == "fail", reply
    assert any(f"seq 1" in (e.note or "") for e in res.evidence), [e.note for e in res.evidence]


@pytest.mark.parametrize(
    ("customer", "reply"),
    [
        ("刚下的单可以取消吗", "亲，已经出库了取消不了哦，不过您可以拒收，退回后全额退款"),
        ("外包装有点瘪，能补偿点吗", "外包装压痕不赔的哦，给您送一张5元无门槛券表示歉意"),
        ("能寄到台湾吗", "这款暂时不能直接寄台湾，不过可以走官方集运，三到五天到"),
        ("这个杯子有没有粉色", "粉色卖光了亲，同款樱花色是现货，颜色很接近"),
    ],
)
def test_a_refusal_with_an_alternative_still_passes(customer, reply):
    assert _answer(customer, reply).status == "pass", reply


@pytest.mark.parametrize(
    ("customer", "reply"),
    [
        ("下大雨了，快递是不是要晚几天", "亲，暴雨物流停运了，这个我们也左右不了，恢复后会第一时间派送"),
        ("这个锅好用吗", "好用的，用不了多久您就会爱上它"),
        ("耳机怎么配对", "长按三秒就好，错不了的"),
    ],
)
def test_the_same_words_to_a_customer_who_asked_for_nothing_refuse_nothing(customer, reply):
    assert _answer(customer, reply).status == "na", reply


def test_a_cost_after_the_request_is_granted_is_a_condition():
    assert _answer("那能退吗", "可以退的，退货申请已经给您同意了，寄回运费需要您承担哦").status == "na"
    assert _answer("那能退吗", "寄回运费需要您承担哦").status == "fail"


def test_the_customer_situation_restated_refuses_nothing():
    assert _answer("明天的火车去不了了 能改签吗", "抱歉让您久等，临时去不了确实着急，已经帮您改到后天同一班").status == "na"


@pytest.mark.parametrize("reply", ["放心，这个型号错不了", "跑不了的，单号都在系统里", "用不了多久就到了"])
def test_reassurance_shaped_like_a_refusal_refuses_nothing(reply):
    assert _answer("能不能快点发货", reply).status == "na", reply


def test_what_the_customer_cannot_do_themselves_is_no_refusal():
    assert _answer("我自己能取消售后单吗", "您自己取消不了的呢，我这边帮您撤回").status == "na"
    assert _answer("能帮我取消售后单吗", "这个我们取消不了的呢").status == "fail"


def test_a_next_step_the_agent_takes_is_an_alternative():
    assert _answer("能直接给我退款吗", "这个我这边没办法直接退，我帮您转给售后同事跟进").status == "pass"
    assert _answer("能直接给我退款吗", "这个我这边没办法直接退").status == "fail"


def test_owning_a_shortcoming_is_no_refusal():
    assert _answer("你们能不能早点通知", "这点确实是我们做得不到位，以后会提前通知").status == "na"


# default@10 (judge5): when a later message's alternative belongs to the refusal; refusals that are restatements;
# a flat no to a price asked in the negative
def _chat(turns):
    """(role, text[, sentiment label]) turns, 30 s apart."""
    crit = _rule()
    return crit.score(make_conversation([(t[0], t[1], 30 * i, *t[2:]) for i, t in enumerate(turns)])).status


def test_default10_an_alternative_after_the_customer_took_the_refusal_belongs_to_that_turn():
    turns = [("customer", "能帮我把去年的订单补个专票吗"), ("agent", "去年的订单已经无法再开专票了"),
             ("customer", "行吧 那以后注意"), ("agent", "是的，以后下单时就可以直接申请专票")]
    assert _chat(turns) == "fail"
    # the next agent message before the customer answers still completes the refusal
    turns = [("customer", "能帮我把去年的订单补个专票吗"), ("agent", "去年的订单已经无法再开专票了"),
             ("agent", "不过可以给您开一张收据，报销一般也认")]
    assert _chat(turns) == "pass"


def test_default10_the_customer_asking_on_is_not_answered_by_the_refusal_s_alternative():
    turns = [("customer", "今天能送到吗 等着用"), ("agent", "今天的单子都排满了，送不了"),
             ("customer", "那最快哪天"), ("agent", "我帮您跟站点反馈一下")]
    assert _chat(turns) == "fail"


def test_default10_a_refusal_word_in_a_confirming_restatement_refuses_nothing():
    turns = [("customer", "能退吗 柜子门装歪了"), ("agent", "跟您确认下，您是说柜门装完关不上，自己调也调不了，对吗？")]
    assert _chat(turns) == "na"


@pytest.mark.parametrize("reply", ["不砍哦，已经是底价了", "不刀的，标价就是最低"])
def test_default10_a_flat_no_to_a_price_is_a_refusal(reply):
    assert _chat([("customer", "450出吗 学生党"), ("agent", reply)]) == "fail", reply


def test_default10_asking_in_the_negative_is_a_request():
    assert _chat([("customer", "运费都不能给包一下吗"), ("agent", "不包的亲")]) == "fail"
    assert _chat([("customer", "运费都不能给包一下吗"), ("agent", "不包的亲，不过满两件可以包邮")]) == "pass"


@pytest.mark.parametrize(
    "reply",
    ["运输的问题我们店这边插不上手哦", "快递那边的事我们干预不了的亲", "嗰啲唔关我哋事㗎", "派送这块我们真的管不到"],
)
def test_default10_declining_the_matter_as_not_ours_refuses_even_a_complaint(reply):
    # the customer reports a loss in distress, asks for nothing in words: declining it is still a refusal to help
    assert _chat([("customer", "显示签收了 我根本没拿到东西", "negative"), ("agent", reply)]) == "fail", reply
    # to a calm question the same words explain
    assert _chat([("customer", "下雪了 快递会晚几天吗", "neutral"), ("agent", reply)]) == "na", reply


@pytest.mark.parametrize(
    "alternative",
    ["您可以直接跟快递公司那边协商", "建议您联系一下驿站", "你自己打去顺丰问问吧", "您直接找平台客服反映就可以"],
)
def test_default10_sending_the_customer_elsewhere_is_no_alternative(alternative):
    turns = [("customer", "显示签收了 我根本没拿到东西", "negative"), ("agent", "派送这块我们真的管不到，" + alternative)]
    assert _chat(turns) == "fail", alternative
    # the shop doing something itself still is one
    turns = [("customer", "显示签收了 我根本没拿到东西", "negative"), ("agent", "派送这块我们管不到，不过我可以帮您联系快递查一下")]
    assert _chat(turns) == "pass"


@pytest.mark.parametrize("reply", ["我问问仓库能不能给您换个新的", "明早答复您可不可以退差价"])
def test_default10_a_whether_question_refuses_nothing(reply):
    assert _chat([("customer", "杯子有裂纹 能换吗"), ("agent", reply)]) == "na", reply


def test_default10_the_price_said_to_be_fixed_refuses_a_request_for_less():
    assert _chat([("customer", "能便宜点吗 别家才二十"), ("agent", "亲，我们的价格是统一定好的哦")]) == "fail"
    assert _chat([("customer", "能便宜点吗 别家才二十"), ("agent", "不好意思，这已经是最低价了")]) == "fail"
    assert _chat([("customer", "这款多少钱"), ("agent", "亲，我们的价格是统一定好的哦，29元")]) == "na"


def test_default10_a_customer_who_asks_what_now_still_gets_the_alternative_to_the_refusal():
    turns = [("customer", "能换成蓝色吗"), ("agent", "蓝色已经断货了"), ("customer", "那怎么办 我就要蓝的"),
             ("agent", "您可以先退款，补货了我第一时间提醒您；或者看看灰蓝色，有现货")]
    assert _chat(turns) == "pass"


def test_default10_a_refusal_the_agent_takes_back_refuses_nothing():
    turns = [("customer", "定制款能退吗"), ("agent", "定制款不支持退货哦"), ("customer", "页面上写的可以退啊"),
             ("agent", "抱歉，我刚才说错了，这款是可以退的")]
    assert _chat(turns) == "na"
    assert _chat(turns[:2]) == "fail"


def test_default10_a_condition_is_no_refusal():
    assert _chat([("customer", "明天能到吗"), ("agent", "今天已经加急了，万一明天送不到的话我直接给您补发一单")]) == "na"
    assert _chat([("customer", "明天能到吗"), ("agent", "明天送不到了亲")]) == "fail"


# default@11 (judge6): what the goods do not include, told to a customer who asked whether they include it
@pytest.mark.parametrize(
    ("customer", "reply"),
    [
        ("这个扫地机带备用滚刷吗", "您好，滚刷需要另外购买哦"),
        ("帐篷有送地钉没", "地钉要单独拍一下的亲"),
        ("买投影仪配幕布不", "幕布是另购的，店里有链接"),
    ],
)
def test_default11_sold_separately_answering_whether_it_is_included_refuses_nothing(customer, reply):
    assert _answer(customer, reply).status == "na", reply


def test_default11_sold_separately_still_refuses_a_reproach_or_a_plain_request():
    # asked in the negative the question reproaches: the same answer is a bare refusal
    assert _answer("你们怎么不送滚刷吗", "滚刷需要另外购买哦").status == "fail"
    # no question about what is included, or a favour asked: the words refuse the customer's request
    assert _answer("能给我免费补一个滚刷吗", "滚刷需要另外购买哦").status == "fail"
    assert _answer("可以送个滚刷吗", "滚刷需要另外购买哦").status == "fail"
    crit = CRITERIA["positive_framing.v1"]
    old = crit(params=crit.Params(sold_separately=None))  # the old reading
    conv = make_conversation([("customer", "这个扫地机带备用滚刷吗", 0), ("agent", "滚刷需要另外购买哦", 30)])
    assert old.score(conv).status == "fail"


@pytest.mark.parametrize("reply", ["我们店只负责发货的哦", "这边只管出货，别的不清楚"])
def test_default11_the_shops_part_narrowed_to_shipping_declines_the_rest(reply):
    assert _score(reply) == "fail", reply
    assert _score(reply, "不过我可以帮您联系快递查一下") == "pass"
