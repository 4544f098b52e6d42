"""Every figure on a card, recomputed independently from the store tables (raw SQL + numpy, not the
card code and not pipeline.corrections) and compared with agents-2026-10.csv and the card HTML."""
from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from datetime import datetime
from statistics import NormalDist

import numpy as np
import pytest
import sqlalchemy as sa
import yaml

Z = NormalDist().inv_cdf(0.975)  # 1.95996…
# 2026-10 in Asia/Shanghai (UTC+8), as the naive-UTC text the store keeps
MONTH_START_UTC, MONTH_END_UTC = datetime(2026, 9, 30, 16), datetime(2026, 10, 31, 16)


def wilson(k: int, n: int):
    """Wilson score interval in its closed form (the card code uses the centre ± half-width form)."""
    if n == 0:
        return None, None
    p = k / n
    root = Z * math.sqrt(Z * Z + 4 * n * p * (1 - p))
    return (2 * n * p + Z * Z - root) / (2 * (n + Z * Z)), (2 * n * p + Z * Z + root) / (2 * (n + Z * Z))


def _ts(v):
    return v if isinstance(v, datetime) else datetime.fromisoformat(str(v))


def _load(url: str):
    eng = sa.create_engine(url)
    with eng.connect() as c:
        res = [dict(r._mapping) for r in c.execute(sa.text(
            "SELECT conversation_id, agent_id, started_at, score, criteria, flags, sentiment, csat, scored_at, id "
            "FROM results WHERE rubric_version = 'default@2'"))]
        corr = [dict(r._mapping) for r in c.execute(sa.text(
            "SELECT conversation_id, criterion, status, points, score, flags FROM corrections "
            "WHERE rubric_version = 'default@2' ORDER BY created_at, id"))]
        rubric_text = c.execute(sa.text(
            "SELECT source_text FROM rubric_snapshots WHERE rubric_version = 'default@2'")).scalar()
        msgs = [dict(r._mapping) for r in c.execute(sa.text(
            "SELECT conversation_id, seq, role, timestamp FROM messages WHERE role IN ('customer', 'agent')"))]
    eng.dispose()
    # the month's conversations (latest result per conversation)
    latest = {}
    for r in sorted(res, key=lambda r: (_ts(r["scored_at"]), r["id"])):
        if MONTH_START_UTC <= _ts(r["started_at"]) < MONTH_END_UTC:
            latest[r["conversation_id"]] = r
    for r in latest.values():
        for k in ("criteria", "flags", "sentiment"):
            r[k] = json.loads(r[k]) if isinstance(r[k], str) else r[k]
        r["corrected"] = False
    # corrections: newest per (conversation, criterion) wins
    newest = {}
    for i, c in enumerate(corr):
        c["at"] = i
        newest[(c["conversation_id"], c["criterion"])] = c
    # the flags a correction re-derives, read from the rubric snapshot (YAML, not the rubric loader)
    doc = yaml.safe_load(rubric_text) if rubric_text else {}
    red = {c["id"] for c in doc.get("criteria") or [] if c.get("red_line")} | set(doc.get("red_lines") or [])
    by_criterion = {f["params"]["criterion"]: (f["code"], bool(f.get("red_line")) or f["params"]["criterion"] in red)
                    for f in doc.get("flags") or [] if f["type"] == "criterion_fail.v1"}  # fmt: skip
    low = [(f["code"], (f.get("params") or {}).get("threshold", doc.get("low_score", 60)))
           for f in doc.get("flags") or [] if f["type"] == "low_score.v1"]  # fmt: skip
    touched = defaultdict(list)
    for (cid, crit), c in newest.items():
        if cid in latest:
            touched[cid].append((crit, c))
    for cid, items in touched.items():
        r = latest[cid]
        r["corrected"] = True
        crit_changed = False
        whole = None
        for crit, c in items:
            if crit is None:
                whole = c
                continue
            e = r["criteria"][crit]
            e["status"] = c["status"] or e["status"]
            if e["status"] == "na":
                e["max_points"] = 0
            e["points"] = c["points"] if c["points"] is not None else (e["max_points"] if e["status"] == "pass" else 0)
            crit_changed = True
        if whole is not None and whole["score"] is not None:
            r["score"] = whole["score"]
        elif crit_changed:
            live = [v for v in r["criteria"].values() if v["status"] != "na"]
            # the rubric's rule: pipeline.rubric.conversation_score, 2 decimals
            r["score"] = round(100 * sum(v["points"] for v in live) / sum(v["max_points"] for v in live), 2)
        wflags = whole["flags"] if whole is not None else None
        wflags = json.loads(wflags) if isinstance(wflags, str) else wflags  # SQL NULL or JSON null: no change
        if wflags is not None:
            r["flags"] = wflags
        # derived flags follow what they depend on, unless the reviewer's flag list is newer
        flags_at = max((c["at"] for c in corr if c["conversation_id"] == cid and c["criterion"] is None
                        and c["flags"] is not None and c["flags"] != "null"), default=-1)  # fmt: skip
        crit_at = {crit: c["at"] for crit, c in items if crit is not None}
        for crit, at in crit_at.items():
            if crit in by_criterion and at > flags_at:
                code, red_line = by_criterion[crit]
                r["flags"] = [f for f in r["flags"] if f["code"] != code]
                if r["criteria"][crit]["status"] == "fail":
                    r["flags"].append({"code": code, "seq": None, "red_line": red_line})
        score_at = whole["at"] if whole is not None and whole["score"] is not None else max(crit_at.values(), default=-1)
        for code, threshold in low:
            if score_at > flags_at:
                r["flags"] = [f for f in r["flags"] if f["code"] != code]
                if r["score"] is not None and r["score"] < threshold:
                    r["flags"].append({"code": code, "seq": None, "red_line": False})
    # first response from messages, the criterion's rule: first customer message → next agent message by seq
    # (the synthetic conversations carry unique seqs, which is the order they are scored in)
    by_conv = defaultdict(list)
    for m in msgs:
        if m["conversation_id"] in latest:
            by_conv[m["conversation_id"]].append((m["seq"], _ts(m["timestamp"]), m["role"]))
    for cid, r in latest.items():
        ms = sorted(by_conv[cid])
        cust = [(seq, t) for seq, t, role in ms if role == "customer"]
        reply = [t for seq, t, role in ms if role == "agent" and cust and seq > cust[0][0]]
        r["fr"] = max(0.0, (reply[0] - cust[0][1]).total_seconds()) if reply else None
    return latest


