"""Disclosure control: no report, nor any two reports subtracted, reveals a small cell.

A figure from fewer than ``disclosure_min`` answers is not published
(:mod:`analysis.disclosure`, applied in the indicator table). Published
figures must not let a reader recover a hidden one by subtraction:

- **Periods.** Reports cover calendar months, quarters, years, or custom
  runs of whole months (:mod:`app.reports.forms`): a day cannot be
  isolated. A month can still be, by subtracting two runs of months; so a
  figure of a period longer than a month is published only if none of its
  months' cells is hidden in that month's own report (:func:`hidden_months`,
  :func:`months_suppress`): whatever runs of months a reader subtracts,
  for whichever units, what is left is what a month's report publishes.
- **Totals and parts.** Where a table shows a total and its parts (the
  units of the filter), the hidden parts, together with the responses the
  table shows only in the total, must hold either nothing or at least
  ``disclosure_min`` answers; otherwise the smallest published parts are
  hidden too (:func:`parts_suppress`).
- **Detail.** The distribution over the levels and the counts of "not
  applicable" and refusals are published only with their figure (the
  indicator table).
- **Comments.** A comment is released only from a cell (counter × month)
  holding at least ``disclosure_min`` responses of the filter, and is dated
  by its month (:func:`comment_cells`).

What this does not stop (``docs/security.md``): reports of differently
filtered sets (a unit's subtree against its parent's, with and without a
procedure filter) subtract to other sets; each such set is itself subject
to the same rules, and every report request is in the audit log.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from app.services.aggregates import INDEX_KEY, RESPONDENT_SUFFIX, SIPAS_SUFFIX
from app.services.cluster_rows import SHARE_FIELDS, ClusterRows
from app.services.indicators import DomainIndicators, Figure, IndicatorTable
from app.services.month_moments import MonthMoments
from app.services.reports.periods import Period, month_starts
from surveys import RATE_ROLES, Instrument, rate_codes

#: the pseudo-key of a domain's responses in :func:`answers_per_month`, and
#: what :func:`complement_small` returns for a domain all of whose figures go
RESPONSES = "_responses"
ALL = "_all"
#: keys whose figures rest on respondents with a share: element and overall indices
_INDEX_SUFFIXES = ("", RESPONDENT_SUFFIX, SIPAS_SUFFIX)


def figure_hide(figure: Figure, reason: str) -> Figure:
    """``figure`` as not published, for ``reason`` (see ``Figure.suppressed_reason``)."""
    return replace(
        figure,
        estimate=None, lower=None, upper=None, se=None, deff=None, n_eff=None, deff1_interval=False,
        suppressed=True, distribution=(), not_applicable=None, refused=None,
        verdict=None, p_adjusted=None, funnel=None, suppressed_reason=reason,
    )  # fmt: skip


def answers_per_month(
    rows: ClusterRows | MonthMoments, instrument: Instrument, period: Period, domain_of_unit: dict[int, str]
) -> dict[str, dict[str, np.ndarray]]:
    """Answers behind each figure key, per domain and month of ``period``.

    ``rows``: cluster rows, or their unit × month sums. Returns ``{domain:
    {key: counts per month}}``; the domain ``"*"`` is the whole filter. A
    criterion's answers are its valid answers; an index's, the respondents
    with a share in it.
    """
    starts = month_starts(period)
    ordinals = np.array([d.toordinal() for d in starts])
    day = rows.month if isinstance(rows, MonthMoments) else rows.day
    month = np.searchsorted(ordinals, day, side="right") - 1
    inside = (month >= 0) & (day <= period.end.toordinal())
    codes = sorted(set(domain_of_unit.values()))
    number = {code: i + 1 for i, code in enumerate(codes)}
    lookup = np.zeros(max(rows.unit.max(initial=0), max(domain_of_unit, default=0)) + 1, dtype=np.int64)
    for unit, code in domain_of_unit.items():
        lookup[unit] = number.get(code, 0)
    unit_domain = lookup[rows.unit]
    columns = (
        _answers_of_sums(rows, instrument) if isinstance(rows, MonthMoments) else _answers_by_key(rows, instrument)
    )
    m = len(starts)
    out: dict[str, dict[str, np.ndarray]] = {}
    for labels, cell in (("*", np.where(inside, month, -1)), (None, np.where(inside, unit_domain * m + month, -1))):
        keep = cell >= 0
        width = m if labels == "*" else (len(codes) + 1) * m
        for key, values in columns.items():
            sums = np.bincount(cell[keep], values[keep], width)
            if labels == "*":
                out.setdefault("*", {})[key] = sums
            else:
                per = sums.reshape(len(codes) + 1, m)
                for code, i in number.items():
                    out.setdefault(code, {})[key] = per[i]
    return out


def _answers_by_key(rows: ClusterRows, instrument: Instrument) -> dict[str, np.ndarray]:
    layout = rows.layout
    out: dict[str, np.ndarray] = {RESPONSES: rows.responses}
    for q in instrument.questions:
        if q.code not in layout.offsets:
            continue
        item = layout.item(q.code)
        if item.kind == "multi":  # the respondents who answered it: the denominator of its shares
            out[q.code] = layout.counts_of(q.code, rows.counts)[:, len(item.codes)]
            continue
        if q.role not in RATE_ROLES:  # perception items count too: they are in breakdowns
            continue
        valid = rate_codes(q).valid
        mask = np.isin(np.array(layout.item(q.code).codes), list(valid))
        # the valid categories' columns summed (an integer matrix product has no fast path)
        out[q.code] = layout.counts_of(q.code, rows.counts)[:, mask].sum(axis=1)
    base = SHARE_FIELDS * (len(layout.elements) + 1) if layout.elements else 0
    for k, code in enumerate(layout.numbers):  # number questions: their means in breakdowns
        out[code] = rows.floats[:, base + 3 * k]
    names = [code for code, _ in layout.elements] + [INDEX_KEY]
    if layout.elements:
        for e, name in enumerate(names):
            respondents = rows.floats[:, SHARE_FIELDS * e]
            for suffix in _INDEX_SUFFIXES:
                out[name + suffix] = respondents
    return out


def _answers_of_sums(sums: MonthMoments, instrument: Instrument) -> dict[str, np.ndarray]:
    """:func:`_answers_by_key` of unit × month sums (the report's figure keys only)."""
    layout, values = sums.layout, sums.values
    out: dict[str, np.ndarray] = {RESPONSES: values[:, 0]}
    for q in instrument.questions:
        if q.code == layout.expectation:
            out[q.code] = layout.answered(values)
        elif q.role in RATE_ROLES and q.code in layout.key_offset:
            out[q.code] = layout.key_field(values, q.code, "n")
    for name in [e.code for e in instrument.elements] + [INDEX_KEY]:
        if name + RESPONDENT_SUFFIX in layout.key_offset:
            respondents = layout.key_field(values, name + RESPONDENT_SUFFIX, "n")
            for suffix in _INDEX_SUFFIXES:
                out[name + suffix] = respondents
    return out


def hidden_months(counts: dict[str, dict[str, np.ndarray]], disclosure_min: int) -> dict[str, dict[str, np.ndarray]]:
    """Which months' cells a one-month report hides, per domain and key.

    In each month, as in a report of that month: a domain's cell is hidden
    when it holds 1 .. ``disclosure_min - 1`` answers, and then the smallest
    published cells too, until the hidden cells together with what only the
    total holds make nothing or at least ``disclosure_min`` (as
    :func:`parts_suppress`). The total ``"*"`` is hidden when it is small.
    """
    total = counts.get("*", {})
    domains = sorted(code for code in counts if code != "*")
    out: dict[str, dict[str, np.ndarray]] = {code: {} for code in counts}
    for key, whole in total.items():
        n = np.array([counts[d].get(key, np.zeros_like(whole)) for d in domains]).reshape(len(domains), len(whole))
        hidden = (n > 0) & (n < disclosure_min)
        left = (n * hidden).sum(axis=0) + np.maximum(whole - n.sum(axis=0), 0)
        for m in range(len(whole)):
            if not 0 < left[m] < disclosure_min:
                continue  # nothing more to hide this month (the loop below would stop at once)
            order = sorted(
                (int(n[i, m]), domains[i], i) for i in range(len(domains)) if n[i, m] > 0 and not hidden[i, m]
            )
            for count, _code, i in order:
                if not 0 < left[m] < disclosure_min:
                    break
                hidden[i, m] = True
                left[m] += count
        for i, d in enumerate(domains):
            out[d][key] = hidden[i]
        out["*"][key] = (whole > 0) & (whole < disclosure_min)
    return out


def months_suppress(figures: dict[str, Figure], hidden: dict[str, np.ndarray]) -> dict[str, Figure]:
    """Hide the figures of a period longer than a month of which some month's cell is hidden."""
    if not hidden or len(next(iter(hidden.values()))) <= 1:  # one month (every key has its months)
        return dict(figures)
    out = {}
    for key, figure in figures.items():
        months = hidden.get(key)
        small = months is not None and bool(months.any())
        out[key] = figure_hide(figure, "small_month") if small and not figure.suppressed else figure
    return out


def parts_suppress(
    total: DomainIndicators, parts: list[DomainIndicators], disclosure_min: int
) -> list[DomainIndicators]:
    """Hide more parts where the total minus the published parts would reveal fewer
    than ``disclosure_min`` answers (the hidden parts and what only the total holds)."""
    parts = list(parts)
    for key, whole in total.figures.items():
        if whole.suppressed or whole.n == 0:
            continue
        shown = [i for i, p in enumerate(parts) if key in p.figures and not p.figures[key].suppressed]
        hidden = sum(p.figures[key].n for p in parts if key in p.figures and p.figures[key].suppressed)
        rest = whole.n - sum(p.figures[key].n for p in parts if key in p.figures)
        left = hidden + max(rest, 0)
        # the smallest published parts first, ties by code: every report hides the same ones
        for i in sorted(shown, key=lambda i: (parts[i].figures[key].n, parts[i].key)):
            if not 0 < left < disclosure_min:
                break
            figure = parts[i].figures[key]
            parts[i] = replace(parts[i], figures={**parts[i].figures, key: figure_hide(figure, "complementary")})
            left += figure.n
    return parts


def complement_small(
    rows: ClusterRows | MonthMoments,
    whole: ClusterRows | MonthMoments,
    instrument: Instrument,
    period: Period,
    domain_of_unit: dict[int, str],
    disclosure_min: int,
) -> dict[str, set[str]]:
    """The figure keys, per domain (``"*"``: the total), whose complement is small.

    ``rows`` are a part of ``whole`` (a channel's or a procedure's responses,
    for the same units and days). A report of the part and the report of the
    whole, subtracted, give the answers the part leaves out: where these
    are 1 .. ``disclosure_min - 1`` in the period or in any of its months
    (which one-month reports would subtract out), the part's figure is not
    published.
    """
    part = answers_per_month(rows, instrument, period, domain_of_unit)
    full = answers_per_month(whole, instrument, period, domain_of_unit)
    out: dict[str, set[str]] = {}
    for code, keys in full.items():
        for key, counts in keys.items():
            left = counts - part.get(code, {}).get(key, np.zeros_like(counts))
            small = (left > 0) & (left < disclosure_min)
            if bool(small.any()) or 0 < left.sum() < disclosure_min:
                out.setdefault(code, set()).add(key)
        # a few responses left out: every figure of the domain (counts included)
        if RESPONSES in out.get(code, ()):
            out[code] = {ALL}
    return out


def complement_suppress(figures: dict[str, Figure], small: set[str]) -> dict[str, Figure]:
    """Hide the figures whose complement is small (:func:`complement_small`)."""
    hide = small if ALL not in small else set(figures)
    return {key: figure_hide(f, "complement") if key in hide and not f.suppressed else f for key, f in figures.items()}


def table_protect(
    table: IndicatorTable,
    rows: ClusterRows | MonthMoments,
    instrument: Instrument,
    period: Period,
    domain_of_unit: dict[int, str],
    whole: ClusterRows | MonthMoments | None = None,
) -> IndicatorTable:
    """The table with every rule above applied, for the rows of ``period``;
    ``whole``: the rows without the report's channel or procedure filter,
    of which ``rows`` are a part (:func:`complement_small`)."""
    if not table.domains and len(month_starts(period)) == 1 and whole is None:
        return table  # a month's total alone: neither rule has anything to hide (a trend point)
    k = table.thresholds.disclosure_min
    hidden = hidden_months(answers_per_month(rows, instrument, period, domain_of_unit), k)
    small = complement_small(rows, whole, instrument, period, domain_of_unit, k) if whole is not None else {}
    total = replace(table.total, figures=months_suppress(table.total.figures, hidden.get("*", {})))
    total = replace(total, figures=complement_suppress(total.figures, small.get("*", set())))
    domains = [
        replace(
            d, figures=complement_suppress(months_suppress(d.figures, hidden.get(d.key, {})), small.get(d.key, set()))
        )
        for d in table.domains
    ]
    return replace(table, total=total, domains=parts_suppress(total, domains, k))


def comment_cells(rows: ClusterRows, period: Period, disclosure_min: int) -> set[tuple[int, int, date]]:
    """The (unit, counter, month) cells whose comments may be released: those
    holding at least ``disclosure_min`` responses of the filter in ``period``.

    The counter is the rows' ``owner`` (a surveyor's interviews form their own
    cells, a unit's forms without a counter one more).
    """
    starts = month_starts(period)
    ordinals = np.array([d.toordinal() for d in starts])
    month = np.searchsorted(ordinals, rows.day, side="right") - 1
    inside = (month >= 0) & (rows.day <= period.end.toordinal())
    cells: dict[tuple[int, int, int], int] = {}
    for unit, owner, m, n in zip(rows.unit[inside].tolist(), rows.owner[inside].tolist(), month[inside].tolist(),
                                 rows.responses[inside].tolist(), strict=True):  # fmt: skip
        cells[(unit, owner, m)] = cells.get((unit, owner, m), 0) + n
    return {(unit, owner, starts[m]) for (unit, owner, m), n in cells.items() if n >= disclosure_min}
