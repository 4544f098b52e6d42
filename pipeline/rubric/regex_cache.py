"""The lexicons' regular expressions compiled once per machine and Python, not at every start.

Why: a rubric's lexicons make ~800 regular expressions (phrase tries, `re:` entries), and Python's
`re` parses and compiles each one in Python: most of the ~0.5 CPU s a run spent building its rubric
before scoring (10,000-conversation bench), again on every Dask worker. What `re.compile` ends with
is `_sre.compile(pattern, flags, code, …)`, the C engine taking the compiled code (a list of ints);
that code, and the literals `matching.required_literals` finds in a pattern, depend only on the
pattern text and the Python build. So they are kept in one file per build under the user's cache
(`$XDG_CACHE_HOME/zhijian/regex` or `~/.cache/zhijian/regex`, like the ONNX export cache), read at
the first lexicon compiled and written back when the process ends with new patterns. The C engine
checks code it is given before it accepts it; anything unexpected (a damaged or foreign file, an
unwritable folder, a Python whose `re` works otherwise) falls back to `re.compile`: the cache only
saves time, a pattern from it is the pattern `re.compile` makes (equal: same text, flags and code).
"""
from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:  # CPython's own engine and compiler (Python 3.11+)
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - another implementation: plain re.compile
    _sre = None  # type: ignore[assignment]

# More entries than this in the file (many rubrics over time): it starts afresh
MAX_ENTRIES = 20_000

# (kind, text) -> what was cached, marshalled: held as bytes (~2 MB for the default rubric), not as its
# sre code's Python ints, which stayed alive for the whole run (peak RSS after the default rubric's
# lexicons: 70 MiB so, 74 as ints, 67 without the cache); None until read
_entries: dict[tuple[str, str], bytes] | None = None
_new = 0  # entries added since the file was read


def cache_file() -> Path:
    """This Python build's file: its code format is the build's (`_sre.MAGIC`, the version string)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    build = f"v2|{sys.version}|{getattr(_sre, 'MAGIC', '')}|{getattr(_sre, 'CODESIZE', '')}|{sys.maxunicode}"
    return Path(base) / "zhijian" / "regex" / f"{hashlib.sha256(build.encode()).hexdigest()[:16]}.marshal"


def _read() -> dict[tuple[str, str], bytes]:
    try:
        data = marshal.loads(cache_file().read_bytes())
        return data if isinstance(data, dict) else {}
    except Exception:  # absent, unreadable or damaged: compiled afresh
        return {}


def _table() -> dict[tuple[str, str], bytes]:
    global _entries
    if _entries is None:
        _entries = _read()
        atexit.register(save)
    return _entries


def _remember(key: tuple[str, str], value: Any) -> None:
    global _new
    _table()[key] = marshal.dumps(value)
    _new += 1


def save() -> None:
    """Write the entries (with those another process wrote meanwhile) if this process added any."""
    global _new
    if not _new or _entries is None:
        return
    path = cache_file()
    merged = {**_read(), **_entries}
    if len(merged) > MAX_ENTRIES:
        merged = dict(_entries)
    tmp = None
    try:
        data = marshal.dumps(merged)  # a dict of bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        tmp, _new = None, 0
    except (OSError, ValueError):  # a read-only home, or a value marshal cannot keep: no cache, nothing lost
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _sre_arguments(pattern: str) -> tuple:
    """What `re._compiler.compile(pattern)` hands `_sre.compile`, in its order."""
    parsed = _parser.parse(pattern, 0)
    code = [int(op) for op in _compiler._code(parsed, 0)]  # plain ints: opcodes are int subclasses
    groupindex = parsed.state.groupdict
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    return (parsed.state.flags, code, parsed.state.groups - 1, dict(groupindex), tuple(indexgroup))


def compile_pattern(pattern: str) -> re.Pattern:
    """`re.compile(pattern)` (no flags), from this build's cached code when it has the pattern."""
    if _sre is None:
        return re.compile(pattern)
    key = ("sre", pattern)
    found = _table().get(key)
    if found is not None:
        try:
            flags, code, groups, groupindex, indexgroup = marshal.loads(found)
            return _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)
        except Exception:  # not this engine's code after all
            pass
    try:  # re.compile's own steps (tests/pipeline/rubric/test_regex_cache.py: equal patterns)
        arguments = _sre_arguments(pattern)
        compiled = _sre.compile(pattern, *arguments)
    except Exception:  # whatever re.compile says about it (a bad pattern raises re.error there)
        return re.compile(pattern)
    _remember(key, arguments)
    return compiled


def cached(kind: str, text: str, compute: Callable[[str], Any]) -> Any:
    """`compute(text)` for a pure `compute` whose result marshal can keep (str, frozenset, None …)."""
    key = (kind, text)
    found = _table().get(key)
    if found is not None:
        try:
            return marshal.loads(found)
        except Exception:  # damaged: computed again
            pass
    value = compute(text)
    try:
        _remember(key, value)
    except ValueError:  # pragma: no cover - marshal cannot keep it: computed each time
        pass
    return value
