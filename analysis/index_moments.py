"""The SIPAS index from per-stratum sums and cross-products of cluster totals.

:func:`analysis.index_estimate` takes one row per cluster. When every
stratum lies wholly inside or wholly outside each domain (strata are the
units that collected the responses, domains are units or unions of units),
the same linearised variance follows from a few sums per stratum, which can
be kept per unit and month and added over any run of months: clusters
(service point × day) never cross a month.

Write ``x_i = (Y_i1 … Y_iJ, V_i1 … V_iJ)`` for cluster ``i``'s satisfied and
valid answers of the ``J`` criteria. A figure's linearised variable is a
linear combination ``z_i = c · x_i`` whose coefficients ``c`` depend only on
the domain (its rates, and how many criteria and elements have one), so a
stratum with ``m`` clusters contributes

    m/(m−1) [cᵀ G c − (c · S)²/m],   G = Σ_i x_i x_iᵀ,   S = Σ_i x_i,

and ``cᵀ G c`` alone when ``m = 1`` (R ``survey.lonely.psu = "adjust"``: a
ratio's linearised variable has mean 0). ``tests/analysis/test_index_moments.py``
checks every output against :func:`analysis.index_estimate` on the same
clusters.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._common import as_labels, check_alpha
from .intervals import SE_ZERO
from .ratios import IndexEstimates, index_estimates_finish

__all__ = ["gram_pack", "gram_unpack", "index_moments_estimate"]


def gram_pack(gram: np.ndarray) -> np.ndarray:
    """The upper triangles (diagonal included) of symmetric ``(H, k, k)`` matrices, as ``(H, k(k+1)/2)``."""
    k = gram.shape[-1]
    rows, cols = np.triu_indices(k)
    return gram[:, rows, cols]


def gram_unpack(packed: np.ndarray, k: int) -> np.ndarray:
    """The symmetric ``(H, k, k)`` matrices of :func:`gram_pack`'s rows."""
    rows, cols = np.triu_indices(k)
    out = np.zeros((len(packed), k, k))
    out[:, rows, cols] = packed
    out[:, cols, rows] = packed
    return out


