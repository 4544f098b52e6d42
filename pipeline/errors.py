"""The project's error hierarchy: every error a user can meet says what happened and what to do.

Callers decide by type or by `retryable`, never by an error's text: the Prefect flow retries a
task only when the error (or its cause) is retryable, e.g. a store that could not be reached.

    ZhijianError                 what happened — what to do
    ├── RunError                 the run cannot happen as asked (inputs, rubric, model, mapping, settings)
    └── StoreError               the store cannot be used
        └── StoreUnavailable     it could not be reached right now (retryable)
"""
from __future__ import annotations


class ZhijianError(Exception):
    """An error for a person: `str(err)` is "what happened — what to do" (one line where possible)."""

    retryable: bool = False

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class RunError(ZhijianError):
    """The run could not happen (no inputs, unreadable store, invalid rubric or model); says what to fix."""


class StoreError(ZhijianError):
    """The store cannot be opened or used; the message says what to check."""


class StoreUnavailable(StoreError):
    """The store could not be reached (network, lock, server down): worth retrying."""

    retryable = True


def is_retryable(err: BaseException | None) -> bool:
    """True when err, or an error it was raised from, says it is worth retrying."""
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if getattr(err, "retryable", False):
            return True
        err = err.__cause__ or err.__context__
    return False
