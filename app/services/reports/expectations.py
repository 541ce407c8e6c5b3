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

The unit × month sums hold, per option, the moments of its share over the
unit's clusters (:mod:`app.services.month_moments`): the interval is
:func:`analysis.moments_estimate` of them, which equals the per-cluster
computation (tests/analysis/test_moments.py); nothing here reads a response.
"""

from __future__ import annotations

import numpy as np

from analysis import moments_estimate
from app.services.domain_figures import figures_of  # the one Figure builder: one set of rules
from app.services.indicators import Figure, Thresholds
from app.services.month_moments import MomentsLayout, MonthMoments, expectation_question
from app.services.reports.disclosure import ALL, answers_per_month, complement_small, figure_hide, hidden_months
from app.services.reports.model import ExpectationLine, Expectations
from app.services.reports.periods import Period
from surveys import Instrument

__all__ = ["expectation_question", "expectations_build"]


def expectations_build(
    instrument: Instrument,
    sums: MonthMoments,
    period: Period,
    thresholds: Thresholds | None = None,
    *,
    alpha: float = 0.05,
    method: str = "beta",
    whole: MonthMoments | None = None,
) -> Expectations | None:
    """The expectations module of a report.

    Parameters
    ----------
    instrument : Instrument
        The active version; None is returned when it has no multi-select
        expectations question (or the sums do not count it).
    sums : MonthMoments
        The unit × month sums of the filter, months within ``period``.
    period : Period
        For the rule on months of a longer period.
    thresholds : Thresholds, optional
        ``disclosure_min`` hides, ``reliable_min`` flags.
    alpha : float, default 0.05
    method : {"beta", "logit"}, default "beta"
        Interval of the shares, as the units table's rates.
    whole : MonthMoments, optional
        The sums without the report's channel or procedure filter, of which
        ``sums`` are a part: the shares are hidden when the respondents the
        filter leaves out are few (app/services/reports/disclosure.py,
        ``complement_small``).

    Returns
    -------
    Expectations or None
    """
    q = expectation_question(instrument)
    layout = sums.layout
    if q is None or layout.expectation != q.code:
        return None
    thresholds = thresholds or Thresholds()
    k = thresholds.disclosure_min
    _units, per_unit = sums.per_unit()
    answered = round(float(layout.answered(per_unit).sum()))
    order = list(layout.options)  # the scale's order: comparable across reports
    figures = _shares(layout, per_unit, order, thresholds, alpha, method)
    months = hidden_months(answers_per_month(sums, instrument, period, {}), k).get("*", {}).get(q.code)
    small_month = months is not None and len(months) > 1 and bool(np.any(months))
    rest = complement_small(sums, whole, instrument, period, {}, k).get("*", set()) if whole is not None else set()
    small_rest = bool(rest & {q.code, ALL})
    lines = []
    for code in order:
        figure = figures[code]
        if (small_month or small_rest) and not figure.suppressed:
            figure = figure_hide(figure, "small_month" if small_month else "complement")
        chosen = round(float(layout.option_field(per_unit, code, "y").sum()))
        published = figure.estimate is not None
        lines.append(ExpectationLine(code, q.scale.label(code), figure, chosen if published else None))
    hidden = 0 < answered < k or ((small_month or small_rest) and answered > 0)
    return Expectations(
        question=q.code,
        text=q.text,
        responses=round(float(per_unit[:, 0].sum())),
        clusters=round(float(per_unit[:, 1].sum())),
        answered=None if hidden else answered,
        lines=lines,
        max_choices=q.max_choices,
    )


def _shares(layout: MomentsLayout, per_unit: np.ndarray, order, thresholds, alpha, method) -> dict[int, Figure]:
    """Each option's share among the respondents who answered, per-unit strata over every cluster."""
    if not len(per_unit) or layout.answered(per_unit).sum() == 0:
        empty = Figure(0, None, None, None, None, 0, None, None, False, False)
        return dict.fromkeys(order, empty)
    domain = np.zeros(len(per_unit), dtype=np.int64)
    out = {}
    for code in order:
        n, y = layout.option_field(per_unit, code, "n"), layout.option_field(per_unit, code, "y")
        est = moments_estimate(
            domain, per_unit[:, 1], layout.option_field(per_unit, code, "occupied"), n, n, y,
            layout.option_field(per_unit, code, "ww"), layout.option_field(per_unit, code, "yy"),
            layout.option_field(per_unit, code, "wy"), y, method=method, alpha=alpha,
        )  # fmt: skip
        out[code] = figures_of(est, est.n, thresholds)[0]
    return out
