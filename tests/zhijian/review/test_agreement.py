"""The blind calibration worklist and the trust page through FastAPI's test client.

The store (conftest): h001 (A07, 2026-10-03, flagged negative_end), h002 (A08, 2026-10-06, flagged),
h003 (A07, 2026-10-03, not flagged). Fake rubric: greeting pass, forbidden_phrases pass, empathy na.
"""
from __future__ import annotations

import re

import pytest

from pipeline.store.calibration import sample_rows
from tests.zhijian.review.conftest import csrf

ALL_PASS = {"status.greeting": "pass", "status.forbidden_phrases": "pass", "status.empathy": "na"}


@pytest.fixture
def drawn(store):
    """A finished run: every day before it is complete, so the sample is drawn on first visit."""
    store.finish_run(store.start_run([], command="test"))
    return store


def _blind(client, cid: str, **fields):
    page = client.get(f"/calibration/{cid}")
    assert page.status_code == 200, page.text
    return client.post(f"/calibration/{cid}", data={"csrf_token": csrf(page.text), **fields}, follow_redirects=False)


def test_agents_get_403_on_the_trust_pages(drawn, as_user):
    li = as_user("li")
    for path in ("/agreement", "/calibration", "/calibration/h003"):
        r = li.get(path)
        assert r.status_code == 403 and "只有质检员、组长和管理员" in r.text, path
    assert as_user("zhao").get("/agreement").status_code == 200  # team lead


def test_the_worklist_mixes_flagged_and_unflagged_and_shows_no_verdict(drawn, as_user):
    wang = as_user("wang")
    page = wang.get("/calibration")
    assert page.status_code == 200
    # per agent and day: h003 (unflagged) and h001 (flagged) on 10-03 for A07, h002 (flagged) on 10-06 for A08
    assert {r["conversation_id"] for r in sample_rows(drawn.engine, "fake@1")} == {"h001", "h002", "h003"}
    for cid in ("h001", "h002", "h003"):
        assert f'href="/calibration/{cid}"' in page.text
    for leak in ("负面结束", "negative_end", "flag", "分数"):  # no flag, no badge class, no score column
        assert leak not in page.text.split("<main>")[1], leak
    blind = wang.get("/calibration/h001")  # a flagged one: its blind form looks like any other
    main = blind.text.split("<main>")[1]
    assert "客户结束时情绪负面" not in main and "selected disabled" in main and "通过" in main
    assert main.count('type="checkbox"') == len(re.findall(r'name="flag\.', main)) >= 2  # every code, none ticked
    assert "checked" not in main


def test_a_blind_review_is_stored_as_corrections_and_leaves_the_worklist(drawn, as_user):
    wang = as_user("wang")
    r = _blind(wang, "h003", **{**ALL_PASS, "status.empathy": "fail", "flag.negative_end": "on",
                                 "comment": "<script>alert(1)</script>"})  # fmt: skip
    assert (r.status_code, r.headers["location"]) == (303, "/conversations/h003")
    corrections = drawn.list_corrections("h003")
    assert sorted((c["criterion"] or "", c["status"] or "") for c in corrections) == [
        ("", ""), ("empathy", "fail"), ("forbidden_phrases", "pass"), ("greeting", "pass")]
    whole = [c for c in corrections if c["criterion"] is None][0]
    assert [f["code"] for f in whole["flags"]] == ["negative_end"] and whole["reviewer"] == "wang"
    view = wang.get("/conversations/h003")
    assert "<script>alert(1)</script>" not in view.text and "&lt;script&gt;" in view.text
    assert "h003" not in wang.get("/calibration").text.split("<tbody>")[1]  # to-do list: done
    assert "h003" in wang.get("/calibration?reviewed=yes").text
    again = wang.get("/calibration/h003", follow_redirects=False)  # nothing blind left: the full view
    assert (again.status_code, again.headers["location"]) == (303, "/conversations/h003")


def test_bad_input_on_the_trust_pages(drawn, as_user):
    wang = as_user("wang")
    assert wang.get("/agreement?from=2026-13-01").status_code == 400
    r = wang.get("/agreement?from=2026-10-31&to=2026-10-01")
    assert r.status_code == 400 and "晚于" in r.text
    assert wang.get("/calibration?reviewed=maybe").status_code == 400
    assert wang.get("/calibration?page=abc").status_code == 400
    assert wang.get("/calibration/nope").status_code == 404
    page = wang.get("/calibration/h003")
    token = csrf(page.text)
    post = lambda **d: wang.post("/calibration/h003", data={"csrf_token": token, **d}, follow_redirects=False)  # noqa: E731
    r = post(**{"status.greeting": "pass"})  # the other criteria left out
    assert r.status_code == 400 and "forbidden_phrases" in r.text
    assert post(**{**ALL_PASS, "status.greeting": "great"}).status_code == 400
    r = post(**ALL_PASS, **{"flag.<b>x</b>": "on"})
    assert r.status_code == 400 and "<b>x</b>" not in r.text
    assert post(**ALL_PASS, criterion="greeting").status_code == 400  # a field the form does not have
    assert post(**ALL_PASS, comment="长" * 2001).status_code == 413
    bad = wang.post("/calibration/h003", data={"csrf_token": "forged", **ALL_PASS}, follow_redirects=False)
    assert bad.status_code == 403
    assert drawn.list_corrections("h003") == []  # nothing stored by any of these
    assert post(**ALL_PASS).status_code == 303
    assert post(**ALL_PASS).status_code == 409  # a second blind review of the same conversation


