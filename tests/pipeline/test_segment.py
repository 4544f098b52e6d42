"""Segmentation: domain terms pinned with the project user dictionary, offsets into norm."""
from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.conversation import Conversation, Message
from pipeline.segment import DOMAIN_TERMS_PATH, Segmenter, segment_conversation, segmenter_for, tokenize

REPO = Path(__file__).resolve().parents[2]


def words(text: str) -> list[str]:
    return [t.word for t in tokenize(text)]


@pytest.mark.parametrize("text,expected", [
    ("七天无理由退货", ["七天无理由退货"]),
    ("支持七天无理由退货吗", ["支持", "七天无理由退货", "吗"]),
    ("价保怎么申请", ["价保", "怎么", "申请"]),
    ("工单号是多少", ["工单号", "是", "多少"]),
    ("订单号123456789", ["订单号", "123456789"]),
    ("运费险和好评返现", ["运费险", "和", "好评返现"]),
    ("已揽收,正在派件", ["已揽收", ",", "正在", "派件"]),
    ("申请仅退款还是退货退款", ["申请", "仅退款", "还是", "退货退款"]),
    ("漏发了一件,还有错发", ["漏发", "了", "一件", ",", "还有", "错发"]),
    ("亲,您好很高兴为您服务", ["亲", ",", "您好", "很高兴为您服务"]),
])
def test_domain_terms_pinned(text, expected):
    assert words(text) == expected


def test_lexicon_has_enough_terms():
    terms = [line.split()[0] for line in DOMAIN_TERMS_PATH.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(terms) >= 80
    for must in ("七天无理由退货", "七天无理由", "价保", "运费险", "工单号", "订单号", "退货退款", "仅退款", "补发",
                 "催发货", "揽收", "派件", "签收", "拒收", "好评返现", "保价", "小二", "亲", "售后", "质量问题",
                 "破损", "漏发", "错发"):
        assert must in terms


RUBRIC_PHRASES = ["不归我管", "我也没办法", "爱买不买", "你听不懂吗", "快递的问题跟我们无关", "换做是我也会着急",
                  "請問還有其他可以幫您的嗎"]  # traditional: added in its analysis form


def test_extra_terms_are_kept_whole():
    seg = Segmenter(RUBRIC_PHRASES)
    said = lambda text: [t.word for t in seg.tokenize(text)]  # noqa: E731
    assert "不归我管" in said("这个不归我管的")
    assert "我也没办法" in said("我也没办法啊")
    assert "快递的问题跟我们无关" in said("快递的问题跟我们无关")
    assert "请问还有其他可以帮您的吗" in said("请问还有其他可以帮您的吗")
    assert seg.added_extra == len(RUBRIC_PHRASES)
    assert Segmenter(["", "  ", "hello world"]).added_extra == 0  # a spaced phrase can never be one token
    assert "不归我管" not in words("这个不归我管的")  # the default segmenter knows no rubric's phrases


def _sample_norms(limit: int = 3000) -> list[str]:
    """The analysis form of the first messages of the sample (what the nightly run segments)."""
    from pipeline.ingest import read_inputs
    from pipeline.normalise import normalise_text

    files = sorted((REPO / "data" / "sample").glob("chats-2026-10-0*.jsonl"))
    return [normalise_text(m.text)[0] for m in read_inputs(files).messages[:limit]]


def test_a_second_rubric_does_not_change_the_first_segmenter():
    """Segmentation depends on the rubric a segmenter was built for, never on what was loaded since."""
    from pipeline.rubric import load_rubric, load_rubric_text

    path = REPO / "rubrics" / "default.yaml"
    default = load_rubric(path)
    first = Segmenter(default.lexicon_terms())
    norms = _sample_norms()
    before = [[(t.word, t.start, t.end) for t in first.tokenize(n)] for n in norms]
    plain_before = [words(n) for n in norms[:300]]

    text = path.read_text(encoding="utf-8").replace("phrases: [不知道, ", "phrases: [不知道, 发货了吗, 在的亲, ", 1)
    other = load_rubric_text(text, "other.yaml")
    assert set(other.lexicon_terms()) - set(default.lexicon_terms()) == {"发货了吗", "在的亲"}
    second = segmenter_for(other.lexicon_terms())
    load_rubric(path)

    assert [[(t.word, t.start, t.end) for t in first.tokenize(n)] for n in norms] == before
    assert [words(n) for n in norms[:300]] == plain_before  # loading rubrics leaves the default alone too
    assert second.tokenize("发货了吗")[0].word == "发货了吗"
    assert [t.word for t in first.tokenize("发货了吗")] != ["发货了吗"]


def test_token_offsets_index_norm():
    norm = "亲,七天无理由退货可以的 iphone 15 pro价保"
    tokens = tokenize(norm)
    for t in tokens:
        assert norm[t.start:t.end] == t.word
        assert not t.word.isspace()
    assert tokens[0].start == 0 and tokens[-1].end == len(norm)


def test_empty_input():
    assert tokenize("") == []


_SEGMENTER_FOR_BLOCKS: list[Segmenter] = []


def _block_segmenter() -> Segmenter:
    if not _SEGMENTER_FOR_BLOCKS:
        _SEGMENTER_FOR_BLOCKS.append(Segmenter(["很高兴为您服务"]))
    return _SEGMENTER_FOR_BLOCKS[0]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="亲您好的请稍等七天无理由退货价保工单号很高兴为您服务了吗呢abcAB1290 +-#&._%,.!?[]\r\n\t　，。", max_size=40))
