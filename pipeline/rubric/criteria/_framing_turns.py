"""positive_framing helpers (default@15, frm14): a deadline said to be past in answer to a request, and an "alternative"
that only asks the customer to wait, understand or keep watching.

Kept apart from framing.py (the criterion's flow) so that each mechanism is one small regex with its guard; framing.py
calls these with the compiled pattern from its params (None there: the switch is off)."""
from __future__ import annotations

import re

from pipeline.rubric.matching import Match, clauses

# default@15 (frm14): the window the customer's request needed is past — 已经过了七天无理由退货期 / 已超过签收15天 /
# 过保了 / 保修期已经过了 / 活动已经结束了 — said to a customer who asked for something, it is the no (nothing else in
# the message has to say 不能). Analysis form; the guard below drops it denied (还没过七天 / 未超过) or asked (过了吗？).
LAPSED = (r"(已经|已)?(超过|超出|过了|过咗|已过)(了|咗)?[^，。,.!！?？;；]{0,10}?"
          r"(期限|时效|时限|保修期|质保期|保价期|退换期|售后期|无理由|[0-9一二两三四五六七八九十半]+个?(天|日|月|年|小时))"
          r"|过保了?"
          r"|(保修|质保|保价|售后|退换货?|无理由|活动|优惠|秒杀|预售)(期|时效|时间)?(已经|已|早就|早)(过了|过咗|过期了?|结束了?|截止了?|到期了?)"
          r"|有效期(已经|已|早就)?(到了|过了|过期了?)|(券|红包|优惠券|积分)(已经|已|早就)(过期|失效)了?")
# a lapse denied (还没过 / 未超过 / 不超过 / 没有超过) or only a condition (超过…的话 / 如果超过) says nothing is past
_LAPSE_DENIED = re.compile(r"(没|未|不|还没|没有|并未|尚未)(有)?$")
_LAPSE_CONDITION = re.compile(r"(如果|要是|假如|万一|若|一旦)[^，。,.!！?？;；]{0,6}$")
_LAPSE_ASKED_OR_IF = re.compile(r"^[^，。,.!！?？;；]{0,8}?(吗|么|嘛|没有?[?？]|的话|[?？])")
# a lapse not said to have happened (no 已经 / 已 / 早就 at it) and followed by 就 / 则 / 的 / 以上 / 后: a rule's condition
# (超过一年就不保修了 / 超过7天的不退): the refusal word after it, if any, is the lexicon's to find
_LAPSE_RULE = re.compile(r"^[^，。,.!！?？;；]{0,6}?(就|则|便|的|以上|以后|之后|后)")
_LAPSE_SAID = re.compile(r"(已经|已|早就|早)$")


def lapsed_refusals(s: str, pattern: re.Pattern, view, rule: str) -> list[Match]:
    """The lapses `pattern` finds in the analysis string `s` that state a window as past (not denied, not a condition,
    not asked), as refusal matches with rule `rule`."""
    out = []
    for m in pattern.finditer(s):
        before = s[max(0, m.start() - 4) : m.start()]
        if _LAPSE_DENIED.search(before) or _LAPSE_CONDITION.search(s[max(0, m.start() - 8) : m.start()]):
            continue
        if _LAPSE_ASKED_OR_IF.match(s[m.end() :]):
            continue
        said = m.group(0).startswith(("已经", "已")) or _LAPSE_SAID.search(s[max(0, m.start() - 2) : m.start()])
        if not said and not m.group(0).startswith("过保") and _LAPSE_RULE.match(s[m.end() :]):
            continue
        out.append(Match(view=view, start=m.start(), end=m.end(), rule=rule, pattern=pattern.pattern))
    return out


# default@15 (frm14): an offer that gives the customer nothing to do or have — wait (耐心等待 / 再等等), understand (理解一下 /
# 谅解), keep watching (关注一下物流 / 留意一下), rest easy (放心) — is no alternative. The whole clause is read: something
# of the shop's or a real option in it (EMPTY_REMEDY: 帮您 / 申请 / 换 / 券 / 到货通知 …) keeps it.
EMPTY_OFFER = (r"耐心|等待|等一等|等一下|再等|等等|多等|理解|谅解|体谅|见谅|包涵|关注|留意|放心|安心|"
               r"以(商品|页面|详情页|实物)(为准|说明为准)|自行(决定|考虑|判断)|(再)?考虑(一下)?")
EMPTY_REMEDY = (r"帮|替|为您|为你|给您|给你|申请|换|退|补|赔|送|券|红包|优惠|折扣|差价|积分|安排|加急|催|联系|通知|提醒|"
                r"到货|上新|补货|预约|预订|登记|改|选|领|买|拍|下单|[0-9一二两三四五六七八九十]+(天|日|号|点|小时|分钟)|明天|今天|后天|下周")


