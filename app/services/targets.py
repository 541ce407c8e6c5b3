"""Targets: setting them (administrators) and judging each one against the year's figures.

A target (:class:`app.models.Target`) asks a unit to reach a **level** on
an indicator (the SIPAS index ``INDEX``, an element ``E1``…, or a criterion
``E1_seats``…) in a year, or to **rise** by some points over the previous
year. :func:`target_classify` applies the rule of ``docs/targets.md`` to
the published figures of the year (and of the previous year), as the
dashboard's report gives them for each unit (its own responses, disclosure
control applied): a figure the report hides cannot be judged.

Changes go through :func:`target_save` and :func:`target_delete`, which
check every value (a :class:`Refused` with the catalogue key otherwise),
write the audit log and flush; the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import difference_confint, means_difference_confint
from app.models import TARGET_KINDS, Target, Unit, User
from app.models.targets import TARGET_YEAR_MAX, TARGET_YEAR_MIN
from app.parsing import digits_parse
from app.refusals import Refused
from app.services.audit import audit_record
from app.services.reports.build import report_for
from app.services.reports.model import INDEX_KEY, Figure, Report, ReportRequest
from app.services.reports.periods import period_of
from app.services.response_filter import ResponseFilter
from app.texts import label
from surveys import Instrument, Role, Text

__all__ = [
    "STATUSES",
    "Classification",
    "TargetProgress",
    "indicator_options",
    "target_classify",
    "target_delete",
    "target_get",
    "target_save",
    "targets_progress",
]

#: the classifications, best first
STATUSES = ("met", "likely_met", "not_met", "not_assessable")
#: the instrument whose figures targets are set on
INSTRUMENT = "sipas-counter"
#: a figure within this of the goal counts as reaching it (floating-point slack, not a statistical margin)
SLACK = 1e-9
_VALUE = re.compile(r"^\d{1,3}(?:[.,]\d{1,2})?$")
NOTE_MAX = 300


# ------------------------------------------------------------------ the rule


@dataclass(frozen=True)
class Classification:
    """How a target stands: ``status`` (one of ``STATUSES``) and what it rests on."""

    status: str
    #: what the estimate is compared with: a proportion (level) or a difference (rise); None if not assessable
    goal: float | None = None
    #: for a rise: this year's estimate minus last year's, with its interval
    change: float | None = None
    change_lower: float | None = None
    change_upper: float | None = None
    #: why a target is not assessable: ``no_estimate``, ``suppressed``, ``too_few_clusters``,
    #: and the same with ``previous_`` for last year's figure of a rise
    reason: str | None = None


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
    if index:
        if current.se is None or previous.se is None:
            difference = current.estimate - previous.estimate
            return Classification(_verdict(difference, None, goal), goal=goal, change=difference)
        d = means_difference_confint(current.estimate, current.se, previous.estimate, previous.se, alpha=alpha)
    else:
        n1 = current.n_eff if current.n_eff and current.n_eff > 0 else current.n
        n2 = previous.n_eff if previous.n_eff and previous.n_eff > 0 else previous.n
        d = difference_confint(current.estimate * n1, n1, previous.estimate * n2, n2, alpha=alpha)
    difference, lower, upper = float(d.difference), float(d.lower), float(d.upper)
    return Classification(
        _verdict(difference, lower, goal), goal=goal, change=difference, change_lower=lower, change_upper=upper
    )


# --------------------------------------------------------------- indicators


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


# --------------------------------------------------------------- administration


def target_get(session: Session, target_id: int) -> Target:
    """The target, or a 404 refusal."""
    target = session.get(Target, target_id)
    if target is None:
        raise Refused("tgt.err.not_found", 404)
    return target


def year_parse(text: object) -> int:
    """A target's year from a form or the command line; a 400 refusal otherwise."""
    year = text if isinstance(text, int) and not isinstance(text, bool) else digits_parse(str(text or "").strip(), 4)
    if year is None or not TARGET_YEAR_MIN <= year <= TARGET_YEAR_MAX:
        raise Refused("tgt.err.year", 400, first=TARGET_YEAR_MIN, last=TARGET_YEAR_MAX)
    return year


def _value_parse(text: object) -> float:
    raw = str(text or "").strip().removesuffix("%").strip()
    if not _VALUE.fullmatch(raw):
        raise Refused("tgt.err.value", 422)
    value = float(raw.replace(",", "."))
    if not 0 < value <= 100:
        raise Refused("tgt.err.value", 422)
    return value


