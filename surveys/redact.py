"""Removing personal data from free text before it is stored.

The survey is anonymous (design.md), yet people write in a comment how to
reach them or which dossier was theirs: "gọi lại cho tôi 0912 345 678", a
citizen ID (CCCD), the receipt number of a one-stop-shop dossier, which the
office can look up in its register, or an e-mail address written around
spam filters ("a [at] gmail.com"). :func:`personal_data_redact` replaces
each with :data:`REDACTED`. Ordinary numbers stay: "3 lần", "năm 2024",
"500.000 đồng", "1 000 000 000 đồng", a procedure code "1.004227", a
hotline "1900 1234".

What is recognised:

- phone numbers, Vietnamese or international form: ``0`` and 9 or 10 more
  digits (the first of them not 0), or ``84``/``+84``/``0084`` and 9 or 10
  digits, maybe ``(0)`` between them; digits may be split by spaces (any
  number), dots, dashes and parentheses: ``(091) 234 5678``,
  ``+84 (0)912 345 678``, ``024 3825 1234``;
- citizen IDs: 12 digits starting with 0 (the CCCD's province code
  001–096), in groups or not; and any number of 8 to 12 digits, maybe with
  a letter first, after "CMND", "CMT", "CCCD", "căn cước", "chứng minh",
  "định danh", "hộ chiếu" or "passport";
- dossier receipts: ``<office code>-<yymmdd>-<number>`` as the national
  one-stop-shop software prints them (``000.00.12.H42-241205-0001``,
  ``H42.12-241205-0001``), and any code with a digit after "mã hồ sơ",
  "số hồ sơ", "số biên nhận", "mã biên nhận", "phiếu hẹn";
- e-mail addresses, also with ``[at]``, ``(at)``, ``a còng``, ``[dot]``,
  ``chấm`` and spaces around ``@``.

The patterns are matched on a copy of the text in which every kind of
space is a space, every dash a hyphen and every decimal digit an ASCII one
(full-width "０９１２", no-break spaces and non-breaking hyphens come from
phone keyboards and copy and paste), and zero-width spaces are dropped; the
stored text keeps its own characters outside what is removed. A number may
touch a word ("0912345678ạ", "SĐT0912345678"), but not another digit.

No pattern backtracks badly: each is checked on hostile text of thousands
of characters in the tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

REDACTED = "[…]"

#: invisible characters dropped from a comment (zero-width space, word joiner, byte order mark)
_INVISIBLE_RE = re.compile("[\u200b\u2060\ufeff]")


def _probe_table() -> dict[int, str]:
    """One character for one: spaces to " ", dashes to "-", decimal digits to ASCII."""
    table: dict[int, str] = {}
    for code in range(0x80, 0x10000):  # the Basic Multilingual Plane: what keyboards type
        category = unicodedata.category(chr(code))
        if category == "Zs":
            table[code] = " "
        elif category == "Pd" or code == 0x2212:  # dashes, and the minus sign
            table[code] = "-"
        elif category == "Nd":
            table[code] = str(unicodedata.decimal(chr(code)))
    return table


_PROBE = _probe_table()

#: a run of digits that must not be the tail of a longer number, nor go on into one
_START = r"(?<![0-9_.,/])(?=\S)"
_END = r"(?![0-9_]|[.,]\d)"

#: phone numbers (see the module's docstring)
PHONE_RE = re.compile(
    _START
    + r"(?:"
    + r"(?:\(\s*)?(?:\+\s*|00)?84(?:\s*\))?[\s.\-]*(?:\(\s*0\s*\)[\s.\-]*)?(?=[1-9])"  # +84, (+84), 0084, 84, (0)
    + r"|\(?\s*0(?=[\s.\-()]*[1-9])"  # or 0, maybe in parentheses, then not another 0
    + r")"
    + r"(?:[ .\-()]{0,3}\d){9,10}"
    + _END
)
#: 12-digit citizen IDs: the CCCD begins with its province code 001–096
CITIZEN_ID_RE = re.compile(_START + r"0(?:[ .\-]?\d){11}" + _END)
#: national one-stop-shop receipt numbers: office code, yymmdd, sequence
RECEIPT_RE = re.compile(
    r"(?i)(?<![\w.])(?:[a-z0-9]{1,5}\.){1,4}[a-z0-9]{1,5}\s*-\s*\d{6}\s*-\s*\d{2,6}(?!\w)"
    r"|(?<![\w.])[a-z]\d{2}\s*-\s*\d{6}\s*-\s*\d{2,6}(?!\w)"
)
#: words that name a dossier code, or an identity number
_RECEIPT_WORDS = r"(?:mã|số)\s+(?:số\s+)?hồ\s+sơ|(?:số|mã)\s+biên\s+nhận|biên\s+nhận\s+số|phiếu\s+hẹn(?:\s+số)?|mhs"
_ID_WORDS = (
    r"cmnd|cmt|cccd|căn\s+cước(?:\s+công\s+dân)?|chứng\s+minh(?:\s+nhân\s+dân|\s+thư)?"
    r"|(?:số\s+)?định\s+danh(?:\s+cá\s+nhân)?|hộ\s+chiếu|passport"
)
#: such a word, what joins it to the number ("số", ":", ...) and the number
_NAMED_RE = re.compile(
    r"(?i)(?<!\w)(?P<word>" + _RECEIPT_WORDS + r"|" + _ID_WORDS + r")"
    r"(?P<glue>(?:\s*(?:số|no\.?|là|:|#))*\s*)"
    r"(?P<code>[a-z]{0,3}[\s.\-/]?\d(?:[\w.\-/]{0,40}\w)?(?:\s\d{3,4}){0,3})"
)
_DOT = r"(?:\.|\s*[\[(<{]\s*(?:dot|chấm)\s*[\])>}]\s*|\s+(?:dot|chấm)\s+)"
_TLD = r"(?:com|vn|net|org|edu|gov|info|biz|io|me|co|asia)"
#: e-mail addresses: written plainly, or around spam filters
EMAIL_RE = re.compile(
    r"(?i)(?<![\w.+-])[\w.+-]{1,64}"
    r"(?:(?:\s*(?:@|＠)\s*|\s*[\[(<{]\s*(?:at|@|a\s*còng)\s*[\])>}]\s*)[\w-]{1,63}(?:" + _DOT + r"[\w-]{1,63}){1,6}"
    r"|\s+(?:at|a\s*còng)\s+[\w-]{1,63}(?:" + _DOT + r"[\w-]{1,63}){0,5}" + _DOT + _TLD + r")"
    r"(?![\w-])"
)


def _sub(pattern: re.Pattern[str], keep: Callable[[re.Match[str]], int], text: str, probe: str) -> tuple[str, str]:
    """Replace what ``pattern`` finds in ``probe`` (the text's one-for-one
    copy) in both, keeping the first ``keep(match)`` characters of each match."""
    parts, probe_parts, end = [], [], 0
    for match in pattern.finditer(probe):
        cut = match.start() + keep(match)
        parts += [text[end:cut], REDACTED]
        probe_parts += [probe[end:cut], REDACTED]
        end = match.end()
    if not parts:
        return text, probe
    return "".join(parts) + text[end:], "".join(probe_parts) + probe[end:]


def personal_data_redact(text: str) -> str:
    """``text`` with phone numbers, citizen IDs, dossier receipt numbers and
    e-mail addresses replaced by :data:`REDACTED`."""
    text = _INVISIBLE_RE.sub("", text)
    probe = text.translate(_PROBE)
    whole: Callable[[re.Match[str]], int] = lambda m: 0  # noqa: E731
    text, probe = _sub(EMAIL_RE, whole, text, probe)
    text, probe = _sub(RECEIPT_RE, whole, text, probe)
    text, probe = _sub(_NAMED_RE, lambda m: m.end("glue") - m.start(), text, probe)
    text, probe = _sub(CITIZEN_ID_RE, whole, text, probe)
    return _sub(PHONE_RE, whole, text, probe)[0]
