"""Masking: personal data out, everything a reviewer needs (and nothing insulting) in."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.mask import PLACEHOLDERS, mask_text, mask_value


@pytest.mark.parametrize("text,expected", [
    # mobile phones
    ("我的手机是13812345678，谢谢", "我的手机是138****5678，谢谢"),
    ("电话 138-1234-5678", "电话 138****5678"),
    ("打 138 1234 5678", "打 138****5678"),
    ("+86 13812345678", "138****5678"),
    ("+86-150-1234-5678", "150****5678"),
    ("008613812345678", "138****5678"),
    ("全角１３８１２３４５６７８", "全角138****5678"),
    ("已经是138****5678了", "已经是138****5678了"),
    # landlines
    ("座机010-62345678", "座机010****5678"),
    ("座机0571 88886666转123", "座机0571****6666"),
    ("(021)64561234", "021****1234"),
    # ID cards
    ("身份证110101199003071234", "身份证[身份证号]"),
    ("身份证号码：44030419851231002X", "身份证号码：[身份证号]"),
    ("老身份证110101900307123", "老身份证[身份证号]"),
    # e-mail, bank cards
    ("邮箱zhang.san@example.com谢谢", "邮箱[邮箱]谢谢"),
    ("发到 Li_Si+shop@mail.example.com.cn", "发到 [邮箱]"),
    ("卡号6222021234567890128", "卡号[银行卡号]"),
    ("退到这张卡 6222 0212 3456 7890 128", "退到这张卡 [银行卡号]"),
    ("银行卡：6217-0000-1111-2222", "银行卡：[银行卡号]"),
    # addresses
    ("收货地址：浙江省杭州市西湖区文三路100号5栋2单元301室", "收货地址：[地址]"),
    ("收货地址：浙江省杭州市西湖区文三路100号，电话13812345678", "收货地址：[地址]，电话138****5678"),
    ("请送到杭州市西湖区文三路100号", "请送到[地址]"),
    ("我住在朝阳区建国路88号院3号楼2单元1502", "我住在[地址]"),
    ("新地址是上海市浦东新区张江路88弄3号601室", "新地址是[地址]"),
    ("亲您好麻烦核对一下浙江省杭州市西湖区文三路100号对吗", "亲您好麻烦核对一下[地址]对吗"),
    ("地址：阳光花园3栋1单元502", "地址：[地址]"),
    # names
    ("收件人张三，电话13912345678", "收件人[姓名]，电话139****5678"),
    ("收件人：张三", "收件人：[姓名]"),
    ("姓名：欧阳娜娜", "姓名：[姓名]"),
    ("我叫王小明", "我叫[姓名]"),
    ("联系人：李四 手机：15900001111", "联系人：[姓名] 手机：159****1111"),
    ("本人张伟，身份证号码110101199003071234", "本人[姓名]，身份证号码[身份证号]"),
])
def test_personal_data_is_masked(text, expected):
    assert mask_text(text) == expected


# Each variant below was reproduced by a red team as leaking (issue 15).
@pytest.mark.parametrize("text,expected", [
    # phones with other separators, spelled out, or with invisible characters inside
    ("电话138.1234.5678", "电话138****5678"),
    ("打 1 3 8 1 2 3 4 5 6 7 8 谢谢", "打 138****5678 谢谢"),
    ("电话 138 - 1234 - 5678", "电话 138****5678"),
    ("手机一三八一二三四五六七八", "手机138****5678"),
    ("手机幺三八幺二三四五六七八", "手机138****5678"),
    ("手机幺三八 幺二三四 五六七八", "手机138****5678"),
    ("手机138一二三四5678", "手机138****5678"),
    ("手机壹叁捌壹贰叁肆伍陆柒捌", "手机138****5678"),
    ("手机１３８．１２３４．５６７８", "手机138****5678"),
    ("电话138\u200b1234\u200c5678", "电话138****5678"),
    ("电话1\u200d3\u20608\ufeff1\u00ad2345678。", "电话138****5678。"),
    ("电话 +86 138.1234.5678", "电话 138****5678"),
    ("买2 13812345678", "买2 138****5678"),
    ("电话138 1234 5678 139 1234 5678", "电话138****5678 139****5678"),
    ("1 3 8 1 2 3 4 5 6 7 8 9 0 1 2 3", "[银行卡号]"),
    # ID numbers with spaces or separators, final X
    ("身份证 110101 19900307 123X", "身份证 [身份证号]"),
    ("身份证1101 0119 9003 0712 34", "身份证[身份证号]"),
    ("身份证110101-19900307-1234", "身份证[身份证号]"),
    ("身份证号11010119900307\u200b123x", "身份证号[身份证号]"),
    # bank cards: no Luhn, no 卡 nearby, 13–19 digits, any grouping
    ("退到这个 6222 0212 3456 7890 127", "退到这个 [银行卡号]"),
    ("就打到6222021234567890127吧", "就打到[银行卡号]吧"),
    ("4111-1111-1111-1112", "[银行卡号]"),
    ("打到 1234567890123", "打到 [银行卡号]"),
    ("退款到这个 1234567890123", "退款到这个 [银行卡号]"),
    # WeChat and QQ
    ("加我微信 zhangsan_88", "加我微信 [微信号]"),
    ("vx：abc12345", "vx：[微信号]"),
    ("v信 Li_Na1990 谢谢", "v信 [微信号] 谢谢"),
    ("wx abcdef1", "wx [微信号]"),
    ("威信号 happy2026", "威信号 [微信号]"),
    ("微信号是wxid_abcd1234", "微信号是[微信号]"),
    ("我的wxid_abcd1234", "我的[微信号]"),
    ("加微信13812345678", "加微信138****5678"),
    ("QQ 12345678", "QQ [QQ号]"),
    ("扣扣：987654321", "扣扣：[QQ号]"),
    ("qq号是 123456789", "qq号是 [QQ号]"),
    # e-mail written to dodge a filter
    ("邮箱 zhang @ example.com", "邮箱 [邮箱]"),
    ("邮箱zhang（at）example.com", "邮箱[邮箱]"),
    ("邮箱 zhang [at] example (dot) com", "邮箱 [邮箱]"),
    ("邮箱 zhang\u200b@example.com", "邮箱 [邮箱]"),
    # self-introductions and Latin-script names
    ("我是李娜", "我是[姓名]"),
    ("你好，我是李娜，订单有问题", "你好，我是[姓名]，订单有问题"),
    ("我是欧阳娜娜呀", "我是[姓名]呀"),
    ("我姓刘", "我姓[姓名]"),
    ("免贵姓欧阳", "免贵姓[姓名]"),
    ("我是王小姐", "我是[姓名]小姐"),
    ("我的名字是李\u200b娜。", "我的名字是[姓名]。"),
    ("收件人：Li Na", "收件人：[姓名]"),
    ("收件人 John Smith，电话13812345678", "收件人 [姓名]，电话138****5678"),
    ("我叫Tom。", "我叫[姓名]。"),
])
def test_issue15_variants_are_masked(text, expected):
    assert mask_text(text) == expected
    assert mask_text(expected) == expected


@pytest.mark.parametrize("text", [
    # identifiers reviewers need
    "订单号：110101199003071234 麻烦查下",
    "订单号 1234567890123456789",
    "订单编号123456789012345678，工单号 GD2026100300123",
    "快递单号SF1234567890123",
    "运单号：773012345678901",
    "售后单号 2026100312345678",
    # prices, dates, times, quantities, model codes
    "价格是1999元，2件", "原价¥1380.00，到手价899", "10月3号发货", "2026-10-03 14:02:11", "20261003",
    "型号ABC-12345678", "货号 XL-2026-0088", "尺码175/92A", "iPhone 15 Pro 256G", "买了3件，共150元",
    "客服热线4008001234", "400-800-1234", "运费险12元", "仅退款1350元", "规格 120x60x75cm",
    # ordinary words after name/address labels
    "本人已经收到了", "本人于昨天收到", "我叫快递", "我叫高兴", "地址改一下", "地址填错了",
    "修改地址要怎么操作", "我在杭州市", "请问北京市朝阳区有门店吗", "物流在路上了", "快递在路上", "一路顺风",
    "收件人不在家", "联系人一栏写的是我老公",
    # place-like words and tracking numbers after a courier name
    "超市3号货架", "请到客服中心3号窗口", "中通75312345678901", "顺丰SF1234567890123到了", "浙江省杭州市的仓库发货",
    "满299减30", "1-3个工作日", "3月15日下午3点", "身高170体重65kg穿什么码", "13号发货可以吗", "1号楼的快递柜",
    "手机尾号5678", "京东快递JD0012345678901", "型号：KFR-35GW/BpXDC1", "序列号C02XK1ZXJG5H", "在北京市海淀区能送吗",
    "我叫小明", "王经理说可以退", "本人亲自签收", "收件人电话不对", "新疆西藏不包邮",
    # plain service talk
    "亲，您好，很高兴为您服务", "非常抱歉给您带来不便", "七天无理由退货", "价保申请已提交",
])
def test_not_personal_data_is_kept(text):
    assert mask_text(text) == text


# Phrases the new rules must leave alone: 我是 that introduces no name, an agent's work
# name after a role word, numbers reviewers need (order/tracking/refund numbers after their
# cue, prices, dates, times, sizes, model codes), words next to 微信/QQ that are no id.
@pytest.mark.parametrize("text", [
    "我是来问问的", "我是想问下这个能退吗", "我是说那个蓝色的", "我是周一买的", "我是江苏人", "我是黄色那款",
    "我是老客户了", "我是第一次买", "我是新手不太会弄", "我是买给我妈的", "我是真的很喜欢", "我是不是要先退款",
    "我是学生，有优惠吗", "我是会员", "我是怎么也打不开", "我是昨天下的单", "我是上周买的", "我是马上要用",
    "我是左撇子。", "我是穆斯林。", "我是苏州的", "我姓名填错了",
    "我是客服小美", "您好，我是客服晓雯，很高兴为您服务~", "您好，我是售后专员刘芳，很高兴为您服务",
    "亲，我是智能客服小暖，请问有什么可以帮您？", "我是店长，这个问题我来处理",
    "您的订单496297783381226686，还没发货", "订单 4962 9778 3381 2266 86 麻烦查一下",
    "您最近一笔退款是216842452451293339，商家已经同意退款", "快递单号 773012345678901", "单号是YD7523189472188",
    "工单号GD202611213034", "中通75312345678901", "退货单号 ZTO332256288527",
    "价格1999.00 2999.00 3999.00", "1 2 3 4 5 6 7 8 9 10 11 12", "20261003140211", "2026-10-01 12:30",
    "¥199", "iPhone 15 Pro 256G", "XL码", "170 130斤穿什么码", "尺码170/92A", "9月30日 14:02:11 发货",
    "第1、2、3、4、5、6、7件都有问题", "电话是多少", "手机尾号5678", "微信支付", "加微信吗", "QQ音乐", "用微信付款了",
    "微信 支付宝都可以", "qq群里说的", "收件人不在家", "联系人：", "[姓名x] 湖南[地址x]", "at home", "I am at the store",
])
def test_issue15_rules_keep_ordinary_text(text):
    assert mask_text(text) == text


@pytest.mark.parametrize("value,expected", [
    ("13812345678", "138****5678"),
    ("13812345678的小店", "138****5678的小店"),
    ("u13812345678", "u138****5678"),
    ("buyer_138 1234 5678", "buyer_138****5678"),
    ("zhang@example.com", "[邮箱]"),
    ("110101199003071234", "[身份证号]"),
    ("wxid_abcd1234", "[微信号]"),
    ("客服138.1234.5678", "客服138****5678"),
])
def test_mask_value_masks_personal_numbers_in_short_fields(value, expected):
    assert mask_value(value) == expected
    assert mask_value(expected) == expected


@pytest.mark.parametrize("value", [
    "栖木女装", "暖岚家居旗舰店", "淘宝", "京东", "陈思远", "智能客服小暖", "qm_buyer_499691", "A01",
    "QM20260901-001", "文三路100号店", "SF1234567890123", "我是李娜的店", "", None, 42,
])
def test_mask_value_keeps_ordinary_values(value):
    # Names and addresses are not guessed in a short field: an agent's name is its field's value.
    assert mask_value(value) == value


def test_long_hostile_runs_are_masked_whole_and_quickly():
    # More than 40 separated digit groups used to be one run too many to read; an
    # export cut at 20,000 characters must still finish in well under a second or two.
    import time
    for text in ("1 " * 10000, "1 3 8 1 2 3 4 5 6 7 8 " * 1800, "138 1234 5678 " * 1400, "1-" * 10000):
        started = time.perf_counter()
        masked, value = mask_text(text), mask_value(text)
        assert time.perf_counter() - started < 10
        for out in (masked, value):
            assert "1 1 1 1 1 1 1 1" not in out and "1234 5678" not in out and "1-1-1-1-1-1-1" not in out


def test_masking_is_idempotent_on_examples():
    samples = ["收货地址：浙江省杭州市西湖区文三路100号，收件人张伟，电话13812345678，邮箱a@b.cn",
               "身份证110101199003071234 卡号6222021234567890128 座机010-62345678"]
    for s in samples:
        once = mask_text(s)
        assert mask_text(once) == once


FORBIDDEN = ("不知道", "滚", "垃圾", "没办法", "不归我管", "猪", "爱买不买", "随便")


def test_placeholders_are_neutral():
    for p in PLACEHOLDERS + ("138****5678",):
        assert not any(word in p for word in FORBIDDEN)


_pii_parts = st.sampled_from([
    "13812345678", "138 1234 5678", "+86 139-0000-1111", "010-62345678", "110101199003071234",
    "zhang.san@example.com", "6222021234567890128", "收货地址：浙江省杭州市西湖区文三路100号5栋", "收件人张伟",
    "订单号123456789012345678", "1999元", "10月3号", "，", "。", " ", "亲", "您好", "不知道", "垃圾袋", "滚",
])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(_pii_parts, st.text(max_size=8)), max_size=10))
def test_masking_never_creates_rubric_words_and_is_idempotent(parts):
    text = "".join(parts)
    masked = mask_text(text)
    for word in FORBIDDEN:
        assert masked.count(word) <= text.count(word), (text, masked)
    assert mask_text(masked) == masked
    # Delimited personal data never survives (a 22-digit run of two glued phones is not a phone).
    delimited = "，".join(parts)
    masked = mask_text(delimited)
    assert "13812345678" not in masked and "zhang.san@example.com" not in masked
    assert "文三路" not in masked and "6222021234567890128" not in masked


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_masking_never_raises(text):
    assert isinstance(mask_text(text), str)


def test_a_card_written_partly_in_numerals_is_not_kept_as_a_hotline():
    """Found by the property test: 400… followed by 零 was cut short and kept as a 400 hotline."""
    for value in ("4000000000零00", "4\u200b0\u200b00000000零\u200b00"):
        assert mask_value(value) == "[银行卡号]" and mask_text(value) == "[银行卡号]"
    assert mask_text("客服热线4008001234，拨打4008001234一下") == "客服热线4008001234，拨打4008001234一下"
