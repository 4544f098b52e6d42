from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def empathy(rubric):
    """The default rubric's empathy criterion (the criterion files test it one rule at a time)."""
    return next(c for c in rubric.criteria if c.id == "empathy")


@pytest.fixture(scope="module")
def commitment(rubric):
    """The default rubric's time_commitment criterion."""
    return next(c for c in rubric.criteria if c.id == "time_commitment")


@pytest.fixture(scope="module")
def listening(rubric):
    """active_listening with the kind model off: the word rule's own reading (the lst12 / lst13 files test it)."""
    crit = next(c for c in rubric.criteria if c.id == "active_listening")
    params = crit.params.model_copy(update={"kinds": crit.params.kinds.model_copy(update={"enabled": False})})
    return type(crit)(crit.id, crit.max_points, params)
