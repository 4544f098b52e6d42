"""Prefect flow that rebuilds the default sentiment model: thin tasks over models.train's plain functions.

build tokenizer → pre-train (MLM, plus a from-scratch twin) → fine-tune + calibrate each →
evaluate → keep the better on validation, add the wide char n-gram part, int8 check, save. Same steps and defaults as
``models.train.train_default`` (``zhijian train-sentiment``), the CPU time budget included: without a
GPU the run is fitted into ``cpu_budget_seconds`` (about an hour; ``None`` for the full recipe).
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from models import train as steps
from models.data import SHOP_DOMAIN, add_extra_turns, load_data


def _log():
    logger = get_run_logger()
    return logger.info


@task(name="load-data", cache_policy=NO_CACHE)
def load_data_task(data_cache: str | None, max_examples: int | None, extra_turns: str | None = None):
    data = load_data(cache_dir=data_cache)
    data = steps.subsample(data, max_examples) if max_examples else data
    if extra_turns:  # a shop's reviewed turns, after subsampling so a smoke run keeps them all
        _log()(f"extra labelled turns: {add_extra_turns(data, extra_turns)} from {extra_turns}")
    return data


@task(name="build-tokenizer", cache_policy=NO_CACHE)
def build_tokenizer_task(data, work: Path, vocab_size: int) -> Path:
    return steps.build_tokenizer_step(data, work, vocab_size)


@task(name="pretrain", cache_policy=NO_CACHE)
def pretrain_task(tokenizer_dir: Path, data, work: Path, pretrain_steps: int, seed: int, device: str | None,
                  encoder_config: dict | None, max_seconds: float | None) -> dict[str, Path]:
    d = steps.DEFAULTS
    return steps.pretrain_step(tokenizer_dir, data, work, pretrain_steps, seed, device, d["pretrain_batch_size"],
                               d["pretrain_lr"], _log(), encoder_config or {}, max_seconds)


@task(name="prune-labels", cache_policy=NO_CACHE)
def prune_task(data):
    return steps.prune_step(data, _log())


@task(name="fine-tune-and-calibrate", cache_policy=NO_CACHE)
def finetune_task(name: str, base: Path, data, seed: int, device: str | None, epochs: float,
                  max_seconds: float | None = None):
    d = steps.DEFAULTS
    clf = steps.finetune_step(base, data, seed, device, epochs, d["finetune_lr"], d["finetune_batch_size"],
                              d["chat_weight"], _log(), max_seconds=max_seconds)
    return clf, steps.score_candidate(clf, data, name, _log())


@task(name="choose-check-int8-save", cache_policy=NO_CACHE)
def save_task(candidates: dict, data, out_dir: str, seed: int, device: str | None, settings: dict,
              started: float) -> dict:
    return steps.choose_and_save(candidates, data, out_dir, seed, device, settings, _log(), started)


@flow(name="train_sentiment", log_prints=True)
def train_sentiment(out_dir: str = "models/zh-cs-sentiment", seed: int = 13, device: str | None = None,
                    pretrain_steps: int = steps.DEFAULTS["pretrain_steps"],
                    finetune_epochs: float = steps.DEFAULTS["finetune_epochs"], compare_scratch: bool = True,
                    data_cache: str | None = None, encoder_config: dict | None = None,
                    pretrain_max_seconds: float | None = None, max_examples: int | None = None,
                    wide: bool = True, prune: bool = steps.DEFAULTS["prune"],
                    cpu_budget_seconds: float | None = steps.DEFAULTS["cpu_budget_seconds"],
                    extra_turns: str | None = None) -> dict:
    started = time.time()
    budget = steps.budget_plan(device, cpu_budget_seconds, pretrain_max_seconds, None, compare_scratch)
    pretrain_max_seconds, compare_scratch = budget["pretrain_max_seconds"], budget["compare_scratch"]
    data = load_data_task(data_cache, max_examples, extra_turns)
    with tempfile.TemporaryDirectory(prefix="zh-cs-sentiment-") as tmp:
        work = Path(tmp)
        tok = build_tokenizer_task(data, work, steps.DEFAULTS["vocab_size"])
        bases = pretrain_task(tok, data, work, pretrain_steps, seed, device, encoder_config, pretrain_max_seconds)
        if not compare_scratch and "pretrained" in bases:
            bases.pop("scratch")
        if prune:
            data = prune_task(data)
        candidates = {name: finetune_task(name, base, data, seed, device, finetune_epochs,
                                          budget["finetune_max_seconds"])
                      for name, base in bases.items()}
        settings = dict(steps.DEFAULTS, pretrain_steps=pretrain_steps, finetune_epochs=finetune_epochs,
                        encoder_config=encoder_config, max_examples=max_examples, wide=wide, prune=prune,
                        pretrain_max_seconds=pretrain_max_seconds, compare_scratch=compare_scratch,
                        cpu_budget_seconds=budget["cpu_budget_seconds"],
                        extra_turns=sum(e.domain == SHOP_DOMAIN for e in data.chat) if extra_turns else 0,
                        finetune_max_seconds=budget["finetune_max_seconds"],
                        pretrain_steps_run=steps.pretrain_steps_run(bases.get("pretrained")),
                        finetune_steps_run={n: c[0].meta_.get("finetune_steps") for n, c in candidates.items()})
        meta = save_task(candidates, data, out_dir, seed, device, settings, started)
    m = meta["metrics"]
    create_markdown_artifact(
        key="train-sentiment", description="zh-cs-sentiment build",
        markdown=(f"# {meta['name']}@{meta['version']} ({meta['encoder']} encoder)\n\n"
                  f"| metric | value |\n|---|---|\n" + "".join(f"| {k} | {v:.3f} |\n" for k, v in m.items())))
    return meta
