from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def empathy(rubric):
    """The default rubric's empathy criterion (the criterion files test it one rule at a time)."""
    return next(c for c in rubric.criteria if c.id == "empathy")
