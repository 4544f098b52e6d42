"""models/ is layered base → classifiers → loader: no import of pipeline, no import cycle.

Imports are read from the source (every ``import`` statement, also those inside functions), so a
lazy import cannot hide a cycle or an upward reach.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

MODELS = Path(__file__).resolve().parents[2] / "models"

# Which models modules each layer may import (the façade models.sentiment sits on top of everything).
ALLOWED = {
    "models.base": set(),
    "models.tokenizer": set(),
    "models.baseline": {"models.base"},
    # the classifier's inference runtimes (torch module, ONNX Runtime): below the classifier
    "models.fast_encoder": set(),
    "models.onnx_encoder": {"models.fast_encoder"},
    "models.classifier": {"models.base", "models.baseline", "models.fast_encoder", "models.onnx_encoder"},
    "models.loader": {"models.base", "models.baseline", "models.classifier"},
    "models.sentiment": {"models.base", "models.baseline", "models.classifier", "models.loader"},
}


def _imports(path: Path) -> set[str]:
    """Top-level package-qualified names this file imports (``from models.data import X`` → models.data)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from .data import X / from . import data
                base = "models" if node.level == 1 else ""
                mod = f"{base}.{node.module}" if node.module else base
                out.update({mod} if node.module else {f"models.{a.name}" for a in node.names})
            elif node.module == "models":
                out.update(f"models.{a.name}" for a in node.names)
            elif node.module:
                out.add(node.module)
    return out


def _graph() -> dict[str, set[str]]:
    return {
        f"models.{p.stem}": _imports(p)
        for p in sorted(MODELS.glob("*.py"))
        if p.stem != "__init__"
    }


def test_no_module_in_models_imports_pipeline_or_flows():
    upward = {
        mod: sorted(i for i in imports if i.split(".")[0] in ("pipeline", "flows"))
        for mod, imports in _graph().items()
    }
    assert {m: i for m, i in upward.items() if i} == {}


def test_models_has_no_import_cycle():
    found = _graph()
    graph = {mod: {i for i in imports if i in found} for mod, imports in found.items()}
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for mod in sorted(graph):
        if mod not in state:
            visit(mod, [mod])
    assert cycles == []


def test_layers_import_only_what_is_below_them():
    graph = _graph()
    for mod, allowed in ALLOWED.items():
        used = {i for i in graph[mod] if i.startswith("models.")}
        assert used <= allowed, f"{mod} imports {sorted(used - allowed)}: only {sorted(allowed)} lie below it"
    # nothing inside models/ goes through the façade
    assert [m for m, imports in graph.items() if "models.sentiment" in imports and m != "models.sentiment"] == []


def test_base_layer_and_the_conversation_load_nothing_heavy():
    """pipeline.conversation takes its label tuple from models.base: that must not pull in the ML stack."""
    code = (
        "import sys, models.base, pipeline.conversation; "
        "print(sorted(m for m in ('torch', 'transformers', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=MODELS.parent).stdout.strip()
    assert out == "[]"


def test_the_label_tuple_has_one_definition():
    from models.base import CLASSES, SENTIMENT_LABELS
    from pipeline.conversation import SENTIMENT_LABELS as pipeline_labels

    assert pipeline_labels is SENTIMENT_LABELS
    assert CLASSES == list(SENTIMENT_LABELS)
