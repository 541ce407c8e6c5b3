"""Instrument versions: list with response counts, source, activation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, InstrumentVersion


def versions(db_session, code: str) -> dict[int, bool]:
    db_session.expire_all()
    rows = db_session.scalars(select(InstrumentVersion).where(InstrumentVersion.code == code))
    return {row.version: row.active for row in rows}


@pytest.fixture
def v2(db_session) -> InstrumentVersion:
    """The active version of sipas-counter, as shipped."""
    return db_session.scalars(
        select(InstrumentVersion).where(InstrumentVersion.code == "sipas-counter", InstrumentVersion.version == 2)
    ).one()


@pytest.fixture
def v3(db_session, v2) -> InstrumentVersion:
    """A later version without a file here (say, registered by a newer release) that is active."""
    row = InstrumentVersion(code=v2.code, version=3, title="v3", checksum="0" * 64, source="code: sipas-counter\n")
    v2.active = False
    db_session.add(row)
    db_session.commit()
    return row


def test_the_list_shows_versions_and_response_counts(admin_client, v2):
    html = admin_client.get("/quan-tri/bo-cau-hoi").get_data(as_text=True)
    assert "sipas-counter" in html and "papi-household" in html
    assert v2.title in html and "Đang dùng" in html


def test_the_source_is_shown_escaped(admin_client, v2):
    html = admin_client.get(f"/quan-tri/bo-cau-hoi/{v2.id}").get_data(as_text=True)
    assert '<pre class="source">' in html and "sections:" in html and v2.checksum in html


def test_activating_a_version_deactivates_the_others_of_its_code(admin_post, client, db_session, v2, v3, point):
    assert client.get(f"/s/{point.qr_token}").status_code == 404  # the active v3 has no file
    response = admin_post(f"/quan-tri/bo-cau-hoi/{v2.id}/kich-hoat")
    assert response.status_code == 303
    assert versions(db_session, "sipas-counter") == {1: False, 2: True, 3: False}
    assert versions(db_session, "papi-household") == {1: True}  # other codes untouched
    assert client.get(f"/s/{point.qr_token}").status_code == 200
    (event,) = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "admin.instrument.activate")).all()
    assert event.target == "instrument:sipas-counter.v2"
    assert event.detail == {"before": {"active_versions": [3]}, "after": {"active_versions": [2]}}


def test_a_version_without_its_file_cannot_be_activated(admin_post, db_session, v2, v3):
    admin_post(f"/quan-tri/bo-cau-hoi/{v2.id}/kich-hoat")
    refused = admin_post(f"/quan-tri/bo-cau-hoi/{v3.id}/kich-hoat")
    assert refused.status_code == 422
    assert "sipas-counter.v3" in refused.get_data(as_text=True)
    assert versions(db_session, "sipas-counter") == {1: False, 2: True, 3: False}
