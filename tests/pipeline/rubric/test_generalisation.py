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
    "行程取消了，订的民宿能退吗",
    "耳机右边没有声音",
    "收到的面包已经过期了",
    "盒子是空的，里面什么都没有",
    "买了三盒只收到两盒",
    "钱扣了两次，订单只有一个",
    # default@13 (lst12): zh-cs-kinds@3 read it at P 0.34, under kinds.na_below 0.4 (a known miss); default@14: zh-cs-kinds@4
    # with lst13's na_below 0.35 recovered it, but the lead kept 0.4 on the honest sets — still a known miss, kept strict
    pytest.param("这个包感觉是假的，走线很粗糙", marks=pytest.mark.xfail(strict=True, reason="zh-cs-kinds@4 under na_below 0.4")),
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


# ============================================================================
# round 3: mechanisms that failed on an unseen set. Each family: positives in wordings
# not taken from any golden set, and look-alikes (customer says it, quoted, negated,
# polite / informative use) that must stay neutral.
# ============================================================================

UPSET = ("customer", "到现在还没发货，真的很烦", 0)

# ----------------------------------------------------------------------------
# 6. negation scope: a 不 inside another predicate of the clause does not negate the cue
# ----------------------------------------------------------------------------

NEGATION_INSIDE_OTHER_PREDICATE = [
    "鞋子不合脚确实闹心，我马上给您换",
    "东西没按时到确实让人着急",
    "快递不送上门真的挺窝火的，我来催",
    "衣服不合身确实郁闷，这边给您处理",
]

NEGATION_GOVERNS_THE_CUE = [
    "不会让您久等的",
    "应该没有给您带来不便吧",
    "我不太理解您的意思",
    "这个不是很闹心的事情",
]


@pytest.mark.parametrize("reply", NEGATION_INSIDE_OTHER_PREDICATE)
def test_negator_of_another_predicate_does_not_cancel_empathy(rubric, reply):
    assert crit(rubric, "empathy", [UPSET, ("agent", reply, 30)]).status == "pass", reply


@pytest.mark.parametrize("reply", NEGATION_GOVERNS_THE_CUE)
def test_negator_governing_the_cue_still_cancels(rubric, reply):
    assert crit(rubric, "empathy", [UPSET, ("agent", reply, 30)]).status == "fail", reply


# ----------------------------------------------------------------------------
# 7. empathy that universalises the feeling or names the customer's loss
# ----------------------------------------------------------------------------

UNIVERSALISING = [
    "大件好几天没动静，换谁心里都会犯嘀咕",
    "这种事搁谁身上都得急眼",
    "谁碰上这种情况都会不痛快",
    "这种心情谁都能理解",
    "让您白高兴一场了，我马上补救",
    "这事给您添堵了，我这就处理",
    "遇到这种事，换我也得冒火",
    "等了这么多天，心里肯定不踏实",
]

NOT_UNIVERSALISING = [
    "换谁来处理都一样，流程就是这样",
    "谁下单都要排队",
    "不是谁都会着急的",
    "搁谁那儿买都是这个价",
]


@pytest.mark.parametrize("reply", UNIVERSALISING)
def test_universalising_empathy_passes(rubric, reply):
    assert crit(rubric, "empathy", [UPSET, ("agent", reply, 30)]).status == "pass", reply


@pytest.mark.parametrize("reply", NOT_UNIVERSALISING)
def test_universal_statement_without_feeling_is_not_empathy(rubric, reply):
    assert crit(rubric, "empathy", [UPSET, ("agent", reply, 30)]).status == "fail", reply


def test_customer_universalising_is_not_agent_empathy(rubric):
    turns = [("customer", "换谁都会生气吧，一周了还没发", 0), ("agent", "仓库在排单", 30)]
    assert crit(rubric, "empathy", turns).status == "fail"


def test_slang_emoji_in_a_question_is_not_distress(rubric):
    calm = [("customer", "有没有黑色的啊😭", 0), ("agent", "有的亲", 30)]
    assert crit(rubric, "empathy", calm).status == "na"
    upset = [("customer", "快递丢了😭", 0), ("agent", "单号发我", 30)]
    assert crit(rubric, "empathy", upset).status == "fail"


# ----------------------------------------------------------------------------
# 8. taboo: blaming the customer by question or insinuation, arguing, denying
# ----------------------------------------------------------------------------

