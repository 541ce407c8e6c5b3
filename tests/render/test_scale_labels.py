"""The rating levels are worded as the instrument's scale words them, in
every format: a test instrument with other labels shows those labels."""

from __future__ import annotations

import io
from dataclasses import replace

import openpyxl
import pypdf
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.render.pdf.report import report_pdf
from app.render.report_json import report_dict
from app.render.xlsx.report import report_xlsx
from app.services.reports.build import report_build
from app.services.reports.model import Report
from surveys import Choice, Instrument, Text, load_all

SIPAS = load_all()["sipas-counter.v1"]
OTHER = {
    1: Text("Rất tệ", "Awful"),
    2: Text("Tệ", "Bad"),
    3: Text("Tạm được", "So-so"),
    4: Text("Tốt", "Good"),
    5: Text("Xuất sắc", "Excellent"),
}


def relabelled(instrument: Instrument) -> Instrument:
    """``instrument`` with the labels of its satisfaction scale replaced by :data:`OTHER`."""

    def scale(s):
        if s is None or s.code != "satisfaction5":
            return s
        return replace(s, choices=tuple(Choice(c.code, OTHER.get(c.code, c.label)) for c in s.choices))

    sections = tuple(
        replace(section, questions=tuple(replace(q, scale=scale(q.scale)) for q in section.questions))
        for section in instrument.sections
    )
    return replace(instrument, sections=sections)


@pytest.fixture(scope="module")
def report(engine: Engine, demo_report: Report) -> Report:
    with Session(engine) as session:
        empty = report_build(session, relabelled(SIPAS), demo_report.period)
    # the demo figures, with the levels of the relabelled instrument
    return replace(demo_report, scale_labels=empty.scale_labels)


def test_the_report_carries_the_scale_labels_of_its_instrument(report, demo_report):
    assert report.scale_labels == sorted(OTHER.items())
    assert [name.vi for _, name in demo_report.scale_labels] == [
        "Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng",
    ]  # fmt: skip
    assert report_dict(report)["scale_labels"][0] == [1, {"vi": "Rất tệ", "en": "Awful"}]


def test_the_pdf_shows_the_instruments_labels(report):
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report_pdf(report))).pages)
    assert "1 Rất tệ" in text and "5 Xuất sắc" in text
    assert "Rất không hài lòng" not in text


@pytest.mark.parametrize(("lang", "word"), [("vi", "Xuất sắc"), ("en", "Excellent")])
def test_the_workbook_shows_the_instruments_labels(report, lang, word):
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report, lang)))
    headers = [c.value for c in book.worksheets[2][1]]
    assert any(h and h.endswith(f"5 {word}") for h in headers)
    assert not any(h and ("Rất hài lòng" in h or "Very satisfied" in h) for h in headers)
