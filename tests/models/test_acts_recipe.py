"""The zh-cs-acts@7 recipe: the @2 files, the real-register refusals (@3), the clarifying questions and
customer-only directions (@4), the act mechanisms file (@5), the two session-8 writers' files (@6), two more writers
and the session-9 look-alikes (@7), the @8 candidate with a fifth writer, what those files teach, and
leave-one-writer-out folds."""
from __future__ import annotations

from models.acts import TRAIN_TSVS, load_act_model, read_act_tsv
from models.acts_recipe import (ACT14_TSV, CANDIDATE, CLARIFY_TSV, FILES, FILES_5, FILES_6, FILES_8, FILES_9, LOOKALIKES_TSV, MECHANISMS_TSV,
                                REAL_TSV, RECIPES, VERSION, WACTS1_TSV, WACTS2_TSV, WACTS3_TSV, WACTS4_TSV, WACTS5_TSV, WLOOK6_TSV,
                                WLOOK7_TSV, WRITERS)


def _taboo(m, texts):
    proba = m.predict_proba(texts)
    none = list(m.classes_).index("none")
    return [1 - row[none] for row in proba]


def test_recipe_is_the_default_files_plus_the_written_register_files():
    assert FILES_5 == (*TRAIN_TSVS, REAL_TSV, CLARIFY_TSV, MECHANISMS_TSV) and VERSION == 7
    assert FILES_6 == (*FILES_5, WACTS1_TSV, WACTS2_TSV)
    assert FILES == (*FILES_6, WACTS3_TSV, WACTS4_TSV, LOOKALIKES_TSV)
    assert RECIPES[5][0] == FILES_5 and RECIPES[6][0] == FILES_6 and RECIPES[VERSION][0] == FILES
    # the @8 candidate: a fifth writer, the cute-register look-alikes of a sixth (wlook6) and the short lines of wlook7
    assert CANDIDATE == 8 and RECIPES[CANDIDATE][0] == FILES_8 == (*FILES, WACTS5_TSV, WLOOK6_TSV, WLOOK7_TSV)


def test_every_training_file_has_one_writer():
    # the candidates' files: the shipped recipe's, the session-10/11 writers' and act14's, held out against the shipped recipe
    assert sorted(map(str, WRITERS.values())) == sorted(map(str, FILES_9))


def test_recipe_9_is_the_8_candidate_plus_act14s_lines():
    # act14: measured, not shipped (it loses rubric_w9a 141 like the @8 candidate); rebuild with --version 9 --out DIR
    assert RECIPES[9] == (FILES_9, {}) and FILES_9 == (*FILES_8, ACT14_TSV)
    texts, acts = read_act_tsv(ACT14_TSV)
    assert len(texts) >= 100 and acts.count("none") >= len(texts) // 2  # as many look-alikes as taboos
    assert all(acts.count(a) >= 5 for a in ("refusal", "blame_shifting", "arguing", "condescension"))


def test_new_writers_files_are_balanced_and_carry_dialect_confirmations():
    for path in (WACTS1_TSV, WACTS2_TSV, WACTS4_TSV, WACTS5_TSV):
        texts, acts = read_act_tsv(path)
        assert len(texts) >= 240 and all(acts.count(a) >= 30 for a in ("refusal", "blame_shifting", "arguing", "condescension"))
        # each writer paired dialect confirmation questions (not arguing) with the taboos
        assert sum(any(q in t for q in ("是不是嘛", "对不对噻", "中不中", "系唔系", "對嗎")) for t, a in zip(texts, acts) if a == "none") >= 3


def test_lowo_holds_each_writers_file_out_of_its_own_fold(monkeypatch):
    import models.acts_recipe as recipe

    seen = {}

    def fake_training_data(files, golden):
        seen["files"] = [str(f) for f in files]
        return ["亲 稍等", "不知道"], ["none", "refusal"]

    class Fitted:
        def __init__(self, **params):
            self.params = params

        def fit(self, texts, acts):
            return self

    monkeypatch.setattr(recipe, "training_data", fake_training_data)
    monkeypatch.setattr(recipe, "ActClassifier", Fitted)
    folds = {}
    for name, texts, acts, model in recipe.lowo_folds(VERSION, {"wacts2": WACTS2_TSV, "clarify": CLARIFY_TSV}):
        folds[name] = list(seen["files"])
        assert texts and len(texts) == len(acts) and isinstance(model, Fitted)
    assert str(WACTS2_TSV) not in folds["wacts2"] and str(CLARIFY_TSV) in folds["wacts2"]
    assert str(CLARIFY_TSV) not in folds["clarify"] and len(folds["clarify"]) == len(FILES) - 1
    # @6's recipe never trained on wacts4: its fold for that writer is the whole @6 recipe
    next(recipe.lowo_folds(6, {"wacts4": WACTS4_TSV}))
    assert seen["files"] == [str(f) for f in FILES_6]


