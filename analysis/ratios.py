"""The SIPAS index: means of criterion satisfaction rates, from per-cluster sums.

SIPAS's published method (Bộ Nội vụ) builds its index from rates, not from
respondents:

- criterion ``j``'s satisfaction rate is ``R_j = Y_j / V_j``, the (weighted)
  satisfied answers over the (weighted) valid answers (levels 1–5; "not
  applicable" leaves the denominator);
- an element's index is the mean of its criteria's rates;
- the SIPAS index is the mean of the element indices.

So the index is a linear combination ``Σ_j c_j R_j`` of ratios, with
``c_j = 1 / (E · J_e)`` for criterion ``j`` of element ``e`` (``E``
elements, ``J_e`` criteria in element ``e``), and an element's index is the
combination with ``c_j = 1 / J_e`` on its own criteria. Every element
weighs the same, however few respondents answered it (a gated element such
as "handling of feedback" weighs 1/5 although only those who gave feedback
answer it; a mean over respondents would give it a few per cent).

**Variance.** Taylor linearisation of the combination, with the
covariances between criteria (answered by the same respondents in the same
clusters) included: each PSU's total of the linearised variable is

    z_i = Σ_j c_j (Y_ij − R_j V_ij) / V_j

and its with-replacement variance over PSUs within strata is the one of
:mod:`analysis.design` (a domain's ``z`` is zero outside it; lonely PSUs
per ``lonely_psu``). This is exactly R's
``svycontrast(svyratio(~y1+...+yJ, ~v1+...+vJ, design, covmat = TRUE),
<coefficients>)`` (``tests/analysis/test_index_vs_r.py``).

**Criteria without a rate.** In a domain where nobody gave a valid answer to
a criterion (all "not applicable", or a gated element nobody reached) the
criterion has no rate. Its element's index is then the mean of the rates
the element has, an element without any rate is left out, and the SIPAS
index is the mean of the element indices the domain has: the same rule as
for a respondent who skips an element, applied to rates. The coefficients
``c_j`` are those of the criteria that have a rate in the domain, and
``terms`` / ``elements_rated`` say how many entered, so that a unit whose
index rests on four elements can be marked as such.

**Effective sample size.** The index is not a proportion of respondents, so
the usual ``n / deff`` (design variance against the variance of a simple
random sample of respondents) would need respondent-level cross-products of
every pair of criteria. ``n_eff`` is instead the Bernoulli-equivalent size
``est (1 − est) / se²``, the size of a simple random sample whose yes/no
proportion at the index's value is as precise as the index, the effective
size Korn and Graubard use, capped at ``n`` (so ``deff = n / n_eff >= 1``).
It is what a funnel plot's binomial limits need; it understates the
precision of an index that averages many weakly related criteria, which is
the safe side for a funnel signal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._common import as_labels, check_alpha, check_method, segment_sums
from .frame import DF_RULES, LONELY_PSU_RULES, DesignFrame, DomainCells, design_frame
from .intervals import SE_ZERO, deff1_mask, mean_confint

__all__ = ["IndexEstimates", "index_estimate"]


@dataclass(frozen=True, eq=False)
class IndexEstimates:
    """Element indices and the SIPAS index per domain (domains sorted by label).

    Columns of the ``(domains, elements + 1)`` arrays: one per element, in
    the order of ``element``, then the SIPAS index (``[:, -1]``).

    Attributes
    ----------
    domain : ndarray, shape (D,)
        Domain labels.
    element : ndarray, shape (E,)
        Element labels, sorted.
    responses : ndarray of int64, shape (D,)
        Responses in the domain (the rows' ``n``).
    n_psu : ndarray of int64, shape (D,)
        PSUs holding a response of the domain.
    df : ndarray of int64, shape (D,)
        ``n_psu`` minus strata holding the domain (``degf`` of the subset).
    interval_df : ndarray of int64, shape (D,)
        The df the intervals used: ``df``, or the design's (``df_rule``).
    rate : ndarray of float, shape (D, J)
        Each criterion's rate ``R_j``; NaN where it has no valid answer.
    rate_se : ndarray of float, shape (D, J), or None
        Its linearised SE (``svyratio``), NaN where there is no rate; None
        unless asked for (``rate_se=True``).
    n : ndarray of int64, shape (D, E + 1)
        Answers behind each figure: for an element, the most valid answers
        any of its criteria has (respondents answering it, when they answer
        all its criteria); for the index, ``responses``.
    estimate, se : ndarray of float, shape (D, E + 1)
        The index and its linearised SE; NaN without a rate to average.
    lower, upper : ndarray of float, shape (D, E + 1)
        t interval with ``interval_df``, clipped to [0, 1]; NaN when the df
        is below 1. Where the SE is 0, Korn–Graubard with deff 1.
    deff1_interval : ndarray of bool, shape (D, E + 1)
        Where that fallback was used (R gives a zero-width interval).
    n_eff : ndarray of float, shape (D, E + 1)
        ``min(n, est (1 − est) / se²)``; ``n`` where the SE is 0 (module
        docstring).
    deff : ndarray of float, shape (D, E + 1)
        ``n / n_eff``, at least 1.
    terms : ndarray of int64, shape (D, E + 1)
        Criteria with a rate that entered each figure.
    elements_rated : ndarray of int64, shape (D,)
        Elements with an index, i.e. that entered the SIPAS index.
    alpha : float
    """

    domain: np.ndarray
    element: np.ndarray
    responses: np.ndarray
    n_psu: np.ndarray
    df: np.ndarray
    interval_df: np.ndarray
    rate: np.ndarray
    rate_se: np.ndarray | None
    n: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    deff1_interval: np.ndarray
    n_eff: np.ndarray
    deff: np.ndarray
    terms: np.ndarray
    elements_rated: np.ndarray
    alpha: float


def index_estimate(
    domain: ArrayLike,
    cluster: ArrayLike,
    n: ArrayLike,
    satisfied: ArrayLike,
    valid: ArrayLike,
    element: ArrayLike,
    *,
    stratum: ArrayLike | None = None,
    valid_count: ArrayLike | None = None,
    frame: DesignFrame | None = None,
    alpha: float = 0.05,
    lonely_psu: str = "adjust",
    df_rule: str = "domain",
    rate_se: bool = True,
) -> IndexEstimates:
    """Element indices and the SIPAS index per domain, with design-based intervals.

    Parameters
    ----------
    domain, cluster : array_like, 1-D, one entry per row
        Domain (a unit, a union of units, or any subpopulation) and cluster
        label of each row. A row holds the sums of one cluster (or part of
        one); a cluster may appear in several rows and several domains (a
        commune's clusters under the commune and under its district).
    n : array_like of int, shape (rows,)
        Responses in the row, whatever they answered. A PSU with ``n > 0``
        holds the domain (for ``df`` and ``n_psu``).
    satisfied, valid : array_like of float, shape (rows, J)
        Per criterion: the sum of weights of the satisfied answers, and of
        the valid answers (1–5). Unweighted: counts.
    element : array_like, shape (J,)
        The element of each criterion.
    stratum : array_like, optional
        Stratum label of each row; omit for an unstratified design.
    valid_count : array_like of int, shape (rows, J), optional
        Unweighted valid answers, for the element ``n``; defaults to
        ``valid`` (right when unweighted).
    frame : DesignFrame, optional
        The PSUs of the whole design; defaults to those in the rows. Pass it
        when some PSU of the design has no row here.
    alpha : float, default 0.05
    lonely_psu : {"adjust", "remove", "fail"}, default "adjust"
        As :func:`analysis.design.domain_means`.
    df_rule : {"domain", "design"}, default "domain"
        The df of the t intervals: the domain's own (``svyby``) or the whole
        design's (``confint(..., df = degf(design))``).
    rate_se : bool, default True
        Also give each criterion rate's SE. A caller that has the rates'
        SEs from elsewhere saves J variance computations.

    Returns
    -------
    IndexEstimates

    Raises
    ------
    ValueError
        Shapes that do not agree, negative sums, ``satisfied > valid``, an
        empty ``element``, an unknown ``lonely_psu`` or ``df_rule``, a
        cluster not in ``frame``.

    Notes
    -----
    The module docstring gives the definitions, the variance, the rule for
    criteria without a rate and the effective sample size. No responses at
    all gives empty arrays.
    """
    check_alpha(alpha)
    check_method(lonely_psu, LONELY_PSU_RULES)
    check_method(df_rule, DF_RULES)
    y, v, count, n_, e_idx, e_labels = _checked(n, satisfied, valid, valid_count, element)
    d_labels, d_idx = np.unique(as_labels(domain, "domain"), return_inverse=True)
    if len(d_idx) != len(n_):
        raise ValueError(f"domain must have one entry per row ({len(n_)})")
    if frame is None:
        frame = design_frame(cluster, stratum)
    k_idx = frame.locate(cluster, stratum)
    if len(k_idx) != len(n_):
        raise ValueError(f"cluster must have one entry per row ({len(n_)})")

    # Cells (domain, PSU), sorted, with their sums.
    n_dom, n_psu = len(d_labels), max(frame.n_psu, 1)
    codes = d_idx.astype(np.int64) * n_psu + k_idx
    in_order = bool(np.all(codes[1:] > codes[:-1]))  # one row per cell, sorted: nothing to group
    order = None if in_order else np.argsort(codes, kind="stable")
    codes = codes if in_order else codes[order]
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0, dtype=np.int64)
    cells = codes[first]
    cd, ck = cells // n_psu, cells % n_psu

    unique = len(first) == len(codes)  # one row per cell: reorder, nothing to add up

    def per_cell(a: np.ndarray) -> np.ndarray:
        if in_order:
            return a
        if unique:
            return a[order]
        return segment_sums(a[order], first)

    cell_n, cell_y, cell_v = per_cell(n_), per_cell(y), per_cell(v)
    # (an empty or single domain broadcasts its row; else one row per cell)
    at_cell = (lambda per_dom: per_dom[:1]) if n_dom == 1 else (lambda per_dom: per_dom[cd])
    d_first = np.searchsorted(cd, np.arange(n_dom))

    def per_domain(a: np.ndarray) -> np.ndarray:
        return segment_sums(a, d_first)

    tot_n, tot_y, tot_v = per_domain(cell_n), per_domain(cell_y), per_domain(cell_v)
    tot_count = tot_v if count is v else per_domain(per_cell(count))
    rated = tot_v > 0
    rate = np.divide(tot_y, tot_v, out=np.full(tot_y.shape, np.nan), where=rated)

    # Coefficients c_j per domain: 1/k_e within an element (k_e criteria
    # with a rate), and 1/(elements rated) between elements.
    n_elem = len(e_labels)
    member = np.zeros((len(e_idx), n_elem))
    member[np.arange(len(e_idx)), e_idx] = 1.0
    k = rated @ member  # (D, E) criteria with a rate per element
    el_rated = k > 0
    n_rated = el_rated.sum(axis=1)
    within = np.where(rated, 1.0 / np.where(k > 0, k, 1.0)[:, e_idx], 0.0)  # (D, J)
    between = np.where(n_rated > 0, 1.0 / np.maximum(n_rated, 1), 0.0)  # (D,)

    r0 = np.where(rated, rate, 0.0)
    el_est = np.where(el_rated, (r0 * within) @ member, np.nan)
    idx_est = np.where(n_rated > 0, np.nansum(np.where(el_rated, el_est, 0.0), axis=1) * between, np.nan)
    estimate = np.column_stack([el_est, idx_est])

    # PSU totals of the linearised variables: criterion j's is (Y - R V) / V,
    # an element's the sum of its criteria's with weights 1/k_e, the index's
    # the mean of its elements'. Criteria without a rate have weight 0.
    inv_v = np.where(rated, 1.0 / np.where(rated, tot_v, 1.0), 0.0)
    a, b = within * inv_v, within * inv_v * r0  # (D, J): z_el = (Y a - V b) @ member
    z_el = _combined(cell_y, cell_v, a, b, cd, member)  # (cells, E)
    z_idx = z_el.sum(axis=1) * at_cell(between)
    psus = DomainCells(cd, ck, cell_n > 0, frame, n_dom)
    columns = [z_el, z_idx[:, None]]
    if rate_se:
        columns.append(_combined(cell_y, cell_v, inv_v, inv_v * r0, cd, None))
    var_all = psus.variance(np.concatenate(columns, axis=1), lonely_psu)
    var = var_all[:, : n_elem + 1]
    se = np.sqrt(np.where(np.isnan(estimate), np.nan, var))
    se = np.where(se <= SE_ZERO, 0.0, se)
    rate_se_out = np.sqrt(np.where(rated, var_all[:, n_elem + 1 :], np.nan)) if rate_se else None

    el_n = np.where(el_rated, _max_by_element(tot_count, e_idx, n_elem), 0)
    return index_estimates_finish(
        d_labels, e_labels, tot_n, psus.psu_count, psus.df,
        psus.df if df_rule == "domain" else np.full(n_dom, frame.df, dtype=np.int64),
        rate, rate_se_out, el_n, estimate, se, k, rated, n_rated, alpha,
    )  # fmt: skip


def index_estimates_finish(
    d_labels, e_labels, tot_n, n_psu, df, interval_df, rate, rate_se, el_n, estimate, se, k, rated, n_rated, alpha
) -> IndexEstimates:
    """Intervals, effective sizes and the result, from the estimates and SEs
    (shared by :func:`index_estimate` and :func:`analysis.index_moments_estimate`)."""
    responses = np.rint(tot_n).astype(np.int64)
    counts = np.column_stack([el_n, responses]).astype(np.int64)
    idf = np.broadcast_to(np.asarray(interval_df)[:, None], estimate.shape)
    lower, upper = mean_confint(estimate, se, idf, alpha, n=counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        bernoulli = estimate * (1 - estimate) / se**2
    has = np.isfinite(estimate) & (counts > 0)
    n_eff = np.where(has, np.where(se > 0, np.minimum(bernoulli, counts), counts), np.nan)
    deff = np.where(has & (n_eff > 0), counts / np.where(n_eff > 0, n_eff, 1.0), np.nan)
    terms = np.column_stack([k, rated.sum(axis=1)]).astype(np.int64)
    return IndexEstimates(
        domain=d_labels,
        element=e_labels,
        responses=responses,
        n_psu=np.asarray(n_psu, dtype=np.int64),
        df=np.asarray(df, dtype=np.int64),
        interval_df=np.asarray(interval_df, dtype=np.int64),
        rate=rate,
        rate_se=rate_se,
        n=counts,
        estimate=estimate,
        se=se,
        lower=lower,
        upper=upper,
        deff1_interval=deff1_mask(estimate, se, counts, idf),
        n_eff=n_eff,
        deff=deff,
        terms=terms,
        elements_rated=n_rated.astype(np.int64),
        alpha=alpha,
    )


#: rows per block in :func:`_combined`: its temporaries then stay in the CPU cache
_BLOCK = 8192


def _combined(y: np.ndarray, v: np.ndarray, a: np.ndarray, b: np.ndarray, cd: np.ndarray, member) -> np.ndarray:
    """``(y * a[cd] - v * b[cd]) @ member`` (``member`` None: no product), block by block.

    On 200,000 cells x 22 criteria the one-shot expression allocates five
    arrays of 35 MB; blocks of a few thousand rows run about four times
    faster.
    """
    width = y.shape[1] if member is None else member.shape[1]
    out = np.empty((len(y), width))
    for start in range(0, len(y), _BLOCK):
        rows = slice(start, start + _BLOCK)
        d = cd[rows]
        z = y[rows] * a[d] - v[rows] * b[d]
        out[rows] = z if member is None else z @ member
    return out


def _checked(n, satisfied, valid, valid_count, element):
    """The inputs as arrays, or ValueError."""
    y = np.asarray(satisfied, dtype=float)
    v = np.asarray(valid, dtype=float)
    n_ = np.asarray(n, dtype=float)
    labels = as_labels(element, "element")
    if len(labels) == 0:
        raise ValueError("element must name the element of at least one criterion")
    if y.ndim != 2 or y.shape != v.shape or y.shape[1] != len(labels):
        raise ValueError("satisfied and valid must be 2-D, one row per row and one column per criterion")
    if n_.shape != (len(y),):
        raise ValueError(f"n must be 1-D with one entry per row ({len(y)})")
    count = v if valid_count is None else np.asarray(valid_count, dtype=float)
    if count.shape != v.shape:
        raise ValueError("valid_count must have the shape of valid")
    if not (np.all(v < np.inf) and np.all(n_ < np.inf)):  # (NaN fails the checks below)
        raise ValueError("sums must be finite")
    # satisfied <= valid, up to the rounding of weighted sums, checked exactly first
    within = np.all(y <= v) or not np.any(y > v * (1 + 1e-12) + 1e-12)
    if not (within and np.all(y >= 0) and np.all(n_ >= 0) and (count is v or np.all(count >= 0))):
        raise ValueError("need n >= 0, sums finite and 0 <= satisfied <= valid")
    e_labels, e_idx = np.unique(labels, return_inverse=True)
    return y, v, count, n_, e_idx.ravel(), e_labels


def _max_by_element(count: np.ndarray, e_idx: np.ndarray, n_elem: int) -> np.ndarray:
    """Per domain and element, the largest count among the element's criteria."""
    out = np.zeros((len(count), n_elem))
    for e in range(n_elem):
        cols = count[:, e_idx == e]
        if cols.shape[1]:
            out[:, e] = cols.max(axis=1)
    return np.rint(out)