def index_moments_estimate(
    domain: ArrayLike,
    psu: ArrayLike,
    n: ArrayLike,
    sums: ArrayLike,
    gram: ArrayLike,
    element: ArrayLike,
    *,
    alpha: float = 0.05,
    design_df: int | None = None,
) -> IndexEstimates:
    """Element indices and the SIPAS index per domain from per-stratum moments.

    Parameters
    ----------
    domain : array_like, 1-D, one entry per stratum row
        Domain label of each row; a stratum may appear under several domains.
    psu : array_like of int, shape (H,)
        Clusters in the stratum (each holding at least one response).
    n : array_like of int, shape (H,)
        Responses in the stratum.
    sums : array_like of float, shape (H, 2J)
        ``S``: per criterion, the satisfied answers, then the valid answers.
    gram : array_like of float, shape (H, 2J, 2J)
        ``G``: Σ over the stratum's clusters of ``x xᵀ`` (module docstring).
    element : array_like, shape (J,)
        The element of each criterion.
    alpha : float, default 0.05
    design_df : int, optional
        The df of every interval (the whole design's clusters minus strata);
        omitted: each domain's own, as ``svyby``.

    Returns
    -------
    IndexEstimates
        As :func:`analysis.index_estimate` with ``rate_se=False``.
    """
    check_alpha(alpha)
    labels = as_labels(element, "element")
    if len(labels) == 0:
        raise ValueError("element must name the element of at least one criterion")
    j = len(labels)
    s = np.asarray(sums, dtype=float)
    g = np.asarray(gram, dtype=float)
    m = np.asarray(psu, dtype=float)
    n_ = np.asarray(n, dtype=float)
    h = len(m)
    if s.shape != (h, 2 * j) or g.shape != (h, 2 * j, 2 * j) or n_.shape != (h,):
        raise ValueError("sums must be (H, 2J), gram (H, 2J, 2J), psu and n (H,)")
    if np.any(m < 0) or np.any(n_ < 0) or np.any(s < 0):
        raise ValueError("counts and sums must not be negative")
    d_labels, d_idx = np.unique(as_labels(domain, "domain"), return_inverse=True)
    d_idx = d_idx.ravel()
    if len(d_idx) != h:
        raise ValueError(f"domain must have one entry per row ({h})")
    e_labels, e_idx = np.unique(labels, return_inverse=True)
    e_idx = e_idx.ravel()
    n_dom, n_elem = len(d_labels), len(e_labels)

    def per_domain(a: np.ndarray) -> np.ndarray:
        out = np.zeros((n_dom, *a.shape[1:]))
        np.add.at(out, d_idx, a)
        return out

    tot = per_domain(s)
    tot_y, tot_v = tot[:, :j], tot[:, j:]
    tot_n = per_domain(n_)
    rated = tot_v > 0
    rate = np.divide(tot_y, tot_v, out=np.full(tot_y.shape, np.nan), where=rated)
    member = np.zeros((j, n_elem))
    member[np.arange(j), e_idx] = 1.0
    k = rated @ member
    el_rated = k > 0
    n_rated = el_rated.sum(axis=1)
    within = np.where(rated, 1.0 / np.where(k > 0, k, 1.0)[:, e_idx], 0.0)
    between = np.where(n_rated > 0, 1.0 / np.maximum(n_rated, 1), 0.0)
    r0 = np.where(rated, rate, 0.0)
    el_est = np.where(el_rated, (r0 * within) @ member, np.nan)
    idx_est = np.where(n_rated > 0, np.nansum(np.where(el_rated, el_est, 0.0), axis=1) * between, np.nan)
    estimate = np.column_stack([el_est, idx_est])

    # Coefficients of x for each figure: z_e = Σ_{j in e} w_j (Y_j − R_j V_j) / V_j.
    inv_v = np.where(rated, 1.0 / np.where(rated, tot_v, 1.0), 0.0)
    a = within * inv_v  # (D, J)
    coef = np.zeros((n_dom, 2 * j, n_elem + 1))
    coef[:, :j, :n_elem] = a[:, :, None] * member[None]
    coef[:, j:, :n_elem] = -(a * r0)[:, :, None] * member[None]
    coef[:, :, n_elem] = coef[:, :, :n_elem].sum(axis=2) * between[:, None]
    c = coef[d_idx]  # (H, 2J, E + 1)
    # batched matrix products (BLAS), not einsum: cᵀ G c and c · S for every stratum and figure
    quad = (c * (g @ c)).sum(axis=1)
    lin = (s[:, None, :] @ c)[:, 0, :]
    # The expanded sums cancel where every cluster's z is the same (or 0, as in
    # a stratum of one cluster that is its own domain): what is left is rounding.
    abs_c = np.abs(c)
    noise = 1e-10 * (abs_c * (np.abs(g) @ abs_c)).sum(axis=1)
    quad = np.where(quad <= noise, 0.0, quad)
    m_col = m[:, None]
    ss = quad - lin**2 / np.where(m_col > 0, m_col, 1.0)
    ss = np.where(ss <= noise, 0.0, ss)
    var_h = np.where(m_col > 1, ss * m_col / np.where(m_col > 1, m_col - 1, 1.0), np.maximum(quad, 0.0))
    var_h = np.where(m_col > 0, var_h, 0.0)
    var = per_domain(var_h)
    se = np.sqrt(np.where(np.isnan(estimate), np.nan, var))
    se = np.where(se <= SE_ZERO, 0.0, se)

    n_psu = np.rint(per_domain(m)).astype(np.int64)
    strata = np.rint(per_domain((m > 0).astype(float))).astype(np.int64)
    df = n_psu - strata
    interval_df = df if design_df is None else np.full(n_dom, int(design_df), dtype=np.int64)
    el_n = np.zeros((n_dom, n_elem))
    for e in range(n_elem):
        el_n[:, e] = tot_v[:, e_idx == e].max(axis=1)
    el_n = np.where(el_rated, np.rint(el_n), 0)
    return index_estimates_finish(
        d_labels, e_labels, tot_n, n_psu, df, interval_df, rate, None, el_n, estimate, se, k, rated, n_rated, alpha
    )
