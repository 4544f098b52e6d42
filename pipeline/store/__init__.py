"""The result store: messages, conversations, results, quarantine, corrections, run log.

    from pipeline.store import Store
    store = Store("sqlite:///out/qa.db")   # or postgresql://…; created if absent

- schema.py: the tables, the timestamp type (naive UTC in, aware out), URL → engine.
- rows.py: domain objects ↔ table rows.
- repository.py: `Store`, which speaks rows and domain objects only. Which correction wins
  and how it changes a result is pipeline/corrections.py; the results-contract object is
  pipeline/results.py (`result_row_to_contract`, re-exported here for readers of stored rows).
"""
from pipeline.errors import StoreError, StoreUnavailable
from pipeline.results import result_row_to_contract
from pipeline.store.repository import QuarantineEntry, Store
from pipeline.store.schema import engine_url, metadata, safe_url

__all__ = [
    "QuarantineEntry",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "engine_url",
    "metadata",
    "result_row_to_contract",
    "safe_url",
]
