"""The empathy head's calibration check (models.state.cv_report and its parts)."""
import numpy as np

from models.state import CustomerStateModel, cross_validated_empathy, load_state_model, reliability


def test_reliability_bands_count_turns_and_the_share_that_needs_empathy():
    p = np.array([0.05, 0.05, 0.55, 0.95, 0.95, 1.0])
    yes = np.array([False, True, True, True, False, True])
    table = {b["band"]: b for b in reliability(p, yes, bins=(0.0, 0.5, 0.9, 1.0))}
    assert table[(0.0, 0.5)] == {"band": (0.0, 0.5), "n": 2, "share_yes": 0.5}
    assert table[(0.5, 0.9)]["n"] == 1 and table[(0.5, 0.9)]["share_yes"] == 1.0
    # the last band holds P = 1.0 too
    assert table[(0.9, 1.0)]["n"] == 3 and table[(0.9, 1.0)]["share_yes"] == 0.667


def test_reliability_leaves_an_empty_band_without_a_share():
    assert reliability(np.array([0.1]), np.array([True]), bins=(0.0, 0.5, 1.0))[1] == {"band": (0.5, 1.0), "n": 0, "share_yes": None}


def test_cross_validated_empathy_scores_each_turn_with_a_model_that_never_saw_it():
    feel = ["气死了 等了一周", "太失望了", "怎么还没到 急死了", "无语 又坏了", "烦死了 客服人呢", "真的很生气"] * 3
    calm = ["好的谢谢", "请问有货吗", "几号发货", "收到了", "可以开发票吗", "好的"] * 3
    rows = [{"text": f"{t}{i}", "prev_agent": "", "sentiment": "negative", "needs_empathy": "yes"} for i, t in enumerate(feel)]
    rows += [{"text": f"{t}{i}", "prev_agent": "", "sentiment": "neutral", "needs_empathy": "no"} for i, t in enumerate(calm)]
    proba = np.tile(np.array([[1 / 3, 1 / 3, 1 / 3]], dtype=np.float32), (len(rows), 1))
    p = cross_validated_empathy(rows, proba, k=3)
    assert p.shape == (len(rows),) and ((0 <= p) & (p <= 1)).all()
    # held-out turns share their words with the training folds: feelings score above calm turns
    assert p[: len(feel)].mean() > p[len(feel):].mean() + 0.2


def test_repeated_turns_read_the_same_as_new_ones_and_a_refit_starts_again():
    model = load_state_model()
    texts = ["好吧", "在吗", "好吧", "等了一周了还没到，太失望了"]
    prevs = ["这个确实没办法退的哦", "", "亲 还有什么可以帮您", ""]
    proba = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.9, 0.05, 0.05]])
    first = model.predict(texts, prevs, proba)
    mixed = model.predict(texts[::-1] + ["收到了"], prevs[::-1] + [""], np.vstack([proba[::-1], [[0.1, 0.3, 0.6]]]))
    assert np.array_equal(mixed.empathy[:4][::-1], first.empathy) and np.array_equal(mixed.sentiment[:4][::-1], first.sentiment)
    # 好吧 reads differently after a refusal than after an offer of help: the agent's line is part of the key
    assert first.empathy[0] != first.empathy[2]
    rows = [("气死了", "negative", True), ("太失望了", "negative", True), ("好的谢谢", "neutral", False), ("收到了", "positive", False)]
    small = CustomerStateModel(min_df=1)
    small.fit([r[0] for r in rows] * 2, [""] * 8, np.full((8, 3), 1 / 3), [r[1] for r in rows] * 2, [r[2] for r in rows] * 2)
    before = small.predict(["气死了"], [""], np.full((1, 3), 1 / 3)).empathy
    small.fit([r[0] for r in rows] * 2, [""] * 8, np.full((8, 3), 1 / 3), [r[1] for r in rows] * 2, [not r[2] for r in rows] * 2)
    after = small.predict(["气死了"], [""], np.full((1, 3), 1 / 3)).empathy
    assert before[0] > 0.5 > after[0]  # the new weights answer, not a row kept from the old ones
