"""Per-agent monthly figures from scored conversations (corrections already applied).

Pure functions over ConvRecord lists: no store, no rendering. The figure names are the
column names of agents-YYYY-MM.csv and the names the tier rules refer to.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pipeline.cards.model import ConvRecord
from pipeline.cards.stats import Rate, mean, percentile, sample_std

REQUIRED_CRITERIA = ("greeting", "closing", "empathy", "forbidden_phrases", "first_response_sla")
KNOWN_FLAGS = ("forbidden_phrase", "sla_breach", "negative_end", "abusive_customer", "empathy_missing", "low_score")
RED_LINE_CODES = ("forbidden_phrase",)

CRITERION_NAMES_ZH = {
    "greeting": "主动问候",
    "closing": "礼貌结束语",
    "empathy": "同理心",
    "forbidden_phrases": "禁用语",
    "first_response_sla": "首次响应时效",
    "active_listening": "积极倾听",
    "time_commitment": "告知处理时限",
    "positive_framing": "正向引导",
    "response_pace": "回复节奏",
}
FLAG_NAMES_ZH = {
    "forbidden_phrase": "禁用语（红线）",
    "sla_breach": "首响超时",
    "negative_end": "负面结束",
    "abusive_customer": "客户辱骂（保护客服）",
    "empathy_missing": "缺少同理心",
    "low_score": "低分",
}


def criterion_name(cid: str) -> str:
    return CRITERION_NAMES_ZH.get(cid, cid)


def flag_name(code: str) -> str:
    return FLAG_NAMES_ZH.get(code, code)


def is_red_line(flag: dict) -> bool:
    return bool(flag.get("red_line")) or flag.get("code") in RED_LINE_CODES


def criteria_ids(records: list[ConvRecord]) -> list[str]:
    """Required criteria first (in contract order), then any others the rubric adds, sorted: stable columns."""
    seen = {cid for r in records for cid in r.criteria}
    return [c for c in REQUIRED_CRITERIA] + sorted(seen - set(REQUIRED_CRITERIA))


def flag_codes(records: list[ConvRecord]) -> list[str]:
    seen = {f.get("code") for r in records for f in r.flags if f.get("code")}
    return list(KNOWN_FLAGS) + sorted(seen - set(KNOWN_FLAGS))


def _put_rate(fig: dict, prefix: str, rate: Rate, rate_name: str = "rate") -> None:
    fig[f"{prefix}_{rate_name}"] = rate.rate
    fig[f"{prefix}_n"] = rate.n
    fig[f"{prefix}_ci_low"] = rate.ci_low
    fig[f"{prefix}_ci_high"] = rate.ci_high


@dataclass
class Example:
    """One coaching excerpt: masked text cut around the evidence span, split for highlighting."""

    conversation_id: str
    seq: int | None
    before: str
    marked: str
    after: str
    note: str = ""
    role: str | None = None  # who wrote the quoted message: "customer" or "agent"
    reviewed: bool = False  # a reviewer's correction confirmed this criterion's fail (else: automatic only)


@dataclass
class AgentMonth:
    agent_id: str
    figures: dict  # flat: the CSV row
    rates: dict[str, Rate]  # criterion id / "sla" / "sentiment_turnaround" / "negative_end" -> Rate
    first_response_values: list[float]
    scores: list[float]
    red_lines: list[dict]  # {"conversation_id", "seq", "reason"}
    flag_counts: dict[str, int]
    weakest: list[dict] = field(default_factory=list)  # {"criterion", "name", "rate", "examples": [Example]}


def figures_for(records: list[ConvRecord], criteria: list[str], codes: list[str]) -> tuple[dict, dict[str, Rate]]:
    """The flat figures of one group of conversations (an agent's month, or the team's)."""
    fig: dict = {"conversations": len(records)}
    rates: dict[str, Rate] = {}
    corrected = [r for r in records if r.corrected]
    fig["corrected_conversations"] = len(corrected)
    fig["corrected_scores"] = sum(1 for r in records if "score" in r.corrected)
    fig["corrected_criteria"] = sum(sum(1 for c in r.corrected if c.startswith("criterion:")) for r in records)

    scores = [float(r.score) for r in records if r.score is not None]
    fig["score_n"] = len(scores)
    fig["score_mean"] = mean(scores)
    fig["score_std"] = sample_std(scores)

    for cid in criteria:
        statuses = Counter((r.criteria.get(cid) or {}).get("status") for r in records)
        passed, failed = statuses.get("pass", 0), statuses.get("fail", 0)
        rate = Rate.of(passed, passed + failed)
        rates[cid] = rate
        _put_rate(fig, cid, rate, "pass_rate")
        fig[f"{cid}_na"] = statuses.get("na", 0)

    fr = [r.first_response_s for r in records if r.first_response_s is not None]
    fig["first_response_n"] = len(fr)
    fig["first_response_unanswered"] = sum(1 for r in records if r.unanswered)
    fig["first_response_median_s"] = percentile(fr, 50)
    fig["first_response_p90_s"] = percentile(fr, 90)

    sla = rates.get("first_response_sla") or Rate.of(0, 0)
    rates["sla"] = sla
    _put_rate(fig, "sla", sla, "pass_rate")

    started_neg = [r for r in records if (r.sentiment or {}).get("customer_start") == "negative"]
    turned = sum(1 for r in started_neg if (r.sentiment or {}).get("customer_end") in ("neutral", "positive"))
    rates["sentiment_turnaround"] = Rate.of(turned, len(started_neg))
    _put_rate(fig, "sentiment_turnaround", rates["sentiment_turnaround"])

    with_end = [r for r in records if (r.sentiment or {}).get("customer_end")]
    neg_end = sum(1 for r in with_end if r.sentiment["customer_end"] == "negative")
    rates["negative_end"] = Rate.of(neg_end, len(with_end))
    _put_rate(fig, "negative_end", rates["negative_end"])

    # flags_<code>: conversations carrying the flag at least once
    for code in codes:
        fig[f"flags_{code}"] = sum(1 for r in records if any(f.get("code") == code for f in r.flags))
    fig["flagged_conversations"] = sum(1 for r in records if r.flags)
    fig["red_lines"] = sum(1 for r in records for f in r.flags if is_red_line(f))

    csat = [float(r.csat) for r in records if r.csat is not None]
    fig["csat_n"] = len(csat)
    fig["csat_mean"] = mean(csat)
    return fig, rates


def excerpt(text: str, span: list | tuple | None, width: int = 28) -> tuple[str, str, str]:
    """Cut masked message text around the span: (before, marked, after), with … where cut."""
    text = text or ""
    if not span or len(span) != 2:
        short = text if len(text) <= 2 * width else text[: 2 * width] + "…"
        return short, "", ""
    start, end = max(0, int(span[0])), min(len(text), int(span[1]))
    marked = text[start:end]
    if len(marked) > 2 * width:
        marked = marked[: 2 * width] + "…"
    b0 = max(0, start - width)
    before = ("…" if b0 > 0 else "") + text[b0:start]
    a1 = min(len(text), end + width)
    after = text[end:a1] + ("…" if a1 < len(text) else "")
    return before, marked, after


def coaching(records: list[ConvRecord], rates: dict[str, Rate], criteria: list[str],
             how_many: int = 3, examples_per: int = 2) -> list[dict]:
    """The weakest criteria (at least one fail; lowest upper 95% bound first) with excerpts from the agent's chats."""
    candidates = [c for c in criteria if rates[c].n and rates[c].successes < rates[c].n]
    # Weakest = lowest upper Wilson bound: 0 of 1 is not "weaker" than 1 of 13 — it is just unknown.
    candidates.sort(key=lambda c: (rates[c].ci_high, rates[c].rate, c))
    out = []
    for cid in candidates[:how_many]:
        examples: list[Example] = []
        failing = sorted((r for r in records if (r.criteria.get(cid) or {}).get("status") == "fail"),
                         key=lambda r: (r.started_at is None, r.started_at, r.conversation_id))
        # prefer fails a reviewer confirmed, then evidence that points at actual words
        failing.sort(key=lambda r: (not r.criteria[cid].get("corrected"),
                                    not any(e.get("span") for e in r.criteria[cid].get("evidence") or [])))
        for r in failing[:examples_per]:
            ev = (r.criteria[cid].get("evidence") or [{}])
            item = next((e for e in ev if e.get("span")), ev[0] if ev else {})
            before, marked, after = excerpt(item.get("text", ""), item.get("span"))
            examples.append(Example(r.conversation_id, item.get("seq"), before, marked, after, item.get("note", ""),
                                    r.roles.get(item.get("seq")), reviewed=bool(r.criteria[cid].get("corrected"))))
        out.append({"criterion": cid, "name": criterion_name(cid), "rate": rates[cid], "examples": examples})
    return out