BLAME_AND_DENIAL = [
    "您签收的时候没检查吗",
    "你收货时不当面验收的吗",
    "是不是您自己摔的",
    "八成是您不小心碰坏的",
    "估计是你记错尺码了",
    "肯定是您下单时选错了颜色",
    "我们这边绝对不会发错",
    "不可能，我们出库都扫码",
    "我们打包都会仔细检查的",
    "这不可能",
]

BLAME_LOOKALIKES = [
    "是不是您没收到验证码？我重新发一次",
    "如果是您不小心摔坏的，也可以付费维修",
    "不是您看错了，是我们发错了，抱歉",
    "签收前可以先检查一下哦",
    "您没收到吗？我帮您查",
    "这次绝对不会再错了",
    "我们发货前都会检查的，您放心",
    "不可能让您吃亏的",
    "您放心，绝对不会错过活动",
    "我们打包都会检查的，但还是可能有疏漏，我给您补发",
]


@pytest.mark.parametrize("text", BLAME_AND_DENIAL)
def test_blame_and_denial_are_taboo(rubric, text):
    result = crit(rubric, "forbidden_phrases", [("customer", "收到的东西是坏的", 0), ("agent", text, 30)])
    assert result.status == "fail", text


@pytest.mark.parametrize("text", BLAME_LOOKALIKES)
def test_blame_lookalikes_are_not_taboo(rubric, text):
    result = crit(rubric, "forbidden_phrases", [("customer", "收到的东西是坏的", 0), ("agent", text, 30)])
    assert result.status == "pass", text


def test_customer_insinuating_is_not_agent_taboo(rubric):
    turns = [("customer", "是不是你们发错了？不可能是我看错", 0), ("agent", "您好，我马上核实", 30)]
    assert crit(rubric, "forbidden_phrases", turns).status == "pass"


# ----------------------------------------------------------------------------
# 9. the rule as a wall, without the word 规定
# ----------------------------------------------------------------------------

RULE_WALLS = ["公司就这么定的", "上面定的", "系统就这样", "没有这个先例", "我们也只能照办"]

RULE_WALL_LOOKALIKES = [
    "没有这个先例，不过我可以帮您向主管申请",
    "公司定的价格是全国统一的，我给您申请一张券",
    "不是没有先例，我帮您问问",
    "系统就这样设置的，我手动帮您改一下",
]


@pytest.mark.parametrize("text", RULE_WALLS)
def test_rule_wall_is_taboo(rubric, text):
    result = crit(rubric, "forbidden_phrases", [("customer", "能不能通融一下", 0), ("agent", text, 30)])
    assert result.status == "fail", text


@pytest.mark.parametrize("text", RULE_WALL_LOOKALIKES)
def test_rule_wall_with_help_or_negated_is_not_taboo(rubric, text):
    result = crit(rubric, "forbidden_phrases", [("customer", "能不能通融一下", 0), ("agent", text, 30)])
    assert result.status == "pass", text


def test_customer_quoting_the_rule_wall_is_not_taboo(rubric):
    turns = [("customer", "你们公司就这么定的？", 0), ("agent", "您好，我帮您问问主管", 30)]
    assert crit(rubric, "forbidden_phrases", turns).status == "pass"


# ----------------------------------------------------------------------------
# 10. time commitment: a time frame anywhere after the hand-off, or just before it
# ----------------------------------------------------------------------------


def test_time_frame_many_messages_after_the_hand_off(rubric):
    turns = [
        ("customer", "杯子碎了", 0), ("agent", "我帮您反馈给仓库", 30), ("customer", "好", 60),
        ("agent", "照片收到了", 90), ("agent", "地址没变吧", 100), ("customer", "没变", 120),
        ("agent", "仓库回复了，明天下午前给您答复", 150),
    ]
    assert crit(rubric, "time_commitment", turns).status == "pass"


def test_vague_follow_up_after_a_concrete_time_frame(rubric):
    turns = [
        ("customer", "快递三天没动了", 0), ("agent", "我联系顺丰那边核实，今天18点前回复您", 30),
        ("customer", "好", 60), ("agent", "有消息我第一时间告诉您", 90),
    ]
    assert crit(rubric, "time_commitment", turns).status == "pass"


def test_checking_with_a_named_party_is_a_hand_off(rubric):
    turns = [("customer", "怎么还没发", 0), ("agent", "我跟仓库确认一下，有结果通知您", 30)]
    assert crit(rubric, "time_commitment", turns).status == "fail"
    turns = [("customer", "怎么还没发", 0), ("agent", "我跟仓库确认一下，两小时内回复您", 30)]
    assert crit(rubric, "time_commitment", turns).status == "pass"


