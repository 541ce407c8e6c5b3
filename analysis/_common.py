"""Validation and distribution helpers shared by the analysis modules."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse, stats


def check_alpha(alpha: float) -> float:
    """Return ``alpha`` as a float, or raise ValueError unless 0 < alpha < 1."""
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    return alpha


def check_method(method: str, allowed: tuple[str, ...]) -> str:
    """Return ``method`` if it is one of ``allowed``, else raise ValueError."""
    if method not in allowed:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(allowed)}")
    return method


def beta_quantile(q: float, a: np.ndarray, b: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Beta quantile evaluated only where ``where`` holds, NaN elsewhere.

    Evaluating outside the parameter space would only produce NaN anyway,
    but masking keeps degenerate parameters away from scipy entirely.
    """
    a, b, where = np.broadcast_arrays(a, b, where)
    out = np.full(a.shape, np.nan)
    if np.any(where):
        out[where] = stats.beta.ppf(q, a[where], b[where])
    return out


def t_quantile(q: float, df: ArrayLike) -> np.ndarray:
    """Student t quantile, NaN for df < 1 (where R also gives NaN)."""
    df = np.asarray(df, dtype=float)
    out = np.full(df.shape, np.nan)
    ok = df >= 1
    out[ok] = stats.t.ppf(q, df[ok])
    return out


def as_labels(values: ArrayLike, name: str) -> np.ndarray:
    """``values`` as a 1-D array of labels, or ValueError."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    return arr


def segment_sums(values: ArrayLike, starts: ArrayLike) -> np.ndarray:
    """Sums of consecutive blocks of rows: block ``i`` runs from ``starts[i]`` to ``starts[i + 1]``.

    ``starts`` is non-decreasing; an empty block sums to 0. Integer input
    gives integer sums, boolean input counts. One sparse matrix product, several times faster than
    ``np.add.reduceat`` along the first axis of a narrow 2-D array.
    """
    a = np.asarray(values)
    first = np.asarray(starts, dtype=np.int64)
    rows = len(a)
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    if not len(first):
        return np.zeros((0, *a.shape[1:]), dtype=a.dtype)
    # integer sums stay integer (and exact); anything else is summed as float
    kind = a.dtype if a.dtype.kind in "iu" else np.float64
    blocks = sparse.csr_array(
        (np.ones(rows, dtype=kind), np.arange(rows), np.append(first, rows)), shape=(len(first), rows)
    )
    return blocks @ a.astype(kind, copy=False)
