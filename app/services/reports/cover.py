"""What a report states about itself: the filter in words for its cover,
the words of the rating scale its distributions count, and the software
that made it."""

from __future__ import annotations

import platform
from importlib import metadata

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Unit
from app.services.reports.labels import CHANNEL_NAMES, GROUPING_NAMES, LEVEL_NAMES
from app.services.response_filter import ResponseFilter
from app.texts import label
from surveys import Instrument, Role, Text

__all__ = ["DISTRIBUTION_CODES", "filter_lines", "scale_labels", "software_versions"]


#: the answer codes counted in a criterion's distribution (see app/services/indicators.py)
DISTRIBUTION_CODES = range(1, 6)


def scale_labels(instrument: Instrument) -> list[tuple[int, Text]]:
    """The labels of the rating levels in the distributions, as the criteria's scale words them."""
    scale = next((q.scale for q in instrument.with_role(Role.CRITERION) if q.scale is not None), None)
    if scale is None:
        return []
    return [(code, name) for code in DISTRIBUTION_CODES if (name := scale.label(code)) is not None]


def software_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for dist in ("flask", "sqlalchemy", "numpy", "scipy", "statsmodels"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # pragma: no cover
            versions[dist] = "?"
    return versions


def filter_lines(
    session: Session, instrument: Instrument, flt: ResponseFilter, grouping: str
) -> list[tuple[Text, Text]]:
    """The filter in words, for the cover of a report: (what, value) in every language."""
    lines: list[tuple[Text, Text]] = [(label("report.filter.instrument"), instrument.title)]
    unit = session.scalar(select(Unit).where(Unit.code == flt.unit_code)) if flt.unit_code else None
    scope = Text(f"{unit.name} ({unit.code})", f"{unit.name} ({unit.code})") if unit else None
    lines.append((label("report.filter.scope"), scope or label("report.filter.all_units")))
    if flt.level:
        lines.append((label("report.filter.level"), LEVEL_NAMES[flt.level]))
    if flt.procedure is not None:
        q = next(iter(instrument.with_role(Role.PROCEDURE)), None)
        name = q.scale.label(flt.procedure) if q is not None and q.scale is not None else None
        lines.append((label("report.filter.procedure"), name or Text(str(flt.procedure), str(flt.procedure))))
    if flt.channel:
        lines.append((label("report.filter.channel"), CHANNEL_NAMES[flt.channel]))
    lines.append((label("report.filter.grouping"), GROUPING_NAMES[grouping]))
    return lines
