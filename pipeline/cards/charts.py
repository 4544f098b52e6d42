"""Charts for cards and the overview: matplotlib → inline SVG (text drawn as paths, so no font is needed
to view it and the HTML stays self-contained). Chinese labels need a CJK font that matplotlib can find:
scripts/install_fonts.sh installs fonts-noto-cjk."""
from __future__ import annotations

import hashlib
import io
import re
import warnings
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from pipeline.cards.stats import Rate  # noqa: E402

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "Noto Sans CJK JP", "Noto Sans CJK TC", "Microsoft YaHei", "PingFang SC", "SimHei", "Heiti SC",
)  # fmt: skip

BLUE, GREY, RED, GREEN, ORANGE = "#2b6cb0", "#a0aec0", "#c53030", "#2f855a", "#dd6b20"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed CJK family matplotlib can use (rebuilding its font cache once if needed)."""
    def find() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in CJK_FAMILIES if n in names), None)

    found = find()
    if found is None:  # fonts installed after matplotlib built its cache
        font_manager._load_fontmanager(try_read_cache=False)
        found = find()
    return found


def configure_matplotlib() -> str | None:
    font = cjk_font()
    matplotlib.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "zhijian-cards",  # stable element ids: same data, same SVG
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    return font


def _svg(fig) -> str:
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Glyph missing" noise is reported once via CardsReport instead
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # Several charts share one HTML page: make their element ids (glyphs, clip paths, markers) unique
    # per chart, deterministically, so no reference resolves into another chart.
    prefix = "c" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8] + "-"
    ids = set(re.findall(r'id="([^"]+)"', text))
    if ids:
        pattern = re.compile(r'(id="|#)(' + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)) + r')(?=["\)])')
        text = pattern.sub(lambda m: m.group(1) + prefix + m.group(2), text)
    return text  # natural size in pt + viewBox; CSS max-width shrinks it on narrow pages


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def score_trend(months: list[str], agent_means: list[float | None], agent_ns: list[int],
                team_means: list[float | None], compare: bool = True) -> str:
    configure_matplotlib()
    fig, ax = plt.subplots(figsize=(6.2, 2.4))
    xs = list(range(len(months)))
    pts = [(x, m) for x, m in zip(xs, agent_means) if m is not None]
    tpts = [(x, m) for x, m in zip(xs, team_means) if m is not None] if compare else []
    if tpts:
        ax.plot([p[0] for p in tpts], [p[1] for p in tpts], "--", color=GREY, marker="o", ms=3, label="团队均分")
    if pts:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "-", color=BLUE, marker="o", ms=5, label="本人均分")
        for x, m in pts:
            ax.annotate(f"{m:.1f}\nn={agent_ns[x]}", (x, m), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=7)
    ax.set_xticks(xs, months)
    ax.set_ylim(0, 109)
    ax.set_ylabel("质检均分")
    ax.set_title("月度均分趋势（n = 会话数）", fontsize=10)
    ax.legend(loc="lower left", fontsize=7, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return _svg(fig)


def criteria_vs_team(names: list[str], agent: list[Rate], team: list[Rate], compare: bool) -> str:
    """Horizontal bars: the agent's pass rate with its 95% Wilson interval; the team's as a marker."""
    configure_matplotlib()
    fig, ax = plt.subplots(figsize=(6.2, 0.42 * len(names) + 0.9))
    ys = list(range(len(names)))[::-1]
    for y, r in zip(ys, agent):
        if r.rate is None:
            ax.text(0.01, y, "无样本 (n=0)", va="center", fontsize=7, color=GREY)
            continue
        ax.barh(y, 100 * r.rate, color=BLUE, height=0.55, alpha=0.85)
        ax.errorbar(100 * r.rate, y, xerr=[[max(0.0, 100 * (r.rate - r.ci_low))], [max(0.0, 100 * (r.ci_high - r.rate))]],
                    fmt="none", ecolor="#1a365d", capsize=3, lw=1)
        ax.text(101, y, f"{_pct(r.rate)}  n={r.n}", va="center", fontsize=7)
    if compare:
        tx = [(100 * t.rate, y) for y, t in zip(ys, team) if t.rate is not None]
        if tx:
            ax.scatter([p[0] for p in tx], [p[1] for p in tx], marker="D", color=ORANGE, zorder=5, s=18,
                       label="团队")
            ax.legend(loc="lower right", fontsize=7, frameon=False, bbox_to_anchor=(1.0, 1.0))
    ax.set_yticks(ys, names)
    ax.set_xlim(0, 125)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("通过率 %（误差线：95% Wilson 区间）")
    ax.set_title("各评分项通过率" + ("（◆ 团队）" if compare else ""), fontsize=10)
    return _svg(fig)


def first_response_hist(values: list[float], threshold_s: float | None) -> str:
    configure_matplotlib()
    fig, ax = plt.subplots(figsize=(6.2, 2.3))
    if values:
        # one chat left for hours would squash the rest: cut the axis at ~P95 and count what lies beyond
        ordered = sorted(values)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        top = max(min(max(values), max(3 * (threshold_s or 0), 2 * p90)), 60)
        beyond = sum(1 for v in values if v > top)
        bins = min(30, max(8, len(values) // 3))
        ax.hist([min(v, top) for v in values], bins=bins, range=(0, top), color=BLUE, alpha=0.85)
        if beyond:
            ax.text(0.99, 0.95, f"另有 {beyond} 段超过 {top:,.0f} 秒（计入最右一栏）", transform=ax.transAxes,
                    ha="right", va="top", fontsize=7, color=RED)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if threshold_s:
            ax.axvline(threshold_s, color=RED, ls="--", lw=1)
            ax.text(threshold_s, ax.get_ylim()[1] * 0.92, f" SLA {threshold_s:g} 秒", color=RED, fontsize=7)
    else:
        ax.text(0.5, 0.5, "无首次响应数据", ha="center", va="center", transform=ax.transAxes, color=GREY)
    ax.set_xlabel("首次响应时间（秒）")
    ax.set_ylabel("会话数")
    ax.set_title(f"首次响应时间分布（n={len(values)}）", fontsize=10)
    return _svg(fig)


def score_distribution(team_scores: list[float], per_agent: dict[str, list[float]]) -> str:
    configure_matplotlib()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.0), gridspec_kw={"width_ratios": [1, 1.6]})
    if team_scores:
        ax1.hist(team_scores, bins=20, range=(0, 100), color=BLUE, alpha=0.85)
    ax1.set_xlabel("会话得分")
    ax1.set_ylabel("会话数")
    ax1.set_title(f"团队得分分布（n={len(team_scores)}）", fontsize=10)
    agents = [a for a, s in per_agent.items() if s]
    if agents:
        ax2.boxplot([per_agent[a] for a in agents], showfliers=True, widths=0.6,
                    medianprops={"color": ORANGE}, flierprops={"markersize": 2})
        ax2.set_xticks(range(1, len(agents) + 1), [f"{a}\nn={len(per_agent[a])}" for a in agents], fontsize=7)
    ax2.set_ylim(0, 105)
    ax2.set_title("各客服得分分布", fontsize=10)
    return _svg(fig)


def heatmap(criteria_names: list[str], agents: list[str], rates: list[list[Rate]]) -> str:
    """criterion × agent pass rates; each cell shows the rate and its n (blank where n = 0)."""
    configure_matplotlib()
    import numpy as np

    data = np.array([[(r.rate if r.rate is not None else np.nan) for r in row] for row in rates], dtype=float)
    fig, ax = plt.subplots(figsize=(max(4.5, 0.8 * len(agents) + 2.2), 0.5 * len(criteria_names) + 1.2))
    cmap = plt.get_cmap("RdYlGn").with_extremes(bad="#edf2f7")
    im = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=0.5, vmax=1.0, aspect="auto")
    for i, row in enumerate(rates):
        for j, r in enumerate(row):
            label = "n=0" if r.rate is None else f"{_pct(r.rate)}\nn={r.n}"
            dark = r.rate is not None and (r.rate < 0.62 or r.rate > 0.93)
            ax.text(j, i, label, ha="center", va="center", fontsize=6.5, color="white" if dark else "black")
    ax.set_xticks(range(len(agents)), agents, fontsize=8)
    ax.set_yticks(range(len(criteria_names)), criteria_names, fontsize=8)
    ax.set_title("评分项 × 客服 通过率", fontsize=10)
    for s in ax.spines.values():
        s.set_visible(False)
    cb = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
    cb.set_label("通过率（≤50% 同色）", fontsize=7)
    return _svg(fig)
