"""A dossier's one-time code in a real Chromium: the rating alone is enough
to send (the form's script must not ask for the optional questionnaire)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Response, ServicePoint
from app.services.dossier_codes import dossier_code_issue, dossier_key
from app.time import vietnam_today

pytestmark = pytest.mark.browser


def test_the_rating_alone_is_sent_once(live_server, browser):
    token = live_server.first_token()
    with Session(live_server.engine) as s:
        point_id = s.scalar(select(ServicePoint.id).where(ServicePoint.qr_token == token))
    secret = live_server.app.secret_key
    expires = vietnam_today() + timedelta(days=3)
    code = dossier_code_issue(dossier_key(secret, point_id), point_id, "BROWSER-0001", expires)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/s/{token}?ma={code}")
    page.locator('input[name="danh_gia_ho_so"][value="3"]').check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_url("**/cam-on")
    with Session(live_server.engine) as s:
        last = s.execute(select(Response.channel, Response.dossier_rating).order_by(Response.id.desc()).limit(1)).one()
    assert tuple(last) == ("qr-verified", 3)
    page.goto(f"{live_server.url}/s/{token}?ma={code}")
    assert "đã được đánh giá" in page.content()
    assert errors == []
    page.close()
