"""Shop adaptation (models/adapt.py) on a tiny BERT with a wide part: from the weights, never on held-out turns."""
from __future__ import annotations

import json

import numpy as np
import pytest

from models import adapt as A
from models import onnx_encoder
from models.sentiment import SentimentClassifier

from .conftest import TEXTS, tiny_wide_classifier

SHOP = [("negative", "主播说的持妆一天 两小时就斑驳了[微笑]"), ("negative", "yysy 包装压扁了"), ("negative", "栓Q 又是预售"),
        ("negative", "烂脸了 退钱"), ("negative", "客服是机器人吗"), ("negative", "发错色号了 无语子"),
        ("neutral", "黄一白用哪个色号"), ("neutral", "福袋怎么领"), ("neutral", "几号链接"), ("neutral", "运费险有吗"),
        ("neutral", "能改地址吗"), ("neutral", "小样单卖吗"),
        ("positive", "yyds 回购了"), ("positive", "绝绝子 不卡粉"), ("positive", "3q 爱了"), ("positive", "收到啦 好精致"),
        ("positive", "显白 狠狠爱住"), ("positive", "主播太宠粉了")]


@pytest.fixture(scope="module")
def tiny_wide_model(tiny_base, corpus, tmp_path_factory):
    """A tiny classifier shaped like the shipped one: encoder + wide part + temperature."""
    return tiny_wide_classifier(tiny_base, corpus, tmp_path_factory.mktemp("tiny-wide"))


@pytest.fixture()
def shop_file(tmp_path):
    path = tmp_path / "douyin" / "pool.tsv"
    path.parent.mkdir()
    path.write_text("prev_agent\ttext\tsentiment\n" + "".join(f"亲 在的\t{t}\t{l}\n" for l, t in SHOP), encoding="utf-8")
    return path


def test_both_label_forms_are_read_with_context_skips_and_repeats(tmp_path):
    export = tmp_path / "sentiment_turns.tsv"
    export.write_text("# zhijian export-labels\nnegative\t怎么还没发\nneutral\t在吗\nangry\t不算\npositive\t在吗\n"
                      "no tab here\n", encoding="utf-8")
    got = A.read_labelled_turns(export)
    assert [(t.label, t.text, t.context) for t in got.turns] == [("negative", "怎么还没发", ""), ("neutral", "在吗", "")]
    assert (got.skipped, got.duplicates) == (2, 1)
    table = tmp_path / "turns.tsv"
    table.write_text("prev_agent\ttext\tsentiment\tnote\n还有别的问题吗\t没了\tneutral\tclose\n\t[微笑]\tNEGATIVE\t\n",
                     encoding="utf-8")
    got = A.read_labelled_turns(table)
    assert [(t.label, t.text, t.context) for t in got.turns] == [("neutral", "没了", "还有别的问题吗"),
                                                                ("negative", "[微笑]", "")]
    with pytest.raises(FileNotFoundError, match="export-labels"):
        A.read_labelled_turns(tmp_path / "missing.tsv")


def test_split_is_by_text_hash_disjoint_and_pools_are_nested():
    turns = [A.LabelledTurn(f"第{i}句话", "neutral") for i in range(200)]
    pool, test = A.split_turns(turns, 0.3)
    assert not {t.text for t in pool} & {t.text for t in test} and len(pool) + len(test) == 200
    assert 40 <= len(test) <= 80  # about 30 %
    again, _ = A.split_turns(list(reversed(turns)), 0.3)
    assert {t.text for t in again} == {t.text for t in pool}
    small, large = A.take_pool(pool, 20), A.take_pool(list(reversed(pool)), 50)
    assert len(small) == 20 and {t.text for t in small} <= {t.text for t in large}


def test_the_plan_never_trains_on_a_held_out_or_outside_turn(shop_file):
    labels = A.read_labelled_turns(shop_file)
    test = A.ShopLabels([A.LabelledTurn(SHOP[0][1], "negative"), A.LabelledTurn("怎么还没发货", "negative")])
    plan = A.plan_adaptation(labels, 0.3, test, None, replay=2.0, min_replay=50, seed=1)
    trained = {t.text for t in plan.pool} | {e.text for e in plan.replay}
    assert SHOP[0][1] not in trained and "怎么还没发货" not in trained
    assert len(plan.pool) == len(SHOP) - 1 and len(plan.replay) == 50  # max(min_replay, 2 x 17)
    outside = {e.text for e in A.read_turns(A.CHAT_HOLDOUT_PATH)}
    assert not trained & outside and not {e.text for e in plan.general} & trained


