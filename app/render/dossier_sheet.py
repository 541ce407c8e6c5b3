"""Printable sheets of one-time dossier codes, for counters without
one-stop-shop software (issue 16.3).

Pure rendering: plain :class:`DossierSlip` values in, PDF bytes out. Eight
slips to an A4 page (two across, four down), each with cut lines: the
counter, the instruction in Vietnamese with an English line, the QR code of
the slip's own one-time code, its serial and its last day. A staff member
hands one slip to each citizen whose dossier is done; each slip opens the
counter's verified form once. Fonts and QR rendering are the posters'
(:mod:`app.render.poster`, :mod:`app.render.qr`).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.render.poster import FONT_DIR
from app.render.qr import qr_png
from app.texts import texts

__all__ = ["SLIPS_PER_PAGE", "DossierSlip", "dossier_sheet_pdf"]

PAGE_W, PAGE_H = 210.0, 297.0
COLUMNS, ROWS = 2, 4
SLIPS_PER_PAGE = COLUMNS * ROWS
MARGIN = 8.0
SLIP_W = (PAGE_W - 2 * MARGIN) / COLUMNS
SLIP_H = (PAGE_H - 2 * MARGIN) / ROWS
#: the QR code's printed size with its quiet zone: reads well from a phone held at 20 cm
QR_MM = 44.0
PAD = 4.0
INK = (20, 20, 20)
GREY = (110, 110, 110)


@dataclass(frozen=True)
class DossierSlip:
    unit_name: str
    counter_name: str
    #: the form URL with the slip's one-time code
    url: str
    #: the slip's serial (its dossier number on the code)
    serial: str
    #: the last day the code is good, as printed (dd/mm/yyyy)
    expires: str


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def dossier_sheet_pdf(slips: Sequence[DossierSlip]) -> bytes:
    """The slips, eight to an A4 page.

    Raises
    ------
    ValueError
        If ``slips`` is empty.
    """
    if not slips:
        raise ValueError("dossier_sheet_pdf() needs at least one slip")
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(False)
    pdf.set_title(texts("sheet.document_title"))
    pdf.set_creator("app.render.dossier_sheet")
    pdf.set_lang("vi")
    try:
        for i, slip in enumerate(slips):
            if i % SLIPS_PER_PAGE == 0:
                pdf.add_page()
                _cut_lines(pdf)
            col, row = (i % SLIPS_PER_PAGE) % COLUMNS, (i % SLIPS_PER_PAGE) // COLUMNS
            _slip(pdf, slip, MARGIN + col * SLIP_W, MARGIN + row * SLIP_H)
        return bytes(pdf.output())
    finally:
        for font in pdf.fonts.values():
            font.close()


def _cut_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    with pdf.local_context(dash_pattern={"dash": 2, "gap": 2}):
        for c in range(COLUMNS + 1):
            x = MARGIN + c * SLIP_W
            pdf.line(x, MARGIN, x, PAGE_H - MARGIN)
        for r in range(ROWS + 1):
            y = MARGIN + r * SLIP_H
            pdf.line(MARGIN, y, PAGE_W - MARGIN, y)


def _slip(pdf: FPDF, slip: DossierSlip, x: float, y: float) -> None:
    png = qr_png(slip.url, box_size=8, border=2)
    pdf.image(io.BytesIO(png), x=x + PAD, y=y + (SLIP_H - QR_MM) / 2, w=QR_MM, h=QR_MM, link=slip.url)
    text_x = x + PAD + QR_MM + PAD
    width = SLIP_W - (text_x - x) - PAD
    pdf.set_xy(text_x, y + PAD + 2)
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(width, 4.2, _clean(slip.unit_name), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.multi_cell(width, 4.0, _clean(slip.counter_name), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(width, 4.2, texts("sheet.instruction", "vi"), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(width, 3.3, texts("sheet.instruction", "en"), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 7.5)
    pdf.multi_cell(width, 3.6, texts("sheet.once", "vi", day=slip.expires), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(width, 3.6, slip.serial, new_x=XPos.LEFT, new_y=YPos.NEXT)
