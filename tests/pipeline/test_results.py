"""conversation_to_result follows shared/spec/results-contract.md exactly."""
from __future__ import annotations

import io
import json

import pytest

from pipeline.results import (
    JSONText, _dumps, conversation_to_result, dumps_result, result_fields, result_json, result_row_to_contract,
    write_results,
)  # fmt: skip
from pipeline.sentiment import annotate_sentiment
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, conversation, msg

CONTRACT_KEYS = [
    "conversation_id", "agent_id", "agents", "started_at", "ended_at", "score", "rubric", "model",
    "criteria", "sentiment", "flags", "flagged",
]  # fmt: skip


def scored(conv):
    annotate_sentiment([conv], FakeModel())
    FakeRubric().score(conv)
    return conv


def test_contract_shape():
    conv = conversation("h001", negative_end=True)
    conv.messages.append(msg("h001", 4, "agent", "我是B", minutes=5, agent="B02"))
    conv.messages.append(msg("h001", 5, "agent", "好的", minutes=6, agent="B02"))
    conv.messages.append(msg("h001", 6, "customer", "", minutes=7))  # a picture: no text, no sentiment turn
    r = conversation_to_result(scored(conv))
    assert list(r) == CONTRACT_KEYS
    assert r["agent_id"] == "B02" and r["agents"] == ["A07", "B02"]
    assert r["started_at"] == "2026-10-03T14:02:11+08:00" and r["ended_at"] == "2026-10-03T14:09:11+08:00"
    assert r["rubric"] == "fake@1" and r["model"] == "fake-sentiment@1" and r["score"] == 100.0
    greeting = r["criteria"]["greeting"]
    assert greeting == {
        "status": "pass", "points": 10, "max_points": 10,
        "evidence": [{"seq": 2, "text": "您好，很高兴为您服务", "span": [0, 2], "rule": "greeting.lexicon"}],
    }  # fmt: skip
    assert r["criteria"]["empathy"]["status"] == "na"
    s = r["sentiment"]
    assert (s["customer_start"], s["customer_end"]) == ("negative", "negative")
    assert [t["seq"] for t in s["turns"]] == [1, 3]
    assert set(s["turns"][0]["scores"]) == {"negative", "neutral", "positive"}
    assert r["flags"] == [{"code": "negative_end", "reason": "客户结束时情绪负面", "seq": 3, "red_line": False}]
    assert r["flagged"] is True
    json.dumps(r)  # serialisable as is


def test_write_results_keeps_chinese_readable(tmp_path):
    r = conversation_to_result(scored(conversation("h001")))
    buf = io.StringIO()
    assert write_results([r, r], buf) == 2
    assert "您好" in buf.getvalue() and buf.getvalue().count("\n") == 2
    out = tmp_path / "x" / "out.jsonl"
    write_results([r], out)
    assert json.loads(out.read_text(encoding="utf-8")) == r


def test_unscored_conversation_has_nulls():
    conv = conversation("h009")
    r = conversation_to_result(conv)
    assert r["score"] is None and r["sentiment"] == {"customer_start": None, "customer_end": None, "turns": []}
    assert r["flagged"] is False


def _odd_fields() -> dict:
    """result_fields with what a contract object writes differently from the stored value (None and empty
    columns), floats Python prints with an exponent, and text JSON must escape."""
    fields = result_fields(scored(conversation("h002", negative_end=True)))
    fields["criteria"]["greeting"]["evidence"][0]["text"] = 'a "quote", a back\\slash, a\nnewline, \x01, \u2028 和 😀'
    fields["sentiment"]["turns"][0]["scores"] = {"negative": 1e-05, "neutral": 3.2e-07, "positive": 0.99999}
    return fields


@pytest.mark.parametrize("case", ["flagged", "not flagged", "unscored", "odd values", "nones", "empties"])
def test_result_json_line_is_the_contract_line(case):
    """result_json encodes criteria, sentiment and flags once; the results line it splices from that text
    is dumps_result of the contract object, byte for byte, and the stored text reads back as the fields."""
    if case == "flagged":
        fields = result_fields(scored(conversation("h001", negative_end=True)))
    elif case == "not flagged":
        fields = result_fields(scored(conversation("h001")))
    elif case == "unscored":
        fields = result_fields(conversation("h009"))
    else:
        fields = _odd_fields()
        if case == "nones":
            fields.update(criteria=None, sentiment=None, flags=None, agents=None, started_at=None, score=None)
        elif case == "empties":
            fields.update(criteria={}, sentiment={}, flags=[], agents=[], flagged=False)
    columns, line = result_json(fields)
    contract = result_row_to_contract(fields)
    assert line.decode("utf-8") == dumps_result(contract) == json.dumps(contract, ensure_ascii=False, separators=(",", ":"))
    assert set(columns) == {"criteria", "sentiment", "flags"}
    for name, text in columns.items():
        assert type(text) is JSONText and json.loads(text.text) == fields[name]
        assert text.text == json.dumps(fields[name], ensure_ascii=False, separators=(",", ":"))  # the results file's way


@pytest.mark.parametrize("value", [
    1e-05, 3.2e-07, 7.04918075011784e-05, 0.0001, 0.1, 1.0, -0.0, 1e15, 1e16, 1.5e300, 5e-324, 2**63 - 1, 2**70, -(2**64),
    {1: "int key"}, {"a": [None, True, False, 0.25, "x"]}, "控制 \x00\x1f\x7f \\ \" \u2028 😀", "e-mail 0.0000", (1, 2),
])  # fmt: skip
def test_dumps_writes_what_the_json_module_writes(value):
    """The results file's JSON, whichever encoder wrote it: the json module's bytes (ensure_ascii=False, no spaces)."""
    assert _dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
