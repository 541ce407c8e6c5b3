"""Reliability flags and disclosure control for small cells.

Two different thresholds with two different purposes: a figure from fewer
than ``reliable_min`` answers is shown but flagged as unreliable; a figure
from fewer than ``disclosure_min`` answers is not shown at all, so that a
manager cannot work out what one identifiable citizen said.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Reliability", "reliability_flags", "values_suppress"]


@dataclass(frozen=True, eq=False)
class Reliability:
    """Sample-size flags for a set of figures (arrays in the input's shape).

    Attributes
    ----------
    n : ndarray of int64
        Answers behind each figure.
    n_eff : ndarray of float
        Effective sample size (``n`` itself under simple random sampling).
    reliable : ndarray of bool
        ``n >= reliable_min`` and, when df was given, ``df >= 1`` (with no
        design degrees of freedom there is no usable interval).
    suppressed : ndarray of bool
        ``n < disclosure_min``: the figure must not be published.
    reliable_min, disclosure_min : int
        The thresholds applied.
    """

    n: np.ndarray
    n_eff: np.ndarray
    reliable: np.ndarray
    suppressed: np.ndarray
    reliable_min: int
    disclosure_min: int


def reliability_flags(
    n: ArrayLike,
    n_eff: ArrayLike | None = None,
    df: ArrayLike | None = None,
    *,
    reliable_min: int = 30,
    disclosure_min: int = 5,
) -> Reliability:
    """Flag figures from too few answers.

    Parameters
    ----------
    n : array_like of int
        Answers behind each figure (valid answers for a rate).
    n_eff : array_like of float, optional
        Effective sample sizes, carried through for display; defaults to
        ``n``.
    df : array_like of int, optional
        Design degrees of freedom; ``df < 1`` makes a figure unreliable.
    reliable_min : int, default 30
    disclosure_min : int, default 5

    Returns
    -------
    Reliability
    """
    if reliable_min < 0 or disclosure_min < 0:
        raise ValueError("thresholds must be non-negative")
    n_ = np.asarray(n)
    if np.any(n_ < 0):
        raise ValueError("n must be non-negative")
    n_ = n_.astype(np.int64)
    eff = n_.astype(float) if n_eff is None else np.broadcast_to(np.asarray(n_eff, dtype=float), n_.shape).copy()
    reliable = n_ >= reliable_min
    if df is not None:
        reliable = reliable & (np.broadcast_to(np.asarray(df), n_.shape) >= 1)
    return Reliability(n_, eff, reliable, n_ < disclosure_min, reliable_min, disclosure_min)


def values_suppress(values: ArrayLike, n: ArrayLike, disclosure_min: int = 5) -> np.ndarray:
    """Replace figures from fewer than ``disclosure_min`` answers by NaN.

    Parameters
    ----------
    values : array_like of float
        Figures (rates, bounds, indices); broadcast against ``n``.
    n : array_like of int
        Answers behind each figure.
    disclosure_min : int, default 5

    Returns
    -------
    ndarray of float
        A copy of ``values`` with suppressed cells set to NaN.

    Notes
    -----
    This is primary suppression only. When a total and all but one of its
    parts are published, the suppressed part can be recovered by
    subtraction; the report layer must suppress a second part in that case.
    """
    if disclosure_min < 0:
        raise ValueError("disclosure_min must be non-negative")
    v, n_ = np.broadcast_arrays(np.asarray(values, dtype=float), np.asarray(n))
    return np.where(n_ < disclosure_min, np.nan, v)
