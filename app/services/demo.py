"""A demo province with synthetic responses that look like real ones.

The data are made to be *true to something*: each unit has its own level
of satisfaction, harassment and informal payment; answers cluster by
counter and by day (a rude official on duty, a broken air conditioner), and
a respondent's ratings share a personal leniency. Later screens (intervals,
design effects, verdicts) then have real structure to find.

Citizens answer the way the form asks them: the questions of their channel
(mostly the QR form, some paper forms), the ones skip logic shows (the
result only once it was received, the feedback items only to those who gave
feedback), the improvements they ask for follow what they rated badly, and
the optional demographics are sometimes left blank. Responses of the last
:data:`SWITCH_MONTHS_AGO` months answer the active version of sipas-counter,
older ones the version before it, as in a province that switched.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models import Answer, DossierCount, Response, ServicePoint, Unit, User
from app.models.responses import FLAG_FAST_FILL, FLAG_STRAIGHT_LINE
from app.services.accounts import demo_accounts
from app.services.anomalies import BASELINE_DAYS, straight_lined
from app.services.assignments import assignment_create
from app.services.instruments import ActiveInstrument, instrument_active, instrument_version, instruments_sync
from app.services.submissions import answer_rows, payload_digest, response_submit
from app.services.units import child_path
from app.time import VIETNAM, service_day_of, vietnam_today
from surveys import (
    Instrument,
    Question,
    QuestionKind,
    Role,
    Value,
    answers_pack,
    answers_validate,
    is_visible,
    load_all,
    packed_layout,
)

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
    responses before the last :data:`SWITCH_MONTHS_AGO` months answer that
    older version; without it, every response answers the active version.
    With ``version``, every response answers that version of sipas-counter,
    by QR.

    With ``stuffed``, that many of the ``responses`` are the staff of one
    commune counter stuffing its ballot box on the last working day
    (:func:`_stuffed_responses`), so that a newcomer finds a flag on the
    anomaly review screen (``seed-demo`` asks for :data:`STUFFED`). The
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
    rows = _synthetic_responses(rng, [v for v in (older, active) if v is not None], points, responses - stuffed, paper)
    if version is None:  # the staff's stuffed forms below stay open QR ones
        _verified_share(np.random.default_rng(seed + 2), rows, active)
    if stuffed:
        day = _working_days(vietnam_today() - timedelta(days=1), 7)[0]
        communes = [p for p in points if p.unit.level == "commune"]
        target = _stuffed_counter(rows, communes, day, active)
        rows += _stuffed_responses(np.random.default_rng(seed + 1), active, target, stuffed, day)
    _store(session, rows)
    session.add_all(_dossier_counts(np.random.default_rng(seed + 3), points, rows))
    district = next(u for u in units if u.level == "district")
    demo_accounts(session, province, next(u for u in units if u.parent is district), district)
    demo_assignments(session, next(u for u in units if u.parent is district), seed=seed)
    return DemoSummary(prefix, len(units), len(points), len(rows))


#: How many of seed-demo's responses are one counter's staff stuffing its ballot box.
STUFFED = 24


#: Working days before the stuffing on which the stuffed counter has one ordinary response each.
REGULAR_DAYS = 8


def _stuffed_counter(
    rows: list[_Synthetic], candidates: list[ServicePoint], day: date, active: ActiveInstrument
) -> ServicePoint:
    """The candidate with the most ordinary QR responses to the active
    version, given a normal volume before ``day``: :data:`REGULAR_DAYS` of
    its own responses are moved, one a day, to the working days before it.
    Without them the burst rule (against the counter's own median day over
    :data:`BASELINE_DAYS`) would see the stuffing only on the dates when the
    random days happen to fall near it."""
    own = {id(p): [r for r in rows if r.point is p and r.channel == "qr" and r.version is active] for p in candidates}
    point = max(candidates, key=lambda p: len(own[id(p)]))
    regular = _working_days(day - timedelta(days=1), BASELINE_DAYS)[:REGULAR_DAYS]
    for row, new_day in zip(own[id(point)], regular, strict=False):
        moment = row.submitted.astimezone(VIETNAM)
        row.submitted = datetime.combine(new_day, moment.time(), tzinfo=VIETNAM).astimezone(UTC)
    return point


def _stuffed_responses(
    rng: np.random.Generator, active: ActiveInstrument, point: ServicePoint, n: int, day: date
) -> list[_Synthetic]:
    """``n`` identical, all-top forms sent seconds apart late on ``day`` at
    ``point``, each filled in a few seconds: the burst, duplicates,
    straight-lining and fast fills of app/services/anomalies/."""
    instrument = active.instrument
    delighted = _Respondent(mood=12.0, harassed=0.0, paid=0.0, procedure=1)
    answers = _citizen_answers(rng, instrument, "qr", delighted, {})
    answers = {code: value for code, value in answers.items() if code != "comment"}
    start = datetime.combine(day, time(16, 30), tzinfo=VIETNAM).astimezone(UTC)
    # the flags the form would have set: too fast to read, and every rating at the top
    flags = FLAG_FAST_FILL | (FLAG_STRAIGHT_LINE if straight_lined(instrument, answers) else 0)
    return [
        _Synthetic(point, start + timedelta(seconds=20 * k), "qr", active, dict(answers), 6, flags) for k in range(n)
    ]


#: Share of the active version's recent QR responses that came through a
#: dossier's one-time code (issue 16.3), and how recent (days).
VERIFIED_SHARE = 0.3
VERIFIED_DAYS = 92


def _verified_share(rng: np.random.Generator, rows: list[_Synthetic], active: ActiveInstrument) -> None:
    """Turn a share of the recent QR responses into verified ones, rated as
    their overall answer says (5: rất hài lòng, 4: hài lòng, else không), so
    the report shows the per-dossier rating and the verified/open comparison.
    A generator of its own leaves the other responses as they were."""
    since = datetime.combine(vietnam_today() - timedelta(days=VERIFIED_DAYS), time(0), tzinfo=VIETNAM)
    for row in rows:
        if row.channel != "qr" or row.version is not active or row.submitted < since:
            continue
        if rng.random() < VERIFIED_SHARE:
            overall = row.answers.get("overall")
            row.channel = "qr-verified"
            row.rating = 3 if overall == 5 else 2 if overall == 4 else 1


def _dossier_counts(rng: np.random.Generator, points: list[ServicePoint], rows: list[_Synthetic]) -> list[DossierCount]:
    """Dossiers each counter received in each of the last four months, as
    imported from a one-stop-shop system: its responses over a response rate
    of 10–40 % (a counter without responses still received dossiers)."""
    months = []
    first = vietnam_today().replace(day=1)
    for _ in range(4):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    answered: dict[tuple[int, date], int] = {}
    for row in rows:
        key = (row.point.id, service_day_of(row.submitted).replace(day=1))
        if row.channel in ("qr", "kiosk", "qr-verified") and key[1] in months:
            answered[key] = answered.get(key, 0) + 1
    counts = []
    for point in points:
        rate = rng.uniform(0.1, 0.4)
        for month in months:
            n = answered.get((point.id, month), 0)
            dossiers = round(n / rate) if n else int(rng.integers(20, 120))
            counts.append(DossierCount(service_point_id=point.id, month=month, dossiers=dossiers, source="import"))
    return counts


#: The first day of v2 in the demo, as a number of months back: responses
#: before it answered the previous version of sipas-counter (if one is
#: registered), so that the trend and a year's report span the switch.
SWITCH_MONTHS_AGO = 6
#: Share of the responses to the active version typed in from paper forms
#: (the paper form asks the element satisfaction questions too).
PAPER_SHARE = 0.1
#: What a respondent unhappy with an element tends to ask to improve:
#: codes of sipas-counter's ``expectations`` scale, by element.
WISHES = {"E1": (1, 2, 3), "E2": (4, 5, 6, 7), "E3": (8, 9), "E4": (6,), "E5": (10,)}
OTHER_WISHES = [
    "Có chỗ gửi xe rộng hơn.",
    "Trả kết quả qua bưu điện.",
    "Làm việc cả sáng thứ Bảy.",
    "Có wifi cho người chờ.",
]


@dataclass
class _Synthetic:
    point: ServicePoint
    submitted: datetime
    channel: str
    version: ActiveInstrument
    answers: dict[str, Value]
    #: seconds taken to fill the form (None: the instrument's stated time)
    fill: int | None = None
    #: ``responses.quality_flags`` as the form would have set them
    flags: int = 0
    #: ``qr-verified`` only: the per-dossier rating (3, 2, 1)
    rating: int | None = None


@dataclass(frozen=True)
class _Respondent:
    """What drives one synthetic person's answers.

    ``mood`` is the logit of rating a criterion satisfied; ``harassed`` and
    ``paid`` the chances of answering "Có" to those questions; ``procedure``
    the counter's usual procedure field.
    """

    mood: float
    harassed: float
    paid: float
    procedure: int


def _switch_day(today: date) -> date:
    months = today.year * 12 + today.month - 1 - SWITCH_MONTHS_AGO
    return date(months // 12, months % 12 + 1, 1)


def _synthetic_responses(
    rng: np.random.Generator,
    versions: list[ActiveInstrument],
    points: list[ServicePoint],
    total: int,
    paper: float,
) -> list[_Synthetic]:
    """``total`` responses over the past year; ``versions`` are the older
    version (answered before :func:`_switch_day`) and the active one, or the
    active one alone; a share ``paper`` of the active one's came on paper."""
    active = versions[-1].instrument
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
    switch = _switch_day(vietnam_today())
    # how much harder each criterion is to satisfy, the same in every version
    rated = sorted({q.code for v in versions for q in v.instrument.questions if q.role is Role.CRITERION})
    offsets = dict(zip(rated, rng.normal(0, 0.4, len(rated)), strict=True))
    procedure_q = active.with_role(Role.PROCEDURE)[0]
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
            day_factor = np.exp(day_effect[d])
            who = _Respondent(
                mood=base + day_effect[d] + rng.normal(0, 0.8),
                harassed=min(0.9, harass[point.unit_id] / day_factor),
                paid=min(0.9, pay[point.unit_id] / day_factor),
                procedure=procedure if rng.random() < 0.8 else int(rng.choice(procedure_codes)),
            )
            version = versions[0] if days[chosen[d]] < switch else versions[-1]
            channel = "paper" if version is versions[-1] and rng.random() < paper else "qr"
            local = datetime.combine(days[chosen[d]], time(7, 30), tzinfo=VIETNAM) + timedelta(
                seconds=int(rng.integers(0, 9 * 3600))
            )
            answers = _citizen_answers(rng, version.instrument, channel, who, offsets)
            out.append(_Synthetic(point, local.astimezone(UTC), channel, version, answers))
    return out


