"""flask import-dossier-counts (issue 16.4): dossiers per counter and month,
bad rows refused one by one with the reason and a non-zero exit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.models import DossierCount, ServicePoint
from app.services.dossier_codes import dossier_key


def _counters(db_session, units):
    made = [
        ServicePoint(unit=units["A1"], code="Q1", name="Quầy 1"),
        ServicePoint(unit=units["A1"], code="Q2", name="Quầy 2"),
    ]
    db_session.add_all(made)
    db_session.commit()
    return made


def test_good_rows_are_stored_and_bad_ones_refused_with_the_reason(runner, units, db_session, tmp_path):
    q1, q2 = _counters(db_session, units)
    file = tmp_path / "ho-so.csv"
    file.write_text(
        "don_vi,quay,thang,so_ho_so\n"
        "U-A1,Q1,2026-11,412\n"
        "U-A1,Q2,12/2026,1.204\n"
        "U-A1,Q9,2026-11,10\n"
        "U-A1,Q1,2026-13,10\n"
        "U-A1,Q1,2026-10,-4\n"
        "U-A1,Q1,2026-10,12.5\n"
        "U-A1,Q1,11/2026,7\n"
        ",,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-dossier-counts", str(file)])
    assert result.exit_code == 3
    assert "dòng 4: không có quầy “Q9” trong đơn vị “U-A1”" in result.output
    assert "dòng 5: tháng không hợp lệ: “2026-13”" in result.output
    assert "dòng 6: số hồ sơ không hợp lệ: “-4”" in result.output and "dòng 7:" in result.output
    assert "dòng 8: quầy và tháng này đã có ở dòng 2" in result.output
    assert "2 counter-months stored, 5 rejected" in result.output
    rows = db_session.execute(select(DossierCount.service_point_id, DossierCount.month, DossierCount.dossiers)).all()
    assert sorted(rows) == sorted([(q1.id, date(2026, 11, 1), 412), (q2.id, date(2026, 12, 1), 1204)])
    # a corrected file replaces the count
    file.write_text("unit;counter;month;dossiers\nU-A1;Q1;2026-11;415\n", encoding="utf-8")
    assert runner.invoke(args=["import-dossier-counts", str(file)]).exit_code == 0
    assert db_session.scalar(select(DossierCount.dossiers).where(DossierCount.service_point_id == q1.id)) == 415


def test_a_file_without_the_columns_is_refused_whole(runner, units, db_session, tmp_path):
    _counters(db_session, units)
    file = tmp_path / "x.csv"
    file.write_text("don_vi,quay,so_ho_so\nU-A1,Q1,3\n", encoding="utf-8")
    result = runner.invoke(args=["import-dossier-counts", str(file)])
    assert result.exit_code == 1 and "thang" in result.output
    assert db_session.scalar(select(DossierCount.dossiers)) is None


def test_the_dossier_key_command(app, runner, point):
    result = runner.invoke(args=["dossier-key", "--token", point.qr_token])
    assert result.exit_code == 0
    assert f"counter_id={point.id}" in result.output and dossier_key(app.secret_key, point.id) in result.output
    assert runner.invoke(args=["dossier-key", "--token", "nope"]).exit_code != 0


def test_an_administrator_uploads_counts_and_sees_the_rejected_rows(admin_client, admin_post, units, db_session):
    import io

    from app.models import AuditEvent

    q1, _ = _counters(db_session, units)
    body = b"don_vi,quay,thang,so_ho_so\nU-A1,Q1,2026-11,40\nU-A1,Q1,2026-1x,3\n"
    sent = admin_post(
        "/quan-tri/so-ho-so", {"file": (io.BytesIO(body), "ho-so.csv")}, content_type="multipart/form-data"
    )
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422 and "Đã lưu 1 dòng, 1 dòng bị từ chối" in html
    assert "tháng không hợp lệ: “2026-1x”" in html
    assert db_session.scalar(select(DossierCount.dossiers).where(DossierCount.service_point_id == q1.id)) == 40
    assert db_session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "dossier_counts.import")).one() == {
        "stored": 1,
        "rejected": 1,
    }
    listed = admin_client.get("/quan-tri/so-ho-so").get_data(as_text=True)
    assert "11/2026" in listed
    assert admin_post("/quan-tri/so-ho-so", {}).status_code == 422


def test_the_dossier_sheet_command(runner, point, tmp_path):
    out = tmp_path / "slips.pdf"
    result = runner.invoke(args=["dossier-sheet", "--token", point.qr_token, "--count", "3", "--out", str(out)])
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    assert out.read_bytes().count(b"/URI (https://khaosat.test/s/") == 3
    refused = runner.invoke(args=["dossier-sheet", "--token", point.qr_token, "--count", "0"])
    assert refused.exit_code != 0 and "từ 1 đến 200" in refused.output
    assert runner.invoke(args=["dossier-sheet", "--token", "nope"]).exit_code != 0
