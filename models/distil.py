"""Distil the shipped sentiment model into a cheaper student: fewer encoder layers, same outputs.

    python -m models.distil --teacher models/zh-cs-sentiment --out build/distil/student --cpu-budget 900

Why: the 4-layer encoder is most of the pipeline's model thread (issue 16). A student keeps the
teacher's embeddings, pooler, classifier and a subset of its layers (``--keep-layers 1,3``: every
other one, ending with the last, whose output the pooler was trained on), then learns to give the
teacher's probabilities.

What it learns from (the transfer set):

- the teacher's training texts (reviews, written reviews, chat turns: ``SentimentData.training_examples``,
  the pruned reviews included: their labels are doubtful, the teacher's reading of them is not);
- customer text in the register the pipeline scores, unlabelled: the state model's training turns and
  the customer messages of the bundled synthetic sample nights (``models.chat_texts.CHAT_REGISTER_GLOBS``);
- ``--augment K`` copies of every chat text with 15 % of its characters dropped (the teacher reads
  each copy; the student learns the teacher near each turn, not only at it);
- ``--unlabelled N`` short sentences of the unlabelled corpora that ship with the project's
  dependencies (everyday and spoken Chinese, Cantonese), chosen by text hash;

never a measured text: the sentiment test and outside sets are out of those already
(``models.data.load_data``), and a text that (near-)repeats a line of data/heldout/, a golden rubric
set or the state training files is dropped.

The loss: the student predicts as the shipped model does, its encoder logits plus the teacher's fixed
wide part (``wide_weight * log p_wide``, as in ``models.adapt``), divided by the teacher's temperature;
it is trained to the teacher's probabilities (KL divergence) on every transfer text, plus
``--hard-weight`` times the cross-entropy to the human label of the chat turns (the register the
pipeline scores). The student keeps the teacher's temperature (see ``distil``: refitting it moved the
probabilities the state model and the rubric read).

The student is saved as an ordinary model directory (``SentimentClassifier.load`` / the pipeline read
it as they read the teacher) with its int8 ONNX encoder, its lineage (``distilled_from``) and the
settings, steps and CPU seconds of the run in ``zhijian.json``. Shipping it is a separate, checked step
(the model card says which figures it must hold).
"""
from __future__ import annotations

import json
import math
import random
import re
import shutil
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from models.adapt import _wide_offsets, cpu_seconds
from models.base import CLASSES, normalize_text
from models.chat_texts import chat_register_texts, measured_texts
from models.data import SentimentData, _loose

# Chosen before measuring any held-out set: the layer choice follows DistilBERT (every other layer);
# the learning rate is fine-tuning's (2e-4) raised a little, as half the layers are re-wired.
DISTIL_DEFAULTS = dict(keep_layers=(1, 3), epochs=3.0, learning_rate=3e-4, batch_size=64, hard_weight=0.2,
                       unlabelled=20000, max_unlabelled_chars=64, augment=2, drop_rate=0.15, seed=13,
                       warmup_ratio=0.06, weight_decay=0.01, max_length=128, cpu_budget=900.0,
                       hidden_weight=0.1, boundary_weight=1.0)

def drop_characters(text: str, rate: float, seed: int) -> str:
    """``text`` with about ``rate`` of its characters left out (at least one kept): a nearby text the
    teacher reads too, so the student learns the teacher around each chat turn, not only at it
    (Tang et al. 2019, task-specific distillation with augmented transfer text)."""
    rng = random.Random(seed)
    kept = "".join(ch for ch in text if rng.random() >= rate)
    return kept or text[:1]


