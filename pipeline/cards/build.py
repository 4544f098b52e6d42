"""build_cards: one month's team overview, per-agent HTML + PDF cards and the HR spreadsheet."""
from __future__ import annotations

import csv
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from pipeline.cards import aggregate as agg
from pipeline.cards import charts
from pipeline.cards.data import Month, load_records
from pipeline.cards.model import ConvRecord
from pipeline.cards.rubric import month_rubric
from pipeline.cards.stats import Rate
from pipeline.cards.tiers import TierRules, load_tier_rules
from pipeline.settings import get_settings
from pipeline.store import Store

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class CardsReport:
    month: str
    out_dir: Path
    rubric_version: str | None
    conversations: int
    agents: list[str]
    ranked: list[str]  # agents with at least min_conversations: tier and rank given
    index_html: Path
    csv_path: Path
    xlsx_path: Path
    cards_html: dict[str, Path] = field(default_factory=dict)
    cards_pdf: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        return [self.index_html, self.csv_path, self.xlsx_path, *self.cards_html.values(), *self.cards_pdf.values()]

    def summary_line(self) -> str:
        return (f"cards: month={self.month} agents={len(self.agents)} ranked={len(self.ranked)} "
                f"conversations={self.conversations} pdf={len(self.cards_pdf)} out={self.out_dir}")

    def summary(self) -> str:
        """One `warning: …` line per warning, then the summary line (always last)."""
        return "\n".join([*(f"warning: {w}" for w in self.warnings), self.summary_line()])


def safe_name(agent_id: str) -> str:
    """Agent ids go into file names: keep letters, digits, - and _ (CJK letters too)."""
    return re.sub(r"[^\w\-]", "_", agent_id) or "_"


# ---------------------------------------------------------------- formatting for templates
def _num(x, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "—"
    return f"{x:,.{digits}f}"


def _pct(r) -> str:
    rate = r.rate if isinstance(r, Rate) else r
    return "—" if rate is None else f"{100 * rate:.1f}%"


def _ci(r: Rate) -> str:
    return "—" if r.ci_low is None else f"{100 * r.ci_low:.1f}–{100 * r.ci_high:.1f}%"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=_num, pct=_pct, ci=_ci)
    return env


def _rank(agent_means: dict[str, float]) -> dict[str, int]:
    """Competition ranking by score_mean, highest first (ties share the rank)."""
    ordered = sorted(agent_means.items(), key=lambda kv: -kv[1])
    ranks: dict[str, int] = {}
    for i, (a, m) in enumerate(ordered):
        ranks[a] = ranks[ordered[i - 1][0]] if i and m == ordered[i - 1][1] else i + 1
    return ranks


