"""The awkward inputs a real province produces: nobody, one person, unanimity."""

import numpy as np
import pytest

from analysis import (
    criterion_rates,
    design_frame,
    design_proportion,
    domain_proportions,
    reliability_flags,
)

EMPTY = np.array([], dtype=float)


def test_no_responses_at_all():
    srs = criterion_rates(np.zeros(5, dtype=int))
    assert int(srs.n_valid) == 0 and np.isnan(srs.rate) and np.isnan(srs.upper)
    design = design_proportion(np.array([], dtype=str), EMPTY, EMPTY, EMPTY)
    assert design.n == 0 and np.isnan(design.estimate) and np.isnan(design.upper)
    flags = reliability_flags([srs.n_valid, design.n])
    assert flags.suppressed.all() and not flags.reliable.any()


def test_a_single_response():
    srs = criterion_rates([0, 0, 0, 1, 0])
    assert float(srs.rate) == 1.0 and float(srs.upper) == 1.0
    assert 0.0 < float(srs.lower) < 0.25  # Wilson for 1/1: about 0.21
    assert np.isnan(srs.mean_score_se)
    design = design_proportion(["c1"], [1], [2.5], [2.5])
    assert design.estimate == 1.0 and design.df == 0
    assert np.isnan(design.lower) and np.isnan(design.upper)
    assert reliability_flags(1, df=design.df).suppressed


def test_everyone_satisfied():
    srs = criterion_rates([0, 0, 0, 10, 30])
    assert float(srs.rate) == 1.0 and float(srs.upper) == 1.0 and 0.85 < float(srs.lower) < 1.0
    clusters = np.arange(6)
    n = np.full(6, 7.0)
    design = design_proportion(clusters, n, n, n)
    # R gives NaN here; we fall back to Korn-Graubard with deff = 1.
    assert design.se == 0.0 and design.upper == 1.0 and 0.5 < design.lower < 1.0
    assert design.deff1_interval  # flagged: the interval is Korn-Graubard with deff 1
    assert np.isnan(design.deff) and np.isnan(design.n_eff)


def test_nobody_satisfied_still_has_an_upper_bound():
    srs = criterion_rates([10, 20, 10, 0, 0])
    assert float(srs.rate) == 0.0 and float(srs.lower) == 0.0 and 0.0 < float(srs.upper) < 0.15
    n = np.full(6, 7.0)
    design = design_proportion(np.arange(6), n, n, np.zeros(6))
    assert design.lower == 0.0 and 0.0 < design.upper < 0.5


def test_one_cluster_has_no_degrees_of_freedom():
    # 100 answers from one service point on one day: the design carries no
    # information about between-cluster variation, so no interval, and the
    # flag says unreliable although n >= 30.
    r = design_proportion(["only"], [100], [100.0], [70.0])
    assert r.n == 100 and r.df == 0 and r.estimate == 0.7
    assert np.isnan(r.lower) and np.isnan(r.upper)
    assert not reliability_flags(r.n, df=r.df).reliable


def test_a_unit_with_only_not_applicable_answers_in_the_design():
    # A LEFT JOIN brings the unit in with zero valid answers.
    frame = design_frame(["c1", "c2", "c3"])
    r = domain_proportions(
        ["A", "A", "B"], ["c1", "c2", "c3"], [5, 6, 0], [5.0, 6.0, 0.0], [4.0, 3.0, 0.0], frame=frame
    )
    b = list(r.domain).index("B")
    assert r.n[b] == 0 and np.isnan(r.estimate[b]) and np.isnan(r.se[b])
    assert np.isnan(r.lower[b]) and r.df[b] == 0 and r.n_psu[b] == 0
    assert reliability_flags(r.n, df=r.df).suppressed[b]


def test_unknown_cluster_is_an_error():
    frame = design_frame(["c1", "c2"])
    with pytest.raises(ValueError, match="not in the design frame"):
        domain_proportions(["A"], ["c9"], [1], [1.0], [1.0], frame=frame)


def test_proportion_outcome_larger_than_weight_is_an_error():
    with pytest.raises(ValueError, match="sum_wy"):
        domain_proportions(["A", "A"], ["c1", "c2"], [1, 1], [1.0, 1.0], [2.0, 0.0])


@pytest.mark.parametrize("method", ["wilson", "mean", "Beta"])
def test_unknown_design_method_is_an_error(method):
    with pytest.raises(ValueError, match="unknown method"):
        domain_proportions(["A", "A"], ["c1", "c2"], [1, 1], [1.0, 1.0], [1.0, 0.0], method=method)


def test_rows_must_name_strata_when_the_frame_has_them():
    frame = design_frame(["c1", "c2"], ["S1", "S2"])
    with pytest.raises(ValueError, match="stratum"):
        domain_proportions(["A"], ["c1"], [1], [1.0], [1.0], frame=frame)
