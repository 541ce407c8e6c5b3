"""Printable A4 posters that invite citizens at a counter to take the survey.

Pure rendering: plain :class:`PosterSpec` values go in, PDF bytes come out.
One A4 portrait page per service point, laid out top to bottom:

* header: province (optional), unit, service point;
* title, Vietnamese instruction and an English line beneath it;
* the QR code, as large as the page allows (the symbol itself is never
  narrower than :data:`QR_MIN_MM`, so it reads from about a metre away);
* the short URL for people who would rather type it, and a small footer.

Text is set in DejaVu Sans, shipped in ``static/fonts`` and embedded
(subset) in the PDF, so Vietnamese prints the same on every machine.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, WrapMode, XPos, YPos
from PIL import Image

from app.render.qr import qr_png
from app.texts import texts

__all__ = ["QR_MIN_MM", "PosterSpec", "posters_pdf"]

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"

#: The poster speaks Vietnamese, with the instruction repeated in this language beneath it.
SECOND_LANG = "en"

#: Smallest printed width of the QR symbol (quiet zone excluded), in mm.
QR_MIN_MM = 120.0
#: Largest printed width of the QR symbol; beyond this the page looks empty.
QR_MAX_MM = 140.0
#: Quiet zone around the symbol, in modules (4 is what the standard asks).
QR_BORDER = 4
#: Pixels per module in the embedded PNG: crisp edges when printed large.
QR_BOX_PX = 24

PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, mm
FRAME_INSET = 8.0
MARGIN_X = 16.0
MARGIN_TOP = 15.0
MARGIN_BOTTOM = 13.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
PT = 25.4 / 72  # one point in mm
LINE_SPACING = 1.2

NAVY = (11, 55, 120)
RED = (180, 20, 30)
INK = (20, 20, 20)
GREY = (90, 90, 90)

#: Global text scales tried in turn until the QR code fits at QR_MIN_MM.
TEXT_SCALES = (1.0, 0.9, 0.8, 0.7)


@dataclass(frozen=True)
class PosterSpec:
    """What one poster shows.

    Attributes
    ----------
    unit_name : str
        The unit, e.g. "UBND xã Tân Phú".
    counter_name : str
        The service point, e.g. "Quầy 1 – Tư pháp, hộ tịch".
    url : str
        The full URL encoded in the QR code.
    short_url : str
        Printed under the code for people who type it; may equal ``url``.
        When empty, ``url`` is printed.
    province_name : str
        Optional first header line, e.g. "TỈNH ĐỒNG NAI".
    minutes : int
        How long the form takes, as its intro states it (the instrument's
        checked ``duration``).
    """

    unit_name: str
    counter_name: str
    url: str
    short_url: str
    province_name: str = ""
    minutes: int = 1

    def __post_init__(self) -> None:
        for field in ("unit_name", "counter_name", "url"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"PosterSpec.{field} must be a non-empty string.")


@dataclass(frozen=True)
class _Text:
    """One centred paragraph of the layout."""

    text: str
    family: str
    style: str
    size: float  # points
    color: tuple[int, int, int]
    space_after: float = 0.0  # mm
    rule_after: bool = False  # a thin line in the middle of space_after
    wrapmode: WrapMode = WrapMode.WORD

    @property
    def line_height(self) -> float:
        return self.size * PT * LINE_SPACING


def posters_pdf(specs: Sequence[PosterSpec]) -> bytes:
    """Render one A4 portrait poster page per spec and return the PDF.

    Raises
    ------
    ValueError
        If ``specs`` is empty, or if a name is so long that the QR code would
        have to shrink below :data:`QR_MIN_MM` to make room for it.
    """
    if not specs:
        raise ValueError("posters_pdf() needs at least one PosterSpec; got none.")
    pdf = _new_document()
    try:
        for spec in specs:
            _render_poster(pdf, spec)
        return bytes(pdf.output())
    finally:
        # fpdf2 reads fonts lazily and closes only those it embedded, and
        # only when output() runs; close the rest so no file handle leaks.
        for font in pdf.fonts.values():
            font.close()


def _new_document() -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font("DejaVuMono", "", FONT_DIR / "DejaVuSansMono.ttf")
    # The mono face lacks some Vietnamese letters; borrow them from Sans.
    pdf.set_fallback_fonts(["DejaVu"], exact_match=False)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
    pdf.set_title(texts("poster.document_title"))
    pdf.set_creator("app.render.poster")
    pdf.set_lang("vi")
    return pdf


def _clean(text: str) -> str:
    """NFC-normalise and collapse whitespace.

    Vietnamese typed with some input methods arrives decomposed (base letter
    plus combining marks); without text shaping those marks print misplaced,
    so compose them into the precomposed letters the font has.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def _render_poster(pdf: FPDF, spec: PosterSpec) -> None:
    png = qr_png(spec.url, box_size=QR_BOX_PX, border=QR_BORDER)
    with Image.open(io.BytesIO(png)) as image:
        modules_with_border = image.width // QR_BOX_PX
    symbol_share = (modules_with_border - 2 * QR_BORDER) / modules_with_border

    pdf.add_page()  # measuring text needs a page to measure on
    for scale in TEXT_SCALES:
        top = _top_blocks(pdf, spec, scale)
        bottom = _bottom_blocks(pdf, spec, scale)
        top_end = MARGIN_TOP + _height(pdf, top)
        bottom_start = PAGE_H - MARGIN_BOTTOM - _height(pdf, bottom)
        room = bottom_start - top_end
        max_image_w = PAGE_W - 2 * (FRAME_INSET + 1)
        symbol = min(QR_MAX_MM, room * symbol_share, max_image_w * symbol_share)
        if symbol >= QR_MIN_MM:
            break
    else:
        raise ValueError(
            f"Poster for {spec.counter_name!r} at {spec.unit_name!r}: the names "
            f"or the short URL are too long to fit beside a {QR_MIN_MM / 10:g} cm "
            "QR code; shorten them."
        )

    _draw_frame(pdf)
    pdf.set_xy(MARGIN_X, MARGIN_TOP)
    _draw(pdf, top)

    image_size = symbol / symbol_share
    pdf.image(
        io.BytesIO(png),
        x=(PAGE_W - image_size) / 2,
        y=top_end + (room - image_size) / 2,
        w=image_size,
        h=image_size,
        link=spec.url,
        alt_text=texts("poster.qr_alt", url=spec.url),
    )

    pdf.set_xy(MARGIN_X, bottom_start)
    _draw(pdf, bottom)


