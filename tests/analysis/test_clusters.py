"""Respondent-level answers into per-cluster and per-stratum sums."""

import numpy as np
import pytest

from analysis import (
    cluster_sums,
    clusters_group,
    design_frame,
    domain_proportions,
    index_estimate,
    moments_estimate,
)


def respondents(seed=5, size=400):
    rng = np.random.default_rng(seed)
    unit = rng.choice([30, 10, 20], size)
    point = rng.integers(1, 4, size)
    day = rng.integers(19000, 19006, size)
    answers = rng.choice([1, 2, 3, 4, 5, 9, 0], size=(size, 4), p=[0.05, 0.1, 0.15, 0.3, 0.3, 0.05, 0.05])
    return unit, point, day, answers


def test_clusters_are_numbered_stratum_by_stratum():
    unit, point, day, _ = respondents()
    g = clusters_group(unit, point, day)
    assert g.strata.tolist() == [10, 20, 30]
    assert np.all(np.diff(g.stratum_of_cluster) >= 0)
    # Each cluster holds one (unit, point, day) and every such triple is one cluster.
    triples = {(u, p, d) for u, p, d in zip(unit, point, day, strict=True)}
    assert g.n_clusters == len(triples)
    for c in range(g.n_clusters):
        members = g.of_respondent == c
        assert len({(u, p, d) for u, p, d in zip(unit[members], point[members], day[members], strict=True)}) == 1
        assert g.strata[g.stratum_of_cluster[c]] == unit[members][0]
    assert g.size.sum() == len(unit) and g.respondents_per_stratum.tolist() == [np.sum(unit == u) for u in (10, 20, 30)]
    assert g.clusters_per_stratum.sum() == g.n_clusters


def test_cluster_keys_of_any_kind_and_range():
    g = clusters_group(["b", "a", "a", "b"], ["x", "y", "x", "x"], [10**15, 0, 0, 10**15])
    assert g.strata.tolist() == ["a", "b"] and g.n_clusters == 3
    assert g.of_respondent.tolist() == [2, 1, 0, 2]


def test_counts_and_sums_per_cluster():
    g = clusters_group([1, 1, 1, 2], [0, 0, 1, 0])
    assert g.count([0, 2, 2, 1], 3).tolist() == [[1, 0, 1], [0, 0, 1], [0, 1, 0]]
    assert g.count([0, 2, 2, 1], 3, weight=[0.5, 2, 1, 3]).tolist() == [[0.5, 0, 2], [0, 0, 1], [0, 3, 0]]
    assert g.sum([[1, 2], [3, 4], [5, 6], [7, 8]]).tolist() == [[4, 6], [5, 6], [7, 8]]
    assert g.per_stratum([1, 2, 3]).tolist() == [3, 3]
    with pytest.raises(ValueError, match="categories"):
        g.count([0, 3, 0, 0], 3)
    with pytest.raises(ValueError, match="one row per respondent"):
        g.sum([1, 2])


def test_no_respondents():
    g = clusters_group([], [])
    assert g.n_clusters == 0 and g.strata.size == 0
    sums = cluster_sums([], [], np.zeros((0, 2)), np.zeros((0, 2)))
    assert sums.satisfied.shape == (0, 2) and sums.n.size == 0


def criteria(answers):
    return (answers >= 4) & (answers <= 5), (answers >= 1) & (answers <= 5)


def test_cluster_sums_feed_the_index_like_a_group_by():
    unit, point, day, answers = respondents()
    sat, val = criteria(answers)
    w = np.random.default_rng(1).uniform(0.5, 2, len(unit))
    sums = cluster_sums(unit, (point, day), sat, val, weight=w)
    keys = sorted({(u, p, d) for u, p, d in zip(unit, point, day, strict=True)})
    for c, key in enumerate(keys):
        members = (unit == key[0]) & (point == key[1]) & (day == key[2])
        assert sums.stratum[c] == key[0] and sums.n[c] == members.sum()
        np.testing.assert_allclose(sums.satisfied[c], (sat[members] * w[members, None]).sum(axis=0))
        np.testing.assert_allclose(sums.valid[c], (val[members] * w[members, None]).sum(axis=0))
        assert sums.valid_count[c].tolist() == val[members].sum(axis=0).tolist()
    unweighted = cluster_sums(unit, (point, day), sat, val)
    assert unweighted.valid_count is None  # valid holds the counts
    np.testing.assert_array_equal(unweighted.valid, sums.valid_count)
    r = index_estimate(
        sums.stratum, sums.cluster, sums.n, sums.satisfied, sums.valid, ["E1", "E1", "E2", "E2"],
        stratum=sums.stratum, valid_count=sums.valid_count,
    )  # fmt: skip
    assert r.domain.tolist() == [10, 20, 30] and r.responses.tolist() == [np.sum(unit == u) for u in (10, 20, 30)]
    rates = (sat * w[:, None])[unit == 10].sum(0) / (val * w[:, None])[unit == 10].sum(0)
    np.testing.assert_allclose(r.rate[0], rates)


