"""forbidden_phrases.v2 (default@12): how the act layer cuts a message into clauses, a policy "no" beside a clause that
shifts the blame, and the helpless bar under a per-act bar (issue 13, acts10).

A stand-in act model reads fixed probabilities by keyword, so each test pins the criterion's logic, not a model's
leaning. The sentences are written for these tests."""
from __future__ import annotations

import numpy as np

from pipeline.rubric import CRITERIA
from pipeline.rubric.criteria.forbidden import typed_breaks, typed_clauses
from pipeline.rubric.matching import view
from pipeline.rubric.testing import make_conversation

CLASSES = ["none", "refusal", "blame_shifting", "arguing", "condescension"]


class KeywordActs:
    """P(class) by the first keyword the text holds; none = 0.9 otherwise."""

    model_id = "zh-cs-acts@test"
    classes_ = CLASSES

    def __init__(self, table: dict[str, list[float]]):
        self.table = table

    def predict_proba(self, texts):
        return np.array([next((row for k, row in self.table.items() if k in t), [0.9, 0.04, 0.03, 0.02, 0.01]) for t in texts])


def _crit(model, **acts):
    crit = CRITERIA["forbidden_phrases.v2"]()
    for k, v in acts.items():
        setattr(crit.params.acts, k, v)
    matcher, shrugs, offer, _, act_offer = crit.compiled
    crit._compiled = (matcher, shrugs, offer, model, act_offer)
    return crit


def _score(crit, text):
    return crit.score(make_conversation([("customer", "能不能改一下", 0), ("agent", text, 30)]))


def test_a_typed_space_between_chinese_runs_breaks_a_clause():
    conv = make_conversation([("customer", "在吗", 0), ("agent", "系统下的单 发走就退不回来了，ok 好的  谢谢", 30)])
    v = view(conv.messages[1])
    assert " " not in v.s  # the analysis form drops a space next to Chinese text
    assert [v.s[a:b] for a, b in typed_clauses(v)] == ["系统下的单", "发走就退不回来了", "ok好的", "谢谢"]
    assert [v.s[a:b] for a, b in v.clause_spans] == ["系统下的单发走就退不回来了", "ok好的谢谢"]  # the other layers: unchanged


def test_typed_breaks_of_a_message_read_without_normalising():
    from pipeline.conversation import Message
    from datetime import datetime

    m = Message(conversation_id="c", seq=1, role="agent", timestamp=datetime(2026, 1, 1), text="仓库发错了 不关我们事 ok 的")
    v = view(m)
    assert not v.mapped
    assert len(typed_breaks(v)) == 1  # between 发错了 and 不关; not beside the latin ok
    assert [v.s[a:b] for a, b in typed_clauses(v)] == ["仓库发错了", "不关我们事 ok 的"]


# the whole message and the policy "no" lean refusal; the clause naming the process reads blame on its own
TABLE = {
    "系统自动出的单": [0.03, 0.50, 0.40, 0.04, 0.03],  # the whole message (and its first clause)
    "改不了": [0.30, 0.60, 0.05, 0.03, 0.02],
    "规矩来的": [0.03, 0.30, 0.60, 0.04, 0.03],
}
TEXT = "系统自动出的单 发出去了就改不了了 我们也是照规矩来的"


def test_a_policy_no_beside_a_blaming_clause_stays_a_taboo():
    crit = _crit(KeywordActs(TABLE), blame_clause=True)
    res = _score(crit, TEXT)
    assert res.status == "fail"
    (ev,) = res.evidence
    assert ev.rule == "forbidden_phrases.act.blame_shifting" and TEXT[ev.span[0] : ev.span[1]] == "我们也是照规矩来的"
    assert "概率 0.97，zh-cs-acts@test" in ev.note  # the message's taboo probability and the model


def test_without_blame_clause_the_policy_no_goes_to_positive_framing():
    assert _score(_crit(KeywordActs(TABLE), blame_clause=False), TEXT).status == "pass"
    # a comma-separated message is read the same way as one whose clauses are typed apart
    assert _score(_crit(KeywordActs(TABLE), blame_clause=True), TEXT.replace(" ", "，")).status == "fail"
    assert _score(_crit(KeywordActs(TABLE), blame_clause=True), TEXT.replace(" ", "")).status == "pass"  # one clause


def test_a_policy_no_alone_or_beside_a_plain_clause_stays_with_positive_framing():
    table = dict(TABLE, 规矩来的=[0.15, 0.2, 0.6, 0.03, 0.02])  # blame, but taboo 0.85 only with the bar at 0.9
    crit = _crit(KeywordActs(table), blame_clause=True, threshold=0.9)
    assert _score(crit, TEXT).status == "pass"
    table = dict(TABLE, 规矩来的=[0.6, 0.2, 0.15, 0.03, 0.02])  # the process named as a plain fact
    crit = _crit(KeywordActs(table), blame_clause=True)
    assert _score(crit, TEXT).status == "pass"


def test_blame_apart_is_excused_like_any_blame():
    crit = _crit(KeywordActs(TABLE), blame_clause=True)
    # the agent goes on to offer something: offer_cancels holds for the shifted act too
    assert _score(crit, TEXT + " 我马上帮您联系快递拦截").status == "pass"


def test_the_helpless_bar_holds_under_a_per_act_bar():
    table = {"无奈": [0.3, 0.5, 0.1, 0.05, 0.05]}  # taboo 0.7: above helpless_threshold 0.6, below every other bar
    text = "这个我们也很无奈 您等等看吧"
    crit = _crit(KeywordActs(table), act_thresholds={"refusal": 0.8})
    assert _score(crit, text).status == "fail"  # the words say it: 0.6, whatever the refusal bar
    crit = _crit(KeywordActs(table), act_thresholds={"refusal": 0.8}, helpless=[])
    assert _score(crit, text).status == "pass"  # without them the larger of the main and the per-act bar
