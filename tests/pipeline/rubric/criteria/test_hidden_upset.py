"""Hidden upset in empathy's trigger and negative_end (default@13, emp12b): praise of the service read against its
context (sarcasm), assent that gives up after a refusal, urgency stated rather than asked, and emotion words the lists
lacked. Readings set by hand (calm in the layers), so the context rule alone decides; the contrasts must not change."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation, set_reading

CALM = ("neutral", 0.05, 0.15)


def _chat(turns, reading=CALM):
    conv = make_conversation(list(turns), run_stages=False)
    for m in conv.messages:
        if m.role == "customer":
            set_reading(m, *reading)
    return conv


def _status(empathy, turns, reading=CALM):
    return empathy.score(_chat(turns, reading))


def test_praise_beside_a_fault_in_the_same_turn_is_sarcasm(empathy):
    r = _status(empathy, [("customer", "快递盒压扁了 碗碎了俩 包装可真用心呢🙃", 0), ("agent", "亲 麻烦拍个照片", 30)])
    assert r.status == "fail"
    assert any(e.rule == "empathy.trigger.sarcastic_praise" for e in r.evidence)


def test_speed_praise_after_a_late_reply_is_sarcasm(empathy):
    turns = [("customer", "洗衣机不排水了", 0), ("bot", "亲亲 已记录 客服稍后回复", 3),
             ("agent", "您好 请问有什么可以帮您", 5400), ("customer", "好家伙 回复得可真快啊", 5430), ("agent", "亲 您说的是不排水对吗", 5460)]
    assert _status(empathy, turns).status == "fail"


def test_speed_praise_after_a_prompt_reply_is_praise(empathy):
    turns = [("customer", "洗衣机不排水了", 0), ("agent", "您好 我帮您看看", 20), ("customer", "回复好快 谢谢", 40)]
    assert _status(empathy, turns).status == "na"


@pytest.mark.parametrize("turns", [
    # praise after a fix, delight while buying, luck that is luck
    [("customer", "收到的杯子碎了一个", 0), ("agent", "亲 已经给您补发了 明天到", 30), ("customer", "真贴心 谢谢", 60)],
    [("customer", "腰会不会松垮", 0), ("agent", "不会的 还送一根腰带", 30), ("customer", "啊啊啊好贴心 那我拍了", 60)],
    [("customer", "抽奖抽中了 真係好彩 几时发货", 0), ("agent", "明天发哦", 30)],
    [("customer", "碎花裙有S码吗", 0), ("agent", "有的亲", 30), ("customer", "客服真贴心", 60)],
])
def test_praise_in_a_calm_or_fixed_context_stays_calm(empathy, turns):
    assert _status(empathy, turns).status == "na"


def test_luck_said_of_a_price_drop_is_sarcasm_cantonese(empathy):
    assert _status(empathy, [("customer", "啱啱買完就跌價 真係好彩", 0), ("agent", "价保要7天内申请哦", 30)]).status == "fail"


def test_letting_the_shop_decide_after_a_refusal_is_resignation(empathy):
    turns = [("customer", "耳机左边没声音了", 0), ("agent", "这个不在保修范围，不支持售后哦", 30), ("customer", "好好好 你们说啥都对", 60),
             ("agent", "还有别的问题吗", 90)]
    r = _status(empathy, turns)
    assert r.status == "fail"
    assert any(e.rule == "empathy.trigger.resigned_assent" for e in r.evidence)


def test_a_bare_triple_assent_after_a_refusal_is_resignation(empathy):
    turns = [("customer", "能便宜点吗 我买两个", 0), ("agent", "不行的 亲 不议价", 30), ("customer", "行行行", 60)]
    assert _status(empathy, turns).status == "fail"


@pytest.mark.parametrize("turns", [
    # answering the agent's 对吗, thanks beside the assent, assent to good news
    [("customer", "耳机左边没声音了", 0), ("agent", "跟您确认下，是左耳没声音对吗？", 30), ("customer", "是是是", 60)],
    [("customer", "能开发票吗", 0), ("agent", "可以的 下单备注抬头", 30), ("customer", "好好好 谢谢亲", 60)],
    [("customer", "能便宜点吗", 0), ("agent", "给您申请了一张20元券", 30), ("customer", "好好好", 60)],
    [("customer", "这件要S还是M", 0), ("agent", "M码合适", 30), ("customer", "那就这样吧 拍M", 60)],
])
def test_assent_that_answers_or_thanks_stays_calm(empathy, turns):
    assert _status(empathy, turns).status == "na"


def test_urgency_stated_at_a_moderate_reading_counts(empathy):
    turns = [("customer", "油烟机能约周二装吗", 0), ("agent", "周二约满了，最早周四", 30), ("customer", "周四太晚了，有点急，家里要开火", 60)]
    r = empathy.score(_chat(turns, ("negative", 0.7, 0.5)))
    assert r.status == "fail"
    assert any(e.rule == "empathy.trigger.urgency" for e in r.evidence)


@pytest.mark.parametrize("text", ["不急 慢慢来", "我不是很急 周四也行", "急救包有货吗"])
def test_no_hurry_stays_calm(empathy, text):
    assert empathy.score(_chat([("customer", text, 0), ("agent", "好的亲", 30)], ("neutral", 0.3, 0.5))).status == "na"


def test_urgency_stated_under_the_floor_does_not_count(empathy):
    turns = [("customer", "周四太晚了，有点急", 0), ("agent", "好的", 30)]
    assert empathy.score(_chat(turns, ("neutral", 0.1, 0.2))).status == "na"


@pytest.mark.parametrize("text", ["约的师傅没来 我请了假 挺恼火的", "孩子去不了 挺遗憾的", "之前的鼓包了 现在有点怵", "被折腾够了 真的很无奈",
                                  "你哋咁做好唔抵", "咁样对我 好屈"])
def test_emotion_words_the_lists_lacked(empathy, text):
    assert empathy.score(_chat([("customer", text, 0), ("agent", "好的", 30)], ("neutral", 0.3, 0.5))).status == "fail", text


@pytest.mark.parametrize("text", ["衣服很好 没有遗憾", "库存紧张吗 还有货吗", "水土不服 想买点益生菌", "给你个惊喜 好评"])
def test_their_non_emotional_uses_stay_calm(empathy, text):
    assert empathy.score(_chat([("customer", text, 0), ("agent", "好的", 30)], ("neutral", 0.3, 0.5))).status == "na", text


def test_the_agent_granting_a_letdown_is_empathy(empathy):
    turns = [("customer", "孩子发烧去不了了 挺遗憾的 想退", 0), ("agent", "盼了那么久一定挺遗憾的，我帮您办退款", 30)]
    assert empathy.score(_chat(turns, ("neutral", 0.3, 0.5))).status == "pass"


def test_negative_end_reads_resignation_at_the_close(rubric):
    conv = _chat([("customer", "耳机左边没声音了", 0), ("agent", "不在保修范围，不支持售后", 30), ("customer", "行 你们说了算", 60)])
    rubric.score(conv)
    assert any(f.code == "negative_end" for f in conv.flags)
    calm = _chat([("customer", "耳机左边没声音了", 0), ("agent", "已经给您换新了 明天发出", 30), ("customer", "好好好 谢谢", 60)])
    rubric.score(calm)
    assert not any(f.code == "negative_end" for f in calm.flags)
