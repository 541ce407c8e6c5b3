"""Charts for the dashboard as inline SVG: no JavaScript library, nothing
fetched from elsewhere, readable without scripts and allowed by the CSP.

Each function takes report data and returns an SVG document as a string
(text is escaped). Colours follow the verdicts: red worse, green better.
"""

from __future__ import annotations

from html import escape

from app.numbers import count, percent
from app.render.charts.scales import period_short
from app.services.reports.model import INDEX_KEY, Funnel, TrendPoint, UnitLine
from app.texts import texts

COLOURS = {"worse": "#b3261e", "better": "#1b7f3b", None: "#44546a", "not_distinguishable": "#44546a"}
GREY = "#9aa5b1"


def _pct(v: float, lang: str) -> str:
    return percent(v, lang)


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" class="chart">' + "".join(body) + "</svg>"
    )


def _axis_x(x0: int, x1: int, y: int, lo: float, hi: float, lang: str, ticks: int = 5) -> list[str]:
    out = [f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#555"/>']
    for i in range(ticks + 1):
        v = lo + (hi - lo) * i / ticks
        x = x0 + (x1 - x0) * i / ticks
        out.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4}" stroke="#555"/>')
        out.append(f'<text x="{x:.1f}" y="{y + 16}" font-size="11" text-anchor="middle">{_pct(v, lang)}</text>')
    return out


def units_chart(units: list[UnitLine], target: float | None, label: str, key: str = INDEX_KEY, lang: str = "vi") -> str:
    """Units sorted by ``key`` with their intervals as whiskers and the total as a line."""
    rows = [(u, u.figures[key]) for u in units if key in u.figures and u.figures[key].estimate is not None]
    rows.sort(key=lambda r: -r[1].estimate)
    if not rows:
        return ""
    left, right, top, step = 190, 620, 10, 18
    height = top + step * len(rows) + 30
    lo = min(min((f.lower if f.lower is not None else f.estimate) for _, f in rows), target or 1.0)
    hi = max(max((f.upper if f.upper is not None else f.estimate) for _, f in rows), target or 0.0)
    lo, hi = max(0.0, lo - 0.02), min(1.0, hi + 0.02)
    span = (hi - lo) or 1.0

    def x(v: float) -> float:
        return left + (right - left) * (v - lo) / span

    body = []
    for i, (u, f) in enumerate(rows):
        y = top + step * i + step / 2
        colour = COLOURS.get(f.verdict, COLOURS[None]) if f.reliable else GREY
        name = u.name if len(u.name) <= 30 else u.name[:29] + "…"
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{escape(name)}</text>')
        if f.lower is not None and f.upper is not None:
            body.append(
                f'<line x1="{x(f.lower):.1f}" y1="{y:.1f}" x2="{x(f.upper):.1f}" y2="{y:.1f}" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        body.append(
            f'<circle cx="{x(f.estimate):.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>{escape(u.name)}: {_pct(f.estimate, lang)} (n={count(f.n, lang)})</title></circle>"
        )
    axis_y = top + step * len(rows) + 4
    if target is not None:
        body.append(
            f'<line x1="{x(target):.1f}" y1="{top}" x2="{x(target):.1f}" y2="{axis_y}" '
            'stroke="#000" stroke-dasharray="4 3"/>'
        )
    body += _axis_x(left, right, axis_y, lo, hi, lang)
    return _svg(640, height, body, label)


