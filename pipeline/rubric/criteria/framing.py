"""positive_framing.v1: a refusal offers an alternative (虽然…不过我们可以…).

A refusal is a refusal word (无法 / 不支持 / 超过售后期限 …), not one that is itself denied (不是不归我们管); an
alternative that is itself negated (补偿是没有的 / 不能给您补发) offers nothing. A refusal said without a refusal word
(动不了 / 超时的不赔的 / 运费需要您自理 / 结束就是结束了) is one when it answers a customer's request (default@9): the
same words to a customer who asked for nothing explain, they refuse nothing."""
from __future__ import annotations

import re
from typing import Any, NamedTuple

from pydantic import Field

from models.base import BoundedMemo
from pipeline.conversation import Conversation, CriterionResult
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria import lexicons_state as S
from pipeline.rubric.criteria._common import GuardParams, PhraseMatcher, human_agent_messages, pinned_model
from pipeline.rubric.criteria._decline_params import DeclineModelParams
from pipeline.rubric.criteria._framing_turns import (ACTING, COND_CLAUSE, EMPTY_OFFER, EMPTY_REMEDY, GRANTS, LAPSED, ONLY_CAN,
                                                     conditional_granted, empty_offer, lapsed_refusals, only_refusals)
from pipeline.rubric.criteria._shapes import _asks, _plain_question, asks_to_confirm
from pipeline.rubric.criteria.forbidden import is_denied, is_negated_offer
from pipeline.rubric.matching import Lexicon, Match, clauses, compile_entries, message_evidence, view
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric import text_memo
from pipeline.rubric.schema import LexiconParams, Strict


class _Compiled(NamedTuple):
    """PositiveFraming's matchers, built once from its params (None: switched off in the rubric)."""
    refusal: Any
    alt: Any
    contrast_offer: Any
    answered: Any
    requests: Any
    granted: Any
    declined: Any
    retracted: Any
    sold_separately: Any
    inclusion_question: Any
    decline_model: Any = None  # models.declines.DeclineClassifier, or None (declines switched off)
    referral: Any = None  # default@14 (frm13): FramingParams.referral compiled, or None (off)
    vague: Any = None  # default@14 (frm13): (vague_step, concrete_step) compiled, or None (off)
    unasked: Any = None  # default@14 (frm13): FramingParams.unasked compiled, or None (off)
    lapsed: Any = None  # default@15 (frm14): FramingParams.lapsed compiled, or None (off)
    empty: Any = None  # default@15 (frm14): (empty_offer, empty_remedy) compiled, or None (off)
    cond: Any = None  # default@15 (frm14): (conditional, grants) compiled, or None (off)
    acting: Any = None  # default@15 (frm14): FramingParams.acting compiled, or None (off)
    only: Any = None  # default@15 (frm14): FramingParams.only_can compiled, or None (off)


_CONTRAST = re.compile("不过|但是|可是|但")
# an alternative that only passes the matter on (帮您反馈 / 登记一下 / 联系快递): a next step, not something in place
_PASSED_ON = re.compile(r"反馈|登记|上报|转交|转给|联系|跟进|催|问问|问一下|问下|核实|报备|协调|提交")
# a customer turn that takes a refusal: it opens by accepting (哦 这样啊 / 好吧 / 行 / 知道了), analysis form
_TAKES = re.compile(r"^(哦|噢|喔|嗯|好吧|好的|好|行吧|行|那好吧|这样啊|这样呀|知道了|明白了|了解|ok)")
# default@11 (judge6): what the goods do not include, said to a customer who asked whether they include it
# (送挂架吗 → 挂架需要另外购买): the listing's contents told, nothing refused. Asked in the negative (你们不送…吗) it is a
# reproach, and asked as a favour (能送一根吗 / 可以送个…吗) a request: there the same words refuse (analysis form)
SOLD_SEPARATELY = r"(单独|另外|额外|另行|另)(买|购买|购|拍|下单)"
INCLUSION_QUESTION = (r"(?<![不没唔能以可])(有送|送|带|配|含|包含|包括|附带|赠送|赠|自带|标配)[^，。,.!！?？]{0,8}"
                      r"(吗|么|嘛|不|没有|没)(?=[?？。.!！~～\s]|$)")


