"""Design-based estimation from per-cluster sufficient statistics.

Responses are clustered (service point x day, or surveyor) and may carry
weights. The database aggregates them with one GROUP BY into rows of
``(domain, stratum, cluster, n, sum_w, sum_wy, sum_w2[, sum_wy2])``; these
functions turn such rows into means or proportions per domain with a
linearised (Taylor) standard error, design effect, effective sample size,
degrees of freedom and a confidence interval. The results agree with R's
``survey`` package (version 4.1.1) for
``svydesign(ids = ~cluster, strata = ~stratum, weights = ~w, nest = TRUE)``:

- variance: with-replacement PSU variance, ``n_h / (n_h - 1)`` times the sum
  of squared deviations of the PSU totals of the linearised variable within
  each stratum, as ``svymean`` / ``svyby(..., svymean)``;
- a domain's linearised variable is zero outside the domain, and PSUs of the
  design that hold no member of the domain still count in ``n_h``;
- ``deff`` is ``svymean(..., deff = "replace")``; ``deff_wor`` is
  ``svymean(..., deff = TRUE)``;
- ``df`` is ``degf()`` of the domain's subset design: PSUs holding the domain
  minus strata holding it. This is what ``svyby(..., svyciprop)`` uses (it
  subsets the design per domain), not the df of the whole design.

A PSU is identified by the pair (stratum, cluster), as with ``nest = TRUE``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from ._common import as_labels, beta_quantile, check_alpha, check_method, t_quantile
from .frame import DesignFrame, design_frame

__all__ = [
    "DESIGN_METHODS",
    "LONELY_PSU_RULES",
    "DesignEstimate",
    "DomainEstimates",
    "design_confint",
    "design_mean",
    "design_proportion",
    "domain_means",
    "domain_proportions",
]

#: Interval methods for design-based proportions (as in R's ``svyciprop``).
DESIGN_METHODS = ("beta", "logit")
#: Treatments of a stratum with a single PSU (R's ``survey.lonely.psu``).
LONELY_PSU_RULES = ("adjust", "remove", "fail")


@dataclass(frozen=True, eq=False)
class DomainEstimates:
    """Design-based estimates, one entry per domain (sorted by label).

    Attributes
    ----------
    domain : ndarray
        Domain labels.
    n : ndarray of int64
        Number of responses in the domain.
    sum_w : ndarray of float
        Sum of weights in the domain.
    estimate : ndarray of float
        Weighted mean (ratio) ``sum_wy / sum_w``; NaN for an empty domain.
    se : ndarray of float
        Linearised standard error; NaN under ``lonely_psu="fail"`` when the
        domain touches a single-PSU stratum.
    df : ndarray of int64
        PSUs holding the domain minus strata holding it.
    n_psu : ndarray of int64
        PSUs (clusters) holding the domain.
    deff : ndarray of float
        Design effect against simple random sampling with replacement
        (R ``deff = "replace"``); NaN when n < 2 or the outcome does not vary.
    deff_wor : ndarray of float
        R's ``deff = TRUE``: against SRS without replacement from a population
        of size ``sum_w``; NaN unless ``sum_w > n`` (weights not scaled to
        the population make it meaningless).
    n_eff : ndarray of float
        Effective sample size ``n / deff``.
    n_eff_kish : ndarray of float
        Kish's effective sample size for weighting, ``sum_w**2 / sum_w2``;
        NaN when ``sum_w2`` was not given.
    lower, upper : ndarray of float
        Confidence bounds; NaN when ``df < 1``.
    method : str
        Interval method: ``"beta"`` or ``"logit"`` for proportions, ``"t"``
        for means.
    alpha : float
        One minus the confidence level.
    """

    domain: np.ndarray
    n: np.ndarray
    sum_w: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    df: np.ndarray
    n_psu: np.ndarray
    deff: np.ndarray
    deff_wor: np.ndarray
    n_eff: np.ndarray
    n_eff_kish: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: str
    alpha: float


@dataclass(frozen=True)
class DesignEstimate:
    """One design-based estimate; fields as in :class:`DomainEstimates`, as scalars."""

    n: int
    sum_w: float
    estimate: float
    se: float
    df: int
    n_psu: int
    deff: float
    deff_wor: float
    n_eff: float
    n_eff_kish: float
    lower: float
    upper: float
    method: str
    alpha: float


def domain_means(
    domain: ArrayLike,
    cluster: ArrayLike,
    n: ArrayLike,
    sum_w: ArrayLike,
    sum_wy: ArrayLike,
    *,
    stratum: ArrayLike | None = None,
    sum_w2: ArrayLike | None = None,
    sum_wy2: ArrayLike | None = None,
    frame: DesignFrame | None = None,
    alpha: float = 0.05,
    lonely_psu: str = "adjust",
) -> DomainEstimates:
    """Weighted means per domain with a linearised SE and a t interval.

    Parameters
    ----------
    domain, cluster : array_like, 1-D
        Domain (e.g. unit code, or a unit-question key) and cluster label of
        each row. Several rows may share a (domain, stratum, cluster).
    n : array_like of int
        Responses in the row (with non-zero weight).
    sum_w, sum_wy : array_like of float
        Sums of weights and of weight times outcome over those responses.
    stratum : array_like, optional
        Stratum label of each row; omit for an unstratified design.
    sum_w2 : array_like, optional
        Sums of squared weights; needed only for ``n_eff_kish``.
    sum_wy2 : array_like, optional
        Sums of weight times squared outcome; needed only for ``deff``.
    frame : DesignFrame, optional
        The PSUs of the whole design. Defaults to the PSUs present in the
        rows, which is wrong if some PSU holds no row (say, everyone there
        answered "not applicable"): pass the frame of the whole survey.
    alpha : float, default 0.05
        One minus the confidence level.
    lonely_psu : {"adjust", "remove", "fail"}, default "adjust"
        A stratum with a single PSU: ``"adjust"`` centres its PSU total at
        the overall mean (conservative; R ``options(survey.lonely.psu =
        "adjust")``); ``"remove"`` gives it zero variance; ``"fail"`` returns
        NaN variance (R stops with an error).

    Returns
    -------
    DomainEstimates
        ``method == "t"``: ``estimate -/+ t(1 - alpha/2, df) * se``.
    """
    check_alpha(alpha)
    core = _linearise(domain, cluster, n, sum_w, sum_wy, stratum, sum_w2, sum_wy2, frame, lonely_psu)
    crit = t_quantile(1 - alpha / 2, core["df"])
    half = crit * core["se"]
    return DomainEstimates(
        **core, lower=core["estimate"] - half, upper=core["estimate"] + half, method="t", alpha=alpha
    )


def domain_proportions(
    domain: ArrayLike,
    cluster: ArrayLike,
    n: ArrayLike,
    sum_w: ArrayLike,
    sum_wy: ArrayLike,
    *,
    stratum: ArrayLike | None = None,
    sum_w2: ArrayLike | None = None,
    sum_wy2: ArrayLike | None = None,
    frame: DesignFrame | None = None,
    method: str = "beta",
    alpha: float = 0.05,
    lonely_psu: str = "adjust",
) -> DomainEstimates:
    """Proportions (or means of values in [0, 1]) per domain, as R's ``svyciprop``.

    Parameters are those of :func:`domain_means`, plus:

    sum_wy2 : array_like, optional
        Defaults to ``sum_wy``, which is exact for a 0/1 outcome. For an
        index (a mean of per-respondent shares) pass the sums of
        weight x share**2, or ``deff`` will be wrong; the interval does not
        depend on it.
    method : {"beta", "logit"}, default "beta"
        See :func:`design_confint`.

    Returns
    -------
    DomainEstimates
    """
    method = check_method(method, DESIGN_METHODS)
    check_alpha(alpha)
    wy = np.asarray(sum_wy, dtype=float)
    w = np.asarray(sum_w, dtype=float)
    if np.any(wy < 0) or np.any(wy > w * (1 + 1e-12) + 1e-12):
        raise ValueError("need 0 <= sum_wy <= sum_w for a proportion")
    core = _linearise(
        domain,
        cluster,
        n,
        w,
        wy,
        stratum,
        sum_w2,
        wy if sum_wy2 is None else sum_wy2,
        frame,
        lonely_psu,
    )
    lower, upper = design_confint(core["estimate"], core["se"], core["n"], core["df"], alpha=alpha, method=method)
    return DomainEstimates(**core, lower=lower, upper=upper, method=method, alpha=alpha)


def design_proportion(
    cluster: ArrayLike, n: ArrayLike, sum_w: ArrayLike, sum_wy: ArrayLike, **options
) -> DesignEstimate:
    """One proportion over all rows; arguments as :func:`domain_proportions` without ``domain``."""
    return _single(domain_proportions, cluster, n, sum_w, sum_wy, **options)


def design_mean(cluster: ArrayLike, n: ArrayLike, sum_w: ArrayLike, sum_wy: ArrayLike, **options) -> DesignEstimate:
    """One mean over all rows; arguments as :func:`domain_means` without ``domain``."""
    return _single(domain_means, cluster, n, sum_w, sum_wy, **options)


def design_confint(
    estimate: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    alpha: float = 0.05,
    method: str = "beta",
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
    zero events still give an upper bound.
    """
    method = check_method(method, DESIGN_METHODS)
    alpha = check_alpha(alpha)
    p, se, n, df = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (estimate, se, n, df)))
    var = se**2
    ok = np.isfinite(p) & np.isfinite(var) & (df >= 1) & (n >= 2)
    informative = ok & (p > 0) & (p < 1) & (var > 0)
    ratio = (t_quantile(alpha / 2, np.where(ok, n - 1, 0)) / t_quantile(alpha / 2, df)) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(informative, p * (1 - p) / np.where(informative, var, 1.0), n) * ratio
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


