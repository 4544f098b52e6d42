"""models.base: the model's input form is pinned, and kept apart from the pipeline's analysis form on purpose."""
from __future__ import annotations

import sys

import pytest

from models.base import CLASSES, SENTIMENT_LABELS, check_labels, normalize_text


@pytest.mark.parametrize("text,model_input", [
    ("ＯＫ！  服務  沒問題", "OK! 服务 没问题"),       # NFKC width, t2s, whitespace runs → one space
    ("很高兴 为您服务", "很高兴 为您服务"),            # a space next to CJK stays (the analysis form drops it)
    ("Hello World", "Hello World"),                # no lower case
    ("[微笑]好的", "[微笑]好的"),                    # markup and emoticon codes stay
    ("①号 ㎏ ￥99", "1号 kg ¥99"),                  # NFKC compatibility forms, beyond full-width ASCII
    ("余", "馀"),                                   # SnowNLP's table, not OpenCC (OpenCC keeps 余)
    ("  \t\n", ""),
])
def test_model_input_form_is_pinned(text, model_input):
    """The shipped model was trained on exactly this form: changing a rule means retraining first."""
    assert normalize_text(text) == model_input


def test_model_input_form_is_not_the_analysis_form():
    """Where the two forms differ (see models/base.py): if this starts failing, someone 'unified' them
    and changed what the model sees or what the rubric matches."""
    from pipeline.normalise import normalise_text

    text = "ＯＫ 很高兴 为您服务[微笑] ①"
    assert normalize_text(text) == "OK 很高兴 为您服务[微笑] 1"
    assert normalise_text(text)[0] == "ok很高兴为您服务①"


def test_check_labels():
    assert CLASSES == list(SENTIMENT_LABELS) == ["negative", "neutral", "positive"]
    assert check_labels(("positive", "negative")) == ["positive", "negative"]
    with pytest.raises(ValueError, match="unknown labels \\['angry'\\]"):
        check_labels(["angry", "neutral"])


BOUND = 3  # patched below: a memo built with (module, name) reads its bound when it fills


def test_bounded_memo_starts_afresh_when_full_and_reads_its_bound_late(monkeypatch):
    import pickle

    from models.base import BoundedMemo

    memo = BoundedMemo((__name__, "BOUND"))
    for i in range(3):
        assert memo.put(i, str(i)) == str(i)
    assert dict(memo) == {0: "0", 1: "1", 2: "2"}
    memo.put(3, "3")  # full: everything before goes
    assert dict(memo) == {3: "3"}
    monkeypatch.setattr(sys.modules[__name__], "BOUND", 1)
    memo.put(4, "4")
    assert dict(memo) == {4: "4"} and memo.limit == 1
    assert not memo.make_room(0) and memo.make_room(1) and len(memo) == 0  # a batch of 1 more would pass 1
    memo.put(5, "5")
    copy = pickle.loads(pickle.dumps(memo))  # travels empty, with its bound
    assert dict(copy) == {} and copy.limit == 1 and isinstance(copy, BoundedMemo)
    fixed = BoundedMemo(2)
    fixed.update({1: 1, 2: 2})
    assert fixed.make_room(1) and len(fixed) == 0


def test_load_once_reads_each_model_directory_once(tmp_path):
    from models.base import load_once

    calls = []

    def load(directory):
        calls.append(directory)
        return object()

    a = load_once(load, tmp_path / "m", tmp_path / "shipped")
    assert load_once(load, str(tmp_path / "m"), tmp_path / "shipped") is a  # the same directory, however named
    shipped = load_once(load, None, tmp_path / "shipped")  # None: the default (shipped) model
    assert shipped is not a and calls == [str((tmp_path / "m").resolve()), str(tmp_path / "shipped")]


def test_gram_vocab_and_meta_round_trip(tmp_path):
    import pytest as _pytest

    from models.base import read_gram_vocab, read_model_meta, write_gram_vocab, write_model_meta

    # two vocabularies one after another, each in its column order; quotes and newlines survive one JSON line each
    assert write_gram_vocab(tmp_path, [{"b": 1, "a": 0}, {'"\n': 0}]) == 3
    assert read_gram_vocab(tmp_path) == ["a", "b", '"\n']
    write_model_meta(tmp_path, {"kind": "acts", "名": 1})
    assert read_model_meta(tmp_path) == {"kind": "acts", "名": 1}
    with _pytest.raises(FileNotFoundError, match=r"holds no act model \(zhijian.json missing\): rebuild it with `make it`"):
        read_model_meta(tmp_path / "none", "act", "make it")


