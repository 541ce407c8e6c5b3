"""Breakdowns by a respondent variable: domain estimates against R, and the units table's rules.

The household interviews of ``tests/analysis/data/breakdown_sample.csv`` are
stored as responses (unit U1 → commune A1, U2 → A2; cluster = surveyor ×
day) and broken down through the service; every figure is compared with
``tests/analysis/data/breakdown_reference.json``, made by
``tests/analysis/r/make_breakdown_reference.R`` (R ``survey``), whose
records carry the R calls behind each value.
"""

from __future__ import annotations

import csv
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.services.indicators import Thresholds
from app.services.instruments import instrument_active
from app.services.reports.breakdown import (
    BY_CHANNEL,
    MISSING_CATEGORY,
    BreakdownUnknown,
    breakdown_choices,
    breakdown_table,
)
from app.services.reports.periods import period_of
from app.services.response_filter import ResponseFilter
from app.services.submissions import response_submit
from surveys import load_all

DATA = Path(__file__).resolve().parents[1] / "analysis" / "data"
REFERENCE = json.loads((DATA / "breakdown_reference.json").read_text(encoding="utf-8"))
MONTH = period_of("month", date(2026, 11, 1))
HOUSEHOLD = ResponseFilter(instrument="papi-household")
#: publish everything, so that every R value has a figure to compare with
OPEN = Thresholds(disclosure_min=1)


