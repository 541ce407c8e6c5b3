"""Every route, requested by every kind of person, gives the outcome declared here.

The routes come from ``app.url_map``, so a new route fails this test until
its row is added to ``EXPECTED``: deciding who may open a page is part of
adding it. Unit scope (what a person sees inside a page) is tested below,
also through every query parameter of every report route and format, and
so is a tablet's bearer token, which opens the JSON API and nothing else.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from app.access import allow, allowed_roles, unit_scope_clause, unit_visible, visible_unit_ids
from app.models import Unit
from tests.periods import RECENT

PEOPLE = ("anonymous", "surveyor", "unit_manager", "analyst", "admin")
STAFF = PEOPLE[1:]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PEOPLE, status)


def staff_only(status: int) -> dict[str, int]:
    """Signed-in staff get ``status``; a signed-out person is sent to sign in."""
    return {"anonymous": 302, **dict.fromkeys(STAFF, status)}


def api_only(status: int) -> dict[str, int]:
    """Signed-in staff get ``status``; a signed-out person gets 401 (JSON API)."""
    return {"anonymous": 401, **dict.fromkeys(STAFF, status)}


def admin_only(status: int) -> dict[str, int]:
    """Administrators get ``status``; other staff 403; a signed-out person is sent to sign in."""
    return {**staff_only(403), "admin": status}


#: (endpoint, method) -> expected status for each person. Requests carry no
#: body and no CSRF token, so for a staff form 400 means "access granted,
#: then refused for the missing token", and for the citizen form 415 means
#: "access granted, then refused for the missing form body".
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("public.home", "GET"): everyone(200),
    ("public.health", "GET"): everyone(200),
    ("public.display", "GET"): everyone(303),
    ("citizen.form", "GET"): everyone(200),
    ("citizen.submit", "POST"): everyone(415),
    ("citizen.thanks", "GET"): everyone(200),
    # a dossier's one-time code (app/services/verified.py): the body is checked first
    ("citizen.verified_submit", "POST"): everyone(415),
    # a kiosk only with the counter's kiosk key (app/services/kiosk.py), whoever is signed in
    ("citizen.kiosk_form", "GET"): everyone(403),
    ("citizen.kiosk_thanks", "GET"): everyone(200),
    ("auth.login", "GET"): {"anonymous": 200, **dict.fromkeys(STAFF, 302)},
    ("auth.login", "POST"): everyone(400),
    ("auth.logout", "POST"): staff_only(400),
    ("auth.account", "GET"): staff_only(200),
    ("auth.password", "GET"): staff_only(200),
    ("auth.password", "POST"): staff_only(400),
    # figures are for the province's staff; a surveyor collects, never reads them
    ("reports.dashboard", "GET"): {**staff_only(200), "surveyor": 403},
    ("reports.download", "GET"): {**staff_only(200), "surveyor": 403},
    # the published results of closed periods and their open data: anyone
    ("results.page", "GET"): everyone(200),
    ("results.data", "GET"): everyone(200),
    # targets: the province sets them (administrators), analysts read them and download the classification
    ("targets.index", "GET"): {**staff_only(403), "analyst": 200, "admin": 200},
    ("targets.export", "GET"): {**staff_only(403), "analyst": 200, "admin": 200},
    ("targets.create", "POST"): admin_only(400),
    ("targets.edit", "GET"): admin_only(200),
    ("targets.update", "POST"): admin_only(400),
    ("targets.delete", "POST"): admin_only(400),
    # administration: administrators only (POSTs: 400 = granted, then refused for the missing CSRF token)
    ("admin.index", "GET"): admin_only(200),
    ("admin.user_sessions_end", "POST"): admin_only(400),
    ("admin.assignments", "GET"): admin_only(200),
    ("admin.assignment_create", "POST"): admin_only(400),
    ("admin.assignment_end", "POST"): admin_only(400),
    ("admin.units", "GET"): admin_only(200),
    ("admin.unit_create", "POST"): admin_only(400),
    ("admin.units_import", "POST"): admin_only(400),
    ("admin.unit", "GET"): admin_only(200),
    ("admin.unit_rename", "POST"): admin_only(400),
    ("admin.unit_move", "POST"): admin_only(400),
    ("admin.unit_retire", "POST"): admin_only(400),
    ("admin.unit_restore", "POST"): admin_only(400),
    ("admin.unit_posters", "GET"): admin_only(200),
    ("admin.point_create", "POST"): admin_only(400),
    ("admin.point", "GET"): admin_only(200),
    ("admin.point_update", "POST"): admin_only(400),
    ("admin.point_retire", "POST"): admin_only(400),
    ("admin.point_restore", "POST"): admin_only(400),
    ("admin.point_rotate", "POST"): admin_only(400),
    ("admin.point_qr", "GET"): admin_only(200),
    ("admin.point_dossier_sheet", "GET"): admin_only(200),
    # printed one-time dossier codes: administrators for any counter, a unit manager for the counters of
    # their own units only (the test's counter is outside the manager's district: 404, as an unknown one)
    ("dossier_sheets.index", "GET"): {**staff_only(403), "unit_manager": 200, "admin": 200},
    ("dossier_sheets.sheet", "GET"): {**staff_only(403), "unit_manager": 404, "admin": 200},
    ("admin.dossier_counts", "GET"): admin_only(200),
    ("admin.dossier_counts_import", "POST"): admin_only(400),
    ("admin.users", "GET"): admin_only(200),
    ("admin.user_create", "POST"): admin_only(400),
    ("admin.user", "GET"): admin_only(200),
    ("admin.user_update", "POST"): admin_only(400),
    ("admin.user_active", "POST"): admin_only(400),
    ("admin.user_password", "POST"): admin_only(400),
    ("admin.user_token_revoke", "POST"): admin_only(400),
    ("admin.instruments", "GET"): admin_only(200),
    ("admin.instrument", "GET"): admin_only(200),
    ("admin.instrument_activate", "POST"): admin_only(400),
    ("admin.responses", "GET"): admin_only(200),
    ("admin.response", "GET"): admin_only(200),
    ("admin.response_exclude", "POST"): admin_only(400),
    ("admin.response_restore", "POST"): admin_only(400),
    ("admin.anomalies_list", "GET"): admin_only(200),
    ("admin.anomalies_exclude", "POST"): admin_only(400),
    ("admin.audit", "GET"): admin_only(200),
    ("admin.audit_csv", "GET"): admin_only(200),
    # the surveyors' tablet app, and its JSON API (401 instead of a redirect; POST: 400 = granted,
    # then refused for the missing X-CSRFToken header)
    ("surveyor.home", "GET"): {**staff_only(403), "surveyor": 200},
    ("surveyor.interview", "GET"): {**staff_only(403), "surveyor": 200},
    ("surveyor.service_worker", "GET"): everyone(200),
    ("api.openapi", "GET"): everyone(200),
    # the read API: the dashboard's people (a surveyor collects, never reads figures)
    ("api.indicators", "GET"): {**api_only(200), "surveyor": 403},
    ("api.session_info", "GET"): {**api_only(403), "surveyor": 200},
    ("api.assignments", "GET"): {**api_only(403), "surveyor": 200},
    ("api.instrument", "GET"): api_only(200),
    ("api.interviews", "POST"): {**api_only(403), "surveyor": 400},
    # a unit's one-stop-shop software (token scope dossiers) or a signed-in manager or administrator
    ("api.dossiers", "POST"): {**api_only(403), "unit_manager": 400, "admin": 400},
}


def _routes(app) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]


@pytest.fixture
def admin_values(db_session, point, users) -> dict[str, object]:
    """Ids for the administration routes: a unit, a counter, an account, an
    instrument version, a stored response and a tablet's token."""
    from datetime import UTC, datetime

    from app.models import ApiToken, Target
    from app.services.api_tokens import api_token_issue
    from app.services.instruments import instrument_active
    from app.services.submissions import response_submit
    from surveys import load_all

    active = instrument_active(db_session, load_all(), "sipas-counter")
    stored = response_submit(
        db_session,
        client_uuid=uuid.uuid4(),
        instrument=active,
        unit_id=point.unit_id,
        service_point_id=point.id,
        channel="qr",
        answers={"procedure": 1},
        submitted_at=datetime.now(UTC),
    )
    api_token_issue(db_session, users["surveyor"], "tablet")
    target = Target(unit_id=point.unit_id, instrument_code="sipas-counter", indicator="INDEX", year=2026,
                    kind="level", value=90.0)  # fmt: skip
    db_session.add(target)
    db_session.commit()
    return {
        "token_id": db_session.scalars(select(ApiToken.id)).one(),
        "unit_id": point.unit_id,
        "point_id": point.id,
        "qr_format": "png",
        "user_id": users["surveyor"].id,
        "version_id": active.version_id,
        "response_id": stored.response_id,
        "target_id": target.id,
    }


