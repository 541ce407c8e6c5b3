"""How many comments a report lists."""

from __future__ import annotations

from datetime import timedelta

from app.services.demo import demo_seed
from app.services.reports.build import report_for
from app.services.reports.model import ReportRequest
from app.services.reports.periods import period_of
from app.services.response_filter import ResponseFilter
from app.time import vietnam_today
from surveys import load_all


def test_a_report_asked_for_no_comments_has_none(db_session):
    """comment_limit=0 (the API, the targets and the public page) means none, not one."""
    demo_seed(db_session, responses=1500, seed=17)
    db_session.commit()
    end = vietnam_today() - timedelta(days=1)
    request = ReportRequest(
        period_of("custom", end - timedelta(days=179), end), ResponseFilter("sipas-counter"), "unit", None
    )
    registry = load_all()
    assert len(report_for(db_session, registry, request, comment_limit=3).comments) == 3
    assert report_for(db_session, registry, request, comment_limit=0).comments == []