def test_block_by_block_cutting_gives_what_jieba_gives_for_the_whole_text(text):
    seg = _block_segmenter()
    whole = [(w, a, b) for w, a, b in seg.tokenizer.tokenize(text, HMM=True) if not w.isspace()]
    assert [(t.word, t.start, t.end) for t in seg._cut(text)] == whole
    assert [(t.word, t.start, t.end) for t in seg._cut(text)] == whole  # again, from the kept blocks


def test_a_repeated_line_gets_the_same_tokens_in_a_list_of_its_own():
    seg = Segmenter()
    norm = "亲,您的订单已经发货了哦"
    first = seg.tokenize(norm)
    first.append(first[0])  # a caller editing its list must not change what the next message gets
    second = seg.tokenize(norm)
    assert second == first[:-1] and second is not first
    fresh = [t for t in seg.tokenizer.tokenize(norm, HMM=True) if not t[0].isspace()]
    assert [(t.word, t.start, t.end) for t in second] == fresh


def test_segment_conversation_maps_back_through_norm():
    from pipeline.normalise import normalise_conversation

    msgs = [Message(conversation_id="c", seq=1, role="customer", timestamp=datetime.now(timezone.utc),
                    text="請問價保怎麼申請[微笑]")]
    conv = segment_conversation(normalise_conversation(Conversation(conversation_id="c", messages=msgs)))
    m = conv.messages[0]
    assert m.norm == "请问价保怎么申请"
    assert "价保" in [t.word for t in m.tokens]
    t = next(t for t in m.tokens if t.word == "价保")
    s, e = m.text_span(t.start, t.end)
    assert m.text[s:e] == "價保"


def test_threads_share_one_tokenizer():
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                results.append(words("支持七天无理由退货,价保和工单号"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert all(r == results[0] for r in results)


def test_jieba_is_quiet_on_stderr():
    code = "from pipeline.segment import tokenize; print(len(tokenize('七天无理由退货')))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1"
    assert "Building prefix dict" not in proc.stderr and "Loading model" not in proc.stderr


def test_front_of_pipeline_on_messy_fixture():
    """ingest → assemble → normalise → segment on the HTML/emoticon/traditional/full-width fixture."""
    from pipeline.ingest import assemble, read_inputs
    from pipeline.normalise import normalise_conversation

    messy = REPO / "tests" / "fixtures" / "messy"
    [conv] = assemble(read_inputs([messy / "content_oddities.jsonl"]).messages)
    normalise_conversation(conv)
    segment_conversation(conv)
    norms = [m.norm for m in conv.messages]
    assert norms[0] == norms[1] == ""
    assert norms[3] == "亲,您好很高兴为您服务"
    assert norms[4] == "这个产品质量问题,请帮我退货"
    assert norms[5] == "型号abc-123,买了2件,ok?"
    for m in conv.messages:
        assert len(m.norm_to_text) == len(m.norm) + 1
        for t in m.tokens:
            assert m.norm[t.start:t.end] == t.word
            s, e = m.text_span(t.start, t.end)
            assert 0 <= s <= e <= len(m.text)
    greeting = next(t for t in conv.messages[3].tokens if t.word == "很高兴为您服务")
    s, e = conv.messages[3].text_span(greeting.start, greeting.end)
    assert conv.messages[3].text[s:e] == "很高兴为您服务"
    quality = next(t for t in conv.messages[4].tokens if t.word == "质量问题")
    s, e = conv.messages[4].text_span(quality.start, quality.end)
    assert conv.messages[4].text[s:e] == "質量問題"


def _tokenizer_at(tmp_dir: Path):
    import jieba

    tok = jieba.Tokenizer()
    tok.tmp_dir, tok.cache_file = str(tmp_dir), "zhijian-jieba.cache"
    return tok


def test_the_cache_read_whole_gives_what_jieba_reads_from_it(tmp_path):
    from pipeline.segment import _load_cached

    by_jieba = _tokenizer_at(tmp_path)
    by_jieba.initialize()  # builds the dictionary and writes the cache here
    ours = _tokenizer_at(tmp_path)
    assert _load_cached(ours) and ours.initialized
    assert ours.total == by_jieba.total and ours.FREQ == by_jieba.FREQ
    assert list(ours.FREQ) == list(by_jieba.FREQ)
    assert list(ours.cut("支持七天无理由退货吗")) == list(by_jieba.cut("支持七天无理由退货吗"))


@pytest.mark.parametrize("content", [None, b"", b"not marshal", b"\xe9\x00\x00\x00"])
def test_no_usable_cache_is_left_to_jieba(tmp_path, content):
    import marshal

    from pipeline.segment import _load_cached

    if content is not None:
        (tmp_path / "zhijian-jieba.cache").write_bytes(content)
    tok = _tokenizer_at(tmp_path)
    assert not _load_cached(tok) and not tok.initialized
    (tmp_path / "zhijian-jieba.cache").write_bytes(marshal.dumps(([1, 2], 3)))  # marshals, but not jieba's shape
    assert not _load_cached(tok) and not tok.initialized
