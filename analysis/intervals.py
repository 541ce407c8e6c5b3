"""Confidence intervals from a design-based estimate and its standard error.

Two shapes of interval, shared by every estimator in :mod:`analysis`:

- :func:`design_confint`: a proportion (or a mean of values in [0, 1]) by
  Korn and Graubard's beta interval or the logit interval, as R's
  ``svyciprop``;
- :func:`mean_confint`: a mean by ``estimate ± t(1 − α/2, df) · se``, as
  ``confint(svymean(...), df = degf(design))``, clipped to [0, 1] for shares
  and indices.

Both share one convention where R has none: where the design standard error
is 0 (an estimate of exactly 0 or 1, or no variation between clusters at
all), the interval is Korn–Graubard's with the design effect taken as 1,
i.e. Clopper–Pearson on ``n`` with the ``(t_{n−1}/t_df)²`` adjustment
(:func:`deff1_mask` says where that happened). R gives ``NA`` for
``svyciprop(method = "beta")`` there and a zero-width interval for a mean.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from ._common import beta_quantile, check_alpha, check_method, t_quantile

__all__ = ["DESIGN_METHODS", "SE_ZERO", "deff1_mask", "design_confint", "mean_confint"]

#: Interval methods for design-based proportions (as in R's ``svyciprop``).
DESIGN_METHODS = ("beta", "logit")
#: A standard error at or below this counts as 0: a share estimated from
#: fewer than 10^20 answers has a larger one unless it truly does not vary,
#: and rounding leaves ~1e-17 where the clusters agree exactly.
SE_ZERO = 1e-12


def deff1_mask(estimate: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike) -> np.ndarray:
    """Where an interval falls back to Korn–Graubard with the design effect 1.

    True where there is an interval to give (``n >= 2``, ``df >= 1``, a
    finite estimate) but the standard error is 0 (at most :data:`SE_ZERO`).
    """
    p, se, n, df = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (estimate, se, n, df)))
    return np.isfinite(p) & np.isfinite(se) & (se <= SE_ZERO) & (n >= 2) & (df >= 1)


def design_confint(
    estimate: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    alpha: float = 0.05,
    method: str = "beta",
    *,
    deff_floor: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for a design-based proportion, as R's ``svyciprop``.

    Parameters
    ----------
    estimate, se : array_like
        The proportion and its design-based standard error.
    n : array_like
        Number of responses behind the estimate.
    df : array_like
        Design degrees of freedom.
    alpha : float, default 0.05
    method : {"beta", "logit"}, default "beta"
        ``"beta"``: Korn and Graubard (1998): Clopper-Pearson with the
        effective sample size ``p(1-p)/se**2``, multiplied by
        ``(t(alpha/2, n-1) / t(alpha/2, df))**2``. ``"logit"``: a t(df)
        interval on the logit scale, back-transformed.
    deff_floor : bool, default False
        ``"beta"`` only: cap the effective sample size at ``n`` (a design
        effect below 1 counts as 1, as the NCHS standards for proportions
        do) before the df adjustment. Off by default, as in R; the coverage
        simulation in ``docs/method.md`` shows Korn–Graubard already covers
        at least 95 % for units with few clusters without it.

    Returns
    -------
    lower, upper : ndarray
        NaN where ``df < 1`` or ``n < 2`` (R gives NaN too).

    Notes
    -----
    Where ``se == 0`` (an estimate of exactly 0 or 1) R returns NaN for
    ``"beta"`` and a degenerate interval for ``"logit"``. Here both methods
    then use the Korn-Graubard interval with the design effect taken as 1
    (effective sample size ``n``), as Korn and Graubard suggest, so that
    zero events still give an upper bound (see :func:`deff1_mask`).
    """
    method = check_method(method, DESIGN_METHODS)
    alpha = check_alpha(alpha)
    p, se, n, df = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (estimate, se, n, df)))
    var = np.where(se <= SE_ZERO, 0.0, se**2)
    ok = np.isfinite(p) & np.isfinite(var) & (df >= 1) & (n >= 2)
    informative = ok & (p > 0) & (p < 1) & (var > 0)
    ratio = (t_quantile(alpha / 2, np.where(ok, n - 1, 0)) / t_quantile(alpha / 2, df)) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(informative, p * (1 - p) / np.where(informative, var, 1.0), n)
    if deff_floor:
        n_eff = np.minimum(n_eff, n)
    n_eff = n_eff * ratio
    a, b = n_eff * p, n_eff * (1 - p)
    lower = np.where(p == 0, 0.0, beta_quantile(alpha / 2, a, b + 1, ok & (p > 0)))
    upper = np.where(p == 1, 1.0, beta_quantile(1 - alpha / 2, a + 1, b, ok & (p < 1)))
    if method == "logit":
        crit = t_quantile(1 - alpha / 2, df)
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = special.logit(np.where(informative, p, 0.5))
            half = crit * np.sqrt(var) / np.where(informative, p * (1 - p), 1.0)
        lower = np.where(informative, special.expit(centre - half), lower)
        upper = np.where(informative, special.expit(centre + half), upper)
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


def mean_confint(
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    alpha: float = 0.05,
    *,
    bounded: bool = True,
    n: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """t interval for a design-based mean: ``estimate ± t(1 − alpha/2, df) · se``.

    Parameters
    ----------
    estimate, se : array_like
        The mean and its design-based standard error.
    df : array_like
        Degrees of freedom of the t quantile (PSUs − strata of the domain,
        or of the whole design).
    alpha : float, default 0.05
    bounded : bool, default True
        The mean is a share or an index in [0, 1]: clip both bounds to
        [0, 1]. False for a mean on another scale (e.g. a 1–5 score).
    n : array_like, optional
        Responses behind the estimate. Given (and ``bounded``), a standard
        error of 0 gets the Korn–Graubard interval with the design effect
        1 instead of a zero-width interval (module docstring).

    Returns
    -------
    lower, upper : ndarray
        NaN where ``df < 1`` or the estimate or SE is NaN; R's
        ``confint(svymean(...), df = ...)`` agrees where it gives a number.
    """
    alpha = check_alpha(alpha)
    est, se_, df_ = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (estimate, se, df)))
    half = t_quantile(1 - alpha / 2, df_) * se_
    lower, upper = est - half, est + half
    if bounded:
        lower, upper = np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)
        if n is not None:
            n_ = np.broadcast_to(np.asarray(n, dtype=float), est.shape)
            zero = deff1_mask(est, se_, n_, df_)
            if np.any(zero):
                kg_lower, kg_upper = design_confint(est, np.zeros_like(est), n_, df_, alpha=alpha)
                lower, upper = np.where(zero, kg_lower, lower), np.where(zero, kg_upper, upper)
    return lower, upper
