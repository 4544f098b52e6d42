"""Raw rows to messages: check each row, build its `Message` or quarantine it, note what was changed, dedupe.

The decisions on doubtful values are listed in the package docstring (pipeline/ingest/__init__.py);
`_build_message` is where they are made. Text is masked (pipeline/mask.py) here, after the
`message_key` has been taken from the raw text.
"""
from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable
from zoneinfo import ZoneInfo

from models.base import BoundedMemo
from pipeline.conversation import Message
from pipeline.errors import ZhijianError
from pipeline.ingest.pseudonym import pseudonym
from pipeline.ingest.readers import RawRow
from pipeline.ingest.values import TRUNCATION_MARK, as_int, as_str, cap_text, is_missing, parse_timestamp, short, valid_text
from pipeline.mapping import ColumnMapping
# mask_value for short fields (shop, channel, names, ids): phones, ID and card numbers, e-mails,
# without the name/address guessing meant for sentences.
from pipeline.mask import mask_text, mask_value

FUTURE_TOLERANCE = timedelta(days=1)  # clocks drift and time zones are misdeclared; more than this is wrong data
# Distinct values a Batch remembers masked: every message of a chat repeats its conversation_id,
# agent and shop, and agents send the same quick replies all day (the bench input: 5,436 distinct
# texts in 30,081 messages), while masking one costs as much as masking a sentence. Bounded so
# memory stays flat however many distinct values a night has (the memo starts afresh): at most
# MEMO_LIMIT values, texts only up to MEMO_TEXT_CHARS characters (quick replies are short).
MEMO_LIMIT = 50_000
MEMO_TEXT_CHARS = 120

if TYPE_CHECKING:
    from pipeline.ingest import IngestResult


def message_key(conversation_id: str, timestamp: datetime, role: str, agent_id: str | None, raw_text: str) -> str:
    """The idempotency key: same message, same key, whichever file or offset it came from.

    sha256 of `conversation_id|timestamp as UTC ISO-8601|role|agent_id|raw text`, raw meaning
    before masking and before the MAX_TEXT_CHARS cut. This is the only function that makes the
    key: ingest sets it on every message it returns, and the store and later stages keep the
    key a message carries. Nothing can compute it later, since the raw text is gone once
    masked. Changing the rule changes the key of every message, so files read again would be
    stored again: tests/pipeline/ingest/test_rows.py pins the key of one sample message.
    """
    return _key(conversation_id, _utc_iso(timestamp), role, agent_id, raw_text)


def _utc_iso(timestamp: datetime) -> str:
    """The key's time: UTC ISO-8601 (`message_key`)."""
    return timestamp.astimezone(timezone.utc).isoformat()


def _key(conversation_id: str, utc_iso: str, role: str, agent_id: str | None, raw_text: str) -> str:
    """`message_key` from the time as `_utc_iso` writes it (ingest keeps that per timestamp text)."""
    payload = f"{conversation_id}|{utc_iso}|{role}|{agent_id or ''}|{raw_text}"
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _id(value: str | None) -> str | None:
    """An id as stored: kept as is, unless it carries personal data (a phone as agent or chat id):
    then masked, plus a keyed tag from the whole id so two such ids never merge into one."""
    if value is None:
        return None
    clean = valid_text(value)
    masked = mask_value(clean)
    return clean if masked == clean else f"{masked}~{pseudonym(value, prefix='', length=8)}"


def _customer_id(value: str) -> str:
    """A customer_id as stored: a phone/e-mail used as buyer id keeps the link, not the data."""
    return pseudonym(value) if mask_value(valid_text(value)) != value else value


def _masked_text(text: str) -> str:
    """A message text as stored: masked (pipeline/mask.py)."""
    return mask_text(valid_text(text))


def _short_field(value: str) -> str | None:
    """A free-text short field (shop, channel, agent_name) as stored: masked."""
    return mask_value(valid_text(value))


