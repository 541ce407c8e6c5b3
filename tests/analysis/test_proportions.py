"""SRS proportion intervals against statsmodels' proportion_confint."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.proportion import proportion_confint as sm_confint

from analysis import SRS_METHODS, proportion_confint

# Our method name -> statsmodels' name for the same interval.
STATSMODELS_NAME = {
    "wilson": "wilson",
    "clopper-pearson": "beta",
    "exact": "beta",
    "jeffreys": "jeffreys",
    "agresti-coull": "agresti_coull",
}

CASES = [
    (0, 1),
    (1, 1),
    (0, 10),
    (10, 10),
    (1, 10),
    (9, 10),
    (3, 7),
    (0, 250),
    (1, 250),
    (17, 40),
    (249, 250),
    (500, 1000),
    (2, 3),
]


@pytest.mark.parametrize("method", SRS_METHODS)
@pytest.mark.parametrize(("count", "nobs"), CASES)
@pytest.mark.parametrize("alpha", [0.05, 0.10, 0.002])
def test_matches_statsmodels(method, count, nobs, alpha):
    ours = proportion_confint(count, nobs, alpha=alpha, method=method)
    low, upp = sm_confint(count, nobs, alpha=alpha, method=STATSMODELS_NAME[method])
    if method == "jeffreys":
        # statsmodels 0.15 leaves out the Brown-Cai-DasGupta boundary
        # modification that we apply (checked in test_jeffreys_boundaries).
        low = 0.0 if count == 0 else low
        upp = 1.0 if count == nobs else upp
    assert_allclose([float(ours.lower), float(ours.upper)], [low, upp], rtol=0, atol=1e-12)
    assert float(ours.estimate) == pytest.approx(count / nobs)


@pytest.mark.parametrize("method", SRS_METHODS)
def test_zero_and_all_events_give_one_sided_bounds(method):
    none = proportion_confint(0, 20, method=method)
    every = proportion_confint(20, 20, method=method)
    assert float(none.lower) == 0.0
    assert 0.0 < float(none.upper) < 0.3
    assert float(every.upper) == 1.0
    assert 0.7 < float(every.lower) < 1.0


def test_jeffreys_boundaries():
    r = proportion_confint([0, 5], [5, 5], method="jeffreys")
    assert r.lower[0] == 0.0
    assert r.upper[1] == 1.0


def test_clopper_pearson_zero_events_rule_of_three():
    # With no events in n, the one-sided 97.5% bound is 1 - 0.025**(1/n).
    r = proportion_confint(0, 100, method="clopper-pearson")
    assert float(r.upper) == pytest.approx(1 - 0.025 ** (1 / 100), abs=1e-12)


@pytest.mark.parametrize("method", SRS_METHODS)
def test_no_observations_gives_nan_without_warnings(method):
    r = proportion_confint(0, 0, method=method)
    assert np.isnan(r.estimate) and np.isnan(r.lower) and np.isnan(r.upper)


def test_broadcasts_over_units_and_criteria():
    count = np.array([[0, 5, 10], [1, 2, 3]])
    r = proportion_confint(count, 10)
    assert r.lower.shape == r.upper.shape == r.estimate.shape == (2, 3)
    assert_allclose(r.estimate, count / 10)


def test_scalar_input_gives_zero_dimensional_arrays():
    r = proportion_confint(3, 10)
    assert isinstance(r.lower, np.ndarray) and r.lower.shape == ()


def test_effective_counts_are_accepted():
    r = proportion_confint(12.5, 40.2)
    assert 0 < float(r.lower) < 12.5 / 40.2 < float(r.upper) < 1


@pytest.mark.parametrize("method", ["wald", "normal", "Wilson", "wil", "beta"])
def test_unknown_method_is_an_error(method):
    with pytest.raises(ValueError, match="unknown method"):
        proportion_confint(1, 10, method=method)


@pytest.mark.parametrize(("count", "nobs"), [(-1, 10), (11, 10), (1, -2), (np.nan, 3)])
def test_impossible_counts_are_errors(count, nobs):
    with pytest.raises(ValueError):
        proportion_confint(count, nobs)


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5])
def test_alpha_outside_unit_interval_is_an_error(alpha):
    with pytest.raises(ValueError, match="alpha"):
        proportion_confint(1, 10, alpha=alpha)
