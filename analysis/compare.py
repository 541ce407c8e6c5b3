"""Comparisons: units against the overall rate, multiplicity, period change.

Funnel limits and signals are in :mod:`analysis.funnel`.

A unit surveyed in few clusters (service point × day) gets its figures and
intervals, but no better/worse verdict and no funnel signal: with fewer than
``min_clusters`` (default 5) PSUs the design variance rests on a handful of
cluster totals, a design effect far below 1 is common by chance, and the
test's nominal level does not hold (``docs/method.md``, coverage by number
of clusters). Such units are "not assessed" and say why
(:class:`NotAssessed`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from ._common import check_alpha, check_method

__all__ = [
    "ADJUST_METHODS",
    "MIN_CLUSTERS",
    "NotAssessed",
    "UnitComparison",
    "Verdict",
    "pvalues_adjust",
    "units_compare",
]

#: Multiplicity corrections accepted by :func:`pvalues_adjust`.
ADJUST_METHODS = ("holm", "bh", "none")
#: Fewest PSUs (clusters) for a verdict or a funnel signal, by default.
MIN_CLUSTERS = 5


class Verdict(enum.StrEnum):
    """A unit compared with the overall rate. The string values are stable
    (stored, exported, used as CSS classes)."""

    BETTER = "better"
    NOT_DISTINGUISHABLE = "not_distinguishable"
    WORSE = "worse"


class NotAssessed(enum.StrEnum):
    """Why a unit got no verdict or funnel signal (stable strings, for renderers)."""

    #: no estimate (no valid answer, or suppressed by the caller), or
    #: nothing to test it with (a standard error of 0 against a target of 0 or 1)
    NO_ESTIMATE = "no_estimate"
    #: fewer PSUs (clusters) than ``min_clusters``
    TOO_FEW_CLUSTERS = "too_few_clusters"
    #: no design degrees of freedom (df < 1), so no reference distribution
    NO_DEGREES_OF_FREEDOM = "no_degrees_of_freedom"


@dataclass(frozen=True, eq=False)
class UnitComparison:
    """Each unit tested against a target (usually the overall rate).

    Attributes
    ----------
    statistic : ndarray of float
        ``(estimate - target) / se``; NaN where the unit was not tested.
    p_value : ndarray of float
        Two-sided p-value; NaN where not tested (no data, or df < 1).
    p_adjusted : ndarray of float
        After the multiplicity correction over the tested units.
    verdict : ndarray of Verdict or None (dtype object)
        Significantly better, not distinguishable, or significantly worse;
        None where the unit was not assessed.
    not_assessed : ndarray of NotAssessed or None (dtype object)
        Why a unit was not assessed; None where it was.
    correction : str
    alpha : float
    min_clusters : int
    """

    statistic: np.ndarray
    p_value: np.ndarray
    p_adjusted: np.ndarray
    verdict: np.ndarray
    not_assessed: np.ndarray
    correction: str
    alpha: float
    min_clusters: int


def pvalues_adjust(pvalues: ArrayLike, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple testing.

    Parameters
    ----------
    pvalues : array_like, 1-D
        Raw p-values. NaN entries (untested units) stay NaN and do not count
        towards the number of tests.
    method : {"holm", "bh", "none"}, default "holm"
        ``"holm"``: Holm's step-down (family-wise error rate).
        ``"bh"``: Benjamini-Hochberg step-up (false discovery rate).

    Returns
    -------
    ndarray of float
        Adjusted p-values, same order as the input, capped at 1.
    """
    method = check_method(method, ADJUST_METHODS)
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ValueError("pvalues must be one-dimensional")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    out = p.copy()
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if method == "none" or m == 0:
        return out
    order = tested[np.argsort(p[tested], kind="stable")]
    ranked = p[order]
    rank = np.arange(1, m + 1)
    if method == "holm":
        adjusted = np.maximum.accumulate(np.minimum(1.0, (m - rank + 1) * ranked))
    else:
        adjusted = np.minimum.accumulate(np.minimum(1.0, m / rank * ranked)[::-1])[::-1]
    out[order] = adjusted
    return out


