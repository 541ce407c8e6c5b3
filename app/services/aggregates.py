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
from typing import Any

import numpy as np

from analysis import Clusters, ClusterSums, clusters_group
from app.services.cluster_rows import SHARE_FIELDS, ClusterRows
from surveys import Instrument, Role, rate_codes

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
    criteria_gram : app.services.month_moments.StratumGram, optional
        Instead of ``criteria``: per unit, the criteria's sums and their
        cross-products over clusters (moments summed over months).
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
    criteria_gram: Any = None


def unit_moments_of_rows(instrument: Instrument, rows: ClusterRows) -> UnitMoments:
    """Per-unit moments and per-cluster criterion sums of some cluster rows.

    1. :func:`analysis.clusters_group` numbers the clusters (unit, owner,
       day) of the rows (a cluster's rows of different channels or
       procedures add up),
    2. each item's per-cluster counts by category give its valid answers
       and events per cluster, and per unit the answer distribution,
    3. the respondent-level shares' per-cluster sums give the moments of
       the element and overall indices,
    4. the criteria's per-cluster satisfied and valid counts are kept for
       the SIPAS index.
    """
    layout = rows.layout
    single = {item.code for item in layout.items if item.kind == "single"}
    items = [q for q in instrument.questions if q.code in single and q.role in _ITEM_ROLES]
    criteria = [q for q in items if q.role is Role.CRITERION]
    if not len(rows):
        return _moments_table(clusters_group([], []), np.zeros(0), {}, [], criteria, [], [])
    clusters = clusters_group(rows.unit, rows.owner, rows.day)
    responses = clusters.sum(rows.responses)
    per_cluster = clusters.sum(rows.counts)

    def item_counts(code: str) -> np.ndarray:
        return layout.counts_of(code, per_cluster)  # category 1.. the scale's codes in sorted order

    # Items are independent, and NumPy lets go of the GIL in its loops: two
    # threads use the core the database has just released.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        item_stats = pool.map(lambda q: _item_moments(clusters, q, item_counts(q.code)), items)
        stats = dict(zip((q.code for q in items), item_stats, strict=True))
    names = []
    if layout.elements:
        floats = clusters.sum(rows.floats)
        names = [code + RESPONDENT_SUFFIX for code, _ in layout.elements] + [INDEX_RESPONDENT_KEY]
        for e, name in enumerate(names):
            n, y, y2 = floats[:, SHARE_FIELDS * e : SHARE_FIELDS * (e + 1)].T
            figures = clusters.moments(n, n, y, y2)
            figures["present"] = figures["n"] > 0
            stats[name] = figures
    keys = [q.code for q in items] + names
    per_criterion = [stats[q.code]["per_cluster"] for q in criteria]
    return _moments_table(clusters, responses, stats, keys, criteria, per_criterion, [q.element for q in criteria])


#: threads for the per-item arithmetic (the machine this runs on has two cores)
THREADS = 2


def _item_moments(clusters: Clusters, q, per_cluster: np.ndarray) -> dict[str, np.ndarray]:
    """Per-unit moments and answer distribution of one item, and its per-cluster counts.

    ``per_cluster``: answers per (cluster, code of the scale), codes in sorted order.
    """
    scale = q.scale
    codes = np.array(sorted(scale.codes))
    valid, event = rate_codes(q)
    in_valid = np.isin(codes, list(valid))
    in_event = np.isin(codes, list(event))
    n, y = per_cluster @ in_valid, per_cluster @ in_event
    per_unit = clusters.per_stratum(per_cluster)

    def counted(mask):
        return per_unit @ mask

    figures = clusters.moments(n, n, y, y)  # unweighted: W = n, and y**2 = y for a 0/1 outcome
    for level in range(1, 6):
        figures[f"l{level}"] = counted((codes == level) & in_valid)
    figures["na"] = counted(np.isin(codes, list(scale.not_applicable)))
    figures["refused"] = counted(np.isin(codes, list(scale.refused)))
    figures["present"] = per_unit.sum(axis=1) > 0
    figures["per_cluster"] = (n, y)
    return figures


_ITEM_ROLES = (Role.CRITERION, Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT)


def _moments_table(
    clusters: Clusters, responses: np.ndarray, stats, keys: list[str], criteria, per_cluster, elements
) -> UnitMoments:
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
        responses=dict(zip(ids, np.rint(clusters.per_stratum(responses)).astype(np.int64).tolist(), strict=True)),
        clusters=dict(zip(ids, clusters.clusters_per_stratum.tolist(), strict=True)),
        criteria=ClusterSums(
            stratum=units[clusters.stratum_of_cluster].astype(np.int64),
            cluster=np.arange(k, dtype=np.int64),
            n=np.rint(responses).astype(np.int64),
            satisfied=satisfied,
            valid=valid,
        ),
        criterion_codes=tuple(q.code for q in criteria),
        criterion_elements=tuple(elements),
    )
