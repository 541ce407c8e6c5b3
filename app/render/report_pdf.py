"""The report as a print-ready A4 PDF for the steering committee.

Pure layout: a :class:`~app.services.reports.Report` goes in, PDF bytes come
out; nothing here computes a statistic. Vietnamese by default, English with
``lang="en"``. The document, in order:

1. cover: department, title, questionnaire, period and the period compared
   with, the filter, the number of responses, the data snapshot time (UTC+7)
   and the three headline figures;
2. summary table with intervals and the change since the previous period,
   then the units ranked by the overall index (dot and whisker chart);
3. funnel plot and the trend (index; harassment and informal payments);
4. the units table (landscape pages);
5. the criteria with their answer distributions;
6. citizens' comments, newest first, printed as plain text;
7. the method: definitions, parameters, software versions.

Every page carries the period in the header and "Trang x/y" in the footer.
Text is set in DejaVu Sans, embedded, so Vietnamese prints the same anywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

from fpdf import FPDF
from fpdf.enums import PageOrientation, TableBordersLayout, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from app.render import charts
from app.render.charts import GREEN, GREY, INK, NAVY, RED, IntervalRow, Series, finite
from app.render.poster import FONT_DIR
from app.services.indicators import Figure
from app.services.reports import Period, Report, SummaryLine, TrendPoint, UnitLine
from surveys import Text

__all__ = ["COMMENTS_MAX", "report_pdf"]

#: Comments printed at most; the report says how many more there are.
COMMENTS_MAX = 200
#: A comment longer than this is cut (with an ellipsis) so a row fits a page.
COMMENT_CHARS = 1500

VIETNAM = timezone(timedelta(hours=7))
MARGIN = 15.0
MARGIN_LANDSCAPE = 12.0
BOTTOM = 16.0
FONT = charts.FONT
DASH = "—"
LIGHT = (238, 242, 248)
ZEBRA = (247, 247, 247)
UNRELIABLE = (140, 140, 140)
#: Unicode categories dropped from free text: controls, format, unassigned, surrogates, private use.
INVISIBLE = frozenset({"Cc", "Cf", "Cn", "Cs", "Co"})
LEVEL_COLORS = [(190, 30, 45), (236, 140, 120), (205, 205, 205), (130, 190, 140), (20, 120, 55)]


def _t(vi: str, en: str) -> Text:
    return Text(vi, en)


L = {
    "department": _t("SỞ NỘI VỤ", "DEPARTMENT OF HOME AFFAIRS (SỞ NỘI VỤ)"),
    "dept_short": _t("Sở Nội vụ", "Department of Home Affairs"),
    "period": _t("Kỳ báo cáo", "Reporting period"),
    "previous": _t("Kỳ so sánh", "Compared with"),
    "responses": _t("Số phiếu khảo sát", "Responses"),
    "snapshot": _t("Dữ liệu tại thời điểm", "Data as of"),
    "instrument": _t("Bộ câu hỏi", "Questionnaire"),
    "page": _t("Trang", "Page"),
    "no_data": _t("Không có dữ liệu", "No data"),
    "cover_note": _t(
        "Mọi số liệu là ước lượng kèm khoảng tin cậy {level}%; cách tính ở trang Phương pháp.",
        "Every figure is an estimate with its {level}% confidence interval; see the Method page.",
    ),
    "vs_previous": _t("so với kỳ trước", "vs previous period"),
    "pp": _t("điểm %", "pts"),
    "s_summary": _t("1. Kết quả chung", "1. Summary"),
    "s_units_chart": _t("2. Chỉ số hài lòng chung theo đơn vị", "2. Overall index by unit"),
    "s_funnel": _t("3. Biểu đồ phễu: chỉ số chung theo cỡ mẫu", "3. Funnel plot: overall index by sample size"),
    "s_trend": _t("4. Diễn biến theo thời gian", "4. Trend"),
    "s_units": _t("5. Kết quả theo đơn vị", "5. Results by unit"),
    "s_criteria": _t("6. Kết quả theo tiêu chí", "6. Results by criterion"),
    "s_distribution": _t("Phân bố mức đánh giá theo tiêu chí", "Distribution of ratings by criterion"),
    "s_comments": _t("7. Ý kiến của người dân, tổ chức", "7. Comments from citizens"),
    "s_method": _t("8. Phương pháp", "8. Method"),
    "continued": _t("(tiếp)", "(continued)"),
    "indicator": _t("Chỉ số", "Indicator"),
    "estimate": _t("Kỳ này", "This period"),
    "interval": _t("KTC {level}%", "{level}% CI"),
    "n": _t("Số phiếu", "n"),
    "prev_value": _t("Kỳ trước", "Previous"),
    "change": _t("Thay đổi (điểm %) [KTC]", "Change (pts) [CI]"),
    "elements": _t("Chỉ số theo yếu tố", "Element indices"),
    "legend_summary": _t(
        "▲/▼: thay đổi có ý nghĩa thống kê (khoảng tin cậy không chứa 0); xanh: tốt lên, đỏ: xấu đi. "
        "*: độ tin cậy thấp (dưới {reliable} phiếu). {dash}: không công bố (dưới {disclosure} phiếu) "
        "hoặc không có dữ liệu.",
        "▲/▼: significant change (the interval excludes 0); green: better, red: worse. "
        "*: low reliability (fewer than {reliable} answers). {dash}: not published (fewer than "
        "{disclosure} answers) or no data.",
    ),
    "overall_ref": _t("Chung", "Overall"),
    "axis_index": _t("Chỉ số hài lòng chung và khoảng tin cậy {level}%", "Overall index with {level}% CI"),
    "better": _t("Tốt hơn", "Better"),
    "same": _t("Không khác biệt", "Not distinguishable"),
    "worse": _t("Kém hơn", "Worse"),
    "unreliable": _t("Độ tin cậy thấp", "Low reliability"),
    "legend_units": _t(
        "Màu theo kết luận so với mức chung (kiểm định, hiệu chỉnh {correction}); đơn vị độ tin cậy thấp tô xám.",
        "Colour by verdict against the overall figure ({correction}-adjusted tests); units with low "
        "reliability in grey.",
    ),
    "hidden_units": _t(
        "Không vẽ {hidden} đơn vị không đủ số phiếu để công bố.",
        "{hidden} units with too few responses to publish are not shown.",
    ),
    "funnel_x": _t("Cỡ mẫu hiệu dụng (n hiệu dụng)", "Effective sample size (n_eff)"),
    "funnel_y": _t("Chỉ số hài lòng chung", "Overall index"),
    "target": _t("Mức chung", "Overall"),
    "limit_95": _t("Giới hạn 95%", "95% limits"),
    "limit_998": _t("Giới hạn 99,8%", "99.8% limits"),
    "inside": _t("Trong giới hạn", "Within limits"),
    "outside_95": _t("Ngoài 95%", "Outside 95%"),
    "above_998": _t("Cao hơn 99,8% (ghi tên)", "Above 99.8% (named)"),
    "below_998": _t("Thấp hơn 99,8% (ghi tên)", "Below 99.8% (named)"),
    "trend_index": _t("Chỉ số hài lòng chung", "Overall index"),
    "trend_band": _t("Khoảng tin cậy {level}%", "{level}% CI"),
    "harassment": _t("Tỷ lệ bị phiền hà, sách nhiễu", "Harassment rate"),
    "informal": _t("Tỷ lệ phải chi tiền ngoài quy định", "Informal-payment rate"),
    "rate": _t("Tỷ lệ", "Rate"),
    "trend_note": _t(
        "Số dưới mỗi kỳ: số phiếu. Kỳ không có phiếu để trống.",
        "Numbers under each period: responses. Periods without responses are left blank.",
    ),
    "code": _t("Mã", "Code"),
    "unit": _t("Đơn vị", "Unit"),
    "verdict": _t("Kết luận", "Verdict"),
    "rank": _t("Hạng (khoảng)", "Rank (range)"),
    "legend_table": _t(
        "Chỉ số chung kèm khoảng tin cậy {level}%. Kết luận: chỉ số chung so với mức chung (hiệu chỉnh "
        "{correction}); màu chữ đỏ/xanh ở các cột khác: kém hơn/tốt hơn có ý nghĩa. Hạng (khoảng): "
        "các hạng đơn vị có thể đạt khi tính đến khoảng tin cậy. *: độ tin cậy thấp (dưới {reliable} "
        "phiếu). {dash}: không công bố (dưới {disclosure} phiếu) hoặc không có dữ liệu.",
        "Overall index with its {level}% CI. Verdict: overall index against the overall figure "
        "({correction}-adjusted); red/green text elsewhere: significantly worse/better. Rank (range): "
        "the ranks the unit could hold given the intervals. *: low reliability (fewer than {reliable} "
        "answers). {dash}: not published (fewer than {disclosure} answers) or no data.",
    ),
    "criterion": _t("Tiêu chí", "Criterion"),
    "satisfied": _t("Hài lòng", "Satisfied"),
    "na": _t("KAD/KB", "N/A"),
    "legend_criteria": _t(
        "Hài lòng: tỷ lệ đánh giá 4 hoặc 5 trên số trả lời hợp lệ. Cột 1–5: tỷ lệ từng mức trên số trả "
        "lời hợp lệ. KAD/KB: số trả lời “Không áp dụng / Không biết” (không tính vào mẫu số).",
        "Satisfied: share rating 4 or 5 among valid answers. Columns 1–5: share of each level among "
        "valid answers. N/A: answers “not applicable / don't know” (outside the denominator).",
    ),
    "levels": _t(
        "1 Rất không hài lòng|2 Không hài lòng|3 Bình thường|4 Hài lòng|5 Rất hài lòng",
        "1 Very dissatisfied|2 Dissatisfied|3 Neutral|4 Satisfied|5 Very satisfied",
    ),
    "date": _t("Ngày", "Date"),
    "unit_point": _t("Đơn vị / quầy", "Unit / counter"),
    "comment": _t("Ý kiến", "Comment"),
    "comments_more": _t(
        "Hiển thị {shown} ý kiến mới nhất trong số {total} ý kiến của báo cáo.",
        "Showing the {shown} newest of the report's {total} comments.",
    ),
    "comments_note": _t(
        "Ý kiến được in nguyên văn, không chỉnh sửa; không kèm thông tin nhận dạng người trả lời.",
        "Comments are printed verbatim; nothing identifies the respondent.",
    ),
    "parameters": _t("Tham số", "Parameters"),
    "p_method": _t("Khoảng tin cậy của tỷ lệ", "Interval for rates"),
    "p_alpha": _t("Mức ý nghĩa", "Significance level"),
    "p_correction": _t("Hiệu chỉnh so sánh nhiều đơn vị", "Multiple-comparison correction"),
    "p_reliable": _t("Ngưỡng độ tin cậy", "Reliability threshold"),
    "p_disclosure": _t("Ngưỡng công bố", "Disclosure threshold"),
    "p_grouping": _t("Nhóm đơn vị", "Unit grouping"),
    "p_trend": _t("Bước thời gian của diễn biến", "Trend step"),
    "p_software": _t("Phần mềm", "Software"),
    "below_flag": _t("dưới {n} phiếu: đánh dấu *", "fewer than {n} answers: flagged *"),
    "below_hide": _t("dưới {n} phiếu: không công bố ({dash})", "fewer than {n} answers: not published ({dash})"),
    "alpha_value": _t("α = {alpha:g} (khoảng tin cậy {level}%)", "α = {alpha:g} ({level}% intervals)"),
    "month": _t("tháng", "month"),
    "quarter": _t("quý", "quarter"),
}
METHODS = {"beta": "Korn–Graubard (beta)", "logit": "logit (svyciprop)"}
CORRECTIONS = {"holm": "Holm", "bh": "Benjamini–Hochberg", "none": "—"}
GROUPINGS = {
    "unit": _t("Từng đơn vị (phiếu của chính đơn vị)", "Each unit (its own responses)"),
    "department": _t("Sở, ngành (gồm đơn vị trực thuộc)", "Departments (with the units below)"),
    "district": _t("Cấp huyện (gồm các xã trực thuộc)", "Districts (with their communes)"),
    "commune": _t("Cấp xã", "Communes"),
    "province": _t("Cấp tỉnh", "Province"),
}


# --------------------------------------------------------------------------- formatting


def pct(value: float | None) -> str:
    """A proportion as a percentage with one decimal: 0.7273 → "72.7%"; missing → "—"."""
    value = finite(value)
    return DASH if value is None else f"{value * 100:.1f}%"


def interval(lower: float | None, upper: float | None) -> str:
    """The interval as "70.1–75.2%", or "" when either end is missing."""
    lower, upper = finite(lower), finite(upper)
    return "" if lower is None or upper is None else f"{lower * 100:.1f}–{upper * 100:.1f}%"


def points(value: float) -> str:
    """A difference in percentage points with its sign: +0.8, −2.3."""
    s = f"{value * 100:+.1f}"
    return s.replace("-", "−") if s not in ("+0.0", "-0.0") else "0.0"


def count(n: int | None) -> str:
    if n is None:
        return DASH
    return f"{n:,}".replace(",", "\u202f") if n >= 10_000 else str(n)


def figure_text(figure: Figure | None) -> str:
    """The estimate as printed in tables: "72.7%", "72.7%*" when unreliable, "—"."""
    if figure is None or finite(figure.estimate) is None:
        return DASH
    return pct(figure.estimate) + ("" if figure.reliable else "*")


def snapshot(moment: datetime) -> str:
    """The data snapshot in Vietnam time: "22/11/2026 06:37"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(VIETNAM):%d/%m/%Y %H:%M}"


