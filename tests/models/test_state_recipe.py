"""The zh-cs-state@7 training recipe (@3's heads + the writers' empathy head and the eight writers' polarity head, also on short replies at 0.1; the @4 candidate): how its labels are read, and that the shipped model is that recipe."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from models.state import SHIPPED_STATE_DIR, load_state_model
from models.state_recipe import FILES, VERSION, fit, polarity_label, read_rows


def _row(sentiment, needs, note):
    return {"prev_agent": "", "text": "x", "sentiment": sentiment, "needs_empathy": needs, "note": note}


@pytest.mark.parametrize(
    "row, label",
    [
        (_row("negative", "no", "calm defect report"), "neutral"),  # the rubric's rule: a calm report is neutral
        (_row("negative", "no", "Cantonese calm damage"), "neutral"),
        (_row("negative", "no", "contrast to negative calm"), "negative"),  # the clause after 但是 carries a complaint
        (_row("negative", "no", "mild reproach, calm"), "negative"),
        (_row("negative", "no", "calm disappointment report"), "negative"),
        (_row("negative", "no", "mild"), "negative"),  # a lukewarm verdict (一般) stays negative
        (_row("negative", "yes", "calm-toned worry"), "negative"),  # a feeling is never relabelled
        (_row("neutral", "no", "calm question"), "neutral"),
        (_row("positive", "no", "calm thanks"), "positive"),
    ],
)
def test_polarity_label(row, label):
    assert polarity_label(row) == label


def test_every_training_file_is_read_and_labelled():
    rows = read_rows(FILES)
    assert len(rows) > 1900
    assert {polarity_label(r) for r in rows} == {"negative", "neutral", "positive"}


def test_fit_names_the_recipe_version():
    rows = [_row("negative", "yes", "angry"), _row("neutral", "no", "q"), _row("positive", "no", "thanks")] * 3
    for r, t in zip(rows, ["气死了 还没到", "请问几号发", "收到了 很好", "太慢了 烦", "能开发票吗", "谢谢 很满意", "无语 又延迟", "在哪里查", "好评"]):
        r["text"] = t
    proba = np.full((len(rows), 3), 1 / 3, dtype=np.float32)
    assert fit(rows, proba).model_id == f"zh-cs-state@{VERSION}"
    candidate = fit(rows, proba, "@4")  # the candidate names its own version and reads the agent's act
    assert candidate.model_id == "zh-cs-state@4" and candidate.feature_set == 2


def test_shipped_model_is_this_recipe():
    from models.state_recipe import RECIPES, SHIPPED

    meta = json.loads((SHIPPED_STATE_DIR / "zhijian.json").read_text(encoding="utf-8"))
    assert meta["version"] == VERSION and meta["trained_on"] == [f.name for f in FILES]
    model = load_state_model()
    assert model.model_id == f"zh-cs-state@{VERSION}"
    part = RECIPES[SHIPPED]["empathy_part"]  # @5's: the five writers' empathy head read beside @3's
    assert model.empathy_part.meta_["trained_on"] == [f.name for f in RECIPES[part]["files"]]
    assert model.empathy_part_weight == RECIPES[SHIPPED]["empathy_part_weight"] and model.empathy_part.l2 == RECIPES[part]["l2"]
    part = RECIPES[SHIPPED]["polarity_part"]  # @6: the eight writers' polarity head, on long turns only
    assert model.polarity_part.meta_["trained_on"] == [f.name for f in RECIPES[part]["files"]]
    assert (model.polarity_part_weight, model.polarity_part_short_weight) == (
        RECIPES[SHIPPED]["polarity_part_weight"], RECIPES[SHIPPED]["polarity_part_short_weight"])
    # @7: the short weight on replies only (a short opener keeps @3's reading)
    assert model.polarity_part_short_replies == RECIPES[SHIPPED].get("polarity_part_short_replies", False)


def test_lowo_never_trains_on_the_held_out_writer(tmp_path, monkeypatch):
    import models.state_recipe as R

    header = "prev_agent\ttext\tsentiment\tneeds_empathy\tnote\n"
    lines = {"base": ["\t气死了 还没到\tnegative\tyes\tangry", "\t请问几号发\tneutral\tno\tq", "\t收到了 很好\tpositive\tno\tthanks"],
             "w1": ["\t太慢了 烦死\tnegative\tyes\tx", "\t能开发票吗\tneutral\tno\tq", "\t谢谢 很满意\tpositive\tno\tx"],
             "w2": ["\t无语 又延迟\tnegative\tyes\tx", "\t在哪里查\tneutral\tno\tq", "\t好评 下次还来\tpositive\tno\tx"]}
    paths = {}
    for name, ls in lines.items():
        paths[name] = tmp_path / f"{name}.tsv"
        paths[name].write_text(header + "\n".join(ls) + "\n", encoding="utf-8")
    # the five-writer part names w1 only (as @6's names writers 1–5, not 6–10); the eight and ten writers' parts both
    recipes = {k: dict(v) for k, v in R.RECIPES.items()}
    recipes["writers"]["files"] = (paths["base"], paths["w1"])
    recipes["writers8"]["files"] = recipes["writers10"]["files"] = (paths["base"], paths["w1"], paths["w2"])
    monkeypatch.setattr(R, "RECIPES", recipes)
    seen = []
    real_fit = R.fit

    def spy(rows, proba, recipe="@4"):
        seen.append(({r["text"] for r in rows}, recipe))
        return real_fit(rows, proba, recipe)

    monkeypatch.setattr(R, "fit", spy)

    class Uniform:
        def predict_proba(self, texts):
            return np.full((len(texts), 3), 1 / 3)

    results = R.lowo([paths["w1"], paths["w2"]], [paths["base"]], sentiment_model=Uniform(), polarity_weights=((0.0, 0.0), (1.0, 0.0)),
                     empathy_weights=(0.0, 1.0))
    with_part = [a for a, recipe, _ in R.LOWO_ARMS if R.RECIPES[recipe].get("polarity_part")]
    assert with_part  # the arms whose mixes are swept
    assert [(r["writer"], r["arm"]) for r in results] == [
        (w, x) for w in ("w1.tsv", "w2.tsv") for a, _, _ in R.LOWO_ARMS
        for x in [a] + ([f"{a}, empathy 0", f"{a}, empathy 1", f"{a}, polarity 0/0", f"{a}, polarity 1/0"] if a in with_part else [])]
    base = {l.split("\t")[1] for l in lines["base"]}
    texts = {w: {l.split("\t")[1] for l in lines[w]} for w in ("w1", "w2")}
    # per fold, each distinct (settings, rows) is fitted once: @3's heads (shared by every arm); the five-writer part,
    # which names w1 only (w1's fold: the base rows; w2's: base + w1); the eight-writer part (base + the other writer),
    # and the ten writers' one the candidate reads for both heads — in w2's fold the same rows as the five-writer part
    assert [recipe for _, recipe in seen] == ["@3", "writers", "writers8", "@3", "writers"]
    for rows, _ in seen[:3]:
        assert not rows & texts["w1"] and base <= rows
    assert seen[1][0] == base and seen[2][0] == base | texts["w2"]
    for rows, _ in seen[3:]:
        assert not rows & texts["w2"] and base <= rows
    assert seen[4][0] == base | texts["w1"]
    for r in results:  # a sweep moves one mix only: the other head's figures are the arm's own
        arm = next(x for x in results if x["writer"] == r["writer"] and x["arm"] == re.sub(r", (empathy|polarity) [\d./]+$", "", r["arm"]))
        if "polarity_weight" in r:
            assert r["empathy_auc"] == arm["empathy_auc"] and r[f"empathy@{R.SHIPPED_CUT}"] == arm[f"empathy@{R.SHIPPED_CUT}"]
        if "empathy_weight" in r:
            assert r["polarity_macro_f1"] == arm["polarity_macro_f1"]
    text = R.format_lowo(results)
    assert "mean" in text and f"head@{R.SHIPPED_CUT:g}" in text


def test_shipped_cut_is_the_rubrics_min_state_score():
    from models.state_recipe import SHIPPED_CUT
    from pipeline.rubric import load_rubric
    from pipeline.settings import REPO_ROOT

    rubric = load_rubric(REPO_ROOT / "rubrics" / "default.yaml")
    assert next(c for c in rubric.criteria if c.id == "empathy").params.trigger.min_state_score == SHIPPED_CUT


def test_state5_rows_count_in_every_fold_and_are_never_held_out():
    import models.state_recipe as R

    arms = R.LOWO_ARMS
    extra = R.extra_files(arms)
    assert extra == [R.STATE5_FILE]  # neither the base rows nor a writer's: no fold holds it out
    n = len(R.read_rows([R.STATE5_FILE]))
    assert len(R.extra_index("@4", extra, 100)) == n * R.STATE5_REPEAT  # the @4 recipe reads it three times
    assert R.extra_index("@3", extra, 100) == []  # @3 never trained on it
    assert R.RECIPES["@4"]["files"].count(R.STATE5_FILE) == R.STATE5_REPEAT


@pytest.mark.parametrize(
    "text, bare",
    [("好吧", True), ("好的。", True), ("嗯 知道了", True), ("OK", True), ("好吧，那算了", True), ("不用了", True),
     ("算了", False),  # bare 算了 is left as written (the dev writer reads it as resignation)
     ("哎 那好吧", False), ("行吧…", False), ("好的谢谢", False), ("好吧 那我自己修", False), ("？？", False)],
)
def test_bare_reply(text, bare):
    from models.state_recipe import is_bare_reply

    assert is_bare_reply(text) is bare


def test_settle_reads_a_bare_reply_by_the_guideline():
    """Session 14: the writers' resignation reading of a bare acknowledgement after a refusal (negative / yes) becomes
    the guideline's (neutral / no) under ``settle``; a sigh keeps it negative; without ``settle`` the written label."""
    from models.state_recipe import RECIPES, empathy_label

    row = {"prev_agent": "亲 这个确实退不了", "text": "好吧。", "sentiment": "negative", "needs_empathy": "yes", "note": "resignation"}
    assert (polarity_label(row), empathy_label(row)) == ("negative", True)
    assert (polarity_label(row, True), empathy_label(row, True)) == ("neutral", False)
    sigh = dict(row, text="唉 好吧")
    assert (polarity_label(sigh, True), empathy_label(sigh, True)) == ("negative", True)
    assert RECIPES["b"]["settle_bare"] and RECIPES[RECIPES["b"]["empathy_part"]]["settle_bare"]
    assert not RECIPES["@7"].get("settle_bare")


def test_state14_rows_are_well_formed():
    from models.state import read_context_tsv
    from models.state_recipe import STATE14_FILE

    rows = read_context_tsv(STATE14_FILE)
    assert len(rows) == 150 and len({(r["prev_agent"], r["text"]) for r in rows}) == len(rows)
    assert all(r["sentiment"] in ("negative", "neutral", "positive") and r["needs_empathy"] in ("yes", "no") for r in rows)
    assert all(r["sentiment"] == "negative" for r in rows if r["needs_empathy"] == "yes")