def hash_order(text: str, salt: str = "distil") -> float:
    import hashlib

    return int(hashlib.sha1(f"{salt}|{text}".encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF


def transfer_set(data: SentimentData, unlabelled: int, max_chars: int, blocked: set[str],
                 chat: Sequence[str] = (), augment: int = 0, drop_rate: float = 0.15,
                 seed: int = 13) -> tuple[list[str], list[str | None]]:
    """(texts, labels): the training texts with their labels for chat turns (None for reviews); the
    unlabelled ``chat`` texts; ``augment`` copies of every chat text (labelled or not) with ``drop_rate``
    of its characters dropped (label None: a dropped 不 can flip the human label, the teacher reads the
    copy as it is); then up to ``unlabelled`` sentences of the unlabelled corpora of at most ``max_chars``
    characters (label None). Distinct texts, none of them (near-)repeating a ``blocked`` one."""
    texts: list[str] = []
    labels: list[str | None] = []
    seen: set[str] = set()

    def add(text: str, label: str | None) -> bool:
        text = normalize_text(text)
        key = _loose(text)
        if not text or key in seen or key in blocked:
            return False
        seen.add(key)
        texts.append(text)
        labels.append(label)
        return True

    for e in data.training_examples("train") + [e for e in data.reviews if e.split == "train" and e.text in data.pruned]:
        add(e.text, e.label if e.source == "chat" else None)
    register = [t for t, label in zip(texts, labels) if label is not None]  # the chat turns kept
    register += [t for t in chat if add(t, None)]
    for copy in range(augment):
        for t in register:
            if len(t) >= 4:
                add(drop_characters(t, drop_rate, int(hash_order(t, f"drop{copy}|{seed}") * 2**31)), None)
    added = 0
    for t in sorted((t for t in data.unlabelled if 4 <= len(t) <= max_chars), key=hash_order):
        if added >= unlabelled:
            break
        added += add(t, None)
    return texts, labels


def student_from_teacher(teacher_dir: str | Path, out_dir: str | Path, keep_layers: Sequence[int]) -> Path:
    """Save a BERT classifier with the teacher's embeddings, pooler and classifier and only the teacher's
    encoder layers ``keep_layers`` (in that order), plus the teacher's tokenizer, to ``out_dir``."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from models.classifier import quiet_transformers

    quiet_transformers()
    teacher = AutoModelForSequenceClassification.from_pretrained(str(teacher_dir), dtype=torch.float32)
    n = teacher.config.num_hidden_layers
    if not keep_layers or any(not 0 <= i < n for i in keep_layers):
        raise ValueError(f"--keep-layers {list(keep_layers)}: the teacher has layers 0 … {n - 1}")
    config = teacher.config.__class__.from_dict(teacher.config.to_dict())
    config.num_hidden_layers = len(keep_layers)
    student = AutoModelForSequenceClassification.from_config(config)
    state = {}
    for key, value in teacher.state_dict().items():
        m = re.match(r"(.*encoder\.layer\.)(\d+)(\..*)", key)
        if m is None:
            state[key] = value
        elif int(m.group(2)) in keep_layers:
            state[f"{m.group(1)}{list(keep_layers).index(int(m.group(2)))}{m.group(3)}"] = value
    student.load_state_dict(state, strict=True)
    out = Path(out_dir)
    student.save_pretrained(str(out), safe_serialization=True)
    AutoTokenizer.from_pretrained(str(teacher_dir)).save_pretrained(str(out))
    return out


def length_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator, pool: int = 50) -> list[np.ndarray]:
    """One epoch of batches: shuffled, then sorted by length within pools of ``pool`` batches, the batches
    shuffled again — so a batch pads little (reviews run to 128 characters, turns to 20) and stays random."""
    order = rng.permutation(len(lengths))
    batches = []
    span = batch_size * pool
    for start in range(0, len(order), span):
        chunk = order[start:start + span]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def boundary_weights(targets: np.ndarray, strength: float) -> np.ndarray:
    """Per-text weight of the output loss: ``1 + strength * (1 - margin)``, the margin being the gap between
    the teacher's two likeliest classes. A text the teacher reads near a decision boundary (or near a
    threshold the rubric reads, P(negative) in the 0.5–0.9 band) weighs up to ``1 + strength``: those
    are the texts on which a small drift flips a label or a verdict; a text the teacher is sure of
    tolerates a small drift."""
    if len(targets) == 0 or strength <= 0:
        return np.ones(len(targets))
    top = np.sort(targets, axis=1)
    return 1.0 + strength * (1.0 - (top[:, -1] - top[:, -2]))


def hidden_loss(student_states: Sequence, teacher_states: Sequence, keep_layers: Sequence[int], mask) -> "object":
    """Intermediate-layer distillation (TinyBERT, Jiao et al. 2020): the mean squared gap between student
    layer i's output and the output of the teacher layer it was copied from (``keep_layers[i]``), over
    the real tokens, averaged over the layers. ``*_states``: the models' ``hidden_states`` (index 0 the
    embeddings)."""
    import torch

    weight = mask.unsqueeze(-1).to(torch.float32)
    count = weight.sum() * student_states[-1].shape[-1]
    gaps = [(((s - teacher_states[t + 1]) ** 2) * weight).sum() / count
            for s, t in zip(student_states[1:], keep_layers)]
    return sum(gaps) / len(gaps)


def train_student(student_dir: Path, texts: list[str], targets: np.ndarray, hard: np.ndarray, offsets: np.ndarray,
                  temperature: float, settings: dict, log: Callable[[str], None], teacher_dir: Path | None = None) -> tuple:
    """Train the student in ``student_dir``; returns (model, steps run). ``targets``: the teacher's
    probabilities; ``hard``: the class index of a labelled text, -1 for none. With ``teacher_dir`` and
    ``settings["hidden_weight"] > 0``, each student layer is also pulled towards the hidden states of the
    teacher layer it was copied from (the teacher in fp32, run on the same batch)."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from models.classifier import load_for_training, optimizer_step, steps_that_fit

    seed = settings["seed"]
    tokenizer, model, columns = load_for_training(student_dir, seed)
    ids = tokenizer(texts, truncation=True, max_length=settings["max_length"])["input_ids"]
    lengths = np.array([len(r) for r in ids])
    soft = torch.tensor(targets, dtype=torch.float32)
    y = torch.tensor(hard, dtype=torch.long)
    off = torch.tensor(offsets, dtype=torch.float32)
    weights = torch.tensor(boundary_weights(targets, settings.get("boundary_weight", 0.0)), dtype=torch.float32)
    teacher = None
    if teacher_dir is not None and settings.get("hidden_weight", 0.0) > 0:
        teacher = AutoModelForSequenceClassification.from_pretrained(str(teacher_dir), dtype=torch.float32).eval()
    keep = [int(i) for i in settings["keep_layers"]]
    bs = settings["batch_size"]
    requested = max(1, int(round(math.ceil(len(texts) / bs) * settings["epochs"])))
    plan = {"total": requested, "warmup": max(1, int(requested * settings["warmup_ratio"]))}
    no_decay = ("bias", "LayerNorm.weight")
    groups = [{"params": [p for nm, p in model.named_parameters() if not any(k in nm for k in no_decay)],
               "weight_decay": settings["weight_decay"]},
              {"params": [p for nm, p in model.named_parameters() if any(k in nm for k in no_decay)],
               "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=settings["learning_rate"])

    def lr_factor(s: int) -> float:  # linear warm-up, then linear decay to 0 at the (re-planned) last step
        if s < plan["warmup"]:
            return (s + 1) / plan["warmup"]
        return max(0.0, (plan["total"] - s) / max(1, plan["total"] - plan["warmup"]))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    rng = np.random.default_rng(seed)
    budget = settings.get("cpu_budget") or None
    # The budget counts this process's CPU seconds, not wall time: on a shared machine the wall clock cut
    # the 3-layer run (session 8, load average 15–18) from 3,405 planned steps to 1,119 at the 400-step
    # re-plan, so the recipe's step count depended on other people's jobs.
    model.train()
    step, t0 = 0, cpu_seconds()
    while step < plan["total"]:
        for idx in length_batches(lengths, bs, rng):
            if step >= plan["total"]:
                break
            width = int(lengths[idx].max())
            input_ids = torch.zeros((len(idx), width), dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):
                input_ids[row, :lengths[i]] = torch.tensor(ids[i])
                mask[row, :lengths[i]] = 1
            outputs = model(input_ids=input_ids, attention_mask=mask, output_hidden_states=teacher is not None)
            logits = (outputs.logits[:, columns] + off[idx]) / temperature
            logp = torch.log_softmax(logits, dim=1)
            per_text = torch.nn.functional.kl_div(logp, soft[idx], reduction="none").sum(1)
            loss = (per_text * weights[idx]).sum() / weights[idx].sum()
            if teacher is not None:
                with torch.no_grad():
                    states = teacher(input_ids=input_ids, attention_mask=mask, output_hidden_states=True).hidden_states
                loss = loss + settings["hidden_weight"] * hidden_loss(outputs.hidden_states, states, keep, mask)
            labelled = y[idx] >= 0
            if settings["hard_weight"] > 0 and labelled.any():
                loss = loss + settings["hard_weight"] * torch.nn.functional.nll_loss(logp[labelled], y[idx][labelled])
            optimizer_step(loss, model, opt, sched)
            step += 1
            # The CPU budget: fit the step count (and the schedule) to the pace after 20, 100 and 400 steps.
            fits = steps_that_fit(step, cpu_seconds() - t0, budget, requested, min(40, requested))
            if fits is not None and fits != plan["total"]:
                plan["total"] = fits
                plan["warmup"] = max(1, min(plan["warmup"], int(fits * settings["warmup_ratio"])))
                log(f"distil: {requested} steps do not fit in {budget:.0f}s at the pace of the first {step}; "
                    f"running {fits}")
            if step % 100 == 0 or step == plan["total"]:
                log(f"distil step {step}/{plan['total']} loss {loss.item():.4f} ({cpu_seconds() - t0:.0f} CPU s)")
    return model.eval(), step


def agreement(a: np.ndarray, b: np.ndarray) -> dict:
    """How closely two models' probabilities agree: label agreement and the largest / mean absolute gap."""
    gap = np.abs(a - b)
    return {"n": int(len(a)), "label_agreement": float(np.mean(a.argmax(1) == b.argmax(1))) if len(a) else float("nan"),
            "max_abs_diff": float(gap.max()) if len(a) else float("nan"),
            "mean_abs_diff": float(gap.mean()) if len(a) else float("nan")}


def validation_agreement(teacher, student, data: SentimentData) -> dict:
    """``agreement`` of two loaded models on the validation splits (never a measure-only set): the chat
    turns (the register the pipeline scores) and every validation text, with the mean |ΔP(negative)|
    (what the rubric's triggers and the state model read)."""
    val = data.training_examples("validation")
    out = {}
    for name, texts in (("chat_validation", [e.text for e in val if e.source == "chat"]),
                        ("all_validation", [e.text for e in val])):
        a, b = teacher.predict_proba(texts), student.predict_proba(texts)
        out[name] = dict(agreement(a, b), mean_abs_diff_negative=float(np.abs(a[:, 0] - b[:, 0]).mean()) if len(a) else float("nan"),
                         labels_differ=int(np.sum(a.argmax(1) != b.argmax(1))))
    return out


def distil(teacher_dir: str | Path, out_dir: str | Path, data_cache: str | Path | None = None,
           version: int | None = None, log: Callable[[str], None] = print, **recipe) -> dict:
    """Distil the model in ``teacher_dir`` into a student saved to ``out_dir``; returns the report
    (also in the student's ``zhijian.json`` under ``distillation``)."""
    from models.classifier import SentimentClassifier, fit_temperature
    from models.data import load_data
    from models.evaluate import evaluate_model
    from models.train import export_onnx_step

    settings = dict(DISTIL_DEFAULTS, **{k: v for k, v in recipe.items() if v is not None})
    settings["keep_layers"] = [int(i) for i in settings["keep_layers"]]
    cpu0, wall0 = cpu_seconds(), time.time()
    src, out = Path(teacher_dir).resolve(), Path(out_dir).resolve()
    if out == src:
        raise ValueError(f"--out {out_dir} is the teacher: write the student to a new directory")
    data = load_data(cache_dir=data_cache)
    teacher = SentimentClassifier.load(src)  # as it predicts in the pipeline: int8 ONNX + wide part
    blocked = measured_texts()
    texts, labels = transfer_set(data, settings["unlabelled"], settings["max_unlabelled_chars"], blocked,
                                 chat=chat_register_texts(), augment=settings["augment"],
                                 drop_rate=settings["drop_rate"], seed=settings["seed"])
    n_labelled = sum(l is not None for l in labels)
    log(f"transfer set: {len(texts)} texts ({n_labelled} chat turns with labels; {len(blocked)} measured texts kept out)")
    t = cpu_seconds()
    targets = teacher.predict_proba(texts)
    offsets = _wide_offsets(teacher, texts)
    teacher_cpu = cpu_seconds() - t
    log(f"teacher read the transfer set in {teacher_cpu:.0f} CPU s")
    hard = np.array([CLASSES.index(l) if l is not None else -1 for l in labels])

    work = out.parent / f".{out.name}-work"
    if work.exists():
        shutil.rmtree(work)
    # --init: go on from an earlier student (its layers all kept) instead of the teacher's layers: a second,
    # shorter budget on top of a first, where a fresh run would spend the first again to get back there.
    init = settings.get("init")
    if init is not None:
        settings["init"] = str(init)
    student_dir = (student_from_teacher(init, work / "student", range(len(settings["keep_layers"]))) if init is not None
                   else student_from_teacher(src, work / "student", settings["keep_layers"]))
    t = cpu_seconds()
    model, steps = train_student(student_dir, texts, targets, hard, offsets, teacher.temperature_, settings, log,
                                 teacher_dir=src)
    train_cpu = cpu_seconds() - t

    clf = SentimentClassifier.load(src, quantize=False, backend="transformers")
    clf.model_ = model
    clf.base = str(student_dir)
    # The teacher's temperature, not one refitted: the student was trained to the teacher's probabilities
    # at it, and what reads them downstream (the state model's features, the rubric's P(negative) >= 0.96
    # trigger) was tuned on them. Refitting on the 287 chat validation turns gave 3.78 against 3.46 for
    # the first student: flatter tails, and needs-empathy recall on data/heldout/customer_turns.tsv fell
    # from 85 to 77 of 126 turns. The refitted value is recorded, not used.
    cal = [e for e in data.training_examples("validation") if e.source == "chat"]
    refitted = fit_temperature(clf.decision_function([e.text for e in cal]),
                               np.array([CLASSES.index(e.label) for e in cal])) if cal else None
    clf.temperature_ = teacher.temperature_
    base_meta = dict(teacher.meta_)
    version = version or int(base_meta.get("version", 0)) + 1
    clf.name, clf.version = str(base_meta.get("name", "zh-cs-sentiment")), version
    report = {"distilled_from": f"{base_meta.get('name')}@{base_meta.get('version')}", "teacher": str(teacher_dir),
              "settings": settings, "transfer_texts": len(texts), "transfer_labelled": n_labelled,
              "measured_texts_blocked": len(blocked), "steps_run": steps,
              "teacher_cpu_seconds": round(teacher_cpu, 1), "train_cpu_seconds": round(train_cpu, 1),
              "temperature": "the teacher's", "temperature_refitted_on_chat_validation": refitted}
    teacher_figures = {k: base_meta.pop(k) for k in ("metrics", "int8_metrics", "candidates", "sweep") if k in base_meta}
    clf.meta_ = dict(base_meta, name=clf.name, version=version, temperature=clf.temperature_,
                     quantize=True, distillation=report, teacher_figures=teacher_figures)
    if out.exists():
        shutil.rmtree(out)
    clf.save(out)
    export_onnx_step(out, log)
    shutil.rmtree(work, ignore_errors=True)

    student = SentimentClassifier.load(out)  # measured as the pipeline will run it: int8 ONNX + wide part
    report["metrics"] = evaluate_model(student, data, splits=("validation", "test"))
    report["teacher_metrics"] = evaluate_model(teacher, data, splits=("validation", "test"))
    check = [e.text for e in data.training_examples("validation") + data.training_examples("test")]
    check += [e.text for e in data.chat_holdout + data.chat_closings]
    report["agreement"] = agreement(teacher.predict_proba(check), student.predict_proba(check))
    report["validation_agreement"] = validation_agreement(teacher, student, data)
    report["cpu_seconds"] = round(cpu_seconds() - cpu0, 1)
    report["wall_seconds"] = round(time.time() - wall0, 1)
    report["model_id"] = student.model_id
    clf.meta_["distillation"] = report
    clf.meta_["metrics"] = report["metrics"]
    (out / "zhijian.json").write_text(json.dumps(clf.meta_, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(report_markdown(report))
    return report


def report_markdown(report: dict) -> str:
    """Teacher against student on every validation and test figure ``models.evaluate`` computes."""
    s = report["settings"]
    lines = [f"# {report['model_id']}: distilled from {report['distilled_from']}", "",
             f"Layers {s['keep_layers']} of the teacher, {report['steps_run']} steps over {report['transfer_texts']} "
             f"transfer texts ({report['transfer_labelled']} labelled chat turns); training {report['train_cpu_seconds']} "
             f"CPU s, {report['cpu_seconds']} CPU s in all, wall {report['wall_seconds']} s.", "",
             "| figure | teacher | student | student − teacher |", "|---|---|---|---|"]
    for key, value in report["teacher_metrics"].items():
        other = report["metrics"].get(key)
        if isinstance(value, float) and isinstance(other, float):
            lines.append(f"| {key} | {value:.4f} | {other:.4f} | {other - value:+.4f} |")
    a = report["agreement"]
    lines += ["", f"Agreement on {a['n']} validation, test and outside texts: labels {a['label_agreement']:.4f}, "
              f"probabilities max |Δ| {a['max_abs_diff']:.3f}, mean |Δ| {a['mean_abs_diff']:.4f}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict:
    import argparse

    p = argparse.ArgumentParser(description="Distil the sentiment model into a student with fewer encoder layers.")
    p.add_argument("--teacher", default="models/zh-cs-sentiment", metavar="DIR")
    p.add_argument("--out", metavar="DIR", help="where the student is written (required unless --compare)")
    p.add_argument("--compare", metavar="DIR", help="only print DIR's agreement with the teacher on the validation splits")
    p.add_argument("--keep-layers", default=None, help="teacher layers the student keeps, e.g. 1,3")
    p.add_argument("--epochs", type=float, default=None)
    p.add_argument("--lr", type=float, default=None, dest="learning_rate")
    p.add_argument("--hard-weight", type=float, default=None)
    p.add_argument("--unlabelled", type=int, default=None, metavar="N", help="unlabelled sentences in the transfer set")
    p.add_argument("--augment", type=int, default=None, metavar="K", help="character-dropped copies of each chat text")
    p.add_argument("--hidden-weight", type=float, default=None,
                   help="weight of the per-layer hidden-state loss (0: output only)")
    p.add_argument("--boundary-weight", type=float, default=None,
                   help="extra output-loss weight of texts the teacher reads near a boundary (0: none)")
    p.add_argument("--cpu-budget", type=float, default=None, metavar="SECONDS",
                   help=f"cap on the training loop's CPU seconds (default {DISTIL_DEFAULTS['cpu_budget']:.0f}; 0: no cap)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--init", default=None, metavar="DIR",
                   help="start from this earlier student (same --keep-layers) instead of the teacher's layers")
    p.add_argument("--version", type=int, default=None, help="the student's version (default: the teacher's + 1)")
    p.add_argument("--data-cache", default=None)
    p.add_argument("--json-out", default=None, metavar="FILE")
    a = p.parse_args(argv)
    if a.compare:
        from models.classifier import SentimentClassifier
        from models.data import load_data

        found = validation_agreement(SentimentClassifier.load(a.teacher), SentimentClassifier.load(a.compare),
                                     load_data(cache_dir=a.data_cache))
        print(json.dumps(found, indent=2))
        return found
    if not a.out:
        p.error("--out DIR is required (or --compare DIR)")
    keep = [int(x) for x in a.keep_layers.split(",")] if a.keep_layers else None
    report = distil(a.teacher, a.out, data_cache=a.data_cache, version=a.version, keep_layers=keep, epochs=a.epochs,
                    learning_rate=a.learning_rate, hard_weight=a.hard_weight, unlabelled=a.unlabelled, augment=a.augment,
                    cpu_budget=a.cpu_budget, seed=a.seed, hidden_weight=a.hidden_weight,
                    boundary_weight=a.boundary_weight, init=a.init)
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
