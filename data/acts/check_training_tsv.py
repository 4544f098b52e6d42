"""Check the issue-13 training files (and their zh-cs-acts@2…@7 / zh-cs-state@2 additions): UTF-8, header and column count, allowed labels, no duplicates.

Run from the repository root:  .venv/bin/python data/acts/check_training_tsv.py
Prints counts per label; exits 1 on any problem.
"""
import sys
from collections import Counter
from pathlib import Path

FILES = {
    "data/acts/agent_acts_train.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_short.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_real.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_clarify.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_mechanisms.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_wacts1.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_wacts2.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_wacts3.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_wacts4.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_act14.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/acts/agent_acts_lookalikes.tsv": {
        "header": ["text", "act", "note"],
        "labels": {"act": {"refusal", "blame_shifting", "arguing", "condescension", "none"}},
        "key": ("text",),
    },
    "data/sentiment/chat_turns_context.tsv": {
        "header": ["prev_agent", "text", "sentiment", "needs_empathy", "note"],
        "labels": {"sentiment": {"negative", "neutral", "positive"}, "needs_empathy": {"yes", "no"}},
        "key": ("prev_agent", "text"),
    },
    "data/sentiment/chat_turns_context_calm.tsv": {
        "header": ["prev_agent", "text", "sentiment", "needs_empathy", "note"],
        "labels": {"sentiment": {"negative", "neutral", "positive"}, "needs_empathy": {"yes", "no"}},
        "key": ("prev_agent", "text"),
    },
    "data/sentiment/chat_turns_context_reports.tsv": {
        "header": ["prev_agent", "text", "sentiment", "needs_empathy", "note"],
        "labels": {"sentiment": {"negative", "neutral", "positive"}, "needs_empathy": {"yes", "no"}},
        "key": ("prev_agent", "text"),
    },
    "data/sentiment/chat_turns_context_real.tsv": {
        "header": ["prev_agent", "text", "sentiment", "needs_empathy", "note"],
        "labels": {"sentiment": {"negative", "neutral", "positive"}, "needs_empathy": {"yes", "no"}},
        "key": ("prev_agent", "text"),
    },
    "data/sentiment/chat_turns_context_chasing.tsv": {
        "header": ["prev_agent", "text", "sentiment", "needs_empathy", "note"],
        "labels": {"sentiment": {"negative", "neutral", "positive"}, "needs_empathy": {"yes", "no"}},
        "key": ("prev_agent", "text"),
    },
}


def check(path: str, spec: dict) -> list[str]:
    errors = []
    raw = Path(path).read_bytes()
    try:
        lines = raw.decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        return [f"{path}: not UTF-8 ({exc})"]
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.append(f"{path}: has a BOM")
    if "\r" in raw.decode("utf-8"):
        errors.append(f"{path}: has CR characters")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    header = lines[0].split("\t")
    if header != spec["header"]:
        errors.append(f"{path}: header {header} != {spec['header']}")
    n = len(spec["header"])
    seen: dict = {}
    counts = {col: Counter() for col in spec["labels"]}
    combo = Counter()
    for i, line in enumerate(lines[1:], start=2):
        cols = line.split("\t")
        if len(cols) != n:
            errors.append(f"{path}:{i}: {len(cols)} columns, want {n}")
            continue
        row = dict(zip(spec["header"], cols))
        if not row["text"].strip():
            errors.append(f"{path}:{i}: empty text")
        if any(c != c.strip() for c in cols):
            errors.append(f"{path}:{i}: leading/trailing whitespace in a column")
        for col, allowed in spec["labels"].items():
            if row[col] not in allowed:
                errors.append(f"{path}:{i}: {col}={row[col]!r} not in {sorted(allowed)}")
            counts[col][row[col]] += 1
        if len(spec["labels"]) > 1:
            combo[tuple(row[c] for c in spec["labels"])] += 1
        key = tuple(row[k] for k in spec["key"])
        if key in seen:
            errors.append(f"{path}:{i}: duplicate {spec['key']} (first at line {seen[key]})")
        seen[key] = i
    print(f"{path}: {len(lines) - 1} rows")
    for col, c in counts.items():
        print(f"  {col}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    if combo:
        print("  combined: " + ", ".join(f"{'/'.join(k)} {v}" for k, v in sorted(combo.items())))
    return errors


def main() -> int:
    errors = []
    for path, spec in FILES.items():
        errors += check(path, spec)
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
