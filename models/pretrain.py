"""Masked-LM pre-training of a small BERT on unlabelled Chinese text, with the project's char tokenizer."""
from __future__ import annotations

import math
import random
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

# The default encoder: small enough for >2,000 texts/s on 2 CPU cores (int8) and ~20 MB of weights.
DEFAULT_ENCODER = dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=512,
                       max_position_embeddings=128, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)


from models.classifier import optimizer_step, quiet_transformers, steps_that_fit  # noqa: E402  (quiet_transformers: re-exported for the trainer)


def init_encoder(tokenizer_dir: Path | str, out_dir: Path | str, seed: int = 13, **config) -> Path:
    """A randomly initialised BERT (MLM head included) with the tokenizer beside it: the from-scratch base."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    quiet_transformers()
    torch.manual_seed(seed)
    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    cfg = BertConfig(vocab_size=len(tok), pad_token_id=tok.pad_token_id, **{**DEFAULT_ENCODER, **config})
    model = BertForMaskedLM(cfg)
    out = Path(out_dir)
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


def mask_tokens(input_ids, special_mask, mask_id: int, vocab_size: int, generator, probability: float = 0.15):
    """BERT masking: 15 % of non-special tokens are predicted; of those 80 % [MASK], 10 % random, 10 % kept."""
    import torch

    labels = input_ids.clone()
    prob = torch.full(labels.shape, probability)
    prob.masked_fill_(special_mask, 0.0)
    chosen = torch.bernoulli(prob, generator=generator).bool()
    labels[~chosen] = -100
    inputs = input_ids.clone()
    replace = torch.bernoulli(torch.full(labels.shape, 0.8), generator=generator).bool() & chosen
    inputs[replace] = mask_id
    rand = torch.bernoulli(torch.full(labels.shape, 0.5), generator=generator).bool() & chosen & ~replace
    inputs[rand] = torch.randint(vocab_size, labels.shape, generator=generator)[rand]
    return inputs, labels


def pretrain_mlm(
    base_dir: Path | str,
    texts: Sequence[str],
    out_dir: Path | str,
    steps: int = 6000,
    batch_size: int = 128,
    learning_rate: float = 5e-4,
    max_length: int = 128,
    seed: int = 13,
    device: str | None = None,
    max_seconds: float | None = None,
    log: Callable[[str], None] | None = print,
) -> Path:
    """Continue masked-LM training of the model in ``base_dir`` (e.g. from :func:`init_encoder`) on ``texts``.

    ``max_seconds``: after 20 steps the step count is cut (and the schedule with it) so the run ends
    within that time; the steps actually run are logged and stored in the saved config
    (``zhijian_pretrain_steps``) so the run can be repeated exactly.
    """
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM

    quiet_transformers()
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    random.seed(seed)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    tok = AutoTokenizer.from_pretrained(str(base_dir))
    model = BertForMaskedLM.from_pretrained(str(base_dir)).to(device)
    # Tokenise once; batches are drawn from length-sorted buckets so little is padding.
    enc = tok(list(texts), truncation=True, max_length=max_length, add_special_tokens=True)["input_ids"]
    enc = [ids for ids in enc if len(ids) > 3]
    order = sorted(range(len(enc)), key=lambda i: len(enc[i]))
    buckets = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    specials = set(tok.all_special_ids)
    opt = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01, betas=(0.9, 0.98))
    plan = {"steps": steps, "warmup": max(1, int(0.05 * steps))}

    def lr_factor(s: int) -> float:
        warmup, total = plan["warmup"], plan["steps"]
        return (s + 1) / warmup if s < warmup else max(0.0, (total - s) / max(1, total - warmup))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    rng = np.random.default_rng(seed)
    model.train()
    t0, running = time.time(), []
    use_amp = device.startswith("cuda")
    step = 0
    while step < plan["steps"]:
        # Time cap: after 20, 100 and 400 steps, fit the run to the pace so far (the warm-up with it, so
        # the learning rate still reaches its peak and decays to 0 within the steps that fit).
        fits = steps_that_fit(step, time.time() - t0, max_seconds, steps, min(21, steps))
        if fits is not None and fits != plan["steps"]:
            plan["steps"] = fits
            plan["warmup"] = max(1, min(int(0.05 * steps), int(0.05 * fits)))
            if log:
                log(f"pretrain: {steps} steps do not fit in {max_seconds:.0f}s at the pace of the first {step}; "
                    f"running {fits}")
        rows = [enc[i] for i in buckets[rng.integers(len(buckets))]]
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), tok.pad_token_id, dtype=torch.long)
        for r, seq in enumerate(rows):
            ids[r, :len(seq)] = torch.tensor(seq)
        attention = (ids != tok.pad_token_id).long()
        special = torch.zeros_like(ids, dtype=torch.bool)
        for sid in specials:
            special |= ids == sid
        inputs, labels = mask_tokens(ids, special, tok.mask_token_id, len(tok), gen)
        labels = labels.to(device)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
            hidden = model.bert(input_ids=inputs.to(device), attention_mask=attention.to(device)).last_hidden_state
            chosen = labels != -100
            # The vocabulary projection only where a token is predicted: ~7x less work than on every position.
            logits = model.cls(hidden[chosen])
        loss = torch.nn.functional.cross_entropy(logits.float(), labels[chosen])
        optimizer_step(loss, model, opt, sched)
        step += 1
        running.append(loss.item())
        if log and (step % 500 == 0 or step == plan["steps"]):
            loss = float(np.mean(running[-500:]))
            log(f"pretrain step {step}/{plan['steps']} mlm loss {loss:.3f} ppl {math.exp(min(loss, 20)):.1f} "
                f"({time.time() - t0:.0f}s)")
    model.to("cpu").eval()
    model.config.zhijian_pretrain_steps = plan["steps"]
    out_path = Path(out_dir)
    model.save_pretrained(str(out_path))
    tok.save_pretrained(str(out_path))
    return out_path
