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
  subsets the design per domain), and the intervals' default
  (``df_rule="domain"``); ``df_rule="design"`` gives every domain the df of
  the whole design instead, as ``confint(svyby(...), df = degf(design))``
  or ``svyciprop(..., df = degf(design))``.

Two choices differ from R on purpose and are flagged in the results:
``n_eff`` is ``n / max(1, deff)`` (a design effect below 1, which a handful
of similar clusters easily produce, does not make a sample larger than it
is), and where the standard error is 0 the interval is Korn–Graubard's with
the design effect 1 (``deff1_interval``; R gives NA), see
:mod:`analysis.intervals`.

A PSU is identified by the pair (stratum, cluster), as with ``nest = TRUE``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike

from ._common import as_labels, check_alpha, check_method
from .frame import DF_RULES, LONELY_PSU_RULES, DesignFrame, DomainCells, design_frame
from .intervals import DESIGN_METHODS, deff1_mask, design_confint, mean_confint

__all__ = [
    "DESIGN_METHODS",
    "DF_RULES",
    "LONELY_PSU_RULES",
    "DesignEstimate",
    "DomainEstimates",
    "design_confint",
    "design_mean",
    "design_proportion",
    "domain_means",
    "domain_proportions",
    "n_eff_floor",
]


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
    interval_df : ndarray of int64
        The df the interval used: ``df`` (``df_rule="domain"``) or the
        whole design's (``"design"``).
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
        Effective sample size ``n / max(1, deff)`` (never above ``n``; R's
        ``n / deff`` can be); NaN where ``deff`` is.
    n_eff_kish : ndarray of float
        Kish's effective sample size for weighting, ``sum_w**2 / sum_w2``;
        NaN when ``sum_w2`` was not given.
    lower, upper : ndarray of float
        Confidence bounds; NaN when ``df < 1``.
    deff1_interval : ndarray of bool
        The standard error is 0 (an estimate of exactly 0 or 1, or clusters
        that all agree) and the interval is Korn–Graubard's with the design
        effect taken as 1; R gives NA there.
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
    interval_df: np.ndarray
    n_psu: np.ndarray
    deff: np.ndarray
    deff_wor: np.ndarray
    n_eff: np.ndarray
    n_eff_kish: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    deff1_interval: np.ndarray
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
    interval_df: int
    n_psu: int
    deff: float
    deff_wor: float
    n_eff: float
    n_eff_kish: float
    lower: float
    upper: float
    deff1_interval: bool
    method: str
    alpha: float


def n_eff_floor(n: ArrayLike, deff: ArrayLike) -> np.ndarray:
    """Effective sample size ``n / max(1, deff)``: never more than ``n``.

    A design effect below 1 is an estimate; with few clusters it is often
    far below 1 by chance (similar clusters), and ``n / deff`` would then
    claim more information than the answers hold. NaN where ``deff`` is NaN.
    """
    n_, d = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(deff, dtype=float))
    return np.where(np.isnan(d), np.nan, n_ / np.maximum(np.where(np.isnan(d), 1.0, d), 1.0))


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
    df_rule: str = "domain",
    bounded: bool = False,
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
    df_rule : {"domain", "design"}, default "domain"
        The df of each domain's interval: its own (PSUs holding it minus
        strata holding it, as ``svyby``) or the whole design's
        (``confint(svyby(...), df = degf(design))``).
    bounded : bool, default False
        The outcome is a share in [0, 1] (an index): clip the interval to
        [0, 1] and give a standard error of 0 the Korn–Graubard interval
        with deff 1 (:func:`analysis.intervals.mean_confint`).

    Returns
    -------
    DomainEstimates
        ``method == "t"``: ``estimate -/+ t(1 - alpha/2, interval_df) * se``.
    """
    check_alpha(alpha)
    core = _linearise(domain, cluster, n, sum_w, sum_wy, stratum, sum_w2, sum_wy2, frame, lonely_psu, df_rule)
    est, se, idf = core["estimate"], core["se"], core["interval_df"]
    lower, upper = mean_confint(est, se, idf, alpha, bounded=bounded, n=core["n"] if bounded else None)
    flag = deff1_mask(est, se, core["n"], idf) if bounded else np.zeros(len(est), dtype=bool)
    return DomainEstimates(**core, lower=lower, upper=upper, deff1_interval=flag, method="t", alpha=alpha)


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
    df_rule: str = "domain",
    deff_floor: bool = False,
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
    deff_floor : bool, default False
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
        df_rule,
    )
    est, se, n_, idf = core["estimate"], core["se"], core["n"], core["interval_df"]
    lower, upper = design_confint(est, se, n_, idf, alpha=alpha, method=method, deff_floor=deff_floor)
    flag = deff1_mask(est, se, n_, idf)
    return DomainEstimates(**core, lower=lower, upper=upper, deff1_interval=flag, method=method, alpha=alpha)


def design_proportion(
    cluster: ArrayLike, n: ArrayLike, sum_w: ArrayLike, sum_wy: ArrayLike, **options
) -> DesignEstimate:
    """One proportion over all rows; arguments as :func:`domain_proportions` without ``domain``."""
    return _single(domain_proportions, cluster, n, sum_w, sum_wy, **options)


def design_mean(cluster: ArrayLike, n: ArrayLike, sum_w: ArrayLike, sum_wy: ArrayLike, **options) -> DesignEstimate:
    """One mean over all rows; arguments as :func:`domain_means` without ``domain``."""
    return _single(domain_means, cluster, n, sum_w, sum_wy, **options)


def _single(estimator, cluster, n, sum_w, sum_wy, **options) -> DesignEstimate:
    """Run a domain estimator with one domain covering every row."""
    result = estimator(np.zeros(len(np.asarray(n)), dtype=np.int64), cluster, n, sum_w, sum_wy, **options)
    values = {}
    for f in fields(DesignEstimate):
        v = getattr(result, f.name)
        if isinstance(v, np.ndarray):
            # An empty input has no domain at all; report it as an empty one.
            v = v[0].item() if len(v) else {"i": 0, "b": False}.get(v.dtype.kind, float("nan"))
        values[f.name] = v
    return DesignEstimate(**values)


def _linearise(domain, cluster, n, sum_w, sum_wy, stratum, sum_w2, sum_wy2, frame, lonely_psu, df_rule):
    """Point estimates, linearised variance, df and design effects per domain."""
    check_method(lonely_psu, LONELY_PSU_RULES)
    check_method(df_rule, DF_RULES)
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
    psus = DomainCells(cd, ck, cell["n"] > 0, frame, n_dom)
    var = np.where(has_w, psus.variance(z, lonely_psu), np.nan)
    df = psus.df
    interval_df = df if df_rule == "domain" else np.full(n_dom, frame.df, dtype=np.int64)

    deff, deff_wor = _design_effects(var, big_n, w, wy, tot["wy2"], est)
    n_eff = n_eff_floor(big_n, deff)
    with np.errstate(divide="ignore", invalid="ignore"):
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
        "interval_df": interval_df.astype(np.int64),
        "n_psu": psus.psu_count,
        "deff": deff,
        "deff_wor": deff_wor,
        "n_eff": n_eff,
        "n_eff_kish": kish,
    }


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
