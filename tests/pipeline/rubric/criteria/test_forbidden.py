"""forbidden_phrases.v2: the act layer (zh-cs-acts), its guards, and the self-correction fix (issue 13).

The sentences here are written for these tests: paraphrases of the issue's mechanisms, not lines of
the training file or of any held-out set."""
from __future__ import annotations

import pytest

from pipeline.rubric import CRITERIA
from pipeline.rubric.testing import make_conversation


@pytest.fixture(scope="module")
def forbidden(rubric):
    return next(c for c in rubric.criteria if c.id == "forbidden_phrases")


def _score(criterion, *agent_texts: str):
    turns = [("customer", "东西怎么还没到", 0)] + [("agent", t, 30 + 10 * i) for i, t in enumerate(agent_texts)]
    return criterion.score(make_conversation(turns))


def test_default_rubric_uses_v2_with_pinned_act_model(forbidden):
    assert forbidden.name == "forbidden_phrases.v2"
    assert forbidden.params.acts.model_version == "zh-cs-acts@7"
    assert 0 < forbidden.params.acts.threshold <= 1


@pytest.mark.parametrize(
    "text, act",
    [
        ("亲 这个我们这边真的是一点辙都没有了哦", "refusal"),
        ("包裹出了仓库就是快递那边的事了 我们这边管不着的亲", "blame_shifting"),
        ("这个问题我上午已经回复您三次了，您再往上翻翻", "arguing"),
        ("尺码表就在详情页第三张图 这么明显都看不到吗", "condescension"),
    ],
)
def test_paraphrased_taboos_fail_with_act_and_clause(forbidden, text, act):
    res = _score(forbidden, text)
    assert res.status == "fail"
    ev = res.evidence[0]
    a, b = ev.span
    assert b > a and ev.text[a:b] in text
    if ".act." in ev.rule:
        assert ev.rule == f"forbidden_phrases.act.{act}"
        assert "zh-cs-acts@7" in ev.note and act in ev.note


@pytest.mark.parametrize(
    "text",
    [
        "不知道您明天上午方便接电话吗，我让师傅跟您约时间",  # polite question
        "您刚才说“你们就是不想管”，我特别理解您现在的心情",  # quoting the customer
        "上午那样答复您确实不妥，是我的问题，跟您说声对不起",  # apology for an earlier reply
        "这个真不是您的问题，是我们仓库漏发了，马上给您补寄",  # negation
        "这款确实没法再便宜了，不过我可以给您申请一个运费险",  # kind policy with an alternative
        "您好，请问有什么可以帮您",
        "好的",
    ],
)
def test_hard_negatives_pass(forbidden, text):
    assert _score(forbidden, text).status == "pass", text


def test_apology_for_earlier_reply_is_not_a_red_line(forbidden):
    # the bundled demo month (data/sample, NL20260902-004): the cue "您…是不对" matched inside the apology
    text = "你好，久等了，抱歉，少发和快递没有关系，是我们仓库打包的问题，那样回复您是不对的，我向您道歉"
    assert _score(forbidden, text).status == "pass"
    # the same words as an argument are still caught
    assert _score(forbidden, "您这样说是不对的").status == "fail"


def test_v1_is_unchanged_by_v2():
    v1 = CRITERIA["forbidden_phrases.v1"]()
    text = "那样回复您是不对的，我向您道歉"
    assert _score(v1, text).status == "fail"  # v1 keeps its old behaviour (rubrics that name it keep their meaning)
    assert _score(CRITERIA["forbidden_phrases.v2"](), text).status == "pass"


def test_offer_cancels_refusal(forbidden):
    assert _score(forbidden, "这边确实处理不了", "我马上帮您转给售后主管，半小时内给您回电").status == "pass"


def test_wrong_act_model_version_is_an_error():
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.params.acts.model_version = "zh-cs-acts@99"
    with pytest.raises(ValueError, match="zh-cs-acts@99"):
        _ = crit.compiled


def test_acts_can_be_switched_off():
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.params.acts.enabled = False
    assert _score(crit, "亲 这个我们这边真的是一点辙都没有了哦").status in ("pass", "fail")
    assert crit.compiled[3] is None


