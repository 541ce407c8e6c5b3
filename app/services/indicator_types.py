"""The indicator table's types: a figure, a domain's figures, the sample-size rules, the table.

:mod:`app.services.indicators` builds them; the reports, renderers and
breakdowns read them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from analysis import MIN_CLUSTERS
from app.services.aggregates import RESPONDENT_SUFFIX, SIPAS_SUFFIX
from app.services.response_filter import ResponseFilter

TOTAL_KEY = "*"
#: Formulas an instrument may declare as its headline index, and the key suffix of each.
HEADLINE_INDEX_SUFFIX = {"sipas": SIPAS_SUFFIX, "respondent": RESPONDENT_SUFFIX}
#: df conventions of a domain's interval (``analysis.DF_RULES``).
DF_RULES = ("domain", "design")


@dataclass(frozen=True, slots=True)
class Figure:
    """One estimate with everything needed to judge it.

    ``estimate``, ``lower`` and ``upper`` are None when suppressed (fewer
    than the disclosure threshold) or when there is nothing to estimate.
    """

    n: int
    estimate: float | None
    lower: float | None
    upper: float | None
    se: float | None
    #: the domain's own degrees of freedom (its clusters minus its units)
    df: int
    #: design effect as estimated (may be below 1; R's deff = "replace"); for a
    #: SIPAS index n / n_eff
    deff: float | None
    #: effective sample size n / max(1, deff), never above n (SIPAS index:
    #: est(1 - est) / se², capped at n)
    n_eff: float | None
    reliable: bool
    suppressed: bool
    #: counts of levels 1–5 (criteria), "not applicable" and refusals
    distribution: tuple[int, ...] = ()
    #: None where the figure is not published
    not_applicable: int | None = 0
    refused: int | None = 0
    #: against the total of the filter: better, not_distinguishable, worse; None if not assessed
    verdict: str | None = None
    p_adjusted: float | None = None
    #: clusters (service point × day) holding the figure's answers
    n_psu: int = 0
    #: the SE is 0 (estimate exactly 0 or 1, or clusters that all agree), so the
    #: interval is Korn–Graubard with design effect 1 (R gives none)
    deff1_interval: bool = False
    #: why a figure that gets verdicts has none: "too_few_clusters" (fewer than
    #: Thresholds.min_clusters), "no_degrees_of_freedom", "no_estimate"
    not_assessed: str | None = None
    #: the unit against the funnel limits at n_eff: above_998, above_95, within,
    #: below_95, below_998; None if not assessed (same reasons as the verdict)
    funnel: str | None = None
    #: SIPAS figures: criteria (element) or elements (index) with a rate that
    #: entered it, fewer than the instrument has where some had no valid answer
    components: int | None = None
    #: why a figure is not published: "few_answers" (fewer than
    #: Thresholds.disclosure_min), "small_month" (a month of a longer period
    #: holds fewer: subtracting reports would reveal it), "complementary"
    #: (hidden so that a total minus its published parts reveals no hidden
    #: cell), "complement" (a channel's or procedure's figure whose complement
    #: in the unfiltered report is small); None when published
    #: (app/services/reports/disclosure.py)
    suppressed_reason: str | None = None


@dataclass(frozen=True)
class DomainIndicators:
    """The indicators of one reporting domain (a unit, a subtree or the total)."""

    key: str
    name: str
    level: str
    responses: int
    clusters: int
    figures: dict[str, Figure]


@dataclass(frozen=True)
class Thresholds:
    """Sample-size rules: flag below ``reliable_min`` answers, hide below
    ``disclosure_min``, no verdict or funnel signal below ``min_clusters`` clusters."""

    reliable_min: int = 30
    disclosure_min: int = 5
    min_clusters: int = MIN_CLUSTERS


@dataclass(frozen=True)
class IndicatorTable:
    """Indicators for the total of a filter and for each domain in it.

    ``figures`` keys: each criterion's code, ``overall`` (the overall
    question), ``harassment``, ``informal_payment``, each element code and
    ``INDEX`` (the headline formula, ``headline_index``), and both formulas
    under their own keys: ``INDEX_SIPAS``, ``INDEX_RESPONDENT``,
    ``<element>_SIPAS``, ``<element>_RESPONDENT``.
    """

    filter: ResponseFilter
    instrument_key: str
    grouping: str
    method: str
    alpha: float
    correction: str
    thresholds: Thresholds
    total: DomainIndicators
    domains: list[DomainIndicators]
    #: "sipas" or "respondent": the formula behind INDEX and the element keys
    headline_index: str = "sipas"
    #: "domain": each domain's interval uses its own df; "design": the filter's
    df_rule: str = "domain"
    snapshot_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _cleaned(values: np.ndarray) -> list[float | None]:
    """:func:`_clean` of every element."""
    return [None if v != v else v for v in values.astype(float).tolist()]  # v != v: NaN
