"""The demo's workspace accounts: a password that logs in, printed with the one command, stable on a rerun."""
from __future__ import annotations

import json
import stat

import pytest

from pipeline.store import Store
from zhijian.demo import ACCOUNTS_FILE, busiest_agent, ensure_demo_accounts, workspace_lines
from zhijian.review import accounts


def results_file(path, agents):
    path.write_text("".join(json.dumps({"conversation_id": f"c{i}", "agent_id": a}) + "\n" for i, a in enumerate(agents)),
                    encoding="utf-8")  # fmt: skip
    return path


def test_busiest_agent_counts_conversations_and_breaks_ties_by_id(tmp_path):
    assert busiest_agent(results_file(tmp_path / "r.jsonl", ["A09", "A03", "A09", "A03", None, "A01"])) == "A03"
    assert busiest_agent(results_file(tmp_path / "e.jsonl", [])) is None


def test_accounts_log_in_with_the_printed_password_and_a_rerun_prints_the_same(tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    url = f"sqlite:///{out / 'qa.db'}"
    Store(url).close()
    results = results_file(out / "results.jsonl", ["A02", "A05", "A05"])
    first = workspace_lines("zhijian", out, url, results)
    assert first[0].split(":", 1)[1].strip() == f"zhijian review --store sqlite:///{out / 'qa.db'}"
    password = first[-1].split(":", 1)[1].split()[0]
    assert stat.S_IMODE((out / ACCOUNTS_FILE).stat().st_mode) == 0o600
    with Store(url) as store:
        for name, role, agent in (("demo", "reviewer", None), ("demo-lead", "team_lead", None), ("demo-agent", "agent", "A05")):
            user = accounts.authenticate(store.engine, name, password, "127.0.0.1")
            assert user is not None and (user.role, user.agent_id) == (role, agent)
        # a rerun (its results file may be empty: nothing new scored) keeps password and binding
        again = ensure_demo_accounts(store.engine, out, results_file(results, []))
    assert (again.password, again.agent_id, again.created) == (password, "A05", [])
    assert workspace_lines("zhijian", out, url, results) == first


def test_lost_password_file_says_what_to_do(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    results = results_file(tmp_path / "results.jsonl", ["A01"])
    workspace_lines("zhijian", tmp_path, url, results)
    (tmp_path / ACCOUNTS_FILE).unlink()
    (line,) = workspace_lines("zhijian", tmp_path, url, results)
    assert "password file" in line and "is gone" in line and "run the demo again" in line


def test_relative_demo_folder_gives_the_readme_command(tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(tmp_path)
    out = Path("out/demo")
    out.mkdir(parents=True)
    url = f"sqlite:///{(out / 'qa.db').resolve()}"
    Store(url).close()
    lines = workspace_lines(".venv/bin/zhijian", out, url, results_file(out / "results.jsonl", ["A01"]))
    assert ".venv/bin/zhijian review --store sqlite:///out/demo/qa.db" in lines[0]
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/zhijian review --store sqlite:///out/demo/qa.db" in readme
