"""time_commitment.v1 (default@7): a request done in the chat is not a hand-off; hand-offs to someone who checks."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


@pytest.fixture(scope="module")
def commitment(rubric):
    return next(c for c in rubric.criteria if c.id == "time_commitment")


def _score(commitment, *agent_lines):
    turns = [("customer", "我买的台灯灯罩裂了", 0)]
    turns += [("agent", line, 30 + 30 * i) for i, line in enumerate(agent_lines)]
    return commitment.score(make_conversation(turns, run_stages=False))


@pytest.mark.parametrize(
    "reply",
    [
        "换新的订单已经提交了，仓库那边直接发出",
        "补发已提交成功，单号稍后短信发给您",
        # zh-cs-handoffs@1 reads it as a hand-off at 0.63: under the shipped bar (0.7), so the rule's reading stands
        "我已经帮您跟仓库核对过了，有货，付款就能发",
        "已经给您预约好了，师傅按您约的时间上门",
    ],
)
def test_a_request_done_in_the_chat_is_not_a_hand_off(commitment, reply):
    assert _score(commitment, reply).status == "na", reply


def test_a_hand_off_reported_done_later_is_not_left_open(commitment):
    res = _score(commitment, "麻烦发一下收货地址，我帮您提交补发", "补发已经提交好了，单号在订单详情里就能看到")
    assert res.status == "na"


@pytest.mark.parametrize(
    "reply",
    [
        "已经帮您提交售后申请了，审核结果出来我联系您",  # done, but still waits on the review
        "我这边联系一下派送员，看看包裹放哪了",
        "把照片交给质检的同事鉴定一下",
    ],
)
def test_hand_offs_that_still_wait_need_a_time_frame(commitment, reply):
    res = _score(commitment, reply)
    assert res.status == "fail", reply
    assert _score(commitment, reply, "明天中午前给您答复").status == "pass"


def test_the_agents_own_lapse_is_an_apology_not_a_hand_off(commitment):
    assert _score(commitment, "抱歉，是我们这边跟进得不及时，退款今天已经到账了").status == "na"


def test_a_done_request_that_names_its_time_frame_passes(commitment):
    assert _score(commitment, "已经帮您提交退货申请，仓库收到后1-2个工作日内退款").status == "pass"


def test_sending_the_customer_to_the_station_is_not_a_hand_off(commitment):
    assert _score(commitment, "亲 建议您自己联系一下驿站哦").status == "na"
    assert _score(commitment, "我这边帮您联系一下派送员，问问放在哪了").status == "fail"  # the agent checks: a hand-off


@pytest.mark.parametrize("reply", ["我这就把尺寸发给工厂那边", "需要寄回原厂检测才能确定", "已经让仓库的同事先把货拦下来"])
def test_default8_the_job_handed_to_whoever_does_the_work_is_a_hand_off(commitment, reply):
    assert _score(commitment, reply).status == "fail", reply
    assert _score(commitment, reply, "明天下午3点前给您答复").status == "pass", reply


@pytest.mark.parametrize("reply", ["您直接联系师傅就行，电话在订单里", "目前不能改地址哦，不过可以拒收后重新下单，运费我们出"])
def test_default8_sending_the_customer_or_a_no_with_an_alternative_is_no_hand_off(commitment, reply):
    assert _score(commitment, reply).status == "na", reply


def test_default8_the_agent_contacting_for_the_customer_is_a_hand_off(commitment):
    # the base exclusion of 您联系…网点 (the customer sent there) must not swallow 帮您联系…网点
    assert _score(commitment, "已经帮您联系了附近的维修网点").status == "fail"
    assert _score(commitment, "已经帮您联系了附近的维修网点，明天上午10点前网点给您来电").status == "pass"


def test_default8_installation_included_with_the_goods_is_no_hand_off(commitment):
    assert _score(commitment, "这款热水器包安装，师傅免费上门").status == "na"


def test_default8_a_time_word_describing_the_present_is_no_time_frame(commitment):
    assert _score(commitment, "最近几天单量太大了", "我帮您催一下发货").status == "fail"


# default@10 (judge5): what a time frame is, and what hands the problem on


@pytest.mark.parametrize(
    "reply",
    [
        "好的，已为您申请退货并审核通过，退款2个工作日内原路返回",
        "您的换货申请已经审核通过了，新件明天从仓库发出",
        "已经同意您的补发申请，今天下午发出",
    ],
)
def test_default10_a_request_decided_in_the_chat_hands_nothing_on_whatever_time_it_names(commitment, reply):
    assert _score(commitment, reply).status == "na", reply


def test_default10_approval_still_to_come_is_pending(commitment):
    # 审核通过后 is a decision still to come: the hand-off stands and needs its time frame
    assert _score(commitment, "已经帮您提交申请，审核通过后会给您寄新的").status == "fail"


@pytest.mark.parametrize(
    "before",
    [
        "跟您确认一下，是5月20日下单的那台榨汁机对吗",
        "这款支持7天无理由退货，退回来的运费我们出",
        "订单还在30天价保期内",
        "京豆有效期90天哦",
    ],
)
def test_default10_a_past_date_or_a_policy_length_is_no_time_frame(commitment, before):
    res = _score(commitment, before, "我帮您反馈给仓库主管")
    assert res.status == "fail", before


def test_default10_a_time_in_a_confirming_question_or_a_condition_is_no_time_frame(commitment):
    assert _score(commitment, "您是说昨天开始漏水，今天更严重了，对吗？", "我帮您登记一下报修").status == "fail"
    assert _score(commitment, "要是后天还没到，您再来找我", "我这边先反馈给物流").status == "fail"
    # asking leave for a promise still promises (到货当天通知您，可以吗？)
    assert _score(commitment, "我帮您登记到货提醒，到货当天短信通知您，可以吗？").status == "pass"


def test_default10_a_time_word_for_what_is_already_fixed_is_no_time_frame(commitment):
    assert _score(commitment, "今天的车已经装满出发了", "我帮您反馈一下站点").status == "fail"


@pytest.mark.parametrize(
    "reply",
    [
        "我这边查一下，半小时内给您回复",
        "专员会在今晚8点前打电话联系您",
        "已经给您升级到主管处理，明天上午前有答复",
        "我马上联系骑手问问在哪，5分钟后给您消息",
    ],
)
def test_default10_a_promise_to_come_back_or_an_escalation_is_a_hand_off(commitment, reply):
    assert _score(commitment, reply).status == "pass", reply


def test_default10_a_promise_to_come_back_without_a_time_fails(commitment):
    assert _score(commitment, "等我问清楚了再给您回复").status == "fail"


@pytest.mark.parametrize(
    "reply",
    [
        "您好，您买的冰箱后天送达，安装师傅随车上门",
        "这款是免费安装的，师傅上门时带好配件",
        "如果您觉得不合适，我可以帮您申请检测",
        "您在订单详情里预约上门取件就行",
        "一般提交后3个工作日内审核",
    ],
)
def test_default10_how_a_service_works_an_offer_or_the_customers_own_step_is_no_hand_off(commitment, reply):
    assert _score(commitment, reply).status == "na", reply


@pytest.mark.parametrize(
    "reply",
    ["尺寸这个我得问一下厂家", "我要先核实下仓库的库存", "等我查清楚了回复您", "已经跟仓库备注了优先发"],
)
def test_default10_asking_someone_first_or_passing_a_word_on_is_a_hand_off(commitment, reply):
    assert _score(commitment, reply).status == "fail", reply
    assert _score(commitment, reply, "今天下午5点前给您结果").status == "pass", reply


def test_default10_sending_the_customer_to_someone_is_still_no_hand_off(commitment):
    assert _score(commitment, "这个是运输问题，您要找物流哦").status == "na"


def test_default10_the_apps_own_step_and_a_meantime_instruction_are_no_hand_off_or_time_frame(commitment):
    assert _score(commitment, "在提交订单页面的留言里写上就行").status == "na"
    assert _score(commitment, "我帮您转给品牌售后", "品牌那边会联系您的，这几天先别用").status == "fail"


def test_default10_how_long_the_money_usually_takes_after_a_done_refund_is_no_time_frame(commitment):
    assert _score(commitment, "钱已经退了，退款已提交，通常半小时内原路退回").status == "na"
    # a review's usual time still promises when the customer hears back
    assert _score(commitment, "我帮您申请补偿，审核一般1个工作日内完成").status == "pass"


def test_default10_a_pickup_already_booked_hands_nothing_on(commitment):
    assert _score(commitment, "已给您预约好周六下午上门取件，退货单也提交了").status == "na"


@pytest.mark.parametrize(
    "reply",
    [
        "退换的手续已经帮您弄好了，新的台灯明天一早就寄出",
        "已为您安排好了，替换的灯罩今天傍晚出库",
        "补寄已经给您办好啦，明天发顺丰",
    ],
)
def test_default11_a_request_settled_in_the_chat_hands_nothing_on_whatever_time_the_goods_leave(commitment, reply):
    assert _score(commitment, reply).status == "na", reply


def test_default11_a_settled_request_that_still_waits_on_someone_is_a_hand_off(commitment):
    # 安排好了 but the technician still has to call: the customer waits on someone, the hand-off needs its time
    assert _score(commitment, "维修已经帮您安排好了，师傅会联系您上门").status == "fail"
    assert _score(commitment, "维修已经帮您安排好了，师傅明天上午联系您上门").status == "pass"


@pytest.mark.parametrize(
    "reply",
    [
        "您看是换一个新的，或者我给您申请部分退款，您选哪种都行",
        "可以直接给您退掉；要不明天给您加急补寄一个，您定",
    ],
)
def test_default11_options_put_to_the_customer_hand_nothing_on_until_one_is_chosen(commitment, reply):
    assert _score(commitment, reply).status == "na", reply


def test_default11_the_chosen_option_handed_on_needs_its_time_frame(commitment):
    offer = "您看是换一个新的，或者我给您申请部分退款，您选哪种都行"
    assert _score(commitment, offer, "好的，已经帮您提交退款申请，审核结果出来通知您").status == "fail"