@pytest.mark.parametrize(
    "text",
    [
        "宝 这个不是不归我们管的 过了保修也帮您约了品牌师傅 今晚联系您",  # a denied taboo (double negation)
        "并不是没办法哦，换个颜色今天就能发",
        "按商城规定七天内可以退，已经给您同意了",  # a rule cited to grant
        "这款能否托运请以航空公司规定为准哦，尺寸是55x40x20",  # an authority named for a fact
    ],
)
def test_denied_taboos_and_granting_rules_pass(forbidden, text):
    assert _score(forbidden, text).status == "pass", text


def test_denial_and_grant_guards_keep_the_taboo_itself(forbidden):
    assert _score(forbidden, "这个不归我们管").status == "fail"
    assert _score(forbidden, "规定就是规定，不能退").status == "fail"


def test_a_negated_offer_does_not_cancel_a_refusal(forbidden):
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.params.acts.enabled = False  # the word layer alone: 没办法 with an "offer" that offers nothing
    assert _score(crit, "这个真的没办法", "补偿是没有的哦").status == "fail"
    assert _score(crit, "这个真的没办法", "不过可以给您补偿一张券").status == "pass"
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.params.acts.enabled = False
    crit.params.negated_offer = False  # the switch restores the old reading
    assert _score(crit, "这个真的没办法", "补偿是没有的哦").status == "pass"


@pytest.mark.parametrize(
    "text",
    [
        "这个问题我都回复了五遍了",  # complaining about repeating oneself, with a number
        "同一个事我讲过两次了呀",
        "您爱挑哪个就挑哪个吧",  # "whatever you like" as a shrug
        "唔关我哋事 你自己去问快递",  # Cantonese "not our business"
    ],
)
def test_taboo_mechanisms_found_by_words(text):
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.params.acts.enabled = False
    assert _score(crit, text).status == "fail", text


def test_helplessness_said_outright_needs_less_certainty(forbidden):
    text = "这个呢我们这头也挺无奈的 您就再等一等看"
    row = forbidden.compiled[3].predict_proba([text])[0]
    taboo = 1 - row[forbidden.compiled[3].classes_.index("none")]
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.params.acts.threshold = min(1.0, taboo + 0.005)  # the ordinary bar just above this message
    assert _score(crit, text).status == "fail"  # 无奈 said outright: helpless_threshold applies
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.params.acts.threshold = min(1.0, taboo + 0.005)
    crit.params.acts.helpless = []  # without the words, the ordinary bar
    assert _score(crit, text).status == "pass"
    # quoting the customer's 没办法用 is not the agent declaring helplessness
    assert _score(forbidden, "您说的“没办法用”，是指开不了机还是充不进电呢？").status == "pass"


def test_later_help_does_not_unsay_not_knowing(forbidden):
    turns = [
        ("customer", "下个月还是这个价吗", 0),
        ("agent", "这个嘛我们这头也说不准的 您自己多留意", 30),
        ("customer", "那降价了怎么办", 60),
        ("agent", "降价的话可以给您申请补差价", 90),
    ]
    assert forbidden.score(make_conversation(turns)).status == "fail"
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.params.acts.not_knowing = []  # without the rule the later offer cancels the refusal
    crit.params.acts.offer_same_turn = False  # (act13: by default an offer after the customer's objection cancels nothing)
    assert crit.score(make_conversation(turns)).status == "pass"
    # help in the same message does
    assert _score(forbidden, "具体到货时间我这边说不准 我帮您问下仓库 一小时内回复您").status == "pass"


@pytest.mark.parametrize(
    "text",
    [
        "您是想把这单改成白色的是不是嘛",  # Sichuan: a confirmation question closed by 嘛
        "那就后天上午给您送过去 对不对噻",
        "先给您发顺丰 到付您签收中不中",  # Henan
        "即係你想退返件衫 係唔係呀",  # Cantonese
    ],
)
def test_dialect_confirmation_questions_are_not_arguing(forbidden, text):
    assert forbidden.params.acts.enabled
    res = _score(forbidden, text)
    assert not [e for e in res.evidence if ".act." in e.rule], text