class Batch:
    """What one `read_inputs` call shares across its files: the result being filled, the keys seen so far."""

    def __init__(self, mapping: ColumnMapping, result: IngestResult) -> None:
        from pipeline.settings import get_settings

        self.mapping = mapping
        self.tz = ZoneInfo(mapping.timezone or get_settings().timezone)
        self.result = result
        self.seen: set[str] = set()
        self.roles: dict[str, str | None] = {}  # raw role string -> role (exports repeat a handful)
        self.latest = datetime.now(timezone.utc) + FUTURE_TOLERANCE  # a later timestamp is refused
        self.memo = BoundedMemo((__name__, "MEMO_LIMIT"))  # (fn, value) -> fn(value)
        # (agent_id, raw agent_name, customer_id, channel, shop) -> those as stored: a chat's every message
        # repeats them, and building them field by field was a third of a row's own work
        self.people = BoundedMemo((__name__, "MEMO_LIMIT"))
        # timestamp text -> (parse_timestamp's datetime, its _utc_iso): a second is shared by every message
        # sent in it, across a busy night's chats (the bench input: 3,339 distinct in 60,165 messages)
        self.times = BoundedMemo((__name__, "MEMO_LIMIT"))

    def once(self, fn: Callable[[str], str | None], value: str) -> str | None:
        """`fn(value)` for a pure `fn`, computed once per distinct value (see MEMO_LIMIT)."""
        key = (fn, value)
        try:
            return self.memo[key]
        except KeyError:
            return self.memo.put(key, fn(value))

    def add(self, source: str, row: RawRow) -> None:
        self.result.read += 1
        if row.error is not None:
            self.result.quarantine(source, row.line, row.error[0], f"{row.where}: {row.error[1]}", row.raw)
            return
        notes_before = len(self.result.notes)
        try:
            built = _build_message(self, source, row)
        except ZhijianError:
            raise  # a configuration problem (the pseudonym secret), not this row's: stop and say so
        except Exception as exc:  # noqa: BLE001 - one broken row must never stop its file
            del self.result.notes[notes_before:]  # the row is quarantined, not kept: no note for it
            self.result.quarantine(source, row.line, None,
                                   f"{row.where}: this row could not be read ({type(exc).__name__}: {short(str(exc), 120)}); "
                                   "the rest of the file was read — please report this row to the Zhijian maintainers",
                                   row.raw)
            return
        if built is None:
            return
        if built.message_key in self.seen:
            self.result.duplicates += 1
            del self.result.notes[notes_before:]  # noted once, with the copy that is kept
            return
        self.seen.add(built.message_key)
        self.result.messages.append(built)


