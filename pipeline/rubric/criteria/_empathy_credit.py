"""empathy credit (emp12e): acknowledgement forms the lexicon and the exemplars miss, read after them.

Each family is a regex list on the analysis form (traditional read as simplified), with its rule id
`empathy.credit.<family>`; the evidence names the message, the words and the rule.

- `trouble`: an apology that names the trouble as what the shop cost the customer (耽误您用了 / 害您多跑一趟 / 让您白等).
- `owned`: responsibility taken in the shop's own words (是我们发错了 / 我们这边的责任 / 这个锅我们背 / 係我哋搞错咗).
- `patience`: thanks for the customer's patience, counted only when the wait is named as long (等了这么久 / 这几天的耐心)
  or owned in the same message (是我们处理慢了) — a bare 感谢您的耐心等待 after a 稍等 is a sign-off.
- `split`: an apology word alone in a short message (真的不好意思 / sorry 亲) whose cause opens the agent's next short
  message (让您久等了 / 係我哋搞错咗): the two are one acknowledgement.

Guards: a hit inside a request to understand (请您理解 / 还望谅解) or negated (不是我们发错) is none; a sentence an agent
already sent before the customer was upset is a pasted template and counts for none of the families.
"""
from __future__ import annotations

import re

from pydantic import Field

from pipeline.rubric.matching import Match, view
from pipeline.rubric.schema import Strict

_YOU = "(您|你|亲|你哋)"
_OURS = "(我们|我们这边|我们这里|这边|我这边|我们店|本店|我哋|我地)"
_SENT = re.compile(r"[。.!！?？\n]")


def _trouble() -> list[str]:
    return [
        # the use, the trip or the day lost (耽误您用了 / 耽误你上班了 / 耽误您这么多天)
        f"耽误(了)?{_YOU}(用|使用|穿|出门|上班|办事|过节|送礼|时间|事情?|行程|安排|这么多天|这么些天|好几天|几天)",
        # the customer made to run, wait or try for nothing (害您多跑一趟 / 让您白等了 / 叫你空欢喜)
        f"(让|害|叫|令){_YOU}(多|白|空|干|又)(跑|等|折腾|试|拆|装|寄|操心|欢喜|高兴)",
        f"(让|害|叫|令){_YOU}(来回|反复|多次|重复)(跑|寄|折腾|联系|沟通|说|问)",
    ]


def _owned() -> list[str]:
    slip = "(发|寄|打包|包装|备注|登记|写|标|填|录|核对|检查|处理|安排|通知|审核|配|装)(错|漏|少|晚|慢|迟|混|乱|反)"
    return [
        f"(是|确实是|的确是|都是|这是|这次是){_OURS}?(的)?(仓库|同事|师傅|打包的?|客服)?{slip}(了|咗|左)",
        f"{_OURS}的(这次)?(责任|锅|过失|不是|不对)(?!吗|么|[?？]|是|就是|范围|以外|之外|之内|内)",
        f"{_OURS}(这次)?(的)?(责任|过失)(?!吗|么|[?？]|是|就是|范围|以外|之外|之内|内)",
        f"(锅|责任)(在|是|归)?{_OURS}(背|担|负|承担|的)",
        f"(係|系|是){_OURS}(搞|整|弄|发|寄|执)(错|漏|少)(咗|左|了)",
        f"{_OURS}(嘅|的)(错|问题|疏忽|失误)",
        # emp13: the agent owning its own slip in the first person (是我没说清楚 / 怪我看错了 / 是我这边记漏了)
        "(是|都是|怪|全怪|都怪)我(这边|自己)?(的)?(没有?|没能)?(说|讲|写|看|弄|搞|记|发|填|备注|核对|问|解释|交代|查)(错|漏|清楚|仔细|明白|好)(了|咗)?",
        # emp13: the blame taken in the slang of the trade (我的锅 / 这锅我们背 / 是我们的锅)
        f"(我|{_OURS})的锅",
    ]


def _register() -> list[str]:
    """emp13: an apology in a register the lexicon lacks — a formal or old-fashioned one (赔罪 / 赔礼 / 罪过罪过 / 失礼了 /
    给您鞠躬), Hokkien 歹势, or owning it as self-criticism (我检讨 / 我们反省)."""
    return ["(给|跟|向)?(您|你|亲)?赔(个)?(罪|礼)(?!品|物|包|盒|券)", "罪过罪过", "失礼(了|啦)", "(给|向)(您|你|亲)鞠(个)?躬", "歹势",
            "(我|我们|我们这边)(深刻)?(检讨|反省)"]


def _apology_remedy() -> list[str]:
    """emp14: an apology word the courtesy rule holds back for want of a cause (不好意思 / sorry) whose sentence takes the
    remedy on now (实在不好意思，这边马上安排加急发出 / 真的很不好意思亲，今天一定发出): the apology with ownership of
    the fix answers the trouble; before a request (不好意思，您稍等 / 麻烦提供订单号) it stays courtesy (`_REQUEST`)."""
    return ["(不好意思|sorry|唔好意思|抱歉)[^。!！?？]{0,12}?(马上|立刻|立即|这就|即刻|而家|现在就|今天(一定|就|内)?|一定|尽快)"
            "[^。!！?？]{0,6}?(安排|补发|补寄|补给|重发|重新发|发出|寄出|换|退|催|加急|处理|跟进|解决|搞掂|补)"]


