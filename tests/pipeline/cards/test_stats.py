import math

import pytest

from pipeline.cards.stats import Rate, percentile, sample_std, wilson_interval


@pytest.mark.parametrize("k,n,low,high", [
    # reference values: Wilson score interval, z = 1.96 (e.g. Newcombe 1998, Table I; R binom::binom.wilson)
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
    (5, 10, 0.2366, 0.7634),
    (1, 20, 0.0089, 0.2361),
    (81, 263, 0.2553, 0.3662),
])
def test_wilson_interval_reference_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=5e-4)
    assert hi == pytest.approx(high, abs=5e-4)


def test_wilson_interval_stays_inside_0_1_and_contains_the_rate():
    for n in (1, 2, 5, 19, 20, 100):
        for k in range(n + 1):
            lo, hi = wilson_interval(k, n)
            assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_interval_no_sample_and_bad_input():
    assert wilson_interval(0, 0) == (None, None)
    r = Rate.of(0, 0)
    assert (r.rate, r.n, r.ci_low, r.ci_high) == (None, 0, None, None)
    with pytest.raises(ValueError, match="0 ≤ successes ≤ n"):
        wilson_interval(3, 2)


def test_percentile_matches_numpy_linear():
    np = pytest.importorskip("numpy")
    values = [12.0, 40.5, 3.0, 300.0, 301.0, 55.0, 8.0]
    for q in (0, 10, 50, 90, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert percentile([], 50) is None
    assert sample_std([1.0]) is None
    assert sample_std([1.0, 3.0]) == pytest.approx(math.sqrt(2))
