"""Per-stratum moments give the same estimates as per-cluster rows.

``domain_proportions`` / ``domain_means`` take one row per cluster and are
checked against R's survey package in test_design_vs_r.py; here
``moments_estimate`` must reproduce them (to 1e-9) from the five sums per
stratum that the database computes, on random clustered data with strata,
weights, lonely PSUs, empty PSUs and domains that are unions of strata.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import design_frame, domain_means, domain_proportions
from analysis.moments import moments_estimate


def simulate(seed: int, weighted: bool, binary: bool):
    rng = np.random.default_rng(seed)
    rows = []
    n_strata = 9
    for h in range(n_strata):
        n_psu = 1 if h == 3 else int(rng.integers(2, 7))  # stratum 3 has a lonely PSU
        for c in range(n_psu):
            size = int(rng.integers(1, 9))
            if h == 5 and c == 0:
                size = 0  # a PSU of the frame where nobody answered this question
            p = rng.beta(2, 2)
            for _ in range(size):
                value = float(rng.random() < p) if binary else float(rng.beta(3, 2))
                weight = float(rng.uniform(0.5, 3.0)) if weighted else 1.0
                rows.append((h, f"{h}-{c}", weight, value))
            if size == 0:
                rows.append((h, f"{h}-{c}", 0.0, np.nan))
    return rows


def per_cluster(rows, domain_of):
    keys = sorted({(h, c) for h, c, _w, v in rows if not np.isnan(v)})
    out = {k: [0, 0.0, 0.0, 0.0] for k in keys}
    for h, c, w, v in rows:
        if np.isnan(v):
            continue
        acc = out[(h, c)]
        acc[0] += 1
        acc[1] += w
        acc[2] += w * v
        acc[3] += w * v * v
    strata = np.array([k[0] for k in keys])
    clusters = np.array([k[1] for k in keys])
    n, sw, swy, swy2 = (np.array([out[k][i] for k in keys]) for i in range(4))
    return np.array([domain_of[h] for h in strata]), strata, clusters, n, sw, swy, swy2


def per_stratum(rows, domain_of):
    by_cluster: dict[tuple[int, str], list[float]] = {}
    for h, c, w, v in rows:
        acc = by_cluster.setdefault((h, c), [0, 0.0, 0.0, 0.0])
        if not np.isnan(v):
            acc[0] += 1
            acc[1] += w
            acc[2] += w * v
            acc[3] += w * v * v
    strata = sorted({h for h, _c in by_cluster})
    table = []
    for h in strata:
        cl = [v for (hh, _c), v in by_cluster.items() if hh == h]
        table.append(
            (
                domain_of[h],
                len(cl),
                sum(1 for x in cl if x[0] > 0),
                sum(x[0] for x in cl),
                sum(x[1] for x in cl),
                sum(x[2] for x in cl),
                sum(x[1] ** 2 for x in cl),
                sum(x[2] ** 2 for x in cl),
                sum(x[1] * x[2] for x in cl),
                sum(x[3] for x in cl),
            )
        )
    return [np.array(col) for col in zip(*table, strict=True)]


GROUPINGS = {
    "each-stratum": {h: f"u{h}" for h in range(9)},
    "unions": {0: "A", 1: "A", 2: "A", 3: "B", 4: "B", 5: "C", 6: "C", 7: "C", 8: "D"},
    "all": dict.fromkeys(range(9), "province"),
}


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_proportions_from_moments_equal_those_from_clusters(seed, weighted, grouping):
    domain_of = GROUPINGS[grouping]
    rows = simulate(seed, weighted, binary=True)
    frame = design_frame([c for _h, c, _w, _v in rows], [h for h, _c, _w, _v in rows])
    d, s, c, n, sw, swy, swy2 = per_cluster(rows, domain_of)
    for method in ("beta", "logit"):
        ref = domain_proportions(d, c, n, sw, swy, stratum=s, sum_wy2=swy2, frame=frame, method=method)
        got = moments_estimate(*per_stratum(rows, domain_of), method=method)
        assert list(got.domain) == list(ref.domain)
        for field in ("n", "estimate", "se", "df", "n_psu", "deff", "n_eff", "lower", "upper"):
            np.testing.assert_allclose(getattr(got, field), getattr(ref, field), rtol=1e-9, atol=1e-12, err_msg=field)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_means_from_moments_equal_those_from_clusters(weighted):
    domain_of = GROUPINGS["unions"]
    rows = simulate(7, weighted, binary=False)
    frame = design_frame([c for _h, c, _w, _v in rows], [h for h, _c, _w, _v in rows])
    d, s, c, n, sw, swy, swy2 = per_cluster(rows, domain_of)
    ref = domain_means(d, c, n, sw, swy, stratum=s, sum_wy2=swy2, frame=frame)
    got = moments_estimate(*per_stratum(rows, domain_of), method="t", bounded=False)
    for field in ("estimate", "se", "df", "deff", "lower", "upper"):
        np.testing.assert_allclose(getattr(got, field), getattr(ref, field), rtol=1e-9, atol=1e-12, err_msg=field)


def test_empty_domain_and_single_psu():
    # domain "e" has a stratum whose PSUs hold no observation; domain "one" has a single PSU
    got = moments_estimate(
        ["e", "one"], psu=[3, 1], occupied=[0, 1], n=[0, 4], w=[0, 4], y=[0, 3],
        ww=[0, 16], yy=[0, 9], wy=[0, 12], y2=[0, 3],
    )  # fmt: skip
    assert got.n.tolist() == [0, 4]
    assert np.isnan(got.estimate[0]) and np.isnan(got.lower[0])
    assert got.estimate[1] == 0.75 and got.df[1] == 0
    assert np.isnan(got.lower[1]) and np.isnan(got.upper[1])  # one cluster: no interval


def test_all_satisfied_still_has_a_lower_bound():
    got = moments_estimate(["u"], [10], [10], [50], [50], [50], [260], [260], [260], [50])
    assert got.estimate[0] == 1.0 and got.upper[0] == 1.0
    assert 0.8 < got.lower[0] < 1.0


def test_bad_moments_are_refused():
    with pytest.raises(ValueError, match="occupied"):
        moments_estimate(["u"], [1], [2], [3], [3], [1], [9], [1], [3], [1])
    with pytest.raises(ValueError, match="method"):
        moments_estimate(["u"], [2], [2], [3], [3], [1], [5], [1], [2], [1], method="wald")