def test_adapting_with_no_learning_keeps_the_model_it_started_from(tiny_wide_model, shop_file, tmp_path):
    """Learning rate 0: the adapted model predicts as the base (its weights and wide part, not a fresh model)."""
    out = tmp_path / "adapted"
    report = A.adapt(tiny_wide_model, shop_file, out, holdout=0.3, log=lambda _: None, learning_rate=0.0, epochs=1,
                     replay=0.0, min_replay=0)
    base, adapted = SentimentClassifier.load(tiny_wide_model), SentimentClassifier.load(out)
    texts = [t for _, t in SHOP] + TEXTS
    assert adapted.wide_weight_ == base.wide_weight_ == 1.0
    np.testing.assert_allclose(adapted.decision_function(texts), base.decision_function(texts), atol=1e-4)
    for name in report["before"]:
        assert report["after"][name]["macro_f1"] == pytest.approx(report["before"][name]["macro_f1"])
    # nothing moved, so the drift report says so (what the state layer reads on general turns)
    assert report["drift"]["argmax_agreement"] == 1.0 and report["drift"]["kl_base_to_adapted"] < 1e-3
    assert report["drift"]["n"] == report["before"]["general_chat"]["n"]


def test_adapted_model_is_a_new_versioned_model_with_its_onnx_encoder_and_report(tiny_wide_model, shop_file, tmp_path):
    out = tmp_path / "adapted"
    report = A.adapt(tiny_wide_model, shop_file, out, holdout=0.3, log=lambda _: None, learning_rate=3e-3, epochs=2,
                     replay=0.0, min_replay=0)
    meta = json.loads((out / "zhijian.json").read_text(encoding="utf-8"))
    assert (meta["name"], meta["version"]) == ("tiny-sentiment-douyin", 1) and report["model_id"] == "tiny-sentiment-douyin@1"
    # the default recipe keeps the base's temperature: the state layer was fitted on that scale
    base_meta = json.loads((tiny_wide_model / "zhijian.json").read_text(encoding="utf-8"))
    assert meta["temperature"] == base_meta["temperature"] and meta["adaptation"]["settings"]["temperature"] == "base"
    assert meta["adaptation"]["adapted_from"] == "tiny-sentiment@2" and meta["adaptation"]["pool"] == report["pool"]
    assert report["pool"] + report["heldout"] == len(SHOP) and set(report["after"]) == {"shop_heldout", "general_chat"}
    assert report["before"]["shop_heldout"]["n"] == report["heldout"]
    assert set(report["after"]["shop_heldout"]["per_class"]) == {"negative", "neutral", "positive"}
    shipped = out / onnx_encoder.SHIPPED_FILE
    assert shipped.is_file()
    encoder = onnx_encoder.load_encoder(out, threads=1, export=False)
    assert encoder is not None and encoder.path == shipped  # its own weights' file, not a cached one
    assert "| shop_heldout |" in (out / "ADAPTATION.md").read_text(encoding="utf-8")
    # the customer-state model is adapted beside it: named for the shop, its empathy head the shipped one's
    state = json.loads((out / "state" / "zhijian.json").read_text(encoding="utf-8"))
    assert (state["name"], state["version"]) == ("zh-cs-state-douyin", 1) and report["state"]["model_id"] == "zh-cs-state-douyin@1"
    assert state["empathy_head_of"] == state["adapted_from"] == "zh-cs-state@7"
    assert state["empathy_part"]["weight"] == 0.5 and (out / "state" / "empathy_part" / "zhijian.json").is_file()  # @6 keeps @5's second empathy head
    assert "polarity_part" not in state and not (out / "state" / "polarity_part").exists()  # its refitted head reads polarity alone
    assert state["sentiment_model"] == "tiny-sentiment-douyin@1" and state["n_shop"] == report["pool"]
    assert state["empathy_realigned_to"] == "tiny-sentiment-douyin@1"  # its empathy head reads this encoder's scale
    assert {"empathy_kept", "empathy_kept_pair", "empathy_added_pair"} <= set(report["drift"])
    assert report["state"]["before"]["n"] == report["state"]["after"]["n"] == report["heldout"]
    assert "shop_heldout in context" in (out / "ADAPTATION.md").read_text(encoding="utf-8")
    again = A.adapt(out, shop_file, tmp_path / "again", log=lambda _: None, learning_rate=0.0, epochs=1, replay=0.0,
                    min_replay=0)
    assert again["model_id"] == "tiny-sentiment-douyin@2"  # re-adapting the shop's model bumps its version


