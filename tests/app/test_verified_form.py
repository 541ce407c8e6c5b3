"""Verified responses (issue 16.3): a dossier's one-time code opens the form
with the per-dossier rating first; one code, at most one response."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app import create_app
from app.config import Settings
from app.models import Answer, Response, ServicePoint, Unit, UsedDossier
from app.services.dossier_codes import dossier_code_issue, dossier_key
from app.services.verified import RATING_FIELD, dossier_digest
from app.time import vietnam_today
from tests.app.test_citizen_form import VALID, nonce_of, stored

DOSSIER = "000.00.20.H12-261219-0001"


def code_for(secret: str, point_id: int, dossier: str = DOSSIER, days: int = 10) -> str:
    return dossier_code_issue(dossier_key(secret, point_id), point_id, dossier, vietnam_today() + timedelta(days=days))


def tampered(code: str) -> str:
    """The code with its last signature character changed (to another one: a
    fixed replacement equals the original for one signature in sixteen)."""
    return code[:-1] + ("1" if code[-1] == "0" else "0")


def open_verified(client, point, code: str, lang: str = "") -> str:
    page = client.get(f"/s/{point.qr_token}?ma={code}{lang}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # the rating comes before the questionnaire, and nothing after it is required
    assert html.index(f'name="{RATING_FIELD}"') < html.index('name="E1_seats"')
    return html


def send(client, point, code: str, nonce: str, **answers):
    return client.post(f"/s/{point.qr_token}/ho-so", data={"nonce": nonce, "ma": code, **answers})


def test_a_code_opens_the_rating_form_and_the_rating_alone_is_enough(app, client, point, db_session):
    code = code_for(app.secret_key, point.id)
    html = open_verified(client, point, code)
    assert "Rất hài lòng" in html and "Không hài lòng" in html and "data-draft-key" not in html
    sent = send(client, point, code, nonce_of(html), **{RATING_FIELD: "3"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/s/{point.qr_token}/cam-on")
    row = db_session.execute(
        select(Response.channel, Response.dossier_rating, Response.device_tag, Response.submitted_at)
    ).one()
    assert row[:3] == ("qr-verified", 3, None)
    assert (row.submitted_at.minute, row.submitted_at.second) == (0, 0)  # the hour only, as for qr
    used = db_session.execute(select(UsedDossier.service_point_id, UsedDossier.dossier)).one()
    # the dossier number is not kept as written, and nothing links it to the response
    assert used == (point.id, dossier_digest(app.secret_key, point.id, DOSSIER)) and DOSSIER not in used.dossier
    assert not hasattr(UsedDossier, "response_id")


def test_the_questionnaire_may_follow_the_rating_partly_answered(app, client, point, db_session):
    code = code_for(app.secret_key, point.id)
    nonce = nonce_of(open_verified(client, point, code))
    assert send(client, point, code, nonce, **{RATING_FIELD: "2", "overall": "4", "E1_seats": "5"}).status_code == 303
    response = db_session.scalars(select(Response)).one()
    assert {a.question_code: a.value_int for a in response.answers} == {"overall": 4, "E1_seats": 5}


def test_without_a_rating_the_form_comes_back_with_the_answers_kept(app, client, point, db_session):
    code = code_for(app.secret_key, point.id)
    nonce = nonce_of(open_verified(client, point, code))
    again = send(client, point, code, nonce, overall="4")
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and "Vui lòng chọn mức độ hài lòng" in html and 'value="4" checked' in html
    assert stored(db_session) == 0


@pytest.mark.parametrize("rating", ["²", "٣", "³", " 3", "3.0", "4", "0", "9" * 400, "\x00"])
def test_an_odd_rating_is_asked_again_never_a_500(app, client, point, db_session, rating):
    """The rating takes "1", "2" or "3" only: a superscript or Arabic-Indic
    digit ("³".isdigit() is true, int("³") raises) is no rating (issue 15.9)."""
    code = code_for(app.secret_key, point.id)
    nonce = nonce_of(open_verified(client, point, code))
    again = send(client, point, code, nonce, **{RATING_FIELD: rating})
    assert again.status_code == 422 and "Vui lòng chọn mức độ hài lòng" in again.get_data(as_text=True)
    assert stored(db_session) == 0


def test_a_code_works_once_and_only_once(app, client, point, db_session):
    code = code_for(app.secret_key, point.id)
    first = nonce_of(open_verified(client, point, code))
    second = client.get(f"/s/{point.qr_token}?ma={code}")  # opened twice before sending
    assert send(client, point, code, first, **{RATING_FIELD: "3"}).status_code == 303
    # the same form sent again (a double tap) is the same response, not a second one
    assert send(client, point, code, first, **{RATING_FIELD: "3"}).status_code == 303
    again = send(client, point, code, nonce_of(second.get_data(as_text=True)), **{RATING_FIELD: "1"})
    assert again.status_code == 409 and "đã được đánh giá" in again.get_data(as_text=True)
    reopened = client.get(f"/s/{point.qr_token}?ma={code}&lang=en")
    assert reopened.status_code == 409 and "already been rated" in reopened.get_data(as_text=True)
    assert stored(db_session) == 1
    # another dossier at the same counter is a new code
    other = code_for(app.secret_key, point.id, "000.00.20.H12-261219-0002")
    assert (
        send(client, point, other, nonce_of(open_verified(client, point, other)), **{RATING_FIELD: "1"}).status_code
        == 303
    )
    assert stored(db_session) == 2


@pytest.mark.parametrize(
    ("make", "status", "text"),
    [
        (lambda secret, pid: tampered(code_for(secret, pid)), 400, "không hợp lệ"),
        (lambda secret, pid: code_for("another secret", pid), 400, "không hợp lệ"),
        (lambda secret, pid: code_for(secret, pid + 1), 400, "không hợp lệ"),  # another counter's code
        (lambda secret, pid: "rác", 400, "không hợp lệ"),
        (lambda secret, pid: code_for(secret, pid, days=-1), 410, "đã hết hạn"),
    ],
)
def test_forged_and_expired_codes_get_a_clear_page(app, client, point, db_session, make, status, text):
    code = make(app.secret_key, point.id)
    opened = client.get(f"/s/{point.qr_token}", query_string={"ma": code})
    assert opened.status_code == status and text in opened.get_data(as_text=True)
    good_nonce = nonce_of(open_verified(client, point, code_for(app.secret_key, point.id)))
    posted = send(client, point, code, good_nonce, **{RATING_FIELD: "3"})
    assert posted.status_code == status and text in posted.get_data(as_text=True)
    english = client.get(f"/s/{point.qr_token}", query_string={"ma": code, "lang": "en"})
    assert english.status_code == status and ("not valid" in english.get_data(as_text=True)
                                               or "expired" in english.get_data(as_text=True))  # fmt: skip
    assert stored(db_session) == 0


@pytest.fixture
def live_app(engine, database_url_for_tests, tmp_path):
    """Commits for real, so two connections race as two phones would (as tests/app/test_concurrency.py)."""
    app = create_app(Settings(env="testing", database_url=database_url_for_tests), instance_path=str(tmp_path / "i"))
    with Session(engine) as s:
        province = Unit(code="RACEV", name="Tỉnh Đua", level="province", path="/")
        s.add(province)
        s.flush()
        point = ServicePoint(unit_id=province.id, code="Q1", name="Quầy 1")
        s.add(point)
        s.commit()
        token, point_id, unit_id = point.qr_token, point.id, province.id
    yield app, token, point_id
    with Session(engine) as s:
        ids = select(Response.id).where(Response.unit_id == unit_id)
        s.execute(delete(Answer).where(Answer.response_id.in_(ids)))
        s.execute(delete(Response).where(Response.unit_id == unit_id))
        s.execute(delete(UsedDossier).where(UsedDossier.service_point_id == point_id))
        s.execute(delete(ServicePoint).where(ServicePoint.unit_id == unit_id))
        s.execute(delete(Unit).where(Unit.id == unit_id))
        s.commit()
    app.extensions["db"].engine.dispose()


def test_two_phones_sending_one_code_at_once_store_one_response(live_app, engine):
    app, token, point_id = live_app
    code = code_for(app.secret_key, point_id)
    nonces = []
    for _ in range(6):  # six forms opened with the same code (a photographed receipt)
        html = app.test_client().get(f"/s/{token}?ma={code}").get_data(as_text=True)
        nonces.append(re.search(r'name="nonce" value="([^"]+)"', html).group(1))
    statuses: list[int] = []
    barrier = threading.Barrier(len(nonces))

    def tap(nonce: str) -> None:
        client = app.test_client()
        barrier.wait()
        sent = client.post(f"/s/{token}/ho-so", data={"nonce": nonce, "ma": code, RATING_FIELD: "3", **VALID})
        statuses.append(sent.status_code)

    threads = [threading.Thread(target=tap, args=(n,)) for n in nonces]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303] + [409] * 5
    with Session(engine) as s:
        count = s.scalar(select(func.count()).select_from(Response).where(Response.service_point_id == point_id))
        answers = s.scalar(
            select(func.count()).select_from(Answer).join(Response).where(Response.service_point_id == point_id)
        )
        used = s.scalar(select(func.count()).select_from(UsedDossier).where(UsedDossier.service_point_id == point_id))
    assert (count, used) == (1, 1)
    assert answers == len(VALID)


def test_the_review_screens_name_the_channel(app, client, point, db_session, users, login_as):
    code = code_for(app.secret_key, point.id)
    assert (
        send(client, point, code, nonce_of(open_verified(client, point, code)), **{RATING_FIELD: "2"}).status_code
        == 303
    )
    login_as(client, users["admin"])
    listing = client.get("/quan-tri/phieu").get_data(as_text=True)
    assert "Mã QR theo hồ sơ" in listing
    response_id = db_session.scalar(select(Response.id))
    assert "Mã QR theo hồ sơ" in client.get(f"/quan-tri/phieu/{response_id}").get_data(as_text=True)
