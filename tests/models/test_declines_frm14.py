"""zh-cs-declines@4 (default@15, frm14): the fifth decline writer's rows (data/declines/agent_declines_wfrm14.tsv) are in
the shipped model and the rubric pins it; it reads a policy said as fact to a request as a decline, the same kind of fact
answering a question as declining nothing, and a notice to a customer who asked for nothing as declining nothing.

The sentences are written for these tests, not taken from any training file or held-out set."""
from __future__ import annotations

import json

from models.declines import SHIPPED_DECLINE_MODEL_DIR, load_decline_model
from pipeline.rubric.engine import load_rubric


def test_the_shipped_model_is_trained_on_the_fifth_writer_and_pinned():
    meta = json.loads((SHIPPED_DECLINE_MODEL_DIR / "zhijian.json").read_text(encoding="utf-8"))
    assert (meta["name"], meta["version"]) == ("zh-cs-declines", 4)
    assert "data/declines/agent_declines_wfrm14.tsv" in meta["trained_on"]
    assert "declines:wfrm14" in meta["rows_per_source"]
    crit = next(c for c in load_rubric().criteria if c.id == "positive_framing")
    assert crit.params.declines.model_version == "zh-cs-declines@4"


def test_a_fact_answering_a_request_declines_and_answering_a_question_does_not():
    m = load_decline_model()
    p = m.predict_proba([("退款可以打到我银行卡吗", "亲，退款统一按下单时的付款方式退回哈"),
                         ("能帮我加急发吗 周末要用", "亲，仓库是按下单先后顺序出库的呢"),
                         ("这个耳机保修多长时间", "亲，耳机自签收起保修一年哦"),
                         ("好的 谢谢", "亲，顺便提醒您，这款灰色已经卖完了")])
    assert p[0, 1] + p[0, 2] > 0.6 and p[1, 1] + p[1, 2] > 0.6  # a no said as the shop's practice
    assert p[2, 0] > 0.5 and p[3, 0] > 0.5  # a question answered, a notice nobody asked for
