"""Operator commands: migrate, seed-demo, urls, qr."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from app.models import Answer, InstrumentVersion, Response, ServicePoint, Unit

#: responses to the counter survey (QR and paper forms, every version)
COUNTER_RESPONSES = (
    select(func.count())
    .select_from(Response)
    .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
    .where(InstrumentVersion.code == "sipas-counter")
)


def test_migrate_is_idempotent(runner):
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "newest schema" in result.output


def test_seed_demo_builds_a_province_with_clustered_responses(runner, db_session):
    result = runner.invoke(args=["seed-demo", "--responses", "1500"])
    assert result.exit_code == 0, result.output
    levels = dict(db_session.execute(select(Unit.level, func.count()).group_by(Unit.level)).all())
    assert levels["province"] == 1 and levels["department"] >= 3
    assert levels["district"] >= 3 and levels["commune"] >= 10
    assert db_session.scalar(select(func.count()).select_from(ServicePoint)) >= 30
    # (the demo surveyor's tablet interviews come on top of the counter responses asked for)
    assert db_session.scalar(COUNTER_RESPONSES) == 1500
    days = db_session.scalar(select(func.count(func.distinct(Response.service_day))))
    assert days > 100  # spread over the year
    # clustering: several responses share a counter and a day
    per_cluster = (
        db_session.execute(
            select(func.count()).select_from(Response).group_by(Response.service_point_id, Response.service_day)
        )
        .scalars()
        .all()
    )
    assert max(per_cluster) >= 3
    # units truly differ and some people report harassment and informal payments
    rates = db_session.execute(
        select(Response.unit_id, func.avg(Answer.value_int))
        .join(Answer)
        .where(Answer.question_code == "overall")
        .group_by(Response.unit_id)
    ).all()
    means = [float(r[1]) for r in rates]
    assert max(means) - min(means) > 0.5
    for item in ("harassment", "informal_payment"):
        yes = db_session.scalar(
            select(func.count()).select_from(Answer).where(Answer.question_code == item, Answer.value_int == 1)
        )
        assert 0 < yes < 300


def test_seed_demo_refuses_to_run_twice(runner, db_session):
    assert runner.invoke(args=["seed-demo", "--responses", "50"]).exit_code == 0
    again = runner.invoke(args=["seed-demo", "--responses", "50"])
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert db_session.scalar(COUNTER_RESPONSES) == 50
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0 and "not seeded" in skipped.output
    forced = runner.invoke(args=["seed-demo", "--responses", "50", "--force"])
    assert forced.exit_code == 0, forced.output
    assert db_session.scalar(COUNTER_RESPONSES) == 100


def test_urls_prints_a_citizen_form(runner, point):
    result = runner.invoke(args=["urls"])
    assert f"https://khaosat.test/s/{point.qr_token}" in result.output


def test_qr_for_one_point_decodes_to_its_url(runner, point, tmp_path):
    result = runner.invoke(args=["qr", "--token", point.qr_token, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    png = tmp_path / "T01-X01-Q01.png"
    decoded = zxingcpp.read_barcodes(Image.open(png))
    assert [d.text for d in decoded] == [f"https://khaosat.test/s/{point.qr_token}"]
    assert (tmp_path / "T01-X01-Q01.svg").read_bytes().lstrip().startswith(b"<?xml")


def test_qr_posters_for_a_subtree(runner, point, db_session, tmp_path):
    db_session.add(ServicePoint(unit_id=point.unit_id, code="Q02", name="Quầy Đất đai"))
    db_session.commit()
    out = tmp_path / "posters.pdf"
    result = runner.invoke(args=["qr", "--unit", "T01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text()
    assert "UBND xã Tân Phú" in text and "TỈNH THỬ NGHIỆM" in text
    assert f"khaosat.test/s/{point.qr_token}" in text.replace("\n", "")
    # the poster promises the time the active form's intro states (sipas-counter v2: 4 minutes)
    assert "mất khoảng 4 phút" in text.replace("\n", " ") and "about 4 minutes" in text.replace("\n", " ")


def test_qr_refuses_unknown_targets(runner, point, tmp_path):
    assert "No unit has code" in runner.invoke(args=["qr", "--unit", "NOPE", "--out", str(tmp_path)]).output
    assert "No service point" in runner.invoke(args=["qr", "--token", "zzz", "--out", str(tmp_path)]).output
    assert runner.invoke(args=["qr", "--out", str(tmp_path)]).exit_code != 0


def test_seed_demo_shows_a_newcomer_a_flagged_counter(runner, db_session, app, users, login_as):
    """issue 16: after `flask seed-demo` the dashboard's flag column and the
    anomaly review show the counter whose staff stuffed the form. (The stuffed
    day is the last working day; asked for its period, so the test holds in
    the first days of a quarter too.)"""
    import re
    from datetime import timedelta

    from app.services.anomalies import counter_days
    from app.time import vietnam_today

    assert runner.invoke(args=["seed-demo", "--responses", "1500"]).exit_code == 0
    today = vietnam_today()
    days = counter_days(db_session, None, today - timedelta(days=14), today)
    (burst,) = [d for d in days if d.burst and d.duplicates >= 24]
    analyst = app.test_client()
    login_as(analyst, users["analyst"])
    html = analyst.get(f"/bao-cao?date={burst.service_day.isoformat()}").get_data(as_text=True)
    flagged = [int(n.replace(".", "")) for n in re.findall(r'<span class="flagged">([\d.]+)</span>', html)]
    assert flagged and max(flagged) >= 24
    admin = app.test_client()
    login_as(admin, users["admin"])
    review = admin.get("/quan-tri/bat-thuong").get_data(as_text=True)
    assert burst.service_day.strftime("%d/%m/%Y") in review or burst.service_day.isoformat() in review
