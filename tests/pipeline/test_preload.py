"""The process cache of loaded models and rubrics: found while held, never kept alive, reloaded when the file changes."""
from __future__ import annotations

import gc
import os

from pipeline import preload


class Loaded:
    pass


def test_found_while_held_and_loaded_again_once_released(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text("a", encoding="utf-8")
    key = ("rubric", *preload.files_key(path))
    loads = []

    def load():
        loads.append(1)
        return Loaded()

    held = preload.cached(key, load)
    assert preload.cached(key, load) is held and len(loads) == 1
    del held
    gc.collect()
    preload.cached(key, load)
    assert len(loads) == 2  # the cache did not keep the first one alive


def test_a_rewritten_file_or_directory_has_another_key(tmp_path):
    model = tmp_path / "model"
    (model / "wide").mkdir(parents=True)
    (model / "wide" / "tfidf.npz").write_bytes(b"x")
    before = preload.files_key(model)
    os.utime(model / "wide" / "tfidf.npz", ns=(1, 1))
    assert preload.files_key(model) != before
    assert preload.files_key("some/hub-name") == ()