def _single(estimator, cluster, n, sum_w, sum_wy, **options) -> DesignEstimate:
    """Run a domain estimator with one domain covering every row."""
    result = estimator(np.zeros(len(np.asarray(n)), dtype=np.int64), cluster, n, sum_w, sum_wy, **options)
    values = {}
    for f in fields(DesignEstimate):
        v = getattr(result, f.name)
        if isinstance(v, np.ndarray):
            # An empty input has no domain at all; report it as an empty one.
            v = v[0].item() if len(v) else (0 if v.dtype.kind == "i" else float("nan"))
        values[f.name] = v
    return DesignEstimate(**values)


def _linearise(domain, cluster, n, sum_w, sum_wy, stratum, sum_w2, sum_wy2, frame, lonely_psu):
    """Point estimates, linearised variance, df and design effects per domain."""
    check_method(lonely_psu, LONELY_PSU_RULES)
    cols = {"n": n, "w": sum_w, "wy": sum_wy, "w2": sum_w2, "wy2": sum_wy2}
    cols = {k: None if v is None else np.asarray(v, dtype=float) for k, v in cols.items()}
    d_labels, d_idx = np.unique(as_labels(domain, "domain"), return_inverse=True)
    if frame is None:
        frame = design_frame(cluster, stratum)
    k_idx = frame.locate(cluster, stratum)
    rows = len(d_idx)
    for name, col in cols.items():
        if col is not None and col.shape != (rows,):
            raise ValueError(f"{name} must be 1-D with one entry per row ({rows})")
    if np.any(cols["n"] < 0) or np.any(cols["w"] < 0) or np.any(np.isnan(cols["wy"])):
        raise ValueError("n and sum_w must be non-negative and sum_wy not NaN")

    n_dom, n_psu = len(d_labels), max(frame.n_psu, 1)
    cells, cell_idx = np.unique(d_idx.astype(np.int64) * n_psu + k_idx, return_inverse=True)
    cell = {k: None if v is None else np.bincount(cell_idx, v, len(cells)) for k, v in cols.items()}
    cd, ck = cells // n_psu, cells % n_psu
    tot = {k: None if v is None else np.bincount(cd, v, n_dom) for k, v in cell.items()}
    big_n, w, wy = tot["n"], tot["w"], tot["wy"]
    has_w = w > 0
    est = np.divide(wy, w, out=np.full(n_dom, np.nan), where=has_w)

    # PSU totals of the linearised variable (y - estimate) * w / W; zero in
    # PSUs without the domain, which therefore only enter through n_h.
    w_safe = np.where(has_w, w, 1.0)
    z = (cell["wy"] - np.where(has_w, est, 0.0)[cd] * cell["w"]) / w_safe[cd]
    var, df, psu_count = _stratified_variance(z, cd, ck, cell["n"] > 0, frame, n_dom, lonely_psu)
    var = np.where(has_w, var, np.nan)

    deff, deff_wor = _design_effects(var, big_n, w, wy, tot["wy2"], est)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(deff > 0, big_n / deff, np.nan)
        kish = (
            np.full(n_dom, np.nan)
            if tot["w2"] is None
            else np.where(tot["w2"] > 0, w**2 / np.where(tot["w2"] > 0, tot["w2"], 1.0), np.nan)
        )
    return {
        "domain": d_labels,
        "n": np.rint(big_n).astype(np.int64),
        "sum_w": w,
        "estimate": est,
        "se": np.sqrt(var),
        "df": df.astype(np.int64),
        "n_psu": psu_count.astype(np.int64),
        "deff": deff,
        "deff_wor": deff_wor,
        "n_eff": n_eff,
        "n_eff_kish": kish,
    }