def _citizen_answers(
    rng: np.random.Generator, instrument: Instrument, channel: str, who: _Respondent, offsets: dict[str, float]
) -> dict[str, Value]:
    """One person's answers to every question ``channel`` asks and skip logic shows."""
    answers: dict[str, Value] = {}
    for q in instrument.questions:
        if not is_visible(q, answers, channel):
            continue
        value = _citizen_answer(rng, instrument, q, who, offsets.get(q.code, 0.0), answers)
        if value is not None:
            answers[q.code] = value
    return answers


def _citizen_answer(
    rng: np.random.Generator,
    instrument: Instrument,
    q: Question,
    who: _Respondent,
    offset: float,
    earlier: dict[str, Value],
) -> Value | None:
    """A plausible answer to ``q`` (None: left blank)."""
    if q.role is Role.PROCEDURE:
        return who.procedure
    if q.role in (Role.CRITERION, Role.ELEMENT_OVERALL):
        if rng.random() < 0.03:
            return 9
        if rng.random() < _sigmoid(who.mood + offset):
            return 5 if rng.random() < 0.35 else 4
        return int(rng.choice([1, 2, 3], p=[0.15, 0.35, 0.5]))
    if q.role is Role.OVERALL:
        if rng.random() < _sigmoid(who.mood - 1.2):
            return 5
        return 4 if rng.random() < _sigmoid(who.mood + 0.3) else int(rng.choice([1, 2, 3]))
    if q.role in (Role.HARASSMENT, Role.INFORMAL_PAYMENT):
        if rng.random() < 0.04:
            return 8
        return 1 if rng.random() < (who.harassed if q.role is Role.HARASSMENT else who.paid) else 2
    if q.kind is QuestionKind.MULTI:
        return _wishes(rng, instrument, q, who, earlier)
    if q.role is Role.COMMENT:
        return str(rng.choice(COMMENTS)) if rng.random() < 0.08 else None
    if q.kind is QuestionKind.TEXT:  # "something else": what else
        return str(rng.choice(OTHER_WISHES)) if rng.random() < 0.5 else None
    if q.kind is QuestionKind.NUMBER:  # visits
        assert q.minimum is not None and q.maximum is not None
        return int(min(q.maximum, q.minimum + rng.poisson(0.6 if who.mood > 1 else 1.5)))
    if q.role is Role.DEMOGRAPHIC:  # optional: a quarter leave each blank
        if rng.random() < 0.25:
            return None
        codes = sorted(q.scale.codes - q.scale.refused) if q.scale else []
        return int(rng.choice(codes)) if codes else None
    if q.scale is not None and q.scale.yes:  # a gate: few gave feedback
        return min(q.scale.yes) if rng.random() < 0.15 else min(q.scale.no)
    if q.scale is not None:  # the visit stage
        return int(rng.choice(sorted(q.scale.codes)))
    return None


