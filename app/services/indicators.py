"""The indicator table: every indicator per unit, with intervals and verdicts.

Built from :func:`app.services.aggregates.unit_moments` (SQL) and
:mod:`analysis` (statistics); nothing else computes statistics. Responses
are clustered by service point × day within the unit that collected them
(the stratum); a reporting domain is a unit with or without the units
below it, or all the responses of the filter.

The overall index and the element indices exist by two formulas (see
``docs/method.md``): the SIPAS formula (mean of element means of criterion
rates, :func:`analysis.index_estimate`, keys ``INDEX_SIPAS``, ``E1_SIPAS``,
...) and the respondent-level one (mean over respondents of their share of
satisfied criteria, keys ``INDEX_RESPONDENT``, ``E1_RESPONDENT``, ...). The
headline keys ``INDEX`` and ``E1``, ``E2``, ... hold the figures of the
formula the instrument declares (``Instrument.headline_index``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import repeat

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import (
    MIN_CLUSTERS,
    design_frame,
    funnel_signals,
    index_estimate,
    moments_estimate,
    reliability_flags,
    units_compare,
)
from app.models import Unit
from app.services.aggregates import (
    INDEX_KEY,
    INDEX_SIPAS_KEY,
    MOMENT_COLUMNS,
    RESPONDENT_SUFFIX,
    SIPAS_SUFFIX,
    UnitMoments,
    unit_moments_of_rows,
)
from app.services.cluster_rows import ClusterRows
from app.services.response_filter import ResponseFilter
from app.services.rollup import cluster_rows_for
from surveys import Instrument, Role

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
    #: cell); None when published (app/services/reports/disclosure.py)
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


def domain_of_units(
    session: Session, unit_ids: list[int], grouping: str, units: dict[int, Unit] | None = None
) -> dict[int, Unit | None]:
    """Map each unit that holds responses to its reporting unit: its ancestor
    (or itself) at the grouping's level, else its highest unit below the province."""
    units = units if units is not None else {u.id: u for u in session.scalars(select(Unit))}
    out: dict[int, Unit | None] = {}
    for uid in unit_ids:
        unit = units.get(uid)
        if grouping == "unit" or unit is None:
            out[uid] = unit
            continue
        chain = [unit] + [units[int(p)] for p in reversed(unit.path.strip("/").split("/")) if p]
        # A unit with no ancestor at the grouping's level (a department when
        # grouping by district) is shown under its highest unit below the province.
        below_province = [u for u in chain if u.level != "province"] or [unit]
        out[uid] = next((u for u in chain if u.level == grouping), below_province[-1])
    return out


def indicator_table(
    session: Session,
    instrument: Instrument,
    flt: ResponseFilter | None = None,
    *,
    grouping: str = "unit",
    method: str = "beta",
    alpha: float = 0.05,
    correction: str = "holm",
    thresholds: Thresholds | None = None,
    df_rule: str = "domain",
) -> IndicatorTable:
    """Compute every indicator for the responses of ``flt``.

    Reads the filter's cluster rows (:func:`app.services.rollup.cluster_rows_for`)
    and hands them to :func:`indicator_table_of_rows`, whose parameters it takes.
    """
    flt = flt or ResponseFilter(instrument=instrument.code)
    rows = cluster_rows_for(session, instrument, flt)
    return indicator_table_of_rows(
        session, instrument, rows, flt, grouping=grouping, method=method, alpha=alpha,
        correction=correction, thresholds=thresholds, df_rule=df_rule,
    )  # fmt: skip


