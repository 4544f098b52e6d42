"""positive_framing.v1, default@15 (frm14): which refusals count and which alternatives count.

- `lapsed`: a window said to be past (已经过了七天无理由退货期 / 过保了 / 保价期已经过了), answering a request, is the refusal
  though no 不能 / 无法 says it; denied (还没过七天), asked (过了吗？) or a condition (如果超过…) it is none, and to a customer
  who asked for nothing it refuses nothing;
- `empty_offer`: an offer whose clause only asks the customer to wait, understand or keep watching (您可以耐心等待一下 /
  不过您可以放心 / 还请理解) is no alternative — neither for the word lists nor for the decline model's alternative
  reading; with something of the shop's or a real option in the clause it stays one.

The sentences are written for these tests (several registers: JD formal, Taobao 亲, PDD blunt, Douyin 宝子, Cantonese,
traditional characters, typos, emoji), not taken from any training file or held-out set."""
from __future__ import annotations

import re

import numpy as np
import pytest

from pipeline.rubric.criteria._framing_turns import EMPTY_OFFER, EMPTY_REMEDY, LAPSED, empty_offer, lapsed_refusals
from pipeline.rubric.testing import framing_words_only as _rule, score_turns as _score


LAPSES = [
    ("这双鞋能退吗 有点挤脚", "亲，您这个已经过了七天无理由退货期了哦"),
    ("耳机坏了能保修吗", "您好，您这台已经过保了呢"),
    ("能不能退差价 昨天买的今天降价了", "亲保价期已经过了哈"),
    ("能退吗？", "您好，订单已超过签收15天了"),
    ("宝子还能用那个满减吗😭", "宝子活动已经结束了哦"),
    ("可唔可以退货呀", "親，你呢單已經過咗七天無理由退貨期喇"),  # Cantonese, traditional: read as 已经过了…期
    ("我要求换货 质量太差", "您这个已经超过30天了"),
    ("这个能不能保修啊", "保修期早就过了亲"),
]


@pytest.mark.parametrize("customer,reply", LAPSES)
def test_a_window_said_past_answering_a_request_is_a_refusal(customer, reply):
    res = _score(_rule(), customer, reply)
    assert res.status == "fail", reply
    assert any(e.rule == "positive_framing.lapsed" for e in res.evidence), reply
    # off, nothing in these replies says 不能 / 无法: the criterion saw no refusal
    assert _score(_rule(lapsed=None), customer, reply).status == "na", reply


@pytest.mark.parametrize("customer,reply", [
    ("这双鞋能退吗 有点挤脚", "亲，您这个还没过七天，可以直接申请退货哦"),
    ("这双鞋能退吗", "您签收才三天，没有超过7天，放心申请"),
    ("能保修吗", "您好，质保期未超过一年的都可以免费修"),
])
def test_a_lapse_denied_is_none(customer, reply):
    assert not any(e.rule == "positive_framing.lapsed" for e in _score(_rule(), customer, reply).evidence), reply


def test_a_lapse_asked_or_conditional_is_none():
    pat = re.compile(LAPSED)
    assert lapsed_refusals("是不是已经过了七天了吗", pat, None, "r") == []
    assert lapsed_refusals("如果超过7天的话要走质量售后", pat, None, "r") == []
    assert lapsed_refusals("过了保修期的话是付费维修", pat, None, "r") == []
    assert lapsed_refusals("已经过了保修期", pat, None, "r") != []
    # a rule's condition (超过一年就… / 超过7天的…), not said to have happened
    assert lapsed_refusals("超过一年就不保修了", pat, None, "r") == []
    assert lapsed_refusals("超过7天的不退哦", pat, None, "r") == []
    assert lapsed_refusals("您这个已经超过一年了", pat, None, "r") != []


@pytest.mark.parametrize("customer,reply", [
    ("好的", "亲，您这个已经过了七天无理由退货期了，后续有质量问题随时找我们"),  # nobody asked for anything
    ("这个衣服怎么洗", "亲，活动已经结束了，衣服建议手洗"),  # a question, no request
])
def test_a_lapse_told_to_a_customer_who_asked_for_nothing_refuses_nothing(customer, reply):
    assert _score(_rule(), customer, reply).status == "na", reply


def test_a_lapse_with_the_shops_alternative_passes():
    res = _score(_rule(), "耳机坏了能保修吗", "您这个已经过保了呢，不过我可以帮您申请付费维修，只收配件费")
    assert res.status == "pass"