def _owned_failure() -> list[str]:
    """emp14: the shop as the subject of a failure (是我们包装没做到位 / 我们这边没有及时跟进 / 这是我们的失职): the
    responsibility taken by what went wrong, not only by the slip words of `owned`. A denial just before (不是我们没…)
    is guarded as for every family."""
    return [f"{_OURS}[^，。,.!！?？]{{0,6}}?(没有?|未能?|没能)(做到位|做好|到位|注意到|检查(好|到位|仔细)|核对(好|清楚|仔细)|处理好|"
            "包好|包装好|打包好|说清楚|讲清楚|跟进好?|及时)",
            f"{_OURS}的(失职|疏忽|失误|过错|工作失误|不到位)"]


def _perspective() -> list[str]:
    """emp14: the agent puts itself or anyone in the customer's place, whatever the feeling is called (五天都没动静，换谁都
    坐不住 / 搁我也得炸): the place taken is the acknowledgement. Not a rule said of everyone (换谁都一样 / 换谁来都是这个价 /
    换谁都得按流程走 / 换我也没办法)."""
    return ["(换谁|搁谁|放谁|换了谁|换做谁|换作谁|换成谁|换我|搁我|换做我|换作我|换成我|换了我|要是我|我要是)(来|遇到|碰到|摊上|遇上)?"
            "[^，。,.!！?？]{0,4}?(都|也)(?!(会|得|要)?(一样|是|这样|那样|这么|那么|这个|可以|能|行|没|按|照|走|只能|只有|不(行|能|可以|会|给|知道|清楚)))(会|得|要)?"
            "[^，。,.!！?？]{1,6}"]


_FEELING = ("着急|生气|失望|担心|揪心|闹心|糟心|窝火|憋屈|心烦|烦心|烦|难受|不舒服|郁闷|上火|恼火|头疼|头大|无奈|焦虑|不爽|难过|伤心|不放心|"
            "火大|心塞|添堵|扫兴|寒心|崩溃|抓狂|气愤|来气|气|心急|不安|忐忑|发愁|犯愁|膈应|无语|心累|委屈|不踏实|心慌|发慌|嬲")


def _situation_feeling() -> list[str]:
    """emp14: the trouble named as upsetting, the feeling said of anyone (钱迟迟不到账确实让人揪心 / 這樣真係令人好嬲 / 太让人
    窝火了): an affirming word before 让人 / 令人 grants the feeling without naming the customer. Not negated (不会让人失望
    has no affirming word) and not about a product's merits (the feelings are all negative)."""
    return [f"(确实|的确|真的|实在|真是|真係|真系|太|真|挺|很|够|好)(是)?(让|令|叫)人(很|挺|特别|非常|太|有点|有些|好|几|咁)?({_FEELING})"]


_REQUEST = re.compile(r"(麻烦|请|辛苦)(您|你|亲)|(您|你|亲)(先|稍等|等一下|等下|提供|发一下|发下|拍|确认|核对)|稍等|提供|[?？]"
                      r"|不了|不能|没法|无法|不行|办不到|做不到|不支持|不可以")  # emp14: a request or a refusal, not a remedy


def _patience() -> list[str]:
    thanks = f"(谢谢|感谢|多谢|辛苦){_YOU}?(这么|那么|一直|这几天|这些天|这段时间|这两天|这么久|耐心)"
    return [
        thanks + "[^，。,.!！?？]{0,8}(耐心|等待|等候|等了|等咗)",
        f"(谢谢|感谢|多谢){_YOU}?(的)?(耐心|等待|耐心等待|等候)",
    ]


_PATIENCE_LONG = re.compile(r"(这么|那么|好|很|太)(久|长时间|多天|几天)|(这|那)(几|些|两|段)(天|日子|时间)|一直|[0-9一二两三四五六七八九十几]+(天|日|周|个?礼拜|个?星期|个?小时)|咁耐|半天")
_PATIENCE_OWNED = re.compile(r"(我们|这边|仓库|物流|我哋)[^，。,.!！?？]{0,8}(慢|晚|延误|耽误|没及时|拖|疏忽|失误|问题|原因)")


def _guards() -> list[str]:
    return [
        "(请|还请|希望|麻烦|恳请|望)(您|你|亲)?(多多?)?(理解|谅解|体谅)",  # asking for understanding, not offering it
        "(不是|并不是|也不是|并非|不算|不属于|不在|没有|唔係|唔系)[^，。,.!！?？]{0,4}$|(不|唔|并非|哪)$",  # negated just before
    ]