def test_real_register_file_pairs_polite_refusals_with_real_directions():
    texts, acts = read_act_tsv(REAL_TSV)
    assert acts.count("refusal") >= 20 and acts.count("none") >= 20
    assert set(acts) == {"refusal", "none"}


def test_clarify_file_pairs_questions_and_directions_with_their_taboo_look_alikes():
    texts, acts = read_act_tsv(CLARIFY_TSV)
    assert acts.count("none") >= 25 and acts.count("arguing") >= 4 and acts.count("condescension") >= 4


def test_shipped_model_reads_polite_helplessness_as_refusal():
    m = load_act_model()
    assert m.model_id == f"zh-cs-acts@{VERSION}"
    assert m.predict(["我们这边也是很无奈的 真的帮不了您呢"]) == ["refusal"]
    assert m.predict(["您在订单详情页就能看到预计送达时间哦"]) == ["none"]


def test_shipped_model_keeps_clarifying_questions_and_private_directions_under_the_red_line():
    # lines not in the training file; 0.8 is the rubric's taboo threshold (forbidden_phrases.acts.threshold)
    m = load_act_model()
    calm = _taboo(m, ["您是打算退掉这件对吗", "订单的支付密码要您本人在APP里设置哦 我们看不到"])
    rude = _taboo(m, ["你到底买不买 别耽误我", "自己看去 别老问"])
    assert max(calm) < 0.8 < min(rude)


def test_mechanisms_file_pairs_every_taboo_act_with_its_look_alikes():
    texts, acts = read_act_tsv(MECHANISMS_TSV)
    assert all(acts.count(a) >= 12 for a in ("refusal", "blame_shifting", "arguing", "condescension"))
    assert acts.count("none") >= 40  # negated taboos, rules cited to grant, apologies, kind repetition


def test_shipped_model_reads_third_party_blame_and_repetition_complaints_over_the_red_line():
    # lines not in any training file; 0.8 is the rubric's taboo threshold
    m = load_act_model()
    rude = _taboo(m, ["件放到快递柜以后就是快递柜的事了 店里不管", "一样的话我都跟您讲了六七遍了 您自己往上看"])
    calm = _taboo(m, ["件在快递柜里 取件码发您手机了 超时费我们出", "没关系 我再给您讲一遍 先拧开底座"])
    assert max(calm) < 0.8 < min(rude)


def test_shipped_model_trains_on_no_measure_only_golden_set():
    # rubric_holdout and rubric_blind* are measure-only: only the project's own labelled set lends `none` lines
    import json

    from models.acts import SHIPPED_ACT_MODEL_DIR

    meta = json.loads((SHIPPED_ACT_MODEL_DIR / "zhijian.json").read_text(encoding="utf-8"))
    assert meta["golden_none"] == ["tests/golden/rubric"]


def test_lookalikes_file_pairs_plain_facts_with_their_taboo_twins():
    texts, acts = read_act_tsv(LOOKALIKES_TSV)
    assert acts.count("none") >= 30 and all(acts.count(a) >= 2 for a in ("refusal", "blame_shifting", "arguing", "condescension"))
    # the taboo twins of a plain fact: a third party or the customer's slip named to deflect
    assert sum(a == "blame_shifting" for a in acts) >= 5


def test_wlook6_is_mostly_cute_register_lookalikes_with_taboo_twins():
    texts, acts = read_act_tsv(WLOOK6_TSV)
    # the candidate's wrong red lines were plain answers in 亲亲 / 宝子 / ~ dress: most lines are such `none` look-alikes
    assert len(texts) >= 200 and acts.count("none") >= 0.6 * len(texts)
    assert all(acts.count(a) >= 10 for a in ("refusal", "blame_shifting", "arguing", "condescension"))
    assert sum(any(w in t for w in ("亲", "宝", "~", "～")) for t, a in zip(texts, acts) if a == "none") >= 50


def test_wlook7_is_mostly_short_plain_lines_with_short_taboo_twins():
    from models.acts import act_input, letters

    texts, acts = read_act_tsv(WLOOK7_TSV)
    # the candidate's held-out wrong red lines were short plain lines: most of this file is short `none` lines
    assert len(texts) >= 240 and acts.count("none") >= 0.7 * len(texts)
    assert all(acts.count(a) >= 12 for a in ("refusal", "blame_shifting", "arguing", "condescension"))
    assert sum(letters(act_input(t)) < 12 for t, a in zip(texts, acts) if a == "none") >= 0.5 * acts.count("none")