def funnel_chart(funnel: Funnel | None, label: str, lang: str = "vi") -> str:
    """Funnel plot: units by effective sample size, with 95% and 99.8% limits."""
    if funnel is None:
        return ""
    left, right, top, bottom = 50, 620, 10, 250
    n_max = max(funnel.n)
    ys = [p.estimate for p in funnel.points] + funnel.lower_998 + funnel.upper_998
    lo, hi = max(0.0, min(ys) - 0.02), min(1.0, max(ys) + 0.02)
    span = (hi - lo) or 1.0

    def x(n: float) -> float:
        return left + (right - left) * n / n_max

    def y(v: float) -> float:
        return bottom - (bottom - top) * (v - lo) / span

    def path(values: list[float]) -> str:
        pts = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in zip(funnel.n, values, strict=True))
        return pts

    body = [
        f'<polyline points="{path(funnel.lower_95)}" fill="none" stroke="#e08a00"/>',
        f'<polyline points="{path(funnel.upper_95)}" fill="none" stroke="#e08a00"/>',
        f'<polyline points="{path(funnel.lower_998)}" fill="none" stroke="#b3261e" stroke-dasharray="5 3"/>',
        f'<polyline points="{path(funnel.upper_998)}" fill="none" stroke="#b3261e" stroke-dasharray="5 3"/>',
        f'<line x1="{left}" y1="{y(funnel.target):.1f}" x2="{right}" y2="{y(funnel.target):.1f}" stroke="#000"/>',
    ]
    n_eff = escape(texts("chart.n_eff", lang))
    for p in funnel.points:
        body.append(
            f'<circle cx="{x(p.n):.1f}" cy="{y(p.estimate):.1f}" r="3.5" fill="#1f4e79">'
            f"<title>{escape(p.name)}: {_pct(p.estimate, lang)} ({n_eff}={count(p.n, lang)})</title></circle>"
        )
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#555"/>')
    for i in range(5):
        n = n_max * i / 4
        body.append(
            f'<text x="{x(n):.1f}" y="{bottom + 16}" font-size="11" text-anchor="middle">{count(round(n), lang)}</text>'
        )
        v = lo + span * i / 4
        body.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{_pct(v, lang)}</text>')
    return _svg(640, 275, body, label)


def trend_chart(trend: list[TrendPoint], label: str, key: str = INDEX_KEY, lang: str = "vi") -> str:
    """The figure ``key`` over the periods, with interval whiskers."""
    points = [(t, t.figures.get(key)) for t in trend]
    have = [(i, t, f) for i, (t, f) in enumerate(points) if f is not None and f.estimate is not None]
    if not have:
        return ""
    left, right, top, bottom = 50, 620, 10, 200
    ys = [f.estimate for _, _, f in have] + [v for _, _, f in have for v in (f.lower, f.upper) if v is not None]
    lo, hi = max(0.0, min(ys) - 0.02), min(1.0, max(ys) + 0.02)
    span = (hi - lo) or 1.0
    steps = max(len(points) - 1, 1)

    def x(i: int) -> float:
        return left + (right - left) * i / steps

    def y(v: float) -> float:
        return bottom - (bottom - top) * (v - lo) / span

    body = []
    for i, _t, f in have:
        if f.lower is not None and f.upper is not None:
            body.append(
                f'<line x1="{x(i):.1f}" y1="{y(f.lower):.1f}" x2="{x(i):.1f}" y2="{y(f.upper):.1f}" stroke="{GREY}" '
                'stroke-width="3"/>'
            )
    line = " ".join(f"{x(i):.1f},{y(f.estimate):.1f}" for i, _, f in have)
    body.append(f'<polyline points="{line}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
    for i, t, f in have:
        body.append(
            f'<circle cx="{x(i):.1f}" cy="{y(f.estimate):.1f}" r="3.5" fill="#1f4e79">'
            f"<title>{escape(t.label)}: {_pct(f.estimate, lang)} (n={count(f.n, lang)})</title></circle>"
        )
    for i, (t, _f) in enumerate(points):
        body.append(
            f'<text x="{x(i):.1f}" y="{bottom + 16}" font-size="10" text-anchor="middle">'
            f"{escape(period_short(t.start, t.end, lang))}</text>"
        )
    for i in range(5):
        v = lo + span * i / 4
        body.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{_pct(v, lang)}</text>')
    return _svg(640, 225, body, label)
