"""The report: one data structure that every format renders.

``report_build`` gathers, for a filter and a period, the summary with the
change since the previous period, the units table with verdicts and rank
ranges, each criterion's distribution, the trend, the comments and the
method notes. Renderers (``app/render/report_*.py``) only lay it out, so
JSON, XLSX, CSV, PDF and the dashboard show the same numbers.
"""

from __future__ import annotations

import math
import platform
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib import metadata

import numpy as np
from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import difference_confint, funnel_limits
from app.models import Answer, Response, ServicePoint, Unit
from app.services.aggregates import INDEX_KEY, ResponseFilter, filter_conditions
from app.services.indicators import Figure, IndicatorTable, Thresholds, indicator_table
from app.time import vietnam_today
from surveys import Instrument, Role, Text

PERIOD_KINDS = ("month", "quarter", "year", "custom")


@dataclass(frozen=True)
class Period:
    """An inclusive range of service days."""

    start: date
    end: date
    kind: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind and length just before this one."""
        if self.kind == "month":
            end = self.start - timedelta(days=1)
            return Period(end.replace(day=1), end, "month")
        if self.kind == "quarter":
            end = self.start - timedelta(days=1)
            return Period(date(end.year, (end.month - 1) // 3 * 3 + 1, 1), end, "quarter")
        if self.kind == "year":
            return Period(date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31), "year")
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), "custom")

    def label(self, lang: str = "vi") -> str:
        if self.kind == "month":
            return f"Tháng {self.start.month}/{self.start.year}" if lang == "vi" else f"{self.start:%B %Y}"
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return f"Quý {q}/{self.start.year}" if lang == "vi" else f"Q{q} {self.start.year}"
        if self.kind == "year":
            return f"Năm {self.start.year}" if lang == "vi" else str(self.start.year)
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def period_of(kind: str, on: date, end: date | None = None) -> Period:
    """The month, quarter or year holding ``on``; ``custom`` runs from ``on`` to ``end``.

    Raises
    ------
    ValueError
        For an unknown kind or a custom range that ends before it starts.
    """
    if kind == "month":
        nxt = date(on.year + (on.month == 12), on.month % 12 + 1, 1)
        return Period(on.replace(day=1), nxt - timedelta(days=1), "month")
    if kind == "quarter":
        first = date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
        nxt = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
        return Period(first, nxt - timedelta(days=1), "quarter")
    if kind == "year":
        return Period(date(on.year, 1, 1), date(on.year, 12, 31), "year")
    if kind == "custom":
        if end is None or end < on:
            raise ValueError("a custom period needs an end on or after its start")
        return Period(on, end, "custom")
    raise ValueError(f"unknown period kind {kind!r}; use one of {', '.join(PERIOD_KINDS)}")


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


@dataclass(frozen=True)
class CriterionLine:
    code: str
    element: str
    element_title: Text
    text: Text
    figure: Figure


@dataclass(frozen=True)
class TrendPoint:
    label: str
    start: date
    end: date
    responses: int
    figures: dict[str, Figure]


@dataclass(frozen=True)
class CommentLine:
    """A free-text comment: the day and the unit, nothing about the person."""

    day: date
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


SUMMARY_KEYS = [
    (INDEX_KEY, Text("Chỉ số hài lòng chung", "Overall satisfaction index"), True),
    (
        "overall",
        Text("Tỷ lệ hài lòng chung (câu đánh giá chung)", "Overall satisfaction (overall question)"),
        True,
    ),
    ("harassment", Text("Tỷ lệ bị phiền hà, sách nhiễu", "Harassment rate"), False),
    ("informal_payment", Text("Tỷ lệ phải chi tiền ngoài quy định", "Informal-payment rate"), False),
]


def _change(
    cur: Figure | None, prev: Figure | None, key: str, alpha: float, index_keys: frozenset[str] = frozenset()
) -> Change | None:
    if cur is None or prev is None or cur.estimate is None or prev.estimate is None:
        return None
    if key == INDEX_KEY or key in index_keys:
        # Indices are means of shares: a normal interval from the two design SEs.
        if cur.se is None or prev.se is None:
            return None
        diff = cur.estimate - prev.estimate
        se = math.hypot(cur.se, prev.se)
        z = stats.norm.ppf(1 - alpha / 2)
        p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else (1.0 if diff == 0 else 0.0)
        return Change(float(diff), float(diff - z * se), float(diff + z * se), p, bool(abs(diff) > z * se))
    # Proportions: Newcombe's interval on effective counts, so clustering
    # widens it as it widens each period's own interval.
    n1 = cur.n_eff if cur.n_eff and cur.n_eff > 0 else cur.n
    n2 = prev.n_eff if prev.n_eff and prev.n_eff > 0 else prev.n
    d = difference_confint(cur.estimate * n1, n1, prev.estimate * n2, n2, alpha=alpha)
    lower, upper = float(d.lower), float(d.upper)
    return Change(float(d.difference), lower, upper, float(d.p_value), bool(lower > 0 or upper < 0))


def _bounds(figure: Figure) -> tuple[float, float]:
    """The interval, or the point itself where there is none (df = 0)."""
    assert figure.estimate is not None
    lower = figure.lower if figure.lower is not None else figure.estimate
    upper = figure.upper if figure.upper is not None else figure.estimate
    return lower, upper


def _ranks(units: list[UnitLine]) -> list[UnitLine]:
    """Rank by the overall index; the rank range counts units whose interval
    lies wholly above (or below) this unit's, so overlapping units share ranks."""
    scored = [u for u in units if (f := u.figures.get(INDEX_KEY)) and f.estimate is not None]
    order = sorted(scored, key=lambda u: -u.figures[INDEX_KEY].estimate)
    rank = {u.code: i + 1 for i, u in enumerate(order)}
    bounds = {u.code: _bounds(u.figures[INDEX_KEY]) for u in scored}
    out = []
    for u in units:
        if u.code not in rank:
            out.append(u)
            continue
        lo, hi = bounds[u.code]
        above = sum(1 for code, (o_lo, _) in bounds.items() if code != u.code and o_lo > hi)
        below = sum(1 for code, (_, o_hi) in bounds.items() if code != u.code and o_hi < lo)
        out.append(replace(u, rank=rank[u.code], rank_best=above + 1, rank_worst=len(scored) - below))
    return out


