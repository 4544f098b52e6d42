"""build_cards: one month's team overview, per-agent HTML + PDF cards and the HR spreadsheet."""
from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from pipeline.cards import aggregate as agg
from pipeline.cards import charts
from pipeline.cards.data import Month, load_records
from pipeline.cards.links import ReviewLinks
from pipeline.cards.model import ConvRecord
from pipeline.cards.rubric import month_rubric
from pipeline.cards.sheets import write_table
from pipeline.cards.stats import Rate
from pipeline.cards.tiers import TierRule, TierRules, load_tier_rules, say_value
from pipeline.settings import get_settings
from pipeline.store import Store
from pipeline.store.appeals import upheld_appeals

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
    csv_path: Path | None  # None: nothing to tabulate (a month without conversations)
    xlsx_path: Path | None
    cards_html: dict[str, Path] = field(default_factory=dict)
    cards_pdf: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        tables = [p for p in (self.csv_path, self.xlsx_path) if p is not None]
        return [self.index_html, *tables, *self.cards_html.values(), *self.cards_pdf.values()]

    def summary_line(self) -> str:
        return (f"cards: month={self.month} agents={len(self.agents)} ranked={len(self.ranked)} "
                f"conversations={self.conversations} html={len(self.cards_html)} pdf={len(self.cards_pdf)} "
                f"warnings={len(self.warnings)} out={self.out_dir}")

    def summary(self) -> str:
        """One `warning: …` line per warning, then the summary line (always last)."""
        return "\n".join([*(f"warning: {w}" for w in self.warnings), self.summary_line()])


SLUG_MAX = 40  # characters of an agent id kept in a file name (CJK: 3 bytes each; names stay far below 255 bytes)


def _id_hash(agent_id: str) -> str:
    return hashlib.sha256(agent_id.encode("utf-8")).hexdigest()[:10]


def safe_name(agent_id: str) -> str:
    """An agent id as a file-name part: the id itself when it is made of letters, digits, - and _
    (CJK too) and short; else a readable slug plus a short hash of the exact id (`A/1` → `A_1-<hash>`)."""
    slug = re.sub(r"[^\w\-]", "_", agent_id)[:SLUG_MAX] or "_"
    return slug if slug == agent_id else f"{slug}-{_id_hash(agent_id)}"


def card_stems(agent_ids: Iterable[str]) -> dict[str, str]:
    """One file-name part per agent, unique even on case-insensitive drives (`a1` and `A1` both get a hash)."""
    stems = {a: safe_name(a) for a in agent_ids}
    clash = Counter(s.casefold() for s in stems.values())
    for a, stem in stems.items():
        if clash[stem.casefold()] > 1 and not stem.endswith(_id_hash(a)):
            stems[a] = f"{stem}-{_id_hash(a)}"
    taken: set[str] = set()
    for a, stem in stems.items():  # a hash clash (or an id spelled like another's hashed name): number it
        k, name = 1, stem
        while name.casefold() in taken:
            k, name = k + 1, f"{stem}-{k}"
        stems[a] = name
        taken.add(name.casefold())
    return stems


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


# ---------------------------------------------------------------- entry point
Progress = Callable[[str], None]


