"""The plain-language summary at the top of a report.

A handful of sentences an analyst can paste into the quarterly report: the
headline index and its change, the units whose index rose or fell
significantly (largest first), the units significantly worse than the
total, and the harassment and informal-payment hot spots. Every sentence is
drawn from figures the report publishes, with the same intervals and
verdicts; nothing here is a new statistic.
"""

from __future__ import annotations

from collections.abc import Sequence

from app import numbers
from app.services.aggregates import INDEX_KEY
from app.services.reports.model import SummaryLine, UnitLine
from app.services.reports.periods import Period
from app.texts import label
from surveys import Text

__all__ = ["NAMES_MAX", "flags_statement", "report_findings"]

#: units named in one sentence at most; the rest are counted
NAMES_MAX = 5


def _per_lang(make) -> Text:
    """A value worded per language: ``make(lang)`` for Vietnamese and English."""
    return Text(make("vi"), make("en"))


def _names(units: Sequence[UnitLine], detail=None) -> Text:
    """Up to :data:`NAMES_MAX` unit names (with a detail each), then "and N more"."""

    def words(lang: str) -> str:
        shown = [u.name + (f" ({detail(u, lang)})" if detail else "") for u in units[:NAMES_MAX]]
        text = ", ".join(shown)
        rest = len(units) - len(shown)
        if rest > 0:
            text += label("findings.more", n=rest).get(lang)
        return text

    return _per_lang(words)


def _headline(line: SummaryLine | None, period: Period, previous: Period) -> list[Text]:
    if line is None or line.current is None or line.current.estimate is None:
        return [label("findings.no_index")]
    cur = line.current
    values = {
        "period": _per_lang(period.label),
        "value": _per_lang(lambda lang: numbers.percent(cur.estimate, lang)),
        "interval": _per_lang(lambda lang: numbers.percent_interval(cur.lower, cur.upper, lang)),
    }
    out = [label("findings.index", **values)]
    change = line.change
    if change is None:
        out.append(label("findings.no_previous", previous=_per_lang(previous.label)))
    else:
        key = "same" if not change.significant else ("up" if change.difference > 0 else "down")
        out.append(
            label(
                f"findings.change_{key}",
                previous=_per_lang(previous.label),
                points=_per_lang(lambda lang: numbers.points(change.difference, lang)),
            )
        )
    return out


def report_findings(
    summary: Sequence[SummaryLine], units: Sequence[UnitLine], period: Period, previous: Period, min_clusters: int
) -> list[Text]:
    """The findings of a report, most important first (see the module docstring)."""
    out = _headline(next((s for s in summary if s.key == INDEX_KEY), None), period, previous)
    changed = [u for u in units if u.change is not None and u.change.significant and not u.previous_thin]

    def pts(u: UnitLine, lang: str) -> str:
        return numbers.points(u.change.difference, lang) + label("findings.points_unit").get(lang)

    falls = sorted((u for u in changed if u.change.difference < 0), key=lambda u: u.change.difference)
    rises = sorted((u for u in changed if u.change.difference > 0), key=lambda u: -u.change.difference)
    if falls:
        out.append(label("findings.units_down", n=len(falls), units=_names(falls, pts)))
    if rises:
        out.append(label("findings.units_up", n=len(rises), units=_names(rises, pts)))

    def verdict_worse(key: str) -> list[UnitLine]:
        worse = [u for u in units if (f := u.figures.get(key)) is not None and f.verdict == "worse"]
        return sorted(worse, key=lambda u: u.figures[key].p_adjusted or 0.0)

    worse = verdict_worse(INDEX_KEY)
    if worse:
        out.append(label("findings.worse", n=len(worse), units=_names(worse)))
    elif any(u.figures.get(INDEX_KEY) is not None and u.figures[INDEX_KEY].verdict for u in units):
        out.append(label("findings.none_worse"))
    for key in ("harassment", "informal_payment"):
        spots = verdict_worse(key)
        if spots:

            def rate(u: UnitLine, lang: str, key: str = key) -> str:
                return numbers.percent(u.figures[key].estimate, lang)

            out.append(label(f"findings.{key}", n=len(spots), units=_names(spots, rate)))
    few = [u for u in units if (f := u.figures.get(INDEX_KEY)) is not None and f.not_assessed == "too_few_clusters"]
    if few:
        out.append(label("findings.few_clusters", n=len(few), k=min_clusters))
    return out


def flags_statement(flagged: int, excluded: int) -> list[Text]:
    """What every report states about the integrity of its count: how many of
    its responses the anomaly flags point at (counted until an administrator
    decides) and how many were excluded (counted nowhere)."""
    if not flagged and not excluded:
        return [label("findings.no_flags")]

    def many(key: str, n: int) -> Text:
        return label(f"{key}_one" if n == 1 else key, n=_per_lang(lambda lang: numbers.count(n, lang)))

    return [many("findings.flagged", flagged), many("findings.excluded", excluded)]