def test_stratum_moments_give_the_cluster_level_estimates():
    unit, point, day, answers = respondents(seed=9)
    sat, val = criteria(answers)
    g = clusters_group(unit, point, day)
    n, y = g.sum(val[:, 0]), g.sum(sat[:, 0])
    m = g.moments(n, n, y, y)
    got = moments_estimate(g.strata, *(m[k] for k in ("psu", "occupied", "n", "w", "y", "ww", "yy", "wy", "y2")))
    cluster = np.arange(g.n_clusters)
    stratum = g.stratum_of_cluster
    ref = domain_proportions(g.strata[stratum], cluster, n, n, y, stratum=stratum, frame=design_frame(cluster, stratum))
    for field in ("estimate", "se", "df", "lower", "upper", "deff", "n_eff"):
        np.testing.assert_allclose(getattr(got, field), getattr(ref, field), rtol=1e-9, err_msg=field)


def test_mean_moments_of_a_respondent_value_with_gaps():
    g = clusters_group([1, 1, 1, 1], [0, 0, 1, 1])
    m = g.mean_moments([0.5, np.nan, 1.0, 0.0], weight=[2, 5, 1, 1])
    assert m["n"].tolist() == [3] and m["occupied"].tolist() == [2] and m["psu"].tolist() == [2]
    assert m["w"].tolist() == [4] and m["y"].tolist() == [2.0] and m["y2"].tolist() == [1.5]
    assert m["ww"].tolist() == [2**2 + 2**2] and m["yy"].tolist() == [1 + 1] and m["wy"].tolist() == [2 + 2]


@pytest.mark.parametrize(
    ("sat", "val", "weight", "message"),
    [
        ([[1]], [[0]], None, "satisfied only where valid"),
        ([[2]], [[1]], None, "0/1"),
        ([[1, 0]], [[1]], None, "one shape"),
        ([[1]], [[1]], [-1.0], "weight"),
    ],
)
def test_cluster_sums_reject_bad_input(sat, val, weight, message):
    with pytest.raises(ValueError, match=message):
        cluster_sums([1], [0], sat, val, weight=weight)


def test_clusters_group_needs_keys_of_the_right_length():
    with pytest.raises(ValueError, match="at least one"):
        clusters_group([1, 2])
    with pytest.raises(ValueError, match="one entry per respondent"):
        clusters_group([1, 2], [1])


def test_segment_sums_match_a_loop_and_keep_integers_exact():
    from analysis._common import segment_sums

    a = np.arange(14).reshape(7, 2)
    starts = [0, 2, 2, 6]
    expected = [a[0:2].sum(0), [0, 0], a[2:6].sum(0), a[6:].sum(0)]
    got = segment_sums(a, starts)
    assert got.dtype == a.dtype and got.tolist() == np.array(expected).tolist()
    assert segment_sums(np.array([True, False, True]), [0, 1]).tolist() == [1, 1]
    np.testing.assert_allclose(segment_sums(np.array([0.5, 0.25, 2.0]), [0]), [2.75])
    assert segment_sums(np.zeros((0, 3)), []).shape == (0, 3)


def test_psu_variance_of_several_columns_equals_one_at_a_time():
    from analysis.frame import DomainCells

    rng = np.random.default_rng(2)
    frame = design_frame(np.arange(30), np.repeat(np.arange(6), 5))
    cd = np.repeat([0, 1, 2], 10)
    ck = np.concatenate([np.arange(10), np.arange(10, 20), np.arange(20, 30)])
    z = rng.normal(size=(30, 3))
    cells = DomainCells(cd, ck, np.ones(30, bool), frame, 3)
    together = cells.variance(z)
    for j in range(3):
        np.testing.assert_allclose(together[:, j], cells.variance(z[:, j]), rtol=1e-12)
    # cells in another order take the bincount path and agree
    order = rng.permutation(30)
    shuffled = DomainCells(cd[order], ck[order], np.ones(30, bool), frame, 3)
    np.testing.assert_allclose(shuffled.variance(z[order]), together, rtol=1e-12)