def units_compare(
    estimate: ArrayLike,
    target: float,
    n: ArrayLike,
    *,
    se: ArrayLike | None = None,
    df: ArrayLike | None = None,
    n_psu: ArrayLike | None = None,
    min_clusters: int = MIN_CLUSTERS,
    higher_is_better: bool = True,
    correction: str = "holm",
    alpha: float = 0.05,
) -> UnitComparison:
    """Test each unit's rate against a target and give a three-way verdict.

    Parameters
    ----------
    estimate : array_like, 1-D
        Each unit's rate.
    target : float
        The rate to compare with, usually the overall (province) rate. It
        is treated as known: its own uncertainty, and the unit's share in
        it, are ignored, as in a funnel plot.
    n : array_like, 1-D
        Each unit's number of valid answers.
    se : array_like, optional
        Each unit's design-based (domain) standard error. Omitted: simple
        random sampling, and the score test's null SE
        ``sqrt(target * (1 - target) / n)`` is used, consistent with the
        funnel limits and the Wilson interval. Where a given SE is 0 (an
        estimate of exactly 0 or 1) the null SE is used instead, i.e. the
        design effect is taken as 1, as for the Korn-Graubard interval.
    df : array_like, optional
        Each unit's design degrees of freedom: the statistic is referred to
        t(df); units with df < 1 are not tested. Omitted: standard normal.
    n_psu : array_like, optional
        Each unit's PSUs (clusters). Units with fewer than ``min_clusters``
        are not tested and do not count towards the multiplicity
        correction. Omitted: no unit is held back for its clusters (simple
        random sampling).
    min_clusters : int, default 5
        See ``n_psu``.
    higher_is_better : bool, default True
        False for harassment and informal-payment rates.
    correction : {"holm", "bh", "none"}, default "holm"
        Multiplicity correction across the tested units.
    alpha : float, default 0.05
        A unit is significantly better or worse when its adjusted p-value
        is below ``alpha``.

    Returns
    -------
    UnitComparison
    """
    check_method(correction, ADJUST_METHODS)
    alpha = check_alpha(alpha)
    est = np.asarray(estimate, dtype=float)
    if est.ndim != 1:
        raise ValueError("estimate must be one-dimensional")
    n_ = np.broadcast_to(np.asarray(n, dtype=float), est.shape)
    target = float(target)
    if not 0.0 <= target <= 1.0:
        raise ValueError("target must lie in [0, 1]")
    reason = _not_assessed(est, n_, df, n_psu, min_clusters)
    null_se = np.sqrt(target * (1 - target) / np.where(n_ > 0, n_, 1.0))
    if se is None:
        scale = null_se
    else:
        se_ = np.broadcast_to(np.asarray(se, dtype=float), est.shape)
        usable = np.isfinite(se_) & (se_ > 0)
        scale = np.where(usable, se_, null_se)
    testable = _is_none(reason) & (scale > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(testable, (est - target) / np.where(testable, scale, 1.0), np.nan)
    if df is None:
        p = 2 * stats.norm.sf(np.abs(statistic))
    else:
        df_ = np.broadcast_to(np.asarray(df, dtype=float), est.shape)
        ok = testable & (df_ >= 1)
        p = np.full(est.shape, np.nan)
        p[ok] = 2 * stats.t.sf(np.abs(statistic[ok]), df_[ok])
        statistic = np.where(ok, statistic, np.nan)
    p = np.where(np.isnan(statistic), np.nan, p)
    p_adj = pvalues_adjust(p, correction)

    significant = p_adj < alpha
    above = statistic > 0
    good = above if higher_is_better else ~above
    verdict = np.array(
        [
            None
            if np.isnan(q)
            else (Verdict.NOT_DISTINGUISHABLE if not s else (Verdict.BETTER if g else Verdict.WORSE))
            for q, s, g in zip(p_adj.tolist(), significant, good, strict=True)
        ],
        dtype=object,
    )
    # A unit that passed every check but still has no test (a zero null SE:
    # the target is 0 or 1) has no estimate to judge against it.
    reason[_is_none(reason) & _is_none(verdict)] = NotAssessed.NO_ESTIMATE
    return UnitComparison(statistic, p, p_adj, verdict, reason, correction, alpha, int(min_clusters))


def _is_none(values: np.ndarray) -> np.ndarray:
    """True where an object array holds None."""
    return np.fromiter((v is None for v in values), dtype=bool, count=len(values))


def _not_assessed(est, n, df, n_psu, min_clusters) -> np.ndarray:
    """Per unit: None, or why it cannot be assessed (first reason that applies)."""
    if isinstance(min_clusters, bool) or int(min_clusters) != min_clusters or min_clusters < 0:
        raise ValueError("min_clusters must be a non-negative integer")
    reason = np.full(est.shape, None, dtype=object)
    if df is not None:
        df_ = np.broadcast_to(np.asarray(df, dtype=float), est.shape)
        reason[~(df_ >= 1)] = NotAssessed.NO_DEGREES_OF_FREEDOM
    if n_psu is not None:
        psu = np.broadcast_to(np.asarray(n_psu, dtype=float), est.shape)
        reason[~(psu >= min_clusters)] = NotAssessed.TOO_FEW_CLUSTERS
    reason[~(np.isfinite(est) & (n > 0))] = NotAssessed.NO_ESTIMATE
    return reason
