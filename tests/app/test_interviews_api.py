"""The tablet API ``/api/v1``: batches of interviews, each stored exactly once.

Runs on SQLite and, with DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Answer, ApiToken, AuditEvent, Response
from app.services.assignments import assignment_create
from app.services.interviews import MAX_ITEMS
from surveys import load_all

#: papi-household answered "no" to using a one-stop shop: the service items are skipped
ANSWERS = {
    "sex": 1, "age_group": 2, "ethnicity": 1, "education": 3, "used_service": 2,
    "P_land": 1, "P_construction": 2, "P_hospital": 9, "P_school": 2, "P_job": 1,
}  # fmt: skip
DEVICE = "0b8f1c1e-5d7a-4c2e-9a31-3f0f6a1d2b7c"


def interview(assignment_id: int, **changes) -> dict:
    now = datetime.now(UTC)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "assignment_id": assignment_id,
        "instrument": "papi-household",
        "instrument_version": 1,
        "started_at": (now - timedelta(minutes=20)).isoformat(),
        "submitted_at": (now - timedelta(minutes=1)).isoformat(),
        "device_id": DEVICE,
        "answers": dict(ANSWERS),
    }
    body.update(changes)
    return body


@pytest.fixture
def surveyor(app, users, login_as):
    """A client signed in as the surveyor of A1, and the headers a page's script sends."""
    client = app.test_client()
    login_as(client, users["surveyor"])
    token = client.get("/api/v1/session").json["csrf_token"]
    return client, {"X-CSRFToken": token}


def send(client, headers, items, **kwargs):
    return client.post("/api/v1/interviews", json={"interviews": items}, headers=headers, **kwargs)


def stored(db_session, **where) -> list[Response]:
    db_session.expire_all()
    query = select(Response).where(Response.channel == "tablet")
    for name, value in where.items():
        query = query.where(getattr(Response, name) == value)
    return list(db_session.scalars(query.order_by(Response.id)))


def test_a_batch_answers_per_item_and_stores_exactly_the_valid_ones(
    surveyor, surveyor_assignment, db_session, users, units
):
    client, headers = surveyor
    a = surveyor_assignment.id
    valid = interview(a)
    with_gate = interview(a, answers={**ANSWERS, "used_service": 1, "E1_1": 4})  # required follow-ups missing
    replay = dict(valid)
    conflicting = {**valid, "answers": {**ANSWERS, "sex": 2}}
    hidden_answer = interview(a, answers={**ANSWERS, "E1_1": 5})  # E1_1 is skipped when used_service = 2
    response = send(client, headers, [valid, with_gate, replay, conflicting, hidden_answer])

    assert response.status_code == 200
    results = response.json["results"]
    assert [r["status"] for r in results] == ["created", "invalid", "duplicate", "conflict", "created"]
    assert [r["http_status"] for r in results] == [201, 422, 200, 409, 201]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert results[0]["client_uuid"] == valid["client_uuid"]
    assert response.json["counts"] == {"created": 2, "duplicate": 1, "conflict": 1, "invalid": 1, "forbidden": 0}
    refused = {e["field"] for e in results[1]["errors"]}
    assert {"answers.procedure", "answers.E1_2", "answers.harassment"} <= refused
    assert results[1]["messages"]["en"] == "Please answer this question."
    assert results[1]["message"] == "Vui lòng trả lời câu này."
    assert results[3]["errors"][0]["field"] == "client_uuid"
    assert "khác" in results[3]["messages"]["vi"] and "other answers" in results[3]["messages"]["en"]

    rows = stored(db_session)
    assert [str(r.client_uuid) for r in rows] == [valid["client_uuid"], hidden_answer["client_uuid"]]
    first = rows[0]
    assert first.surveyor_id == users["surveyor"].id
    assert first.device_id == DEVICE
    assert first.unit_id == units["A1"].id and first.service_point_id is None
    assert first.started_at is not None and first.submitted_at is not None
    assert first.submitted_at.replace(tzinfo=UTC) - first.started_at.replace(tzinfo=UTC) == timedelta(minutes=19)
    codes = set(db_session.scalars(select(Answer.question_code).where(Answer.response_id == first.id)))
    assert codes == set(ANSWERS)
    # the answer to a question skip logic hid is dropped, as on every channel
    hidden_codes = set(db_session.scalars(select(Answer.question_code).where(Answer.response_id == rows[1].id)))
    assert "E1_1" not in hidden_codes


