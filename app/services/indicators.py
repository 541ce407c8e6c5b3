"""The indicator table: every indicator per unit, with intervals and verdicts.

Built from :func:`app.services.aggregates.unit_moments` (SQL) and
:mod:`analysis` (statistics); nothing else computes statistics. Responses
are clustered by service point × day within the unit that collected them
(the stratum); a reporting domain is a unit with or without the units
below it, or all the responses of the filter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import moments_estimate, reliability_flags, units_compare
from app.models import Unit
from app.services.aggregates import INDEX_KEY, MOMENT_COLUMNS, ResponseFilter, UnitMoments, unit_moments
from surveys import Instrument, Role

TOTAL_KEY = "*"


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
    df: int
    deff: float | None
    n_eff: float | None
    reliable: bool
    suppressed: bool
    #: counts of levels 1–5 (criteria), "not applicable" and refusals
    distribution: tuple[int, ...] = ()
    not_applicable: int = 0
    refused: int = 0
    #: against the total of the filter: better, not_distinguishable, worse; None if untested
    verdict: str | None = None
    p_adjusted: float | None = None


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
    reliable_min: int = 30
    disclosure_min: int = 5


@dataclass(frozen=True)
class IndicatorTable:
    """Indicators for the total of a filter and for each domain in it.

    ``figures`` keys: each criterion's code, ``overall`` (the overall
    question), ``harassment``, ``informal_payment``, each element code and
    ``INDEX`` (overall index).
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
    snapshot_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _cleaned(values: np.ndarray) -> list[float | None]:
    """:func:`_clean` of every element."""
    return [None if v != v else v for v in values.astype(float).tolist()]  # v != v: NaN


def _domain_of_units(session: Session, unit_ids: list[int], grouping: str) -> dict[int, Unit | None]:
    """Map each unit that holds responses to its reporting unit."""
    units = {u.id: u for u in session.scalars(select(Unit))}
    out: dict[int, Unit | None] = {}
    for uid in unit_ids:
        unit = units.get(uid)
        if grouping == "unit" or unit is None:
            out[uid] = unit
            continue
        chain = [unit] + [units[int(p)] for p in reversed(unit.path.strip("/").split("/")) if p]
        out[uid] = next((u for u in chain if u.level == grouping), None)
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
) -> IndicatorTable:
    """Compute every indicator for the responses of ``flt``.

    Parameters
    ----------
    grouping : {"unit", "department", "district", "commune", "province"}
        ``unit``: each unit's own responses. A level: each unit of that
        level with everything below it (responses of units above the level
        appear only in the total).
    method : {"beta", "logit"}
        Interval for proportions (Korn–Graubard or logit, as R svyciprop);
        indices use a t interval.
    """
    flt = flt or ResponseFilter(instrument=instrument.code)
    thresholds = thresholds or Thresholds()
    moments = unit_moments(session, instrument, flt)
    unit_ids = sorted(moments.responses)
    mapping = _domain_of_units(session, unit_ids, grouping)
    domain_units = {u.id: u for u in mapping.values() if u is not None}
    # Each row's domain as a number (0: none, then the domain units in turn):
    # comparing numbers, not unit codes in object arrays, is what keeps this fast.
    codes = sorted(u.code for u in domain_units.values())
    number_of_code = {code: i + 1 for i, code in enumerate(codes)}
    number_of_unit = {u: number_of_code[d.code] if d is not None else 0 for u, d in mapping.items()}
    lookup = np.zeros(max(unit_ids, default=0) + 1, dtype=np.int64)
    lookup[list(number_of_unit)] = list(number_of_unit.values())
    domain_number = lookup[moments.unit_id]
    names = ["", *codes]
    total = _domain(moments, np.ones_like(domain_number), ["", TOTAL_KEY], instrument, method, alpha, thresholds)
    total = total.get(TOTAL_KEY, {})
    per_domain = _domain(moments, domain_number, names, instrument, method, alpha, thresholds)
    members: dict[int, list[int]] = {}
    for unit_id, domain_unit in mapping.items():
        if domain_unit is not None:
            members.setdefault(domain_unit.id, []).append(unit_id)
    domains = []
    for unit in sorted(domain_units.values(), key=lambda u: (u.path, u.code)):
        figures = per_domain.get(unit.code, {})
        domains.append(
            DomainIndicators(
                key=unit.code,
                name=unit.name,
                level=unit.level,
                responses=sum(moments.responses[u] for u in members[unit.id]),
                clusters=sum(moments.clusters[u] for u in members[unit.id]),
                figures=figures,
            )
        )
    domains = _with_verdicts(domains, total, correction, alpha)
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
    )


