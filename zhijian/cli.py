"""`zhijian`: the command line (typer). Command bodies import lazily so `zhijian --help` stays fast.

It only parses, calls the library (pipeline/, models/) or the flows, and prints: the steps of a
run live in pipeline.scoring.run, which both `--no-flow` and the Prefect flow use.

`score` and `sentiment` follow shared/spec/results-contract.md exactly; the last line
`score` prints on stdout is the machine-readable summary. Progress, logs and errors go
to stderr.
"""
from __future__ import annotations

import glob
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

app = typer.Typer(
    name="zhijian",
    help="质检 Zhijian: nightly quality inspection of Chinese e-commerce customer-service chats.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rubric_app = typer.Typer(help="Rubric tools.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")
# The reviewer workspace (issue 14): zhijian review, zhijian users …, zhijian db upgrade.
from zhijian.review.cli import db_app, review as _review, users_app  # noqa: E402

app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")
app.command("review")(_review)

StoreOpt = Annotated[
    Optional[str],
    typer.Option("--store", help="Store URL (sqlite:///path/qa.db, postgresql://…); default: ZHIJIAN_STORE_URL / settings."),
]

EXIT_RUN_FAILED = 1


def _fail(message: str, code: int = EXIT_RUN_FAILED) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _open_store(url: str | None) -> Any:
    from pipeline.errors import StoreError
    from pipeline.store import Store

    try:
        return Store(url)
    except StoreError as err:
        raise _fail(str(err)) from None


def _console() -> Any:
    from rich.console import Console

    return Console()


@app.callback()
def _check_settings() -> None:  # every bad ZHIJIAN_* setting in one line, before any command works
    from pipeline.settings import settings_problem
    if (problem := settings_problem()) is not None:
        raise _fail(problem)


# ---------------------------------------------------------------------- score
@app.command()
def score(
    inputs: Annotated[list[Path], typer.Argument(help="Chat-log files (.jsonl, .csv, .parquet, .json).", show_default=False)] = None,  # type: ignore[assignment]
    results: Annotated[Optional[Path], typer.Option("--results", help="Write one JSON object per conversation here (JSONL).")] = None,
    store: StoreOpt = None,
    rubric: Annotated[Optional[Path], typer.Option("--rubric", help="Rubric file; default: ZHIJIAN_RUBRIC_PATH / rubrics/default.yaml.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Sentiment model directory or name; default: ZHIJIAN_SENTIMENT_MODEL.")] = None,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="Column mapping (YAML/TOML) for exports with other column names.")] = None,
    flow: Annotated[bool, typer.Option("--flow/--no-flow", help="Run as the Prefect flow (run history, artifact; ~6 s start-up) or as plain functions.")] = True,
    rescore: Annotated[bool, typer.Option("--rescore", help="Score every input conversation again, even unchanged ones.")] = False,
) -> None:
    """Run the nightly QA on chat-log files: store messages, score, write results.

    The last line on stdout is `summary: read=N stored=S duplicates=D quarantined=Q conversations=C flagged=F`.
    """
    from pipeline.errors import RunError

    command = "zhijian " + " ".join(sys.argv[1:])
    options = dict(
        store_url=store, results_path=str(results) if results else None, rubric_path=str(rubric) if rubric else None,
        model=model, mapping=str(mapping) if mapping else None, rescore=rescore, command=command,
    )  # fmt: skip
    try:
        if flow:
            summary = _score_with_flow([str(p) for p in inputs or []], options)
        else:
            from pipeline.scoring import run

            summary = run([str(p) for p in inputs or []], progress=sys.stderr.isatty(), **options)
    except RunError as err:
        raise _fail(str(err)) from None
    out = typer.echo
    out(f"run {summary.run_id}: {summary.scored} scored, {summary.reused} unchanged, status {summary.status}")
    if summary.results_path:
        out(f"results: {summary.results_path}")
    if summary.quarantined:
        out(f"quarantined rows: zhijian quarantine --run {summary.run_id}")
    if summary.scoring_errors:
        out(f"{summary.scoring_errors} conversation(s) could not be scored: zhijian quarantine --run {summary.run_id}")
    sys.stderr.flush()
    out(summary.summary_line())


