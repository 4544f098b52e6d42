"""`zhijian train-sentiment --from DIR --extra LABELS`: arguments checked before training, then a real adaptation."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhijian.cli import app

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "models" / "zh-cs-sentiment"
runner = CliRunner()
TURNS = [("negative", "粉底卡粉 烂脸了"), ("negative", "发错色号 无语子"), ("negative", "栓Q 又延期"), ("negative", "客服人呢"),
         ("neutral", "几号链接"), ("neutral", "福袋怎么领"), ("neutral", "有小样吗"), ("neutral", "能改地址吗"),
         ("positive", "yyds 回购"), ("positive", "绝绝子 显白"), ("positive", "3q 爱了"), ("positive", "包装好精致")]


@pytest.fixture()
def labels(tmp_path):
    path = tmp_path / "sentiment_turns.tsv"
    path.write_text("".join(f"{l}\t{t}\n" for l, t in TURNS), encoding="utf-8")
    return path


@pytest.mark.parametrize("args, message", [
    (["--from", str(SHIPPED), "--out", "x"], "give them with --extra"),
    (["--from", str(SHIPPED), "--extra", "nope.tsv", "--out", "x"], "--extra nope.tsv: no such file"),
    (["--from", str(SHIPPED), "--extra", "LABELS"], "give a new directory"),  # default --out is the shipped model
    (["--from", str(SHIPPED), "--extra", "LABELS", "--out", "x", "--holdout", "1.5"], "between 0 and 1"),
    (["--from", "no-model-here", "--extra", "LABELS", "--out", "x"], "not a saved transformer"),
])
def test_bad_arguments_fail_before_any_training(args, message, labels):
    args = [str(labels) if a == "LABELS" else a for a in args]
    result = runner.invoke(app, ["train-sentiment", *args])
    assert result.exit_code != 0 and message in " ".join(result.output.split())


def test_a_tiny_model_is_adapted_and_reported(tmp_path, labels, monkeypatch):
    from transformers import BertConfig, BertForMaskedLM

    from models.sentiment import SentimentClassifier
    from models.tokenizer import build_tokenizer

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    texts, ys = [t for _, t in TURNS] * 3, [l for l, _ in TURNS] * 3
    base = tmp_path / "bert"
    tok = build_tokenizer(texts, base, min_count=1)
    BertForMaskedLM(BertConfig(vocab_size=len(tok), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=32, max_position_embeddings=64)).save_pretrained(str(base))
    model = SentimentClassifier(base=str(base), epochs=1, batch_size=16, max_length=32, calibrate=False).fit(texts, ys)
    model.save(tmp_path / "model")
    result = runner.invoke(app, ["train-sentiment", "--from", str(tmp_path / "model"), "--extra", str(labels),
                                 "--holdout", "0.4", "--out", str(tmp_path / "shop")])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "shop" / "zhijian.json").read_text(encoding="utf-8"))
    report = meta["adaptation"]
    assert report["pool"] + report["heldout"] == len(TURNS) and report["heldout"] > 0
    # export-labels writes DIR/sentiment_turns.tsv: the shop is named after DIR
    assert meta["name"] == f"zh-cs-sentiment-{tmp_path.name.lower()}" and meta["version"] == 1
    assert "shop_heldout" in result.output and "ADAPTATION.md" in result.output


def test_the_adapted_state_model_comes_with_a_rubric_that_pins_it(tmp_path, monkeypatch):
    """ZHIJIAN_STATE_MODEL=OUT/state is refused by the shipped rubric (it pins zh-cs-state@7); OUT/rubric.yaml
    is that rubric pinned to the adapted state model, under its own id, and loads with it."""
    from models.state import load_state_model
    from pipeline.rubric import load_rubric
    from pipeline.settings import get_settings
    from zhijian.adapt_cmd import write_shop_rubric

    load_state_model().save(tmp_path / "state")  # stands in for an adapted one: only its id differs
    meta = json.loads((tmp_path / "state" / "zhijian.json").read_text(encoding="utf-8"))
    meta.update(name="zh-cs-state-farm", version=1)
    (tmp_path / "state" / "zhijian.json").write_text(json.dumps(meta), encoding="utf-8")
    path = write_shop_rubric(tmp_path, "pdd-farm", "zh-cs-state-farm@1")
    text = path.read_text(encoding="utf-8")
    assert "state_model_version: zh-cs-state@7" not in text and text.count("state_model_version: zh-cs-state-farm@1") == 2
    monkeypatch.setenv("ZHIJIAN_STATE_MODEL", str(tmp_path / "state"))
    get_settings.cache_clear()
    try:
        def empathy(rubric):
            return next(c for c in rubric.criteria if c.id == "empathy").compiled

        with pytest.raises(ValueError, match="zh-cs-state-farm@1"):
            empathy(load_rubric())
        rubric = load_rubric(path)
        assert empathy(rubric)
        assert rubric.id.startswith("default_pdd_farm@")  # results say which rubric and so which state model
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("flag, refit", [([], True), (["--no-state"], False)])
def test_no_state_adapts_the_encoder_only_and_writes_no_rubric(tmp_path, labels, monkeypatch, flag, refit):
    import models.adapt

    calls = []

    def fake_adapt(from_dir, extra, out, **kw):  # the option's path, not minutes of training
        calls.append(kw)
        Path(out).mkdir(parents=True)
        report = {"model_id": "zh-cs-sentiment-shop@1", "shop": "shop"}
        if kw["state"]:
            report["state"] = {"model_id": "zh-cs-state-shop@1", "dir": str(Path(out) / "state")}
        return report

    monkeypatch.setattr(models.adapt, "adapt", fake_adapt)
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["train-sentiment", "--from", str(tmp_path / "model"), "--extra", str(labels),
                                 "--out", str(tmp_path / "shop"), *flag])
    assert result.exit_code == 0, result.output
    assert [c["state"] for c in calls] == [refit]
    assert (tmp_path / "shop" / "rubric.yaml").is_file() == refit