def test_confirmation_tag_guard_leaves_rhetorical_tags_alone():
    from pipeline.rubric.criteria.forbidden import _RESTATEMENT

    assert _RESTATEMENT.search("您要的是大一码的是不是嘛")
    assert _RESTATEMENT.search("明天到货对不")
    assert not _RESTATEMENT.search("别再催了好不好")  # a rhetorical tag: arguing, not a confirmation
    assert not _RESTATEMENT.search("我们这边发货绝对不")


def test_default10_thresholds_go_with_the_act_model():
    # zh-cs-acts@7 reads more taboo into plain lines than @6: the main bar up to 0.785 and "short" up to 12 letters
    from pipeline.rubric.criteria.forbidden import ActParams

    p = ActParams()
    assert p.model_version == "zh-cs-acts@7" and p.threshold == 0.785 and p.short_chars == 12
    assert p.act_thresholds == {"arguing": 0.8, "condescension": 0.8, "blame_shifting": 0.785}  # act13 proposed blame 0.7; the lead kept 0.785
    assert p.short_threshold == 0.9 and p.helpless_threshold == 0.6  # act13 proposed 0.85; the lead kept 0.9


def test_polite_questions_and_owned_faults_are_no_acts():
    from pipeline.rubric.criteria.forbidden import _OWNS_FAULT, _POLITE_QUESTION

    assert _POLITE_QUESTION.search("不知道宝是自己穿还是买给家里人呢？")
    assert _POLITE_QUESTION.search("请问您今天下午方便收件吗")
    assert not _POLITE_QUESTION.search("请问您连说明书都不看吗")  # rhetorical: talking down
    assert _OWNS_FAULT.search("跟快递没关系 是我们打包时漏放了 马上补")
    assert not _OWNS_FAULT.search("这个不是我们的问题 您找快递")  # denying the fault is the blame itself


def test_owned_fault_cancels_blame_but_not_a_plain_blame(forbidden):
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.params.acts.threshold = crit.params.acts.short_threshold = 0.01  # any reading of blame would fail
    crit.params.acts.act_thresholds = {}
    owned = "亲 跟快递没关系 是我们打包时漏放了配件 真的抱歉"
    assert not [e for e in _score(crit, owned).evidence if ".act.blame_shifting" in e.rule or ".act.arguing" in e.rule]
    assert _score(forbidden, "包裹出了仓库就是快递那边的事了 我们这边管不着的亲").status == "fail"


def test_a_promise_not_to_repeat_a_mistake_is_not_arguing(forbidden):
    from pipeline.rubric.criteria.forbidden import _PROMISE

    assert _PROMISE.search("下次发货前一定不会再漏了") and _PROMISE.search("以后绝对不再让您等这么久")
    assert not _PROMISE.search("我们仓库不会发错的")  # a denial of the customer's account
    assert _score(forbidden, "这回发货前我亲自核对 保证不会再错了").status == "pass"


def test_questions_for_a_fact_and_customer_only_steps_are_no_act(forbidden):
    from pipeline.rubric.criteria.forbidden import _CUSTOMER_ONLY, _INFO_QUESTION

    assert _INFO_QUESTION.search("您当时是用哪张卡付的款呢？") and _INFO_QUESTION.search("亲是几号签收的呀？")
    assert not _INFO_QUESTION.search("您怎么不先看看详情呢")  # a reproach has its negation
    assert not _INFO_QUESTION.search("你怎么这么多问题呢")
    assert _CUSTOMER_ONLY.search("发票抬头需要您本人在订单里修改哦")
    assert not _CUSTOMER_ONLY.search("自己去翻聊天记录")
    for text in ("您当时是用哪张卡付的款呢？", "这个地址需要您本人登录账号修改的哦 我们这边改不了"):
        assert not [e for e in _score(forbidden, text).evidence if e.rule.endswith((".condescension", ".arguing"))], text


def test_helplessness_and_dismissal_lists_share_no_family():
    # default@10: each family has one home; the policy-"no" override reads both lists
    from pipeline.rubric.criteria.forbidden import DISMISSAL, HELPLESS

    assert not set(HELPLESS) & set(DISMISSAL)
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.compiled
    for text in ("这个我们也束手无策", "这个系统设置我们插不上手", "您自己看着办吧"):
        assert crit._dismissal.search(text), text


