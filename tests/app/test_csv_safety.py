"""Every CSV the system writes stays text in a spreadsheet (issue 15, item 10).

Excel with Vietnamese regional settings separates fields with ``;``, and
ignores quotes that do not open a field: ``1,"Xã A;=HYPERLINK(...)"`` read
that way has a cell starting ``=``. So every text field is now quoted, and
a formula character is neutralised (an apostrophe before it) at the start
of a text *and* after each ``;`` or ``,``: one function,
``app.render.spreadsheet.safe_cell``, for the response export, the audit
log, the report CSV and the codebook.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Unit
from app.render.spreadsheet import csv_field, csv_line, safe_cell
from tests.periods import RECENT

ATTACKS = [
    '=HYPERLINK("http://evil.example","x")',
    'Xã A;=HYPERLINK("http://evil.example","x")',
    "Xã A,+cmd|' /C calc'!A0",
    "Xã A; @SUM(1+1)",
    "Xã A;\t-2+3",
    " =1+1",
    "＝1+1",
]
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def assert_spreadsheet_safe(text: str) -> None:
    """No cell starts like a formula, whether the file is read with ``,``
    or with ``;`` as the separator, with or without honouring quotes."""
    lines = text.lstrip("\ufeff").split("\r\n")
    for delimiter in (",", ";"):
        cells = [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter) for c in row]
        cells += [c.strip('"') for line in lines for c in line.split(delimiter)]
        for cell in cells:
            if NUMBER.fullmatch(cell.strip()):
                continue
            assert not cell.lstrip().startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠")), (delimiter, cell)
            assert not cell.startswith(("\t", "\r")), (delimiter, cell)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("a;=1+1", "a;'=1+1"),
        ("a,+1", "a,'+1"),
        ("a; @SUM(A1)", "a;' @SUM(A1)"),
        ("a,\t-2", "a,'\t-2"),
        (" =1", "' =1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("-2+3;=x,@y", "'-2+3;'=x,'@y"),
    ],
)
def test_formulas_are_neutralised_at_the_start_and_after_a_separator(raw, safe):
    assert safe_cell(raw) == safe
    assert safe_cell(safe) == safe  # applying it twice changes nothing more


@pytest.mark.parametrize(
    "text",
    ["Cán bộ nhiệt tình; thủ tục nhanh", "chờ 5-10 phút, 3 lần", "năm 2024", "500.000 đồng, không phiền hà", ""],
)
def test_ordinary_text_is_left_alone(text):
    assert safe_cell(text) == text


def test_text_is_always_quoted_and_numbers_never():
    assert csv_field("abc") == '"abc"'
    assert csv_field('a "b"') == '"a ""b"""'
    assert csv_field("a;=1") == '"a;\'=1"'
    assert csv_field(12) == "12" and csv_field(0.25) == "0.25"
    assert csv_field(None) == "" and csv_field("") == ""
    assert csv_line(["Xã A", 3, None, "=x"]) == '"Xã A",3,,"\'=x"\r\n'


@pytest.fixture
def hostile_unit(db_session, point) -> Unit:
    point.unit.name = ATTACKS[1]
    point.code = "Q;=1+1"
    db_session.commit()
    return point.unit


def _submit(db_session, point, comment: str) -> None:
    from app.services.instruments import instrument_active
    from app.services.submissions import response_submit
    from surveys import load_all

    active = instrument_active(db_session, load_all(), "sipas-counter")
    response_submit(
        db_session,
        client_uuid=uuid.uuid4(),
        instrument=active,
        unit_id=point.unit_id,
        service_point_id=point.id,
        channel="qr",
        answers={"procedure": 1, "comment": comment},
        submitted_at=datetime.now(UTC),
    )
    db_session.commit()


