"""active_listening.v1 (default@12): the conversation-kind model (zh-cs-kinds) vetoes or enables the word rule's reading."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.rubric.criteria.listening import ActiveListening, KindModelParams, ListeningParams
from pipeline.rubric.testing import make_conversation


class _Stub:
    """A kind model that answers one probability and records what it read."""

    model_id = "zh-cs-kinds@test"

    def __init__(self, p: float):
        self.p, self.read = p, []

    def predict_proba(self, convs):
        self.read.extend(convs)
        return np.full(len(convs), self.p, dtype=np.float32)


def _criterion(p: float, na_below: float = 0.3, applies_above: float = 0.7) -> tuple[ActiveListening, _Stub]:
    crit = ActiveListening(params=ListeningParams(kinds=KindModelParams(enabled=False, na_below=na_below, applies_above=applies_above)))
    crit.compiled  # noqa: B018 - compile the word rule, then put the stub where the loaded model goes
    crit._kinds = stub = _Stub(p)
    return crit, stub


# the rule reads a warranty question before buying as after-sales (坏了 / 换新)
RULE_YES = [("customer", "这款保修几年 坏了可以换新吗", 0), ("agent", "您好", 30)]
# a defect in words the topic list lacks
RULE_NO = [("customer", "你好", 0), ("customer", "杯子底下那圈胶掉渣渣", 20), ("agent", "好的", 40)]


def test_a_low_probability_vetoes_the_rules_after_sales_reading_and_says_why():
    crit, stub = _criterion(0.1)
    conv = make_conversation(RULE_YES, run_stages=False)
    assert ActiveListening(params=ListeningParams(kinds=KindModelParams(enabled=False))).score(conv).status == "fail"
    res = crit.score(conv)
    assert res.status == "na"
    (ev,) = res.evidence
    assert ev.rule == "active_listening.kind" and ev.seq == 1 and ev.span is not None  # the rule's trouble words
    assert "zh-cs-kinds@test" in ev.note and "P(售后)=0.10" in ev.note
    assert stub.read == [["这款保修几年 坏了可以换新吗"]]  # the customer's messages only


def test_a_high_probability_makes_it_after_sales_where_the_rule_does_not():
    crit, _ = _criterion(0.9)
    res = crit.score(make_conversation(RULE_NO, run_stages=False))
    assert res.status == "fail"  # applies; the agent restated nothing
    ev = res.evidence[0]
    assert ev.rule == "active_listening.kind" and ev.seq == 1 and "P(售后)=0.90" in ev.note and "zh-cs-kinds@test" in ev.note


def test_between_the_bars_the_rule_decides_and_its_evidence_carries_the_probability():
    crit, _ = _criterion(0.5)
    assert crit.score(make_conversation(RULE_NO, run_stages=False)).status == "na"
    res = crit.score(make_conversation(RULE_YES, run_stages=False))
    assert res.status == "fail" and "P(售后)=0.50" in res.evidence[0].note


def test_the_model_is_not_asked_where_it_cannot_change_the_reading():
    crit, stub = _criterion(0.9, na_below=0.0, applies_above=1.01)
    for turns in (RULE_YES, RULE_NO):
        crit.score(make_conversation(turns, run_stages=False))
    assert stub.read == []


def test_the_restatement_judgement_is_the_rules():
    crit, _ = _criterion(0.9)
    turns = RULE_NO + [("agent", "跟您确认一下，是杯子底部的胶圈掉渣对吗", 60)]
    res = crit.score(make_conversation(turns, run_stages=False))
    assert res.status == "pass"


def test_the_rubric_is_pinned_to_its_kind_model(tmp_path):
    from models.kinds import load_kind_model

    load_kind_model().save(tmp_path)  # the shipped model under another version
    import json

    meta = json.loads((tmp_path / "zhijian.json").read_text(encoding="utf-8"))
    meta["version"] = 99
    (tmp_path / "zhijian.json").write_text(json.dumps(meta), encoding="utf-8")
    crit = ActiveListening(params=ListeningParams(kinds=KindModelParams(model=str(tmp_path))))
    with pytest.raises(ValueError, match="zh-cs-kinds@99"):
        crit.compiled  # noqa: B018


def test_the_default_rubric_reads_with_the_shipped_model(rubric):
    crit = next(c for c in rubric.criteria if c.id == "active_listening")
    kp = crit.params.kinds
    assert kp.enabled and kp.model_version == "zh-cs-kinds@4" and crit._kinds is None or crit._kinds.model_id == "zh-cs-kinds@4"
    crit.compiled  # noqa: B018
    assert crit._kinds.model_id == kp.model_version


# default@13 (frl12): zh-cs-kinds@2 read through the shipped rubric — a calm question about received goods, an invoice
# or a delivery date stays na; a defect on the same goods, told in the same calm register, is after-sales (the contrast
# that must not move). Sentences written for this test, not from any training file.
@pytest.mark.parametrize("turns, applies", [
    ([("customer", "你好 面包机收到了 挺好用的", 0), ("customer", "想问下发票什么时候能开 公司要报销", 20), ("agent", "好的", 40)], False),
    ([("customer", "订单昨天拍的 什么时候能到上海", 0), ("customer", "不急哈", 20), ("agent", "明天到", 40)], False),
    ([("customer", "面包机收到了 插上电没反应", 0), ("customer", "灯都不亮", 20), ("agent", "好的", 40)], True),
])
def test_the_shipped_kind_model_keeps_calm_goods_questions_out_and_defects_in(rubric, turns, applies):
    crit = next(c for c in rubric.criteria if c.id == "active_listening")
    assert (crit.score(make_conversation(turns)).status != "na") is applies


def test_prime_hands_the_kind_model_the_texts_score_asks_about():
    """Speed only (Rubric.score_many): the batch's customer texts, as `score` reads them one conversation at a time; a
    model without `prime` is simply asked one at a time."""
    crit, stub = _criterion(0.5)
    primed = []
    stub.prime = primed.extend
    convs = [make_conversation(RULE_YES, run_stages=False), make_conversation(RULE_NO, run_stages=False),
             make_conversation([("agent", "您好", 0)], run_stages=False)]
    crit.prime(convs)
    for conv in convs:
        crit.score(conv)
    assert primed == stub.read == [["这款保修几年 坏了可以换新吗"], ["你好", "杯子底下那圈胶掉渣渣"]]
    del stub.prime
    crit.prime(convs)  # no batch read: nothing to do


# ---- default@15 (lst14): kinds.tail — the part from the rule's trouble word on, read alone ---------------------


class _ByTexts(_Stub):
    """P by how many customer messages it reads: the whole chat low, its tail high."""

    def __init__(self, whole: float, tail: float):
        super().__init__(whole)
        self.whole, self.tail = whole, tail

    def predict_proba(self, convs):
        self.read.extend(convs)
        return np.array([self.whole if len(c) > 1 else self.tail for c in convs], dtype=np.float32)


# opens with a greeting and small talk, then a fault (the rule: 漏水了)
TURNS_TO_FAULT = [("customer", "在吗在吗", 0), ("agent", "在的亲", 20), ("customer", "净水器接口漏水了 厨房地上全是水", 40),
                  ("agent", "您好", 60)]
# shopping again after a past fault: the presale signal (有货吗) pulls the other way
SHOPPING_AGAIN = [("customer", "这款还有货吗", 0), ("agent", "有的", 20),
                  ("customer", "之前你们家买的那个用两天就漏水了", 40), ("agent", "好的", 60)]


def _tail_criterion(whole: float, tail: float, on: bool = True) -> ActiveListening:
    crit = ActiveListening(params=ListeningParams(kinds=KindModelParams(enabled=False, na_below=0.4, applies_above=0.7, tail=on)))
    crit.compiled  # noqa: B018
    crit._kinds = _ByTexts(whole, tail)
    return crit


def test_no_veto_where_the_part_from_the_trouble_word_on_reads_after_sales():
    conv = make_conversation(TURNS_TO_FAULT, run_stages=False)
    res = _tail_criterion(0.2, 0.85).score(conv)
    assert res.status == "fail"  # applies; nobody restated
    ev = res.evidence[0]
    assert ev.rule == "active_listening.kind.tail" and "P(售后)=0.85" in ev.note and ev.seq == 3


def test_the_veto_holds_without_the_switch_or_below_applies_above():
    conv = make_conversation(TURNS_TO_FAULT, run_stages=False)
    assert _tail_criterion(0.2, 0.85, on=False).score(conv).status == "na"
    assert _tail_criterion(0.2, 0.6).score(conv).status == "na"


def test_the_veto_holds_where_a_signal_pulls_the_other_way():
    conv = make_conversation(SHOPPING_AGAIN, run_stages=False)
    crit = _tail_criterion(0.2, 0.9)
    assert crit.rule_decision(conv).holds  # the rule reads after-sales (漏水了) despite 有货吗
    assert crit.score(conv).status == "na"


def test_a_trouble_word_in_the_first_message_is_read_with_the_whole_chat():
    conv = make_conversation([("customer", "净水器接口漏水了", 0), ("customer", "在吗", 10), ("agent", "您好", 30)], run_stages=False)
    assert _tail_criterion(0.2, 0.9).score(conv).status == "na"
