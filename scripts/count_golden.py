#!/usr/bin/env python3
"""Validate the hand-labelled rubric golden set and count its labels.

Usage: python scripts/count_golden.py [DIR] [--markdown] [--update-readme]

Checks every *.json file in DIR (default tests/golden/rubric):
required fields, label values in the allowed set, known flag codes,
seq strictly increasing, timestamps parseable ISO-8601 with an offset,
agent rows carrying agent_id, csat in 1..5, file name NNN_slug.json
matching conversation_id gNNN (or xNN_slug.json matching conversation_id xNN). Prints a pass/fail/na table per criterion
and a count per flag (Markdown with --markdown; --update-readme rewrites
the table between the counts markers in DIR/README.md). Exit status 1 on
any validation error.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

CRITERIA = [
    "greeting", "closing", "empathy", "forbidden_phrases", "first_response_sla",
    "active_listening", "time_commitment", "positive_framing", "response_pace",
]
ALLOWED = {
    "greeting": {"pass", "fail"},
    "closing": {"pass", "fail"},
    "forbidden_phrases": {"pass", "fail"},
    "first_response_sla": {"pass", "fail"},
}
FLAGS = ["forbidden_phrase", "sla_breach", "negative_end", "abusive_customer", "empathy_missing"]
ROLES = {"customer", "agent", "bot", "system"}
FLAG_OF = {"forbidden_phrases": "forbidden_phrase", "first_response_sla": "sla_breach", "empathy": "empathy_missing"}


def parse_ts(value: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(value)
    if t.tzinfo is None:
        raise ValueError("timestamp has no UTC offset")
    return t


def validate(path: Path, data: dict) -> list[str]:
    errs: list[str] = []
    for key in ("conversation_id", "description", "messages", "labels", "expected_flags"):
        if key not in data:
            errs.append(f"missing field {key}")
    if errs:
        return errs
    # gNNN sets name files NNN_slug.json; later writers' sets use a letter of their own (m01_slug.json is m01),
    # so several sets can be scored together without their ids colliding.
    m = re.fullmatch(r"(\d{3})_[a-z0-9_]+\.json", path.name)
    lettered = re.fullmatch(r"([a-z]\d{2,3})_[a-z0-9_]+\.json", path.name)
    if lettered:
        if data["conversation_id"] != lettered.group(1):
            errs.append(f"conversation_id {data['conversation_id']} does not match file name")
    elif not m:
        errs.append("file name is not NNN_slug.json or xNN_slug.json")
    elif data["conversation_id"] != f"g{m.group(1)}":
        errs.append(f"conversation_id {data['conversation_id']} does not match file number")
    if not isinstance(data["description"], str) or not data["description"].strip():
        errs.append("empty description")
    msgs = data["messages"]
    if not isinstance(msgs, list) or not msgs:
        errs.append("messages must be a non-empty list")
        msgs = []
    prev_seq = None
    for i, msg in enumerate(msgs):
        where = f"message {i}"
        for key in ("seq", "timestamp", "role", "text"):
            if key not in msg:
                errs.append(f"{where}: missing {key}")
        if not isinstance(msg.get("seq"), int):
            errs.append(f"{where}: seq is not an integer")
        elif prev_seq is not None and msg["seq"] <= prev_seq:
            errs.append(f"{where}: seq {msg['seq']} not increasing")
        else:
            prev_seq = msg["seq"]
        try:
            parse_ts(msg.get("timestamp", ""))
        except (TypeError, ValueError) as exc:
            errs.append(f"{where}: bad timestamp {msg.get('timestamp')!r} ({exc})")
        if msg.get("role") not in ROLES:
            errs.append(f"{where}: unknown role {msg.get('role')!r}")
        if msg.get("role") == "agent" and not msg.get("agent_id"):
            errs.append(f"{where}: agent row without agent_id")
        if not isinstance(msg.get("text", ""), str):
            errs.append(f"{where}: text is not a string")
        if "csat" in msg and msg["csat"] not in (1, 2, 3, 4, 5):
            errs.append(f"{where}: csat {msg['csat']!r} not in 1..5")
    if not any(msg.get("role") == "customer" for msg in msgs):
        errs.append("no customer message")
    labels = data["labels"]
    if set(labels) != set(CRITERIA):
        errs.append(f"labels keys differ: missing {set(CRITERIA) - set(labels)}, extra {set(labels) - set(CRITERIA)}")
    for key, value in labels.items():
        if value not in ALLOWED.get(key, {"pass", "fail", "na"}):
            errs.append(f"label {key}={value!r} not allowed")
    flags = data["expected_flags"]
    if not isinstance(flags, list) or len(set(flags)) != len(flags):
        errs.append("expected_flags must be a list without duplicates")
        flags = []
    for flag in flags:
        if flag not in FLAGS:
            errs.append(f"unknown or excluded flag {flag!r}")
    for label, flag in FLAG_OF.items():
        if (labels.get(label) == "fail") != (flag in flags):
            errs.append(f"{label}={labels.get(label)} but flag {flag} {'present' if flag in flags else 'absent'}")
    return errs


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    root = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "tests" / "golden" / "rubric"
    files = sorted(root.glob("*.json"))
    label_counts = {c: Counter() for c in CRITERIA}
    flag_counts: Counter = Counter()
    n_errors = 0
    ids = set()
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            print(f"{path.name}: unreadable: {exc}")
            n_errors += 1
            continue
        errs = validate(path, data)
        if data.get("conversation_id") in ids:
            errs.append("duplicate conversation_id")
        ids.add(data.get("conversation_id"))
        for err in errs:
            print(f"{path.name}: {err}")
        n_errors += len(errs)
        for key, value in data.get("labels", {}).items():
            if key in label_counts:
                label_counts[key][value] += 1
        flag_counts.update(data.get("expected_flags", []))
    md = "--markdown" in argv or "--update-readme" in argv
    print(f"\n{len(files)} conversations, {n_errors} validation errors\n")
    if md:
        n_none = sum(1 for p in files if not json.loads(p.read_text(encoding="utf-8")).get("expected_flags"))
        lines = [f"{len(files)} conversations.", "", "| criterion | pass | fail | na |", "|---|---:|---:|---:|"]
        for c in CRITERIA:
            k = label_counts[c]
            lines.append(f"| `{c}` | {k['pass']} | {k['fail']} | {k['na']} |")
        lines += ["", "| flag | conversations |", "|---|---:|"]
        lines += [f"| `{f}` | {flag_counts[f]} |" for f in FLAGS]
        lines.append(f"| (no flag) | {n_none} |")
        table = "\n".join(lines)
        print(table)
        if "--update-readme" in argv:
            readme = root / "README.md"
            text = readme.read_text(encoding="utf-8")
            start, end = "<!-- counts:start -->", "<!-- counts:end -->"
            if start not in text or end not in text:
                print("README.md has no counts markers")
                return 1
            head, rest = text.split(start, 1)
            _, tail = rest.split(end, 1)
            readme.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")
            print(f"updated {readme}")
    else:
        print(f"{'criterion':22} {'pass':>5} {'fail':>5} {'na':>5}")
        for c in CRITERIA:
            k = label_counts[c]
            print(f"{c:22} {k['pass']:>5} {k['fail']:>5} {k['na']:>5}")
        print()
        for f in FLAGS:
            print(f"{f:22} {flag_counts[f]:>5}")
    return 1 if n_errors or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
