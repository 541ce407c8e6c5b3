"""Responses summed per cluster: the rows every report is computed from.

A cluster (PSU) is a service point × day, or a surveyor × day, within the
unit that collected the responses (the stratum). A *cluster row* sums the
responses of one cluster that share a channel and a procedure field: per
indicator question the answers in each category of its scale, per
multi-select question how many chose each option, and, for the
respondent-level index and the number questions, counts, sums and sums of
squares. Every figure of a report is a function of these sums, and sums add
up: the rows of any set of days, units, channels or procedures give that
filter's clusters exactly.

:mod:`app.services.rollup` keeps the rows in the database (one read per
report instead of a read of every response); :func:`rows_from_responses`
builds them from the responses themselves, for the roll-up and for what the
roll-up cannot answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlalchemy import ColumnElement, case, func
from sqlalchemy.orm import Session

from analysis import clusters_group, respondent_shares
from app.models import CHANNELS, Response
from app.services.packed_rows import packed_chunks
from surveys import MISSING, Instrument, QuestionKind, Role, rate_codes

#: the roles whose single-choice answers the rows count by category
COUNTED_ROLES = (
    Role.CRITERION,
    Role.OVERALL,
    Role.ELEMENT_OVERALL,
    Role.HARASSMENT,
    Role.INFORMAL_PAYMENT,
)
#: figures of the respondent-level index: respondents with a share, Σ share, Σ share²
SHARE_FIELDS = 3
#: the procedure of a response without a procedure-field answer
NO_PROCEDURE = -1


@dataclass(frozen=True)
class Item:
    """A question the rows count: ``kind`` "single" (one slot per code of its
    scale, in sorted order) or "multi" (one slot per option, then one for
    the respondents who answered it)."""

    code: str
    kind: str
    codes: tuple[int, ...]

    @property
    def width(self) -> int:
        return len(self.codes) + (self.kind == "multi")


@dataclass(frozen=True)
class Layout:
    """What a cluster row holds, in order, for one instrument (its active version).

    Attributes
    ----------
    instrument_code : str
    items : tuple of Item
        The counted questions; their slots follow each other in ``counts``.
    elements : tuple of (str, tuple of str)
        Each element with a criterion, and its criteria: the respondent-level
        shares are kept per element, then for the overall index.
    numbers : tuple of str
        Number questions: respondents, Σ value, Σ value² each.
    procedure : str or None
        The procedure-field question, if the instrument has one.
    """

    instrument_code: str
    items: tuple[Item, ...]
    elements: tuple[tuple[str, tuple[str, ...]], ...]
    numbers: tuple[str, ...]
    procedure: str | None

    @cached_property
    def offsets(self) -> dict[str, int]:
        """The first slot of each item in ``counts``."""
        out, at = {}, 0
        for item in self.items:
            out[item.code] = at
            at += item.width
        return out

    @property
    def slots(self) -> int:
        return sum(item.width for item in self.items)

    @property
    def floats(self) -> int:
        return SHARE_FIELDS * (len(self.elements) + 1 if self.elements else 0) + 3 * len(self.numbers)

    def item(self, code: str) -> Item:
        return next(i for i in self.items if i.code == code)

    def counts_of(self, code: str, counts: np.ndarray) -> np.ndarray:
        """The columns of ``counts`` that belong to ``code``."""
        start = self.offsets[code]
        return counts[:, start : start + self.item(code).width]

    @cached_property
    def json(self) -> str:
        return json.dumps(
            {
                "instrument": self.instrument_code,
                "items": [[i.code, i.kind, list(i.codes)] for i in self.items],
                "elements": [[e, list(c)] for e, c in self.elements],
                "numbers": list(self.numbers),
                "procedure": self.procedure,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @cached_property
    def signature(self) -> str:
        return hashlib.sha256(self.json.encode("utf-8")).hexdigest()


def layout_of(instrument: Instrument) -> Layout:
    """The rows' layout for ``instrument`` (the active version of its code)."""
    items = []
    for q in instrument.questions:
        if q.scale is None:
            continue
        if q.kind is QuestionKind.MULTI:
            items.append(Item(q.code, "multi", tuple(sorted(q.scale.codes))))
        elif q.role in COUNTED_ROLES:
            items.append(Item(q.code, "single", tuple(sorted(q.scale.codes))))
    criteria = [q for q in instrument.questions if q.role is Role.CRITERION and q.scale is not None]
    elements = tuple(
        (e.code, tuple(q.code for q in criteria if q.element == e.code))
        for e in instrument.elements
        if any(q.element == e.code for q in criteria)
    )
    numbers = tuple(q.code for q in instrument.questions if q.kind is QuestionKind.NUMBER)
    procedure = next((q.code for q in instrument.with_role(Role.PROCEDURE)), None)
    return Layout(instrument.code, tuple(items), elements, numbers, procedure)


