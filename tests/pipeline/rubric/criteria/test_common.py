"""PhraseMatcher keeps its decisions per distinct analysis string: what it returns from that memory is
what a fresh computation returns, on the caller's own message, and nothing a caller does to it leaks."""
from __future__ import annotations

import pytest

from pipeline.conversation import Token
from pipeline.rubric.criteria import _common
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher
from pipeline.rubric.schema import LexiconParams, ParaphraseParams
from pipeline.rubric.testing import make_conversation

TEXTS = [
    "我理解您的心情，马上帮您处理",  # accepted
    "我不理解您为什么这么说",  # negated
    "我理解，但规定就是规定",  # contrast without an offer
    "我理解，但是可以帮您申请补偿",  # contrast with an offer: kept
    "您说“理解”是什么意思",  # quoted
    "呵呵，理解理解理解",  # sarcastic
    "换做是我也会着急的，实在对不住",  # paraphrase
    "亲，在的",  # a one-character phrase on a token boundary
    "他亲自送来的",  # ... inside a token
    "今天天气不错",  # nothing
    "",
]


def _matcher() -> PhraseMatcher:
    return PhraseMatcher(
        "x",
        LexiconParams(phrases=["理解", "亲", "对不住"], exclude=["理解错"]),
        GuardParams(negation=True, contrast=True, contrast_offer=["帮您", "申请"], quotation=True, sarcasm=True),
        ParaphraseParams(exemplars=["换做是我也会着急"], cues=["re:实在.{0,2}对不"]),
    )


def _msg(text: str, run_stages: bool = True):
    return make_conversation([("agent", text, 0)], run_stages=run_stages).messages[0]


def _shape(found):
    return (
        [(m.start, m.end, m.rule, m.pattern, m.score) for m in found.accepted],
        [(r.match.start, r.match.end, r.match.rule, r.match.pattern, r.match.score, r.why) for r in found.rejected],
    )


def test_kept_decisions_equal_a_fresh_computation_on_the_callers_own_message():
    kept = _matcher()
    first = [kept.find(_msg(t)) for t in TEXTS]
    assert any(f.accepted for f in first) and {r.why for f in first for r in f.rejected} == {"否定", "转折", "引用", "反讽"}
    for t, before in zip(TEXTS, first):
        m = _msg(t)  # another message with the same text: answered from memory
        again = kept.find(m)
        assert _shape(again) == _shape(before) == _shape(_matcher().find(m)), t
        assert all(x.view.msg is m for x in again.accepted + [r.match for r in again.rejected])
        assert all(x.evidence().seq == m.seq for x in again.accepted)


def test_the_same_string_with_other_token_boundaries_is_decided_on_its_own_tokens():
    matcher = _matcher()
    whole = _msg("亲自送来的亲")  # segmented: 亲自 is one token, the last 亲 one of its own
    loose = _msg("亲自送来的亲", run_stages=False)
    loose.norm, loose.norm_to_text = whole.norm, list(whole.norm_to_text)
    loose.tokens = [Token(whole.norm, 0, len(whole.norm))]  # one token over all: no inner boundary
    assert [(m.start, m.end) for m in matcher.find(whole).accepted] == [(5, 6)]
    assert matcher.find(loose).accepted == [] == _matcher().find(loose).accepted
    assert [(m.start, m.end) for m in matcher.find(whole).accepted] == [(5, 6)]


def test_a_caller_changing_what_it_got_does_not_change_the_next_answer():
    matcher = _matcher()
    text = "我不理解您的意思，我理解您的心情"
    first = matcher.find(_msg(text))
    expected = _shape(first)
    assert first.accepted and first.rejected
    first.accepted.clear()
    first.rejected[0].why = "changed"
    first.rejected.append(first.rejected[0])
    assert _shape(matcher.find(_msg(text))) == expected


def test_memory_is_bounded_and_still_right_after_starting_again(monkeypatch):
    monkeypatch.setattr(_common, "_KEPT_MAX", 3)
    matcher = _matcher()
    texts = [f"第{i}次说：我理解您" for i in range(10)] + ["亲，在的", "亲，在的呀", "亲，好的", "亲，嗯嗯"]
    for t in texts + texts:
        m = _msg(t)
        assert _shape(matcher.find(m)) == _shape(_matcher().find(m)), t
        assert len(matcher._kept) <= 3 and len(matcher._kept_tok) <= 3


@pytest.mark.parametrize("text", TEXTS)
def test_a_repeated_call_on_one_message_gives_new_objects(text):
    matcher = _matcher()
    m = _msg(text)
    a, b = matcher.find(m), matcher.find(m)
    assert _shape(a) == _shape(b)
    assert a.accepted is not b.accepted and a.rejected is not b.rejected
    assert all(x is not y for x, y in zip(a.rejected, b.rejected))


def test_a_copied_or_pickled_matcher_reads_its_memory_right():
    import copy
    import pickle

    matcher = _matcher()
    texts = ["亲，在的", "我理解您的心情", "今天天气不错"]
    expected = [_shape(matcher.find(_msg(t))) for t in texts]
    assert any(v is _common._BY_TOKENS for v in matcher._kept.values())  # a token-dependent line is kept
    for other in (copy.deepcopy(matcher), pickle.loads(pickle.dumps(matcher))):
        assert [_shape(other.find(_msg(t))) for t in texts] == expected


def test_emotion_params_default_to_the_shipped_state_model():
    """A criterion built from bare EmotionParams (or a rubric that omits the field) pins the state model the
    project ships; a default left at an older version refuses every run with the state layer on."""
    from pipeline.customer_state import SHIPPED_STATE_MODEL
    from pipeline.rubric.criteria._common import EmotionParams

    assert EmotionParams().state_model_version == SHIPPED_STATE_MODEL
