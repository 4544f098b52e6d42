"""zh-cs-declines@3 (default@14, frm13): the fourth decline writer's rows are in the shipped model, the rubric pins it, and
it reads a referral as a decline with nothing in its place and a grant offered as options as declining nothing.

The sentences are written for these tests, not taken from any training file or held-out set."""
from __future__ import annotations

import json

from models.declines import SHIPPED_DECLINE_MODEL_DIR, load_decline_model
from pipeline.rubric.engine import load_rubric


def test_the_shipped_model_is_trained_on_the_fourth_writer_and_pinned():
    meta = json.loads((SHIPPED_DECLINE_MODEL_DIR / "zhijian.json").read_text(encoding="utf-8"))
    assert meta["name"] == "zh-cs-declines" and meta["version"] >= 3  # default@15: @4 keeps wfrm13's rows
    assert "data/declines/agent_declines_wfrm13.tsv" in meta["trained_on"]
    assert "declines:wfrm13" in meta["rows_per_source"]
    crit = next(c for c in load_rubric().criteria if c.id == "positive_framing")
    assert crit.params.declines.model_version == f"zh-cs-declines@{meta['version']}"


def test_a_referral_declines_and_a_grant_offered_as_options_declines_nothing():
    m = load_decline_model()
    p = m.predict_proba([("快递丢了能赔吗", "这个您找快递公司申请理赔吧"),
                         ("这双鞋能退吗", "可以退，也可以换一双新的，两种您选一个")])
    assert p[0, 1] > 0.5  # declines, nothing in its place
    assert p[1, 0] > 0.5  # a grant, its options are no alternative to a refusal
