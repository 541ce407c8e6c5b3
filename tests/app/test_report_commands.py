"""Report, export and import commands, with their files read back."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.models import Answer, InstrumentVersion, Response
from app.services.demo import demo_seed
from app.time import VIETNAM
from surveys import multi_codes

TODAY = datetime.now(VIETNAM).date()


@pytest.fixture
def demo(db_session):
    demo_seed(db_session, responses=700, seed=11)
    db_session.commit()
    return db_session


def count(session, channel=None) -> int:
    query = select(func.count()).select_from(Response)
    if channel:
        query = query.where(Response.channel == channel)
    return session.scalar(query)


def counter_responses(session) -> int:
    """Responses to sipas-counter, every version and channel (the demo's QR and paper forms)."""
    return session.scalar(
        select(func.count())
        .select_from(Response)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(InstrumentVersion.code == "sipas-counter")
    )


def test_json_report_matches_the_database(runner, demo, tmp_path):
    out = tmp_path / "r.json"
    # custom periods are whole months: from the month 14 months ago to this one
    start = (TODAY.replace(day=1) - timedelta(days=400)).replace(day=1)
    result = runner.invoke(
        args=[
            "report",
            "--format",
            "json",
            "--out",
            str(out),
            "--period",
            "custom",
            "--date",
            start.isoformat(),
            "--end",
            TODAY.strftime("%Y-%m"),
        ]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["responses"] == counter_responses(demo) == 700  # the demo's tablet interviews are household ones
    assert data["title"]["vi"] == "Báo cáo kết quả khảo sát sự hài lòng"
    index = next(s for s in data["summary"] if s["key"] == "INDEX")["current"]
    assert 0 < index["lower"] < index["estimate"] < index["upper"] < 1
    assert sum(u["responses"] for u in data["units"]) == 700
    # ranks run 1, 2, 3… within each level (issue 17: departments are not ranked with communes)
    for level in {u["level"] for u in data["units"]}:
        ranks = sorted(u["rank"] for u in data["units"] if u["rank"] is not None and u["level"] == level)
        assert ranks == list(range(1, len(ranks) + 1))
    for u in data["units"]:
        if u["rank"] is not None:
            assert u["rank_best"] <= u["rank"] <= u["rank_worst"]
    assert [c["month"] for c in data["comments"]] == sorted((c["month"] for c in data["comments"]), reverse=True)
    assert {m["term"]["vi"] for m in [dict(term=t[0]) for t in data["method_notes"]]} >= {"Khoảng tin cậy"}


def test_report_of_an_empty_period(runner, demo, tmp_path):
    out = tmp_path / "empty.json"
    result = runner.invoke(
        args=["report", "--format", "json", "--out", str(out), "--period", "year", "--date", "2001-06-01"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["responses"] == 0 and data["units"] == [] and data["funnel"] is None


def test_report_csv_table_expectations(runner, demo, tmp_path):
    out = tmp_path / "expectations.csv"
    result = runner.invoke(
        args=["report", "--format", "csv", "--table", "expectations", "--out", str(out), "--period", "year"]
    )
    assert result.exit_code == 0, result.output
    header, *rows = csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    assert header[:3] == ["Câu hỏi", "Mã nội dung", "Nội dung"]
    assert len(rows) == 12 and {r[0] for r in rows} == {"expectations"}
    answered = {r[6] for r in rows}
    assert len(answered) == 1 and int(answered.pop()) > 0
    refused = runner.invoke(args=["report", "--format", "csv", "--table", "nope", "--out", str(out)])
    assert refused.exit_code == 2 and "nope" in refused.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "custom", "--date", "2026-05-01"], "ngày kết thúc"),
        (["--date", "01/05/2026"], "YYYY-MM-DD"),
    ],
)
def test_report_filter_errors_are_named(runner, tmp_path, args, message):
    result = runner.invoke(args=["report", "--format", "json", "--out", str(tmp_path / "x.json"), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_export_responses_with_codebook(runner, demo, tmp_path):
    out = tmp_path / "responses.csv"
    result = runner.invoke(args=["export-responses", "--out", str(out), "--all-time"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 700
    assert "comment" not in rows[0]  # free text only on request
    overall_ones = sum(r["overall"] == "1" for r in rows)
    assert overall_ones == demo.scalar(
        select(func.count())
        .select_from(Answer)
        .join(Response)
        .where(Answer.question_code == "overall", Answer.value_int == 1, Response.channel != "tablet")
    )
    # the improvements asked for, one 0/1 column per choice
    masks = demo.scalars(select(Answer.value_int).where(Answer.question_code == "expectations")).all()
    assert sum(r["expectations_6"] == "1" for r in rows) == sum(6 in multi_codes(m) for m in masks) > 0
    assert {r["expectations_6"] for r in rows} == {"0", "1", ""}  # "": v1 did not ask
    book = list(csv.reader(io.StringIO((tmp_path / "responses.codebook.csv").read_text(encoding="utf-8-sig"))))
    waiting = "The waiting area has enough seats and is clean and airy"
    assert [
        "E1_1",
        "Nơi ngồi chờ có đủ chỗ ngồi, sạch sẽ, thoáng mát",
        waiting,
        "3",
        "Bình thường",
        "Neutral",
    ] in book  # a question only v1 asked: its v1 responses keep their answers
    assert ["expectations_6", "1", "Có chọn"] in [[r[0], r[3], r[4]] for r in book]
    columns = {r[0] for r in book[1:]}
    assert set(rows[0]) <= columns


def test_export_neutralises_formulas(runner, demo, db_session, tmp_path):
    db_session.execute(
        Answer.__table__.update()
        .where(Answer.question_code == "comment")
        .values(value_text='=HYPERLINK("http://evil","x")')
    )
    out = tmp_path / "c.csv"
    runner.invoke(args=["export-responses", "--out", str(out), "--all-time", "--with-comments"])
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    comments = [r["comment"] for r in rows if r["comment"]]
    assert comments and all(c.startswith("'=") for c in comments)


#: a paper form of sipas-counter v2: every criterion the QR form asks, the
#: element satisfaction the paper form adds, the improvements in one cell
PAPER = {
    "visit_stage": "1", "procedure": "1",
    "E1_seats": "4", "E1_equipment_enough": "5", "E1_equipment_modern": "4", "E1_equipment_easy": "4",
    "E1_overall": "4",
    "E2_posted_complete": "4", "E2_posted_accurate": "3", "E2_documents": "9", "E2_fees": "4",
    "E3_polite": "5", "E3_listening": "4", "E3_answers": "4", "E3_guidance_helpful": "4",
    "E3_guidance_clear": "4", "E3_rules": "4",
    "E5_channels": "4", "E5_gate": "2", "harassment": "2", "informal_payment": "8",
    "overall": "4", "expectations": "3;6",
}  # fmt: skip
HEADER = ["ma_phieu", "don_vi", "quay", "ngay", *PAPER, "comment"]
GOOD = list(PAPER.values())
AT = {code: i for i, code in enumerate(PAPER)}


def _with(code: str, value: str) -> list[str]:
    values = list(GOOD)
    values[AT[code]] = value
    return values


def import_rows():
    day = (TODAY - timedelta(days=3)).strftime("%d/%m/%Y")
    return [
        HEADER,
        ["P-001", "DEMO-HA-01", "Q01", day, *GOOD, "Tốt"],
        ["P-002", "DEMO-HA-01", "", day, *GOOD, "=1+1"],
        ["P-003", "KHONG-CO", "", day, *GOOD, ""],  # unknown unit
        ["P-004", "DEMO-HA-01", "", "31/02/2026", *GOOD, ""],  # impossible date
        ["P-005", "DEMO-HA-01", "", day, *_with("E1_seats", "7"), ""],
        ["P-006", "DEMO-HA-01", "", day, *_with("overall", ""), ""],
        ["P-001", "DEMO-HA-01", "Q01", day, *GOOD, "Tốt"],  # duplicate of row 2
        ["", "", "", "", *[""] * len(GOOD), ""],  # blank line
    ]


def test_import_csv_reports_bad_rows_and_is_idempotent(runner, demo, tmp_path):
    path = tmp_path / "paper.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(import_rows())
    before, paper = count(demo), count(demo, "paper")
    result = runner.invoke(args=["import-responses", "--instrument", "sipas-counter", str(path)])
    # rejected rows make the run fail (a script must notice), the good rows stay imported
    assert result.exit_code == 3, result.output
    assert "4 dòng bị từ chối" in result.output and "4 rows rejected" in result.output
    assert "Đã nhập 2 phiếu mới, bỏ qua 1 phiếu đã có, 4 dòng lỗi" in result.output
    assert "dòng 4: mã đơn vị không tồn tại: 'KHONG-CO'" in result.output
    assert "dòng 5: ngày không hợp lệ" in result.output
    assert "dòng 6: E1_seats: Câu trả lời không hợp lệ" in result.output
    assert "dòng 7: overall: Vui lòng trả lời câu này." in result.output
    assert count(demo, "paper") == paper + 2 and count(demo) == before + 2
    again = runner.invoke(args=["import-responses", "--instrument", "sipas-counter", str(path)])
    assert "Đã nhập 0 phiếu mới, bỏ qua 3 phiếu đã có" in again.output and again.exit_code == 3
    clean = tmp_path / "clean.csv"
    with clean.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(import_rows()[:3])
    assert runner.invoke(args=["import-responses", "--instrument", "sipas-counter", str(clean)]).exit_code == 0
    assert count(demo) == before + 2


def test_import_xlsx(runner, demo, tmp_path):
    wb = Workbook()
    sheet = wb.active
    for row in import_rows()[:3]:
        sheet.append(row)
    sheet["D2"] = datetime.combine(TODAY - timedelta(days=1), datetime.min.time())  # a real date cell
    path = tmp_path / "paper.xlsx"
    wb.save(path)
    result = runner.invoke(args=["import-responses", "--instrument", "sipas-counter", str(path)])
    assert "Đã nhập 2 phiếu mới" in result.output, result.output
    days = set(demo.scalars(select(Response.service_day).where(Response.channel == "paper")))
    assert TODAY - timedelta(days=1) in days


def _import(runner, tmp_path, rows, *options):
    path = tmp_path / "paper.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return runner.invoke(args=["import-responses", "--instrument", "sipas-counter", *options, str(path)])


def test_import_takes_check_box_codes_in_one_cell_as_the_paper_form_asks(runner, demo, tmp_path):
    day = (TODAY - timedelta(days=2)).strftime("%d/%m/%Y")
    cells = {"P-10": "3;6", "P-11": "6, 3", "P-12": "3 6", "P-13": "0", "P-14": "0;6", "P-15": "1;2;3;4", "P-16": "12"}
    rows = [
        HEADER,
        *[[serial, "DEMO-HA-02", "", day, *_with("expectations", cell), ""] for serial, cell in cells.items()],
    ]
    result = _import(runner, tmp_path, rows)
    assert "Đã nhập 4 phiếu mới, bỏ qua 0 phiếu đã có, 3 dòng lỗi" in result.output, result.output
    assert "dòng 6: expectations: Không thể chọn “Không có đề xuất / Không biết” cùng với các ý khác." in result.output
    assert "dòng 7: expectations: Vui lòng chọn tối đa 3 ý." in result.output
    assert "dòng 8: expectations: Câu trả lời không hợp lệ" in result.output
    imported = (
        select(Answer.question_code, Answer.value_int)
        .join(Response)
        .where(Response.channel == "paper", Response.service_day == TODAY - timedelta(days=2))
    )
    stored = demo.execute(imported).all()
    masks = sorted(v for code, v in stored if code == "expectations")
    assert masks == [2**0, 2**3 + 2**6, 2**3 + 2**6, 2**3 + 2**6]
    assert sum(code == "E1_overall" for code, _ in stored) == 4  # the paper form asks it, the QR form does not


def test_forms_printed_before_v2_are_imported_with_their_version(runner, demo, tmp_path):
    day = (TODAY - timedelta(days=200)).strftime("%d/%m/%Y")
    v1 = {"procedure": "1", "E1_1": "4", "E1_2": "5", "E2_1": "4", "E2_2": "3", "E2_3": "9", "E3_1": "5",
          "E3_2": "4", "E3_3": "4", "E4_1": "4", "E4_2": "2", "E5_gate": "2", "harassment": "2",
          "informal_payment": "8", "overall": "4"}  # fmt: skip
    rows = [["ma_phieu", "don_vi", "ngay", *v1], ["C-1", "DEMO-HA-01", day, *v1.values()]]
    refused = _import(runner, tmp_path, rows)
    assert refused.exit_code == 1 and "unknown columns: E1_1" in refused.output
    result = _import(runner, tmp_path, rows, "--version", "1")
    assert "Đã nhập 1 phiếu mới" in result.output, result.output
    version = demo.scalar(
        select(InstrumentVersion.version)
        .join(Response, Response.instrument_version_id == InstrumentVersion.id)
        .where(Response.service_day == TODAY - timedelta(days=200), Response.channel == "paper")
    )
    assert version == 1
    assert "version 7 is not registered" in _import(runner, tmp_path, rows, "--version", "7").output


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.csv", b"don_vi,ngay,bogus\n", "unknown columns: bogus"),
        ("x.csv", b"don_vi,E1_seats\n", "missing required columns: ngay"),
        ("x.csv", b"", "empty"),
        ("x.csv", "don_vi,ngay\nĐ,1\n".encode("cp1258"), "UTF-8"),
        ("x.xlsx", b"not a zip", "cannot read the XLSX"),
        ("x.pdf", b"%PDF", "only .csv and .xlsx"),
    ],
)
def test_import_refuses_unreadable_files(runner, demo, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = count(demo)
    result = runner.invoke(args=["import-responses", "--instrument", "sipas-counter", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert count(demo) == before


def test_import_date_in_the_future_is_refused(runner, demo, tmp_path):
    rows = import_rows()[:2]
    rows[1][3] = (TODAY + timedelta(days=2)).strftime("%d/%m/%Y")
    path = tmp_path / "future.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = runner.invoke(args=["import-responses", "--instrument", "sipas-counter", str(path)])
    assert "ngày không hợp lệ" in result.output
