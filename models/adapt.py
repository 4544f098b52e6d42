"""Adapt a trained sentiment model to one shop's register, starting from its weights, in minutes on CPU.

    zhijian train-sentiment --from models/zh-cs-sentiment --extra LABELS --holdout 0.3 --out DIR
    python -m models.adapt --from models/zh-cs-sentiment --extra LABELS --out DIR

Unlike a rebuild (``models.train``: tokenizer, an hour of pre-training and fine-tuning), this keeps the
model and changes it a little: the shop's labelled turns are split by a hash of their text into a pool
(trained on) and a held-out part (measured on, never trained on); the encoder is fine-tuned for a few
epochs on the pool mixed with a replay of general customer texts trained to the base model's own
probabilities (so the general case is not forgotten: the customer-state layer reads those
probabilities, not only the labels); the report gives before/after on the held-out part, per class, and on the
general chat turns the model was not trained on; the model is saved to a new directory with its
lineage (``adapted_from``) and version recorded, and its int8 ONNX encoder exported beside it.
The customer-state model, which gives the polarity the pipeline shows (a short reply read with the
agent's previous line), is adapted too (``models.adapt_state``: its polarity head refitted on the pool,
saved to ``out/state``), and the report adds the held-out turns read in context, before and after.

Why the fine-tuning loop is here and not ``SentimentClassifier.fit``: the shipped model predicts with
the encoder's logits plus a fixed wide part (``wide_weight * log p_wide``, char n-grams). Training the
encoder with that sum as its output (the wide part frozen) adapts the model as it predicts; fine-tuning
the encoder alone and re-adding the wide part afterwards would change what the pool taught it.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from models.base import CLASSES, normalize_text
from models.data import (CHAT_CLOSINGS_PATH, CHAT_ENDINGS_PATH, CHAT_HOLDOUT_PATH, CHAT_TURNS_PATH, REPO_ROOT,
                         _loose, read_turns)

SHIPPED_DIR = REPO_ROOT / "models" / "zh-cs-sentiment"

# The recipe: few epochs at a small learning rate over the pool plus REPLAY x as many general turns.
# Chosen before measuring on any shop's held-out part (a model that already reads chat well needs a
# nudge, not a rebuild); docs/adaptation.md has the learning curve it gives.
# rehearsal / replay_source / temperature (session 8, issue 13): the customer-state layer stacks on the
# encoder's probabilities, so an encoder that keeps its labels but moves its probabilities on general
# turns still changes what the pipeline shows (the empathy trigger's recall fell 0.706 → 0.60 with the
# session-7 recipe). "teacher": the replayed general turns are trained to the base model's own
# probabilities (KL, as models/distil.py), not to their labels; "labels": the session-6/7 recipe.
# replay_source "chat+register" draws half the replay from unlabelled customer texts of the register the
# state model was trained on (models.chat_texts.chat_register_texts; teacher rehearsal only). temperature
# "base" keeps the base model's (the loss is on its scale); "refit" refits it on chat validation turns.
ADAPT_DEFAULTS = dict(epochs=4.0, learning_rate=5e-5, batch_size=32, replay=2.0, min_replay=200,
                      holdout=0.3, seed=13, warmup_ratio=0.1, weight_decay=0.01, max_length=128,
                      rehearsal="teacher", replay_source="chat+register", temperature="base", rehearsal_weight=1.0)
REHEARSALS, REPLAY_SOURCES, TEMPERATURES = ("teacher", "labels"), ("chat", "chat+register"), ("base", "refit")


@dataclass
class LabelledTurn:
    text: str
    label: str
    context: str = ""  # the agent's previous message, when the file has one (prev_agent column)


@dataclass
class ShopLabels:
    turns: list[LabelledTurn]
    skipped: int = 0  # lines with an unknown label or no text
    duplicates: int = 0  # repeats of a text already read (the first label is kept)


def read_labelled_turns(path: str | Path) -> ShopLabels:
    """A shop's labelled customer turns, in either form:

    - ``label<TAB>text`` lines (``zhijian export-labels``' sentiment_turns.tsv, data/sentiment's form);
    - a TSV with a header naming ``text`` and ``sentiment`` (or ``label``) columns, and optionally
      ``prev_agent`` (data/heldout/customer_turns.tsv's form, data/adapt/*).

    ``#`` comments and blank lines are skipped; texts are in the model's input form (``normalize_text``).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labels {path}: no such file — give the sentiment_turns.tsv written by "
                                "`zhijian export-labels --out DIR`, or a TSV with text and sentiment columns")
    lines = [l for l in path.read_text(encoding="utf-8-sig").splitlines() if l.strip() and not l.startswith("#")]
    header = [c.strip().lower() for c in lines[0].split("\t")] if lines else []
    columns = None
    if "text" in header and ("sentiment" in header or "label" in header):
        columns = (header.index("sentiment" if "sentiment" in header else "label"), header.index("text"),
                   header.index("prev_agent") if "prev_agent" in header else None)
        lines = lines[1:]
    out, seen, skipped, dupes = [], set(), 0, 0
    for line in lines:
        if columns is None:
            if "\t" not in line:
                skipped += 1
                continue
            label, text = line.split("\t", 1)
            context = ""
        else:
            parts = line.split("\t")
            if len(parts) <= max(c for c in columns if c is not None):
                skipped += 1
                continue
            label, text = parts[columns[0]], parts[columns[1]]
            context = parts[columns[2]].strip() if columns[2] is not None else ""
        label, text = label.strip().lower(), normalize_text(text)
        if label not in CLASSES or not text:
            skipped += 1
            continue
        if text in seen:
            dupes += 1
            continue
        seen.add(text)
        out.append(LabelledTurn(text, label, context))
    return ShopLabels(out, skipped, dupes)


