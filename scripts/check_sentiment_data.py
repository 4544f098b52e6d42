#!/usr/bin/env python
"""Check the hand-written sentiment data in data/sentiment/.

Verifies, for chat_turns.tsv, chat_turns_holdout.tsv and chat_turns_endings.tsv:
  * every non-empty line is `label<TAB>text` with exactly one tab,
  * label is one of negative / neutral / positive,
  * text is non-empty, has no tab and no leading/trailing whitespace,
  * no duplicate texts within a file and none shared across files,
  * no holdout text that equals a main text after dropping punctuation,
    emoji, spaces and case (near-duplicate leakage), and no end-of-chat training
    turn that (near-)repeats a main, holdout or closings-probe text.
Prints counts per class per file (and a Markdown table with --markdown).
Exits 1 on any error.

Usage: python scripts/check_sentiment_data.py [--markdown] [DATA_DIR]
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
FILES = ("chat_turns.tsv", "chat_turns_holdout.tsv", "chat_turns_endings.tsv")
# Written after the files they are checked against: no text of theirs may (near-)repeat one there.
LATER = {"chat_turns_holdout.tsv": ("chat_turns.tsv",),
         "chat_turns_endings.tsv": ("chat_turns.tsv", "chat_turns_holdout.tsv", "chat_turns_closings.tsv")}


def normalise(text: str) -> str:
    """Lower-case and drop whitespace, punctuation and emoji, for near-duplicate checks."""
    return re.sub(r"[\s\W_]+", "", text.lower())


def check_file(path: Path, errors: list[str]) -> tuple[Counter, dict[str, int]]:
    counts: Counter = Counter()
    texts: dict[str, int] = {}
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(f"{path.name}: not UTF-8 ({exc})")
        return counts, texts
    if content.startswith("\ufeff"):
        errors.append(f"{path.name}: has a BOM")
    if "\r" in content:
        errors.append(f"{path.name}: contains CR characters")
    for n, line in enumerate(content.split("\n"), 1):
        if line == "":
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            errors.append(f"{path.name}:{n}: expected exactly one tab, got {len(parts) - 1}")
            continue
        label, text = parts
        if label not in LABELS:
            errors.append(f"{path.name}:{n}: bad label {label!r}")
        if not text.strip():
            errors.append(f"{path.name}:{n}: empty text")
            continue
        if text != text.strip():
            errors.append(f"{path.name}:{n}: leading/trailing whitespace")
        if text in texts:
            errors.append(f"{path.name}:{n}: duplicate of line {texts[text]}: {text!r}")
            continue
        texts[text] = n
        if label in LABELS:
            counts[label] += 1
    return counts, texts


def main(argv: list[str]) -> int:
    markdown = "--markdown" in argv
    args = [a for a in argv if a != "--markdown"]
    data_dir = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "data" / "sentiment"
    errors: list[str] = []
    results = {}
    for name in FILES:
        path = data_dir / name
        if not path.exists():
            print(f"WARNING: {name} missing, skipped", file=sys.stderr)
            continue
        results[name] = check_file(path, errors)
    for later, earlier_files in LATER.items():
        if later not in results:
            continue
        b = results[later][1]
        for earlier in earlier_files:
            if earlier in results:
                a = results[earlier][1]
            elif (data_dir / earlier).exists():
                a = check_file(data_dir / earlier, [])[1]
            else:
                continue
            for text in sorted(set(a) & set(b)):
                errors.append(f"text in both {earlier}:{a[text]} and {later}:{b[text]}: {text!r}")
            # near-duplicates (differing only in punctuation/emoji/spacing/case) would leak too
            earlier_norm = {normalise(t): t for t in a}
            for text, n in b.items():
                key = normalise(text)
                if key and key in earlier_norm and text not in a:
                    errors.append(f"{later}:{n} near-duplicate of {earlier} text {earlier_norm[key]!r}: {text!r}")
    if markdown:
        print("| file | negative | neutral | positive | total |")
        print("|---|---:|---:|---:|---:|")
    for name, (counts, _) in results.items():
        total = sum(counts.values())
        if markdown:
            cells = " | ".join(f"{counts[l]} ({100 * counts[l] / max(total, 1):.1f}%)" for l in LABELS)
            print(f"| {name} | {cells} | {total} |")
        else:
            cells = "  ".join(f"{l}={counts[l]} ({100 * counts[l] / max(total, 1):.1f}%)" for l in LABELS)
            print(f"{name}: total={total}  {cells}")
    for e in errors[:200]:
        print("ERROR:", e, file=sys.stderr)
    if errors:
        print(f"{len(errors)} error(s)", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
