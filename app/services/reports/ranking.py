"""The units table's ranks and its comparison with the previous period.

Units are ranked within their level (departments among departments,
communes among communes), as the provinces publish them, by the overall
index or by the composite score the settings declare (composite.py), with
the range of ranks their intervals allow. Each unit carries its previous
period's index, responses and rank, the change with its interval and the
places gained or lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from analysis import ranks_interval
from app.services.aggregates import INDEX_KEY
from app.services.indicators import DomainIndicators, Figure, Thresholds
from app.services.reports.model import Change, UnitLine

__all__ = ["LEVEL_ORDER", "previous_thin", "units_compare", "units_rank"]

#: the order of the levels in a units table: the province's own departments first
LEVEL_ORDER = {"province": 0, "department": 1, "district": 2, "commune": 3}


def _value(figure: Figure | None, name: str) -> float:
    value = getattr(figure, name) if figure is not None and figure.estimate is not None else None
    return np.nan if value is None else value


def _ranks_by_level(levels: Sequence[str], figures: Sequence[Figure | None]) -> list[tuple[int, int, int] | None]:
    """(rank, best, worst) of each position among the positions of its level, or None."""
    out: list[tuple[int, int, int] | None] = [None] * len(figures)
    for level in set(levels):
        at = [i for i, lv in enumerate(levels) if lv == level]
        ranks = ranks_interval(
            [_value(figures[i], "estimate") for i in at],
            [_value(figures[i], "lower") for i in at],
            [_value(figures[i], "upper") for i in at],
        )
        for i, rank, best, worst in zip(at, ranks.rank, ranks.best, ranks.worst, strict=True):
            if not np.isnan(rank):
                out[i] = (int(rank), int(best), int(worst))
    return out


def units_rank(units: list[UnitLine], key: str = INDEX_KEY) -> list[UnitLine]:
    """Rank by the figure ``key`` (the overall index unless a composite score
    is declared) within each level, best first, with the ranks the intervals
    allow; sorted by level, then rank (units without one last)."""
    ranks = _ranks_by_level([u.level for u in units], [u.figures.get(key) for u in units])
    ranked = [
        replace(u, rank=r[0], rank_best=r[1], rank_worst=r[2]) if r is not None else u
        for u, r in zip(units, ranks, strict=True)
    ]
    return sorted(ranked, key=lambda u: (LEVEL_ORDER.get(u.level, 9), u.rank is None, u.rank or 0, u.code))


def previous_thin(figure: Figure | None, thresholds: Thresholds) -> bool:
    """Whether a previous period's figure is too thin to compare with."""
    if figure is None or figure.estimate is None:
        return True
    return figure.n < thresholds.reliable_min or figure.not_assessed is not None


def units_compare(
    units: list[UnitLine],
    before: Sequence[DomainIndicators],
    change: Callable[[Figure | None, Figure | None], Change | None],
    thresholds: Thresholds,
    rank_figure: Callable[[DomainIndicators], Figure | None] = lambda d: d.figures.get(INDEX_KEY),
) -> list[UnitLine]:
    """Each unit with its previous period's index, responses and rank (within
    the level, among the units of the previous period, by ``rank_figure``,
    the figure the current ranks use) and the change of the index."""
    levels = [d.level for d in before]
    previous_ranks = _ranks_by_level(levels, [rank_figure(d) for d in before])
    previous = {d.key: (d, r) for d, r in zip(before, previous_ranks, strict=True)}
    out = []
    for unit in units:
        domain, rank = previous.get(unit.code, (None, None))
        figure = domain.figures.get(INDEX_KEY) if domain is not None else None
        prev_rank = rank[0] if rank is not None else None
        out.append(
            replace(
                unit,
                previous=figure,
                previous_responses=domain.responses if domain is not None else 0,
                change=change(unit.figures.get(INDEX_KEY), figure),
                previous_rank=prev_rank,
                rank_change=prev_rank - unit.rank if prev_rank is not None and unit.rank is not None else None,
                previous_thin=previous_thin(figure, thresholds),
            )
        )
    return out
