"""Synthetic citizens and their answers: each unit has its own level of
satisfaction, harassment and informal payment; answers cluster by counter
and by day, and a respondent's ratings share a personal leniency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from app.models import ServicePoint
from app.services.instruments import ActiveInstrument
from app.time import VIETNAM, vietnam_today
from surveys import Instrument, Question, QuestionKind, Role, Value, is_visible

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


def sigmoid(x: np.ndarray | float) -> np.ndarray | float:
    return 1.0 / (1.0 + np.exp(-x))


def working_days(end: date, days: int) -> list[date]:
    return [d for d in (end - timedelta(days=i) for i in range(days)) if d.weekday() < 5]


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
class Synthetic:
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
class Respondent:
    """What drives one synthetic person's answers.

    ``mood`` is the logit of rating a criterion satisfied; ``harassed`` and
    ``paid`` the chances of answering "Có" to those questions; ``procedure``
    the counter's usual procedure field.
    """

    mood: float
    harassed: float
    paid: float
    procedure: int


def switch_day(today: date) -> date:
    months = today.year * 12 + today.month - 1 - SWITCH_MONTHS_AGO
    return date(months // 12, months % 12 + 1, 1)


def synthetic_responses(
    rng: np.random.Generator,
    versions: list[ActiveInstrument],
    points: list[ServicePoint],
    total: int,
    paper: float,
) -> list[Synthetic]:
    """``total`` responses over the past year; ``versions`` are the older
    version (answered before :func:`switch_day`) and the active one, or the
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
    days = working_days(vietnam_today() - timedelta(days=1), 365)
    switch = switch_day(vietnam_today())
    # how much harder each criterion is to satisfy, the same in every version
    rated = sorted({q.code for v in versions for q in v.instrument.questions if q.role is Role.CRITERION})
    offsets = dict(zip(rated, rng.normal(0, 0.4, len(rated)), strict=True))
    procedure_q = active.with_role(Role.PROCEDURE)[0]
    procedure_codes = sorted(procedure_q.scale.codes) if procedure_q.scale else [7]
    out: list[Synthetic] = []
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
            who = Respondent(
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
            answers = citizen_answers(rng, version.instrument, channel, who, offsets)
            out.append(Synthetic(point, local.astimezone(UTC), channel, version, answers))
    return out


def citizen_answers(
    rng: np.random.Generator, instrument: Instrument, channel: str, who: Respondent, offsets: dict[str, float]
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
    who: Respondent,
    offset: float,
    earlier: dict[str, Value],
) -> Value | None:
    """A plausible answer to ``q`` (None: left blank)."""
    if q.role is Role.PROCEDURE:
        return who.procedure
    if q.role in (Role.CRITERION, Role.ELEMENT_OVERALL):
        if rng.random() < 0.03:
            return 9
        if rng.random() < sigmoid(who.mood + offset):
            return 5 if rng.random() < 0.35 else 4
        return int(rng.choice([1, 2, 3], p=[0.15, 0.35, 0.5]))
    if q.role is Role.OVERALL:
        if rng.random() < sigmoid(who.mood - 1.2):
            return 5
        return 4 if rng.random() < sigmoid(who.mood + 0.3) else int(rng.choice([1, 2, 3]))
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
    rng: np.random.Generator, instrument: Instrument, q: Question, who: Respondent, earlier: dict[str, Value]
) -> tuple[int, ...]:
    """Improvements to ask for: more, and about the elements rated badly, the
    less satisfied the person; "no suggestion" mostly from satisfied ones."""
    assert q.scale is not None and q.min_choices is not None and q.max_choices is not None
    if q.exclusive and rng.random() < 0.3 * sigmoid(who.mood):
        return (min(q.exclusive),)
    options = sorted(q.scale.codes - q.exclusive)
    weights = np.array([0.3 if c == max(options) else 1.0 for c in options])  # the last: "something else"
    for element in instrument.elements:
        if element.code in WISHES and any(earlier.get(c) in (1, 2, 3) for c in element.criteria):
            weights += np.isin(options, WISHES[element.code]) * 1.5
    most = min(q.max_choices, len(options))
    k = int(np.clip(1 + rng.binomial(most - 1, sigmoid(-who.mood + 0.5)), q.min_choices, most))
    chosen = rng.choice(options, size=k, replace=False, p=weights / weights.sum())
    return tuple(sorted(int(c) for c in chosen))