def test_every_route_gives_the_declared_outcome_to_every_person(
    app, point, users, login_as, admin_values, surveyor_assignment
):
    values = {
        "token": point.qr_token,
        "fmt": "json",
        "ext": "xlsx",
        **admin_values,
        "assignment_id": surveyor_assignment.id,
        "code": surveyor_assignment.instrument_code,
    }
    routes = _routes(app)
    undeclared = [
        f"{rule.endpoint} {method} {rule.rule}" for rule, method in routes if (rule.endpoint, method) not in EXPECTED
    ]
    assert not undeclared, (
        "New route(s) without a row in EXPECTED (tests/app/test_access_matrix.py): "
        f"{undeclared}. Decide who may use each one, declare it with @allow(...) on the view "
        "and add the expected status for every person to EXPECTED."
    )
    gone = set(EXPECTED) - {(rule.endpoint, method) for rule, method in routes}
    assert not gone, f"EXPECTED lists routes that no longer exist: {sorted(gone)}"

    adapter = app.url_map.bind("localhost")
    failures = []
    for rule, method in routes:
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: give a valid value for {missing} in `values` of this test"
        url = adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments}, method=method)
        for person in PEOPLE:
            client = app.test_client()
            if person != "anonymous":
                login_as(client, users[person])
            # closed at once: a streamed response (the audit CSV) keeps its
            # request context, and the signed-in user with it, until closed
            with client.open(url, method=method) as response:
                status = response.status_code
            expected = EXPECTED[rule.endpoint, method][person]
            if status != expected:
                failures.append(f"{method} {url} as {person}: {status}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_every_view_declares_who_may_use_it(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and allowed_roles(view) is None
    ]
    assert not undeclared, f"views without @allow(...): {undeclared}"


