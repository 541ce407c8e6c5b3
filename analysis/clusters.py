"""Respondent-level answers into per-cluster and per-stratum sums.

The estimators take sums, not respondents: per cluster (a PSU: service point
× day, or surveyor × day) the responses, weights, satisfied and valid answers
of each criterion (:func:`analysis.index_estimate`, and the per-cluster rows
of :mod:`analysis.design`), or per stratum the moments of those cluster sums
(:func:`analysis.moments_estimate`). A database can deliver either with a
GROUP BY. This module builds them from respondent-level arrays instead, for
callers that hold the answers (the indicator service reading packed answers,
a CSV import, a test), so that nobody rebuilds the aggregation:

- :func:`clusters_group` numbers the clusters of the respondents, in the
  order of (stratum, cluster keys), so that each stratum's clusters are
  consecutive; the resulting :class:`Clusters` sums any respondent-level
  column per cluster and per stratum, counts categories per cluster, and
  forms the stratum moments;
- :func:`cluster_sums` does the whole job for criteria: respondent-level
  0/1 satisfied and valid answers in, :class:`ClusterSums` (the input of
  :func:`analysis.index_estimate`) out.

Everything is a handful of ``bincount`` / ``reduceat`` calls: no Python
loop over respondents or clusters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from ._common import as_labels, segment_sums

__all__ = ["ClusterSums", "Clusters", "cluster_sums", "clusters_group"]


@dataclass(frozen=True, eq=False)
class Clusters:
    """Respondents grouped into clusters, and clusters into strata.

    Attributes
    ----------
    strata : ndarray, shape (H,)
        Sorted labels of the strata that hold respondents.
    of_respondent : ndarray of int64, shape (R,)
        The cluster number (0 .. K−1) of each respondent.
    stratum_of_cluster : ndarray of int64, shape (K,)
        Position in ``strata`` of each cluster; non-decreasing.
    starts : ndarray of int64, shape (H,)
        First cluster of each stratum.
    size : ndarray of int64, shape (K,)
        Respondents per cluster.
    """

    strata: np.ndarray
    of_respondent: np.ndarray
    stratum_of_cluster: np.ndarray
    starts: np.ndarray
    size: np.ndarray

    @property
    def n_clusters(self) -> int:
        """K, the number of clusters."""
        return len(self.size)

    @property
    def clusters_per_stratum(self) -> np.ndarray:
        """Clusters (PSUs) in each stratum, shape (H,)."""
        return np.diff(np.append(self.starts, self.n_clusters)).astype(np.int64)

    @property
    def respondents_per_stratum(self) -> np.ndarray:
        """Respondents in each stratum, shape (H,)."""
        return self.per_stratum(self.size).astype(np.int64)

    def sum(self, values: ArrayLike) -> np.ndarray:
        """Per-cluster sums of a respondent-level column (R,) or columns (R, m).

        Returns shape (K,) or (K, m), as float.
        """
        v = np.asarray(values)
        if v.shape[:1] != self.of_respondent.shape:
            raise ValueError("values must have one row per respondent")
        k = self.n_clusters
        if v.ndim == 1:
            return np.bincount(self.of_respondent, v.astype(float, copy=False), k)
        # All columns at once: (K, R) membership matrix times the (R, m) values,
        # each cluster's rows added in the order they come, as bincount would.
        return np.asarray(self._membership @ v, dtype=float).reshape(k, v.shape[1])

    @cached_property
    def _membership(self) -> sparse.csr_matrix:
        """The (K, R) 0/1 matrix of which respondent is in which cluster."""
        r = len(self.of_respondent)
        ones = np.ones(r)
        return sparse.csr_matrix((ones, (self.of_respondent, np.arange(r))), shape=(self.n_clusters, r))

    def count(self, category: ArrayLike, k: int, weight: ArrayLike | None = None) -> np.ndarray:
        """Respondents (or their weights) per cluster and category 0 .. k−1: shape (K, k)."""
        cat = np.asarray(category)
        if cat.shape != self.of_respondent.shape:
            raise ValueError("category must have one entry per respondent")
        if len(cat) and (cat.min() < 0 or cat.max() >= k):
            raise ValueError(f"categories must lie in 0 .. {k - 1}")
        w = None if weight is None else np.asarray(weight, dtype=float)
        n = self.n_clusters
        out = np.bincount(self.of_respondent * k + cat, w, minlength=n * k)
        return out.reshape(n, k)

    def per_stratum(self, per_cluster: ArrayLike) -> np.ndarray:
        """Sum cluster rows (K, ...) into stratum rows (H, ...)."""
        return segment_sums(per_cluster, self.starts)

    def moments(self, n: ArrayLike, w: ArrayLike, y: ArrayLike, y2: ArrayLike) -> dict[str, np.ndarray]:
        """Stratum moments of per-cluster sums, the input of :func:`analysis.moments_estimate`.

        Parameters
        ----------
        n, w, y, y2 : array_like, shape (K,)
            Per cluster: observations, sum of their weights ``W``, sum of
            weighted outcomes ``Y``, sum of weight × outcome² (``= y`` for a
            0/1 outcome).

        Returns
        -------
        dict of str to ndarray, shape (H,)
            ``psu`` (clusters in the stratum, with or without observations),
            ``occupied``, ``n``, ``w``, ``y``, ``ww`` (Σ W²), ``yy`` (Σ Y²),
            ``wy`` (Σ W·Y), ``y2``.
        """
        n_, w_, y_, y2_ = (np.asarray(a, dtype=float) for a in (n, w, y, y2))
        names = ("occupied", "n", "w", "y", "ww", "yy", "wy", "y2")
        # the eight sums in one pass (each column summed as it would be alone)
        columns = np.column_stack([(n_ > 0).astype(float), n_, w_, y_, w_ * w_, y_ * y_, w_ * y_, y2_])
        sums = self.per_stratum(columns.reshape(len(n_), len(names)))
        return {"psu": self.clusters_per_stratum.astype(float)} | {
            name: np.ascontiguousarray(sums[:, i]) for i, name in enumerate(names)
        }

    def mean_moments(self, value: ArrayLike, weight: ArrayLike | None = None) -> dict[str, np.ndarray]:
        """Stratum moments of a respondent-level value (NaN where a respondent has none).

        For the respondent-level indices: a respondent's share of satisfied
        criteria, or the mean of their element shares.
        """
        v = np.asarray(value, dtype=float)
        has = ~np.isnan(v)
        v0 = np.where(has, v, 0.0)
        k = self.n_clusters
        n = np.bincount(self.of_respondent, has, k)
        if weight is None:
            sw, wv = n, v0
        else:
            w = np.where(has, np.asarray(weight, dtype=float), 0.0)
            sw, wv = np.bincount(self.of_respondent, w, k), w * v0
        y = np.bincount(self.of_respondent, wv, k)
        y2 = np.bincount(self.of_respondent, wv * v0, k)
        return self.moments(n, sw, y, y2)


def clusters_group(stratum: ArrayLike, *keys: ArrayLike) -> Clusters:
    """Number the clusters of respondents, stratum by stratum.

    Parameters
    ----------
    stratum : array_like, 1-D
        The stratum (e.g. unit id) of each respondent.
    *keys : array_like of int, 1-D
        The columns that, within a stratum, identify a cluster (e.g. service
        point and day). Non-negative integers, or anything ``np.unique`` can
        rank; at least one.

    Returns
    -------
    Clusters
    """
    s = as_labels(stratum, "stratum")
    if not keys:
        raise ValueError("give at least one cluster key")
    cols = [as_labels(k, "cluster key") for k in keys]
    if any(len(c) != len(s) for c in cols):
        raise ValueError("stratum and cluster keys must have one entry per respondent")
    if len(s) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Clusters(s[:0], empty, empty, empty, empty)
    strata, s_idx = _ranked(s)
    dense = [s_idx, *(_dense(c) for c in cols)]
    widths = [int(d.max()) + 1 for d in dense]
    if np.prod(np.array(widths, dtype=float)) < 2.0**62:
        code = dense[0]
        for d, width in zip(dense[1:], widths[1:], strict=True):
            code = code * width + d
    else:  # too many combinations for one integer: rank the rows instead
        code = np.unique(np.column_stack(dense), axis=0, return_inverse=True)[1].ravel()
    _, of_respondent = np.unique(code, return_inverse=True)
    of_respondent = of_respondent.ravel().astype(np.int64)
    n_clusters = int(of_respondent.max()) + 1
    member = np.empty(n_clusters, dtype=np.int64)
    member[of_respondent] = np.arange(len(of_respondent))  # some respondent of each cluster
    stratum_of_cluster = s_idx[member]
    starts = np.searchsorted(stratum_of_cluster, np.arange(len(strata))).astype(np.int64)
    size = np.bincount(of_respondent, minlength=n_clusters).astype(np.int64)
    return Clusters(strata, of_respondent, stratum_of_cluster, starts, size)


def _ranked(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values of ``x`` and the rank of each entry among them.

    ``np.unique(x, return_inverse=True)``, without its sort where ``x`` holds
    integers of a small range (unit ids).
    """
    if x.dtype.kind in "iu":
        low, high = int(x.min()), int(x.max())
        if high - low < 1 << 20:
            offset = x.astype(np.int64) - low
            present = np.bincount(offset, minlength=high - low + 1) > 0
            rank = np.cumsum(present) - 1
            return (np.flatnonzero(present) + low).astype(x.dtype), rank[offset]
    labels, inverse = np.unique(x, return_inverse=True)
    return labels, inverse.ravel().astype(np.int64)


