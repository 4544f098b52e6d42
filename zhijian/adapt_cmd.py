"""`zhijian train-sentiment --from DIR --extra LABELS`: adapt a trained sentiment model to one shop.

Its own module because zhijian/cli.py is near its size limit; the work is models/adapt.py's, this
only checks the arguments before minutes of training, turns a refusal into a CLI failure, and writes
the rubric that pins the adapted customer-state model (``write_shop_rubric``).
"""
from __future__ import annotations

import re
from pathlib import Path

import typer

from zhijian.common import fail


def adapt_command(from_dir: Path, extra: Path | None, out: str, holdout: float, test: Path | None,
                  limit: int | None, seed: int, also_eval: list[Path], state: bool = True) -> dict:
    """Runs in this process, without a Prefect flow run: it takes minutes and reports on the terminal.

    ``state``: also refit the customer-state model on the shop's turns (``--no-state``: the encoder only; on
    one measured shop the refit helped, on another it did not — docs/adaptation.md)."""
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
                       state=state, log=lambda line: typer.echo(line, err=True))
    except ValueError as err:
        raise fail(str(err)) from None
    if report.get("state"):
        rubric = write_shop_rubric(Path(out), report["shop"], report["state"]["model_id"])
        typer.echo(f"adapted models {report['model_id']} + {report['state']['model_id']} → {out} "
                   f"(report: {Path(out) / 'ADAPTATION.md'}); score with them:\n"
                   f"  ZHIJIAN_STATE_MODEL={report['state']['dir']} ZHIJIAN_RUBRIC_PATH={rubric} "
                   f"zhijian score … --model {out}")
    else:
        typer.echo(f"adapted model {report['model_id']} → {out} (report: {Path(out) / 'ADAPTATION.md'}); "
                   f"score with it: zhijian score … --model {out}")
    return report


_PIN = re.compile(r"^(\s*state_model_version:\s*)(\S+)\s*$", re.M)
_ID = re.compile(r"^id:\s*(\S+)\s*$", re.M)


def write_shop_rubric(out: Path, shop: str, state_model_id: str) -> Path:
    """``out/rubric.yaml``: the settings' rubric with its state-model pin set to the adapted state model and
    its id suffixed with the shop (``default_<shop>@<version>`` in results). The pin exists so that a rubric
    version means one state model (stored results keep their meaning); an adapted state model therefore
    comes with its own rubric id rather than reusing the shipped one's. Its empathy head is the shipped
    model's, its probability weights re-mapped to the adapted encoder (models.adapt_state.realign_empathy), so
    the rubric's min_state_score / state_veto keep the meaning they were chosen with."""
    from pipeline.settings import get_settings

    text = Path(get_settings().rubric_path).read_text(encoding="utf-8")
    text = _PIN.sub(lambda m: f"{m.group(1)}{state_model_id}", text)
    suffix = re.sub(r"[^a-z0-9_]", "_", shop.lower())  # a rubric id is lower-case letters, digits and _
    text = _ID.sub(lambda m: f"id: {m.group(1)}_{suffix}", text, count=1)
    path = out / "rubric.yaml"
    path.write_text(f"# Written by `zhijian train-sentiment --from … --extra …` for shop {shop}: the rubric of\n"
                    f"# {get_settings().rubric_path} pinned to the adapted customer-state model {state_model_id}.\n"
                    + text, encoding="utf-8")
    return path