def indicator_keys(instrument: Instrument) -> list[str]:
    """Figure keys in reading order: index, elements, criteria, overall question, incidences."""
    keys = [INDEX_KEY, *[e.code for e in instrument.elements]]
    keys += [q.code for q in instrument.questions if q.role is Role.CRITERION]
    keys += [q.code for q in instrument.questions if q.role in (Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT)]
    return keys


def _domain(
    m: UnitMoments,
    domain: np.ndarray,
    names: list[str],
    instrument: Instrument,
    method: str,
    alpha: float,
    thresholds: Thresholds,
) -> dict[str, dict[str, Figure]]:
    """Estimate every key for every domain.

    ``domain`` holds, aligned with m's rows, the domain number of each row:
    a position in ``names``, 0 for rows in no domain.
    """
    out: dict[str, dict[str, Figure]] = {}
    index_keys = {INDEX_KEY, *[e.code for e in instrument.elements]}
    keys, key_number = np.unique(m.key, return_inverse=True)
    labelled = domain > 0
    for k, key in enumerate(keys.tolist()):
        rows = (key_number == k) & labelled
        if not rows.any():
            continue
        cols = [m.moments[c][rows] for c in MOMENT_COLUMNS]
        numbers = domain[rows]
        est = moments_estimate(numbers, *cols, method="t" if key in index_keys else method, alpha=alpha)
        flags = reliability_flags(
            est.n,
            est.n_eff,
            est.df,
            reliable_min=thresholds.reliable_min,
            disclosure_min=thresholds.disclosure_min,
        )
        # per domain number; plain lists, read once: indexing NumPy arrays element by element is slow
        sums = {
            name: np.rint(np.bincount(numbers, m.levels[name][rows], len(names))).astype(np.int64).tolist()
            for name in m.levels
        }
        n, df = est.n.tolist(), est.df.tolist()
        reliable, suppressed_all = flags.reliable.tolist(), flags.suppressed.tolist()
        estimates, lowers, uppers, ses, deffs, n_effs = (
            _cleaned(getattr(est, name)) for name in ("estimate", "lower", "upper", "se", "deff", "n_eff")
        )
        distributions = list(zip(*(sums[f"l{lv}"] for lv in range(1, 6)), strict=True))
        not_applicable, refused = sums["na"], sums["refused"]
        is_index = key in index_keys
        code = str(key)
        for i, number in enumerate(est.domain.tolist()):
            suppressed = suppressed_all[i]
            hide = suppressed or n[i] == 0
            out.setdefault(names[number], {})[code] = Figure(
                n=n[i],
                estimate=None if hide else estimates[i],
                lower=None if hide else lowers[i],
                upper=None if hide else uppers[i],
                se=None if hide else ses[i],
                df=df[i],
                deff=None if hide else deffs[i],
                n_eff=None if hide else n_effs[i],
                reliable=reliable[i],
                suppressed=suppressed,
                distribution=() if is_index or suppressed else distributions[number],
                not_applicable=not_applicable[number],
                refused=refused[number],
            )
    return out


#: which figures get a verdict, and whether a higher value is better
VERDICT_KEYS = {INDEX_KEY: True, "harassment": False, "informal_payment": False}


def _with_verdicts(
    domains: list[DomainIndicators], total: dict[str, Figure], correction: str, alpha: float
) -> list[DomainIndicators]:
    """Each domain against the total, Holm/BH-corrected across domains."""
    for key, higher_is_better in VERDICT_KEYS.items():
        target = total.get(key)
        if target is None or target.estimate is None:
            continue
        have = [d for d in domains if key in d.figures and d.figures[key].estimate is not None]
        if not have:
            continue
        figs = [d.figures[key] for d in have]
        result = units_compare(
            np.array([f.estimate for f in figs]),
            target.estimate,
            np.array([f.n for f in figs]),
            se=np.array([f.se if f.se is not None else np.nan for f in figs]),
            df=np.array([f.df for f in figs]),
            higher_is_better=higher_is_better,
            correction=correction,
            alpha=alpha,
        )
        for i, d in enumerate(have):
            verdict = result.verdict[i]
            p_adj = _clean(result.p_adjusted[i])
            d.figures[key] = replace(
                d.figures[key], verdict=str(verdict) if p_adj is not None else None, p_adjusted=p_adj
            )
    return domains
