"""Unit × month sums of the cluster rows: what a report reads, whatever the number of responses.

Every figure of a report is a function of per-stratum sums of cluster
totals (:mod:`analysis.moments`, :mod:`analysis.index_moments`), the stratum
being the unit. A cluster (service point × day) never crosses a month, so
the sums of a run of months are the sums of its months: kept per unit and
month, a year's report reads 12 rows per unit, however many responses and
clusters they hold, and the previous period and every trend point come from
the same rows.

A row holds, in one float64 vector (:class:`MomentsLayout`), the unit's
responses and clusters; per figure key (items, respondent-level indices) the
moments of :data:`app.services.aggregates.MOMENT_COLUMNS`, the answer
distribution and how many answered at all; per option of the expectations
question its share's moments; and for the SIPAS index each criterion's
satisfied and valid answers with their cross-products over clusters.
:func:`month_moments_of_rows` computes rows from cluster rows;
:mod:`app.services.month_store` keeps them in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np

from analysis import ClusterSums, clusters_group, gram_unpack
from app.services.aggregates import MOMENT_COLUMNS, UnitMoments, unit_moments_of_rows
from app.services.cluster_rows import ClusterRows, Layout
from surveys import Instrument, Question, QuestionKind, Role

#: per figure key: how many answered at all (the row exists when > 0), the
#: moments but ``psu`` (the unit's clusters, kept once), the distribution
KEY_FIELDS = ("present", *MOMENT_COLUMNS[1:], "l1", "l2", "l3", "l4", "l5", "na", "refused")
#: per expectations option: the moments of its share among those who answered
OPTION_FIELDS = ("occupied", "n", "y", "ww", "yy", "wy")
_EPOCH = np.datetime64("1970-01-01", "D")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def expectation_question(instrument: Instrument) -> Question | None:
    """The instrument's multi-select expectations question (what should improve), if it has one."""
    return next(
        (q for q in instrument.with_role(Role.EXPECTATION) if q.kind is QuestionKind.MULTI and q.scale is not None),
        None,
    )


def month_of_days(day: np.ndarray) -> np.ndarray:
    """The proleptic ordinal of the first day of the month of each day ordinal."""
    days = (np.asarray(day, dtype=np.int64) - _EPOCH_ORDINAL).astype("timedelta64[D]") + _EPOCH
    first = days.astype("datetime64[M]").astype("datetime64[D]")
    return (first - _EPOCH).astype(np.int64) + _EPOCH_ORDINAL