def _dense(x: np.ndarray) -> np.ndarray:
    """Small non-negative integers that order as ``x`` does: ``x`` minus its
    minimum where it is integer with a small range (ids, days), else its rank."""
    if x.dtype.kind in "iu":
        low, high = int(x.min()), int(x.max())
        if high - low < 1 << 20:
            return x.astype(np.int64) - low
    return np.unique(x, return_inverse=True)[1].ravel().astype(np.int64)


@dataclass(frozen=True, eq=False)
class ClusterSums:
    """Per-cluster sums of J criteria: the input of :func:`analysis.index_estimate`.

    Attributes
    ----------
    stratum : ndarray, shape (K,)
        The stratum label of each cluster.
    cluster : ndarray of int64, shape (K,)
        The cluster number (0 .. K−1), unique across strata.
    n : ndarray of int64, shape (K,)
        Responses in the cluster.
    satisfied, valid : ndarray of float, shape (K, J)
        Per criterion, the sum of weights of satisfied answers and of valid
        answers (1–5); counts when unweighted.
    valid_count : ndarray of int64, shape (K, J), or None
        Valid answers per criterion, unweighted; None when ``valid`` holds
        them already (no weights).
    """

    stratum: np.ndarray
    cluster: np.ndarray
    n: np.ndarray
    satisfied: np.ndarray
    valid: np.ndarray
    valid_count: np.ndarray | None = None


