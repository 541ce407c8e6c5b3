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

The types live in :mod:`app.services.indicator_types` and the per-domain
estimates in :mod:`app.services.domain_figures`; both are re-exported here.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import design_frame
from app.models import Unit
from app.services.aggregates import INDEX_KEY, UnitMoments, unit_moments_of_rows
from app.services.cluster_rows import ClusterRows
from app.services.domain_figures import VERDICT_KEYS, domain_figures, headline_add, sipas_figures, verdicts_add
from app.services.indicator_types import (
    DF_RULES,
    HEADLINE_INDEX_SUFFIX,
    TOTAL_KEY,
    DomainIndicators,
    Figure,
    IndicatorTable,
    Thresholds,
)
from app.services.response_filter import ResponseFilter
from app.services.rollup import cluster_rows_for
from surveys import Instrument, Role

__all__ = [
    "DF_RULES",
    "HEADLINE_INDEX_SUFFIX",
    "TOTAL_KEY",
    "VERDICT_KEYS",
    "DomainIndicators",
    "Figure",
    "IndicatorTable",
    "Thresholds",
    "domain_of_units",
    "indicator_keys",
    "indicator_table",
    "indicator_table_of_moments",
    "indicator_table_of_rows",
]


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
    return indicator_table_of_moments(
        session, instrument, unit_moments_of_rows(instrument, rows), flt, grouping=grouping, method=method,
        alpha=alpha, correction=correction, thresholds=thresholds, df_rule=df_rule, by_domain=by_domain, units=units,
    )  # fmt: skip


def indicator_table_of_moments(
    session: Session,
    instrument: Instrument,
    moments: UnitMoments,
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
    """:func:`indicator_table_of_rows` from the rows' per-unit moments (or their months' sums)."""
    thresholds = thresholds or Thresholds()
    headline = instrument.headline_index
    if headline not in HEADLINE_INDEX_SUFFIX:
        raise ValueError(f"headline_index must be one of {', '.join(HEADLINE_INDEX_SUFFIX)}, got {headline!r}")
    if df_rule not in DF_RULES:
        raise ValueError(f"df_rule must be one of {', '.join(DF_RULES)}, got {df_rule!r}")
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
    total = domain_figures(moments, np.ones_like(lookup), ["", TOTAL_KEY], method=method, **options)
    per_domain = domain_figures(moments, lookup, names, method=method, **options) if by_domain else {}
    if moments.criterion_codes:
        frame = None if moments.criteria is None else design_frame(moments.criteria.cluster, moments.criteria.stratum)
        ones = np.ones_like(lookup)
        targets = [(total, ones, ["", TOTAL_KEY])] + ([(per_domain, lookup, names)] if by_domain else [])
        for target, by, labels in targets:
            for name, figures in sipas_figures(moments, by, labels, frame, **options).items():
                target.setdefault(name, {}).update(figures)
    total = headline_add(total.get(TOTAL_KEY, {}), instrument, headline)
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
                figures=headline_add(per_domain.get(unit.code, {}), instrument, headline),
            )
        )
    domains = verdicts_add(domains, total, correction, alpha, thresholds.min_clusters)
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
