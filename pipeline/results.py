"""One results-contract JSON object per conversation (shared/spec/results-contract.md)."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from pipeline.conversation import Conversation
from pipeline.outputs import atomic_write


def sentiment_summary(conv: Conversation) -> dict:
    """customer_start / customer_end labels and one turn per customer message that has a sentiment.

    The sentiment stage fills every customer message with text, so `turns` covers them all.
    """
    turns = [_turn(m) for m in conv.messages if m.role == "customer" and m.sentiment is not None]
    return {
        "customer_start": turns[0]["label"] if turns else None,
        "customer_end": turns[-1]["label"] if turns else None,
        "turns": turns,
    }


def _turn(m) -> dict:
    """`label` is the context-read label; `scores` the sentiment model's own probabilities, and
    `model_label` its own label where the customer-state layer read the turn differently."""
    t = {"seq": m.seq, "label": m.sentiment.label, "scores": {k: float(v) for k, v in m.sentiment.scores.items()}}
    if m.sentiment.model_label:
        t["model_label"] = m.sentiment.model_label
    if m.state is not None:
        t["state"] = {"needs_empathy": m.state.needs_empathy, "scores": m.state.scores, "model": m.state.model}
        if m.state.kind:
            t["state"]["kind"] = m.state.kind
    return t


def result_fields(conv: Conversation) -> dict:
    """What a scored conversation's result consists of: the columns of its stored result row
    (Store.save_results adds run, time and counts) and, through result_row_to_contract, its contract object."""
    return {
        "conversation_id": conv.conversation_id,
        "agent_id": conv.agent_id,
        "agents": conv.agents,
        "started_at": conv.started_at,
        "ended_at": conv.ended_at,
        "score": conv.score,
        "rubric_version": conv.rubric_version,
        "model_version": conv.model_version,
        "criteria": {cid: result.to_dict() for cid, result in conv.criteria.items()},
        "sentiment": sentiment_summary(conv),
        "flags": [flag.to_dict() for flag in conv.flags],
        "flagged": conv.flagged,
    }


def result_row_to_contract(row: dict) -> dict:
    """The contract object of a result: from result_fields, or from a stored result row read back.

    The one builder of the contract (timestamps ISO-8601 with their offset): a conversation
    scored now and the same result reused from the store give the same object.
    """
    contract = _contract_head(row)
    contract["criteria"] = row["criteria"] or {}
    contract["sentiment"] = row["sentiment"] or {"customer_start": None, "customer_end": None, "turns": []}
    contract["flags"] = row["flags"] or []
    contract["flagged"] = bool(row["flagged"])
    return contract


def _contract_head(row: dict) -> dict:
    """The contract object's keys before its criteria, in the contract's order."""
    return {
        "conversation_id": row["conversation_id"],
        "agent_id": row["agent_id"],
        "agents": list(row["agents"] or []),
        "started_at": row["started_at"].isoformat() if row["started_at"] else None,
        "ended_at": row["ended_at"].isoformat() if row["ended_at"] else None,
        "score": row["score"],
        "rubric": row["rubric_version"],
        "model": row["model_version"] or None,
    }


def conversation_to_result(conv: Conversation) -> dict:
    """The contract object for a scored conversation."""
    return result_row_to_contract(result_fields(conv))


# json.dumps with these arguments would build an encoder per call (once per conversation)
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_encode = _LINE_ENCODER.encode


def _dumps(value: Any) -> bytes:
    """`value` as the results file writes JSON (`_LINE_ENCODER`: UTF-8, no spaces), as UTF-8 bytes.

    orjson (installed with Prefect) encodes a result ~5× faster than the json module and writes the
    same bytes, except for floats under 1e-4 (orjson 0.00001 and 3.2e-7 where Python writes 1e-05 and
    3.2e-07): output with such a number (it holds a digit then "e-", or "0.0000"; text may too) is encoded again by
    the json module, as is anything orjson refuses (integers over 64 bits, keys that are not text).
    Not the same: NaN and infinities, which orjson writes as null (the json module as NaN, which is not
    JSON); no stage produces them.
    """
    try:
        data = orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError
        return _encode(value).encode("utf-8")
    if b"e-" in data and _EXPONENT.search(data) or b"0.0000" in data:
        return _encode(value).encode("utf-8")
    return data


# orjson's exponent (3.2e-7) follows a digit; "e-" in text does not (presale-0.55, e-mail: 12 % of the bench's
# results, which all went through the json module). The substring test first: the pattern alone cost more.
_EXPONENT = re.compile(rb"[0-9]e-")


def dumps_result(result: dict) -> str:
    """One JSONL line: UTF-8 Chinese kept readable (ensure_ascii=False)."""
    return _dumps(result).decode("utf-8")


def result_line(result: dict) -> bytes:
    """dumps_result's line as UTF-8 bytes (what the results file holds)."""
    return _dumps(result)


