"""Reports built from real data, for the renderer tests.

Seeding the demo province and building its report takes a few seconds, so
it is done once per test session, inside a transaction that is rolled back
before any test runs: a :class:`Report` is plain data and outlives it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.services import accounts
from app.services.demo import demo_seed
from app.services.reports.build import report_build
from app.services.reports.model import CommentLine, Period, Report
from app.services.reports.periods import period_of
from app.time import VIETNAM
from surveys import load_all

SIPAS = load_all()["sipas-counter.v2"]

#: Text a spreadsheet would run as a formula, or a browser as a script.
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
XSS = "<script>alert(1)</script>"
#: Control characters XML cannot hold, and what is left once they are dropped.
CONTROL = ("Phòng\x00 chờ\x07 nóng\x1f,\x0b quạt hỏng\ufffe", "Phòng chờ nóng, quạt hỏng")
#: Unit names given to the first units of the hostile report.
HOSTILE_NAMES = ['=HYPERLINK("http://evil","Bấm vào đây")', "@SUM(A1)", "-Xã Dấu Trừ", "Xã\x08 Điều\x1b Khiển"]


def _reports_on_rolled_back_data(
    engine: Engine, requests: dict[str, tuple[Period, str]], seed: Callable[[Session], None]
) -> dict[str, Report]:
    """Reports (period, grouping) of data seeded in a transaction rolled back afterwards."""
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            seed(session)
            session.commit()
            return {
                name: report_build(session, SIPAS, period, grouping=grouping)
                for name, (period, grouping) in requests.items()
            }
        finally:
            session.close()
            outer.rollback()


def _report_on_rolled_back_data(engine: Engine, period: Period, seed: Callable[[Session], None]) -> Report:
    return _reports_on_rolled_back_data(engine, {"one": (period, "unit")}, seed)["one"]


@pytest.fixture(scope="session")
def demo_reports(engine: Engine) -> dict[str, Report]:
    """Reports of the demo province: 3,000 responses over the last 365 days
    (enough that most units hold at least 5 in every month: see reports/disclosure.py).

    ``year``: the year holding the middle of the seeded days; ``quarter``: the
    last whole quarter (its previous quarter is seeded too); ``district``: that
    quarter grouped by district.
    """

    def seed(session: Session) -> None:
        with pytest.MonkeyPatch.context() as mp:  # demo accounts: no need for production-cost hashing
            mp.setattr(accounts, "hasher", PasswordHasher.from_parameters(CHEAPEST))
            # force: whatever else the database holds; every response to the active version
            demo_seed(session, responses=3000, seed=3, force=True, older_version=False)

    today = datetime.now(VIETNAM).date()
    # The year holding the middle of the seeded 365 days holds at least half of them.
    middle = today - timedelta(days=183)
    last_quarter = period_of("quarter", today).previous()
    return _reports_on_rolled_back_data(
        engine,
        {"year": (period_of("year", middle), "unit"), "quarter": (last_quarter, "unit"),
         "district": (last_quarter, "district")},
        seed,
    )  # fmt: skip


@pytest.fixture(scope="session")
def demo_report(demo_reports: dict[str, Report]) -> Report:
    """The year report of the demo province (see ``demo_reports``)."""
    return demo_reports["year"]


@pytest.fixture(scope="session")
def empty_report(engine: Engine) -> Report:
    """A report for a year with no responses at all."""
    return _report_on_rolled_back_data(engine, period_of("year", date(2001, 6, 1)), lambda session: None)


@dataclass(frozen=True)
class Hostile:
    """A report whose free text is out to cause harm, and the text it holds."""

    report: Report
    formulas: list[str] = field(default_factory=lambda: list(FORMULAS))
    xss: str = XSS
    control: tuple[str, str] = CONTROL
    names: list[str] = field(default_factory=lambda: list(HOSTILE_NAMES))


@pytest.fixture(scope="session")
def hostile(demo_report: Report) -> Hostile:
    """The demo report with formulas, a script and control characters in its
    free text: extra comments (first, as the newest come first) and unit names."""
    day = demo_report.period.end
    extra = [CommentLine(day, "Xã Thử", "Quầy 1", text) for text in [*FORMULAS, XSS, CONTROL[0]]]
    units = [
        replace(unit, name=HOSTILE_NAMES[i]) if i < len(HOSTILE_NAMES) else unit
        for i, unit in enumerate(demo_report.units)
    ]
    return Hostile(replace(demo_report, comments=extra + demo_report.comments, units=units))
