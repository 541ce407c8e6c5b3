"""The survey's indicators, computed from counts.

Definitions (design.md, "Statistics"):

- A criterion's satisfaction rate is the number of answers 4 or 5 divided by
  the number of valid answers (1 to 5). "Not applicable / don't know" leaves
  the denominator and is counted separately.
- The SIPAS element index (mean of its criteria's rates) and SIPAS index
  (mean of the element indices), the headline, are in
  :mod:`analysis.ratios` (:func:`analysis.index_estimate`).
- The respondent-level indices, the second figure, are here: an element's
  is the mean, over respondents, of the share of that element's criteria
  the respondent rated satisfied among those they answered (respondents who
  answered none of them are left out of that element); the overall one is
  the mean, over respondents, of the mean of their element shares (over the
  elements they answered).
- The harassment rate and the informal-payment rate are "yes" divided by
  ("yes" + "no"); refusals are counted and reported separately.

Per-respondent shares come from :func:`respondent_shares`; their cluster
sums of ``w * share`` and ``w * share**2`` (:meth:`analysis.Clusters.mean_moments`)
then go to :func:`analysis.moments_estimate` or
:func:`analysis.design.domain_means` for a design-based index, or their
plain sums to :func:`index_confint` under simple random sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .design import design_confint
from .proportions import proportion_confint

__all__ = [
    "SCALE_LEVELS",
    "CriterionRates",
    "IncidenceRates",
    "IndexInterval",
    "RespondentShares",
    "criterion_rates",
    "incidence_rates",
    "index_confint",
    "respondent_shares",
]

#: Codes of the five-level satisfaction scale, in the order of ``level_counts``.
SCALE_LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True, eq=False)
class CriterionRates:
    """Satisfaction with one criterion (arrays over units, questions, ...).

    Attributes
    ----------
    n_valid : ndarray of int64
        Answers on the scale (1 to 5).
    n_satisfied : ndarray of int64
        Answers counted as satisfied (4 or 5 by default).
    n_not_applicable : ndarray of int64
        "Not applicable / don't know" answers, outside the denominator.
    distribution : ndarray of float, shape (..., 5)
        Share of valid answers at each level 1..5; NaN when ``n_valid == 0``.
    rate, lower, upper : ndarray of float
        Satisfaction rate and its SRS confidence interval (NaN when empty).
    mean_score : ndarray of float
        Mean level over valid answers.
    mean_score_se : ndarray of float
        Its SRS standard error ``sd / sqrt(n)``; NaN when ``n_valid < 2``.
    method : str
    alpha : float
    """

    n_valid: np.ndarray
    n_satisfied: np.ndarray
    n_not_applicable: np.ndarray
    distribution: np.ndarray
    rate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    mean_score: np.ndarray
    mean_score_se: np.ndarray
    method: str
    alpha: float


@dataclass(frozen=True, eq=False)
class IncidenceRates:
    """A yes/no indicator such as harassment or informal payment.

    Attributes
    ----------
    n : ndarray of int64
        "Yes" plus "no" answers: the denominator.
    n_yes, n_refused : ndarray of int64
        "Yes" answers, and refusals (outside the denominator).
    rate, lower, upper : ndarray of float
        ``n_yes / n`` and its SRS confidence interval (NaN when ``n == 0``).
    method : str
    alpha : float
    """

    n: np.ndarray
    n_yes: np.ndarray
    n_refused: np.ndarray
    rate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: str
    alpha: float


@dataclass(frozen=True, eq=False)
class RespondentShares:
    """Per-respondent shares behind the element and overall indices.

    Attributes
    ----------
    element : ndarray of float, shape (respondents, elements)
        Share of the element's answered criteria rated satisfied; NaN where
        the respondent answered none of them.
    overall : ndarray of float, shape (respondents,)
        Mean of the respondent's element shares; NaN if they answered no
        element.
    """

    element: np.ndarray
    overall: np.ndarray


@dataclass(frozen=True, eq=False)
class IndexInterval:
    """An index (a mean of shares in [0, 1]) under simple random sampling.

    Attributes
    ----------
    n : ndarray of int64
        Respondents contributing a share.
    estimate, se, lower, upper : ndarray of float
        Mean share, its standard error, and the confidence bounds.
    method : str
    alpha : float
    """

    n: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: str
    alpha: float


def criterion_rates(
    level_counts: ArrayLike,
    not_applicable: ArrayLike = 0,
    *,
    satisfied_levels: tuple[int, ...] = (4, 5),
    method: str = "wilson",
    alpha: float = 0.05,
) -> CriterionRates:
    """Satisfaction rate, level distribution and mean score of criteria.

    Parameters
    ----------
    level_counts : array_like of int, shape (..., 5)
        Counts of answers at levels 1..5 along the last axis, e.g. shape
        (units, criteria, 5) from one GROUP BY.
    not_applicable : array_like of int, shape (...)
        Count of "not applicable / don't know" answers.
    satisfied_levels : tuple of int, default (4, 5)
        Levels counted as satisfied (from the instrument).
    method : str, default "wilson"
        Any method of :func:`analysis.proportions.proportion_confint`.
    alpha : float, default 0.05

    Returns
    -------
    CriterionRates
    """
    counts = np.asarray(level_counts)
    if counts.ndim < 1 or counts.shape[-1] != len(SCALE_LEVELS):
        raise ValueError("level_counts must have the five scale levels on its last axis")
    if np.any(counts < 0):
        raise ValueError("counts must be non-negative")
    if not satisfied_levels or not set(satisfied_levels) <= set(SCALE_LEVELS):
        raise ValueError(f"satisfied_levels must be a non-empty subset of {SCALE_LEVELS}")
    counts = counts.astype(np.int64)
    na = np.broadcast_to(np.asarray(not_applicable, dtype=np.int64), counts.shape[:-1])
    if np.any(na < 0):
        raise ValueError("counts must be non-negative")
    n = counts.sum(axis=-1)
    satisfied = counts[..., [level - 1 for level in satisfied_levels]].sum(axis=-1)
    ci = proportion_confint(satisfied, n, alpha=alpha, method=method)

    levels = np.asarray(SCALE_LEVELS, dtype=float)
    has = n > 0
    n_safe = np.where(has, n, 1)
    distribution = np.where(has[..., None], counts / n_safe[..., None], np.nan)
    mean = np.where(has, (counts * levels).sum(axis=-1) / n_safe, np.nan)
    sq_dev = (counts * (levels - np.where(has, mean, 0.0)[..., None]) ** 2).sum(axis=-1)
    two = n > 1
    mean_se = np.where(two, np.sqrt(sq_dev / np.where(two, (n - 1) * n, 1)), np.nan)
    return CriterionRates(
        n,
        satisfied,
        na.copy(),
        distribution,
        ci.estimate,
        ci.lower,
        ci.upper,
        mean,
        mean_se,
        method,
        ci.alpha,
    )


def incidence_rates(
    yes: ArrayLike,
    no: ArrayLike,
    refused: ArrayLike = 0,
    *,
    method: str = "wilson",
    alpha: float = 0.05,
) -> IncidenceRates:
    """Rate of "yes" among "yes" and "no" (harassment, informal payment).

    Parameters
    ----------
    yes, no, refused : array_like of int
        Answer counts, broadcast together.
    method : str, default "wilson"
        Any method of :func:`analysis.proportions.proportion_confint`;
        ``"clopper-pearson"`` or ``"jeffreys"`` suit very rare events.
    alpha : float, default 0.05

    Returns
    -------
    IncidenceRates
    """
    y, no_, ref = np.broadcast_arrays(*(np.asarray(a, dtype=np.int64) for a in (yes, no, refused)))
    if np.any(y < 0) or np.any(no_ < 0) or np.any(ref < 0):
        raise ValueError("counts must be non-negative")
    n = y + no_
    ci = proportion_confint(y, n, alpha=alpha, method=method)
    return IncidenceRates(n, y.copy(), ref.copy(), ci.estimate, ci.lower, ci.upper, method, ci.alpha)


def respondent_shares(satisfied: ArrayLike, answered: ArrayLike) -> RespondentShares:
    """Per-respondent element shares and overall share.

    Parameters
    ----------
    satisfied, answered : array_like of int, shape (respondents, elements)
        Per respondent and element: criteria rated satisfied, and criteria
        answered on the scale (not "not applicable").

    Returns
    -------
    RespondentShares
    """
    # Counts stay in their own (small integer) type until the one division:
    # this runs on every respondent of a province.
    sat, ans = np.asarray(satisfied), np.asarray(answered)
    if sat.ndim != 2 or sat.shape != ans.shape:
        raise ValueError("satisfied and answered must be 2-D arrays of the same shape")
    if np.any(sat < 0) or np.any(sat > ans):
        raise ValueError("need 0 <= satisfied <= answered")
    has = ans > 0
    element = np.full_like(sat, np.nan, dtype=float)  # in the input's memory layout
    np.divide(sat, ans, out=element, where=has)
    k = np.count_nonzero(has, axis=1)
    total = np.where(has, element, 0.0).sum(axis=1)
    overall = np.full(len(k), np.nan)
    np.divide(total, k, out=overall, where=k > 0)
    return RespondentShares(element, overall)


def index_confint(
    n: ArrayLike,
    sum_share: ArrayLike,
    sum_share2: ArrayLike,
    *,
    method: str = "beta",
    alpha: float = 0.05,
) -> IndexInterval:
    """An index with its interval under simple random sampling of respondents.

    Parameters
    ----------
    n : array_like of int
        Respondents with a share (those who answered the element).
    sum_share, sum_share2 : array_like of float
        Sums of the shares and of their squares.
    method : {"beta", "logit"}, default "beta"
        As :func:`analysis.design.design_confint` with ``df = n - 1``.
    alpha : float, default 0.05

    Notes
    -----
    Each unit is treated as its own simple random sample of answering
    respondents: this is R's ``svyciprop(~share, svydesign(ids = ~1,
    data = <the unit's respondents with a share>))``. (Estimating a unit as
    a domain of a larger SRS design would differ by the factor
    ``N / (N - 1)`` versus ``n / (n - 1)`` in the variance.)

    Returns
    -------
    IndexInterval
    """
    n_, s1, s2 = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (n, sum_share, sum_share2)))
    if np.any(n_ < 0) or np.any(s1 < 0) or np.any(s1 > n_ * (1 + 1e-12)):
        raise ValueError("need n >= 0 and 0 <= sum_share <= n")
    has, two = n_ > 0, n_ > 1
    mean = np.where(has, s1 / np.where(has, n_, 1.0), np.nan)
    ss = np.maximum(s2 - s1 * np.where(has, mean, 0.0), 0.0)
    # Each respondent is its own PSU: the with-replacement variance of the
    # mean is s^2 / n, as svymean gives for ids = ~1.
    se = np.where(two, np.sqrt(ss / np.where(two, n_ * (n_ - 1), 1.0)), np.nan)
    lower, upper = design_confint(mean, se, n_, n_ - 1, alpha=alpha, method=method)
    return IndexInterval(n_.astype(np.int64), mean, se, lower, upper, method, alpha)
