"""`zhijian train-sentiment --from DIR --extra LABELS`: adapt a trained sentiment model to one shop.

Its own module because zhijian/cli.py is near its size limit; the work is models/adapt.py's, this
only checks the arguments before minutes of training and turns a refusal into a CLI failure.
"""
from __future__ import annotations

from pathlib import Path

import typer

from zhijian.common import fail


def adapt_command(from_dir: Path, extra: Path | None, out: str, holdout: float, test: Path | None,
                  limit: int | None, seed: int, also_eval: list[Path]) -> dict:
    """Runs in this process, without a Prefect flow run: it takes minutes and reports on the terminal."""
    from models.adapt import SHIPPED_DIR, adapt

    if extra is None:
        raise fail("--from adapts a model to a shop's labelled turns: give them with --extra LABELS "
                   "(sentiment_turns.tsv of `zhijian export-labels`, or a TSV with text and sentiment columns)")
    for option, path in (("--extra", extra), ("--test", test), *(("--eval", p) for p in also_eval)):
        if path is not None and not path.is_file():
            raise fail(f"{option} {path}: no such file")
    if not (from_dir / "config.json").is_file():
        raise fail(f"--from {from_dir}: not a saved transformer sentiment model (no config.json there)")
    if Path(out).resolve() in (from_dir.resolve(), SHIPPED_DIR.resolve()):
        raise fail(f"--out {out}: give a new directory for the adapted model "
                   f"(it would replace {'the model being adapted' if Path(out).resolve() == from_dir.resolve() else 'the shipped model'})")
    if test is None and not 0 < holdout < 1:
        raise fail(f"--holdout {holdout}: give a fraction between 0 and 1 (0.3 holds out 30 % for the report)")
    if limit is not None and limit < 1:
        raise fail(f"--limit {limit}: give a positive number of turns")
    try:
        report = adapt(from_dir, extra, out, holdout=holdout, test_path=test, limit=limit, seed=seed, eval_paths=also_eval,
                       log=lambda line: typer.echo(line, err=True))
    except ValueError as err:
        raise fail(str(err)) from None
    typer.echo(f"adapted model {report['model_id']} → {out} (report: {Path(out) / 'ADAPTATION.md'}); "
               f"score with it: zhijian score … --model {out}")
    return report