def _display(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "无数据" if value is None else str(value)


# ---------------------------------------------------------------- entry point
def build_cards(month: str, store_url: str | None, out_dir: Path, *, pdf: bool = True,
                tiers_path: Path | str | None = None, min_conversations: int | None = None,
                rubric_version: str | None = None, trend_months: int = 6,
                generated_at: datetime | None = None) -> CardsReport:
    """Write the month's overview (index.html), per-agent cards (HTML, PDF) and agents-YYYY-MM.csv/.xlsx.

    Figures come from pipeline.corrections.effective_results (human corrections replace automatic
    scores) for conversations that started in the month (local time, settings.timezone); the SLA
    line from the rubric the month was scored with (pipeline.cards.rubric).
    """
    t0 = time.perf_counter()
    m = Month.parse(month)
    settings = get_settings()
    min_conv = min_conversations or settings.card_min_conversations
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = (generated_at or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    warnings: list[str] = []
    seconds: dict[str, float] = {}

    store = Store(store_url)
    try:
        records, version = load_records(store, m.start(), m.end(), rubric_version)
        first = m.shift(-(trend_months - 1))
        history, _ = (load_records(store, first.start(), m.start(), version, with_messages=False)
                      if version else ([], None))
        scored_with = month_rubric(store, version)
    finally:
        store.close()
    seconds["load"] = time.perf_counter() - t0

    criteria = agg.criteria_ids(records)
    codes = agg.flag_codes(records)
    figure_names = set(_figure_columns(criteria, codes))
    # a card_tiers_path setting, where the project adds one, points at a shop's own tier file
    tiers_path = tiers_path or getattr(settings, "card_tiers_path", None)
    tiers = load_tier_rules(tiers_path, known_figures=figure_names | {"conversations"})
    warnings.extend(scored_with.warnings)
    names = dict(agg.CRITERION_NAMES_ZH)
    sla_s = scored_with.sla_seconds
    font = charts.configure_matplotlib()
    if font is None:
        warnings.append("no CJK font for matplotlib: Chinese in charts shows as boxes — run scripts/install_fonts.sh")

    team_fig, team_rates = agg.figures_for(records, criteria, codes)
    groups = agg.by_agent(records)
    months = [m.shift(k) for k in range(-(trend_months - 1), 1)]
    hist_by = _by_month_agent(history + records, months)
    # the trend starts at the first month the store has results for
    with_data = [i for i, mm in enumerate(months) if any(k[0] == str(mm) for k in hist_by)]
    months = months[min(with_data):] if with_data else months[-1:]

    agents: dict[str, agg.AgentMonth] = {a: agg.agent_month(a, recs, criteria, codes, records)
                                        for a, recs in groups.items()}
    ranked = [a for a, am in agents.items() if am.figures["conversations"] >= min_conv
              and am.figures["score_mean"] is not None]
    ranks = _rank({a: agents[a].figures["score_mean"] for a in ranked})

    env = _env()
    css = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    base = dict(month=str(m), rubric_version=version, generated_at=generated, css=css,
                min_conversations=min_conv, timezone=settings.timezone, tiers_source=Path(tiers.source).name,
                team=team_fig, team_rates=team_rates, sla_threshold_s=sla_s)
    report = CardsReport(month=str(m), out_dir=out_dir, rubric_version=version, conversations=len(records),
                         agents=list(agents), ranked=ranked, index_html=out_dir / "index.html",
                         csv_path=out_dir / f"agents-{m}.csv", xlsx_path=out_dir / f"agents-{m}.xlsx",
                         warnings=warnings, seconds=seconds)
    rows: list[dict] = []
    overview_agents: list[dict] = []
    t1 = time.perf_counter()
    pdf_jobs: list[tuple[str, str]] = []
    for a, am in agents.items():
        f = am.figures
        eligible = a in ranked
        tier = tiers.assign(f) if eligible else None
        agent_name = next((r.agent_name for r in groups[a] if r.agent_name), None)
        trend_means = [_mean_or_none(hist_by.get((str(mm), a), [])) for mm in months]
        trend_ns = [len(hist_by.get((str(mm), a), [])) for mm in months]
        team_means = [_mean_or_none([s for (mk, _), v in hist_by.items() if mk == str(mm) for s in v])
                      for mm in months]
        prev = trend_means[-2] if len(trend_means) > 1 else None
        row = {"agent_id": a, "agent_name": agent_name, "month": str(m), "rubric_version": version,
               "min_conversations": min_conv, "eligible": eligible}
        row.update(f)
        row.update({
            "tier_stars": tier.stars if tier else None,
            "tier": tier.name if tier else None,
            "tier_rule": (tier.rule_text if tier else
                          f"not rated: {f['conversations']} conversations < {min_conv} (card_min_conversations)"),
            "rank": ranks.get(a), "ranked_agents": len(ranked),
            "score_mean_prev_month": prev,
            "score_mean_change": (f["score_mean"] - prev) if (prev is not None and f["score_mean"] is not None) else None,
            "score_mean_prev_month_n": trend_ns[-2] if len(trend_ns) > 1 else 0,
        })
        rows.append(row)

        crit_rows = [{"id": c, "name": names.get(c, c), "rate": am.rates[c], "team": team_rates[c],
                      "na": f[f"{c}_na"]} for c in criteria]
        svg_trend = charts.score_trend([str(mm) for mm in months], trend_means, trend_ns, team_means,
                                       compare=eligible)
        svg_crit = charts.criteria_vs_team([names.get(c, c) for c in criteria], [am.rates[c] for c in criteria],
                                           [team_rates[c] for c in criteria], compare=eligible)
        svg_fr = charts.first_response_hist(am.first_response_values, sla_s)
        tier_conditions = [{"figure": c.figure, "actual": _display(f.get(c.figure)), "ok": c.holds(f)}
                           for c in (tier.when if tier else [])]
        tier_missed = []
        if tier:
            for rule in tiers.rules:
                if rule is tier:
                    break
                tier_missed.append({"label": rule.label,
                                    "failed": [f"{c}（本人 {_display(f.get(c.figure))}）" for c in rule.when
                                               if not c.holds(f)]})
        for w in am.weakest:
            w["name"] = names.get(w["criterion"], w["name"])
        html_name = f"card-{safe_name(a)}-{m}.html"
        html = env.get_template("card.html").render(
            **base, agent_id=a, agent_name=agent_name, f=f, rates=am.rates, compare=eligible, tier=tier,
            tier_conditions=tier_conditions, tier_missed=tier_missed, rank=ranks.get(a), ranked_n=len(ranked),
            ineligible_reason=(f"本月仅 {f['conversations']} 段会话，少于 {min_conv} 段（card_min_conversations）："
                               "样本太少，星级、排名和与团队的比较都不公平，下列数字仅供参考，请结合区间阅读。"),
            criteria=crit_rows, trend_svg=svg_trend, criteria_svg=svg_crit, fr_svg=svg_fr,
            flag_rows=[{"code": c, "name": agg.flag_name(c), "count": am.flag_counts[c],
                        "team": team_fig[f"flags_{c}"]} for c in codes],
            red_lines=am.red_lines, weakest=am.weakest)
        (out_dir / html_name).write_text(html, encoding="utf-8")
        report.cards_html[a] = out_dir / html_name
        pdf_name = f"card-{safe_name(a)}-{m}.pdf" if pdf else None
        if pdf:
            pdf_jobs.append((a, html))
        overview_agents.append({"agent_id": a, "agent_name": agent_name, "f": f, "rates": am.rates, "tier": tier,
                                "rank": ranks.get(a), "html_name": html_name, "pdf_name": pdf_name})
    seconds["cards_html"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    # Comparisons between agents only among those with enough conversations (the fair-numbers rule).
    heat_agents = list(ranked)
    per_agent_scores = {a: agents[a].scores for a in heat_agents}
    overview = env.get_template("overview.html").render(
        **base, agents=overview_agents, ranked_n=len(ranked), tier_rules=tiers.rules,
        csv_name=report.csv_path.name, xlsx_name=report.xlsx_path.name,
        dist_svg=charts.score_distribution([s for am in agents.values() for s in am.scores], per_agent_scores)
        if agents else "",
        heat_svg=charts.heatmap([names.get(c, c) for c in criteria], heat_agents,
                                [[agents[a].rates[c] for a in heat_agents] for c in criteria]) if heat_agents else "",
        unranked=[a for a in agents if a not in ranked])
    report.index_html.write_text(overview, encoding="utf-8")
    seconds["overview"] = time.perf_counter() - t2

    columns = ["agent_id", "agent_name", "month", "rubric_version", "min_conversations", "eligible",
               *_figure_columns(criteria, codes), "tier_stars", "tier", "tier_rule", "rank", "ranked_agents",
               "score_mean_prev_month", "score_mean_change", "score_mean_prev_month_n"]
    write_table(rows, columns, report.csv_path, report.xlsx_path)

    t3 = time.perf_counter()
    if pdf_jobs:
        try:
            report.cards_pdf = render_pdfs(pdf_jobs, out_dir, str(m))
        except (ImportError, OSError) as err:  # WeasyPrint without pango: keep the HTML cards, say what to do
            warnings.append(f"PDF cards not written ({type(err).__name__}: {err}); "
                            "install pango and a CJK font with scripts/install_fonts.sh")
    seconds["pdf"] = time.perf_counter() - t3
    seconds["total"] = time.perf_counter() - t0
    return report


def _mean_or_none(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _by_month_agent(records: list[ConvRecord], months: list[Month]) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = {}
    for r in records:
        if r.score is None or not r.agent_id:
            continue
        for mm in months:
            if mm.contains(r.started_at):
                out.setdefault((str(mm), r.agent_id), []).append(float(r.score))
                break
    return out


def _figure_columns(criteria: list[str], codes: list[str]) -> list[str]:
    """The figure columns of agents-YYYY-MM.csv in a stable order (= what tier rules may refer to)."""
    cols = ["conversations", "score_n", "score_mean", "score_std"]
    for c in criteria:
        cols += [f"{c}_pass_rate", f"{c}_n", f"{c}_ci_low", f"{c}_ci_high", f"{c}_na"]
    cols += ["first_response_n", "first_response_unanswered", "first_response_median_s", "first_response_p90_s",
             "sla_pass_rate", "sla_n", "sla_ci_low", "sla_ci_high",
             "sentiment_turnaround_rate", "sentiment_turnaround_n", "sentiment_turnaround_ci_low",
             "sentiment_turnaround_ci_high",
             "negative_end_rate", "negative_end_n", "negative_end_ci_low", "negative_end_ci_high"]
    cols += [f"flags_{c}" for c in codes]
    cols += ["flagged_conversations", "red_lines", "csat_mean", "csat_n",
             "corrected_conversations", "corrected_scores", "corrected_criteria"]
    return cols


COLUMN_NOTES = {
    "_rate": "fraction 0–1 of pass / (pass + fail); na excluded",
    "_n": "sample size (conversations) behind the rate",
    "_ci_low": "95% Wilson interval, lower bound (fraction)",
    "_ci_high": "95% Wilson interval, upper bound (fraction)",
    "_na": "conversations where the criterion did not apply",
    "_s": "seconds",
}


NAMED_COLUMN_NOTES = {
    "agent_id": "the main human agent of the conversations (most agent messages)",
    "month": "YYYY-MM; conversations counted by start time in settings.timezone",
    "eligible": "True when conversations ≥ min_conversations: only then tier, rank and team comparison",
    "conversations": "conversations handled (count)",
    "score_n": "conversations with a score",
    "score_mean": "mean QA score 0–100 (human corrections applied)",
    "score_std": "sample standard deviation of the QA score (points)",
    "first_response_n": "conversations with a measured first response",
    "first_response_unanswered": "conversations where no human agent answered the customer (first_response_sla: no reply)",
    "first_response_median_s": "median seconds, first customer message → next human-agent message (first_response_sla's rule)",
    "first_response_p90_s": "90th percentile seconds, first customer message → next human-agent message (first_response_sla's rule)",
    "sla_pass_rate": "fraction 0–1 of first_response_sla passes (same as first_response_sla_pass_rate)",
    "sentiment_turnaround_rate": "fraction 0–1 of conversations starting negative that end neutral or positive",
    "negative_end_rate": "fraction 0–1 of conversations whose last customer sentiment is negative",
    "flagged_conversations": "conversations with at least one flag",
    "red_lines": "red-line flags (forbidden phrases), occurrences",
    "csat_mean": "mean buyer rating 1–5 where the logs carry one",
    "csat_n": "conversations with a buyer rating",
    "corrected_conversations": "conversations with at least one reviewer correction",
    "corrected_scores": "conversations whose score a correction changed",
    "corrected_criteria": "criterion results changed by corrections",
    "tier_stars": "star tier 1–5; empty when not eligible",
    "tier": "tier name",
    "tier_rule": "the tier rule that fired (or why no tier)",
    "rank": "rank by score_mean among eligible agents (1 = best); empty when not eligible",
    "score_mean_prev_month": "score_mean of the previous month (same rubric version)",
    "score_mean_change": "score_mean − score_mean_prev_month (points)",
}


def write_table(rows: list[dict], columns: list[str], csv_path: Path, xlsx_path: Path) -> None:
    """One row per agent, every figure its own column: UTF-8 CSV (with BOM, for Excel) and an .xlsx."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    def cell(v):
        if isinstance(v, float):
            return round(v, 6)
        return v

    with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if r.get(c) is None else cell(r.get(c)) for c in columns])
    wb = Workbook()
    ws = wb.active
    ws.title = "agents"
    ws.append(columns)
    for r in rows:
        ws.append([cell(r.get(c)) for c in columns])
    ws.freeze_panes = "B2"
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(c) + 2))
    notes = wb.create_sheet("columns")
    notes.append(["column", "meaning / unit"])
    for c in columns:
        note = NAMED_COLUMN_NOTES.get(c) or next((v for k, v in COLUMN_NOTES.items() if c.endswith(k)), "")
        if c.startswith("flags_"):
            note = "conversations carrying this flag code at least once"
        notes.append([c, note])
    wb.save(xlsx_path)


def render_pdfs(jobs: list[tuple[str, str]], out_dir: Path, month: str) -> dict[str, Path]:
    """HTML → PDF with WeasyPrint; the CJK font is embedded (subset) from the system fonts."""
    import logging

    from weasyprint import HTML

    # WeasyPrint warns once per SVG presentation attribute it does not know (stroke-width …) —
    # hundreds of lines per card that drown the run's own output; the rendered PDF is checked by eye.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    out: dict[str, Path] = {}
    for agent_id, html in jobs:
        path = out_dir / f"card-{safe_name(agent_id)}-{month}.pdf"
        HTML(string=html, base_url=str(out_dir)).write_pdf(path)
        out[agent_id] = path
    return out


__all__ = ["build_cards", "CardsReport", "TierRules"]