@pytest.fixture
def probes(app):
    """Routes that exercise each branch of the access check."""
    app.add_url_rule("/_probe/undeclared", "probe_undeclared", lambda: "secret")
    app.add_url_rule("/_probe/admin", "probe_admin", allow("admin")(lambda: "for admins"))
    app.add_url_rule("/_probe/units", "probe_units", allow("unit_manager", "surveyor")(lambda: "for units"))
    app.add_url_rule("/api/_probe", "probe_api", allow("analyst")(lambda: {"ok": True}))
    return app


def test_a_view_without_declaration_is_closed_to_everyone(probes, users, login_as):
    anonymous = probes.test_client().get("/_probe/undeclared")
    assert anonymous.status_code == 403
    admin = probes.test_client()
    login_as(admin, users["admin"])
    refused = admin.get("/_probe/undeclared")
    assert refused.status_code == 403
    assert "Không có quyền truy cập" in refused.get_data(as_text=True)
    assert "secret" not in refused.get_data(as_text=True)


def test_roles_are_checked_and_do_not_imply_each_other(probes, users, login_as):
    signed_out = probes.test_client().get("/_probe/admin?x=1")
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"] == "/dang-nhap?next=/_probe/admin?x%3D1"
    for person, status in (("surveyor", 403), ("unit_manager", 403), ("analyst", 403), ("admin", 200)):
        client = probes.test_client()
        login_as(client, users[person])
        assert client.get("/_probe/admin").status_code == status, person
    for person, status in (("surveyor", 200), ("unit_manager", 200), ("analyst", 403), ("admin", 403)):
        client = probes.test_client()
        login_as(client, users[person])
        assert client.get("/_probe/units").status_code == status, person
    client = probes.test_client()
    login_as(client, users["analyst"])
    page = client.get("/_probe/admin?lang=en")
    assert page.status_code == 403 and "Access denied" in page.get_data(as_text=True)


def test_the_api_answers_in_json_instead_of_redirecting(probes, users, login_as):
    anonymous = probes.test_client().get("/api/_probe")
    assert anonymous.status_code == 401
    assert anonymous.is_json and anonymous.json["error"] == "Unauthorized"
    surveyor = probes.test_client()
    login_as(surveyor, users["surveyor"])
    refused = surveyor.get("/api/_probe")
    assert refused.status_code == 403 and refused.json["error"] == "Forbidden"
    analyst = probes.test_client()
    login_as(analyst, users["analyst"])
    assert analyst.get("/api/_probe").json == {"ok": True}


def test_allow_refuses_unknown_roles():
    with pytest.raises(ValueError, match="roles"):
        allow("administrator")
    with pytest.raises(ValueError):
        allow()


def test_a_deactivated_account_loses_its_open_session(app, db_session, users, login_as):
    client = app.test_client()
    login_as(client, users["analyst"])
    assert client.get("/tai-khoan").status_code == 200
    users["analyst"].active = False
    db_session.commit()
    assert client.get("/tai-khoan").status_code == 302


