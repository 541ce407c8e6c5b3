"""The interval helpers shared by every estimator, and their conventions."""

import numpy as np
import pytest
from scipy import stats

from analysis import design_confint, domain_means, mean_confint, moments_estimate, n_eff_floor
from analysis.intervals import deff1_mask


def test_mean_confint_is_the_t_interval_clipped_to_the_unit_interval():
    lower, upper = mean_confint([0.5, 0.97, 0.02], [0.1, 0.02, 0.02], [4, 9, 9])
    half = stats.t.ppf(0.975, [4, 9, 9]) * np.array([0.1, 0.02, 0.02])
    np.testing.assert_allclose(lower, [0.5 - half[0], 0.97 - half[1], 0.0])
    np.testing.assert_allclose(upper, [0.5 + half[0], 1.0, 0.02 + half[2]])


def test_mean_confint_unbounded_for_scores():
    lower, upper = mean_confint(4.2, 0.5, 10, bounded=False)
    half = stats.t.ppf(0.975, 10) * 0.5
    assert float(lower) == pytest.approx(4.2 - half) and float(upper) == pytest.approx(4.2 + half)


def test_mean_confint_has_no_interval_without_degrees_of_freedom():
    lower, upper = mean_confint([0.6, 0.6], [0.05, np.nan], [0, 5])
    assert np.all(np.isnan(lower)) and np.all(np.isnan(upper))


def test_a_zero_se_gets_korn_graubard_with_deff_one():
    # Every cluster agrees: the t interval would have zero width.
    lower, upper = mean_confint([1.0, 0.75], [0.0, 1e-17], [4, 4], n=[20, 20])
    kg_lower, kg_upper = design_confint([1.0, 0.75], [0.0, 0.0], [20, 20], [4, 4])
    np.testing.assert_allclose(lower, kg_lower)
    np.testing.assert_allclose(upper, kg_upper)
    assert upper[0] == 1.0 and 0.6 < lower[0] < 0.9 and lower[1] < 0.75 < upper[1]
    assert deff1_mask([1.0, 0.75, 0.75], [0.0, 1e-17, 0.01], [20, 20, 20], [4, 4, 4]).tolist() == [True, True, False]
    # Without n the caller has no fallback: the interval stays at the point.
    lower, upper = mean_confint(1.0, 0.0, 4)
    assert float(lower) == float(upper) == 1.0


def test_korn_graubard_with_deff_one_is_clopper_pearson_on_the_df_adjusted_n():
    n, df, p = 20, 4, 0.0
    lower, upper = design_confint(p, 0.0, n, df)
    n_adj = n * (stats.t.ppf(0.025, n - 1) / stats.t.ppf(0.025, df)) ** 2
    assert float(lower) == 0.0
    assert float(upper) == pytest.approx(stats.beta.ppf(0.975, 1, n_adj))


def test_deff_floor_caps_the_korn_graubard_effective_size_at_n():
    # deff = 0.2: n_eff would be 5 n without the floor.
    n, p, df = 40, 0.8, 9
    se = np.sqrt(0.2 * p * (1 - p) / n)
    free = design_confint(p, se, n, df)
    floored = design_confint(p, se, n, df, deff_floor=True)
    srs_like = design_confint(p, np.sqrt(p * (1 - p) / n), n, df)
    assert floored[0] < free[0] and floored[1] > free[1]
    np.testing.assert_allclose(floored, srs_like)
    # A design effect above 1 is left alone.
    se = np.sqrt(2.0 * p * (1 - p) / n)
    np.testing.assert_allclose(design_confint(p, se, n, df, deff_floor=True), design_confint(p, se, n, df))


def test_n_eff_is_never_above_n():
    np.testing.assert_allclose(n_eff_floor([11, 100, 100, 50], [0.034, 2.0, 1.0, np.nan]), [11, 50, 100, np.nan])


def test_design_df_rule_uses_the_frame_df():
    # Unit A in two of six clusters: its own df is 1, the design's 5.
    r_dom = domain_means(["A", "A", "B", "B", "B", "B"], list("uvwxyz"), [5] * 6, [5.0] * 6, [3.0, 4, 2, 5, 1, 3])
    r_des = domain_means(
        ["A", "A", "B", "B", "B", "B"], list("uvwxyz"), [5] * 6, [5.0] * 6, [3.0, 4, 2, 5, 1, 3], df_rule="design"
    )
    assert r_dom.df.tolist() == r_des.df.tolist() == [1, 3]
    assert r_dom.interval_df.tolist() == [1, 3] and r_des.interval_df.tolist() == [5, 5]
    half = stats.t.ppf(0.975, 5) * r_des.se
    np.testing.assert_allclose(r_des.upper, r_des.estimate + half)
    with pytest.raises(ValueError, match="unknown method"):
        domain_means(["A"], ["u"], [1], [1.0], [1.0], df_rule="own")


def test_moments_design_df_overrides_each_domains_df():
    cols = dict(psu=[3, 4], occupied=[3, 4], n=[30, 40], w=[30, 40], y=[20, 30], ww=[300, 400],
                yy=[140, 230], wy=[200, 300], y2=[20, 30])  # fmt: skip
    own = moments_estimate(["a", "b"], **cols)
    design = moments_estimate(["a", "b"], **cols, design_df=5)
    assert own.interval_df.tolist() == [2, 3] and design.interval_df.tolist() == [5, 5]
    assert design.df.tolist() == [2, 3]
    assert np.all(design.upper - design.lower < own.upper - own.lower)
