"""The project's transformer sentiment classifier: a small fine-tuned BERT behind the scikit-learn-like contract.

    clf = SentimentClassifier.load("models/zh-cs-sentiment")   # or models.loader.load_sentiment_model()
    clf.predict(["怎么还没发货啊"])            # ["negative"]
    clf.predict_proba(texts)                 # n x 3, columns in clf.classes_ order
    clf.model_id                             # "zh-cs-sentiment@3"

Any Hugging Face encoder can be fine-tuned: ``SentimentClassifier(base="some/dir-or-name").fit(texts, labels)``.
Probabilities are temperature-scaled on a validation split held out inside ``fit``; the temperature
is stored with the model (``zhijian.json``). On CPU the Linear layers are quantised to int8 at load
time when the saved model says int8 holds its accuracy (``quantize`` in ``zhijian.json``).

A classifier of ``models/`` (base → classifiers → loader): it builds on ``models.base`` and uses the
TF-IDF baseline as its optional wide part; it never imports the loader or ``pipeline``.
"""
from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from models.base import CLASSES, META_FILE, SentimentModel, check_labels, normalize_text, read_meta, softmax
from models.baseline import TfidfSentiment


def quiet_transformers() -> None:
    """No progress bars or load reports from transformers: this runs inside CLI commands and flows."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def sensible_threads(limit: int | None = None) -> int:
    """CPUs this process may use (cgroup/affinity aware), capped by ``limit``."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        n = os.cpu_count() or 1
    return max(1, min(n, limit or n))


