"""SQL aggregation of responses into per-unit sufficient statistics.

Nothing here loops over responses in Python: the database groups answers
by cluster (service point × day) and then by unit (the stratum), and
returns the moments :func:`analysis.moments_estimate` needs — one row per
unit and indicator, however many responses there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import Float, Integer, String, and_, case, cast, func, literal, literal_column, select, text, union_all
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
    # The version ids as literals, not a subquery: PostgreSQL then knows from
    # its statistics how many responses match and plans the joins for it.
    versions = session.scalars(select(InstrumentVersion.id).where(InstrumentVersion.code == flt.instrument)).all()
    conds = [r.status == "submitted", r.instrument_version_id.in_(sorted(versions))]
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
    """The cluster (PSU) of a response, as two columns within its unit (stratum).

    An interview taken by a surveyor clusters by surveyor × day: the
    interviewer effect is the one to model (negative ids keep surveyors apart
    from counters). A QR response clusters by counter × day; a response with
    neither (a paper form without a counter) by unit × day.
    """
    owner = case(
        (Response.surveyor_id.is_not(None), -Response.surveyor_id),
        else_=func.coalesce(Response.service_point_id, 0),
    )
    return owner.label("point"), Response.service_day.label("day")


#: Bits in one packed word. PostgreSQL sums ``integer`` inputs in an int8
#: held by value, which is fast; a word must therefore stay below 2**31.
_WORD_BITS = 30


@dataclass(frozen=True)
class _Field:
    """A small unsigned integer packed in bits ``shift`` … ``shift + width - 1`` of word ``word``."""

    word: int
    shift: int
    width: int


def _layout(widths: list[int]) -> list[_Field]:
    """Place fields of the given bit widths into as few words as fit."""
    fields, word, used = [], 0, 0
    for width in widths:
        if used + width > _WORD_BITS:
            word, used = word + 1, 0
        fields.append(_Field(word, used, width))
        used += width
    return fields


def _unpack(word, f: _Field):
    """SQL for the value of field ``f`` in the (possibly NULL) summed ``word``."""
    value = func.coalesce(word, 0)
    if f.shift:
        value = value.op(">>")(f.shift)
    return cast(value.op("&")((1 << f.width) - 1), Integer)


@contextmanager
def _analysis_settings(session: Session) -> Iterator[None]:
    """On PostgreSQL, for the current transaction: no JIT (compiling these
    wide queries costs seconds and saves less) and enough ``work_mem`` to
    hash a million responses without spilling to disk."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    old = session.execute(text("SELECT current_setting('jit'), current_setting('work_mem')")).one()
    session.execute(text("SELECT set_config('jit', 'off', true), set_config('work_mem', '256MB', true)"))
    yield
    session.execute(text("SELECT set_config('jit', :jit, true), set_config('work_mem', :mem, true)"),
                    {"jit": old[0], "mem": old[1]})  # fmt: skip


