"""What a run loads before touching data (the sentiment model, the rubric), loaded once per process.

`zhijian score` loads them while Prefect's temporary server starts (seconds on a busy machine), and
the flow's prepare step (`pipeline.scoring.prepare_run`) then finds them here instead of loading them
a second time; the CLI's preflight and prepare_run read the same rubric too.

Entries are weak: the cache never keeps a model alive, so a long-lived process (`zhijian serve`)
holds nothing between runs; whoever loaded an object holds it for as long as it should be found.
A key names the file(s) an object was loaded from with their size and modification time, so a
rewritten rubric or a retrained model directory is loaded afresh.
"""
from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_loaded: weakref.WeakValueDictionary[tuple, Any] = weakref.WeakValueDictionary()
_lock = threading.Lock()


def files_key(where: str | Path) -> tuple:
    """(path, size, mtime) of a file, or of every file under a directory; () when `where` is not local."""
    path = Path(where)
    if path.is_file():
        st = path.stat()
        return ((str(path.resolve()), st.st_size, st.st_mtime_ns),)
    if not path.is_dir():
        return ()
    found = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            st = os.stat(os.path.join(root, name))
            found.append((os.path.join(root, name), st.st_size, st.st_mtime_ns))
    return (str(path.resolve()), *found)


def cached(key: tuple, load: Callable[[], T]) -> T:
    """The object loaded under `key` while someone still holds it, else `load()` (remembered weakly)."""
    with _lock:
        found = _loaded.get(key)
    if found is not None:
        return found
    obj = load()
    try:
        with _lock:
            _loaded[key] = obj
    except TypeError:  # an object without weak references is simply not remembered
        pass
    return obj
