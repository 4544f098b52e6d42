"""pipeline.state_eval --conversations: the empathy trigger per conversation, as the criterion reads it."""
from __future__ import annotations

import json

import numpy as np

from models.state import StateOutput
from pipeline.state_eval import conversation_trigger, format_conversations


class Stub:
    """A state model stand-in: P(needs empathy) 0.95 for the turns named in ``upset``, 0.01 for the rest."""

    model_id = "stub@1"

    def __init__(self, upset: set[str]) -> None:
        self.upset = upset

    def predict(self, texts, prevs, proba):
        e = np.array([0.95 if t in self.upset else 0.01 for t in texts])
        s = np.array([[0.9, 0.08, 0.02] if t in self.upset else [0.02, 0.9, 0.08] for t in texts])
        return StateOutput(e, s)


def _write(d, name, customer_turns, empathy):
    msgs = []
    for i, text in enumerate(customer_turns):
        msgs += [{"seq": 2 * i + 1, "timestamp": f"2026-01-01T10:{i:02d}:00+08:00", "role": "customer", "text": text},
                 {"seq": 2 * i + 2, "timestamp": f"2026-01-01T10:{i:02d}:30+08:00", "role": "agent", "agent_id": "A", "text": "好的亲 我看一下"}]
    (d / f"{name}.json").write_text(json.dumps({"conversation_id": name, "messages": msgs, "labels": {"empathy": empathy},
                                                "expected_flags": []}, ensure_ascii=False), encoding="utf-8")


def test_a_wrong_trigger_on_one_calm_turn_counts_the_whole_conversation(tmp_path):
    d = tmp_path / "set_a"
    d.mkdir()
    calm_long = ["你好 在吗", "订单尾号是三五", "我刚到家了", "颜色是白的", "尺码是均码", "好的"]
    _write(d, "calm_long", calm_long, "na")
    _write(d, "upset", ["你好", "我这边东西坏了三次了 真的太让人生气"], "fail")
    _write(d, "quiet_upset", ["你好", "唉 又是这样"], "pass")
    stub = Stub({"我刚到家了", "我这边东西坏了三次了 真的太让人生气"})
    rows = conversation_trigger([d], stub, [{}, {"min_state_score": 0.99}])
    first, strict = rows
    assert (first["set"], first["n"], first["tp"], first["fp"], first["fn"]) == ("set_a", 3, 1, 1, 1)
    assert dict(first["false_by_path"]) == {"state": 1} and first["false"] == ["calm_long.json"]
    assert dict(first["missed_by_p"]) == {"<0.5": 1} and first["missed"] == ["quiet_upset.json"]
    assert first["by_length"]["4-6"] == {"calm": 1, "false": 1, "upset": 0, "missed": 0}
    assert first["by_length"]["1-3"] == {"calm": 0, "false": 0, "upset": 2, "missed": 1}
    # the same readings at a stricter cut-off: the calm turn at 0.95 no longer triggers by itself
    assert strict["setting"] == {"min_state_score": 0.99} and strict["fp"] == 0
    text = format_conversations(rows)
    assert text.count("empathy trigger per conversation") == 2 and "stub@1" in text
    assert "state 1" in text and "4-6: calm 1/1 triggered" in text