def test_the_response_export_is_safe(db_session, point, hostile_unit):
    from app.services.exports import responses_csv
    from app.services.response_filter import ResponseFilter
    from surveys import load_all

    for attack in ATTACKS:
        _submit(db_session, point, f"Góp ý {attack}")
    instrument = load_all()["sipas-counter.v1"]
    text = "".join(responses_csv(db_session, instrument, ResponseFilter(), with_comments=True))
    assert '"Xã A;\'=HYPERLINK(""http://evil.example"",""x"")"' in text
    assert_spreadsheet_safe(text)
    plain = "".join(responses_csv(db_session, instrument, ResponseFilter()))
    assert_spreadsheet_safe(plain)


def test_the_codebook_is_safe(runner, db_session, point, hostile_unit, tmp_path):
    _submit(db_session, point, "Góp ý; =1+1")
    out = tmp_path / "phieu.csv"
    result = runner.invoke(args=["export-responses", "--out", str(out), "--all-time", "--with-comments"])
    assert result.exit_code == 0, result.output
    assert_spreadsheet_safe(out.read_text(encoding="utf-8-sig"))
    book = out.with_suffix(".codebook.csv").read_text(encoding="utf-8-sig")
    assert book.startswith('"column","question_vi"')
    assert_spreadsheet_safe(book)


def test_the_audit_log_export_is_safe(app, admin_client, sign_in_form, db_session, units):
    for attack in ATTACKS:
        db_session.add(AuditEvent(at=datetime.now(UTC), action="admin.unit.rename", target=attack,
                                  detail={"before": attack, "after": "Xã B"}))  # fmt: skip
    db_session.commit()
    sign_in_form(app.test_client(), "a;=1+1", "sai-mat-khau-123")
    text = admin_client.get("/quan-tri/nhat-ky.csv").get_data(as_text=True)
    assert '"a;\'=1+1"' in text
    assert_spreadsheet_safe(text)


def test_the_report_csv_is_safe(app, users, login_as, db_session, point, hostile_unit):
    for attack in ATTACKS:
        _submit(db_session, point, attack)
    client = app.test_client()
    login_as(client, users["analyst"])
    response = client.get(f"/bao-cao/tai-ve.csv?{RECENT}")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "\"Xã A;'=HYPERLINK(" in text
    assert_spreadsheet_safe(text)
    assert db_session.scalar(select(Unit.name).where(Unit.id == hostile_unit.id)) == ATTACKS[1]  # stored as typed


def test_the_targets_classification_csv_is_safe(app, users, login_as, db_session, point, hostile_unit):
    from app.models import Target
    from app.time import vietnam_today

    year = vietnam_today().year
    db_session.add(Target(unit_id=hostile_unit.id, instrument_code="sipas-counter", indicator="INDEX", year=year,
                          kind="level", value=90.0, note="=1+1; @SUM(A1)"))  # fmt: skip
    db_session.commit()
    client = app.test_client()
    login_as(client, users["analyst"])
    response = client.get(f"/chi-tieu/xep-loai.csv?nam={year}")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "Xã A;'=HYPERLINK(" in text
    assert_spreadsheet_safe(text)


def test_the_open_data_csv_is_safe(client, db_session, point, hostile_unit):
    """The published results' open data names units too (anyone downloads it)."""
    from datetime import date, timedelta

    from app.services.instruments import instrument_active
    from app.services.submissions import response_submit
    from app.time import vietnam_today
    from surveys import load_all

    active = instrument_active(db_session, load_all(), "sipas-counter")
    today = vietnam_today()
    last_quarter_end = date(today.year, (today.month - 1) // 3 * 3 + 1, 1) - timedelta(days=1)
    for i in range(40):
        day = last_quarter_end - timedelta(days=i % 20)
        response_submit(db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
                        service_point_id=point.id, channel="qr", answers={"procedure": 1, "overall": 4},
                        submitted_at=datetime(day.year, day.month, day.day, 3, tzinfo=UTC))  # fmt: skip
    db_session.commit()
    response = client.get("/ket-qua/du-lieu.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "Xã A;'=HYPERLINK(" in text, text[:500]
    assert_spreadsheet_safe(text)