def _build_message(batch: Batch, source: str, row: RawRow) -> Message | None:
    data = row.data or {}
    if batch.mapping.defaults:
        merged = dict(batch.mapping.defaults)
        merged.update({k: v for k, v in data.items() if not is_missing(v) or k not in merged})
        data = merged
    problems: list[tuple[str, str]] = []
    get = data.get

    # text (JSON Lines, CSV) the short way: strip() is "" exactly where is_missing() holds for a str
    value = get("conversation_id")
    conversation_id = value.strip() if type(value) is str else "" if is_missing(value) else as_str(value)
    if not conversation_id:
        reason = data.get("__missing__conversation_id") or "is missing; every message must name its chat session"
        problems.append(("conversation_id", reason))

    timestamp = utc_iso = None
    value = get("timestamp")
    parsed = batch.times.get(value) if type(value) is str else None  # text only: 1 == 1.0 == True as keys
    if parsed is not None:
        timestamp, utc_iso = parsed
    else:
        try:
            if "timestamp" not in data and data.get("__missing__timestamp"):
                raise ValueError(data["__missing__timestamp"])
            timestamp = parse_timestamp(value, batch.tz, batch.mapping.timestamp_format)
        except ValueError as exc:
            problems.append(("timestamp", str(exc)))
        else:
            utc_iso = _utc_iso(timestamp)
            if type(value) is str:
                batch.times.put(value, (timestamp, utc_iso))
    if timestamp is not None and timestamp > batch.latest:
        now = (batch.latest - FUTURE_TOLERANCE).astimezone(batch.tz)
        problems.append(("timestamp", f"'{short(as_str(data.get('timestamp')))}' is {timestamp.isoformat()}, more than a day "
                                      f"after now ({now:%Y-%m-%d %H:%M} {batch.tz.key}); a message cannot come from the "
                                      "future — check the exporting system's clock, or the time zone "
                                      "(ZHIJIAN_TIMEZONE or the mapping's timezone:) when it is hours off"))

    role_value = data.get("role")
    role = None
    if not is_missing(role_value):
        try:
            role = batch.roles[role_value]
        except (KeyError, TypeError):  # TypeError: an unhashable value from JSON
            role = batch.mapping.role_of(role_value)
            if isinstance(role_value, str):
                batch.roles[role_value] = role
    if role is None:
        if is_missing(role_value):
            reason = data.get("__missing__role") or "is missing; say who wrote the message (customer/agent/bot/system)"
        else:
            reason = (f"'{short(as_str(role_value))}' is not a known role; use customer/agent/bot/system "
                      f"or declare it under roles: in the column mapping (e.g. {short(as_str(role_value), 12)}: agent)")
        problems.append(("role", reason))

    value = get("agent_id")
    agent_id = (value.strip() or None) if type(value) is str else None if is_missing(value) else as_str(value)
    if role == "agent" and not agent_id:
        problems.append(("agent_id", "is missing on an agent message; the spec needs the agent who wrote it "
                                     "(add an agent_id column or map one, e.g. 客服: agent_id)"))

    raw_text_value = data.get("text")
    if "text" not in data and data.get("__missing__text"):
        problems.append(("text", data["__missing__text"]))
        raw_text = ""
    elif raw_text_value is None or isinstance(raw_text_value, float) and math.isnan(raw_text_value):
        raw_text = ""  # a picture or card message
    elif isinstance(raw_text_value, (dict, list)):
        raw_text = json.dumps(raw_text_value, ensure_ascii=False)
    else:
        raw_text = str(raw_text_value)

    if problems:
        fields = ",".join(p[0] for p in problems)
        reason = f"{row.where}: " + "; ".join(f"field '{f}': {r}" for f, r in problems)
        batch.result.quarantine(source, row.line, fields, reason, row.raw)
        return None

    assert timestamp is not None and role is not None
    key = _key(conversation_id, utc_iso, role, agent_id, raw_text)  # message_key, its time text kept above
    text_to_mask, capped = cap_text(raw_text)
    if len(text_to_mask) <= MEMO_TEXT_CHARS:
        text = batch.memo.get((_masked_text, text_to_mask))  # Batch.once without its call: a quick reply hits
        if text is None:
            text = batch.once(_masked_text, text_to_mask)
    else:
        text = _masked_text(text_to_mask)
    if capped:
        text += TRUNCATION_MARK
        batch.result.note(source, row.line, "text", key, f"{row.where}: field 'text' has {len(raw_text)} characters; kept the first "
                          f"{len(text_to_mask)} and marked it {TRUNCATION_MARK}")

    seq = get("seq")
    if seq is None or type(seq) is int:  # absent, or an integer (JSON): as is_missing/as_int would answer
        pass
    elif is_missing(seq):
        seq = None
    else:
        seq = as_int(data["seq"])
        if seq is None:
            batch.result.note(source, row.line, "seq", key, f"{row.where}: field 'seq': '{short(as_str(data['seq']))}' is not an "
                              "integer; ignored, the message is ordered by its time")

    csat = get("csat")
    if csat is None:
        pass
    elif is_missing(csat):
        csat = None
    else:
        csat = as_int(data["csat"])
        if csat is None or not 1 <= csat <= 5:
            batch.result.note(source, row.line, "csat", key, f"{row.where}: field 'csat': '{short(as_str(data['csat']))}' is not "
                              "an integer 1–5; the rating was dropped, the message kept")
            csat = None

    raw = (agent_id, get("agent_name"), get("customer_id"), get("channel"), get("shop"))
    # text or absent (JSON Lines, CSV): kept per distinct combination; other values (numbers, which a
    # dict would take for equal to True or 1.0) go field by field
    _, name, customer, channel, shop = raw
    plain = ((name is None or type(name) is str) and (customer is None or type(customer) is str)
             and (channel is None or type(channel) is str) and (shop is None or type(shop) is str))  # fmt: skip
    people = batch.people.get(raw) if plain else None
    if people is None:
        people = _people(batch, *raw)
        if plain:
            batch.people.put(raw, people)
    stored_agent_id, agent_name, customer_id, channel, shop = people

    stored_id = batch.memo.get((_id, conversation_id))
    if stored_id is None:
        stored_id = batch.once(_id, conversation_id)
    # positional, in Message's field order (tests/pipeline/ingest/test_rows.py reads each field back)
    return Message(stored_id, seq, role, timestamp, text, stored_agent_id, agent_name,  # type: ignore[arg-type]
                   customer_id, channel, shop, csat, key, source, row.line)  # seq: None until assemble() orders


def _people(batch: Batch, agent_id: str | None, agent_name: Any, customer_id: Any, channel: Any,
            shop: Any) -> tuple[str | None, ...]:
    """(agent_id, agent_name, customer_id, channel, shop) as stored, from agent_id as read (as_str)
    and the other four raw: ids masked with a tag, the customer's pseudonymised, free text masked."""
    customer = None if is_missing(customer_id) else as_str(customer_id)
    if customer:
        customer = batch.once(_customer_id, customer)

    def opt(value: Any) -> str | None:  # a free-text field: stored masked
        return None if is_missing(value) else batch.once(_short_field, as_str(value))

    return (batch.once(_id, agent_id) if agent_id is not None else None, opt(agent_name), customer, opt(channel),
            opt(shop))  # fmt: skip
