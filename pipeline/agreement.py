"""How far the machine agrees with the reviewers: plain functions over (machine, reviewer) label pairs.

The trust page (/agreement) and its tests call these; nothing here reads the store.

- `confusion(pairs, labels)`: machine label × reviewer label counts.
- `cohen_kappa(matrix)`: agreement beyond chance, (p_o − p_e) / (1 − p_e); None when p_e = 1
  (both raters gave one label only: κ is undefined, not 1).
- `precision_recall(pairs, positive)`: the machine against the reviewers for one positive label
  (a criterion's `fail`, a flag's `raised`): precision = both positive / machine positive, recall =
  both positive / reviewer positive; None when a denominator is 0.
- `wilson(k, n, z)`: Wilson score interval of a proportion (sane at k = 0 and small n, unlike the
  normal approximation).
- `estimated_recall(strata)`: recall over the whole population, not just the reviewed part.

Why `estimated_recall` is needed: reviewers read mostly flagged conversations, so a miss (the
reviewer says fail / raises a flag, the machine did not) is mostly seen where the machine had
already flagged something, and recall counted over the reviewed set is too high. The calibration
sample (pipeline/store/calibration.py) is a random sample of the *unflagged* conversations per
agent and day, reviewed blind. The population is split by how it was sampled (stratum h: flagged
by the machine, or not) and, inside each, by the machine's own label, which is known for every
conversation: M_h machine-positive, N_h − M_h machine-negative. From the reviewed ones:

    caught = Σ_h M_h · confirmed_h / reviewed⁺_h          (machine-positive the reviewer agrees with)
    missed = Σ_h (N_h − M_h) · missed_h / reviewed⁻_h     (machine-negative the reviewer calls positive)
    recall = caught / (caught + missed)

so one miss in a sample of 20 of 900 unflagged conversations counts as 45 misses, and a flag
the machine cannot have raised on an unflagged conversation (M_h = 0) adds exactly nothing to
`caught` rather than an uncertain zero. The assumption: within a stratum, the reviewed
conversations are a random choice (true of the calibration sample by construction; in the
flagged queue, true when reviewers work through it without picking).

The interval: each of the k rates (a part with M_h > 0 or N_h − M_h > 0) gets a Wilson interval
at the Bonferroni level z = Φ⁻¹(1 − α / (2k)) (a part with nothing reviewed: (0, 1), nothing
known), and the recall bounds take the extremes, caught_lo / (caught_lo + missed_hi) and
caught_hi / (caught_hi + missed_lo). All k rates lie in their intervals together with
probability ≥ 1 − α, so the recall interval covers at least 1 − α: conservative on purpose: a
shop should not read more trust into 20 reviews than they hold.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def confusion(pairs: Iterable[tuple[str, str]], labels: Sequence[str]) -> list[list[int]]:
    """matrix[i][j] = how many items the machine labelled labels[i] and the reviewer labels[j].

    A label outside `labels` is a ValueError: it would silently drop out of κ.
    """
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for machine, reviewer in pairs:
        if machine not in index or reviewer not in index:
            raise ValueError(f"label {machine if machine not in index else reviewer!r} is not one of {', '.join(labels)}")
        matrix[index[machine]][index[reviewer]] += 1
    return matrix


def cohen_kappa(matrix: Sequence[Sequence[int]]) -> float | None:
    """Cohen's κ of a square confusion matrix; None for no items or when chance agreement is 1."""
    n = sum(sum(row) for row in matrix)
    if n == 0:
        return None
    observed = sum(matrix[i][i] for i in range(len(matrix))) / n
    rows = [sum(row) / n for row in matrix]
    cols = [sum(matrix[i][j] for i in range(len(matrix))) / n for j in range(len(matrix))]
    expected = sum(r * c for r, c in zip(rows, cols))
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


def precision_recall(pairs: Iterable[tuple[str, str]], positive: str) -> tuple[float | None, float | None]:
    """(precision, recall) of the machine against the reviewer for the label `positive`."""
    both = machine_pos = reviewer_pos = 0
    for machine, reviewer in pairs:
        machine_pos += machine == positive
        reviewer_pos += reviewer == positive
        both += machine == positive and reviewer == positive
    return (both / machine_pos if machine_pos else None, both / reviewer_pos if reviewer_pos else None)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials; (0, 1) when n = 0 (nothing is known)."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"successes {k} must be between 0 and the trials {n}")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Stratum:
    """One sampling stratum (see the module docstring), split by the machine's label."""

    name: str  # "flagged" / "unflagged"
    population: int  # N_h: conversations in the period in this stratum
    machine_positive: int  # M_h: of them, the machine said positive (known for all, reviewed or not)
    reviewed_positive: int  # machine-positive ones reviewed
    confirmed: int  # … of which the reviewer says positive too
    reviewed_negative: int  # machine-negative ones reviewed
    missed: int  # … of which the reviewer says positive: the machine missed them


@dataclass(frozen=True)
class RecallEstimate:
    recall: float | None  # None: no reviewer-positive conversation estimated anywhere
    low: float | None
    high: float | None
    caught: float  # estimated reviewer-positive conversations the machine caught, population-wide
    missed: float  # … and missed
    confidence: float


def estimated_recall(strata: Sequence[Stratum], alpha: float = 0.05) -> RecallEstimate:
    """Population recall from stratified samples, with a conservative (Bonferroni + Wilson) interval.

    A part with conversations but nothing reviewed is left out of the point estimate and counts
    as (0, 1), nothing known, in the interval.
    """
    parts: list[tuple[int, int, int]] = []  # (population part, reviewed, reviewer-positive), caught parts first
    missed_parts: list[tuple[int, int, int]] = []
    for s in strata:
        negative = s.population - s.machine_positive
        if not (0 <= s.machine_positive <= s.population and 0 <= s.confirmed <= s.reviewed_positive <= s.machine_positive
                and 0 <= s.missed <= s.reviewed_negative <= negative):
            raise ValueError(f"stratum {s.name}: need confirmed ≤ reviewed⁺ ≤ machine-positive ≤ population and "
                             f"missed ≤ reviewed⁻ ≤ machine-negative, got {s}")  # fmt: skip
        if s.machine_positive:
            parts.append((s.machine_positive, s.reviewed_positive, s.confirmed))
        if negative:
            missed_parts.append((negative, s.reviewed_negative, s.missed))
    caught = sum(size * k / n for size, n, k in parts if n)
    missed = sum(size * k / n for size, n, k in missed_parts if n)
    if caught + missed == 0:
        return RecallEstimate(None, None, None, 0.0, 0.0, 1 - alpha)
    z = NormalDist().inv_cdf(1 - alpha / (2 * (len(parts) + len(missed_parts))))
    caught_lo = sum(size * wilson(k, n, z)[0] for size, n, k in parts)
    caught_hi = sum(size * wilson(k, n, z)[1] for size, n, k in parts)
    missed_lo = sum(size * wilson(k, n, z)[0] for size, n, k in missed_parts)
    missed_hi = sum(size * wilson(k, n, z)[1] for size, n, k in missed_parts)
    low = caught_lo / (caught_lo + missed_hi) if caught_lo + missed_hi > 0 else 0.0
    high = caught_hi / (caught_hi + missed_lo) if caught_hi + missed_lo > 0 else 1.0
    return RecallEstimate(caught / (caught + missed), low, high, caught, missed, 1 - alpha)


__all__ = ["RecallEstimate", "Stratum", "Z95", "cohen_kappa", "confusion", "estimated_recall", "precision_recall", "wilson"]
