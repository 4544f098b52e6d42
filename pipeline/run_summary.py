"""What one nightly run reports: `RunSummary`, its counts and the contract's summary line.

Its own module so pipeline/scoring.py (the run's steps) stays one concern; scoring re-exports it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["RunSummary"]


@dataclass
class RunSummary:
    run_id: str
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    conversations: int = 0  # conversations in the input files (= objects in the results file)
    flagged: int = 0
    scored: int = 0  # scored this run
    reused: int = 0  # unchanged since an earlier run under the same rubric+model: read back from the store
    scoring_errors: int = 0
    notes: int = 0  # kept rows with a value dropped or cut (store table ingest_notes; not in the contract's summary line)
    status: str = "ok"  # ok | partial (some conversations failed to score) | failed
    store_url: str = ""
    results_path: str | None = None
    rubric_version: str | None = None
    model_version: str | None = None
    flagged_conversations: list[tuple[str, list[str]]] = field(default_factory=list)  # (id, flag codes)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (conversation_id, stage, error)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def summary_line(self) -> str:
        """The contract's machine-readable last line of `zhijian score`."""
        return (
            f"summary: read={self.read} stored={self.stored} duplicates={self.duplicates} "
            f"quarantined={self.quarantined} conversations={self.conversations} flagged={self.flagged}"
        )