def target_save(
    session: Session,
    actor: User,
    instrument: Instrument,
    *,
    target_id: int | None = None,
    unit_id: int | None,
    indicator: str,
    year: object,
    kind: str,
    value: object,
    note: str | None = None,
) -> Target:
    """Add a target (``target_id`` None) or change one; audited, flushed.

    Raises
    ------
    Refused
        ``tgt.err.unit``, ``tgt.err.indicator``, ``tgt.err.year``, ``tgt.err.kind``, ``tgt.err.value``
        (422/400), ``tgt.err.duplicate`` (409) when the unit already has a target on
        the indicator for the year, ``tgt.err.not_found`` (404).
    """
    target = target_get(session, target_id) if target_id is not None else None
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None or unit.retired_at is not None:
        raise Refused("tgt.err.unit", 422)
    if indicator not in dict(indicator_options(instrument)):
        raise Refused("tgt.err.indicator", 422)
    year_value = year_parse(year)
    if kind not in TARGET_KINDS:
        raise Refused("tgt.err.kind", 422)
    amount = _value_parse(value)
    note = (note or "").strip()[:NOTE_MAX] or None
    clash = session.scalar(
        select(Target.id).where(
            Target.unit_id == unit.id,
            Target.instrument_code == instrument.code,
            Target.indicator == indicator,
            Target.year == year_value,
        )
    )
    if clash is not None and (target is None or clash != target.id):
        raise Refused("tgt.err.duplicate", 409)
    before: dict[str, Any] | None = _audit_detail(target, target.unit) if target is not None else None
    if target is None:
        target = Target(instrument_code=instrument.code)
        session.add(target)
    target.unit_id, target.indicator, target.year = unit.id, indicator, year_value
    target.kind, target.value, target.note = kind, amount, note
    session.flush()
    detail = _audit_detail(target, unit)
    if before is not None:
        detail = {"before": before, "after": detail}
    action = "targets.create" if before is None else "targets.update"
    audit_record(session, actor, action, f"{unit.code}/{indicator}/{year_value}", detail)
    return target


def _audit_detail(target: Target, unit: Unit) -> dict[str, Any]:
    return {
        "unit": unit.code,
        "indicator": target.indicator,
        "year": target.year,
        "kind": target.kind,
        "value": target.value,
        "note": target.note,
    }


def target_delete(session: Session, actor: User, target_id: int) -> None:
    """Delete a target; audited with what it was; flushed."""
    target = target_get(session, target_id)
    unit = target.unit
    detail = _audit_detail(target, unit)
    session.delete(target)
    session.flush()
    audit_record(session, actor, "targets.delete", f"{unit.code}/{detail['indicator']}/{detail['year']}", detail)


# ------------------------------------------------------------------ progress


@dataclass(frozen=True)
class TargetProgress:
    """One target with the figures it is judged on and its classification."""

    target_id: int
    year: int
    unit_code: str
    unit_name: str
    unit_level: str
    indicator: str
    indicator_label: Text
    kind: str
    value: float
    note: str | None
    #: the year's published figure of the unit (None: no responses)
    current: Figure | None
    #: the previous year's (rise targets)
    previous: Figure | None
    classification: Classification


def _year_report(session: Session, registry: dict[str, Instrument], code: str, year: int) -> Report:
    # The dashboard's request for the year: grouping by unit, no unit filter, no comment search.
    request = ReportRequest(period_of("year", date(year, 1, 1)), ResponseFilter(instrument=code), "unit", None)
    return report_for(session, registry, request, comment_limit=0)


def targets_progress(
    session: Session, registry: dict[str, Instrument], year: int, instrument_code: str = INSTRUMENT
) -> list[TargetProgress]:
    """Every target of ``year`` with the unit's figures and its classification.

    The figures are the units table of the report for the calendar year (and,
    for rises, the year before), so disclosure control hides what it hides
    on the dashboard.

    Raises
    ------
    app.services.reports.build.InstrumentMissing
        When the instrument is not registered.
    """
    targets = session.execute(
        select(Target, Unit)
        .join(Unit, Unit.id == Target.unit_id)
        .where(Target.year == year, Target.instrument_code == instrument_code)
        .order_by(Unit.path, Unit.code, Target.indicator)
    ).all()
    if not targets:
        return []
    current = _year_report(session, registry, instrument_code, year)
    rises = any(t.kind == "rise" for t, _u in targets)
    previous = _year_report(session, registry, instrument_code, year - 1) if rises else None
    now = {u.code: u.figures for u in current.units}
    before = {u.code: u.figures for u in previous.units} if previous is not None else {}
    instrument = registry.get(current.instrument_key)
    labels = dict(indicator_options(instrument)) if instrument is not None else {}
    out = []
    for target, unit in targets:
        cur = now.get(unit.code, {}).get(target.indicator)
        prev = before.get(unit.code, {}).get(target.indicator) if target.kind == "rise" else None
        classification = target_classify(
            target.kind,
            target.value,
            cur,
            prev,
            index=_is_index(instrument, target.indicator),
            min_clusters=current.thresholds.min_clusters,
            alpha=current.alpha,
        )
        name = labels.get(target.indicator, Text(target.indicator, target.indicator))
        out.append(
            TargetProgress(
                target_id=target.id,
                year=target.year,
                unit_code=unit.code,
                unit_name=unit.name,
                unit_level=unit.level,
                indicator=target.indicator,
                indicator_label=name,
                kind=target.kind,
                value=target.value,
                note=target.note,
                current=cur,
                previous=prev,
                classification=classification,
            )
        )
    return out
