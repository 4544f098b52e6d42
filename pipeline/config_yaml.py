"""The one YAML loader for every configuration file the product reads (rubric, column mapping, card tiers).

A configuration file may come from anyone who can pass `--mapping` or `--rubric`, so it is
treated as hostile input:

- a size cap (`MAX_CONFIG_BYTES`, 4 MiB: the default rubric is ~80 KB);
- YAML's safe subset only (yaml.SafeLoader: no Python objects, nothing executed);
- anchors and aliases are allowed (a rubric may share a lexicon between criteria) but the
  document, with every alias expanded, must stay under `MAX_EXPANDED_NODES` nodes, and an
  alias may not contain itself. A "billion laughs" document (nine aliases of nine aliases …)
  is a few hundred bytes that PyYAML loads as shared references in milliseconds, and it is
  the code that walks the result (validation, copies, hashing) that then grows to gigabytes.
  Counting the expanded size on the composed node graph (memoised: linear in the file) refuses
  it before any of that, whereas refusing aliases outright would also refuse sensible files.

Errors are yaml.MarkedYAMLError subclasses with the line and column of the node that went
over the budget, so each caller reports them as it reports a YAML syntax error.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = ["MAX_CONFIG_BYTES", "MAX_EXPANDED_NODES", "ConfigTooLarge", "safe_load", "check_config_size"]

MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000


class ConfigTooLarge(yaml.MarkedYAMLError):
    """The document is too big, expands too far through aliases, or nests too deeply."""


def check_config_size(path: str | Path) -> None:
    """Raise ConfigTooLarge before reading a file over MAX_CONFIG_BYTES (a missing file is the caller's error)."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return
    if size > MAX_CONFIG_BYTES:
        raise ConfigTooLarge(
            problem=f"the file is {size:,} bytes, over the {MAX_CONFIG_BYTES:,}-byte limit for a configuration "
            f"file — is this the right file?"
        )


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that measures the composed document, aliases expanded, before building any object."""

    def construct_document(self, node: Node) -> Any:
        _expanded_size(node)
        return super().construct_document(node)


def _expanded_size(root: Node) -> int:
    """Nodes in the document with every alias expanded; ConfigTooLarge over the budget or on a self-containing alias."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            raise ConfigTooLarge(problem="an alias refers to a node that contains it (a recursive document) — "
                                 "write the value out instead", problem_mark=node.start_mark)  # fmt: skip
        on_path.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_NODES:
                raise ConfigTooLarge(
                    problem=f"with its aliases (*name) expanded this document has over {MAX_EXPANDED_NODES:,} "
                    f"values (a 'billion laughs' document?) — write the values out, or use fewer aliases",
                    problem_mark=node.start_mark,
                )
        on_path.discard(key)
        sizes[key] = total
        return total

    return size(root)


def safe_load(text: str | bytes) -> Any:
    """yaml.safe_load with the size cap and the alias-expansion budget; errors are yaml.YAMLError."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigTooLarge(problem=f"the document is over the {MAX_CONFIG_BYTES:,}-byte limit for a configuration file")
    try:
        return yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise ConfigTooLarge(problem="the document nests too deeply — flatten it") from None
