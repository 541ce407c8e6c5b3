"""The units table an analyst reports from (issue 17): ranks within a level,
the previous period's value, the change and the places gained or lost, the
groups a grouping cannot place, and the plain-language findings.
"""

from __future__ import annotations

import numpy as np

from analysis import means_difference_confint
from app import numbers
from app.services.reports.model import INDEX_KEY, Report
from app.services.reports.ranking import LEVEL_ORDER


def ranked(report: Report, level: str):
    return [u for u in report.units if u.level == level and u.rank is not None]


def test_units_are_ranked_within_their_level_and_listed_by_level_then_rank(demo_reports):
    report = demo_reports["quarter"]
    levels = {u.level for u in report.units}
    assert {"department", "commune"} <= levels  # the demo has both: they must not share one ranking
    for level in levels:
        units = ranked(report, level)
        assert sorted(u.rank for u in units) == list(range(1, len(units) + 1))
        estimates = [u.figures[INDEX_KEY].estimate for u in sorted(units, key=lambda u: u.rank)]
        assert estimates == sorted(estimates, reverse=True)
        for u in units:
            assert 1 <= u.rank_best <= u.rank <= u.rank_worst <= len(units)
    order = [(LEVEL_ORDER[u.level], u.rank is None, u.rank or 0) for u in report.units]
    assert order == sorted(order)


def test_each_unit_carries_its_previous_value_change_and_rank_change(demo_reports):
    report = demo_reports["quarter"]
    compared = [u for u in report.units if u.change is not None]
    assert len(compared) >= 5
    for u in compared:
        cur, prev = u.figures[INDEX_KEY], u.previous
        assert prev is not None and prev.estimate is not None
        assert 0 < prev.n <= u.previous_responses
        # the change is the index difference with the normal interval of the two design SEs
        ref = means_difference_confint(cur.estimate, cur.se, prev.estimate, prev.se, alpha=report.alpha)
        assert np.isclose(u.change.difference, cur.estimate - prev.estimate)
        assert np.isclose(u.change.lower, ref.lower) and np.isclose(u.change.upper, ref.upper)
        assert u.change.significant == (u.change.lower > 0 or u.change.upper < 0)
        assert u.previous_thin == (prev.n < report.thresholds.reliable_min or prev.not_assessed is not None)
    with_ranks = [u for u in report.units if u.rank is not None and u.previous_rank is not None]
    assert with_ranks
    for u in with_ranks:
        assert u.rank_change == u.previous_rank - u.rank
        assert u.previous_rank >= 1
    for level in {u.level for u in with_ranks}:  # ranks of one level in the previous period are distinct
        previous = [u.previous_rank for u in with_ranks if u.level == level]
        assert len(previous) == len(set(previous))


def test_the_year_report_flags_a_thin_previous_year(demo_report):
    # The demo's 365 days reach a few months into the previous year at most:
    # a unit compared with it must be marked thin where it holds few answers.
    thin = [u for u in demo_report.units if u.previous is not None and u.previous_thin]
    for u in thin:
        assert u.previous.n < demo_report.thresholds.reliable_min or u.previous.not_assessed is not None
    line = next(s for s in demo_report.summary if s.key == INDEX_KEY)
    assert line.previous_thin == (
        line.previous is None
        or line.previous.estimate is None
        or line.previous.n < demo_report.thresholds.reliable_min
        or line.previous.not_assessed is not None
    )


def test_grouping_by_district_keeps_departments_as_their_own_group(demo_reports):
    quarter, district = demo_reports["quarter"], demo_reports["district"]
    assert district.responses == quarter.responses
    assert sum(u.responses for u in district.units) == district.responses  # no form dropped
    departments = [u for u in quarter.units if u.level == "department"]
    assert departments
    assert {u.level for u in district.units} == {"district", "department"}
    assert sorted(district.ungrouped) == sorted(u.name for u in departments)


def test_findings_state_the_headline_and_name_the_units_found(demo_reports):
    report = demo_reports["quarter"]
    index = next(s for s in report.summary if s.key == INDEX_KEY)
    first = report.findings[0]
    assert numbers.percent(index.current.estimate, "vi") in first.vi  # "72,7 %"
    assert numbers.percent(index.current.estimate, "en") in first.en  # "72.7%"
    assert numbers.percent_interval(index.current.lower, index.current.upper, "vi") in first.vi
    text = " ".join(f.vi for f in report.findings)
    worse = [u for u in report.units if u.figures.get(INDEX_KEY) and u.figures[INDEX_KEY].verdict == "worse"]
    for u in worse[:5]:
        assert u.name in text
    falls = [u for u in report.units if u.change and u.change.significant and u.change.difference < 0]
    falls = [u for u in falls if not u.previous_thin]
    for u in sorted(falls, key=lambda u: u.change.difference)[:5]:
        assert u.name in text
    for key in ("harassment", "informal_payment"):
        spots = [u for u in report.units if u.figures.get(key) and u.figures[key].verdict == "worse"]
        assert bool(spots) == any(f.key == f"findings.{key}" for f in report.findings)
    assert all(f.vi and f.en and f.vi != f.en for f in report.findings)


def test_an_empty_period_says_so_in_its_findings(empty_report):
    assert [f.key for f in empty_report.findings] == ["findings.no_index"]
    assert empty_report.units == []