def test_a_unit_manager_sees_their_subtree_and_not_their_neighbours(db_session, units, users):
    manager = users["unit_manager"]
    ids = {unit.id: key for key, unit in units.items()}
    assert {ids[i] for i in visible_unit_ids(db_session, manager)} == {"A", "A1", "A2"}
    assert unit_visible(db_session, manager, units["A1"].id)
    assert not unit_visible(db_session, manager, units["B"].id)
    assert not unit_visible(db_session, manager, units["B1"].id)
    assert not unit_visible(db_session, manager, units["P"].id)  # not the province above either


def test_unit_scope_of_the_other_roles(db_session, units, users, point):
    tree = {unit.id for unit in units.values()}
    surveyor = visible_unit_ids(db_session, users["surveyor"])
    assert surveyor == [units["A1"].id]
    for role in ("analyst", "admin"):
        seen = set(visible_unit_ids(db_session, users[role]))
        assert tree | {point.unit_id} <= seen
    assert visible_unit_ids(db_session, None) == []
    # the clause composes with any query on units
    from sqlalchemy import select

    names = db_session.scalars(
        select(Unit.code).where(unit_scope_clause(users["unit_manager"]), Unit.level == "commune")
    ).all()
    assert sorted(names) == ["U-A1", "U-A2"]


# ------------------------------------------------------------ report parameters

from tests.app.test_dashboard import responses  # noqa: E402, F401  (the fixture: 60 responses each in A1, A2, B1)

#: what the manager of district A must never see: the neighbour's codes, names and comments
NEIGHBOUR = ("U-B", "Đơn vị B", "Bí mật của B1")
UNIT_VALUES = [None, "", "U-A", "U-A1", "U-A2", "U-B", "U-B1", "U-P", "u-b1", " U-B1 ", "U-Z", "U-A1,U-B1", "%", "U-%"]
IN_SCOPE = {None, "", "U-A", "U-A1", "U-A2"}
LEVELS = [None, "province", "department", "district", "commune"]
GROUPINGS = [None, "unit", "province", "department", "district", "commune"]
PROCEDURES = [None, "1", "2"]
INSTRUMENTS = [None, "sipas-counter", "papi-household"]
SEARCHES = [None, "B1", "Bí mật"]
FORMATS = ("html", "json", "csv", "xlsx", "pdf")


def _report_text(fmt: str, response) -> str:
    """Everything a person could read in a report of any format."""
    if fmt == "xlsx":
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    if fmt == "pdf":
        import io

        import pypdf

        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    return response.data.decode("utf-8-sig")


