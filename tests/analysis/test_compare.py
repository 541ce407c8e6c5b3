"""Multiplicity, unit verdicts, funnel limits and period change."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportions_ztest,
)

from analysis import (
    FunnelSignal,
    NotAssessed,
    Verdict,
    difference_confint,
    funnel_limits,
    funnel_signals,
    pvalues_adjust,
    units_compare,
)

P_VECTORS = [
    [0.01],
    [0.04, 0.01, 0.03, 0.02],
    [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
    [0.05, 0.05, 0.05, 0.01, 0.2, 0.2],
    [0.0, 1.0, 0.5, 0.0],
    list(np.random.default_rng(11).uniform(0, 0.2, 40)),
]


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
@pytest.mark.parametrize("pvalues", P_VECTORS)
def test_pvalues_adjust_matches_statsmodels(ours, theirs, pvalues):
    expected = multipletests(pvalues, method=theirs)[1]
    assert_allclose(pvalues_adjust(pvalues, ours), expected, rtol=0, atol=1e-15)


def test_untested_units_stay_nan_and_do_not_count():
    p = np.array([0.01, np.nan, 0.02, 0.04])
    adjusted = pvalues_adjust(p, "holm")
    assert np.isnan(adjusted[1])
    assert_allclose(adjusted[[0, 2, 3]], multipletests(p[[0, 2, 3]], method="holm")[1])
    assert_allclose(pvalues_adjust(p, "none"), p)


@pytest.mark.parametrize(("p", "method"), [([0.1, 1.2], "holm"), ([0.1], "bonferroni"), ([[0.1]], "holm")])
def test_pvalues_adjust_rejects_bad_input(p, method):
    with pytest.raises(ValueError):
        pvalues_adjust(p, method)


def test_verdict_values_are_stable_strings():
    assert [v.value for v in Verdict] == ["better", "not_distinguishable", "worse"]
    assert Verdict.BETTER == "better" and str(Verdict.WORSE) == "worse"


def test_units_compare_srs_is_the_one_sample_score_test():
    count, n, target = np.array([150, 130, 100]), np.array([200, 200, 200]), 0.6
    r = units_compare(count / n, target, n)
    for i in range(3):
        z, p = proportions_ztest(count[i], n[i], value=target, prop_var=target)
        assert r.statistic[i] == pytest.approx(z) and r.p_value[i] == pytest.approx(p)
    assert list(r.verdict) == [Verdict.BETTER, Verdict.NOT_DISTINGUISHABLE, Verdict.WORSE]
    assert_allclose(r.p_adjusted, multipletests(r.p_value, method="holm")[1])


def test_lower_is_better_for_harassment():
    r = units_compare([0.01, 0.30], 0.1, [300, 300], higher_is_better=False)
    assert list(r.verdict) == ["better", "worse"]


def test_design_based_comparison_uses_domain_se_and_t():
    r = units_compare([0.70, 0.50], 0.6, [80, 80], se=[0.04, 0.04], df=[5, 30])
    assert_allclose(r.statistic, [2.5, -2.5])
    assert_allclose(r.p_value, 2 * stats.t.sf(2.5, [5, 30]))


def test_zero_se_falls_back_to_the_null_se():
    # A unit where nobody was satisfied has a design SE of 0; it must not be
    # declared worse with an infinite statistic, nor skipped.
    r = units_compare([0.0], 0.3, [50], se=[0.0], df=[9])
    assert r.statistic[0] == pytest.approx(-0.3 / np.sqrt(0.3 * 0.7 / 50))
    assert r.verdict[0] is Verdict.WORSE


def test_units_without_data_or_df_are_not_tested():
    r = units_compare([0.9, np.nan, 0.9], 0.5, [100, 0, 100], se=[0.03, np.nan, 0.03], df=[10, 0, 0])
    assert np.isnan(r.p_value[1]) and np.isnan(r.p_value[2])
    # Not assessed: no verdict at all (it used to read "not distinguishable"), and the reason.
    assert list(r.verdict) == [Verdict.BETTER, None, None]
    assert list(r.not_assessed) == [None, NotAssessed.NO_ESTIMATE, NotAssessed.NO_DEGREES_OF_FREEDOM]
    assert r.p_adjusted[0] == pytest.approx(r.p_value[0])  # a family of one


def test_units_with_few_clusters_get_no_verdict_and_leave_the_family():
    # The demo commune: n = 11 in 3 clusters, a tiny SE and a "significant" difference.
    est, se, df, psu = [0.88, 0.60, 0.70], [0.01, 0.03, 0.03], [2, 30, 30], [3, 31, 31]
    r = units_compare(est, 0.75, [11, 300, 300], se=se, df=df, n_psu=psu)
    assert r.verdict[0] is None and r.not_assessed[0] is NotAssessed.TOO_FEW_CLUSTERS
    assert np.isnan(r.p_value[0]) and np.isnan(r.statistic[0])
    assert list(r.verdict[1:]) == [Verdict.WORSE, Verdict.NOT_DISTINGUISHABLE]
    assert list(r.not_assessed[1:]) == [None, None]
    # Holm over the two assessed units only.
    assert_allclose(r.p_adjusted[1:], multipletests(r.p_value[1:], method="holm")[1])
    every = units_compare(est, 0.75, [11, 300, 300], se=se, df=df)
    assert every.verdict[0] is Verdict.BETTER  # what the demo showed before
    loose = units_compare(est, 0.75, [11, 300, 300], se=se, df=df, n_psu=psu, min_clusters=3)
    assert loose.verdict[0] is Verdict.BETTER and loose.min_clusters == 3


@pytest.mark.parametrize("bad", [-1, 2.5, True])
def test_min_clusters_must_be_a_count(bad):
    with pytest.raises(ValueError, match="min_clusters"):
        units_compare([0.5], 0.5, [10], n_psu=[6], min_clusters=bad)


def test_funnel_signals_place_units_against_the_limits():
    target, n = 0.8, np.array([400, 400, 400, 400, 400, 11, 400, 0])
    limits = funnel_limits(target, [400])
    est = [
        target,
        (limits.upper_95[0] + limits.upper_998[0]) / 2,
        limits.upper_998[0] + 0.01,
        (limits.lower_95[0] + limits.lower_998[0]) / 2,
        limits.lower_998[0] - 0.01,
        0.99,
        np.nan,
        0.5,
    ]
    f = funnel_signals(target, est, n, n_psu=[40, 40, 40, 40, 40, 3, 40, 40])
    assert list(f.signal) == [
        FunnelSignal.WITHIN, FunnelSignal.ABOVE_95, FunnelSignal.ABOVE_998, FunnelSignal.BELOW_95,
        FunnelSignal.BELOW_998, None, None, None,
    ]  # fmt: skip
    assert list(f.not_assessed[5:]) == [NotAssessed.TOO_FEW_CLUSTERS, NotAssessed.NO_ESTIMATE, NotAssessed.NO_ESTIMATE]
    assert f.n.tolist() == n.tolist() and f.limits.upper_998[0] == pytest.approx(limits.upper_998[0])
    # Effective sizes are rounded, as the funnel plots them.
    assert funnel_signals(target, [0.8], [10.6]).n.tolist() == [11]


def test_funnel_signals_reject_bad_input():
    with pytest.raises(ValueError):
        funnel_signals(0.5, [[0.5]], [10])
    with pytest.raises(ValueError):
        funnel_signals(0.5, [0.5], [-1])
    with pytest.raises(ValueError):
        funnel_signals(1.5, [0.5], [10])


def test_bh_can_flag_more_units_than_holm():
    est = np.array([0.64, 0.645, 0.65, 0.6])
    n = np.full(4, 900)
    holm = units_compare(est, 0.6, n, correction="holm")
    bh = units_compare(est, 0.6, n, correction="bh")
    assert np.all(bh.p_adjusted <= holm.p_adjusted + 1e-15)
    assert sum(v == "better" for v in bh.verdict) >= sum(v == "better" for v in holm.verdict)


def test_funnel_limits_worked_example():
    # n = 10, target 0.5: P(R <= 7) = 968/1024, P(R <= 8) = 1013/1024, so the
    # 97.5% point is r = 8 with a = (1013/1024 - 0.975) / (45/1024).
    a = (1013 / 1024 - 0.975) / (45 / 1024)
    f = funnel_limits(0.5, [10])
    assert f.upper_95[0] == pytest.approx((8 - a) / 10, abs=1e-12)
    # 2.5% point: P(R <= 1) = 11/1024 < 0.025 <= P(R <= 2) = 56/1024.
    a = (56 / 1024 - 0.025) / (45 / 1024)
    assert f.lower_95[0] == pytest.approx((2 - a) / 10, abs=1e-12)


def test_funnel_limits_approach_normal_limits():
    # The interpolation spreads each binomial step over [r - 1, r], which
    # centres the limits at target - 0.5/n; at target 0.5 (no skew) they are
    # then the normal limits to within a small fraction of 1/n.
    n = np.array([2000, 10000])
    for target, tolerance in [(0.5, 0.05), (0.8, 2.0)]:
        f = funnel_limits(target, n)
        sd = np.sqrt(target * (1 - target) / n)
        centre = target - 0.5 / n
        for lower, upper, z in [(f.lower_95, f.upper_95, 1.959964), (f.lower_998, f.upper_998, 3.090232)]:
            assert_allclose(lower, centre - z * sd, atol=tolerance / n.min())
            assert_allclose(upper, centre + z * sd, atol=tolerance / n.min())


def test_funnel_limits_nest_and_narrow_with_n():
    n = np.arange(1, 400)
    f = funnel_limits(0.7, n)
    assert np.all(f.lower_998 <= f.lower_95) and np.all(f.upper_95 <= f.upper_998)
    assert np.all((f.lower_998 >= 0) & (f.upper_998 <= 1))
    assert f.upper_95[-1] - f.lower_95[-1] < f.upper_95[9] - f.lower_95[9]


def test_funnel_limits_edges():
    f = funnel_limits(0.0, [0, 10])
    assert np.isnan(f.lower_95[0]) and np.isnan(f.upper_998[0])
    assert f.lower_95[1] == 0.0 and f.upper_998[1] == 0.0
    with pytest.raises(ValueError):
        funnel_limits(0.5, [10.5])
    with pytest.raises(ValueError):
        funnel_limits(1.2, [10])


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10.
# (For 6/7 - 2/7 the value sometimes quoted, 0.0342 to 0.8423, is not the
# method-10 interval; direct computation and statsmodels both give
# 0.0582 to 0.8062.)
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_table_ii(counts, expected):
    r = difference_confint(*counts)
    assert_allclose([float(r.lower), float(r.upper)], expected, atol=5e-5)


@pytest.mark.parametrize("counts", [(12, 40, 30, 41), (3, 400, 9, 380), (7, 7, 1, 9), (0, 5, 5, 5)])
def test_difference_matches_statsmodels_newcomb_and_ztest(counts):
    r = difference_confint(*counts)
    low, upp = confint_proportions_2indep(*counts, method="newcomb")
    assert_allclose([float(r.lower), float(r.upper)], [low, upp], atol=1e-12)
    z, p = proportions_ztest(counts[0::2], counts[1::2])
    assert float(r.statistic) == pytest.approx(z) and float(r.p_value) == pytest.approx(p)


def test_difference_with_no_change_possible_and_empty_period():
    r = difference_confint([0, 0], [10, 0], [0, 2], [20, 10])
    assert r.p_value[0] == 1.0 and r.statistic[0] == 0.0
    assert np.isnan(r.difference[1]) and np.isnan(r.lower[1]) and np.isnan(r.p_value[1])
