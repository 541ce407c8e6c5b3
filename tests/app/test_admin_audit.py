"""The audit-log viewer and its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.models import AuditEvent


def add_events(db_session, count: int, *, action: str = "report.view", at: datetime | None = None) -> None:
    at = at or datetime.now(UTC)
    for i in range(count):
        db_session.add(
            AuditEvent(at=at - timedelta(seconds=i), action=action, actor_username="test-analyst", target="*")
        )
    db_session.commit()


def rows_of(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the Vietnamese as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_viewer_lists_and_filters_events(admin_client, admin_post, db_session, units):
    admin_post(f"/quan-tri/don-vi/{units['A1'].id}/doi-ten", {"name": "Phường A1"})
    add_events(db_session, 2)
    add_events(db_session, 1, action="login.failure", at=datetime.now(UTC) - timedelta(days=40))
    html = admin_client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "admin.unit.rename" in html and "report.view" in html and "login.failure" in html
    assert "Phường A1" in html  # the detail, before and after
    only_admin = admin_client.get("/quan-tri/nhat-ky?action=admin.unit").get_data(as_text=True)
    assert "admin.unit.rename" in only_admin and "<code>report.view</code>" not in only_admin
    by_user = admin_client.get("/quan-tri/nhat-ky?user=TEST-ANALYST").get_data(as_text=True)
    assert "<code>report.view</code>" in by_user and "<code>admin.unit.rename</code>" not in by_user
    since = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    recent = admin_client.get(f"/quan-tri/nhat-ky?from={since}").get_data(as_text=True)
    assert "<code>login.failure</code>" not in recent and "<code>report.view</code>" in recent
    assert admin_client.get("/quan-tri/nhat-ky?to=31/12/2026").status_code == 400


def test_the_viewer_is_paginated(admin_client, db_session, users):
    add_events(db_session, 120)
    first = admin_client.get("/quan-tri/nhat-ky?action=report").get_data(as_text=True)
    assert "Trang 1/3" in first and first.count("<code>report.view</code>") == 50
    assert 'href="/quan-tri/nhat-ky?page=2&amp;action=report"' in first
    last = admin_client.get("/quan-tri/nhat-ky?action=report&page=3").get_data(as_text=True)
    assert last.count("<code>report.view</code>") == 20
    beyond = admin_client.get("/quan-tri/nhat-ky?action=report&page=99").get_data(as_text=True)
    assert "Trang 3/3" in beyond


def test_the_csv_export_is_formula_safe(app, admin_client, sign_in_form, db_session, units):
    # a username typed at the sign-in page lands in the log as the target
    sign_in_form(app.test_client(), '=HYPERLINK("http://evil","x")', "sai-mat-khau-123")
    db_session.add(AuditEvent(at=datetime.now(UTC), action="admin.unit.rename", target="+cmd|' /C calc'!A0"))
    db_session.add(AuditEvent(at=datetime.now(UTC), action="admin.unit.rename", target="@SUM(1+1)"))
    db_session.add(AuditEvent(at=datetime.now(UTC), action="admin.unit.rename", target="-2+3", actor_username="\tx"))
    db_session.commit()
    response = admin_client.get("/quan-tri/nhat-ky.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == ["thoi_gian", "nguoi_thuc_hien", "hanh_dong", "doi_tuong", "chi_tiet"]
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=hyperlink("http://evil","x")' in cells
    assert "'+cmd|' /C calc'!A0" in cells and "'@SUM(1+1)" in cells and "'-2+3" in cells and "'\tx" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_the_csv_follows_the_filter_and_the_export_itself_is_audited(admin_client, db_session, users):
    add_events(db_session, 3)
    rows = rows_of(admin_client.get("/quan-tri/nhat-ky.csv?action=report.view"))
    assert len(rows) == 1 + 3 and {row[2] for row in rows[1:]} == {"report.view"}
    assert rows[1][0].endswith("+07:00")  # Vietnamese local time
    (export,) = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.export")).all()
    assert export.actor_user_id == users["admin"].id and export.detail == {"filter": {"action": "report.view"}}
