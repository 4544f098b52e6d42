"""EmotionParams: when a customer message counts as negative (empathy's trigger, negative_end), and the
customer's emotion words; the detector that reads them is EmotionDetector in _common."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.rubric.criteria._conversation_upset import ConversationUpsetParams
from pipeline.rubric.criteria._hidden_upset import HiddenUpsetParams, hidden_upset_for, stated_urgency  # noqa: F401 - re-exported
from pipeline.rubric.schema import LexiconParams, Strict


class EmotionParams(Strict):
    """When a customer message counts as negative: the sentiment stage's label when present
    (use_sentiment), else — or additionally — negative-emotion cues, guarded against negation."""

    use_sentiment: bool = True
    min_negative_score: float = Field(
        default=0.5, ge=0, le=1, description="a negative sentiment label counts only at this probability or above"
    )
    question_guard: bool = Field(
        default=True, description="a plain question (…吗？) with no emotion cue is not negative whatever the model says"
    )
    cues_with_sentiment: bool = True
    cues: LexiconParams = Field(default_factory=LexiconParams)
    negation_window: int = Field(default=2, ge=1, le=10)
    acknowledgements: list[str] = Field(
        default_factory=lambda: list(_default_acks()),
        description="a message made only of these (没了 / 好的 / 行吧) is never negative, whatever the model says",
    )
    acks_before_state: bool = Field(
        default=False,
        description="empathy: a message made only of acknowledgements is not negative even where the state layer reads it "
        "upset (哦 好 / 好吧 after a refusal: the layer reads resignation into the short reply, the labelling rules see "
        "no feeling shown). default@10: true",
    )
    shape_cues: LexiconParams = Field(
        default_factory=LexiconParams,
        description="message shapes that show feeling beyond a plain question or report: a problem stated, "
        "repeated pings (在吗？？/人呢), sarcasm (呵呵/真行/…是吧), urgency (急/来不及), persistence (一直/又)",
    )
    shape_min_score: float = Field(
        default=1.0, ge=0, le=1, description="with a shape cue, a negative label counts from this probability (min_negative_score otherwise)"
    )
    use_state: bool = Field(
        default=True,
        description="when the customer-state layer read the turn (Message.state), decide from it and nothing "
        "first: state_mode empathy = P(needs empathy) ≥ min_state_score counts (a plain question only with a shape "
        "cue), < state_veto never, the rules decide in between; polarity = a turn not read as negative in context "
        "never counts, otherwise the rules decide with the layer's P(negative)",
    )
    state_mode: Literal["empathy", "polarity"] = "empathy"
    min_state_score: float = Field(default=0.85, ge=0, le=1, description="empathy: P(needs empathy) at which a turn counts on the state alone")
    state_veto: float = Field(default=0.2, ge=0, le=1, description="below this P(needs empathy) a turn never counts")
    sentiment_min_state: float = Field(
        default=0.0, ge=0, le=1,
        description="empathy: below this P(needs empathy) the sentiment model's label alone (no shape, no emotion word) does "
        "not count, however confident (default@8: 0.5)",
    )
    state_model_version: str | None = Field(
        default="zh-cs-state@7",
        description="the customer-state model min_state_score and state_veto were chosen with; when the layer runs "
        "another model the rubric is refused, so a rubric version always means one state model and a new state "
        "model means a new rubric version (and a re-score). null accepts any",
    )
    urgency: LexiconParams = Field(
        default_factory=LexiconParams,
        description="empathy: short urgency (急用 / 赶时间 / 来不及) in a turn that asks something counts below "
        "min_state_score, even under state_veto: the state layer reads the calm question, the customer still needs "
        "the hurry acknowledged",
    )
    relief: LexiconParams = Field(
        default_factory=LexiconParams,
        description="empathy: relief or the customer's own mistake (虚惊一场 / 白担心了 / 是我自己没插好): below "
        "min_state_score such a turn is not negative, whatever fright it names (吓死我了), unless a contrast "
        "(但 / 不过 / 可是 / 就是) follows the relief",
    )
    status_cue: str | None = Field(
        default=None,
        description="empathy: a cue whose matched words match this regex only report where the order is (还没收到 / "
        "还没发); it counts only when the state layer reads the turn negative in context (a calm answer to the "
        "agent, 您确认收货哦 → 还没收到, is no feeling). null: every cue counts",
    )
    ambivalent_cue: str | None = Field(
        default=None,
        description="empathy: a cue whose matched words match this regex is slang as often said in delight or in a "
        "playful question as in distress (服了 / 绝了 / 哭了 / 😭); it counts only when the state layer reads the turn "
        "negative in context. null: every cue counts",
    )
    hedged_report: str | None = Field(
        default=None,
        description="empathy: a regex on the analysis form for a softened fault (有点 / 有些 / 稍微 …): below min_state_score a "
        "turn matching it is not negative on the sentiment model's label alone (你家袋子有点薄 is a calm report; an emotion "
        "word or a shape of feeling still counts). null switches it off",
    )
    goodwill: str | None = Field(
        default=None,
        description="polarity (negative_end): a regex on the analysis form for goodwill at the close — wishing the agent "
        "well (早点休息 / 辛苦你们了) or praising the goods (倒是挺好看的); a last turn with it, no contrast after it, no "
        "sarcasm and no emotion word is no negative end, whatever the layer reads (the late hour, the concession). "
        "null switches it off (default@10: lexicons_state.GOODWILL)",
    )
    departure: LexiconParams = Field(
        default_factory=LexiconParams,
        description="polarity (negative_end): the customer leaves the shop for good (去别家看看 / 以后不会再来 / 拉黑): "
        "negative whatever the state layer reads in context (it reads the calm words around it)",
    )
    laughter: str | None = Field(
        default=None,
        description="empathy: the customer laughs (哈哈 / 嘻嘻 / 😂 / [偷笑]): below min_state_score such a turn is a joke, not "
        "distress, whatever word it uses (气死我老公了哈哈) — unless a shape of feeling (sarcasm, pings, persistence) is in it; "
        "polarity (negative_end, default@10): a laughing last turn is no negative end, whatever the layer reads. "
        "Regex on the analysis form; null switches it off (default@9: lexicons_state.LAUGHTER)",
    )
    repeated_status: str | None = Field(
        default=None,
        description="a turn that says flatly, again, that the order has not come (没有收到 … 没有退): a regex on the analysis "
        "form; a turn matching it after an earlier customer turn that matched it is a repeated chase — negative whatever "
        "the layers read in the two words (the dispute is unresolved). null switches it off (default@9: lexicons_state.REPEATED_STATUS)",
    )
    unanswered_ping: str | None = Field(
        default=None,
        description="empathy (default@13): a turn made only of a ping (有人吗 / 在吗 / 人呢), a regex on the analysis form that "
        "must match it whole, sent after a customer turn of the same conversation that no human agent has answered yet (a "
        "bot's holding reply is no answer) is chasing: the customer has been kept waiting — negative whatever the layers read "
        "in the two words. A ping that opens the chat (nothing unanswered before it) is a greeting. null switches it off",
    )
    hidden: HiddenUpsetParams = Field(
        default_factory=HiddenUpsetParams,
        description="default@13 (emp12b): upset said in calm or pleased words, read against the conversation before the "
        "turn — sarcastic praise after a fault, a late reply or a refusal; assent that gives up after a refusal; urgency "
        "stated rather than asked (_hidden_upset). All off by default",
    )
    conversation: ConversationUpsetParams = Field(
        default_factory=ConversationUpsetParams,
        description="default@13 (emp12c), empathy: upset read across the conversation — a stake and a setback told at a "
        "moderately upset turn, persistence said at one; and vetoes: a hurry disclaimed, an emotion word said laughing "
        "(_conversation_upset). All off by default",
    )
    calm_openers: list[str] = Field(
        default_factory=lambda: ["好", "好的", "好吧", "行", "行吧", "那行", "那好吧", "可以", "对", "对的", "是的", "ok", "没问题"],
        description="a message that opens by accepting (行吧，这还差不多 / 对，就灯罩 / 好，两个都要) is "
        "negative only with an emotion cue, not on the model's label alone",
    )


def _default_acks() -> list[str]:
    from pipeline.rubric.criteria import lexicons as L

    from pipeline.rubric.criteria import lexicons_state as S

    # default@8: + grudging acceptance (这还差不多)
    return L.ACKNOWLEDGEMENTS + ["行吧", "好吧", "那好吧", "哦好的", "没有了", "没别的了", "暂时没有了", "对", "对的", "是的", "嗯呢"] + S.GRUDGING_ACCEPT


def emotion_cues() -> LexiconParams:
    """The customer's emotion words, one list for empathy's trigger and negative_end (default@7: + lexicons_state;
    default@10: the insults the abuse flag reads as a question are anger too, as the base insults are)."""
    from pipeline.rubric.criteria import lexicons as L, lexicons_state as S

    from pipeline.rubric.criteria import lexicons_upset as U

    # default@13 (emp12b): + the emotion words the lists lacked (lexicons_upset.EMOTION_GAP)
    return LexiconParams(phrases=L.NEGATIVE_EMOTION + S.CANTONESE_EMOTION + S.EMOTION_MORE + S.ABUSE_QUESTIONED + U.EMOTION_GAP,
                         exclude=L.NEGATIVE_EMOTION_EXCLUDE + S.CANTONESE_EMOTION_EXCLUDE + S.PERFORMANCE_NOT_FEELING + S.KIN_NOT_CURSE
                         + S.KIN_NOT_CURSE_MORE + U.EMOTION_GAP_EXCLUDE,
                         boundary_max_len=1)
