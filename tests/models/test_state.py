"""The empathy head's calibration check (models.state.cv_report and its parts)."""
import numpy as np

from models.base import softmax
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


def test_agent_kinds_name_what_the_previous_line_does_in_any_script():
    from models.state import agent_kinds

    assert "refusal" in agent_kinds("亲 这个确实没办法退的哦")
    assert "refusal" in agent_kinds("親 這個是沒辦法退的喔")  # traditional reads like simplified
    assert "blame" in agent_kinds("快递那边我们也左右不了的亲")
    assert "closing" in agent_kinds("请问还有什么可以帮您的吗")
    # a closing question asks for nothing to report: 没有 after it is a close, not "not received"
    assert "ask" not in agent_kinds("请问还有其他可以帮您的吗") and "ask" in agent_kinds("麻烦提供一下订单号")
    assert "solution" in agent_kinds("已经为您安排补发了")
    assert agent_kinds("在的") == ("other",)


def test_feature_set_2_adds_the_agent_act_and_set_1_stays_as_it_was():
    from models.state import features

    refusal = "这个确实没办法退的哦"
    old = features("好吧", refusal)
    assert old == features("好吧", refusal, 1) and not any(f.startswith(("A:", "L:")) for f in old)
    new = features("好吧", refusal, 2)
    assert "A:refusal" in new and set(old) <= set(new)
    long_turn = features("那我这个钱就白花了吗 你们也太不负责了", refusal, 2)
    assert "L:refusal" in long_turn and not any(f.startswith(("A:", "P:")) for f in long_turn)
    assert not any(f.startswith("L:") for f in features("那我这个钱就白花了吗 你们也太不负责了", "", 2))


def test_feature_set_is_saved_and_an_older_model_reads_as_set_1(tmp_path):
    import json

    from models.state import META_FILE

    rows = [("气死了", "negative", True), ("太失望了", "negative", True), ("好的谢谢", "neutral", False), ("收到了", "positive", False)]
    m = CustomerStateModel(min_df=1, feature_set=2).fit([r[0] for r in rows], ["没办法退的"] * 4, np.full((4, 3), 1 / 3),
                                                       [r[1] for r in rows], [r[2] for r in rows])
    m.save(tmp_path)
    assert CustomerStateModel.load(tmp_path).feature_set == 2
    meta = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    del meta["feature_set"]
    (tmp_path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    assert CustomerStateModel.load(tmp_path).feature_set == 1


def test_the_sparse_fit_takes_the_steps_of_a_dense_softmax_regression():
    from models.base import softmax
    from models.state import fit_sparse

    rng = np.random.default_rng(0)
    n, vocab, k = 12, 7, 3
    rows = [(np.unique(rng.integers(0, vocab, 3)), 0.5) for _ in range(n)]
    proba = rng.dirichlet(np.ones(3), n).astype(np.float32)
    y = rng.integers(0, k, n)
    weights = rng.uniform(0.5, 2.0, n)
    w = fit_sparse(rows, vocab, proba, y, k, 1e-3, weights, iters=20)
    # the same Adam steps on the dense matrix [binary features | log-probabilities / 4 | 1]
    x = np.zeros((n, vocab + 4), dtype=np.float32)
    for i, (idx, v) in enumerate(rows):
        x[i, idx] = v
    x[:, vocab:vocab + 3] = np.log(np.clip(proba, 1e-4, 1.0)) / 4.0
    x[:, -1] = 1.0
    ref = np.zeros((vocab + 4, k), dtype=np.float32)
    m1, m2 = np.zeros_like(ref), np.zeros_like(ref)
    sw = (weights / weights.sum())[:, None]
    decay = np.full((vocab + 4, 1), 1e-3)
    decay[-1] = 0.0
    for t in range(1, 21):
        g = x.T @ ((softmax(x @ ref) - np.eye(k)[y]) * sw) + decay * ref
        m1 = 0.9 * m1 + 0.1 * g
        m2 = 0.999 * m2 + 0.001 * g * g
        ref = ref - 0.1 * (m1 / (1 - 0.9**t)) / (np.sqrt(m2 / (1 - 0.999**t)) + 1e-8)
    assert np.allclose(w, ref, atol=1e-4)


def test_an_empathy_part_mixes_the_log_odds_keeps_the_polarity_and_survives_save_and_load(tmp_path):
    import json

    from models.state import EMPATHY_PART_DIR, META_FILE

    texts = ["等了五天了还没动静", "好的谢谢", "又是这样 算了吧", "收到了很好", "怎么还没发货", "嗯嗯"]
    sentiment = ["negative", "neutral", "negative", "positive", "negative", "neutral"]
    proba = np.tile(np.array([[0.3, 0.5, 0.2]], dtype=np.float32), (len(texts), 1))
    own = CustomerStateModel(min_df=1).fit(texts, [""] * 6, proba, sentiment, [True, False, True, False, False, False])
    part = CustomerStateModel(min_df=1, l2=1e-5, feature_set=2).fit(texts, [""] * 6, proba, sentiment, [True, False, True, False, True, False])
    read = ["怎么还没发货", "好的谢谢", "算了"]
    p = proba[:3]
    alone_own, alone_part = own.predict(read, [""] * 3, p), part.predict(read, [""] * 3, p)
    own.empathy_part, own.empathy_part_weight = part, 0.25
    both = own.predict(read, [""] * 3, p)

    def logit(q):
        return np.log(q / (1 - q))

    np.testing.assert_allclose(logit(both.empathy), 0.75 * logit(alone_own.empathy) + 0.25 * logit(alone_part.empathy), rtol=1e-6)
    np.testing.assert_array_equal(both.sentiment, alone_own.sentiment)  # the polarity head is the model's own
    assert both.empathy[0] > alone_own.empathy[0]  # the part reads 怎么还没发货 as upset, the own head less so
    own.save(tmp_path)
    assert json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))["empathy_part"] == {"dir": EMPATHY_PART_DIR, "weight": 0.25}
    again = CustomerStateModel.load(tmp_path)
    assert again.empathy_part is not None and again.empathy_part.feature_set == 2
    np.testing.assert_allclose(again.predict(read, [""] * 3, p).empathy, both.empathy, rtol=1e-6)
    again.empathy_part = None  # saved without its part, the model says so
    again.save(tmp_path / "alone")
    assert "empathy_part" not in json.loads((tmp_path / "alone" / META_FILE).read_text(encoding="utf-8"))
    np.testing.assert_allclose(CustomerStateModel.load(tmp_path / "alone").predict(read, [""] * 3, p).empathy, alone_own.empathy, rtol=1e-6)


