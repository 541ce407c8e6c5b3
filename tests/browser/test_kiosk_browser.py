"""Kiosk mode in a real Chromium: the tablet resets after each response and
after inactivity, and keeps nothing of the last person's answers."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Response, ServicePoint
from app.services import kiosk
from tests.browser.test_citizen_form_browser import REQUIRED_CHOICES, answer, count_responses

pytestmark = pytest.mark.browser


def test_the_kiosk_resets_after_a_response_and_after_inactivity(live_server, browser, monkeypatch):
    monkeypatch.setattr(kiosk, "THANKS_SECONDS", 1)
    monkeypatch.setattr(kiosk, "IDLE_SECONDS", 2)
    token = live_server.first_token()
    with Session(live_server.engine) as s:
        point_id = s.scalar(select(ServicePoint.id).where(ServicePoint.qr_token == token))
    key = kiosk.kiosk_key_issue(live_server.app.secret_key, point_id)
    context = browser.new_context(viewport={"width": 800, "height": 1280}, has_touch=True)
    tablet = context.new_page()
    errors: list[str] = []
    tablet.on("pageerror", lambda exc: errors.append(str(exc)))
    tablet.goto(f"{live_server.url}/s/{token}/kiosk?k={key}")
    tablet.wait_for_url(f"**/s/{token}/kiosk")
    before = count_responses(live_server)

    answer(tablet, REQUIRED_CHOICES)
    tablet.get_by_role("button", name="Gửi đánh giá").click()
    tablet.wait_for_url("**/kiosk/cam-on")
    # back to a blank form for the next person, by itself
    tablet.wait_for_url(f"**/s/{token}/kiosk", timeout=5000)
    assert count_responses(live_server) == before + 1
    with Session(live_server.engine) as s:
        assert s.scalar(select(Response.channel).order_by(Response.id.desc()).limit(1)) == "kiosk"
    assert tablet.locator('input[name="overall"]:checked').count() == 0

    # someone starts, then walks away: the form starts again blank
    with tablet.expect_navigation(timeout=6000):  # the page's CSP forbids evaluated scripts: wait for the reload
        tablet.locator('input[name="overall"][value="2"]').check()
        assert tablet.locator('input[name="overall"]:checked').count() == 1
    tablet.wait_for_load_state()
    assert tablet.locator('input[name="overall"]:checked').count() == 0
    assert count_responses(live_server) == before + 1
    assert errors == []
    context.close()
