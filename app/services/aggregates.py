"""Aggregation of responses into per-unit sufficient statistics.

Nothing here loops over responses in Python: the database returns each
response's unit, cluster and packed answers as arrays, and NumPy groups
them by cluster (service point × day, or surveyor × day) and then by unit
(the stratum) into the moments :func:`analysis.moments_estimate` needs —
one row per unit and indicator, however many responses there are.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session, aliased

from app.models import Answer, InstrumentVersion, Response, Unit
from app.services.packed_rows import packed_chunks
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


def unit_moments(session: Session, instrument: Instrument, flt: ResponseFilter) -> UnitMoments:
    """Aggregate the responses matching ``flt`` into per-unit moments.

    ``instrument`` (the active version) says which codes are satisfied, not
    applicable, yes, no and refused; responses to other versions are read
    through their own packed layout (versions keep question codes).

    The database returns, per response, its unit, cluster and packed
    answers (:mod:`app.services.packed_rows`); NumPy then

    1. turns each item's code into a category (its place in the scale),
    2. counts categories per cluster (unit, service point, day) with one
       ``bincount`` per item, which gives each cluster's valid answers and
       events, and per unit the answer distribution,
    3. computes each respondent's element shares and overall index and
       sums them, and their squares, per cluster,
    4. sums clusters into the per-unit moments :func:`analysis.moments_estimate` needs.
    """
    items = [q for q in instrument.questions if q.scale is not None and q.role in _ITEM_ROLES]
    criteria = [q for q in instrument.questions if q.role is Role.CRITERION and q.scale is not None]
    elements = [
        (e.code, [q.code for q in criteria if q.element == e.code])
        for e in instrument.elements
        if any(q.element == e.code for q in criteria)
    ]
    point, day = _cluster_columns()
    conds = filter_conditions(session, flt)
    units, points, days, categories = [], [], [], []
    for chunk in packed_chunks(session, flt.instrument, [Response.unit_id, point, day], conds):
        units.append(chunk.values[:, 0])
        points.append(chunk.values[:, 1])
        days.append(chunk.values[:, 2])
        column_of = {code: j for j, code in enumerate(chunk.layout)}
        # item-major, so that each item's categories lie contiguous in memory
        cat = np.zeros((len(items), len(chunk.values)), dtype=np.uint8)
        for i, q in enumerate(items):
            if q.code in column_of:
                cat[i] = _categories(q.scale, chunk.codes[:, column_of[q.code]])
        categories.append(cat)
    if not units:
        return _moments_table(np.zeros(0, dtype=np.int64), {}, [], {})
    unit = np.concatenate(units)
    cat = np.concatenate(categories, axis=1)
    clusters = _Clusters.of(unit, np.concatenate(points), np.concatenate(days))

    position = {q.code: i for i, q in enumerate(items)}
    # Items and elements are independent, and NumPy lets go of the GIL in
    # its loops: two threads use the core the database has just released.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        item_stats = pool.map(lambda i: _item_moments(clusters, items[i], cat[i]), range(len(items)))
        shares = list(pool.map(lambda e: _element_shares(instrument, e[1], [cat[position[c]] for c in e[1]]), elements))
        stats = dict(zip((q.code for q in items), item_stats, strict=True))
        stats |= dict(zip((code for code, _ in elements), pool.map(clusters.mean_moments, shares), strict=True))
    keys = [q.code for q in items] + [code for code, _ in elements]
    if elements:
        total, counted = np.zeros(len(unit)), np.zeros(len(unit), dtype=np.int8)
        for share in shares:
            has = ~np.isnan(share)
            total += np.where(has, share, 0.0)
            counted += has
        index = np.full(len(unit), np.nan)
        np.divide(total, counted, out=index, where=counted > 0)
        keys.append(INDEX_KEY)
        stats[INDEX_KEY] = clusters.mean_moments(index)
    return _moments_table(clusters.units, stats, keys, clusters.totals())


#: threads for the per-item arithmetic (the machine this runs on has two cores)
THREADS = 2


def _item_moments(clusters: _Clusters, q, categories: np.ndarray) -> dict[str, np.ndarray]:
    """Per-unit moments and answer distribution of one item."""
    scale = q.scale
    codes = np.array(sorted(scale.codes))
    if q.role in (Role.CRITERION, Role.OVERALL):
        valid = scale.codes - scale.not_applicable - scale.refused
        event = scale.satisfied
    else:
        valid, event = scale.yes | scale.no, scale.yes
    per_cluster = clusters.count(categories, len(codes) + 1)
    in_valid = np.concatenate([[False], np.isin(codes, list(valid))])
    in_event = np.concatenate([[False], np.isin(codes, list(event))])
    n, y = per_cluster @ in_valid, per_cluster @ in_event
    per_unit = clusters.per_unit(per_cluster)

    def counted(mask):
        return per_unit @ np.concatenate([[False], mask])

    figures = clusters.moments(n, y, y)
    for level in range(1, 6):
        figures[f"l{level}"] = counted((codes == level) & in_valid[1:])
    figures["na"] = counted(np.isin(codes, list(scale.not_applicable)))
    figures["refused"] = counted(np.isin(codes, list(scale.refused)))
    figures["present"] = per_unit[:, 1:].sum(axis=1) > 0
    return figures


def _element_shares(instrument: Instrument, members: list[str], categories: list[np.ndarray]) -> np.ndarray:
    """Each respondent's share of satisfied answers among the element's
    applicable criteria; NaN for a respondent with none."""
    answered = np.zeros(len(categories[0]), dtype=np.int16)
    satisfied = np.zeros(len(categories[0]), dtype=np.int16)
    for member, category in zip(members, categories, strict=True):
        scale = instrument.question(member).scale
        codes = np.array(sorted(scale.codes))
        lut_answered = np.concatenate([[0], ~np.isin(codes, list(scale.not_applicable))]).astype(np.int16)
        lut_satisfied = np.concatenate([[0], np.isin(codes, list(scale.satisfied))]).astype(np.int16)
        answered += lut_answered[category]
        satisfied += lut_satisfied[category]
    share = np.full(len(answered), np.nan)
    np.divide(satisfied, answered, out=share, where=answered > 0)
    return share


_ITEM_ROLES = (Role.CRITERION, Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT)


def _categories(scale, column: np.ndarray) -> np.ndarray:
    """Each code's place (1, 2, ...) in the scale's sorted codes; 0 for no answer.

    Through a table indexed by code: scales are short runs of small codes.
    """
    codes = sorted(scale.codes)
    low, high = codes[0], codes[-1]
    if high - low > 4096:  # a scale of scattered codes: search instead
        array = np.array(codes, dtype=np.int64)
        place = np.searchsorted(array, column)
        found = array[np.minimum(place, len(array) - 1)] == column
        return np.where(found, place + 1, 0).astype(np.uint8)
    # slot 0 and the last slot catch codes below and above the scale
    table = np.zeros(high - low + 3, dtype=np.uint8)
    table[[c - low + 1 for c in codes]] = np.arange(1, len(codes) + 1)
    return table[np.clip(column.astype(np.int64) - (low - 1), 0, high - low + 2)]


def _dense(x: np.ndarray) -> np.ndarray:
    """Small non-negative integers that order as ``x`` does: ``x`` minus its
    minimum where its range is small (ids, days), else its rank."""
    low, high = int(x.min()), int(x.max())
    if high - low < 1 << 20:
        return x - low if low else x
    return np.unique(x, return_inverse=True)[1]


@dataclass(frozen=True)
class _Clusters:
    """Responses grouped into clusters, and clusters into units (strata).

    Clusters are numbered in the order of (unit, point, day), so each
    unit's clusters are consecutive.
    """

    units: np.ndarray  #: unit ids, sorted
    of_response: np.ndarray  #: cluster number of each response
    unit_of_cluster: np.ndarray  #: position in ``units`` of each cluster
    starts: np.ndarray  #: first cluster of each unit
    responses: np.ndarray  #: responses per unit

    @classmethod
    def of(cls, unit: np.ndarray, point: np.ndarray, day: np.ndarray) -> _Clusters:
        u, p, d = (_dense(x) for x in (unit, point, day))
        days = int(d.max()) + 1
        width = (int(p.max()) + 1) * days
        _, of_response = np.unique((u * width + p * days + d), return_inverse=True)
        n_clusters = int(of_response.max()) + 1
        member = np.empty(n_clusters, dtype=np.int64)
        member[of_response] = np.arange(len(of_response))  # some response of each cluster
        units, unit_of_cluster = np.unique(unit[member], return_inverse=True)
        starts = np.searchsorted(unit_of_cluster, np.arange(len(units)))
        sizes = np.bincount(of_response, minlength=n_clusters)
        return cls(units, of_response, unit_of_cluster, starts, np.add.reduceat(sizes, starts))

    def count(self, category: np.ndarray, k: int) -> np.ndarray:
        """Responses per (cluster, category): shape (clusters, k)."""
        n = len(self.unit_of_cluster)
        return np.bincount(self.of_response * k + category, minlength=n * k).reshape(n, k)

    def per_unit(self, per_cluster: np.ndarray) -> np.ndarray:
        """Sum cluster rows into unit rows."""
        return np.add.reduceat(per_cluster, self.starts, axis=0)

    def moments(self, n: np.ndarray, y: np.ndarray, y2: np.ndarray) -> dict[str, np.ndarray]:
        """Per-unit moments of per-cluster counts ``n``, totals ``y`` and sums of squares ``y2``."""
        nf, yf = n.astype(float), y.astype(float)
        return {
            "occupied": self.per_unit((n > 0).astype(np.int64)),
            "n": self.per_unit(nf),
            "y": self.per_unit(yf),
            "ww": self.per_unit(nf * nf),
            "yy": self.per_unit(yf * yf),
            "wy": self.per_unit(nf * yf),
            "y2": self.per_unit(y2.astype(float)),
        }

    def mean_moments(self, value: np.ndarray) -> dict[str, np.ndarray]:
        """Moments of a respondent-level value (NaN where the respondent has none)."""
        has = ~np.isnan(value)
        v = np.where(has, value, 0.0)
        k = len(self.unit_of_cluster)
        n = np.bincount(self.of_response, weights=has, minlength=k)
        y = np.bincount(self.of_response, weights=v, minlength=k)
        y2 = np.bincount(self.of_response, weights=v * v, minlength=k)
        figures = self.moments(n, y, y2)
        figures["present"] = figures["n"] > 0
        return figures

    def totals(self) -> tuple[dict[int, int], dict[int, int]]:
        """Responses and clusters per unit id."""
        clusters = np.diff(np.append(self.starts, len(self.unit_of_cluster)))
        ids = self.units.tolist()
        return dict(zip(ids, self.responses.tolist(), strict=True)), dict(zip(ids, clusters.tolist(), strict=True))


def _moments_table(units: np.ndarray, stats, keys: list[str], totals) -> UnitMoments:
    """One row per (unit, key) where the unit has figures for the key.

    An item gets a row where the unit has an answer to it (even if only "not
    applicable"); an index where some respondent of the unit has a share.
    """
    responses, clusters = totals if totals else ({}, {})
    psu = np.array([clusters[u] for u in units.tolist()], dtype=float)
    present = np.array([stats[k]["present"] for k in keys]).T if keys else np.zeros((len(units), 0), bool)
    rows_u, rows_k = np.nonzero(present)  # row-major: by unit, then key order

    def column(name: str) -> np.ndarray:
        if not keys:
            return np.zeros(0)
        table = np.array([stats[k].get(name, np.zeros(len(units))) for k in keys], dtype=float).T
        return table[rows_u, rows_k]

    moments = {"psu": psu[rows_u], "w": column("n")}
    moments |= {name: column(name) for name in MOMENT_COLUMNS if name not in moments}
    return UnitMoments(
        unit_id=units[rows_u].astype(np.int64),
        key=np.array(keys, dtype=object)[rows_k] if keys else np.zeros(0, dtype=object),
        moments=moments,
        levels={name: column(name) for name in ("l1", "l2", "l3", "l4", "l5", "na", "refused")},
        responses=responses,
        clusters=clusters,
    )
