"""Change between two periods: a rate's (Newcombe) and an index's (normal)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from ._common import check_alpha
from .proportions import proportion_confint

__all__ = ["DifferenceInterval", "difference_confint", "means_difference_confint"]


@dataclass(frozen=True, eq=False)
class DifferenceInterval:
    """Difference of two independent proportions, ``p1 - p2``.

    Attributes
    ----------
    difference, lower, upper : ndarray of float
        ``p1 - p2`` and Newcombe's hybrid score interval; NaN if a sample is empty.
    statistic, p_value : ndarray of float
        Pooled two-proportion z test of ``p1 == p2``.
    method : str
        ``"newcombe"``.
    alpha : float
    """

    difference: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    method: str
    alpha: float


def difference_confint(
    count1: ArrayLike,
    nobs1: ArrayLike,
    count2: ArrayLike,
    nobs2: ArrayLike,
    alpha: float = 0.05,
) -> DifferenceInterval:
    """Change between two independent samples: ``p1 - p2`` with an interval and test.

    Parameters
    ----------
    count1, nobs1 : array_like
        Events and trials in sample 1 (the current period).
    count2, nobs2 : array_like
        Events and trials in sample 2 (the previous period).
        Non-integer effective counts (``p_hat * n_eff``, ``n_eff``) may be
        passed for clustered data.
    alpha : float, default 0.05

    Returns
    -------
    DifferenceInterval

    Notes
    -----
    The interval is Newcombe's (1998) hybrid score interval, method 10:
    with Wilson limits ``(l_i, u_i)`` for each proportion,
    ``lower = d - sqrt((p1 - l1)**2 + (u2 - p2)**2)`` and
    ``upper = d + sqrt((u1 - p1)**2 + (p2 - l2)**2)``.

    The p-value is the pooled two-proportion z test (chi-square test without
    continuity correction); it is 1 when both samples are all events or all
    non-events. Near the 5% boundary the test and the interval can disagree:
    use the interval for a verdict that matches the figure shown.
    """
    alpha = check_alpha(alpha)
    x1, n1, x2, n2 = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (count1, nobs1, count2, nobs2)))
    ci1 = proportion_confint(x1, n1, alpha=alpha, method="wilson")
    ci2 = proportion_confint(x2, n2, alpha=alpha, method="wilson")
    p1, p2 = ci1.estimate, ci2.estimate
    diff = p1 - p2
    lower = diff - np.sqrt((p1 - ci1.lower) ** 2 + (ci2.upper - p2) ** 2)
    upper = diff + np.sqrt((ci1.upper - p1) ** 2 + (p2 - ci2.lower) ** 2)

    both = (n1 > 0) & (n2 > 0)
    n_total = np.where(both, n1 + n2, 1.0)
    pooled = np.where(both, (x1 + x2) / n_total, 0.0)
    se = np.sqrt(pooled * (1 - pooled) * (1 / np.where(both, n1, 1.0) + 1 / np.where(both, n2, 1.0)))
    statistic = np.where(se > 0, diff / np.where(se > 0, se, 1.0), 0.0)
    statistic = np.where(both, statistic, np.nan)
    p_value = 2 * stats.norm.sf(np.abs(statistic))
    return DifferenceInterval(diff, lower, upper, statistic, p_value, "newcombe", alpha)


def means_difference_confint(
    estimate1: ArrayLike,
    se1: ArrayLike,
    estimate2: ArrayLike,
    se2: ArrayLike,
    alpha: float = 0.05,
) -> DifferenceInterval:
    """Change between two independent estimates from their standard errors.

    For indices (means of shares or of rates), where Newcombe's interval
    for proportions does not apply: ``d = estimate1 - estimate2`` with the
    normal interval ``d -/+ z * sqrt(se1**2 + se2**2)`` and the matching
    two-sided z test.

    Parameters
    ----------
    estimate1, se1 : array_like
        The current period's estimate and its (design-based) standard error.
    estimate2, se2 : array_like
        The previous period's.
    alpha : float, default 0.05

    Returns
    -------
    DifferenceInterval
        ``method == "normal"``. NaN where an estimate or SE is NaN. Where
        both SEs are 0 the interval is the point and the p-value is 1 for
        no change, 0 otherwise.
    """
    alpha = check_alpha(alpha)
    e1, s1, e2, s2 = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (estimate1, se1, estimate2, se2)))
    if np.any(s1 < 0) or np.any(s2 < 0):
        raise ValueError("standard errors must be non-negative")
    diff = e1 - e2
    se = np.hypot(s1, s2)
    z = stats.norm.isf(alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(se > 0, diff / np.where(se > 0, se, 1.0), np.where(diff == 0, 0.0, np.inf * np.sign(diff)))
    p_value = np.where(np.isnan(diff) | np.isnan(se), np.nan, 2 * stats.norm.sf(np.abs(statistic)))
    return DifferenceInterval(diff, diff - z * se, diff + z * se, statistic, p_value, "normal", alpha)
