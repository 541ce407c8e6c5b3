"""Differencing attacks on reports give nothing (issue 15, item 1).

A unit manager who downloads two reports whose periods differ by a little
must not learn what one citizen answered: not by subtracting their figures,
not from their comments. Rules: app/services/reports/disclosure.py.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.models import ServicePoint
from app.services.indicators import DomainIndicators, Figure
from app.services.instruments import instrument_active
from app.services.reports.disclosure import parts_suppress
from app.services.submissions import response_submit
from app.time import VIETNAM
from surveys import load_all

K = 5  # the default disclosure threshold
TODAY = datetime.now(VIETNAM).date()
#: three whole months before this one, and the month before them
MONTHS = []
cursor = TODAY.replace(day=1)
for _ in range(5):
    cursor = (cursor - timedelta(days=1)).replace(day=1)
    MONTHS.insert(0, cursor)
LONE_MONTH = MONTHS[-1]
SECRET = "Tôi là người duy nhất đến quầy hôm đó"
BASE = {"visit_stage": 1, "procedure": 1, "E5_gate": 2, "overall": 4, "expectations": (6,)}


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@pytest.fixture
def lone_citizen(db_session, units):
    """Commune A1: 8 responses in each of four months, then one lone citizen in
    the last month, who reports harassment and an informal payment and comments."""
    active = instrument_active(db_session, load_all(), "sipas-counter")
    point = ServicePoint(unit=units["A1"], code="Q1", name="Quầy A1")
    other = ServicePoint(unit=units["A2"], code="Q1", name="Quầy A2")
    db_session.add_all([point, other])
    db_session.flush()

    def submit(counter, day, **answers):
        when = datetime.combine(day, time(9), tzinfo=VIETNAM).astimezone(UTC)
        response_submit(
            db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=counter.unit_id,
            service_point_id=counter.id, channel="qr", answers={**BASE, **answers}, submitted_at=when,
        )  # fmt: skip

    for first in MONTHS[:-1]:
        for i in range(8):
            submit(point, first + timedelta(days=i), harassment=2, informal_payment=2, E1_seats=4,
                   comment=f"Góp ý thường lệ {first:%m}-{i}")  # fmt: skip
    for first in MONTHS:
        for i in range(9):
            submit(other, first + timedelta(days=i), harassment=2, informal_payment=2, E1_seats=5)
    submit(point, LONE_MONTH + timedelta(days=3), harassment=1, informal_payment=1, E1_seats=1, comment=SECRET)
    db_session.commit()


def download(client, start: date, end: date):
    return client.get(f"/bao-cao/tai-ve.json?period=custom&date={start:%Y-%m-%d}&end={end:%Y-%m-%d}")


@pytest.fixture
def manager(client, users, login_as):
    login_as(client, users["unit_manager"])  # district A: communes A1 and A2
    return client


def test_a_period_that_is_not_whole_months_is_refused(manager, lone_citizen):
    start, end = MONTHS[0], month_end(LONE_MONTH)
    assert download(manager, start, end).status_code == 200
    for bad_start, bad_end in ((start, end - timedelta(days=1)), (start + timedelta(days=1), end)):
        response = download(manager, bad_start, bad_end)
        assert response.status_code == 400
        assert "tháng trọn vẹn" in response.get_data(as_text=True)
    assert manager.get(f"/bao-cao?period=custom&date={start:%Y-%m}&end={LONE_MONTH:%Y-%m}").status_code == 200


def published(report: dict) -> dict[tuple[str, str], int]:
    """Every published figure's n, keyed by (unit or total, figure key)."""
    out = {}
    for line in report["summary"]:
        if line["current"] and not line["current"]["suppressed"]:
            out[("*", line["key"])] = line["current"]["n"]
    for unit in report["units"]:
        for key, f in unit["figures"].items():
            if not f["suppressed"]:
                out[(unit["code"], key)] = f["n"]
    return out


