"""ONNX Runtime backend for the BERT classifier: exported and int8-quantised once, never at each start.

Why: re-quantising the torch model at every start cost seconds (Hugging Face model build ~2 s plus
quantisation ~0.6–1.6 s on a busy machine); an ONNX Runtime session over an already quantised file
opens in a fraction of that, and runs the encoder at least as fast as torch's dynamic int8.

Where the file comes from, in order:
1. ``<model dir>/encoder-int8.onnx`` when it was exported from these very weights (its metadata
   ``weights_key`` equals :func:`weights_key` of the directory) — the shipped model carries one;
2. ``<cache>/<name>-<key>.onnx`` (``$XDG_CACHE_HOME/zhijian/onnx`` or ``~/.cache/zhijian/onnx``), written
   the first time a model without a matching file is loaded (``export_encoder``: the graph written
   from the weights by ``build_graph``, then quantised; needs ``onnx``, not torch);
3. otherwise the caller falls back to torch (``models.fast_encoder``).

The key hashes the weights, the config and ``EXPORT_RECIPE``, so a retrained model or a changed
recipe never reads a stale file. A classifier helper of ``models/``: never imports ``pipeline``.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
import warnings
from pathlib import Path

# Bump when the export or the quantisation below changes: every cached file is then re-made.
# v2: the last layer runs for the [CLS] position only (models.fast_encoder).
# v3: the graph is written from the weights in standard operators (build_graph), not traced from torch.
EXPORT_RECIPE = "graph-v3-qkv3-cls-last/opset17/ort-dynamic-qint8"
SHIPPED_FILE = "encoder-int8.onnx"


def available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def weights_key(directory: str | Path, quantize: bool = True) -> str:
    h = hashlib.sha256()
    for name in ("model.safetensors", "config.json"):
        with open(Path(directory) / name, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    h.update(f"{EXPORT_RECIPE}|{'int8' if quantize else 'fp32'}".encode())
    return h.hexdigest()[:20]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zhijian" / "onnx"


def build_graph(directory: str | Path, config: dict | None = None):
    """The encoder as an ONNX graph of standard operators, written straight from ``model.safetensors``
    (the arithmetic of ``models.fast_encoder``'s module, fp32 logits equal within ~1e-5).

    Why not ``torch.onnx.export`` of that module: the export's scaled-dot-product attention becomes
    ~25 small operators per layer (a 5-D Split of the fused Q/K/V output, its Squeeze/Transpose per part, a
    boolean mask turned into -inf by Where/IsNaN, a scale by Sqrt and Div), and those cost about as much
    as the layer's GEMMs at chat-turn length. Here each layer is what ONNX Runtime runs well on CPU:
    - Q, K and V as three MatMuls over the same input (quantised once for the three; each projection
      then has its own int8 weight scale) — no Split, and the last layer's Q for the [CLS] row alone;
    - 1/sqrt(head size) folded into Q's weights and bias (1/8 for 64: a power of two, exact);
    - one additive padding mask (batch, 1, 1, keys) for every layer: 0 for a token, -10000 for padding
      (exp underflows to exactly 0, as -inf gave);
    - GELU as x·½·(1 + erf(x/√2)), which ONNX Runtime fuses into its own Gelu kernel;
    - residual Add then LayerNormalization (see ``open_session`` for why they stay two operators);
    - every text one segment: token type 0's embedding row is added into the position table.
    ONNX Runtime's contrib Attention / SkipLayerNormalization / EmbedLayerNormalization (what
    ``onnxruntime.transformers.optimizer`` would fuse to) were measured slower on this CPU build: with
    them the int8 encoder cost 0.61–0.64 CPU s per 1,000 texts against 0.54 for the old export."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    from models.fast_encoder import SUPPORTED_ACTS, read_config

    config = config or read_config(directory)
    sd = load_file(str(Path(directory) / "model.safetensors"))
    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    head_dim, eps = hidden // heads, float(config.get("layer_norm_eps", 1e-12))
    layers, p = int(config["num_hidden_layers"]), "bert."
    inits: dict[str, object] = {}
    nodes: list = []

    def const(name: str, value, dtype=np.float32) -> str:
        if name not in inits:
            inits[name] = numpy_helper.from_array(np.ascontiguousarray(np.asarray(value, dtype=dtype)), name)
        return name

    def op(kind: str, inputs: list[str], name: str, **attrs) -> str:
        nodes.append(helper.make_node(kind, inputs, [name], name=name, **attrs))
        return name

    def linear(x: str, weight, bias, name: str) -> str:  # torch's Linear: x @ W.T + b
        return op("Add", [op("MatMul", [x, const(f"{name}.weight", weight.T)], f"{name}.MatMul"),
                          const(f"{name}.bias", bias)], f"{name}.Add")

    def layer_norm(x: str, prefix: str, name: str) -> str:
        return op("LayerNormalization", [x, const(f"{name}.weight", sd[prefix + "LayerNorm.weight"]),
                                         const(f"{name}.bias", sd[prefix + "LayerNorm.bias"])], name, axis=-1, epsilon=eps)

    one, zero_1, one_1 = const("one", 1.0), const("zero_1", [0], np.int64), const("one_1", [1], np.int64)
    # embeddings: word + (position + token type 0), LayerNorm
    emb = sd[p + "embeddings.position_embeddings.weight"] + sd[p + "embeddings.token_type_embeddings.weight"][0]
    tokens = op("Slice", [op("Shape", ["input_ids"], "shape"), one_1, const("two_1", [2], np.int64)], "tokens")
    x = op("Add", [op("Gather", [const("word", sd[p + "embeddings.word_embeddings.weight"]), "input_ids"], "word_rows"),
                   op("Slice", [const("position", emb), zero_1, tokens], "position_rows")], "embed_sum")
    x = layer_norm(x, p + "embeddings.", "embed_norm")
    mask = op("Cast", ["attention_mask"], "mask_float", to=TensorProto.FLOAT)
    mask = op("Mul", [op("Sub", [mask, one], "mask_pad"), const("mask_value", 10000.0)], "mask_add")
    mask = op("Unsqueeze", [mask, const("axes_1_2", [1, 2], np.int64)], "mask")  # (batch, 1, 1, keys)
    scale = 1.0 / np.sqrt(head_dim)
    split_heads, merge_heads = const("split_heads", [0, 0, heads, head_dim], np.int64), const("merge_heads", [0, 0, hidden], np.int64)
    for i in range(layers):
        src, name = f"{p}encoder.layer.{i}.", f"layer{i}"
        w = {k: sd[f"{src}attention.self.{k}.weight"] for k in ("query", "key", "value")}
        b = {k: sd[f"{src}attention.self.{k}.bias"] for k in ("query", "key", "value")}
        keys = op("Transpose", [op("Reshape", [linear(x, w["key"], b["key"], f"{name}.key"), split_heads], f"{name}.key.heads")],
                  f"{name}.key.T", perm=[0, 2, 3, 1])  # (batch, heads, head_dim, keys)
        values = op("Transpose", [op("Reshape", [linear(x, w["value"], b["value"], f"{name}.value"), split_heads],
                                     f"{name}.value.heads")], f"{name}.value.T", perm=[0, 2, 1, 3])
        if i == layers - 1:  # the pooler reads the last layer's [CLS] row only: queries and the rest for it alone
            x = op("Slice", [x, zero_1, one_1, one_1], f"{name}.cls")
        q = linear(x, w["query"] * scale, b["query"] * scale, f"{name}.query")
        q = op("Transpose", [op("Reshape", [q, split_heads], f"{name}.query.heads")], f"{name}.query.T", perm=[0, 2, 1, 3])
        scores = op("Add", [op("MatMul", [q, keys], f"{name}.scores"), mask], f"{name}.masked")
        context = op("MatMul", [op("Softmax", [scores], f"{name}.probs", axis=-1), values], f"{name}.context")
        context = op("Reshape", [op("Transpose", [context], f"{name}.context.T", perm=[0, 2, 1, 3]), merge_heads], f"{name}.context.merged")
        out = linear(context, sd[f"{src}attention.output.dense.weight"], sd[f"{src}attention.output.dense.bias"], f"{name}.attn_out")
        x = layer_norm(op("Add", [out, x], f"{name}.attn_res"), f"{src}attention.output.", f"{name}.attn_norm")
        h = linear(x, sd[f"{src}intermediate.dense.weight"], sd[f"{src}intermediate.dense.bias"], f"{name}.ffn_in")
        h = _gelu(op, const, h, SUPPORTED_ACTS[config["hidden_act"]], f"{name}.gelu")
        out = linear(h, sd[f"{src}output.dense.weight"], sd[f"{src}output.dense.bias"], f"{name}.ffn_out")
        x = layer_norm(op("Add", [out, x], f"{name}.ffn_res"), f"{src}output.", f"{name}.ffn_norm")
    pooled = op("Tanh", [linear(op("Squeeze", [x, one_1], "cls"), sd[p + "pooler.dense.weight"], sd[p + "pooler.dense.bias"], "pooler")], "pooled")
    logits = linear(pooled, sd["classifier.weight"], sd["classifier.bias"], "classifier")
    nodes.append(helper.make_node("Identity", [logits], ["logits"], name="logits"))
    graph = helper.make_graph(
        nodes, "bert_classifier",
        [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "tokens"]) for n in ("input_ids", "attention_mask")],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", int(sd["classifier.weight"].shape[0])])],
        list(inits.values()))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _gelu(op, const, x: str, approximate: str, name: str) -> str:
    """GELU in the pattern ONNX Runtime fuses: erf for ``gelu``, tanh for the ``gelu_new`` family."""
    import numpy as np

    if approximate == "none":
        e = op("Erf", [op("Div", [x, const("sqrt2", np.sqrt(2.0))], f"{name}.scaled")], f"{name}.erf")
    else:  # tanh(√(2/π)·(x + 0.044715·x³))
        cube = op("Mul", [op("Pow", [x, const("three", 3.0)], f"{name}.cube"), const("gelu_c", 0.044715)], f"{name}.cube_c")
        e = op("Tanh", [op("Mul", [op("Add", [x, cube], f"{name}.inner"), const("sqrt_2_pi", np.sqrt(2.0 / np.pi))],
                           f"{name}.inner_s")], f"{name}.tanh")
    return op("Mul", [op("Mul", [x, op("Add", [e, const("one", 1.0)], f"{name}.one_plus")], f"{name}.x_times"),
                      const("half", 0.5)], name)


