"""Generalisation probes: conversations written for this file (not taken from any golden set)
that exercise the cue families beyond the first word lists — after-sales detection without
退货/退款/破损, taboo meaning without the listed words, empathy in paraphrase and negation
scope, abuse aimed at a third party, and refusals with / without a real alternative.

Each family has positives and guards (neutral lines that must stay neutral), so that recall
does not come at the cost of precision."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


def crit(rubric, criterion_id, turns):
    return rubric.criterion(criterion_id).score(make_conversation(turns))


def flags(rubric, turns):
    conv = make_conversation(turns)
    rubric.score(conv)
    return {f.code for f in conv.flags}


# ----------------------------------------------------------------------------
# 1. active listening: which conversations are after-sales / complaints
# ----------------------------------------------------------------------------

AFTER_SALES_PROBLEMS = [
    "我买的电热水壶底座漏水了",
    "床头灯插上电以后一点都不亮了",
    "玻璃花瓶到手就裂了一道缝",
    "套装里少了一个刷头",
    "我拍的是藏青色，寄来的是黑色",
    "你们这发的不是我买的型号",
    "这双鞋穿了两天鞋底就开线了",
    "宝宝用了这个湿巾脸上起了红疹",
    "羊毛衫洗了一次就缩水了",
    "付款都五天了，怎么还没发出来",
    "物流信息三天没更新了，我有点担心",
    "能帮我催一下发货吗，等着送人的",
    "行程取消了，订的民宿能退吗",
    "耳机右边没有声音",
    "收到的面包已经过期了",
    "盒子是空的，里面什么都没有",
    "买了三盒只收到两盒",
    "钱扣了两次，订单只有一个",
    "这个包感觉是假的，走线很粗糙",
    "说明书和螺丝都没放",
    "插座用了一次就冒烟了",
    "面包里吃出了头发",
    "快递员不送上门，让我自己去拿",
]

PRE_SALE = [
    "这件毛衣洗了会不会缩水",
    "你们家是正品吗",
    "一箱大概有多少个",
    "优惠券过期了还能用吗",
    "下单以后几天能到北京",
    "这个锅容易变形吗",
    "满200能减多少",
    "有没有大一码的",
    "这个插座安全吗，会不会短路",
    "夏天寄巧克力会不会化",
]


@pytest.mark.parametrize("problem", AFTER_SALES_PROBLEMS)
def test_after_sales_without_the_obvious_words(rubric, problem):
    confirmed = crit(rubric, "active_listening", [
        ("customer", problem, 0),
        ("agent", "您好，我跟您核对一下订单信息，您看是尾号3301这单对吗？", 30),
    ])
    assert confirmed.status == "pass", problem
    silent = crit(rubric, "active_listening", [("customer", problem, 0), ("agent", "好的亲，稍等", 30)])
    assert silent.status == "fail", problem


@pytest.mark.parametrize("question", PRE_SALE)
def test_pre_sale_questions_stay_na(rubric, question):
    result = crit(rubric, "active_listening", [("customer", question, 0), ("agent", "您好，这款是可以的哦", 30)])
    assert result.status == "na", question


CONFIRMATIONS = [
    "好的，我帮您看下订单",
    "我这边核对一下",
    "您说的是那个白色的台灯吧",
    "跟您确认一下您的收货地址还是杭州西湖区吗",
    "您收到的是灰色的，对吗？我马上给您安排换货",
    "我先查下您的物流，稍等",
    "您是想换成L码，对吧",
    "查到您的订单了，是6号下的单",
    "您指的是外包装破了对吧",
    "我这边看到您买的是白色42码",
]


@pytest.mark.parametrize("reply", CONFIRMATIONS)
def test_confirmation_phrasings_pass(rubric, reply):
    result = crit(rubric, "active_listening", [("customer", "收到的台灯灯罩裂了", 0), ("agent", reply, 30)])
    assert result.status == "pass", reply


@pytest.mark.parametrize("reply", ["确认收货后可以给个好评哦", "您自己查一下物流吧", "好的，马上给您补发"])
def test_non_confirmations_fail(rubric, reply):
    result = crit(rubric, "active_listening", [("customer", "收到的台灯灯罩裂了", 0), ("agent", reply, 30)])
    assert result.status == "fail", reply


# ----------------------------------------------------------------------------
# 2. forbidden phrases: the taboo meaning without the listed words
# ----------------------------------------------------------------------------

TABOO_MEANING = [
    # blaming the customer
    "这是您自己没看清楚规格",
    "明显是你操作不当造成的",
    "那是您个人使用的问题",
    "谁叫您下单不看说明",
    "您买的时候为什么不问清楚",
    "肯定是您那边弄坏的",
    # look for yourself
    "详情页上都写着呢",
    "说明书里写得清清楚楚",
    "您自己去查物流",
    # arguing
    "我们家不可能发错货",
    "不可能是我们仓库的问题",
    "你这么说就不对",
    # brush-offs with no alternative
    "这个真没办法的",
    "反正就是不能退",
    "这事我做不了主",
    "规定就是这样的",
    # sending away
    "您得去找厂家",
    "这个问平台吧",
    "那你找快递去",
    "这都写在详情里了",
    "又不是我让快递晚的",
    "您爱信不信",
]

TABOO_LOOKALIKES = [
    "这个不是您的问题，是我们发错了，非常抱歉",
    "如果您没看到尺码表，我再给您发一次",
    "不怪您，是我们页面写得不够清楚",
    "非人为损坏一年内都可以免费修",
    "详情页写着质保两年，您放心使用",
    "页面上有安装视频，我也给您发一份",
    "这个没办法直接改价，不过我可以给您申请一张券",
    "我做不了主，但我马上帮您请示主管，半小时内回复您",
    "不是没有办法，我这边帮您走特殊申请",
    "这边帮您联系快递公司核实",
    "您也可以联系一下快递员，我这边也同步帮您催",
    "您说的对，这次是我们的疏忽",
    "稍等，问下快递",
    "目前查不到具体位置，我帮您联系快递",
    "亲，您怎么不说话了",
    "您没看到吗？链接我刚发了",
    "详情页都有的，我给您截个图",
    "都写在详情页上了，我复制给您",
    "您随意挑选哦，有问题随时问我",
]


@pytest.mark.parametrize("text", TABOO_MEANING)
def test_taboo_meaning_fails(rubric, text):
    result = crit(rubric, "forbidden_phrases", [("customer", "东西有问题，怎么处理", 0), ("agent", text, 30)])
    assert result.status == "fail", text


@pytest.mark.parametrize("text", TABOO_LOOKALIKES)
def test_taboo_lookalikes_pass(rubric, text):
    result = crit(rubric, "forbidden_phrases", [("customer", "东西有问题，怎么处理", 0), ("agent", text, 30)])
    assert result.status == "pass", text


def test_brush_off_answered_by_an_offer_in_the_next_message(rubric):
    turns = [
        ("customer", "能不能今天就发", 0),
        ("agent", "今天的单已经截止了，没办法的", 30),
        ("agent", "不过我可以帮您备注明天第一批发出", 40),
    ]
    assert crit(rubric, "forbidden_phrases", turns).status == "pass"


def test_customer_saying_the_brush_off_does_not_count(rubric):
    turns = [("customer", "你们是不是会说没办法的", 0), ("agent", "您好，我们一定会帮您处理的", 30)]
    assert crit(rubric, "forbidden_phrases", turns).status == "pass"


# ----------------------------------------------------------------------------
# 3. empathy: acknowledgements in paraphrase, negation scope, trigger guards
# ----------------------------------------------------------------------------

ANGRY = ("customer", "等了一个星期还没到，太让人失望了", 0)

EMPATHY_PARAPHRASES = [
    "您这份焦虑我们都理解，我马上查",
    "耽误您这么久了，我这就跟进",
    "看得出您挺着急的，我先帮您催一下",
    "害您白跑了一趟，真过意不去",
    "这次购物体验确实太差了",
    "您先别着急上火，我来处理",
    "不怪您，这事确实挺闹心的",
    "没错，确实让人着急",
    "真是给您添了不少麻烦",
    "让您等了这么久，我马上处理",
    "我也替您着急",
    # rhetorical negation affirms; a set phrase before the cue negates nothing
    "遇到这种事谁不闹心啊",
    "我怎么会不理解您呢",
    "可不是嘛确实闹心",
    "您的担心是对的",
]

NOT_EMPATHY = [
    "我不知道您很着急",
    "占用您几分钟，我核实一下",
    "我并不是不理解您，但规定就是规定",
    "好的，我查一下订单",
    "不会耽误您的使用",
    "为您处理一下",
    "我真的不能理解您",
]


@pytest.mark.parametrize("reply", EMPATHY_PARAPHRASES)
def test_empathy_paraphrases_pass(rubric, reply):
    assert crit(rubric, "empathy", [ANGRY, ("agent", reply, 30)]).status == "pass", reply


@pytest.mark.parametrize("reply", NOT_EMPATHY)
def test_negated_or_absent_empathy_fails(rubric, reply):
    assert crit(rubric, "empathy", [ANGRY, ("agent", reply, 30)]).status == "fail", reply


@pytest.mark.parametrize("worry", ["明天就要用了，现在还在路上，心里好慌", "再不到就来不及了", "这可怎么办，后天就出差了"])
def test_worry_triggers_empathy(rubric, worry):
    assert crit(rubric, "empathy", [("customer", worry, 0), ("agent", "您好，马上帮您查", 30)]).status == "fail", worry


def test_acknowledgement_is_never_negative_even_if_the_model_says_so(rubric):
    turns = [("customer", "在吗", 0), ("agent", "您好", 10), ("customer", "没了", 20, "negative")]
    assert crit(rubric, "empathy", turns).status == "na"
    assert "negative_end" not in flags(rubric, turns)


def test_calm_acceptance_is_not_a_negative_end(rubric):
    turns = [("customer", "能便宜点吗", 0), ("agent", "您好，给您一张5元券", 10), ("customer", "行吧，这样可以", 20, "negative")]
    assert "negative_end" not in flags(rubric, turns)
    angry = [("customer", "能便宜点吗", 0), ("agent", "您好，不行", 10), ("customer", "行，我去投诉", 20, "negative")]
    assert "negative_end" in flags(rubric, angry)


# ----------------------------------------------------------------------------
# 4. abusive customer: the insult must target the agent or the shop
# ----------------------------------------------------------------------------

THIRD_PARTY_INSULTS = [
    "送货的司机简直是神经病，东西直接扔楼下",
    "你们那个快递员是白痴吧，地址都看不懂",
    "快递小哥有病吧，电话不接就签收",
    "他是不是脑子进水了，包裹放错驿站",
]

AGENT_INSULTS = ["你是不是神经病", "客服脑子有病吧", "神经病啊你们这家店", "你们这群骗子"]


@pytest.mark.parametrize("text", THIRD_PARTY_INSULTS)
def test_insult_aimed_at_third_party_is_not_abuse(rubric, text):
    assert "abusive_customer" not in flags(rubric, [("customer", text, 0), ("agent", "您好，非常抱歉", 30)]), text


@pytest.mark.parametrize("text", AGENT_INSULTS)
def test_insult_aimed_at_agent_is_abuse(rubric, text):
    assert "abusive_customer" in flags(rubric, [("customer", text, 0), ("agent", "您好", 30)]), text


@pytest.mark.parametrize("text", ["垃圾袋能不能厚一点", "滚筒刷怎么拆", "这个杯子质量真垃圾"])
def test_abuse_guards_kept(rubric, text):
    assert "abusive_customer" not in flags(rubric, [("customer", text, 0), ("agent", "您好", 30)]), text


# ----------------------------------------------------------------------------
# 5. positive framing
# ----------------------------------------------------------------------------

REFUSAL_WITH_ALTERNATIVE = [
    "价格调不了哦，可以给您发一张满199减20的券",
    "这款不支持刻字，可以看看同系列的现货",
    "地址改不了了，可以等快递到了让快递员转寄",
    "价格是全国统一的改不了，给您送个小样吧",
    "不议价的亲，不过买两件可以打九折",
    "虽然不能直接退，但是可以帮您换一个新的",
    "我们没办法开专票，只能开普票",
]

REFUSAL_WITHOUT_ALTERNATIVE = [
    "虽然不能改价，但是这个价格已经很划算了",
    "虽然没法退，但是我们的质量是有保障的",
    "亲，不议价的哦",
    "改不了价，抱歉",
    "不能再便宜了",
]


@pytest.mark.parametrize("reply", REFUSAL_WITH_ALTERNATIVE)
def test_refusal_with_alternative_passes(rubric, reply):
    assert crit(rubric, "positive_framing", [("customer", "能便宜点吗", 0), ("agent", reply, 30)]).status == "pass", reply


@pytest.mark.parametrize("reply", REFUSAL_WITHOUT_ALTERNATIVE)
def test_refusal_without_alternative_fails(rubric, reply):
    assert crit(rubric, "positive_framing", [("customer", "能便宜点吗", 0), ("agent", reply, 30)]).status == "fail", reply


def test_explaining_a_rule_is_not_a_refusal(rubric):
    turns = [("customer", "满减怎么算", 0), ("agent", "满300减40，可以跨店凑单哦", 30)]
    assert crit(rubric, "positive_framing", turns).status == "na"


# ----------------------------------------------------------------------------
# evidence contract: spans of the new cue families index the text as shown
# ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "criterion_id, turns",
    [
        ("forbidden_phrases", [("customer", "东西坏了", 0), ("agent", "亲，這個真沒辦法的", 30)]),
        ("forbidden_phrases", [("customer", "东西坏了", 0), ("agent", "您  得去找厂家", 30)]),
        ("empathy", [ANGRY, ("agent", "耽誤您這麼久了，我馬上跟進", 30)]),
        ("active_listening", [("customer", "ＡＢ两件只到了１件", 0), ("agent", "我核对一下", 30)]),
    ],
)
def test_new_cue_evidence_spans_index_shown_text(rubric, criterion_id, turns):
    result = crit(rubric, criterion_id, turns)
    spans = [e for e in result.evidence if e.span is not None]
    assert spans, result
    for e in spans:
        a, b = e.span
        assert 0 <= a < b <= len(e.text)
