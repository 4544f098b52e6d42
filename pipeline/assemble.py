"""The assemble stage: messages → `Conversation`s, each ordered, with `seq` 1..n.

    from pipeline.assemble import assemble
    conversations = assemble(messages)   # messages from ingest, or re-loaded from the store

The run calls it on all the stored messages of each conversation a night touched, so a
conversation continued in a later night's file is put back together whole before it is
scored. It fills `Message.seq` and the conversation-level
fields (`customer_id`, `shop`, `channel`); later stages fill the rest.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from pipeline.conversation import Conversation, Message


def _most_common(values: Iterable[str | None]) -> str | None:
    present = [v for v in values if v]
    if not present:
        return None
    # A conversation nearly always has one shop and one channel: say so without a Counter (the run
    # asks twice per conversation). Ties otherwise go to the value met first, as Counter.most_common's do.
    first = present[0]
    if present.count(first) == len(present):
        return first
    return Counter(present).most_common(1)[0][0]


def assemble(messages: Iterable[Message]) -> list[Conversation]:
    """Group messages into conversations, order them and assign 1-based `seq`.

    Order: by the source `seq` when every message of the conversation has one and
    no two share it (ties by time), otherwise by timestamp (seq breaks ties); equal
    keys keep file order (the sort is stable). Messages already stored (seq 1..n) can be passed together with a
    new night's messages to rebuild a conversation split across files.
    Conversations come out in order of first appearance.
    """
    groups: dict[str, list[Message]] = {}
    for m in messages:
        groups.setdefault(m.conversation_id, []).append(m)
    conversations: list[Conversation] = []
    for conversation_id, msgs in groups.items():
        seqs = [m.seq for m in msgs]
        if None not in seqs and len(set(seqs)) == len(seqs):
            # stored messages come back in seq order: then there is nothing to sort (seqs strictly increase)
            if not all(a < b for a, b in zip(seqs, seqs[1:])):
                msgs.sort(key=lambda m: (m.seq, m.timestamp))
        else:
            # No seq, or seq restarting per file (two nightly exports both counting from 1):
            # time decides, the file's seq only breaks ties.
            msgs.sort(key=lambda m: (m.timestamp, m.seq if m.seq is not None else float("inf")))
        for n, m in enumerate(msgs, start=1):
            m.seq = n
        customer_ids = [m.customer_id for m in msgs if m.role == "customer"] or [m.customer_id for m in msgs]
        conversations.append(Conversation(
            conversation_id=conversation_id,
            messages=msgs,
            customer_id=next((c for c in customer_ids if c), None),
            shop=_most_common(m.shop for m in msgs),
            channel=_most_common(m.channel for m in msgs),
        ))
    return conversations