EMPTY = [
    ("能不能快点发 急用", "不能加急哦，您可以耐心等待一下"),
    ("能不能快点发 急用", "加急不了哦，不过您可以放心，一般三天就到了"),
    ("能退款吗", "退不了哦亲，建议您再考虑一下"),
    ("可以改地址吗", "亲 已经发出了改不了哈，您可以关注一下物流哦～"),
    ("能便宜点不", "宝子价格改不了哦，您可以理解一下嘛🥺"),
    ("能唔能加急", "加急唔到喎，你可以耐心等吓"),  # Cantonese
    ("可以换颜色吗", "亲 这个换不了的，你可以放心用的噢"),
]


@pytest.mark.parametrize("customer,reply", EMPTY)
def test_an_offer_that_only_asks_to_wait_or_understand_is_no_alternative(customer, reply):
    res = _score(_rule(), customer, reply)
    assert res.status == "fail", reply
    assert any(e.rule == "positive_framing.empty_offer" for e in res.evidence), reply


def test_off_the_empty_offer_counts_as_before():
    assert _score(_rule(empty_offer=None), "能不能快点发 急用", "不能加急哦，您可以耐心等待一下").status == "pass"
    assert _score(_rule(empty_offer=None), "能不能快点发 急用", "加急不了哦，不过您可以放心，一般三天就到了").status == "pass"


@pytest.mark.parametrize("customer,reply", [
    ("能不能快点发 急用", "加急不了哦，我帮您备注一下优先发，明天上午发出"),
    ("能不能快点发 急用", "加急不了哦，建议您耐心等待，我这边帮您催一下仓库"),  # the wait beside the shop's own step
    ("能退款吗", "退不了哦，不过您可以留意一下到货通知，补货了第一时间换新"),
    ("能便宜点吗", "价格改不了哈，您可以关注店铺领一张5元券"),
    ("可以加急吗", "加急不了，您耐心等两天，或者我给您改发顺丰"),  # a wait beside a real option
])
def test_a_wait_beside_something_real_stays_an_alternative(customer, reply):
    assert _score(_rule(), customer, reply).status == "pass", reply


def test_empty_offer_reads_the_clause_not_the_message():
    pat, rem = re.compile(EMPTY_OFFER), re.compile(EMPTY_REMEDY)
    s = "不能加急，您可以耐心等待，或者我给您改发顺丰"
    assert empty_offer(s, s.index("您可以"), pat, rem)
    assert not empty_offer(s, s.index("或者"), pat, rem)


class _Model:
    """A decline model stand-in: every message declines with an alternative (P = 0.1 / 0.2 / 0.7)."""
    model_id = "stub@1"

    def predict_proba(self, rows):
        return np.tile(np.array([[0.1, 0.2, 0.7]], dtype=np.float32), (len(rows), 1))


def _with_model(**params):
    crit = _rule(**params)
    compiled = crit.compiled
    crit.params.declines = crit.params.declines.model_copy(update={"enabled": True, "veto": None})
    crit._compiled = compiled._replace(decline_model=_Model())
    return crit


def test_the_models_alternative_reading_of_an_empty_offer_is_not_credited():
    res = _score(_with_model(), "能不能快点发 急用", "不能加急哦，您可以耐心等待一下")
    assert res.status == "fail"
    assert any(e.rule == "positive_framing.empty_offer" for e in res.evidence)
    # off, the model's reading credits it
    assert _score(_with_model(empty_offer=None), "能不能快点发 急用", "不能加急哦，您可以耐心等待一下").status == "pass"
    # a message with no empty offer keeps the model's alternative reading
    assert _score(_with_model(), "能不能快点发 急用", "不能加急哦，仓库那边排单了").status == "pass"


GRANTING = [
    ("可以换货吗", "超过7天的话就不能换了，您这个才第三天，可以换的"),
    ("这个能退吗 还没拆", "如果拆封了就不支持退哦，您没拆的直接申请就行"),
    ("宝子能退不", "要是吊牌剪了就不支持退换，宝子吊牌还在是可以退的哈😊"),
    ("這個可以退嗎", "如果拆封了就不支持退貨，您還沒拆，可以退的"),  # traditional
    ("能保修吗 买了半年", "超过一年就不支持保修了，您这个还在保修期内，能修的"),
]