@dataclass(frozen=True)
class MomentsLayout:
    """Where each sum lies in a row's vector (from the instrument and the cluster rows' layout)."""

    keys: tuple[str, ...]
    criteria: tuple[str, ...]
    elements: tuple[str, ...]
    expectation: str | None
    options: tuple[int, ...]

    @cached_property
    def key_offset(self) -> dict[str, int]:
        return {key: 2 + i * len(KEY_FIELDS) for i, key in enumerate(self.keys)}

    @property
    def _options_at(self) -> int:
        return 2 + len(self.keys) * len(KEY_FIELDS)

    @property
    def _criteria_at(self) -> int:
        return self._options_at + (1 + len(self.options) * len(OPTION_FIELDS) if self.expectation else 0)

    @property
    def gram_size(self) -> int:
        k = 2 * len(self.criteria)
        return k * (k + 1) // 2

    @property
    def width(self) -> int:
        return self._criteria_at + (2 * len(self.criteria) + self.gram_size if self.criteria else 0)

    def key_field(self, values: np.ndarray, key: str, field: str) -> np.ndarray:
        return values[:, self.key_offset[key] + KEY_FIELDS.index(field)]

    def answered(self, values: np.ndarray) -> np.ndarray:
        """Respondents who answered the expectations question, per row."""
        return values[:, self._options_at]

    def option_field(self, values: np.ndarray, option: int, field: str) -> np.ndarray:
        at = self._options_at + 1 + self.options.index(option) * len(OPTION_FIELDS)
        return values[:, at + OPTION_FIELDS.index(field)]

    def criteria_sums(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: satisfied then valid answers of each criterion, and their packed cross-products."""
        at, j = self._criteria_at, len(self.criteria)
        return values[:, at : at + 2 * j], values[:, at + 2 * j : at + 2 * j + self.gram_size]


def moments_layout(instrument: Instrument, layout: Layout) -> MomentsLayout:
    """The layout of the rows for ``instrument`` whose cluster rows have ``layout``."""
    probe = unit_moments_of_rows(instrument, _one_row(layout))
    q = expectation_question(instrument)
    multi = q is not None and q.code in layout.offsets and layout.item(q.code).kind == "multi"
    return MomentsLayout(
        keys=tuple(dict.fromkeys(probe.key.tolist())),
        criteria=probe.criterion_codes,
        elements=probe.criterion_elements,
        expectation=q.code if multi else None,
        options=tuple(c.code for c in q.scale.choices if c.code in layout.item(q.code).codes) if multi else (),
    )


def _one_row(layout: Layout) -> ClusterRows:
    """A cluster row in which every item and index has an answer: every key shows up."""
    one = np.ones(1, dtype=np.int64)
    floats = np.ones((1, layout.floats))
    return ClusterRows(layout, one, one, one, one * 0, one, one, np.ones((1, layout.slots), dtype=np.int64), floats)


@dataclass(frozen=True, eq=False)
class MonthMoments:
    """Unit × month rows of sums (see the module docstring).

    ``month`` is the proleptic ordinal of the month's first day.
    """

    layout: MomentsLayout
    unit: np.ndarray
    month: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.unit)

    def within(self, start: date, end: date) -> MonthMoments:
        """The rows of the months from ``start`` to ``end`` (whole months)."""
        keep = (self.month >= start.replace(day=1).toordinal()) & (self.month <= end.toordinal())
        return MonthMoments(self.layout, self.unit[keep], self.month[keep], self.values[keep])

    @classmethod
    def concat(cls, layout: MomentsLayout, parts: list[MonthMoments]) -> MonthMoments:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls(layout, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, layout.width)))
        return cls(
            layout,
            np.concatenate([p.unit for p in parts]),
            np.concatenate([p.month for p in parts]),
            np.concatenate([p.values for p in parts]),
        )

    def per_unit(self) -> tuple[np.ndarray, np.ndarray]:
        """The units, sorted, and the sums of their rows."""
        if not len(self):
            return np.zeros(0, np.int64), np.zeros((0, self.layout.width))
        if np.all(np.diff(self.unit) > 0):  # one row per unit, in order (a month's rows as read)
            return self.unit, self.values
        if np.all(np.diff(self.unit) >= 0):  # each unit's rows in a run: nothing to reorder
            starts = np.flatnonzero(np.r_[True, np.diff(self.unit) > 0])
            return self.unit[starts], np.add.reduceat(self.values, starts, axis=0)
        units, at = np.unique(self.unit, return_inverse=True)
        order = np.argsort(at, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(at[order]) > 0])
        return units, np.add.reduceat(self.values[order], starts, axis=0)

    def unit_moments(self) -> UnitMoments:
        """The rows' sums per unit, as :func:`app.services.aggregates.unit_moments_of_rows` gives them."""
        return unit_moments_of_sums(self.layout, *self.per_unit())


def unit_moments_of_sums(layout: MomentsLayout, units: np.ndarray, sums: np.ndarray) -> UnitMoments:
    """Per-unit moments from per-unit sums (one row per unit, sorted)."""
    present = np.array([layout.key_field(sums, key, "present") > 0 for key in layout.keys]).T
    present = present.reshape(len(units), len(layout.keys))
    rows_u, rows_k = np.nonzero(present)  # by unit, then key order, as unit_moments_of_rows
    offsets = np.array([layout.key_offset[k] for k in layout.keys], dtype=np.int64)[rows_k]

    def field(name: str) -> np.ndarray:
        return sums[rows_u, offsets + KEY_FIELDS.index(name)]

    clusters = sums[:, 1]
    moments = {"psu": clusters[rows_u]} | {name: field(name) for name in MOMENT_COLUMNS[1:]}
    ids = units.tolist()
    gram = None
    if layout.criteria:
        s, packed = layout.criteria_sums(sums)
        gram = StratumGram(units.astype(np.int64), clusters, sums[:, 0], s, packed)
    return UnitMoments(
        unit_id=units[rows_u].astype(np.int64),
        key=np.array(layout.keys, dtype=object)[rows_k] if layout.keys else np.zeros(0, dtype=object),
        moments=moments,
        levels={name: field(name) for name in ("l1", "l2", "l3", "l4", "l5", "na", "refused")},
        responses=dict(zip(ids, np.rint(sums[:, 0]).astype(np.int64).tolist(), strict=True)),
        clusters=dict(zip(ids, np.rint(clusters).astype(np.int64).tolist(), strict=True)),
        criteria=None,
        criterion_codes=layout.criteria,
        criterion_elements=layout.elements,
        criteria_gram=gram,
    )


@dataclass(frozen=True, eq=False)
class StratumGram:
    """Per stratum (unit): clusters, responses, each criterion's satisfied then
    valid answers (``sums``, shape (H, 2J)) and their cross-products over
    clusters (``packed``: :func:`analysis.gram_pack` of the (2J, 2J) matrices)."""

    stratum: np.ndarray
    psu: np.ndarray
    n: np.ndarray
    sums: np.ndarray
    packed: np.ndarray

    def gram(self) -> np.ndarray:
        return gram_unpack(self.packed, self.sums.shape[1])


def month_moments_of_rows(instrument: Instrument, layout: MomentsLayout, rows: ClusterRows) -> MonthMoments:
    """Sum cluster rows into unit × month rows."""
    if not len(rows):
        return MonthMoments.concat(layout, [])
    month = month_of_days(rows.day)
    pairs, stratum = np.unique(np.column_stack([rows.unit, month]), axis=0, return_inverse=True)
    stratum = stratum.ravel().astype(np.int64)
    as_strata = ClusterRows(
        rows.layout, stratum, rows.owner, rows.day, rows.channel, rows.procedure, rows.responses, rows.counts,
        rows.floats,
    )  # fmt: skip
    m = unit_moments_of_rows(instrument, as_strata)
    h = len(pairs)
    values = np.zeros((h, layout.width))
    values[:, 0] = np.array([m.responses.get(i, 0) for i in range(h)], dtype=float)
    values[:, 1] = np.array([m.clusters.get(i, 0) for i in range(h)], dtype=float)
    key_number = {k: i for i, k in enumerate(layout.keys)}
    offsets = np.array([layout.key_offset[k] for k in layout.keys], dtype=np.int64)
    if len(m.unit_id):
        cols = offsets[[key_number[k] for k in m.key.tolist()]]
        for j, name in enumerate(KEY_FIELDS):
            if name == "present":
                continue
            source = m.moments[name] if name in m.moments else m.levels[name]
            values[m.unit_id, cols + j] = source
    clusters = clusters_group(stratum, rows.owner, rows.day)
    per_cluster = clusters.sum(rows.counts) if rows.counts.shape[1] else np.zeros((clusters.n_clusters, 0))
    per_stratum = clusters.per_stratum(per_cluster)
    strata = clusters.strata
    for key in layout.keys:
        at_key = layout.key_offset[key]
        if key in rows.layout.offsets:  # an item: everyone who gave any answer
            values[strata, at_key] = rows.layout.counts_of(key, per_stratum).sum(axis=1)
        else:  # an index: the respondents with a share
            values[strata, at_key] = values[strata, at_key + KEY_FIELDS.index("n")]
    if layout.expectation is not None:
        _options_add(layout, rows.layout, clusters, per_cluster, values)
    if layout.criteria:
        _criteria_add(layout, m.criteria, values)
    return MonthMoments(layout, pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64), values)


