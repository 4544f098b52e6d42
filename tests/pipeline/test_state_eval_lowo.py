"""pipeline.state_eval --lowo: the rubric's empathy trigger with a state model that never saw the writer it reads."""
from __future__ import annotations

import numpy as np

import models.state_recipe as R
from pipeline.state_eval import format_lowo, lowo_trigger

HEADER = "prev_agent\ttext\tsentiment\tneeds_empathy\tnote\n"
ROWS = {
    "base": ["\t气死了 等了一周还没到\tnegative\tyes\tangry", "\t请问几号发货\tneutral\tno\tq", "\t收到了 很好 谢谢\tpositive\tno\tthanks",
             "这个确实没办法退的哦\t好吧\tnegative\tyes\tresigned", "请问还有什么可以帮您的吗\t没有了\tneutral\tno\tclose"],
    "w1": ["\t太慢了 烦死了\tnegative\tyes\tx", "\t能开发票吗\tneutral\tno\tq", "\t谢谢 很满意\tpositive\tno\tx"],
    "w2": ["\t无语 又延迟了\tnegative\tyes\tx", "\t在哪里查物流\tneutral\tno\tq", "\t好评 下次还来\tpositive\tno\tx"],
}


class Reading:
    """A sentiment model stand-in: negative for the turns that need empathy in these rows, neutral otherwise."""

    classes_ = ["negative", "neutral", "positive"]
    model_id = "reading@1"

    def predict_proba(self, texts):
        upset = ("气死", "烦死", "无语", "好吧")
        return np.array([[0.9, 0.08, 0.02] if any(u in t for u in upset) else [0.05, 0.9, 0.05] for t in texts])


def test_each_writer_is_read_by_a_model_fitted_without_it(tmp_path, monkeypatch):
    paths = {}
    for name, lines in ROWS.items():
        paths[name] = tmp_path / f"{name}.tsv"
        paths[name].write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(R, "OLD_FILES", (paths["base"],))
    monkeypatch.setattr(R, "WRITER_FILES", (paths["w1"], paths["w2"]))
    recipes = {k: dict(v) for k, v in R.RECIPES.items()}  # the writers' parts name the two writers
    for part in ("writers", "writers8", "writers10"):
        recipes[part]["files"] = (paths["base"], paths["w1"], paths["w2"])
    monkeypatch.setattr(R, "RECIPES", recipes)
    trained = []
    real_fit = R.fit
    monkeypatch.setattr(R, "fit", lambda rows, proba, recipe: trained.append({r["text"] for r in rows}) or real_fit(rows, proba, recipe))
    results = lowo_trigger((0.9, 0.5), sentiment_model=Reading())
    arms = [a for a, _, _ in R.LOWO_ARMS]
    assert [(r["writer"], r["arm"], r["min_state_score"]) for r in results] == [
        (w, a, c) for w in ("w1.tsv", "w2.tsv") for a in arms for c in (0.9, 0.5)]
    texts = {w: {line.split("\t")[1] for line in ROWS[w]} for w in ("w1", "w2")}
    # w1's fold first, then w2's: a fit reads the other writer (a part) or neither (@3's heads), never its own
    reads = ["w2" if t & texts["w2"] else "w1" if t & texts["w1"] else "" for t in trained]
    assert not any(t & texts["w1"] and t & texts["w2"] for t in trained)
    assert "".join(r[-1] for r in reads if r) == "21" and reads.index("w1") > max(i for i, r in enumerate(reads) if r == "w2")
    for r in results:
        assert r["tp"] + r["fn"] == 1 and r["n_calm"] == 2 and r["calm_triggered"] == round(r["fp"] / 2, 3)
    text = format_lowo(results)  # each writer, then pooled: one line per arm and cut-off
    assert text.count("\n") == 3 * len(arms) * 2 + 1 and "of 4" in text and "w2.tsv" in text


def test_lowo_reads_an_arm_with_parts_at_each_mix_asked_for(tmp_path, monkeypatch):
    paths = {}
    for name, lines in ROWS.items():
        paths[name] = tmp_path / f"{name}.tsv"
        paths[name].write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(R, "OLD_FILES", (paths["base"],))
    monkeypatch.setattr(R, "WRITER_FILES", (paths["w1"], paths["w2"]))
    results = lowo_trigger((0.5,), sentiment_model=Reading(), empathy_weights=(0.0,), short_weights=(1.0,))
    with_parts = [a for a, recipe, _ in R.LOWO_ARMS if R.RECIPES[recipe].get("empathy_part")]
    assert with_parts
    assert [r["arm"] for r in results if r["writer"] == "w1.tsv"] == [
        x for a, _, _ in R.LOWO_ARMS for x in [a] + ([f"{a}, empathy 0", f"{a}, polarity short 1"] if a in with_parts else [])]
    for a in with_parts:  # empathy weight 0 is the own head alone: the same reading as @3's arm, whatever the part says
        for w in ("w1.tsv", "w2.tsv"):
            own = next(r for r in results if r["writer"] == w and r["arm"] == R.LOWO_ARMS[0][0])
            mix = next(r for r in results if r["writer"] == w and r["arm"] == f"{a}, empathy 0")
            assert (mix["tp"], mix["fp"]) == (own["tp"], own["fp"])
