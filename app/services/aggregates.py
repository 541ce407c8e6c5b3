"""Aggregation of responses into per-unit and per-cluster sufficient statistics.

Nothing here loops over responses in Python, and nothing here is statistics:
the database returns each response's unit, cluster and packed answers as
arrays; this module turns answer codes into categories (which codes are
valid, satisfied, "yes", from the instrument's scales) and hands the arrays
to :mod:`analysis.clusters`, which groups them by cluster (service point ×
day, or surveyor × day) within unit (the stratum) into

- per-unit moments for :func:`analysis.moments_estimate`: one row per unit
  and figure (each item's rate, the respondent-level element and overall
  indices), however many responses there are;
- per-cluster sums of each criterion's satisfied and valid answers for
  :func:`analysis.index_estimate` (the SIPAS index and element indices).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session, aliased

from analysis import Clusters, ClusterSums, clusters_group, respondent_shares
from app.models import Answer, InstrumentVersion, Response, Unit
from app.services.packed_rows import packed_chunks
from app.services.units import subtree_clause
from surveys import Instrument, Role

#: Columns of a moments table (see analysis.moments)
MOMENT_COLUMNS = ("psu", "occupied", "n", "w", "y", "ww", "yy", "wy", "y2")
#: Figure key of the headline overall index: the formula the instrument
#: declares (``Instrument.headline_index``), the SIPAS index by default.
INDEX_KEY = "INDEX"
#: Suffix of the keys of the SIPAS formula (mean of element means of
#: criterion rates): ``INDEX_SIPAS``, ``E1_SIPAS``, ...
SIPAS_SUFFIX = "_SIPAS"
#: Suffix of the keys of the respondent-level formula (mean over respondents
#: of their share of satisfied criteria): ``INDEX_RESPONDENT``, ``E1_RESPONDENT``, ...
RESPONDENT_SUFFIX = "_RESPONDENT"
#: The overall index by each formula, whatever the headline.
INDEX_SIPAS_KEY = INDEX_KEY + SIPAS_SUFFIX
INDEX_RESPONDENT_KEY = INDEX_KEY + RESPONDENT_SUFFIX


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
        One entry per row; ``key`` is a question code, or an element code or
        :data:`INDEX_KEY` with :data:`RESPONDENT_SUFFIX` (the respondent-level
        indices).
    moments : dict of str to ndarray
        The columns of :data:`MOMENT_COLUMNS`, aligned with ``unit_id``.
    levels : dict of str to ndarray
        Item rows only: ``l1`` … ``l5`` counts, ``na`` (not applicable),
        ``refused``; zero for index rows.
    responses : dict of int to int
        Responses per unit.
    clusters : dict of int to int
        Clusters (service point × day) per unit: the stratum's PSUs.
    criteria : ClusterSums
        Per cluster (every cluster of the filter, ``stratum`` the unit id):
        responses, satisfied and valid answers of each criterion, in the
        order of ``criterion_codes``.
    criterion_codes, criterion_elements : tuple of str
        The instrument's scaled criteria and the element of each.
    """

    unit_id: np.ndarray
    key: np.ndarray
    moments: dict[str, np.ndarray]
    levels: dict[str, np.ndarray]
    responses: dict[int, int]
    clusters: dict[int, int]
    criteria: ClusterSums | None = None
    criterion_codes: tuple[str, ...] = ()
    criterion_elements: tuple[str, ...] = ()


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
    """Aggregate the responses matching ``flt`` into per-unit moments and per-cluster sums.

    ``instrument`` (the active version) says which codes are satisfied, not
    applicable, yes, no and refused; responses to other versions are read
    through their own packed layout (versions keep question codes).

    The database returns, per response, its unit, cluster and packed
    answers (:mod:`app.services.packed_rows`); then

    1. each item's code becomes a category (its place in the scale),
    2. :func:`analysis.clusters_group` numbers the clusters (unit, service
       point, day) and counts categories per cluster with one ``bincount``
       per item, which gives each cluster's valid answers and events, and
       per unit the answer distribution,
    3. :func:`analysis.respondent_shares` gives each respondent's element
       shares and overall share, summed with their squares per cluster,
    4. the cluster sums become per-unit moments, and the criteria's
       per-cluster satisfied and valid counts are kept for the SIPAS index.
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
        return _moments_table(clusters_group([], []), {}, [], criteria, [], [])
    cat = np.concatenate(categories, axis=1)
    clusters = clusters_group(np.concatenate(units), np.concatenate(points), np.concatenate(days))

    position = {q.code: i for i, q in enumerate(items)}
    # Items and elements are independent, and NumPy lets go of the GIL in
    # its loops: two threads use the core the database has just released.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        names, share_stats = [], []
        if elements:  # first in the queue: the items' tasks run beside it
            member_categories = [cat[position[c]] for _, members in elements for c in members]
            shares = pool.submit(lambda: respondent_shares(*_element_counts(instrument, elements, member_categories)))
            names = [code + RESPONDENT_SUFFIX for code, _ in elements] + [INDEX_RESPONDENT_KEY]
        item_stats = pool.map(lambda i: _item_moments(clusters, items[i], cat[i]), range(len(items)))
        if elements:
            share = shares.result()
            share_stats = pool.map(_share_moments(clusters), [*share.element.T, share.overall])
        stats = dict(zip((q.code for q in items), item_stats, strict=True))
        stats |= dict(zip(names, share_stats, strict=True))
    keys = [q.code for q in items] + names
    per_cluster = [stats[q.code]["per_cluster"] for q in criteria]
    return _moments_table(clusters, stats, keys, criteria, per_cluster, [q.element for q in criteria])


#: threads for the per-item arithmetic (the machine this runs on has two cores)
THREADS = 2


def _item_moments(clusters: Clusters, q, categories: np.ndarray) -> dict[str, np.ndarray]:
    """Per-unit moments and answer distribution of one item, and its per-cluster counts."""
    scale = q.scale
    codes = np.array(sorted(scale.codes))
    valid, event = _valid_and_event(q)
    per_cluster = clusters.count(categories, len(codes) + 1)
    in_valid = np.concatenate([[False], np.isin(codes, list(valid))])
    in_event = np.concatenate([[False], np.isin(codes, list(event))])
    n, y = per_cluster @ in_valid, per_cluster @ in_event
    per_unit = clusters.per_stratum(per_cluster)

    def counted(mask):
        return per_unit @ np.concatenate([[False], mask])

    figures = clusters.moments(n, n, y, y)  # unweighted: W = n, and y**2 = y for a 0/1 outcome
    for level in range(1, 6):
        figures[f"l{level}"] = counted((codes == level) & in_valid[1:])
    figures["na"] = counted(np.isin(codes, list(scale.not_applicable)))
    figures["refused"] = counted(np.isin(codes, list(scale.refused)))
    figures["present"] = per_unit[:, 1:].sum(axis=1) > 0
    figures["per_cluster"] = (n, y)
    return figures


def _valid_and_event(q) -> tuple[frozenset[int], frozenset[int]]:
    """The codes that count in the denominator, and those that count as the event."""
    scale = q.scale
    if q.role in (Role.CRITERION, Role.OVERALL):
        return scale.codes - scale.not_applicable - scale.refused, scale.satisfied
    return scale.yes | scale.no, scale.yes


def _element_counts(instrument: Instrument, elements, categories: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per respondent and element: criteria rated satisfied, and criteria with a valid answer.

    Shape (respondents, elements). One table lookup per criterion adds both
    counts at once (valid in the low byte, satisfied in the high byte), into
    element-major rows that are contiguous in memory.
    """
    respondents = len(categories[0]) if categories else 0
    both = np.zeros((len(elements), respondents), dtype=np.uint16)
    members = iter(categories)
    for e, (_, codes) in enumerate(elements):
        for code in codes:
            q = instrument.question(code)
            ok, event = _valid_and_event(q)
            scale_codes = np.array(sorted(q.scale.codes))
            lut = np.isin(scale_codes, list(ok)) + 256 * np.isin(scale_codes, list(event & ok))
            both[e] += np.concatenate([[0], lut]).astype(np.uint16)[next(members)]
    return (both >> 8).T, (both & 255).T  # views: each element's column stays contiguous