class JSONText:
    """`text` that is JSON already. The store's JSON columns keep it as it is (pipeline/store/schema.py's
    `store_json`) instead of encoding a value. Not a str subclass: the driver would be handed a copy of
    each (str() of a subclass copies), a batch's JSON twice in memory."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JSONText) and other.text == self.text

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"JSONText({self.text!r})"


# The result's JSON columns, with what the contract writes when one is empty
JSON_COLUMNS = (("criteria", {}), ("sentiment", {"customer_start": None, "customer_end": None, "turns": []}), ("flags", []))


def result_json(fields: dict) -> tuple[dict[str, JSONText], bytes]:
    """(criteria, sentiment and flags as the store keeps them, the results-file line in UTF-8) of result_fields.

    Each is encoded once, compact UTF-8 as the results file writes JSON, and the line is spliced from
    the same text: it is `dumps_result(result_row_to_contract(fields))`, byte for byte
    (tests/pipeline/test_results.py). Encoding each twice, ASCII-escaped for the store and again for
    the file, was ~7 % of the run's thread at 10,000 conversations. Stored rows written before this
    are ASCII-escaped JSON with spaces; the store reads both alike (json.loads).
    """
    columns: dict[str, JSONText] = {}
    parts = [_dumps(_contract_head(fields))[:-1]]  # without its closing brace
    for name, empty in JSON_COLUMNS:
        value = fields[name]
        data = _dumps(value)
        columns[name] = JSONText(data.decode("utf-8"))
        parts.append(_KEYS[name] + (data if value else _dumps(value or empty)))
    parts.append(b',"flagged":true}' if fields["flagged"] else b',"flagged":false}')
    return columns, b"".join(parts)


_KEYS = {name: f',"{name}":'.encode() for name, _ in JSON_COLUMNS}


def encoded_result(conv: Conversation) -> tuple[dict, dict[str, JSONText], bytes]:
    """A scored conversation's result_fields, its JSON columns and its results-file line (result_json): what the
    run's save writes, computed once wherever the conversation was scored."""
    fields = result_fields(conv)
    columns, line = result_json(fields)
    return fields, columns, line


def json_columns(fields: dict) -> dict[str, JSONText]:
    """The result's JSON columns as the store keeps them (see result_json)."""
    return {name: JSONText(_dumps(fields[name]).decode("utf-8")) for name, _ in JSON_COLUMNS}


def write_results(results: Iterable[dict], out: Path | str | IO[str]) -> int:
    """Write result objects as JSON Lines; returns how many.

    A path is written atomically (pipeline.outputs.atomic_write: a temporary file in the same
    folder, renamed over it; its parent folder is created); check it first with
    pipeline.outputs.check_output_path, as the run's preflight does.
    """
    return write_result_lines(map(dumps_result, results), out)


def write_result_lines(lines: Iterable[str], out: Path | str | IO[str]) -> int:
    """write_results for objects already encoded by `dumps_result` (the run's spool keeps them so)."""
    if hasattr(out, "write"):
        n = 0
        for line in lines:
            out.write(line + "\n")  # type: ignore[union-attr]
            n += 1
        return n
    with atomic_write(Path(out)) as fh:
        return write_result_lines(lines, fh)
