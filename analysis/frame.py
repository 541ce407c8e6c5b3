"""The primary sampling units (PSUs) of a survey design.

A PSU is identified by the pair (stratum, cluster), as with R's
``svydesign(..., nest = TRUE)``: the same cluster label in two strata names
two PSUs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._common import as_labels, segment_sums

__all__ = ["DesignFrame", "design_frame"]

#: Treatments of a stratum with a single PSU (R's ``survey.lonely.psu``).
LONELY_PSU_RULES = ("adjust", "remove", "fail")
#: Degrees of freedom of a domain's interval: its own PSUs minus strata
#: (``degf(subset(design, ...))``, what ``svyby`` uses) or the whole design's
#: (``confint(svyby(...), df = degf(design))``).
DF_RULES = ("domain", "design")


@dataclass(frozen=True, eq=False)
class DesignFrame:
    """The primary sampling units (PSUs) of a design.

    Build it with :func:`design_frame` from every (stratum, cluster) pair
    of the whole survey, so that a domain's estimate knows about PSUs in
    which the domain (or the question) has no answers.

    Attributes
    ----------
    stratum_labels, cluster_labels : ndarray
        Sorted distinct labels.
    psu_codes : ndarray of int64
        One sorted code per PSU: ``stratum_index * len(cluster_labels) + cluster_index``.
    psu_stratum : ndarray of int64
        Stratum index of each PSU.
    stratum_psu_count : ndarray of int64
        Number of PSUs in each stratum (``n_h``).
    """

    stratum_labels: np.ndarray
    cluster_labels: np.ndarray
    psu_codes: np.ndarray
    psu_stratum: np.ndarray
    stratum_psu_count: np.ndarray

    @property
    def n_psu(self) -> int:
        """Number of PSUs."""
        return len(self.psu_codes)

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R's ``degf``)."""
        return self.n_psu - int(np.count_nonzero(self.stratum_psu_count))

    def locate(self, cluster: ArrayLike, stratum: ArrayLike | None = None) -> np.ndarray:
        """Index into ``psu_codes`` of each (stratum, cluster) pair; ValueError if unknown."""
        c_idx = _lookup(self.cluster_labels, as_labels(cluster, "cluster"), "cluster")
        s_in = np.zeros(len(c_idx), dtype=np.int64) if stratum is None else stratum
        s_idx = _lookup(self.stratum_labels, as_labels(s_in, "stratum"), "stratum")
        if len(s_idx) != len(c_idx):
            raise ValueError("stratum and cluster must have the same length")
        return _lookup(self.psu_codes, s_idx * len(self.cluster_labels) + c_idx, "PSU")


def design_frame(cluster: ArrayLike, stratum: ArrayLike | None = None) -> DesignFrame:
    """Collect the PSUs of a design.

    Parameters
    ----------
    cluster : array_like, 1-D
        Cluster label of each row (rows may repeat a PSU).
    stratum : array_like, 1-D, optional
        Stratum label of each row; omit for an unstratified design.

    Returns
    -------
    DesignFrame
    """
    c = as_labels(cluster, "cluster")
    s = np.zeros(len(c), dtype=np.int64) if stratum is None else as_labels(stratum, "stratum")
    if len(s) != len(c):
        raise ValueError("stratum and cluster must have the same length")
    s_labels, s_idx = np.unique(s, return_inverse=True)
    c_labels, c_idx = np.unique(c, return_inverse=True)
    # (return_inverse keeps np.unique on its sort path: without it NumPy 2
    # hashes, some 30 times slower on 200,000 integers)
    codes = np.unique(s_idx.astype(np.int64) * len(c_labels) + c_idx, return_inverse=True)[0]
    psu_stratum = codes // max(len(c_labels), 1)
    counts = np.bincount(psu_stratum, minlength=len(s_labels)).astype(np.int64)
    return DesignFrame(s_labels, c_labels, codes, psu_stratum, counts)