def export_encoder(directory: str | Path, out: str | Path, quantize: bool = True, config: dict | None = None) -> Path:
    """Write the BERT classifier in ``directory`` as ONNX (:func:`build_graph`), int8 dynamic quantised
    when ``quantize``; the file records its :func:`weights_key`. Written atomically."""
    import onnx

    model = build_graph(directory, config)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".export-") as tmp:
        plain = Path(tmp) / "fp32.onnx"
        onnx.save(model, str(plain))
        final = plain
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            final = Path(tmp) / "int8.onnx"
            logging.disable(logging.WARNING)  # the quantiser logs advice on the root logger; not for a CLI run
            try:
                # every MatMul (and the word table's Gather), activations quantised per tensor at run time
                quantize_dynamic(str(plain), str(final), weight_type=QuantType.QInt8,
                                 extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
            finally:
                logging.disable(logging.NOTSET)
        model = onnx.load(str(final))
        onnx.helper.set_model_props(model, {"weights_key": weights_key(directory, quantize), "recipe": EXPORT_RECIPE})
        staged = Path(tmp) / "staged.onnx"
        onnx.save(model, str(staged))
        os.replace(staged, out)
    return out


class OnnxEncoder:
    """An ONNX Runtime session over the exported encoder: token ids → logits (numpy)."""

    backend = "onnxruntime"

    def __init__(self, session, quantized: bool, path: Path):
        self.session = session
        self.quantized = quantized
        self.path = path

    def __call__(self, input_ids, attention_mask):
        return self.session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask})[0]