@dataclass(frozen=True, eq=False)
class ClusterRows:
    """Cluster rows, one entry per row in every array.

    ``day`` is the service day's proleptic ordinal (``date.toordinal()``),
    ``channel`` a position in :data:`app.models.CHANNELS`.
    """

    layout: Layout
    unit: np.ndarray
    owner: np.ndarray
    day: np.ndarray
    channel: np.ndarray
    procedure: np.ndarray
    responses: np.ndarray
    counts: np.ndarray
    floats: np.ndarray

    def __len__(self) -> int:
        return len(self.unit)

    def take(self, mask: np.ndarray) -> ClusterRows:
        """The rows where ``mask`` holds."""
        return ClusterRows(self.layout, *(getattr(self, name)[mask] for name in _ARRAYS))

    @classmethod
    def empty(cls, layout: Layout) -> ClusterRows:
        ints = np.zeros(0, dtype=np.int64)
        return cls(
            layout, ints, ints, ints, ints, ints, ints,
            np.zeros((0, layout.slots), dtype=np.int64), np.zeros((0, layout.floats)),
        )  # fmt: skip

    @classmethod
    def concat(cls, layout: Layout, parts: Sequence[ClusterRows]) -> ClusterRows:
        """Rows of several reads together (rows of one cluster may repeat: sums add)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty(layout)
        return cls(layout, *(np.concatenate([getattr(p, name) for p in parts]) for name in _ARRAYS))

    def grouped(self, *, by_channel: bool = True, by_procedure: bool = True) -> ClusterRows:
        """One row per key (summing repeats), sorted by unit, owner, day, channel, procedure."""
        if not len(self):
            return self
        keys = [self.owner, self.day]
        keys += [self.channel] if by_channel else []
        keys += [self.procedure] if by_procedure else []
        groups = clusters_group(self.unit, *keys)
        first = np.zeros(groups.n_clusters, dtype=np.int64)
        first[groups.of_respondent[::-1]] = np.arange(len(self))[::-1]
        counts = groups.sum(self.counts) if self.counts.shape[1] else np.zeros((groups.n_clusters, 0))
        floats = groups.sum(self.floats) if self.floats.shape[1] else np.zeros((groups.n_clusters, 0))
        return ClusterRows(
            self.layout,
            self.unit[first],
            self.owner[first],
            self.day[first],
            self.channel[first] if by_channel else np.zeros(len(first), dtype=np.int64),
            self.procedure[first] if by_procedure else np.full(len(first), NO_PROCEDURE, dtype=np.int64),
            np.rint(groups.sum(self.responses)).astype(np.int64),
            np.rint(counts).astype(np.int64),
            floats,
        )


_ARRAYS = ("unit", "owner", "day", "channel", "procedure", "responses", "counts", "floats")


def cluster_columns() -> list[ColumnElement]:
    """A response's unit, cluster owner, day and channel number, as integer SQL columns.

    An interview taken by a surveyor clusters by surveyor × day (the
    interviewer effect is the one to model; negative ids keep surveyors apart
    from counters); a QR response by counter × day; a response with neither
    (a paper form without a counter) by unit × day.
    """
    owner = case(
        (Response.surveyor_id.is_not(None), -Response.surveyor_id),
        else_=func.coalesce(Response.service_point_id, 0),
    )
    channel = case(*((Response.channel == name, i) for i, name in enumerate(CHANNELS)), else_=-1)
    return [Response.unit_id, owner, Response.service_day, channel]


def rows_from_responses(
    session: Session,
    instrument: Instrument,
    layout: Layout,
    conditions: Sequence[ColumnElement[bool]],
) -> ClusterRows:
    """Sum the responses matching ``conditions`` into cluster rows.

    ``instrument`` (the active version) says what each code means; responses
    to other versions are read through their own packed layout (versions keep
    question codes).
    """
    # Respondent-level columns first (a category per item, one byte each),
    # grouped into clusters once at the end: a cluster's responses may lie in
    # several chunks, and regrouping per-chunk rows would cost far more memory.
    keys: list[list[np.ndarray]] = [[] for _ in range(5)]
    answers: dict[str, list[np.ndarray]] = {}
    for chunk in packed_chunks(session, layout.instrument_code, cluster_columns(), conditions):
        _chunk_columns(layout, chunk, keys, answers)
    if not keys[0]:
        return ClusterRows.empty(layout)
    unit, owner, day, channel, procedure = (np.concatenate(k) for k in keys)
    n = len(unit)
    columns = {code: np.concatenate(parts) for code, parts in answers.items()}
    groups = clusters_group(unit, owner, day, channel, procedure)
    counts = np.zeros((groups.n_clusters, layout.slots), dtype=np.int64)
    categories: dict[str, np.ndarray] = {}
    for item in layout.items:
        column = columns.get(item.code)
        if column is None:
            continue
        start = layout.offsets[item.code]
        if item.kind == "multi":
            mask = column.astype(np.int64)
            answered = mask != MISSING
            for j, code in enumerate(item.codes):
                counts[:, start + j] = groups.sum(((mask >> code) & 1).astype(bool) & answered)
            counts[:, start + len(item.codes)] = groups.sum(answered)
            continue
        categories[item.code] = column
        counts[:, start : start + item.width] = groups.count(column, item.width + 1)[:, 1:]
    floats = np.zeros((groups.n_clusters, layout.floats))
    if layout.elements:
        shares = _shares(instrument, layout, categories, n)
        for e, value in enumerate([*shares.element.T, shares.overall]):
            has = ~np.isnan(value)
            v = np.where(has, value, 0.0)
            floats[:, SHARE_FIELDS * e : SHARE_FIELDS * (e + 1)] = groups.sum(np.column_stack([has, v, v * v]))
    base = SHARE_FIELDS * (len(layout.elements) + 1) if layout.elements else 0
    for k, code in enumerate(layout.numbers):
        column = columns.get(code)
        if column is None:
            continue
        has = column != MISSING
        x = np.where(has, column, 0).astype(float)
        floats[:, base + 3 * k : base + 3 * (k + 1)] = groups.sum(np.column_stack([has, x, x * x]))
    first = np.zeros(groups.n_clusters, dtype=np.int64)
    first[groups.of_respondent[::-1]] = np.arange(n)[::-1]
    return ClusterRows(
        layout, unit[first], owner[first], day[first], channel[first], procedure[first], groups.size, counts, floats
    )


def _chunk_columns(layout: Layout, chunk, keys: list[list[np.ndarray]], answers: dict[str, list[np.ndarray]]) -> None:
    """Append a chunk's cluster keys and answer columns (items as categories, the rest as codes)."""
    values = chunk.values
    column_of = {code: j for j, code in enumerate(chunk.layout)}
    n = len(values)
    procedure = np.full(n, NO_PROCEDURE, dtype=np.int64)
    if layout.procedure is not None and layout.procedure in column_of:
        p = chunk.codes[:, column_of[layout.procedure]].astype(np.int64)
        procedure = np.where(p == MISSING, NO_PROCEDURE, p)
    for target, column in zip(keys, (values[:, 0], values[:, 1], values[:, 2], values[:, 3], procedure), strict=True):
        target.append(column)
    for item in layout.items:
        j = column_of.get(item.code)
        if item.kind == "multi":
            column = np.full(n, MISSING, dtype=np.int32) if j is None else chunk.codes[:, j].astype(np.int32)
        else:
            column = np.zeros(n, np.uint8) if j is None else _categories(item.codes, chunk.codes[:, j])
        answers.setdefault(item.code, []).append(column)
    for code in layout.numbers:
        j = column_of.get(code)
        column = np.full(n, MISSING, dtype=np.int32) if j is None else chunk.codes[:, j].astype(np.int32)
        answers.setdefault(code, []).append(column)