def _report_queries():
    """Every unit value with every grouping; level, procedure, instrument and
    comment search vary along (each value meets many others)."""
    from itertools import product

    for i, (unit, grouping) in enumerate(product(UNIT_VALUES, GROUPINGS)):
        query = {
            "period": "year",
            "unit": unit,
            "grouping": grouping,
            "level": LEVELS[i % len(LEVELS)],
            "procedure": PROCEDURES[i % len(PROCEDURES)],
            "instrument": INSTRUMENTS[(i // 2) % len(INSTRUMENTS)],
            "q": SEARCHES[(i // 3) % len(SEARCHES)],
        }
        yield unit, {k: v for k, v in query.items() if v is not None}


@pytest.mark.usefixtures("responses")
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_report_parameter_shows_a_unit_manager_another_units_figures(app, users, login_as, fmt):
    from urllib.parse import urlencode

    analyst, manager = app.test_client(), app.test_client()
    login_as(analyst, users["analyst"])
    login_as(manager, users["unit_manager"])
    base = "/bao-cao" if fmt == "html" else f"/bao-cao/tai-ve.{fmt}"
    # the check can see a leak: the analyst's report of the same kind names the neighbour
    assert any(n in _report_text(fmt, analyst.get(f"{base}?{RECENT}")) for n in NEIGHBOUR)
    assert analyst.get(f"/bao-cao/tai-ve.json?{RECENT}").json["responses"] == 180
    failures = []
    for unit, query in _report_queries():
        url = f"{base}?{urlencode(query)}"
        response = manager.get(url)
        if unit not in IN_SCOPE:
            if response.status_code not in (400, 403):
                failures.append(f"{url}: {response.status_code}, expected 403")
            continue
        if response.status_code == 400:
            continue  # a filter value refused (there is none such here, but it would show nothing)
        if response.status_code != 200:
            failures.append(f"{url}: {response.status_code}")
            continue
        text = _report_text(fmt, response)
        leaked = [n for n in NEIGHBOUR if n in text]
        if leaked:
            failures.append(f"{url}: shows {leaked}")
        if fmt == "json" and response.json["responses"] > 120:
            failures.append(f"{url}: counts {response.json['responses']} responses, the subtree of A has 120")
    assert not failures, "\n".join(failures)


@pytest.mark.usefixtures("responses")
def test_no_read_api_parameter_shows_a_unit_manager_another_units_figures(app, users, db_session):
    """The same sweep for ``GET /api/v1/indicators`` with the manager's read token."""
    from urllib.parse import urlencode

    from app.services.api_tokens import api_token_issue

    token = api_token_issue(db_session, users["unit_manager"], "huyện A", scope="read")
    db_session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    failures = []
    for unit, query in _report_queries():
        query.pop("q", None)  # comment search: the API serves no comments
        url = f"/api/v1/indicators?{urlencode(query)}"
        response = client.get(url, headers=bearer)
        if unit not in IN_SCOPE:
            if response.status_code not in (400, 403):
                failures.append(f"{url}: {response.status_code}, expected 403")
            continue
        if response.status_code != 200:
            failures.append(f"{url}: {response.status_code}")
            continue
        leaked = [n for n in NEIGHBOUR if n in response.get_data(as_text=True)]
        if leaked:
            failures.append(f"{url}: shows {leaked}")
        if response.json["responses"] > 120:
            failures.append(f"{url}: counts {response.json['responses']} responses, the subtree of A has 120")
    assert not failures, "\n".join(failures)


# -------------------------------------------------------------- bearer tokens


def test_a_bearer_token_opens_no_staff_page_or_download(app, point, users, admin_values, surveyor_assignment,
                                                        db_session):  # fmt: skip
    """A tablet's token is for the JSON API only: everywhere else its request
    is a signed-out person's, whatever page or download it asks for."""
    from app.services.api_tokens import api_token_issue

    token = api_token_issue(db_session, users["surveyor"], "tablet")
    db_session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    values = {
        "token": point.qr_token,
        "fmt": "json",
        "ext": "xlsx",
        **admin_values,
        "assignment_id": surveyor_assignment.id,
        "code": surveyor_assignment.instrument_code,
    }
    adapter = app.url_map.bind("localhost")
    failures = []
    for rule, method in _routes(app):
        url = adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments}, method=method)
        api = url.startswith("/api/")
        if api and method != "GET":
            continue  # a bearer POST carries no CSRF token by design (tests/app/test_interviews_api.py)
        expected = EXPECTED[rule.endpoint, method]["surveyor" if api else "anonymous"]
        response = app.test_client().open(url, method=method, headers=bearer)
        if response.status_code != expected:
            failures.append(f"{method} {url} with a bearer token: {response.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_a_read_token_opens_only_the_read_api(app, point, users, admin_values, surveyor_assignment, db_session):
    """An analyst's read token: every page and download is a signed-out
    person's; in the JSON API only the indicators (and the instruments and
    the OpenAPI document) open, nothing that sends or lists a surveyor's work."""
    from app.services.api_tokens import api_token_issue

    token = api_token_issue(db_session, users["analyst"], "cổng tỉnh", scope="read")
    db_session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    values = {
        "token": point.qr_token,
        "fmt": "json",
        "ext": "xlsx",
        **admin_values,
        "assignment_id": surveyor_assignment.id,
        "code": surveyor_assignment.instrument_code,
    }
    opens = {"api.indicators", "api.instrument", "api.openapi"}
    adapter = app.url_map.bind("localhost")
    failures = []
    for rule, method in _routes(app):
        url = adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments}, method=method)
        response = app.test_client().open(url, method=method, headers=bearer)
        if url.startswith("/api/"):
            ok = response.status_code == 200 if rule.endpoint in opens else response.status_code == 403
        else:
            ok = response.status_code == EXPECTED[rule.endpoint, method]["anonymous"]
        if not ok:
            failures.append(f"{method} {url} with a read token: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_token_of_an_account_that_became_an_analyst_opens_nothing(app, users, db_session):
    from app.services.api_tokens import api_token_issue

    surveyor = users["surveyor"]
    token = api_token_issue(db_session, surveyor, "tablet")
    surveyor.role = "analyst"
    db_session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    for url in ("/bao-cao", "/bao-cao/tai-ve.json", "/bao-cao/tai-ve.xlsx", "/quan-tri/nhat-ky.csv", "/tai-khoan"):
        response = app.test_client().get(url, headers=bearer)
        assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"], url
    assert app.test_client().get("/api/v1/session", headers=bearer).status_code == 401
