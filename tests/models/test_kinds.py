"""models/kinds.py: the conversation-kind classifier (zh-cs-kinds) — rows, train, save/load, the shipped model."""
from __future__ import annotations

import json

import numpy as np
import pytest

from models import kinds as K
from models.kinds import KindClassifier, golden_rows, load_kind_model, read_kind_tsv

TOY = [
    (["收到的杯子裂了", "[图片]"], 1), (["快递一直不动 都五天了"], 1), (["我要退货 尺码不对"], 1), (["衣服洗一次就掉色了"], 1),
    (["充电器用了两天就坏了 能换吗"], 1), (["你们客服态度太差了"], 1),
    (["这款有白色的吗"], 0), (["能便宜点吗", "那我下单了"], 0), (["什么时候发货呀"], 0), (["这个尺码偏大还是偏小"], 0),
    (["有没有赠品"], 0), (["能开发票吗"], 0),
]


def test_fit_predict_save_load_round_trip(tmp_path):
    convs, labels = zip(*TOY)
    m = KindClassifier(min_df=1).fit(list(convs) * 2, list(labels) * 2)
    p = m.predict_proba(list(convs))
    assert p.shape == (len(TOY),) and ((p >= 0.5) == np.array(labels)).sum() >= len(TOY) - 1
    m.save(tmp_path)
    back = KindClassifier.load(tmp_path)
    assert back.model_id == "zh-cs-kinds@4"
    assert np.allclose(back.predict_proba(list(convs)), p, atol=2e-3)  # float16 weights on disk


def test_predictions_are_kept_per_conversation():
    convs, labels = zip(*TOY)
    m = KindClassifier(min_df=1).fit(list(convs), list(labels))
    first = m.predict_proba([["收到的杯子裂了"], ["这款有白色的吗"]])
    again = m.predict_proba([["这款有白色的吗"], ["收到的杯子裂了"], ["这款有白色的吗"]])
    assert again[0] == first[1] and again[1] == first[0] and again[2] == first[1]
    assert ("收到的杯子裂了",) in m._proba_cache


def test_one_conversation_in_python_reads_as_the_batch_in_numpy():
    convs, labels = zip(*TOY)
    m = KindClassifier(min_df=1).fit(list(convs) * 2, list(labels) * 2)
    probe = list(convs) + [["", "收到 杯子 裂了", "有白色的吗"], ["全是没见过的字"], []]
    batch = m._compute(probe)
    assert np.allclose([m._one(c) for c in probe], batch, atol=1e-5)
    assert np.allclose(m.predict_proba(probe[:3]), batch[:3], atol=1e-5)  # a few: the Python path


def test_the_first_message_is_read_twice_once_under_its_mark():
    m = KindClassifier(ngram_range=(1, 2))
    g = m.features(["ab", "", "cd"])
    assert "1ab" in g and "1^a" in g and "1cd" not in g and "cd" in g and "1a" not in g  # unigrams unmarked
    assert not any(x.startswith("1") for x in KindClassifier(ngram_range=(1, 2), first_mark=False).features(["ab"]))


def test_writer_rows_are_read_with_their_labels(tmp_path):
    f = tmp_path / "conversation_kinds_x.tsv"
    f.write_text("customer_messages\tafter_sales\tkind\tnote\n在吗 || 杯子裂了\tyes\tafter_sales\tdefect\n有货吗\tno\tpre_sale\tq\n",
                 encoding="utf-8")
    assert read_kind_tsv(f) == [(["在吗", "杯子裂了"], 1), (["有货吗"], 0)]
    f.write_text("customer_messages\tafter_sales\tkind\tnote\n有货吗\tmaybe\tpre_sale\tq\n", encoding="utf-8")
    with pytest.raises(ValueError, match="yes or no"):
        read_kind_tsv(f)


def test_golden_rows_read_active_listening_na_as_no(tmp_path):
    conv = {"messages": [{"seq": 2, "role": "agent", "text": "好的"}, {"seq": 1, "role": "customer", "text": "杯子裂了"},
                         {"seq": 3, "role": "customer", "text": " "}]}
    for name, label in (("a", "fail"), ("b", "na"), ("c", None)):
        (tmp_path / "s").mkdir(exist_ok=True)
        labels = {"active_listening": label} if label else {}
        (tmp_path / "s" / f"{name}.json").write_text(json.dumps(dict(conv, labels=labels)), encoding="utf-8")
    assert golden_rows("s", tmp_path) == [(["杯子裂了"], 1), (["杯子裂了"], 0)]


def test_leaving_a_writer_out_trains_without_its_rows():
    rows = {"a": TOY[:6] + TOY[6:9], "b": TOY[9:]}
    m = K.fit_rows(rows, "b", min_df=1)
    assert "赠" not in m.vocabulary_ and "裂" in m.vocabulary_


def test_the_shipped_model_reads_a_defect_and_a_presale_question():
    m = load_kind_model()
    assert m.model_id == "zh-cs-kinds@4"
    p = m.predict_proba([["你好 我昨天收到的电饭煲 内胆有一道很深的划痕 [图片]"], ["这个电饭煲几升的 三口之家够用吗"]])
    assert p[0] > 0.7 and p[1] < 0.3
    meta = m.meta_full_
    assert set(meta["rows"]) == set(K.DEV_SETS) | set(K.writer_files())  # every writer it was trained on is recorded


def _sample_customer_texts() -> list[list[str]]:
    """Every conversation of data/sample as the rubric hands it to the kind model: its customer messages' texts."""
    convs: dict[str, list[str]] = {}
    for f in sorted((K.ROOT / "data" / "sample").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("role") == "customer":
                convs.setdefault(f"{f.name}/{row['conversation_id']}", []).append(str(row.get("text") or ""))
    return list(convs.values())


def test_the_batch_read_is_one_conversation_at_a_time_to_the_last_bit():
    """`_exact` (the rubric's batch read, `prime`) equals `_one` with ==, not within a tolerance: the same grams,
    counts, order of summation and math functions — chunk borders, empty messages and conversations, characters the
    vocabulary lacks, a marked gram that is also a plain one ("1" + "23" and "123"), and the mark switched off."""
    convs, labels = zip(*TOY)
    probe = list(convs) + [["", "收到 杯子 裂了", "有白色的吗"], ["全是没见过的字"], [], [" ", ""], ["123 退货", "1123"],
                           ["^退$", "退退退退退退退退"], ["☃"]]
    for mark in (True, False):
        m = KindClassifier(min_df=1, first_mark=mark).fit(list(convs) * 2 + [["123 退货 1123"]] * 2, list(labels) * 2 + [1, 1])
        for chunk in (1, 3, 512):
            assert m._exact(probe, chunk=chunk) == [m._one(c) for c in probe]


def test_the_shipped_model_reads_the_sample_in_a_batch_as_one_at_a_time():
    m = load_kind_model()
    convs = _sample_customer_texts()
    assert len(convs) > 300
    assert m._exact(convs, chunk=100) == [m._one(c) for c in convs]


def test_prime_keeps_what_one_at_a_time_would_answer():
    convs, labels = zip(*TOY)
    m = KindClassifier(min_df=1).fit(list(convs), list(labels))
    probe = [list(c) for c in convs] + [["全是没见过的字"], ["收到的杯子裂了", "", "能换吗"]]
    m.prime(probe + probe[:2])
    assert set(m._proba_cache) == {tuple(c) for c in probe}
    assert all(m._proba_cache[tuple(c)] == m._one(c) for c in probe)
    assert m.predict_proba(probe[-1:])[0] == np.float32(m._one(probe[-1]))
