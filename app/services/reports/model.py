"""The report as plain data: what every renderer (JSON, XLSX, CSV, PDF, the
dashboard) lays out, and the only module of the services the renderers import.

``Figure`` and ``Thresholds`` come from the indicator table; ``INDEX_KEY``
names the overall index among a domain's figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.services.aggregates import INDEX_KEY
from app.services.indicators import VERDICT_KEYS, Figure, Thresholds
from app.services.reports.periods import Period
from app.services.response_filter import ResponseFilter
from surveys import Text

__all__ = [
    "INDEX_KEY",
    "VERDICT_KEYS",
    "Breakdown",
    "BreakdownLine",
    "Change",
    "CommentLine",
    "CriterionLine",
    "ExpectationLine",
    "Expectations",
    "Figure",
    "Funnel",
    "FunnelPoint",
    "Period",
    "Report",
    "ReportRequest",
    "SummaryLine",
    "Thresholds",
    "TrendPoint",
    "UnitLine",
    "VerifiedSection",
]


@dataclass(frozen=True)
class Classification:
    """How a target stands: ``status`` (one of ``STATUSES``) and what it rests on."""

    status: str
    #: what the estimate is compared with: a proportion (level) or a difference (rise); None if not assessable
    goal: float | None = None
    #: for a rise: this year's estimate minus last year's, with its interval
    change: float | None = None
    change_lower: float | None = None
    change_upper: float | None = None
    #: why a target is not assessable: ``no_estimate``, ``suppressed``, ``too_few_clusters``,
    #: and the same with ``previous_`` for last year's figure of a rise
    reason: str | None = None


@dataclass(frozen=True)
class TargetProgress:
    """One target with the figures it is judged on and its classification."""

    target_id: int
    year: int
    unit_code: str
    unit_name: str
    unit_level: str
    indicator: str
    indicator_label: Text
    kind: str
    value: float
    note: str | None
    #: the year's published figure of the unit (None: no responses)
    current: Figure | None
    #: the previous year's (rise targets)
    previous: Figure | None
    classification: Classification


@dataclass(frozen=True)
class ReportRequest:
    """What a person asked for: a period, a filter, a grouping and a comment search."""

    period: Period
    filter: ResponseFilter
    grouping: str
    search: str | None
    #: a question code or "channel": the breakdown to add (None: none)
    by: str | None = None


@dataclass(frozen=True)
class Change:
    """Current minus previous, with Newcombe's interval (proportions) or a
    normal interval from the design SEs (indices)."""

    difference: float
    lower: float
    upper: float
    p_value: float
    #: the interval excludes zero
    significant: bool


@dataclass(frozen=True)
class SummaryLine:
    key: str
    label: Text
    current: Figure | None
    previous: Figure | None
    change: Change | None
    #: False for harassment and informal payments, where lower is better
    higher_is_better: bool = True
    #: the previous period is too thin to compare with (see ``UnitLine.previous_thin``)
    previous_thin: bool = False


@dataclass(frozen=True)
class UnitLine:
    code: str
    name: str
    level: str
    responses: int
    clusters: int
    figures: dict[str, Figure]
    #: rank by the overall index among units with an estimate (1 = best)
    rank: int | None = None
    #: the ranks the unit could hold given the intervals: best and worst
    rank_best: int | None = None
    rank_worst: int | None = None
    #: the overall index of the previous period, its responses, and the change
    previous: Figure | None = None
    previous_responses: int = 0
    change: Change | None = None
    #: rank in the previous period among the units of the same level, and the
    #: places gained (positive: "tăng bậc") or lost since
    previous_rank: int | None = None
    rank_change: int | None = None
    #: the previous period is too thin to compare with (fewer answers than the
    #: reliability threshold, or too few clusters for a verdict)
    previous_thin: bool = False
    #: responses of the period the anomaly flags point at (still counted) and
    #: responses an administrator excluded (counted nowhere); None where the
    #: unit holds fewer responses than the disclosure threshold
    flagged: int | None = None
    excluded: int | None = None
    #: marks of the few-cluster rules that applied to the line's published
    #: figures (app/services/reports/cluster_rules.py): "§" too few clusters
    #: for a verdict, "‡" design effect floored at 1, "°" a deff-1 interval
    #: for an estimate of 0 % or 100 %; "" where none did
    cluster_rules: str = ""


@dataclass(frozen=True)
class CriterionLine:
    code: str
    element: str
    element_title: Text
    text: Text
    figure: Figure


@dataclass(frozen=True)
class RateLine:
    """A unit's response rate: its counters' responses over the dossiers
    they received in the period (imported counts, else registrations)."""

    code: str
    name: str
    responses: int
    dossiers: int
    #: responses / dossiers; None without dossiers or when suppressed
    rate: float | None
    #: fewer responses than the disclosure threshold: the rate is not published
    suppressed: bool = False


@dataclass(frozen=True)
class RatingShare:
    """The share of one level of the per-dossier rating, with its
    design-based interval (clusters: counter × day)."""

    level: int
    label: Text
    count: int
    estimate: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class VerifiedLine:
    """A unit's verified (dossier-tied) against open QR responses."""

    code: str
    name: str
    #: the headline index among open QR (channel ``qr``) and verified responses
    open: Figure | None
    verified: Figure | None
    #: open minus verified, with its interval (None when either is not published)
    gap: Change | None
    #: the staff-stuffing signature: open significantly above verified by at least ``VerifiedSection.gap_min``
    flagged: bool
    #: the per-dossier rating: responses rating, and each level's share
    ratings: int = 0
    shares: list[RatingShare] = field(default_factory=list)