def test_sending_the_same_batch_again_stores_nothing_new(surveyor, surveyor_assignment, db_session):
    client, headers = surveyor
    batch = [interview(surveyor_assignment.id) for _ in range(3)]
    assert [r["status"] for r in send(client, headers, batch).json["results"]] == ["created"] * 3
    again = send(client, headers, batch)
    assert [r["status"] for r in again.json["results"]] == ["duplicate"] * 3
    assert len(stored(db_session)) == 3
    answers = db_session.scalar(select(func.count()).select_from(Answer).join(Response))
    assert answers == 3 * len(ANSWERS)


def test_a_surveyor_may_send_only_to_their_assignments(
    surveyor, surveyor_assignment, db_session, users, units, staff_password
):
    from app.services import accounts

    client, headers = surveyor
    other = accounts.user_create(
        db_session, username="test-surveyor-b", password=staff_password, role="surveyor", unit=units["B1"]
    )
    theirs = assignment_create(
        db_session,
        load_all(),
        surveyor=other,
        unit=units["B1"],
        instrument_code="papi-household",
        target=5,
        starts_on=date.today() - timedelta(days=5),
    )
    db_session.commit()
    results = send(
        client,
        headers,
        [interview(theirs.id), interview(999_999), interview(surveyor_assignment.id)],
    ).json["results"]
    assert [r["status"] for r in results] == ["forbidden", "forbidden", "created"]
    assert results[0]["http_status"] == 403 and results[0]["errors"][0]["field"] == "assignment_id"
    assert len(stored(db_session)) == 1


def test_interviews_outside_the_assignment_dates_are_refused(surveyor, surveyor_assignment, db_session):
    client, headers = surveyor
    long_ago = datetime.now(UTC) - timedelta(days=45)
    early = interview(
        surveyor_assignment.id,
        started_at=(long_ago - timedelta(minutes=20)).isoformat(),
        submitted_at=long_ago.isoformat(),
    )
    result = send(client, headers, [early]).json["results"][0]
    assert result["status"] == "forbidden" and result["errors"][0]["field"] == "submitted_at"
    assert stored(db_session) == []


def test_an_interview_with_the_wrong_instrument_is_invalid(surveyor, surveyor_assignment):
    client, headers = surveyor
    results = send(
        client,
        headers,
        [
            interview(surveyor_assignment.id, instrument="sipas-counter"),
            interview(surveyor_assignment.id, instrument_version=7),
        ],
    ).json["results"]
    assert [r["status"] for r in results] == ["invalid", "invalid"]
    assert [r["errors"][0]["field"] for r in results] == ["instrument", "instrument"]