def test_vague_only_and_policy_time_unchanged(rubric):
    vague = [("customer", "少了一件", 0), ("agent", "帮您反馈了，有结果第一时间通知您", 30), ("agent", "请耐心等待", 40)]
    assert crit(rubric, "time_commitment", vague).status == "fail"
    policy = [("customer", "多久发货", 0), ("agent", "我们48小时内发货", 30)]
    assert crit(rubric, "time_commitment", policy).status == "na"
    customer_says = [("customer", "你们跟仓库确认一下吧", 0), ("agent", "好的亲，已经发出了", 30)]
    assert crit(rubric, "time_commitment", customer_says).status == "na"


# ----------------------------------------------------------------------------
# 11. refusals: adverb inside the refusal, 不参与 / 不享受, and a closing is no alternative
# ----------------------------------------------------------------------------

REFUSALS_BARE = ["价格这边没法单独改", "活动款不参与保价", "这款不享受满减", "催了也一样的"]
REFUSALS_WITH_OFFER = [
    "价格没法单独改，不过可以送您运费险",
    "活动款不参与保价，可以给您补一张10元券",
    "这款不享受满减，您可以看看同款的B链接",
]


@pytest.mark.parametrize("reply", REFUSALS_BARE)
def test_more_refusal_shapes_without_alternative_fail(rubric, reply):
    assert crit(rubric, "positive_framing", [("customer", "能不能便宜点", 0), ("agent", reply, 30)]).status == "fail", reply


@pytest.mark.parametrize("reply", REFUSALS_WITH_OFFER)
def test_more_refusal_shapes_with_alternative_pass(rubric, reply):
    assert crit(rubric, "positive_framing", [("customer", "能不能便宜点", 0), ("agent", reply, 30)]).status == "pass", reply


def test_closing_question_is_not_an_alternative(rubric):
    turns = [("customer", "能便宜点吗", 0), ("agent", "这个价格改不了", 30), ("agent", "还有其他可以帮您的吗", 40)]
    assert crit(rubric, "positive_framing", turns).status == "fail"
    turns = [("customer", "能便宜点吗", 0), ("agent", "这个价格改不了", 30), ("agent", "可以帮您申请一个赠品", 40)]
    assert crit(rubric, "positive_framing", turns).status == "pass"


# ----------------------------------------------------------------------------
# 12. after-sales: fit, damp goods, dragged-out shipping, suspected fakes
# ----------------------------------------------------------------------------

MORE_AFTER_SALES = [
    "新买的皮鞋有点磨脚",
    "外套穿上太紧了",
    "饼干打开就受潮了",
    "奶粉都结块了",
    "发货拖来拖去一个礼拜了",
    "昨天客服也是这么说的",
    # default@13 (lst12): zh-cs-kinds@3 reads it under kinds.na_below 0.4 (chosen leave one writer out): a known miss
    pytest.param("logo印得模糊不清", marks=pytest.mark.xfail(strict=True, reason="zh-cs-kinds@3 P < na_below 0.4")),
    "你们是不是骗人的，这根本不是真皮",
]

MORE_PRE_SALE = ["这双鞋会不会挤脚", "这款偏小吗", "放久了会受潮吗", "这个码数偏大吗？"]


@pytest.mark.parametrize("problem", MORE_AFTER_SALES)
def test_more_after_sales_topics(rubric, problem):
    result = crit(rubric, "active_listening", [("customer", problem, 0), ("agent", "好的亲，稍等", 30)])
    assert result.status == "fail", problem


@pytest.mark.parametrize("question", MORE_PRE_SALE)
def test_more_pre_sale_questions_stay_na(rubric, question):
    result = crit(rubric, "active_listening", [("customer", question, 0), ("agent", "您好，正常码数", 30)])
    assert result.status == "na", question


@pytest.mark.parametrize("reply", ["亲，我帮您看下", "好的我查一下", "稍等，我看一下哦"])
def test_bare_i_will_look_is_not_a_confirmation(rubric, reply):
    assert crit(rubric, "active_listening", [("customer", "收到的台灯灯罩裂了", 0), ("agent", reply, 30)]).status == "fail", reply