def _wishes(
    rng: np.random.Generator, instrument: Instrument, q: Question, who: _Respondent, earlier: dict[str, Value]
) -> tuple[int, ...]:
    """Improvements to ask for: more, and about the elements rated badly, the
    less satisfied the person; "no suggestion" mostly from satisfied ones."""
    assert q.scale is not None and q.min_choices is not None and q.max_choices is not None
    if q.exclusive and rng.random() < 0.3 * _sigmoid(who.mood):
        return (min(q.exclusive),)
    options = sorted(q.scale.codes - q.exclusive)
    weights = np.array([0.3 if c == max(options) else 1.0 for c in options])  # the last: "something else"
    for element in instrument.elements:
        if element.code in WISHES and any(earlier.get(c) in (1, 2, 3) for c in element.criteria):
            weights += np.isin(options, WISHES[element.code]) * 1.5
    most = min(q.max_choices, len(options))
    k = int(np.clip(1 + rng.binomial(most - 1, _sigmoid(-who.mood + 0.5)), q.min_choices, most))
    chosen = rng.choice(options, size=k, replace=False, p=weights / weights.sum())
    return tuple(sorted(int(c) for c in chosen))


def _form_time(instrument: Instrument) -> timedelta:
    """How long the demo's citizens take: what the intro states."""
    return timedelta(minutes=instrument.duration.minutes) if instrument.duration else timedelta(seconds=75)