def test_subtracting_two_reports_reveals_no_month_of_fewer_than_five(manager, lone_citizen):
    with_lone = download(manager, MONTHS[0], month_end(LONE_MONTH)).get_json()
    without = download(manager, MONTHS[0], month_end(MONTHS[-2])).get_json()
    a, b = published(with_lone), published(without)
    assert a and b
    for key in a.keys() & b.keys():
        assert abs(a[key] - b[key]) == 0 or abs(a[key] - b[key]) >= K, key
    # commune A1's figures over the four months that include the lone citizen are not published
    a1 = next(u for u in with_lone["units"] if u["code"] == "U-A1")
    for key in ("harassment", "informal_payment", "E1_seats", "INDEX"):
        figure = a1["figures"][key]
        assert figure["suppressed"] and figure["estimate"] is None and figure["distribution"] == []
        assert figure["suppressed_reason"] in ("small_month", "complementary")
    # and so the district total minus the published commune reveals nothing either
    a2 = next(u for u in with_lone["units"] if u["code"] == "U-A2")
    assert a2["figures"]["harassment"]["suppressed"] or with_lone["summary"][2]["current"]["suppressed"]


def test_the_lone_comment_is_not_released_and_comments_are_dated_by_month(manager, lone_citizen):
    report = download(manager, MONTHS[0], month_end(LONE_MONTH)).get_json()
    texts = [c["text"] for c in report["comments"]]
    assert SECRET not in texts
    assert texts and all(t.startswith("Góp ý thường lệ") for t in texts)
    assert {c["month"][-2:] for c in report["comments"]} == {"01"}
    html = manager.get(f"/bao-cao?period=custom&date={MONTHS[0]:%Y-%m}&end={LONE_MONTH:%Y-%m}").get_data(True)
    assert SECRET not in html


def test_the_month_with_the_lone_citizen_is_suppressed_on_its_own(manager, lone_citizen):
    report = manager.get(f"/bao-cao/tai-ve.json?period=month&date={LONE_MONTH:%Y-%m-%d}").get_json()
    a1 = next(u for u in report["units"] if u["code"] == "U-A1")
    harassment = a1["figures"]["harassment"]
    assert harassment["n"] == 1 and harassment["suppressed"] and harassment["estimate"] is None
    assert harassment["refused"] is None and harassment["distribution"] == []
    assert SECRET not in json.dumps(report, ensure_ascii=False)


def _domain(code: str, n: int, suppressed: bool = False) -> DomainIndicators:
    figure = Figure(n, None if suppressed else 0.5, None, None, None, 0, None, None, True, suppressed)
    return DomainIndicators(code, code, "commune", n, 1, {"INDEX": figure})


@pytest.mark.parametrize(
    ("parts", "total", "hidden"),
    [
        ([("a", 3, True), ("b", 40, False), ("c", 30, False)], 73, {"a", "c"}),  # 3 alone: hide the next smallest
        ([("a", 3, True), ("b", 40, False), ("c", 30, False)], 80, {"a"}),  # 3 + 7 only in the total: enough
        ([("a", 20, False), ("b", 30, False)], 52, {"a"}),  # 2 only in the total: hide a part
        ([("a", 2, True), ("b", 2, True), ("c", 9, False)], 13, {"a", "b"}),  # 4 hidden: then c too
        ([("a", 20, False), ("b", 30, False)], 50, set()),
    ],
)
def test_complementary_suppression(parts, total, hidden):
    domains = [_domain(code, n, hide) for code, n, hide in parts]
    out = parts_suppress(_domain("*", total), domains, K)
    got = {d.key for d in out if d.figures["INDEX"].suppressed}
    expected = hidden | ({"c"} if parts[0][1] == 2 and len(parts) == 3 and parts[1][2] else set())
    assert got == expected
    left = total - sum(d.figures["INDEX"].n for d in out if not d.figures["INDEX"].suppressed)
    assert left == 0 or left >= K