def open_session(path: Path, threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    # No busy-waiting between ops: on a shared machine spinning threads steal the cores the rest of the
    # run (and other jobs) need; measured slower with 2 threads on a loaded 2-core machine.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    # ONNX Runtime would fuse each residual Add + LayerNormalization into its contrib
    # SkipLayerNormalization, whose CPU kernel (1.32) took 2.6 ms where Add + LayerNormalization take
    # 0.42 on one (89, 22, 256) batch, one thread: the fusion cost the encoder ~20 % of its CPU.
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"],
                                disabled_optimizers=["SkipLayerNormFusion"])


def load_encoder(directory: str | Path, threads: int, quantize: bool = True, name: str = "model",
                 export: bool = True) -> OnnxEncoder | None:
    """The ONNX Runtime encoder for ``directory``: its shipped file, a cached one, or one exported now
    into the cache (``export``); None when onnxruntime (or, to export, onnx) is missing."""
    if not available():
        return None
    key = weights_key(directory, quantize)
    candidates = [Path(directory) / SHIPPED_FILE] if quantize else []
    cached = cache_dir() / f"{name}-{key}.onnx"
    candidates.append(cached)
    for path in candidates:
        if path.is_file():
            session = open_session(path, threads)
            if session.get_modelmeta().custom_metadata_map.get("weights_key") == key:
                return OnnxEncoder(session, quantize, path)
    if not export or importlib.util.find_spec("onnx") is None:
        return None
    try:
        export_encoder(directory, cached, quantize)
    except OSError:  # a read-only home: export into a private temporary place for this process
        cached = export_encoder(directory, Path(tempfile.mkdtemp(prefix="zhijian-onnx-")) / cached.name, quantize)
    return OnnxEncoder(open_session(cached, threads), quantize, cached)


def main(argv: list[str] | None = None) -> int:
    """Write ``DIR/encoder-int8.onnx`` for a saved BERT classifier (how the shipped model got its file)."""
    import argparse

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("model_dir")
    a = ap.parse_args(argv)
    out = export_encoder(a.model_dir, Path(a.model_dir) / SHIPPED_FILE, quantize=True)
    print(f"{out} ({out.stat().st_size / 2**20:.1f} MiB, weights_key {weights_key(a.model_dir)})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
