"""Reliability flags and suppression."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from analysis import reliability_flags, values_suppress


def test_default_thresholds():
    r = reliability_flags([0, 4, 5, 29, 30, 500])
    assert_array_equal(r.reliable, [False, False, False, False, True, True])
    assert_array_equal(r.suppressed, [True, True, False, False, False, False])
    assert (r.reliable_min, r.disclosure_min) == (30, 5)
    assert_array_equal(r.n_eff, r.n)


def test_thresholds_are_parameters():
    r = reliability_flags([9, 10, 50], reliable_min=50, disclosure_min=10)
    assert_array_equal(r.reliable, [False, False, True])
    assert_array_equal(r.suppressed, [True, False, False])


def test_no_design_degrees_of_freedom_is_unreliable_whatever_n():
    r = reliability_flags([200, 200], n_eff=[35.5, 80.0], df=[0, 12])
    assert_array_equal(r.reliable, [False, True])
    assert_array_equal(r.n_eff, [35.5, 80.0])


def test_suppression_blanks_small_cells():
    out = values_suppress([0.5, 0.75, 1.0], [4, 5, 100])
    assert np.isnan(out[0]) and out[1] == 0.75 and out[2] == 1.0
    assert np.isnan(values_suppress(0.9, 2, disclosure_min=3))


@pytest.mark.parametrize("kwargs", [{"reliable_min": -1}, {"disclosure_min": -5}])
def test_negative_thresholds_are_errors(kwargs):
    with pytest.raises(ValueError):
        reliability_flags([10], **kwargs)


def test_negative_n_is_an_error():
    with pytest.raises(ValueError):
        reliability_flags([-1])
