"""The empathy head's calibration check (models.state.cv_report and its parts)."""
import numpy as np

from models.state import cross_validated_empathy, reliability


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