def _row(html: str, kind: str, key: str) -> list[str]:
    row = re.search(rf'<tr id="{kind}-{key}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_the_trust_page_figures_on_a_hand_computed_case(drawn, as_user):
    wang = as_user("wang")
    # h001 (flagged) reviewed in the queue: greeting pass → fail; its flag left standing (confirmed).
    page = wang.get("/conversations/h001")
    wang.post("/conversations/h001/review", data={"csrf_token": csrf(page.text), "criterion": "greeting", "status": "fail"})
    # h003 (unflagged, in the sample) reviewed blind: everything as the machine, but negative_end should be raised.
    _blind(wang, "h003", **ALL_PASS, **{"flag.negative_end": "on"})
    html = wang.get("/agreement").text
    # negative_end, reviewed: h001 (raised, raised), h003 (absent, raised); h002 not reviewed.
    #   matrix raised: [1, 0], absent: [1, 0]; agreement 1/2; p_o = 0.5, p_e = 0.5·1 + 0.5·0 = 0.5 → κ = 0
    #   precision 1/1, recall 1/2
    #   estimate: flagged 2 (both raised), 1 reviewed and confirmed → caught 2·1/1 = 2;
    #   unflagged covered 1 (h003), 1 sampled and reviewed, missed → missed 1·1/1 = 1; recall 2/3 = 66.7 %
    cells = _row(html, "flag", "negative_end")
    assert cells[1:7] == ["2", "50.0%", "0.00", "100.0%", "50.0%", cells[6]] and cells[6].startswith("66.7% [")
    assert cells[7] == "1"
    # greeting, reviewed: h001 (pass, fail), h003 (pass, pass): agreement 1/2; p_o 0.5, p_e = 1·0.5 = 0.5 → κ 0;
    #   the machine never said fail: precision —; recall 0/1 = 0 %
    assert _row(html, "criterion", "greeting")[1:6] == ["2", "50.0%", "0.00", "—", "0.0%"]
    assert 'href="/conversations/h001"' in html and 'href="/conversations/h003"' in html  # disagreements, one click away
    assert "会话 3 条，其中机器标记 2 条，已复核 2 条" in html


def test_an_empty_store_and_a_switched_off_sample(tmp_path, monkeypatch, drawn, as_user):
    from fastapi.testclient import TestClient

    from pipeline.settings import get_settings
    from pipeline.store import Store
    from tests.zhijian.review.conftest import login
    from zhijian.review import accounts
    from zhijian.review.app import create_app

    empty = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    accounts.add_user(empty.engine, "wang", "reviewer", "correct horse 1", None)
    client = TestClient(create_app(empty))
    assert login(client, "wang").status_code == 303
    assert client.get("/agreement").status_code == 200 and "这段时间没有结果" in client.get("/agreement").text
    assert "没有符合条件的抽检会话" in client.get("/calibration").text
    empty.close()

    monkeypatch.setenv("ZHIJIAN_CALIBRATION_PER_AGENT_DAY", "0")
    get_settings.cache_clear()
    try:
        page = as_user("wang").get("/calibration")
        assert "抽检已关闭" in page.text and sample_rows(drawn.engine, "fake@1") == []
    finally:
        monkeypatch.delenv("ZHIJIAN_CALIBRATION_PER_AGENT_DAY")
        get_settings.cache_clear()


def test_relabelled_customer_turns_get_their_own_agreement_row(drawn, as_user):
    from tests.zhijian.test_labels import _label_turn

    _label_turn(drawn, "h001", 1, "negative")  # model: negative (怎么还没发货)
    _label_turn(drawn, "h001", 3, "negative")  # model: negative (还是很差)
    _label_turn(drawn, "h003", 3, "neutral")  # model: positive (好的谢谢)
    html = as_user("wang").get("/agreement").text
    # pairs (model, reviewer): (neg, neg) ×2, (pos, neu) ×1 → agreement 2/3 = 66.7 %
    # p_o = 2/3; model marginals neg 2/3, pos 1/3; reviewer marginals neg 2/3, neu 1/3
    # p_e = 2/3·2/3 + 0·1/3 + 1/3·0 = 4/9 → κ = (2/3 − 4/9)/(1 − 4/9) = (2/9)/(5/9) = 0.40
    # negative as the positive class: precision 2/2, recall 2/2
    assert _row(html, "sentiment", "customer_turns")[1:8] == ["3", "66.7%", "0.40", "100.0%", "100.0%", "—", "1"]


def test_a_flag_a_criterion_correction_raises_counts_as_the_reviewers(drawn, as_user):
    # The reviewer fails forbidden_phrases on h003 (the machine passed it, raised nothing): the rubric's
    # forbidden_phrase flag follows that criterion, so the reviewer raised it and the machine missed it.
    # Before, the trust page read the reviewer's flags without that derivation and counted an agreement.
    from pathlib import Path

    rubric = Path(__file__).resolve().parents[3] / "rubrics" / "default.yaml"
    drawn.save_rubric_snapshot("fake@1", rubric.read_text(encoding="utf-8"))
    wang = as_user("wang")
    page = wang.get("/conversations/h003")
    wang.post("/conversations/h003/review", data={"csrf_token": csrf(page.text), "criterion": "forbidden_phrases",
                                                  "status": "fail"})  # fmt: skip
    cells = _row(wang.get("/agreement").text, "flag", "forbidden_phrase")
    # reviewed 1 (h003: machine absent, reviewer raised): agreement 0 %, κ —/0, precision — (never raised), recall 0 %
    assert cells[1] == "1" and cells[2] == "0.0%" and cells[5] == "0.0%", cells