def red_line_author(record: ConvRecord, flag: dict) -> str | None:
    """Who a red line counts against: the agent who wrote the flagged message (a transferred chat
    has several agents), else the conversation's main agent (results stored before flags named one)."""
    return flag.get("agent_id") or record.agent_id


def agent_month(agent_id: str, records: list[ConvRecord], criteria: list[str], codes: list[str],
                month_records: list[ConvRecord] | None = None) -> AgentMonth:
    """One agent's month. `records` are the conversations the agent mainly handled; red lines are
    looked up in `month_records` (all the month's conversations) by who wrote the flagged message."""
    fig, rates = figures_for(records, criteria, codes)
    pool = records if month_records is None else month_records
    red = []
    for r in sorted(pool, key=lambda r: (r.started_at is None, r.started_at, r.conversation_id)):
        evidence = (r.criteria.get("forbidden_phrases") or {}).get("evidence") or []
        for f in r.flags:
            if is_red_line(f) and red_line_author(r, f) == agent_id:
                ev = next((e for e in evidence if e.get("seq") == f.get("seq")), evidence[0] if evidence else {})
                before, marked, after = excerpt(ev.get("text", ""), ev.get("span"))
                red.append({"conversation_id": r.conversation_id, "seq": f.get("seq"), "reason": f.get("reason", ""),
                            "code": f.get("code"), "before": before, "marked": marked, "after": after})
    fig["red_lines"] = len(red)
    return AgentMonth(
        agent_id=agent_id,
        figures=fig,
        rates=rates,
        first_response_values=[r.first_response_s for r in records if r.first_response_s is not None],
        scores=[float(r.score) for r in records if r.score is not None],
        red_lines=red,
        flag_counts={c: fig[f"flags_{c}"] for c in codes},
        weakest=coaching(records, rates, criteria),
    )


def by_agent(records: list[ConvRecord]) -> dict[str, list[ConvRecord]]:
    """Each conversation counts for its main agent (results.agent_id); chats with no human agent are skipped."""
    groups: dict[str, list[ConvRecord]] = defaultdict(list)
    for r in records:
        if r.agent_id:
            groups[r.agent_id].append(r)
    return dict(sorted(groups.items()))
