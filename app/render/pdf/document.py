"""The A4 document of the PDF report: running header and footer, fonts,
text cleaning, headings, notes and the tables' look."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import PageOrientation, TableBordersLayout, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from app.render.charts import marks as chart_marks
from app.render.charts.style import FONT, GREY, INK, NAVY
from app.render.pdf.text import snapshot
from app.render.poster import FONT_DIR
from app.services.reports.model import Report
from app.texts import texts

MARGIN = 15.0
MARGIN_LANDSCAPE = 12.0
BOTTOM = 16.0
LIGHT = (238, 242, 248)
ZEBRA = (247, 247, 247)
#: Unicode categories dropped from free text: controls, format, unassigned, surrogates, private use.
INVISIBLE = frozenset({"Cc", "Cf", "Cn", "Cs", "Co"})


class Document(FPDF):
    """A4 with the running header (title, period) and footer (page x/y)."""

    def __init__(self, report: Report, lang: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.lang = lang
        self.running_title = report.title.get(lang)
        self.running_period = report.period.label(lang)
        self.running_snapshot = f"{texts('pdf.dept_short', lang)} · {snapshot(report.generated_at)}"
        self.glyphs: set[int] = set()
        self.set_margins(MARGIN, 18, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.alias_nb_pages()
        self.set_title(f"{self.running_title} – {self.running_period}")
        self.set_creator("app.render.pdf.report")
        self.set_lang(lang)

    def fonts_load(self) -> None:
        """Register DejaVu Sans; call inside the try whose finally closes the fonts."""
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        regular, bold = (self.fonts[key] for key in (FONT.lower(), FONT.lower() + "B"))
        self.glyphs = set(regular.cmap) & set(bold.cmap)

    def portrait(self, new_page: bool = True) -> None:
        """Start a portrait page; with ``new_page`` False, only if this one is landscape."""
        if new_page or self.cur_orientation is not PageOrientation.PORTRAIT:
            self.set_margins(MARGIN, 18, MARGIN)
            self.add_page(orientation="P")

    def landscape(self, new_page: bool = True) -> None:
        if new_page or self.cur_orientation is not PageOrientation.LANDSCAPE:
            self.set_margins(MARGIN_LANDSCAPE, 18, MARGIN_LANDSCAPE)
            self.add_page(orientation="L")

    def header(self) -> None:
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, 8)
        width = self.w - self.l_margin - self.r_margin
        self.cell(width / 2, 4, self.running_title, align="L")
        self.cell(width / 2, 4, self.running_period, align="R")
        self.set_draw_color(*NAVY)
        self.set_line_width(0.3)
        self.line(self.l_margin, 12.5, self.w - self.r_margin, 12.5)
        self.set_xy(self.l_margin, 18)

    def footer(self) -> None:
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY)
        self.set_draw_color(200, 200, 200)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.h - 11.5, self.w - self.r_margin, self.h - 11.5)
        self.set_xy(self.l_margin, self.h - 11)
        width = self.w - self.l_margin - self.r_margin
        self.cell(width / 2, 4, self.running_snapshot, align="L")
        self.cell(width / 2, 4, texts("pdf.page", self.lang, page=self.page_no(), pages="{nb}"), align="R")

    @property
    def content_w(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def room(self) -> float:
        return self.page_break_trigger - self.get_y()

    def clean(self, value: object) -> str:
        """Plain printable text: NFC (decomposed Vietnamese prints badly),
        no control characters, and a box for glyphs the font lacks."""
        s = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
        out = []
        for ch in s:
            if ch in "\n\t":
                out.append(" " if ch == "\t" else ch)
            elif unicodedata.category(ch) in INVISIBLE:
                continue
            else:
                out.append(ch if ord(ch) in self.glyphs else "□")
        return "".join(out)

    def heading(self, title: str, need: float = 40.0) -> None:
        """A section title, moved to a new page when less than ``need`` mm follow it."""
        if self.room() < need + 10:
            self.add_page(same=True)
        self.ln(2)
        self.set_font(FONT, "B", 12)
        self.set_text_color(*NAVY)
        self.multi_cell(0, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def note(self, text: str, size: float = 7.5, color: tuple[int, int, int] = GREY) -> None:
        self.set_font(FONT, "", size)
        self.set_text_color(*color)
        self.multi_cell(0, size * 0.45, self.clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def no_data(self, height: float = 20.0) -> None:
        if self.room() < height:
            self.add_page(same=True)
        chart_marks.no_data(self, self.l_margin, self.get_y(), self.content_w, height, texts("pdf.no_data", self.lang))
        self.set_y(self.get_y() + height + 3)


def table_style(pdf: Document, size: float = 8.0) -> dict[str, object]:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.15)
    # fpdf2 tables start from the current fill colour (a chart's, say): reset it.
    pdf.set_fill_color(255, 255, 255)
    return {
        "borders_layout": TableBordersLayout.HORIZONTAL_LINES,
        "headings_style": FontFace(emphasis="BOLD", color=NAVY, fill_color=LIGHT, size_pt=size - 0.5),
        "cell_fill_color": ZEBRA,
        "cell_fill_mode": TableCellFillMode.EVEN_ROWS,
        "line_height": size * 0.45,
        "padding": (0.9, 1.2),
        "repeat_headings": 1,
    }


def header_widths(pdf: Document, headers: Sequence[str], *, size: float, least: float) -> list[float]:
    """Column widths at which no word of a header has to break (bold, plus padding)."""
    pdf.set_font(FONT, "B", size)
    pad = 2 * 1.2 + 2 * pdf.c_margin + 0.5  # table padding, cell margins, rounding
    return [max(least, max((pdf.get_string_width(w) for w in h.split()), default=0) + pad) for h in headers]


def fit(pdf: Document, text: str, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` in the current font."""
    return _fitted(pdf, text, width)[0]


