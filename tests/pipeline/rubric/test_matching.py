"""Matching building blocks: lexicons, variants, guards, paraphrase similarity."""
from __future__ import annotations

from pipeline.rubric.guards import is_negated, is_quoted
from pipeline.rubric.matching import (
    Lexicon,
    expand_variants,
    local_analysis_form,
    view,
)
from pipeline.rubric.similarity import ParaphraseDetector, bigrams, dice
from pipeline.rubric.testing import make_conversation


def msg(text: str, run_stages: bool = True):
    return make_conversation([("agent", text, 0)], run_stages=run_stages).messages[0]


def test_variants_expand():
    assert set(expand_variants("您好", {"您": ["你"]})) == {"您好", "你好"}
    assert expand_variants("re:您好", {"您": ["你"]}) == ["re:您好"]


def test_local_analysis_form_keeps_offsets():
    text = "請問ＡＢＣ這個"
    form = local_analysis_form(text)
    assert len(form) == len(text) and form.startswith("请问abc")


def test_lexicon_exclusion_and_token_boundary():
    lex = Lexicon(["滚", "垃圾"], rule="x.lexicon", exclude=["滚筒", "垃圾袋"])
    assert [m.matched_text for m in lex.find(view(msg("你给我滚")))] == ["滚"]
    assert lex.find(view(msg("滚筒洗衣机和垃圾袋"))) == []
    # without segmentation the exclusions still hold (character fallback)
    assert lex.find(view(msg("滚筒洗衣机", run_stages=False))) == []


def test_short_phrase_needs_token_boundaries_when_segmented():
    m = msg("他亲自送来的")
    lex = Lexicon(["亲"], rule="x.lexicon")
    if m.tokens:  # segmented: 亲 inside the token 亲自 is not a greeting
        assert lex.find(view(m)) == []


def test_spans_map_back_to_text_as_shown():
    m = msg("[微笑]親，您好呀")
    lex = Lexicon(["您好", "亲"], rule="x.lexicon")
    found = lex.find(view(m))
    assert found
    for f in found:
        a, b = f.view.text_span(f.start, f.end)
        assert m.text[a:b] == f.matched_text
        assert f.evidence().span == (a, b)


def test_negation_guard():
    m = msg("我不是不理解您")
    v = view(m)
    i = v.s.index("理解")
    assert is_negated(v, i, i + 2)
    m2 = msg("穿着不舒服确实挺难受")
    v2 = view(m2)
    j = v2.s.index("确实")
    assert not is_negated(v2, j, len(v2.s))  # 不 of 不舒服 negates nothing here


def test_quotation_guard():
    for text, phrase in [("您说“没办法”是指哪一步", "没办法"), ("之前同事回复「不归我管」", "不归我管"), ("您说没办法是指什么", "没办法")]:
        v = view(msg(text))
        i = v.s.index(local_analysis_form(phrase))
        assert is_quoted(v, i, i + len(phrase)), text
    v = view(msg("我已经说过了没办法"))
    i = v.s.index("没办法")
    assert not is_quoted(v, i, i + 3)


def test_dice_and_detector_clause_windows():
    assert dice(bigrams("换做是我也会着急"), bigrams("换做是我也会着急")) == 1.0
    det = ParaphraseDetector(["换做是我也会着急", "不知道"], threshold=0.6, rule="empathy.similarity")
    assert len(det.exemplars) == 1  # too-short exemplars are not compared
    found = det.find(view(msg("好的，换做是我肯定也会着急的，我马上处理")))
    assert found and found[0].rule == "empathy.similarity" and found[0].score >= 0.6
    assert det.find(view(msg("这款是纯棉的，可以机洗"))) == []


def test_is_self_correction_only_for_an_apology_about_an_earlier_reply():
    from pipeline.conversation import Message
    from pipeline.rubric.guards import is_self_correction
    from pipeline.rubric.matching import view
    from pipeline.rubric.testing import START

    def check(text, phrase):
        v = view(Message(conversation_id="c", seq=1, role="agent", timestamp=START, text=text))
        i = v.s.index(phrase)
        return is_self_correction(v, i, i + len(phrase))

    assert check("那样回复您是不对的，我向您道歉", "您是不对")
    assert check("刚才我跟您说的话不妥，实在抱歉", "说的话不妥")
    assert not check("您这样说是不对的", "您这样说是不对")  # the customer's words: an argument
    assert not check("那样回复您是不对的", "您是不对")  # no apology anywhere


