"""The SIPAS index and element indices against R's survey package.

data/index_reference.json was produced by r/make_index_reference.R
(R 4.2, survey 4.1.1) from data/index_sample.csv. Each record carries the R
calls behind its values: ``svyratio(~y1+...+yJ, ~v1+...+vJ, <design or
subset>, covmat = TRUE)``, then ``svycontrast`` with the coefficients of the
element means and of the mean of element means, ``SE()``, and
``confint(con, df = degf(<subset>))`` or ``confint(con, df = degf(des))``.
Here the sample is first summed per (domain, stratum, cluster) -- weighted
satisfied and valid answers per criterion -- as the database delivers it.
"""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

import numpy as np
import pytest

from analysis import design_frame, index_estimate

DATA = Path(__file__).parent / "data"
TOLERANCE = 1e-6

with open(DATA / "index_sample.csv", newline="", encoding="utf-8") as fh:
    SAMPLE = list(csv.DictReader(fh))
with open(DATA / "index_reference.json", encoding="utf-8") as fh:
    REFERENCE = json.load(fh)

ELEMENTS = REFERENCE["elements"]
CRITERIA = [c for members in ELEMENTS.values() for c in members]
ELEMENT_OF = [e for e, members in ELEMENTS.items() for _ in members]
STRATUM = {"stratified": "stratum", "offices": "office"}
WEIGHTED = {"weighted_cluster", "stratified"}


def answers(row):
    """y (satisfied) and v (valid) per criterion, as the R script derives them."""
    codes = [int(row[c]) if row[c] != "" else None for c in CRITERIA]
    y = [1.0 if a is not None and 4 <= a <= 5 else 0.0 for a in codes]
    v = [1.0 if a is not None and 1 <= a <= 5 else 0.0 for a in codes]
    return y, v


@functools.cache
def sums(design, by):
    """Per-(domain, stratum, cluster) sums; ``by`` None puts every row in one domain."""
    column = STRATUM.get(design)
    cells: dict[tuple, list] = {}
    for row in SAMPLE:
        w = float(row["w"]) if design in WEIGHTED else 1.0
        y, v = answers(row)
        key = ("all" if by is None else row[by], row[column] if column else "", row["cluster"])
        cell = cells.setdefault(key, [0.0, np.zeros(len(CRITERIA)), np.zeros(len(CRITERIA)), np.zeros(len(CRITERIA))])
        cell[0] += 1
        cell[1] += w * np.array(y)
        cell[2] += w * np.array(v)
        cell[3] += np.array(v)
    keys = list(cells)
    frame = design_frame([r["cluster"] for r in SAMPLE], [r[column] for r in SAMPLE] if column else None)
    return {
        "domain": np.array([k[0] for k in keys]),
        "stratum": np.array([k[1] for k in keys]) if column else None,
        "cluster": np.array([k[2] for k in keys]),
        "n": np.array([cells[k][0] for k in keys]),
        "satisfied": np.array([cells[k][1] for k in keys]),
        "valid": np.array([cells[k][2] for k in keys]),
        "valid_count": np.array([cells[k][3] for k in keys]),
        "frame": frame,
    }


@functools.cache
def estimate(design, by, df_rule="domain"):
    s = sums(design, by)
    return index_estimate(
        s["domain"], s["cluster"], s["n"], s["satisfied"], s["valid"], ELEMENT_OF,
        stratum=s["stratum"], valid_count=s["valid_count"], frame=s["frame"], df_rule=df_rule,
    )  # fmt: skip


def record_id(record):
    return f"{record['design']}|{record.get('by')}|{record.get('domain')}"


RECORDS = REFERENCE["results"]


def located(record, df_rule="domain"):
    result = estimate(record["design"], record.get("by"), df_rule)
    i = list(result.domain).index(record.get("domain") or "all")
    columns = [*result.element.tolist(), "INDEX"]
    return result, i, [columns.index(k) for k in record["keys"]]


