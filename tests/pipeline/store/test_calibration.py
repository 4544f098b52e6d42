"""The calibration sample: per agent and day, seeded, only complete days, drawn once."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from pipeline.store import Store
from pipeline.store.calibration import calibration_days, draw_pending, draw_sample, sample_rows
from tests.pipeline.store.helpers import scored

DAY = 24 * 60  # minutes


def _rows(n_unflagged: int, n_flagged: int, agent: str = "A07") -> list[dict]:
    return ([{"conversation_id": f"u{i:02d}", "agent_id": agent, "flags": []} for i in range(n_unflagged)]
            + [{"conversation_id": f"f{i:02d}", "agent_id": agent, "flags": [{"code": "x"}]} for i in range(n_flagged)])


def test_draw_sample_takes_k_per_agent_and_stratum_reproducibly():
    rows = _rows(10, 4) + _rows(1, 0, agent="A08") + [{"conversation_id": "bot", "agent_id": None, "flags": []}]
    drawn = draw_sample(rows, date(2026, 10, 3), "default@3", 2)
    by = {(r["agent_id"], r["stratum"]): r for r in drawn}
    assert sorted((a, s, r["population"]) for (a, s), r in by.items()) == [
        ("A07", "flagged", 4), ("A07", "unflagged", 10), ("A08", "unflagged", 1)]
    assert len([r for r in drawn if r["agent_id"] == "A07"]) == 4 and "bot" not in {r["conversation_id"] for r in drawn}
    again = draw_sample(list(reversed(rows)), date(2026, 10, 3), "default@3", 2)  # order of the rows does not matter
    assert [r["conversation_id"] for r in again] == [r["conversation_id"] for r in drawn]
    other_day = draw_sample(_rows(10, 0), date(2026, 10, 4), "default@3", 2)
    assert {r["conversation_id"] for r in other_day} != {r["conversation_id"] for r in drawn if r["stratum"] == "unflagged"}
    assert draw_sample(rows, date(2026, 10, 3), "default@3", 0) == []


def _store(tmp_path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    convs = [scored(f"a{i}", agent="A07") for i in range(5)] + [scored("n1", agent="A07", negative_end=True)]
    convs += [scored("b1", agent="A08", start_minutes=DAY)]
    s.store_messages([m for c in convs for m in c.messages], "r1")
    s.upsert_conversations(convs, "r1")
    s.save_results(convs, "r1")
    return s


def test_days_are_drawn_only_after_a_finished_run_and_only_once(tmp_path):
    store = _store(tmp_path)
    assert draw_pending(store, 2) == 0  # no finished run: no day is known to be complete
    run = store.start_run([], command="t")
    assert draw_pending(store, 2) == 0  # a run is running
    store.finish_run(run)
    added = draw_pending(store, 2)
    # 2026-10-03: A07 has 5 unflagged (2 drawn) and 1 flagged (1 drawn); 2026-10-04: A08 1 unflagged
    assert added == 4
    rows = sample_rows(store.engine, "fake@1")
    assert [(r["day"], r["agent_id"], r["stratum"], r["population"]) for r in rows if r["stratum"] == "flagged"] == [
        (date(2026, 10, 3), "A07", "flagged", 1)]
    assert {r["conversation_id"] for r in rows if r["agent_id"] == "A08"} == {"b1"}
    assert draw_pending(store, 2) == 0  # drawn once; a later draw adds nothing
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(calibration_days)).scalar() == 2
    store.close()


def test_the_same_store_draws_the_same_sample(tmp_path):
    samples = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        store = _store(tmp_path / name)
        store.finish_run(store.start_run([], command="t"))
        draw_pending(store, 2)
        samples.append([r["conversation_id"] for r in sample_rows(store.engine, "fake@1")])
        store.close()
    assert samples[0] == samples[1] and len(samples[0]) == 4
