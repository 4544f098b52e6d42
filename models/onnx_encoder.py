"""ONNX Runtime backend for the BERT classifier: exported and int8-quantised once, never at each start.

Why: re-quantising the torch model at every start cost seconds (Hugging Face model build ~2 s plus
quantisation ~0.6–1.6 s on a busy machine); an ONNX Runtime session over an already quantised file
opens in a fraction of that, and runs the encoder at least as fast as torch's dynamic int8.

Where the file comes from, in order:
1. ``<model dir>/encoder-int8.onnx`` when it was exported from these very weights (its metadata
   ``weights_key`` equals :func:`weights_key` of the directory) — the shipped model carries one;
2. ``<cache>/<name>-<key>.onnx`` (``$XDG_CACHE_HOME/zhijian/onnx`` or ``~/.cache/zhijian/onnx``), written
   the first time a model without a matching file is loaded (``export_encoder``; needs ``onnx``);
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
EXPORT_RECIPE = "fast_encoder-v2-cls-last/opset17/ort-dynamic-qint8"
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


def export_encoder(directory: str | Path, out: str | Path, quantize: bool = True, config: dict | None = None) -> Path:
    """Export the BERT classifier in ``directory`` (via ``models.fast_encoder``) to ONNX, int8 dynamic
    quantised when ``quantize``; the file records its :func:`weights_key`. Written atomically."""
    import onnx
    import torch

    from models.fast_encoder import load_module, read_config

    config = config or read_config(directory)
    module = load_module(directory, config)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".export-") as tmp:
        plain = Path(tmp) / "fp32.onnx"
        example = (torch.tensor([[2, 5, 6, 3], [2, 7, 3, 0]]), torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, example, str(plain), dynamo=False, opset_version=17,
                              input_names=["input_ids", "attention_mask"], output_names=["logits"],
                              dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                            "attention_mask": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}})
        final = plain
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            final = Path(tmp) / "int8.onnx"
            logging.disable(logging.WARNING)  # the quantiser logs advice on the root logger; not for a CLI run
            try:
                quantize_dynamic(str(plain), str(final), weight_type=QuantType.QInt8)
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
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


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