# ----------------------------------------------------------------------------
# 13. trailing waits need no answer; resignation is a negative end
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("last", ["好吧，那我等你们消息", "好的等你消息", "那我再等等", "嗯，等通知"])
def test_trailing_wait_needs_no_answer(rubric, last):
    turns = [("customer", "退款到哪了", 0), ("agent", "您好，已经提交了", 30), ("customer", last, 60)]
    assert crit(rubric, "response_pace", turns).status == "pass", last
    assert "negative_end" not in flags(rubric, turns), last


@pytest.mark.parametrize("last", ["那我等你们消息，今天不处理我就投诉", "等你们消息等了三天了", "等通知？等到什么时候"])
def test_trailing_wait_with_a_complaint_counts(rubric, last):
    turns = [("customer", "退款到哪了", 0), ("agent", "您好，已经提交了", 30), ("customer", last, 60)]
    assert crit(rubric, "response_pace", turns).status == "fail", last


@pytest.mark.parametrize("last", ["行吧，算我倒霉", "好吧，以后长记性了", "行，这次就当交学费了"])
def test_resignation_is_a_negative_end(rubric, last):
    turns = [("customer", "能退吗", 0), ("agent", "您好，拆封了不能退", 30), ("customer", last, 60)]
    assert "negative_end" in flags(rubric, turns), last


def test_purchase_decision_is_not_a_negative_end_even_if_the_model_says_so(rubric):
    turns = [("customer", "内胆有卖吗", 0), ("agent", "您好，有的，69元", 30), ("customer", "那都要了", 60, "negative")]
    assert "negative_end" not in flags(rubric, turns)


# ----------------------------------------------------------------------------
# 14. more empathy shapes: perspective-taking, excusing the feeling, owning the fault
# ----------------------------------------------------------------------------

MORE_EMPATHY = [
    "换位思考，我也会很着急",
    "真是难为您了",
    "这事确实是我们做得不对",
    "我要是您我也急",
    "理解理解，确实很耽误事",
    "您着急是应该的",
    "这么久没收到，难怪您生气",
    "搁谁都会不高兴的",
    "谁摊上这事都不舒服",
]

MORE_NOT_EMPATHY = ["我们不是故意的", "您急也没用", "这不是我们的问题", "谁让您不早点买", "理解不了您为什么生气", "我知道了"]


@pytest.mark.parametrize("reply", MORE_EMPATHY)
def test_more_empathy_shapes_pass(rubric, reply):
    assert crit(rubric, "empathy", [UPSET, ("agent", reply, 30)]).status == "pass", reply


@pytest.mark.parametrize("reply", MORE_NOT_EMPATHY)
def test_more_non_empathy_fails(rubric, reply):
    assert crit(rubric, "empathy", [UPSET, ("agent", reply, 30)]).status == "fail", reply


# ----------------------------------------------------------------------------
# 15. more taboo shapes, and informative / helpful look-alikes
# ----------------------------------------------------------------------------

MORE_TABOO = [
    "您自己不会看说明书吗",
    "你买之前怎么不问",
    "是你自己弄坏的吧",
    "那是您的事",
    "这个没法处理",
    "你自己跟快递说",
    "平台就是这样的",
    "按规矩办事",
    "我说得很清楚了",
]

MORE_TABOO_LOOKALIKES = [
    "公司规定七天无理由，已经给您同意了",
    "没有这个先例，我去请示一下主管",
    "按规定可以给您补发",
    "您先别着急，是不是您家人代签了？我帮您查",
    "这个不可能不管的，您放心",
    "您不会用的话我教您",
    "您可以自己选择退货或者换货",
    "这个没法处理的话，我给您申请退款",
]


@pytest.mark.parametrize("text", MORE_TABOO)
def test_more_taboo_shapes_fail(rubric, text):
    result = crit(rubric, "forbidden_phrases", [("customer", "收到的杯子是裂的", 0), ("agent", text, 30)])
    assert result.status == "fail", text


@pytest.mark.parametrize("text", MORE_TABOO_LOOKALIKES)
def test_more_taboo_lookalikes_pass(rubric, text):
    result = crit(rubric, "forbidden_phrases", [("customer", "收到的杯子是裂的", 0), ("agent", text, 30)])
    assert result.status == "pass", text


# ----------------------------------------------------------------------------
# 16. hand-offs to a named party, more after-sales shapes, trailing acknowledgements,
#     resignation and sarcasm at the end
# ----------------------------------------------------------------------------

