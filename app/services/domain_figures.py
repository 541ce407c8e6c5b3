"""The figures of every reporting domain: estimates, suppression, verdicts.

Pure functions of :class:`app.services.aggregates.UnitMoments` (no database):
:func:`domain_figures` estimates every moments key (items and
respondent-level indices) per domain, :func:`sipas_figures` the SIPAS
element indices and index from per-cluster criterion sums,
:func:`figures_of` turns an estimate into :class:`Figure` objects under the
disclosure and reliability rules, and :func:`verdicts_add` compares each
domain with the total. :mod:`app.services.indicators` assembles the table.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import repeat

import numpy as np

from analysis import (
    funnel_signals,
    gram_unpack,
    index_estimate,
    index_moments_estimate,
    moments_estimate,
    reliability_flags,
    units_compare,
)
from app.services.aggregates import (
    INDEX_KEY,
    INDEX_SIPAS_KEY,
    MOMENT_COLUMNS,
    RESPONDENT_SUFFIX,
    SIPAS_SUFFIX,
    UnitMoments,
)
from app.services.indicator_types import HEADLINE_INDEX_SUFFIX, DomainIndicators, Figure, Thresholds, _clean, _cleaned
from surveys import Instrument


def headline_add(figures: dict[str, Figure], instrument: Instrument, headline: str) -> dict[str, Figure]:
    """Add the headline keys (``INDEX``, element codes) as the figures of the headline formula."""
    suffix = HEADLINE_INDEX_SUFFIX[headline]
    for key in (INDEX_KEY, *(e.code for e in instrument.elements)):
        if key + suffix in figures:
            figures[key] = figures[key + suffix]
    return figures


def figures_of(
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


def domain_figures(
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
        figures = figures_of(
            est, est.n, thresholds,
            distribution=[() if is_index or hide else d for d, hide in zip(distributions, suppressed, strict=True)],
            not_applicable=sums["na"], refused=sums["refused"],
        )  # fmt: skip
        code = str(key)
        for number, figure in zip(at.tolist(), figures, strict=True):
            out.setdefault(names[number], {})[code] = figure
    return out


def sipas_figures(
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
    """The SIPAS element indices and index of every domain, from the per-cluster
    criterion sums, or from their per-unit moments (``m.criteria_gram``)."""
    if m.criteria_gram is not None:
        return _sipas_of_moments(m, domain_of_unit, names, alpha=alpha, thresholds=thresholds, design_df=design_df)
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
    labels = [names[number] for number in numbers[np.argsort(first)][est.domain].tolist()]
    return _sipas_out(est, labels, thresholds)


def _sipas_of_moments(m: UnitMoments, domain_of_unit, names, *, alpha, thresholds, design_df) -> dict:
    g = m.criteria_gram
    domain = domain_of_unit[g.stratum] if len(g.stratum) else np.zeros(0, dtype=np.int64)
    rows = domain > 0
    if not rows.any():
        return {}
    est = index_moments_estimate(
        domain[rows], g.psu[rows], g.n[rows], g.sums[rows], gram_unpack(g.packed[rows], g.sums.shape[1]),
        list(m.criterion_elements), alpha=alpha, design_df=design_df,
    )  # fmt: skip
    return _sipas_out(est, [names[number] for number in est.domain.tolist()], thresholds)


def _sipas_out(est, labels: list[str], thresholds: Thresholds) -> dict[str, dict[str, Figure]]:
    out: dict[str, dict[str, Figure]] = {}
    keys = [str(e) + SIPAS_SUFFIX for e in est.element.tolist()] + [INDEX_SIPAS_KEY]
    for c, key in enumerate(keys):
        n = est.n[:, c]
        components = est.elements_rated if c == len(keys) - 1 else est.terms[:, c]
        figures = figures_of(est, n, thresholds, column=c, components=components.tolist())
        for label, count, figure in zip(labels, n.tolist(), figures, strict=True):
            if count > 0:  # an element nobody in the domain could rate has no figure
                out.setdefault(label, {})[key] = figure
    return out


#: which figures get a verdict, and whether a higher value is better
VERDICT_KEYS = {INDEX_KEY: True, "harassment": False, "informal_payment": False}


def verdicts_add(
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