class DomainCells:
    """The (domain, PSU) cells of some rows, for with-replacement variances.

    Parameters
    ----------
    cd, ck : ndarray of int64
        Domain index and PSU index (into ``frame.psu_codes``) of each cell,
        sorted by domain, then PSU, each pair once (as ``np.unique`` of
        ``domain * frame.n_psu + psu`` gives them).
    occupied : ndarray of bool
        Cells holding at least one observation of the domain.
    frame : DesignFrame
    n_dom : int
        Number of domains.

    Attributes
    ----------
    psu_count : ndarray of int64
        Occupied PSUs per domain.
    df : ndarray of int64
        Occupied PSUs minus strata holding an occupied PSU, per domain.
    """

    def __init__(self, cd: np.ndarray, ck: np.ndarray, occupied: np.ndarray, frame: DesignFrame, n_dom: int):
        n_strata = len(frame.stratum_labels)
        groups, self._g_idx = np.unique(cd * n_strata + frame.psu_stratum[ck], return_inverse=True)
        self._g_idx = self._g_idx.ravel()
        self._n_groups = len(groups)
        self._gd = groups // n_strata
        self._n_h = frame.stratum_psu_count[groups % n_strata].astype(float)
        self._present = np.bincount(self._g_idx, minlength=self._n_groups)
        # Cells sorted by domain then PSU (as np.unique leaves them) keep each
        # group contiguous: sums are then one reduceat for every column at once.
        self._sorted = bool(np.all(np.diff(self._g_idx) >= 0))
        self._g_first = np.flatnonzero(np.r_[True, np.diff(self._g_idx) > 0]) if len(self._g_idx) else self._g_idx
        self._n_dom = n_dom
        self.psu_count = np.bincount(cd[occupied], minlength=n_dom).astype(np.int64)
        strata_occupied = np.bincount(self._g_idx, occupied.astype(float), self._n_groups) > 0
        self.df = self.psu_count - np.bincount(self._gd[strata_occupied], minlength=n_dom).astype(np.int64)

    def variance(self, z: np.ndarray, lonely_psu: str = "adjust") -> np.ndarray:
        """With-replacement variance, per domain, of the PSU totals ``z`` (one per cell).

        ``z`` has one row per cell, and one column per variable if 2-D; the
        result has shape ``(n_dom,)`` or ``(n_dom, columns)``. PSUs of the
        frame absent from a domain count as zeros. A stratum with one PSU:
        ``"adjust"`` centres it at 0, the overall mean of a ratio's
        linearised variable; ``"remove"`` gives it no variance; ``"fail"``
        makes the domain's variance NaN.
        """
        z = np.asarray(z, dtype=float)
        flat = z.ndim == 1
        z2 = z[:, None] if flat else z
        n_h = self._n_h[:, None]
        mean_h = self._per_group(z2) / n_h
        # Two-pass sum of squares: absent PSUs contribute (0 - mean)^2 each.
        ss = self._per_group((z2 - mean_h[self._g_idx]) ** 2) + (n_h - self._present[:, None]) * mean_h**2
        lonely = self._n_h == 1
        if lonely_psu == "adjust":
            lonely_var = self._per_group(z2**2)
        elif lonely_psu == "remove":
            lonely_var = np.zeros_like(ss)
        else:
            lonely_var = np.full_like(ss, np.nan)
        var_h = np.where(lonely[:, None], lonely_var, ss * n_h / np.where(lonely, 2.0, self._n_h - 1)[:, None])
        var = self._per_domain(var_h)
        return var[:, 0] if flat else var

    def _per_group(self, a: np.ndarray) -> np.ndarray:
        """Sum cell rows into (domain, stratum) group rows."""
        if not len(a):
            return np.zeros((self._n_groups, a.shape[1]))
        if self._sorted:
            return segment_sums(a, self._g_first)
        return np.column_stack([np.bincount(self._g_idx, col, self._n_groups) for col in a.T])

    def _per_domain(self, a: np.ndarray) -> np.ndarray:
        """Sum group rows into domain rows (domains without a group get 0)."""
        out = np.zeros((self._n_dom, a.shape[1]))
        np.add.at(out, self._gd, a)
        return out


def _lookup(sorted_labels: np.ndarray, values: np.ndarray, name: str) -> np.ndarray:
    """Positions of ``values`` in ``sorted_labels``; ValueError for a value not there."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    try:
        pos = np.searchsorted(sorted_labels, values)
    except TypeError as exc:  # e.g. integer labels looked up among strings
        raise ValueError(f"{name} labels are not of the design frame's type") from exc
    found = pos < len(sorted_labels)
    found[found] = sorted_labels[pos[found]] == values[found]
    if not np.all(found):
        raise ValueError(f"{name} {values[~found][0]!r} is not in the design frame")
    return pos.astype(np.int64)
