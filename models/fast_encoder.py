"""The BERT classifier's forward pass for inference alone: a plain torch module (the runtime where
onnxruntime is missing; ``models.onnx_encoder.build_graph`` writes the same arithmetic as an ONNX graph).

Why not Hugging Face's own model at inference: building it costs ~2 s of start-up (the class, its
mask machinery, weight initialisation), its masks do not survive ONNX tracing (a traced graph keeps
the example's sequence length), and its three Q/K/V projections are three small GEMMs where one
does. This module is the same arithmetic — embeddings + LayerNorm, N post-LN layers of multi-head
self-attention (the scaled-dot-product kernel, padding masked) and a GELU feed-forward, the tanh
pooler on [CLS], the classifier — over the same weights, read straight from ``model.safetensors``.
``tests/models/test_fast_encoder.py`` checks its logits against ``AutoModelForSequenceClassification``.

The last layer runs for the [CLS] position only (``Layer.forward(..., cls_only=True)``): the classifier
reads nothing else, so the other positions' attention outputs, feed-forward and LayerNorms of that layer
were computed and thrown away. Its keys and values still come from every position (one Q/K/V GEMM, as
before). In fp32 the logits are the same (within 3e-7); int8 quantises the activations of the last
layer's projections over the [CLS] rows instead of every row of the batch, which moved probabilities by
at most 0.003 on 4,000 chat turns, no label, and saved 17 % of the encoder's CPU (the model card says how
it was measured).

Only the plain BERT layout is covered (``supports(config)``); any other encoder keeps the Hugging
Face model. A classifier helper of ``models/``: imports torch only, never ``pipeline``.
"""
from __future__ import annotations

import json
from pathlib import Path

SUPPORTED_ACTS = {"gelu": "none", "gelu_new": "tanh", "gelu_pytorch_tanh": "tanh"}


def supports(config: dict) -> bool:
    """Whether ``config.json`` describes a plain BERT sequence classifier this module reproduces."""
    return (config.get("model_type") == "bert"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and config.get("hidden_act") in SUPPORTED_ACTS
            and not config.get("is_decoder", False)
            and config.get("problem_type") in (None, "single_label_classification"))