def cluster_sums(
    stratum: ArrayLike,
    cluster: ArrayLike | tuple[ArrayLike, ...],
    satisfied: ArrayLike,
    valid: ArrayLike,
    weight: ArrayLike | None = None,
) -> ClusterSums:
    """Respondent-level criterion answers into per-cluster sums.

    Parameters
    ----------
    stratum : array_like, shape (R,)
        Stratum of each respondent.
    cluster : array_like, shape (R,), or a tuple of such
        The cluster of each respondent within its stratum (one key, or
        several such as (service point, day)).
    satisfied, valid : array_like of bool or 0/1, shape (R, J)
        Per respondent and criterion: a satisfied answer (4 or 5), and a
        valid answer (1–5; "not applicable" and no answer are not valid).
    weight : array_like, shape (R,), optional
        Respondent weights; 1 when omitted.

    Returns
    -------
    ClusterSums

    Notes
    -----
    With ``answers`` coded 1–5 and 9 for "not applicable"::

        sums = cluster_sums(unit, (point, day), (answers >= 4) & (answers <= 5), (answers >= 1) & (answers <= 5))
        index_estimate(domain_of[sums.stratum], sums.cluster, sums.n, sums.satisfied, sums.valid,
                       element_of_criterion, stratum=sums.stratum, valid_count=sums.valid_count)
    """
    keys = cluster if isinstance(cluster, tuple) else (cluster,)
    groups = clusters_group(stratum, *keys)
    y = np.asarray(satisfied, dtype=float)
    v = np.asarray(valid, dtype=float)
    if y.ndim != 2 or y.shape != v.shape or len(y) != len(groups.of_respondent):
        raise ValueError("satisfied and valid must be (respondents, criteria) arrays of one shape")
    if np.any((y != 0) & (y != 1)) or np.any((v != 0) & (v != 1)) or np.any(y > v):
        raise ValueError("satisfied and valid must be 0/1, and satisfied only where valid")
    w = None if weight is None else np.asarray(weight, dtype=float)
    if w is not None and (w.shape != (len(y),) or np.any(~np.isfinite(w)) or np.any(w < 0)):
        raise ValueError("weight must be one finite non-negative number per respondent")
    counts = groups.sum(v)
    return ClusterSums(
        stratum=groups.strata[groups.stratum_of_cluster],
        cluster=np.arange(groups.n_clusters, dtype=np.int64),
        n=groups.size,
        satisfied=groups.sum(y if w is None else y * w[:, None]),
        valid=counts if w is None else groups.sum(v * w[:, None]),
        valid_count=None if w is None else np.rint(counts).astype(np.int64),
    )