def _options_add(layout: MomentsLayout, rows_layout: Layout, clusters, per_cluster: np.ndarray, values) -> None:
    code = layout.expectation
    item = rows_layout.item(code)
    counts = rows_layout.counts_of(code, per_cluster).astype(float)
    answered = counts[:, len(item.codes)]
    strata = clusters.strata
    values[strata, layout._options_at] = clusters.per_stratum(answered)
    for option in layout.options:
        chosen = counts[:, item.codes.index(option)]
        moments = clusters.moments(answered, answered, chosen, chosen)
        at = layout._options_at + 1 + layout.options.index(option) * len(OPTION_FIELDS)
        for j, name in enumerate(OPTION_FIELDS):
            values[strata, at + j] = moments[name]


#: clusters per block when summing cross-products (a block's products stay small)
_BLOCK = 8192


def _criteria_add(layout: MomentsLayout, sums: ClusterSums, values: np.ndarray) -> None:
    """Each stratum's criterion sums and their cross-products over its clusters."""
    x = np.concatenate([sums.satisfied, sums.valid], axis=1)
    at, k = layout._criteria_at, x.shape[1]
    rows, cols = np.triu_indices(k)
    stratum = np.asarray(sums.stratum, dtype=np.int64)  # non-decreasing: clusters come stratum by stratum
    if not len(x):
        return
    if np.any(np.diff(stratum) < 0):  # pragma: no cover - unit_moments_of_rows sorts clusters by stratum
        raise ValueError("clusters must come stratum by stratum")
    for start in range(0, len(x), _BLOCK):
        block, where = x[start : start + _BLOCK], stratum[start : start + _BLOCK]
        first = np.flatnonzero(np.r_[True, np.diff(where) > 0])
        values[where[first], at : at + k] += np.add.reduceat(block, first, axis=0)
        products = block[:, rows] * block[:, cols]
        values[where[first], at + k : at + k + len(rows)] += np.add.reduceat(products, first, axis=0)
