"""Targets judged on a report's figures (the rule of ``docs/targets.md``).

A target asks a unit to reach a **level** on an indicator in a year, or to
**rise** by some points over the previous year. :func:`target_classify`
applies the rule to one target; :func:`targets_judge` reads the targets of
a year for the units of a units table and judges each on the table's
figures, so a figure the report hides cannot be judged. The targets page,
its year-end export and the year report all use it.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import TARGET_KINDS, Target, Unit
from app.services.reports.change import figure_change
from app.services.reports.model import INDEX_KEY, Classification, Figure, TargetProgress
from app.services.response_filter import ResponseFilter, units_clause
from app.texts import label
from surveys import Instrument, Role, Text

__all__ = ["STATUSES", "indicator_options", "target_classify", "targets_judge"]

#: the classifications, best first
STATUSES = ("met", "likely_met", "not_met", "not_assessable")
#: a figure within this of the goal counts as reaching it (floating-point slack, not a statistical margin)
SLACK = 1e-9


def _unassessable(figure: Figure | None, min_clusters: int) -> str | None:
    if figure is None or (figure.estimate is None and not figure.suppressed):
        return "no_estimate"
    if figure.suppressed or figure.estimate is None:
        return "suppressed"
    if figure.n_psu < min_clusters:
        return "too_few_clusters"
    return None


def _verdict(estimate: float, lower: float | None, goal: float) -> str:
    if lower is not None and lower >= goal - SLACK:
        return "met"
    return "likely_met" if estimate >= goal - SLACK else "not_met"


def target_classify(
    kind: str,
    value: float,
    current: Figure | None,
    previous: Figure | None = None,
    *,
    index: bool = True,
    min_clusters: int = 5,
    alpha: float = 0.05,
) -> Classification:
    """Classify one target (the rule of ``docs/targets.md``).

    Parameters
    ----------
    kind : {"level", "rise"}
        ``level``: reach ``value`` percent; ``rise``: gain ``value`` percentage
        points over the previous year.
    value : float
        Percent (level) or percentage points (rise), as stored.
    current, previous : Figure or None
        The year's published figure and, for a rise, the previous year's.
    index : bool
        The indicator is an index (SIPAS index, element): the change's interval
        is normal from the two design SEs; otherwise (a criterion's rate)
        Newcombe's on effective counts, as the report's change.
    min_clusters : int
        Fewer clusters than this: not assessable (``Thresholds.min_clusters``).

    Returns
    -------
    Classification
        ``met`` when the whole 95 % interval (of the estimate for a level, of
        the change for a rise) is at or above the goal; ``likely_met`` when the
        point estimate is; ``not_met`` otherwise; ``not_assessable`` when a
        figure needed is missing, hidden by disclosure control or rests on
        too few clusters.
    """
    if kind not in TARGET_KINDS:
        raise ValueError(f"unknown target kind {kind!r}; use one of {', '.join(TARGET_KINDS)}")
    reason = _unassessable(current, min_clusters)
    if reason is not None or current is None or current.estimate is None:
        return Classification("not_assessable", reason=reason)
    if kind == "level":
        goal = value / 100
        return Classification(_verdict(current.estimate, current.lower, goal), goal=goal)
    reason = _unassessable(previous, min_clusters)
    if reason is not None or previous is None or previous.estimate is None:
        return Classification("not_assessable", reason=f"previous_{reason}")
    goal = value / 100
    change = figure_change(current, previous, index=index, alpha=alpha)
    if change is None:  # an index without both SEs: the point estimate only
        difference = current.estimate - previous.estimate
        return Classification(_verdict(difference, None, goal), goal=goal, change=difference)
    return Classification(
        _verdict(change.difference, change.lower, goal),
        goal=goal,
        change=change.difference,
        change_lower=change.lower,
        change_upper=change.upper,
    )


def indicator_options(instrument: Instrument) -> list[tuple[str, Text]]:
    """The indicators a target may name: the SIPAS index, each element, each criterion."""
    options: list[tuple[str, Text]] = [(INDEX_KEY, label("report.summary.index"))]
    for element in instrument.elements:
        options.append((element.code, element.title))
        options += [(q.code, q.text) for q in instrument.with_role(Role.CRITERION) if q.element == element.code]
    return options


def _is_index(instrument: Instrument | None, indicator: str) -> bool:
    if indicator == INDEX_KEY or instrument is None:
        return True
    return any(e.code == indicator for e in instrument.elements)


def targets_judge(
    session: Session,
    instrument: Instrument,
    year: int,
    current: Mapping[str, Mapping[str, Figure]],
    previous: Mapping[str, Mapping[str, Figure]],
    *,
    min_clusters: int,
    alpha: float,
    within: ResponseFilter | None = None,
) -> list[TargetProgress]:
    """The targets of ``year`` on ``instrument``, each judged on the figures.

    Parameters
    ----------
    current, previous : mapping of unit code to its figures by key
        The units table of the year's report and of the year before's (its
        units' own responses, disclosure control applied).
    within : ResponseFilter, optional
        Only the targets of the units of this filter's unit and level (a
        filtered report); None: every unit's.
    """
    query = (
        select(Target, Unit)
        .join(Unit, Unit.id == Target.unit_id)
        .where(Target.year == year, Target.instrument_code == instrument.code)
        .order_by(Unit.path, Unit.code, Target.indicator)
    )
    clause = units_clause(session, within, Unit.id) if within is not None else None
    if clause is not None:
        query = query.where(clause)
    labels = dict(indicator_options(instrument))
    out = []
    for target, unit in session.execute(query).all():
        cur = current.get(unit.code, {}).get(target.indicator)
        prev = previous.get(unit.code, {}).get(target.indicator) if target.kind == "rise" else None
        classification = target_classify(
            target.kind,
            target.value,
            cur,
            prev,
            index=_is_index(instrument, target.indicator),
            min_clusters=min_clusters,
            alpha=alpha,
        )
        out.append(
            TargetProgress(
                target_id=target.id,
                year=target.year,
                unit_code=unit.code,
                unit_name=unit.name,
                unit_level=unit.level,
                indicator=target.indicator,
                indicator_label=labels.get(target.indicator, Text(target.indicator, target.indicator)),
                kind=target.kind,
                value=target.value,
                note=target.note,
                current=cur,
                previous=prev,
                classification=classification,
            )
        )
    return out