@pytest.mark.parametrize("customer,reply", GRANTING)
def test_a_rule_quoted_on_the_way_to_a_yes_refuses_nothing(customer, reply):
    res = _score(_rule(), customer, reply)
    assert res.status == "na", reply
    assert any(e.rule == "positive_framing.conditional" for e in res.evidence), reply
    # off, the condition's refusal word counts (and the grant reads as its alternative)
    assert _score(_rule(conditional=None), customer, reply).status != "na", reply


@pytest.mark.parametrize("customer,reply", [
    ("这个能退吗", "如果拆封了就不支持退哦"),  # the condition, no grant: the customer hears a no
    ("能退吗", "超过7天就不能退了，您这个已经第十天了"),  # the condition met
    ("能退吗", "您这个已经超过7天就不能退了，可以理解的吧"),  # said to have happened (已经)
])
def test_a_condition_without_a_grant_still_refuses(customer, reply):
    assert _score(_rule(), customer, reply).status == "fail", reply


def test_the_models_decline_reading_of_a_granting_message_does_not_count():
    res = _score(_with_model(), "可以换货吗", "超过7天的话就不能换了，您这个才第三天，可以换的")
    assert res.status == "na"


ACTING_CASES = [
    ("我下单了 啥时候发货", "亲，您拍的那个颜色这边缺货了，已经给您从别的仓调货了，后天发出"),
    ("宝子 我的快递到哪了", "宝子这边查到仓库断货了一天，现在已经帮你补上发出了，明天到哈💕"),
    ("幾時發貨呀", "親，原倉庫缺貨，已經幫您轉到廣州倉，明天出貨"),  # traditional
]


@pytest.mark.parametrize("customer,reply", ACTING_CASES)
def test_a_limitation_told_while_doing_what_was_asked_declines_nothing(customer, reply):
    res = _score(_rule(), customer, reply)
    assert res.status == "na", reply
    assert any(e.rule == "positive_framing.acting" for e in res.evidence), reply
    # off, the stock word is a refusal
    assert _score(_rule(acting=None), customer, reply).status != "na", reply


@pytest.mark.parametrize("customer,reply", [
    ("能换成黑色吗", "亲黑色缺货了，已经帮您登记了到货提醒"),  # a request: the stock word declines it
    ("能换成黑色吗", "亲黑色缺货了哦"),
])
def test_the_shop_acting_after_a_request_still_declines(customer, reply):
    res = _score(_rule(), customer, reply)
    assert res.status in ("pass", "fail") and not any(e.rule == "positive_framing.acting" for e in res.evidence), reply


ONLY = [
    ("退款能退到我微信吗", "亲，退款只能原路退回哦"),
    ("能寄到香港吗", "亲，我们只发大陆地区哈"),
    ("能退吗 不喜欢", "亲，灯具类仅支持换货哦"),
    ("能開專票嗎", "親，本店只開電子普票喔"),  # traditional
    ("可以周末上门装吗", "师傅仅限工作日上门安装的哈"),
]


@pytest.mark.parametrize("customer,reply", ONLY)
def test_only_said_of_the_shops_service_answering_a_request_is_a_refusal(customer, reply):
    res = _score(_rule(), customer, reply)
    assert res.status == "fail", reply
    assert any(e.rule == "positive_framing.only_can" for e in res.evidence), reply
    assert _score(_rule(only_can=None), customer, reply).status == "na", reply


@pytest.mark.parametrize("customer,reply", [
    ("这个能机洗吗", "亲，只能手洗哦"),  # a care fact, not the shop's service
    ("能退吗", "只能换货吗？您是想退款对吧"),  # asked back
    ("什么时候退款到账", "退款只能原路退回，1-3天到账哦"),  # a question, no request
])
def test_only_as_a_fact_asked_back_or_unrequested_is_none(customer, reply):
    assert _score(_rule(), customer, reply).status == "na", reply


def test_only_with_the_shops_alternative_passes():
    assert _score(_rule(), "能寄到香港吗", "亲我们只发大陆，不过我可以帮您寄到深圳转运仓").status == "pass"


@pytest.mark.parametrize("customer,reply", [
    ("我要退货", "已经帮您查了，这款不支持退货哦"),  # a look-up, then the no: the answer to a request said without a request word
    ("我要退货", "亲 正在帮你核实，这个是不支持退货的"),
])
def test_a_look_up_is_not_the_shop_acting(customer, reply):
    res = _score(_rule(), customer, reply)
    assert res.status == "fail", reply
    assert not any(e.rule == "positive_framing.acting" for e in res.evidence), reply