def build_cards(month: str, store_url: str | None, out_dir: Path, *, pdf: bool = True,
                tiers_path: Path | str | None = None, min_conversations: int | None = None,
                rubric_version: str | None = None, trend_months: int = 6,
                generated_at: datetime | None = None, progress: Progress | None = None) -> CardsReport:
    """Write the month's overview (index.html), per-agent cards (HTML, PDF) and agents-YYYY-MM.csv/.xlsx.

    Figures come from pipeline.corrections.effective_results (human corrections replace automatic
    scores) for conversations that started in the month (local time, settings.timezone); the SLA
    line from the rubric the month was scored with (pipeline.cards.rubric).

    progress: called with one line per step and per card (`card 3/13 A05: PDF 4.2 s`), for a
    person watching; a card that cannot be written is a warning, and the other cards are written.
    A month without conversations writes only the overview (which says so) and warns.
    """
    say = progress or (lambda line: None)
    t0 = time.perf_counter()
    m = Month.parse(month)
    settings = get_settings()
    min_conv = min_conversations or settings.card_min_conversations
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = (generated_at or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    warnings: list[str] = []
    seconds: dict[str, float] = {}

    say(f"cards {m}: reading the month from the store …")
    store = Store(store_url, create=False)  # cards never create a store: a mistyped URL is refused
    try:
        records, version = load_records(store, m.start(), m.end(), rubric_version)
        first = m.shift(-(trend_months - 1))
        history, _ = (load_records(store, first.start(), m.start(), version, with_messages=False)
                      if version else ([], None))
        scored_with = month_rubric(store, version)
        upheld: dict[str, list[dict]] = {}  # the agent's appeals upheld this month (they corrected a criterion)
        for appeal in upheld_appeals(store.engine, m.start(), m.end()):
            upheld.setdefault(appeal["agent_id"], []).append(appeal)
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
    say(f"cards {m}: {len(records)} conversations, {len(groups)} agents ({seconds['load']:.1f} s)")
    if not groups:
        warnings.append(
            f"no scored conversations with a human agent started in {m} ({settings.timezone}) in this store"
            + (f" ({len(records)} without one)" if records else "")
            + ": no cards written, only the overview saying so — check --month and --store, or run zhijian score first")
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
    stems = card_stems(agents)

    env = _env()
    css = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    base = dict(month=str(m), rubric_version=version, generated_at=generated, css=css,
                min_conversations=min_conv, timezone=settings.timezone, tiers_source=Path(tiers.source).name,
                team=team_fig, team_rates=team_rates, sla_threshold_s=sla_s,
                links=ReviewLinks(settings.review_url, m))  # card → reviewer workspace
    report = CardsReport(month=str(m), out_dir=out_dir, rubric_version=version, conversations=len(records),
                         agents=list(agents), ranked=ranked, index_html=out_dir / "index.html",
                         csv_path=out_dir / f"agents-{m}.csv" if agents else None,
                         xlsx_path=out_dir / f"agents-{m}.xlsx" if agents else None,
                         warnings=warnings, seconds=seconds)
    rows: list[dict] = []
    overview_agents: list[dict] = []
    t1 = time.perf_counter()
    pdf_jobs: list[tuple[str, str, Path]] = []
    for i, (a, am) in enumerate(agents.items(), start=1):
        f = am.figures
        eligible = a in ranked
        tier = tiers.assign(f) if eligible else None
        agent_name = next((r.agent_name for r in groups[a] if r.agent_name), None)
        trend_means = [_mean_or_none(hist_by.get((str(mm), a), [])) for mm in months]
        trend_ns = [len(hist_by.get((str(mm), a), [])) for mm in months]
        prev = trend_means[-2] if len(trend_means) > 1 else None
        not_rated = f"not rated: {f['conversations']} conversations < {min_conv} (card_min_conversations)"
        row = {"agent_id": a, "agent_name": agent_name, "month": str(m), "rubric_version": version,
               "min_conversations": min_conv, "eligible": eligible}
        row.update(f)
        row.update({
            "tier_stars": tier.stars if tier else None,
            "tier": tier.name if tier else None,
            "tier_rule": tier.rule_text if tier else not_rated,
            "tier_label": (f"{tier.label} {tier.name}" if tier else
                           f"不评星级：会话 {f['conversations']} 段，少于 {min_conv} 段"),
            "rank": ranks.get(a), "ranked_agents": len(ranked),
            "score_mean_prev_month": prev,
            "score_mean_change": (f["score_mean"] - prev) if (prev is not None and f["score_mean"] is not None) else None,
            "score_mean_prev_month_n": trend_ns[-2] if len(trend_ns) > 1 else 0,
        })
        rows.append(row)
        html_path = out_dir / f"card-{stems[a]}-{m}.html"
        try:
            team_means = [_mean_or_none([s for (mk, _), v in hist_by.items() if mk == str(mm) for s in v])
                          for mm in months]
            html = _render_card(env.get_template("card.html"), base, agent_id=a, agent_name=agent_name, month=am,
                                tier=tier, tiers=tiers, eligible=eligible, rank=ranks.get(a), ranked_n=len(ranked),
                                min_conv=min_conv, criteria=criteria, codes=codes, names=names,
                                trend=([str(mm) for mm in months], trend_means, trend_ns, team_means),
                                upheld=upheld.get(a, []))
            html_path.write_text(html, encoding="utf-8")
        except Exception as err:  # one bad agent must not stop the month: say which, write the others
            warnings.append(f"card for agent {a!r} not written ({type(err).__name__}: {err}) — "
                            "the other cards are; see the error, fix it and run zhijian cards again")
            html = None
        else:
            report.cards_html[a] = html_path
            if pdf:
                pdf_jobs.append((a, html, html_path.with_suffix(".pdf")))
            elif progress:
                say(f"card {i}/{len(agents)} {a}: HTML")
        overview_agents.append({"agent_id": a, "agent_name": agent_name, "f": f, "rates": am.rates, "tier": tier,
                                "rank": ranks.get(a), "html_name": html_path.name if html else None,
                                "pdf_name": html_path.with_suffix(".pdf").name if html and pdf else None})
    seconds["cards_html"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    # Comparisons between agents only among those with enough conversations (the fair-numbers rule).
    heat_agents = list(ranked)
    per_agent_scores = {a: agents[a].scores for a in heat_agents}
    overview = env.get_template("overview.html").render(
        **base, agents=overview_agents, ranked_n=len(ranked), tier_rules=tiers.rules,
        csv_name=report.csv_path.name if report.csv_path else None,
        xlsx_name=report.xlsx_path.name if report.xlsx_path else None,
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
    if report.csv_path and report.xlsx_path:
        write_table(rows, columns, report.csv_path, report.xlsx_path, links=base["links"])
        say(f"cards {m}: overview and spreadsheet written: {report.index_html}, {report.xlsx_path.name}")

    t3 = time.perf_counter()
    if pdf_jobs:
        say(f"cards {m}: rendering {len(pdf_jobs)} PDF cards (seconds to a minute each; --no-pdf skips them) …")
        report.cards_pdf = render_pdfs(pdf_jobs, out_dir, warnings, say)
    seconds["pdf"] = time.perf_counter() - t3
    seconds["total"] = time.perf_counter() - t0
    return report


def _render_card(template: jinja2.Template, base: dict, *, agent_id: str, agent_name: str | None,
                 month: agg.AgentMonth, tier: TierRule | None, tiers: TierRules, eligible: bool, rank: int | None,
                 ranked_n: int, min_conv: int, criteria: list[str], codes: list[str], names: dict[str, str],
                 trend: tuple[list[str], list, list[int], list], upheld: list[dict] = ()) -> str:
    """One agent's card as HTML. base: what every page gets (month, team figures, SLA line …);
    trend: (month names, the agent's means, their sample sizes, the team's means);
    upheld: the agent's appeals upheld this month (pipeline.store.appeals.upheld_appeals)."""
    am, f = month, month.figures
    team_fig, team_rates, sla_s = base["team"], base["team_rates"], base["sla_threshold_s"]
    month_names, trend_means, trend_ns, team_means = trend
    crit_rows = [{"id": c, "name": names.get(c, c), "rate": am.rates[c], "team": team_rates[c],
                  "na": f[f"{c}_na"]} for c in criteria]
    svg_trend = charts.score_trend(month_names, trend_means, trend_ns, team_means, compare=eligible)
    svg_crit = charts.criteria_vs_team([names.get(c, c) for c in criteria], [am.rates[c] for c in criteria],
                                       [team_rates[c] for c in criteria], compare=eligible)
    svg_fr = charts.first_response_hist(am.first_response_values, sla_s)
    # The tier in words: each condition as a sentence, the agent's own value, held or not.
    tier_conditions = [{"sentence": c.sentence(), "actual": say_value(c.figure, f.get(c.figure)), "ok": c.holds(f)}
                       for c in (tier.when if tier else [])]
    tier_missed = []
    if tier:
        for rule in tiers.rules:
            if rule is tier:
                break
            tier_missed.append({"label": rule.label,
                                "failed": [f"{c.sentence()}（本人 {say_value(c.figure, f.get(c.figure))}）"
                                           for c in rule.when if not c.holds(f)]})
    for w in am.weakest:
        w["name"] = names.get(w["criterion"], w["name"])
    return template.render(
        **base, agent_id=agent_id, agent_name=agent_name, f=f, rates=am.rates, compare=eligible, tier=tier,
        tier_conditions=tier_conditions, tier_missed=tier_missed, rank=rank, ranked_n=ranked_n,
        ineligible_reason=(f"本月仅 {f['conversations']} 段会话，少于 {min_conv} 段（card_min_conversations）："
                           "样本太少，星级、排名和与团队的比较都不公平，下列数字仅供参考，请结合区间阅读。"),
        criteria=crit_rows, trend_svg=svg_trend, criteria_svg=svg_crit, fr_svg=svg_fr,
        flag_rows=[{"code": c, "name": agg.flag_name(c), "count": am.flag_counts[c],
                    "team": team_fig[f"flags_{c}"]} for c in codes],
        red_lines=am.red_lines, weakest=am.weakest,
        upheld_appeals=[{**a, "criterion_name": names.get(a["criterion"], a["criterion"])} for a in upheld])


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


def render_pdfs(jobs: list[tuple[str, str, Path]], out_dir: Path, warnings: list[str],
                say: Progress = lambda line: None) -> dict[str, Path]:
    """HTML → PDF with WeasyPrint, one card at a time (the CJK font is embedded, subset, from the system fonts).

    jobs: (agent id, card HTML, PDF path). A card that fails is a warning and the next is rendered;
    WeasyPrint without pango (ImportError/OSError at import) is one warning for all.
    """
    import logging

    try:
        from weasyprint import HTML
    except (ImportError, OSError) as err:  # WeasyPrint without pango: keep the HTML cards, say what to do
        warnings.append(f"PDF cards not written ({type(err).__name__}: {err}); "
                        "install pango and a CJK font with scripts/install_fonts.sh")
        return {}
    # WeasyPrint warns once per SVG presentation attribute it does not know (stroke-width …) —
    # hundreds of lines per card that drown the run's own output; the rendered PDF is checked by eye.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    out: dict[str, Path] = {}
    for i, (agent_id, html, path) in enumerate(jobs, start=1):
        t = time.perf_counter()
        try:
            HTML(string=html, base_url=str(out_dir)).write_pdf(path)
        except Exception as err:  # one card's PDF must not cost the others theirs
            warnings.append(f"PDF card for agent {agent_id!r} not written ({type(err).__name__}: {err}) — "
                            "its HTML card is; fix the error and run zhijian cards again")
            say(f"card {i}/{len(jobs)} {agent_id}: PDF failed ({type(err).__name__})")
            continue
        out[agent_id] = path
        say(f"card {i}/{len(jobs)} {agent_id}: PDF {time.perf_counter() - t:.1f} s")
    return out


__all__ = ["build_cards", "card_stems", "CardsReport", "TierRules"]