def _trend_periods(period: Period) -> tuple[str, list[Period]]:
    """Months for a period up to a year, quarters beyond; at least the last 12 months."""
    # Months that have not begun yet would only show as empty points.
    end = min(period.end, vietnam_today())
    if end < period.start:
        end = period.end
    start = min(period.start, date(end.year - 1, end.month, 1) + timedelta(days=31))
    start = start.replace(day=1)
    step = "month" if (end - start).days <= 400 else "quarter"
    periods, cursor = [], start
    while cursor <= end:
        p = period_of(step, cursor)
        periods.append(Period(max(p.start, start), min(p.end, end), step))
        cursor = p.end + timedelta(days=1)
    return step, periods


def _comments(session: Session, flt: ResponseFilter, instrument: Instrument, search: str | None, limit: int):
    codes = [q.code for q in instrument.with_role(Role.COMMENT)]
    if not codes:
        return []
    query = (
        select(Response.service_day, Unit.name, ServicePoint.name, Answer.value_text)
        .join(Answer, Answer.response_id == Response.id)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .where(*filter_conditions(session, flt), Answer.question_code.in_(codes), Answer.value_text.is_not(None))
        .order_by(Response.service_day.desc(), Response.id.desc())
        .limit(limit)
    )
    if search:
        query = query.where(Answer.value_text.ilike(f"%{search.strip()}%", escape="\\"))
    return [CommentLine(day, unit, point or "", text) for day, unit, point, text in session.execute(query)]


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