def read_config(directory: str | Path) -> dict:
    path = Path(directory) / "config.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def build_module(config: dict, num_labels: int):
    """An uninitialised-weights module for ``config`` (load weights with :func:`load_module`)."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    head_dim = hidden // heads
    eps = float(config.get("layer_norm_eps", 1e-12))
    approximate = SUPPORTED_ACTS[config["hidden_act"]]

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(hidden, 3 * hidden)  # Q, K and V in one GEMM
            self.attn_out = nn.Linear(hidden, hidden)
            self.attn_norm = nn.LayerNorm(hidden, eps=eps)
            self.ffn_in = nn.Linear(hidden, int(config["intermediate_size"]))
            self.ffn_out = nn.Linear(int(config["intermediate_size"]), hidden)
            self.ffn_norm = nn.LayerNorm(hidden, eps=eps)

        def forward(self, x, mask, cls_only: bool = False):
            # cls_only: queries (and everything after attention) for position 0 alone; keys and values
            # for every position. The output then holds the [CLS] row only.
            b, s, _ = x.shape
            q, k, v = self.qkv(x).view(b, s, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
            if cls_only:
                q, x = q[:, :, :1], x[:, :1]
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            x = self.attn_norm(x + self.attn_out(a.transpose(1, 2).reshape(b, q.shape[2], hidden)))
            return self.ffn_norm(x + self.ffn_out(F.gelu(self.ffn_in(x), approximate=approximate)))

    class BertClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding(int(config["vocab_size"]), hidden)
            self.position = nn.Embedding(int(config["max_position_embeddings"]), hidden)
            self.token_type = nn.Embedding(int(config.get("type_vocab_size", 2)), hidden)
            self.embed_norm = nn.LayerNorm(hidden, eps=eps)
            self.layers = nn.ModuleList(Layer() for _ in range(int(config["num_hidden_layers"])))
            self.pooler = nn.Linear(hidden, hidden)
            self.classifier = nn.Linear(hidden, num_labels)

        def forward(self, input_ids, attention_mask):
            positions = torch.arange(input_ids.shape[1], device=input_ids.device)
            # every text is one segment: token type 0, as the tokenizer gives for a single text
            x = self.word(input_ids) + self.position(positions) + self.token_type.weight[0]
            x = self.embed_norm(x)
            # boolean mask (batch, 1, 1, keys): True where a key is a real token; padding is never attended to
            mask = (attention_mask > 0)[:, None, None, :]
            last = len(self.layers) - 1
            for i, layer in enumerate(self.layers):
                x = layer(x, mask, cls_only=i == last)  # the pooler reads the last layer's [CLS] row only
            return self.classifier(torch.tanh(self.pooler(x[:, 0])))

    return BertClassifier()


def load_module(directory: str | Path, config: dict | None = None):
    """The inference module with the weights of the saved Hugging Face BERT classifier in ``directory``."""
    import torch
    from safetensors.torch import load_file

    config = config or read_config(directory)
    sd = load_file(str(Path(directory) / "model.safetensors"))
    module = build_module(config, num_labels=int(sd["classifier.weight"].shape[0]))
    p = "bert."
    new = {
        "word.weight": sd[p + "embeddings.word_embeddings.weight"],
        "position.weight": sd[p + "embeddings.position_embeddings.weight"],
        "token_type.weight": sd[p + "embeddings.token_type_embeddings.weight"],
        "embed_norm.weight": sd[p + "embeddings.LayerNorm.weight"],
        "embed_norm.bias": sd[p + "embeddings.LayerNorm.bias"],
        "pooler.weight": sd[p + "pooler.dense.weight"],
        "pooler.bias": sd[p + "pooler.dense.bias"],
        "classifier.weight": sd["classifier.weight"],
        "classifier.bias": sd["classifier.bias"],
    }
    for i in range(len(module.layers)):
        src = f"{p}encoder.layer.{i}."
        for part in ("weight", "bias"):
            new[f"layers.{i}.qkv.{part}"] = torch.cat(
                [sd[f"{src}attention.self.{n}.{part}"] for n in ("query", "key", "value")])
            new[f"layers.{i}.attn_out.{part}"] = sd[f"{src}attention.output.dense.{part}"]
            new[f"layers.{i}.attn_norm.{part}"] = sd[f"{src}attention.output.LayerNorm.{part}"]
            new[f"layers.{i}.ffn_in.{part}"] = sd[f"{src}intermediate.dense.{part}"]
            new[f"layers.{i}.ffn_out.{part}"] = sd[f"{src}output.dense.{part}"]
            new[f"layers.{i}.ffn_norm.{part}"] = sd[f"{src}output.LayerNorm.{part}"]
    module.load_state_dict(new, strict=True)
    return module.eval()


def plan_batches(lengths, max_tokens: int, max_texts: int) -> list:
    """Split positions ``0..n-1`` of texts sorted by token length (ascending) into batches whose padded
    size (texts × longest) stays within ``max_tokens`` and ``max_texts``: long texts go in small
    batches, short ones in large, and a batch never pads a short text to a far longer one.
    Returns ``(start, end)`` pairs over the sorted order."""
    out, start, n = [], 0, len(lengths)
    while start < n:
        end = start + 1
        while end < n and end - start < max_texts and (end - start + 1) * int(lengths[end]) <= max_tokens:
            end += 1
        out.append((start, end))
        start = end
    return out


def pad_batch(rows: list[list[int]], pad_id: int):
    """Token-id rows → (input_ids, attention_mask) int64 arrays, right-padded to the longest row."""
    import numpy as np

    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    return ids, mask


class TorchEncoder:
    """Runs the inference module (int8 dynamic quantised on CPU when asked): token ids → logits (numpy)."""

    backend = "torch"

    def __init__(self, module, quantized: bool):
        self.module = module
        self.quantized = quantized

    def __call__(self, input_ids, attention_mask):
        import torch

        with torch.inference_mode():
            return self.module(torch.from_numpy(input_ids), torch.from_numpy(attention_mask)).float().numpy()


class HFEncoder:
    """Runs a Hugging Face ``AutoModelForSequenceClassification`` (any architecture, any device)."""

    backend = "transformers"

    def __init__(self, model, quantized: bool):
        self.model = model
        self.quantized = quantized

    def __call__(self, input_ids, attention_mask):
        import torch

        device = torch.device("cpu") if self.quantized else next(self.model.parameters()).device
        with torch.inference_mode():
            out = self.model(input_ids=torch.from_numpy(input_ids).to(device),
                             attention_mask=torch.from_numpy(attention_mask).to(device))
            return out.logits.float().cpu().numpy()