def expected_figures(url: str) -> dict[str, dict]:
    latest = _load(url)
    agents = defaultdict(list)
    for r in latest.values():
        agents[r["agent_id"]].append(r)
    out = {}
    for a, rs in agents.items():
        e = {"conversations": len(rs)}
        scores = np.array([r["score"] for r in rs], dtype=float)
        e["score_mean"], e["score_std"] = scores.mean(), scores.std(ddof=1)
        for crit in ("greeting", "closing", "empathy", "forbidden_phrases", "first_response_sla", "active_listening"):
            st = [r["criteria"][crit]["status"] for r in rs]
            k, n = st.count("pass"), st.count("pass") + st.count("fail")
            e[f"{crit}_pass_rate"] = k / n if n else None
            e[f"{crit}_n"] = n
            e[f"{crit}_ci_low"], e[f"{crit}_ci_high"] = wilson(k, n)
            e[f"{crit}_na"] = st.count("na")
        e["sla_pass_rate"], e["sla_n"] = e["first_response_sla_pass_rate"], e["first_response_sla_n"]
        fr = [r["fr"] for r in rs if r["fr"] is not None]
        e["first_response_n"] = len(fr)
        e["first_response_median_s"] = float(np.median(fr))
        e["first_response_p90_s"] = float(np.percentile(fr, 90))
        neg = [r for r in rs if r["sentiment"]["customer_start"] == "negative"]
        k = sum(r["sentiment"]["customer_end"] in ("neutral", "positive") for r in neg)
        e["sentiment_turnaround_rate"], e["sentiment_turnaround_n"] = k / len(neg) if neg else None, len(neg)
        e["sentiment_turnaround_ci_low"], e["sentiment_turnaround_ci_high"] = wilson(k, len(neg))
        k = sum(r["sentiment"]["customer_end"] == "negative" for r in rs)
        e["negative_end_rate"], e["negative_end_n"] = k / len(rs), len(rs)
        e["negative_end_ci_low"], e["negative_end_ci_high"] = wilson(k, len(rs))
        for code in ("forbidden_phrase", "sla_breach", "negative_end", "abusive_customer", "empathy_missing",
                     "low_score"):
            e[f"flags_{code}"] = sum(any(f["code"] == code for f in r["flags"]) for r in rs)
        # a red line counts against the agent who wrote the flagged message, in any conversation of the month
        e["red_lines"] = sum(1 for r in latest.values() for f in r["flags"]
                             if (f.get("red_line") or f["code"] == "forbidden_phrase")
                             and (f.get("agent_id") or r["agent_id"]) == a)
        cs = [r["csat"] for r in rs if r["csat"] is not None]
        e["csat_n"], e["csat_mean"] = len(cs), (float(np.mean(cs)) if cs else None)
        e["corrected_conversations"] = sum(r["corrected"] for r in rs)
        out[a] = e
    return out