def inference_threads(requested: int | None = None, runtime: str = "torch") -> int:
    """Intra-op threads for predicting on CPU: ``requested`` when given (the pipeline passes the
    ``ZHIJIAN_THREADS`` setting); else, for ONNX Runtime, the usable CPUs (at most 4), and for torch
    half of them (one on a 2-core machine, at most 4).

    Why they differ (benchmarks/bench_sentiment.py --threads 1,2 --rounds 3, loaded 2-core machine,
    load average ~10): torch's int8 encoder ran 471 texts/s on one thread and 122 on two — its
    threads spin-wait for each other while other jobs hold the cores — whereas ONNX Runtime, whose
    threads do not spin here (models.onnx_encoder), ran 304 on one and 561 on two.
    """
    if requested:
        return sensible_threads(requested)
    usable = sensible_threads()
    return min(4, usable) if runtime == "onnxruntime" else max(1, min(4, usable // 2))


# Steps at which a time-capped run re-times itself. One early look (20 steps) is noisy: batches are
# drawn from length buckets, so a few long ones can make the pace look twice as slow as it is.
REPLAN_STEPS = (20, 100, 400)


def steps_that_fit(step: int, elapsed: float, max_seconds: float | None, requested: int, minimum: int) -> int | None:
    """At a re-planning step, how many steps fit ``max_seconds`` at the mean pace so far: never more
    than ``requested``, never fewer than ``minimum`` or ``step + 1``. ``None`` at any other step."""
    if not max_seconds or step not in REPLAN_STEPS:
        return None
    fits = int(step * max_seconds / max(1e-6, elapsed))
    return max(min(fits, requested), minimum, step + 1)


def optimizer_step(loss, model, opt, sched, max_grad_norm: float = 1.0) -> None:
    """One training step after the forward pass: backward, clip the gradient norm, step the optimiser
    and the learning-rate schedule, clear the gradients (fine-tuning and masked-LM pre-training alike)."""
    import torch

    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)


def load_for_training(model_dir: str | Path, seed: int) -> tuple:
    """A saved classifier made ready to train further (shop adaptation, distillation): every random
    generator seeded, torch's threads as for inference (half the usable cores — on a busy machine torch's
    threads spin-wait for each other: one 32-turn step took 0.25 CPU s on one thread, 3.4 on two), its
    tokenizer and fp32 model, and the model's output columns in ``CLASSES`` order."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(inference_threads(None, "torch"))
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForSequenceClassification.from_pretrained(str(model_dir), dtype=torch.float32)
    id2label = {int(k): str(v).lower() for k, v in model.config.id2label.items()}
    columns = [{v: k for k, v in id2label.items()}[c] for c in CLASSES]
    return tokenizer, model, columns


def fit_temperature(logits: np.ndarray, labels: np.ndarray, grid: Sequence[float] | None = None) -> float:
    """Temperature scaling (Guo et al. 2017): the T minimising validation NLL of softmax(logits / T)."""
    if len(labels) == 0:
        return 1.0
    grid = grid if grid is not None else np.exp(np.linspace(math.log(0.25), math.log(8.0), 121))
    best_t, best_nll = 1.0, float("inf")
    for t in grid:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -float(logp[np.arange(len(labels)), labels].mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


class SentimentClassifier(SentimentModel):
    """Fine-tunes an ``AutoModelForSequenceClassification`` for 3-class customer sentiment.

    ``__init__`` only stores its arguments; ``fit`` learns ``model_``, ``tokenizer_``,
    ``temperature_``, ``classes_``, ``meta_``.
    """

    def __init__(
        self,
        base: str | Path | None = None,
        *,
        max_length: int = 128,
        epochs: float = 3.0,
        batch_size: int = 64,
        learning_rate: float = 1e-4,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.06,
        label_smoothing: float = 0.0,
        token_mask_prob: float = 0.0,
        max_seconds: float | None = None,
        validation_fraction: float = 0.1,
        calibrate: bool = True,
        seed: int = 13,
        device: str | None = None,
        predict_batch_size: int = 256,
        predict_batch_tokens: int = 2048,
        backend: str = "auto",
        quantize: str | bool = "auto",
        num_threads: int | None = None,
        name: str = "zh-cs-sentiment",
        version: int = 1,
        log: Callable[[str], None] | None = None,
    ):
        self.base = base
        self.max_length = max_length
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.label_smoothing = label_smoothing
        self.token_mask_prob = token_mask_prob
        self.max_seconds = max_seconds
        self.validation_fraction = validation_fraction
        self.calibrate = calibrate
        self.seed = seed
        self.device = device
        self.predict_batch_size = predict_batch_size
        self.predict_batch_tokens = predict_batch_tokens
        self.backend = backend
        self.quantize = quantize
        self.num_threads = num_threads
        self.name = name
        self.version = version
        self.log = log

    # ---------------------------------------------------------------- fitting
    def _device(self) -> str:
        import torch

        if self.device:
            return self.device
        return "cuda" if torch.cuda.is_available() else "cpu"

    def fit(self, texts: Sequence[str], labels: Sequence[str], sample_weight: Sequence[float] | None = None,
            validation: tuple[Sequence[str], Sequence[str]] | None = None) -> "SentimentClassifier":
        """Fine-tune ``base`` on ``texts``/``labels``; then fit the temperature on a validation split.

        ``validation`` gives the calibration set explicitly; otherwise ``validation_fraction`` of the
        texts (chosen by a hash of the text) is held out for it when ``calibrate`` is on.
        """
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        quiet_transformers()
        if self.base is None:
            raise ValueError("SentimentClassifier needs base= a Hugging Face encoder (a local directory or hub name)")
        labels = check_labels(labels)
        texts = [normalize_text(t) for t in texts]
        weights = list(sample_weight) if sample_weight is not None else [1.0] * len(texts)
        if validation is None and self.calibrate and self.validation_fraction > 0 and len(texts) >= 20:
            keep = [hash_frac(t) < self.validation_fraction for t in texts]
            val = ([t for t, k in zip(texts, keep) if k], [l for l, k in zip(labels, keep) if k])
            texts, labels, weights = ([x for x, k in zip(seq, keep) if not k] for seq in (texts, labels, weights))
        else:
            val = ([normalize_text(t) for t in validation[0]], check_labels(validation[1])) if validation else ([], [])

        random.seed(self.seed)
        np.random.seed(self.seed)
        torch.manual_seed(self.seed)
        device = self._device()
        if device == "cpu":
            torch.set_num_threads(sensible_threads(self.num_threads))
        id2label = dict(enumerate(CLASSES))
        tokenizer = AutoTokenizer.from_pretrained(str(self.base))
        model = AutoModelForSequenceClassification.from_pretrained(
            str(self.base), num_labels=len(CLASSES), id2label=id2label,
            label2id={v: k for k, v in id2label.items()}, ignore_mismatched_sizes=True)
        model.to(device)
        y = np.array([CLASSES.index(l) for l in labels])
        w = np.array(weights, dtype=np.float64)
        n = len(texts)
        steps_per_epoch = max(1, math.ceil(n / self.batch_size))
        total = max(1, int(round(steps_per_epoch * self.epochs)))
        plan = {"total": total, "warmup": int(total * self.warmup_ratio)}
        no_decay = ("bias", "LayerNorm.weight", "layer_norm", "norm.weight")
        groups = [
            {"params": [p for nm, p in model.named_parameters() if not any(k in nm for k in no_decay)],
             "weight_decay": self.weight_decay},
            {"params": [p for nm, p in model.named_parameters() if any(k in nm for k in no_decay)], "weight_decay": 0.0},
        ]
        opt = torch.optim.AdamW(groups, lr=self.learning_rate)
        def lr_factor(s: int) -> float:  # linear warm-up, then linear decay to 0
            warmup, total = plan["warmup"], plan["total"]
            if s < warmup:
                return (s + 1) / warmup
            return max(0.0, (total - s) / max(1, total - warmup))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
        rng = np.random.default_rng(self.seed)
        use_amp = device.startswith("cuda")
        gen = torch.Generator(device=device).manual_seed(self.seed)
        model.train()
        step, t0 = 0, time.time()
        while step < plan["total"]:
            order = rng.permutation(n)
            for start in range(0, n, self.batch_size):
                if step >= plan["total"]:
                    break
                idx = order[start:start + self.batch_size]
                enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                max_length=self.max_length, return_tensors="pt").to(device)
                if self.token_mask_prob > 0:
                    enc["input_ids"] = mask_tokens(enc["input_ids"], tokenizer, self.token_mask_prob, gen)
                target = torch.tensor(y[idx], device=device)
                bw = torch.tensor(w[idx], dtype=torch.float32, device=device)
                with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
                    logits = model(**enc).logits
                loss = (torch.nn.functional.cross_entropy(logits.float(), target, reduction="none",
                                                        label_smoothing=self.label_smoothing) * bw).sum() / bw.sum()
                optimizer_step(loss, model, opt, sched)
                step += 1
                # Time cap (the CPU budget): fit the step count, and the schedule with it, to the pace so far.
                fits = steps_that_fit(step, time.time() - t0, self.max_seconds, total, min(40, total))
                if fits is not None and fits != plan["total"]:
                    plan["total"] = fits
                    plan["warmup"] = min(int(total * self.warmup_ratio), int(fits * self.warmup_ratio))
                    if self.log:
                        self.log(f"fine-tune: {total} steps do not fit in {self.max_seconds:.0f}s at the pace of the "
                                 f"first {step}; running {fits}")
                if self.log and (step % 200 == 0 or step == plan["total"]):
                    self.log(f"fine-tune step {step}/{plan['total']} loss {loss.item():.4f} ({time.time() - t0:.0f}s)")
        model.eval()
        model.to("cpu")
        self.model_ = model
        self.tokenizer_ = tokenizer
        self.classes_ = list(CLASSES)
        self.temperature_ = 1.0
        self.quantized_ = False
        self.wide_, self.wide_weight_ = None, 0.0
        self.meta_ = {"name": self.name, "version": self.version, "classes": list(CLASSES),
                      "max_length": self.max_length, "temperature": 1.0,
                      "quantize": self.quantize if isinstance(self.quantize, bool) else False,
                      "base": str(self.base), "n_train": n, "finetune_steps": plan["total"]}
        if val[0] and self.calibrate:
            logits = self.decision_function(val[0])
            self.temperature_ = fit_temperature(logits, np.array([CLASSES.index(l) for l in val[1]]))
            self.meta_["temperature"] = self.temperature_
            self.meta_["n_calibration"] = len(val[0])
        return self

    # ------------------------------------------------------------- predicting
    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Logits (n x 3, classes_ order) before temperature scaling: the encoder's, plus
        ``wide_weight_ * log p_wide`` when a wide (char n-gram) part was fitted with :meth:`fit_wide`."""
        logits = self._encoder_logits(texts)
        wide = getattr(self, "wide_", None)
        if wide is not None and len(texts):
            logits = logits + self.wide_weight_ * np.log(np.clip(wide.predict_proba(texts), 1e-7, 1.0))
        return logits

    def fit_wide(self, texts: Sequence[str], labels: Sequence[str],
                 validation: tuple[Sequence[str], Sequence[str]], weights: Sequence[float] | None = None,
                 score: Callable[[np.ndarray, list[str], list[str]], float] | None = None,
                 calibration: tuple[Sequence[str], Sequence[str]] | None = None) -> "SentimentClassifier":
        """Add a wide part (char 1–3-gram TF-IDF + LR, trained on ``texts``) to the fitted encoder.

        Its log-probabilities are added to the encoder's logits with the weight (0 … 12) that scores
        best on ``validation`` (default score: accuracy), then the temperature is refitted on
        ``calibration`` (default: ``validation``). Weight 0 (no gain) drops the wide part again.
        """
        check_labels(labels)
        val_texts, val_labels = list(validation[0]), check_labels(validation[1])
        wide = TfidfSentiment().fit(texts, labels)
        encoder = self._encoder_logits(val_texts)
        log_wide = np.log(np.clip(wide.predict_proba(val_texts), 1e-7, 1.0))
        y = np.array([CLASSES.index(l) for l in val_labels])
        score = score or (lambda logits, _t, _l: float(np.mean(logits.argmax(1) == y)))
        grid = [0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0] if weights is None else list(weights)
        results = {w: score(encoder + w * log_wide, val_texts, val_labels) for w in grid}
        best = max(grid, key=lambda w: (round(results[w], 6), -w))
        if best > 0:
            self.wide_, self.wide_weight_ = wide, float(best)
        else:
            self.wide_, self.wide_weight_ = None, 0.0
        if calibration is not None:
            cal_labels = np.array([CLASSES.index(l) for l in check_labels(calibration[1])])
            self.temperature_ = fit_temperature(self.decision_function(list(calibration[0])), cal_labels)
            self.meta_["n_calibration"] = len(cal_labels)
        else:
            self.temperature_ = fit_temperature(encoder + best * log_wide, y)
        self.meta_.update({"temperature": self.temperature_, "wide_weight": self.wide_weight_,
                           "wide_scores": {str(w): v for w, v in results.items()}})
        return self

    def _encoder_logits(self, texts: Sequence[str]) -> np.ndarray:
        """Encoder logits in input order. Each distinct (normalised) text is encoded once; all of them
        are sorted by token length once for the whole call and cut into batches by a token budget
        (``predict_batch_tokens`` padded tokens, at most ``predict_batch_size`` texts), so a batch pads
        little and a few long texts never make every batch long."""
        from models.fast_encoder import pad_batch, plan_batches

        texts = [normalize_text(t) or " " for t in texts]
        out = np.zeros((len(texts), len(self.classes_)), dtype=np.float32)
        if not texts:
            return out
        position: dict[str, int] = {}
        inverse = np.fromiter((position.setdefault(t, len(position)) for t in texts), dtype=np.int64, count=len(texts))
        unique = list(position)
        rows = self._token_ids(unique)
        lengths = np.array([len(r) for r in rows])
        order = np.argsort(lengths, kind="stable")
        logits_u = np.zeros((len(unique), len(self.classes_)), dtype=np.float32)
        columns = self._column_order()
        encoder = self._encoder()
        pad_id = int(getattr(self, "config_", {}).get("pad_token_id") or 0)
        for start, end in plan_batches(lengths[order], self.predict_batch_tokens, self.predict_batch_size):
            idx = order[start:end]
            ids, mask = pad_batch([rows[i] for i in idx], pad_id)
            logits_u[idx] = np.asarray(encoder(ids, mask), dtype=np.float32)[:, columns]
        return logits_u[inverse]

    def _token_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids with [CLS]/[SEP], truncated to ``max_length``, unpadded."""
        max_length = int(self.meta_.get("max_length", self.max_length))
        tok = self.tokenizer_
        if hasattr(tok, "encode_batch"):  # a ``tokenizers.Tokenizer`` (load): no transformers import needed
            tok.enable_truncation(max_length)
            tok.no_padding()
            return [e.ids for e in tok.encode_batch(texts)]
        return tok(texts, truncation=True, max_length=max_length)["input_ids"]

    def _encoder(self):
        """What turns padded token ids into logits: the Hugging Face model when there is one (after
        ``fit``, a ``load(backend="transformers")``, or models/train.py's int8 check swapping ``model_``),
        else the fast backend ``load`` chose (``encoder_``: onnxruntime or torch)."""
        from models.fast_encoder import HFEncoder

        if self.__dict__.get("model_") is not None:
            return HFEncoder(self.model_, bool(getattr(self, "quantized_", False)))
        return self.encoder_

    def __getattr__(self, name: str):
        # A model loaded for a fast runtime builds its Hugging Face twin only when asked for it: save(),
        # the int8 check and the wide part of training need it; predicting does not.
        if name == "model_" and "encoder_" in self.__dict__ and "base" in self.__dict__:
            from transformers import AutoModelForSequenceClassification

            quiet_transformers()
            model = AutoModelForSequenceClassification.from_pretrained(str(self.base))
            self.__dict__["model_"] = model.eval()
            return model
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _column_order(self) -> list[int]:
        model = self.__dict__.get("model_")
        source = model.config.id2label if model is not None else getattr(self, "config_", {}).get("id2label", {})
        id2label = {int(k): str(v).lower() for k, v in source.items()}
        label2id = {v: k for k, v in id2label.items()}
        try:
            return [label2id[c] for c in self.classes_]
        except KeyError:
            raise ValueError(f"model labels {sorted(label2id)} do not name {self.classes_}; fine-tune it first") from None

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(self.decision_function(texts) / self.temperature_)

    # ------------------------------------------------------------ persistence
    def save(self, directory: str | Path) -> Path:
        """Weights as safetensors, the tokenizer, and ``zhijian.json`` (name, version, temperature, metrics)."""
        if self.quantized_:
            raise ValueError("save the model before quantising it (load(..., quantize=False))")
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        model, tokenizer = self.model_, self.tokenizer_
        if not hasattr(tokenizer, "save_pretrained"):  # loaded for a fast runtime: the tokenizer of base
            from transformers import AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(str(self.base))
        model.save_pretrained(str(out), safe_serialization=True)
        tokenizer.save_pretrained(str(out))
        if getattr(self, "wide_", None) is not None:
            self.wide_.save(out / "wide")
        (out / META_FILE).write_text(json.dumps(self.meta_, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: str | Path, quantize: str | bool | None = None, num_threads: int | None = None,
             device: str | None = None, backend: str = "auto") -> "SentimentClassifier":
        """Load a saved model (local directory, or a hub name where a hub is reachable).

        ``quantize``: None follows the saved model's ``quantize`` flag (int8 on CPU when it held the
        accuracy), True/False forces it. int8 applies on CPU only. ``num_threads``: intra-op threads
        (None: :func:`inference_threads` for the runtime chosen).

        ``backend`` (CPU, plain BERT classifiers; any other model or device uses transformers):
        ``"auto"`` is onnxruntime when installed — the encoder exported and quantised once, then read
        from the model directory or the cache (``models.onnx_encoder``) — else torch; ``"torch"`` is the
        same arithmetic in torch (``models.fast_encoder``, scaled-dot-product attention, quantised at
        load); ``"transformers"`` is ``AutoModelForSequenceClassification`` as fitted.
        """
        from models import fast_encoder

        source = str(directory)
        meta = read_meta(source)
        self = cls(base=source, max_length=int(meta.get("max_length", 128)), name=meta.get("name", Path(source).name),
                   version=int(meta.get("version", 1)), num_threads=num_threads, device=device, backend=backend,
                   quantize=quantize if quantize is not None else meta.get("quantize", False))
        if backend not in ("auto", "onnxruntime", "torch", "transformers"):
            raise ValueError(f"backend {backend!r}: use auto, onnxruntime, torch or transformers")
        target = device or "cpu"
        threads = inference_threads(num_threads)
        want_int8 = target == "cpu" and (self.quantize is True or self.quantize == "auto")
        config = fast_encoder.read_config(source)
        fast = target == "cpu" and backend != "transformers" and fast_encoder.supports(config)
        encoder = None
        if fast and backend in ("auto", "onnxruntime"):
            from models import onnx_encoder

            encoder = onnx_encoder.load_encoder(source, inference_threads(num_threads, "onnxruntime"),
                                                quantize=want_int8, name=self.name)
            if encoder is None and backend == "onnxruntime":
                raise RuntimeError("backend onnxruntime: install onnxruntime and onnx (pip install onnxruntime onnx)")
        if target == "cpu" and (encoder is None or "torch" in sys.modules):
            # torch computes only on the torch and transformers paths; the ONNX path never imports it
            # (~2 s of start-up), but a process that already has it keeps its threads in line
            import torch

            torch.set_num_threads(threads)
        if fast and encoder is None:
            module = fast_encoder.load_module(source, config)
            encoder = fast_encoder.TorchEncoder(quantize_dynamic_int8(module) if want_int8 else module, want_int8)
        if encoder is not None:
            from tokenizers import Tokenizer

            self.tokenizer_ = Tokenizer.from_file(str(Path(source) / "tokenizer.json"))
        else:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            quiet_transformers()
            model = AutoModelForSequenceClassification.from_pretrained(source, dtype=torch.float32)
            model.eval()
            model = quantize_dynamic_int8(model) if want_int8 else model.to(target)
            encoder = fast_encoder.HFEncoder(model, want_int8)
            self.model_ = model
            self.tokenizer_ = AutoTokenizer.from_pretrained(source)
            config = model.config.to_dict()
        self.encoder_ = encoder
        self.config_ = config
        self.classes_ = list(meta.get("classes", CLASSES))
        self.temperature_ = float(meta.get("temperature", 1.0))
        self.quantized_ = want_int8
        self.meta_ = meta or {"name": self.name, "version": self.version}
        self.wide_, self.wide_weight_ = None, float(meta.get("wide_weight", 0.0))
        if self.wide_weight_ > 0:
            self.wide_ = TfidfSentiment.load(Path(source) / "wide")
        return self

    @property
    def backend_(self) -> str:
        """Which runtime predicts: onnxruntime, torch or transformers (for --version and benchmarks)."""
        return self._encoder().backend


def mask_tokens(input_ids, tokenizer, prob: float, generator):
    """Replace a random ``prob`` of the real tokens by [MASK] (training-time augmentation).

    Why: in a domain the model never saw, topic characters (散热, 驱动 …) are unknown; hiding some
    characters while fine-tuning makes the classifier lean on the evaluative words of a review rather
    than on the topic words that happened to co-occur with one label in the training domains.
    """
    import torch

    special = torch.isin(input_ids, torch.tensor(tokenizer.all_special_ids, device=input_ids.device))
    hit = (torch.rand(input_ids.shape, generator=generator, device=input_ids.device) < prob) & ~special
    return torch.where(hit, torch.full_like(input_ids, tokenizer.mask_token_id), input_ids)


def quantize_dynamic_int8(model):
    """Dynamic int8 quantisation of every Linear layer (weights int8, activations quantised on the fly)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def hash_frac(text: str) -> float:
    import hashlib

    return int(hashlib.sha1(("frac|" + text).encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
