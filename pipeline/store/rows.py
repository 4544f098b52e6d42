"""Row helpers of the store: domain objects to table rows and back, chunking, small utilities."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from pipeline.conversation import Conversation, Message
from pipeline.errors import StoreError
from pipeline.store.schema import NONE_VERSION

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


# The messages table's columns as message_values fills them (pipeline/store/bulk.py takes tuples).
MESSAGE_COLUMNS = (
    "message_key", "conversation_id", "seq", "role", "timestamp", "text", "agent_id", "agent_name", "customer_id",
    "channel", "shop", "csat", "source_file", "source_line", "first_run_id",
)  # fmt: skip


def message_values(m: Message, run_id: str | None) -> tuple:
    """A message as a row of the messages table, in MESSAGE_COLUMNS order."""
    source_file = str(m.source_file) if m.source_file is not None else None
    row = (
        m.message_key, m.conversation_id, m.seq, m.role, m.timestamp, m.text or "", m.agent_id, m.agent_name,
        m.customer_id, m.channel, m.shop, m.csat, source_file, m.source_line, run_id,
    )  # fmt: skip
    # One look for a NUL over all the text fields (None prints as "None": no NUL); the rare row with one is cleaned.
    probe = f"{m.message_key}{m.conversation_id}{m.role}{m.text}{m.agent_id}{m.agent_name}{m.customer_id}{m.channel}{m.shop}"
    if "\x00" in probe or "\x00" in f"{source_file}{run_id}":
        return tuple(nul_free(v) for v in row)
    return row


# The messages table's columns that are Message's stored fields, in Message's own field order: a row of
# them is Message's positional arguments (tests/pipeline/store checks the two orders agree).
MESSAGE_FIELDS = (
    "conversation_id", "seq", "role", "timestamp", "text", "agent_id", "agent_name", "customer_id", "channel", "shop",
    "csat", "message_key", "source_file", "source_line",
)  # fmt: skip


# a conversation's messages in time, then file order (assemble numbers them in this order)
MESSAGE_ORDER = ("conversation_id", "timestamp", "source_file", "source_line")


def messages_from_rows(rows: Iterable[Sequence[Any]]) -> list[Message]:
    """Messages from rows of the MESSAGE_FIELDS columns (the scoring run's load: a night's every message)."""
    return [Message(*r) for r in rows]


def rows_to_messages(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> Iterator[Message]:
    """Messages from rows of the messages table with these `columns` (in that order); no text column: text is ""."""
    at = {name: i for i, name in enumerate(columns)}
    (conversation_id, seq, role, timestamp, agent_id, agent_name, customer_id, channel, shop, csat, message_key,
     source_file, source_line) = (at[name] for name in (
        "conversation_id", "seq", "role", "timestamp", "agent_id", "agent_name", "customer_id", "channel", "shop",
        "csat", "message_key", "source_file", "source_line"))  # fmt: skip
    text = at.get("text")
    for r in rows:
        yield Message(
            conversation_id=r[conversation_id],
            seq=r[seq],
            role=r[role],
            timestamp=r[timestamp],
            text=r[text] if text is not None else "",
            agent_id=r[agent_id],
            agent_name=r[agent_name],
            customer_id=r[customer_id],
            channel=r[channel],
            shop=r[shop],
            csat=r[csat],
            message_key=r[message_key],
            source_file=r[source_file],
            source_line=r[source_line],
        )


CONVERSATION_COLUMNS = (
    "conversation_id", "customer_id", "shop", "channel", "started_at", "ended_at", "agent_id", "agents",
    "message_count", "last_run_id",
)  # fmt: skip


def conversation_values(c: Conversation, fields: dict | None, run_id: str | None) -> tuple:
    """A conversation as a row of the conversations table, in CONVERSATION_COLUMNS order.

    `fields`: its result_fields when the caller has them (times and agents are then not computed again).
    """
    if fields is None:
        started_at, ended_at, agent_id, agents = c.started_at, c.ended_at, c.agent_id, c.agents
    else:
        started_at, ended_at = fields["started_at"], fields["ended_at"]
        agent_id, agents = fields["agent_id"], fields["agents"]
    return (c.conversation_id, c.customer_id, c.shop, c.channel, started_at, ended_at, agent_id, agents,
            len(c.messages), run_id)  # fmt: skip


RESULT_COLUMNS = (  # in the table's order, like the other two
    "conversation_id", "rubric_version", "model_version", "run_id", "scored_at", "message_count", "agent_id", "agents",
    "started_at", "ended_at", "score", "flagged", "criteria", "flags", "sentiment", "csat",
)  # fmt: skip


def result_values(c: Conversation, fields: dict, run_id: str | None, scored_at: datetime, encoded: dict) -> tuple:
    """A scored conversation as a row of the results table, in RESULT_COLUMNS order; `fields` is its
    result_fields, `encoded` its criteria, flags and sentiment as JSON text (pipeline.results.json_columns)."""
    return (
        fields["conversation_id"], fields["rubric_version"], c.model_version or NONE_VERSION, run_id, scored_at,
        len(c.messages), fields["agent_id"], fields["agents"], fields["started_at"], fields["ended_at"],
        fields["score"], fields["flagged"], encoded["criteria"], encoded["flags"], encoded["sentiment"], c.csat,
    )  # fmt: skip


def result_row(r: Any) -> dict:
    d = dict(r)
    d["model_version"] = d["model_version"] or None
    return d
