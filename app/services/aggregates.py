"""SQL aggregation of responses into per-unit sufficient statistics.

Nothing here loops over responses in Python: the database groups answers
by cluster (service point × day) and then by unit (the stratum), and
returns the moments :func:`analysis.moments_estimate` needs — one row per
unit and indicator, however many responses there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import Float, and_, case, cast, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from app.models import Answer, InstrumentVersion, Response, Unit
from app.services.units import subtree_clause
from surveys import Instrument, Role

#: Columns of a moments table (see analysis.moments)
MOMENT_COLUMNS = ("psu", "occupied", "n", "w", "y", "ww", "yy", "wy", "y2")
#: Pseudo-question key of the overall index (mean of element indices per respondent)
INDEX_KEY = "INDEX"


@dataclass(frozen=True)
class ResponseFilter:
    """Which responses an analysis covers.

    Attributes
    ----------
    instrument : str
        Instrument code; every version of it counts (versions keep codes).
    date_from, date_to : date, optional
        Service days, inclusive.
    unit_code : str, optional
        Only this unit and the units below it.
    level : str, optional
        Only responses collected by units of this level.
    procedure : int, optional
        Only responses whose procedure-field answer has this code.
    channel : str, optional
        ``qr``, ``tablet``, ``paper`` or ``kiosk``.
    """

    instrument: str = "sipas-counter"
    date_from: date | None = None
    date_to: date | None = None
    unit_code: str | None = None
    level: str | None = None
    procedure: int | None = None
    channel: str | None = None


@dataclass(frozen=True)
class UnitMoments:
    """Per-(unit, key) sufficient statistics.

    Attributes
    ----------
    unit_id, key : ndarray
        One entry per row; ``key`` is a question code, an element code or
        :data:`INDEX_KEY`.
    moments : dict of str to ndarray
        The columns of :data:`MOMENT_COLUMNS`, aligned with ``unit_id``.
    levels : dict of str to ndarray
        Item rows only: ``l1`` … ``l5`` counts, ``na`` (not applicable),
        ``refused``; zero for index rows.
    responses : dict of int to int
        Responses per unit.
    clusters : dict of int to int
        Clusters (service point × day) per unit: the stratum's PSUs.
    """

    unit_id: np.ndarray
    key: np.ndarray
    moments: dict[str, np.ndarray]
    levels: dict[str, np.ndarray]
    responses: dict[int, int]
    clusters: dict[int, int]


def filter_conditions(session: Session, flt: ResponseFilter) -> list:
    """SQL conditions on ``Response`` selecting the submitted responses of ``flt``."""
    r = Response
    versions = select(InstrumentVersion.id).where(InstrumentVersion.code == flt.instrument)
    conds = [r.status == "submitted", r.instrument_version_id.in_(versions.scalar_subquery())]
    if flt.date_from is not None:
        conds.append(r.service_day >= flt.date_from)
    if flt.date_to is not None:
        conds.append(r.service_day <= flt.date_to)
    if flt.channel is not None:
        conds.append(r.channel == flt.channel)
    if flt.unit_code is not None or flt.level is not None:
        units = select(Unit.id)
        if flt.unit_code is not None:
            root = session.scalar(select(Unit).where(Unit.code == flt.unit_code))
            units = units.where(subtree_clause(root) if root is not None else literal(False))
        if flt.level is not None:
            units = units.where(Unit.level == flt.level)
        conds.append(r.unit_id.in_(units.scalar_subquery()))
    if flt.procedure is not None:
        proc = aliased(Answer)
        conds.append(
            select(proc.response_id)
            .where(
                proc.response_id == r.id,
                proc.question_code == "procedure",
                proc.value_int == flt.procedure,
            )
            .exists()
        )
    return conds


def _cluster_columns():
    # Responses without a counter (household interviews) cluster by unit and day.
    return func.coalesce(Response.service_point_id, 0).label("point"), Response.service_day.label("day")


def _code_flag(values_by_question: dict[str, frozenset[int]]):
    """CASE giving 1 when the answer's code is in its question's set, else 0.

    Questions sharing a set share one WHEN, so the SQL stays short."""
    questions_by_values: dict[frozenset[int], list[str]] = {}
    for question, values in values_by_question.items():
        if values:
            questions_by_values.setdefault(values, []).append(question)
    whens = [
        (and_(Answer.question_code.in_(questions), Answer.value_int.in_(sorted(values))), 1)
        for values, questions in questions_by_values.items()
    ]
    return case(*whens, else_=0) if whens else literal(0)


def unit_moments(session: Session, instrument: Instrument, flt: ResponseFilter) -> UnitMoments:
    """Aggregate the responses matching ``flt`` into per-unit moments.

    ``instrument`` (the active version) says which codes are satisfied, not
    applicable, yes, no and refused.
    """
    conds = filter_conditions(session, flt)
    point, day = _cluster_columns()

    clusters_q = (
        select(Response.unit_id, point, day, func.count().label("responses"))
        .where(*conds)
        .group_by(Response.unit_id, point, day)
        .subquery()
    )
    frame_rows = session.execute(
        select(clusters_q.c.unit_id, func.count(), func.sum(clusters_q.c.responses)).group_by(clusters_q.c.unit_id)
    ).all()
    clusters = {u: int(c) for u, c, _ in frame_rows}
    responses = {u: int(n) for u, _, n in frame_rows}

    items = [q for q in instrument.questions if q.scale is not None and q.role in _ITEM_ROLES]
    valid_codes, event_codes, na_codes, refused_codes = {}, {}, {}, {}
    for q in items:
        scale = q.scale
        assert scale is not None
        if q.role in (Role.CRITERION, Role.OVERALL):
            valid_codes[q.code] = scale.codes - scale.not_applicable - scale.refused
            event_codes[q.code] = scale.satisfied
        else:
            valid_codes[q.code] = scale.yes | scale.no
            event_codes[q.code] = scale.yes
        na_codes[q.code] = scale.not_applicable
        refused_codes[q.code] = scale.refused
    valid, event = _code_flag(valid_codes), _code_flag(event_codes)
    level_cols = [
        func.sum(case((and_(valid == 1, Answer.value_int == lv), 1), else_=0)).label(f"l{lv}") for lv in range(1, 6)
    ]
    per_cluster = (
        select(
            Response.unit_id,
            Answer.question_code.label("key"),
            func.sum(valid).label("n"),
            func.sum(event).label("y"),
            func.sum(_code_flag(na_codes)).label("na"),
            func.sum(_code_flag(refused_codes)).label("refused"),
            *level_cols,
        )
        .join(Answer, Answer.response_id == Response.id)
        .where(*conds, Answer.question_code.in_([q.code for q in items]), Answer.value_int.is_not(None))
        .group_by(Response.unit_id, point, day, Answer.question_code)
        .subquery()
    )
    c = per_cluster.c
    item_rows = session.execute(
        select(
            c.unit_id,
            c.key,
            func.sum(case((c.n > 0, 1), else_=0)),
            func.sum(c.n),
            func.sum(c.y),
            func.sum(c.n * c.n),
            func.sum(c.y * c.y),
            func.sum(c.n * c.y),
            func.sum(c.na),
            func.sum(c.refused),
            *[func.sum(getattr(c, f"l{lv}")) for lv in range(1, 6)],
        ).group_by(c.unit_id, c.key)
    ).all()

    index_rows = _index_moments(session, instrument, conds)

    rows_u, rows_k = [], []
    cols: dict[str, list[float]] = {name: [] for name in MOMENT_COLUMNS}
    lv: dict[str, list[float]] = {name: [] for name in ("l1", "l2", "l3", "l4", "l5", "na", "refused")}
    for unit_id, key, occupied, n, y, nn, yy, ny, na, refused, *levels in item_rows:
        rows_u.append(unit_id)
        rows_k.append(key)
        for name, value in zip(MOMENT_COLUMNS, (clusters[unit_id], occupied, n, n, y, nn, yy, ny, y), strict=True):
            cols[name].append(float(value or 0))
        for name, value in zip(lv, (*levels, na, refused), strict=True):
            lv[name].append(float(value or 0))
    for unit_id, key, occupied, n, y, nn, yy, ny, y2 in index_rows:
        rows_u.append(unit_id)
        rows_k.append(key)
        for name, value in zip(MOMENT_COLUMNS, (clusters[unit_id], occupied, n, n, y, nn, yy, ny, y2), strict=True):
            cols[name].append(float(value or 0))
        for name in lv:
            lv[name].append(0.0)
    return UnitMoments(
        unit_id=np.asarray(rows_u, dtype=np.int64),
        key=np.asarray(rows_k, dtype=object),
        moments={k: np.asarray(v) for k, v in cols.items()},
        levels={k: np.asarray(v) for k, v in lv.items()},
        responses=responses,
        clusters=clusters,
    )


_ITEM_ROLES = (Role.CRITERION, Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT)


def _index_moments(session: Session, instrument: Instrument, conds: list):
    """Element indices and the overall index, at respondent level, as moments.

    A respondent's element share is (criteria rated satisfied) / (criteria
    answered, not "not applicable") in that element; the overall index of a
    respondent is the mean of their element shares.
    """
    criteria = [q for q in instrument.questions if q.role is Role.CRITERION and q.scale is not None]
    if not criteria:
        return []
    element_of = case(
        *[
            (Answer.question_code.in_([q.code for q in criteria if q.element == e.code]), e.code)
            for e in instrument.elements
        ],
        else_="",
    )
    valid = _code_flag({q.code: q.scale.codes - q.scale.not_applicable for q in criteria})  # type: ignore[union-attr]
    event = _code_flag({q.code: q.scale.satisfied for q in criteria})  # type: ignore[union-attr]
    point, day = _cluster_columns()
    per_element = (
        select(
            Response.id.label("rid"),
            Response.unit_id,
            point,
            day,
            element_of.label("key"),
            func.sum(valid).label("valid"),
            func.sum(event).label("sat"),
        )
        .join(Answer, Answer.response_id == Response.id)
        .where(*conds, Answer.question_code.in_([q.code for q in criteria]), Answer.value_int.is_not(None))
        .group_by(Response.id, Response.unit_id, point, day, element_of)
        .subquery()
    )
    pe = per_element.c
    shares = (
        select(pe.rid, pe.unit_id, pe.point, pe.day, pe.key, (cast(pe.sat, Float) / pe.valid).label("share"))
        .where(pe.valid > 0)
        .subquery()
    )
    sh = shares.c
    overall = select(
        sh.rid,
        sh.unit_id,
        sh.point,
        sh.day,
        literal(INDEX_KEY).label("key"),
        func.avg(sh.share).label("share"),
    ).group_by(sh.rid, sh.unit_id, sh.point, sh.day)
    both = union_all(select(sh.rid, sh.unit_id, sh.point, sh.day, sh.key, sh.share), overall).subquery()
    b = both.c
    per_cluster = (
        select(
            b.unit_id,
            b.key,
            func.count().label("n"),
            func.sum(b.share).label("y"),
            func.sum(b.share * b.share).label("y2"),
        )
        .group_by(b.unit_id, b.point, b.day, b.key)
        .subquery()
    )
    c = per_cluster.c
    return session.execute(
        select(
            c.unit_id,
            c.key,
            func.count(),
            func.sum(c.n),
            func.sum(c.y),
            func.sum(c.n * c.n),
            func.sum(c.y * c.y),
            func.sum(c.n * c.y),
            func.sum(c.y2),
        ).group_by(c.unit_id, c.key)
    ).all()
