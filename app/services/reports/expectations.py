"""The expectations module of a report: which improvements citizens want most.

SIPAS asks which improvements the citizen wants most (``sipas-counter`` v2,
the multi-select question with role ``expectation``). For each option the
report gives the share of the respondents **who answered the question** who
chose it, with a design-based Korn–Graubard interval: a domain proportion
(the domain: respondents who answered) of the report's cluster design,
strata the units that collected the responses, clusters counter × day, as
R's ``svyciprop(~c_k, subset(des, answered == 1), method = "beta")``
(``tests/app/test_expectations.py``). A respondent may choose several
options, so the shares add up to more than 100 %.

Disclosure control is that of every figure: no share is published when
fewer than ``disclosure_min`` respondents answered the question, nor for a
period longer than a month of which a month holds fewer
(:mod:`app.services.reports.disclosure`). The shares cover the whole filter,
not units, so there are no parts for complementary suppression.

The cluster rows already hold, per cluster, the respondents who chose each
option and those who answered (:mod:`app.services.cluster_rows`): nothing
here reads a response.
"""

from __future__ import annotations

import numpy as np

from analysis import clusters_group, design_frame, domain_proportions
from app.services.cluster_rows import ClusterRows
from app.services.domain_figures import figures_of  # the one Figure builder: one set of rules
from app.services.indicators import Figure, Thresholds
from app.services.reports.disclosure import ALL, answers_per_month, complement_small, figure_hide, hidden_months
from app.services.reports.model import ExpectationLine, Expectations
from app.services.reports.periods import Period
from surveys import Instrument, Question, QuestionKind, Role

__all__ = ["expectation_question", "expectations_build"]


def expectation_question(instrument: Instrument) -> Question | None:
    """The instrument's multi-select expectations question, or None."""
    return next(
        (q for q in instrument.with_role(Role.EXPECTATION) if q.kind is QuestionKind.MULTI and q.scale is not None),
        None,
    )


def expectations_build(
    instrument: Instrument,
    rows: ClusterRows,
    period: Period,
    thresholds: Thresholds | None = None,
    *,
    alpha: float = 0.05,
    method: str = "beta",
    whole: ClusterRows | None = None,
) -> Expectations | None:
    """The expectations module for the cluster rows of ``period``.

    Parameters
    ----------
    instrument : Instrument
        The active version; None is returned when it has no multi-select
        expectations question (or the rows do not count it).
    rows : ClusterRows
        The rows of the filter, days within ``period``.
    period : Period
        For the rule on months of a longer period.
    thresholds : Thresholds, optional
        ``disclosure_min`` hides, ``reliable_min`` flags.
    alpha : float, default 0.05
    method : {"beta", "logit"}, default "beta"
        Interval of the shares, as the units table's rates.
    whole : ClusterRows, optional
        The rows without the report's channel or procedure filter, of which
        ``rows`` are a part: the shares are hidden when the respondents the
        filter leaves out are few (app/services/reports/disclosure.py,
        ``complement_small``).

    Returns
    -------
    Expectations or None
    """
    q = expectation_question(instrument)
    layout = rows.layout
    if q is None or q.code not in layout.offsets or layout.item(q.code).kind != "multi":
        return None
    thresholds = thresholds or Thresholds()
    k = thresholds.disclosure_min
    codes = layout.item(q.code).codes
    counts = layout.counts_of(q.code, rows.counts)
    answered_rows = counts[:, len(codes)]
    answered = int(answered_rows.sum())
    order = [c.code for c in q.scale.choices if c.code in codes]  # the scale's order: comparable across reports
    figures = _shares(rows, counts, codes, order, thresholds, alpha, method)
    months = hidden_months(answers_per_month(rows, instrument, period, {}), k).get("*", {}).get(q.code)
    small_month = months is not None and len(months) > 1 and bool(np.any(months))
    rest = complement_small(rows, whole, instrument, period, {}, k).get("*", set()) if whole is not None else set()
    small_rest = bool(rest & {q.code, ALL})
    lines = []
    for code in order:
        figure = figures[code]
        if (small_month or small_rest) and not figure.suppressed:
            figure = figure_hide(figure, "small_month" if small_month else "complement")
        chosen = int(counts[:, codes.index(code)].sum())
        published = figure.estimate is not None
        lines.append(ExpectationLine(code, q.scale.label(code), figure, chosen if published else None))
    n_clusters = clusters_group(rows.unit, rows.owner, rows.day).n_clusters if len(rows) else 0
    hidden = 0 < answered < k or ((small_month or small_rest) and answered > 0)
    return Expectations(
        question=q.code,
        text=q.text,
        responses=int(rows.responses.sum()),
        clusters=int(n_clusters),
        answered=None if hidden else answered,
        lines=lines,
        max_choices=q.max_choices,
    )


def _shares(rows, counts, codes, order, thresholds, alpha, method) -> dict[int, Figure]:
    """Each option's Figure: its share among the respondents who answered."""
    answered = counts[:, len(codes)].astype(float)
    if not len(rows) or answered.sum() == 0:
        empty = Figure(0, None, None, None, None, 0, None, None, False, False)
        return dict.fromkeys(order, empty)
    cluster = clusters_group(rows.unit, rows.owner, rows.day).of_respondent
    frame = design_frame(cluster, rows.unit)
    domain = np.zeros(len(rows), dtype=np.int64)
    out = {}
    for code in order:
        chosen = counts[:, codes.index(code)].astype(float)
        est = domain_proportions(
            domain, cluster, answered, answered, chosen, stratum=rows.unit, frame=frame, method=method, alpha=alpha
        )
        out[code] = figures_of(est, est.n, thresholds)[0]
    return out