def unit_moments(session: Session, instrument: Instrument, flt: ResponseFilter) -> UnitMoments:
    """Aggregate the responses matching ``flt`` into per-unit moments.

    ``instrument`` (the active version) says which codes are satisfied, not
    applicable, yes, no and refused.

    One pass over the answers does the moments of every item and index:

    1. per response, answers are summed through a small table of codes
       (question, code → bits), so each response becomes a few packed
       integers: one bit per item for "valid" and one for "event", and per
       element the number of criteria answered and rated satisfied;
    2. per cluster (unit, service point, day) the unpacked bits and the
       respondents' element shares and overall index are summed;
    3. per unit the cluster sums become the moments (sums of squares as
       floating point, exact for integers below 2**53).

    A second, cheap query counts each code per unit and question: the
    answer distributions, and which items a unit has answers to at all.
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
    criteria = [q for q in instrument.questions if q.role is Role.CRITERION and q.scale is not None]
    elements = [
        (e.code, [q.code for q in criteria if q.element == e.code])
        for e in instrument.elements
        if any(q.element == e.code for q in criteria)
    ]
    if not items:
        return _moments_table([], {}, [], [], responses, clusters)

    # Where each item's bits and each element's counts sit in the packed words.
    item_fields = _layout([1] * len(items))
    element_fields = _layout([len(codes).bit_length() for _, codes in elements])
    element_of = {code: i for i, (_, codes) in enumerate(elements) for code in codes}
    words = {
        "v": 1 + max(f.word for f in item_fields),
        "e": 1 + max(f.word for f in item_fields),
        "iv": 1 + max((f.word for f in element_fields), default=-1),
        "is": 1 + max((f.word for f in element_fields), default=-1),
    }
    code_rows = []
    for i, q in enumerate(items):
        scale = q.scale
        assert scale is not None
        if q.role in (Role.CRITERION, Role.OVERALL):
            valid, event = scale.codes - scale.not_applicable - scale.refused, scale.satisfied
        else:
            valid, event = scale.yes | scale.no, scale.yes
        for value in sorted(scale.codes):
            bits = {f"{p}{w}": 0 for p, n in words.items() for w in range(n)}
            f = item_fields[i]
            bits[f"v{f.word}"] += (value in valid) << f.shift
            bits[f"e{f.word}"] += (value in event) << f.shift
            if q.code in element_of:
                f = element_fields[element_of[q.code]]
                bits[f"iv{f.word}"] += (value not in scale.not_applicable) << f.shift
                bits[f"is{f.word}"] += (value in scale.satisfied) << f.shift
            flags = {
                "valid": int(value in valid),
                "na": int(value in scale.not_applicable),
                "refused": int(value in scale.refused),
            }
            code_rows.append(
                select(
                    literal(q.code, String).label("q"),
                    literal_column(str(value), Integer).label("v"),
                    *[literal_column(str(x), Integer).label(k) for k, x in (flags | bits).items()],
                )
            )
    codes = union_all(*code_rows).subquery("codes")
    item_codes = [q.code for q in items]
    answered = (*conds, Answer.question_code.in_(item_codes), Answer.value_int.is_not(None))
    on_code = and_(codes.c.q == Answer.question_code, codes.c.v == Answer.value_int)

    per_response = (
        select(
            Response.unit_id,
            point,
            day,
            *[func.sum(codes.c[f"{p}{w}"]).label(f"{p}{w}") for p, n in words.items() for w in range(n)],
        )
        .join(Answer, Answer.response_id == Response.id)
        .outerjoin(codes, on_code)
        .where(*answered)
        .group_by(Response.id, Response.unit_id, point, day)
        .subquery("per_response")
    )
    pr = per_response.c
    shares = []
    for i, _ in enumerate(elements):
        f = element_fields[i]
        valid_e, sat_e = _unpack(pr[f"iv{f.word}"], f), _unpack(pr[f"is{f.word}"], f)
        shares.append(case((valid_e > 0, cast(sat_e, Float) / valid_e), else_=None).label(f"s{i}"))
    respondent = (
        select(
            pr.unit_id,
            pr.point,
            pr.day,
            *[_unpack(pr[f"v{f.word}"], f).label(f"n{i}") for i, f in enumerate(item_fields)],
            *[_unpack(pr[f"e{f.word}"], f).label(f"y{i}") for i, f in enumerate(item_fields)],
            *shares,
        )
        .offset(0)  # keeps PostgreSQL from evaluating each share once per use below
        .subquery("respondent")
    )
    rc = respondent.c
    share_cols = [rc[f"s{i}"] for i in range(len(elements))]
    answered_elements = sum((case((s.is_(None), 0), else_=1) for s in share_cols), literal(0))
    index = sum((func.coalesce(s, 0.0) for s in share_cols), literal(0.0)) / func.nullif(answered_elements, 0)
    respondent_index = select(rc, index.label("ix")).offset(0).subquery("respondent_index")
    ri = respondent_index.c

    def _count(col):
        return cast(func.count(col), Integer)

    per_cluster = (
        select(
            ri.unit_id,
            *[cast(func.sum(ri[f"n{i}"]), Integer).label(f"n{i}") for i in range(len(items))],
            *[cast(func.sum(ri[f"y{i}"]), Integer).label(f"y{i}") for i in range(len(items))],
            *[c for i in range(len(elements)) for c in (
                _count(ri[f"s{i}"]).label(f"ne{i}"),
                func.sum(ri[f"s{i}"]).label(f"ye{i}"),
                func.sum(ri[f"s{i}"] * ri[f"s{i}"]).label(f"y2e{i}"),
            )],
            _count(ri.ix).label("nix"),
            func.sum(ri.ix).label("yix"),
            func.sum(ri.ix * ri.ix).label("y2ix"),
        )
        .group_by(ri.unit_id, ri.point, ri.day)
        .subquery("per_cluster")
    )  # fmt: skip
    pc = per_cluster.c

    def _moments(n, y, y2=None):
        nf = cast(n, Float)
        out = [
            func.sum(case((n > 0, 1), else_=0)),
            func.sum(n),
            func.sum(y),
            func.sum(nf * n),
            func.sum(cast(y, Float) * y),
            func.sum(nf * y),
        ]
        return out if y2 is None else [*out, func.sum(y2)]

    unit_q = select(
        pc.unit_id,
        *[c for i in range(len(items)) for c in _moments(pc[f"n{i}"], pc[f"y{i}"])],
        *[c for i in range(len(elements)) for c in _moments(pc[f"ne{i}"], pc[f"ye{i}"], pc[f"y2e{i}"])],
        *(_moments(pc.nix, pc.yix, pc.y2ix) if elements else []),
    ).group_by(pc.unit_id)

    per_code = (
        select(
            Response.unit_id,
            Answer.question_code.label("q"),
            Answer.value_int.label("v"),
            func.count().label("k"),
        )
        .join(Answer, Answer.response_id == Response.id)
        .where(*answered)
        .group_by(Response.unit_id, Answer.question_code, Answer.value_int)
        .subquery("per_code")
    )
    g = per_code.c

    def _counted(condition):
        return func.sum(case((condition, g.k), else_=0))

    levels_q = (
        select(
            g.unit_id,
            g.q,
            *[_counted(and_(codes.c.valid == 1, g.v == lv)) for lv in range(1, 6)],
            _counted(codes.c.na == 1),
            _counted(codes.c.refused == 1),
        )
        .select_from(per_code.outerjoin(codes, and_(codes.c.q == g.q, codes.c.v == g.v)))
        .group_by(g.unit_id, g.q)
    )

    with _analysis_settings(session):
        unit_rows = session.execute(unit_q).all()
        level_rows = session.execute(levels_q).all()
    keys = [q.code for q in items] + [code for code, _ in elements] + ([INDEX_KEY] if elements else [])
    return _moments_table(unit_rows, {(u, q): lv for u, q, *lv in level_rows}, keys, items, responses, clusters)


_ITEM_ROLES = (Role.CRITERION, Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT)


def _moments_table(unit_rows, levels, keys, items, responses, clusters) -> UnitMoments:
    """Turn the per-unit wide rows into one row per (unit, key).

    An item gets a row where the unit has an answer to it (even if only "not
    applicable"); an index where some respondent of the unit has a share.
    """
    rows_u, rows_k = [], []
    cols: dict[str, list[float]] = {name: [] for name in MOMENT_COLUMNS}
    lv: dict[str, list[float]] = {name: [] for name in ("l1", "l2", "l3", "l4", "l5", "na", "refused")}
    n_items = len(items)
    for unit_id, *values in sorted(unit_rows, key=lambda r: r[0]):
        at = 0
        for j, key in enumerate(keys):
            width = 6 if j < n_items else 7
            occupied, n, y, nn, yy, ny, *rest = values[at : at + width]
            at += width
            if j < n_items:
                counts = levels.get((unit_id, key))
                if counts is None:
                    continue
                y2 = y
            else:
                if not n:
                    continue
                counts = (0,) * 7
                y2 = rest[0]
            rows_u.append(unit_id)
            rows_k.append(key)
            for name, value in zip(MOMENT_COLUMNS, (clusters[unit_id], occupied, n, n, y, nn, yy, ny, y2), strict=True):
                cols[name].append(float(value or 0))
            for name, value in zip(lv, counts, strict=True):
                lv[name].append(float(value or 0))
    return UnitMoments(
        unit_id=np.asarray(rows_u, dtype=np.int64),
        key=np.asarray(rows_k, dtype=object),
        moments={k: np.asarray(v, dtype=float) for k, v in cols.items()},
        levels={k: np.asarray(v, dtype=float) for k, v in lv.items()},
        responses=responses,
        clusters=clusters,
    )
