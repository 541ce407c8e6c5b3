"""Kiosk mode (issue 16.5): the counter's shared tablet, channel kiosk, no
device limit, and nobody else can claim to be it."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Response
from app.services import kiosk
from tests.app.test_citizen_form import VALID, nonce_of, stored


def set_up(app, client, point) -> None:
    key = kiosk.kiosk_key_issue(app.secret_key, point.id)
    made = client.get(f"/s/{point.qr_token}/kiosk?k={key}")
    assert made.status_code == 303 and made.headers["Location"].endswith(f"/s/{point.qr_token}/kiosk")


def kiosk_form(client, point) -> str:
    page = client.get(f"/s/{point.qr_token}/kiosk")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "data-kiosk-idle" in html and "js/kiosk" in html and "data-draft-key" not in html
    return nonce_of(html)


def test_a_kiosk_takes_form_after_form_without_the_device_limit(app, client, point, db_session):
    app.config["DEVICE_DAILY_MAX"] = 1
    set_up(app, client, point)
    for _ in range(3):
        sent = client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": kiosk_form(client, point)})
        assert sent.status_code == 303 and sent.headers["Location"].endswith("/kiosk/cam-on")
    rows = db_session.execute(select(Response.channel, Response.device_tag)).all()
    assert rows == [("kiosk", None)] * 3
    thanks = client.get(f"/s/{point.qr_token}/kiosk/cam-on").get_data(as_text=True)
    assert "data-kiosk-return" in thanks and "Phiếu mới" in thanks


def test_without_the_kiosk_key_there_is_no_kiosk(app, client, point, db_session):
    assert client.get(f"/s/{point.qr_token}/kiosk").status_code == 403
    forged = client.get(f"/s/{point.qr_token}/kiosk?k=forged")
    assert forged.status_code == 403 and "chưa được cài làm máy đánh giá" in forged.get_data(as_text=True)
    other_key = kiosk.kiosk_key_issue(app.secret_key, point.id + 1)
    assert client.get(f"/s/{point.qr_token}/kiosk?k={other_key}").status_code == 403
    # a kiosk nonce posted from a browser that lost the kiosk cookie is refused, answers kept
    set_up(app, client, point)
    nonce = kiosk_form(client, point)
    client.delete_cookie(kiosk.COOKIE, path=f"/s/{point.qr_token}")
    refused = client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce})
    assert refused.status_code == 400
    assert stored(db_session) == 0


def test_the_kiosk_url_command(app, runner, point):
    result = runner.invoke(args=["kiosk-url", "--token", point.qr_token])
    assert result.exit_code == 0
    key = result.output.strip().split("?k=")[1]
    assert kiosk.kiosk_key_valid(app.secret_key, key, point.id)
    assert runner.invoke(args=["kiosk-url", "--token", "nope"]).exit_code != 0
