"""The lexicons' compiled patterns kept on disk: a pattern from the cache is the one re.compile makes."""
from __future__ import annotations

import marshal
import re

import pytest

from pipeline.rubric import load_rubric, regex_cache
from tests.pipeline.rubric.conftest import DEFAULT_RUBRIC


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty cache folder and a process that has read nothing from it yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(regex_cache, "_entries", None)
    monkeypatch.setattr(regex_cache, "_new", 0)
    return tmp_path


def _default_rubric_patterns() -> dict[str, re.Pattern]:
    """Every pattern the default rubric compiles through the cache (all criteria and flags compiled)."""
    seen: dict[str, re.Pattern] = {}
    compile_pattern = regex_cache.compile_pattern

    def record(pattern: str) -> re.Pattern:
        seen[pattern] = compile_pattern(pattern)
        return seen[pattern]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("pipeline.rubric.matching.compile_pattern", record)
        rubric = load_rubric(DEFAULT_RUBRIC)
        for component in [*rubric.criteria, *rubric.flags]:
            component.compiled  # noqa: B018 - compiled on first use
    return seen


def test_patterns_from_the_cache_are_re_compiles(fresh, monkeypatch):
    """Compiled afresh, then built from the file a later process reads: equal to re.compile's (text, flags, code)."""
    first = _default_rubric_patterns()
    assert len(first) > 500
    assert all(p == re.compile(text) for text, p in first.items())
    regex_cache.save()
    assert regex_cache.cache_file().is_file()

    monkeypatch.setattr(regex_cache, "_entries", None)  # the next process
    monkeypatch.setattr(regex_cache, "_new", 0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(regex_cache, "_sre_arguments", lambda pattern: pytest.fail(f"compiled again: {pattern}"))
        for text in first:
            assert regex_cache.compile_pattern(text) == re.compile(text)
    named = "(?P<word>您好)+(?:啊)?"  # named groups come back named
    assert regex_cache.compile_pattern(named) == re.compile(named)
    regex_cache.save()
    monkeypatch.setattr(regex_cache, "_entries", None)
    back = regex_cache.compile_pattern(named)
    assert back.groupindex == {"word": 1} and back.match("您好您好啊").group("word") == "您好"


def test_a_damaged_or_unwritable_cache_only_costs_time(fresh, monkeypatch):
    path = regex_cache.cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not marshal data")
    assert regex_cache.compile_pattern("(?=(价保|七天无理由))") == re.compile("(?=(价保|七天无理由))")
    regex_cache.save()  # rewritten whole
    monkeypatch.setattr(regex_cache, "_entries", None)
    assert ("sre", "(?=(价保|七天无理由))") in regex_cache._table()

    monkeypatch.setattr(regex_cache, "_entries", {("sre", "(a)"): marshal.dumps((0, [1, 2, 3], 0, {}, (None,)))})  # not valid code
    assert regex_cache.compile_pattern("(a)") == re.compile("(a)")
    with pytest.raises(re.error):
        regex_cache.compile_pattern("(unclosed")  # what re.compile says

    monkeypatch.setenv("XDG_CACHE_HOME", str(fresh / "file-not-folder"))
    (fresh / "file-not-folder").write_text("x")
    regex_cache.save()  # no folder can be made there: nothing raised, nothing written
    assert not list(fresh.glob("file-not-folder*/**"))


def test_literals_are_kept_as_computed(fresh):
    from pipeline.rubric.matching import required_literals

    regex = "(你|您)?自己(去)?看"
    assert regex_cache.cached("required_literals", regex, required_literals) == required_literals(regex)
    regex_cache.save()
    regex_cache._entries = None
    assert marshal.loads(regex_cache._table()[("required_literals", regex)]) == required_literals(regex)
    assert regex_cache.cached("required_literals", regex, lambda r: pytest.fail("computed again")) == required_literals(regex)