BROKEN = ("customer", "东西坏了", 0)


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("我去问下仓库，下午三点前回您", "pass"),
        ("我去问下仓库，有消息告诉您", "fail"),
        ("这边先咨询一下厂家，周五前给您答复", "pass"),
        ("已经转给售后同事了，他们会联系您", "fail"),
        ("帮您申请了补发，请留意短信通知", "fail"),
        ("已经给您补发了，单号SF123", "na"),
    ],
)
def test_hand_off_to_a_named_party(rubric, reply, expected):
    assert crit(rubric, "time_commitment", [BROKEN, ("agent", reply, 30)]).status == expected, reply


@pytest.mark.parametrize("problem", ["到货的手机壳和手机型号不匹配", "裤子洗了一次就变色了", "裙子的拉链拉不上"])
def test_mismatch_and_broken_fasteners_are_after_sales(rubric, problem):
    assert crit(rubric, "active_listening", [("customer", problem, 0), ("agent", "好的亲，稍等", 30)]).status == "fail", problem


@pytest.mark.parametrize("question", ["可以改地址吗，还没发货", "还没发货的话能改个地址吗"])
def test_address_change_before_shipping_stays_na(rubric, question):
    assert crit(rubric, "active_listening", [("customer", question, 0), ("agent", "好的亲，稍等", 30)]).status == "na", question


@pytest.mark.parametrize("last", ["好的，那我明天再看看", "知道啦，麻烦你们了", "行，那就这样吧"])
def test_more_trailing_acknowledgements(rubric, last):
    turns = [("customer", "退款到哪了", 0), ("agent", "您好，已经提交了", 30), ("customer", last, 60)]
    assert crit(rubric, "response_pace", turns).status == "pass", last


@pytest.mark.parametrize("last", ["算了，不指望你们了", "呵呵，行吧", "行吧，认了", "你们就这样对待老顾客的？"])
def test_resigned_or_sarcastic_end_is_negative(rubric, last):
    turns = [("customer", "能退吗", 0), ("agent", "您好，稍等", 30), ("customer", last, 60)]
    assert "negative_end" in flags(rubric, turns), last


@pytest.mark.parametrize("last", ["好的，已经确认了", "行，那我等明天", "好的，那就换货吧"])
def test_calm_end_with_look_alike_words(rubric, last):
    turns = [("customer", "能退吗", 0), ("agent", "您好，稍等", 30), ("customer", last, 60)]
    assert "negative_end" not in flags(rubric, turns), last


# ----------------------------------------------------------------------------
# 17. customer emotion: rhetorical 不是…吗 affirms; worry and exhaustion in idiom
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["说好的包邮呢，这不是骗人吗", "心里七上八下的", "又白等一天", "真是受够了", "我已经很耐心了"])
def test_idiomatic_or_rhetorical_emotion_triggers_empathy(rubric, text):
    assert crit(rubric, "empathy", [("customer", text, 0), ("agent", "好的", 30)]).status == "fail", text


@pytest.mark.parametrize("text", ["不着急，慢慢来", "这不是我要问的，我想问尺码", "够了够了，谢谢", "请问这个什么时候发货"])
def test_calm_lookalikes_do_not_trigger_empathy(rubric, text):
    assert crit(rubric, "empathy", [("customer", text, 0), ("agent", "好的", 30)]).status == "na", text


def test_negated_acknowledgement_stays_negated_when_not_rhetorical(rubric):
    turns = [("customer", "气死了", 0), ("agent", "我们不是已经给您道过歉了", 30)]
    assert crit(rubric, "empathy", turns).status == "fail"


# ----------------------------------------------------------------------------
# 18. a money threshold explained is not a refusal; a state condition still refuses
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("reply", ["不到300不能减哦", "不满99元不包邮的亲"])
def test_money_threshold_explained_is_not_a_refusal(rubric, reply):
    assert crit(rubric, "positive_framing", [("customer", "怎么没减", 0), ("agent", reply, 30)]).status == "na", reply


@pytest.mark.parametrize("reply", ["没到货不能退款", "未满7天不能申请价保", "这个不能减"])
def test_state_condition_still_refuses(rubric, reply):
    assert crit(rubric, "positive_framing", [("customer", "能退吗", 0), ("agent", reply, 30)]).status == "fail", reply


# ----------------------------------------------------------------------------
# 19. abuse aimed at the agent in more shapes; products and self-mockery are not abuse
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["你们客服都是饭桶吗", "你脑子是不是有问题", "你个骗子", "你们是不是有病"])
def test_more_insults_at_the_agent(rubric, text):
    assert "abusive_customer" in flags(rubric, [("customer", text, 0), ("agent", "您好", 30)]), text


