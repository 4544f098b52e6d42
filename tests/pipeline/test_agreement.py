"""The trust page's arithmetic on a small case worked out by hand (the arithmetic is in the comments)."""
from __future__ import annotations

import pytest

from pipeline.agreement import Stratum, cohen_kappa, confusion, estimated_recall, precision_recall, wilson

# Ten reviewed criterion results, (machine, reviewer):
#   fail/fail ×3, fail/pass ×1, pass/fail ×2, pass/pass ×4
PAIRS = [("fail", "fail")] * 3 + [("fail", "pass")] + [("pass", "fail")] * 2 + [("pass", "pass")] * 4


def test_confusion_kappa_precision_recall_by_hand():
    matrix = confusion(PAIRS, ("pass", "fail", "na"))
    # rows: machine pass / fail / na; columns: reviewer pass / fail / na
    assert matrix == [[4, 2, 0], [1, 3, 0], [0, 0, 0]]
    # p_o = (4 + 3) / 10 = 0.7
    # machine marginals: pass 6/10, fail 4/10; reviewer marginals: pass 5/10, fail 5/10
    # p_e = 0.6·0.5 + 0.4·0.5 = 0.5
    # κ = (0.7 − 0.5) / (1 − 0.5) = 0.4
    assert cohen_kappa(matrix) == pytest.approx(0.4)
    # positive = fail: precision = 3 / (3 + 1) = 0.75, recall = 3 / (3 + 2) = 0.6
    assert precision_recall(PAIRS, "fail") == pytest.approx((0.75, 0.6))


def test_kappa_is_undefined_when_both_raters_used_one_label_only():
    # p_e = 1·1 = 1: κ = 0/0, shown as "—", not as perfect agreement
    assert cohen_kappa([[5, 0], [0, 0]]) is None
    assert cohen_kappa([[0, 0], [0, 0]]) is None
    assert precision_recall([("pass", "pass")], "fail") == (None, None)


def test_confusion_refuses_an_unknown_label():
    with pytest.raises(ValueError, match="'maybe' is not one of pass, fail"):
        confusion([("pass", "maybe")], ("pass", "fail"))


def test_wilson_by_hand():
    # k = 2, n = 10, z = 1.96: p = 0.2, z² = 3.8416, z²/n = 0.38416, denominator 1.38416
    # centre = (0.2 + 3.8416/20) / 1.38416 = 0.39208 / 1.38416 = 0.283262
    # half   = 1.96 · √(0.2·0.8/10 + 3.8416/400) / 1.38416 = 1.96 · √0.025604 / 1.38416
    #        = 1.96 · 0.160012 / 1.38416 = 0.226581
    # → [0.056681, 0.509843]
    low, high = wilson(2, 10, 1.96)
    assert low == pytest.approx(0.056681, abs=1e-6) and high == pytest.approx(0.509843, abs=1e-6)
    assert wilson(0, 0) == (0.0, 1.0)  # nothing reviewed: nothing known
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0


def test_recall_from_the_flagged_reviews_and_the_calibration_sample_by_hand():
    # One flag code. Flagged stratum: 100 conversations, the machine raised this code on 80
    # (40 reviewed, the reviewer agrees on 30) and not on 20 (flagged for something else;
    # 10 reviewed, the reviewer adds the code on 2). Unflagged stratum: 900 conversations, none
    # raised (the machine cannot have), 20 in the calibration sample, the reviewer raises it on 1.
    strata = [
        Stratum("flagged", population=100, machine_positive=80, reviewed_positive=40, confirmed=30,
                reviewed_negative=10, missed=2),
        Stratum("unflagged", population=900, machine_positive=0, reviewed_positive=0, confirmed=0,
                reviewed_negative=20, missed=1),
    ]  # fmt: skip
    est = estimated_recall(strata)
    # caught = 80 · 30/40 = 60
    # missed = 20 · 2/10 + 900 · 1/20 = 4 + 45 = 49
    # recall = 60 / 109 = 0.550459   (counted over the reviewed items only it would be 30/33 = 0.909)
    assert (est.caught, est.missed) == pytest.approx((60, 49))
    assert est.recall == pytest.approx(0.550459, abs=1e-6)
    # Interval: k = 3 rates (80 positive, 20 and 900 negative; the empty part adds none),
    # z = Φ⁻¹(1 − 0.05/6) = Φ⁻¹(0.991667) = 2.393980, z² = 5.731139.
    # Wilson(30, 40): z²/n = 0.143278, d = 1.143278, centre = (0.75 + 5.731139/80)/d = 0.821639/1.143278 = 0.718669,
    #   half = 2.393980·√(0.75·0.25/40 + 5.731139/6400)/d = 2.393980·√0.005582/1.143278 = 0.156459 → [0.562210, 0.875129]
    # Wilson(2, 10): z²/n = 0.573114, d = 1.573114, centre = (0.2 + 0.286557)/d = 0.309295,
    #   half = 2.393980·√(0.016 + 0.014328)/1.573114 = 2.393980·0.174148/1.573114 = 0.265021 → [0.044274, 0.574317]
    # Wilson(1, 20): z²/n = 0.286557, d = 1.286557, centre = (0.05 + 0.143278)/d = 0.150229,
    #   half = 2.393980·√(0.002375 + 0.003582)/1.286557 = 2.393980·0.077181/1.286557 = 0.143616 → [0.006613, 0.293846]
    # caught: 80·0.562210 = 44.976800 … 80·0.875129 = 70.010320
    # missed: 20·0.044274 + 900·0.006613 = 0.885480 + 5.951700 = 6.837180
    #      … 20·0.574317 + 900·0.293846 = 11.486340 + 264.461400 = 275.947740
    # low  = 44.976800 / (44.976800 + 275.947740) = 0.140148
    # high = 70.010320 / (70.010320 + 6.837180) = 0.911030
    assert est.low == pytest.approx(0.140148, abs=2e-6) and est.high == pytest.approx(0.911030, abs=2e-6)
    assert est.confidence == pytest.approx(0.95)


def test_recall_without_any_positive_is_unknown_and_bad_counts_are_refused():
    nothing = estimated_recall([Stratum("unflagged", 50, 0, 0, 0, 10, 0)])
    assert (nothing.recall, nothing.low, nothing.high) == (None, None, None)
    with pytest.raises(ValueError, match="stratum flagged"):
        estimated_recall([Stratum("flagged", 10, 5, 6, 1, 0, 0)])  # 6 reviewed of 5
