"""Build conversations by hand for tests and examples.

    conv = make_conversation([("customer", "在吗", 0), ("agent", "您好，在的", 30)])

Runs the real normalise and segment stages when they are installed (so spans map
through Message.norm exactly as in the nightly run); otherwise the criteria fall
back to the text itself.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Sequence

from pipeline.conversation import Conversation, Message, Sentiment

START = datetime(2026, 10, 3, 14, 0, 0, tzinfo=timezone(timedelta(hours=8)))


def prepare(conv: Conversation, segment: Callable[[Conversation], Any] | None = None) -> Conversation:
    """Run the normalise and segment stages when available (each is optional).

    `segment`: a pipeline.segment.Segmenter built for the rubric being evaluated (the nightly run
    uses one); default: the project's segmenter without any rubric's phrases.
    """
    try:
        from pipeline.normalise import normalise_conversation
    except Exception:
        normalise_conversation = None
    if normalise_conversation is not None:
        try:
            normalise_conversation(conv)
        except Exception:
            pass
    if segment is None:
        try:
            from pipeline.segment import segment_conversation as segment
        except Exception:
            segment = None
    if segment is not None and any(m.norm for m in conv.messages):
        try:
            segment(conv)
        except Exception:
            pass
    return conv


def make_conversation(
    turns: Iterable[Sequence],
    conversation_id: str = "t1",
    *,
    start: datetime = START,
    run_stages: bool = True,
) -> Conversation:
    """turns: (role, text, seconds_from_start[, agent_id | sentiment_label]) tuples.

    A 4th item that is "negative"/"neutral"/"positive" sets the customer's sentiment;
    any other 4th item is the agent_id (default "A01" for agents).
    """
    messages = []
    for i, turn in enumerate(turns, start=1):
        role, text, seconds = turn[0], turn[1], turn[2]
        extra = turn[3] if len(turn) > 3 else None
        msg = Message(
            conversation_id=conversation_id,
            seq=i,
            role=role,
            timestamp=start + timedelta(seconds=float(seconds)),
            text=text,
            agent_id=("A01" if role == "agent" else None),
        )
        if extra in ("negative", "neutral", "positive"):
            scores = {k: (0.96 if k == extra else 0.02) for k in ("negative", "neutral", "positive")}
            msg.sentiment = Sentiment(label=extra, scores=scores)
        elif extra is not None:
            msg.agent_id = str(extra)
        messages.append(msg)
    conv = Conversation(conversation_id=conversation_id, messages=messages)
    return prepare(conv) if run_stages else conv


def set_reading(msg: Message, label: str, negative: float, needs: float, context: str | None = None) -> None:
    """Set a customer turn's model readings by hand, so a test pins one rule: the sentiment model's label and
    P(negative), then the state layer's P(needs empathy) and its label in context (`context`, default `label`)."""
    from pipeline.conversation import CustomerState
    from pipeline.customer_state import SHIPPED_STATE_MODEL

    rest = (1 - negative) / 2
    msg.sentiment = Sentiment(label=context or label, scores={"negative": negative, "neutral": rest, "positive": rest})
    ctx = context or label
    msg.state = CustomerState(
        needs_empathy=needs,
        scores={k: (0.8 if k == ctx else 0.1) for k in ("negative", "neutral", "positive")},
        model=SHIPPED_STATE_MODEL,
    )


def conversation_with_readings(turns: list[tuple[str, str]], readings: list[tuple[str, float, float]]) -> Conversation:
    """A conversation of (role, text) turns 30 s apart, each customer turn's readings set by hand in order
    (`set_reading` with (label, P(negative), P(needs empathy))): the trigger tests pin one conversation-level rule."""
    conv = make_conversation([(r, t, 30 * i) for i, (r, t) in enumerate(turns)], run_stages=False)
    for m, (label, neg, needs) in zip([m for m in conv.messages if m.role == "customer"], readings):
        set_reading(m, label, neg, needs)
    return conv


def score_with_reading(criterion: Any, customer: str, label: str, negative: float, needs: float,
                       context: str | None = None, agent_before: str = "您好，请问有什么可以帮您",
                       reply: str = "好的，这边帮您看一下", kind: str | None = None) -> Any:
    """A criterion's result on agent → customer → agent with the customer turn's readings set by hand
    (`set_reading`, and the feeling `kind` the state layer names): the empathy tests pin one rule this way —
    of the trigger by the readings, of the credit by the agent's `reply`."""
    conv = make_conversation([("agent", agent_before, 0), ("customer", customer, 20), ("agent", reply, 40)], run_stages=False)
    set_reading(conv.messages[1], label, negative, needs, context)
    conv.messages[1].state.kind = kind
    return criterion.score(conv)


def status_with_reading(criterion: Any, customer: str, label: str, negative: float, needs: float,
                        context: str | None = None, agent_before: str = "您好，请问有什么可以帮您",
                        reply: str = "好的，这边帮您看一下") -> str:
    """`score_with_reading`'s status."""
    return score_with_reading(criterion, customer, label, negative, needs, context, agent_before, reply).status


def score_turns(criterion: Any, *turns: str) -> Any:
    """The criterion's result on turns that alternate customer, agent, … from the customer, 30 s apart."""
    roles = ("customer", "agent")
    return criterion.score(make_conversation([(roles[i % 2], t, 30 * i) for i, t in enumerate(turns)]))


def framing_words_only(**params: Any) -> Any:
    """positive_framing with the decline model's layer off (its word lists alone), `params` set on the criterion."""
    from pipeline.rubric import CRITERIA  # here, not at the top: the registry imports every criterion
    crit = CRITERIA["positive_framing.v1"]()
    crit.params.declines = crit.params.declines.model_copy(update={"enabled": False})
    for k, v in params.items():
        setattr(crit.params, k, v)
    return crit
