"""Normalise: the analysis form and its offset map back to the text as shown."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.conversation import Conversation, Message
from pipeline.normalise import fold_char, normalise_conversation, normalise_text


@pytest.mark.parametrize("text,norm", [
    ("ＡＢＣ１２３！？", "abc123!?"),
    ("型号ＡＢＣ－１２３，买了２件，ＯＫ？", "型号abc-123,买了2件,ok?"),
    ("好的。谢谢“亲”《说明书》", "好的。谢谢“亲”《说明书》"),  # CJK punctuation without an ASCII twin stays
    ("這個產品質量問題，請幫我退貨", "这个产品质量问题,请帮我退货"),
    ("<p>亲，您好&nbsp;很高兴为您服务</p><br/>[微笑]/:smile #E-s21", "亲,您好很高兴为您服务"),
    ("您好<br>很高兴为您服务", "您好很高兴为您服务"),
    ("价格 &lt;100 &amp; 包邮", "价格<100 &包邮"),
    ("收货地址：[地址]，电话138****5678，[姓名]", "收货地址:,电话,"),
    ("座机010****5678[身份证号][邮箱][银行卡号]", "座机"),
    ("  Hello   World  iPhone 15  ", "hello world iphone 15"),
    ("很高兴 为您服务", "很高兴为您服务"),
    ("你\u200b好\u3000啊", "你好啊"),
    ("[OK][强] 好的 /::) 谢谢", "好的谢谢"),
    ("", ""),
    ("[微笑]", ""),
    ("3<5 and 6>4", "3<5 and 6>4"),  # not tags
])
def test_examples(text, norm):
    got, offsets = normalise_text(text)
    assert got == norm
    assert len(offsets) == len(got) + 1 and offsets[-1] == len(text)


def _check_offsets(text: str) -> None:
    norm, offsets = normalise_text(text)
    assert len(offsets) == len(norm) + 1
    assert offsets[-1] == len(text)
    assert offsets[:-1] == sorted(offsets[:-1])  # monotone
    for i, ch in enumerate(norm):
        j = offsets[i]
        assert 0 <= j < len(text)
        src = text[j]
        if ch == " ":
            # a collapsed space comes from whitespace, a block tag (<br>) or an entity (&nbsp;)
            assert fold_char(src) in (" ", "\x00") or src in "<&＜＆", (text, i)
        elif src in "&＆" and fold_char(src) != ch:
            assert True  # a decoded entity points at its '&'
        else:
            assert fold_char(src) == ch, (text, i, src, ch)
            # normalising the source character alone gives the same character
            alone, _ = normalise_text(src)
            assert alone == ch or alone == "", (src, alone, ch)


_piece = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=list("這個產品質量問題請幫我退貨ＡＢＣ１２３！，。　 <>&[]/:#*-\u200b\t\n"), max_size=12),
    st.sampled_from(["<br>", "</p>", "&nbsp;", "[微笑]", "#E-s21", "/:smile", "/::)", "138****5678", "[地址]",
                     "&amp;", "&#20320;", "&bogus;", "<b>", "很高兴 为您服务"]),
)


@settings(max_examples=400, deadline=None)
@given(text=st.lists(_piece, max_size=8).map("".join))
def test_offset_map_property(text):
    _check_offsets(text)


def test_text_span_round_trip():
    text = "亲，您好&nbsp;很高興為您服務[微笑]"
    norm, offsets = normalise_text(text)
    msg = Message(conversation_id="c", seq=1, role="agent", timestamp=datetime.now(timezone.utc), text=text,
                  norm=norm, norm_to_text=offsets)
    start = norm.index("很高兴为您服务")
    s, e = msg.text_span(start, start + len("很高兴为您服务"))
    assert text[s:e] == "很高興為您服務"
    s, e = msg.text_span(0, 1)
    assert text[s:e] == "亲"


def test_normalise_conversation_fills_every_message():
    msgs = [Message(conversation_id="c", seq=i, role="customer", timestamp=datetime.now(timezone.utc), text=t)
            for i, t in enumerate(["ＯＫ", "", "[微笑]"], start=1)]
    conv = normalise_conversation(Conversation(conversation_id="c", messages=msgs))
    assert [m.norm for m in conv.messages] == ["ok", "", ""]
    assert [m.norm_to_text for m in conv.messages] == [[0, 1, 2], [0], [4]]


# --- one character fold for messages and rubric phrases --------------------------------------
# The matcher used to fold phrases (and hand-built messages) with its own rule: NFKC per character,
# OpenCC on any character, str.lower(). Messages are folded by `fold_table` (full-width ASCII only,
# OpenCC on the CJK blocks, ASCII lower case). Where the two disagreed (￥ → ¥, ① → 1, Kangxi ⼈ → 人,
# ² → 2, ﹐ → ,, half-width ｶ → カ …) a phrase could never match the same words in a message.
# Now both go through `fold_table`.
TRICKY = ["￥99", "①号链接", "⼈工客服", "m²", "好﹐谢谢", "ｶ", "服務ＯＫ", "ÉCOLE", "這個產品"]


@pytest.mark.parametrize("phrase", TRICKY)
def test_a_rubric_phrase_matches_the_same_words_in_a_normalised_message(phrase):
    from pipeline.normalise import normalise_message
    from pipeline.rubric.matching import Lexicon, view

    msg = normalise_message(Message(conversation_id="c", seq=0, role="agent", text=f"您好{phrase}呢",
                                    timestamp=datetime(2026, 10, 1, tzinfo=timezone.utc)))
    found = Lexicon([phrase], rule="t.lexicon", boundary_max_len=0).find(view(msg))
    assert [m.matched_text for m in found] == [phrase]


@pytest.mark.parametrize("text", TRICKY + ["谢谢ＡＢＣ", "退貨退款", "Ｉ ｌｏｖｅ"])
def test_hand_built_messages_read_like_normalised_ones(text):
    """Criteria tested on hand-built messages (no norm) see what the pipeline's messages show."""
    from pipeline.normalise import normalise_message
    from pipeline.rubric.matching import view

    when = datetime(2026, 10, 1, tzinfo=timezone.utc)
    by_hand = view(Message(conversation_id="c", seq=0, role="agent", text=text, timestamp=when)).s
    normalised = view(normalise_message(Message(conversation_id="c", seq=0, role="agent", text=text, timestamp=when))).s
    assert by_hand.replace(" ", "") == normalised.replace(" ", "")  # whitespace aside (no offset map by hand)


def test_a_repeated_text_gets_the_same_form_and_offsets_of_its_own():
    text = "<p>亲，您好&nbsp;很高兴为您服务</p>[微笑]"
    norm, index = normalise_text(text)
    index[0] = 99  # a caller editing its offsets must not change the next message's
    again, index2 = normalise_text(text)
    assert again == norm == "亲,您好很高兴为您服务"
    assert index2[0] != 99 and index2 is not index
    assert [text[i] for i in index2[:2]] == ["亲", "，"] and index2[-1] == len(text)
