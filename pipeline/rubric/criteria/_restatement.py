"""default@13 (lsn12b): active_listening's restatement read by content, not by template.

An agent sentence restates when it names what the customer said — the item, the fault, where on the goods, what they
asked for — in words shared with the customer's earlier messages: a confirming question (是左上角靠近听筒那道吗？) may
name one detail of three characters or more and add words of its own; a statement (您买的白色卫衣袖口开线了) naming
two pieces counts only with `statements` on (off: the dev labels do not read statements so). A bare echo of one word (退货吗？), a sentence that asks for information (哪个颜色 / 订单号是多少 / 提供一下照片)
and a receipt template (您反馈的问题已收到) restate nothing. Switchable in rubrics/default.yaml
(active_listening.params.restatement).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import Field

from pipeline.conversation import Conversation, Evidence, Message
from pipeline.rubric.matching import view
from pipeline.rubric.schema import Strict

# two characters that every chat shares and that name nothing of the customer's: greetings, pronouns, service words,
# generic nouns (问题 / 情况 / 订单 / 商品), time and degree words
STOP_BIGRAMS = frozenset(
    """您好 你好 在吗 谢谢 可以 一下 这个 那个 这边 那边 我们 你们 您的 你的 我的 就是 不是 没有 已经 现在 时候 一个 什么 怎么
    问题 情况 订单 商品 宝贝 东西 亲亲 麻烦 请问 帮我 帮您 给您 给我 为您 收到 知道 明白 了解 还是 的话 如果 因为 所以 但是
    然后 这样 那样 一样 这么 那么 好的 是的 对的 不好 意思 不了 了吗 的吗 是不 可能 应该 需要 需不 一直 还有 还没 有没 处理
    客服 您说 你说 我说 说的 这里 那里 哪里 今天 明天 昨天 时间 确认 核实 看看 看下 一点 有点 非常 真的 实在 然后 之前 以后
    """.split()
)
_CJK = re.compile(r"[\u4e00-\u9fff0-9a-zA-Z]")
_CLAUSE = re.compile(r"[，,、:：]")
# a reproach put as a question (您下单前没看吗 / 难道不知道吗) confirms nothing
_RHETORICAL = re.compile(r"(难道|没看|不看|没注意|不知道|不会|没听)")
_SENT = re.compile(r"[^。！!？?；;\n]+[。！!？?；;]?")
# a sentence that asks for information (a question word, a request for a number or a picture) confirms nothing
ASKS = r"(哪|什么|啥|多少|几(个|件|号|天|点|月)|怎么|如何|为什么|为啥|提供|发(一下|下)?(您的)?(订单|单号|照片|图片|视频)|拍(一下|下|个)?(照片|视频|图)|上传)"
# a confirming question: a question mark, or a closing particle of confirmation
CONFIRMS = r"([?？]\s*$|(对吗|对吧|是吗|是吧|吧|吗|没错|啱唔啱|係咪|是不是|对不对)[。.!！~～]*\s*$)"


class RestatementParams(Strict):
    """default@13 (lsn12b): a restatement found by the content it shares with the customer's words."""

    enabled: bool = True
    question_min_chars: int = Field(default=3, ge=2, description="a confirming question: its longest shared piece")
    statements: bool = Field(default=False, description="count statements too (measured: the dev labels read a statement naming "
                             "the customer's words — 快递在路上了，耐心等一下 / 进水不在保修范围的 — as no restatement; off)")
    statement_pieces: int = Field(default=2, ge=1, description="a statement: how many shared pieces it names")
    statement_min_chars: int = Field(default=5, ge=2, description="a statement: shared characters in all")
    max_echo_share: float = Field(default=0.7, gt=0, le=1, description="above this share of the sentence shared, it is an echo")
    asks: str = Field(default=ASKS, description="regex: a sentence asking for information restates nothing")
    confirms: str = Field(default=CONFIRMS, description="regex: the close of a confirming question")


@dataclass
class Restated:
    msg: Message
    start: int  # in the analysis form
    end: int
    pieces: list[str]
    question: bool

    def evidence(self, rule: str) -> Evidence:
        v = view(self.msg)
        a, b = v.text_span(self.start, self.end)
        kind = "确认式提问" if self.question else "复述"
        note = f"客服{kind}用了客户说过的内容“{'、'.join(self.pieces)}”；复述或确认客户问题/订单信息"
        return Evidence(seq=self.msg.seq, text=self.msg.text, span=(a, b), rule=rule, note=note)


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1) if _CJK.match(s[i]) and _CJK.match(s[i + 1])}


def shared_pieces(sentence: str, customer: str) -> list[str]:
    """The runs of the sentence made of consecutive bigrams the customer also wrote (stop bigrams left out), longest
    first: 白色M码卫衣 against 卫衣…白色M码 is two pieces (码卫 is not theirs)."""
    theirs = _bigrams(customer) - STOP_BIGRAMS
    pieces, run = [], ""
    for i in range(len(sentence) - 1):
        if sentence[i : i + 2] in theirs:
            run = run + sentence[i + 1] if run else sentence[i : i + 2]
        elif run:
            pieces.append(run)
            run = ""
    if run:
        pieces.append(run)
    return sorted(set(pieces), key=len, reverse=True)


def find_restatement(conv: Conversation, msg: Message, p: RestatementParams, skip: list[re.Pattern] = ()) -> Restated | None:
    """The first sentence of the agent message `msg` that restates the customer's earlier words (None when none)."""
    earlier = []
    for m in conv.messages:
        if m is msg:
            break
        if m.role == "customer" and m.text:
            earlier.append(view(m).s)
    if not earlier:
        return None
    customer = "\n".join(earlier)
    s = view(msg).s
    asks, confirms = re.compile(p.asks), re.compile(p.confirms)
    for sm in _SENT.finditer(s):
        sent = sm.group(0)
        if asks.search(sent) or any(x.search(sent) for x in skip):
            continue
        pieces = shared_pieces(sent, customer)
        if not pieces:
            continue
        shared = sum(len(x) for x in pieces)
        body = len(_CJK.findall(sent))
        if body == 0 or shared / body > p.max_echo_share:
            continue  # a bare echo
        question = bool(confirms.search(sent))
        # the confirming question is its last clause (…，您下单前没看吗 asks nothing of what the first clause named)
        last = _CLAUSE.split(sent.rstrip("?？。.!！~～ "))[-1]
        if question and not _RHETORICAL.search(last):
            qp = shared_pieces(last, customer)
            if qp and len(qp[0]) >= p.question_min_chars:
                return Restated(msg, sm.start(), sm.end(), qp, True)
        if p.statements and len(pieces) >= p.statement_pieces and shared >= p.statement_min_chars:
            return Restated(msg, sm.start(), sm.end(), pieces, question)
    return None
