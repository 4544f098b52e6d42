"""models.textcat: the shared n-gram softmax core — fields kept apart, save/load round trip, per-example cache."""
import numpy as np
import pytest

from models.textcat import Field, NgramSoftmax

ROWS = [
    (("我帮您反馈给仓库，明天下午前回复您", "怎么还没发"), "with_time"),
    (("已经提交售后了，两个工作日内联系您", "坏了"), "with_time"),
    (("我去问下仓库，有消息告诉您", "怎么还没发"), "no_time"),
    (("帮您登记了，等通知吧", "坏了"), "no_time"),
    (("退款已经给您退了，请查收", "我要退款"), "solved"),
    (("已经给您补发了，单号发您", "少了一个"), "solved"),
] * 3


def _model(**kw):
    return NgramSoftmax(("with_time", "no_time", "solved"), (Field("agent", (1, 3)), Field("customer", (1, 2), 0.5)),
                        min_df=1, name="zh-cs-test", version=2, kind="test", **kw)


def test_fit_predict_and_round_trip(tmp_path):
    m = _model().fit([r[0] for r in ROWS], [r[1] for r in ROWS])
    assert m.predict([r[0] for r in ROWS[:6]]) == [r[1] for r in ROWS[:6]]
    m.save(tmp_path / "m")
    back = NgramSoftmax.load(tmp_path / "m", kind="test")
    assert back.model_id == "zh-cs-test@2" and back.classes_ == m.classes_
    x = [("帮您反馈一下，今天之内回复", "还没到"), ("退了", "")]
    assert np.allclose(back.predict_proba(x), m.predict_proba(x), atol=2e-3)  # float16 weights on disk
    with pytest.raises(ValueError, match="not a 'acts' one"):
        NgramSoftmax.load(tmp_path / "m", kind="acts")


def test_fields_are_kept_apart():
    # the same characters in the customer field must not count as the agent's: a model trained where only the
    # agent field carries the cue reads a cue that sits in the customer field as nothing
    m = NgramSoftmax(("no", "yes"), (Field("agent", (1, 2)), Field("customer", (1, 2))), min_df=1, kind="t")
    m.fit([("反馈", "好的"), ("好的", "好的")] * 4, ["yes", "no"] * 4)
    p_agent = m.predict_proba([("反馈", "好的")])[0, 1]
    p_customer = m.predict_proba([("好的", "反馈")])[0, 1]
    assert p_agent > 0.8 and p_customer < 0.5


def test_rows_cached_and_wrong_arity_refused():
    m = _model().fit([r[0] for r in ROWS], [r[1] for r in ROWS])
    a = m.predict_proba([ROWS[0][0], ROWS[0][0]])
    assert len(m._proba_cache) == 1 and np.array_equal(a[0], a[1])
    with pytest.raises(ValueError, match="reads 2 fields"):
        m.predict_proba(["只有一个字段"])


def test_sample_weight_moves_the_fit():
    x = [("好的", "")] * 4 + [("好的呢", "")] * 4
    y = ["no"] * 4 + ["yes"] * 4
    base = NgramSoftmax(("no", "yes"), (Field("agent", (1, 2)), Field("customer", (1, 1))), min_df=1).fit(x, y)
    heavy = NgramSoftmax(("no", "yes"), (Field("agent", (1, 2)), Field("customer", (1, 1))), min_df=1).fit(
        x + [("好", "")], y + ["yes"], sample_weight=[1.0] * 8 + [20.0])
    assert heavy.predict_proba([("好", "")])[0, 1] > base.predict_proba([("好", "")])[0, 1]