@pytest.mark.parametrize("record", RECORDS, ids=record_id)
def test_index_and_element_indices_agree_with_r(record):
    # R: coef(con) and SE(con) after svyratio(..., covmat = TRUE) and svycontrast.
    result, i, cols = located(record)
    np.testing.assert_allclose(result.estimate[i, cols], record["estimate"], atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(result.se[i, cols], record["se"], atol=TOLERANCE, rtol=0)
    # R: degf(subset(des, ...)).
    assert result.df[i] == record["df"]


@pytest.mark.parametrize("record", RECORDS, ids=record_id)
def test_criterion_rates_and_their_se_agree_with_svyratio(record):
    result, i, _ = located(record)
    cols = [CRITERIA.index(c) for c in record["criteria"]]
    np.testing.assert_allclose(result.rate[i, cols], record["rate"], atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(result.rate_se[i, cols], record["rate_se"], atol=TOLERANCE, rtol=0)
    missing = [j for j in range(len(CRITERIA)) if j not in cols]
    assert np.all(np.isnan(result.rate[i, missing]))


@pytest.mark.parametrize("df_rule", ["domain", "design"])
@pytest.mark.parametrize("record", RECORDS, ids=record_id)
def test_t_intervals_agree_with_confint(record, df_rule):
    # R: confint(con, df = degf(<subset>)) ("domain") or confint(con, df = degf(des)) ("design"),
    # which we clip to [0, 1]. With df 0 R gives NaN (qt(., 0)), and so do we.
    result, i, cols = located(record, df_rule)
    prefix = "ci" if df_rule == "domain" else "ci_design"
    theirs_l = np.array([np.nan if v is None else v for v in record[f"{prefix}_l"]], dtype=float)
    theirs_u = np.array([np.nan if v is None else v for v in record[f"{prefix}_u"]], dtype=float)
    zero_se = result.se[i, cols] == 0
    expect_l = np.where(zero_se, np.nan, np.clip(theirs_l, 0, 1))
    expect_u = np.where(zero_se, np.nan, np.clip(theirs_u, 0, 1))
    ours_l, ours_u = result.lower[i, cols], result.upper[i, cols]
    if df_rule == "design":
        assert result.interval_df[i] == record["design_df"]
    if np.any(zero_se) and result.interval_df[i] >= 1:
        # The one lonely-PSU office: every figure's SE is 0 and, with the
        # design's df, the interval is Korn-Graubard with deff 1 (R: zero width).
        assert np.all(result.deff1_interval[i, cols])
        assert np.all((ours_l <= result.estimate[i, cols]) & (result.estimate[i, cols] <= ours_u))
        assert np.all(ours_u - ours_l > 0.2)
        return
    np.testing.assert_allclose(ours_l, expect_l, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(ours_u, expect_u, atol=TOLERANCE, rtol=0)


def test_reference_covers_the_cases_the_issue_names():
    designs = {r["design"] for r in RECORDS}
    assert designs == {"unweighted_cluster", "weighted_cluster", "stratified", "offices"}
    # a unit with 2-3 clusters and df >= 1, overall and per domain, a domain without E4 rates
    assert any(r.get("domain") == "F" and r["df"] == 2 for r in RECORDS)
    assert any(r.get("domain") == "O6" and r["df"] == 1 for r in RECORDS)
    assert any(r.get("domain") is None for r in RECORDS)
    assert any(r["keys"] == ["E1", "E2", "E3", "INDEX"] for r in RECORDS)
    for r in RECORDS:
        assert r["svyratio_call"].startswith("r <- svyratio(~y1+")
        assert "covmat = TRUE" in r["svyratio_call"] and r["svycontrast_call"].startswith("con <- svycontrast(r, list(")


def test_the_index_is_the_mean_of_element_means_of_rates():
    result = estimate("weighted_cluster", "unit")
    for i in range(len(result.domain)):
        rated = ~np.isnan(result.rate[i])
        means = [
            np.mean(result.rate[i, [j for j, e in enumerate(ELEMENT_OF) if e == el and rated[j]]])
            for el in result.element
            if any(rated[j] for j, e in enumerate(ELEMENT_OF) if e == el)
        ]
        assert result.estimate[i, -1] == pytest.approx(np.mean(means), abs=1e-12)


def test_a_domain_without_rates_for_an_element_averages_the_others():
    # Unit G: nobody reached the gated element E4.
    result = estimate("unweighted_cluster", "unit")
    g = list(result.domain).index("G")
    assert np.isnan(result.estimate[g, 3]) and np.isnan(result.se[g, 3]) and np.isnan(result.lower[g, 3])
    assert result.elements_rated[g] == 3 and result.terms[g].tolist() == [2, 3, 2, 0, 7]
    assert result.n[g, 3] == 0 and np.isnan(result.n_eff[g, 3])
    assert result.estimate[g, -1] == pytest.approx(np.mean(result.estimate[g, :3]), abs=1e-12)


def test_domains_that_are_unions_of_strata_equal_the_whole_design_when_they_cover_it():
    every = estimate("offices", None)
    districts = sums("offices", "district")
    one = index_estimate(
        np.zeros(len(districts["n"])), districts["cluster"], districts["n"], districts["satisfied"],
        districts["valid"], ELEMENT_OF, stratum=districts["stratum"], frame=districts["frame"],
    )  # fmt: skip
    np.testing.assert_allclose(one.estimate, every.estimate, atol=1e-12)
    np.testing.assert_allclose(one.se, every.se, atol=1e-12)


def test_effective_sample_size_is_bernoulli_equivalent_and_capped():
    result = estimate("stratified", "unit")
    est, se, n = result.estimate, result.se, result.n
    bern = est * (1 - est) / se**2
    ok = np.isfinite(est) & (se > 0)
    np.testing.assert_allclose(result.n_eff[ok], np.minimum(bern, n)[ok], rtol=1e-12)
    assert np.all(result.n_eff[ok] <= n[ok]) and np.all(result.deff[ok] >= 1)
    np.testing.assert_allclose(result.deff[ok], (n / result.n_eff)[ok], rtol=1e-12)
