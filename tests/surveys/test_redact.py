"""Personal data typed into a comment never reaches the database (issue 15, item 12).

The survey is anonymous, yet people write "gọi lại cho tôi 0912 345 678",
their citizen ID (CCCD) or the receipt number of their dossier, which the
office can look up. ``text_clean`` (every free-text answer, every channel)
replaces each with "[…]", and leaves ordinary numbers alone.
"""

from __future__ import annotations

import re
import time

import pytest

from surveys import text_clean
from surveys.redact import REDACTED, personal_data_redact

R = REDACTED

PHONES = [
    "0912345678",
    "0912 345 678",
    "0912  345 678",
    "0912   345   678",
    "0912.345.678",
    "0912-345-678",
    "091 234 5678",
    "(091) 234 5678",
    "(0912) 345 678",
    "+84912345678",
    "+84 912 345 678",
    "+84-912-345-678",
    "+84 (0)912 345 678",
    "+84(0)912345678",
    "(+84) 912 345 678",
    "84 912 345 678",
    "0084 912 345 678",
    "0387 654 321",
    "0705.123.456",
    "0868 11 22 33",
    "024 3825 1234",
    "(024) 3825 1234",
    "0243.825.1234",
    "+84 24 3825 1234",
    "0219 3866 555",
    "0 9 1 2 3 4 5 6 7 8",
]
CITIZEN_IDS = [
    "001203012345",
    "079 203 012 345",
    "0012 0301 2345",
    "001.203.012.345",
    "CCCD 001203012345",
    "CMND số 215123456",
    "CMND: 215 123 456",
    "số CCCD là 037096001234",
    "căn cước 001203012345",
    "chứng minh nhân dân 121234567",
    "số định danh cá nhân 001203012345",
    "hộ chiếu B1234567",
]
RECEIPTS = [
    "000.00.12.H42-241205-0001",
    "000.00.12.H42 - 241205 - 0001",
    "000.20.31.H56-240101-00012",
    "H42.12-241205-0001",
    "G22.61-231218-0005",
    "h42.12-241205-0001",
    "số biên nhận 2412050001",
    "mã hồ sơ: HS-2024-001234",
    "Mã hồ sơ H42.12-241205-0001",
    "phiếu hẹn số 123/PH-UBND",
]
EMAILS = [
    "nguyen.van.a@gmail.com",
    "nguyen.van.a @ gmail.com",
    "nguyenvana[at]gmail.com",
    "nguyenvana [at] gmail.com",
    "nguyenvana(at)gmail.com",
    "nguyenvana (at) gmail (dot) com",
    "nguyenvana[at]gmail[dot]com",
    "nguyenvana at gmail dot com",
    "nguyenvana a còng gmail chấm com",
    "nguyenvana[a còng]gmail.com",
    "can.bo@ubnd.hagiang.gov.vn",
    "lan_anh+khaosat@yahoo.com.vn",
]


@pytest.mark.parametrize("value", PHONES + CITIZEN_IDS + RECEIPTS + EMAILS)
def test_personal_data_is_removed_in_a_sentence(value):
    text = f"Cán bộ hẹn lại, ông/bà liên hệ {value} nhé, cảm ơn."
    cleaned = text_clean(text)
    assert cleaned.startswith("Cán bộ hẹn lại, ông/bà liên hệ ") and cleaned.endswith(" nhé, cảm ơn.")
    assert R in cleaned
    assert not re.search(r"\d{3}", cleaned), cleaned
    assert not re.search(r"gmail|yahoo|ubnd\.|nguyen|lan_anh|@", cleaned), cleaned


@pytest.mark.parametrize("value", PHONES + CITIZEN_IDS + RECEIPTS + EMAILS)
def test_personal_data_is_removed_at_the_edges(value):
    assert R in personal_data_redact(value)
    assert personal_data_redact(f"{value}.").endswith(".")


#: the same data as a phone keyboard, a copy and paste or a word processor writes it (issue 15.12, found in review)
VARIANTS = [
    "０９１２３４５６７８",  # full-width digits (Vietnamese IMEs offer them)
    "0912\u00a0345\u00a0678",  # no-break spaces
    "0912\u202f345\u202f678",  # narrow no-break spaces
    "0912\u2011345\u2011678",  # non-breaking hyphens
    "0912–345–678",  # en dashes
    "0912\u200b345678",  # a zero-width space inside
    "079\u00a0203\u00a0001\u00a0234",  # a citizen ID with no-break spaces
    "an\u00a0[at]\u00a0gmail.com",
]


@pytest.mark.parametrize("value", VARIANTS)
def test_personal_data_is_removed_whatever_the_spaces_dashes_and_digits(value):
    cleaned = text_clean(f"Gọi {value} nhé.")
    assert cleaned == f"Gọi {R} nhé.", cleaned


@pytest.mark.parametrize("value", ["0912345678ạ", "0912 345 678ạ", "079203001234à"])
def test_a_number_written_against_a_word_is_removed(value):
    """Vietnamese often ends a sentence with "ạ"; typed without a space the
    number must go all the same."""
    cleaned = text_clean(f"Số của em {value}")
    assert not re.search(r"\d{3}", cleaned), cleaned


ORDINARY = [
    "Tôi đã phải đi lại 3 lần.",
    "Hồ sơ nộp năm 2024, đến nay chưa có kết quả.",
    "Lệ phí 500.000 đồng là hợp lý.",
    "Phải nộp thêm 1.500.000.000 đồng ngoài quy định?",
    "Giá đất 1 000 000 000 đồng một mét.",
    "Dự án 100.000.000.000 đồng.",
    "Phí 25.000đ, 50.000 VNĐ, 2 triệu.",
    "Chờ 45 phút, 2-3 ngày mới xong.",
    "Hẹn ngày 05/12/2024 lúc 14:30, quầy số 3, tầng 2.",
    "Làm việc 7h30-17h00 từ thứ 2 đến thứ 6.",
    "Thủ tục 1.004227 theo Quyết định số 20/2020/QĐ-TTg.",
    "Tổng đài 1022 và 1900 1234 không ai nghe.",
    "Hài lòng 100%, lãi suất 0,5%.",
    "Mã quầy Q01, phòng 204.",
    "The staff at counter 3 were kind. Very quick.",
    "Cán bộ nhiệt tình @ quầy tiếp nhận.",
    "Đóng 2.000.000 đồng, 15.000.000đ, 0,5 triệu, 200k.",
    "Ông 84 tuổi, sinh năm 1940, ở số 12 đường Nguyễn Trãi.",
    "Mở cửa lúc 08:00, chấm điểm 9/10, ngày 1/1/2024.",
    "Thông tư 01/2018/TT-VPCP về một cửa, thủ tục 2.002185.",
    "Hồ sơ đất đai mất 30 ngày, phải bổ sung 2 lần.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_numbers_and_words_are_kept(text):
    assert text_clean(text) == text


def test_several_items_in_one_comment():
    text = "SĐT 0912 345 678, email a.b@x.vn, CCCD 001203012345, hồ sơ 000.00.12.H42-241205-0001; phí 500.000 đồng."
    assert text_clean(text) == f"SĐT {R}, email {R}, CCCD {R}, hồ sơ {R}; phí 500.000 đồng."


@pytest.mark.parametrize(
    "text",
    ["0" + " " * 5000, "a" * 5000 + "@", "1." * 2500, "(" * 5000 + "0", "a" * 2000 + " at " + "b" * 2000, "0-" * 2500],
)
def test_hostile_text_is_cleaned_quickly(text):
    started = time.perf_counter()
    personal_data_redact(text)
    assert time.perf_counter() - started < 0.5
