"""scripts/compare_turn_readings.py: item counts and agreement of two readings, on a hand-computed case."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compare_turn_readings.py"


def _load():
    spec = importlib.util.spec_from_file_location("compare_turn_readings", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compare_counts_items_for_each_model_and_their_agreement():
    gold, emp = ["negative", "neutral", "positive", "negative"], [True, False, False, True]
    a = {"gold": gold, "emp": emp, "own": ["negative", "neutral", "neutral", "neutral"],
         "ctx": ["negative", "neutral", "positive", "negative"], "old": [True, False, False, False],
         "new": [True, False, False, True], "probs": np.array([[0.9, 0.1, 0], [0.1, 0.8, 0.1], [0.1, 0.5, 0.4], [0.4, 0.6, 0]])}
    b = dict(a, own=["negative", "neutral", "positive", "negative"], new=[True, True, False, False],
             probs=np.array([[0.8, 0.2, 0], [0.1, 0.8, 0.1], [0.1, 0.3, 0.6], [0.6, 0.4, 0]]))
    rows = {name: (x, y) for name, x, y in _load().compare(a, b)}
    assert rows["model label correct"] == (2, 4)
    assert rows["context-read correct"] == (4, 4)
    assert rows["needs-empathy found, state trigger (of 2)"] == (2, 1)
    assert rows["needs-empathy false alarms, state trigger"] == (0, 1)
    assert rows["B's labels equal A's: model / context-read / trigger"][1] == "0.5000 / 1.0000 / 0.5000"
    assert rows["mean / max abs ΔP(negative)"][1] == "0.0750 / 0.200"