def _score_with_flow(paths: list[str], options: dict[str, Any]) -> Any:
    from pipeline.scoring import preflight, run

    # Fail fast, before Prefect starts (~6 s), on what the user can fix.
    preflight(paths, options["store_url"], options["rubric_path"], options["mapping"], results_path=options["results_path"]).store.close()
    # Offline machines otherwise wait ~10 s on the temporary server's telemetry DNS lookup, and a
    # loaded machine can take longer than Prefect's default 20 s to start that server.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    import uuid

    from pipeline.errors import RunError
    from pipeline.store import Store

    run_id = str(uuid.uuid4())
    try:
        from flows.nightly_qa import nightly_qa

        return nightly_qa(paths, run_id=run_id, **options)
    except RunError:
        raise
    except Exception as err:
        started = Store(options["store_url"])
        try:
            ran = started.get_run(run_id) is not None
        finally:
            started.close()
        if ran:  # the flow itself failed mid-run: report it, do not run twice
            raise _fail(
                f"the nightly flow failed: {type(err).__name__}: {err} — see the log above and "
                f"`zhijian runs`; `zhijian score --no-flow …` runs the same steps without Prefect"
            ) from None
        # Prefect could not even start (no temporary server, …): the run must still happen.
        typer.echo(f"warning: Prefect unavailable ({type(err).__name__}: {err}); running without the flow", err=True)
        return run(paths, run_id=run_id, **options)


# ---------------------------------------------------------------------- listings
@app.command()
def quarantine(
    store: StoreOpt = None,
    run: Annotated[Optional[str], typer.Option("--run", help="Only rows met by this run (run id, or 'last').")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many rows (0: all).")] = 500,
) -> None:
    """List quarantined input rows (file, line, field, reason) and conversations that failed to score."""
    from rich.table import Table

    st = _open_store(store)
    if run == "last":
        runs = st.list_runs(limit=1)
        if not runs:
            raise _fail("no runs in the store yet: run `zhijian score` first")
        run = runs[0]["run_id"]
    rows = st.list_quarantine(run_id=run, limit=limit or None)
    errors = st.list_scoring_errors(run_id=run)
    notes = st.list_notes(run_id=run, limit=limit or None)  # kept rows with a value dropped or cut
    console = _console()
    if not rows and not errors and not notes:
        console.print("no quarantined rows" + (f" for run {run}" if run else ""))
        return
    if rows:
        table = Table(title=f"Quarantined rows ({len(rows)}{'+' if limit and len(rows) == limit else ''})")
        for col in ("file", "line", "field", "reason"):
            table.add_column(col, overflow="fold")
        for q in rows:
            table.add_row(q.source_file, str(q.line), q.field or "", q.reason)
        console.print(table)
    if errors:
        table = Table(title=f"Conversations that could not be scored ({len(errors)})")
        for col in ("conversation", "stage", "error", "run"):
            table.add_column(col, overflow="fold")
        for e in errors:
            table.add_row(e["conversation_id"], e["stage"], e["error"], e["run_id"] or "")
        console.print(table)
    if notes:
        table = Table(title=f"Rows kept with a value dropped or cut ({len(notes)})")
        for col in ("file", "line", "field", "note"):
            table.add_column(col, overflow="fold")
        for n in notes:
            table.add_row(n["source_file"], str(n["line"]), n["field"], n["reason"])
        console.print(table)


@app.command()
def runs(
    store: StoreOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="Newest N runs.")] = 20,
) -> None:
    """List the run log: who ran what, when, with which versions, and the counts."""
    from rich.table import Table

    rows = _open_store(store).list_runs(limit=limit)
    console = _console()
    if not rows:
        console.print("no runs yet")
        return
    table = Table(title="Runs (newest first)")
    for col in ("run", "started", "who", "status", "read = stored+dup+quar", "conv", "flagged", "errors", "versions",
                "files"):  # fmt: skip
        table.add_column(col, overflow="fold")

    def n(value: Any) -> str:
        return "?" if value is None else str(value)

    for r in rows:
        files = r["input_files"] or []
        table.add_row(
            r["run_id"][:8], r["started_at"].strftime("%Y-%m-%d %H:%M"), f"{r['user']}@{r['host']}", r["status"],
            f"{n(r['read'])} = {n(r['stored'])}+{n(r['duplicates'])}+{n(r['quarantined'])}",
            n(r["conversations"]), n(r["flagged"]), n(r["scoring_errors"]),
            f"{r['rubric_version'] or ''} {r['model_version'] or ''}",
            f"{len(files)} ({Path(files[0]).name}…)" if len(files) > 1 else (files[0] if files else ""),
        )  # fmt: skip
    console.print(table)