def _software() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for dist in ("flask", "sqlalchemy", "numpy", "scipy", "statsmodels"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # pragma: no cover
            versions[dist] = "?"
    return versions


METHOD_NOTES = [
    (
        Text("Tỷ lệ hài lòng của một tiêu chí", "A criterion's satisfaction rate"),
        Text(
            "Số phiếu đánh giá 4 (Hài lòng) hoặc 5 (Rất hài lòng) chia cho số phiếu trả lời hợp lệ; "
            "câu trả lời “Không áp dụng / Không biết” không tính vào mẫu số và được đếm riêng.",
            "Answers 4 or 5 divided by valid answers; “not applicable / don't know” leaves the "
            "denominator and is counted separately.",
        ),
    ),
    (
        Text("Chỉ số yếu tố và chỉ số chung", "Element index and overall index"),
        Text(
            "Chỉ số một yếu tố là trung bình, trên các người trả lời, của tỷ lệ tiêu chí trong yếu tố "
            "mà người đó hài lòng (trong các tiêu chí đã trả lời). Chỉ số chung là trung bình các chỉ số "
            "yếu tố của từng người.",
            "An element's index is the mean over respondents of the share of that element's criteria "
            "they rated satisfied (among those answered). The overall index is the mean of each "
            "respondent's element shares.",
        ),
    ),
    (
        Text("Tỷ lệ phiền hà, tỷ lệ chi tiền ngoài quy định", "Harassment and informal-payment rates"),
        Text(
            "Số trả lời “Có” chia cho (“Có” + “Không”); số người không muốn trả lời được báo cáo riêng.",
            "“Yes” divided by (“Yes” + “No”); refusals are reported separately.",
        ),
    ),
    (
        Text("Khoảng tin cậy", "Confidence intervals"),
        Text(
            "Phiếu được lấy theo cụm (quầy × ngày) trong từng đơn vị (tầng). Phương sai tính theo "
            "phương pháp tuyến tính hóa Taylor; khoảng tin cậy của tỷ lệ theo Korn–Graubard, của chỉ số "
            "theo phân phối t với bậc tự do = số cụm − số tầng. Kết quả khớp gói survey của R.",
            "Responses are clustered (counter × day) within units (strata). Variance by Taylor "
            "linearisation; Korn–Graubard intervals for rates and t intervals for indices, with "
            "df = clusters − strata. The figures agree with R's survey package.",
        ),
    ),
    (
        Text("So sánh với toàn tỉnh", "Comparison with the province"),
        Text(
            "Mỗi đơn vị được kiểm định so với tỷ lệ chung; p-value hiệu chỉnh {correction_vi} giữa các đơn vị. "
            "Kết luận: tốt hơn / không khác biệt có ý nghĩa / kém hơn.",
            "Each unit is tested against the overall figure; p-values are {correction_en}-adjusted across units. "
            "Verdict: better / not distinguishable / worse.",
        ),
    ),
    (
        Text("Thay đổi so với kỳ trước", "Change since the previous period"),
        Text(
            "Khoảng tin cậy Newcombe (phương pháp 10) cho hiệu hai tỷ lệ, tính trên cỡ mẫu hiệu dụng; "
            "chỉ số: khoảng chuẩn từ sai số chuẩn của hai kỳ.",
            "Newcombe's interval (method 10) for the difference of two rates, on effective sample "
            "sizes; indices: a normal interval from both periods' standard errors.",
        ),
    ),
    (
        Text("Mẫu nhỏ", "Small samples"),
        Text(
            "Mỗi số liệu kèm n và cỡ mẫu hiệu dụng. Dưới {reliable} phiếu: đánh dấu “độ tin cậy thấp”. "
            "Dưới {disclosure} phiếu: không công bố để bảo vệ người trả lời.",
            "Every figure carries n and the effective sample size. Fewer than {reliable}: flagged as "
            "unreliable. Fewer than {disclosure}: not published, to protect respondents.",
        ),
    ),
]


CORRECTION_NAMES = {"holm": "Holm", "bh": "Benjamini–Hochberg", "none": "(không / none)"}


def unit_columns(instrument: Instrument) -> list[tuple[str, Text]]:
    cols = [(INDEX_KEY, Text("Chỉ số chung", "Overall index"))]
    cols += [(e.code, e.title) for e in instrument.elements]
    cols += [
        ("overall", Text("Hài lòng chung", "Overall satisfaction")),
        ("harassment", Text("Phiền hà", "Harassment")),
        ("informal_payment", Text("Chi ngoài quy định", "Informal payment")),
    ]
    return cols


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
    filter_lines: list[tuple[Text, str]] | None = None,
) -> Report:
    """Build the report for ``period`` and the rest of the filter ``flt``."""
    base = flt or ResponseFilter(instrument=instrument.code)
    base = replace(base, instrument=instrument.code)
    current_filter = replace(base, date_from=period.start, date_to=period.end)
    previous = period.previous()
    options = {"alpha": alpha, "correction": correction, "thresholds": thresholds}
    table = indicator_table(session, instrument, current_filter, grouping=grouping, **options)
    previous_filter = replace(base, date_from=previous.start, date_to=previous.end)
    before = indicator_table(session, instrument, previous_filter, grouping=grouping, **options)
    summary = []
    for key, label, higher in SUMMARY_KEYS:
        cur, prev = table.total.figures.get(key), before.total.figures.get(key)
        summary.append(SummaryLine(key, label, cur, prev, _change(cur, prev, key, alpha), higher))
    for element in instrument.elements:
        cur, prev = table.total.figures.get(element.code), before.total.figures.get(element.code)
        change = _change(cur, prev, element.code, alpha, frozenset({element.code}))
        summary.append(SummaryLine(element.code, element.title, cur, prev, change))
    units = _ranks([UnitLine(d.key, d.name, d.level, d.responses, d.clusters, d.figures) for d in table.domains])
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
    step, periods = _trend_periods(period)
    trend = []
    for p in periods:
        t = indicator_table(session, instrument, replace(base, date_from=p.start, date_to=p.end), **options)
        trend.append(TrendPoint(p.label(), p.start, p.end, t.total.responses, t.total.figures))
    th = table.thresholds
    words = {
        "reliable": th.reliable_min,
        "disclosure": th.disclosure_min,
        "correction_vi": CORRECTION_NAMES[correction],
        "correction_en": CORRECTION_NAMES[correction],
    }
    notes = [(term, Text(text.vi.format(**words), text.en.format(**words))) for term, text in METHOD_NOTES]
    return Report(
        title=Text("Báo cáo kết quả khảo sát sự hài lòng", "Satisfaction survey report"),
        instrument_key=instrument.key,
        instrument_title=instrument.title,
        period=period,
        previous=previous,
        filter=current_filter,
        filter_lines=filter_lines or [],
        generated_at=datetime.now(UTC),
        method=table.method,
        alpha=alpha,
        correction=correction,
        thresholds=th,
        grouping=grouping,
        responses=table.total.responses,
        summary=summary,
        units=units,
        unit_keys=unit_columns(instrument),
        criteria=criteria,
        trend=trend,
        trend_step=step,
        comments=_comments(session, current_filter, instrument, comment_search, comment_limit),
        funnel=_funnel(table),
        method_notes=notes,
        software=_software(),
    )


