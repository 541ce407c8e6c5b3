"""The read API, ``GET /api/v1/indicators`` (issue 17).

The dashboard's filters, the figures of its JSON download (suppression
applied the same way) without comments, for read-scoped bearer tokens of
analysts and unit managers (a manager's only for their units) and signed-in
staff; a tablet's token cannot read it, a read token cannot send interviews.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.models import ApiToken, AuditEvent
from app.services.api_tokens import api_token_issue
from app.services.api_tokens import token_digest as digest
from tests.app.test_disclosure import LONE_MONTH, SECRET, lone_citizen  # noqa: F401 (a fixture)
from tests.periods import RECENT

URL = "/api/v1/indicators"


@pytest.fixture
def tokens(db_session, users):
    made = {
        "analyst": api_token_issue(db_session, users["analyst"], "cổng tỉnh", scope="read"),
        "manager": api_token_issue(db_session, users["unit_manager"], "huyện A", scope="read"),
        "surveyor": api_token_issue(db_session, users["surveyor"], "máy 1"),
    }
    db_session.commit()
    return made


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _comparable(report: dict) -> dict:
    report = dict(report)
    report.pop("generated_at", None)
    report.pop("comments", None)
    return report


def test_an_analysts_read_token_reads_what_the_dashboard_json_publishes(
    client,
    app,
    users,
    login_as,
    tokens,
    lone_citizen,  # noqa: F811
):
    query = f"?period=month&date={LONE_MONTH:%Y-%m-%d}"
    response = client.get(URL + query, headers=bearer(tokens["analyst"]))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert "comments" not in data and SECRET not in json.dumps(data, ensure_ascii=False)
    a1 = next(u for u in data["units"] if u["code"] == "U-A1")
    assert a1["figures"]["harassment"]["suppressed"] and a1["figures"]["harassment"]["estimate"] is None
    staff = app.test_client()
    login_as(staff, users["analyst"])
    download = staff.get("/bao-cao/tai-ve.json" + query).get_json()
    assert _comparable(data) == _comparable(download)


def test_the_filters_are_the_dashboards(client, tokens, lone_citizen):  # noqa: F811
    data = client.get(URL + f"?period=month&date={LONE_MONTH:%Y-%m-%d}&unit=U-A2", headers=bearer(tokens["analyst"]))
    assert data.status_code == 200
    assert {u["code"] for u in data.get_json()["units"]} == {"U-A2"}
    by_level = client.get(URL + f"?{RECENT}&level=commune", headers=bearer(tokens["analyst"])).get_json()
    assert by_level["filter"]["level"] == "commune"


def test_a_managers_token_sees_only_their_units(client, tokens, lone_citizen):  # noqa: F811
    own = client.get(URL + f"?{RECENT}", headers=bearer(tokens["manager"]))
    assert own.status_code == 200
    assert {u["code"] for u in own.get_json()["units"]} <= {"U-A", "U-A1", "U-A2"}
    assert own.get_json()["filter"]["unit_code"] == "U-A"
    for unit in ("U-B", "U-B1", "U-P", "NOPE"):
        refused = client.get(URL + f"?unit={unit}", headers=bearer(tokens["manager"]))
        assert refused.status_code == 403, unit
        assert refused.get_json()["error"] == "unit_out_of_scope"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?period=week", "period"),
        ("?date=2026-13-01", "date"),
        ("?level=village", "level"),
        ("?channel=fax", "channel"),
        ("?period=custom&date=2026-01-15&end=2026-03-31", "date"),
        ("?peroid=year", "peroid"),
        ("?q=abc", "q"),
    ],
)
def test_bad_parameters_are_400_with_a_clear_message(client, tokens, query, parameter):
    response = client.get(URL + query, headers=bearer(tokens["analyst"]))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_parameter" and body["parameter"] == parameter
    assert body["message"].startswith(parameter + ":") and body["messages"]["en"].startswith(parameter + ":")


def test_a_tablets_token_cannot_read_indicators(client, tokens):
    assert client.get(URL, headers=bearer(tokens["surveyor"])).status_code == 403


def test_a_read_token_cannot_send_interviews_nor_read_assignments(client, tokens, db_session):
    for token in (tokens["analyst"], tokens["manager"]):
        sent = client.post("/api/v1/interviews", json={"interviews": []}, headers=bearer(token))
        assert sent.status_code == 403
        assert client.get("/api/v1/assignments", headers=bearer(token)).status_code == 403


def test_scope_is_enforced_even_if_the_role_would_allow(app, client, db_session, users, tokens):
    # a read token whose scope is switched to "submit" in the database no longer reads
    row = db_session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(tokens["analyst"])))
    row.scope = "submit"
    db_session.commit()
    assert client.get(URL, headers=bearer(tokens["analyst"])).status_code == 401


def test_read_tokens_only_for_analysts_and_managers(db_session, users):
    from app.refusals import Refused

    for role in ("surveyor", "admin"):
        with pytest.raises(Refused):
            api_token_issue(db_session, users[role], "x", scope="read")
    with pytest.raises(Refused):
        api_token_issue(db_session, users["analyst"], "x", scope="submit")
    with pytest.raises(ValueError, match="scope"):
        api_token_issue(db_session, users["analyst"], "x", scope="write")


def test_signed_in_staff_read_it_too_and_it_is_audited(app, users, login_as, db_session):
    staff = app.test_client()
    login_as(staff, users["analyst"])
    assert staff.get(URL + f"?{RECENT}").status_code == 200
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "api.indicators")).one()
    assert event.actor_username == "test-analyst" and event.detail["bearer"] is False
    assert app.test_client().get(URL).status_code == 401


def test_the_openapi_document_lists_it(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    get = doc["paths"]["/api/v1/indicators"]["get"]
    names = {p["name"] for p in get["parameters"]}
    assert {"period", "date", "end", "unit", "level", "channel", "instrument"} <= names
    assert {"200", "400", "401", "403"} <= set(get["responses"])
    assert "scope `read`" in get["description"]


def test_the_command_makes_read_tokens(runner, users, db_session):
    result = runner.invoke(args=["api-token", "--username", "test-analyst", "--scope", "read", "--label", "cổng"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[0]
    assert token.startswith("ksat_")
    row = db_session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    assert row.scope == "read"
    refused = runner.invoke(args=["api-token", "--username", "test-surveyor", "--scope", "read"])
    assert refused.exit_code != 0