def test_longest_spans_do_not_depend_on_the_order_of_the_entries():
    from pipeline.rubric.criteria.forbidden import longest_spans
    from pipeline.rubric.matching import compile_entries

    short, long = compile_entries(["re:帮不了"]), compile_entries(["re:帮不了(您|你)(的)?"])
    text = "这个真帮不了您的，我也帮不了"
    assert longest_spans([short, long], text) == longest_spans([long, short], text) == [(3, 8), (11, 14)]
    # one alternation keeps the first entry that matches at a place: the span changed with the list's order
    from pipeline.rubric.matching import find_spans

    assert find_spans(compile_entries(["re:帮不了", "re:帮不了(您|你)(的)?"]), text)[0] == (3, 6)


def test_helplessness_read_the_same_whatever_the_list_order():
    from pipeline.rubric.matching import view

    texts = ["我们这边也没有任何办法了呢", "您说的“帮不了”是哪位同事说的？", "这个我们确实不是很清楚 也做不了主", "并不是没办法 是需要您拍个照"]
    msgs = make_conversation([("customer", "在吗", 0)] + [("agent", t, 30 + i) for i, t in enumerate(texts)]).messages[1:]
    forward, backward = CRITERIA["forbidden_phrases.v2"](), CRITERIA["forbidden_phrases.v2"]()
    backward.params.acts.helpless = list(reversed(backward.params.acts.helpless))
    forward.compiled, backward.compiled
    got = [(forward._says_helpless(view(m)), backward._says_helpless(view(m))) for m in msgs]
    assert got == [(True, True), (False, False), (True, True), (False, False)]


def test_a_message_that_quotes_is_read_without_the_quoted_words(forbidden):
    from pipeline.rubric.matching import view

    model = forbidden.compiled[3]
    turns = [("customer", "退不了", 0), ("agent", "您刚才说的“没办法退”，是指退款按钮是灰的，还是页面报错了？", 30), ("agent", "好的 我看一下", 40)]
    quoting, plain = [view(m) for m in make_conversation(turns).messages[1:]]
    ((a, b),) = quoting.quotes
    row = forbidden._act_row(model, quoting, model.predict_proba([quoting.s])[0])
    assert list(row) == list(model.predict_proba([quoting.s[:a] + quoting.s[b:]])[0])  # the quote marks stay, not the words
    same = model.predict_proba([plain.s])[0]
    assert list(forbidden._act_row(model, plain, same)) == list(same)  # nothing quoted: the message as it is
    assert forbidden.score(make_conversation(turns)).status == "pass"


def test_asking_after_a_quiet_customer_is_no_reproach(forbidden):
    from pipeline.rubric.criteria.forbidden import _CHECK_IN

    assert _CHECK_IN.search("宝 咋没回复了呢？") and _CHECK_IN.search("您怎么不吭声了")
    assert not _CHECK_IN.search("您怎么不早说")  # a reproach
    assert _score(forbidden, "在吗亲 您怎么不出声了呀").status == "pass"


@pytest.mark.parametrize(
    "text",
    ["您反映的这种情况客服这里是解答不了的", "这种要求我们实在满足不了呢", "这边没法给您受理的哦亲", "该售后问题我们无法为您解决"],
)
def test_not_handling_the_request_is_a_dismissal_in_either_spelling(text):
    # default@11: 处理不了 was a dismissal, 无法为您处理 / 解答不了 / 满足不了 were a policy "no" left to positive_framing
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.compiled
    assert crit._dismissal.search(text)


def test_a_policy_no_about_a_thing_stays_a_policy_no():
    crit = CRITERIA["forbidden_phrases.v2"]()
    crit.compiled
    for text in ("这款是定制的 不支持七天无理由哦", "已经出库了 地址改不了了", "这个颜色暂时补不了货"):
        assert crit._plain.search(text) and not crit._dismissal.search(text), text


def test_helpless_request_fails_unless_help_follows(forbidden):
    assert _score(forbidden, "亲 您说的这个问题我们这边无法为您处理的呢 感谢理解").status == "fail"
    assert _score(forbidden, "这个问题我这边无法直接处理，马上帮您转给售后主管，两小时内联系您").status == "pass"
