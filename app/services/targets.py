"""Targets: setting them (administrators) and judging each one against the year's figures.

A target (:class:`app.models.Target`) asks a unit to reach a **level** on
an indicator (the SIPAS index ``INDEX``, an element ``E1``…, or a criterion
``E1_seats``…) in a year, or to **rise** by some points over the previous
year. :func:`targets_progress` judges every target of a year on the
published figures of the year (and of the previous year), as the
dashboard's report gives them for each unit (its own responses, disclosure
control applied), with the rule of app/services/reports/target_progress.py:
a figure the report hides cannot be judged.

Changes go through :func:`target_save` and :func:`target_delete`, which
check every value (a :class:`Refused` with the catalogue key otherwise),
write the audit log and flush; the caller commits.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import TARGET_KINDS, Target, Unit, User
from app.models.targets import TARGET_YEAR_MAX, TARGET_YEAR_MIN
from app.parsing import digits_parse
from app.refusals import Refused
from app.services.audit import audit_record
from app.services.reports.build import report_for
from app.services.reports.model import Classification, Report, ReportRequest, TargetProgress
from app.services.reports.periods import period_of
from app.services.reports.target_progress import STATUSES, indicator_options, target_classify
from app.services.response_filter import ResponseFilter
from surveys import Instrument

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

#: the instrument whose figures targets are set on
INSTRUMENT = "sipas-counter"
_VALUE = re.compile(r"^\d{1,3}(?:[.,]\d{1,2})?$")
NOTE_MAX = 300


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
    of_year = (Target.year == year) & (Target.instrument_code == instrument_code)
    if session.scalar(select(Target.id).where(of_year).limit(1)) is None:
        return []
    # The year's report judges the targets of its units on its own figures
    # (and the year before's, which it computes for the change column).
    return _year_report(session, registry, instrument_code, year).targets
