"""Building the report: one data structure that every format renders.

``report_build`` gathers, for a filter and a period, the summary with the
change since the previous period, the units table with verdicts and rank
ranges, each criterion's distribution, the trend, the comments and the
method notes. ``report_for`` does the same from a person's request (the
dashboard, a download, the ``report`` command). Renderers (``app/render``)
only lay the result out, so JSON, XLSX, CSV, PDF and the dashboard show the
same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import funnel_limits
from app.models import Answer, InstrumentVersion, Response, ServicePoint, Unit
from app.services.aggregates import INDEX_KEY
from app.services.anomalies import FlagCounts
from app.services.cluster_rows import cluster_columns
from app.services.flag_counts import flag_counts_by_unit
from app.services.indicators import Figure, IndicatorTable, Thresholds, domain_of_units, indicator_table_of_moments
from app.services.instruments import instrument_active
from app.services.reports.breakdown import breakdown_report, items_report
from app.services.reports.change import figure_change
from app.services.reports.cluster_rules import cluster_rules
from app.services.reports.composite import (
    INDEX_ONLY,
    RANK_KEY,
    composite_figure,
    figures_scored,
    is_composite,
    ranking_words,
)
from app.services.reports.cover import filter_lines, scale_labels, software_versions
from app.services.reports.disclosure import table_protect
from app.services.reports.expectations import expectations_build
from app.services.reports.findings import flags_statement, report_findings
from app.services.reports.labels import (
    SUMMARY_KEYS,
    method_notes,
    unit_columns,
)
from app.services.reports.model import (
    Change,
    CommentLine,
    CriterionLine,
    Funnel,
    FunnelPoint,
    Report,
    ReportRequest,
    SummaryLine,
    TrendPoint,
    UnitLine,
)
from app.services.reports.periods import Period, trend_periods
from app.services.reports.ranking import previous_thin, units_compare, units_rank
from app.services.reports.sources import ReportSums
from app.services.reports.target_progress import targets_judge
from app.services.reports.verified import verified_findings, verified_section
from app.services.response_filter import ResponseFilter, filter_conditions
from app.services.rollup import rollup_refresh
from app.texts import label
from surveys import Instrument, Role, Text


class InstrumentMissing(LookupError):
    """The instrument a request names is not registered (run ``migrate``)."""


def _change(
    cur: Figure | None, prev: Figure | None, key: str, alpha: float, index_keys: frozenset[str] = frozenset()
) -> Change | None:
    return figure_change(cur, prev, index=key == INDEX_KEY or key in index_keys, alpha=alpha)


def _comments(
    session: Session,
    flt: ResponseFilter,
    instrument: Instrument,
    search: str | None,
    limit: int,
    cells: set[tuple[int, int, date]],
) -> list[CommentLine]:
    """The newest comments of the filter from cells that may release them, dated by month."""
    codes = [q.code for q in instrument.with_role(Role.COMMENT)]
    if not codes or not cells or limit <= 0:
        return []
    _unit, owner, _day, _channel = cluster_columns()
    query = (
        select(Response.unit_id, owner, Response.service_day, Unit.name, ServicePoint.name, Answer.value_text)
        .join(Answer, Answer.response_id == Response.id)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .where(*filter_conditions(session, flt), Answer.question_code.in_(codes), Answer.value_text.is_not(None))
        .order_by(Response.service_day.desc(), Response.payload_hash)
    )
    if search:
        query = query.where(Answer.value_text.ilike(f"%{search.strip()}%", escape="\\"))
    out = []
    for unit_id, who, day, unit, point, text in session.execute(query):
        month = day.replace(day=1)
        if (unit_id, who, month) in cells:
            out.append(CommentLine(month, unit, point or "", text))
            if len(out) >= limit:
                break
    return out


def _flags(
    session: Session, flt: ResponseFilter, instrument: Instrument, rows_units: set[int]
) -> dict[int, FlagCounts]:
    """The flag counts of every unit of the filter holding responses of the
    period, submitted (``rows_units``) or excluded."""
    excluded_units = set(
        session.scalars(select(Response.unit_id).where(*filter_conditions(session, flt, status="excluded")).distinct())
    )
    versions = session.scalars(select(InstrumentVersion.id).where(InstrumentVersion.code == instrument.code)).all()
    return flag_counts_by_unit(
        session, sorted(rows_units | excluded_units), flt.date_from, flt.date_to, versions,
        instrument_code=instrument.code,
    )  # fmt: skip


def _flags_by_line(
    lines: list[UnitLine], flags: dict[int, FlagCounts], domain_of_unit: dict[int, str], disclosure_min: int
) -> list[UnitLine]:
    """The units table with each line's flag counts, summed over the units it
    groups; a line holding fewer responses than the disclosure threshold shows none."""
    per_line: dict[str, list[int]] = {}
    for unit_id, counts in flags.items():
        total = per_line.setdefault(domain_of_unit.get(unit_id, ""), [0, 0])
        total[0] += counts.flagged
        total[1] += counts.excluded
    out = []
    for line in lines:
        flagged, excluded = per_line.get(line.code, (0, 0))
        shown = line.responses >= disclosure_min
        out.append(replace(line, flagged=flagged if shown else None, excluded=excluded if shown else None))
    return out


def _funnel(table: IndicatorTable) -> Funnel | None:
    target = table.total.figures.get(INDEX_KEY)
    points = [
        FunnelPoint(d.key, d.name, round(f.n_eff or f.n), f.estimate)
        for d in table.domains
        if (f := d.figures.get(INDEX_KEY)) is not None and f.estimate is not None
    ]
    if target is None or target.estimate is None or not points:
        return None
    top = max(p.n for p in points)
    grid = sorted({int(v) for v in np.unique(np.geomspace(5, max(top * 1.1, 10), 60).round())})
    lim = funnel_limits(target.estimate, np.array(grid))
    return Funnel(
        target.estimate, grid, lim.lower_95.tolist(), lim.upper_95.tolist(),
        lim.lower_998.tolist(), lim.upper_998.tolist(), points,
    )  # fmt: skip


def report_build(
    session: Session,
    instrument: Instrument,
    period: Period,
    flt: ResponseFilter | None = None,
    *,
    grouping: str = "unit",
    comment_search: str | None = None,
    comment_limit: int = 500,
    alpha: float = 0.05,
    correction: str = "holm",
    thresholds: Thresholds | None = None,
    filter_lines: list[tuple[Text, Text]] | None = None,
    ranking: Sequence[tuple[str, float]] = INDEX_ONLY,
) -> Report:
    """Build the report for ``period`` and the rest of the filter ``flt``;
    units are ranked by the weighted sum ``ranking`` of their figures
    (composite.py), by default the overall index alone."""
    base = flt or ResponseFilter(instrument=instrument.code)
    base = replace(base, instrument=instrument.code)
    current_filter = replace(base, date_from=period.start, date_to=period.end)
    previous = period.previous()
    step, periods = trend_periods(period)
    # One read for every period the report shows (this one, the previous one,
    # the trend): unit x month sums, each period's figures from its months.
    start = min(previous.start, *(p.start for p in periods), period.start)
    sums = ReportSums(session, instrument, base, start, period.end)
    units_by_id = {u.id: u for u in session.scalars(select(Unit))}
    options = {"alpha": alpha, "correction": correction, "thresholds": thresholds, "units": units_by_id}

    def table_of(p: Period, grouping: str = "unit", by_domain: bool = True):
        within = sums.current.within(p.start, p.end)
        flt_p = replace(base, date_from=p.start, date_to=p.end)
        table = indicator_table_of_moments(
            session, instrument, within.unit_moments(), flt_p, grouping=grouping, by_domain=by_domain, **options
        )
        held = sorted(set(within.unit.tolist()))
        mapping = domain_of_units(session, held, grouping, units_by_id) if by_domain else {}
        domain_of_unit = {u: d.code for u, d in mapping.items() if d is not None}
        # A channel's or a procedure's report, subtracted from the report without
        # that filter, must reveal no small group (disclosure.py).
        rest = None if sums.unfiltered is None else sums.unfiltered.within(p.start, p.end)
        return table_protect(table, within, instrument, p, domain_of_unit, rest), within, domain_of_unit

    table, current_rows, domain_of_unit = table_of(period, grouping)
    current_whole = None if sums.unfiltered is None else sums.unfiltered.within(period.start, period.end)
    before, _, _ = table_of(previous, grouping)
    th = table.thresholds
    summary = []
    for key, name, higher in SUMMARY_KEYS:
        cur, prev = table.total.figures.get(key), before.total.figures.get(key)
        summary.append(
            SummaryLine(key, name, cur, prev, _change(cur, prev, key, alpha), higher, previous_thin(prev, th))
        )
    for element in instrument.elements:
        cur, prev = table.total.figures.get(element.code), before.total.figures.get(element.code)
        change = _change(cur, prev, element.code, alpha, frozenset({element.code}))
        summary.append(SummaryLine(element.code, element.title, cur, prev, change, True, previous_thin(prev, th)))
    unit_keys = unit_columns(instrument)
    composite = is_composite(ranking)
    lines = [
        UnitLine(d.key, d.name, d.level, d.responses, d.clusters, figures_scored(d.figures, ranking))
        for d in table.domains
    ]
    units = units_rank(lines, RANK_KEY if composite else INDEX_KEY)
    words = ranking_words(ranking, dict(unit_keys)) if composite else None
    if words is not None:
        filter_lines = [*(filter_lines or []), (label("report.filter.ranking"), words)]
        unit_keys.append((RANK_KEY, label("report.column.rank_score")))
    units = units_compare(
        units,
        before.domains,
        lambda cur, prev: _change(cur, prev, INDEX_KEY, alpha),
        th,
        lambda d: composite_figure(d.figures, ranking),
    )
    # Targets are set on a unit's own figures for a calendar year: only a year
    # report by unit, on every channel and procedure, shows them.
    whole = grouping == "unit" and base.channel is None and base.procedure is None
    targets = (
        targets_judge(
            session,
            instrument,
            period.start.year,
            {u.code: u.figures for u in units},
            {d.key: d.figures for d in before.domains},
            min_clusters=th.min_clusters,
            alpha=alpha,
            within=base,
        )
        if period.kind == "year" and whole
        else []
    )
    flags = _flags(session, current_filter, instrument, set(current_rows.unit.tolist()))
    if len(domain_of_unit) < len(flags):  # units with excluded responses only
        mapping = domain_of_units(session, sorted(flags), grouping, units_by_id)
        domain_of_unit = {u: d.code for u, d in mapping.items() if d is not None}
    units = _flags_by_line(units, flags, domain_of_unit, th.disclosure_min)
    shown = [k for k, _ in unit_columns(instrument)]
    units = [replace(u, cluster_rules=cluster_rules(u.figures, shown, u.clusters, th.min_clusters)) for u in units]
    flagged, excluded = sum(c.flagged for c in flags.values()), sum(c.excluded for c in flags.values())
    criteria = [
        CriterionLine(
            q.code,
            q.element or "",
            next(e.title for e in instrument.elements if e.code == q.element),
            q.text,
            f,
        )
        for q in instrument.questions
        if q.role is Role.CRITERION and (f := table.total.figures.get(q.code)) is not None
    ]
    # Units holding no unit of the grouping's level (departments when grouping
    # by district) are their own group, named on the report.
    ungrouped = [d.name for d in table.domains if grouping != "unit" and d.level != grouping]
    verified = verified_section(
        session, instrument, sums.channel, base, period, grouping=grouping, options=options, alpha=alpha, thresholds=th,
        counter_responses=sums.counter_responses,
    )  # fmt: skip
    trend = []
    for p in periods:
        t, _, _ = table_of(p, by_domain=False)
        trend.append(TrendPoint(p.label(), p.start, p.end, t.total.responses, t.total.figures))
    return Report(
        title=label("report.title"),
        instrument_key=instrument.key,
        instrument_title=instrument.title,
        period=period,
        previous=previous,
        filter=current_filter,
        filter_lines=[(name, value.vi) for name, value in filter_lines or []],
        generated_at=datetime.now(UTC),
        method=table.method,
        alpha=alpha,
        correction=correction,
        thresholds=th,
        grouping=grouping,
        responses=table.total.responses,
        summary=summary,
        units=units,
        unit_keys=unit_keys,
        criteria=criteria,
        trend=trend,
        trend_step=step,
        comments=_comments(
            session,
            current_filter,
            instrument,
            comment_search,
            comment_limit,
            sums.comment_cells(period, th.disclosure_min) if instrument.with_role(Role.COMMENT) else set(),
        ),
        funnel=_funnel(table),
        method_notes=method_notes(th.reliable_min, th.disclosure_min, correction, th.min_clusters),
        software=software_versions(),
        filters=list(filter_lines or []),
        scale_labels=scale_labels(instrument),
        findings=[
            *report_findings(summary, units, period, previous, th.min_clusters),
            *verified_findings(verified),
            *(flags_statement(flagged, excluded) if table.total.responses or flagged or excluded else []),
        ],
        ungrouped=ungrouped,
        flagged=flagged,
        excluded=excluded,
        verified=verified,
        ranking=words,
        targets=targets,
        expectations=expectations_build(instrument, current_rows, period, th, alpha=alpha, whole=current_whole),
    )


def report_for(
    session: Session,
    registry: dict[str, Instrument],
    request: ReportRequest,
    *,
    comment_limit: int = 300,
    ranking: Sequence[tuple[str, float]] = INDEX_ONLY,
) -> Report:
    """The report a person asked for (dashboard, download or command line),
    its units ranked by ``ranking`` (the ``RANKING_WEIGHTS`` setting).

    Raises
    ------
    InstrumentMissing
        When the request's instrument is not registered.
    app.services.reports.breakdown.BreakdownUnknown
        When the request's ``by`` is no breakdown of the instrument.
    """
    active = instrument_active(session, registry, request.filter.instrument)
    if active is None:
        raise InstrumentMissing(request.filter.instrument)
    # Days changed since the last report are rebuilt now, so the figures below read clusters.
    rollup_refresh(session, active.instrument)
    report = report_build(
        session,
        active.instrument,
        request.period,
        request.filter,
        grouping=request.grouping,
        comment_search=request.search,
        comment_limit=comment_limit,
        filter_lines=filter_lines(session, active.instrument, request.filter, request.grouping),
        ranking=ranking,
    )
    if request.by is None:
        return replace(report, items=items_report(session, active.instrument, request, report.thresholds))
    return replace(report, breakdown=breakdown_report(session, active.instrument, request, report.thresholds))
