"""models/declines.py: the decline classifier (zh-cs-declines) — rows, context, train, save/load, the shipped model.

The toy sentences are written for these tests, not taken from any training file or held-out set."""
from __future__ import annotations

import json

import numpy as np

from models.declines import (
    DECLINE_LABELS,
    DEV_SETS,
    SHIPPED_DECLINE_MODEL_DIR,
    DeclineClassifier,
    _hstack,
    act_rows,
    context_pairs,
    decline_report,
    load_decline_model,
    read_decline_tsv,
)

TOY = [
    (("能便宜点吗", "这个价格已经到底了哦"), "declines"),
    (("可以包邮吗", "偏远地区是不包邮的呢"), "declines"),
    (("还有黑色吗", "黑色已经没有了"), "declines"),
    (("能便宜点吗", "价格动不了 但可以送您一个杯垫"), "declines_with_alternative"),
    (("可以包邮吗", "包邮不行哦 给您一张五元运费券吧"), "declines_with_alternative"),
    (("还有黑色吗", "黑色没有了 灰色还有现货 您看看"), "declines_with_alternative"),
    (("能便宜点吗", "可以的 给您改好价了"), "not_declining"),
    (("可以包邮吗", "包邮的亲 放心拍"), "not_declining"),
    (("还有黑色吗", "有的 黑色现货当天发"), "not_declining"),
]


def test_fit_predict_save_load_round_trip(tmp_path):
    rows, labels = zip(*TOY)
    m = DeclineClassifier(min_df=1).fit(list(rows) * 2, list(labels) * 2)
    p = m.predict_proba(list(rows))
    assert p.shape == (len(TOY), len(DECLINE_LABELS)) and np.allclose(p.sum(1), 1, atol=1e-5)
    assert sum(a == b for a, b in zip(m.predict(list(rows)), labels)) >= len(TOY) - 1
    m.save(tmp_path)
    back = DeclineClassifier.load(tmp_path)
    assert back.model_id == m.model_id and back.ctx_weight == m.ctx_weight
    assert np.allclose(back.predict_proba(list(rows)), p, atol=2e-3)  # float16 weights on disk


def test_the_customer_turn_changes_the_reading():
    rows, labels = zip(*TOY)
    m = DeclineClassifier(min_df=1, ctx_weight=1.0).fit(list(rows) * 2, list(labels) * 2)
    blind = DeclineClassifier(min_df=1, ctx_weight=0.0).fit(list(rows) * 2, list(labels) * 2)
    same = ("还有黑色吗", "黑色已经没有了")
    other = ("在吗", "黑色已经没有了")
    assert not np.allclose(m.predict_proba([same]), m.predict_proba([other]))
    assert np.allclose(blind.predict_proba([same]), blind.predict_proba([other]))


def test_rows_are_kept_per_pair_and_batches_match_single_reads():
    rows, labels = zip(*TOY)
    m = DeclineClassifier(min_df=1).fit(list(rows), list(labels))
    batch = m.predict_proba(list(rows) + [rows[0]])
    assert np.allclose(batch[0], batch[-1])
    for r, p in zip(rows, batch):
        assert np.allclose(m._compute_proba([r])[0], p, atol=1e-6)


def test_hstack_puts_each_rows_context_after_its_message():
    a = (np.array([0, 2, 2, 3]), np.array([0, 1, 2]), np.array([1.0, 2.0, 3.0], np.float32))
    b = (np.array([0, 1, 3, 3]), np.array([5, 6, 7]), np.array([4.0, 5.0, 6.0], np.float32))
    crow, ids, vals = _hstack(a, b, 0.5)
    assert crow.tolist() == [0, 3, 5, 6]
    assert ids.tolist() == [0, 1, 5, 6, 7, 2]
    assert vals.tolist() == [1.0, 2.0, 2.0, 2.5, 3.0, 3.0]


def test_context_is_the_customers_last_burst_for_every_message_of_a_reply():
    msgs = [("agent", "您好"), ("customer", "在吗"), ("customer", "能退吗"), ("bot", "自动回复"), ("agent", "理解您"),
            ("agent", "开封的不能退哦"), ("customer", "好吧"), ("agent", "  "), ("agent", "还有什么可以帮您")]
    assert context_pairs(msgs) == [(0, ("", "您好")), (4, ("在吗 || 能退吗", "理解您")), (5, ("在吗 || 能退吗", "开封的不能退哦")),
                                   (8, ("好吧", "还有什么可以帮您"))]


def test_act_lines_become_decline_rows(tmp_path):
    f = tmp_path / "acts.tsv"
    f.write_text("text\tact\tnote\n"
                 "这个我也没办法\trefusal\thelpless\n"
                 "这款不能刻字 不过可以换礼盒装\tnone\tpolicy no + alternative\n"
                 "这款不能刻字哦\tnone\tplain product fact\n"
                 "好的马上给您发\tnone\tgrant\n"
                 "快递的事找快递\tblame_shifting\tblame\n", encoding="utf-8")
    rows, labels = act_rows(f)
    assert list(zip([t for _, t in rows], labels)) == [
        ("这个我也没办法", "declines"), ("这款不能刻字 不过可以换礼盒装", "declines_with_alternative"), ("好的马上给您发", "not_declining")]
    assert all(c == "" for c, _ in rows)


def test_decline_report_counts_either_declining_class_as_a_decline():
    rep = decline_report(["declines", "declines_with_alternative", "not_declining", "not_declining"],
                         ["declines_with_alternative", "declines_with_alternative", "declines", "not_declining"])
    assert rep["accuracy"] == 0.5
    assert (rep["declines"]["tp"], rep["declines"]["fp"], rep["declines"]["fn"]) == (2, 1, 0)


def test_the_writers_files_parse():
    from models.declines import DECLINES_DIR

    files = sorted(DECLINES_DIR.glob("*.tsv"))
    assert files
    for f in files:
        rows, labels = read_decline_tsv(f)
        assert rows and set(labels) <= set(DECLINE_LABELS), f


def test_the_shipped_model_loads_and_names_its_sources():
    m = load_decline_model()
    meta = json.loads((SHIPPED_DECLINE_MODEL_DIR / "zhijian.json").read_text(encoding="utf-8"))
    assert m.model_id == f"{meta['name']}@{meta['version']}"
    assert "data/declines/agent_declines_wdecl1.tsv" in meta["trained_on"]
    assert meta["rows_per_source"]["golden na"]["sets"] == list(DEV_SETS)
    p = m.predict_proba([("这件还有L码吗", "L码已经断货了，后面也不补了"), ("这件还有L码吗", "有的，L码现货，今天下单今天发")])
    assert p[0, 0] < 0.5 < p[1, 0]
