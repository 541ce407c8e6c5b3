"""The marks of the few-cluster rules on the units table: § too few clusters,
‡ design effect floored at 1, ° deff-1 interval for an estimate of 0 or 1."""

from __future__ import annotations

from dataclasses import replace

from app.services.indicators import Figure
from app.services.reports.cluster_rules import MARKS, cluster_rules

KEYS = ("INDEX", "harassment")


def figure(**changes) -> Figure:
    """A published figure that no rule touched: 20 clusters' worth, deff 1.8."""
    base = Figure(n=120, estimate=0.7, lower=0.6, upper=0.8, se=0.05, df=18, deff=1.8, n_eff=66.7,
                  reliable=True, suppressed=False, n_psu=20)  # fmt: skip
    return replace(base, **changes)


def rules(clusters: int = 20, min_clusters: int = 5, **figures: Figure) -> str:
    return cluster_rules(figures, KEYS, clusters, min_clusters)


def test_no_rule_applies():
    assert rules(INDEX=figure(), harassment=figure(estimate=0.1, deff=1.0001 + 1e-6)) == ""


def test_too_few_clusters():
    assert rules(clusters=3, INDEX=figure(n_psu=3, not_assessed="too_few_clusters")) == "§"
    assert rules(clusters=4, INDEX=figure()) == "§"  # the unit's clusters, whatever its figures say
    assert rules(clusters=5, INDEX=figure()) == ""  # exactly the minimum: assessed
    assert rules(clusters=9, min_clusters=10, INDEX=figure()) == "§"  # the threshold is a parameter


def test_design_effect_floored():
    assert rules(INDEX=figure(deff=0.034, n_eff=120)) == "‡"  # Tân Phú's 0.034 (issue 14)
    # the SIPAS index caps n_eff at n, so its deff = n / n_eff is exactly 1 where the cap bit
    assert rules(INDEX=figure(deff=1.0, n_eff=120)) == "‡"
    assert rules(INDEX=figure(deff=1.0, se=0.0, estimate=1.0, deff1_interval=True)) == "°"


def test_deff1_interval_for_zero_or_one():
    zero = figure(estimate=0.0, lower=0.0, upper=0.04, se=0.0, deff=None, n_eff=None, deff1_interval=True)
    assert rules(INDEX=figure(), harassment=zero) == "°"


def test_every_rule_at_once_in_a_fixed_order():
    zero = figure(estimate=0.0, se=0.0, deff=None, deff1_interval=True)
    assert rules(clusters=2, INDEX=figure(deff=0.5), harassment=zero) == "".join(MARKS) == "§‡°"


def test_hidden_and_unshown_figures_carry_no_mark():
    hidden = figure(estimate=None, lower=None, upper=None, se=None, deff=None, suppressed=True)
    assert rules(clusters=2, INDEX=hidden) == ""  # nothing published, nothing to mark
    assert cluster_rules({"E1": figure(deff=0.2), "INDEX": figure()}, KEYS, 20, 5) == ""  # E1 not shown