# default@14 (frm13): the customer sent to someone else to sort it out — a third party (快递 / 厂家 / 4S店 / 维修点 / 别家)
# or a complaint channel (投诉 / 平台介入 / 12315) — the shop doing nothing itself (analysis form; a clause where the shop
# acts, 我帮您联系快递, is none: SHOP_ACTS)
REFERRAL = (r"(找|联系|咨询|问问|问一下|问下|打给|致电|拨打|打电话给|送到|送去|拿去|拿到|去)(一下|下)?[^，。,.!！?？;；]{0,4}"
            r"(快递|物流|驿站|站点|厂家|厂商|品牌方|官方售后|官方客服|4s|维修点|维修店|修理店|网点|当地|别家|其他家|其他店|别的店|"
            r"师傅本人|安装师傅|银行|运营商|平台)"
            r"|(看看|看下|逛逛|去)(别家|其他家|其他店|别的店)"
            r"|(您|你|亲)[^，。,.!！?？;；]{0,6}(投诉|举报|申请[^，。,.!！?？;；]{0,3}介入|平台介入|找平台|12315|消协)")
# default@14 (frm13): passing the word on (我们会反馈给上级 / 帮您上报一下 / 记录下来了) is a next step only with something
# concrete after it — who takes it up, when the customer hears back, what is done (CONCRETE_STEP); alone it is a vague promise
VAGUE_STEP = r"反馈|上报|报备|转达|记录|备案|提意见|提建议"
CONCRETE_STEP = (r"[0-9一二两三四五六七八九十半]+(个)?(小时|工作日|天|分钟)|今天|今晚|明天|明早|后天|周[一二三四五六日末]|"
                 r"专员|同事|主管|师傅|(给|回复|答复|联系|通知|回电)(您|你)|结果|跟进|处理方案|补偿|退|换|补发")
# default@14 (frm13): a customer turn that only acknowledges (好的 / 谢谢 / 嗯嗯 / 收到): it asks for nothing
ACKNOWLEDGED = r"^(好的|好滴|好|嗯|嗯嗯|哦|噢|ok|谢谢|谢啦|多谢|收到|知道了|明白了|了解|行|可以|没事|没问题|亲|[,，。.!！~～\s])+$"
SHOP_ACTS = (r"(帮|替|为您|为你|给您|给你)|(我|我们|这边|小店|本店|客服)(?:(?!建议|麻烦|请)[^，。,.!！?？;；您你]){0,5}"
             r"(找|联系|咨询|问问|问一下|问下|打给|致电|拨打|打电话给|送到|送去|拿去|拿到|去)")


# default@13 (frl12): an A-not-A question (修不修 / 退不退 / 换不换) asks, it refuses nothing: 您看完再决定修不修 holds 不修
A_NOT_A = [r"re:(?P<yn>[\u4e00-\u9fff])不(?P=yn)"]


