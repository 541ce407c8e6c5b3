"""The public results page (``/ket-qua``) and its open data.

What the province publishes for a *closed* quarter or year (one that has
ended in Vietnam time): the report of the dashboard (:func:`report_for`,
so the same disclosure control hides the same cells), reduced to what may
go out to anyone:

- the province's headline figures and each criterion's rate, with intervals;
- each unit's figures, ranked within its level (departments among
  departments, communes among communes) by the overall index, with the
  range of ranks its interval allows;
- a hidden figure stays hidden, with the reason (``Figure.suppressed_reason``);
- no comments, no distributions, no comparison with the previous period.

:func:`open_data_rows` lays the same figures out as rows with stable column
names (``OPEN_DATA_COLUMNS``, documented in ``docs/open-data.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import UNIT_LEVELS, Response
from app.refusals import Refused
from app.services.reports.build import report_for
from app.services.reports.labels import LEVEL_NAMES
from app.services.reports.model import INDEX_KEY, Figure, Report, ReportRequest, Thresholds
from app.services.reports.periods import Period, period_of
from surveys import Instrument, Text

__all__ = [
    "LICENCE",
    "OPEN_DATA_COLUMNS",
    "PublicResults",
    "PublicUnit",
    "closed_periods",
    "open_data_rows",
    "period_code",
    "public_period_parse",
    "public_results",
]

#: ``2026-Q3`` (a quarter) or ``2025`` (a year)
PERIOD_CODE = re.compile(r"^(\d{4})(?:-[Qq]([1-4]))?$")
#: the first year a period may name; earlier is a typing slip
FIRST_YEAR = 2000
#: how many closed quarters the period selector offers, newest first
QUARTERS_LISTED = 12
#: the licence of the open data (docs/open-data.md)
LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"

#: the columns of the open data, in order (docs/open-data.md)
OPEN_DATA_COLUMNS = (
    "ky",
    "tu_ngay",
    "den_ngay",
    "pham_vi",
    "ma_don_vi",
    "ten_don_vi",
    "cap",
    "so_phieu",
    "chi_so",
    "so_cau_tra_loi",
    "uoc_luong",
    "can_duoi",
    "can_tren",
    "cong_bo",
    "ly_do_khong_cong_bo",
    "do_tin_cay_thap",
    "hang_trong_cap",
    "hang_tot_nhat",
    "hang_kem_nhat",
)


def period_code(period: Period) -> str:
    """``2026-Q3`` for a quarter, ``2025`` for a year: how the page and the data name it."""
    if period.kind == "quarter":
        return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
    return str(period.start.year)


def _last_closed_quarter(today: date) -> Period:
    current = period_of("quarter", today)
    return current.previous()


def public_period_parse(text: str | None, today: date) -> Period:
    """The closed quarter or year that ``text`` names; the last closed quarter for none.

    Raises
    ------
    Refused
        400 for a value that names no quarter or year; 404 for a period
        that has not ended yet (figures of an open period are not published).
    """
    if text is None or not text.strip():
        return _last_closed_quarter(today)
    match = PERIOD_CODE.fullmatch(text.strip())
    if match is None or not FIRST_YEAR <= int(match[1]) <= today.year + 1:
        raise Refused("pub.period_bad", 400, value=text.strip()[:20])
    year = int(match[1])
    if match[2]:
        period = period_of("quarter", date(year, (int(match[2]) - 1) * 3 + 1, 1))
    else:
        period = period_of("year", date(year, 1, 1))
    if period.end >= today:
        raise Refused("pub.period_open", 404, period=period_code(period))
    return period


def closed_periods(session: Session, today: date) -> list[Period]:
    """The closed years, then the closed quarters (the latest ``QUARTERS_LISTED``),
    newest first, from the first service day holding a response."""
    first = session.scalar(select(func.min(Response.service_day)))
    last_quarter = _last_closed_quarter(today)
    if first is None:
        return [last_quarter]
    years = [period_of("year", date(y, 1, 1)) for y in range(today.year - 1, first.year - 1, -1)]
    quarters, cursor = [], last_quarter
    while cursor.end >= first and len(quarters) < QUARTERS_LISTED:
        quarters.append(cursor)
        cursor = cursor.previous()
    return years + (quarters or [last_quarter])


@dataclass(frozen=True)
class PublicUnit:
    """One unit's published figures and its rank among the units of its level."""

    code: str
    name: str
    level: str
    responses: int
    figures: dict[str, Figure]
    #: by the overall index among the units of the same level with an estimate (1 = best)
    rank: int | None = None
    rank_best: int | None = None
    rank_worst: int | None = None


@dataclass(frozen=True)
class PublicCriterion:
    code: str
    element_title: Text
    text: Text
    figure: Figure


