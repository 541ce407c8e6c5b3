"""A demo province with synthetic responses that look like real ones.

The data are made to be *true to something*: each unit has its own level
of satisfaction, harassment and informal payment; answers cluster by
counter and by day (a rude official on duty, a broken air conditioner), and
a respondent's ratings share a personal leniency. Later screens (intervals,
design effects, verdicts) then have real structure to find.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models import Answer, Response, ServicePoint, Unit, User
from app.services.accounts import demo_accounts
from app.services.assignments import assignment_create
from app.services.instruments import instrument_active, instruments_sync
from app.services.submissions import payload_digest, response_submit
from app.services.units import child_path
from app.time import VIETNAM, service_day_of, vietnam_today
from surveys import Instrument, QuestionKind, Role, answers_pack, answers_validate, is_visible, load_all, packed_layout

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
COMMENTS = [
    "Cán bộ hướng dẫn nhiệt tình, chu đáo.",
    "Phải chờ lâu, nên bố trí thêm ghế ngồi.",
    "Thủ tục còn rườm rà, phải đi lại nhiều lần.",
    "Nhân viên thân thiện, giải quyết nhanh.",
    "Đề nghị niêm yết rõ mức phí, lệ phí.",
    "Phòng chờ nóng, quạt hỏng.",
    "Hẹn trả kết quả nhưng bị trễ hai ngày.",
    "Rất hài lòng với cách phục vụ.",
]


class DemoExists(RuntimeError):
    """A demo province is already in the database."""


@dataclass(frozen=True)
class DemoSummary:
    province_code: str
    units: int
    service_points: int
    responses: int


def _sigmoid(x: np.ndarray | float) -> np.ndarray | float:
    return 1.0 / (1.0 + np.exp(-x))


def _add_unit(session: Session, code: str, name: str, level: str, parent: Unit | None) -> Unit:
    unit = Unit(code=code, name=name, level=level, parent=parent, path=child_path(parent))
    session.add(unit)
    session.flush()
    return unit


def _working_days(end: date, days: int) -> list[date]:
    return [d for d in (end - timedelta(days=i) for i in range(days)) if d.weekday() < 5]


def demo_seed(session: Session, *, responses: int = 6000, seed: int = 2026, force: bool = False) -> DemoSummary:
    """Create a demo province, its units and counters, and synthetic responses.

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
    active = instrument_active(session, load_all(), "sipas-counter")
    assert active is not None, "sipas-counter is shipped and registered by instruments_sync"
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

    rows = _synthetic_responses(rng, active.instrument, points, responses)
    _store(session, active.version_id, active.instrument.key, rows)
    district = next(u for u in units if u.level == "district")
    demo_accounts(session, province, next(u for u in units if u.parent is district), district)
    demo_assignments(session, next(u for u in units if u.parent is district), seed=seed)
    return DemoSummary(prefix, len(units), len(points), len(rows))


@dataclass
class _Synthetic:
    point: ServicePoint
    submitted: datetime
    answers: dict[str, int | str]