def _share_moments(clusters: Clusters):
    """Per-unit moments of a respondent-level share (NaN where a respondent has none)."""

    def moments(value: np.ndarray) -> dict[str, np.ndarray]:
        figures = clusters.mean_moments(value)
        figures["present"] = figures["n"] > 0
        return figures

    return moments


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


def _moments_table(clusters: Clusters, stats, keys: list[str], criteria, per_cluster, elements) -> UnitMoments:
    """One row per (unit, key) where the unit has figures for the key.

    An item gets a row where the unit has an answer to it (even if only "not
    applicable"); an index where some respondent of the unit has a share.
    """
    units = clusters.strata
    psu = clusters.clusters_per_stratum.astype(float)
    present = np.array([stats[k]["present"] for k in keys]).T if keys else np.zeros((len(units), 0), bool)
    rows_u, rows_k = np.nonzero(present)  # row-major: by unit, then key order

    def column(name: str) -> np.ndarray:
        if not keys:
            return np.zeros(0)
        table = np.array([stats[k].get(name, np.zeros(len(units))) for k in keys], dtype=float).T
        return table[rows_u, rows_k]

    moments = {"psu": psu[rows_u]}
    moments |= {name: column(name) for name in MOMENT_COLUMNS if name not in moments}
    k = clusters.n_clusters
    # (clusters, criteria) as float from the start: no second copy of arrays of tens of MB
    valid, satisfied = np.zeros((k, len(criteria))), np.zeros((k, len(criteria)))
    for j, (n, y) in enumerate(per_cluster):
        valid[:, j], satisfied[:, j] = n, y
    ids = units.tolist()
    return UnitMoments(
        unit_id=units[rows_u].astype(np.int64),
        key=np.array(keys, dtype=object)[rows_k] if keys else np.zeros(0, dtype=object),
        moments=moments,
        levels={name: column(name) for name in ("l1", "l2", "l3", "l4", "l5", "na", "refused")},
        responses=dict(zip(ids, clusters.respondents_per_stratum.tolist(), strict=True)),
        clusters=dict(zip(ids, clusters.clusters_per_stratum.tolist(), strict=True)),
        criteria=ClusterSums(
            stratum=units[clusters.stratum_of_cluster].astype(np.int64),
            cluster=np.arange(k, dtype=np.int64),
            n=clusters.size,
            satisfied=satisfied,
            valid=valid,
        ),
        criterion_codes=tuple(q.code for q in criteria),
        criterion_elements=tuple(elements),
    )
