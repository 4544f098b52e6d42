"""Small, dependency-free statistics for the cards: every rate carries its n and a 95% Wilson interval."""
from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Rate:
    """A proportion with its sample size and 95% Wilson score interval (all None when n == 0)."""

    successes: int
    n: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None

    @classmethod
    def of(cls, successes: int, n: int) -> "Rate":
        low, high = wilson_interval(successes, n)
        return cls(successes, n, (successes / n) if n else None, low, high)


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float | None, float | None]:
    """95% Wilson score interval for successes/n; (None, None) when n == 0.

    Wilson rather than the normal approximation because agents' monthly samples are
    small and rates sit near 0 or 1, where p ± z·se leaves [0, 1].
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"wilson_interval: need 0 ≤ successes ≤ n, got successes={successes}, n={n}")
    if n == 0:
        return None, None
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends: no 1e-18 rounding dust
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default 'linear' method); None for no values."""
    if not values:
        return None
    xs = sorted(values)
    if len(xs) == 1:
        return float(xs[0])
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def sample_std(values: list[float]) -> float | None:
    """Sample standard deviation (ddof=1); None with fewer than two values."""
    if len(values) < 2:
        return None
    m = sum(values) / len(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))
