"""The expectations module: each option's share among the respondents who
answered, against R, and its edge cases.

The respondents of ``tests/analysis/data/expectations_sample.csv`` (made by
``tests/analysis/r/make_expectations_reference.R``) are summed into cluster
rows (cluster = counter × day, stratum = unit), as the roll-up holds them,
and the module is compared with R's ``survey`` package:

    des <- svydesign(ids = ~cluster, strata = ~unit, nest = TRUE, data = dat)
    svyciprop(~c_k, subset(des, answered == 1), method = "beta")
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from app.services.cluster_rows import ClusterRows, layout_of
from app.services.indicators import Thresholds
from app.services.month_moments import moments_layout, month_moments_of_rows
from app.services.reports.expectations import expectation_question, expectations_build
from app.services.reports.periods import period_of
from surveys import load_all

SAMPLE = Path(__file__).resolve().parents[1] / "analysis" / "data" / "expectations_sample.csv"
V2 = load_all()["sipas-counter.v2"]
V1 = load_all()["sipas-counter.v1"]
LAYOUT = layout_of(V2)
MONTH = period_of("month", date(2026, 11, 1))
QUARTER = period_of("quarter", date(2026, 11, 1))
OPEN = Thresholds(disclosure_min=1)

#: option: (estimate, lower, upper, se) from R 4.2.2, survey 4.1.1; each line is
#: svyciprop(~c<option>, subset(des, answered == 1), method = "beta") and
#: SE(svymean(~c<option>, subset(des, answered == 1))); 63 respondents, 53 answered, degf 6
R_SHARES = {
    0: (0.132075471698113, 0.0533135796716561, 0.257076117089558, 0.039073985946721),  # svyciprop(~c0, ...)
    1: (0.150943396226415, 0.0745872690742755, 0.260624791588399, 0.0362069978927479),  # svyciprop(~c1, ...)
    2: (0.0754716981132075, 0.0263065716564871, 0.162960643863832, 0.025629425140842),  # svyciprop(~c2, ...)
    3: (0.150943396226415, 0.0435559284662874, 0.340145126599452, 0.0563760585875715),  # svyciprop(~c3, ...)
    4: (0.188679245283019, 0.083461356113352, 0.341865449412827, 0.0502630824589305),  # svyciprop(~c4, ...)
    5: (0.132075471698113, 0.0376396493129833, 0.30307546379387, 0.0500968131232021),  # svyciprop(~c5, ...)
    6: (0.320754716981132, 0.123995288394272, 0.579372573466228, 0.0907291315307961),  # svyciprop(~c6, ...)
    8: (0.0943396226415094, 0.0564077655950937, 0.145850449834436, 0.017599440504533),  # svyciprop(~c8, ...)
    9: (0.245283018867925, 0.0940484671228352, 0.463276098326277, 0.072378400757314),  # svyciprop(~c9, ...)
    10: (0.113207547169811, 0.0382321860666958, 0.243373653240115, 0.0387847881937094),  # svyciprop(~c10, ...)
    11: (0.132075471698113, 0.0842248410511995, 0.193826553492736, 0.02173049834394),  # svyciprop(~c11, ...)
}
#: option 7, chosen by nobody: R's svyciprop gives estimate 0 with interval NaN; the
#: project's deff-1 Korn–Graubard upper bound, from R:
#: qbeta(0.975, 1, n * (qt(0.975, n - 1) / qt(0.975, degf(sub)))^2) with n = 53, degf(sub) = 6
R_NOBODY_UPPER = 0.0983181791629465


def respondents() -> list[dict]:
    with SAMPLE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def rows_of(people: list[dict], day: date = date(2026, 11, 3), layout=LAYOUT) -> ClusterRows:
    """Cluster rows (one per cluster) of respondent dicts: unit, cluster, answered, c0..c11."""
    item = layout.item("expectations")
    start = layout.offsets["expectations"]
    keys = sorted({(p["unit"], p["cluster"]) for p in people})
    counts = np.zeros((len(keys), layout.slots), dtype=np.int64)
    responses = np.zeros(len(keys), dtype=np.int64)
    for p in people:
        i = keys.index((p["unit"], p["cluster"]))
        responses[i] += 1
        for j, code in enumerate(item.codes):
            counts[i, start + j] += int(p.get(f"c{code}", 0))
        counts[i, start + len(item.codes)] += int(p["answered"])
    unit = np.array([int(u[1:]) for u, _ in keys], dtype=np.int64)
    owner = np.array([int(c[1:]) for _, c in keys], dtype=np.int64)
    n = len(keys)
    ints = np.zeros(n, dtype=np.int64)
    days = np.full(n, day.toordinal(), dtype=np.int64)
    return ClusterRows(layout, unit, owner, days, ints, ints - 1, responses, counts, np.zeros((n, layout.floats)))


def build(instrument, rows: ClusterRows, *args, **kwargs):
    """The module from the rows' unit x month sums, as a report computes it."""
    sums = month_moments_of_rows(instrument, moments_layout(instrument, rows.layout), rows)
    return expectations_build(instrument, sums, *args, **kwargs)