# ---------------------------------------------------------------------- sentiment
@app.command()
def sentiment(
    input: Annotated[Path, typer.Option("--input", help="UTF-8 text file, one text a line.")],
    output: Annotated[Path, typer.Option("--output", help="JSONL: one {text, label, scores} a line, in input order.")],
    model: Annotated[Optional[str], typer.Option("--model", help="Model directory or name; default: ZHIJIAN_SENTIMENT_MODEL.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Texts per model call.")] = 256,
) -> None:
    """Classify each line of a text file with the sentiment model."""
    import json

    from pipeline.errors import RunError
    from pipeline.scoring import load_model_or_fail
    from pipeline.sentiment import classify_texts

    if not input.is_file():
        raise _fail(f"input file not found: {input} — give a UTF-8 text file, one text a line")
    try:
        texts = input.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as err:
        raise _fail(f"{input} is not UTF-8 ({err}) — convert it, e.g. iconv -f GB18030 -t UTF-8") from None
    try:
        clf = load_model_or_fail(model)
    except RunError as err:
        raise _fail(str(err)) from None
    labels = classify_texts(clf, texts, batch_size=batch_size)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as fh:
        for text, s in zip(texts, labels):
            fh.write(json.dumps({"text": text, "label": s.label, "scores": s.scores}, ensure_ascii=False) + "\n")
    typer.echo(f"wrote {len(texts)} line(s) to {output} (model {getattr(clf, 'model_id', model)})", err=True)


# ---------------------------------------------------------------------- corrections
@app.command()
def correct(
    conversation_id: Annotated[str, typer.Argument(help="The conversation to correct.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who corrects (recorded with the correction).")],
    criterion: Annotated[Optional[str], typer.Option("--criterion", help="Criterion id (e.g. greeting); omit to correct the whole conversation.")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="pass, fail or na.")] = None,
    points: Annotated[Optional[float], typer.Option("--points", help="Corrected points for the criterion.")] = None,
    score_: Annotated[Optional[float], typer.Option("--score", help="Corrected total score (0–100).")] = None,
    comment: Annotated[Optional[str], typer.Option("--comment", help="Why.")] = None,
    rubric_version: Annotated[Optional[str], typer.Option("--rubric-version", help="Default: the version of the latest result.")] = None,
    store: StoreOpt = None,
) -> None:
    """Record a reviewer's correction; reports and cards apply it over the automatic result."""
    st = _open_store(store)
    try:
        cid = st.add_correction(
            conversation_id, reviewer=reviewer, criterion=criterion, status=status, points=points,
            score=score_, comment=comment, rubric_version=rubric_version,
        )  # fmt: skip
    except ValueError as err:
        raise _fail(str(err)) from None
    what = f"criterion {criterion}" if criterion else "conversation"
    typer.echo(f"correction #{cid} recorded for {conversation_id} ({what}) by {reviewer}")


# ---------------------------------------------------------------------- thin commands owned elsewhere
@rubric_app.command("check")
def rubric_check(file: Annotated[Path, typer.Argument(help="Rubric YAML file.")]) -> None:
    """Validate a rubric; print every problem with its location."""
    from pipeline.rubric.cli import check_rubric

    raise typer.Exit(check_rubric(file) or 0)


_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


@app.command("eval-rubric", context_settings=_PASS_THROUGH)
def eval_rubric(ctx: typer.Context) -> None:
    """Evaluate the rubric on the golden conversations (options are passed on)."""
    from pipeline.rubric.evaluate import main as evaluate_main

    _exit_with(evaluate_main(ctx.args) if ctx.args else evaluate_main())


@app.command("train-sentiment", context_settings=_PASS_THROUGH)
def train_sentiment(ctx: typer.Context) -> None:
    """Rebuild the default sentiment model (options such as --out, --seed are passed on)."""
    from models.train import main as train_main

    train_main(list(ctx.args))