def _top_blocks(pdf: FPDF, spec: PosterSpec, scale: float) -> list[_Text]:
    blocks = []
    province = _clean(spec.province_name).upper()
    if province:
        blocks.append(_Text(province, "DejaVu", "B", 13 * scale, NAVY, 1))
    unit = _clean(spec.unit_name)
    unit_size = _fit(pdf, unit, "B", (22, 20, 18, 16), scale)
    counter = _clean(spec.counter_name)
    counter_size = _fit(pdf, counter, "", (18, 16, 14), scale)
    blocks += [
        _Text(unit, "DejaVu", "B", unit_size, NAVY, 2),
        _Text(counter, "DejaVu", "", counter_size, INK, 8 * scale, rule_after=True),
        _Text(texts("poster.title"), "DejaVu", "B", 26 * scale, RED, 4 * scale),
        _Text(texts("poster.instruction", minutes=spec.minutes), "DejaVu", "", 14 * scale, INK, 1.5 * scale),
        _Text(texts("poster.instruction", SECOND_LANG, minutes=spec.minutes), "DejaVu", "", 11 * scale, GREY),
    ]
    return blocks


def _bottom_blocks(pdf: FPDF, spec: PosterSpec, scale: float) -> list[_Text]:
    short_url = _clean(spec.short_url) or _clean(spec.url)
    # Shrink the URL to one line where possible; wrap by character otherwise.
    pdf.set_font("DejaVuMono", "", 18)
    room = 0.98 * (CONTENT_W - 2 * pdf.c_margin)  # a hair of slack for rounding
    one_line = 18 * room / pdf.get_string_width(short_url)
    url_size = min(18.0, max(10.0, one_line))
    return [
        _Text(texts("poster.url_label"), "DejaVu", "", 10 * scale, GREY, 1),
        _Text(
            short_url,
            "DejaVuMono",
            "",
            url_size,
            INK,
            space_after=4,
            rule_after=True,
            wrapmode=WrapMode.CHAR,
        ),
        _Text(texts("poster.footer"), "DejaVu", "", 8.5, GREY),
    ]


def _fit(pdf: FPDF, text: str, style: str, sizes: Sequence[float], scale: float) -> float:
    """Largest of ``sizes`` (times ``scale``) that sets ``text`` in two lines."""
    for size in sizes:
        pdf.set_font("DejaVu", style, size * scale)
        lines = pdf.multi_cell(
            CONTENT_W,
            text=text,
            align="C",
            dry_run=True,
            output=MethodReturnValue.LINES,
        )
        if len(lines) <= 2:
            return size * scale
    return sizes[-1] * scale


def _height(pdf: FPDF, blocks: Sequence[_Text]) -> float:
    total = 0.0
    for block in blocks:
        pdf.set_font(block.family, block.style, block.size)
        total += pdf.multi_cell(
            CONTENT_W,
            block.line_height,
            block.text,
            align="C",
            wrapmode=block.wrapmode,
            dry_run=True,
            output=MethodReturnValue.HEIGHT,
        )
        total += block.space_after
    return total


def _draw(pdf: FPDF, blocks: Sequence[_Text]) -> None:
    for block in blocks:
        pdf.set_font(block.family, block.style, block.size)
        pdf.set_text_color(*block.color)
        pdf.multi_cell(
            CONTENT_W,
            block.line_height,
            block.text,
            align="C",
            wrapmode=block.wrapmode,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        if block.rule_after:
            y = pdf.get_y() + block.space_after / 2
            pdf.set_draw_color(*NAVY)
            pdf.set_line_width(0.4)
            pdf.line(MARGIN_X + 20, y, PAGE_W - MARGIN_X - 20, y)
        pdf.set_y(pdf.get_y() + block.space_after)


def _draw_frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.2)
    pdf.rect(FRAME_INSET, FRAME_INSET, PAGE_W - 2 * FRAME_INSET, PAGE_H - 2 * FRAME_INSET)
