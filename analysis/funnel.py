"""Funnel plots: control limits around a target, and each unit's place against them.

A unit is plotted at its effective sample size, never above its n
(:func:`analysis.n_eff_floor`); with fewer than ``min_clusters`` PSUs it gets
no signal, for the reason :mod:`analysis.compare` gives for verdicts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .compare import MIN_CLUSTERS, _is_none, _not_assessed

__all__ = ["FunnelLimits", "FunnelSignal", "FunnelSignals", "funnel_limits", "funnel_signals"]


class FunnelSignal(enum.StrEnum):
    """Where a unit lies against the funnel's control limits (stable strings)."""

    ABOVE_998 = "above_998"
    ABOVE_95 = "above_95"
    WITHIN = "within"
    BELOW_95 = "below_95"
    BELOW_998 = "below_998"


@dataclass(frozen=True, eq=False)
class FunnelSignals:
    """Each unit's place against funnel limits around a target.

    Attributes
    ----------
    n : ndarray of int64
        The (effective) sample sizes the limits were evaluated at.
    signal : ndarray of FunnelSignal or None (dtype object)
        Outside the 99.8 % limits, outside the 95 % limits, or within them;
        None where not assessed.
    not_assessed : ndarray of NotAssessed or None (dtype object)
    limits : FunnelLimits
        The limits at ``n``.
    min_clusters : int
    """

    n: np.ndarray
    signal: np.ndarray
    not_assessed: np.ndarray
    limits: FunnelLimits
    min_clusters: int


@dataclass(frozen=True, eq=False)
class FunnelLimits:
    """Funnel-plot control limits around a target proportion.

    Attributes
    ----------
    n : ndarray of int64
        Sample sizes at which the limits are evaluated.
    target : float
    lower_95, upper_95 : ndarray of float
        Limits containing 95% of an in-control unit's results (~2 SD).
    lower_998, upper_998 : ndarray of float
        Limits containing 99.8% (~3 SD).
    """

    n: np.ndarray
    target: float
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray


def funnel_signals(
    target: float,
    estimate: ArrayLike,
    n: ArrayLike,
    *,
    n_psu: ArrayLike | None = None,
    min_clusters: int = MIN_CLUSTERS,
) -> FunnelSignals:
    """Place each unit against the funnel limits of :func:`funnel_limits`.

    Parameters
    ----------
    target : float
        The funnel's centre, usually the overall figure.
    estimate : array_like, 1-D
        Each unit's figure.
    n : array_like, 1-D
        Each unit's effective sample size (``n / max(1, deff)``; rounded
        here). A unit with ``n == 0`` or no estimate is not assessed.
    n_psu : array_like, optional
        Each unit's PSUs; fewer than ``min_clusters`` means no signal.
    min_clusters : int, default 5

    Returns
    -------
    FunnelSignals
        A unit exactly on a limit is within it.
    """
    est = np.asarray(estimate, dtype=float)
    if est.ndim != 1:
        raise ValueError("estimate must be one-dimensional")
    n_ = np.broadcast_to(np.asarray(n, dtype=float), est.shape)
    if np.any(n_ < 0):
        raise ValueError("n must be non-negative")
    size = np.rint(np.where(np.isfinite(n_), n_, 0.0))
    reason = _not_assessed(est, size, None, n_psu, min_clusters)
    limits = funnel_limits(target, size)
    signal = np.full(est.shape, None, dtype=object)
    ok = _is_none(reason)
    signal[ok] = FunnelSignal.WITHIN
    # Each wider limit overrides the narrower one it contains.
    signal[ok & (est > limits.upper_95)] = FunnelSignal.ABOVE_95
    signal[ok & (est < limits.lower_95)] = FunnelSignal.BELOW_95
    signal[ok & (est > limits.upper_998)] = FunnelSignal.ABOVE_998
    signal[ok & (est < limits.lower_998)] = FunnelSignal.BELOW_998
    return FunnelSignals(size.astype(np.int64), signal, reason, limits, int(min_clusters))


def funnel_limits(target: float, n: ArrayLike) -> FunnelLimits:
    """Exact binomial funnel-plot limits (Spiegelhalter 2005, appendix A.1.1).

    For a limit with lower-tail probability ``q`` (0.025 and 0.975, 0.001 and
    0.999), let ``r`` be the q-quantile of Binomial(n, target), the smallest
    r with ``P(R <= r) >= q``. The step is smoothed by interpolation::

        a = (P(R <= r) - q) / (P(R <= r) - P(R <= r - 1))
        limit = (r - a) / n

    clipped to [0, 1].

    Parameters
    ----------
    target : float
        The target proportion in [0, 1].
    n : array_like of int
        Sample sizes (round effective sample sizes of clustered data first).

    Returns
    -------
    FunnelLimits
        NaN limits where ``n == 0``.
    """
    theta = float(target)
    if not 0.0 <= theta <= 1.0:
        raise ValueError("target must lie in [0, 1]")
    n_ = np.atleast_1d(np.asarray(n, dtype=float))
    if np.any(n_ < 0) or np.any(n_ != np.round(n_)):
        raise ValueError("n must be non-negative integers")
    limits = [_binomial_limit(theta, n_, q) for q in (0.025, 0.975, 0.001, 0.999)]
    return FunnelLimits(n_.astype(np.int64), theta, *limits)


def _binomial_limit(theta: float, n: np.ndarray, q: float) -> np.ndarray:
    has = n > 0
    n_safe = np.where(has, n, 1.0)
    r = stats.binom.ppf(q, n_safe, theta)
    # Guard against the quantile landing one step off through rounding.
    r = np.where(stats.binom.cdf(r - 1, n_safe, theta) >= q, r - 1, r)
    r = np.where(stats.binom.cdf(r, n_safe, theta) < q, r + 1, r)
    cdf_r = stats.binom.cdf(r, n_safe, theta)
    step = cdf_r - stats.binom.cdf(r - 1, n_safe, theta)
    a = (cdf_r - q) / np.where(step > 0, step, 1.0)
    limit = np.clip((r - a) / n_safe, 0.0, 1.0)
    return np.where(has, limit, np.nan)
