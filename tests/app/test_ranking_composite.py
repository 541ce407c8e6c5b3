"""A composite ranking declared in the settings (issue 17): the score, its
conservative interval, the setting's parsing, and the ranks it gives."""

from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from analysis import ranks_interval
from app.config import ConfigError, Settings
from app.models import User
from app.render.report_files import report_file
from app.services.demo import demo_seed
from app.services.indicators import Figure
from app.services.reports.build import report_for
from app.services.reports.composite import INDEX_ONLY, RANK_KEY, composite_figure
from app.services.reports.model import ReportRequest
from app.services.reports.periods import period_of
from app.services.response_filter import ResponseFilter
from app.time import vietnam_today
from surveys import load_all

REGISTRY = load_all()
WEIGHTS = (("INDEX", 1.0), ("harassment", -0.5), ("informal_payment", -0.5))


def fig(estimate, lower, upper, se=0.02, n=100, n_psu=10, df=9, reliable=True, not_assessed=None) -> Figure:
    return Figure(
        n=n,
        estimate=estimate,
        lower=lower,
        upper=upper,
        se=se,
        df=df,
        deff=1.2,
        n_eff=n / 1.2,
        reliable=reliable,
        suppressed=False,
        n_psu=n_psu,
        not_assessed=not_assessed,
    )


def test_the_score_is_the_weighted_sum_and_its_interval_takes_the_adverse_bound():
    figures = {
        "INDEX": fig(0.80, 0.74, 0.85, se=0.03, n=120, n_psu=12),
        "harassment": fig(0.10, 0.05, 0.18, se=0.03, n=118, n_psu=12, df=11),
        "informal_payment": fig(0.20, 0.12, 0.30, se=0.04, n=90, n_psu=9, reliable=False),
    }
    score = composite_figure(figures, WEIGHTS)
    assert score.estimate == pytest.approx(0.80 - 0.05 - 0.10)
    # a positive weight takes the lower bound, a negative one the upper bound
    assert score.lower == pytest.approx(0.74 - 0.5 * 0.18 - 0.5 * 0.30)
    assert score.upper == pytest.approx(0.85 - 0.5 * 0.05 - 0.5 * 0.12)
    assert score.se == pytest.approx(0.03 + 0.5 * 0.03 + 0.5 * 0.04)
    assert (score.n, score.n_psu, score.df, score.reliable) == (90, 9, 9, False)


def test_the_interval_is_never_narrower_than_the_design_based_one():
    """Minkowski: for any correlation of two components, the SD of the score
    is at most the sum of the weighted SDs the score's interval is built from."""
    rng = np.random.default_rng(5)
    for rho in (-0.9, 0.0, 0.5, 1.0):
        cov = np.array([[0.03**2, rho * 0.03 * 0.02], [rho * 0.03 * 0.02, 0.02**2]])
        draws = rng.multivariate_normal([0.8, 0.1], cov, size=20000)
        sd = np.std(draws @ np.array([1.0, -0.5]))
        assert sd <= 0.03 + 0.5 * 0.02 + 1e-3


def test_a_missing_or_suppressed_component_gives_no_score():
    index = fig(0.8, 0.7, 0.9)
    assert composite_figure({"INDEX": index}, WEIGHTS) is None
    hidden = fig(None, None, None)
    assert composite_figure({"INDEX": index, "harassment": hidden, "informal_payment": index}, WEIGHTS) is None
    few = fig(0.1, 0.0, 0.4, n_psu=3, not_assessed="too_few_clusters")
    score = composite_figure({"INDEX": index, "harassment": few, "informal_payment": index}, WEIGHTS)
    assert score.not_assessed == "too_few_clusters"
    unbounded = fig(0.1, None, None, se=None)
    score = composite_figure({"INDEX": index, "harassment": unbounded, "informal_payment": index}, WEIGHTS)
    assert score.estimate == pytest.approx(0.8 - 0.05 - 0.4) and score.lower is None and score.se is None


@pytest.mark.parametrize(
    ("raw", "weights"),
    [
        ("", (("INDEX", 1.0),)),
        ("INDEX:1,harassment:-0.5,informal_payment:-0.5", WEIGHTS),
        (" INDEX : 2 , E5:1 ", (("INDEX", 2.0), ("E5", 1.0))),
    ],
)
def test_the_setting_is_read(raw, weights):
    assert Settings.from_env({"RANKING_WEIGHTS": raw}).ranking_weights == weights


