"""The process `zhijian bench` measures: exactly what `zhijian score` runs, then its RunSummary's figures to a file.

    python -m zhijian.bench_child '{"paths": [...], "store": URL, "results": FILE, "flow": true, "model": null, "summary": FILE}'

A module of its own because it calls the CLI's own flow path (zhijian.score_cmd.score_with_flow, with
its preflight and fallback), and zhijian.cli registers `zhijian bench`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def main(spec_json: str) -> None:
    """The measured process: exactly what `zhijian score` runs, then its RunSummary's figures to a file."""
    spec = json.loads(spec_json)
    options = dict(store_url=spec["store"], results_path=spec["results"], rubric_path=None, model=spec["model"],
                   mapping=None, rescore=False, command="zhijian bench")  # fmt: skip
    if spec["flow"]:
        from zhijian.score_cmd import score_with_flow

        summary = score_with_flow(spec["paths"], options)
    else:
        from pipeline.scoring import run

        summary = run(spec["paths"], **options)
    figures = {k: getattr(summary, k) for k in ("read", "stored", "duplicates", "quarantined", "conversations",
                                                 "scored", "flagged", "scoring_errors", "stage_seconds", "seconds")}  # fmt: skip
    Path(spec["summary"]).write_text(json.dumps(figures), encoding="utf-8")
    print(summary.summary_line())


if __name__ == "__main__":
    from zhijian.common import freeze_heap_for_exit

    try:
        main(sys.argv[1])
    finally:
        freeze_heap_for_exit()  # as zhijian.cli.main does: the bench measures what `zhijian score` costs
