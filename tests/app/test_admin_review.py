"""Response review: list, read (free text escaped), exclude with a reason, restore."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Response
from app.services.indicators import indicator_table
from app.services.instruments import instrument_active
from app.services.response_filter import ResponseFilter
from app.services.submissions import response_submit
from surveys import answers_validate, load_all
from tests.app.test_citizen_form import VALID as FORM

REGISTRY = load_all()
SIPAS = REGISTRY["sipas-counter.v2"]
VALID = {code: value for code, value in FORM.items() if code != "comment"}
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def submit(db_session, point):
    """Store a citizen response at ``point`` (days ago), as the form would."""
    active = instrument_active(db_session, REGISTRY, "sipas-counter")

    def store(comment: str | None = None, days_ago: int = 0) -> int:
        checked = answers_validate(SIPAS, {**VALID, **({"comment": comment} if comment else {})}, channel="qr")
        assert checked.ok, checked.errors
        outcome = response_submit(
            db_session,
            client_uuid=uuid.uuid4(),
            instrument=active,
            unit_id=point.unit_id,
            service_point_id=point.id,
            channel="qr",
            answers=checked.answers,
            submitted_at=datetime.now(UTC) - timedelta(days=days_ago),
        )
        db_session.commit()
        return outcome.response_id

    return store


def audit(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def status_of(db_session, response_id: int) -> tuple[str, str | None]:
    db_session.expire_all()
    row = db_session.get(Response, response_id)
    return row.status, row.excluded_reason


def test_the_response_view_shows_answers_and_escapes_the_comment(admin_client, submit):
    response_id = submit(XSS)
    page = admin_client.get(f"/quan-tri/phieu/{response_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    # answers read as the citizen saw them: question text and chosen label
    assert "Tư pháp – hộ tịch" in html and "Hài lòng" in html
    assert "Quầy Tư pháp – hộ tịch" in html and "UBND xã Tân Phú" in html
    # a multi-select answer: the label of every chosen code, in code order
    row = html[html.index("cần ưu tiên cải thiện") :]
    assert (
        '<ul class="choices"><li>Tăng cường ứng dụng công nghệ thông tin</li>'
        "<li>Rút ngắn thời gian giải quyết thủ tục hành chính</li></ul>" in row
    )
    english = admin_client.get(f"/quan-tri/phieu/{response_id}?lang=en").get_data(as_text=True)
    assert "<li>Shorter processing times</li>" in english


def test_the_list_filters_by_unit_day_and_status(admin_client, admin_post, submit, point, units):
    today, old = submit(), submit(days_ago=10)
    html = admin_client.get("/quan-tri/phieu").get_data(as_text=True)
    assert f"/quan-tri/phieu/{today}" in html and f"/quan-tri/phieu/{old}" in html
    recent = admin_client.get(f"/quan-tri/phieu?from={(datetime.now(UTC) - timedelta(days=3)).date()}")
    assert f'/quan-tri/phieu/{old}"' not in recent.get_data(as_text=True)
    assert f'/quan-tri/phieu/{today}"' in recent.get_data(as_text=True)
    other_unit = admin_client.get(f"/quan-tri/phieu?unit={units['B'].code}").get_data(as_text=True)
    assert f'/quan-tri/phieu/{today}"' not in other_unit
    admin_post(f"/quan-tri/phieu/{old}/loai", {"reason": "Phiếu thử nghiệm"})
    excluded = admin_client.get("/quan-tri/phieu?status=excluded").get_data(as_text=True)
    assert f'/quan-tri/phieu/{old}"' in excluded and f'/quan-tri/phieu/{today}"' not in excluded
    assert admin_client.get("/quan-tri/phieu?from=hôm-qua").status_code == 400
    assert admin_client.get("/quan-tri/phieu?status=deleted").status_code == 400
    assert admin_client.get("/quan-tri/phieu?unit=KHONG-CO").status_code == 400


def test_exclusion_needs_a_reason(admin_post, db_session, submit):
    response_id = submit()
    for reason in ("", "   "):
        refused = admin_post(f"/quan-tri/phieu/{response_id}/loai", {"reason": reason})
        assert refused.status_code == 422
        assert "Vui lòng ghi lý do loại phiếu" in refused.get_data(as_text=True)
    too_long = admin_post(f"/quan-tri/phieu/{response_id}/loai", {"reason": "x" * 501})
    assert too_long.status_code == 422
    assert status_of(db_session, response_id) == ("submitted", None)
    assert audit(db_session, "response.exclude") == []


def test_exclusion_is_kept_audited_reversible_and_leaves_the_statistics(admin_post, db_session, submit, users):
    ids = [submit() for _ in range(3)]

    def counted() -> int:
        return indicator_table(db_session, SIPAS, ResponseFilter()).total.responses

    assert counted() == 3
    response = admin_post(f"/quan-tri/phieu/{ids[0]}/loai", {"reason": "Gửi hàng loạt từ một máy lúc 02:13"})
    assert response.status_code == 303
    assert status_of(db_session, ids[0]) == ("excluded", "Gửi hàng loạt từ một máy lúc 02:13")
    assert counted() == 2
    assert db_session.scalar(select(func.count()).select_from(Response)) == 3  # kept, never deleted
    twice = admin_post(f"/quan-tri/phieu/{ids[0]}/loai", {"reason": "lần nữa"})
    assert twice.status_code == 409
    (event,) = audit(db_session, "response.exclude")
    assert event.actor_user_id == users["admin"].id and event.target == f"response:{ids[0]}"
    assert event.detail == {
        "before": {"status": "submitted"},
        "after": {"status": "excluded", "reason": "Gửi hàng loạt từ một máy lúc 02:13"},
    }

    assert admin_post(f"/quan-tri/phieu/{ids[0]}/khoi-phuc").status_code == 303
    assert status_of(db_session, ids[0]) == ("submitted", None)
    assert counted() == 3
    (restored,) = audit(db_session, "response.restore")
    assert restored.detail["before"] == {"status": "excluded", "reason": "Gửi hàng loạt từ một máy lúc 02:13"}
    assert admin_post(f"/quan-tri/phieu/{ids[0]}/khoi-phuc").status_code == 409


def test_analysts_and_managers_cannot_exclude(app, login_as, csrf_of, db_session, submit, users):
    response_id = submit()
    for role in ("analyst", "unit_manager", "surveyor"):
        client = app.test_client()
        login_as(client, users[role])
        token = csrf_of(client.get("/doi-mat-khau").get_data(as_text=True))
        refused = client.post(f"/quan-tri/phieu/{response_id}/loai", data={"csrf_token": token, "reason": "x"})
        assert refused.status_code == 403, role
    assert status_of(db_session, response_id) == ("submitted", None)
