"""Numbers as people read them: Vietnamese decimal comma and thousands dot,
English point and comma (app/numbers.py), on the dashboard too."""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app import numbers
from app.models import ServicePoint
from app.services.instruments import instrument_active
from app.services.submissions import response_submit
from surveys import load_all
from tests.periods import RECENT

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (0.72727, f"72,7{NBSP}%", "72.7%"),
        (1.0, f"100,0{NBSP}%", "100.0%"),
        (0.0, f"0,0{NBSP}%", "0.0%"),
        (12.345, f"1.234,5{NBSP}%", "1,234.5%"),
        (None, "—", "—"),
        (math.nan, "—", "—"),
    ],
)
def test_percent(value, vi, en):
    assert numbers.percent(value, "vi") == vi
    assert numbers.percent(value, "en") == en


def test_counts_group_thousands():
    assert numbers.count(1234, "vi") == "1.234"
    assert numbers.count(1234567, "vi") == "1.234.567"
    assert numbers.count(1234, "en") == "1,234"
    assert numbers.count(999, "vi") == "999"
    assert numbers.count(None, "vi") == "—"


def test_decimals_and_intervals():
    assert numbers.decimal(1234.56, "vi") == "1.234,6"
    assert numbers.decimal(1234.56, "en", 2) == "1,234.56"
    assert numbers.decimal(-0.5, "vi") == "−0,5"
    assert numbers.percent_interval(0.701, 0.752, "vi") == f"70,1–75,2{NBSP}%"
    assert numbers.percent_interval(0.701, 0.752, "en") == "70.1–75.2%"
    assert numbers.percent_interval(None, 0.752, "vi") == ""


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [(0.008, "+0,8", "+0.8"), (-0.023, "−2,3", "−2.3"), (-0.0001, "0,0", "0.0"), (0.0, "0,0", "0.0")],
)
def test_points_carry_a_sign(value, vi, en):
    assert numbers.points(value, "vi") == vi
    assert numbers.points(value, "en") == en


def test_a_language_babel_does_not_know_is_written_the_vietnamese_way():
    assert numbers.percent(0.5, "ede") == numbers.percent(0.5, "vi")
    assert numbers.count(1234, "tyz") == "1.234"


@pytest.fixture
def responses(db_session, units):
    active = instrument_active(db_session, load_all(), "sipas-counter")
    for key, share in {"A1": 0.9, "A2": 0.6, "B1": 0.3}.items():
        point = ServicePoint(unit=units[key], code="Q1", name=f"Quầy {key}")
        db_session.add(point)
        db_session.flush()
        for i in range(24):
            good = i < share * 24
            answers = {"procedure": 1, "E1_1": 5 if good else 2, "E2_1": 4 if good else 1, "overall": 4}
            answers |= {"E5_gate": 2, "harassment": 2 if good else 1, "informal_payment": 2}
            response_submit(
                db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
                service_point_id=point.id, channel="qr", answers=answers,
                submitted_at=datetime.now(UTC) - timedelta(days=1 + i % 10),
            )  # fmt: skip
    db_session.commit()


def test_the_dashboard_writes_numbers_the_vietnamese_way(client, users, responses, login_as):
    login_as(client, users["analyst"])
    html = client.get(f"/bao-cao?{RECENT}").get_data(as_text=True)
    assert re.search(rf"\d,\d{NBSP}%", html)
    assert re.search(rf"\d,\d–\d+,\d{NBSP}%", html)  # an interval
    assert not re.search(r"\d\.\d%", html)
    assert "72 phiếu" in html
    assert '<abbr title="Rất hài lòng">5</abbr>' in html  # the levels, as the instrument words them


def test_the_english_dashboard_writes_numbers_the_english_way(client, users, responses, login_as):
    login_as(client, users["analyst"])
    html = client.get(f"/bao-cao?{RECENT}&lang=en").get_data(as_text=True)
    assert re.search(r"\d\.\d%", html)
    assert not re.search(rf"\d,\d{NBSP}%", html)
    assert "72 responses" in html
