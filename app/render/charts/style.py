"""Colours, font and type sizes of the PDF report's charts.

The report's text and tables use the same colours, so a unit marked green or
red in a chart reads the same way in the tables around it. The font must be
registered on the document under :data:`FONT` (regular and bold), as
:class:`app.render.pdf.document.Document` does.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "AMBER",
    "BAND",
    "FONT",
    "FRAME",
    "GREEN",
    "GREY",
    "GRID",
    "INK",
    "LABEL_PT",
    "NAVY",
    "PT",
    "RED",
    "RGB",
    "TICK_PT",
    "Fmt",
]

RGB = tuple[int, int, int]

FONT = "DejaVu"
INK: RGB = (25, 25, 25)
GREY: RGB = (110, 110, 110)
GRID: RGB = (225, 225, 225)
FRAME: RGB = (160, 160, 160)
NAVY: RGB = (11, 55, 120)
RED: RGB = (190, 30, 45)
GREEN: RGB = (20, 130, 60)
AMBER: RGB = (215, 130, 0)
BAND: RGB = (205, 218, 238)

PT = 25.4 / 72  # one point in mm
TICK_PT = 7.0  # tick labels
LABEL_PT = 7.5  # row labels and legends
Fmt = Callable[[float], str]