def indicator_table_of_rows(
    session: Session,
    instrument: Instrument,
    rows: ClusterRows,
    flt: ResponseFilter,
    *,
    grouping: str = "unit",
    method: str = "beta",
    alpha: float = 0.05,
    correction: str = "holm",
    thresholds: Thresholds | None = None,
    df_rule: str = "domain",
    by_domain: bool = True,
    units: dict[int, Unit] | None = None,
) -> IndicatorTable:
    """Compute every indicator of some cluster rows (those of ``flt``).

    Parameters
    ----------
    grouping : {"unit", "department", "district", "commune", "province"}
        ``unit``: each unit's own responses. A level: each unit of that
        level with everything below it (responses of units above the level
        appear only in the total).
    method : {"beta", "logit"}
        Interval for proportions (Korn–Graubard or logit, as R svyciprop);
        indices use a t interval.
    df_rule : {"domain", "design"}
        The df of each domain's interval: its own clusters minus units (as
        R's ``svyby``), or the whole filter's (``confint(svyby(...), df =
        degf(design))``). ``Figure.df`` is the domain's own either way.
    by_domain : bool, default True
        False: the total only (a trend point), no per-domain figures or verdicts.
    units : dict of int to Unit, optional
        Every unit by id, when the caller has them already.
    """
    thresholds = thresholds or Thresholds()
    headline = instrument.headline_index
    if headline not in HEADLINE_INDEX_SUFFIX:
        raise ValueError(f"headline_index must be one of {', '.join(HEADLINE_INDEX_SUFFIX)}, got {headline!r}")
    if df_rule not in DF_RULES:
        raise ValueError(f"df_rule must be one of {', '.join(DF_RULES)}, got {df_rule!r}")
    moments = unit_moments_of_rows(instrument, rows)
    unit_ids = sorted(moments.responses)
    mapping = domain_of_units(session, unit_ids, grouping, units) if by_domain else {}
    domain_units = {u.id: u for u in mapping.values() if u is not None}
    # Each row's domain as a number (0: none, then the domain units in turn):
    # comparing numbers, not unit codes in object arrays, is what keeps this fast.
    codes = sorted(u.code for u in domain_units.values())
    number_of_code = {code: i + 1 for i, code in enumerate(codes)}
    number_of_unit = {u: number_of_code[d.code] if d is not None else 0 for u, d in mapping.items()}
    lookup = np.zeros(max(unit_ids, default=0) + 1, dtype=np.int64)
    lookup[list(number_of_unit)] = list(number_of_unit.values())
    names = ["", *codes]
    options = {
        "instrument": instrument,
        "alpha": alpha,
        "thresholds": thresholds,
        # the whole filter's df: its clusters minus its units (the strata)
        "design_df": sum(moments.clusters.values()) - len(moments.clusters) if df_rule == "design" else None,
    }
    # every unit with responses is in the total, also those above the grouping level
    total = _domain(moments, np.ones_like(lookup), ["", TOTAL_KEY], method=method, **options)
    per_domain = _domain(moments, lookup, names, method=method, **options) if by_domain else {}
    if moments.criterion_codes:
        frame = design_frame(moments.criteria.cluster, moments.criteria.stratum)
        ones = np.ones_like(lookup)
        targets = [(total, ones, ["", TOTAL_KEY])] + ([(per_domain, lookup, names)] if by_domain else [])
        for target, by, labels in targets:
            for name, figures in _sipas(moments, by, labels, frame, **options).items():
                target.setdefault(name, {}).update(figures)
    total = _with_headline(total.get(TOTAL_KEY, {}), instrument, headline)
    members: dict[int, list[int]] = {}
    for unit_id, domain_unit in mapping.items():
        if domain_unit is not None:
            members.setdefault(domain_unit.id, []).append(unit_id)
    domains = []
    for unit in sorted(domain_units.values(), key=lambda u: (u.path, u.code)):
        domains.append(
            DomainIndicators(
                key=unit.code,
                name=unit.name,
                level=unit.level,
                responses=sum(moments.responses[u] for u in members[unit.id]),
                clusters=sum(moments.clusters[u] for u in members[unit.id]),
                figures=_with_headline(per_domain.get(unit.code, {}), instrument, headline),
            )
        )
    domains = _with_verdicts(domains, total, correction, alpha, thresholds.min_clusters)
    return IndicatorTable(
        filter=flt,
        instrument_key=instrument.key,
        grouping=grouping,
        method=method,
        alpha=alpha,
        correction=correction,
        thresholds=thresholds,
        total=DomainIndicators(
            key=TOTAL_KEY,
            name="",
            level="",
            responses=sum(moments.responses.values()),
            clusters=sum(moments.clusters.values()),
            figures=total,
        ),
        domains=domains,
        headline_index=headline,
        df_rule=df_rule,
    )


def indicator_keys(instrument: Instrument) -> list[str]:
    """Figure keys in reading order: index, elements, criteria, overall question, incidences,
    then both index formulas under their own keys."""
    elements = [e.code for e in instrument.elements]
    keys = [INDEX_KEY, *elements]
    keys += [q.code for q in instrument.questions if q.role is Role.CRITERION]
    keys += [q.code for q in instrument.questions if q.role in (Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT)]
    for suffix in HEADLINE_INDEX_SUFFIX.values():
        keys += [INDEX_KEY + suffix, *(e + suffix for e in elements)]
    return keys


