import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from app.render.qr import qr_png, qr_svg

SHORT_URL = "https://khaosat.example.gov.vn/s/AbC123"
QUERY_URL = "https://khaosat.example.gov.vn/s/AbC123?sp=12&lang=vi&ref=poster%20A4"
LONG_URL = "https://khaosat.example.gov.vn/s/" + "AbC123xYz789-_" * 20


def decode(png: bytes) -> list[zxingcpp.Barcode]:
    with Image.open(io.BytesIO(png)) as image:
        return zxingcpp.read_barcodes(image)


@pytest.mark.parametrize("url", [SHORT_URL, QUERY_URL, LONG_URL], ids=["short", "query", "long"])
def test_png_round_trips_the_url(url):
    png = qr_png(url)

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    [barcode] = decode(png)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == url
    assert barcode.ec_level == "M"


def test_png_size_follows_box_size_and_border():
    small = qr_png(SHORT_URL, box_size=1, border=0)
    big = qr_png(SHORT_URL, box_size=10, border=4)

    with Image.open(io.BytesIO(small)) as image:
        modules = image.width
    with Image.open(io.BytesIO(big)) as image:
        assert image.size == ((modules + 8) * 10, (modules + 8) * 10)


@pytest.mark.parametrize("kwargs", [{"box_size": 0}, {"border": -1}])
def test_png_rejects_bad_geometry(kwargs):
    with pytest.raises(ValueError):
        qr_png(SHORT_URL, **kwargs)


@pytest.mark.parametrize("render", [qr_png, qr_svg])
@pytest.mark.parametrize("url", ["", "   "])
def test_empty_url_is_rejected(render, url):
    with pytest.raises(ValueError, match="non-empty URL"):
        render(url)


def test_svg_is_a_standalone_path_document():
    svg = qr_svg(QUERY_URL)

    assert svg.startswith(b"<?xml")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox")
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1 and paths[0].get("d")


def test_svg_and_png_encode_the_same_symbol():
    svg_side = float(ET.fromstring(qr_svg(LONG_URL)).get("viewBox").split()[2])

    with Image.open(io.BytesIO(qr_png(LONG_URL, box_size=1, border=4))) as image:
        assert image.width == svg_side
