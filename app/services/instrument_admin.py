"""Administration of instrument versions: which version new responses use.

Versions are registered from the files in ``surveys/instruments`` (``flask
migrate``); here an administrator sees them with their response counts and
the file as registered, and chooses the version in use. Activation is
audited as ``admin.instrument.activate``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import InstrumentVersion, Response, User
from app.refusals import Refused
from app.services.admin_checks import expire_loaded, not_found
from app.services.audit import audit_record


@dataclass(frozen=True)
class InstrumentRow:
    id: int
    code: str
    version: int
    title: str
    registered_at: datetime
    active: bool
    submitted: int
    excluded: int
    #: whether the file is loaded, i.e. whether the version can be activated
    available: bool


def instrument_list(session: Session, available: Collection[str]) -> list[InstrumentRow]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for version_id, status, n in session.execute(
        select(Response.instrument_version_id, Response.status, func.count()).group_by(
            Response.instrument_version_id, Response.status
        )
    ):
        counts[version_id][status] = n
    rows = session.scalars(select(InstrumentVersion).order_by(InstrumentVersion.code, InstrumentVersion.version))
    return [
        InstrumentRow(
            r.id,
            r.code,
            r.version,
            r.title,
            r.registered_at,
            r.active,
            counts[r.id].get("submitted", 0),
            counts[r.id].get("excluded", 0),
            f"{r.code}.v{r.version}" in available,
        )
        for r in rows
    ]


def instrument_get(session: Session, version_id: int) -> InstrumentVersion:
    row = session.get(InstrumentVersion, version_id)
    if row is None:
        raise not_found()
    return row


def instrument_activate(
    session: Session, actor: User, version_id: int, available: Collection[str]
) -> InstrumentVersion:
    """Make ``version_id`` the version new responses of its code use; the
    other versions of that code are deactivated (their responses stay)."""
    row = instrument_get(session, version_id)
    if f"{row.code}.v{row.version}" not in available:
        raise Refused("adm.instrument.no_file", version=f"{row.code}.v{row.version}")
    before = sorted(
        session.scalars(
            select(InstrumentVersion.version).where(
                InstrumentVersion.code == row.code, InstrumentVersion.active.is_(True)
            )
        )
    )
    if before == [row.version]:
        return row
    session.execute(
        update(InstrumentVersion)
        .where(InstrumentVersion.code == row.code)
        .values(active=InstrumentVersion.id == row.id)
        .execution_options(synchronize_session=False)
    )
    expire_loaded(session, InstrumentVersion)
    detail: dict[str, Any] = {"before": {"active_versions": before}, "after": {"active_versions": [row.version]}}
    audit_record(session, actor, "admin.instrument.activate", f"instrument:{row.code}.v{row.version}", detail)
    return row