@pytest.mark.parametrize("text", ["这个饭桶多少钱", "我脑子有问题，记错了", "有病毒吗这个软件", "快递员是不是有病"])
def test_insult_lookalikes_are_not_abuse(rubric, text):
    assert "abusive_customer" not in flags(rubric, [("customer", text, 0), ("agent", "您好", 30)]), text


# ============================================================================
# Mechanism probes (round 3): decisions, not phrases. Written for this file.
# ============================================================================

from pipeline.conversation import Sentiment  # noqa: E402


def conv_with_scores(turns):
    """turns: (role, text, seconds[, negative_score]) — a customer turn with a score gets the
    label 'negative' (others split the rest), so the moderate band (0.85–0.96) can be probed."""
    plain = [t[:3] for t in turns]
    conv = make_conversation(plain)
    for msg, t in zip(conv.messages, turns):
        if len(t) > 3 and t[3] is not None:
            neg = float(t[3])
            rest = (1 - neg) / 2
            msg.sentiment = Sentiment(label="negative", scores={"negative": neg, "neutral": rest, "positive": rest})
    return conv


# ---- 1. after-sales / complaint: a weighted decision over the conversation ----

AS_BY_SIGNALS = [
    # problem state + the agent handles it as after-sales (no listed complaint word)
    [("customer", "你好，云台起飞后一直抖", 0), ("agent", "您好，这边给您登记寄修", 30)],
    [("customer", "电钢琴中间有个键按下去弹不回来", 0), ("agent", "您好，我把情况转给技术专员", 30)],
    # purchase reference + problem state
    [("customer", "前天收到的毛巾一直掉毛", 0), ("agent", "您好", 30)],
    [("customer", "我买的套餐说送两个枕头，只收到床垫", 0), ("agent", "您好", 30)],
    [("customer", "新墨盒一装上就漏墨", 0), ("agent", "您好", 30)],
    # customer asks for an after-sales action + problem state
    [("customer", "这个台灯开关按了没反映，能修一下吗", 0), ("agent", "您好", 30)],
]


def test_default12_hurrying_a_shipment_with_no_delay_named_is_an_order_status_question(rubric):
    """default@12: the kind model reads a request to hurry a shipment that names no delay as an order-status question,
    as both new writers of data/kinds label it (the word rule alone reads 催 as after-sales)."""
    turns = [("customer", "能帮我催一下发货吗，等着送人的", 0), ("agent", "好的亲，稍等", 30)]
    assert crit(rubric, "active_listening", turns).status == "na"
    assert _rule_alone(rubric).score(make_conversation(turns)).status == "fail"


def _rule_alone(rubric):
    """active_listening's word rule with the kind model off (default@12 lets the model overrule it)."""
    c = rubric.criterion("active_listening")
    return type(c)(c.id, c.max_points, c.params.model_copy(update={"kinds": c.params.kinds.model_copy(update={"enabled": False})}))


@pytest.mark.parametrize("turns", AS_BY_SIGNALS)
def test_after_sales_decided_by_signals_without_listed_words(rubric, turns):
    # the rule's signals; the kind model vetoes the last one (P 0.18: 没反映 misspelt, a remedy asked in a question)
    r = _rule_alone(rubric).score(make_conversation(turns))
    assert r.status == "fail", [e.note for e in r.evidence]
    assert "得分" in r.evidence[0].note and "阈值" in r.evidence[0].note


AS_PRESALE_LOOKALIKES = [
    [("customer", "上次买的很好用，这次还有优惠吗", 0), ("agent", "您好，有满减", 30)],
    [("customer", "你好，想买个加湿器，有没有静音的", 0), ("agent", "您好，有的", 30)],
    [("customer", "这个杯子多少钱？包邮吗", 0), ("agent", "您好，39包邮", 30)],
    [("customer", "刚下单发现颜色拍错了，还能改吗", 0), ("agent", "您好，已经帮您改好了", 30)],
    [("customer", "这款尺码怎么选，我平时穿L", 0), ("agent", "您好，建议L", 30)],
    [("customer", "今天能发吗？明天要出门", 0), ("agent", "您好，下午4点前下单当天发", 30)],
]


@pytest.mark.parametrize("turns", AS_PRESALE_LOOKALIKES)
def test_presale_lookalikes_stay_not_after_sales(rubric, turns):
    assert crit(rubric, "active_listening", turns).status == "na"


