"""Change between periods for indices, and rank ranges (analysis.compare)."""

import math

import numpy as np
import pytest

from analysis import means_difference_confint, ranks_interval


def test_means_difference_against_hand_computation():
    # d = 0.8 - 0.7 = 0.1, se = hypot(0.03, 0.04) = 0.05, z(0.975) = 1.959963984540054
    # p = 2 * (1 - Phi(2)) = 0.0455002638963584 (R: 2 * pnorm(-2))
    d = means_difference_confint(0.8, 0.03, 0.7, 0.04)
    assert float(d.difference) == pytest.approx(0.1)
    assert float(d.lower) == pytest.approx(0.1 - 1.959963984540054 * 0.05, abs=1e-12)
    assert float(d.upper) == pytest.approx(0.1 + 1.959963984540054 * 0.05, abs=1e-12)
    assert float(d.p_value) == pytest.approx(0.0455002638963584, rel=1e-10)
    assert d.method == "normal"


def test_means_difference_without_variance():
    same = means_difference_confint(0.5, 0.0, 0.5, 0.0)
    assert float(same.p_value) == 1.0 and float(same.lower) == float(same.upper) == 0.0
    moved = means_difference_confint(0.6, 0.0, 0.5, 0.0)
    assert float(moved.p_value) == 0.0
    missing = means_difference_confint(np.nan, 0.1, 0.5, 0.1)
    assert math.isnan(float(missing.p_value)) and math.isnan(float(missing.lower))
    with pytest.raises(ValueError):
        means_difference_confint(0.5, -0.1, 0.5, 0.1)


def test_ranks_interval_counts_units_wholly_above_and_below():
    # A [0.80, 0.90] B [0.70, 0.85] C [0.50, 0.60] D no estimate E no interval at 0.65
    est = [0.85, 0.78, 0.55, np.nan, 0.65]
    lower = [0.80, 0.70, 0.50, np.nan, np.nan]
    upper = [0.90, 0.85, 0.60, np.nan, np.nan]
    r = ranks_interval(est, lower, upper)
    assert r.rank[[0, 1, 4, 2]].tolist() == [1, 2, 3, 4]
    assert np.isnan(r.rank[3]) and np.isnan(r.best[3])
    # A: nobody wholly above; below A: C and E (0.65 < 0.80) -> worst 4 - 2 = 2
    assert (r.best[0], r.worst[0]) == (1, 2)
    # B overlaps A; E (0.65) and C lie below -> 1..2
    assert (r.best[1], r.worst[1]) == (1, 2)
    # E: A and B wholly above, C wholly below -> 3..3
    assert (r.best[4], r.worst[4]) == (3, 3)
    # C: three above -> 4..4
    assert (r.best[2], r.worst[2]) == (4, 4)


def test_ranks_interval_empty_and_ties():
    empty = ranks_interval([], [], [])
    assert len(empty.rank) == 0
    tied = ranks_interval([0.5, 0.5], [0.4, 0.4], [0.6, 0.6])
    assert tied.rank.tolist() == [1, 2] and tied.best.tolist() == [1, 1] and tied.worst.tolist() == [2, 2]