@dataclass(frozen=True)
class PublicResults:
    """What the public page and the open data show for one closed period."""

    period: Period
    instrument_title: Text
    generated_at: datetime
    thresholds: Thresholds
    responses: int
    #: (key, label, figure) of the province's headline figures and elements
    summary: list[tuple[str, Text, Figure | None]]
    criteria: list[PublicCriterion]
    #: the figure keys of the units table, in column order, with their labels
    unit_keys: list[tuple[str, Text]]
    #: (level, its name, its units by rank) for each level holding units
    levels: list[tuple[str, Text, list[PublicUnit]]]
    method_notes: list[tuple[Text, Text]]

    @property
    def code(self) -> str:
        return period_code(self.period)


def results_of_report(report: Report) -> PublicResults:
    """The public part of ``report``: figures as the report publishes them, no comments."""
    summary: list[tuple[str, Text, Figure | None]] = []
    for line in report.summary:
        summary.append((line.key, line.label, line.current))
    criteria = [PublicCriterion(c.code, c.element_title, c.text, c.figure) for c in report.criteria]
    levels = []
    for level in UNIT_LEVELS:
        # the report's units come ranked within their level, best first
        members = [
            PublicUnit(u.code, u.name, u.level, u.responses, u.figures, u.rank, u.rank_best, u.rank_worst)
            for u in report.units
            if u.level == level
        ]
        if members:
            levels.append((level, LEVEL_NAMES[level], members))
    return PublicResults(
        period=report.period,
        instrument_title=report.instrument_title,
        generated_at=report.generated_at,
        thresholds=report.thresholds,
        responses=report.responses,
        summary=summary,
        criteria=criteria,
        unit_keys=list(report.unit_keys),
        levels=levels,
        method_notes=list(report.method_notes),
    )


def public_results(session: Session, registry: dict[str, Instrument], request: ReportRequest) -> PublicResults:
    """The published figures of a closed period, built as the dashboard builds its report.

    ``request`` is what :func:`app.reports.forms.report_request` makes of the
    period (no unit filter, grouping by unit, no comment search).

    Raises
    ------
    app.services.reports.build.InstrumentMissing
        When the request's instrument is not registered.
    """
    # No comment is shown; the report fetches at most one, never published here.
    report = report_for(session, registry, replace(request, search=None), comment_limit=0)
    return results_of_report(report)


def _number(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 6)


def _figure_row(figure: Figure | None) -> dict[str, object]:
    if figure is None:
        return {"so_cau_tra_loi": 0, "cong_bo": 0, "ly_do_khong_cong_bo": "no_data", "do_tin_cay_thap": None}
    published = not figure.suppressed and figure.estimate is not None
    reason = figure.suppressed_reason or ("few_answers" if figure.suppressed else None)
    return {
        "so_cau_tra_loi": figure.n,
        "uoc_luong": _number(figure.estimate) if published else None,
        "can_duoi": _number(figure.lower) if published else None,
        "can_tren": _number(figure.upper) if published else None,
        "cong_bo": 1 if published else 0,
        "ly_do_khong_cong_bo": None if published else (reason or "no_data"),
        "do_tin_cay_thap": (0 if figure.reliable else 1) if published else None,
    }


def open_data_rows(results: PublicResults) -> list[dict[str, object]]:
    """One row per (province total or unit) × indicator, keyed by ``OPEN_DATA_COLUMNS``.

    The province total has the headline figures, the elements and every
    criterion; a unit has the columns of the units table, and its rank
    within its level on the overall index's row. Hidden figures have no
    estimate and no interval, and say why (``ly_do_khong_cong_bo``).
    """
    period = {
        "ky": results.code,
        "tu_ngay": results.period.start.isoformat(),
        "den_ngay": results.period.end.isoformat(),
    }
    rows: list[dict[str, object]] = []

    def add(scope: dict[str, object], key: str, figure: Figure | None, unit: PublicUnit | None = None) -> None:
        row = dict.fromkeys(OPEN_DATA_COLUMNS)
        row.update(period)
        row.update(scope)
        row["chi_so"] = key
        row.update(_figure_row(figure))
        if unit is not None and key == INDEX_KEY and unit.rank is not None:
            row.update(hang_trong_cap=unit.rank, hang_tot_nhat=unit.rank_best, hang_kem_nhat=unit.rank_worst)
        rows.append(row)

    total = {"pham_vi": "tinh", "ma_don_vi": None, "ten_don_vi": None, "cap": None, "so_phieu": results.responses}
    for key, _label, figure in results.summary:
        add(total, key, figure)
    for criterion in results.criteria:
        add(total, criterion.code, criterion.figure)
    for _level, _name, units in results.levels:
        for unit in units:
            scope = {
                "pham_vi": "don_vi",
                "ma_don_vi": unit.code,
                "ten_don_vi": unit.name,
                "cap": unit.level,
                "so_phieu": unit.responses,
            }
            for key, _label in results.unit_keys:
                add(scope, key, unit.figures.get(key), unit)
    return rows