MALFORMED = {
    "not an object": ("oops", ""),
    "no uuid": ({"client_uuid": None}, "client_uuid"),
    "uuid not a uuid": ({"client_uuid": "123"}, "client_uuid"),
    "assignment id a string": ({"assignment_id": "1"}, "assignment_id"),
    "assignment id a boolean": ({"assignment_id": True}, "assignment_id"),
    "assignment id huge": ({"assignment_id": 10**30}, "assignment_id"),
    "version huge": ({"instrument_version": 2**63}, "instrument"),
    "time without offset": ({"submitted_at": "2026-11-21T08:00:00"}, "submitted_at"),
    "time not a time": ({"started_at": "hôm qua"}, "started_at"),
    "clock far ahead": ({"submitted_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()}, "submitted_at"),
    "clock reset": ({"started_at": "1970-01-01T00:00:00+00:00"}, "started_at"),
    "start after end": (
        {"started_at": "2026-11-21T10:00:00+07:00", "submitted_at": "2026-11-21T09:30:00+07:00"},
        "started_at",
    ),
    "device id malformed": ({"device_id": "tablet of Ms Lan, 0912 345 678"}, "device_id"),
    "answers a list": ({"answers": [1, 2]}, "answers"),
    "lone surrogate": ({"answers": {**ANSWERS, "comment": "\ud800"}}, ""),
    "unknown question": ({"answers": {**ANSWERS, "gps": "21.03,105.85"}}, "answers.gps"),
}


@pytest.mark.parametrize("change, field", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_item_is_refused_with_its_reason_and_the_others_stored(
    surveyor, surveyor_assignment, db_session, change, field
):
    client, headers = surveyor
    bad = change if isinstance(change, str) else {**interview(surveyor_assignment.id), **change}
    good = interview(surveyor_assignment.id)
    response = send(client, headers, [bad, good])
    assert response.status_code == 200
    first, second = response.json["results"]
    assert first["status"] == "invalid" and first["http_status"] == 422
    assert field in [e["field"] for e in first["errors"]]
    assert all(e["messages"]["vi"] and e["messages"]["en"] for e in first["errors"])
    assert second["status"] == "created"
    assert [str(r.client_uuid) for r in stored(db_session)] == [good["client_uuid"]]


def test_messages_follow_the_language(surveyor, surveyor_assignment):
    client, headers = surveyor
    result = send(client, headers, [{"client_uuid": "x"}], query_string={"lang": "en"}).json["results"][0]
    assert result["message"] == "client_uuid is missing or not a UUID."


def test_text_answers_are_cleaned_like_on_every_channel(surveyor, surveyor_assignment, db_session):
    client, headers = surveyor
    comment = "Goi cho toi 0912 345 678 nhe"
    send(client, headers, [interview(surveyor_assignment.id, answers={**ANSWERS, "comment": comment})])
    text = db_session.scalar(select(Answer.value_text).where(Answer.question_code == "comment"))
    assert text == "Goi cho toi […] nhe"


def test_a_session_request_without_the_csrf_header_is_refused(surveyor, surveyor_assignment, db_session):
    client, _headers = surveyor
    response = send(client, {}, [interview(surveyor_assignment.id)])
    assert response.status_code == 400
    assert response.json["error"] == "csrf_failed" and response.json["messages"]["en"]
    wrong = send(client, {"X-CSRFToken": "forged"}, [interview(surveyor_assignment.id)])
    assert wrong.status_code == 400
    assert stored(db_session) == []


def test_other_roles_and_strangers_cannot_send(app, users, login_as, surveyor_assignment):
    anonymous = app.test_client().post("/api/v1/interviews", json={"interviews": []})
    assert anonymous.status_code == 401 and anonymous.json["error"] == "Unauthorized"
    for role in ("unit_manager", "analyst", "admin"):
        client = app.test_client()
        login_as(client, users[role])
        assert client.post("/api/v1/interviews", json={"interviews": []}).status_code == 403


def test_a_bearer_token_needs_no_session_and_no_csrf(app, runner, users, surveyor_assignment, db_session):
    made = runner.invoke(args=["api-token", "--username", "TEST-surveyor", "--label", "Máy 1"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[0]
    assert token.startswith("ksat_")
    row = db_session.scalar(select(ApiToken).where(ApiToken.user_id == users["surveyor"].id))
    assert row.token_hash != token and len(row.token_hash) == 64 and row.label == "Máy 1"
    tablet = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    response = send(tablet, auth, [interview(surveyor_assignment.id)])
    assert response.status_code == 200 and response.json["results"][0]["status"] == "created"
    assert "Set-Cookie" not in response.headers  # no session is made for a token
    session = tablet.get("/api/v1/session", headers=auth).json
    assert session["auth"] == "bearer" and "csrf_token" not in session
    assert stored(db_session)[0].surveyor_id == users["surveyor"].id

    assert send(app.test_client(), {"Authorization": "Bearer ksat_wrong"}, []).status_code == 401
    assert send(app.test_client(), {"Authorization": f"Basic {token}"}, []).status_code == 401
    revoked = runner.invoke(args=["api-token", "--username", "test-surveyor", "--revoke"])
    assert revoked.exit_code == 0 and "1 token(s)" in revoked.output
    assert send(app.test_client(), auth, [interview(surveyor_assignment.id)]).status_code == 401
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("api_token%")))


def test_tokens_are_for_surveyors_only(runner, users):
    refused = runner.invoke(args=["api-token", "--username", "test-analyst"])
    assert refused.exit_code != 0 and "surveyors only" in refused.output
    assert runner.invoke(args=["api-token", "--username", "nobody"]).exit_code != 0


def test_a_token_stops_working_when_the_account_is_deactivated(app, runner, users, db_session, surveyor_assignment):
    token = runner.invoke(args=["api-token", "--username", "test-surveyor"]).stdout.strip().splitlines()[0]
    users["surveyor"].active = False
    db_session.commit()
    assert send(app.test_client(), {"Authorization": f"Bearer {token}"}, []).status_code == 401


BAD_BODIES = {
    "text/plain": (b"{}", "text/plain", 415, "unsupported_media_type"),
    "form": (b"interviews=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    "no content type": (b"{}", None, 415, "unsupported_media_type"),
    "latin-1 charset": (b"{}", "application/json; charset=latin-1", 415, "unsupported_media_type"),
    "invalid utf-8": (b'{"interviews": ["\xff\xfe"]}', "application/json", 400, "invalid_encoding"),
    "utf-16": ('{"interviews": []}'.encode("utf-16"), "application/json", 400, "invalid_encoding"),
    "invalid json": (b'{"interviews": [', "application/json", 400, "invalid_json"),
    "empty": (b"", "application/json", 400, "invalid_json"),
    "NaN": (b'{"interviews": [NaN]}', "application/json", 400, "invalid_json"),
    "repeated key": (b'{"interviews": [], "interviews": []}', "application/json", 400, "invalid_json"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "invalid_json"),
    "huge number": (b'{"interviews": [' + b"9" * 5000 + b"]}", "application/json", 400, "invalid_json"),
    "a list": (b"[]", "application/json", 400, "invalid_batch"),
    "no interviews": (b'{"responses": []}', "application/json", 400, "invalid_batch"),
    "too many": (
        json.dumps({"interviews": [{}] * (MAX_ITEMS + 1)}).encode(),
        "application/json",
        413,
        "too_many_items",
    ),
    "too large": (
        b'{"interviews": ["' + b"x" * (3 * 1024 * 1024) + b'"]}',
        "application/json",
        413,
        "payload_too_large",
    ),
}


@pytest.mark.parametrize("body, content_type, status, error", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_get_a_json_4xx_with_a_clear_message(surveyor, db_session, body, content_type, status, error):
    client, headers = surveyor
    extra = {"Content-Type": content_type} if content_type else {}
    response = client.post("/api/v1/interviews", data=body, headers={**headers, **extra})
    assert response.status_code == status
    assert response.is_json
    assert response.json["error"] == error
    assert response.json["message"] and response.json["messages"]["vi"] and response.json["messages"]["en"]
    assert stored(db_session) == []


def test_an_empty_batch_is_fine(surveyor):
    client, headers = surveyor
    response = send(client, headers, [])
    assert response.status_code == 200 and response.json["results"] == []


def test_unknown_api_paths_and_methods_answer_in_json(surveyor):
    client, _headers = surveyor
    assert client.get("/api/v1/nothing-here").is_json
    wrong_method = client.get("/api/v1/interviews")
    assert wrong_method.status_code == 405 and wrong_method.is_json
    missing = client.get("/api/v1/instruments/no-such-thing")
    assert missing.status_code == 404 and missing.json["error"] == "not_found"


def test_assignments_show_progress_counted_by_the_server(surveyor, surveyor_assignment, db_session):
    client, headers = surveyor
    send(client, headers, [interview(surveyor_assignment.id) for _ in range(2)])
    body = client.get("/api/v1/assignments").json
    (only,) = body["assignments"]
    assert only["id"] == surveyor_assignment.id
    assert (only["done"], only["target"], only["active"]) == (2, 10, True)
    assert only["instrument"] == "papi-household" and only["instrument_version"] == 1
    assert only["interview_url"] == f"/dieu-tra/phong-van/{surveyor_assignment.id}"


def test_the_instrument_definition_is_served_for_the_offline_app(surveyor):
    client, _headers = surveyor
    body = client.get("/api/v1/instruments/papi-household").json
    assert (body["code"], body["version"]) == ("papi-household", 1)
    questions = {q["code"]: q for s in body["sections"] for q in s["questions"]}
    assert questions["E5_1"]["show_if"] == {"question": "E5_gate", "values": [1]}
    assert questions["sex"]["required"] is True
    assert [c["code"] for c in body["scales"]["satisfaction5"]["choices"]] == [1, 2, 3, 4, 5, 9]


#: an exit interview with sipas-counter v2 as the tablet sends it
EXIT = {
    "visit_stage": 3, "procedure": 1, "visits": 2,
    "E1_seats": 4, "E1_equipment_enough": 4, "E1_equipment_modern": 3, "E1_equipment_easy": 4, "E1_overall": 4,
    "E2_posted_complete": 5, "E2_posted_accurate": 4, "E2_documents": 4, "E2_fees": 4, "E2_time": 2,
    "E3_polite": 5, "E3_listening": 5, "E3_answers": 4, "E3_guidance_helpful": 4, "E3_guidance_clear": 4,
    "E3_rules": 4, "E4_lawful": 4, "E4_complete": 4, "E4_accurate": 5, "E4_overall": 4,
    "E5_channels": 4, "E5_gate": 2, "harassment": 2, "informal_payment": 2, "overall": 4,
    "expectations": [11, 6], "expectations_other": "Trả kết quả qua bưu điện", "sex": 2, "age_group": 3,
}  # fmt: skip


@pytest.fixture
def exit_assignment(db_session, users):
    """Exit interviews with sipas-counter for the surveyor of commune A1."""
    made = assignment_create(
        db_session, load_all(), surveyor=users["surveyor"], unit=users["surveyor"].unit,
        instrument_code="sipas-counter", target=10, starts_on=date.today() - timedelta(days=3),
    )  # fmt: skip
    db_session.commit()
    return made


def test_the_tablet_gets_what_a_tablet_asks(surveyor, exit_assignment):
    client, _headers = surveyor
    body = client.get("/api/v1/instruments/sipas-counter").json
    assert (body["version"], body["channel"]) == (2, "tablet")
    questions = {q["code"]: q for s in body["sections"] for q in s["questions"]}
    assert "E1_overall" in questions  # interviews ask the element satisfaction, the QR form does not
    multi = questions["expectations"]
    assert (multi["kind"], multi["max_choices"], multi["exclusive"]) == ("multi", 3, [0])
    assert questions["expectations_other"]["show_if"] == {"question": "expectations", "values": [11]}


def test_an_interview_with_check_boxes_is_stored_as_the_tablet_asks(surveyor, exit_assignment, db_session):
    client, headers = surveyor
    a = exit_assignment.id
    v2 = {"instrument": "sipas-counter", "instrument_version": 2}
    good = interview(a, **v2, answers=EXIT)
    as_text = interview(a, **v2, answers={**EXIT, "expectations": "6;11"})
    too_many = interview(a, **v2, answers={**EXIT, "expectations": [1, 2, 3, 4]})
    none_and_more = interview(a, **v2, answers={**EXIT, "expectations": [0, 6]})
    results = send(client, headers, [good, as_text, too_many, none_and_more]).json["results"]
    assert [r["status"] for r in results] == ["created", "created", "invalid", "invalid"]
    assert results[2]["errors"] == [
        {"field": "answers.expectations", "message": "Vui lòng chọn tối đa 3 ý.",
         "messages": {"vi": "Vui lòng chọn tối đa 3 ý.", "en": "Please choose at most 3."}}
    ]  # fmt: skip
    assert "Không có đề xuất / Không biết" in results[3]["message"]
    (row, other) = stored(db_session)
    answers = {a.question_code: (a.value_int, a.value_text) for a in row.answers}
    assert answers["expectations"] == (2**6 + 2**11, None)
    assert answers["expectations_other"] == (None, "Trả kết quả qua bưu điện")
    assert answers["E1_overall"] == (4, None) and answers["E4_overall"] == (4, None)
    assert row.codes == other.codes  # "6;11" reads as [6, 11]


def test_the_openapi_document_describes_the_api(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    assert {"/api/v1/interviews", "/api/v1/assignments", "/api/v1/instruments/{code}", "/api/v1/session"} <= set(
        doc["paths"]
    )
    post = doc["paths"]["/api/v1/interviews"]["post"]
    assert {"200", "400", "401", "403", "413", "415"} <= set(post["responses"])
    # both are rate limited per token (issue 16.6; schemathesis found the 429 undocumented)
    assert "429" in post["responses"] and "429" in doc["paths"]["/api/v1/dossiers"]["post"]["responses"]
    statuses = doc["components"]["schemas"]["ItemResult"]["properties"]["status"]["enum"]
    assert statuses == ["created", "duplicate", "conflict", "invalid", "forbidden"]
    assert doc["components"]["schemas"]["Batch"]["properties"]["interviews"]["maxItems"] == MAX_ITEMS
    assert set(doc["components"]["securitySchemes"]) == {"session", "bearer"}
    answer = doc["components"]["schemas"]["Interview"]["properties"]["answers"]["additionalProperties"]
    assert "array" in answer["type"] and answer["items"] == {"type": "integer"}


@pytest.fixture
def live_tablet(engine, database_url_for_tests, tmp_path, staff_password):
    """An app on the real database (no rolled-back outer transaction), a
    surveyor with an assignment and a bearer token, all committed; removed
    afterwards."""
    from sqlalchemy import delete, or_
    from sqlalchemy.orm import Session

    from app import create_app
    from app.config import Settings
    from app.models import SurveyorAssignment, Unit, User
    from app.services import accounts
    from app.services.api_tokens import api_token_issue
    from app.services.units import child_path

    app = create_app(Settings(env="testing", database_url=database_url_for_tests), instance_path=str(tmp_path / "i"))
    tag = uuid.uuid4().hex[:8]
    with Session(engine) as s:
        province = Unit(code=f"RACE-{tag}", name="Tỉnh Đua", level="province", path="/")
        s.add(province)
        s.flush()
        commune = Unit(code=f"RACE-{tag}-X", name="Xã Đua", level="commune", parent=province, path=child_path(province))
        s.add(commune)
        s.flush()
        user = accounts.user_create(s, username=f"race-{tag}", password=staff_password, role="surveyor", unit=commune)
        assignment = assignment_create(
            s,
            load_all(),
            surveyor=user,
            unit=commune,
            instrument_code="papi-household",
            target=50,
            starts_on=date.today() - timedelta(days=3),
        )
        token = api_token_issue(s, user, "race")
        s.commit()
        user_id, unit_ids, assignment_id = user.id, (commune.id, province.id), assignment.id
    yield app, token, assignment_id, user_id
    with Session(engine) as s:
        mine = select(Response.id).where(Response.surveyor_id == user_id)
        s.execute(delete(Answer).where(Answer.response_id.in_(mine)))
        s.execute(delete(Response).where(Response.surveyor_id == user_id))
        s.execute(delete(SurveyorAssignment).where(SurveyorAssignment.surveyor_id == user_id))
        s.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
        s.execute(
            delete(AuditEvent).where(or_(AuditEvent.actor_user_id == user_id, AuditEvent.target == f"user:race-{tag}"))
        )
        s.execute(delete(User).where(User.id == user_id))
        for unit_id in unit_ids:
            s.execute(delete(Unit).where(Unit.id == unit_id))
        s.commit()
    app.extensions["db"].engine.dispose()


def test_racing_sends_of_the_same_batch_store_each_interview_once(live_tablet, engine):
    import threading

    from sqlalchemy.orm import Session

    app, token, assignment_id, user_id = live_tablet
    batch = [interview(assignment_id) for _ in range(5)]
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    outcomes: list[tuple[int, list[str]]] = []

    def tablet():
        client = app.test_client()
        barrier.wait()
        response = send(client, {"Authorization": f"Bearer {token}"}, batch)
        outcomes.append((response.status_code, [r["status"] for r in response.json["results"]]))

    threads = [threading.Thread(target=tablet) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in outcomes] == [200] * threads_n
    for index in range(len(batch)):
        seen = sorted(statuses[index] for _, statuses in outcomes)
        assert seen == ["created"] + ["duplicate"] * (threads_n - 1), (index, seen)
    with Session(engine) as s:
        rows = s.scalar(select(func.count()).select_from(Response).where(Response.surveyor_id == user_id))
        answers = s.scalar(
            select(func.count()).select_from(Answer).join(Response).where(Response.surveyor_id == user_id)
        )
    assert rows == len(batch)
    assert answers == len(batch) * len(ANSWERS)


def test_nothing_identifying_is_stored_even_if_sent(surveyor, surveyor_assignment, db_session):
    client, headers = surveyor
    nosy = interview(
        surveyor_assignment.id,
        gps={"lat": 21.03, "lon": 105.85},
        ip="203.0.113.7",
        user_agent="Mozilla/5.0 (Linux; Android 9; SM-T295)",
        respondent_name="Nguyễn Văn A",
    )
    response = send(client, {**headers, "User-Agent": "Tablet/1.0"}, [nosy])
    assert response.json["results"][0]["status"] == "created"
    (row,) = stored(db_session)
    values = {c.name: getattr(row, c.name) for c in Response.__table__.columns}
    flat = json.dumps(values, default=str) + json.dumps(
        [a.value_text for a in db_session.scalars(select(Answer).where(Answer.response_id == row.id))]
    )
    for secret in ("21.03", "203.0.113.7", "Mozilla", "Tablet/1.0", "Nguyễn"):
        assert secret not in flat


def test_an_interview_of_a_future_day_is_an_invalid_item(surveyor, surveyor_assignment, db_session):
    client, headers = surveyor
    from app.services.interviews import CLOCK_AHEAD, DAY_SKEW
    from app.time import VIETNAM, service_day_of

    # one minute into the service day after the one the server counts as today:
    # within the clock tolerance at any hour except the last ten minutes before
    # midnight, when no moment is both within it and on a later day
    now = datetime.now(UTC)
    next_day = service_day_of(now + DAY_SKEW) + timedelta(days=1)
    ahead = (datetime.combine(next_day, datetime.min.time(), VIETNAM) + timedelta(minutes=1)).astimezone(UTC)
    if ahead > now + CLOCK_AHEAD - timedelta(minutes=1):
        ahead = now + CLOCK_AHEAD + timedelta(minutes=5)  # the clock rule refuses it instead
    item = interview(surveyor_assignment.id, started_at=(ahead - timedelta(minutes=20)).isoformat(),
                     submitted_at=ahead.isoformat())  # fmt: skip
    answer = send(client, headers, [item])
    assert answer.status_code == 200, answer.json
    (result,) = answer.json["results"]
    assert result["status"] == "invalid"
    if service_day_of(ahead) > service_day_of(now + DAY_SKEW):
        assert any("tương lai" in e["message"] for e in result["errors"]), result
    assert stored(db_session) == []


def test_the_interview_api_is_rate_limited_per_token(app, db_session, users, surveyor_assignment):
    from app.services.api_tokens import api_token_issue

    first = api_token_issue(db_session, users["surveyor"], "máy 1")
    second = api_token_issue(db_session, users["surveyor"], "máy 2")
    db_session.commit()
    app.config["RATELIMIT_API_INTERVIEWS"] = "2 per minute"
    tablet = app.test_client()
    one = {"Authorization": f"Bearer {first}"}
    assert send(tablet, one, []).status_code != 429
    assert send(tablet, one, []).status_code != 429
    refused = send(tablet, one, [])
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    # the other tablet, from the same address, has its own share
    assert send(app.test_client(), {"Authorization": f"Bearer {second}"}, []).status_code != 429