def _stratified_variance(z, cd, ck, occupied, frame, n_dom, lonely_psu):
    """With-replacement variance of PSU totals ``z`` per domain, df and PSU count.

    ``z``, ``cd``, ``ck`` and ``occupied`` describe the (domain, PSU) cells
    present in the data; PSUs of the frame absent from a domain are zeros.
    """
    n_strata = len(frame.stratum_labels)
    groups, g_idx = np.unique(cd * n_strata + frame.psu_stratum[ck], return_inverse=True)
    n_groups = len(groups)
    gd, n_h = groups // n_strata, frame.stratum_psu_count[groups % n_strata].astype(float)
    present = np.bincount(g_idx, minlength=n_groups)
    mean_h = np.bincount(g_idx, z, n_groups) / n_h
    # Two-pass sum of squares: absent PSUs contribute (0 - mean)^2 each.
    ss = np.bincount(g_idx, (z - mean_h[g_idx]) ** 2, n_groups) + (n_h - present) * mean_h**2
    lonely = n_h == 1
    lonely_var = {
        "adjust": np.bincount(g_idx, z**2, n_groups),
        "remove": np.zeros(n_groups),
        "fail": np.full(n_groups, np.nan),
    }[lonely_psu]
    var_h = np.where(lonely, lonely_var, ss * n_h / np.where(lonely, 2.0, n_h - 1))
    var = np.bincount(gd, var_h, n_dom)

    psu_count = np.bincount(cd[occupied], minlength=n_dom)
    strata_occupied = np.bincount(g_idx, occupied.astype(float), n_groups) > 0
    df = psu_count - np.bincount(gd[strata_occupied], minlength=n_dom)
    return var, df, psu_count


def _design_effects(var, n, w, wy, wy2, est):
    """R's ``deff = "replace"`` and ``deff = TRUE`` from domain totals."""
    nan = np.full(len(var), np.nan)
    if wy2 is None:
        return nan, nan.copy()
    # Weighted sum of squared deviations; clipped because rounding can push
    # an outcome without variation a hair below zero.
    ss = np.maximum(np.where(w > 0, wy2 - wy * np.where(w > 0, est, 0.0), 0.0), 0.0)
    usable = (n > 1) & (ss > 0) & np.isfinite(var)
    denom = np.where(usable, w * (n - 1), 1.0)
    v_srs = ss / denom
    deff = np.where(usable, var / np.where(usable, v_srs, 1.0), np.nan)
    wor = usable & (w > n)
    v_wor = v_srs * (w - n) / np.where(wor, w, 1.0)
    deff_wor = np.where(wor, var / np.where(wor, v_wor, 1.0), np.nan)
    return deff, deff_wor
