"""The SIPAS index on the awkward inputs a province produces."""

import numpy as np
import pytest

from analysis import design_frame, index_estimate, mean_confint

ELEMENTS = ["E1", "E1", "E2"]


def run(rows, **options):
    """rows: (domain, cluster, n, satisfied per criterion, valid per criterion)."""
    domain = [r[0] for r in rows]
    cluster = [r[1] for r in rows]
    n = [r[2] for r in rows]
    y = np.array([r[3] for r in rows], dtype=float).reshape(len(rows), 3)
    v = np.array([r[4] for r in rows], dtype=float).reshape(len(rows), 3)
    return index_estimate(domain, cluster, n, y, v, options.pop("element", ELEMENTS), **options)


def test_no_responses_at_all():
    r = index_estimate([], [], [], np.zeros((0, 3)), np.zeros((0, 3)), ELEMENTS)
    assert r.domain.size == 0 and r.estimate.shape == (0, 3) and r.element.tolist() == ["E1", "E2"]


def test_a_unit_whose_answers_are_all_not_applicable():
    r = run([("A", "c1", 4, [0, 0, 0], [0, 0, 0]), ("A", "c2", 3, [0, 0, 0], [0, 0, 0])])
    assert r.responses.tolist() == [7] and r.elements_rated.tolist() == [0]
    assert np.all(np.isnan(r.estimate)) and np.all(np.isnan(r.lower)) and np.all(np.isnan(r.n_eff))
    assert r.n.tolist() == [[0, 0, 7]] and r.terms.tolist() == [[0, 0, 0]]


def test_everyone_satisfied_with_everything():
    rows = [("A", f"c{i}", 5, [5, 5, 5], [5, 5, 5]) for i in range(4)]
    r = run(rows)
    assert np.all(r.estimate == 1.0) and np.all(r.se == 0.0)
    # R's t interval has zero width here; ours is Korn-Graubard with deff 1, flagged.
    assert np.all(r.deff1_interval) and np.all(r.upper == 1.0)
    expected = mean_confint(1.0, 0.0, 3, n=20)[0]
    assert r.lower[0, -1] == pytest.approx(float(expected)) and 0.6 < r.lower[0, -1] < 1.0
    assert r.n_eff[0, -1] == 20 and r.deff[0, -1] == 1.0


def test_nobody_satisfied_still_has_an_upper_bound():
    rows = [("A", f"c{i}", 5, [0, 0, 0], [5, 5, 5]) for i in range(4)]
    r = run(rows)
    assert np.all(r.estimate == 0.0) and np.all(r.lower == 0.0)
    assert np.all((r.upper > 0.0) & (r.upper < 0.35))


def test_one_cluster_has_no_interval():
    r = run([("A", "c1", 9, [6, 3, 2], [9, 8, 7])])
    assert r.df.tolist() == [0] and r.n_psu.tolist() == [1]
    assert r.estimate[0, 0] == pytest.approx((6 / 9 + 3 / 8) / 2)
    assert r.estimate[0, -1] == pytest.approx(((6 / 9 + 3 / 8) / 2 + 2 / 7) / 2)
    assert np.all(np.isnan(r.lower)) and np.all(np.isnan(r.upper))


def test_a_gated_element_weighs_as_much_as_any_other():
    # E2 answered by 2 respondents out of 40: it still counts for half of the index.
    rows = [("A", "c1", 20, [20, 20, 0], [20, 20, 1]), ("A", "c2", 20, [20, 20, 0], [20, 20, 1])]
    r = run(rows)
    assert r.estimate[0].tolist() == [1.0, 0.0, 0.5]
    assert r.n[0].tolist() == [40, 2, 40]


def test_a_criterion_without_answers_in_one_domain_is_left_out_there_only():
    rows = [
        ("A", "c1", 10, [8, 0, 5], [10, 0, 9]),
        ("A", "c2", 10, [6, 0, 4], [10, 0, 8]),
        ("B", "c3", 10, [7, 3, 5], [10, 6, 9]),
        ("B", "c4", 10, [5, 2, 4], [10, 5, 8]),
    ]
    r = run(rows)
    a, b = 0, 1
    assert r.terms[a].tolist() == [1, 1, 2] and r.terms[b].tolist() == [2, 1, 3]
    assert r.estimate[a, 0] == pytest.approx(14 / 20)
    assert r.estimate[b, 0] == pytest.approx((12 / 20 + 5 / 11) / 2)
    assert np.isnan(r.rate[a, 1]) and np.isnan(r.rate_se[a, 1])


def test_an_empty_psu_of_the_frame_counts_in_the_stratum():
    rows = [("A", "c1", 5, [4, 3, 2], [5, 5, 4]), ("A", "c2", 5, [2, 3, 1], [5, 4, 4])]
    bare = run(rows)
    framed = run(rows, frame=design_frame(["c1", "c2", "c3"]))
    assert framed.df[0] == bare.df[0] == 1
    assert framed.se[0, -1] != pytest.approx(bare.se[0, -1])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"satisfied": [[5, 1, 1]], "valid": [[4, 1, 1]]}, "satisfied <= valid"),
        ({"satisfied": [[-1, 0, 0]]}, "satisfied <= valid"),
        ({"valid": [[1, 1]], "satisfied": [[1, 1]]}, "one column per criterion"),
        ({"n": [1, 2]}, "n must be 1-D"),
        ({"element": []}, "at least one criterion"),
        ({"lonely_psu": "centre"}, "unknown method"),
        ({"df_rule": "own"}, "unknown method"),
        ({"alpha": 1.5}, "alpha"),
        ({"satisfied": [[np.nan, 0, 0]]}, "finite"),
        ({"frame": design_frame(["x"])}, "not in the design frame"),
    ],
)
def test_bad_input_is_refused(change, message):
    args = {"domain": ["A"], "cluster": ["c1"], "n": [1], "satisfied": [[1, 0, 0]], "valid": [[1, 1, 1]],
            "element": ELEMENTS} | change  # fmt: skip
    positional = [args.pop(k) for k in ("domain", "cluster", "n", "satisfied", "valid", "element")]
    with pytest.raises(ValueError, match=message):
        index_estimate(*positional, **args)