def test_the_polarity_part_weights_pool_the_polarity_logits_long_and_short_turns_apart(tmp_path):
    import json

    from models.state import META_FILE, POLARITY_PART_DIR

    texts = ["等了五天了还没动静", "好的谢谢", "又是这样 算了吧", "收到了很好", "怎么还没发货", "嗯嗯"]
    proba = np.tile(np.array([[0.3, 0.5, 0.2]], dtype=np.float32), (len(texts), 1))
    own = CustomerStateModel(min_df=1).fit(texts, [""] * 6, proba, ["negative", "neutral", "negative", "positive", "negative", "neutral"],
                                           [True, False, True, False, False, False])
    # the part reads 好的谢谢 and 嗯嗯 the other way: its polarity must show through at its weight only
    part = CustomerStateModel(min_df=1, feature_set=2).fit(texts, [""] * 6, proba, ["negative", "positive", "negative", "positive", "neutral", "negative"],
                                                           [True, False, True, False, True, False])
    read, p = ["等了五天了还没动静", "好的谢谢", "嗯嗯"], proba[:3]  # one long turn, two short ones
    z_own, z_part = own.logits(read, [""] * 3, p)[:, 1:], part.logits(read, [""] * 3, p)[:, 1:]
    own.empathy_part, own.empathy_part_weight, own.polarity_part = part, 0.5, part
    alone = own.predict(read, [""] * 3, p)
    np.testing.assert_allclose(alone.sentiment, softmax(z_own), rtol=1e-6)  # weight 0: the own head alone (@5)
    own.polarity_part_weight, own.polarity_part_short_weight = 0.3, 0.6
    both = own.predict(read, [""] * 3, p)
    w = np.array([[0.3], [0.6], [0.6]])
    np.testing.assert_allclose(both.sentiment, softmax((1 - w) * z_own + w * z_part), rtol=1e-6)
    np.testing.assert_allclose(both.empathy, alone.empathy, rtol=1e-6)  # the empathy mix does not move with it
    assert not np.allclose(both.sentiment, alone.sentiment)
    own.save(tmp_path)
    saved = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))["polarity_part"]
    assert (saved["dir"], saved["weight"], saved["short_weight"]) == (POLARITY_PART_DIR, 0.3, 0.6)
    again = CustomerStateModel.load(tmp_path)
    assert (again.polarity_part_weight, again.polarity_part_short_weight) == (0.3, 0.6)
    assert again.polarity_part is not None and again.polarity_part.feature_set == 2
    np.testing.assert_allclose(again.predict(read, [""] * 3, p).sentiment, both.sentiment, rtol=1e-6)
    assert saved["short_chars"] == again.polarity_part_short_chars == 6  # the line between them: is_short's by default
    again.polarity_part_short_chars = 10  # 等了五天了还没动静 (9 word characters) is a short reply now: the short weight
    np.testing.assert_allclose(again.predict(read, [""] * 3, p).sentiment, softmax(0.4 * z_own + 0.6 * z_part), rtol=1e-6)
    again.polarity_part_short_chars, again.polarity_part_short_weight = 6, 0.0  # short turns: the own head alone (@6)
    w = np.array([[0.3], [0.0], [0.0]])
    np.testing.assert_allclose(again.predict(read, [""] * 3, p).sentiment, softmax((1 - w) * z_own + w * z_part), rtol=1e-6)
    again.polarity_part_short_weight = 0.6
    again.empathy_part = None  # a polarity part alone: the empathy is the own head's, the polarity still pooled
    only = again.predict(read, [""] * 3, p)
    np.testing.assert_allclose(only.sentiment, both.sentiment, rtol=1e-6)
    np.testing.assert_allclose(only.empathy, 1 / (1 + np.exp(-own.logits(read, [""] * 3, p)[:, 0])), rtol=1e-6)