def _with_headline(figures: dict[str, Figure], instrument: Instrument, headline: str) -> dict[str, Figure]:
    """Add the headline keys (``INDEX``, element codes) as the figures of the headline formula."""
    suffix = HEADLINE_INDEX_SUFFIX[headline]
    for key in (INDEX_KEY, *(e.code for e in instrument.elements)):
        if key + suffix in figures:
            figures[key] = figures[key + suffix]
    return figures


def _figures(
    est,
    n: np.ndarray,
    thresholds: Thresholds,
    column=slice(None),
    *,
    distribution: list | None = None,
    not_applicable: list | None = None,
    refused: list | None = None,
    components: list | None = None,
) -> list[Figure]:
    """The Figures of every domain of an estimate, hidden where suppressed or empty.

    ``est`` has the fields of :class:`analysis.MomentEstimates` (or one
    ``column`` of :class:`analysis.IndexEstimates`); the keyword lists hold
    further Figure fields, one entry per domain.
    """
    flags = reliability_flags(
        n, est.n_eff[:, column] if est.n_eff.ndim == 2 else est.n_eff, est.df,
        reliable_min=thresholds.reliable_min, disclosure_min=thresholds.disclosure_min,
    )  # fmt: skip

    def values(name: str) -> list:
        a = getattr(est, name)
        return _cleaned(a[:, column] if a.ndim == 2 else a)

    # plain lists, read once: indexing NumPy arrays element by element is slow
    columns = (
        n.tolist(), est.df.tolist(), est.n_psu.tolist(), flags.reliable.tolist(), flags.suppressed.tolist(),
        *(values(name) for name in ("estimate", "lower", "upper", "se", "deff", "n_eff")),
        (est.deff1_interval[:, column] if est.deff1_interval.ndim == 2 else est.deff1_interval).tolist(),
    )  # fmt: skip
    out = []
    rows = zip(
        zip(*columns, strict=True),
        repeat(()) if distribution is None else distribution,
        repeat(0) if not_applicable is None else not_applicable,
        repeat(0) if refused is None else refused,
        repeat(None) if components is None else components,
        strict=False,
    )
    for row, dist, na, ref, comp in rows:
        n_, df, n_psu, reliable, suppressed, estimate, lower, upper, se, deff, n_eff, deff1 = row
        reason = "few_answers" if suppressed and n_ > 0 else None
        if suppressed or n_ == 0:
            estimate = lower = upper = se = deff = n_eff = None
            deff1 = False
            # counts of "not applicable" and refusals are published with the
            # figure, or alone when nobody answered on the scale and they are enough
            if n_ > 0 or (na or 0) + (ref or 0) < thresholds.disclosure_min:
                na = ref = None
        # every field, in order and positionally (faster for 40,000 figures); verdict,
        # p_adjusted, not_assessed and funnel come later, for the keys that get them
        # fmt: off
        out.append(Figure(n_, estimate, lower, upper, se, df, deff, n_eff, reliable, suppressed, dist, na, ref,
                          None, None, n_psu, deff1, None, None, comp, reason))
        # fmt: on
    return out


def _domain(
    m: UnitMoments,
    domain_of_unit: np.ndarray,
    names: list[str],
    *,
    instrument: Instrument,
    method: str,
    alpha: float,
    thresholds: Thresholds,
    design_df: int | None,
) -> dict[str, dict[str, Figure]]:
    """Estimate every moments key (items, respondent-level indices) for every domain.

    ``domain_of_unit[unit_id]`` is the domain number of a unit: a position in
    ``names``, 0 for units in no domain.
    """
    out: dict[str, dict[str, Figure]] = {}
    domain = domain_of_unit[m.unit_id] if len(m.unit_id) else np.zeros(0, dtype=np.int64)
    keys, key_number = np.unique(m.key, return_inverse=True)
    labelled = domain > 0
    for k, key in enumerate(keys.tolist()):
        rows = (key_number == k) & labelled
        if not rows.any():
            continue
        cols = [m.moments[c][rows] for c in MOMENT_COLUMNS]
        numbers = domain[rows]
        is_index = key.endswith(RESPONDENT_SUFFIX)
        est = moments_estimate(numbers, *cols, method="t" if is_index else method, alpha=alpha, design_df=design_df)
        at = est.domain
        sums = {
            name: np.rint(np.bincount(numbers, m.levels[name][rows], len(names)))[at].astype(np.int64).tolist()
            for name in m.levels
        }
        suppressed = reliability_flags(est.n, disclosure_min=thresholds.disclosure_min).suppressed.tolist()
        distributions = list(zip(*(sums[f"l{lv}"] for lv in range(1, 6)), strict=True))
        figures = _figures(
            est, est.n, thresholds,
            distribution=[() if is_index or hide else d for d, hide in zip(distributions, suppressed, strict=True)],
            not_applicable=sums["na"], refused=sums["refused"],
        )  # fmt: skip
        code = str(key)
        for number, figure in zip(at.tolist(), figures, strict=True):
            out.setdefault(names[number], {})[code] = figure
    return out