class EmpathyCreditParams(Strict):
    """emp12e: acknowledgement forms read after the lexicon and the exemplars find nothing (pipeline/rubric/criteria/
    _empathy_credit.py). Each family is a list of regexes on the analysis form; an empty list switches it off."""

    enabled: bool = True
    trouble: list[str] = Field(default_factory=_trouble)
    owned: list[str] = Field(default_factory=_owned)
    patience: list[str] = Field(default_factory=_patience)
    apology_register: list[str] = Field(default_factory=_register, description="emp13: apologies in a register the lexicon lacks")
    apology_remedy: list[str] = Field(default_factory=_apology_remedy, description="emp14: an apology word with the remedy taken on "
                                      "now in its sentence, no request of the customer ([] switches it off)")
    owned_failure: list[str] = Field(default_factory=_owned_failure, description="emp14: the shop as the subject of a failure "
                                     "(是我们包装没做到位 / 我们的失职; [] switches it off)")
    situation_feeling: list[str] = Field(default_factory=_situation_feeling, description="emp14: the trouble named as "
                                         "upsetting for anyone (确实让人揪心; [] switches it off)")
    perspective: list[str] = Field(default_factory=_perspective, description="emp14: the agent in the customer's place, whatever "
                                   "the feeling is called (换谁都坐不住; not 换谁都一样; [] switches it off)")
    split_max_chars: int = Field(default=12, ge=0, description="the longest message holding a lone apology word whose "
                                 "cause opens the next agent message (0 switches the split rule off)")
    split_preface: str = r"^[\s~～]*(真的|真是|实在|非常|很|太)?(不好意思|抱歉|对不起|唔好意思|sorry|对唔住)(了|啊|呀|哈|哦|亲|亲亲|～|~|[\s,，。!！])*$"
    template: bool = Field(default=True, description="a sentence the agents sent before the customer was upset is a "
                           "pasted template and earns no credit")


def compile_credit(p: EmpathyCreditParams):
    if not p.enabled:
        return None
    fam = {name: [re.compile(x) for x in getattr(p, name)] for name in ("trouble", "owned", "patience", "apology_register",
                                                                 "apology_remedy", "owned_failure", "perspective",
                                                                 "situation_feeling")}
    guards = [re.compile(g) for g in _guards()]
    return fam, guards, re.compile(p.split_preface) if p.split_max_chars else None, p


def _sentence(s: str, start: int, end: int) -> str:
    a = max((m.end() for m in _SENT.finditer(s, 0, start)), default=0)
    b = _SENT.search(s, end)
    return s[a : b.start() if b else len(s)]


def _guarded(s: str, start: int, end: int, guards) -> bool:
    before = s[max(0, start - 8) : start]
    if guards[1].search(before):
        return True
    return bool(guards[0].search(_sentence(s, start, end)))


def find_credit(compiled, messages, trigger, cause) -> tuple[Match, str] | None:
    """The first acknowledgement after `trigger` by a human agent in the families, as (match, family); `cause` is the
    courtesy criterion's compiled cause list (the split rule's second half)."""
    if compiled is None:
        return None
    fam, guards, split, p = compiled
    before = set()
    if p.template:
        for m in messages:
            if m.seq < trigger.seq and m.role == "agent" and m.text.strip():
                s = view(m).s
                before.update(x.strip() for x in _SENT.split(s) if len(x.strip()) >= 6)
    agents = [m for m in messages if m.seq > trigger.seq and m.role == "agent" and m.text.strip()]
    for i, m in enumerate(agents):
        v = view(m)
        s = v.s
        for name, pats in fam.items():
            for rx in pats:
                for hit in rx.finditer(s):
                    if _guarded(s, hit.start(), hit.end(), guards):
                        continue
                    sent = _sentence(s, hit.start(), hit.end())
                    if sent.strip() in before:
                        continue
                    if name == "patience" and not (_PATIENCE_LONG.search(sent) or _PATIENCE_OWNED.search(s)):
                        continue
                    if name == "apology_remedy" and _REQUEST.search(sent):
                        continue  # emp14: an apology before a request is courtesy whatever follows
                    return Match(v, hit.start(), hit.end(), f"empathy.credit.{name}", rx.pattern), name
        if split is not None and i + 1 < len(agents) and len(s.strip()) <= p.split_max_chars and split.match(s):
            nxt = view(agents[i + 1])
            head = _SENT.split(nxt.s, 1)[0]
            hit = cause.search(head) if cause is not None else None
            if hit is not None and hit.start() <= 4 and head.strip() not in before:
                return Match(v, 0, len(s.rstrip()), "empathy.credit.split", f"{s.strip()} + {head.strip()}"), "split"
    return None


def pasted_before(compiled, messages, trigger, match) -> bool:
    """The sentence of an accepted lexicon / exemplar match was already sent by an agent before the customer was upset:
    a pasted template (耽误您时间啦，客服正在为您查询), not an answer to the feeling."""
    if compiled is None or not compiled[3].template:
        return False
    s = match.view.s
    sent = _sentence(s, match.start, match.end).strip()
    if len(sent) < 6:
        return False
    return any(sent in [x.strip() for x in _SENT.split(view(m).s)]
               for m in messages if m.seq < trigger.seq and m.role == "agent" and m.text.strip())