def _csv_rows(report):
    with report.csv_path.open(encoding="utf-8-sig") as fh:
        return {r["agent_id"]: r for r in csv.DictReader(fh)}


def test_every_csv_figure_recomputes_from_the_store(built, synthetic_store):
    report, _ = built
    expected = expected_figures(synthetic_store)
    rows = _csv_rows(report)
    assert set(rows) == set(expected)
    checked = 0
    for agent, exp in expected.items():
        for col, value in exp.items():
            got = rows[agent][col]
            if value is None:
                assert got == "", (agent, col, got)
            else:
                assert float(got) == pytest.approx(float(value), rel=1e-6, abs=1e-6), (agent, col, got, value)
            checked += 1
    assert checked > 200


def test_corrections_are_in_the_figures(built, synthetic_store):
    report, _ = built
    rows = _csv_rows(report)
    assert int(rows["A03"]["corrected_conversations"]) == 2
    assert int(rows["A05"]["corrected_conversations"]) == 1
    assert int(rows["A01"]["corrected_conversations"]) == 0


def test_card_html_shows_the_recomputed_numbers(built, synthetic_store):
    report, _ = built
    exp = expected_figures(synthetic_store)["A02"]
    html = report.cards_html["A02"].read_text(encoding="utf-8")
    assert f"{exp['score_mean']:.1f}（{exp['score_std']:.1f}）" in html
    assert f"{exp['first_response_median_s']:,.0f} / {exp['first_response_p90_s']:,.0f}" in html
    assert f"{100 * exp['sla_pass_rate']:.1f}%" in html
    lo, hi = exp["first_response_sla_ci_low"], exp["first_response_sla_ci_high"]
    assert f"{100 * lo:.1f}–{100 * hi:.1f}%" in html
    assert f">{exp['conversations']}<" in html


def test_month_boundary_is_local_time(built):
    report, _ = built
    # edge-sep-30 starts 2026-09-30 23:55 in Shanghai (15:55 UTC): September, not on the October card
    for path in report.cards_html.values():
        assert "edge-sep-30" not in path.read_text(encoding="utf-8")


def test_trend_previous_month_recomputes(built, synthetic_store):
    report, _ = built
    eng = sa.create_engine(synthetic_store)
    with eng.connect() as c:
        rows = c.execute(sa.text("SELECT agent_id, score, started_at FROM results")).all()
    eng.dispose()
    sept = defaultdict(list)
    for agent, score, started in rows:
        if datetime(2026, 8, 31, 16) <= _ts(started) < datetime(2026, 9, 30, 16):
            sept[agent].append(score)
    assert len(sept["A01"]) == 32  # 31 regular + edge-sep-30 (23:55 Shanghai time on 30 September)
    csv_rows = _csv_rows(report)
    for agent, scores in sept.items():
        assert float(csv_rows[agent]["score_mean_prev_month"]) == pytest.approx(np.mean(scores), abs=1e-5)
        assert int(csv_rows[agent]["score_mean_prev_month_n"]) == len(scores)
        assert float(csv_rows[agent]["score_mean_change"]) == pytest.approx(
            float(csv_rows[agent]["score_mean"]) - np.mean(scores), abs=1e-5)


def test_team_column_recomputes(built, synthetic_store):
    report, _ = built
    everyone = list(_load(synthetic_store).values())
    team_mean = np.mean([r["score"] for r in everyone])
    st = [r["criteria"]["first_response_sla"]["status"] for r in everyone]
    team_sla = st.count("pass") / (st.count("pass") + st.count("fail"))
    html = report.cards_html["A02"].read_text(encoding="utf-8")
    assert f'<td class="num">{team_mean:.1f}</td>' in html
    assert f'<td class="num">{100 * team_sla:.1f}%</td>' in html
    assert f'<td class="num">{len(everyone)}</td>' in html
