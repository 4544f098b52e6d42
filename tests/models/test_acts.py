"""models/acts.py: the act classifier (zh-cs-acts) — train, save/load, figures."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from models.acts import (
    ACT_LABELS,
    GOLDEN_NONE_DIRS,
    ROOT,
    SHIPPED_ACT_MODEL_DIR,
    ActClassifier,
    act_report,
    golden_none_rows,
    TRAIN_TSVS,
    load_act_model,
    read_act_tsv,
    read_act_tsvs,
)

TOY = [
    ("这个我们也没办法的亲", "refusal"), ("真的帮不了您了", "refusal"), ("我们这边处理不了哦", "refusal"),
    ("那是快递的问题 找快递去", "blame_shifting"), ("快递又不归我们管", "blame_shifting"), ("是厂家的问题哦", "blame_shifting"),
    ("我都说过好几遍了", "arguing"), ("您说的不对", "arguing"), ("不可能 您看错了", "arguing"),
    ("自己看详情页", "condescension"), ("这都不懂吗", "condescension"), ("常识都知道", "condescension"),
    ("您好 请问有什么可以帮您", "none"), ("好的 马上给您补发", "none"), ("非常抱歉让您久等了", "none"),
    ("订单号发一下哦", "none"), ("已经帮您登记了", "none"), ("祝您生活愉快", "none"),
]


def test_fit_predict_save_load_round_trip(tmp_path):
    texts, labels = zip(*TOY)
    m = ActClassifier(min_df=1).fit(list(texts) * 2, list(labels) * 2)
    p = m.predict_proba(list(texts))
    assert p.shape == (len(TOY), len(ACT_LABELS)) and np.allclose(p.sum(1), 1, atol=1e-5)
    assert sum(a == b for a, b in zip(m.predict(list(texts)), labels)) >= len(TOY) - 2
    m.save(tmp_path)
    again = ActClassifier.load(tmp_path)
    assert again.model_id == "zh-cs-acts@2"
    assert np.allclose(again.predict_proba(list(texts)), p, atol=2e-2)  # float16 weights
    assert m.predict_proba([]).shape == (0, len(ACT_LABELS))


def test_shipped_model_loads_with_recorded_data():
    m = load_act_model()
    assert m.model_id == "zh-cs-acts@7"  # models/acts_recipe.py
    meta = json.loads((SHIPPED_ACT_MODEL_DIR / "zhijian.json").read_text(encoding="utf-8"))
    assert list(meta["trained_on"]) == ["data/acts/agent_acts_train.tsv", "data/acts/agent_acts_short.tsv", "data/acts/agent_acts_real.tsv",
                                      "data/acts/agent_acts_clarify.tsv", "data/acts/agent_acts_mechanisms.tsv",
                                      "data/acts/agent_acts_wacts1.tsv", "data/acts/agent_acts_wacts2.tsv",
                                      "data/acts/agent_acts_wacts3.tsv", "data/acts/agent_acts_wacts4.tsv",
                                      "data/acts/agent_acts_lookalikes.tsv"]
    assert all(len(sha) == 64 for sha in meta["trained_on"].values())
    assert all("rubric_blind4" not in d and "rubric_blind5" not in d for d in meta["golden_none"])  # held out
    assert m.predict(["物流那边我们左右不了的"]) == ["blame_shifting"]


def test_short_templated_lines_are_trained_as_ordinary_messages():
    # zh-cs-acts@2's reason to exist: v1 had 56 written lines under 9 letters, most of them taboos
    texts, acts = read_act_tsvs(TRAIN_TSVS)
    letters = re.compile(r"[\w\u4e00-\u9fff]")
    short = [a for t, a in zip(texts, acts) if len(letters.findall(t)) < 9]  # the rubric's short_chars up to default@9
    assert len(short) > 500 and short.count("none") > len(short) / 2


def test_read_act_tsvs_keeps_the_first_label_of_a_repeated_text(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_text("text\tact\tnote\n不知道\trefusal\t\n", encoding="utf-8")
    b.write_text("text\tact\tnote\n不知道\tnone\t\n稍等\tnone\t\n", encoding="utf-8")
    assert read_act_tsvs([a, b]) == (["不知道", "稍等"], ["refusal", "none"])


def test_golden_none_rows_never_read_the_held_out_set():
    rows = golden_none_rows()
    assert len(rows) > 200 and len(set(rows)) == len(rows)
    # every other golden set is measure-only (rubric_holdout, rubric_blind … rubric_blind7): none is read
    measured = [d for d in (ROOT / "tests" / "golden").iterdir() if d.is_dir() and d.name.startswith("rubric_")]
    assert len(measured) >= 8 and not set(measured) & set(GOLDEN_NONE_DIRS)
    assert rows == golden_none_rows([ROOT / "tests" / "golden" / "rubric"])


def test_read_act_tsv_rejects_unknown_acts(tmp_path):
    f = tmp_path / "a.tsv"
    f.write_text("text\tact\tnote\n你好\tnone\t\n滚\trude\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="rude"):
        read_act_tsv(f)


def test_act_report_counts():
    rep = act_report(["refusal", "none", "arguing", "none"], ["refusal", "arguing", "none", "none"])
    assert rep["taboo"]["tp"] == 1 and rep["taboo"]["fp"] == 1 and rep["taboo"]["fn"] == 1
    assert rep["acts"]["refusal"]["precision"] == 1.0


def test_shipped_model_reads_short_templates_as_ordinary_and_blunt_lines_as_taboos():
    # lines written for this test, in no training file: a short template must stay below the rubric's
    # short-message threshold (0.9) by a wide margin, a blunt brush-off must reach it
    m = load_act_model()
    templates = ["亲 稍等哈 我查下", "好的亲 已经给您登记啦", "[商品链接] 亲 看下这款", "亲 退货地址发您了 [地址]", "嗯嗯 收到了亲"]
    blunt = ["找快递去吧", "自己去看详情页", "你们自己去问快递"]
    taboo = 1 - m.predict_proba(templates + blunt)[:, ACT_LABELS.index("none")]
    assert all(p < 0.5 for p in taboo[: len(templates)]), taboo
    assert all(p >= 0.9 for p in taboo[len(templates):]), taboo


def test_kept_rows_equal_a_fresh_computation_and_follow_a_refit():
    texts, labels = zip(*TOY)
    m = ActClassifier(min_df=1).fit(list(texts), list(labels))
    batch = ["订单号发一下哦", "自己看详情页", "订单号发一下哦", "从没见过的一句话"]
    first = m.predict_proba(batch)
    again = m.predict_proba(list(reversed(batch)))  # every row now comes from what was kept
    assert np.array_equal(again[::-1], first)
    assert np.array_equal(first[0], first[2])
    assert np.array_equal(first, m._compute_proba(batch))  # the uncached computation, bit for bit
    again[:] = 0.0  # a caller writing into its result does not reach what the model keeps
    assert np.array_equal(m.predict_proba(batch), first)
    m.fit(list(texts), ["none"] * (len(texts) - 1) + ["refusal"])  # new weights: old rows are gone
    assert np.array_equal(m.predict_proba(batch), m._compute_proba(batch))
    assert not np.array_equal(m.predict_proba(batch), first)


def test_one_memo_per_model_kept_across_calls():
    texts, labels = zip(*TOY)
    m = ActClassifier(min_df=1).fit(list(texts), list(labels))
    m.predict_proba(["订单号发一下哦"])
    memo = m._proba_cache
    p = m.predict_proba(["订单号发一下哦", "订单号发一下哦"])  # every row kept: answered from the same memo
    assert m._proba_cache is memo and len(memo) == 1
    assert p.dtype == np.float32 and p.shape == (2, len(ACT_LABELS))
    assert np.array_equal(p, np.stack([m._compute_proba(["订单号发一下哦"])[0]] * 2))


def test_kept_rows_start_again_when_full(monkeypatch):
    import models.acts as acts

    texts, labels = zip(*TOY)
    m = ActClassifier(min_df=1).fit(list(texts), list(labels))
    monkeypatch.setattr(acts, "_PROBA_CACHE_MAX", 3)
    m.predict_proba(list(texts[:3]))
    p = m.predict_proba(list(texts[:5]))  # over the bound: starts again, every row still answered
    assert np.array_equal(p, m._compute_proba(list(texts[:5])))
    assert len(m._proba_cache) == 5


def test_length_token_names_the_band_and_survives_save_load(tmp_path):
    from models.acts import act_input, letters

    m = ActClassifier(min_df=1, length_token=True)
    assert letters(act_input("亲 稍等～")) == 3 and letters(act_input("ok 2个")) == 4  # the criterion's letters
    assert "\x00len6" in m._grams(act_input("不换")) and "\x00len+" in m._grams(act_input("您好 订单已经发出了 预计明天下午五点前送到您家"))
    assert not any(g.startswith("\x00") for g in ActClassifier()._grams(act_input("不换")))  # off by default (@7)
    texts, labels = zip(*TOY)
    m.fit(list(texts) * 2, list(labels) * 2)
    m.save(tmp_path)
    again = ActClassifier.load(tmp_path)
    assert again.length_token and np.allclose(again.predict_proba(list(texts)), m.predict_proba(list(texts)), atol=2e-2)


def test_short_none_weight_pulls_short_lines_toward_none():
    # the same rows, short `none` lines weighing 4x: a short line reads less taboo, a long one is hardly moved
    rows = TOY + [("好的亲", "none"), ("收到", "none"), ("稍等哈", "none")]
    texts, labels = zip(*rows)
    plain = ActClassifier(min_df=1).fit(list(texts), list(labels))
    heavy = ActClassifier(min_df=1, short_none_weight=4.0).fit(list(texts), list(labels))
    none = ACT_LABELS.index("none")
    short = ["不行哦亲", "处理不了"]
    assert all(heavy.predict_proba(short)[:, none] > plain.predict_proba(short)[:, none])
    assert ActClassifier(short_none_weight=1.5).short_none_weight == 1.5