class FramingParams(Strict):
    refusals: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=L.REFUSALS, exclude=L.REFUSAL_EXCLUDE + S.REFUSAL_EXCLUDE_MORE, variants=L.YOU)
    )
    # default@9: + a next step the agent takes (我帮您转给售后同事): "no next step" is what makes a refusal bare
    alternatives: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=L.ALTERNATIVES + S.NEXT_STEPS, exclude=L.ALTERNATIVES_EXCLUDE + S.SENT_ELSEWHERE, variants=L.YOU)
    )
    window: int = Field(default=2, ge=1, description="agent messages from the refusal in which the alternative may come")
    before_reply: bool = Field(
        default=True,
        description="an alternative in a later agent message counts only until the customer takes the refusal (哦 这样啊 "
        "好吧 / 行吧 / 知道了): after that the agent's words answer what came next, not the refusal; a customer who asks "
        "on (那怎么办) still gets the alternative to the refusal, but passing the matter on (帮您反馈 / 登记一下) then "
        "answers the new question, it is nothing in place of the refusal (default@10)",
    )
    contrast_offer: list[str] = Field(
        default_factory=lambda: list(L.CONTRAST_OFFER),
        description="what a contrast clause (不过/但是…) must contain to count as an alternative; "
        "虽然不能改价，但是这个价格已经很优惠了 offers nothing",
    )
    confirming: bool = Field(
        default=True,
        description="a refusal word in a sentence that asks the customer to confirm (…收货地址不在那个驿站范围，对吗？) "
        "restates the customer's case, it refuses nothing (default@10)",
    )
    denied: bool = Field(default=True, description="a refusal word that is itself denied (不是不归我们管) is no refusal")
    negated_offer: bool = Field(default=True, description="an alternative that is itself negated (补偿是没有的) is no alternative")
    answered_refusals: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=S.ANSWERED_REFUSALS, exclude=S.ANSWERED_REFUSALS_EXCLUDE + S.REFUSAL_EXCLUDE_MORE + A_NOT_A,
                                      variants=L.YOU),
        description="refusals without a refusal word (动不了 / 不赔的 / 运费需要您自理 / 没有办法的): a refusal only when one of "
        "the customer's last `request_turns` turns before the message makes a request (`requests`)",
    )
    requests: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=S.REQUESTS, boundary_max_len=0),
        description="the customer asks the shop for something: whether it can be done (能/可以/有没有…吗), a request verb, a demand",
    )
    declined: LexiconParams = Field(
        default_factory=lambda: LexiconParams(phrases=S.DECLINED_AS_NOT_OURS, variants=L.YOU),
        description="the shop declining the matter as not its own (我们这边干预不了 / 店铺是管不到的 / 唔关我哋事): a refusal "
        "when it answers a request, or a complaint — one of the customer's last `request_turns` turns read negative in "
        "context that states a problem rather than asks (显示签收了 我根本没收到): the complaint asks the shop to act; to a "
        "calm question (下雨了快递会晚吗 → 这个我们也左右不了) it explains (default@10)",
    )
    request_turns: int = Field(default=2, ge=1, description="customer turns before an agent message that may hold the request it answers")
    retracted: str | None = Field(
        default=S.RETRACTION,
        description="a refusal the agent takes back in a later message (我上一条说错了，睡衣是支持七天无理由的) refuses nothing "
        "(regex on the analysis form; null switches it off; default@10)",
    )
    sold_separately: str | None = Field(
        default=SOLD_SEPARATELY,
        description="a refusal word saying the goods are sold separately (需要另外购买 / 要单独买): no refusal when one of the "
        "customer's last `request_turns` turns asks whether the goods include it (`inclusion_question`) — the answer tells "
        "what the listing includes (regex on the refusal's words; null switches it off; default@11)",
    )
    inclusion_question: str = Field(
        default=INCLUSION_QUESTION,
        description="the customer asks whether the goods include something (送挂架吗 / 带充电器吗 / 有送防尘袋没), not asked in "
        "the negative (你们不送…吗 reproaches) nor as a favour (能送一根吗 requests) (regex on the analysis form)",
    )
    declines: DeclineModelParams = Field(default_factory=DeclineModelParams)
    referral: str | None = Field(
        default=REFERRAL,
        description="default@14 (frm13): sending the customer to a third party or a complaint channel (您可以联系厂家售后 / "
        "建议您咨询4S店 / 您可以去投诉 / 申请平台介入 / 看看别家) with no shop actor in its clause: an alternative in that "
        "clause, a contrast clause that holds it, or the model's alternative reading of a message whose only offer it is "
        "offers nothing; said in answer to a request, it declines (regex on the analysis form; null: off)",
    )
    vague_step: str | None = Field(
        default=VAGUE_STEP,
        description="default@14 (frm13): an alternative that only passes the word on (我们会反馈 / 帮您上报) offers nothing "
        "unless its message says something concrete (`concrete_step`) (regex on the matched alternative; null: off)",
    )
    concrete_step: str = Field(default=CONCRETE_STEP, description="what makes passing the word on a next step: a time, "
                               "who takes it up, a reply to the customer, a remedy (regex on the analysis form)")
    unasked: str | None = Field(
        default=ACKNOWLEDGED,
        description="default@14 (frm13): an agent message that answers no customer turn — none before it, or the last "
        "one only acknowledges (regex on its analysis form: 好的 / 谢谢 / 收到) — declines nothing: what it says is not "
        "available (这款黑色暂时没货了，可以换成…) informs a customer who asked for nothing (null: off)",
    )
    referral_complaints: bool = Field(default=True, description="default@14 (frm13): a referral answering a complaint (a "
                                      "negative customer turn that states a problem) declines too, as `declined` does")
    shop_acts: str = Field(default=SHOP_ACTS, description="the shop acting in a referral's clause (我帮您联系快递): no referral")
    lapsed: str | None = Field(default=LAPSED, description="default@15 (frm14): a window said to be past (已经过了七天无理由"
                               "退货期 / 已超过签收15天 / 过保了 / 活动已经结束了), not denied, asked or a condition: a refusal where it "
                               "answers a request, as `answered_refusals` (regex on the analysis form; null: off)")
    only_can: str | None = Field(default=ONLY_CAN, description="default@15 (frm14): \"only\" said of the shop's service "
                                 "(只能原路退回 / 仅支持换货 / 只发大陆), not asked back, answering a request: a refusal, as "
                                 "`answered_refusals` (只能手洗, a product fact, is not matched) (regex on the analysis form; null: off)")
    empty_offer: str | None = Field(default=EMPTY_OFFER, description="default@15 (frm14): an alternative (or a contrast "
                                    "clause) whose clause only asks the customer to wait, understand or keep watching (耐心"
                                    "等待 / 理解一下 / 留意物流 / 放心) and holds no `empty_remedy` offers nothing (null: off)")
    conditional: str | None = Field(default=COND_CLAUSE, description="default@15 (frm14): a refusal word inside a condition "
                                    "(如果拆封了就不支持退 / 超过7天的话就不能换了) in a message that grants outside that clause "
                                    "(`grants`: 可以换的 / 直接申请就行 / 还在七天内) quotes a rule on the way to a yes (null: off)")
    grants: str = Field(default=GRANTS, description="a clause that grants the request (regex on each clause)")
    acting: str | None = Field(default=ACTING, description="default@15 (frm14): the shop doing something for the customer "
                               "(已经给您调货了 / 马上帮您改) in a message answering no request and no complaint: its refusal "
                               "words explain a limitation on the way, nothing is declined (regex on the analysis form; null: off)")
    empty_remedy: str = Field(default=EMPTY_REMEDY, description="what keeps such a clause an alternative: the shop acting, "
                              "a real option, a time")
    granted: str | None = Field(
        default=S.GRANTED,
        description="a message that grants the request (可以换的 / 已经给您通过了): a refusal without a refusal word after it "
        "(来回运费需要您承担) is a condition, not a refusal (regex on the analysis form; null switches it off)",
    )