def _noon(moment: datetime) -> datetime:
    return datetime.combine(service_day_of(moment), time(12), tzinfo=VIETNAM).astimezone(UTC)


def _store(session: Session, rows: list[_Synthetic]) -> None:
    batch = 1000
    layouts = {}
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        values = []
        for row in chunk:
            instrument = row.version.instrument
            checked = answers_validate(instrument, row.answers, channel=row.channel)
            if not checked.ok:  # the generator and the instrument disagree: a bug here
                raise AssertionError(f"demo response invalid: {checked.errors}")
            row.answers = checked.answers
            layout = layouts.setdefault(instrument.key, packed_layout(instrument))
            paper = row.channel == "paper"
            fill = _form_time(instrument) if row.fill is None else timedelta(seconds=row.fill)
            values.append(
                {
                    "client_uuid": uuid.uuid4(),
                    "payload_hash": payload_digest(
                        instrument.key, row.point.unit_id, row.point.id, row.channel, row.answers, row.rating
                    ),
                    "instrument_version_id": row.version.version_id,
                    "unit_id": row.point.unit_id,
                    "service_point_id": row.point.id,
                    "channel": row.channel,
                    "status": "submitted",
                    # a paper form has no clock: typed in later, dated its day at noon (as imports do)
                    "started_at": None if paper else row.submitted - fill,
                    "submitted_at": _noon(row.submitted) if paper else row.submitted,
                    "received_at": row.submitted,
                    "service_day": service_day_of(row.submitted),
                    "codes": answers_pack(layout, row.answers),
                    "quality_flags": row.flags,
                    "fill_seconds": None if paper else int(fill.total_seconds()),
                    "dossier_rating": row.rating,
                }
            )
        ids = session.scalars(insert(Response).returning(Response.id, sort_by_parameter_order=True), values).all()
        session.execute(
            insert(Answer.__table__),  # the table, not the class: no ORM bookkeeping for 200,000 rows
            [answer for rid, row in zip(ids, chunk, strict=True) for answer in answer_rows(rid, row.answers)],
        )
    session.flush()


#: the demo surveyor's tablet (an install id as the app would make one)
DEMO_DEVICE = "demo-tablet-0001"


def _interview_answers(rng: np.random.Generator, instrument: Instrument) -> dict[str, int | str]:
    """Plausible answers to any instrument, following its skip logic."""
    answers: dict[str, int | str] = {}
    for q in instrument.questions:
        if not is_visible(q, answers, "tablet"):
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
        checked = answers_validate(active.instrument, _interview_answers(rng, active.instrument), channel="tablet")
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