def store(db_session, units, surveyor, rows, unit_of=None) -> None:
    """Store respondent rows (answer codes by question code) as household interviews."""
    active = instrument_active(db_session, load_all(), "papi-household")
    codes = {q.code for q in active.instrument.questions}
    unit_of = unit_of or {"U1": units["A1"], "U2": units["A2"]}
    for row in rows:
        answers = {k: int(v) for k, v in row.items() if k in codes and v not in ("", None)}
        when = datetime(2026, int(row.get("month", 11)), 2 + int(row["day"]), 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
        channel = row.get("channel", "tablet")
        response_submit(
            db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=unit_of[row["unit"]].id,
            service_point_id=None, channel=channel, answers=answers, started_at=when, submitted_at=when,
            surveyor_id=surveyor.id if channel == "tablet" else None,  # a paper form has no interviewer
        )  # fmt: skip
    db_session.commit()


@pytest.fixture
def sample(db_session, units, users):
    with open(DATA / "breakdown_sample.csv", newline="", encoding="utf-8") as fh:
        store(db_session, units, users["surveyor"], list(csv.DictReader(fh)))


@pytest.fixture
def household():
    return load_all()["papi-household.v1"]


def records(by):
    return [r for r in REFERENCE["results"] if r["by"] == by]


def close(ours, theirs, tol):
    return (ours is None and theirs is None) or (ours is not None and theirs is not None and abs(ours - theirs) < tol)


@pytest.mark.parametrize("by", ["sex", "age_group", "ethnicity"])
def test_categories_are_domains_of_the_cluster_design_as_in_r(db_session, sample, household, by):
    table = breakdown_table(db_session, household, MONTH, HOUSEHOLD, by, thresholds=OPEN)
    lines = {line.key: line for line in table.categories}
    for record in records(by) + records(None):
        line = table.total if record["by"] is None else lines[record["category"]]
        assert (line.responses, line.clusters) == (record["responses"], record["clusters"]), record["domain_call"]
        for key, ref in record["figures"].items():
            figure = line.figures[key]
            where = f"{record['domain_call']} {key}: {ref['calls']}"
            assert close(figure.estimate, ref["estimate"], 1e-9), where
            assert close(figure.se, ref["se"], 1e-9), where
            assert figure.df == ref["df"], where
            if ref["df"] < 1:  # one cluster, or clusters of different strata only: no interval
                assert figure.lower is None and figure.upper is None, where
            elif ref["se"] == 0:  # R gives none; here Korn–Graubard with deff 1
                assert figure.deff1_interval and figure.lower <= figure.estimate <= figure.upper, where
            else:
                lower = max(ref["lower"], 0.0)  # the index's t interval is clipped to [0, 1]
                assert close(figure.lower, lower, 1e-6) and close(figure.upper, min(ref["upper"], 1.0), 1e-6), where
            if "deff" in ref and ref["deff"] is not None:
                assert figure.n == ref["n"] and close(figure.deff, ref["deff"], 1e-6), where


def test_the_total_of_a_breakdown_is_the_reports_total(db_session, sample, household):
    from app.services.indicators import indicator_table

    flt = HOUSEHOLD.__class__(instrument="papi-household", date_from=MONTH.start, date_to=MONTH.end)
    report = indicator_table(db_session, household, flt)
    table = breakdown_table(db_session, household, MONTH, HOUSEHOLD, "sex")
    for key in ("INDEX", "overall", "harassment", "informal_payment"):
        assert table.total.figures[key].estimate == pytest.approx(report.total.figures[key].estimate, abs=1e-12)
        assert table.total.figures[key].se == pytest.approx(report.total.figures[key].se, abs=1e-12)


def test_few_clusters_get_no_verdict_and_no_category_is_left_out(db_session, sample, household):
    table = breakdown_table(db_session, household, MONTH, HOUSEHOLD, "age_group", thresholds=OPEN)
    lines = {line.key: line for line in table.categories}
    assert list(lines) == ["1", "2", "3", "4", "5"]  # every age group, in the scale's order
    for key in ("4", "5"):  # one and two clusters
        index = lines[key].figures["INDEX"]
        assert index.verdict is None and index.not_assessed == "too_few_clusters"
    assert lines["1"].figures["INDEX"].not_assessed is None and lines["1"].figures["INDEX"].verdict is not None
    ethnicity = breakdown_table(db_session, household, MONTH, HOUSEHOLD, "ethnicity", thresholds=OPEN)
    nobody = next(line for line in ethnicity.categories if line.key == "8")  # "prefer not to say": no respondent
    assert nobody.responses == 0 and nobody.figures == {}
    assert ethnicity.labels["8"].vi == "Không muốn trả lời"


def test_small_categories_are_hidden_and_so_is_the_next_smallest(db_session, units, users, household):
    base = {"used_service": 1, "procedure": 1, "E5_gate": 2, "E1_1": 4, "overall": 4, "harassment": 2,
            "informal_payment": 2, "age_group": 2, "ethnicity": 1}  # fmt: skip
    rows = [{**base, "unit": "U1", "day": 1 + i % 6, "sex": 1} for i in range(30)]
    rows += [{**base, "unit": "U1", "day": 1 + i % 6, "sex": 2, "overall": 1} for i in range(3)]
    rows += [{**base, "unit": "U1", "day": 1 + i % 6, "sex": ""} for i in range(6)]  # sex not answered
    store(db_session, units, users["surveyor"], rows)
    table = breakdown_table(db_session, household, MONTH, HOUSEHOLD, "sex")
    lines = {line.key: line for line in table.categories}
    assert list(lines) == ["1", "2", MISSING_CATEGORY]
    women, unknown = lines["2"].figures["overall"], lines[MISSING_CATEGORY].figures["overall"]
    assert women.estimate is None and women.suppressed_reason == "few_answers"
    # total minus men would give the three women's answers: the six without an answer go too
    assert unknown.estimate is None and unknown.suppressed_reason == "complementary"
    assert lines["1"].figures["overall"].estimate == 1.0
    # counts too: 39 − 30 − 6 would give the three women, so the six are not counted either
    assert lines["2"].responses is None and lines[MISSING_CATEGORY].responses is None and lines["1"].responses == 30
    assert table.total.figures["overall"].estimate == pytest.approx(36 / 39)


def test_channel_and_the_choices(db_session, units, users, household):
    choices = [code for code, _ in breakdown_choices(household)]
    assert choices == ["sex", "age_group", "ethnicity", "education", "used_service", "procedure", "E5_gate",
                       BY_CHANNEL]  # fmt: skip
    counter = load_all()["sipas-counter.v2"]
    assert "visit_stage" in [code for code, _ in breakdown_choices(counter)]
    for code in ("E1_1", "overall", "harassment", "P_land", "comment"):
        assert code not in choices
    with pytest.raises(BreakdownUnknown):
        breakdown_table(db_session, household, MONTH, HOUSEHOLD, "E1_1")
    base = {"used_service": 1, "procedure": 1, "E5_gate": 2, "E1_1": 4, "overall": 4, "sex": 1}
    rows = [{**base, "unit": "U1", "day": 1 + i % 5, "channel": "tablet"} for i in range(10)]
    rows += [{**base, "unit": "U1", "day": 1 + i % 5, "channel": "paper", "overall": 2} for i in range(10)]
    store(db_session, units, users["surveyor"], rows)
    table = breakdown_table(db_session, household, MONTH, HOUSEHOLD, BY_CHANNEL)
    lines = {line.key: line for line in table.categories}
    assert lines["tablet"].figures["overall"].estimate == 1.0 and lines["paper"].figures["overall"].estimate == 0.0


DASHBOARD = "/bao-cao?period=month&date=2026-11-01"


def test_the_dashboard_lists_the_instruments_with_responses_and_switches(client, users, login_as, sample):
    login_as(client, users["analyst"])
    html = client.get(DASHBOARD).get_data(as_text=True)
    assert '<select name="instrument">' in html
    assert 'value="sipas-counter" selected' in html and 'value="papi-household">' in html  # has interviews
    html = client.get(DASHBOARD + "&instrument=papi-household").get_data(as_text=True)
    assert 'value="papi-household" selected' in html
    assert "Phỏng vấn hộ gia đình" in html and "Phân bố theo tiêu chí" in html
    assert html.count("Cơ quan xử lý tích cực") == 1  # a household criterion, in the distribution table
    assert "82" in html


def test_the_dashboard_breaks_down_by_a_question(client, users, login_as, sample):
    login_as(client, users["analyst"])
    url = DASHBOARD + "&instrument=papi-household&by=age_group"
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option value="age_group" selected>Nhóm tuổi</option>' in html
    assert "Phân tích theo nhóm: Nhóm tuổi" in html and "Từ 60 tuổi trở lên" in html
    section = html[html.index('id="breakdown"') :]
    section = section[: section.index("</section>")]
    assert "Chưa kết luận (quá ít cụm)" in section  # age groups 4 and 5: one and two clusters
    assert "Chi ngoài quy định" in section and "giấy chứng nhận quyền sử dụng đất" in section
    data = client.get("/bao-cao/tai-ve.json?period=month&date=2026-11-01&instrument=papi-household&by=age_group").json
    lines = {line["code"]: line for line in data["breakdown"]["lines"]}
    reference = next(r for r in records("age_group") if r["category"] == "2")
    assert lines["2"]["figures"]["INDEX"]["estimate"] == pytest.approx(reference["figures"]["INDEX"]["estimate"])
    assert lines["4"]["figures"]["INDEX"]["not_assessed"] == "too_few_clusters"


def test_an_unknown_breakdown_is_refused_with_a_reason(client, users, login_as, sample):
    login_as(client, users["analyst"])
    # left over from another instrument: the dashboard shows the report without it, and says so
    html = client.get(DASHBOARD + "&by=education").get_data(as_text=True)  # a household question only
    assert "Không phân tích theo nhóm được với «education»" in html and 'id="breakdown"' not in html
    response = client.get("/bao-cao/tai-ve.csv?period=month&date=2026-11-01&by=E1_1")
    assert response.status_code == 400 and "E1_1" in response.get_data(as_text=True)
    assert client.get(DASHBOARD + "&by=x%27%3B--").status_code == 400
    body = client.get("/api/v1/indicators?period=month&date=2026-11-01&by=education")
    assert body.status_code == 400 and body.json["parameter"] == "by"
    ok = client.get("/api/v1/indicators?period=month&date=2026-11-01&instrument=papi-household&by=sex")
    assert ok.status_code == 200 and [line["code"] for line in ok.json["breakdown"]["lines"]] == ["1", "2"]


def test_a_unit_manager_breaks_down_their_own_units_only(client, db_session, units, users, login_as, household):
    with open(DATA / "breakdown_sample.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    store(db_session, units, users["surveyor"], rows, unit_of={"U1": units["A1"], "U2": units["B1"]})
    login_as(client, users["unit_manager"])
    data = client.get("/bao-cao/tai-ve.json?period=month&date=2026-11-01&instrument=papi-household&by=sex").json
    assert data["breakdown"]["total"]["responses"] == sum(r["unit"] == "U1" for r in rows)


def test_the_csv_and_the_workbook_carry_the_breakdown(client, users, login_as, sample):
    import io

    from openpyxl import load_workbook

    login_as(client, users["analyst"])
    query = "period=month&date=2026-11-01&instrument=papi-household&by=sex"
    text = client.get(f"/bao-cao/tai-ve.csv?{query}").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["Phân tích theo", "Mã nhóm", "Nhóm", "Số phiếu", "Số cụm (quầy × ngày)"]
    assert [r[1] for r in rows[1:]] == ["1", "2", "*"] and rows[1][2] == "Nam" and rows[3][3] == "82"
    men = next(r for r in records("sex") if r["category"] == "1")["figures"]["INDEX"]
    assert float(rows[1][5]) == pytest.approx(men["estimate"], abs=5e-5)
    assert float(rows[1][6]) == pytest.approx(men["lower"], abs=5e-5)
    book = load_workbook(io.BytesIO(client.get(f"/bao-cao/tai-ve.xlsx?{query}").data), read_only=True)
    assert book.sheetnames[2] == "Theo nhóm"
    sheet = [row for row in book["Theo nhóm"].iter_rows(values_only=True)]
    assert sheet[0][:3] == ("Phân tích theo", "Mã nhóm", "Nhóm") and sheet[1][5] == pytest.approx(men["estimate"])
    plain = client.get("/bao-cao/tai-ve.xlsx?period=month&date=2026-11-01&instrument=papi-household")
    assert "Theo nhóm" not in load_workbook(io.BytesIO(plain.data), read_only=True).sheetnames


def test_the_report_command_breaks_down(runner, sample, tmp_path):
    out = tmp_path / "by_sex.json"
    args = ["report", "--format", "json", "--out", str(out), "--period", "month", "--date", "2026-11-01"]
    result = runner.invoke(args=[*args, "--instrument", "papi-household", "--by", "sex"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [line["code"] for line in data["breakdown"]["lines"]] == ["1", "2"]
    refused = runner.invoke(args=[*args, "--by", "education"])  # not a question of sipas-counter
    assert refused.exit_code == 2 and "education" in refused.output


def test_the_pdf_has_the_breakdown(client, users, login_as, sample):
    import io

    import pypdf

    login_as(client, users["analyst"])
    query = "period=month&date=2026-11-01&instrument=papi-household&by=age_group"
    pages = pypdf.PdfReader(io.BytesIO(client.get(f"/bao-cao/tai-ve.pdf?{query}").data)).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert "Phân tích theo nhóm: Nhóm tuổi" in text and "Từ 60 tuổi trở lên" in text


def test_a_quarter_hides_a_category_whose_month_is_small_also_for_perception_items(db_session, units, users, household):
    base = {"used_service": 1, "procedure": 1, "E5_gate": 2, "E1_1": 4, "overall": 4, "harassment": 2,
            "informal_payment": 2, "P_land": 2, "unit": "U1"}  # fmt: skip
    rows = [{**base, "day": 1 + i % 6, "month": 10 + i % 2, "sex": 1} for i in range(40)]
    rows += [{**base, "day": 1 + i % 6, "month": 10, "sex": 2} for i in range(10)]
    rows += [{**base, "day": 1, "month": 11, "sex": 2} for i in range(2)]  # two women in November
    store(db_session, units, users["surveyor"], rows)
    quarter = period_of("quarter", date(2026, 10, 1))
    table = breakdown_table(db_session, household, quarter, HOUSEHOLD, "sex")
    women = next(line for line in table.categories if line.key == "2")
    for key in ("overall", "P_land"):
        assert women.figures[key].estimate is None and women.figures[key].suppressed_reason == "small_month", key
    month = breakdown_table(db_session, household, period_of("month", date(2026, 10, 1)), HOUSEHOLD, "sex")
    assert next(line for line in month.categories if line.key == "2").figures["P_land"].estimate == 0.0


def test_visits_are_a_domain_mean_with_the_linearised_variance(db_session, units, household):
    """The mean number of visits per category: Σ_d y / N_d with the between-cluster variance
    m/(m−1) Σ_i (z_i − z̄)², z_i = Σ_{j ∈ cluster i, category} (y_j − ȳ_d) / N_d (one stratum)."""
    import numpy as np

    from app.models import ServicePoint

    active = instrument_active(db_session, load_all(), "sipas-counter")
    points = [ServicePoint(unit=units["A1"], code=f"Q{i}", name=f"Quầy {i}") for i in (1, 2)]
    db_session.add_all(points)
    db_session.flush()
    people = []  # (cluster, stage, visits)
    for p, point in enumerate(points):
        for day in range(3):
            for j in range(6):
                stage, visits = 1 + (j + day) % 3, 1 + (j * 7 + day * 3 + p * 5) % 4
                people.append((3 * p + day, stage, visits))
                when = datetime(2026, 11, 3 + day, 3, 0, tzinfo=UTC)
                answers = {"visit_stage": stage, "procedure": 1, "E5_gate": 2, "overall": 4, "visits": visits,
                           "harassment": 2, "informal_payment": 2, "E1_seats": 4}  # fmt: skip
                response_submit(
                    db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
                    service_point_id=point.id, channel="qr", answers=answers, submitted_at=when,
                )  # fmt: skip
    db_session.commit()
    counter = active.instrument
    flt = ResponseFilter(instrument="sipas-counter")
    table = breakdown_table(db_session, counter, MONTH, flt, "visit_stage", thresholds=OPEN)
    assert "visits" in table.means
    data = np.array(people, dtype=float)
    for line in table.categories:
        if not line.responses:
            continue
        inside = data[:, 1] == int(line.key)
        y, n = data[inside, 2], inside.sum()
        mean = y.mean()
        z = np.bincount(data[inside, 0].astype(int), (y - mean) / n, minlength=6)
        variance = 6 / 5 * ((z - z.mean()) ** 2).sum()
        figure = line.figures["visits"]
        assert figure.estimate == pytest.approx(mean, abs=1e-12) and figure.se == pytest.approx(variance**0.5, rel=1e-9)
        assert figure.df == 5 and figure.n == n


def test_a_unit_manager_is_offered_only_the_instruments_of_their_units(client, db_session, units, users, login_as):
    rows = [{"unit": "U2", "day": 1, "sex": 1, "used_service": 2} for _ in range(3)]
    store(db_session, units, users["surveyor"], rows, unit_of={"U2": units["B1"]})  # interviews in B1 only
    login_as(client, users["unit_manager"])
    html = client.get(DASHBOARD).get_data(as_text=True)
    assert 'value="sipas-counter" selected' in html and "papi-household" not in html
    login_as(client, users["analyst"])
    assert 'value="papi-household"' in client.get(DASHBOARD).get_data(as_text=True)


def test_household_reports_show_the_perception_items_without_a_breakdown(client, users, login_as, sample):
    login_as(client, users["analyst"])
    html = client.get(DASHBOARD + "&instrument=papi-household").get_data(as_text=True)
    section = html[html.index('id="items"') :]
    section = section[: section.index("</section>")]
    assert "Cảm nhận và các câu hỏi khác" in section and "giấy chứng nhận quyền sử dụng đất" in section
    data = client.get("/bao-cao/tai-ve.json?period=month&date=2026-11-01&instrument=papi-household").json
    land = data["items"]["total"]["figures"]["P_land"]
    assert land["estimate"] == pytest.approx(records(None)[0]["figures"]["P_land"]["estimate"])
    import io

    from openpyxl import load_workbook

    xlsx = client.get("/bao-cao/tai-ve.xlsx?period=month&date=2026-11-01&instrument=papi-household").data
    sheet = list(load_workbook(io.BytesIO(xlsx), read_only=True)["Cảm nhận"].iter_rows(values_only=True))
    assert sheet[1][2] == "Tất cả" and sheet[1][5] == pytest.approx(land["estimate"])
    counter = client.get("/bao-cao/tai-ve.json?period=month&date=2026-11-01").json
    assert counter["items"] is None and 'id="items"' not in client.get(DASHBOARD).get_data(as_text=True)


def test_the_breakdown_in_english(client, users, login_as, sample):
    login_as(client, users["analyst"])
    html = client.get(DASHBOARD + "&instrument=papi-household&by=age_group&lang=en").get_data(as_text=True)
    section = html[html.index('id="breakdown"') :]
    assert "Breakdown: Age group" in section and "60 years or older" in section and "domain" in section
    assert "Not assessed (too few clusters)" in section
