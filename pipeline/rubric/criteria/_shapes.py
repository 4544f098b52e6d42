"""Sentence shapes the customer-emotion rules read (EmotionDetector in _common): whether a message asks
something, a contrast after relief, an emotion word denied right after it, a reply of dots. Read on the
analysis form (simplified, half-width, lower-case, spaces dropped) unless a helper says otherwise."""
from __future__ import annotations

import re

from pipeline.conversation import Message
from pipeline.rubric.matching import local_analysis_form, view
from pipeline.rubric.text_memo import per_text

_CONTRAST_AFTER = re.compile(r"但|不过|可是|就是|只是|然而|结果")
# an emotion word the customer denies right after it, topicalised (差评我们不会打的 / 投诉咱倒不至于 / 生气谈不上):
# the negation guard reads only what stands before the word
_DENIED_AFTER = re.compile(
    r"(的话|这个|这事|嘛|呢)?[，,\s]*((我们|咱们|我|咱|俺|人家)(是|也|倒|倒是|肯定|绝对|当然|暂时|还)?(不会|不至于|不打算|没打算|不想|不准备)"
    r"|(倒|倒是|还|也|是)?(不至于|谈不上|说不上|算不上))"
)


# a reply made only of dots (。。。 / ……): speechless, not an acknowledgement
_SPEECHLESS = re.compile(r"^[\s。.…｡·]*(…|[。.｡·]{3})[\s。.…｡·]*$")
# a question by its end (…吗？ / …呢); 的嘛 closes a statement (我就是不会才问的嘛), not a question
_QUESTION_END = re.compile(r"(吗|嘛|么|呢|没|不)?[?？]+\s*$|(吗|(?<!的)嘛|么|呢)[~～。.\s]*$")
# a question by its question word, one clause, no question mark (为什么查不到物流 / 什么时候能发): the
# reproachful ones (怎么还没到 / 怎么又坏了) are shapes of feeling and stay out
_WH_QUESTION = re.compile(
    r"^[^，。,.!！?？；;]{0,8}(为什么|为啥|怎么(?!回事|还|又|这么|那么|老|总)|什么时候|啥时候|几时|多久|哪天|几天|几号|在哪|哪里)"
    r"[^，。,.!！?？；;]*$"
)


# 呢 closing an ongoing state (孩子在门口等着呢 / 正下着雨呢) states it, it asks nothing: the last clause has 着 or
# 正在 and no question word
_PROGRESSIVE_NE = re.compile(
    r"^(?:.*[，,。.!！?？；;\s])?(?![^，,。.!！?？；;\s]*(什么|怎么|为什么|为啥|啥|咋|哪|谁|几|多少|吗|是不是|有没有|能不能|会不会|要不要))"
    r"[^，,。.!！?？；;\s]*(着|正在)[^，,。.!！?？；;\s]*呢[~～。.!！\s]*$"
)

_ASKS = re.compile(r"[?？]|(吗|嘛|么)(?=[\s,，。.!！~～]|$)")


# each shape is a function of one string: read once per distinct string (pipeline.rubric.text_memo)
_asks_in = per_text(lambda s: bool(_ASKS.search(s)))
_spaced_form = per_text(lambda text: local_analysis_form(text).strip())


def _asks(msg: Message) -> bool:
    """The message asks something anywhere (是黑猪吗？五花肉…): on the state alone it needs a shape or an emotion word."""
    return _asks_in(view(msg).s)


def _spaced(msg: Message) -> str:
    """The message folded like the analysis form but with its spaces: in chat a space ends a clause
    (中午能到吗 急用 / 行 这还差不多), and the analysis form drops it."""
    return _spaced_form(msg.text)


def _asks_by_spaces(msg: Message) -> bool:
    return _asks_in(_spaced_form(msg.text))


@per_text
def _question_shape(s: str) -> bool:
    s = s.strip()
    if _PROGRESSIVE_NE.search(s):
        return False
    return bool(s) and bool(_QUESTION_END.search(s) or _WH_QUESTION.search(s))


def _plain_question(msg: Message) -> bool:
    """The message asks something (ends in ？ or 吗/呢): a model's 'negative' here is usually just a question."""
    return _question_shape(view(msg).s)

# a lone ping that opens the first message (在吗 卫衣怎么退 / 有人吗 想问下尺码): a greeting, not impatience
_OPENER_PING = re.compile(r"^(在吗|在不在|在么|在嘛|有人吗|有人在吗)[?？!！。.~～]?$")


# default@10: a sentence in which the agent restates and asks the customer to confirm (…今天起了红点，对吗？ / …不在那个
# 驿站范围，对吗？): what it names is the customer's case, not a promise or a refusal; 可以吗 / 好吗 ask leave instead
# 是不是 inside a clause (帮您看看是不是吃法不对) asks nothing of the customer: the tag closes the sentence
_CONFIRM_TAG = re.compile(r"(对吗|是吗|对吧|是吧|没错吧|没错吗|对不对|是不是)[\s?？~～。.!！呢呀哈]*$")
_SENTENCE_END = re.compile(r"[。!！?？\n]")


def asks_to_confirm(s: str, at: int) -> bool:
    """The sentence of `s` from position `at` to its end asks the customer to confirm what they said (it closes on
    对吗 / 是吗 / 对吧 …)."""
    end = _SENTENCE_END.search(s, at)
    return bool(_CONFIRM_TAG.search(s[at : end.end() if end else len(s)]))


_LETTERS = re.compile(r"[\u4e00-\u9fffa-z0-9]")


def waiting_unanswered(earlier, substantive) -> bool:
    """A customer turn of at least four letters that `substantive` accepts stands after the last human-agent message
    with text in `earlier` (the conversation before the turn read): the customer is still waiting for an answer."""
    for m in reversed(earlier):
        if m.role == "agent" and m.text.strip():
            return False
        if m.role == "customer" and m.text.strip() and len(_LETTERS.findall(view(m).s)) >= 4 and substantive(m):
            return True
    return False


# an A-not-A question (软不软 / 长不长 / 有没有货): it asks without 吗 or a question mark
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])不\1|有没有|是不是|能不能|会不会|要不要|可不可以")


def asks_anyhow(msg: Message) -> bool:
    """The message asks something: a question mark or 吗/嘛/么 (on the analysis form or the spaced one), or A-not-A."""
    return _asks(msg) or _asks_by_spaces(msg) or bool(_A_NOT_A.search(view(msg).s))