def test_the_short_weight_on_replies_only_leaves_a_short_opener_to_the_own_head(tmp_path):
    import json

    from models.state import META_FILE

    texts = ["等了五天了还没动静", "好的谢谢", "又是这样 算了吧", "收到了很好", "怎么还没发货", "嗯嗯"]
    prevs = ["", "这个确实没办法退的", "", "已经给您补发了", "", "还有什么可以帮您"]
    proba = np.tile(np.array([[0.3, 0.5, 0.2]], dtype=np.float32), (len(texts), 1))
    own = CustomerStateModel(min_df=1).fit(texts, prevs, proba, ["negative", "neutral", "negative", "positive", "negative", "neutral"],
                                           [True, False, True, False, False, False])
    part = CustomerStateModel(min_df=1, feature_set=2).fit(texts, prevs, proba, ["negative", "positive", "negative", "positive", "neutral", "negative"],
                                                           [True, False, True, False, True, False])
    # a long opener, a short reply (an agent line before it), a short opener (none)
    read, before, p = ["等了五天了还没动静", "好的谢谢", "嗯嗯"], ["", "这个确实没办法退的", ""], proba[:3]
    z_own, z_part = own.logits(read, before, p)[:, 1:], part.logits(read, before, p)[:, 1:]
    own.polarity_part, own.polarity_part_weight, own.polarity_part_short_weight = part, 0.3, 0.6
    own.polarity_part_short_replies = True
    w = np.array([[0.3], [0.6], [0.0]])
    np.testing.assert_allclose(own.predict(read, before, p).sentiment, softmax((1 - w) * z_own + w * z_part), rtol=1e-6)
    own.save(tmp_path)
    assert json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))["polarity_part"]["short_replies"] is True
    again = CustomerStateModel.load(tmp_path)
    assert again.polarity_part_short_replies
    np.testing.assert_allclose(again.predict(read, before, p).sentiment, own.predict(read, before, p).sentiment, rtol=1e-6)
    again.polarity_part_short_replies = False  # @6's reading: the short weight on every short turn
    w = np.array([[0.3], [0.6], [0.6]])
    np.testing.assert_allclose(again.predict(read, before, p).sentiment, softmax((1 - w) * z_own + w * z_part), rtol=1e-6)
