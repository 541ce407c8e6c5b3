import io
import re
import unicodedata
from dataclasses import dataclass, replace

import pypdf
import pytest
import zxingcpp
from PIL import ImageOps

from app.render import poster
from app.render.poster import QR_MIN_MM, PosterSpec, posters_pdf

A4_PT = (595.28, 841.89)
MM_PER_PT = 25.4 / 72

SPECS = [
    PosterSpec(
        unit_name="UBND xã Tân Phú",
        counter_name="Quầy 1 – Tư pháp, hộ tịch",
        url="https://khaosat.example.gov.vn/s/AbC123xYz789",
        short_url="khaosat.example.gov.vn/s/AbC123xYz789",
        province_name="Tỉnh Đồng Nai",
    ),
    PosterSpec(
        unit_name="Trung tâm Phục vụ hành chính công tỉnh Bà Rịa - Vũng Tàu",
        counter_name="Quầy 12 – Đất đai, tài nguyên và môi trường",
        url="https://khaosat.example.gov.vn/s/Q7?sp=12&lang=vi",
        short_url="https://khaosat.example.gov.vn/s/Q7?sp=12&lang=vi",
    ),
    PosterSpec(
        unit_name="Bộ phận Một cửa UBND phường Bến Nghé",
        counter_name="Quầy 3 – Chứng thực",
        url="https://khaosat.example.gov.vn/s/" + "Zz9" * 40,
        short_url="khaosat.vn/Zz9",
        province_name="TP. Hồ Chí Minh",
    ),
]

# Long but realistic: the full name of a one-stop shop and a counter serving
# several procedure fields.
LONG_SPEC = PosterSpec(
    unit_name=(
        "Bộ phận Tiếp nhận và Trả kết quả giải quyết thủ tục hành chính "
        "Ủy ban nhân dân xã Phú Lợi, huyện Định Quán, tỉnh Đồng Nai"
    ),
    counter_name=(
        "Quầy 5 – Đất đai, tài nguyên và môi trường; xây dựng; giao thông "
        "vận tải; nông nghiệp và phát triển nông thôn; công thương"
    ),
    url="https://khaosat.example.gov.vn/s/LongNames",
    short_url="https://khaosat.example.gov.vn/s/LongNames?from=a-very-long-short-url",
    province_name="Tỉnh Đồng Nai",
)


@dataclass
class Page:
    text: str
    lines: list[tuple[str, float, float]]  # text, x, baseline y (pt, from bottom)
    qr_url: str
    qr_box: tuple[float, float, float, float]  # x, y, w, h of the QR image (pt)
    symbol_mm: float  # printed width of the dark symbol, quiet zone excluded


def read_pages(pdf: bytes) -> list[Page]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [read_page(page) for page in reader.pages]


def read_page(page: pypdf.PageObject) -> Page:
    lines = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            lines.append((text, tm[4], tm[5]))

    text = page.extract_text(visitor_text=visit)

    [image_file] = page.images
    image = image_file.image
    [barcode] = zxingcpp.read_barcodes(image)

    content = page.get_contents().get_data().decode("latin-1")
    name = image_file.name.rsplit(".", 1)[0]
    placement = re.search(rf"([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm\s*/{name} Do", content)
    w, h, x, y = map(float, placement.groups())

    left, _, right, _ = ImageOps.invert(image.convert("L")).getbbox()
    symbol_mm = (right - left) / image.width * w * MM_PER_PT
    return Page(text, lines, barcode.text, (x, y, w, h), symbol_mm)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    return read_pages(posters_pdf(SPECS))


def test_one_a4_portrait_page_per_spec():
    reader = pypdf.PdfReader(io.BytesIO(posters_pdf(SPECS)))

    assert len(reader.pages) == len(SPECS)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_PT[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_PT[1], abs=1)


def test_each_page_names_its_unit_and_counter_in_vietnamese(pages):
    for spec, page in zip(SPECS, pages, strict=True):
        text = flat(page.text)
        assert spec.unit_name in text
        assert spec.counter_name in text
        assert "Ý KIẾN CỦA BẠN GIÚP CHÚNG TÔI PHỤC VỤ TỐT HƠN" in text
        assert "Quét mã QR bằng camera điện thoại" in text
        assert "Khảo sát ẩn danh, mất khoảng 1 phút." in text
        assert "Scan with your phone camera to rate our service." in text
    assert "Tư pháp, hộ tịch" in pages[0].text


