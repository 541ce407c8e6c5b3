"""Design-based estimates against R's survey package.

The reference values in data/survey_reference.json were produced by
r/make_reference.R (R 4.2, survey 4.1.1) from data/survey_sample.csv; each
carries the R call that produced it. Here the sample is first aggregated
into per-(unit, stratum, cluster) sums, as the database's GROUP BY will
deliver it, and then estimated.
"""

import csv
import functools
import json
import re
from pathlib import Path

import numpy as np
import pytest

from analysis import (
    design_frame,
    design_mean,
    design_proportion,
    domain_means,
    domain_proportions,
    index_confint,
)

DATA = Path(__file__).parent / "data"
TOLERANCE = 1e-6

with open(DATA / "survey_sample.csv", newline="", encoding="utf-8") as fh:
    SAMPLE = list(csv.DictReader(fh))
with open(DATA / "survey_reference.json", encoding="utf-8") as fh:
    REFERENCE = json.load(fh)

STRATUM_COLUMN = {
    "stratified": "stratum",
    "lonely_adjust": "stratum_lonely",
    "lonely_remove": "stratum_lonely",
}
LONELY_RULE = {"lonely_remove": "remove"}  # the other designs: our default, "adjust"
UNWEIGHTED = {"unweighted_cluster", "srs"}