def test_training_with_the_wide_part_in_the_loss_fits_the_labels(tiny_wide_model):
    texts, labels = [t for _, t in SHOP], [l for l, _ in SHOP]
    base = SentimentClassifier.load(tiny_wide_model, quantize=False, backend="transformers")
    y = np.array([A.CLASSES.index(l) for l in labels])

    def nll_and_accuracy(clf):
        p = clf.predict_proba(texts)
        return float(-np.log(p[np.arange(len(y)), y]).mean()), float(np.mean(p.argmax(1) == y))

    before = nll_and_accuracy(base)
    offsets = A._wide_offsets(base, texts)
    model = A.finetune_with_wide(tiny_wide_model, texts, labels, offsets, base.temperature_, epochs=40,
                                 learning_rate=5e-3, batch_size=8, seed=1, warmup_ratio=0.1, weight_decay=0.0,
                                 max_length=32, log=lambda _: None)
    base.model_ = model
    after = nll_and_accuracy(base)
    # the tiny base knows none of these texts (about half right); 18 texts, so one or two may stay wrong
    assert after[0] < 0.5 * before[0] and after[1] >= 0.8 and after[1] > before[1]


def test_soft_targets_at_the_base_probabilities_keep_them_where_labels_move_them(tiny_wide_model):
    """Teacher rehearsal: a text trained to the base's own probabilities stays there; trained to its label,
    it moves (what moved the empathy trigger with the session-7 recipe)."""
    texts, labels = [t for _, t in SHOP], [l for l, _ in SHOP]  # texts the tiny base does not know
    base = SentimentClassifier.load(tiny_wide_model, quantize=False, backend="transformers")
    before = base.predict_proba(texts)
    offsets = A._wide_offsets(base, texts)
    moved = {}
    for name, targets, weights in (("teacher", before.astype(np.float32), None), ("labels", None, None),
                                   ("labels, weighing nothing", None, np.zeros(len(texts)))):
        model = A.finetune_with_wide(tiny_wide_model, texts, labels, offsets, base.temperature_, epochs=10,
                                     learning_rate=3e-3, batch_size=8, seed=1, warmup_ratio=0.1, weight_decay=0.0,
                                     max_length=32, log=lambda _: None, targets=targets, text_weights=weights)
        clf = SentimentClassifier.load(tiny_wide_model, quantize=False, backend="transformers")
        clf.model_ = model
        moved[name] = float(np.abs(clf.predict_proba(texts) - before).sum(1).mean())
    assert moved["teacher"] < 0.5 * moved["labels"] and moved["labels"] > 0.1
    assert moved["labels, weighing nothing"] < 1e-4  # a text's weight scales what it teaches


def test_register_replay_is_half_the_replay_and_never_a_measured_or_held_out_text(shop_file):
    from models.chat_texts import measured_texts

    labels = A.read_labelled_turns(shop_file)
    plan = A.plan_adaptation(labels, 0.3, None, None, replay=2.0, min_replay=60, seed=1, replay_source="chat+register")
    assert len(plan.register) == 30 and len(plan.replay) == 30 and len(set(plan.register)) == 30
    blocked = measured_texts() | {A._loose(t.text) for t in plan.test + plan.pool} | {A._loose(e.text) for e in plan.general}
    assert not {A._loose(t) for t in plan.register} & blocked
    assert not A.plan_adaptation(labels, 0.3, None, None, replay=2.0, min_replay=60, seed=1).register  # chat only


def test_adapt_refuses_unknown_recipe_choices(tiny_wide_model, shop_file, tmp_path):
    with pytest.raises(ValueError, match="rehearsal 'teacher'"):  # unlabelled texts have no label to replay
        A.main(["--from", str(tiny_wide_model), "--extra", str(shop_file), "--out", str(tmp_path / "a"),
                "--rehearsal", "labels", "--replay-source", "chat+register"])
    with pytest.raises(ValueError, match="temperature 'warm'"):
        A.adapt(tiny_wide_model, shop_file, tmp_path / "b", log=lambda _: None, temperature="warm")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_adapt_refuses_to_overwrite_its_source_or_the_shipped_model(tiny_wide_model, shop_file):
    with pytest.raises(ValueError, match="new directory"):
        A.adapt(tiny_wide_model, shop_file, tiny_wide_model, log=lambda _: None)
    with pytest.raises(ValueError, match="shipped model"):
        A.adapt(tiny_wide_model, shop_file, A.SHIPPED_DIR, log=lambda _: None)