def _categories(codes: tuple[int, ...], column: np.ndarray) -> np.ndarray:
    """Each answer's place 1, 2, ... among ``codes``; 0 for no answer or an unknown code."""
    array = np.asarray(codes, dtype=np.int64)
    column = np.asarray(column, dtype=np.int64)
    place = np.searchsorted(array, column)
    found = array[np.minimum(place, len(array) - 1)] == column
    return np.where(found, place + 1, 0).astype(np.uint8)


def _shares(instrument: Instrument, layout: Layout, categories: dict[str, np.ndarray], n: int):
    """Each respondent's share of satisfied criteria per element, and overall."""
    satisfied = np.zeros((n, len(layout.elements)), dtype=np.int16)
    answered = np.zeros((n, len(layout.elements)), dtype=np.int16)
    for e, (_, members) in enumerate(layout.elements):
        for code in members:
            if code not in categories:
                continue
            ok, satisfied_codes = rate_codes(instrument.question(code))
            codes = np.array(layout.item(code).codes)
            valid = np.concatenate([[False], np.isin(codes, list(ok))])
            event = np.concatenate([[False], np.isin(codes, list(satisfied_codes))])
            answered[:, e] += valid[categories[code]]
            satisfied[:, e] += event[categories[code]]
    return respondent_shares(satisfied, answered)
