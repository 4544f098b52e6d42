"""What the pages show a person: the sample kept blind in the queue, flag names, page titles, paging, periods.

The store (conftest): h001 (A07, 2026-10-03, flagged negative_end), h002 (A08, 2026-10-06, flagged),
h003 (A07, 2026-10-03, not flagged); agent li is A07.
"""
from __future__ import annotations

import re

import pytest

from pipeline.store.appeals import file_appeal
from pipeline.store.calibration import sample_rows
from tests.pipeline.store.helpers import scored
from tests.zhijian.review.conftest import csrf


def _queue_ids(client, query: str = "") -> set[str]:
    return set(re.findall(r'<tr data-href="/conversations/([^"]+)"', client.get(f"/queue{query}").text))


@pytest.fixture
def drawn(store, as_user):
    """A finished run, and the calibration sample drawn (as the worklist's first visit draws it)."""
    store.finish_run(store.start_run([], command="test"))
    assert as_user("wang").get("/calibration").status_code == 200
    assert {r["conversation_id"] for r in sample_rows(store.engine, "fake@1")} == {"h001", "h002", "h003"}
    return store


def test_unreviewed_sample_members_are_not_in_a_reviewers_queue(drawn, as_user):
    # h001 and h002 are flagged and drawn: found in the flagged queue, they would be known as flagged.
    for name in ("wang", "zhao"):  # reviewer, team lead: both may review blind
        assert _queue_ids(as_user(name)) == set(), name
        assert _queue_ids(as_user(name), "?flag=negative_end&reviewed=no") == set(), name
    assert _queue_ids(as_user("li")) == {"h001"}  # the agent's own: agents never review blind
    wang = as_user("wang")
    page = wang.get("/calibration/h001")
    fields = {"status.greeting": "pass", "status.forbidden_phrases": "pass", "status.empathy": "na",
              "flag.negative_end": "on"}  # fmt: skip
    r = wang.post("/calibration/h001", data={"csrf_token": csrf(page.text), **fields}, follow_redirects=False)
    assert r.status_code == 303
    assert _queue_ids(wang) == {"h001"}  # reviewed: nothing blind left, back in the queue


def test_a_conversation_not_in_the_sample_stays_in_the_queue(store, as_user):
    assert _queue_ids(as_user("wang")) == {"h001", "h002"}  # nothing drawn yet (no finished run)


def test_transcript_flags_show_their_chinese_name(as_user):
    page = as_user("wang").get("/conversations/h001").text
    transcript = page.split('class="transcript"')[1].split('class="criteria"')[0]
    assert '<span class="flag" title="negative_end">负面结束</span>' in transcript
    assert ">negative_end<" not in page


def test_an_agents_queue_is_titled_as_their_own_conversations(as_user):
    mine = as_user("li").get("/queue").text
    assert "<title>我的被标记会话" in mine and "<h1>我的被标记会话" in mine and "待复核队列" not in mine
    assert "<h1>待复核队列" in as_user("wang").get("/queue").text


def test_appeals_are_paged(store, as_user):
    for i in range(51):  # more than one page (50), straight into the store
        file_appeal(store.engine, "h001", rubric_version="fake@1", criterion=f"c{i:02d}", agent_id="A07",
                    filed_by="li", comment=f"第 {i} 条申诉")  # fmt: skip
    zhao = as_user("zhao")
    first = zhao.get("/appeals").text
    assert "共 51 条" in first and "第 1 / 2 页" in first and first.count('<tr id="a-') == 50
    assert 'href="/appeals?status=all&amp;page=2" rel="next"' in first
    second = zhao.get("/appeals?page=2").text
    assert second.count('<tr id="a-') == 1 and "第 0 条申诉" in second  # newest first: the oldest is last
    assert zhao.get("/appeals?page=9").text.count('<tr id="a-') == 1  # past the end: the last page
    assert zhao.get("/appeals?status=open&page=2").text.count('<tr id="a-') == 1
    for bad in ("0", "-1", "x", "1e3", "99999999999999999999"):
        r = zhao.get(f"/appeals?page={bad}")
        assert r.status_code == 400 and "页码" in r.text, bad


def test_the_trust_page_defaults_to_the_30_days_up_to_the_newest_conversation(store, as_user):
    old = scored("h004", agent="A07", start_minutes=-60 * 24 * 60)  # 2026-08-04: outside the default period
    store.store_messages(old.messages, "r2")
    store.upsert_conversations([old], "r2")
    store.save_results([old], "r2")
    wang = as_user("wang")
    page = wang.get("/agreement").text
    assert "期间：2026-09-07 至 2026-10-06（未选日期：默认为截至最新会话的 30 天" in page
    assert "会话 3 条" in page and 'name="from" value="2026-09-07"' in page
    whole = wang.get("/agreement?from=2026-08-01&to=2026-10-31").text
    assert "期间：2026-08-01 至 2026-10-31</p>" in whole and "会话 4 条" in whole
