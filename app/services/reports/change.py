"""The change of a figure since the previous period, with its interval: the
report's change column and the judging of a "rise" target use this one
definition."""

from __future__ import annotations

from analysis import difference_confint, means_difference_confint
from app.services.reports.model import Change, Figure

__all__ = ["figure_change"]


def figure_change(cur: Figure | None, prev: Figure | None, *, index: bool, alpha: float = 0.05) -> Change | None:
    """Current minus previous, with its interval and test.

    Parameters
    ----------
    cur, prev : Figure or None
        The two periods' figures.
    index : bool
        The figure is an index (a mean of shares): a normal interval from the
        two design SEs. Otherwise a proportion: Newcombe's interval on
        effective counts, so clustering widens it as it widens each period's
        own interval.
    alpha : float
        1 − confidence level.

    Returns
    -------
    Change or None
        None when either estimate is missing, or for an index without both SEs.
    """
    if cur is None or prev is None or cur.estimate is None or prev.estimate is None:
        return None
    if index:
        if cur.se is None or prev.se is None:
            return None
        d = means_difference_confint(cur.estimate, cur.se, prev.estimate, prev.se, alpha=alpha)
    else:
        n1 = cur.n_eff if cur.n_eff and cur.n_eff > 0 else cur.n
        n2 = prev.n_eff if prev.n_eff and prev.n_eff > 0 else prev.n
        d = difference_confint(cur.estimate * n1, n1, prev.estimate * n2, n2, alpha=alpha)
    lower, upper = float(d.lower), float(d.upper)
    return Change(float(d.difference), lower, upper, float(d.p_value), bool(lower > 0 or upper < 0))