def _verdict_color(figure: Figure | None) -> tuple[int, int, int]:
    if figure is None or figure.verdict not in ("better", "worse"):
        return INK
    return GREEN if figure.verdict == "better" else RED


# --------------------------------------------------------------------------- document


class _Document(FPDF):
    """A4 with the running header (title, period) and footer (page x/y)."""

    def __init__(self, report: Report, lang: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.lang = lang
        self.running_title = report.title.get(lang)
        self.running_period = report.period.label(lang)
        self.running_snapshot = f"{L['dept_short'].get(lang)} · {snapshot(report.generated_at)}"
        self.glyphs: set[int] = set()
        self.set_margins(MARGIN, 18, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.alias_nb_pages()
        self.set_title(f"{self.running_title} – {self.running_period}")
        self.set_creator("app.render.report_pdf")
        self.set_lang("en" if lang == "en" else "vi")

    def fonts_load(self) -> None:
        """Register DejaVu Sans; call inside the try whose finally closes the fonts."""
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        regular, bold = (self.fonts[key] for key in (FONT.lower(), FONT.lower() + "B"))
        self.glyphs = set(regular.cmap) & set(bold.cmap)

    def portrait(self, new_page: bool = True) -> None:
        """Start a portrait page; with ``new_page`` False, only if this one is landscape."""
        if new_page or self.cur_orientation is not PageOrientation.PORTRAIT:
            self.set_margins(MARGIN, 18, MARGIN)
            self.add_page(orientation="P")

    def landscape(self, new_page: bool = True) -> None:
        if new_page or self.cur_orientation is not PageOrientation.LANDSCAPE:
            self.set_margins(MARGIN_LANDSCAPE, 18, MARGIN_LANDSCAPE)
            self.add_page(orientation="L")

    def header(self) -> None:
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, 8)
        width = self.w - self.l_margin - self.r_margin
        self.cell(width / 2, 4, self.running_title, align="L")
        self.cell(width / 2, 4, self.running_period, align="R")
        self.set_draw_color(*NAVY)
        self.set_line_width(0.3)
        self.line(self.l_margin, 12.5, self.w - self.r_margin, 12.5)
        self.set_xy(self.l_margin, 18)

    def footer(self) -> None:
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY)
        self.set_draw_color(200, 200, 200)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.h - 11.5, self.w - self.r_margin, self.h - 11.5)
        self.set_xy(self.l_margin, self.h - 11)
        width = self.w - self.l_margin - self.r_margin
        self.cell(width / 2, 4, self.running_snapshot, align="L")
        self.cell(width / 2, 4, f"{L['page'].get(self.lang)} {self.page_no()}/{{nb}}", align="R")

    @property
    def content_w(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def room(self) -> float:
        return self.page_break_trigger - self.get_y()

    def clean(self, value: object) -> str:
        """Plain printable text: NFC (decomposed Vietnamese prints badly),
        no control characters, and a box for glyphs the font lacks."""
        s = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
        out = []
        for ch in s:
            if ch in "\n\t":
                out.append(" " if ch == "\t" else ch)
            elif unicodedata.category(ch) in INVISIBLE:
                continue
            else:
                out.append(ch if ord(ch) in self.glyphs else "□")
        return "".join(out)

    def heading(self, title: str, need: float = 40.0) -> None:
        """A section title, moved to a new page when less than ``need`` mm follow it."""
        if self.room() < need + 10:
            self.add_page(same=True)
        self.ln(2)
        self.set_font(FONT, "B", 12)
        self.set_text_color(*NAVY)
        self.multi_cell(0, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def note(self, text: str, size: float = 7.5, color: tuple[int, int, int] = GREY) -> None:
        self.set_font(FONT, "", size)
        self.set_text_color(*color)
        self.multi_cell(0, size * 0.45, self.clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def no_data(self, height: float = 20.0) -> None:
        if self.room() < height:
            self.add_page(same=True)
        charts.no_data(self, self.l_margin, self.get_y(), self.content_w, height, L["no_data"].get(self.lang))
        self.set_y(self.get_y() + height + 3)


def report_pdf(report: Report, lang: str = "vi") -> bytes:
    """Render ``report`` as an A4 PDF in ``lang`` ("vi" or "en") and return its bytes."""
    lang = "en" if lang == "en" else "vi"
    pdf = _Document(report, lang)
    try:
        pdf.fonts_load()
        _cover(pdf, report)
        pdf.portrait()
        _summary(pdf, report)
        _units_chart(pdf, report)
        _funnel(pdf, report)
        _trend(pdf, report)
        # A section without data is a one-line note: no page of its own.
        if report.units:
            pdf.landscape()
        _units_table(pdf, report)
        pdf.portrait(new_page=bool(report.criteria))
        _criteria(pdf, report)
        pdf.portrait(new_page=bool(report.comments))
        _comments(pdf, report)
        pdf.portrait()
        _method(pdf, report)
        return bytes(pdf.output())
    finally:
        # fpdf2 closes only the fonts it embedded, and only when output()
        # runs; close them all so no file handle leaks on an error.
        for font in pdf.fonts.values():
            font.close()


def _tr(pdf: _Document, key: str, **values: object) -> str:
    text = L[key].get(pdf.lang)
    return text.format(**values) if values else text


def _level(report: Report) -> str:
    return f"{(1 - report.alpha) * 100:g}"


def _legend_values(report: Report) -> dict[str, object]:
    return {
        "level": _level(report),
        "reliable": report.thresholds.reliable_min,
        "disclosure": report.thresholds.disclosure_min,
        "correction": CORRECTIONS.get(report.correction, report.correction),
        "dash": DASH,
    }


def _summary_line(report: Report, key: str) -> SummaryLine | None:
    return next((s for s in report.summary if s.key == key), None)


# --------------------------------------------------------------------------- cover


def _cover(pdf: _Document, report: Report) -> None:
    lang = pdf.lang
    pdf.portrait()
    pdf.set_y(30)
    pdf.set_font(FONT, "B", 13)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(0, 6, _tr(pdf, "department"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.4)
    pdf.line(pdf.w / 2 - 20, pdf.get_y() + 2, pdf.w / 2 + 20, pdf.get_y() + 2)
    pdf.set_y(62)
    pdf.set_font(FONT, "B", 24)
    pdf.multi_cell(0, 11, pdf.clean(report.title.get(lang)), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, "", 13)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 6.5, pdf.clean(report.instrument_title.get(lang)), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(0, 8, report.period.label(lang), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    rows = [
        (_tr(pdf, "period"), report.period.label(lang)),
        (_tr(pdf, "previous"), report.previous.label(lang)),
        *[(label.get(lang), value) for label, value in report.filter_lines],
        (_tr(pdf, "responses"), count(report.responses)),
        (_tr(pdf, "snapshot"), f"{snapshot(report.generated_at)} (UTC+7)"),
        (_tr(pdf, "instrument"), report.instrument_key),
    ]
    pdf.set_y(max(pdf.get_y() + 10, 118))
    pdf.set_font(FONT, "", 9.5)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=(55, 95),
        width=150,
        first_row_as_headings=False,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        text_align=("LEFT", "LEFT"),
        line_height=5,
        padding=(1.2, 2),
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(pdf.clean(label), style=FontFace(color=GREY))
            row.cell(pdf.clean(value), style=FontFace(emphasis="BOLD", color=INK))

    pdf.set_y(max(pdf.get_y() + 10, 200))
    headline = [s for s in (_summary_line(report, k) for k in ("INDEX", "harassment", "informal_payment")) if s]
    if headline:
        _tiles(pdf, report, headline)
    pdf.set_y(pdf.h - 32)
    pdf.note(_tr(pdf, "cover_note", level=_level(report)), size=8)


def _tiles(pdf: _Document, report: Report, lines: Sequence[SummaryLine]) -> None:
    gap, top = 5.0, pdf.get_y()
    width = (pdf.content_w - gap * (len(lines) - 1)) / len(lines)
    for i, line in enumerate(lines):
        x = pdf.l_margin + i * (width + gap)
        pdf.set_fill_color(*LIGHT)
        pdf.rect(x, top, width, 40, style="F")
        pdf.set_xy(x + 3, top + 3)
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(width - 6, 4, pdf.clean(line.label.get(pdf.lang)), align="C")
        figure = line.current
        pdf.set_xy(x, top + 14)
        pdf.set_font(FONT, "B", 20)
        pdf.set_text_color(*NAVY)
        pdf.cell(width, 10, figure_text(figure), align="C")
        pdf.set_xy(x, top + 25)
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*GREY)
        pdf.cell(width, 4, interval(figure.lower, figure.upper) if figure else "", align="C")
        change = line.change
        if change is not None:
            pdf.set_xy(x, top + 31)
            good = (change.difference > 0) == line.higher_is_better
            pdf.set_text_color(*((GREEN if good else RED) if change.significant else GREY))
            marker = ("▲ " if change.difference > 0 else "▼ ") if change.significant else ""
            pdf.cell(
                width,
                4,
                f"{marker}{points(change.difference)} {_tr(pdf, 'pp')} {_tr(pdf, 'vs_previous')}",
                align="C",
            )
    pdf.set_y(top + 44)


# --------------------------------------------------------------------------- summary


def _table_style(pdf: _Document, size: float = 8.0) -> dict[str, object]:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.15)
    # fpdf2 tables start from the current fill colour (a chart's, say): reset it.
    pdf.set_fill_color(255, 255, 255)
    return {
        "borders_layout": TableBordersLayout.HORIZONTAL_LINES,
        "headings_style": FontFace(emphasis="BOLD", color=NAVY, fill_color=LIGHT, size_pt=size - 0.5),
        "cell_fill_color": ZEBRA,
        "cell_fill_mode": TableCellFillMode.EVEN_ROWS,
        "line_height": size * 0.45,
        "padding": (0.9, 1.2),
        "repeat_headings": 1,
    }


def _summary(pdf: _Document, report: Report) -> None:
    pdf.heading(_tr(pdf, "s_summary"))
    level = _level(report)
    headings = [
        _tr(pdf, "indicator"),
        _tr(pdf, "estimate"),
        _tr(pdf, "interval", level=level),
        _tr(pdf, "n"),
        _tr(pdf, "prev_value"),
        _tr(pdf, "change"),
    ]
    with pdf.table(
        col_widths=(68, 16, 24, 14, 16, 42),
        width=pdf.content_w,
        text_align=("LEFT", "RIGHT", "CENTER", "RIGHT", "RIGHT", "CENTER"),
        **_table_style(pdf, 8.5),
    ) as table:
        table.row(headings)
        elements_started = False
        for i, line in enumerate(report.summary):
            if i >= 4 and not elements_started:
                elements_started = True
                table.row().cell(
                    _tr(pdf, "elements"), colspan=6, style=FontFace(emphasis="BOLD", color=NAVY, fill_color=LIGHT)
                )
            cur, prev, change = line.current, line.previous, line.change
            row = table.row()
            bold = FontFace(emphasis="BOLD") if line.key == "INDEX" else None
            row.cell(pdf.clean(line.label.get(pdf.lang)), style=bold)
            row.cell(figure_text(cur), style=bold)
            row.cell(interval(cur.lower, cur.upper) if cur else "")
            row.cell(count(cur.n) if cur else DASH)
            row.cell(figure_text(prev))
            if change is None:
                row.cell(DASH)
                continue
            good = (change.difference > 0) == line.higher_is_better
            marker = ("▲ " if change.difference > 0 else "▼ ") if change.significant else ""
            color = (GREEN if good else RED) if change.significant else INK
            row.cell(
                f"{marker}{points(change.difference)} [{points(change.lower)}; {points(change.upper)}]",
                style=FontFace(color=color, emphasis="BOLD" if change.significant else None),
            )
    pdf.ln(1.5)
    pdf.note(_tr(pdf, "legend_summary", **_legend_values(report)))


# --------------------------------------------------------------------------- charts


def _unit_color(figure: Figure) -> tuple[int, int, int]:
    if not figure.reliable:
        return UNRELIABLE
    return {"better": GREEN, "worse": RED}.get(figure.verdict or "", NAVY)


def _units_chart(pdf: _Document, report: Report) -> None:
    pdf.heading(_tr(pdf, "s_units_chart"), need=60)
    shown = [u for u in report.units if (f := u.figures.get("INDEX")) is not None and finite(f.estimate) is not None]
    hidden = len(report.units) - len(shown)
    if not shown:
        pdf.no_data()
        return
    shown.sort(key=lambda u: (-u.figures["INDEX"].estimate, u.code))
    rows = [
        IntervalRow(
            pdf.clean(u.name),
            u.figures["INDEX"].estimate,
            u.figures["INDEX"].lower,
            u.figures["INDEX"].upper,
            _unit_color(u.figures["INDEX"]),
            figure_text(u.figures["INDEX"]),
        )
        for u in shown
    ]
    index = _summary_line(report, "INDEX")
    reference = index.current.estimate if index and index.current else None
    domain = charts.nice_domain([v for r in rows for v in (r.estimate, r.lower, r.upper)] + [reference], pad=0.01)
    row_h = 5.0
    start = 0
    while start < len(rows):
        fits = int((pdf.room() - 18) // row_h)
        if fits < min(5, len(rows) - start):
            pdf.add_page(same=True)
            pdf.heading(f"{_tr(pdf, 's_units_chart')} {_tr(pdf, 'continued')}")
            continue
        chunk = rows[start : start + fits]
        used = charts.interval_chart(
            pdf,
            pdf.l_margin,
            pdf.get_y(),
            pdf.content_w,
            chunk,
            domain=domain,
            fmt=lambda v: f"{v * 100:.0f}%",
            axis_title=_tr(pdf, "axis_index", level=_level(report)),
            reference=reference,
            reference_label=f"{_tr(pdf, 'overall_ref')}: {pct(reference)}",
            row_h=row_h,
        )
        pdf.set_y(pdf.get_y() + used)
        start += len(chunk)
    if pdf.room() < 14:
        pdf.add_page(same=True)
    height = charts.legend(
        pdf,
        pdf.l_margin,
        pdf.get_y() + 3,
        [
            (_tr(pdf, "better"), GREEN, "dot"),
            (_tr(pdf, "same"), NAVY, "dot"),
            (_tr(pdf, "worse"), RED, "dot"),
            (_tr(pdf, "unreliable"), UNRELIABLE, "dot"),
        ],
        pdf.w - pdf.r_margin,
    )
    pdf.set_y(pdf.get_y() + height + 1)
    legend = _tr(pdf, "legend_units", **_legend_values(report))
    if hidden:
        legend += " " + _tr(pdf, "hidden_units", hidden=hidden)
    pdf.note(legend)


def _funnel(pdf: _Document, report: Report) -> None:
    height = 105.0
    has_data = report.funnel is not None and bool(report.funnel.points)
    pdf.heading(_tr(pdf, "s_funnel"), need=height if has_data else 25)
    if report.funnel is None or not has_data:
        pdf.no_data()
        return
    texts = charts.FunnelTexts(
        *(
            _tr(pdf, key)
            for key in (
                "funnel_x",
                "funnel_y",
                "target",
                "limit_95",
                "limit_998",
                "inside",
                "outside_95",
                "above_998",
                "below_998",
            )
        )
    )
    charts.funnel_chart(
        pdf,
        pdf.l_margin,
        pdf.get_y(),
        pdf.content_w,
        height,
        report.funnel,
        fmt=lambda v: f"{v * 100:.0f}%",
        texts=texts,
    )
    pdf.set_y(pdf.get_y() + height + 2)


def _trend_category(point: TrendPoint, step: str) -> str:
    if step == "quarter":
        return f"Q{(point.start.month - 1) // 3 + 1}/{point.start.year}"
    return f"{point.start.month:02d}/{point.start.year}"


def _trend(pdf: _Document, report: Report) -> None:
    def values(key: str, attr: str = "estimate") -> list[float | None]:
        return [finite(getattr(p.figures.get(key), attr, None)) for p in report.trend]

    index = values("INDEX")
    has_data = any(v is not None for v in index)
    pdf.heading(_tr(pdf, "s_trend"), need=120 if has_data else 25)
    if not has_data:
        pdf.no_data()
        return
    categories = [_trend_category(p, report.trend_step) for p in report.trend]
    notes = [f"n={count(p.responses)}" if p.responses else "" for p in report.trend]
    lower, upper = values("INDEX", "lower"), values("INDEX", "upper")
    y = pdf.get_y()
    charts.line_chart(
        pdf,
        pdf.l_margin,
        y,
        pdf.content_w,
        68,
        categories=categories,
        series=[Series(_tr(pdf, "trend_index"), index, NAVY, lower, upper)],
        domain=charts.nice_domain(index + lower + upper, pad=0.02),
        fmt=lambda v: f"{v * 100:.0f}%",
        y_title=_tr(pdf, "trend_index"),
        value_fmt=pct,
        band_label=_tr(pdf, "trend_band", level=_level(report)),
        notes=notes,
    )
    harassment, informal = values("harassment"), values("informal_payment")
    rates = [v for v in harassment + informal if v is not None]
    pdf.set_y(y + 71)
    if pdf.room() < 50:
        pdf.add_page(same=True)
    y = pdf.get_y()
    if rates:
        top = charts.nice_domain([0.0, max(rates) * 1.15, 0.05], pad=0.0)
        charts.line_chart(
            pdf,
            pdf.l_margin,
            y,
            pdf.content_w,
            48,
            categories=categories,
            series=[
                Series(_tr(pdf, "harassment"), harassment, RED),
                Series(_tr(pdf, "informal"), informal, (215, 130, 0)),
            ],
            domain=top,
            fmt=lambda v: f"{v * 100:g}%",
            y_title=_tr(pdf, "rate"),
            value_fmt=pct,
        )
        pdf.set_y(y + 50)
    else:
        pdf.no_data()
    pdf.note(_tr(pdf, "trend_note"))


# --------------------------------------------------------------------------- tables


def _rank(unit: UnitLine) -> str:
    if unit.rank is None:
        return DASH
    if unit.rank_best is None or unit.rank_worst is None:
        return str(unit.rank)
    return f"{unit.rank} ({unit.rank_best}–{unit.rank_worst})"


def _header_widths(pdf: _Document, headers: Sequence[str], *, size: float, least: float) -> list[float]:
    """Column widths at which no word of a header has to break (bold, plus padding)."""
    pdf.set_font(FONT, "B", size)
    pad = 2 * 1.2 + 2 * pdf.c_margin + 0.5  # table padding, cell margins, rounding
    return [max(least, max((pdf.get_string_width(w) for w in h.split()), default=0) + pad) for h in headers]


def _units_table(pdf: _Document, report: Report) -> None:
    pdf.heading(_tr(pdf, "s_units"), need=40 if report.units else 25)
    if not report.units:
        pdf.no_data()
        return
    level = _level(report)
    other = [(k, label) for k, label in report.unit_keys if k != "INDEX"]
    # Headers wrap at spaces only; where a long word would not fit, an
    # element's column is headed by its code, explained under the table.
    labels = [pdf.clean(label.get(pdf.lang)) for _, label in other]
    figure_ws = _header_widths(pdf, labels, size=6.5, least=13)
    fixed = 23 + 13 + 14 + 21 + 24 + 19
    budget = pdf.content_w - fixed - 34
    elements = {line.element for line in report.criteria}
    coded = []
    for i in sorted((i for i in range(len(other)) if other[i][0] in elements), key=lambda i: -figure_ws[i]):
        if sum(figure_ws) <= budget:
            break
        coded.append(f"{other[i][0]}: {labels[i]}")
        labels[i] = pdf.clean(other[i][0])
        figure_ws[i] = _header_widths(pdf, [labels[i]], size=6.5, least=13)[0]
    if sum(figure_ws) > budget:  # still too wide: narrower headers, never narrower names
        figure_ws = [w * budget / sum(figure_ws) for w in figure_ws]
    name_w = pdf.content_w - fixed - sum(figure_ws)
    headings = [
        _tr(pdf, "code"),
        _tr(pdf, "unit"),
        _tr(pdf, "n"),
        _tr(pdf, "trend_index"),
        _tr(pdf, "interval", level=level),
        *labels,
        _tr(pdf, "verdict"),
        _tr(pdf, "rank"),
    ]
    verdicts = {"better": "better", "worse": "worse", "not_distinguishable": "same"}
    units = sorted(report.units, key=lambda u: (u.rank is None, u.rank or 0, u.code))
    widths = (23, name_w, 13, 14, 21, *figure_ws, 24, 19)
    aligns = ("L", "L", "R", "R", "C", *["R"] * len(other), "L", "C")
    rows = []
    for unit in units:
        index = unit.figures.get("INDEX")
        grey = UNRELIABLE if index and not index.reliable else INK
        verdict = verdicts.get(index.verdict or "") if index else None
        rows.append(
            [
                (pdf.clean(unit.code), "", INK),
                (pdf.clean(unit.name), "", INK),
                (count(unit.responses), "", INK),
                (figure_text(index), "B", grey),
                (interval(index.lower, index.upper) if index else "", "", grey),
                *[(figure_text(unit.figures.get(k)), "", _verdict_color(unit.figures.get(k))) for k, _ in other],
                (
                    _tr(pdf, verdict) if verdict else DASH,
                    "B" if verdict not in (None, "same") else "",
                    _verdict_color(index),
                ),
                (_rank(unit), "", INK),
            ]
        )
    _fast_table(pdf, widths, aligns, headings, rows, size=7.0)
    pdf.ln(1.5)
    if coded:
        pdf.note(" · ".join(sorted(coded)), color=INK)
    pdf.note(_tr(pdf, "legend_table", **_legend_values(report)))


def _fit(pdf: _Document, text: str, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _fast_table(
    pdf: _Document,
    widths: Sequence[float],
    aligns: Sequence[str],
    headings: Sequence[str],
    rows: Sequence[Sequence[tuple[str, str, tuple[int, int, int]]]],
    *,
    size: float,
) -> None:
    """A one-line-per-row table drawn with plain cells.

    fpdf2's ``table()`` lays out every cell as a multi-line block, which
    for the units table of a province (1,000 units x 13 columns) took most
    of a 13 s render; units tables have short cells, so a row is one line
    and over-long names are shortened with an ellipsis.
    """
    line_h = size * 0.5
    pad = 1.0

    def header() -> None:
        pdf.set_font(FONT, "B", size - 0.5)
        pdf.set_fill_color(*LIGHT)
        pdf.set_text_color(*NAVY)
        y = pdf.get_y()
        heights = [
            len(pdf.multi_cell(w - 2 * pad, line_h, h, dry_run=True, output="LINES"))
            for w, h in zip(widths, headings, strict=True)
        ]
        block = max(heights) * line_h + 2 * pad
        x = pdf.l_margin
        for w, h, a in zip(widths, headings, aligns, strict=True):
            pdf.rect(x, y, w, block, style="F")
            pdf.set_xy(x + pad, y + pad)
            pdf.multi_cell(w - 2 * pad, line_h, h, align={"L": "L", "R": "R", "C": "C"}[a])
            x += w
        pdf.set_xy(pdf.l_margin, y + block)

    header()
    row_h = line_h + 2 * pad
    for i, row in enumerate(rows):
        if pdf.get_y() + row_h > pdf.page_break_trigger:
            pdf.add_page(orientation=pdf.cur_orientation)
            header()
        y = pdf.get_y()
        if i % 2:
            pdf.set_fill_color(*ZEBRA)
            pdf.rect(pdf.l_margin, y, sum(widths), row_h, style="F")
        x = pdf.l_margin
        for w, a, (text, style, color) in zip(widths, aligns, row, strict=True):
            pdf.set_font(FONT, style, size)
            pdf.set_text_color(*color)
            pdf.set_xy(x + pad, y + pad)
            pdf.cell(w - 2 * pad, line_h, _fit(pdf, text, w - 2 * pad), align=a)
            x += w
        pdf.set_draw_color(190, 190, 190)
        pdf.line(pdf.l_margin, y + row_h, pdf.l_margin + sum(widths), y + row_h)
        pdf.set_xy(pdf.l_margin, y + row_h)
    pdf.set_text_color(*INK)


def _criteria(pdf: _Document, report: Report) -> None:
    pdf.heading(_tr(pdf, "s_criteria"), need=40 if report.criteria else 25)
    if not report.criteria:
        pdf.no_data()
        return
    level = _level(report)
    with pdf.table(
        col_widths=(12, 62, 12, 15, 24, 9, 9, 9, 9, 9, 10),
        width=pdf.content_w,
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "CENTER", *["RIGHT"] * 6),
        **_table_style(pdf, 7.5),
    ) as table:
        table.row(
            [
                _tr(pdf, "code"),
                _tr(pdf, "criterion"),
                _tr(pdf, "n"),
                _tr(pdf, "satisfied"),
                _tr(pdf, "interval", level=level),
                "1 (%)",
                "2 (%)",
                "3 (%)",
                "4 (%)",
                "5 (%)",
                _tr(pdf, "na"),
            ]
        )
        element = None
        for line in report.criteria:
            if line.element != element:
                element = line.element
                table.row().cell(
                    pdf.clean(f"{line.element} · {line.element_title.get(pdf.lang)}"),
                    colspan=11,
                    style=FontFace(emphasis="BOLD", color=NAVY, fill_color=LIGHT),
                )
            f = line.figure
            row = table.row()
            row.cell(pdf.clean(line.code))
            row.cell(pdf.clean(line.text.get(pdf.lang)))
            row.cell(count(f.n))
            row.cell(figure_text(f), style=FontFace(emphasis="BOLD"))
            row.cell(interval(f.lower, f.upper))
            levels = list(f.distribution[:5])
            total = sum(levels)
            for c in levels + [None] * (5 - len(levels)):
                row.cell(DASH if not total or c is None or f.suppressed else f"{c / total * 100:.1f}")
            row.cell(count(f.not_applicable))
    pdf.ln(1.5)
    pdf.note(_tr(pdf, "legend_criteria"))

    rows = [(line.code, line.figure.distribution[:5]) for line in report.criteria if not line.figure.suppressed]
    rows = [(code, counts) for code, counts in rows if len(counts) == 5 and sum(counts) > 0]
    if not rows:
        return
    height = 14 + 6 * len(rows)
    pdf.heading(_tr(pdf, "s_distribution"), need=min(height, 200))
    used = charts.stacked_bars(
        pdf,
        pdf.l_margin,
        pdf.get_y(),
        pdf.content_w,
        rows,
        colors=LEVEL_COLORS,
        legend_labels=_tr(pdf, "levels").split("|"),
        label_w=16,
    )
    pdf.set_y(pdf.get_y() + used)


def _comments(pdf: _Document, report: Report) -> None:
    pdf.heading(_tr(pdf, "s_comments"), need=40 if report.comments else 25)
    if not report.comments:
        pdf.no_data()
        return
    newest = sorted(report.comments, key=lambda c: c.day, reverse=True)
    shown = newest[:COMMENTS_MAX]
    pdf.note(_tr(pdf, "comments_note"))
    if len(newest) > len(shown):
        pdf.note(_tr(pdf, "comments_more", shown=len(shown), total=len(newest)), color=INK)
    pdf.ln(1)
    with pdf.table(
        col_widths=(20, 52, pdf.content_w - 72),
        width=pdf.content_w,
        text_align=("LEFT", "LEFT", "LEFT"),
        **_table_style(pdf, 8.0),
    ) as table:
        table.row([_tr(pdf, "date"), _tr(pdf, "unit_point"), _tr(pdf, "comment")])
        for comment in shown:
            text = pdf.clean(comment.text).strip()
            if len(text) > COMMENT_CHARS:
                text = text[:COMMENT_CHARS].rstrip() + "…"
            where = pdf.clean(comment.unit) + (f"\n{pdf.clean(comment.service_point)}" if comment.service_point else "")
            row = table.row()
            row.cell(f"{comment.day:%d/%m/%Y}")
            row.cell(where, style=FontFace(color=GREY))
            row.cell(text)


def _period_range(period: Period, lang: str) -> str:
    return f"{period.label(lang)} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"


def _method(pdf: _Document, report: Report) -> None:
    lang = pdf.lang
    pdf.heading(_tr(pdf, "s_method"))
    for term, definition in report.method_notes:
        if pdf.room() < 20:
            pdf.add_page(same=True)
        pdf.set_font(FONT, "B", 9)
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, 4.5, pdf.clean(term.get(lang)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 8.5)
        pdf.multi_cell(0, 4.2, pdf.clean(definition.get(lang)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    th = report.thresholds
    software = ", ".join(f"{name} {version}" for name, version in sorted(report.software.items()))
    grouping = GROUPINGS.get(report.grouping)
    rows = [
        (_tr(pdf, "instrument"), f"{report.instrument_key} – {report.instrument_title.get(lang)}"),
        (_tr(pdf, "period"), _period_range(report.period, lang)),
        (_tr(pdf, "previous"), _period_range(report.previous, lang)),
        (_tr(pdf, "p_method"), METHODS.get(report.method, report.method)),
        (_tr(pdf, "p_alpha"), _tr(pdf, "alpha_value", alpha=report.alpha, level=_level(report))),
        (_tr(pdf, "p_correction"), CORRECTIONS.get(report.correction, report.correction)),
        (_tr(pdf, "p_reliable"), _tr(pdf, "below_flag", n=th.reliable_min)),
        (_tr(pdf, "p_disclosure"), _tr(pdf, "below_hide", n=th.disclosure_min, dash=DASH)),
        (_tr(pdf, "p_grouping"), grouping.get(lang) if grouping else report.grouping),
        (_tr(pdf, "p_trend"), _tr(pdf, report.trend_step) if report.trend_step in L else report.trend_step),
        (_tr(pdf, "snapshot"), f"{snapshot(report.generated_at)} (UTC+7)"),
        (_tr(pdf, "p_software"), software or DASH),
    ]
    pdf.heading(_tr(pdf, "parameters"), need=len(rows) * 6)
    with pdf.table(
        col_widths=(60, pdf.content_w - 60),
        width=pdf.content_w,
        first_row_as_headings=False,
        text_align=("LEFT", "LEFT"),
        **{**_table_style(pdf, 8.5), "repeat_headings": 0},
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=FontFace(color=GREY))
            row.cell(pdf.clean(value))
