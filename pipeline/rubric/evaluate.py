"""Evaluate a rubric against a labelled set of conversations.

Each labelled file (tests/golden/rubric/*.json) is one conversation: canonical
message fields, plus "labels": {criterion_id: "pass"/"fail"/"na"} and
"expected_flags": [codes]. Every file goes through the real pipeline stages —
normalise, segment (when installed), sentiment (the project model when it loads,
else none: the rubric's lexicon fallback decides, and the report says so) — and
is scored with the rubric. The report gives agreement per criterion, precision
and recall per flag, and every disagreement with its evidence.

    python -m pipeline.rubric.evaluate tests/golden/rubric rubrics/default.yaml --compare
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.conversation import Conversation, Message
from pipeline.rubric.engine import Rubric, load_rubric
from pipeline.rubric.testing import prepare

DEFAULT_LABELLED_DIR = Path(__file__).resolve().parents[2] / "tests" / "golden" / "rubric"


@dataclass
class Disagreement:
    file: str
    criterion: str  # a criterion id, or "flag:<code>"
    expected: str
    got: str
    evidence: list[dict] = field(default_factory=list)


@dataclass
class EvalReport:
    rubric_id: str
    similarity: bool | None
    sentiment_source: str  # "model <id>" or "lexicon fallback (…)"
    files: int
    criteria: dict[str, dict[str, Any]]  # id -> {accuracy, n, correct}
    flags: dict[str, dict[str, Any]]  # code -> {precision, recall, tp, fp, fn}
    disagreements: list[Disagreement]
    seconds: float = 0.0

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["disagreements"] = [x.__dict__ for x in self.disagreements]
        return d


# ----------------------------------------------------------------------------
# reading labelled files
# ----------------------------------------------------------------------------


def _timestamp(value: Any) -> datetime:
    from zoneinfo import ZoneInfo

    try:
        from pipeline.ingest import parse_timestamp

        return parse_timestamp(value, ZoneInfo("Asia/Shanghai"))
    except ImportError:
        pass
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, ZoneInfo("Asia/Shanghai"))
    ts = datetime.fromisoformat(str(value))
    return ts if ts.tzinfo else ts.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def read_labelled(path: Path) -> tuple[Conversation, dict[str, str], list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    records = data["messages"] if isinstance(data, dict) else data
    cid = str(data.get("conversation_id") or path.stem) if isinstance(data, dict) else path.stem
    messages = []
    for i, r in enumerate(records, start=1):
        messages.append(
            Message(
                conversation_id=str(r.get("conversation_id") or cid),
                seq=int(r.get("seq") or i),
                role=str(r["role"]),
                timestamp=_timestamp(r["timestamp"]),
                text=str(r.get("text") or ""),
                agent_id=r.get("agent_id"),
                agent_name=r.get("agent_name"),
                customer_id=r.get("customer_id"),
                channel=r.get("channel"),
                shop=r.get("shop"),
                csat=r.get("csat"),
            )
        )
    messages.sort(key=lambda m: (m.seq, m.timestamp))
    conv = Conversation(conversation_id=cid, messages=messages)
    labels = dict(data.get("labels") or {}) if isinstance(data, dict) else {}
    flags = list(data.get("expected_flags") or []) if isinstance(data, dict) else []
    return conv, labels, flags


def _load_sentiment(use_model: bool) -> tuple[Any, str]:
    if not use_model:
        return None, "lexicon fallback (model switched off)"
    try:
        from models.sentiment import load_sentiment_model
        from pipeline.settings import get_settings

        model = load_sentiment_model(get_settings().sentiment_model)
        return model, f"model {getattr(model, 'model_id', type(model).__name__)}"
    except Exception as exc:  # the rubric's negative-cue lexicon stands in
        return None, f"lexicon fallback (sentiment model unavailable: {type(exc).__name__}: {str(exc)[:120]})"


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


# ----------------------------------------------------------------------------
# evaluation
# ----------------------------------------------------------------------------


def evaluate(
    labelled_dir: str | Path = DEFAULT_LABELLED_DIR,
    rubric_path: str | Path | None = None,
    *,
    similarity: bool | None = None,
    rubric: Rubric | None = None,
    sentiment: bool = True,
    _model_cache: dict | None = None,
) -> EvalReport:
    """Score every labelled file and compare with its labels and expected flags."""
    import time

    t0 = time.perf_counter()
    rubric = rubric or load_rubric(rubric_path, similarity=similarity)
    files = sorted(Path(labelled_dir).glob("*.json"))
    from pipeline.segment import segmenter_for  # as the nightly run: the rubric's phrases stay whole

    segmenter = segmenter_for(rubric.lexicon_terms())
    conversations = []
    for f in files:
        try:
            conv, labels, flags = read_labelled(f)
        except (KeyError, TypeError, ValueError):  # not a labelled conversation (e.g. a report written next to them)
            continue
        prepare(conv, segmenter)
        conversations.append((f, conv, labels, flags))
    cache = _model_cache if _model_cache is not None else {}
    if "model" not in cache:
        cache["model"] = _load_sentiment(sentiment)
    model, source = cache["model"]
    if model is not None:
        try:
            from pipeline.sentiment import annotate_sentiment

            annotate_sentiment([c for _, c, _, _ in conversations], model)
        except Exception as exc:
            source = f"lexicon fallback (sentiment stage failed: {type(exc).__name__}: {exc})"
            for _, c, _, _ in conversations:
                for m in c.messages:
                    m.sentiment = None

    crit_stats: dict[str, dict[str, int]] = {}
    flag_stats: dict[str, dict[str, int]] = {}
    disagreements: list[Disagreement] = []
    for f, conv, labels, expected_flags in conversations:
        rubric.score(conv)
        for cid, expected in labels.items():
            st = crit_stats.setdefault(cid, {"n": 0, "correct": 0})
            st["n"] += 1
            result = conv.criteria.get(cid)
            got = result.status if result else "missing"
            if got == expected:
                st["correct"] += 1
            else:
                ev = [e.to_dict() for e in result.evidence] if result else []
                disagreements.append(Disagreement(f.name, cid, expected, got, ev))
        got_codes = {fl.code for fl in conv.flags}
        want = set(expected_flags)
        # sorted: a set's order follows string hashing, and the report must read the same on every run
        for code in sorted({*(fl.code for fl in rubric.flags), *want}):
            st = flag_stats.setdefault(code, {"tp": 0, "fp": 0, "fn": 0})
            if code in got_codes and code in want:
                st["tp"] += 1
            elif code in got_codes:
                st["fp"] += 1
                reasons = [{"seq": fl.seq, "reason": fl.reason} for fl in conv.flags if fl.code == code]
                disagreements.append(Disagreement(f.name, f"flag:{code}", "absent", "raised", reasons))
            elif code in want:
                st["fn"] += 1
                disagreements.append(Disagreement(f.name, f"flag:{code}", "raised", "absent", []))
    criteria = {
        cid: {"accuracy": _ratio(s["correct"], s["n"]), "n": s["n"], "correct": s["correct"]}
        for cid, s in sorted(crit_stats.items())
    }
    flags = {
        code: {
            "precision": _ratio(s["tp"], s["tp"] + s["fp"]),
            "recall": _ratio(s["tp"], s["tp"] + s["fn"]),
            **s,
        }
        for code, s in sorted(flag_stats.items())
    }
    return EvalReport(
        rubric_id=rubric.id,
        similarity=similarity,
        sentiment_source=source,
        files=len(conversations),
        criteria=criteria,
        flags=flags,
        disagreements=disagreements,
        seconds=round(time.perf_counter() - t0, 2),
    )


def _fmt(x: float | None) -> str:
    return "  —  " if x is None else f"{x:.3f}"


def format_report(report: EvalReport, *, show_disagreements: bool = True) -> str:
    sim = {None: "as in the rubric", True: "on", False: "off"}[report.similarity]
    lines = [
        f"rubric {report.rubric_id} on {report.files} labelled conversations; paraphrase layer (similarity + cues): {sim}",
        f"sentiment: {report.sentiment_source}",
        "",
        f"{'criterion':<22}{'accuracy':>9}{'n':>6}",
    ]
    for cid, s in report.criteria.items():
        lines.append(f"{cid:<22}{_fmt(s['accuracy']):>9}{s['n']:>6}")
    lines += ["", f"{'flag':<22}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}"]
    for code, s in report.flags.items():
        note = "" if s["tp"] + s["fn"] else "  (never expected in this set)"
        lines.append(f"{code:<22}{_fmt(s['precision']):>10}{_fmt(s['recall']):>8}{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}{note}")
    if show_disagreements:
        lines += ["", f"disagreements: {len(report.disagreements)}"]
        for d in report.disagreements:
            lines.append(f"- {d.file}  {d.criterion}: expected {d.expected}, got {d.got}")
            for e in d.evidence[:4]:
                if "rule" in e:
                    span = e.get("span")
                    shown = e["text"][span[0] : span[1]] if span else ""
                    lines.append(f"    seq {e.get('seq')} {e['rule']} “{shown}” {e.get('note', '')}")
                else:
                    lines.append(f"    seq {e.get('seq')} {e.get('reason', '')}")
    return "\n".join(lines)


def main(
    labelled_dir: str | Path | list[str] | None = DEFAULT_LABELLED_DIR,
    rubric_path: str | Path | None = None,
    similarity: bool = True,
) -> int:
    """Print agreement per criterion, flag precision/recall and the disagreements. Returns 0.

    Called with a list instead of a directory, the list is read as command-line arguments:
    `[LABELLED_DIR] [--rubric FILE] [--no-similarity] [--compare] [--no-sentiment] [--json FILE]`.
    """
    sentiment = True
    compare_layers = False
    json_out = acts_tsv = None
    if isinstance(labelled_dir, (list, tuple)):
        import argparse

        parser = argparse.ArgumentParser(prog="zhijian eval-rubric", description="Evaluate a rubric on labelled conversations.")
        parser.add_argument("labelled_dir", nargs="?", default=str(DEFAULT_LABELLED_DIR))
        parser.add_argument("rubric", nargs="?", default=None, help="rubric file (default: settings.rubric_path)")
        parser.add_argument("--rubric", dest="rubric_opt", default=None)
        parser.add_argument("--no-similarity", action="store_true", help="switch the paraphrase layer off")
        parser.add_argument("--compare", action="store_true", help="word lists vs +cues vs +similarity side by side")
        parser.add_argument("--no-sentiment", action="store_true", help="ignore the sentiment model (lexicon fallback)")
        parser.add_argument("--json", dest="json_out", default=None, help="also write the report as JSON")
        parser.add_argument("--acts", default=None, help="also score forbidden_phrases message by message on a labelled act TSV")
        args = parser.parse_args(list(labelled_dir))
        acts_tsv = args.acts
        labelled_dir, rubric_path = args.labelled_dir, args.rubric_opt or args.rubric
        similarity, sentiment, compare_layers, json_out = not args.no_similarity, not args.no_sentiment, args.compare, args.json_out
    labelled_dir = labelled_dir or DEFAULT_LABELLED_DIR
    if not Path(labelled_dir).is_dir():
        print(f"no labelled conversations: {labelled_dir} is not a directory (expected one JSON file per conversation)")
        return 2
    if compare_layers:
        print(compare(labelled_dir, rubric_path, sentiment=sentiment))
        return 0
    report = evaluate(labelled_dir, rubric_path, similarity=similarity, sentiment=sentiment)
    print(format_report(report))
    if acts_tsv:
        from pipeline.rubric.evaluate_acts import evaluate_acts

        print()
        print(evaluate_acts(acts_tsv, rubric_path))
    if json_out:
        Path(json_out).write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def compare(
    labelled_dir: str | Path = DEFAULT_LABELLED_DIR, rubric_path: str | Path | None = None, sentiment: bool = True
) -> str:
    """Side by side: word lists only, + cue patterns, + exemplar similarity (what each layer adds)."""
    cache: dict = {}
    runs = [
        ("lexicon", evaluate(labelled_dir, rubric_path, similarity=False, sentiment=sentiment, _model_cache=cache)),
        ("+cues", evaluate(labelled_dir, rubric_path, rubric=load_rubric(rubric_path, exemplars=False), sentiment=sentiment, _model_cache=cache)),
        ("+similar", evaluate(labelled_dir, rubric_path, similarity=True, sentiment=sentiment, _model_cache=cache)),
    ]
    on = runs[-1][1]
    lines = [
        f"rubric {on.rubric_id}, {on.files} labelled conversations; sentiment: {on.sentiment_source}",
        "paraphrase layer: lexicon = word lists only (similarity=False); +cues = cue patterns; "
        "+similar = cues and exemplar similarity (similarity=True, the default)",
        "",
        f"{'criterion':<22}" + "".join(f"{name:>10}" for name, _ in runs) + f"{'n':>5}",
    ]
    for cid in on.criteria:
        lines.append(f"{cid:<22}" + "".join(f"{_fmt(r.criteria[cid]['accuracy']):>10}" for _, r in runs) + f"{on.criteria[cid]['n']:>5}")
    lines += ["", f"{'flag (P / R)':<22}" + "".join(f"{name:>16}" for name, _ in runs)]
    for code in on.flags:
        cells = []
        for _, r in runs:
            f = r.flags[code]
            cells.append(f"{_fmt(f['precision'])} / {_fmt(f['recall'])}")
        note = "" if any(r.flags[code]["tp"] + r.flags[code]["fn"] for _, r in runs) else "   (not labelled in this set)"
        lines.append(f"{code:<22}" + "".join(f"{c:>16}" for c in cells) + note)
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