def test_a_repeated_line_is_matched_on_its_own_view_and_tokens():
    from pipeline.conversation import Token

    lex = Lexicon(["亲"], rule="x.lexicon", exclude=["亲爱的"])
    whole = msg("亲自送来的亲")  # segmented: 亲自 is one token, the last 亲 is a token of its own
    loose = msg("亲自送来的亲", run_stages=False)  # not segmented: character fallback
    loose.norm, loose.norm_to_text = whole.norm, list(whole.norm_to_text)
    loose.tokens = [Token(whole.norm, 0, len(whole.norm))]  # one token over all: no inner boundary
    first = lex.find(view(whole))
    again = lex.find(view(whole))
    assert [(f.start, f.end) for f in first] == [(f.start, f.end) for f in again] == [(5, 6)]
    assert all(f.view.msg is whole for f in again)
    # the same analysis string with other token boundaries: decided on those boundaries, not on the first's
    assert lex.find(view(loose)) == []
    assert lex.find(view(msg("亲爱的"))) == [] and lex.find(view(msg("亲爱的"))) == []


def test_a_repeated_line_gets_the_same_paraphrases_on_its_own_message():
    det = ParaphraseDetector(["换做是我也会着急"], threshold=0.6, rule="empathy.similarity")
    a, b = msg("好的，换做是我肯定也会着急的"), msg("好的，换做是我肯定也会着急的")
    first, second = det.find(view(a)), det.find(view(b))
    assert first and [(m.start, m.end, m.pattern, m.score) for m in first] == [(m.start, m.end, m.pattern, m.score) for m in second]
    assert first[0].view.msg is a and second[0].view.msg is b
    assert second[0].evidence().seq == b.seq


def test_boundary_reading_is_what_find_reads_of_the_tokens():
    lex = Lexicon(["亲"], rule="x.lexicon")
    whole = msg("亲自送来的亲")  # segmented: 亲 inside 亲自 is off the boundaries, the last 亲 is on them
    assert lex.boundary_reading(view(whole)) == (False, True)
    assert lex.boundary_reading(view(msg("亲自送来的亲", run_stages=False))) is None  # not segmented
    assert lex.reads_boundaries("亲，在的") and not lex.reads_boundaries("您好")
    assert not Lexicon(["理解"], rule="y.lexicon").reads_boundaries("我理解")  # two characters: no boundary check


def test_required_literals_look_into_groups_branches_and_classes():
    """A regex whose top level holds no literal still gets a prefilter when every way through it holds one;
    a regex some way through which needs none keeps running on every string (None)."""
    import re

    from pipeline.rubric.matching import required_literals

    assert required_literals("(以旧换新|旧[^，。]{0,6}(抵|回收|换新))") == {"以旧换新", "旧"}
    assert required_literals("((售后|补发|重新(发|寄|做)|换一(个|罐)))") == {"售后", "补发", "重新", "换一"}
    assert required_literals("[0-9一二两]+\\s*(-|到)?\\s*[0-9]*\\s*(天|日)") is not None
    for none in ("[^，。]+", "(a|b*)", "\\d+", "(?i:(ab|cd))", "(?=x)y?"):
        assert required_literals(none) is None, none
    # sound: whatever matches holds one of the literals
    samples = ["以旧换新", "旧手机抵", "重新寄一个", "换一罐", "3 到 5 天", "补发", "旧的", "新旧"]
    for regex in ("(以旧换新|旧[^，。]{0,6}(抵|回收|换新))", "((售后|补发|重新(发|寄|做)|换一(个|罐)))",
                  "[0-9一二两]+\\s*(-|到)?\\s*[0-9]*\\s*(天|日)"):  # fmt: skip
        lits = required_literals(regex)
        for s in samples:
            if re.search(regex, s):
                assert any(lit in s for lit in lits), (regex, s)


def test_compiled_spans_are_every_start_longest_first_and_each_regex_where_its_literal_is():
    """Overlapping phrases each count from their own start (不知道 and 知道 in 我不知道道歉), the longest at a
    start wins, and a regex entry runs only where its required literal occurs, with the same spans as a
    plain scan of the whole string."""
    import re

    from pipeline.rubric.matching import compile_lexicon

    entries = ["不知道", "知道", "道歉", "不知", "re:(没|无)(办法|法子)", "re:等[0-9一二三]+天"]
    compiled = compile_lexicon(entries)
    plain = ["不知道", "知道", "道歉", "不知"]

    def expected(s: str) -> list[tuple[int, int]]:
        out = []
        for i in range(len(s)):
            hits = [p for p in plain if s.startswith(p, i)]
            if hits:
                out.append((i, i + max(map(len, hits))))
        for regex in ("(没|无)(办法|法子)", "等[0-9一二三]+天"):
            out += [m.span(1) for m in re.finditer(f"(?=({regex}))", s)]
        return sorted(out, key=lambda ab: (ab[0], ab[0] - ab[1]))

    for s in ("我不知道道歉", "没办法，要等3天，我不知道", "知道了知道了", "好的", "无法子也得等二天", ""):
        assert compiled.spans(s) == expected(s), s
