"""Breakdowns: the main indicators for each category of one variable.

For a categorical question of the instrument (sex, age group, ethnicity,
procedure field, visit stage...) or the channel, each category gets the
headline index, the overall satisfaction, the harassment and the
informal-payment rates (and, where the instrument has them, its perception
items and the mean of its number questions, such as the visits a citizen
made for one application) with design-based intervals.

A category is a **domain** of the same design as the units table: strata
are the units that collected the responses, clusters the service point ×
day (or surveyor × day). Respondents of a category are spread over many
clusters, so the rows handed to :mod:`analysis` are per (cluster, category)
sums; a cluster without respondents of the category contributes zero to
its linearised variable and still counts among its stratum's PSUs. That is
the domain variance of R's ``svyby(~y, ~category, design, svymean)``, not
the variance of the category's respondents analysed as if they were the
whole sample (``tests/analysis/test_breakdown_vs_r.py``).

The rows come from :func:`app.services.cluster_rows.rows_from_responses`
with the breakdown question in the slot the rows keep for the procedure
field: the one aggregation every report uses, split one step further.

The rules of the units table hold per category: no verdict and no funnel
signal with fewer than ``min_clusters`` clusters; figures of fewer than
``disclosure_min`` answers hidden, then the smallest published categories
too where the total minus the published categories would reveal a hidden
one (:func:`app.services.reports.disclosure.parts_suppress`), and a figure
of a longer period hidden where one of its months is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from analysis import clusters_group, design_frame, domain_means, domain_proportions, index_estimate
from app.models import CHANNELS, InstrumentVersion, Response, Unit
from app.services.aggregates import INDEX_KEY
from app.services.cluster_rows import NO_PROCEDURE, SHARE_FIELDS, ClusterRows, Item, layout_of, rows_from_responses
from app.services.domain_figures import (
    figures_of,  # the units table's Figure builder: one set of suppression and flag rules
    verdicts_add,  # the units table's verdicts and min-clusters rule, applied to categories
)
from app.services.indicators import DomainIndicators, Figure, Thresholds
from app.services.reports.disclosure import (
    answers_per_month,
    complement_small,
    complement_suppress,
    hidden_months,
    months_suppress,
    parts_suppress,
)
from app.services.reports.labels import CHANNEL_NAMES
from app.services.reports.model import Breakdown, BreakdownLine, ReportRequest
from app.services.reports.periods import Period
from app.services.response_filter import ResponseFilter, filter_conditions
from app.texts import label
from surveys import Instrument, QuestionKind, Role, Text, rate_codes

__all__ = [
    "BY_CHANNEL",
    "MISSING_CATEGORY",
    "BreakdownUnknown",
    "breakdown_choices",
    "breakdown_report",
    "breakdown_table",
    "instrument_choices",
    "items_report",
]

#: ``by`` value of the breakdown by channel (``qr``, ``tablet``, ``paper``, ``kiosk``)
BY_CHANNEL = "channel"
#: category code of the responses that did not answer the breakdown question
MISSING_CATEGORY = "none"
#: roles of the questions that are indicators themselves, not ways of grouping respondents
_INDICATOR_ROLES = (
    Role.CRITERION,
    Role.OVERALL,
    Role.ELEMENT_OVERALL,
    Role.HARASSMENT,
    Role.INFORMAL_PAYMENT,
    Role.PERCEPTION,
    Role.COMMENT,
)
#: the rates of a breakdown, after the headline index
_RATE_KEYS = ("overall", "harassment", "informal_payment")


class BreakdownUnknown(ValueError):
    """``by`` names no categorical question of the instrument, nor the channel."""


@dataclass(frozen=True)
class BreakdownTable:
    """The figures of each category, and of all of them together.

    ``total`` and ``categories`` are :class:`DomainIndicators` whose ``key``
    is the category's code as text (an answer code, a channel, or
    :data:`MISSING_CATEGORY`) and whose ``name`` is empty; ``labels`` names
    them. ``responses`` of a category is None where it is below the
    disclosure threshold.
    """

    by: str
    title: Text
    keys: list[tuple[str, Text]]
    labels: dict[str, Text]
    total: DomainIndicators
    categories: list[DomainIndicators]
    #: keys whose figures are means of a number (visits), not rates
    means: tuple[str, ...] = ()


def breakdown_choices(instrument: Instrument) -> list[tuple[str, Text]]:
    """What a report may be broken down by: the instrument's single-choice
    categorical questions (not rating scales, not the indicators), then the channel."""
    out = []
    for q in instrument.questions:
        if q.kind is not QuestionKind.SINGLE or q.scale is None or q.role in _INDICATOR_ROLES:
            continue
        if q.scale.satisfied:  # a rating scale: a criterion in all but name
            continue
        out.append((q.code, q.text))
    out.append((BY_CHANNEL, label("breakdown.channel")))
    return out


def instrument_choices(session: Session, unit_clause: ColumnElement[bool] | None = None) -> list[str]:
    """Codes of the instruments with submitted responses in the units ``unit_clause``
    (a condition on ``Unit``, as :func:`app.services.scope.unit_scope_clause`) selects."""
    query = (
        select(InstrumentVersion.code)
        .join(Response, Response.instrument_version_id == InstrumentVersion.id)
        .where(Response.status == "submitted")
        .distinct()
    )
    if unit_clause is not None:
        query = query.where(Response.unit_id.in_(select(Unit.id).where(unit_clause)))
    return sorted(session.scalars(query))


def _layout(instrument: Instrument, by: str):
    """The report rows' layout with the perception items counted too, and the
    breakdown question in the procedure slot (unless it is the channel)."""
    layout = layout_of(instrument)
    extra = tuple(
        Item(q.code, "single", tuple(sorted(q.scale.codes)))
        for q in instrument.with_role(Role.PERCEPTION)
        if q.kind is QuestionKind.SINGLE and q.scale is not None
    )
    return replace(layout, items=layout.items + extra, procedure=layout.procedure if by == BY_CHANNEL else by)


def breakdown_table(
    session: Session,
    instrument: Instrument,
    period: Period,
    flt: ResponseFilter,
    by: str,
    *,
    method: str = "beta",
    alpha: float = 0.05,
    correction: str = "holm",
    thresholds: Thresholds | None = None,
) -> BreakdownTable:
    """The breakdown of the responses of ``flt`` in ``period`` by ``by``.

    Parameters
    ----------
    by : str
        A code from :func:`breakdown_choices`.
    method : {"beta", "logit"}
        Interval of the rates (Korn–Graubard by default), as the units table;
        the index has a t interval.

    Raises
    ------
    BreakdownUnknown
        ``by`` is not one of :func:`breakdown_choices`.
    """
    choices = dict(breakdown_choices(instrument))
    if by not in choices:
        raise BreakdownUnknown(by)
    thresholds = thresholds or Thresholds()
    flt = replace(flt, instrument=instrument.code, date_from=period.start, date_to=period.end)
    layout = _layout(instrument, by)
    rows = rows_from_responses(session, instrument, layout, filter_conditions(session, flt))
    codes, labels = _categories(instrument, by, rows)
    keys = _keys(instrument)
    total, parts = _estimate(instrument, rows, codes, list(labels), keys, method, alpha, thresholds)
    whole = None
    if flt.channel is not None or flt.procedure is not None:
        # the same without the channel or procedure: the part must not be told apart from it
        everything = rows_from_responses(
            session, instrument, layout, filter_conditions(session, replace(flt, channel=None, procedure=None))
        )
        whole = (everything, _categories(instrument, by, everything)[0])
    total, parts = _protect(instrument, rows, codes, period, total, parts, thresholds.disclosure_min, whole)
    parts = verdicts_add(parts, total.figures, correction, alpha, thresholds.min_clusters)
    parts = _counts_suppress(parts, thresholds.disclosure_min)
    keys = [(k, name) for k, name in keys if k in total.figures]  # no empty columns (perception items not asked)
    means = tuple(k for k, _ in keys if k in layout.numbers)
    return BreakdownTable(by, choices[by], keys, labels, total, parts, means)


def _counts_suppress(parts: list[DomainIndicators], disclosure_min: int) -> list[DomainIndicators]:
    """Hide the response counts of small categories, and the next smallest where the
    total minus the published counts would give the hidden ones (as ``parts_suppress``)."""
    hidden = {p.key for p in parts if 0 < p.responses < disclosure_min}
    left = sum(p.responses for p in parts if p.key in hidden)
    for p in sorted((p for p in parts if p.responses > 0 and p.key not in hidden), key=lambda p: (p.responses, p.key)):
        if not 0 < left < disclosure_min:
            break
        hidden.add(p.key)
        left += p.responses
    return [replace(p, responses=None) if p.key in hidden else p for p in parts]


def _categories(instrument: Instrument, by: str, rows: ClusterRows) -> tuple[np.ndarray, dict[str, Text]]:
    """Each row's category code (text), and every category's label in display order.

    Every category of the scale is listed, also those nobody chose (they
    show as empty), then "no answer" where some respondent gave none.
    """
    if by == BY_CHANNEL:
        names = np.array(CHANNELS, dtype=object)
        codes = names[rows.channel] if len(rows) else np.zeros(0, dtype=object)
        listed = set(codes.tolist()) | set(instrument.channels)
        return codes, {c: CHANNEL_NAMES[c] for c in CHANNELS if c in listed}
    scale = instrument.question(by).scale
    codes = np.array([MISSING_CATEGORY if c == NO_PROCEDURE else str(c) for c in rows.procedure.tolist()], dtype=object)
    labels = {str(c.code): c.label for c in scale.choices}
    if MISSING_CATEGORY in set(codes.tolist()):
        labels[MISSING_CATEGORY] = label("breakdown.no_answer")
    return codes, labels


def _keys(instrument: Instrument) -> list[tuple[str, Text]]:
    keys = [(INDEX_KEY, label("report.column.index"))]
    present = {q.code for q in instrument.questions}
    keys += [(k, label(f"report.column.{k}")) for k in _RATE_KEYS if k in present]
    keys += [(q.code, q.text) for q in instrument.with_role(Role.PERCEPTION)]
    keys += [(q.code, q.text) for q in instrument.questions if q.kind is QuestionKind.NUMBER]
    return keys


def _estimate(instrument, rows, codes, listed, keys, method, alpha, thresholds):
    """Every figure of every category and of the total, as the units table computes them."""
    layout = rows.layout
    cluster = clusters_group(rows.unit, rows.owner, rows.day).of_respondent if len(rows) else np.zeros(0, np.int64)
    frame = design_frame(cluster, rows.unit) if len(rows) else None
    domains = {"category": codes, "total": np.full(len(rows), "*", dtype=object)}
    figures: dict[str, dict[str, dict[str, Figure]]] = {"category": {}, "total": {}}
    common = {"stratum": rows.unit, "frame": frame, "alpha": alpha}
    if not len(rows):
        return DomainIndicators("*", "", "", 0, 0, {}), [DomainIndicators(c, "", "", 0, 0, {}) for c in listed]
    for which, domain in domains.items():
        out = figures[which]
        for key, _name in keys:
            if key == INDEX_KEY:
                est, n, column = _index(instrument, rows, domain, cluster, common)
                if est is None:
                    continue
            elif key in layout.numbers:  # a mean (visits to the office), with a t interval
                base = SHARE_FIELDS * (len(layout.elements) + 1) if layout.elements else 0
                at = base + 3 * layout.numbers.index(key)
                n_, total_, squares = rows.floats[:, at : at + 3].T
                est = domain_means(domain, cluster, n_, n_, total_, sum_wy2=squares, **common)
                n, column = est.n, slice(None)
            else:
                if key not in layout.offsets:
                    continue
                valid, event = rate_codes(instrument.question(key))
                counts = layout.counts_of(key, rows.counts)
                item_codes = np.array(layout.item(key).codes)
                n_valid = counts @ np.isin(item_codes, list(valid)).astype(np.int64)
                n_event = counts @ np.isin(item_codes, list(event)).astype(np.int64)
                est = domain_proportions(domain, cluster, n_valid, n_valid, n_event, method=method, **common)
                n, column = est.n, slice(None)
            for label_, figure in zip(est.domain.tolist(), figures_of(est, n, thresholds, column), strict=True):
                if figure.n > 0:
                    out.setdefault(label_, {})[key] = figure
    responses: dict[str, int] = {}
    for code, n in zip(codes.tolist(), rows.responses.tolist(), strict=True):
        responses[code] = responses.get(code, 0) + n
    clusters: dict[str, int] = {}
    for code, _ in set(zip(codes.tolist(), cluster.tolist(), strict=True)):
        clusters[code] = clusters.get(code, 0) + 1
    parts = [
        DomainIndicators(code, "", "", responses.get(code, 0), clusters.get(code, 0), figures["category"].get(code, {}))
        for code in listed
    ]
    total = DomainIndicators(
        "*", "", "", int(rows.responses.sum()), len(np.unique(cluster)), figures["total"].get("*", {})
    )
    return total, parts


def _index(instrument: Instrument, rows: ClusterRows, domain, cluster, common):
    """The headline index per domain: the SIPAS formula or the respondent-level one."""
    layout = rows.layout
    if not layout.elements:
        return None, None, None
    if instrument.headline_index == "respondent":
        e = len(layout.elements)  # the overall share follows the element shares
        n, y, y2 = rows.floats[:, SHARE_FIELDS * e : SHARE_FIELDS * (e + 1)].T
        est = domain_means(domain, cluster, n, n, y, sum_wy2=y2, bounded=True, **common)
        return est, est.n, slice(None)
    criteria = [c for _, members in layout.elements for c in members]
    element_of = [e for e, members in layout.elements for _ in members]
    valid = np.zeros((len(rows), len(criteria)))
    satisfied = np.zeros((len(rows), len(criteria)))
    for j, code in enumerate(criteria):
        ok, event = rate_codes(instrument.question(code))
        counts = layout.counts_of(code, rows.counts)
        item_codes = np.array(layout.item(code).codes)
        valid[:, j] = counts @ np.isin(item_codes, list(ok))
        satisfied[:, j] = counts @ np.isin(item_codes, list(event))
    est = index_estimate(
        domain, cluster, rows.responses, satisfied, valid, element_of,
        df_rule="domain", rate_se=False, **common,
    )  # fmt: skip
    return est, est.n[:, -1], -1


def _as_units(rows: ClusterRows, codes: np.ndarray, number: dict) -> ClusterRows:
    """``rows`` with each row's category number in the place of its unit
    (answers_per_month groups rows by their unit)."""
    return ClusterRows(
        rows.layout, np.array([number[c] for c in codes.tolist()], dtype=np.int64), rows.owner, rows.day,
        rows.channel, rows.procedure, rows.responses, rows.counts, rows.floats,
    )  # fmt: skip


def _protect(instrument, rows, codes, period, total, parts, disclosure_min, whole=None):
    """The disclosure rules of the units table, with categories in the place of
    units; ``whole``: (rows, categories) without the filter's channel or
    procedure, of which ``rows`` are a part (complement_small)."""
    every = set(codes.tolist()) | (set(whole[1].tolist()) if whole is not None else set())
    number = {code: i + 1 for i, code in enumerate(sorted(every))}
    as_units = _as_units(rows, codes, number)
    domains = {i: code for code, i in number.items()}
    hidden = hidden_months(answers_per_month(as_units, instrument, period, domains), disclosure_min)
    small = {}
    if whole is not None:
        small = complement_small(as_units, _as_units(*whole, number), instrument, period, domains, disclosure_min)
    figures = complement_suppress(months_suppress(total.figures, hidden.get("*", {})), small.get("*", set()))
    total = replace(total, figures=figures)
    parts = [
        replace(
            p, figures=complement_suppress(months_suppress(p.figures, hidden.get(p.key, {})), small.get(p.key, set()))
        )
        for p in parts
    ]
    return total, parts_suppress(total, parts, disclosure_min)


def breakdown_report(
    session: Session, instrument: Instrument, request: ReportRequest, thresholds: Thresholds | None = None
) -> Breakdown:
    """The breakdown a report request asks for (``request.by``), as the report carries it."""
    table = breakdown_table(session, instrument, request.period, request.filter, request.by, thresholds=thresholds)
    total = table.total
    return Breakdown(
        by=table.by,
        title=table.title,
        keys=table.keys,
        total=BreakdownLine("*", label("breakdown.total"), total.responses, total.clusters, total.figures),
        lines=[BreakdownLine(c.key, table.labels[c.key], c.responses, c.clusters, c.figures) for c in table.categories],
        means=list(table.means),
    )


def items_report(
    session: Session, instrument: Instrument, request: ReportRequest, thresholds: Thresholds | None = None
) -> Breakdown | None:
    """The perception items (and number questions) over the whole filter, for an
    instrument with perception items (household interviews); None for the others.

    Their answers are not in the roll-up, so this reads the responses; only
    instruments that have such items pay for it.
    """
    perception = {q.code for q in instrument.with_role(Role.PERCEPTION)}
    if not perception:
        return None
    table = breakdown_table(session, instrument, request.period, request.filter, BY_CHANNEL, thresholds=thresholds)
    keys = [(k, name) for k, name in table.keys if k in perception or k in table.means]
    figures = {k: f for k, f in table.total.figures.items() if k in dict(keys)}
    total = BreakdownLine("*", label("breakdown.total"), table.total.responses, table.total.clusters, figures)
    return Breakdown(by="", title=label("rep.items"), keys=keys, total=total, lines=[], means=list(table.means))