LEVEL_NAMES = {
    "province": Text("Tỉnh", "Province"),
    "department": Text("Sở, ngành", "Department"),
    "district": Text("Huyện, thị xã, thành phố", "District"),
    "commune": Text("Xã, phường, thị trấn", "Commune"),
}
CHANNEL_NAMES = {
    "qr": Text("Mã QR tại quầy", "QR code at the counter"),
    "tablet": Text("Máy tính bảng", "Tablet"),
    "paper": Text("Phiếu giấy", "Paper"),
    "kiosk": Text("Ki-ốt", "Kiosk"),
}
GROUPING_NAMES = {"unit": Text("Từng đơn vị", "Each unit"), **LEVEL_NAMES}


def filter_lines(
    session: Session, instrument: Instrument, flt: ResponseFilter, grouping: str
) -> list[tuple[Text, str]]:
    """The filter in words, for the cover of a report."""
    lines: list[tuple[Text, str]] = [(Text("Bộ câu hỏi", "Instrument"), instrument.title.vi)]
    unit = session.scalar(select(Unit).where(Unit.code == flt.unit_code)) if flt.unit_code else None
    lines.append((Text("Phạm vi", "Scope"), f"{unit.name} ({unit.code})" if unit else "Toàn bộ / All units"))
    if flt.level:
        lines.append((Text("Cấp đơn vị", "Unit level"), LEVEL_NAMES[flt.level].vi))
    if flt.procedure is not None:
        q = next(iter(instrument.with_role(Role.PROCEDURE)), None)
        label = q.scale.label(flt.procedure) if q is not None and q.scale is not None else None
        lines.append((Text("Lĩnh vực", "Procedure field"), label.vi if label else str(flt.procedure)))
    if flt.channel:
        lines.append((Text("Kênh", "Channel"), CHANNEL_NAMES[flt.channel].vi))
    lines.append((Text("Nhóm theo", "Grouped by"), GROUPING_NAMES[grouping].vi))
    return lines
