"""Customer texts the project trains on without labels and texts it only measures on, as files list them.

Shared by distillation (``models.distil``: transfer text) and shop adaptation (``models.adapt``: the
rehearsed register texts); its own module so that neither imports the other for them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Sequence

from models.base import normalize_text
from models.data import REPO_ROOT, _loose

# Texts the project measures on (never in a transfer set): turn and act sets, golden rubric sets.
MEASURED_GLOBS = ("data/heldout/*.tsv", "tests/golden/**/*.json", "tests/golden/**/*.jsonl")

# Customer text in the register the pipeline scores, unlabelled here: the state model's training turns
# (their ``text`` column) and the customer messages of the bundled synthetic sample nights.
CHAT_REGISTER_GLOBS = ("data/sentiment/chat_turns_context*.tsv", "data/sample/chats-*.jsonl")


def chat_register_texts(root: Path = REPO_ROOT, globs: Sequence[str] = CHAT_REGISTER_GLOBS) -> list[str]:
    """Customer texts of the files in ``globs``: a TSV's ``text`` column, a JSONL's customer messages."""
    out: list[str] = []
    for pattern in globs:
        for path in sorted(root.glob(pattern)):
            lines = path.read_text(encoding="utf-8").splitlines()
            if path.suffix == ".tsv" and lines:
                column = lines[0].split("\t").index("text")
                out += [parts[column] for parts in (l.split("\t") for l in lines[1:]) if len(parts) > column]
            elif path.suffix == ".jsonl":
                rows = (json.loads(l) for l in lines if l.strip())
                out += [r["text"] for r in rows if r.get("role") == "customer" and r.get("text")]
    return out


def measured_texts(root: Path = REPO_ROOT, globs: Sequence[str] = MEASURED_GLOBS) -> set[str]:
    """Every field of the measured files, in loose form (``models.data._loose``): TSV cells, JSON strings."""
    out: set[str] = set()
    for pattern in globs:
        for path in sorted(root.glob(pattern)):
            raw = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".tsv":
                fields = [cell for line in raw.splitlines() for cell in line.split("\t")]
            else:
                fields = [json.loads(f'"{m}"') for m in re.findall(r'"((?:[^"\\]|\\.)*)"', raw)]
            out |= {_loose(normalize_text(f)) for f in fields if len(f.strip()) >= 2}
    return out
