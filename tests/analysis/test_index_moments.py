"""The SIPAS index from per-stratum moments equals the one from per-cluster rows.

``index_estimate`` (one row per cluster) is checked against R's survey
package in test_index_vs_r.py; ``index_moments_estimate`` must give the same
numbers from each stratum's sums and cross-products of cluster totals, on
random clustered data: strata of one cluster, criteria nobody rated in a
domain, a gated element, everyone satisfied, domains that are unions of
strata, the design's df.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import design_frame, gram_pack, gram_unpack, index_estimate, index_moments_estimate

ELEMENT = ["E1", "E1", "E1", "E2", "E2", "E3"]
FIELDS = ("estimate", "se", "lower", "upper", "n", "n_eff", "deff", "df", "n_psu", "responses", "terms",
          "elements_rated", "interval_df", "deff1_interval")  # fmt: skip


def clusters(seed: int, *, all_satisfied: bool = False):
    """Per-cluster rows: stratum, responses, satisfied (K, J), valid (K, J)."""
    rng = np.random.default_rng(seed)
    strata, n, y, v = [], [], [], []
    for h in range(12):
        m = 1 if h in (2, 7) else int(rng.integers(2, 9))
        for _ in range(m):
            size = int(rng.integers(1, 12))
            valid = rng.random((size, len(ELEMENT))) > 0.15
            valid[:, 5] &= rng.random(size) < (0.0 if h == 4 else 0.3)  # E3 gated; unit 4 never reaches it
            p = rng.beta(3, 2, len(ELEMENT))
            sat = valid & ((rng.random((size, len(ELEMENT))) < p) | all_satisfied)
            strata.append(h)
            n.append(size)
            y.append(sat.sum(axis=0))
            v.append(valid.sum(axis=0))
    return np.array(strata), np.array(n), np.array(y, dtype=float), np.array(v, dtype=float)


def moments(strata, n, y, v):
    """Per stratum: clusters, responses, S and G (test_index_moments' own arithmetic)."""
    x = np.concatenate([y, v], axis=1)
    labels = np.unique(strata)
    psu = np.array([np.sum(strata == h) for h in labels])
    resp = np.array([n[strata == h].sum() for h in labels])
    s = np.array([x[strata == h].sum(axis=0) for h in labels])
    g = np.array([x[strata == h].T @ x[strata == h] for h in labels])
    return labels, psu, resp, s, g


def assert_same(a, b):
    for name in FIELDS:
        got, want = np.asarray(getattr(a, name)), np.asarray(getattr(b, name))
        assert got.shape == want.shape, name
        if got.dtype.kind in "fc":
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=name)
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)
    np.testing.assert_array_equal(a.domain, b.domain)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("df_rule", ["domain", "design"])
def test_per_stratum_moments_give_the_per_cluster_estimates(seed, df_rule):
    strata, n, y, v = clusters(seed)
    # domains: each stratum alone, and unions (0-3, 4-7, 8-11), as a unit and its district
    group = {h: f"D{h // 4}" for h in range(12)}
    frame = design_frame(np.arange(len(n)), strata)
    for domain_of in (lambda h: f"U{h:02d}", lambda h: group[h], lambda h: "all"):
        want = index_estimate(
            [domain_of(h) for h in strata], np.arange(len(n)), n, y, v, ELEMENT, stratum=strata, frame=frame,
            df_rule=df_rule, rate_se=False,
        )  # fmt: skip
        labels, psu, resp, s, g = moments(strata, n, y, v)
        design_df = frame.df if df_rule == "design" else None
        got = index_moments_estimate([domain_of(h) for h in labels], psu, resp, s, g, ELEMENT, design_df=design_df)
        assert_same(got, want)


def test_everyone_satisfied_gives_a_zero_se_as_per_cluster():
    strata, n, y, v = clusters(5, all_satisfied=True)
    want = index_estimate(strata, np.arange(len(n)), n, y, v, ELEMENT, stratum=strata, rate_se=False)
    labels, psu, resp, s, g = moments(strata, n, y, v)
    got = index_moments_estimate(labels, psu, resp, s, g, ELEMENT)
    assert_same(got, want)
    assert np.all(got.se[np.isfinite(got.estimate)] == 0)


def test_one_cluster_and_no_strata():
    strata, n, y, v = clusters(6)
    keep = strata == 2  # the stratum with one cluster
    want = index_estimate(strata[keep], np.arange(keep.sum()), n[keep], y[keep], v[keep], ELEMENT,
                          stratum=strata[keep], rate_se=False)  # fmt: skip
    got = index_moments_estimate(*moments(strata[keep], n[keep], y[keep], v[keep]), ELEMENT)
    assert_same(got, want)
    assert got.df.tolist() == [0]
    assert np.isnan(got.lower).all()
    empty = index_moments_estimate([], [], [], np.zeros((0, 12)), np.zeros((0, 12, 12)), ELEMENT)
    assert empty.estimate.shape == (0, 4)


def test_summing_months_is_summing_clusters():
    """Moments of two sets of clusters add up to the moments of both: a quarter is its months."""
    strata, n, y, v = clusters(7)
    half = np.arange(len(n)) % 2 == 0
    whole = moments(strata, n, y, v)
    total = [np.zeros_like(a, dtype=float) for a in whole[1:]]
    for part in (half, ~half):
        labels, *sums = moments(strata[part], n[part], y[part], v[part])
        at = np.searchsorted(whole[0], labels)
        for t, a in zip(total, sums, strict=True):
            t[at] += a
    for t, a in zip(total, whole[1:], strict=True):
        np.testing.assert_array_equal(t, a)


def test_packed_gram_round_trips():
    g = moments(*clusters(8))[4]
    assert gram_pack(g).shape == (len(g), 12 * 13 // 2)
    np.testing.assert_array_equal(gram_unpack(gram_pack(g), 12), g)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="sums must be"):
        index_moments_estimate(["a"], [1], [1], np.zeros((1, 3)), np.zeros((1, 3, 3)), ELEMENT)
    with pytest.raises(ValueError, match="negative"):
        index_moments_estimate(["a"], [-1], [1], np.zeros((1, 12)), np.zeros((1, 12, 12)), ELEMENT)