def _frac(text: str, salt: str) -> float:
    return int(hashlib.sha1(f"{salt}|{text}".encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF


def split_turns(turns: Sequence[LabelledTurn], holdout: float) -> tuple[list[LabelledTurn], list[LabelledTurn]]:
    """(pool, held-out) by a hash of the text: the same file always splits the same way, and a turn
    added later never moves an earlier one between the parts."""
    pool = [t for t in turns if _frac(t.text, "adapt-holdout") >= holdout]
    test = [t for t in turns if _frac(t.text, "adapt-holdout") < holdout]
    return pool, test


def take_pool(pool: Sequence[LabelledTurn], limit: int | None) -> list[LabelledTurn]:
    """At most ``limit`` pool turns, in a fixed hash order: 50 are among the 100, which are among the 200."""
    ordered = sorted(pool, key=lambda t: _frac(t.text, "adapt-pool"))
    return ordered[:limit] if limit is not None else ordered


def general_turns() -> dict[str, list]:
    """The project's chat turns (data/sentiment) as the trainer splits them: ``train`` (replayed while
    adapting) and ``validation``/``test`` (the check that the general case is not forgotten; the
    temperature is refitted on ``validation``, as in models.train). Outside and probe texts never enter."""
    outside = {_loose(e.text) for e in read_turns(CHAT_HOLDOUT_PATH) + read_turns(CHAT_CLOSINGS_PATH)}
    chat = read_turns(CHAT_TURNS_PATH)
    known = {e.text for e in chat}
    chat += [e for e in read_turns(CHAT_ENDINGS_PATH) if e.text not in known]
    chat = [e for e in chat if _loose(e.text) not in outside]
    return {split: [e for e in chat if e.split == split] for split in ("train", "validation", "test")}


def turn_report(labels: Sequence[str], predicted: Sequence[str]) -> dict:
    """Macro-F1, accuracy, and precision / recall / F1 / support per class."""
    per_class = {}
    for c in CLASSES:
        tp = sum(t == c and p == c for t, p in zip(labels, predicted))
        fp = sum(t != c and p == c for t, p in zip(labels, predicted))
        fn = sum(t == c and p != c for t, p in zip(labels, predicted))
        per_class[c] = {"precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
                        "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0, "support": tp + fn}
    n = len(labels)
    return {"n": n, "macro_f1": float(np.mean([v["f1"] for v in per_class.values()])) if n else float("nan"),
            "accuracy": sum(t == p for t, p in zip(labels, predicted)) / n if n else float("nan"),
            "per_class": per_class}


def evaluate_sets(clf, sets: dict[str, tuple[list[str], list[str]]]) -> dict:
    return {name: turn_report(labels, clf.predict(texts)) for name, (texts, labels) in sets.items()}


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children (load disturbs it less than wall time)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass
class AdaptPlan:
    """What one adaptation trains on and measures."""
    pool: list[LabelledTurn]
    test: list[LabelledTurn]
    replay: list = field(default_factory=list)  # general chat training turns (models.data.Example)
    register: list = field(default_factory=list)  # unlabelled general customer texts (teacher rehearsal only)
    calibration: list = field(default_factory=list)
    general: list = field(default_factory=list)


def plan_adaptation(labels: ShopLabels, holdout: float, test: ShopLabels | None, limit: int | None,
                    replay: float, min_replay: int, seed: int, measured: Sequence[str] = (),
                    replay_source: str = "chat") -> AdaptPlan:
    """Split the shop's turns, take the pool, draw the replay. Nothing measured is trained on: a pool
    turn that (near-)repeats a held-out, outside (data/sentiment holdout and closings probe) or
    ``measured`` text is dropped, as models.data.add_extra_turns does; a general check turn the pool
    repeats leaves the check set. ``replay_source`` "chat+register": half the replay is unlabelled
    customer texts (``models.chat_texts.chat_register_texts``), none of them a measured, held-out, pool or
    general check text."""
    outside = {_loose(e.text) for e in read_turns(CHAT_HOLDOUT_PATH) + read_turns(CHAT_CLOSINGS_PATH)}
    outside |= {_loose(t) for t in measured}
    if test is not None:  # a separate held-out file: the labels file is all pool
        held = {_loose(t.text) for t in test.turns}
        pool, held_out = [t for t in labels.turns if _loose(t.text) not in held], test.turns
    else:
        pool, held_out = split_turns(labels.turns, holdout)
    pool = take_pool([t for t in pool if _loose(t.text) not in outside], limit)
    general = general_turns()
    blocked = {_loose(t.text) for t in held_out + pool}
    candidates = [e for e in general["train"] if _loose(e.text) not in blocked]
    n_total = max(min_replay, int(round(replay * len(pool))))
    register: list[str] = []
    if replay_source == "chat+register" and n_total:
        from models.chat_texts import chat_register_texts, measured_texts

        no = blocked | outside | measured_texts() | {_loose(e.text) for e in general["validation"] + general["test"]}
        texts = sorted({normalize_text(t) for t in chat_register_texts()} - {""})
        texts = [t for t in texts if _loose(t) not in no]
        register = random.Random(seed + 1).sample(texts, min(len(texts), n_total // 2))
    n_replay = min(len(candidates), n_total - len(register))
    replayed = random.Random(seed).sample(candidates, n_replay) if n_replay else []
    check = [e for e in general["validation"] + general["test"] if _loose(e.text) not in blocked]
    return AdaptPlan(pool=pool, test=held_out, replay=replayed, register=register, calibration=general["validation"],
                     general=check)


def finetune_with_wide(base_dir: str | Path, texts: list[str], labels: list[str], offsets: np.ndarray,
                       temperature: float, epochs: float, learning_rate: float, batch_size: int, seed: int, warmup_ratio: float,
                       weight_decay: float, max_length: int, log: Callable[[str], None], targets: np.ndarray | None = None,
                       text_weights: np.ndarray | None = None):
    """Fine-tune the encoder of ``base_dir`` from its weights, its output plus the fixed ``offsets``
    (the wide part's weighted log-probabilities per text) trained to the labels. Returns the HF model.

    The loss is on the sum divided by the base's ``temperature``, i.e. on the probabilities the model
    reports: on the raw sum (temperature ~3.5 for the shipped model) a turn it gets right but only
    at 60 % would look certain and teach nothing. ``targets`` (n x 3, rows summing to 1): train each
    text to this distribution instead (cross-entropy to it: KL up to a constant), a one-hot row for a
    labelled shop turn, the base model's probabilities for a rehearsed general one; ``text_weights``: each
    text's weight in the loss (default 1)."""
    import torch

    from models.classifier import load_for_training, optimizer_step, quiet_transformers

    quiet_transformers()
    tokenizer, model, columns = load_for_training(base_dir, seed)
    # a text longer than the encoder's positions would index past its position table (a rehearsed register
    # text of 85 tokens against a test's 64-position model); the shipped model (128 positions, max_length 128) is unaffected
    max_length = min(max_length, getattr(model.config, "max_position_embeddings", max_length) or max_length)
    if targets is None:
        targets = np.eye(len(CLASSES), dtype=np.float32)[[CLASSES.index(l) for l in labels]]
    y = torch.tensor(np.asarray(targets, dtype=np.float32))
    tw = torch.tensor(np.ones(len(texts), dtype=np.float32) if text_weights is None else np.asarray(text_weights, dtype=np.float32))
    off = torch.tensor(offsets, dtype=torch.float32)
    n = len(texts)
    total = max(1, int(round(math.ceil(n / batch_size) * epochs)))
    warmup = max(1, int(total * warmup_ratio))
    no_decay = ("bias", "LayerNorm.weight")
    groups = [{"params": [p for nm, p in model.named_parameters() if not any(k in nm for k in no_decay)],
               "weight_decay": weight_decay},
              {"params": [p for nm, p in model.named_parameters() if any(k in nm for k in no_decay)],
               "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=learning_rate)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (total - s) / max(1, total - warmup)))
    rng = np.random.default_rng(seed)
    model.train()
    step, t0 = 0, time.time()
    while step < total:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            if step >= total:
                break
            idx = order[start:start + batch_size]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                            return_tensors="pt")
            logits = (model(**enc).logits[:, columns] + off[idx]) / temperature
            loss = (-(y[idx] * torch.log_softmax(logits, dim=1)).sum(1) * tw[idx]).mean()
            optimizer_step(loss, model, opt, sched)
            step += 1
            if step % 25 == 0 or step == total:
                log(f"adapt step {step}/{total} loss {loss.item():.4f} ({time.time() - t0:.0f}s)")
    return model.eval()


def _wide_offsets(clf, texts: list[str]) -> np.ndarray:
    wide = getattr(clf, "wide_", None)
    if wide is None or not texts:
        return np.zeros((len(texts), len(CLASSES)), dtype=np.float32)
    return (clf.wide_weight_ * np.log(np.clip(wide.predict_proba(texts), 1e-7, 1.0))).astype(np.float32)


def adapted_identity(base_meta: dict, shop: str) -> tuple[str, int]:
    """(name, version) of the adapted model: ``<base name>-<shop>``; version 1, or the base's + 1 when
    the base is already this shop's model (a re-adaptation with more labels)."""
    base_name = str(base_meta.get("name", "zh-cs-sentiment"))
    name = base_name if base_name.endswith(f"-{shop}") else f"{base_name}-{shop}"
    return name, int(base_meta.get("version", 0)) + 1 if name == base_name else 1


def shop_name(labels_path: str | Path) -> str:
    """A default shop name: the labels file's folder (data/adapt/<shop>/pool.tsv), else its stem."""
    path = Path(labels_path)
    raw = path.parent.name if path.stem in ("pool", "turns", "sentiment_turns", "labels") else path.stem
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in raw).strip("-").lower() or "shop"


def _counts(turns) -> dict[str, int]:
    return {c: sum(t.label == c for t in turns) for c in CLASSES}


def adapt(from_dir: str | Path, labels_path: str | Path, out_dir: str | Path, holdout: float = ADAPT_DEFAULTS["holdout"],
          test_path: str | Path | None = None, limit: int | None = None, shop: str | None = None,
          eval_paths: Sequence[str | Path] = (), export_onnx: bool = True, log: Callable[[str], None] = print,
          state: bool = True, state_from: str | Path | None = None, **recipe) -> dict:
    """Adapt the model in ``from_dir`` to the turns in ``labels_path``; save it to ``out_dir``; return the report.

    ``holdout``: the fraction of the turns held out for the before/after figures (by text hash), unless
    ``test_path`` gives a separate held-out file. ``limit``: train on at most this many pool turns.
    ``eval_paths``: more labelled turn files to report before/after on (measured only).
    ``state``: also refit the customer-state model's polarity head on the pool (``models.adapt_state``),
    saved to ``out_dir/state`` with a rubric that pins it (``out_dir/rubric.yaml``); ``state_from``: the
    state model to start from (default: the shipped one).
    """
    from models.classifier import SentimentClassifier, fit_temperature

    settings = dict(ADAPT_DEFAULTS, **{k: v for k, v in recipe.items() if v is not None})
    cpu0, wall0 = cpu_seconds(), time.time()
    src, out = Path(from_dir).resolve(), Path(out_dir).resolve()
    if out in (src, SHIPPED_DIR.resolve()):  # a shop's model never replaces the one every other shop uses
        raise ValueError(f"--out {out_dir} is {'the model being adapted' if out == src else 'the shipped model'}: "
                         "write the adapted model to a new directory")
    if not 0 < holdout < 1 and test_path is None:
        raise ValueError(f"--holdout {holdout}: give a fraction between 0 and 1 (0.3 holds out 30 %)")
    for key, allowed in (("rehearsal", REHEARSALS), ("replay_source", REPLAY_SOURCES), ("temperature", TEMPERATURES)):
        if settings[key] not in allowed:
            raise ValueError(f"{key} {settings[key]!r}: one of {', '.join(allowed)}")
    if settings["replay_source"] != "chat" and settings["rehearsal"] != "teacher":
        raise ValueError("replay_source chat+register replays unlabelled texts: it needs rehearsal 'teacher'")
    labels = read_labelled_turns(labels_path)
    test = read_labelled_turns(test_path) if test_path else None
    evals = {Path(p).stem: read_labelled_turns(p).turns for p in eval_paths}
    plan = plan_adaptation(labels, holdout, test, limit, settings["replay"], settings["min_replay"], settings["seed"],
                           measured=[t.text for turns in evals.values() for t in turns],
                           replay_source=settings["replay_source"])
    # limit=0 (python -m models.adapt --limit 0) is the control: the same run on the replay alone, to
    # tell what the shop's turns add from what more training on general turns does.
    if (not plan.pool and limit != 0) or not plan.test:
        raise ValueError(f"{labels_path}: {len(plan.pool)} pool and {len(plan.test)} held-out turns — "
                         "adaptation needs both (more labelled turns, or another --holdout)")
    shop = shop or shop_name(labels_path)
    log(f"{labels_path}: {len(labels.turns)} turns ({labels.skipped} skipped, {labels.duplicates} repeats); "
        f"pool {len(plan.pool)} {_counts(plan.pool)}, held out {len(plan.test)} {_counts(plan.test)}, "
        f"replay {len(plan.replay)} general turns + {len(plan.register)} register texts ({settings['rehearsal']} rehearsal)")
    sets = {"shop_heldout": ([t.text for t in plan.test], [t.label for t in plan.test]),
            "general_chat": ([e.text for e in plan.general], [e.label for e in plan.general])}
    for name, turns in evals.items():
        sets[name] = ([t.text for t in turns], [t.label for t in turns])

    base = SentimentClassifier.load(src)  # as it predicts in the pipeline (int8 ONNX when it has one)
    base_meta = dict(base.meta_)
    before = evaluate_sets(base, sets)
    log(f"before: shop held-out macro-F1 {before['shop_heldout']['macro_f1']:.3f}, "
        f"general chat {before['general_chat']['macro_f1']:.3f}")

    texts = [t.text for t in plan.pool] + [e.text for e in plan.replay] + list(plan.register)
    ys = [t.label for t in plan.pool] + [e.label for e in plan.replay]
    targets = np.eye(len(CLASSES), dtype=np.float32)[[CLASSES.index(l) for l in ys]].reshape(-1, len(CLASSES))
    if settings["rehearsal"] == "teacher":  # the general texts keep the base's probabilities, right or wrong
        general_texts = texts[len(plan.pool):]
        teacher = np.asarray(base.predict_proba(general_texts), dtype=np.float32).reshape(-1, len(CLASSES))
        targets = np.vstack([targets[:len(plan.pool)], teacher])
    t_train = cpu_seconds()
    model = finetune_with_wide(src, texts, ys, _wide_offsets(base, texts), base.temperature_, settings["epochs"],
                               settings["learning_rate"], settings["batch_size"], settings["seed"],
                               settings["warmup_ratio"], settings["weight_decay"], settings["max_length"], log,
                               targets=targets, text_weights=np.array([1.0] * len(plan.pool) + [settings["rehearsal_weight"]] * (len(texts) - len(plan.pool))))
    train_cpu = cpu_seconds() - t_train

    clf = SentimentClassifier.load(src, quantize=False, backend="transformers")
    clf.model_ = model
    cal = plan.calibration
    if settings["temperature"] == "refit" and cal:
        clf.temperature_ = fit_temperature(clf.decision_function([e.text for e in cal]),
                                           np.array([CLASSES.index(e.label) for e in cal]))
    name, version = adapted_identity(base_meta, shop)
    clf.name, clf.version = name, version
    report = {"shop": shop, "from": str(from_dir), "adapted_from": f"{base_meta.get('name')}@{base_meta.get('version')}",
              "labels": str(labels_path), "labels_sha256": hashlib.sha256(Path(labels_path).read_bytes()).hexdigest(),
              "test": str(test_path) if test_path else None, "holdout": None if test_path else holdout,
              "pool": len(plan.pool), "pool_classes": _counts(plan.pool), "heldout": len(plan.test),
              "heldout_classes": _counts(plan.test), "replay": len(plan.replay) + len(plan.register), "settings": settings,
              "before": before}
    # The base's own figures (metrics, int8 check, candidates, sweep) describe the base, not this model:
    # they move under the report, and the model's figures are the report's.
    base_figures = {k: base_meta.pop(k) for k in ("metrics", "int8_metrics", "candidates", "sweep") if k in base_meta}
    report["base_figures"] = base_figures
    clf.meta_ = dict(base_meta, name=name, version=version, temperature=clf.temperature_,
                     n_calibration=len(cal), adaptation=report)  # int8 or not, as the base (quantize)
    if out.exists():
        shutil.rmtree(out)
    clf.save(out)
    if export_onnx and clf.meta_.get("quantize"):  # as models/zh-cs-sentiment ships: no export at first load
        from models.train import export_onnx_step

        export_onnx_step(out, log)
    adapted = SentimentClassifier.load(out)  # measured as the pipeline will run it
    report["after"] = evaluate_sets(adapted, sets)
    if state and plan.pool:  # the control (--limit 0) has no shop turn to teach the head
        report["state"] = adapt_state_step(base, adapted, plan.pool, plan.test, out, shop, state_from, log)
    report["drift"] = drift_report(base, adapted, sets["general_chat"][0],
                                   report["state"]["dir"] if report.get("state") else None)
    report["train_cpu_seconds"] = round(train_cpu, 1)
    report["cpu_seconds"] = round(cpu_seconds() - cpu0, 1)
    report["wall_seconds"] = round(time.time() - wall0, 1)
    report["model_id"] = f"{name}@{version}"
    clf.meta_["adaptation"] = report
    (out / "zhijian.json").write_text(json.dumps(clf.meta_, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "ADAPTATION.md").write_text(report_markdown(report), encoding="utf-8")
    log(report_markdown(report))
    return report


def drift_report(base_clf, adapted_clf, texts: Sequence[str], adapted_state_dir: str | Path | None = None) -> dict:
    """How far the adapted model moved on general turns it was not trained on (the general chat check
    turns), in what the pipeline stacks on it: the probabilities, and the customer-state model's
    P(needs empathy) read from them (no agent line). Macro-F1 can hold while these move, and the
    empathy trigger follows them (docs/adaptation.md, session 8). ``empathy_kept``: of the turns the base
    pair (base encoder + shipped state model) reads P(needs empathy) ≥ 0.5, the share the adapted encoder
    with the shipped state model still does (``--no-state``); ``empathy_kept_pair``: with the adapted
    state model of ``adapted_state_dir``; ``empathy_added(_pair)``: turns it newly reads so."""
    from models.state import CustomerStateModel, load_state_model

    if not texts:
        return {}
    texts, prevs = list(texts), [""] * len(texts)
    p0 = np.clip(np.asarray(base_clf.predict_proba(texts), dtype=np.float64).reshape(-1, 3), 1e-7, 1.0)
    p1 = np.clip(np.asarray(adapted_clf.predict_proba(texts), dtype=np.float64).reshape(-1, 3), 1e-7, 1.0)
    state = load_state_model()
    e0 = state.predict(texts, prevs, p0).empathy
    flagged = e0 >= 0.5
    out = {"n": len(texts), "argmax_agreement": round(float(np.mean(p0.argmax(1) == p1.argmax(1))), 4),
           "kl_base_to_adapted": round(float(np.mean((p0 * np.log(p0 / p1)).sum(1))), 4),
           "mean_p_negative": [round(float(p0[:, 0].mean()), 4), round(float(p1[:, 0].mean()), 4)],
           "empathy_flagged_base": int(flagged.sum())}
    pairs = {"": state} | ({"_pair": CustomerStateModel.load(adapted_state_dir)} if adapted_state_dir else {})
    for suffix, model in pairs.items():
        e1 = model.predict(texts, prevs, p1).empathy
        out[f"empathy_kept{suffix}"] = round(float(np.mean(e1[flagged] >= 0.5)), 4) if flagged.any() else None
        out[f"empathy_added{suffix}"] = int(np.sum((e1 >= 0.5) & ~flagged))
        out[f"empathy_mean_abs_change{suffix}"] = round(float(np.mean(np.abs(e1 - e0))), 4)
    return out


def adapt_state_step(base_clf, adapted_clf, pool: Sequence, heldout: Sequence, out_dir: str | Path, shop: str,
                     state_from: str | Path | None = None, log=print,
                     shop_weight: float | None = None, realign: bool | None = None) -> dict:
    """The state half of ``adapt`` (``models.adapt_state`` does the fitting): refit the polarity head on
    the shop's pool turns (``LabelledTurn``: text, label, context), save it to ``out_dir/state`` as ``<base name>-<shop>``, and
    report the held-out turns read in context before (base sentiment model + base state model) and after
    (both adapted), as the pipeline reads them.

    The recipe's rows are read by the adapted sentiment model (what the head will stack on); the shop's
    pool turns by the base model, i.e. as a turn not trained on looks: the adapted model has just been
    fitted to those very turns, and its near-certain readings of them taught the head to trust it where, on
    new turns, it is wrong (measured on the pools' hash split: docs/adaptation.md). ``realign``: re-map the
    empathy head's probability weights to the adapted encoder (``models.adapt_state.realign_empathy``), so
    P(needs empathy) keeps the base pair's meaning on the recipe's rows."""
    from models.adapt_state import STATE_DEFAULTS, context_labels, fit_shop_state, realign_empathy
    from models.state import SHIPPED_STATE_DIR, CustomerStateModel
    from models.state_recipe import read_rows

    cpu0 = cpu_seconds()
    shop_weight = STATE_DEFAULTS["shop_weight"] if shop_weight is None else shop_weight
    realign = STATE_DEFAULTS["realign_empathy"] if realign is None else realign
    base = CustomerStateModel.load(state_from or SHIPPED_STATE_DIR)
    rows = read_rows()
    recipe_proba = np.asarray(adapted_clf.predict_proba([r["text"] for r in rows]), dtype=np.float32)
    shop_turns = [(t.context, t.text, t.label) for t in pool]
    shop_proba = np.asarray(base_clf.predict_proba([t.text for t in pool]), dtype=np.float32).reshape(-1, 3)
    model = fit_shop_state(base, rows, recipe_proba, shop_turns, shop_proba, shop_weight)
    if realign:  # the recipe's rows as the base pair reads them, against the adapted encoder's reading
        realign_empathy(model, base_clf.predict_proba([r["text"] for r in rows]), recipe_proba)
    name, version = adapted_identity(base.meta_, shop)
    sentiment_id = getattr(adapted_clf, "model_id", None)
    model.meta_.update(name=name, version=version, adapted_from=base.model_id, shop=shop, shop_weight=shop_weight,
                       n_shop=len(shop_turns), sentiment_model=sentiment_id, shop_turns_read_by=getattr(base_clf, "model_id", None),
                       empathy_head_of=base.meta_.get("empathy_head_of", base.model_id),
                       empathy_realigned_to=sentiment_id if realign else None)
    state_dir = model.save(Path(out_dir) / "state")
    texts, prevs, gold = [t.text for t in heldout], [t.context for t in heldout], [t.label for t in heldout]
    before = turn_report(gold, context_labels(base, texts, prevs, base_clf.predict_proba(texts)))
    after = turn_report(gold, context_labels(model, texts, prevs, adapted_clf.predict_proba(texts)))
    report = {"model_id": model.model_id, "dir": str(state_dir), "adapted_from": base.model_id,
              "empathy_head_of": model.meta_["empathy_head_of"], "empathy_realigned": bool(realign), "sentiment_model": sentiment_id,
              "shop_weight": shop_weight, "before": before, "after": after,
              "cpu_seconds": round(cpu_seconds() - cpu0, 1)}
    log(f"state model {model.model_id} → {state_dir}: shop held-out in context {before['macro_f1']:.3f} → "
        f"{after['macro_f1']:.3f}")
    return report


def report_markdown(report: dict) -> str:
    """The before/after table a shop reads (also ADAPTATION.md beside the adapted model)."""
    lines = [f"# {report['model_id']}: adapted from {report['adapted_from']} to {report['shop']}", "",
             f"Trained on {report['pool']} of the shop's turns {report['pool_classes']} plus {report['replay']} "
             f"general chat turns; measured on {report['heldout']} held-out shop turns {report['heldout_classes']} "
             f"never trained on. CPU {report['cpu_seconds']} s in all (fine-tuning {report['train_cpu_seconds']} s), "
             f"wall {report['wall_seconds']} s.", "",
             "| set | turns | macro-F1 before | after | negative F1 before → after | neutral | positive |",
             "|---|---|---|---|---|---|---|"]
    for name, b in report["before"].items():
        a = report["after"][name]
        cls = " | ".join(f"{b['per_class'][c]['f1']:.3f} → {a['per_class'][c]['f1']:.3f}" for c in CLASSES)
        lines.append(f"| {name} | {b['n']} | {b['macro_f1']:.3f} | {a['macro_f1']:.3f} | {cls} |")
    if report.get("state"):  # what the pipeline shows: the sentiment model's reading, then the state model's in context
        st = report["state"]
        b, a = st["before"], st["after"]
        cls = " | ".join(f"{b['per_class'][c]['f1']:.3f} → {a['per_class'][c]['f1']:.3f}" for c in CLASSES)
        lines += [f"| shop_heldout in context ({report['adapted_from']} + {st['adapted_from']} → "
                  f"{report['model_id']} + {st['model_id']}) | {b['n']} | {b['macro_f1']:.3f} | {a['macro_f1']:.3f} | {cls} |",
                  "", f"The pipeline reads turns in context with the customer-state model: {st['model_id']} "
                  f"(in {st['dir']}; its needs-empathy head is {st['empathy_head_of']}'s"
                  + (", its probability weights re-mapped to the adapted encoder)." if st.get("empathy_realigned") else ", unchanged).")]
    d = report.get("drift") or {}
    if d.get("empathy_kept") is not None:  # what macro-F1 does not show: the probabilities the state layer reads
        pair = (f", with the adapted state model on {d['empathy_kept_pair']:.1%} ({d['empathy_added_pair']} newly)"
                if d.get("empathy_kept_pair") is not None else "")
        lines += ["", f"General chat turns ({d['n']}): the adapted model agrees with the base on {d['argmax_agreement']:.1%} "
                  f"of labels (KL {d['kl_base_to_adapted']:.3f}); of the {d['empathy_flagged_base']} the shipped customer-state "
                  f"model reads as needing empathy with the base, it still does on {d['empathy_kept']:.1%} with the adapted "
                  f"encoder{pair}."]
    drop = report["before"]["general_chat"]["macro_f1"] - report["after"]["general_chat"]["macro_f1"]
    if drop > 0.02:
        lines += ["", f"**Warning:** general chat macro-F1 fell by {drop:.3f}: the adapted model reads other "
                  "shops' customers worse; use it for this shop only, or label more turns."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict:
    import argparse

    p = argparse.ArgumentParser(description="Adapt a trained sentiment model to one shop's labelled turns.")
    p.add_argument("--from", dest="from_dir", default="models/zh-cs-sentiment", metavar="DIR")
    p.add_argument("--extra", required=True, metavar="LABELS", help="the shop's labelled turns")
    p.add_argument("--out", required=True, metavar="DIR", help="a new directory for the adapted model")
    p.add_argument("--holdout", type=float, default=ADAPT_DEFAULTS["holdout"], metavar="FRACTION")
    p.add_argument("--test", default=None, metavar="LABELS", help="a separate held-out file instead of --holdout")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="train on at most N pool turns")
    p.add_argument("--shop", default=None, help="the name the adapted model gets (default: from the labels path)")
    p.add_argument("--eval", action="append", default=[], metavar="LABELS", help="also report on this file")
    p.add_argument("--epochs", type=float, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--learning-rate", type=float, default=None)
    p.add_argument("--rehearsal", choices=REHEARSALS, default=None,
                   help="teacher: replayed general turns keep the base's probabilities (default); labels: their labels")
    p.add_argument("--replay-source", choices=REPLAY_SOURCES, default=None)
    p.add_argument("--rehearsal-weight", type=float, default=None, help="each replayed text's weight in the loss (default 1)")
    p.add_argument("--temperature", choices=TEMPERATURES, default=None, help="base (default) or refit on chat validation")
    p.add_argument("--no-state", dest="state", action="store_false", help="adapt the encoder only")
    p.add_argument("--json-out", default=None, metavar="FILE")
    a = p.parse_args(argv)
    report = adapt(a.from_dir, a.extra, a.out, holdout=a.holdout, test_path=a.test, limit=a.limit, shop=a.shop,
                   eval_paths=a.eval, epochs=a.epochs, seed=a.seed, learning_rate=a.learning_rate, rehearsal=a.rehearsal,
                   replay_source=a.replay_source, temperature=a.temperature, rehearsal_weight=a.rehearsal_weight,
                   state=a.state)
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
