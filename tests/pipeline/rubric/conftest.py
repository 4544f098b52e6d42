from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.rubric import load_rubric

REPO = Path(__file__).resolve().parents[3]
DEFAULT_RUBRIC = REPO / "rubrics" / "default.yaml"
GOLDEN = REPO / "tests" / "golden" / "rubric"


@pytest.fixture(scope="session")
def rubric():
    return load_rubric(DEFAULT_RUBRIC)


@pytest.fixture(scope="session")
def rubric_lexicon_only():
    return load_rubric(DEFAULT_RUBRIC, similarity=False)