def test_gram_index_counts_what_tfidf_rows_counts():
    """GramIndex (the judgement models' batch reading) gives tfidf_rows' rows bit for bit: the same known grams, counts
    and first-seen order, a tagged vocabulary string found under each (tag, gram) that spells it (the kind model's "123"
    is the gram 123 and the marked 23), characters outside the alphabet and empty texts included."""
    import numpy as np

    from models.base import GramIndex, tfidf_counted, tfidf_rows

    vocabulary = {g: i for i, g in enumerate(["^", "$", "退", "退货", "货", "123", "12", "1", "23", "\x01退", "\x01不", "不了", "^不", "不"])}
    idf = np.linspace(1.0, 2.0, len(vocabulary), dtype=np.float32)
    tags = (("", 1, 4), ("\x01", 1, 2))

    def grams(s: str, prefix: str, lo: int, hi: int) -> list[str]:
        return [prefix + s[i:i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1)]

    texts = ["^退货退货$", "", "^123 不了 ☃退$", "不不不", "☃", "^12312$"]
    index = GramIndex(vocabulary, tags)
    for k, (prefix, lo, hi) in enumerate(tags):
        want = tfidf_rows((grams(t, prefix, lo, hi) for t in texts), vocabulary, idf)
        got = tfidf_counted(*index.rows(texts, k), idf)
        for w, g in zip(want, got):
            assert w.dtype == g.dtype and np.array_equal(w, g)
    # a group: each gram, then its marked twin (the kind model's first message), as a loop over n, then i, meets them
    marked = GramIndex(vocabulary, (("", 1, 4), ("1", 2, 4)))
    s = "^123$"
    sequence = [x for n in range(1, 5) for i in range(len(s) - n + 1)
                for x in ([s[i:i + n]] + (["1" + s[i:i + n]] if n > 1 else []))]
    want = tfidf_rows([sequence], vocabulary, idf)
    got = tfidf_counted(*marked.counted([(0, 0, s, 0), (0, 0, s, 1)], 1), idf)
    for w, g in zip(want, got):
        assert np.array_equal(w, g)


def test_gram_index_numbers_every_tagged_gram_as_its_number_method_does():
    """GramIndex builds its sorted keys in numpy (speed): the same keys and ids as `_number` of each (tag, gram) a
    vocabulary string spells, one by one — grams too long or too short for a tag left out, an empty vocabulary too."""
    import numpy as np

    from models.base import GramIndex

    vocabulary = {g: i for i, g in enumerate(["^", "$", "退", "退货", "货", "123", "12", "1", "23", "\x01退", "\x01不", "不了",
                                              "^不", "不", "退货退货", "退货退货了", "\x01", "1不了吗"])}
    tags = (("", 1, 4), ("\x01", 1, 2), ("1", 2, 4))
    index = GramIndex(vocabulary, tags)
    want = sorted((index._number(t, g[len(p):]), i) for g, i in vocabulary.items() for t, (p, lo, hi) in enumerate(tags)
                  if g.startswith(p) and lo <= len(g) - len(p) <= hi)
    assert index.keys.tolist() == [k for k, _ in want] and index.ids.tolist() == [i for _, i in want]
    assert index.keys.dtype == index.ids.dtype == np.int64
    empty = GramIndex({}, (("", 1, 4),))
    assert len(empty.keys) == len(empty.ids) == 0 and empty.keys.dtype == np.int64


def test_normalize_text_translates_only_where_a_traditional_character_is():
    """Speed only: translate is skipped for a text with no character of the t2s table — the same strings as translating
    every text, over data/sample's texts and every character of the table."""
    import json
    import unicodedata

    from models.base import normalize_text, t2s_table
    from models.kinds import ROOT

    table = t2s_table()
    texts = [str(json.loads(line).get("text") or "") for f in sorted((ROOT / "data" / "sample").glob("*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += ["".join(map(chr, table)), *(f"好{chr(c)}的" for c in table), "ＯＫ！  服務  沒問題", "", " \u3000 "]
    assert [normalize_text(t) for t in texts] == [" ".join(unicodedata.normalize("NFKC", t).translate(table).split())
                                                  for t in texts]
