"""Which few-cluster rule applied to a unit of the units table, as marks for the reader.

:mod:`analysis.compare` and :mod:`analysis.design` apply three rules a
reader cannot see in the figures alone; the units table marks each unit
where one applied to a figure it publishes (its ``report.unit_keys``):

``§`` (:data:`TOO_FEW_CLUSTERS`)
    The unit has fewer clusters (service point × day) than
    ``Thresholds.min_clusters``: figures and intervals, but no
    better/worse verdict and no funnel signal.
``‡`` (:data:`DEFF_FLOORED`)
    A design effect estimated below 1 was taken as 1 for the effective
    sample size (so for the funnel plot too): ``deff < 1``, or, for the
    SIPAS index whose ``n_eff`` is capped at ``n`` (so that ``deff = n /
    n_eff`` is never below 1), a cap that bit (``deff == 1`` with a
    positive SE).
``°`` (:data:`DEFF1_INTERVAL`)
    An estimate of exactly 0 or 1 (or clusters that all agree): the design
    SE is 0 and the interval is Korn–Graubard with design effect 1, where
    R gives none (``Figure.deff1_interval``).

Suppressed figures carry no mark: nothing about them is published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.services.indicators import Figure

__all__ = ["DEFF1_INTERVAL", "DEFF_FLOORED", "MARKS", "TOO_FEW_CLUSTERS", "cluster_rules"]

TOO_FEW_CLUSTERS = "§"
DEFF_FLOORED = "‡"
DEFF1_INTERVAL = "°"
#: every mark, in the order :func:`cluster_rules` writes them
MARKS = (TOO_FEW_CLUSTERS, DEFF_FLOORED, DEFF1_INTERVAL)
#: how close to 1 a design effect counts as the SIPAS index's cap
_CAP = 1e-9


def _floored(f: Figure) -> bool:
    if f.deff is None or f.deff1_interval or not f.se:
        return False
    return f.deff < 1 + _CAP


def cluster_rules(figures: Mapping[str, Figure], keys: Iterable[str], clusters: int, min_clusters: int) -> str:
    """The marks of the rules that applied to a unit's published figures.

    Parameters
    ----------
    figures : mapping of str to Figure
        The unit's figures (``UnitLine.figures``).
    keys : iterable of str
        The figures the table shows (``Report.unit_keys``).
    clusters : int
        The unit's clusters.
    min_clusters : int
        ``Thresholds.min_clusters``.

    Returns
    -------
    str
        Some of ``§‡°`` in that order; ``""`` where no rule applied.
    """
    shown = [f for k in keys if (f := figures.get(k)) is not None and not f.suppressed and f.estimate is not None]
    if not shown:
        return ""
    few = clusters < min_clusters or any(f.not_assessed == "too_few_clusters" for f in shown)
    marks = {
        TOO_FEW_CLUSTERS: few,
        DEFF_FLOORED: any(_floored(f) for f in shown),
        DEFF1_INTERVAL: any(f.deff1_interval for f in shown),
    }
    return "".join(mark for mark in MARKS if marks[mark])