@dataclass(frozen=True)
class VerifiedSection:
    """Response rate and the verified/open comparison of a report."""

    rates: list[RateLine]
    lines: list[VerifiedLine]
    #: every unit of the filter together
    total: VerifiedLine
    total_rate: RateLine
    #: the smallest open-minus-verified gap that is flagged (a share, e.g. 0.10)
    gap_min: float


@dataclass(frozen=True)
class TrendPoint:
    label: str
    start: date
    end: date
    responses: int
    figures: dict[str, Figure]


@dataclass(frozen=True)
class CommentLine:
    """A free-text comment: the month (its first day) and the counter, nothing
    about the person; only from a counter × month holding enough responses."""

    month: date
    unit: str
    service_point: str
    text: str


@dataclass(frozen=True)
class FunnelPoint:
    code: str
    name: str
    n: int
    estimate: float


@dataclass(frozen=True)
class Funnel:
    """Funnel plot of the overall index by unit around the total."""

    target: float
    n: list[int]
    lower_95: list[float]
    upper_95: list[float]
    lower_998: list[float]
    upper_998: list[float]
    points: list[FunnelPoint]


@dataclass(frozen=True)
class BreakdownLine:
    """One category of a breakdown (or their total, ``code`` "*")."""

    code: str
    label: Text
    #: None where fewer than the disclosure threshold answered
    responses: int | None
    clusters: int
    figures: dict[str, Figure]


@dataclass(frozen=True)
class Breakdown:
    """The main indicators by category of one question or the channel: each
    category a domain of the report's cluster design (app/services/reports/breakdown.py)."""

    by: str
    title: Text
    #: figure keys in column order, with their labels
    keys: list[tuple[str, Text]]
    total: BreakdownLine
    lines: list[BreakdownLine]
    #: keys whose figures are means of a number (visits to the office), not rates
    means: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExpectationLine:
    """One option of the expectations question (which improvements the
    citizen wants most): the share of the respondents who answered the
    question who chose it (app/services/reports/expectations.py)."""

    code: int
    label: Text
    #: the share with its Korn–Graubard interval; ``figure.n`` is the
    #: respondents who answered the question (the domain); hidden as every figure
    figure: Figure
    #: respondents who chose the option; None where the share is not published
    chosen: int | None


@dataclass(frozen=True)
class Expectations:
    """The expectations module of a report: every option of the instrument's
    multi-select expectations question over the whole filter, in the order of its scale."""

    question: str
    text: Text
    #: responses of the filter and period, and their clusters
    responses: int
    clusters: int
    #: respondents who answered the question; None where fewer than the disclosure threshold
    answered: int | None
    lines: list[ExpectationLine]
    #: at most this many options per respondent (None: no limit): shares add up to more than 100 %
    max_choices: int | None = None


@dataclass(frozen=True)
class Report:
    """Everything a report shows. Fields are plain data; renderers lay them out."""

    title: Text
    instrument_key: str
    instrument_title: Text
    period: Period
    previous: Period
    filter: ResponseFilter
    #: human-readable filter, (label, value) pairs in Vietnamese and English
    filter_lines: list[tuple[Text, str]]
    generated_at: datetime
    method: str
    alpha: float
    correction: str
    thresholds: Thresholds
    grouping: str
    responses: int
    summary: list[SummaryLine]
    units: list[UnitLine]
    #: the figure keys of the units table, in column order, with their labels
    unit_keys: list[tuple[str, Text]]
    criteria: list[CriterionLine]
    trend: list[TrendPoint]
    trend_step: str
    comments: list[CommentLine]
    funnel: Funnel | None
    method_notes: list[tuple[Text, Text]]
    software: dict[str, str] = field(default_factory=dict)
    #: the filter in words with every value in every language, for the renderers
    #: (``filter_lines`` carries the same lines with the Vietnamese values)
    filters: list[tuple[Text, Text]] = field(default_factory=list)
    #: plain-language findings (largest changes, units significantly worse,
    #: harassment and informal-payment hot spots), most important first
    findings: list[Text] = field(default_factory=list)
    #: units of the filter that hold no unit of the grouping's level, shown as
    #: themselves (e.g. departments when grouping by district)
    ungrouped: list[str] = field(default_factory=list)
    #: response rate and verified against open QR responses by unit (issue 16.4)
    verified: VerifiedSection | None = None
    #: the rating levels counted in a criterion's ``Figure.distribution``
    #: (codes 1–5), each with its label from the instrument's scale
    scale_labels: list[tuple[int, Text]] = field(default_factory=list)
    #: responses of the filter and period the anomaly flags point at (still
    #: counted), and those excluded from every figure by an administrator
    flagged: int = 0
    excluded: int = 0
    #: the main indicators by category of one variable (``?by=``), or None
    breakdown: Breakdown | None = None
    #: the expectations module (instruments with a multi-select expectations question), or None
    expectations: Expectations | None = None
    #: without a breakdown: the perception items (and number questions) over the
    #: whole filter, for instruments that have perception items; else None
    items: Breakdown | None = None
    #: the composite score units are ranked by, in words (``RANKING_WEIGHTS``);
    #: None when they are ranked by the overall index alone
    ranking: Text | None = None
    #: in a year report grouped by unit: the year's targets of the units in
    #: the table, judged on the table's figures (app/services/reports/target_progress.py)
    targets: list[TargetProgress] = field(default_factory=list)
