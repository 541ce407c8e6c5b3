"""A composite ranking score declared in the settings.

By default units are ranked by the overall index alone. A province that
wants harassment and informal payments to weigh on the ranking declares a
weighted sum of indicators (``RANKING_WEIGHTS``, app/config.py), e.g.
``INDEX:1,harassment:-0.5,informal_payment:-0.5``: each unit's score is
the weighted sum of its estimates, and units are ranked by it.

The score's interval is built from the components' intervals, taking each
component's lower bound where its weight is positive and its upper bound
where it is negative. Because the standard deviation of a sum is at most
the sum of the standard deviations (Minkowski's inequality), this interval
is never narrower than the design-based interval of the score would be,
whatever the correlation between the components: the rank ranges it gives
err towards "cannot be told apart", never towards a spurious order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.services.aggregates import INDEX_KEY
from app.services.indicators import Figure
from app.texts import label
from surveys import Text

__all__ = ["INDEX_ONLY", "RANK_KEY", "composite_figure", "figures_scored", "is_composite", "ranking_words"]

#: the figure key of the composite score in a unit's figures and the units table
RANK_KEY = "RANK_SCORE"
#: the default: rank by the overall index alone
INDEX_ONLY: tuple[tuple[str, float], ...] = ((INDEX_KEY, 1.0),)


def is_composite(weights: Sequence[tuple[str, float]]) -> bool:
    """Whether ``weights`` rank by anything but the overall index alone."""
    return tuple(weights) != INDEX_ONLY and len(weights) > 0


def composite_figure(figures: Mapping[str, Figure], weights: Sequence[tuple[str, float]]) -> Figure | None:
    """The weighted sum of a unit's figures, with a conservative interval.

    Parameters
    ----------
    figures : mapping of str to Figure
        A unit's figures by indicator key.
    weights : sequence of (key, weight)
        The declared score; a positive weight rewards a high figure.

    Returns
    -------
    Figure or None
        None when a component is missing, suppressed or has no estimate:
        such a unit gets no rank rather than a rank from part of the score.
        ``n`` and ``n_psu`` are the smallest of the components', ``df`` the
        smallest, ``reliable`` holds when every component is reliable, and
        ``not_assessed`` carries the first component's reason, if any.
    """
    parts = [(figures.get(key), weight) for key, weight in weights]
    if not parts or any(f is None or f.estimate is None for f, _ in parts):
        return None
    estimate = sum(w * f.estimate for f, w in parts)
    bounded = all(f.lower is not None and f.upper is not None for f, _ in parts)
    lower = sum(w * (f.lower if w > 0 else f.upper) for f, w in parts) if bounded else None
    upper = sum(w * (f.upper if w > 0 else f.lower) for f, w in parts) if bounded else None
    se = sum(abs(w) * f.se for f, w in parts) if all(f.se is not None for f, _ in parts) else None
    reasons = [f.not_assessed for f, _ in parts if f.not_assessed is not None]
    return Figure(
        n=min(f.n for f, _ in parts),
        estimate=estimate,
        lower=lower,
        upper=upper,
        se=se,
        df=min(f.df for f, _ in parts),
        deff=None,
        n_eff=None,
        reliable=all(f.reliable for f, _ in parts),
        suppressed=False,
        n_psu=min(f.n_psu for f, _ in parts),
        not_assessed=reasons[0] if reasons else None,
    )


def figures_scored(figures: dict[str, Figure], weights: Sequence[tuple[str, float]]) -> dict[str, Figure]:
    """A unit's figures with its composite score under :data:`RANK_KEY` when
    ``weights`` declare a composite and the unit has a score; else as they are."""
    if not is_composite(weights):
        return figures
    score = composite_figure(figures, weights)
    return figures if score is None else {**figures, RANK_KEY: score}


def _weight(value: float, decimal: str) -> str:
    return f"{abs(value):g}".replace(".", decimal)


def ranking_words(weights: Sequence[tuple[str, float]], names: Mapping[str, Text]) -> Text:
    """The score in words, e.g. "1 × Chỉ số chung − 0,5 × Tỷ lệ bị gây phiền hà"."""
    texts = {}
    for lang, decimal in (("vi", ","), ("en", ".")):
        terms = []
        for i, (key, weight) in enumerate(weights):
            name = names[key].get(lang) if key in names else key
            sign = ("− " if weight < 0 else "") if i == 0 else ("− " if weight < 0 else "+ ")
            terms.append(f"{sign}{_weight(weight, decimal)} × {name}")
        texts[lang] = " ".join(terms)
    return label("report.ranking.composite", formula=Text(texts["vi"], texts["en"]))
