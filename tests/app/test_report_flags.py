"""Anomaly flags in the reports (issue 16.2): a count per unit in the units
table of every format, and the report's statement of how many responses
were flagged and how many excluded."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pypdf
import pytest
from sqlalchemy import select

from app.models import Response, Unit
from app.render.csv.report import report_csv
from app.render.pdf.report import report_pdf
from app.render.xlsx.report import report_xlsx
from app.services.anomalies import counter_days
from app.services.reports.build import report_build
from app.services.reports.periods import period_of
from app.services.review import response_exclude
from app.time import vietnam_today
from surveys import load_all

SIPAS = load_all()["sipas-counter.v2"]
STUFFED = 24


@pytest.fixture
def stuffed(db_session, users):
    """The demo with one counter whose staff sent ``STUFFED`` identical forms,
    one ordinary response of another unit excluded by an admin; the report of
    the 90 days up to the stuffed day."""
    from app.services.demo import demo_seed

    demo_seed(db_session, responses=900, seed=11, stuffed=STUFFED, force=True, older_version=False)
    db_session.commit()
    today = vietnam_today()
    # the stuffed counter-day: two dozen identical forms (a burst too, where the counter has a history)
    (burst,) = [d for d in counter_days(db_session, None, today - timedelta(days=10), today) if d.duplicates >= STUFFED]
    period = period_of("custom", burst.service_day - timedelta(days=89), burst.service_day)
    other = db_session.scalars(
        select(Response)
        .where(Response.unit_id != burst.unit_id, Response.status == "submitted",
               Response.service_day.between(period.start, period.end))
        .order_by(Response.id)
    ).first()  # fmt: skip
    response_exclude(db_session, users["admin"], other.id, "Phiếu thử nghiệm của cán bộ")
    db_session.commit()
    report = report_build(db_session, SIPAS, period)
    unit = db_session.get(Unit, burst.unit_id)
    excluded_unit = db_session.get(Unit, other.unit_id)
    return report, unit, excluded_unit, burst


def test_the_stuffed_unit_carries_its_flag_count_and_the_report_its_totals(stuffed):
    report, unit, excluded_unit, _ = stuffed
    lines = {u.code: u for u in report.units}
    assert lines[unit.code].flagged >= STUFFED  # the burst day flags at least the stuffed forms
    assert lines[excluded_unit.code].excluded == 1
    assert report.flagged >= sum(u.flagged or 0 for u in report.units) >= STUFFED
    assert report.excluded == 1
    quiet = [u for u in report.units if u.code not in (unit.code, excluded_unit.code)]
    assert quiet and all(not u.excluded for u in quiet)
    # a line too small to publish counts publishes no flag counts either
    k = report.thresholds.disclosure_min
    assert all((u.flagged is None) == (u.responses < k) for u in report.units)


def test_the_xlsx_and_csv_have_a_flag_column_and_state_the_totals(stuffed):
    report, unit, excluded_unit, _ = stuffed
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)), read_only=True)
    sheet_rows = {
        name: [tuple(c for c in row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames
    }
    units_sheet = next(rows for rows in sheet_rows.values() if any(r and "Mã đơn vị" in r for r in rows))
    header_at = next(i for i, r in enumerate(units_sheet) if r and "Mã đơn vị" in r)
    header = units_sheet[header_at]
    flagged_col, excluded_col = header.index("Phiếu bị gắn cờ"), header.index("Phiếu bị loại")
    by_code = {r[header.index("Mã đơn vị")]: r for r in units_sheet[header_at + 1 :] if r and r[0]}
    assert by_code[unit.code][flagged_col] >= STUFFED
    assert by_code[excluded_unit.code][excluded_col] == 1
    everything = " ".join(str(c) for rows in sheet_rows.values() for r in rows for c in r if c is not None)
    assert f"{report.flagged:,}".replace(",", ".") + " phiếu bị gắn cờ bất thường" in everything
    assert "1 phiếu đã bị loại khỏi thống kê" in everything
    csv_text = report_csv(report)
    assert "Phiếu bị gắn cờ" in csv_text.splitlines()[0]


def test_the_pdf_states_flagged_and_excluded_and_shows_the_column(stuffed):
    report, *_ = stuffed
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report_pdf(report))).pages)
    flat = " ".join(text.split())
    assert "phiếu bị gắn cờ bất thường" in flat and "1 phiếu đã bị loại khỏi thống kê" in flat
    assert "Gắn cờ" in flat


def test_the_english_report_says_it_in_english(stuffed):
    report, *_ = stuffed
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report_pdf(report, "en"))).pages)
    flat = " ".join(text.split())
    assert "flagged as anomalous" in flat and "1 response was excluded from the statistics" in flat


def test_a_report_with_nothing_flagged_says_nothing_was(db_session):
    report = report_build(db_session, SIPAS, period_of("month", vietnam_today()))
    assert report.flagged == 0 and report.excluded == 0
    assert report.units == []