def test_a_channel_filter_subtracted_from_the_whole_reveals_no_small_cell(db_session, units, manager):
    """A month of commune A1: eight QR responses and one paper form reporting
    harassment. The report of all channels minus the report of channel qr is
    that one paper form: both figures must not be published together."""
    active = instrument_active(db_session, load_all(), "sipas-counter")
    point = ServicePoint(unit=units["A1"], code="Q1", name="Quầy A1")
    db_session.add(point)
    db_session.flush()
    month = MONTHS[-2]
    for i, (channel, said) in enumerate([("qr", 2)] * 8 + [("paper", 1)]):
        when = datetime.combine(month + timedelta(days=i), time(9), tzinfo=VIETNAM).astimezone(UTC)
        response_submit(
            db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
            service_point_id=point.id, channel=channel, answers={**BASE, "harassment": said}, submitted_at=when,
        )  # fmt: skip
    db_session.commit()
    base = f"/bao-cao/tai-ve.json?period=month&date={month:%Y-%m-%d}&unit=U-A1"
    whole, qr = manager.get(base).get_json(), manager.get(f"{base}&channel=qr").get_json()
    a, b = published(whole), published(qr)
    for key in a.keys() & b.keys():
        assert abs(a[key] - b[key]) == 0 or abs(a[key] - b[key]) >= K, key


@pytest.fixture
def mixed_quarter(db_session, units):
    """Commune A1 over three months: eight QR responses a month (procedure 1),
    and outside QR / procedure 1: five paper forms of procedure 2 in the first
    month and one in the last (who reports harassment), none in the middle one."""
    active = instrument_active(db_session, load_all(), "sipas-counter")
    point = ServicePoint(unit=units["A1"], code="Q1", name="Quầy A1")
    db_session.add(point)
    db_session.flush()

    def submit(day, channel, procedure, harassment):
        when = datetime.combine(day, time(9), tzinfo=VIETNAM).astimezone(UTC)
        answers = {**BASE, "procedure": procedure, "harassment": harassment}
        response_submit(
            db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
            service_point_id=point.id, channel=channel, answers=answers, submitted_at=when,
        )  # fmt: skip

    months = MONTHS[-3:]
    for first in months:
        for i in range(8):
            submit(first + timedelta(days=i), "qr", 1, 2)
    for i in range(5):
        submit(months[0] + timedelta(days=10 + i), "paper", 2, 2)
    submit(months[2] + timedelta(days=12), "paper", 2, 1)
    db_session.commit()
    return months


@pytest.mark.parametrize("part", ["channel=qr", "procedure=1"])
def test_a_part_whose_rest_is_few_in_one_month_of_its_period_is_not_published(manager, mixed_quarter, part):
    """Over the three months the filter leaves out six responses (enough), but
    one of them alone in its month: one-month reports would subtract it out."""
    first, last = mixed_quarter[0], month_end(mixed_quarter[-1])
    query = f"period=custom&date={first:%Y-%m-%d}&end={last:%Y-%m-%d}&unit=U-A1"
    whole = manager.get(f"/bao-cao/tai-ve.json?{query}").get_json()
    filtered = manager.get(f"/bao-cao/tai-ve.json?{query}&{part}").get_json()
    a, b = published(whole), published(filtered)
    assert a and all(("U-A1", k) not in b and ("*", k) not in b for k in ("harassment", "overall", "INDEX"))
    for key in a.keys() & b.keys():
        assert abs(a[key] - b[key]) == 0 or abs(a[key] - b[key]) >= K, key
    assert whole["expectations"]["answered"] == 30 and filtered["expectations"]["answered"] is None
    assert all(line["figure"]["suppressed"] for line in filtered["expectations"]["lines"])
    # the first month alone: the filter leaves out five, so the part is published
    query = f"period=month&date={first:%Y-%m-%d}&unit=U-A1"
    filtered = published(manager.get(f"/bao-cao/tai-ve.json?{query}&{part}").get_json())
    assert filtered[("U-A1", "harassment")] == 8


def test_a_breakdown_of_a_part_hides_the_categories_whose_rest_is_few(manager, mixed_quarter):
    month = mixed_quarter[-1]
    query = f"period=month&date={month:%Y-%m-%d}&unit=U-A1&by=channel"
    whole = manager.get(f"/bao-cao/tai-ve.json?{query}").get_json()["breakdown"]
    part = manager.get(f"/bao-cao/tai-ve.json?{query}&procedure=1").get_json()["breakdown"]

    def shown(b):
        lines = [b["total"], *b["lines"]]
        return {(line["code"], k): f["n"] for line in lines for k, f in line["figures"].items() if not f["suppressed"]}

    a, b = shown(whole), shown(part)
    for key in a.keys() & b.keys():
        assert abs(a[key] - b[key]) == 0 or abs(a[key] - b[key]) >= K, key
    assert ("*", "harassment") not in b