@register_criterion("positive_framing.v1")
class PositiveFraming(Criterion):
    """na unless a human agent refuses (无法退款 / 不支持 / 超过售后期限 …); then pass when every
    refusal is followed — later in the same message or in the next `window - 1` agent messages —
    by an alternative (可以为您… / 建议 / 或者 / 补偿 …)."""

    Params = FramingParams

    def compile(self):
        p: FramingParams = self.params
        refusal = PhraseMatcher(self.id + ".refusal", p.refusals, GuardParams(quotation=True))
        alt = Lexicon(
            p.alternatives.phrases,
            rule=f"{self.id}.alternative",
            variants=p.alternatives.variants,
            exclude=p.alternatives.exclude,
            boundary_max_len=p.alternatives.boundary_max_len,
        )
        answered = PhraseMatcher(self.id + ".answered_refusal", p.answered_refusals, GuardParams(quotation=True)) if p.answered_refusals.phrases else None
        requests = (
            PhraseMatcher(self.id + ".request", p.requests, GuardParams(quotation=True)) if p.requests.phrases and answered is not None else None
        )
        granted = re.compile(p.granted) if p.granted else None
        declined = PhraseMatcher(self.id + ".declined", p.declined, GuardParams(quotation=True)) if p.declined.phrases else None
        retracted = re.compile(p.retracted) if p.retracted else None
        return _Compiled(refusal, alt, compile_entries(p.contrast_offer) if p.contrast_offer else None, answered, requests, granted,
                         declined, retracted, re.compile(p.sold_separately) if p.sold_separately else None,
                         re.compile(p.inclusion_question), self._decline_model(),
                         (re.compile(p.referral), re.compile(p.shop_acts)) if p.referral else None,
                         (re.compile(p.vague_step), re.compile(p.concrete_step)) if p.vague_step else None,
                         re.compile(p.unasked) if p.unasked else None, re.compile(p.lapsed) if p.lapsed else None,
                         (re.compile(p.empty_offer), re.compile(p.empty_remedy)) if p.empty_offer else None,
                         (re.compile(p.conditional), re.compile(p.grants)) if p.conditional else None,
                         re.compile(p.acting) if p.acting else None, re.compile(p.only_can) if p.only_can else None)

    def _decline_model(self):
        d: DeclineModelParams = self.params.declines
        if not d.enabled:
            return None
        from models.declines import load_decline_model

        model = pinned_model(self.id, "decline", load_decline_model, d.model, d.model_version, "declines.model_version")
        return model

    def _decline_probs(self, conversation: Conversation, agent_msgs: list, wanted: list[bool]):
        """The decline model's rows (n x 3, DECLINE_LABELS' order) for `agent_msgs`, each read with the customer's burst
        before it, in one batch for the `wanted` ones (the others read as declining nothing); and, per message, its reply
        (the seq of the customer turn it answers; -1 before the customer wrote anything)."""
        import numpy as np

        msgs = conversation.messages
        primed = self.take_primed(conversation)  # every agent message's row, read in the batch (`prime`): the same numbers
        rows = None if primed is not None else self._decline_rows(conversation, agent_msgs)
        replies, last = [], None
        for m in msgs:
            if m.role == "customer" and m.text.strip():
                last = m
            elif m.role == "agent" and m.text.strip():
                replies.append(-1 if last is None else last.seq)
        probs = np.zeros((len(agent_msgs), 3), dtype=np.float32)
        probs[:, 0] = 1.0
        idx = [i for i, w in enumerate(wanted) if w]
        if idx:
            probs[idx] = primed[0][idx] if primed is not None else self.compiled.decline_model.predict_proba([rows[i] for i in idx])
        return probs, replies

    @staticmethod
    def _decline_rows(conversation: Conversation, agent_msgs: list) -> list:
        """The decline model's row of each of `agent_msgs`: (the customer's burst before it, its text)."""
        from models.declines import context_pairs

        msgs = conversation.messages
        pairs = dict(context_pairs([(m.role, m.text) for m in msgs]))
        at = {id(m): i for i, m in enumerate(msgs)}
        return [pairs.get(at[id(m)], ("", m.text)) for m in agent_msgs]

    def prime(self, conversations) -> None:
        """The decline model reads every human agent message of a batch at once (Rubric.score_many), and each
        conversation's slice of the probabilities is kept for `_decline_probs` (keep_primed): one numpy pass per batch.
        Every message, not only those `score` asks about: finding those is the phrase matching `score` does, and the
        rows a message adds cost less in the batch than matching twice; each row depends on its own texts only."""
        model = self.compiled.decline_model
        if model is None:
            return
        per_conv = [self._decline_rows(conv, human_agent_messages(conv)) for conv in conversations]
        rows = [r for rs in per_conv for r in rs]
        if rows:  # each conversation's rows kept for `_decline_probs` (each row depends on its own texts only)
            self.keep_primed(conversations, [len(rs) for rs in per_conv], model.predict_proba(rows))

    def _requests_before(self, customer_turns: list, agent_msgs: list) -> list:
        """The customer's request each agent message answers: a request in one of the customer's last `request_turns`
        turns with text before it (None when the customer asked for nothing); each customer turn is read once.
        `customer_turns`: the conversation's customer messages with text, in order."""
        if self.compiled.requests is None:
            return [None] * len(agent_msgs)
        found = {}
        out = []
        for m in agent_msgs:
            before = [c for c in customer_turns if c.seq < m.seq][-self.params.request_turns :]
            hit = None
            for c in reversed(before):
                if c.seq not in found:
                    acc = self.compiled.requests.find(c).accepted
                    found[c.seq] = acc[0] if acc else None
                if found[c.seq] is not None:
                    hit = found[c.seq]
                    break
            out.append(hit)
        return out

    def _alternatives(self, v) -> list:
        """The alternatives of a message's view, negated ones (补偿是没有的) dropped."""
        alt = self.compiled.alt
        found = alt.find(v)
        if self.params.negated_offer:
            found = [a for a in found if not is_negated_offer(v.s, a.start, a.end)]
        if found and self.compiled.vague is not None:
            vague, concrete = self.compiled.vague
            # concrete after the pass-on (反馈一下，24小时内给您回复), not the refusal's own words before it
            found = [a for a in found if not vague.search(v.s[a.start : a.end]) or concrete.search(v.s, a.end)]
        if found and self.compiled.referral is not None:
            spans = self._referral_clauses(v.s)
            found = [a for a in found if not any(x <= a.start < y for x, y in spans)]
        if found and self.compiled.empty is not None:  # default@15: 您可以耐心等待一下 offers nothing
            found = [a for a in found if not empty_offer(v.s, a.start, *self.compiled.empty)]
        return found

    def _hollow(self, msg, start: int):
        """default@15 (frm14): an offer after `start` whose clause only asks the customer to wait or understand (the
        word lists' alternatives unfiltered; a Match, rule `empty_offer`, or None): the model's alternative reading of that
        message is not credited."""
        if self.compiled.empty is None:
            return None
        v = view(msg)
        a = next((a for a in self.compiled.alt.find(v) if a.start >= start and empty_offer(v.s, a.start, *self.compiled.empty)), None)
        return None if a is None else Match(view=v, start=a.start, end=a.end, rule=f"{self.id}.empty_offer", pattern=self.params.empty_offer or "")

    def _referral(self, msg, granted_ok: bool = False):
        """default@14 (frm13): the first referral of a message (a Match, rule `referral`) that sends the customer elsewhere
        with nothing of the shop's in the message; None otherwise, and (unless `granted_ok`) after a grant (可以换的，…)."""
        if self.compiled.referral is None:
            return None
        v = view(msg)
        spans = self._referral_clauses(v.s)
        if not spans or (not granted_ok and self.compiled.granted is not None and self.compiled.granted.search(v.s)):
            return None
        if self._alternatives(v):
            return None  # the shop offers something of its own besides
        a, b = spans[0]
        return Match(view=v, start=a, end=b, rule=f"{self.id}.referral", pattern=self.params.referral or "")

    def _referral_clauses(self, s: str) -> list[tuple[int, int]]:
        """default@14 (frm13): the clauses of `s` that send the customer elsewhere with no shop actor in them."""
        ref = self.compiled.referral
        if ref is None:
            return []
        memo = self.__dict__.get("_referrals")
        if memo is None:  # a function of `s` alone: kept per distinct string (pipeline.rubric.text_memo)
            memo = self._referrals = BoundedMemo((text_memo.__name__, "_TEXT_MEMO_MAX"))
        kept = memo.get(s)
        if kept is None:
            kept = memo.put(s, tuple(self._referral_clauses_of(s, *ref)))
        return list(kept)

    @staticmethod
    def _referral_clauses_of(s: str, pattern, shop) -> list[tuple[int, int]]:
        """`_referral_clauses` read afresh (it keeps them per distinct string)."""
        out = []
        for a, b in clauses(s):
            m = pattern.search(s, a, b)
            # the shop acting in the clause (帮您联系快递 / 我这边联系快递催一下): the customer is not sent anywhere
            if m is not None and not shop.search(s[a : m.end()]):
                out.append((a, b))
        return out

    def _own_refusals(self, msg) -> tuple[list, list]:
        """The refusal words of a message: (every accepted match, those `_refusals` keeps without `asked` or
        `complained`). Found once per message and handed to `_refusals`, which merges extras into the first."""
        found = self.compiled.refusal.find(msg).accepted
        return found, self._kept_refusals(found)

    def _kept_refusals(self, found: list) -> list:
        if self.params.denied:
            found = [r for r in found if not is_denied(r.view.s, r.start)]
        if self.params.confirming:
            found = [r for r in found if not asks_to_confirm(r.view.s, r.end)]
        if self.compiled.cond is not None:  # default@15: 超过7天的话就不能换了，您这个才第三天，可以换的
            found = [r for r in found if not conditional_granted(r.view.s, r.start, *self.compiled.cond)]
        return found

    def _refusals(self, msg, asked: bool = False, complained: bool = False, own: tuple[list, list] | None = None) -> list:
        """Refusal words; with `asked` (the message answers a customer's request) also refusals without one; with
        `asked` or `complained` (it answers a complaint) the matter declined as not the shop's.
        `own`: `_own_refusals(msg)` when already found."""
        found, kept_own = own if own is not None else self._own_refusals(msg)
        c = self.compiled
        answered, granted, declined = c.answered, c.granted, c.declined
        extra = []
        if asked and answered is not None and not (granted is not None and granted.search(view(msg).s)):
            extra += answered.find(msg).accepted
            if c.lapsed is not None:  # default@15: 已经过了七天无理由退货期, answering a request
                extra += lapsed_refusals(view(msg).s, c.lapsed, view(msg), f"{self.id}.lapsed")
            if c.only is not None:  # default@15: 退款只能原路退回, answering 能退到微信吗
                extra += only_refusals(view(msg).s, c.only, view(msg), f"{self.id}.only_can")
        if (asked or complained) and declined is not None:
            extra += declined.find(msg).accepted
        if extra:
            taken = [(r.start, r.end) for r in found]
            kept = []
            for r in sorted(extra, key=lambda r: r.start):
                if all(r.end <= a or r.start >= b for a, b in taken):
                    kept.append(r)
                    taken.append((r.start, r.end))
            return self._kept_refusals(sorted(found + kept, key=lambda r: r.start))
        return kept_own

    def _contents_told(self, customer_turns: list, msg, found: list) -> list:
        """`found` less the refusals that only say the goods are sold separately, when one of the customer's last
        `request_turns` turns before `msg` asked whether the goods include it (送挂架吗 → 挂架需要另外购买)."""
        c = self.compiled
        if c.sold_separately is None:
            return found
        separate = [r for r in found if c.sold_separately.search(r.view.s[r.start : r.end])]
        if not separate:
            return found
        before = [m for m in customer_turns if m.seq < msg.seq][-self.params.request_turns :]
        if not any(c.inclusion_question.search(view(m).s) for m in before):
            return found
        return [r for r in found if r not in separate]

    def _answers_nothing(self, customer_turns: list, msg) -> bool:
        """default@14 (frm13): no customer turn with text before `msg`, or the last one only acknowledges."""
        pattern = self.compiled.unasked
        if pattern is None:
            return False
        before = [c for c in customer_turns if c.seq < msg.seq]
        return not before or bool(pattern.match(view(before[-1]).s))

    def _complaint_before(self, customer_turns: list, msg):
        """A complaint this agent message answers: one of the customer's last `request_turns` turns with text before it,
        read negative in context, that states a problem and asks nothing (None otherwise)."""
        before = [m for m in customer_turns if m.seq < msg.seq]
        for m in reversed(before[-self.params.request_turns :]):
            if m.sentiment is not None and m.sentiment.label == "negative" and not (_plain_question(m) or _asks(m)):
                return m
        return None

    def _offer_after(self, msg, start: int, asked: bool = False, own: tuple[list, list] | None = None):
        """An alternative later in the message: an offer cue, or a contrast (不过/但是) whose clause
        offers something (不过买三卷送一卷) and does not refuse again. A contrast that only
        reassures (虽然不能改价，但是这个价格已经很优惠了) is not an alternative."""
        contrast_offer = self.compiled.contrast_offer
        v = view(msg)
        offer = next((a for a in self._alternatives(v) if a.start >= start), None)
        if offer is not None:
            return offer
        for marker in _CONTRAST.finditer(v.s, start):
            rest_start = marker.end()
            clause_end = len(v.s)
            for a, b in clauses(v.s):
                if a <= rest_start < b:
                    clause_end = b
                    break
            if clause_end - rest_start < 2:
                continue
            if contrast_offer is not None and not contrast_offer.search(v.s[rest_start:clause_end]):
                continue
            if any(x <= rest_start < y for x, y in self._referral_clauses(v.s)):
                continue  # 但是您可以去投诉: the contrast sends the customer elsewhere
            if self.compiled.empty is not None and empty_offer(v.s, rest_start, *self.compiled.empty):
                continue  # 不过您可以耐心等待一下 (default@15): nothing in place
            again = [r for r in self._refusals(msg, asked, own=own) if r.start >= rest_start]
            if not again:
                return Match(view=v, start=marker.start(), end=clause_end, rule=f"{self.id}.contrast_offer", pattern=v.s[marker.start():clause_end])
        return None

    def lexicon_terms(self) -> list[str]:
        c = self.compiled
        refusal, alt, answered, requests, declined = c.refusal, c.alt, c.answered, c.requests, c.declined
        return (refusal.terms() + alt.terms() + (answered.terms() if answered else []) + (requests.terms() if requests else [])
                + (declined.terms() if declined else []))

    def score(self, conversation: Conversation) -> CriterionResult:
        agent_msgs = human_agent_messages(conversation)
        evidence = []
        any_refusal = False
        customer_turns = [m for m in conversation.messages if m.role == "customer" and m.text.strip()]
        answered, declined, model = self.compiled.answered, self.compiled.declined, self.compiled.decline_model
        d: DeclineModelParams = self.params.declines
        # The rule's candidates first: a refusal word, or a refusal without one (most agent messages have neither).
        cand = [bool(self._own_refusals(m)[1]) or (answered is not None and bool(answered.find(m).accepted))
                or (declined is not None and bool(declined.find(m).accepted))
                or any(p is not None and p.search(view(m).s) for p in (self.compiled.lapsed, self.compiled.only)) for m in agent_msgs]
        requests = self._requests_before(customer_turns, agent_msgs)
        # a referral declines when it answers a request, or a complaint (it asks the shop to act, as for `declined`)
        referred = [self._referral(m) if r is not None or (self.params.referral_complaints and self._complaint_before(customer_turns, m))
                    else None for m, r in zip(agent_msgs, requests)]
        cand = [c or r is not None for c, r in zip(cand, referred)]
        probs = replies = p_decline = None
        if model is not None and agent_msgs:
            # the model reads the messages whose reading can matter: a candidate (its alternative, the veto) and a
            # message answering a request (`answers: request`) or the customer (`customer`) — in one batch
            wanted = [c or (r is not None if d.answers == "request" and d.customer_above is None else True)
                      for c, r in zip(cand, requests)]
            probs, replies = self._decline_probs(conversation, agent_msgs, wanted)
            p_decline = probs[:, 1] + probs[:, 2]
        rule: dict[int, tuple] = {}
        unasked = []  # default@14: messages with a refusal reading that answer no customer turn (evidence of the na)
        for i, m in enumerate(agent_msgs):
            model_may = p_decline is not None and p_decline[i] >= d.threshold
            if not cand[i] and not model_may:
                continue
            if self._answers_nothing(customer_turns, m):
                unasked.append(message_evidence(m, f"{self.id}.unasked", "未回应客户的请求（客户此前没有提问或只是确认），告知信息不算拒绝"))
                continue
            own = self._own_refusals(m)  # handed to the refusals and the offer below
            request = requests[i]
            complaint = self._complaint_before(customer_turns, m) if request is None and declined is not None else None
            found = self._refusals(m, asked=request is not None, complained=complaint is not None, own=own)
            found = self._contents_told(customer_turns, m, found)
            if not found and referred[i] is not None:
                found = [referred[i]]  # the request answered by sending the customer elsewhere (default@14)
            if found and d.veto is not None and probs is not None and float(probs[i, 0]) >= d.veto:
                found = []  # the model reads the message as declining nothing (a rule or the goods explained)
            cond, acting = self.compiled.cond, self.compiled.acting
            if request is None and complaint is None and acting is not None and acting.search(view(m).s):
                # default@15: 缺货了，已经给您从别的仓调货 to 啥时候发货 — the shop does what was asked; nothing declined
                unasked.append(message_evidence(m, f"{self.id}.acting", "客户没有提出请求，客服在为客户办理，限制说明不算拒绝"))
                continue
            if not found and cond is not None and any(conditional_granted(r.view.s, r.start, *cond) for r in own[0]):
                # default@15: the only refusal words quote a rule on the way to a yes — nor does the model's reading count
                unasked.append(message_evidence(m, f"{self.id}.conditional", "拒绝词只在条件里（如果…就不能…），同一条消息同意了客户的请求"))
                continue
            rule[i] = (own, request, complaint, found)
        # A decline only the model reads counts once per reply (the agent's messages between two customer turns), on
        # the message it reads as declining most, and not where the rule found a refusal in the same reply: an
        # acknowledgement before the answer (理解您的心情 → 开封的不能退) is not a second refusal.
        ruled = {replies[i] for i, v in rule.items() if v[3]} if replies is not None else set()
        best: dict[int, int] = {}
        for i in rule:
            if replies is not None and p_decline[i] >= d.threshold and replies[i] != -1 and replies[i] not in ruled:
                if replies[i] not in best or p_decline[i] > p_decline[best[replies[i]]]:
                    best[replies[i]] = i
        for i, m in enumerate(agent_msgs):
            if i not in rule:
                continue
            own, request, complaint, found = rule[i]
            by_model = not found and best.get(replies[i] if replies is not None else None) == i and (
                d.answers == "customer" or request is not None
                or (d.customer_above is not None and float(p_decline[i]) >= d.customer_above))
            if not found and not by_model:
                continue
            retracted = self.compiled.retracted
            next_ones = agent_msgs[i + 1 : i + 1 + self.params.window]
            if retracted is not None and any(retracted.search(view(later).s) for later in next_ones):
                continue  # the agent took the answer back (我上一条说错了): nothing stays refused
            if by_model:
                r = message_evidence(m, f"{self.id}.model_refusal", f"拒绝客户请求（{model.model_id} 读作拒绝，P={p_decline[i]:.2f}）", whole=True)
            elif request is not None and found[0].rule.startswith((f"{self.id}.answered_refusal", f"{self.id}.declined", f"{self.id}.lapsed", f"{self.id}.only_can")):
                said = request.view.msg.text.strip()[:30]
                r = found[0].evidence(f"拒绝客户请求（回应客户 seq {request.view.msg.seq}：“{said}”）")
            elif complaint is not None and found[0].rule.startswith(f"{self.id}.declined"):
                said = complaint.text.strip()[:30]
                r = found[0].evidence(f"推脱不管（回应客户 seq {complaint.seq} 的投诉：“{said}”）")
            else:
                r = found[0].evidence("拒绝客户请求")
            start = 0 if by_model else found[0].end
            any_refusal = True
            offer = self._offer_after(m, start, asked=request is not None, own=own)
            offer = offer.evidence("给出替代方案") if offer is not None else None
            sent = self._referral(m, granted_ok=True) if offer is None else None
            if sent is not None:
                r_sent = sent.evidence("让客户找第三方或投诉（店铺自己不做什么），不算替代方案")
            hollow = self._hollow(m, start) if offer is None else None  # default@15: 您可以耐心等待一下 is the message's only offer
            if offer is None and sent is None and not hollow and probs is not None and d.alternative is not None and (by_model or d.rule_refusals) and p_decline[i] > 0:
                share = float(probs[i, 2] / p_decline[i])
                if share >= d.alternative:
                    offer = message_evidence(m, f"{self.id}.model_alternative", f"给出替代方案（{model.model_id} 读作拒绝并给出替代，"
                                             f"P={float(probs[i, 2]):.2f}，占拒绝读数 {share:.2f}）", whole=True)
            if offer is None:
                for later in agent_msgs[i + 1 : i + self.params.window]:
                    between = [c for c in customer_turns if m.seq < c.seq < later.seq]
                    if self.params.before_reply and any(_TAKES.match(view(c).s) for c in between):
                        break  # the customer took the refusal (哦 这样啊 好吧): later words answer what came next
                    cands = self._alternatives(view(later))
                    if self.params.before_reply and between:
                        # the customer asked on (那什么时候能送 / 能不能送一根): passing it on (帮您反馈 / 登记一下) answers
                        # the new question, it offers nothing in place of the refusal
                        cands = [a for a in cands if not _PASSED_ON.search(a.view.s[a.start : a.end])]
                    if cands:
                        offer = cands[0].evidence("给出替代方案")
                        break
            if offer is None:
                missing = message_evidence(m, f"{self.id}.missing", "拒绝后未给出替代方案（虽然…不过我们可以…）")
                return self.failed([r, missing] + ([r_sent] if sent is not None and r_sent.rule != r.rule else [])
                                   + ([hollow.evidence("只请客户等待或理解，没有给出实际的替代方案")] if hollow else []))
            evidence += [r, offer]
        if not any_refusal:
            return self.not_applicable(unasked)
        return self.passed(evidence)