def _fitted(pdf: Document, text: str, width: float) -> tuple[str, float]:
    """:func:`fit` and the width of what it returns."""
    used = pdf.get_string_width(text)
    if used <= width:
        return text, used
    while text and (used := pdf.get_string_width(text + "…")) > width:
        text = text[:-1]
    return text + "…", used


def fast_table(
    pdf: Document,
    widths: Sequence[float],
    aligns: Sequence[str],
    headings: Sequence[str],
    rows: Sequence[Sequence[tuple[str, str, tuple[int, int, int]]]],
    *,
    size: float,
) -> None:
    """A one-line-per-row table drawn with plain text.

    fpdf2's ``table()`` lays out every cell as a multi-line block, which
    for the units table of a province (1,000 units x 13 columns) took most
    of a 13 s render; units tables have short cells, so a row is one line
    and over-long names are shortened with an ellipsis. Cells are placed
    with ``text()`` where ``cell()`` would have put them (baseline at half
    the line plus 0.3 of the font size, ``c_margin`` from the aligned edge):
    ``cell()`` costs about six times as much, and 13,000 of them add up.
    The heading's line breaks are worked out once, not on every page.
    """
    line_h = size * 0.5
    pad = 1.0
    pdf.set_font(FONT, "B", size - 0.5)
    heading_lines = [
        pdf.multi_cell(w - 2 * pad, line_h, h, dry_run=True, output="LINES")
        for w, h in zip(widths, headings, strict=True)
    ]
    block = max(len(lines) for lines in heading_lines) * line_h + 2 * pad

    def place(x: float, w: float, y: float, text: str, align: str) -> None:
        """``text`` (already fitted) as ``cell(w, line_h, text, align=align)`` at (x, y) would put it."""
        used = pdf.get_string_width(text)
        if align == "R":
            x += w - pdf.c_margin - used
        elif align == "C":
            x += (w - used) / 2
        else:
            x += pdf.c_margin
        pdf.text(x, y + 0.5 * line_h + 0.3 * pdf.font_size, text)

    def header() -> None:
        pdf.set_font(FONT, "B", size - 0.5)
        pdf.set_fill_color(*LIGHT)
        pdf.set_text_color(*NAVY)
        y = pdf.get_y()
        x = pdf.l_margin
        for w, lines, a in zip(widths, heading_lines, aligns, strict=True):
            pdf.rect(x, y, w, block, style="F")
            for k, line in enumerate(lines):
                place(x + pad, w - 2 * pad, y + pad + k * line_h, line, a)
            x += w
        pdf.set_xy(pdf.l_margin, y + block)

    header()
    row_h = line_h + 2 * pad
    total = sum(widths)
    for i, row in enumerate(rows):
        if pdf.get_y() + row_h > pdf.page_break_trigger:
            pdf.add_page(orientation=pdf.cur_orientation)
            header()
        y = pdf.get_y()
        if i % 2:
            pdf.set_fill_color(*ZEBRA)
            pdf.rect(pdf.l_margin, y, total, row_h, style="F")
        x = pdf.l_margin
        for w, a, (text, style, color) in zip(widths, aligns, row, strict=True):
            pdf.set_font(FONT, style, size)
            pdf.set_text_color(*color)
            inner = w - 2 * pad
            shown, used = _fitted(pdf, text, inner)  # as before: fitted to the padded width
            if a == "R":
                tx = x + pad + inner - pdf.c_margin - used
            elif a == "C":
                tx = x + pad + (inner - used) / 2
            else:
                tx = x + pad + pdf.c_margin
            if shown:
                pdf.text(tx, y + pad + 0.5 * line_h + 0.3 * pdf.font_size, shown)
            x += w
        pdf.set_draw_color(190, 190, 190)
        pdf.line(pdf.l_margin, y + row_h, pdf.l_margin + total, y + row_h)
        pdf.set_xy(pdf.l_margin, y + row_h)
    pdf.set_text_color(*INK)
