"""Design-based estimates from per-stratum moments of cluster totals.

:mod:`analysis.design` takes one row per (domain, cluster). For a province
with a million responses that is hundreds of thousands of rows per
question. When every stratum lies wholly inside or wholly outside each
domain — the case here, where the stratum is the unit that collected the
responses and domains are units or unions of units (a district with its
communes, the province) — the same linearised variance follows from five
sums per stratum, which SQL computes in its GROUP BY:

=========  =============================================================
``psu``    PSUs (clusters) in the stratum, whether or not they hold data
``occupied`` PSUs with at least one observation of this outcome
``n``      observations (Σ n_i)
``w``      Σ W_i, the PSU sums of weights (= n_i unweighted)
``y``      Σ Y_i, the PSU sums of weighted outcomes
``ww``     Σ W_i²
``yy``     Σ Y_i²
``wy``     Σ W_i Y_i
``y2``     Σ over observations of w·y² (for the design effect; = y for 0/1)
=========  =============================================================

With ``r = Y/W`` over the domain and PSU totals of the linearised variable
``z_i = (Y_i − r W_i)/W``, a stratum with ``m`` PSUs contributes
``m/(m−1) [Σz² − (Σz)²/m]`` where ``Σz = (y − r w)/W`` and
``Σz² = (yy − 2 r wy + r² ww)/W²`` — exactly what :func:`domain_proportions`
computes from the cluster rows (``tests/analysis/test_moments.py`` checks
the two against each other on the R reference data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._common import as_labels, check_alpha, check_method
from .design import n_eff_floor
from .intervals import DESIGN_METHODS, deff1_mask, design_confint, mean_confint

__all__ = ["MomentEstimates", "moments_estimate"]


@dataclass(frozen=True, eq=False)
class MomentEstimates:
    """Design-based estimates per domain (sorted by label).

    Attributes
    ----------
    domain : ndarray
    n : ndarray of int64
        Observations in the domain.
    estimate, se : ndarray of float
        Ratio mean and its linearised standard error (NaN when n = 0).
    df : ndarray of int64
        Occupied PSUs minus occupied strata.
    interval_df : ndarray of int64
        The df the interval used: ``df``, or ``design_df`` when given.
    n_psu : ndarray of int64
        Occupied PSUs.
    deff, n_eff : ndarray of float
        Design effect against SRS with replacement (R ``deff="replace"``)
        and ``n / max(1, deff)``; NaN when the outcome does not vary or n < 2.
    lower, upper : ndarray of float
        Confidence bounds; NaN when ``df < 1``.
    deff1_interval : ndarray of bool
        The standard error is 0 and the interval is Korn–Graubard's with the
        design effect 1 (see :mod:`analysis.intervals`); R gives NA.
    method : str
        ``"beta"`` (Korn–Graubard) or ``"logit"`` for proportions, ``"t"``
        for means (bounds clipped to [0, 1] when ``bounded``).
    alpha : float
    """

    domain: np.ndarray
    n: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    df: np.ndarray
    interval_df: np.ndarray
    n_psu: np.ndarray
    deff: np.ndarray
    n_eff: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    deff1_interval: np.ndarray
    method: str
    alpha: float


def moments_estimate(
    domain: ArrayLike,
    psu: ArrayLike,
    occupied: ArrayLike,
    n: ArrayLike,
    w: ArrayLike,
    y: ArrayLike,
    ww: ArrayLike,
    yy: ArrayLike,
    wy: ArrayLike,
    y2: ArrayLike,
    *,
    method: str = "beta",
    alpha: float = 0.05,
    bounded: bool = True,
    design_df: int | None = None,
    deff_floor: bool = False,
) -> MomentEstimates:
    """Ratio means per domain from per-stratum moments (see the module docstring).

    Parameters
    ----------
    domain : array_like, 1-D
        Domain label of each stratum row. A stratum may appear under several
        domains (a commune counts in its own row and in its district's).
    psu, occupied, n, w, y, ww, yy, wy, y2 : array_like, 1-D
        The stratum's moments, one entry per row.
    method : {"beta", "logit", "t"}
        Interval: Korn–Graubard (``"beta"``) or logit for proportions, as R's
        ``svyciprop``; ``"t"`` for a mean (``estimate ± t_df · se``).
    alpha : float, default 0.05
    bounded : bool, default True
        Clip ``"t"`` intervals to [0, 1] (indices are shares), and give a
        standard error of 0 the Korn–Graubard interval with deff 1.
    design_df : int, optional
        The df of every domain's interval: the whole design's PSUs minus
        strata (``confint(svyby(...), df = degf(design))``). Omitted: each
        domain's own ``df`` (as ``svyby``).
    deff_floor : bool, default False
        Korn–Graubard only: see :func:`analysis.intervals.design_confint`.

    Returns
    -------
    MomentEstimates
    """
    check_alpha(alpha)
    check_method(method, (*DESIGN_METHODS, "t"))
    cols = [np.asarray(v, dtype=float) for v in (psu, occupied, n, w, y, ww, yy, wy, y2)]
    rows = len(cols[0])
    if any(c.shape != (rows,) for c in cols):
        raise ValueError("every moment must be 1-D with one entry per row")
    m, k, n_, w_, y_, ww_, yy_, wy_, y2_ = cols
    if np.any(m < k) or np.any(k < 0):
        raise ValueError("a stratum cannot have more occupied PSUs than PSUs")
    labels, idx = np.unique(as_labels(domain, "domain"), return_inverse=True)
    n_dom = len(labels)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(idx, values, n_dom)

    big_w, big_y, big_n = total(w_), total(y_), total(n_)
    has = big_w > 0
    est = np.divide(big_y, big_w, out=np.full(n_dom, np.nan), where=has)
    r = np.where(has, est, 0.0)[idx]
    W = np.where(has, big_w, 1.0)[idx]
    sum_z = (y_ - r * w_) / W
    sum_z2 = (yy_ - 2 * r * wy_ + r**2 * ww_) / W**2
    m_safe = np.where(m > 0, m, 1.0)
    ss = np.maximum(sum_z2 - sum_z**2 / m_safe, 0.0)
    # A stratum with one PSU is centred at the overall mean, which is zero
    # for a ratio's linearised variable (R survey.lonely.psu = "adjust").
    var_h = np.where(m > 1, ss * m / np.where(m > 1, m - 1, 1.0), np.maximum(sum_z2, 0.0))
    var = np.where(has, total(np.where(k > 0, var_h, 0.0)), np.nan)
    # The expanded sums cancel when every outcome equals the estimate (all
    # satisfied, none satisfied): what is left is rounding, not variance.
    noise = 1e-10 * total(np.abs(yy_) + r**2 * ww_) / np.where(has, big_w, 1.0) ** 2
    var = np.where(var <= noise, 0.0, var)
    se = np.sqrt(var)
    df = total(k) - total((k > 0).astype(float))

    ss_srs = np.maximum(total(y2_) - big_y * np.where(has, est, 0.0), 0.0)
    usable = (big_n > 1) & (ss_srs > 0) & np.isfinite(var)
    v_srs = ss_srs / np.where(usable, big_w * (big_n - 1), 1.0)
    deff = np.where(usable, var / np.where(usable, v_srs, 1.0), np.nan)
    n_eff = n_eff_floor(big_n, deff)

    interval_df = df if design_df is None else np.full(n_dom, float(design_df))
    if method == "t":
        lower, upper = mean_confint(est, se, interval_df, alpha, bounded=bounded, n=big_n if bounded else None)
        flag = deff1_mask(est, se, big_n, interval_df) if bounded else np.zeros(n_dom, dtype=bool)
    else:
        lower, upper = design_confint(est, se, big_n, interval_df, alpha=alpha, method=method, deff_floor=deff_floor)
        flag = deff1_mask(est, se, big_n, interval_df)
    return MomentEstimates(
        domain=labels,
        n=np.rint(big_n).astype(np.int64),
        estimate=est,
        se=se,
        df=np.rint(df).astype(np.int64),
        interval_df=np.rint(interval_df).astype(np.int64),
        n_psu=np.rint(total(k)).astype(np.int64),
        deff=deff,
        n_eff=n_eff,
        lower=np.asarray(lower, dtype=float),
        upper=np.asarray(upper, dtype=float),
        deff1_interval=flag,
        method=method,
        alpha=alpha,
    )
