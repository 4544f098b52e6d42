"""scripts/eval_labelled_chats.py: agreement figures on a small hand-computed case."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "eval_labelled_chats.py"


def _load():
    spec = importlib.util.spec_from_file_location("eval_labelled_chats", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _result(cid, greeting, empathy, flags, end, turns):
    return {"conversation_id": cid, "flagged": bool(flags), "flags": [{"code": c} for c in flags],
            "criteria": {"greeting": {"status": greeting}, "closing": {"status": "pass"}, "empathy": {"status": empathy}},
            "sentiment": {"customer_end": end, "turns": [{"seq": s, "label": l} for s, l in turns]}}


def _label(cid, greeting, empathy, forbidden, end, should_flag):
    return {"conversation_id": cid, "greeting": greeting, "closing": "pass", "empathy": empathy,
            "forbidden_phrase": forbidden, "first_response_sla_breach": False, "customer_abusive": False,
            "customer_end_sentiment": end, "should_flag": should_flag}


def test_hand_computed_case(tmp_path, capsys):
    m = _load()
    results = [
        _result("c1", "pass", "fail", ["empathy_missing"], "negative", [(1, "negative"), (3, "negative")]),
        _result("c2", "fail", "na", ["negative_end"], "negative", [(1, "neutral"), (3, "negative")]),
        _result("c3", "pass", "na", [], "positive", [(1, "neutral")]),
    ]
    labels = [
        _label("c1", "pass", "fail", False, "negative", True),   # flag right
        _label("c2", "pass", "na", False, "neutral", False),     # greeting wrong, flag a false positive
        _label("c3", "pass", "na", True, "positive", True),      # forbidden phrase missed
        _label("c4", "pass", "na", False, "neutral", False),     # not in the results
    ]
    turns = [{"conversation_id": "c1", "seq": 1, "sentiment": "negative"},
             {"conversation_id": "c1", "seq": 3, "sentiment": "negative"},
             {"conversation_id": "c2", "seq": 1, "sentiment": "neutral"},
             {"conversation_id": "c2", "seq": 3, "sentiment": "neutral"},
             {"conversation_id": "c3", "seq": 1, "sentiment": "positive"}]
    r = m.evaluate(results, labels, turns)
    assert r["conversations"] == 3 and r["missing"] == ["c4"]
    assert r["criteria"]["greeting"]["agreement"] == round(2 / 3, 3)
    assert r["flags"]["should_flag"] == {"tp": 1, "fp": 1, "fn": 1, "precision": 0.5, "recall": 0.5}
    assert r["flags"]["forbidden_phrase"]["fn"] == 1
    assert r["end_sentiment"]["accuracy"] == round(2 / 3, 3)
    # negative: tp 2 fp 1 fn 0 -> P 2/3 R 1 F1 0.8; neutral: tp 1 fp 1 fn 1 -> 0.5; positive: tp 0 fn 1 -> 0
    assert r["turns"]["macro_f1"] == round((0.8 + 0.5 + 0.0) / 3, 3)
    paths = {}
    for name, rows in (("r", results), ("l", labels), ("t", turns)):
        paths[name] = tmp_path / f"{name}.jsonl"
        paths[name].write_text("\n".join(json.dumps(x) for x in rows), encoding="utf-8")
    assert m.main([str(paths["r"]), str(paths["l"]), str(paths["t"]), "--json", str(tmp_path / "o.json")]) == 0
    out = capsys.readouterr().out
    assert "c2  greeting: expected pass, got fail" in out
    assert json.loads((tmp_path / "o.json").read_text())["turns"]["n"] == 5