def test_after_sales_evidence_names_the_signals(rubric):
    r = crit(rubric, "active_listening", [("customer", "新墨盒一装上就漏墨", 0), ("agent", "跟您确认一下，是黑色墨盒对吗", 30)])
    assert r.status == "pass"
    note = r.evidence[0].note
    assert "purchase" in note and "problem" in note
    assert r.evidence[0].rule.startswith("active_listening.topic")


def test_presale_signal_is_explained_when_it_wins(rubric):
    r = crit(rubric, "active_listening", [("customer", "上次买的很好用，这次还有优惠吗", 0), ("agent", "您好", 30)])
    assert r.status == "na" and r.evidence and "presale" in r.evidence[0].note


def test_after_sales_threshold_is_rubric_data():
    import yaml

    from pipeline.rubric.engine import build_rubric
    from tests.pipeline.rubric.conftest import DEFAULT_RUBRIC

    data = yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    crit_ = next(c for c in data["criteria"] if c["id"] == "active_listening")
    crit_["params"]["decision"]["threshold"] = 99
    crit_["params"]["kinds"]["enabled"] = False  # the rule's threshold alone (the kind model could still enable it)
    strict = build_rubric(data, "x.yaml")
    turns = [("customer", "我买的电热水壶底座漏水了", 0), ("agent", "您好", 30)]
    assert strict.criterion("active_listening").score(make_conversation(turns)).status == "na"


# ---- 2. empathy trigger: sentiment score combined with the message's shape ----

SHAPED_UPSET = [
    "在吗？？人呢",
    "呵呵，你们效率可真高啊",
    "明天就要用了，来不及了",
    "怎么又是这个问题",
    "问了好几次了都没人说清楚",
    "算了，没人管是吧",
]


@pytest.mark.parametrize("text", SHAPED_UPSET)
def test_moderate_negative_with_an_upset_shape_triggers_empathy(rubric, text):
    conv = conv_with_scores([("customer", text, 0, 0.88), ("agent", "您好，订单已经发出了", 30)])
    r = rubric.criterion("empathy").score(conv)
    assert r.status == "fail"
    assert r.evidence[0].rule == "empathy.trigger.shape"


PLAIN_AT_MODERATE = [
    "这个什么时候能到呢？",
    "收到的杯子把手断了",
    "不急，慢慢来",
    "我一直用你们家的洗发水",
    "能便宜点吗？",
    "好的，我一直在等消息",
]


@pytest.mark.parametrize("text", PLAIN_AT_MODERATE)
def test_plain_question_or_report_at_moderate_score_is_not_emotion(rubric, text):
    conv = conv_with_scores([("customer", text, 0, 0.9), ("agent", "您好", 30)])
    assert rubric.criterion("empathy").score(conv).status == "na"


def test_plain_question_needs_an_emotion_word_even_at_high_score(rubric):
    conv = conv_with_scores([("customer", "这个能便宜点吗？", 0, 0.99), ("agent", "您好", 30)])
    assert rubric.criterion("empathy").score(conv).status == "na"


@pytest.mark.parametrize("text", ["I'm so frustrated，度数完全不对", "那算了，我去别家买", "太失望了，换别的店看看"])
def test_emotion_words_stay_a_second_path_without_the_model(rubric, text):
    r = crit(rubric, "empathy", [("customer", text, 0), ("agent", "您好", 30)])
    assert r.status == "fail"


def test_incapacity_after_contrast_cancels_pseudo_empathy(rubric):
    turns = [("customer", "好担心植物闷死", 0), ("agent", "我理解您担心，可是天气原因停运我这边也无能为力", 30)]
    assert crit(rubric, "empathy", turns).status == "fail"


def test_real_offer_after_contrast_keeps_empathy(rubric):
    turns = [("customer", "好担心植物闷死", 0), ("agent", "我理解您担心，不过我可以马上帮您催一下快递", 30)]
    assert crit(rubric, "empathy", turns).status == "pass"


# ---- 3. taboo by mechanism ----

TABOO_MECHANISM = [
    "这是您自己养护的问题",
    "您自己使用不当造成的",
    "这都是你自己的原因",
    "哟，五天就等不及啦？",
    "大促期间谁家不是这样",
    "排到了自然就发了",
    "调音方法上面都写了，您自己看一下就行",
    "才两天就急成这样了",
]


