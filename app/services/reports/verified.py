"""Response rate and verified against open QR responses (issue 16.4).

**Response rate** of a unit = responses at its counters (channels ``qr``,
``kiosk``, ``qr-verified``, of the report's instrument, whatever the
report's channel or procedure filter) ÷ dossiers its
counters received in the period: per counter and month the imported count
(``flask import-dossier-counts``), else the dossiers registered through
``POST /api/v1/dossiers`` that month. Both numbers are shown with the rate.

**Verified against open**: the unit's headline index among open QR
responses (channel ``qr``) and among verified ones (``qr-verified``, tied to
a dossier's one-time code), each with its design-based interval (clusters:
counter × day), and the difference open − verified with a normal interval
from the two design standard errors (``analysis.means_difference_confint``,
as the report's change between periods). The two groups are treated as
independent samples of clusters: they share counter-days, so the true
interval is somewhat narrower when both groups move together day by day
(docs/integrity.md §3). Open significantly above verified by at least
:data:`GAP_MIN` is the signature of staff filling the open form and is
flagged; a flag is evidence, not a verdict.

**Per-dossier rating**: each level's share (rất hài lòng, hài lòng, không
hài lòng) among verified responses, with the design-based interval of
``analysis.domain_proportions`` (Korn–Graubard, clusters counter × day).

Disclosure: the index figures come from the report's own suppression
(``disclosure.table_protect``); a rate or a rating share resting on fewer
responses than the disclosure threshold is not published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis import domain_proportions, means_difference_confint
from app import numbers
from app.models import DossierCount, RegisteredDossier, Response, ServicePoint, Unit
from app.services.aggregates import INDEX_KEY
from app.services.indicators import Figure, IndicatorTable, Thresholds, domain_of_units, indicator_table_of_moments
from app.services.month_moments import MonthMoments
from app.services.reports.disclosure import table_protect
from app.services.reports.findings import NAMES_MAX
from app.services.reports.model import Change, RateLine, RatingShare, VerifiedLine, VerifiedSection
from app.services.reports.periods import Period
from app.services.response_filter import ResponseFilter, filter_conditions, units_clause
from app.texts import label
from surveys import Instrument, Text

#: the smallest open-minus-verified gap of the index that is flagged (10 points)
GAP_MIN = 0.10
#: channels whose responses count towards a counter's response rate
RATE_CHANNELS = ("qr", "kiosk", "qr-verified")
#: the per-dossier rating's levels, best first (app/services/verified.py)
LEVELS = (3, 2, 1)
TOTAL = "*"


def _month(day: date) -> date:
    return day.replace(day=1)


def response_rates(
    session: Session,
    flt: ResponseFilter,
    period: Period,
    domain_key: Callable[[list[int]], dict[int, str]],
    k: int,
    counted: dict[int, int] | None = None,
) -> tuple[list[RateLine], RateLine, dict[str, str]]:
    """Rate lines by domain, the total line and the domains' names.

    ``domain_key`` maps unit ids to their reporting domain's key (the unit
    code at the report's grouping); ``k`` is the disclosure threshold;
    ``counted``: the responses of :data:`RATE_CHANNELS` per counter in the
    period (every channel and procedure), when the caller has them.
    """
    # Dossiers are counted per counter, whatever the procedure: a procedure
    # filter would divide one procedure's responses by every dossier.
    flt = replace(flt, date_from=period.start, date_to=period.end, channel=None, procedure=None)
    responses = counted
    if responses is None:
        responses = dict(
            session.execute(
                select(Response.service_point_id, func.count())
                .where(*filter_conditions(session, flt), Response.channel.in_(RATE_CHANNELS))
                .where(Response.service_point_id.is_not(None))
                .group_by(Response.service_point_id)
            ).all()
        )
    in_scope = units_clause(session, flt, ServicePoint.unit_id)
    points = select(ServicePoint.id).where(in_scope) if in_scope is not None else select(ServicePoint.id)
    months = (_month(period.start), _month(period.end))
    imported = {
        (p, m): n
        for p, m, n in session.execute(
            select(DossierCount.service_point_id, DossierCount.month, DossierCount.dossiers).where(
                DossierCount.month.between(*months), DossierCount.service_point_id.in_(points.scalar_subquery())
            )
        )
    }
    registered: dict[tuple[int, date], int] = defaultdict(int)
    for p, day, n in session.execute(
        select(RegisteredDossier.service_point_id, RegisteredDossier.registered_on, func.count())
        .where(
            RegisteredDossier.registered_on.between(period.start, period.end),
            RegisteredDossier.service_point_id.in_(points.scalar_subquery()),
        )
        .group_by(RegisteredDossier.service_point_id, RegisteredDossier.registered_on)
    ):
        registered[p, _month(day)] += n
    dossiers: dict[int, int] = defaultdict(int)
    for key in set(imported) | set(registered):
        dossiers[key[0]] += imported[key] if key in imported else registered[key]
    point_ids = sorted(set(responses) | set(dossiers))
    unit_of = dict(
        session.execute(select(ServicePoint.id, ServicePoint.unit_id).where(ServicePoint.id.in_(point_ids))).all()
    )
    keys = domain_key(sorted(set(unit_of.values())))
    by_domain: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in point_ids:
        key = keys.get(unit_of[p])
        if key is None:
            continue
        by_domain[key][0] += responses.get(p, 0)
        by_domain[key][1] += dossiers.get(p, 0)
    names = dict(session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(list(by_domain)))).all())

    def line(code: str, name: str, n: int, d: int) -> RateLine:
        hidden = 0 < n < k
        rate = None if hidden or d == 0 else n / d
        return RateLine(code, name, 0 if hidden else n, d, rate, hidden)

    rates = [line(code, names.get(code, code), n, d) for code, (n, d) in sorted(by_domain.items())]
    total_n = sum(v[0] for v in by_domain.values())
    total_d = sum(v[1] for v in by_domain.values())
    return rates, line(TOTAL, "", total_n, total_d), names


def ratings_hidden(per_month: dict[str, dict[date, int]], k: int) -> set[str]:
    """The domains (``*``: the total) whose rating shares are not published,
    by the report's rules (app/services/reports/disclosure.py): fewer than
    ``k`` ratings, or a month of a longer period holding fewer than ``k``
    (its share would follow from this report and the other months'); then,
    smallest first, as many published domains as it takes for the total
    minus the published ones not to reveal fewer than ``k`` ratings."""
    totals = {d: sum(months.values()) for d, months in per_month.items()}
    hidden = {d for d, months in per_month.items() if totals[d] < k or any(0 < n < k for n in months.values())}
    if TOTAL in hidden:
        return set(per_month)
    parts = [d for d in per_month if d != TOTAL]
    left = sum(totals[d] for d in parts if d in hidden) + totals.get(TOTAL, 0) - sum(totals[d] for d in parts)
    for d in sorted((d for d in parts if d not in hidden), key=lambda d: (totals[d], d)):
        if not 0 < left < k:
            break
        hidden.add(d)
        left += totals[d]
    return hidden


def rating_shares(
    session: Session, flt: ResponseFilter, period: Period, domain_key: Callable[[list[int]], dict[int, str]], k: int
) -> dict[str, tuple[int, list[RatingShare]]]:
    """Each domain's (and the total's, key ``*``) verified responses and the
    share of each rating level, design-based by counter × day."""
    flt = replace(flt, date_from=period.start, date_to=period.end, channel="qr-verified")
    rows = session.execute(
        select(Response.unit_id, Response.service_point_id, Response.service_day, Response.dossier_rating, func.count())
        .where(*filter_conditions(session, flt))
        .group_by(Response.unit_id, Response.service_point_id, Response.service_day, Response.dossier_rating)
    ).all()
    if not rows:
        return {}
    keys = domain_key(sorted({r.unit_id for r in rows}))
    kept = [r for r in rows if keys.get(r.unit_id) is not None]
    if not kept:
        return {}
    # one row per domain × cluster; a cluster's count of each level beside its total
    cells: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in kept:
        cluster = f"{r.service_point_id}:{r.service_day.isoformat()}"
        cells[keys[r.unit_id], cluster][r.dossier_rating] += r[4]
    per_month: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for r in kept:
        per_month[keys[r.unit_id]][_month(r.service_day)] += r[4]
        per_month[TOTAL][_month(r.service_day)] += r[4]
    hidden = ratings_hidden(per_month, k)
    domain = np.array([d for d, _ in cells])
    cluster = np.array([c for _, c in cells])
    n = np.array([sum(v.values()) for v in cells.values()], dtype=float)
    level_hits = {level: np.array([v.get(level, 0) for v in cells.values()], dtype=float) for level in LEVELS}
    out: dict[str, tuple[int, list[RatingShare]]] = {}
    for dom in (np.full(len(domain), TOTAL), domain):
        shares: dict[str, list[RatingShare]] = defaultdict(list)
        counts: dict[str, int] = {}
        for level, hits in level_hits.items():
            est = domain_proportions(dom, cluster, n, n, hits)
            for i, d in enumerate(est.domain.tolist()):
                counts[d] = int(est.n[i])
                shares[d].append(
                    RatingShare(
                        level,
                        label(f"verified.rating.{level}"),
                        0 if d in hidden else int(hits[dom == d].sum()),
                        None if d in hidden else float(est.estimate[i]),
                        None if d in hidden else float(est.lower[i]),
                        None if d in hidden else float(est.upper[i]),
                    )
                )
        out.update({d: (counts[d], s) for d, s in shares.items()})
    return out


def _gap(open_: Figure | None, verified: Figure | None, alpha: float) -> Change | None:
    if open_ is None or verified is None or open_.estimate is None or verified.estimate is None:
        return None
    if open_.se is None or verified.se is None:
        return None
    d = means_difference_confint(open_.estimate, open_.se, verified.estimate, verified.se, alpha=alpha)
    lower, upper = float(d.lower), float(d.upper)
    return Change(float(d.difference), lower, upper, float(d.p_value), bool(lower > 0 or upper < 0))


def _flagged(gap: Change | None, open_: Figure | None, verified: Figure | None, min_clusters: int) -> bool:
    if gap is None or open_ is None or verified is None:
        return False
    enough = open_.n_psu >= min_clusters and verified.n_psu >= min_clusters
    return enough and gap.significant and gap.difference >= GAP_MIN


def verified_section(
    session: Session,
    instrument: Instrument,
    channel_sums: Callable[[str], MonthMoments],
    flt: ResponseFilter,
    period: Period,
    *,
    grouping: str,
    options: dict[str, Any],
    alpha: float,
    thresholds: Thresholds,
    counter_responses: Callable[[Period, tuple[str, ...]], dict[int, int] | None] | None = None,
) -> VerifiedSection | None:
    """The section for the report's period, or None when the period holds
    no verified response and no dossier count (nothing to show).

    ``channel_sums(channel)`` gives the unit × month sums of the report's
    filter for one channel, and ``options`` are the report's options of
    :func:`app.services.indicators.indicator_table_of_moments`
    (``units`` among them), so both groups' figures are computed and
    suppressed exactly as the report's own; ``counter_responses(period,
    channels)`` gives the responses per counter from the roll-up, or None.
    """
    units = options["units"]
    domain_key = unit_domain_keys(session, grouping, units)
    k = thresholds.disclosure_min
    counted = counter_responses(period, RATE_CHANNELS) if counter_responses is not None else None
    rates, total_rate, names = response_rates(session, flt, period, domain_key, k, counted)
    ratings = rating_shares(session, flt, period, domain_key, k)
    if not ratings and not any(r.dossiers for r in rates):
        return None

    def table_of(channel: str) -> IndicatorTable:
        subset = channel_sums(channel).within(period.start, period.end)
        flt_c = replace(flt, date_from=period.start, date_to=period.end, channel=channel)
        table = indicator_table_of_moments(
            session, instrument, subset.unit_moments(), flt_c, grouping=grouping, **options
        )
        return table_protect(table, subset, instrument, period, domain_key(sorted(set(subset.unit.tolist()))))

    tables = {channel: table_of(channel) for channel in ("qr", "qr-verified")}
    by_key = {ch: {d.key: d for d in t.domains} for ch, t in tables.items()}

    def line(code: str, name: str, open_: Figure | None, verified: Figure | None) -> VerifiedLine:
        gap = _gap(open_, verified, alpha)
        count, shares = ratings.get(code, (0, []))
        flagged = _flagged(gap, open_, verified, thresholds.min_clusters)
        return VerifiedLine(code, name, open_, verified, gap, flagged, count, shares)

    codes = sorted(set(by_key["qr"]) | set(by_key["qr-verified"]) | {c for c in ratings if c != TOTAL})
    lines = []
    for code in codes:
        o, v = by_key["qr"].get(code), by_key["qr-verified"].get(code)
        name = (o or v).name if (o or v) is not None else names.get(code, code)
        lines.append(line(code, name, o.figures.get(INDEX_KEY) if o else None, v.figures.get(INDEX_KEY) if v else None))
    total = line(
        TOTAL,
        "",
        tables["qr"].total.figures.get(INDEX_KEY),
        tables["qr-verified"].total.figures.get(INDEX_KEY),
    )
    return VerifiedSection(rates, lines, total, total_rate, GAP_MIN)


def unit_domain_keys(session: Session, grouping: str, units: dict[int, Unit]) -> Callable[[list[int]], dict[int, str]]:
    """Unit ids → the key (unit code) of their reporting domain at ``grouping``."""

    def keys(unit_ids: list[int]) -> dict[int, str]:
        mapping = domain_of_units(session, unit_ids, grouping, units)
        return {u: d.code for u, d in mapping.items() if d is not None}

    return keys


def verified_findings(section: VerifiedSection | None) -> list[Text]:
    """A sentence naming the flagged units, for the report's findings (none when nothing is flagged)."""
    flagged = sorted((v for v in section.lines if v.flagged), key=lambda v: -v.gap.difference) if section else []
    if not flagged:
        return []
    shown = flagged[:NAMES_MAX]

    def names(lang: str) -> str:
        text = ", ".join(f"{v.name} ({numbers.points(v.gap.difference, lang)})" for v in shown)
        return text + (
            label("findings.more", n=len(flagged) - len(shown)).get(lang) if len(flagged) > len(shown) else ""
        )

    return [label("verified.finding", n=len(flagged), units=Text(names("vi"), names("en")))]