def _sipas(
    m: UnitMoments,
    domain_of_unit: np.ndarray,
    names: list[str],
    frame,
    *,
    instrument: Instrument,
    alpha: float,
    thresholds: Thresholds,
    design_df: int | None,
) -> dict[str, dict[str, Figure]]:
    """The SIPAS element indices and index of every domain, from the per-cluster criterion sums."""
    sums = m.criteria
    domain = domain_of_unit[sums.stratum]
    rows = domain > 0
    if not rows.any():
        return {}

    def kept(a: np.ndarray) -> np.ndarray:
        return a if rows.all() else a[rows]  # copying (clusters x criteria) arrays is not free

    # Domains numbered in the order their clusters come (clusters are sorted
    # by unit): where each domain's clusters are consecutive, as with one
    # unit per domain, index_estimate then has nothing to sort.
    numbers, first = np.unique(kept(domain), return_index=True)
    rank = np.zeros(len(names), dtype=np.int64)
    rank[numbers[np.argsort(first)]] = np.arange(len(numbers))
    est = index_estimate(
        rank[kept(domain)], kept(sums.cluster), kept(sums.n), kept(sums.satisfied), kept(sums.valid),
        list(m.criterion_elements), stratum=kept(sums.stratum), frame=frame, alpha=alpha,
        df_rule="domain" if design_df is None else "design", rate_se=False,
    )  # fmt: skip
    out: dict[str, dict[str, Figure]] = {}
    keys = [str(e) + SIPAS_SUFFIX for e in est.element.tolist()] + [INDEX_SIPAS_KEY]
    labels = [names[number] for number in numbers[np.argsort(first)][est.domain].tolist()]
    for c, key in enumerate(keys):
        n = est.n[:, c]
        components = est.elements_rated if c == len(keys) - 1 else est.terms[:, c]
        figures = _figures(est, n, thresholds, column=c, components=components.tolist())
        for label, count, figure in zip(labels, n.tolist(), figures, strict=True):
            if count > 0:  # an element nobody in the domain could rate has no figure
                out.setdefault(label, {})[key] = figure
    return out


#: which figures get a verdict, and whether a higher value is better
VERDICT_KEYS = {INDEX_KEY: True, "harassment": False, "informal_payment": False}


def _with_verdicts(
    domains: list[DomainIndicators], total: dict[str, Figure], correction: str, alpha: float, min_clusters: int
) -> list[DomainIndicators]:
    """Each domain against the total, Holm/BH-corrected across domains, and its funnel signal.

    Domains with fewer than ``min_clusters`` clusters behind the figure get
    neither: ``verdict`` None and ``not_assessed`` "too_few_clusters".
    """
    for key, higher_is_better in VERDICT_KEYS.items():
        target = total.get(key)
        if target is None or target.estimate is None:
            continue
        have = [d for d in domains if key in d.figures]
        if not have:
            continue
        figs = [d.figures[key] for d in have]
        estimate = np.array([np.nan if f.estimate is None else f.estimate for f in figs])
        n_psu = np.array([f.n_psu for f in figs])
        result = units_compare(
            estimate,
            target.estimate,
            np.array([f.n for f in figs]),
            se=np.array([f.se if f.se is not None else np.nan for f in figs]),
            df=np.array([f.df for f in figs]),
            n_psu=n_psu,
            min_clusters=min_clusters,
            higher_is_better=higher_is_better,
            correction=correction,
            alpha=alpha,
        )
        funnel = funnel_signals(
            target.estimate,
            estimate,
            np.array([f.n_eff if f.n_eff is not None else f.n for f in figs], dtype=float),
            n_psu=n_psu,
            min_clusters=min_clusters,
        )
        for i, d in enumerate(have):
            verdict, reason, signal = result.verdict[i], result.not_assessed[i], funnel.signal[i]
            d.figures[key] = replace(
                d.figures[key],
                verdict=None if verdict is None else str(verdict),
                p_adjusted=_clean(result.p_adjusted[i]),
                not_assessed=None if reason is None else str(reason),
                funnel=None if signal is None else str(signal),
            )
    return domains
