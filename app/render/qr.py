"""QR codes for the survey link of a service point.

Pure rendering: a URL goes in, image bytes come out. Every code uses error
correction level M (about 15 % of the symbol may be damaged or dirty and it
still reads), a good trade-off for a laminated poster on a counter.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathFillImage

__all__ = ["qr_png", "qr_svg"]

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def _build(url: str, *, box_size: int, border: int) -> qrcode.QRCode:
    if not isinstance(url, str) or not url.strip():
        raise ValueError("A QR code needs a non-empty URL.")
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=box_size, border=border)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, *, box_size: int = 10, border: int = 4) -> bytes:
    """Return a black-on-white PNG of the QR code for ``url``.

    Parameters
    ----------
    url : str
        The text to encode, normally the full survey URL. Must not be empty.
    box_size : int
        Pixels per module (the small squares), at least 1.
    border : int
        Quiet zone in modules, at least 0. The QR standard asks for 4; keep it
        unless the caller leaves the same white margin itself.

    Raises
    ------
    ValueError
        If ``url`` is empty or ``box_size``/``border`` are out of range.
    """
    code = _build(url, box_size=box_size, border=border)
    buffer = io.BytesIO()
    code.make_image(image_factory=PilImage).save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    """Return a standalone SVG document (UTF-8) of the QR code for ``url``.

    The modules are drawn as one ``<path>`` on a white background, so the
    code stays readable on a dark page and scales to any print size. The
    document declares its size in millimetres (1 mm per module, quiet zone
    of 4 modules) and has a ``viewBox``, so it can be resized freely.

    Raises
    ------
    ValueError
        If ``url`` is empty.
    """
    code = _build(url, box_size=10, border=4)
    buffer = io.BytesIO()
    code.make_image(image_factory=SvgPathFillImage).save(buffer)
    return buffer.getvalue()