def group_sums(keys, values):
    """GROUP BY keys: the distinct key tuples and the sums of each value column."""
    uniq, inverse = np.unique(np.array(keys).T, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    return uniq.T, [np.bincount(inverse, v, len(uniq)) for v in values]


@functools.cache
def aggregated(design, variable):
    """Per-(unit, stratum, cluster) sufficient statistics and the design frame."""
    column = STRATUM_COLUMN.get(design)
    cluster_of = "id" if design == "srs" else "cluster"
    frame = design_frame([r[cluster_of] for r in SAMPLE], None if column is None else [r[column] for r in SAMPLE])
    rows = [r for r in SAMPLE if r[variable] != ""]
    w = np.array([1.0 if design in UNWEIGHTED else float(r["w"]) for r in rows])
    y = np.array([float(r[variable]) for r in rows])
    keys = [
        [r["unit"] for r in rows],
        [r[cluster_of] for r in rows],
        [r[column] if column else "" for r in rows],
    ]
    (unit, cluster, stratum), (n, sw, swy, sw2, swy2) = group_sums(keys, [np.ones_like(w), w, w * y, w * w, w * y * y])
    return {
        "domain": unit,
        "cluster": cluster,
        "stratum": None if column is None else stratum,
        "n": n,
        "sum_w": sw,
        "sum_wy": swy,
        "sum_w2": sw2,
        "sum_wy2": swy2,
        "frame": frame,
    }


@functools.cache
def estimate(design, variable, by_unit, method, df_rule="domain"):
    """Our estimates for one R call: method None for svymean, else svyciprop's."""
    data = dict(aggregated(design, variable))
    if not by_unit:
        data["domain"] = np.zeros(len(data["n"]), dtype=int)
    lonely = LONELY_RULE.get(design, "adjust")
    if method is None:
        return domain_means(**data, lonely_psu=lonely, df_rule=df_rule)
    return domain_proportions(**data, method=method, lonely_psu=lonely, df_rule=df_rule)


FIELD = {
    "mean": "estimate",
    "estimate": "estimate",
    "se": "se",
    "deff": "deff",
    "df": "df",
    "ci_l": "lower",
    "ci_u": "upper",
}


def ours_for(record):
    call = record["call"]
    variable = re.search(r"is\.na\((\w)\)", call).group(1)
    method_match = re.search(r'method = \\?"(\w+)', call)
    method = method_match.group(1) if method_match else None
    by_unit = record["domain"] is not None
    # "df = degf(des)": every domain's interval takes the whole design's df.
    df_rule = "design" if "df = degf(des)" in call else "domain"
    result = estimate(record["design"], variable, by_unit, method, df_rule)
    field = FIELD[record["statistic"]]
    if record["statistic"] == "deff" and "deff = TRUE" in call:
        field = "deff_wor"
    i = list(result.domain).index(record["domain"]) if by_unit else 0
    return result, i, float(getattr(result, field)[i])


def record_id(record):
    return f"{record['design']}|{record['call']}|{record['statistic']}|{record['domain']}"


DESIGN_RECORDS = [r for r in REFERENCE["results"] if r["design"] != "srs_answered"]
SRS_INDEX_RECORDS = [r for r in REFERENCE["results"] if r["design"] == "srs_answered"]


@pytest.mark.parametrize("record", DESIGN_RECORDS, ids=record_id)
def test_agrees_with_r(record):
    result, i, ours = ours_for(record)
    theirs = record["value"]
    is_interval = record["statistic"] in ("ci_l", "ci_u")
    degenerate = bool(result.deff1_interval[i])
    r_logit_df1 = "logit" in record["call"] and result.interval_df[i] == 1
    if is_interval and (degenerate or r_logit_df1):
        # Documented deviations. Where the SE is 0 (an estimate of 0 or 1,
        # or a domain in a single PSU under the design's df) R gives NaN
        # ("beta") or a zero-width interval ("logit"); we fall back to
        # Korn-Graubard with deff = 1. With df = 1, R's logit interval
        # computes its t level as 1 - 2 * pnorm(qt(0.025, 1)), which rounds
        # to 1 and yields (0, NaN); we use the t(1) quantile directly.
        assert 0.0 <= result.lower[i] <= result.estimate[i] <= result.upper[i] <= 1.0
        if degenerate:
            # R's value there is NaN, a zero-width interval, or (with a variance
            # of 1e-33 from rounding) a beta quantile of a meaningless n_eff.
            assert result.upper[i] - result.lower[i] > 0.05
        else:
            assert theirs is None or theirs == 0.0
        return
    if theirs is None:
        assert np.isnan(ours), f"R gives NaN, we give {ours}"
    else:
        assert ours == pytest.approx(theirs, abs=TOLERANCE, rel=0)


def test_reference_covers_every_design_and_kind_of_call():
    designs = {r["design"] for r in REFERENCE["results"]}
    assert designs == {
        "unweighted_cluster",
        "weighted_cluster",
        "stratified",
        "lonely_adjust",
        "lonely_remove",
        "srs",
        "srs_answered",
    }
    calls = " ".join(r["call"] for r in REFERENCE["results"])
    for fragment in [
        "svymean(~y",
        "deff = TRUE",
        "svyciprop(~y",
        'method = "beta"',
        'method = "logit"',
        "svyby(~y, ~unit",
        'svyciprop, vartype = "ci"',
        "degf(",
        "confint(svyby(~y, ~unit, subset(des, !is.na(y)), svymean), df = degf(des))",
        'svyciprop(~y, subset(subset(des, !is.na(y)), unit == "A"), method = "logit", df = degf(des))',
        "(qt(0.025, nrow(s) - 1) / qt(0.025, degf(des)))^2",
    ]:
        assert fragment in calls


def test_domain_df_is_that_of_the_domain_subset():
    # Unit D sits in one cluster: its df is 0 although the design has 8.
    r = estimate("stratified", "y", True, "beta")
    d = list(r.domain).index("D")
    assert r.df[d] == 0 and np.isnan(r.lower[d]) and np.isnan(r.upper[d])
    whole = estimate("stratified", "y", False, "beta")
    assert whole.df[0] == 8


def test_frame_from_rows_alone_would_miss_the_cluster_without_answers():
    # Nobody in c12 answered the criterion; without the full frame stratum S3
    # would count 2 PSUs instead of 3 and the variance would differ from R.
    data = dict(aggregated("stratified", "y"))
    data["domain"] = np.zeros(len(data["n"]), dtype=int)
    with_frame = domain_proportions(**data)
    data.pop("frame")
    without = domain_proportions(**data)
    assert with_frame.se[0] != pytest.approx(without.se[0], abs=1e-9)
    assert without.df[0] == with_frame.df[0]  # df counts PSUs holding answers either way


def test_lonely_psu_fail_gives_nan_only_where_the_lonely_stratum_is_touched():
    data = dict(aggregated("lonely_adjust", "y"))
    r = domain_proportions(**data, lonely_psu="fail")
    touched = {str(u) for u, s in zip(data["domain"], data["stratum"], strict=True) if s == "S4"}
    for i, unit in enumerate(r.domain):
        assert np.isnan(r.se[i]) == (unit in touched)
    assert np.isnan(r.lower[list(r.domain).index("A")])


def test_unknown_lonely_rule_is_an_error():
    data = dict(aggregated("stratified", "y"))
    with pytest.raises(ValueError, match="unknown method"):
        domain_proportions(**data, lonely_psu="average")


def test_kish_effective_sample_size():
    data = aggregated("weighted_cluster", "y")
    r = estimate("weighted_cluster", "y", False, "beta")
    expected = data["sum_w"].sum() ** 2 / data["sum_w2"].sum()
    assert r.n_eff_kish[0] == pytest.approx(expected, rel=1e-12)
    assert r.n_eff[0] == pytest.approx(r.n[0] / max(1.0, r.deff[0]), rel=1e-12)


def test_aggregation_level_does_not_matter():
    # One row per response or one row per (unit, cluster): same estimates.
    rows = [r for r in SAMPLE if r["y"] != ""]
    w = np.array([float(r["w"]) for r in rows])
    y = np.array([float(r["y"]) for r in rows])
    frame = aggregated("stratified", "y")["frame"]
    raw = domain_proportions(
        [r["unit"] for r in rows],
        [r["cluster"] for r in rows],
        np.ones(len(rows)),
        w,
        w * y,
        stratum=[r["stratum"] for r in rows],
        frame=frame,
    )
    grouped = estimate("stratified", "y", True, "beta")
    for field in ("estimate", "se", "lower", "upper", "df"):
        np.testing.assert_allclose(getattr(raw, field), getattr(grouped, field), atol=1e-12)


def test_scalar_wrappers_match_the_single_domain():
    data = dict(aggregated("stratified", "s"))
    data.pop("domain")
    cluster, n, sw, swy = (data.pop(k) for k in ("cluster", "n", "sum_w", "sum_wy"))
    p = design_proportion(cluster, n, sw, swy, **data)
    m = design_mean(cluster, n, sw, swy, **data)
    ref = estimate("stratified", "s", False, "beta")
    assert p.estimate == pytest.approx(ref.estimate[0]) and p.lower == pytest.approx(ref.lower[0])
    assert m.se == pytest.approx(ref.se[0]) and m.method == "t"
    assert isinstance(p.df, int) and isinstance(p.n, int)


@pytest.mark.parametrize("record", SRS_INDEX_RECORDS, ids=record_id)
def test_index_confint_agrees_with_r(record):
    rows = [r for r in SAMPLE if r["s"] != "" and record["domain"] in (None, r["unit"])]
    s = np.array([float(r["s"]) for r in rows])
    method = re.search(r'method = "(\w+)"', record["call"])
    result = index_confint(len(s), s.sum(), (s**2).sum(), method=method.group(1) if method else "beta")
    ours = float(getattr(result, FIELD[record["statistic"]]))
    assert ours == pytest.approx(record["value"], abs=TOLERANCE, rel=0)
