"""The PDF report, read back with pypdf: A4 pages, Vietnamese text intact,
every unit and its index, literal free text, page numbers, empty input.

Reports come from ``tests/render/conftest.py`` (the demo province seeded
and rolled back once per session); this module only renders them.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime

import pypdf
import pytest

from app.render.pdf.report import COMMENTS_MAX, report_pdf
from app.render.pdf.text import interval, pct
from app.services.aggregates import INDEX_KEY
from app.services.reports.model import CommentLine, Report

A4_PT = (595.28, 841.89)
XSS = "<script>alert(1)</script>"
FORMULA = "=1+1"


def read(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    """``text`` with runs of whitespace (the no-break space before "%" too) as one space."""
    return " ".join(text.split())


def texts(pages: list[pypdf.PageObject]) -> list[str]:
    """Each page's text with runs of whitespace collapsed, so a name wrapped
    over two lines of a table cell still reads as one string."""
    return [" ".join(page.extract_text().split()) for page in pages]


@pytest.fixture(scope="module")
def report(demo_report: Report) -> Report:
    day = demo_report.period.end
    extra = [CommentLine(day, "Xã Thử", "Quầy 1", XSS), CommentLine(day, "Xã Thử", "", FORMULA)]
    return replace(demo_report, comments=extra + demo_report.comments)


@pytest.fixture(scope="module")
def pages(report: Report) -> list[pypdf.PageObject]:
    return read(report_pdf(report))


@pytest.fixture(scope="module")
def text(pages: list[pypdf.PageObject]) -> str:
    return "\n".join(texts(pages))


def test_every_page_is_a4_portrait_or_landscape(pages):
    sizes = {(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in pages}
    for width, height in sizes:
        assert (width, height) in {A4_PT, A4_PT[::-1]} or (
            min(width, height) == pytest.approx(A4_PT[0], abs=1)
            and max(width, height) == pytest.approx(A4_PT[1], abs=1)
        )


def test_the_wide_units_table_is_on_landscape_pages(pages):
    [page] = [p for p, t in zip(pages, texts(pages), strict=True) if "5. Kết quả theo đơn vị" in t]
    assert float(page.mediabox.width) == pytest.approx(A4_PT[1], abs=1)


def test_vietnamese_text_keeps_its_diacritics(text):
    for phrase in (
        "Báo cáo kết quả khảo sát sự hài lòng",
        "Chỉ số hài lòng chung",
        "Tỷ lệ bị phiền hà, sách nhiễu",
        "Tỷ lệ phải chi tiền ngoài quy định",
        "SỞ NỘI VỤ",
        "Sở Nội vụ",
        "Trang 1/",
    ):
        assert phrase in text
    assert text == unicodedata.normalize("NFC", text)


def test_cover_shows_period_previous_period_responses_and_snapshot(report, pages):
    cover = texts(pages)[0]
    assert report.period.label("vi") in cover
    assert report.previous.label("vi") in cover
    assert f"{report.responses:,}".replace(",", ".") in cover
    assert report.instrument_title.vi in cover
    assert "Dữ liệu tại thời điểm" in cover


def test_snapshot_time_is_printed_in_vietnam_time(report):
    cover = texts(read(report_pdf(replace(report, generated_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC)))))[0]
    assert "02/03/2026 00:30" in cover


def test_every_page_has_the_period_and_its_number(report, pages):
    page_texts = texts(pages)
    for number, page_text in enumerate(page_texts, start=1):
        assert report.period.label("vi") in page_text
        assert f"Trang {number}/{len(page_texts)}" in page_text


def test_every_unit_and_its_overall_index_are_printed(report, text):
    assert report.units
    for unit in report.units:
        assert unit.name in text
        assert unit.code in text
        figure = unit.figures[INDEX_KEY]
        if figure.estimate is not None:
            assert flat(pct(figure.estimate, "vi")) in text


def test_summary_prints_estimates_with_their_intervals(report, text):
    index = next(line for line in report.summary if line.key == INDEX_KEY).current
    assert flat(f"{pct(index.estimate, 'vi')} {interval(index.lower, index.upper, 'vi')}") in text


def test_every_criterion_is_printed(report, text):
    for line in report.criteria:
        assert line.text.vi in text


def test_free_text_is_printed_literally(text):
    assert XSS in text
    assert FORMULA in text


def test_hostile_free_text_prints_without_control_characters(hostile):
    text = "\n".join(texts(read(report_pdf(hostile.report))))
    assert hostile.xss in text
    assert hostile.control[1] in text
    assert "Xã Điều Khiển" in text
    assert not any(unicodedata.category(ch) == "Cc" for ch in text.replace("\n", ""))


def test_comments_are_capped_and_the_cut_is_said(report):
    many = [CommentLine(report.period.end, "Xã Thử", "", f"Ý kiến số {i}") for i in range(COMMENTS_MAX + 50)]
    text = "\n".join(texts(read(report_pdf(replace(report, comments=many)))))
    assert f"Hiển thị {COMMENTS_MAX} ý kiến mới nhất trong số {COMMENTS_MAX + 50}" in text
    assert f"Ý kiến số {COMMENTS_MAX - 1} " in text
    assert f"Ý kiến số {COMMENTS_MAX} " not in text


def test_decomposed_vietnamese_prints_composed(report):
    unit = replace(report.units[0], name=unicodedata.normalize("NFD", "Xã Đắk Rơ Thử"))
    text = "\n".join(texts(read(report_pdf(replace(report, units=[unit, *report.units[1:]])))))
    assert "Xã Đắk Rơ Thử" in text


def test_english_rendering(report):
    pages = read(report_pdf(report, lang="en"))
    text = "\n".join(texts(pages))
    assert "Satisfaction survey report" in text
    assert "Overall satisfaction index" in text
    assert "Page 1/" in text
    assert report.period.label("en") in texts(pages)[0]
    assert "Trang 1/" not in text


def test_empty_report_says_there_is_no_data(empty_report):
    pages = read(report_pdf(empty_report))
    text = "\n".join(texts(pages))
    assert empty_report.responses == 0
    assert "Không có dữ liệu" in text
    assert "Báo cáo kết quả khảo sát sự hài lòng" in text
    assert 3 <= len(pages) <= 10


def test_missing_and_nan_figures_do_not_break_the_charts(report):
    units = [
        replace(u, figures={**u.figures, INDEX_KEY: replace(u.figures[INDEX_KEY], estimate=math.nan, lower=None)})
        if i % 2
        else u
        for i, u in enumerate(report.units)
    ]
    trend = [replace(p, responses=0, figures={}) for p in report.trend]
    broken = replace(report, units=units, trend=trend, funnel=None, comments=[], criteria=[])
    text = "\n".join(texts(read(report_pdf(broken))))
    assert text.count("Không có dữ liệu") >= 4  # funnel, trend, criteria, comments
    assert "nan" not in text.lower().split()


def test_page_count_is_reasonable(pages):
    assert 6 <= len(pages) <= 20


def test_numbers_are_written_the_vietnamese_way(report, text):
    assert re.search(r"\d,\d %", text)  # 72,7 % (the no-break space reads as a space)
    assert re.search(r"\d,\d–\d+,\d %", text)  # an interval
    assert not re.search(r"\d\.\d ?%", text)
    cover = texts(read(report_pdf(replace(report, responses=12345))))[0]
    assert "12.345" in cover


def test_numbers_are_written_the_english_way_in_english(report):
    text = "\n".join(texts(read(report_pdf(report, lang="en"))))
    assert re.search(r"\d\.\d%", text)
    assert not re.search(r"\d,\d ?%", text)
    cover = texts(read(report_pdf(replace(report, responses=12345), lang="en")))[0]
    assert "12,345" in cover


#: English words the Vietnamese PDF must not print. Names stay as they are and
#: are not listed: Holm, Benjamini–Hochberg, Korn–Graubard, Newcombe, Taylor,
#: the R package "survey", the software and UTC.
ENGLISH = [
    "CI", "n_eff", "p-value", "Page", "Overall", "Unit", "Units", "Code", "Rank", "Verdict", "Better", "Worse",
    "Satisfied", "Responses", "Period", "Method", "Summary", "Trend", "Comment", "Comments", "Change", "Estimate",
    "Indicator", "Criterion", "Harassment", "Informal", "index", "rate", "limits", "none", "None", "N/A", "pts",
    "vs", "Previous", "Data", "No data", "Level", "Reliability", "significant", "Very", "Dissatisfied",
    "Neutral", "month", "quarter", "Month", "Quarter", "continued", "Within", "Outside", "Above", "Below",
    "effective", "Department", "Questionnaire", "Instrument", "Scope", "Channel", "Grouped", "All units",
    "Each unit", "Software", "Parameters", "Significance", "threshold", "answers", "flagged", "named",
]  # fmt: skip


def test_the_vietnamese_pdf_has_no_english_words(text):
    found = [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    assert found == []


def test_the_english_pdf_has_them(report):
    text = "\n".join(texts(read(report_pdf(report, lang="en"))))
    assert {"CI", "Overall", "Page", "Verdict"} <= {w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)}


def test_findings_come_first_and_the_units_table_shows_change_and_rank_change(demo_reports):
    report = demo_reports["quarter"]
    pages = texts(read(report_pdf(report)))
    second = pages[1]  # after the cover: the findings, before any table
    assert second.index("Tóm tắt kết quả") < second.index("Chỉ số")
    for finding in report.findings[:2]:
        assert flat(finding.vi)[:60] in second
    table = "\n".join(p for p in pages if "Mã" in p and "Xếp hạng" in p)
    assert "Kỳ trước" in table and "Thay đổi" in table
    moved = [u for u in report.units if u.rank_change]
    assert moved
    for u in moved[:5]:
        assert f"{'▲' if u.rank_change > 0 else '▼'}{abs(u.rank_change)}" in table


def test_comments_fill_at_most_one_page_and_point_to_the_xlsx(report):
    long = "Phòng chờ chật, thiếu ghế, nhân viên hướng dẫn chưa rõ ràng về hồ sơ cần bổ sung. " * 10
    many = [CommentLine(report.period.end, "Xã Thử", "Quầy 1", f"{i}: {long}") for i in range(60)]
    pages = texts(read(report_pdf(replace(report, comments=many))))
    with_comments = [i for i, p in enumerate(pages) if "Phòng chờ chật" in p]
    assert len(with_comments) == 1
    assert "tệp XLSX" in pages[with_comments[0]]
