"""The stage protocol: named steps that each fill in their own fields of a Conversation.

In the spirit of spaCy's components: a stage has a `name`, says which Conversation/Message
fields it `requires` and which it `assigns`, and the run checks the order once, at start
(`check_order`), so a stage whose input no earlier stage fills is a clear error before any
data is touched, not a crash in the middle of the night.

    assemble → normalise → segment → sentiment → rubric

`assemble` turns stored messages into conversations; every later stage is called with one
conversation (`stage(conv)`), and a stage that works better on many at once (the sentiment
model batches) also has `pipe(conversations)`. The run isolates failures: when `pipe`
raises it retries conversation by conversation, so one bad conversation never sinks a batch.

A stage marked `ahead` (sentiment: the model, whose ONNX Runtime call releases the GIL) may run on
another thread beside the stages between assemble and it (`split_ahead`, pipeline.partitions.PartitionWork):
the run then scores the next batch's model work while this batch's rubric and store run. `check_order`
refuses the mark when a stage before it reads or writes what it writes, or writes what it reads.

Tests swap a stage for a fake with the same name (`build_stages(..., replace=[...])`); the
fake goes through the same order check.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pipeline.conversation import Conversation, Message
from pipeline.errors import RunError

# What a stored message already carries when the run loads it (ingest fills these, the store keeps them).
STORED_FIELDS: frozenset[str] = frozenset({
    "Message.conversation_id", "Message.role", "Message.timestamp", "Message.text", "Message.agent_id",
    "Message.customer_id", "Message.shop", "Message.channel", "Message.csat", "Message.message_key",
})  # fmt: skip

STAGE_ORDER: tuple[str, ...] = ("assemble", "normalise", "segment", "sentiment", "rubric")


class StageOrderError(RunError):
    """The stages cannot run in this order: one needs a field no earlier stage fills."""


@runtime_checkable
class Stage(Protocol):
    """A named step of the run that fills `assigns` given `requires` (qualified field names)."""

    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]


@dataclass(frozen=True)
class AssembleStage:
    """Stored messages → conversations in order, with 1-based `seq` (pipeline.ingest.assemble)."""

    func: Callable[[list[Message]], list[Conversation]]
    name: str = "assemble"
    requires: tuple[str, ...] = ("Message.conversation_id", "Message.timestamp")
    assigns: tuple[str, ...] = (
        "Conversation.messages", "Message.seq", "Conversation.customer_id", "Conversation.shop",
        "Conversation.channel",
    )  # fmt: skip

    def __call__(self, messages: list[Message]) -> list[Conversation]:
        return self.func(messages)


@dataclass(frozen=True)
class ConversationStage:
    """A stage called once per conversation (`func`), or on many at once when it has `batch`."""

    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    func: Callable[[Conversation], Any]
    batch: Callable[[Sequence[Conversation]], Any] | None = None
    ahead: bool = False  # may run on another thread beside the stages before it (module docstring)

    def __call__(self, conv: Conversation) -> None:
        self.func(conv)

    def pipe(self, conversations: Sequence[Conversation]) -> None:
        if self.batch is not None:
            self.batch(conversations)
        else:
            for conv in conversations:
                self.func(conv)


# ---------------------------------------------------------------------- the project's stages
def assemble_stage(func: Callable[[list[Message]], list[Conversation]] | None = None) -> AssembleStage:
    if func is None:
        from pipeline.ingest import assemble as func
    return AssembleStage(func)


def normalise_stage(func: Callable[[Conversation], Any] | None = None) -> ConversationStage:
    if func is None:
        from pipeline.normalise import normalise_conversation as func
    return ConversationStage(
        "normalise", ("Conversation.messages", "Message.text"), ("Message.norm", "Message.norm_to_text"), func
    )


def segment_stage(segment: Callable[[Conversation], Any]) -> ConversationStage:
    """`segment` is usually a pipeline.segment.Segmenter built for the run's rubric."""
    return ConversationStage("segment", ("Conversation.messages", "Message.norm"), ("Message.tokens",), segment)


def sentiment_stage(model: Any) -> ConversationStage:
    from pipeline.sentiment import annotate_sentiment

    return ConversationStage(
        "sentiment",
        ("Conversation.messages", "Message.role", "Message.text"),
        ("Message.sentiment", "Message.state", "Conversation.model_version"),
        lambda conv: annotate_sentiment([conv], model),
        lambda convs: annotate_sentiment(convs, model),
        ahead=True,
    )