def empty_offer(s: str, start: int, pattern: re.Pattern, remedy: re.Pattern) -> bool:
    """Whether the clause of `s` holding position `start` only asks the customer to wait, understand or keep watching:
    `pattern` is in it and no `remedy` (the shop acting, a real option) is."""
    for a, b in clauses(s):
        if a <= start < b or (start == b and a < b):
            clause = s[a:b]
            return bool(pattern.search(clause)) and not remedy.search(clause)
    return False


# default@15 (frm14): a rule quoted on the way to granting — 超过7天的话就不能换了，您这个才第三天，可以换的 / 如果拆封了就
#不支持退，没拆的直接申请就行 — refuses nothing: the refusal word sits in a condition (COND_CLAUSE: 如果 / 的话 / 超过…就,
# the lapse not said to have happened: no 已经 before it) and the message grants elsewhere (GRANTS, outside that clause).
COND_CLAUSE = (r"如果|要是|假如|只要|一旦|若是?|万一|的话|"
               r"^(?!.*(已经|已|早就))[^，。,.!！?？;；]*(超过|超出|过了|拆封|拆了|拆开|用过|使用过?|洗过|剪了?吊牌|激活)[^，。,.!！?？;；]{0,8}(就|则|便|的)")
GRANTS = (r"(?<![不没唔])(可以|能|支持)(直接|正常)?(退|换|申请|办理|保修|修|补|寄回|享受|退货|换货|退款|无理由)?(的|哦|哈|呢|滴|哒|啦|噢|喔)(?![吗么嘛?？])|"
          r"(直接|正常)(申请|提交|下单|办理|退|换|拍)[^，。,.!！?？;；]{0,6}(就行|就可以|就好|即可)|"
          r"(还在|在|没有?超过|没过|未超过)[^，。,.!！?？;；]{0,8}(期内|天内|范围内|期限内|时效内|保修期|质保期|七天|7天)")


def conditional_granted(s: str, start: int, cond: re.Pattern, grants: re.Pattern) -> bool:
    """Whether the refusal at `start` of the analysis string `s` is a condition (`cond` in its clause before it) in a
    message that grants outside that clause (`grants`)."""
    for a, b in clauses(s):
        if a <= start < b:
            if not cond.search(s[a:start]):
                return False
            return any(grants.search(s[x:y]) for x, y in clauses(s) if (x, y) != (a, b))
    return False


# default@15 (frm14): the shop doing something for the customer in the same message (已经给您从别的仓调货了 / 马上帮您
# 改地址) where the customer asked for nothing the shop could refuse (a question 啥时候发货, not a request, nor a
# complaint): a refusal word there (缺货 / 不能…) explains a limitation on the way, it declines nothing (analysis form)
# A look-up (已经帮您查了 / 正在帮您核实) is not doing what was asked: after it the no is the answer (我要退货 → 已经帮您查了，
# 这款不支持退货), so it is left out.
ACTING = (r"(已经|已|马上|这就|现在就|正在|立刻)(给您|帮您|为您|给你|帮你|为你|给亲|帮亲|替您)"
          r"(?![^，。,.!！?？;；]{0,2}(查|核实|核对|看|确认|问|咨询|了解|反馈|登记|记录))")


# default@15 (frm14): "only" said of the shop's service (只能原路退回 / 仅支持换货 / 只发大陆 / 只支持寄付 / 仅限工作日
# 上门) answering a request is the no to whatever else was asked; a care or product fact (只能手洗) is not the shop's
# service and stays out. Asked back (只能…吗？) it is none.
ONLY_CAN = (r"(只能|只可以|仅能|仅支持|只支持|仅限|只限|只接受|仅接受|只发|仅发|只开|仅开|只走|只用)[^，。,.!！?？;；]{0,6}?"
            r"(退|换|寄|发|开|原路|到付|寄付|自提|快递|顺丰|中通|圆通|韵达|邮政|普票|电子发票|补|保修|维修|上门|送|安装|大陆|内地|"
            r"工作日|本人|线上|店铺券|积分|余额)")
_ASKED_BACK = re.compile(r"^[^，。,.!！?？;；]{0,10}?(吗|么|嘛|[?？])")


def only_refusals(s: str, pattern: re.Pattern, view, rule: str) -> list[Match]:
    """The "only" statements of the shop's service `pattern` finds in `s` that are not asked back, as refusal matches."""
    return [Match(view=view, start=m.start(), end=m.end(), rule=rule, pattern=pattern.pattern)
            for m in pattern.finditer(s) if not _ASKED_BACK.match(s[m.end() :])]