def _synthetic_responses(
    rng: np.random.Generator, instrument: Instrument, points: list[ServicePoint], total: int
) -> list[_Synthetic]:
    units = sorted({p.unit_id for p in points})
    # Unit-level truth: satisfaction on the logit scale, harassment and
    # informal-payment rates. A few units are clearly worse or better.
    unit_level = dict(zip(units, rng.normal(1.6, 0.7, len(units)), strict=True))
    harass = dict(zip(units, rng.beta(1.2, 30, len(units)), strict=True))
    pay = dict(zip(units, rng.beta(0.8, 40, len(units)), strict=True))
    worst = rng.choice(units, size=2, replace=False)
    for u in worst:
        unit_level[u] -= 1.5
        harass[u] += 0.08
        pay[u] += 0.05
    point_effect = rng.normal(0, 0.35, len(points))
    volume = rng.lognormal(0, 0.6, len(points))
    per_point = rng.multinomial(total, volume / volume.sum())
    days = _working_days(vietnam_today() - timedelta(days=1), 365)
    criteria = [q for q in instrument.questions if q.role is Role.CRITERION]
    offsets = rng.normal(0, 0.4, len(criteria))
    procedure_q = instrument.with_role(Role.PROCEDURE)[0]
    procedure_codes = sorted(procedure_q.scale.codes) if procedure_q.scale else [7]
    out: list[_Synthetic] = []
    for p_idx, (point, n) in enumerate(zip(points, per_point, strict=True)):
        if n == 0:
            continue
        # Responses come in clusters of days: a counter is surveyed on some
        # days, several people each, and the day itself shifts the mood.
        n_days = max(1, min(len(days), int(n / rng.uniform(3, 8))))
        chosen = rng.choice(len(days), size=n_days, replace=False)
        day_effect = rng.normal(0, 0.45, n_days)
        day_of = rng.integers(0, n_days, n)
        base = unit_level[point.unit_id] + point_effect[p_idx]
        procedure = int(rng.choice(procedure_codes))
        for k in range(n):
            d = day_of[k]
            person = rng.normal(0, 0.8)
            mood = base + day_effect[d] + person
            answers: dict[str, int | str] = {
                "procedure": procedure if rng.random() < 0.8 else int(rng.choice(procedure_codes)),
                "visits": int(min(30, 1 + rng.poisson(0.6 if mood > 1 else 1.5))),
            }
            gate = 1 if rng.random() < 0.15 else 2
            for q, off in zip(criteria, offsets, strict=True):
                if q.show_if is not None and gate != 1:
                    continue
                if rng.random() < 0.03:
                    answers[q.code] = 9
                    continue
                if rng.random() < _sigmoid(mood + off):
                    answers[q.code] = 5 if rng.random() < 0.35 else 4
                else:
                    answers[q.code] = int(rng.choice([1, 2, 3], p=[0.15, 0.35, 0.5]))
            answers["E5_gate"] = gate
            answers["overall"] = (
                5
                if rng.random() < _sigmoid(mood - 1.2)
                else (4 if rng.random() < _sigmoid(mood + 0.3) else int(rng.choice([1, 2, 3])))
            )
            day_factor = np.exp(day_effect[d])
            for code, rate in (
                ("harassment", harass[point.unit_id]),
                ("informal_payment", pay[point.unit_id]),
            ):
                if rng.random() < 0.04:
                    answers[code] = 8
                else:
                    answers[code] = 1 if rng.random() < min(0.9, rate / day_factor) else 2
            if rng.random() < 0.08:
                answers["comment"] = str(rng.choice(COMMENTS))
            local = datetime.combine(days[chosen[d]], time(7, 30), tzinfo=VIETNAM) + timedelta(
                seconds=int(rng.integers(0, 9 * 3600))
            )
            out.append(_Synthetic(point, local.astimezone(UTC), answers))
    return out


def _store(session: Session, version_id: int, instrument_key: str, rows: list[_Synthetic]) -> None:
    instrument = load_all()[instrument_key]
    layout = packed_layout(instrument)
    batch = 1000
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        values = []
        for row in chunk:
            checked = answers_validate(instrument, row.answers)
            if not checked.ok:  # the generator and the instrument disagree: a bug here
                raise AssertionError(f"demo response invalid: {checked.errors}")
            row.answers = checked.answers
            values.append(
                {
                    "client_uuid": uuid.uuid4(),
                    "payload_hash": payload_digest(instrument_key, row.point.unit_id, row.point.id, "qr", row.answers),
                    "instrument_version_id": version_id,
                    "unit_id": row.point.unit_id,
                    "service_point_id": row.point.id,
                    "channel": "qr",
                    "status": "submitted",
                    "started_at": row.submitted - timedelta(seconds=75),
                    "submitted_at": row.submitted,
                    "received_at": row.submitted,
                    "service_day": service_day_of(row.submitted),
                    "codes": answers_pack(layout, row.answers),
                }
            )
        ids = session.scalars(insert(Response).returning(Response.id, sort_by_parameter_order=True), values).all()
        session.execute(
            insert(Answer),
            [
                {
                    "response_id": rid,
                    "question_code": code,
                    "value_int": value if isinstance(value, int) else None,
                    "value_text": value if isinstance(value, str) else None,
                }
                for rid, row in zip(ids, chunk, strict=True)
                for code, value in row.answers.items()
            ],
        )
    session.flush()