@pytest.mark.parametrize(
    "raw",
    ["INDEX", "INDEX:", "INDEX:0", "INDEX:nan", "INDEX:inf", "INDEX:1,INDEX:2", "1X:1", "IN DEX:1", "INDEX:1;E1:1"],
)
def test_a_wrong_setting_is_refused_with_the_way_to_write_it(raw):
    with pytest.raises(ConfigError, match="RANKING_WEIGHTS"):
        Settings.from_env({"RANKING_WEIGHTS": raw})


@pytest.fixture
def demo(db_session):
    demo_seed(db_session, responses=1500, seed=17)
    db_session.commit()
    end = vietnam_today() - timedelta(days=1)
    return period_of("custom", end - timedelta(days=179), end)


def _report(db_session, period, ranking=INDEX_ONLY):
    request = ReportRequest(period, ResponseFilter(instrument="sipas-counter"), "unit", None)
    return report_for(db_session, REGISTRY, request, comment_limit=0, ranking=ranking)


def _expected_ranks(units, key):
    """Within each level, the ranks ranks_interval gives the units' ``key`` figures."""
    out = {}
    for level in {u.level for u in units}:
        at = [u for u in units if u.level == level]
        figures = [u.figures.get(key) for u in at]

        def value(f, name):
            return np.nan if f is None or getattr(f, name) is None else getattr(f, name)

        ranks = ranks_interval(*([value(f, name) for f in figures] for name in ("estimate", "lower", "upper")))
        out.update({u.code: None if np.isnan(r) else int(r) for u, r in zip(at, ranks.rank, strict=True)})
    return out


def test_units_are_ranked_by_the_declared_score_and_compared_with_the_same_score(db_session, demo):
    report = _report(db_session, demo, WEIGHTS)
    scored = [u for u in report.units if RANK_KEY in u.figures]
    assert len(scored) >= 5
    for u in scored:
        f = u.figures
        expected = f["INDEX"].estimate - 0.5 * f["harassment"].estimate - 0.5 * f["informal_payment"].estimate
        assert f[RANK_KEY].estimate == pytest.approx(expected)
    assert {u.code: u.rank for u in report.units} == _expected_ranks(report.units, RANK_KEY)
    assert report.unit_keys[-1][0] == RANK_KEY
    assert "Chỉ số chung" in report.ranking.vi and "− 0,5 ×" in report.ranking.vi and "− 0.5 ×" in report.ranking.en
    # the previous rank is the rank the previous period's report gives by the same score
    before = _report(db_session, demo.previous(), WEIGHTS)
    previous_rank = {u.code: u.rank for u in before.units}
    for u in report.units:
        assert u.previous_rank == previous_rank.get(u.code)
        if u.rank is not None and u.previous_rank is not None:
            assert u.rank_change == u.previous_rank - u.rank


def test_by_default_units_are_ranked_by_the_index_and_the_table_has_no_score(db_session, demo):
    report = _report(db_session, demo)
    assert report.ranking is None
    assert all(RANK_KEY not in u.figures for u in report.units)
    assert RANK_KEY not in dict(report.unit_keys)
    assert {u.code: u.rank for u in report.units} == _expected_ranks(report.units, "INDEX")


def test_the_score_and_its_rule_reach_the_spreadsheet(db_session, demo):
    report = _report(db_session, demo, WEIGHTS)
    content = report_file(report, "xlsx", "vi").content
    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert {"Xếp hạng (điểm tổng hợp)", "Điểm xếp hạng (tổng hợp) – ước lượng"} <= cells
    assert "Xếp hạng (chỉ số chung)" not in cells
    assert any(c.startswith("điểm tổng hợp = 1 × Chỉ số chung − 0,5 ×") for c in cells)


def test_the_dashboard_says_what_the_ranking_is(app, client, db_session, demo, login_as):
    analyst = db_session.scalars(select(User).where(User.role == "analyst")).first()
    login_as(client, analyst)
    on = (demo.end - timedelta(days=45)).isoformat()
    page = client.get(f"/bao-cao?period=quarter&date={on}").get_data(as_text=True)
    assert "Điểm xếp hạng" not in page and "thay cho chỉ số chung" not in page
    app.config["RANKING_WEIGHTS"] = WEIGHTS
    page = client.get(f"/bao-cao?period=quarter&date={on}").get_data(as_text=True)
    assert "thay cho chỉ số chung" in page
    assert "Điểm xếp hạng (tổng hợp)" in page