def test_the_stated_time_is_the_forms():
    (page,) = read_pages(posters_pdf([replace(SPECS[0], minutes=4)]))
    text = flat(page.text)
    assert "Khảo sát ẩn danh, mất khoảng 4 phút." in text and "Anonymous, about 4 minutes." in text


def test_province_is_printed_only_when_given(pages):
    assert "TỈNH ĐỒNG NAI" in pages[0].text
    assert "TP. HỒ CHÍ MINH" in pages[2].text
    assert "TỈNH" not in pages[1].text.split("\n")[0]


def test_each_page_prints_its_short_url(pages):
    for spec, page in zip(SPECS, pages, strict=True):
        assert spec.short_url in "".join(page.text.split())


def test_each_page_carries_its_own_scannable_code(pages):
    for spec, page in zip(SPECS, pages, strict=True):
        assert page.qr_url == spec.url


def test_code_is_at_least_12_cm_wide_and_on_the_page(pages):
    for page in pages:
        x, y, w, h = page.qr_box
        assert page.symbol_mm >= QR_MIN_MM
        assert x >= 0 and x + w <= A4_PT[0]
        assert y >= 0 and y + h <= A4_PT[1]


def assert_laid_out_cleanly(page: Page) -> None:
    """Every line starts inside the frame and none runs into the QR code."""
    inset = poster.FRAME_INSET / MM_PER_PT
    _, qr_y, _, qr_h = page.qr_box
    for text, x, baseline in page.lines:
        assert inset < x < A4_PT[0] - inset, text
        assert inset < baseline < A4_PT[1] - inset, text
        assert not qr_y <= baseline <= qr_y + qr_h, text


def test_text_stays_clear_of_the_code_and_the_edges(pages):
    for page in pages:
        assert_laid_out_cleanly(page)


def test_long_names_wrap_on_one_page():
    [page] = read_pages(posters_pdf([LONG_SPEC]))

    assert flat(LONG_SPEC.unit_name) in flat(page.text)
    assert flat(LONG_SPEC.counter_name) in flat(page.text)
    assert LONG_SPEC.short_url in "".join(page.text.split())
    assert page.qr_url == LONG_SPEC.url
    assert page.symbol_mm >= QR_MIN_MM
    assert_laid_out_cleanly(page)


def test_names_too_long_for_any_poster_are_refused():
    spec = PosterSpec(
        unit_name="Ủy ban nhân dân xã Tân Phú " * 40,
        counter_name="Quầy 1",
        url="https://khaosat.example.gov.vn/s/x",
        short_url="khaosat.example.gov.vn/s/x",
    )
    with pytest.raises(ValueError, match="too long"):
        posters_pdf([spec])


def test_decomposed_vietnamese_is_printed_composed():
    decomposed = unicodedata.normalize("NFD", "UBND xã Tân Phú")
    spec = PosterSpec(decomposed, "Quầy 1", "https://k.example.vn/s/a", "k.example.vn/s/a")

    [page] = read_pages(posters_pdf([spec]))

    assert "UBND xã Tân Phú" in page.text


def test_empty_short_url_prints_the_full_url():
    spec = PosterSpec("UBND xã Tân Phú", "Quầy 1", "https://k.example.vn/s/a", "")

    [page] = read_pages(posters_pdf([spec]))

    assert "https://k.example.vn/s/a" in page.text


def test_no_specs_is_an_error():
    with pytest.raises(ValueError, match="at least one PosterSpec"):
        posters_pdf([])


@pytest.mark.parametrize("field", ["unit_name", "counter_name", "url"])
def test_spec_requires_names_and_url(field):
    values = {
        "unit_name": "UBND xã Tân Phú",
        "counter_name": "Quầy 1",
        "url": "https://k.vn/s/a",
    }
    values[field] = " "
    with pytest.raises(ValueError, match=field):
        PosterSpec(short_url="k.vn/s/a", **values)


def test_fonts_ship_with_the_repository_and_are_embedded():
    for name in (
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSansMono.ttf",
        "DejaVu-LICENSE.txt",
    ):
        assert (poster.FONT_DIR / name).is_file()

    reader = pypdf.PdfReader(io.BytesIO(posters_pdf(SPECS[:1])))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    base_fonts = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert base_fonts and all("DejaVu" in name for name in base_fonts)