@app.command("eval-sentiment")
def eval_sentiment(
    model: Annotated[Optional[str], typer.Option("--model", help="Model directory or name; default: the shipped one.")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json-out", help="Also write the metrics as JSON.")] = None,
) -> None:
    """Evaluate the sentiment model next to the baselines, then customer turns read in context (state layer)."""
    from models.evaluate import main as evaluate_main
    from pipeline.state_eval import main as state_main

    evaluate_main(model=model, json_out=json_out)
    state_main(["--model", model] if model else [])


@app.command()
def cards(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    out: Annotated[Path, typer.Option("--out", help="Output folder for the cards.")],
    store: StoreOpt = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="HTML cards only: skip the PDFs (a few seconds each).")] = False,
) -> None:
    """Build the monthly QA cards from the store."""
    import re

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise _fail(f"--month must look like 2026-10, not {month!r}")
    from pipeline.cards import build_cards
    from pipeline.errors import StoreError

    try:
        report = build_cards(month, store, out, pdf=not no_pdf, progress=lambda line: typer.echo(line, err=True))
    except StoreError as err:
        raise _fail(str(err)) from None
    summary = getattr(report, "summary", None)
    typer.echo(summary() if callable(summary) else f"cards for {month} written to {out}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo store, results and cards.")] = Path("out/demo"),
    flow: Annotated[bool, typer.Option("--flow/--no-flow", help="Run through the Prefect nightly flow (as the nightly batch does).")] = True,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also render the PDF cards (slower).")] = True,
) -> None:
    """Run the nightly flow over the bundled sample chats, then the messy exports, then the monthly cards."""
    from pipeline.settings import REPO_ROOT

    sample = REPO_ROOT / "data" / "sample"
    files = sorted(glob.glob(str(sample / "*.jsonl")))
    if not files:
        raise _fail(f"no sample files in {sample}")
    out.mkdir(parents=True, exist_ok=True)
    store_url = f"sqlite:///{(out / 'qa.db').resolve()}"
    echo = typer.echo

    echo(f"1/3 nightly QA over {len(files)} nightly sample files ({files[0]} … {files[-1]})")
    score([Path(f) for f in files], results=out / "results.jsonl", store=store_url, rubric=None, model=None,
          mapping=None, flow=flow, rescore=False)  # fmt: skip

    # Real exports are messy: a GBK CSV with Chinese headers (read through its column mapping),
    # a BOM CSV, nested JSON, Parquet and a file with bad rows. They go to their own store so
    # the sample months' cards stay about the sample agents.
    messy = sample / "messy"
    messy_url = f"sqlite:///{(out / 'messy.db').resolve()}"
    echo("2/3 messy exports (wrong encodings, other column names, bad rows → quarantine)")
    gbk = sorted(messy.glob("*gbk*.csv"))
    rest = [p for p in sorted(messy.iterdir()) if p.suffix in {".jsonl", ".csv", ".json", ".parquet"} and p not in gbk]
    if gbk:
        score(gbk, results=out / "messy-gbk-results.jsonl", store=messy_url, rubric=None, model=None,
              mapping=messy / "mapping.yaml", flow=False, rescore=False)  # fmt: skip
    if rest:
        score(rest, results=out / "messy-results.jsonl", store=messy_url, rubric=None, model=None,
              mapping=None, flow=False, rescore=False)  # fmt: skip

    months = sorted({Path(f).stem.split("-", 1)[1][:7] for f in files if Path(f).stem.startswith("chats-")})
    echo(f"3/3 monthly QA cards for {', '.join(months)}")
    from pipeline.cards import build_cards

    card_dirs = []
    for month in months:
        report = build_cards(month, store_url, out / "cards" / month, pdf=pdf)
        card_dirs.append(out / "cards" / month)
        echo(report.summary())
    echo("")
    echo("where to look:")
    echo(f"  results (one JSON per conversation): {out / 'results.jsonl'}")
    for d in card_dirs:
        echo(f"  team overview:                       {d / 'index.html'}")
    echo(f"  flagged conversations, run log:      zhijian runs --store {store_url}")
    echo(f"  quarantined rows of the messy files: zhijian quarantine --store {messy_url}")
    echo(f"  correct a score:                     zhijian correct CONVERSATION_ID --reviewer NAME --criterion greeting --status pass --store {store_url}")


def _exit_with(code: Any) -> None:
    if isinstance(code, int) and code:
        raise typer.Exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
