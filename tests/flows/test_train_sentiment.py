"""The train_sentiment flow runs once end to end under Prefect's test harness (tiny encoder, tiny data)."""
from __future__ import annotations

import json

from prefect.testing.utilities import prefect_test_harness

from flows.train_sentiment import train_sentiment
from models.sentiment import load_sentiment_model

TINY = dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)


def test_train_sentiment_flow_runs_once(tmp_path):
    out = tmp_path / "model"
    with prefect_test_harness():
        meta = train_sentiment(out_dir=str(out), pretrain_steps=3, finetune_epochs=0.5, encoder_config=TINY,
                               max_examples=40, cpu_budget_seconds=None)
    assert meta["encoder"] in {"pretrained", "scratch"}
    assert set(meta["candidates"]) == {"pretrained", "scratch"}
    saved = json.loads((out / "zhijian.json").read_text(encoding="utf-8"))
    assert saved["settings"]["pretrain_steps_run"] == 3
    assert saved["settings"]["prune"] is True  # the @3 recipe prunes likely mislabelled reviews
    # an int8 model is saved with its ONNX encoder, as the shipped one, so its first load exports nothing
    assert (out / "encoder-int8.onnx").is_file() == bool(saved["quantize"])
    model = load_sentiment_model(out)
    assert model.model_id == "zh-cs-sentiment@3"
    assert model.predict_proba(["发货太慢了"]).shape == (1, 3)


def test_cpu_budget_plan_only_applies_without_a_gpu():
    from models.train import CPU_BUDGET_SHARES, budget_plan

    full = budget_plan("cuda", 3600, None, None, True)
    assert full == dict(pretrain_max_seconds=None, finetune_max_seconds=None, compare_scratch=True,
                        cpu_budget_seconds=None)
    assert budget_plan("cpu", None, None, None, True)["compare_scratch"] is True
    cpu = budget_plan("cpu", 3600, None, None, True)
    assert cpu["compare_scratch"] is False and cpu["cpu_budget_seconds"] == 3600
    assert cpu["pretrain_max_seconds"] == CPU_BUDGET_SHARES["pretrain"] * 3600
    assert cpu["finetune_max_seconds"] == CPU_BUDGET_SHARES["finetune"] * 3600
    assert sum(CPU_BUDGET_SHARES.values()) < 1.0  # room for the uncapped steps (wide part, checks)
    assert budget_plan("cpu", 3600, 100.0, None, True)["pretrain_max_seconds"] == 100.0  # explicit caps are kept
