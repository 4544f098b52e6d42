"""The demo's accounts of the reviewer workspace, so a newcomer can log in to `zhijian review` on the demo data.

Three accounts, one per kind of user: `demo` (reviewer), `demo-lead` (team lead) and `demo-agent`
(an agent, bound to the sample agent with the most conversations, so the agent's view has something
in it). They share one password, random per demo folder: it is written to DIR/demo-accounts.txt
(readable by its owner only) and printed on every run, so a second `zhijian demo` into the same
folder prints the same password instead of failing on accounts that exist. No fixed password ships
with the project: a demo started with `--host 0.0.0.0` would otherwise open to anyone who read the README.
"""
from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.store import Store
from zhijian.review.accounts import add_user, list_users

ACCOUNTS_FILE = "demo-accounts.txt"
REVIEWER, LEAD, AGENT = "demo", "demo-lead", "demo-agent"


class DemoAccountsError(RuntimeError):
    """The demo accounts exist but their password is lost: says what to do."""


@dataclass(frozen=True)
class DemoAccounts:
    password: str
    agent_id: str | None  # the sample agent `demo-agent` is bound to; None: no conversations, no agent account
    created: list[str]  # accounts this run added (the others existed)


def busiest_agent(results_jsonl: Path) -> str | None:
    """The agent id with the most conversations in a results file (ties: the smaller id)."""
    counts: Counter[str] = Counter()
    with open(results_jsonl, encoding="utf-8") as lines:
        for line in lines:
            agent = json.loads(line).get("agent_id")
            if agent:
                counts[agent] += 1
    return min(counts, key=lambda a: (-counts[a], a)) if counts else None


def _password(folder: Path) -> str:
    """The folder's demo password: read back, or made and saved (0600) the first time."""
    path = folder / ACCOUNTS_FILE
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("password: "):
                return line.removeprefix("password: ").strip()
    password = secrets.token_urlsafe(12)  # 16 characters, ~96 bits
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(f"# accounts of `zhijian review` on the demo store in this folder\n"
                  f"users: {REVIEWER} (reviewer), {LEAD} (team lead), {AGENT} (agent)\npassword: {password}\n")
    return password


def ensure_demo_accounts(engine, folder: Path, results_jsonl: Path) -> DemoAccounts:
    """Add the demo accounts that are missing from the store behind `engine`; the shared password.

    An account that exists keeps its password and its agent binding (a rerun's results file may list
    no new conversations). When the folder's password file was deleted in between, a new password
    would not open the existing accounts, so that case is an error saying what to do.
    """
    existing = {u["username"]: u for u in list_users(engine)}
    if set(existing) & {REVIEWER, LEAD, AGENT} and not (folder / ACCOUNTS_FILE).exists():
        raise DemoAccountsError(f"the demo store has demo accounts but their password file {folder / ACCOUNTS_FILE} "
                                f"is gone — delete {folder} and run the demo again for new ones")
    password = _password(folder)
    agent_id = existing[AGENT]["agent_id"] if AGENT in existing else busiest_agent(results_jsonl)
    wanted = [(REVIEWER, "reviewer", None), (LEAD, "team_lead", None)]
    if agent_id:
        wanted.append((AGENT, "agent", agent_id))
    created = []
    for name, role, agent in wanted:
        if name not in existing:
            add_user(engine, name, role, password, agent)
            created.append(name)
    return DemoAccounts(password, agent_id, created)


def workspace_lines(me: str, out: Path, store_url: str, results_jsonl: Path) -> list[str]:
    """What the demo prints about the reviewer workspace: the one command that starts it, and the accounts.

    me: how this shell calls zhijian. The command names the store as the demo folder was given
    (`sqlite:///out/demo/qa.db` for the default), the way the README shows it.
    """
    store = Store(store_url)
    try:
        accounts = ensure_demo_accounts(store.engine, out, results_jsonl)
    except DemoAccountsError as err:
        return [f"  reviewer workspace: {err}"]
    finally:
        store.close()
    agent = f", {AGENT} (agent {accounts.agent_id}: sees only their own)" if accounts.agent_id else ""
    return [
        f"  reviewer workspace (browser):        {me} review --store sqlite:///{out / 'qa.db'}",
        "                                       then open http://127.0.0.1:8000/login",
        f"    demo accounts: {REVIEWER} (reviewer), {LEAD} (team lead){agent}",
        f"    password (all three):              {accounts.password}   (kept in {out / ACCOUNTS_FILE})",
    ]


__all__ = ["DemoAccounts", "DemoAccountsError", "busiest_agent", "ensure_demo_accounts", "workspace_lines"]
