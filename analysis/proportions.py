"""Confidence intervals for a proportion under simple random sampling.

The plain Wald interval is deliberately not offered: it has zero width at
0 or n events, which is exactly where rare indicators such as informal
payments sit, and its coverage is poor well before that (Brown, Cai and
DasGupta 2001, Statistical Science 16:101-133).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from ._common import beta_quantile, check_alpha, check_method

__all__ = ["SRS_METHODS", "ProportionInterval", "proportion_confint"]

#: Method names accepted by :func:`proportion_confint`.
SRS_METHODS = ("wilson", "clopper-pearson", "exact", "jeffreys", "agresti-coull")


@dataclass(frozen=True, eq=False)
class ProportionInterval:
    """A proportion with its two-sided confidence interval.

    All array fields have the broadcast shape of the inputs (0-d for
    scalar inputs; use ``float()`` to unwrap).

    Attributes
    ----------
    estimate : ndarray of float
        ``count / nobs``; NaN where ``nobs == 0``.
    lower, upper : ndarray of float
        Interval bounds in [0, 1]; NaN where ``nobs == 0``.
    nobs : ndarray of float
        The denominators, as given.
    method : str
        The interval method used.
    alpha : float
        One minus the confidence level.
    """

    estimate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    nobs: np.ndarray
    method: str
    alpha: float


def proportion_confint(
    count: ArrayLike,
    nobs: ArrayLike,
    alpha: float = 0.05,
    method: str = "wilson",
) -> ProportionInterval:
    """Confidence interval for a binomial proportion (simple random sampling).

    Parameters
    ----------
    count : array_like
        Number of events (e.g. respondents rating a criterion 4 or 5).
        Non-integer values are accepted, so that effective counts
        ``p_hat * n_eff`` from a clustered design can be passed.
    nobs : array_like
        Number of trials (valid answers). Broadcast against ``count``.
    alpha : float, default 0.05
        One minus the confidence level; the interval is two-sided with
        ``alpha / 2`` in each tail.
    method : {"wilson", "clopper-pearson", "exact", "jeffreys", "agresti-coull"}
        - ``"wilson"``: Wilson score interval (the default).
        - ``"clopper-pearson"`` / ``"exact"``: beta-quantile inversion of the
          binomial test; conservative. Lower bound 0 at ``count == 0`` and
          upper bound 1 at ``count == nobs``.
        - ``"jeffreys"``: equal-tailed Beta(count + 1/2, nobs - count + 1/2)
          interval, with the Brown-Cai-DasGupta boundary modification: lower
          bound 0 at ``count == 0``, upper bound 1 at ``count == nobs``.
          (statsmodels 0.15 does not apply the modification.)
        - ``"agresti-coull"``: add z^2/2 successes and failures, then Wald;
          clipped to [0, 1].

    Returns
    -------
    ProportionInterval

    Raises
    ------
    ValueError
        For an unknown method, alpha outside (0, 1), a negative or NaN count
        or nobs, or ``count > nobs``.

    Notes
    -----
    ``nobs == 0`` gives NaN for the estimate and both bounds: there is no
    information, and NaN makes the caller suppress the figure rather than
    print an interval of [0, 1] next to a missing estimate.
    """
    method = check_method(method, SRS_METHODS)
    alpha = check_alpha(alpha)
    x, n = np.broadcast_arrays(np.asarray(count, dtype=float), np.asarray(nobs, dtype=float))
    if np.any(np.isnan(x)) or np.any(np.isnan(n)):
        raise ValueError("count and nobs must not be NaN")
    if np.any(n < 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= count <= nobs")

    empty = n == 0
    n_safe = np.where(empty, 1.0, n)
    p = np.where(empty, np.nan, x / n_safe)
    z = stats.norm.isf(alpha / 2)

    if method == "wilson":
        lower, upper = _wilson(x, n_safe, z)
    elif method == "agresti-coull":
        n_tilde = n_safe + z**2
        p_tilde = (x + z**2 / 2) / n_tilde
        half = z * np.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
        lower, upper = np.clip(p_tilde - half, 0, 1), np.clip(p_tilde + half, 0, 1)
    elif method == "jeffreys":
        a, b = x + 0.5, n_safe - x + 0.5
        inside = np.ones_like(x, dtype=bool)
        lower = np.where(x == 0, 0.0, beta_quantile(alpha / 2, a, b, inside))
        upper = np.where(x == n_safe, 1.0, beta_quantile(1 - alpha / 2, a, b, inside))
    else:  # clopper-pearson / exact
        lower = np.where(x == 0, 0.0, beta_quantile(alpha / 2, x, n_safe - x + 1, x > 0))
        upper = np.where(x == n_safe, 1.0, beta_quantile(1 - alpha / 2, x + 1, n_safe - x, x < n_safe))

    lower = np.where(empty, np.nan, lower)
    upper = np.where(empty, np.nan, upper)
    return ProportionInterval(p, lower, upper, n, method, alpha)


def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score bounds for ``n > 0``."""
    p = x / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    # At 0 or n events the bound is 0 or 1 in exact arithmetic; rounding
    # would otherwise leave a ~1e-17 residue that prints as "0.0%".
    lower = np.where(x == 0, 0.0, np.clip(centre - half, 0, 1))
    upper = np.where(x == n, 1.0, np.clip(centre + half, 0, 1))
    return lower, upper
