"""Labels and number formats of the PDF report, in Vietnamese and English.

Kept apart from the layout (``report_pdf.py``) so a translator can read and
change every printed word in one place.
"""

from __future__ import annotations

from datetime import datetime

from app.render.charts.scales import finite
from app.render.charts.style import GREEN, INK, RED
from app.services.reports.model import Figure
from app.time import local_text
from surveys import Text

DASH = "—"


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
    return local_text(moment)


def verdict_color(figure: Figure | None) -> tuple[int, int, int]:
    if figure is None or figure.verdict not in ("better", "worse"):
        return INK
    return GREEN if figure.verdict == "better" else RED
