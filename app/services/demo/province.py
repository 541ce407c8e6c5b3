"""The demo province: its departments, districts and communes, their
counters, and everything :func:`demo_seed` puts in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ServicePoint, Unit
from app.services.accounts import demo_accounts
from app.services.demo.citizens import PAPER_SHARE, synthetic_responses, working_days
from app.services.demo.dossiers import dossier_counts, verified_share
from app.services.demo.storage import responses_store
from app.services.demo.stuffing import stuffed_counter, stuffed_responses
from app.services.demo.surveyors import demo_assignments
from app.services.instruments import instrument_active, instrument_version, instruments_sync
from app.services.units import child_path
from app.time import vietnam_today
from surveys import load_all

DEPARTMENTS = [
    (
        "TTPVHCC",
        "Trung tâm Phục vụ hành chính công tỉnh",
        ["Quầy Đất đai", "Quầy Đăng ký kinh doanh", "Quầy Tư pháp"],
    ),
    ("STP", "Sở Tư pháp", ["Quầy Lý lịch tư pháp", "Quầy Chứng thực"]),
    ("SXD", "Sở Xây dựng", ["Quầy Cấp phép xây dựng", "Quầy Quy hoạch"]),
    ("STNMT", "Sở Tài nguyên và Môi trường", ["Quầy Đất đai", "Quầy Môi trường"]),
]
DISTRICTS = [
    ("HA", "Thành phố Hòa An", ["Phường Đông Hòa", "Phường Tây Sơn", "Xã An Bình", "Xã Hòa Lợi"]),
    ("TP", "Huyện Tân Phú", ["Thị trấn Tân Phú", "Xã Phú Lộc", "Xã Tân Hưng", "Xã Đắk Rơ"]),
    ("SL", "Huyện Sơn Lâm", ["Thị trấn Sơn Lâm", "Xã Lâm Xuân", "Xã Nậm Cắn", "Xã Quảng Đức"]),
]


class DemoExists(RuntimeError):
    """A demo province is already in the database."""


@dataclass(frozen=True)
class DemoSummary:
    province_code: str
    units: int
    service_points: int
    responses: int


def _add_unit(session: Session, code: str, name: str, level: str, parent: Unit | None) -> Unit:
    unit = Unit(code=code, name=name, level=level, parent=parent, path=child_path(parent))
    session.add(unit)
    session.flush()
    return unit


def demo_seed(
    session: Session,
    *,
    responses: int = 6000,
    seed: int = 2026,
    force: bool = False,
    older_version: bool = True,
    version: int | None = None,
    stuffed: int = 0,
) -> DemoSummary:
    """Create a demo province, its units and counters, and synthetic responses.

    With ``older_version`` (and a version before the active one registered),
    responses before the last :data:`.citizens.SWITCH_MONTHS_AGO` months answer that
    older version; without it, every response answers the active version.
    With ``version``, every response answers that version of sipas-counter,
    by QR.

    With ``stuffed``, that many of the ``responses`` are the staff of one
    commune counter stuffing its ballot box on the last working day
    (:func:`stuffed_responses`), so that a newcomer finds a flag on the
    anomaly review screen (``seed-demo`` asks for :data:`.stuffing.STUFFED`). The
    other responses are generated as without it only when ``stuffed`` is 0.

    Raises
    ------
    DemoExists
        If a demo province exists and ``force`` is False.
    """
    existing = session.scalars(select(Unit.code).where(Unit.code.like("DEMO%"), Unit.level == "province")).all()
    if existing and not force:
        raise DemoExists(f"A demo province ({', '.join(existing)}) already exists; use --force to add another.")
    prefix = "DEMO" if not existing else f"DEMO{len(existing) + 1}"
    instruments_sync(session)
    registry = load_all()
    active = instrument_active(session, registry, "sipas-counter")
    assert active is not None, "sipas-counter is shipped and registered by instruments_sync"
    older = None
    if version is not None:
        active = instrument_version(session, registry, "sipas-counter", version)
        assert active is not None, f"sipas-counter.v{version} is shipped and registered by instruments_sync"
    elif older_version:
        older = instrument_version(session, registry, "sipas-counter", active.instrument.version - 1)
    rng = np.random.default_rng(seed)

    province = _add_unit(session, prefix, "Tỉnh Hòa An (dữ liệu mẫu)", "province", None)
    points: list[ServicePoint] = []
    units = [province]

    def counters(unit: Unit, names: list[str]) -> None:
        for i, name in enumerate(names, start=1):
            point = ServicePoint(unit=unit, code=f"Q{i:02d}", name=f"{name}")
            session.add(point)
            points.append(point)

    for code, name, desks in DEPARTMENTS:
        dept = _add_unit(session, f"{prefix}-{code}", name, "department", province)
        units.append(dept)
        counters(dept, desks)
    for code, name, communes in DISTRICTS:
        district = _add_unit(session, f"{prefix}-{code}", name, "district", province)
        units.append(district)
        counters(district, ["Bộ phận một cửa huyện – Quầy 1", "Bộ phận một cửa huyện – Quầy 2"])
        for j, commune_name in enumerate(communes, start=1):
            commune = _add_unit(session, f"{prefix}-{code}-{j:02d}", commune_name, "commune", district)
            units.append(commune)
            counters(commune, ["Bộ phận một cửa"] if j % 2 else ["Quầy Tư pháp – hộ tịch", "Quầy Đất đai"])
    session.flush()

    paper = PAPER_SHARE if version is None else 0.0
    stuffed = min(stuffed, responses)
    rows = synthetic_responses(rng, [v for v in (older, active) if v is not None], points, responses - stuffed, paper)
    if version is None:  # the staff's stuffed forms below stay open QR ones
        verified_share(np.random.default_rng(seed + 2), rows, active)
    if stuffed:
        day = working_days(vietnam_today() - timedelta(days=1), 7)[0]
        communes = [p for p in points if p.unit.level == "commune"]
        target = stuffed_counter(rows, communes, day, active)
        rows += stuffed_responses(np.random.default_rng(seed + 1), active, target, stuffed, day)
    responses_store(session, rows)
    session.add_all(dossier_counts(np.random.default_rng(seed + 3), points, rows))
    district = next(u for u in units if u.level == "district")
    demo_accounts(session, province, next(u for u in units if u.parent is district), district)
    demo_assignments(session, next(u for u in units if u.parent is district), seed=seed)
    return DemoSummary(prefix, len(units), len(points), len(rows))
