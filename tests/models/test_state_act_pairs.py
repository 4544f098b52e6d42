"""Feature set 3 of the customer-state model (session 13): a short reply's grams paired with the agent line's act, and
the state13 rows the session-13 parts read."""
from __future__ import annotations

import numpy as np

from models.state import CustomerStateModel, act_pairs, feature_parts, features, with_set

REFUSAL = "这个已经超过售后期了，没办法退的哦"
OFFER = "现在第二件半价，需要帮您加购一个吗"


def test_set_3_pairs_a_short_reply_with_the_act_and_keeps_set_2():
    two, three = features("算了", REFUSAL, 2), features("算了", REFUSAL, 3)
    assert three[: len(two)] == two  # set 3 appends; sets 1 and 2 read as before
    assert "X:refusal|算了" in three and "X:refusal|^算了" in three
    assert not any(f.startswith("X:") for f in two)
    # the same words under another act pair apart: the head can weigh 算了 after a refusal and after an offer apart
    after_offer = {f for f in features("算了", OFFER, 3) if f.startswith("X:")}
    assert after_offer and not after_offer & {f for f in three if f.startswith("X:")}
    # only the turn's own 1–2-grams pair (not the agent line's P: grams, not 3-grams, not the markers)
    assert all(len(f.split("|", 1)[1].strip("^$")) in (1, 2) for f in three if f.startswith("X:"))


def test_no_pairs_without_an_agent_line_or_on_a_long_turn():
    assert not any(f.startswith("X:") for f in features("算了", "", 3))
    assert not any(f.startswith("X:") for f in features("那我这个钱就白花了吗 你们也太不负责了", REFUSAL, 3))
    assert act_pairs(["算", "了"], []) == []


def test_with_set_reads_each_set_from_one_computation():
    parts = feature_parts("不用了", REFUSAL)
    for s in (1, 2, 3):
        assert with_set(parts, s) == features("不用了", REFUSAL, s)


def test_a_set_3_part_reads_the_same_through_a_set_1_model(tmp_path):
    texts = ["算了", "算了", "好的谢谢", "不用了", "不用了", "嗯"]
    prevs = [REFUSAL, OFFER, REFUSAL, REFUSAL, OFFER, OFFER]
    sentiment = ["negative", "neutral", "positive", "negative", "neutral", "neutral"]
    yes = [True, False, False, True, False, False]
    proba = np.full((6, 3), 1 / 3, dtype=np.float32)
    own = CustomerStateModel(min_df=1).fit(texts, prevs, proba, sentiment, yes)
    part = CustomerStateModel(min_df=1, l2=1e-5, feature_set=3).fit(texts, prevs, proba, sentiment, yes)
    alone = part.predict(texts, prevs, proba)
    assert alone.empathy[0] > alone.empathy[1] and alone.empathy[3] > alone.empathy[4]  # the act tells them apart
    own.empathy_part, own.empathy_part_weight = part, 1.0
    own.polarity_part, own.polarity_part_weight, own.polarity_part_short_weight = part, 1.0, 1.0
    both = own.predict(texts, prevs, proba)
    np.testing.assert_allclose(both.empathy, alone.empathy, rtol=1e-6)
    np.testing.assert_allclose(both.sentiment, alone.sentiment, rtol=1e-6)
    own.save(tmp_path)
    again = CustomerStateModel.load(tmp_path)
    assert again.empathy_part.feature_set == 3
    np.testing.assert_allclose(again.predict(texts, prevs, proba).empathy, both.empathy, rtol=1e-6)


def test_the_state13_rows_are_well_formed_and_named_by_their_parts():
    from models.state_recipe import RECIPES, STATE13_FILE, read_rows

    rows = read_rows([STATE13_FILE])
    assert len(rows) >= 200
    assert {r["sentiment"] for r in rows} == {"negative", "neutral", "positive"}
    assert all(r["needs_empathy"] in ("yes", "no") and r["note"] for r in rows)
    assert not any(r["needs_empathy"] == "yes" and r["sentiment"] != "negative" for r in rows)  # a feeling is negative
    assert len({(r["prev_agent"], r["text"]) for r in rows}) == len(rows)
    for part in ("writers_s13", "writers8_s13", "writers_s13x", "writers8_s13x"):
        assert STATE13_FILE in RECIPES[part]["files"]


def test_rows_outside_empathy_rows_train_the_polarity_head_only():
    texts = ["气死了 还没到", "好的谢谢", "算了", "收到了很好", "怎么还没发货", "嗯嗯"]
    prevs = ["", "", REFUSAL, "", "", ""]
    sentiment = ["negative", "positive", "negative", "positive", "negative", "neutral"]
    yes = [True, False, True, False, True, False]
    proba = np.full((6, 3), 1 / 3, dtype=np.float32)
    every = CustomerStateModel(min_df=1).fit(texts, prevs, proba, sentiment, yes)
    some = CustomerStateModel(min_df=1).fit(texts, prevs, proba, sentiment, yes, [True, True, False, True, True, True])
    np.testing.assert_array_equal(every.w_sentiment, some.w_sentiment)  # the polarity head reads every row
    assert not np.array_equal(every.w_empathy, some.w_empathy)


def test_a_recipes_polarity_only_files_skip_the_empathy_head():
    from models.state_recipe import RECIPES, STATE13_FILE, fit, read_rows

    assert RECIPES["s13pol"]["polarity_only"] == (STATE13_FILE.name,)
    from models.state import TRAIN_FILE

    mine = read_rows([STATE13_FILE])[:30]
    assert all(r["_file"] == STATE13_FILE.name for r in mine)
    rows = read_rows([TRAIN_FILE])[:30] + mine
    proba = np.full((len(rows), 3), 1 / 3, dtype=np.float32)
    pol, own = fit(rows, proba, "s13pol"), fit(rows, proba, "s13own")
    np.testing.assert_array_equal(pol.w_sentiment, own.w_sentiment)
    texts, prevs = [r["text"] for r in mine], [r["prev_agent"] for r in mine]
    assert not np.allclose(pol.predict(texts, prevs, proba[30:]).empathy, own.predict(texts, prevs, proba[30:]).empathy)
