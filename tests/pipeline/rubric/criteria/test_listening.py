"""active_listening.v1 (default@7): Cantonese after-sales words, and one pulling-down signal outweighs a lone topic word."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


@pytest.fixture(scope="module")
def listening(rubric):
    """The default rubric's word rule alone: these tests pin what its words and signals read. From default@12 the
    conversation-kind model may overrule it in either direction (tests/.../test_listening_kinds.py)."""
    crit = next(c for c in rubric.criteria if c.id == "active_listening")
    params = crit.params.model_copy(update={"kinds": crit.params.kinds.model_copy(update={"enabled": False})})
    return type(crit)(crit.id, crit.max_points, params)


@pytest.mark.parametrize("text", ["条裤洗一次就甩色 点算", "个风筒用咗两日就坏咗", "部机充唔到电"])
def test_cantonese_after_sales_words_make_it_after_sales(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "好的，我帮您看看", 30)], run_stages=False)
    assert listening.score(conv).status == "fail", text  # applies; nothing restated


def test_a_presale_question_outweighs_a_lone_topic_word(listening):
    conv = make_conversation([("customer", "能放驿站吗 有现货吗", 0), ("agent", "有现货，可以放驿站", 30)], run_stages=False)
    assert listening.score(conv).status == "na"


def test_a_topic_word_with_a_purchase_still_holds_against_a_presale_signal(listening):
    conv = make_conversation([("customer", "上周买的电水壶漏水了 还有现货吗 想换一个", 0), ("agent", "好的", 30)], run_stages=False)
    assert listening.score(conv).status == "fail"


@pytest.mark.parametrize("text", ["台灯收到了 跟详情页的图差得老远", "这沙发和主图根本不一样啊"])
def test_goods_far_from_their_pictures_is_a_complaint(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "亲 给您发个优惠券", 30)], run_stages=False)
    assert listening.score(conv).status == "fail", text


@pytest.mark.parametrize("text", ["音箱一开就有嗡嗡的响声", "活虾到了死了五只", "这表的走针有点抖 会不会是高仿啊"])
def test_default8_noises_dead_on_arrival_and_fear_of_a_fake_are_after_sales(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "好的，我帮您看看", 30)], run_stages=False)
    assert listening.score(conv).status == "fail", text


@pytest.mark.parametrize("text", ["这茶叶我们单位同事都说好 再来两盒", "这款镜头能支持七天无理由吗"])
def test_default8_praise_and_a_policy_question_are_no_complaint(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "好的，这边给您看一下", 30)], run_stages=False)
    assert listening.score(conv).status == "na", text


def test_default8_installation_booked_with_the_delivery_is_no_after_sales(listening):
    conv = make_conversation(
        [("customer", "烤箱下单了 什么时候送", 0), ("agent", "明天送到，安装师傅会和您约上门时间，免费上门安装", 30)], run_stages=False
    )
    assert listening.score(conv).status == "na"


@pytest.mark.parametrize("text", ["收到了 灯比主图上暗好多", "床单没有视频里那么厚"])
def test_default8_the_goods_measured_against_their_pictures_are_a_complaint(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "好的，我帮您看看", 30)], run_stages=False)
    assert listening.score(conv).status == "fail", text


# default@9 (listen5): bot-only after-sales fails; a decision to buy reads pre-sale; what counts as a check


def test_default9_an_after_sales_chat_no_human_answered_fails(listening):
    conv = make_conversation(
        [("customer", "耳机盒收到就合不上了 想换个新的", 0), ("bot", "亲亲，售后问题请在订单页提交申请哦", 5), ("customer", "转人工", 20)],
        run_stages=False,
    )
    result = listening.score(conv)
    assert result.status == "fail"
    assert any(e.rule == "active_listening.no_human" for e in result.evidence)


def test_default9_a_pre_sale_chat_no_human_answered_is_na(listening):
    conv = make_conversation([("customer", "这款耳机有粉色吗", 0), ("bot", "亲亲，颜色以页面为准哦", 5)], run_stages=False)
    assert listening.score(conv).status == "na"


@pytest.mark.parametrize("last", ["行 那我先拍一台试试", "懂了 那我下单吧", "好的 我这就去下单"])
def test_default9_deciding_to_buy_makes_a_worry_pre_sale(listening, last):
    conv = make_conversation(
        [("customer", "以前买过一台加湿器 用了半年就坏了 这台能用多久", 0), ("agent", "您好，这台整机保修两年", 30), ("customer", last, 60)],
        run_stages=False,
    )
    assert listening.score(conv).status == "na", last


@pytest.mark.parametrize("last", ["那我重新下单吧", "好的 那你们快点处理", "我拍了照片 您看下", "好的 我去拍"])
def test_default9_a_re_order_or_a_photo_is_no_decision_to_buy(listening, last):
    conv = make_conversation(
        [("customer", "上周买的加湿器用了两天就坏了", 0), ("agent", "您好，这边给您处理", 30), ("customer", last, 60)],
        run_stages=False,
    )
    assert listening.score(conv).status == "fail", last


@pytest.mark.parametrize("agent", ["麻烦您看一下插头有没有松", "您先检查下电源灯亮不亮"])
def test_default9_telling_the_customer_to_look_is_no_check(listening, agent):
    conv = make_conversation([("customer", "风扇收到插上电不转", 0), ("agent", agent, 30)], run_stages=False)
    assert listening.score(conv).status == "fail", agent


@pytest.mark.parametrize(
    "agent,status",
    [("您这台是2023款，下单的是配2022款的滤网，型号对不上", "pass"), ("请问您下单的是哪一款滤网", "fail"), ("放心，您买的是正品", "fail")],
)
def test_default9_naming_what_was_bought_restates_the_order(listening, agent, status):
    conv = make_conversation([("customer", "新买的滤网塞不进去", 0), ("agent", agent, 30)], run_stages=False)
    assert listening.score(conv).status == status, agent


@pytest.mark.parametrize("text", ["这批保鲜袋一拉就断 装不了东西", "你家这件卫衣一洗就起球", "台风天 包裹估计在路上耽搁了 啥时候能到"])
def test_default9_failing_at_first_use_and_a_parcel_slowed_on_its_way_are_after_sales(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "好的亲", 30)], run_stages=False)
    assert listening.score(conv).status == "fail", text


@pytest.mark.parametrize(
    "text",
    [
        "这个背包到底啥颜色 视频和主图看着差好多",
        "收据上抬头多了一个字 能改吗",
        "书柜我拼不上 隔板不知道往哪插",
        "旧平板能折价换新的吗 旧的边框有磕碰",
    ],
)
def test_default9_pictures_compared_a_document_assembly_know_how_and_a_trade_in_are_no_complaint(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "您好，这边给您说明一下", 30)], run_stages=False)
    assert listening.score(conv).status == "na", text


def test_default9_first_use_failure_of_goods_bought_elsewhere_is_a_pre_sale_worry(listening):
    conv = make_conversation(
        [("customer", "上回买的别人家的晾衣绳一扯就断 你们这款结实吗", 0), ("agent", "您好，我们这款是加粗的", 30)], run_stages=False
    )
    assert listening.score(conv).status == "na"


@pytest.mark.parametrize(
    "text,status",
    [
        ("以前在别的店买的牙刷头一碰就掉 你们的牢不牢", "na"),
        ("一样的杯子在别家买过好几个都好好的 你们寄来的这个一用就漏了", "fail"),
    ],
)
def test_default9_trouble_words_of_a_buy_elsewhere_are_no_topic_but_this_shops_goods_keep_theirs(listening, text, status):
    conv = make_conversation([("customer", text, 0), ("agent", "您好，这边帮您看看", 30)], run_stages=False)
    assert listening.score(conv).status == status, text


# default@10 (listen6): Cantonese read as Mandarin by the topic words; words that report no trouble; price drops,
# the wrong pick-up point and a meal delivered as another are complaints


@pytest.mark.parametrize("text", ["部手機殼寄咗三日 物流仲係冇郁", "個外賣等咗成個鐘都冇送到", "碗粥入面有隻蟲"])
def test_default10_cantonese_complaints_read_like_mandarin_ones(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "好的亲", 30)], run_stages=False)
    assert listening.score(conv).status == "fail", text


@pytest.mark.parametrize(
    "text", ["呢對波鞋38碼啱唔啱我", "上次買嗰個杯好好用 想再要多隻唔同色 唔該", "手机壳收到了 挺好看 不换了"]
)
def test_default10_a_question_thanks_and_a_declined_exchange_are_no_complaint(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "好的亲", 30)], run_stages=False)
    assert listening.score(conv).status == "na", text


@pytest.mark.parametrize("text", ["要是用了一周发现漏电咋整", "这个净水器的滤芯多长时间需要更换", "酸奶有没有快临期的 便宜点的"])
def test_default10_what_if_care_and_stock_questions_are_pre_sale(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "您好，这边给您说明一下", 30)], run_stages=False)
    assert listening.score(conv).status == "na", text


@pytest.mark.parametrize(
    "text", ["快递员把我的件放到隔壁小区的快递柜了 离家好远", "我叫的是两份饺子 结果送到的成了馄饨", "前天买的吹风机今天便宜了80", "刚到手就跌价 心塞"]
)
def test_default10_wrong_pick_up_point_wrong_meal_and_a_price_drop_are_after_sales(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "好的亲", 30)], run_stages=False)
    assert listening.score(conv).status == "fail", text


def test_default10_the_terms_of_a_return_are_no_after_sales_handling(listening):
    conv = make_conversation(
        [("customer", "刚收到 挺好看的 吊牌可以剪吗", 0), ("agent", "可以剪，不过要退货的话吊牌需要留着哦", 30)], run_stages=False
    )
    assert listening.score(conv).status == "na"


def test_default10_a_bare_no_to_anything_else_is_no_problem(listening):
    conv = make_conversation(
        [
            ("customer", "耳机收到了 怎么和手机配对", 0),
            ("agent", "长按耳机两秒进入配对，还有其他问题吗", 30),
            ("customer", "没有了", 60),
        ],
        run_stages=False,
    )
    assert listening.score(conv).status == "na"


def test_default10_the_cantonese_reading_keeps_offsets():
    from pipeline.rubric.criteria.listening import cantonese_as_mandarin

    for s in ["物流仲系冇郁", "我联系咗佢哋", "唔该晒", "3日前买嘅"]:
        assert len(cantonese_as_mandarin(s)) == len(s)
    assert cantonese_as_mandarin("物流仲系冇郁") == "物流还是没动"
    assert cantonese_as_mandarin("我联系咗佢哋") == "我联系了他们"
    assert cantonese_as_mandarin("系统没动") == "系统没动"  # no Cantonese character: left as written


@pytest.mark.parametrize(
    "agent,status", [("麻烦发一下订单号和裂缝的照片", "fail"), ("麻烦发一下订单号，我帮您核实一下", "pass"), ("请提供您的订单号", "fail")]
)
def test_default10_asking_for_the_order_number_or_a_photo_alone_restates_nothing(listening, agent, status):
    conv = make_conversation([("customer", "保温杯收到就有条裂缝", 0), ("agent", agent, 30)], run_stages=False)
    assert listening.score(conv).status == status, agent


@pytest.mark.parametrize("reply,status", [("对的", "pass"), ("嗯 就是这个", "pass"), ("不是，我是想问杯盖怎么清洗", "na")])
def test_default10_a_restated_problem_the_customer_confirms_makes_it_after_sales(listening, reply, status):
    conv = make_conversation(
        [
            ("customer", "你们看看这个", 0),
            ("customer", "", 5),  # a picture
            ("agent", "您好，跟您确认一下，您收到的杯子杯口有破损，对吗？", 30),
            ("customer", reply, 60),
        ],
        run_stages=False,
    )
    assert listening.score(conv).status == status, reply


@pytest.mark.parametrize(
    "text",
    [
        "这个台灯能寄顺丰不我家那边顺丰快一点",  # 不 closes the yes-no question in a run-on
        "我买了三样东西 页面上那个满减我没弄明白",  # the customer's own understanding
        "收到货了 说明书字太小看不清 想问下怎么调亮度",
        "刚收到 不好意思问题有点多 这个能放冰箱吗",
    ],
)
def test_default10_a_question_particle_the_customers_understanding_and_many_questions_are_no_problem(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "好的亲", 30)], run_stages=False)
    assert listening.score(conv).status == "na", text


@pytest.mark.parametrize("last", ["没了没了", "那没什么事了", "没有了 谢谢"])
def test_default10_a_repeated_or_plain_no_more_is_a_close(listening, last):
    conv = make_conversation(
        [("customer", "订单收到了 想问下这个杯子能进洗碗机吗", 0), ("agent", "可以的亲，还有什么需要吗", 30), ("customer", last, 60)],
        run_stages=False,
    )
    assert listening.score(conv).status == "na", last


@pytest.mark.parametrize(
    "text",
    [
        "之前在你们店买的保温壶用了半个月就不保温了 这次再买还是有点不放心",  # an earlier buy's trouble, a worry about this one
        "要是路上碰坏了能赔不",  # a condition: what might go wrong
        "万一尺码不合适咋弄",
    ],
)
def test_default10_an_earlier_buys_trouble_as_a_worry_and_a_condition_are_pre_sale(listening, text):
    conv = make_conversation([("customer", text, 0), ("agent", "您好亲，这款是加厚包装", 30)], run_stages=False)
    assert listening.score(conv).status == "na", text


def test_default10_this_orders_trouble_after_a_condition_still_counts(listening):
    conv = make_conversation(
        [("customer", "如果方便的话帮我看下 收到的台灯不亮", 0), ("agent", "好的亲", 30)], run_stages=False
    )
    assert listening.score(conv).status == "fail"


@pytest.mark.parametrize("reply,status", [("对 就是这个", "pass"), ("我再看看", "na")])
def test_default10_a_confirmed_restatement_with_a_remedy_makes_it_after_sales(listening, reply, status):
    conv = make_conversation(
        [
            ("customer", "这个咋回事", 0),
            ("customer", "", 5),  # a picture
            ("agent", "跟您确认下，您收到的杯盖上有一圈白点，对吧？", 30),
            ("customer", reply, 60),
            ("agent", "这边给您补发一个新的杯盖", 90),
        ],
        run_stages=False,
    )
    assert listening.score(conv).status == status, reply


# default@11 (judge6): the trouble of the item the customer is replacing, told while shopping for the next one
@pytest.mark.parametrize(
    "texts",
    [
        ["家里的电热水壶坏了 现在下单明天能到吗"],
        ["拖把头上回买的一拧就断 有没有加粗的"],
        ["旧平板能抵多少钱", "旧的是平板 屏幕碎了一角"],
    ],
)
def test_default11_trouble_of_the_item_being_replaced_is_pre_sale(listening, texts):
    turns = [("customer", t, 60 * i) for i, t in enumerate(texts)] + [("agent", "有的亲，支持次日达，超时有赔付", 200)]
    assert listening.score(make_conversation(turns, run_stages=False)).status == "na", texts


def test_default11_shopping_with_a_remedy_asked_stays_after_sales(listening):
    # the same shopping words with an exchange asked for: this order's trouble
    conv = make_conversation([("customer", "吹风机才用两次就坏了 有没有别的款 给我换一个", 0), ("agent", "好的", 30)], run_stages=False)
    assert listening.score(conv).status == "fail"


def test_default11_the_agent_stating_service_terms_handles_no_case(listening):
    # 支持上门 / 以…为准 are terms of a service: with a lone problem word they no longer tip a pre-sale chat
    conv = make_conversation(
        [("customer", "这个净水器滤芯多久换一次 我家水质不好", 0), ("agent", "您好，支持上门安装，具体以师傅上门为准", 30)], run_stages=False
    )
    assert listening.score(conv).status == "na"


# default@11 (judge6): the agent asks the customer to confirm a condition on the goods the topic words do not name
@pytest.mark.parametrize(
    ("customer", "agent"),
    [
        ("这个保温杯的杯底起了一圈黑的", "跟您核对一下，是不锈钢保温杯，杯底内侧起了一圈黑色的，是吗？"),
        ("行李箱拉杆那块好像有道印子", "您是说拉杆接口那里有一道印子，对吧？"),
    ],
)
def test_default11_a_restated_condition_on_the_goods_makes_it_after_sales(listening, customer, agent):
    conv = make_conversation([("customer", customer, 0), ("agent", agent, 30)], run_stages=False)
    assert listening.score(conv).status == "pass", agent


def test_default11_a_feature_confirmed_after_a_question_is_pre_sale(listening):
    # the customer asked about a feature before buying: the same restatement shape confirms the choice
    conv = make_conversation(
        [("customer", "这件外套里面有加绒吗", 0), ("agent", "跟您确认下，您看的是黑色这款，里面有加绒的，对吗？", 30)], run_stages=False
    )
    assert listening.score(conv).status == "na"


def test_default11_an_exchange_made_days_ago_is_no_care_interval_question(listening):
    # 前几天换货 tells what was done (the care-interval question 多久换一次 asks): with 什么时候发 shopping-shaped, the
    # exchange asked about keeps the chat after-sales
    conv = make_conversation([("customer", "前几天换货的那双鞋寄回去了，新的什么时候发", 0), ("agent", "好的", 30)], run_stages=False)
    assert listening.score(conv).status == "fail"