def rubric_stage(rubric: Any) -> ConversationStage:
    return ConversationStage(
        "rubric",
        ("Message.seq", "Message.norm", "Message.norm_to_text", "Message.tokens", "Message.sentiment"),
        ("Conversation.criteria", "Conversation.flags", "Conversation.score", "Conversation.rubric_version"),
        rubric.score,
        getattr(rubric, "score_many", None),  # a batch: the criteria's models read it at once (Rubric.score_many)
    )


def build_stages(
    rubric: Any,
    model: Any,
    *,
    segmenter: Callable[[], Callable[[Conversation], Any]] | None = None,
    replace: Iterable[Stage] = (),
) -> list[Stage]:
    """The run's stages in order, each from `replace` when one there has its name; order checked.

    `segmenter` builds the segment stage's callable only when no replacement is given (building
    the real one loads jieba's dictionary: ~1 s).
    """
    swaps = {s.name: s for s in replace}
    unknown = sorted(set(swaps) - set(STAGE_ORDER))
    if unknown:
        raise StageOrderError(
            f"unknown stage(s) {', '.join(unknown)} — a replacement must have one of the names {', '.join(STAGE_ORDER)}"
        )

    def segment() -> Stage:
        if segmenter is not None:
            return segment_stage(segmenter())
        from pipeline.segment import segmenter_for

        return segment_stage(segmenter_for(getattr(rubric, "lexicon_terms", list)()))

    makers: dict[str, Callable[[], Stage]] = {
        "assemble": assemble_stage,
        "normalise": normalise_stage,
        "segment": segment,
        "sentiment": lambda: sentiment_stage(model),
        "rubric": lambda: rubric_stage(rubric),
    }
    stages = [swaps[name] if name in swaps else makers[name]() for name in STAGE_ORDER]
    check_order(stages)
    return stages


def check_order(stages: Sequence[Stage], available: Iterable[str] = STORED_FIELDS) -> None:
    """Raise StageOrderError unless every stage's requirements are stored or assigned by an earlier stage,
    and every stage marked `ahead` can run beside the stages between the first stage (assemble) and it."""
    have = set(available)
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise StageOrderError(f"stage names repeat: {' → '.join(names)} — each stage must appear once")
    for stage in stages:
        missing = [f for f in stage.requires if f not in have]
        if missing:
            raise StageOrderError(
                f"stage {stage.name!r} requires {', '.join(missing)}, which no earlier stage assigns "
                f"(order: {' → '.join(names)}) — put the stage that assigns it before {stage.name!r}"
            )
        have.update(stage.assigns)
    for i, stage in enumerate(stages[1:], 1):
        if not getattr(stage, "ahead", False):
            continue
        clashes = sorted({
            f"{other.name} {verb} {field}"
            for other in stages[1:i] if not getattr(other, "ahead", False)
            for verb, fields, against in (("assigns", other.assigns, (*stage.requires, *stage.assigns)),
                                          ("requires", other.requires, stage.assigns))
            for field in fields if field in against
        })  # fmt: skip
        if clashes:
            raise StageOrderError(
                f"stage {stage.name!r} is marked ahead (run beside the stages before it) but {'; '.join(clashes)} "
                f"— drop the mark or the dependency"
            )
    if [s.name for s in stages[1:] if getattr(s, "ahead", False)] != [s.name for s in _ahead_block(stages[1:])]:
        raise StageOrderError(f"stages marked ahead must follow one another (order: {' → '.join(names)})")


def _ahead_block(stages: Sequence[Stage]) -> list[Stage]:
    marked = [i for i, s in enumerate(stages) if getattr(s, "ahead", False)]
    return list(stages[marked[0] : marked[-1] + 1]) if marked else []


def split_ahead(stages: Sequence[Stage]) -> tuple[list[Stage], list[Stage], list[Stage]]:
    """The stages after assemble as (before, ahead, after): `ahead` the block of stages marked ahead
    (checked by check_order), `before` the ones between assemble and it, `after` the rest."""
    block = _ahead_block(stages)
    if not block:
        return [], [], list(stages)
    first = list(stages).index(block[0])
    return list(stages[:first]), block, list(stages[first + len(block) :])
