"""`zhijian export-labels`: reviewed turns and criteria out, and back in through train-sentiment and eval-rubric."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from pipeline.store import Store
from tests.pipeline.store.helpers import scored
from zhijian.cli import app
from zhijian.labels import export_labels_to

TINY = dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)


def _label_turn(store: Store, cid: str, seq: int, label: str) -> None:
    """A reviewer's relabel: through the review workspace's table where this zhijian has it, else its shape by hand."""
    try:
        from pipeline.store.appeals import add_turn_label
    except ImportError:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS turn_labels (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                                 "conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, label TEXT NOT NULL, "
                                 "reviewer TEXT NOT NULL, comment TEXT, created_at DATETIME NOT NULL)")  # fmt: skip
            conn.execute(sa.text("INSERT INTO turn_labels (conversation_id, seq, label, reviewer, created_at) "
                                 "VALUES (:c, :s, :l, 'wang', :t)"),
                         {"c": cid, "s": seq, "l": label, "t": datetime.now(timezone.utc).replace(tzinfo=None)})  # fmt: skip
        return
    add_turn_label(store.engine, cid, seq, label=label, reviewer="wang")


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    convs = [scored("e001", agent="A07", negative_end=True), scored("e002", agent="A08"), scored("e/003", agent="A07")]
    s.store_messages([m for c in convs for m in c.messages], "r1")
    s.upsert_conversations(convs, "r1")
    s.save_results(convs, "r1")
    yield s
    s.close()


def test_export_writes_the_reviewed_turns_and_criteria_only(store, tmp_path):
    assert export_labels_to(store, tmp_path / "none") == {"turns": 0, "conversations": 0, "criteria": 0}  # no table, no reviews
    store.add_correction("e001", reviewer="wang", criterion="greeting", status="fail")
    store.add_correction("e001", reviewer="wang", flags=[])  # negative_end dismissed
    store.add_correction("e/003", reviewer="wang", criterion="forbidden_phrases", status="pass")  # a confirmation
    store.add_correction("e002", reviewer="wang", score=90.0)  # a whole-score correction labels no criterion
    _label_turn(store, "e001", 3, "neutral")  # 还是很差 → first neutral …
    _label_turn(store, "e001", 3, "negative")  # … then negative: the newest wins
    _label_turn(store, "e002", 1, "negative")
    _label_turn(store, "e002", 2, "positive")  # an agent turn: not a customer turn, skipped
    out = tmp_path / "labels"
    assert export_labels_to(store, out) == {"turns": 2, "conversations": 2, "criteria": 2}
    lines = (out / "sentiment_turns.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["negative\t还是很差", "negative\t怎么还没发货啊，都三天了"]
    files = sorted((out / "rubric").glob("*.json"))
    assert len(files) == 2 and all("/" not in f.name[:-5] for f in files)
    records = {r["conversation_id"]: r for r in (json.loads(f.read_text(encoding="utf-8")) for f in files)}
    assert records["e001"]["labels"] == {"greeting": "fail"} and records["e001"]["expected_flags"] == []
    assert records["e/003"]["labels"] == {"forbidden_phrases": "pass"}
    assert [m["role"] for m in records["e001"]["messages"]] == ["customer", "agent", "customer"]


def test_eval_rubric_reads_the_export(store, tmp_path):
    store.add_correction("e001", reviewer="wang", criterion="greeting", status="fail")
    store.add_correction("e002", reviewer="wang", criterion="greeting", status="pass")
    runner = CliRunner()
    r = runner.invoke(app, ["export-labels", "--out", str(tmp_path / "labels"), "--store", f"sqlite:///{tmp_path / 'qa.db'}"])
    assert r.exit_code == 0, r.output
    assert "2 reviewed conversations, 2 criterion labels" in r.output
    r = runner.invoke(app, ["eval-rubric", str(tmp_path / "labels" / "rubric"), "--no-similarity", "--no-sentiment",
                            "--json", str(tmp_path / "report.json")])  # fmt: skip
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    # the default rubric greets "您好，很高兴为您服务" as a pass: e002 agrees, e001 (the reviewer said fail) does not
    assert report["files"] == 2 and report["criteria"]["greeting"] == {"accuracy": 0.5, "n": 2, "correct": 1}


def test_train_sentiment_takes_the_exported_turns(store, tmp_path):
    from models.sentiment import load_sentiment_model
    from models.train import train_default

    _label_turn(store, "e001", 3, "negative")
    _label_turn(store, "e002", 3, "positive")
    export_labels_to(store, tmp_path / "labels")
    extra = tmp_path / "labels" / "sentiment_turns.tsv"
    meta = train_default(tmp_path / "model", pretrain_steps=2, finetune_epochs=0.2, encoder_config=TINY,
                         max_examples=20, cpu_budget_seconds=None, compare_scratch=False, wide=False, prune=False,
                         extra_turns=extra, log=lambda _: None)  # fmt: skip
    saved = json.loads((tmp_path / "model" / "zhijian.json").read_text(encoding="utf-8"))
    assert saved["settings"]["extra_turns"] == 2 and meta["settings"]["extra_turns"] == 2
    assert load_sentiment_model(tmp_path / "model").predict_proba(["还是很差"]).shape == (1, 3)


def test_train_sentiment_refuses_a_missing_extra_file_before_training(tmp_path):
    r = CliRunner().invoke(app, ["train-sentiment", "--extra", str(tmp_path / "nope.tsv"), "--no-flow"])
    assert r.exit_code == 1 and "no such file" in r.output and "export-labels" in r.output


def test_extra_turns_join_the_chat_turns_but_never_an_evaluation_text(tmp_path):
    from models.data import SHOP_DOMAIN, Example, SentimentData, add_extra_turns

    data = SentimentData(chat=[Example("好的", "neutral", "chat"), Example("还没到", "neutral", "chat")],
                         chat_holdout=[Example("算了不买了", "negative", "chat_holdout", split="test")])  # fmt: skip
    extra = tmp_path / "turns.tsv"
    extra.write_text("# header\nnegative\t还没到\nnegative\t算了，不买了\npositive\t东西收到了很好\nmaybe\t乱写\n", encoding="utf-8")
    assert add_extra_turns(data, extra) == 2
    assert sorted((e.text, e.label, e.domain) for e in data.chat) == [
        ("东西收到了很好", "positive", SHOP_DOMAIN), ("好的", "neutral", "chat"), ("还没到", "negative", SHOP_DOMAIN)]
    with pytest.raises(FileNotFoundError, match="export-labels"):
        add_extra_turns(data, tmp_path / "nope.tsv")
