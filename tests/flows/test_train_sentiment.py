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
                               max_examples=40)
    assert meta["encoder"] in {"pretrained", "scratch"}
    assert set(meta["candidates"]) == {"pretrained", "scratch"}
    saved = json.loads((out / "zhijian.json").read_text(encoding="utf-8"))
    assert saved["settings"]["pretrain_steps_run"] == 3
    model = load_sentiment_model(out)
    assert model.model_id == "zh-cs-sentiment@1"
    assert model.predict_proba(["发货太慢了"]).shape == (1, 3)
