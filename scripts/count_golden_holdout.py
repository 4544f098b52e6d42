#!/usr/bin/env python3
"""Validate and count the held-out rubric golden set (tests/golden/rubric_holdout).

Usage: python scripts/count_golden_holdout.py [DIR] [--markdown] [--update-readme]

Same checks and tables as scripts/count_golden.py (which it reuses unchanged),
except that conversation ids are hNNN instead of gNNN.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import count_golden  # noqa: E402

_validate = count_golden.validate


def validate_holdout(path: Path, data: dict) -> list[str]:
    errs = [e for e in _validate(path, data) if "does not match file number" not in e]
    m = re.fullmatch(r"(\d{3})_[a-z0-9_]+\.json", path.name)
    if m and data.get("conversation_id") != f"h{m.group(1)}":
        errs.append(f"conversation_id {data.get('conversation_id')} does not match file number (want h{m.group(1)})")
    return errs


def main(argv: list[str]) -> int:
    count_golden.validate = validate_holdout
    if not [a for a in argv if not a.startswith("--")]:
        argv = [str(Path(__file__).resolve().parent.parent / "tests" / "golden" / "rubric_holdout"), *argv]
    return count_golden.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
