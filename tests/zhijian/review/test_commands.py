"""`zhijian users add|list|disable` and `zhijian db upgrade` through the real command line (typer)."""
from __future__ import annotations

from typer.testing import CliRunner

from pipeline.store.migrate import HEAD
from pipeline.store import Store
from tests.zhijian.review.test_migrations import _pre_migration_store
from zhijian.cli import app
from zhijian.review.accounts import authenticate

runner = CliRunner()


def test_users_add_reads_the_password_from_stdin_then_list_and_disable(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    Store(url).close()  # a store `zhijian score` made: account commands never create one
    r = runner.invoke(app, ["users", "add", "li", "--role", "agent", "--agent-id", "A07", "--store", url],
                      input="s3cret-password\n")  # fmt: skip
    assert r.exit_code == 0 and "user li added as agent bound to agent A07" in r.stdout
    with Store(url) as store:
        assert authenticate(store.engine, "li", "s3cret-password", "127.0.0.1").agent_id == "A07"
    assert "li\tagent\tA07\tactive" in runner.invoke(app, ["users", "list", "--store", url]).stdout
    assert runner.invoke(app, ["users", "disable", "li", "--store", url]).exit_code == 0
    assert "li\tagent\tA07\tdisabled" in runner.invoke(app, ["users", "list", "--store", url]).stdout


def test_users_add_refuses_bad_accounts_with_what_to_do(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    Store(url).close()
    cases = [
        (["li", "--role", "agent"], "long enough pw", "needs --agent-id"),
        (["li", "--role", "boss"], "long enough pw", "unknown role 'boss' — use one of reviewer, team_lead, agent, admin"),
        (["wang", "--role", "reviewer", "--agent-id", "A07"], "long enough pw", "binds agent accounts only"),
        (["wang", "--role", "reviewer"], "short", "shorter than 8 characters"),
        (["bad name", "--role", "reviewer"], "long enough pw", "invalid user name"),
    ]
    for args, password, message in cases:
        r = runner.invoke(app, ["users", "add", *args, "--store", url], input=password + "\n")
        assert r.exit_code == 1 and message in r.stderr, (args, r.stderr)
    assert runner.invoke(app, ["users", "add", "wang", "--role", "reviewer", "--store", url], input="long enough pw\n").exit_code == 0
    r = runner.invoke(app, ["users", "add", "wang", "--role", "admin", "--store", url], input="long enough pw\n")
    assert r.exit_code == 1 and "exists already" in r.stderr
    r = runner.invoke(app, ["users", "disable", "nobody", "--store", url])
    assert r.exit_code == 1 and "no user 'nobody'" in r.stderr


def test_db_upgrade_upgrades_a_store_made_before_migrations(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _pre_migration_store(url)
    r = runner.invoke(app, ["users", "list", "--store", url])
    assert r.exit_code == 1 and "zhijian db upgrade" in r.stderr
    r = runner.invoke(app, ["db", "upgrade", "--store", url])
    assert r.exit_code == 0 and f"upgraded: before migrations → {HEAD}" in r.stdout
    r = runner.invoke(app, ["db", "upgrade", "--store", url])
    assert "nothing to do" in r.stdout
    with Store(url) as store:
        assert store.get_run("r1")["read"] == 9


def test_account_and_upgrade_commands_refuse_a_store_that_does_not_exist(tmp_path):
    """Like every command but score/demo: a mistyped --store is refused, and nothing is created."""
    missing = tmp_path / "qa.bd"
    for args in (["users", "list"], ["users", "disable", "wang"], ["db", "upgrade"]):
        r = runner.invoke(app, [*args, "--store", f"sqlite:///{missing}"])
        assert r.exit_code == 1 and "no store at" in r.stderr, (args, r.stderr)
    r = runner.invoke(app, ["users", "add", "wang", "--role", "reviewer", "--store", f"sqlite:///{missing}"],
                      input="a long password\n")
    assert r.exit_code == 1 and "no store at" in r.stderr
    assert not missing.exists()
