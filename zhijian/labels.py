"""`zhijian export-labels`: reviewers' labels back to the models, as files the trainers already read.

    zhijian export-labels --out DIR [--store URL]

writes

- `DIR/sentiment_turns.tsv`: reviewed customer turns, `label<TAB>text` (text as stored, i.e. after
  masking; tabs and line breaks become spaces). The format of data/sentiment/chat_turns.tsv, so
  `zhijian train-sentiment --extra DIR/sentiment_turns.tsv` adds them to the chat training turns.
  A reviewed turn is one with a reviewer's sentiment label (the review workspace's relabel; the
  newest per turn wins). A store without that table (made before it existed) exports no turns.
- `DIR/rubric/*.json`: one file per conversation with a reviewed criterion, in the labelled-conversation
  format of tests/golden/rubric (messages, `labels` {criterion: pass/fail/na}, `expected_flags`), so
  `zhijian eval-rubric DIR/rubric` measures a rubric against the shop's own reviews. Only the
  criteria a reviewer corrected or confirmed are labelled (an unreviewed machine verdict is not a
  label); expected_flags are the flags after the reviewer's corrections.

Under the rubric version of the most recent results (corrections are per rubric version).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from zhijian.common import StoreOpt, fail, open_store

TURNS_FILE = "sentiment_turns.tsv"
RUBRIC_DIR = "rubric"


def turn_labels(store: Any) -> dict[tuple[str, int], str]:
    """(conversation_id, seq) → the reviewer's newest sentiment label; {} when the store has no such table."""
    try:  # the review workspace's relabels (pipeline/store/appeals.py), where this zhijian has them
        from pipeline.store.appeals import current_turn_labels, list_turn_labels  # type: ignore[import-not-found]
    except ImportError:
        current_turn_labels = list_turn_labels = None
    if list_turn_labels is not None:
        return {k: r["label"] for k, r in current_turn_labels(list_turn_labels(store.engine)).items()}
    import sqlalchemy as sa

    if not sa.inspect(store.engine).has_table("turn_labels"):
        return {}
    table = sa.Table("turn_labels", sa.MetaData(), autoload_with=store.engine)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.conversation_id, table.c.seq, table.c.label)
                            .order_by(table.c.created_at, table.c.id)).all()  # fmt: skip
    return {(r.conversation_id, int(r.seq)): r.label for r in rows}  # oldest first: the newest wins


def _file_name(conversation_id: str) -> str:
    """A safe, collision-free file name: the id's safe characters and a short hash of the id."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", conversation_id)[:60] or "conversation"
    return f"{safe}-{hashlib.sha1(conversation_id.encode('utf-8')).hexdigest()[:8]}.json"


def _one_line(text: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", text).strip()


def export_labels_to(store: Any, out: Path) -> dict[str, int]:
    """Write the two label sets under `out`; returns {"turns": n, "conversations": m, "criteria": k}."""
    from models.base import SENTIMENT_LABELS
    from pipeline.assemble import assemble
    from pipeline.corrections import effective_results

    out.mkdir(parents=True, exist_ok=True)
    labels = {k: v for k, v in turn_labels(store).items() if v in SENTIMENT_LABELS}
    rows, rubric_version = effective_results(store, None, None)  # corrections applied, flags following criteria
    reviewed = {r["conversation_id"]: r for r in rows if r["corrected_criteria"]}
    ids = sorted({cid for cid, _ in labels} | set(reviewed))
    convs = {c.conversation_id: c for c in assemble(store.load_conversation_messages(ids))} if ids else {}

    turns = []
    for (cid, seq), label in sorted(labels.items()):
        conv = convs.get(cid)
        message = next((m for m in conv.messages if m.seq == seq and m.role == "customer"), None) if conv else None
        text = _one_line(message.text) if message else ""
        if text:  # a label of a turn that is not (or no longer) a stored customer message is skipped
            turns.append(f"{label}\t{text}")
    (out / TURNS_FILE).write_text(
        f"# reviewed customer turns from zhijian export-labels ({len(turns)}): label<TAB>text, text after masking\n"
        + "".join(line + "\n" for line in turns), encoding="utf-8")  # fmt: skip

    rubric_dir = out / RUBRIC_DIR
    rubric_dir.mkdir(exist_ok=True)
    criteria = 0
    for cid, effective in sorted(reviewed.items()):
        conv = convs.get(cid)
        if conv is None:
            continue
        labelled = {k: effective["criteria"][k]["status"] for k in effective["corrected_criteria"]}
        criteria += len(labelled)
        record = {
            "conversation_id": cid,
            "description": f"reviewed in the workspace, rubric {rubric_version} (zhijian export-labels)",
            "rubric_version": rubric_version,
            "reviewers": effective["reviewers"],
            "messages": [{"seq": m.seq, "timestamp": m.timestamp.isoformat(), "role": m.role, "text": m.text,
                          "agent_id": m.agent_id, "agent_name": m.agent_name, "customer_id": m.customer_id,
                          "channel": m.channel, "shop": m.shop, "csat": m.csat} for m in conv.messages],
            "labels": labelled,
            "expected_flags": sorted({c for c in effective["flag_codes"] if c}),
        }  # fmt: skip
        (rubric_dir / _file_name(cid)).write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"turns": len(turns), "conversations": len(reviewed), "criteria": criteria}


def export_labels(
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where the label files are written.")],
    store: StoreOpt = None,
) -> None:
    """Reviewed customer turns and criteria as files train-sentiment --extra and eval-rubric read."""
    st = open_store(store)
    try:
        counts = export_labels_to(st, out)
    except OSError as err:
        raise fail(f"cannot write labels to {out}: {err.strerror or err} — give a writable --out directory") from None
    finally:
        st.close()
    typer.echo(f"{counts['turns']} reviewed customer turns → {out / TURNS_FILE} "
               f"(zhijian train-sentiment --extra {out / TURNS_FILE})")  # fmt: skip
    typer.echo(f"{counts['conversations']} reviewed conversations, {counts['criteria']} criterion labels → "
               f"{out / RUBRIC_DIR}/ (zhijian eval-rubric {out / RUBRIC_DIR})")  # fmt: skip


__all__ = ["RUBRIC_DIR", "TURNS_FILE", "export_labels", "export_labels_to", "turn_labels"]