#: the demo surveyor's tablet (an install id as the app would make one)
DEMO_DEVICE = "demo-tablet-0001"


def _interview_answers(rng: np.random.Generator, instrument: Instrument) -> dict[str, int | str]:
    """Plausible answers to any instrument, following its skip logic."""
    answers: dict[str, int | str] = {}
    for q in instrument.questions:
        if not is_visible(q, answers):
            continue
        if q.kind is QuestionKind.SINGLE and q.scale is not None:
            codes = sorted(q.scale.codes)
            # lean towards "yes" gates, satisfied ratings and "no" to payments
            weights = np.array(
                [3.0 if c in q.scale.satisfied or (q.role is Role.OTHER and c in q.scale.yes) else 1.0 for c in codes]
            )
            if q.role in (Role.HARASSMENT, Role.INFORMAL_PAYMENT, Role.PERCEPTION):
                weights = np.array([4.0 if c in q.scale.no else 1.0 for c in codes])
            answers[q.code] = int(rng.choice(codes, p=weights / weights.sum()))
        elif q.kind is QuestionKind.NUMBER and q.minimum is not None:
            answers[q.code] = int(rng.integers(q.minimum, q.minimum + 3))
        elif q.kind is QuestionKind.TEXT and rng.random() < 0.1:
            answers[q.code] = str(rng.choice(COMMENTS))
    return answers


def demo_assignments(session: Session, commune: Unit, *, interviews: int = 24, seed: int = 2026) -> int:
    """Give the demo surveyor (of ``commune``) two assignments with targets
    and some household interviews already sent from a tablet, so the
    surveyor's pages show progress. Returns the interviews stored (0 if
    the demo surveyor works elsewhere, e.g. a second demo province).
    """
    surveyor = session.scalar(select(User).where(User.username == "demo-surveyor"))
    if surveyor is None or surveyor.unit_id != commune.id:
        return 0
    registry = load_all()
    today = vietnam_today()
    point = session.scalar(select(ServicePoint).where(ServicePoint.unit_id == commune.id).order_by(ServicePoint.id))
    start, end = today - timedelta(days=30), today + timedelta(days=60)
    common = {"surveyor": surveyor, "unit": commune, "starts_on": start, "ends_on": end}
    assignment_create(session, registry, instrument_code="papi-household", target=60, **common)
    if point is not None:
        assignment_create(session, registry, instrument_code="sipas-counter", target=40, service_point=point, **common)
    active = instrument_active(session, registry, "papi-household")
    assert active is not None, "papi-household is shipped and registered by instruments_sync"
    rng = np.random.default_rng(seed + 1)
    days = sorted(_working_days(today - timedelta(days=1), 28)[:6])
    for k in range(interviews):
        day = days[k % len(days)]
        started = datetime.combine(day, time(8, 0), tzinfo=VIETNAM) + timedelta(minutes=35 * (k // len(days)))
        checked = answers_validate(active.instrument, _interview_answers(rng, active.instrument))
        if not checked.ok:  # the generator and the instrument disagree: a bug here
            raise AssertionError(f"demo interview invalid: {checked.errors}")
        response_submit(
            session,
            client_uuid=uuid.UUID(bytes=rng.bytes(16), version=4),
            instrument=active,
            unit_id=commune.id,
            service_point_id=None,
            channel="tablet",
            answers=checked.answers,
            started_at=started.astimezone(UTC),
            submitted_at=(started + timedelta(minutes=int(rng.integers(12, 30)))).astimezone(UTC),
            surveyor_id=surveyor.id,
            device_id=DEMO_DEVICE,
        )
    session.flush()
    return interviews
