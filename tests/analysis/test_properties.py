"""Properties every interval must have, checked on generated inputs."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import (
    DESIGN_METHODS,
    SRS_METHODS,
    difference_confint,
    domain_proportions,
    funnel_limits,
    proportion_confint,
    pvalues_adjust,
)

# Modest example counts keep the whole analysis suite well under 30 s.
FAST = settings(max_examples=60, deadline=None)
ALPHA = st.floats(0.001, 0.2)


@st.composite
def count_and_nobs(draw):
    n = draw(st.integers(1, 2000))
    return draw(st.integers(0, n)), n


@st.composite
def clustered_sample(draw):
    """Per-cluster (n, sum_w, sum_wy) for one domain, weights constant within a cluster."""
    k = draw(st.integers(2, 12))
    n = np.array(draw(st.lists(st.integers(1, 30), min_size=k, max_size=k)), dtype=float)
    frac = np.array(draw(st.lists(st.floats(0, 1), min_size=k, max_size=k)))
    w = np.array(draw(st.lists(st.floats(0.5, 50), min_size=k, max_size=k)))
    y = np.round(frac * n)
    return n, w * n, w * y


def _check_interval(estimate, lower, upper):
    assert 0.0 <= lower <= upper <= 1.0
    assert lower - 1e-12 <= estimate <= upper + 1e-12


@FAST
@given(count_and_nobs(), ALPHA, st.sampled_from(SRS_METHODS))
def test_srs_interval_contains_estimate_within_unit_interval(xn, alpha, method):
    r = proportion_confint(*xn, alpha=alpha, method=method)
    _check_interval(float(r.estimate), float(r.lower), float(r.upper))


@FAST
@given(count_and_nobs(), ALPHA, ALPHA, st.sampled_from(SRS_METHODS))
def test_srs_interval_narrows_as_alpha_grows(xn, a1, a2, method):
    small, large = sorted((a1, a2))
    wide = proportion_confint(*xn, alpha=small, method=method)
    narrow = proportion_confint(*xn, alpha=large, method=method)
    assert float(wide.lower) <= float(narrow.lower) + 1e-12
    assert float(narrow.upper) <= float(wide.upper) + 1e-12


@FAST
@given(clustered_sample(), ALPHA, st.sampled_from(DESIGN_METHODS))
def test_design_interval_contains_estimate_within_unit_interval(sample, alpha, method):
    n, sw, swy = sample
    r = domain_proportions(np.zeros(len(n)), np.arange(len(n)), n, sw, swy, alpha=alpha, method=method)
    _check_interval(r.estimate[0], r.lower[0], r.upper[0])


@FAST
@given(clustered_sample(), ALPHA, ALPHA, st.sampled_from(DESIGN_METHODS))
def test_design_interval_narrows_as_alpha_grows(sample, a1, a2, method):
    n, sw, swy = sample
    small, large = sorted((a1, a2))
    args = (np.zeros(len(n)), np.arange(len(n)), n, sw, swy)
    wide = domain_proportions(*args, alpha=small, method=method)
    narrow = domain_proportions(*args, alpha=large, method=method)
    assert wide.lower[0] <= narrow.lower[0] + 1e-12
    assert narrow.upper[0] <= wide.upper[0] + 1e-12


@FAST
@given(count_and_nobs(), count_and_nobs(), ALPHA)
def test_difference_interval_contains_difference(a, b, alpha):
    r = difference_confint(a[0], a[1], b[0], b[1], alpha=alpha)
    assert -1.0 <= float(r.lower) <= float(r.difference) <= float(r.upper) <= 1.0
    assert 0.0 <= float(r.p_value) <= 1.0


@FAST
@given(st.floats(0, 1), st.lists(st.integers(1, 3000), min_size=1, max_size=20))
def test_funnel_limits_bracket_the_target(target, n):
    f = funnel_limits(target, n)
    assert np.all(f.lower_998 <= f.lower_95 + 1e-12)
    assert np.all(f.upper_95 <= f.upper_998 + 1e-12)
    # Interpolation puts the centre at target - 0.5/n (see funnel_limits).
    centre = target - 0.5 / np.asarray(n)
    assert np.all(f.lower_95 <= np.maximum(centre, 0) + 1e-12)
    assert np.all(f.upper_95 >= np.minimum(centre, 1) - 1e-12)


@FAST
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_adjusted_pvalues_are_no_smaller_and_bh_is_no_larger_than_holm(p):
    holm, bh = pvalues_adjust(p, "holm"), pvalues_adjust(p, "bh")
    assert np.all(holm >= np.asarray(p) - 1e-15)
    assert np.all(bh >= np.asarray(p) - 1e-15)
    assert np.all(bh <= holm + 1e-15)
