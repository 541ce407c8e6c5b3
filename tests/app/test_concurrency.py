"""Concurrent submissions of the same form store one response.

These tests commit for real (no rolled-back outer transaction), so two
database connections race exactly as two phones would.
"""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app import create_app
from app.config import Settings
from app.models import Answer, Response, ServicePoint, Unit
from app.services import devices
from tests.app.test_citizen_form import VALID


@pytest.fixture
def live_app(engine, database_url_for_tests, tmp_path):
    app = create_app(Settings(env="testing", database_url=database_url_for_tests), instance_path=str(tmp_path / "i"))
    with Session(engine) as s:
        province = Unit(code="RACE", name="Tỉnh Đua", level="province", path="/")
        s.add(province)
        s.flush()
        point = ServicePoint(unit_id=province.id, code="Q1", name="Quầy 1")
        s.add(point)
        s.commit()
        token, unit_id = point.qr_token, province.id
    yield app, token
    with Session(engine) as s:
        ids = select(Response.id).where(Response.unit_id == unit_id)
        s.execute(delete(Answer).where(Answer.response_id.in_(ids)))
        s.execute(delete(Response).where(Response.unit_id == unit_id))
        s.execute(delete(ServicePoint).where(ServicePoint.unit_id == unit_id))
        s.execute(delete(Unit).where(Unit.id == unit_id))
        s.commit()
    app.extensions["db"].engine.dispose()


def test_racing_double_taps_store_exactly_one(live_app, engine):
    app, token = live_app
    opener = app.test_client()
    html = opener.get(f"/s/{token}").get_data(as_text=True)
    nonce = re.search(r'name="nonce" value="([^"]+)"', html).group(1)
    device = opener.get_cookie(devices.COOKIE, path="/s/").value
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def tap():
        client = app.test_client()
        client.set_cookie(devices.COOKIE, device, path="/s/")  # the same phone, tapping
        barrier.wait()
        statuses.append(client.post(f"/s/{token}", data={**VALID, "nonce": nonce}).status_code)

    threads = [threading.Thread(target=tap) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * 8
    with Session(engine) as s:
        point_id = s.scalar(select(ServicePoint.id).where(ServicePoint.qr_token == token))
        count = s.scalar(select(func.count()).select_from(Response).where(Response.service_point_id == point_id))
        answers = s.scalar(
            select(func.count()).select_from(Answer).join(Response).where(Response.service_point_id == point_id)
        )
    assert count == 1
    assert answers == len(VALID)