def person(unit: str, cluster: str, *chosen: int) -> dict:
    return {"unit": unit, "cluster": cluster, "answered": int(bool(chosen)), **{f"c{c}": 1 for c in chosen}}


def test_v2_has_the_expectations_question_and_v1_none():
    assert expectation_question(V2).code == "expectations"
    assert expectation_question(V1) is None
    assert build(V1, ClusterRows.empty(layout_of(V1)), MONTH) is None


@pytest.mark.parametrize("option", sorted(R_SHARES))
def test_shares_agree_with_r_svyciprop_beta(option):
    e = build(V2, rows_of(respondents()), MONTH, OPEN)
    line = next(x for x in e.lines if x.code == option)
    estimate, lower, upper, se = R_SHARES[option]
    f = line.figure
    assert f.estimate == pytest.approx(estimate, abs=1e-9)
    assert f.lower == pytest.approx(lower, abs=1e-6)
    assert f.upper == pytest.approx(upper, abs=1e-6)
    assert f.se == pytest.approx(se, abs=1e-9)
    assert f.n == 53 and f.df == 6 and not f.deff1_interval
    assert line.chosen == round(estimate * 53)


def test_totals_and_labels():
    e = build(V2, rows_of(respondents()), MONTH, OPEN)
    assert (e.responses, e.clusters, e.answered, e.max_choices) == (63, 9, 53, 3)
    assert [x.code for x in e.lines] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]  # the scale's order
    assert e.lines[-1].label.vi == "Không có đề xuất / Không biết"
    assert e.text.en.startswith("What should the office improve first")


def test_an_option_chosen_by_nobody_gets_the_deff1_interval():
    e = build(V2, rows_of(respondents()), MONTH, OPEN)
    f = next(x for x in e.lines if x.code == 7).figure
    assert (f.estimate, f.lower) == (0.0, 0.0)
    assert f.upper == pytest.approx(R_NOBODY_UPPER, abs=1e-9)
    assert f.deff1_interval


def test_no_responses():
    e = build(V2, ClusterRows.empty(LAYOUT), MONTH, OPEN)
    assert (e.responses, e.clusters, e.answered) == (0, 0, 0)
    assert len(e.lines) == 12
    assert all(x.figure.estimate is None and x.figure.n == 0 and x.chosen is None for x in e.lines)


def test_nobody_answered():
    people = [person("U1", f"c{k}") for k in range(1, 4) for _ in range(4)]
    e = build(V2, rows_of(people), MONTH, OPEN)
    assert (e.responses, e.answered) == (12, 0)
    assert all(x.figure.estimate is None and x.figure.lower is None for x in e.lines)


def test_everyone_chose_the_same_option():
    people = [person(u, f"c{k}", 4) for u, ks in (("U1", (1, 2, 3)), ("U2", (4, 5))) for k in ks for _ in range(3)]
    e = build(V2, rows_of(people), MONTH, OPEN)
    four = next(x for x in e.lines if x.code == 4)
    assert four.figure.estimate == 1.0 and four.figure.upper == 1.0 and four.figure.deff1_interval
    assert 0.5 < four.figure.lower < 1.0
    assert four.chosen == 15
    others = [x.figure for x in e.lines if x.code != 4]
    assert all(f.estimate == 0.0 and f.upper > 0 for f in others)


def test_one_cluster_has_no_interval():
    people = [person("U1", "c1", 1, 2), person("U1", "c1", 2), person("U1", "c1", 0), person("U1", "c1")]
    e = build(V2, rows_of(people), MONTH, OPEN)
    two = next(x for x in e.lines if x.code == 2).figure
    assert two.estimate == pytest.approx(2 / 3)
    assert two.df == 0 and two.lower is None and two.upper is None
    assert not two.reliable


def test_fewer_answers_than_the_disclosure_threshold_hide_every_share():
    people = [person("U1", "c1", 1), person("U1", "c2", 1, 3), person("U2", "c3", 2)] + [person("U2", "c3")] * 5
    e = build(V2, rows_of(people), MONTH, Thresholds(disclosure_min=5))
    assert e.answered is None and e.responses == 8
    assert all(x.figure.suppressed and x.figure.estimate is None and x.chosen is None for x in e.lines)
    shown = build(V2, rows_of(people), MONTH, Thresholds(disclosure_min=3))
    assert shown.answered == 3 and next(x for x in shown.lines if x.code == 1).chosen == 2


def test_a_small_month_hides_a_longer_period():
    many = [person("U1", f"c{k}", 1 + k % 3) for k in range(1, 5) for _ in range(3)]
    october = rows_of([person("U1", "c9", 5)], day=date(2026, 10, 7))
    rows = ClusterRows.concat(LAYOUT, [rows_of(many), october])
    e = build(V2, rows, QUARTER, Thresholds(disclosure_min=5))
    assert e.answered is None
    assert all(x.figure.suppressed_reason == "small_month" for x in e.lines)
    alone = build(V2, rows_of(many), QUARTER, Thresholds(disclosure_min=5))
    assert alone.answered == 12 and all(x.figure.estimate is not None for x in alone.lines)
