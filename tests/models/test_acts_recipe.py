"""The zh-cs-acts@3 recipe: the @2 files plus the real-register refusals, and what that file teaches."""
from __future__ import annotations

from models.acts import TRAIN_TSVS, load_act_model, read_act_tsv
from models.acts_recipe import FILES, REAL_TSV, VERSION


def test_recipe_is_the_default_files_plus_the_real_register_file():
    assert FILES == (*TRAIN_TSVS, REAL_TSV) and VERSION == 3


def test_real_register_file_pairs_polite_refusals_with_real_directions():
    texts, acts = read_act_tsv(REAL_TSV)
    assert acts.count("refusal") >= 20 and acts.count("none") >= 20
    assert set(acts) == {"refusal", "none"}


def test_shipped_model_reads_polite_helplessness_as_refusal():
    m = load_act_model()
    assert m.model_id == f"zh-cs-acts@{VERSION}"
    assert m.predict(["我们这边也是很无奈的 真的帮不了您呢"]) == ["refusal"]
    assert m.predict(["您在订单详情页就能看到预计送达时间哦"]) == ["none"]
