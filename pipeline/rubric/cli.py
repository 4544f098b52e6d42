"""`zhijian rubric check FILE`: validate a rubric and say what is wrong, all at once."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from pipeline.rubric.engine import load_rubric
from pipeline.rubric.registry import CRITERIA, FLAGS
from pipeline.rubric.schema import RubricError


def check_rubric(path: str | Path, out: TextIO | None = None) -> int:
    """Print "OK" and a summary of the rubric, or every error with its location. Returns the exit code (0/1)."""
    out = out or sys.stdout
    try:
        rubric = load_rubric(path)
    except RubricError as exc:
        print(str(exc), file=out)
        print(f"registered criterion types: {', '.join(sorted(CRITERIA))}", file=out)
        print(f"registered flag types: {', '.join(sorted(FLAGS))}", file=out)
        return 1
    cfg = rubric.config
    total = sum(c.max_points for c in rubric.criteria)
    print(f"OK {rubric.source}: rubric {rubric.id} — {len(rubric.criteria)} criteria, {total:g} points, "
          f"{len(rubric.flags)} flags", file=out)
    print(f"  SLA: first response ≤ {cfg.sla.first_response_seconds:g} s, every reply ≤ {cfg.sla.reply_seconds:g} s; "
          f"low_score < {cfg.low_score:g}", file=out)
    for c in rubric.criteria:
        red = "  [红线 red line]" if c.id in rubric.red_lines else ""
        print(f"  {c.id:<20} {c.name:<24} {c.max_points:>5g}{red}", file=out)
    print("  flags: " + ", ".join(f.code + (" (red line)" if f.red_line else "") for f in rubric.flags), file=out)
    return 0


def main(argv: list[str] | None = None) -> int:  # python -m pipeline.rubric.cli FILE
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m pipeline.rubric.cli RUBRIC.yaml", file=sys.stderr)
        return 2
    return check_rubric(argv[0])


if __name__ == "__main__":
    raise SystemExit(main())
