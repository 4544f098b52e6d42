"""Row helpers of the store: domain objects to table rows and back, chunking, small utilities."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from pipeline.conversation import Conversation, Message
from pipeline.errors import StoreError

# Bound on the number of values in one IN (...) clause / rows in one executemany chunk:
# SQLite's default variable limit is 32766 in recent builds but 999 in old ones.
CHUNK = 500


def chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def now() -> datetime:
    return datetime.now(timezone.utc)


def app_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zhijian")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return None


def short_error(err: BaseException) -> str:
    text = str(getattr(err, "orig", None) or err).strip().splitlines()
    return text[0] if text else type(err).__name__


def unique_by_id(convs: Sequence[Conversation]) -> list[Conversation]:
    # Last one wins, so a batch never upserts the same key twice in one statement (PostgreSQL refuses).
    return list({c.conversation_id: c for c in convs}.values())


def nul_free(value: Any) -> Any:
    # PostgreSQL TEXT cannot hold NUL; one such character in an export must not fail the whole batch.
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


def missing_key_error(m: Message, without: int) -> StoreError:
    """The store never makes up a message's identity: only ingest sees the raw text the key is built from."""
    where = f" ({m.source_file}:{m.source_line})" if m.source_file is not None else ""
    return StoreError(
        f"{without} message(s) reached the store without a message_key, e.g. seq {m.seq} of conversation "
        f"{m.conversation_id!r}{where}; nothing was stored — read messages through pipeline.ingest "
        f"(read_inputs), or set message_key with pipeline.ingest.message_key from the raw text"
    )


def message_row(m: Message, run_id: str | None) -> dict:
    row = {
        "message_key": m.message_key,
        "conversation_id": m.conversation_id,
        "seq": m.seq,
        "role": m.role,
        "timestamp": m.timestamp,
        "text": m.text or "",
        "agent_id": m.agent_id,
        "agent_name": m.agent_name,
        "customer_id": m.customer_id,
        "channel": m.channel,
        "shop": m.shop,
        "csat": m.csat,
        "source_file": str(m.source_file) if m.source_file is not None else None,
        "source_line": m.source_line,
        "first_run_id": run_id,
    }
    return {k: nul_free(v) for k, v in row.items()}


def row_to_message(r: Any) -> Message:
    return Message(
        conversation_id=r["conversation_id"],
        seq=r["seq"],
        role=r["role"],
        timestamp=r["timestamp"],
        text=r["text"] if "text" in r else "",
        agent_id=r["agent_id"],
        agent_name=r["agent_name"],
        customer_id=r["customer_id"],
        channel=r["channel"],
        shop=r["shop"],
        csat=r["csat"],
        message_key=r["message_key"],
        source_file=r["source_file"],
        source_line=r["source_line"],
    )


def result_row(r: Any) -> dict:
    d = dict(r)
    d["model_version"] = d["model_version"] or None
    return d
