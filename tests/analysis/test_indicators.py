"""Criterion rates, yes/no indicators and the element and overall indices."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis import (
    criterion_rates,
    domain_means,
    domain_proportions,
    incidence_rates,
    index_confint,
    proportion_confint,
    respondent_shares,
)


def test_criterion_rate_counts_four_and_five_among_valid_answers():
    r = criterion_rates([2, 3, 5, 20, 10], not_applicable=4)
    assert int(r.n_valid) == 40
    assert int(r.n_satisfied) == 30
    assert int(r.n_not_applicable) == 4
    assert float(r.rate) == 0.75
    assert_allclose(r.distribution, [0.05, 0.075, 0.125, 0.5, 0.25])
    wilson = proportion_confint(30, 40)
    assert float(r.lower) == float(wilson.lower) and float(r.upper) == float(wilson.upper)


def test_mean_score_and_its_standard_error():
    counts = [2, 3, 5, 20, 10]
    answers = np.repeat([1, 2, 3, 4, 5], counts)
    r = criterion_rates(counts)
    assert float(r.mean_score) == pytest.approx(answers.mean())
    assert float(r.mean_score_se) == pytest.approx(answers.std(ddof=1) / np.sqrt(answers.size))


def test_criterion_rates_vectorise_over_units_and_criteria():
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 30, size=(3, 4, 5))
    r = criterion_rates(counts, not_applicable=rng.integers(0, 5, size=(3, 4)), method="jeffreys")
    assert r.rate.shape == r.lower.shape == (3, 4)
    assert r.distribution.shape == (3, 4, 5)
    assert_allclose(r.rate, counts[..., 3:].sum(-1) / counts.sum(-1))


def test_satisfied_levels_come_from_the_instrument():
    r = criterion_rates([0, 0, 5, 3, 2], satisfied_levels=(5,))
    assert float(r.rate) == 0.2


def test_a_unit_with_only_not_applicable_answers():
    r = criterion_rates([0, 0, 0, 0, 0], not_applicable=7)
    assert int(r.n_valid) == 0 and int(r.n_not_applicable) == 7
    assert np.isnan(r.rate) and np.isnan(r.lower) and np.isnan(r.upper)
    assert np.all(np.isnan(r.distribution)) and np.isnan(r.mean_score)


@pytest.mark.parametrize(
    ("counts", "options"),
    [
        ([1, 2, 3, 4], {}),
        ([1, 2, 3, 4, 5], {"satisfied_levels": (6,)}),
        ([1, 2, 3, 4, 5], {"method": "wald"}),
    ],
)
def test_criterion_rates_reject_bad_input(counts, options):
    with pytest.raises(ValueError):
        criterion_rates(counts, **options)


def test_incidence_rate_excludes_refusals_from_the_denominator():
    r = incidence_rates(3, 97, 5)
    assert int(r.n) == 100 and int(r.n_yes) == 3 and int(r.n_refused) == 5
    assert float(r.rate) == 0.03
    assert float(r.lower) == pytest.approx(float(proportion_confint(3, 100).lower))


def test_no_informal_payment_reported_still_gives_an_upper_bound():
    r = incidence_rates([0, 0], [40, 400], method="clopper-pearson")
    assert_allclose(r.lower, 0.0)
    assert np.all(r.upper > 0) and r.upper[1] < r.upper[0]


def test_respondent_shares_follow_the_definitions():
    satisfied = [[2, 1], [0, 0], [0, 0]]
    answered = [[3, 1], [0, 2], [0, 0]]
    r = respondent_shares(satisfied, answered)
    assert_allclose(r.element, [[2 / 3, 1.0], [np.nan, 0.0], [np.nan, np.nan]])
    assert_allclose(r.overall, [5 / 6, 0.0, np.nan])
    # Element index: mean over the respondents who answered the element.
    assert_allclose(np.nanmean(r.element, axis=0), [2 / 3, 0.5])
    # Overall index: mean over respondents of their mean element share.
    assert np.nanmean(r.overall) == pytest.approx(5 / 12)


def test_respondent_shares_reject_impossible_counts():
    with pytest.raises(ValueError):
        respondent_shares([[2]], [[1]])


def test_design_index_from_cluster_sums_of_shares():
    # Shares per respondent -> cluster sums of w*s and w*s^2 -> same estimate
    # and SE as a mean; deff needs the squares, which a proportion call would
    # otherwise assume equal to the plain sums.
    rng = np.random.default_rng(3)
    cluster = np.repeat(np.arange(8), 6)
    share = rng.integers(0, 4, cluster.size) / 3
    w = rng.uniform(1, 3, cluster.size)
    sums = [np.bincount(cluster, v) for v in (np.ones_like(w), w, w * share, w * share**2)]
    ids = np.arange(8)
    dom = np.zeros(8, dtype=int)
    as_prop = domain_proportions(dom, ids, sums[0], sums[1], sums[2], sum_wy2=sums[3])
    as_mean = domain_means(dom, ids, sums[0], sums[1], sums[2], sum_wy2=sums[3])
    assert_allclose(as_prop.estimate, as_mean.estimate)
    assert_allclose(as_prop.se, as_mean.se)
    assert_allclose(as_prop.deff, as_mean.deff)
    assumed_binary = domain_proportions(dom, ids, sums[0], sums[1], sums[2])
    assert not np.allclose(assumed_binary.deff, as_mean.deff)


def test_index_confint_needs_two_respondents():
    r = index_confint([0, 1, 2], [0.0, 0.5, 1.0], [0.0, 0.25, 0.5])
    assert np.isnan(r.estimate[0]) and r.estimate[1] == 0.5
    assert np.all(np.isnan(r.lower[:2]))
    assert 0 <= r.lower[2] <= 0.5 <= r.upper[2] <= 1
