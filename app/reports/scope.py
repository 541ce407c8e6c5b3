"""A report request as a person may make it: parsed, and held to their units.

The dashboard, its downloads and the read API (``GET /api/v1/indicators``)
take the same filters; this is the one place that parses them for a person
and narrows a unit manager to their own subtree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Unit, User
from app.reports.forms import report_request
from app.services.reports.model import ReportRequest
from app.services.scope import unit_visible

#: the filter parameters :func:`scoped_report_request` reads, with what each
#: means (the OpenAPI document of ``GET /api/v1/indicators`` lists them);
#: ``q`` (comment search) is the dashboard's only other one
FILTER_PARAMS: dict[str, str] = {
    "period": "month, quarter (default), year or custom",
    "date": "a day (YYYY-MM-DD) or month (YYYY-MM) in the period; custom: its first day; default today",
    "end": "custom periods only: the last day (YYYY-MM-DD) or month (YYYY-MM); whole months only",
    "unit": "a unit code: that unit and the units below it (a unit manager: default and limit their own)",
    "level": "province, department, district or commune: units of that level only",
    "channel": "qr, tablet, paper or kiosk",
    "procedure": "the procedure field (lĩnh vực) a counter carries",
    "grouping": "rows of the units table: unit (default) or a level (province, department, district, commune)",
    "instrument": "instrument code, default sipas-counter",
    "by": "a breakdown: a categorical question's code (sex, age_group, procedure...) or channel",
}


class UnitOutOfScope(Exception):
    """The filter names a unit outside the person's units (or none that
    exists: the same answer, so a refusal tells nothing about a neighbour).
    ``own`` is the name of the unit they may see."""

    def __init__(self, own: str):
        super().__init__(own)
        self.own = own


def scoped_report_request(session: Session, user: User, args: Mapping[str, str]) -> ReportRequest:
    """Parse the filter of ``args`` and hold a unit manager to their own subtree.

    Raises
    ------
    app.reports.forms.FilterError
        A filter value is not understood (the reason names the field).
    UnitOutOfScope
        A unit manager named a unit outside their subtree.
    """
    req = report_request(args)
    if user.role == "unit_manager":
        own = user.unit
        if req.filter.unit_code is None:
            req = replace(req, filter=replace(req.filter, unit_code=own.code))
        else:
            unit = session.scalar(select(Unit).where(Unit.code == req.filter.unit_code))
            if unit is None or not unit_visible(session, user, unit.id):
                raise UnitOutOfScope(own.name)
    return req