@pytest.mark.parametrize("reply", TABOO_MECHANISM)
def test_taboo_mechanisms_fail(rubric, reply):
    turns = [("customer", "你好，东西有点问题", 0), ("agent", reply, 30)]
    assert crit(rubric, "forbidden_phrases", turns).status == "fail"


TABOO_LOOKALIKES = [
    "您的问题我们一定负责到底",
    "是您的问题吗？我帮您核实一下",
    "是不是没插紧电源？您再试一下，不行我给您换",
    "哟，亲回来啦，欢迎欢迎",
    "到了自然会有短信通知您的",
    "这是我们的问题，非常抱歉",
    "哈哈，谢谢亲的夸奖",
]


@pytest.mark.parametrize("reply", TABOO_LOOKALIKES)
def test_taboo_mechanism_lookalikes_pass(rubric, reply):
    turns = [("customer", "你好", 0), ("agent", reply, 30)]
    assert crit(rubric, "forbidden_phrases", turns).status == "pass"


# ---- 4. refusals by mechanism; "go elsewhere" is no alternative ----

REFUSAL_NO_ALT = [
    ["接线安装这块我们不负责的，您去找4S店吧"],
    ["运输过程不是我们能控制的", "您直接找快递公司理赔就行"],
    ["这个我这边无能为力"],
    ["打了也一样，恢复了就会走"],
]


@pytest.mark.parametrize("replies", REFUSAL_NO_ALT)
def test_refusal_whose_only_alternative_is_elsewhere_fails(rubric, replies):
    turns = [("customer", "能帮我处理一下吗", 0)] + [("agent", r, 30 + 10 * i) for i, r in enumerate(replies)]
    assert crit(rubric, "positive_framing", turns).status == "fail"


REFUSAL_WITH_ALT = [
    "整箱更换这边没办法直接给您换，不过可以免费给您寄一套新轮子",
    "运输损坏不是我们能控制的，不过我们可以先给您补发一个，快递那边我们去追",
]


@pytest.mark.parametrize("reply", REFUSAL_WITH_ALT)
def test_refusal_with_real_alternative_passes(rubric, reply):
    turns = [("customer", "能换个新的吗", 0), ("agent", reply, 30)]
    assert crit(rubric, "positive_framing", turns).status == "pass"


# default@12: the decline model (zh-cs-declines@1) reads 着急也没用，等着吧 as declining the request for help (P 0.86): a
# brush-off that does turn the request down, left to forbidden_phrases until default@11 (model card, limits)
@pytest.mark.parametrize("reply", [
    "这个问题由我们负责，您放心",
    "快递员会联系您的",
    pytest.param("着急也没用，等着吧", marks=pytest.mark.xfail(strict=True, reason="zh-cs-declines@1 reads a decline")),
])
def test_not_a_refusal(rubric, reply):
    turns = [("customer", "能帮我处理一下吗", 0), ("agent", reply, 30)]
    assert crit(rubric, "positive_framing", turns).status == "na"


# ---- 5. hand-off to any department; telling the customer to go themselves is no hand-off ----


@pytest.mark.parametrize("reply", ["我这边马上转给品质部核查", "已经转到售后组处理了"])
def test_handoff_to_any_department_needs_a_time(rubric, reply):
    turns = [("customer", "收到的奶粉罐子瘪了", 0), ("agent", reply, 30)]
    assert crit(rubric, "time_commitment", turns).status == "fail"


@pytest.mark.parametrize("reply", ["您联系快递吧", "您直接找快递公司理赔就行"])
def test_sending_the_customer_to_the_courier_is_not_a_handoff(rubric, reply):
    turns = [("customer", "箱子被压坏了", 0), ("agent", reply, 30)]
    assert crit(rubric, "time_commitment", turns).status == "na"


def test_agent_contacting_the_courier_is_a_handoff(rubric):
    turns = [("customer", "快递好像丢了", 0), ("agent", "我这边已经联系快递查件了，有结果告诉您", 30)]
    assert crit(rubric, "time_commitment", turns).status == "fail"


@pytest.mark.parametrize("reply", ["降压线要单独买的", "今天已经截单了，最早明天上午才能发", "截单后系统不能加了"])
def test_refusal_by_charge_or_earliest_time(rubric, reply):
    turns = [("customer", "能送一根吗/今天能发吗", 0), ("agent", reply, 30)]
    assert crit(rubric, "positive_framing", turns).status == "fail"
