"""League tables that respect uncertainty: ranks with the range their intervals allow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["RankIntervals", "ranks_interval"]


@dataclass(frozen=True, eq=False)
class RankIntervals:
    """Ranks of units by an estimate, with the ranks their intervals allow.

    Attributes
    ----------
    rank : ndarray of float
        1 for the highest estimate; NaN for a unit without an estimate.
        Ties take the order of the input (a stable sort).
    best, worst : ndarray of float
        ``best = 1 + (units whose interval lies wholly above this unit's)``,
        ``worst = (ranked units) - (units whose interval lies wholly below)``:
        units whose intervals overlap can hold each other's ranks.
    """

    rank: np.ndarray
    best: np.ndarray
    worst: np.ndarray


def ranks_interval(estimate: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> RankIntervals:
    """Rank units by ``estimate`` (highest first) with a range of plausible ranks.

    Parameters
    ----------
    estimate : array_like, 1-D
        One estimate per unit; NaN for units without one (they get no rank).
    lower, upper : array_like, 1-D
        Each unit's confidence bounds. A NaN bound (no interval, e.g. a
        design with no degrees of freedom) is taken as the estimate itself.

    Returns
    -------
    RankIntervals

    Notes
    -----
    This is the simple overlap rule (Goldstein and Spiegelhalter 1996 warn
    that league tables without it overstate differences); it is not a joint
    confidence set for all ranks at once.
    """
    est = np.asarray(estimate, dtype=float)
    if est.ndim != 1:
        raise ValueError("estimate must be one-dimensional")
    lo = np.broadcast_to(np.asarray(lower, dtype=float), est.shape)
    hi = np.broadcast_to(np.asarray(upper, dtype=float), est.shape)
    scored = np.flatnonzero(~np.isnan(est))
    rank = np.full(est.shape, np.nan)
    best, worst = rank.copy(), rank.copy()
    if len(scored) == 0:
        return RankIntervals(rank, best, worst)
    order = scored[np.argsort(-est[scored], kind="stable")]
    rank[order] = np.arange(1, len(order) + 1)
    lo_s = np.where(np.isnan(lo[scored]), est[scored], lo[scored])
    hi_s = np.where(np.isnan(hi[scored]), est[scored], hi[scored])
    above = (lo_s[None, :] > hi_s[:, None]).sum(axis=1)
    below = (hi_s[None, :] < lo_s[:, None]).sum(axis=1)
    best[scored] = above + 1
    worst[scored] = len(scored) - below
    return RankIntervals(rank, best, worst)
