"""Coded answers packed into one binary value per response.

A report over a million responses cannot afford to read the 26 million rows
of the answers table: the responses table therefore also holds, for every
response, its coded answers side by side in one ``bytes`` value. The answers
table stays the record of what was said (and holds the free text); the
packed value is what reports, exports and the indicator service read.

The layout of an instrument version is the list of its coded questions
(every kind but free text) in the order of the file. Each answer takes four
bytes, a big-endian signed integer; a question not answered holds
:data:`MISSING`. Big-endian because that is PostgreSQL's network order: its
binary COPY and ``int4send`` produce the same bytes, so SQL can build and
compare packed values too.

A multi-select answer takes one slot like any other coded answer: the set
of chosen codes as a bit mask, bit ``c`` (value ``2**c``) set when code
``c`` was chosen. Its codes therefore lie in 0..30
(:data:`surveys.schema.MULTI_CODE_RANGE`): the mask is never negative, so
never :data:`MISSING`, and an answered question has at least one bit. The
mask names codes, not places in the scale, so it reads the same through any
version that keeps the codes, and SQL tests a choice with
``value & (1 << c) <> 0``. Layouts of instruments without multi-select
questions are unchanged.
"""

from __future__ import annotations

import struct
from collections.abc import Collection, Iterable, Mapping

import numpy as np

from surveys.schema import MULTI_CODE_RANGE, Instrument, QuestionKind

#: Stored for a coded question that was not answered (hidden, skipped, optional).
MISSING = -(2**31)
#: Bytes per packed answer.
WIDTH = 4
#: Answer codes and numbers must fit a packed answer and differ from MISSING.
CODE_RANGE = (MISSING + 1, 2**31 - 1)


def packed_layout(instrument: Instrument) -> tuple[str, ...]:
    """The question codes an instrument's packed answers hold, in order."""
    return tuple(q.code for q in instrument.questions if q.kind is not QuestionKind.TEXT)


def packed_multi(instrument: Instrument) -> frozenset[str]:
    """The question codes whose packed slot holds a multi-select bit mask."""
    return frozenset(q.code for q in instrument.questions if q.kind is QuestionKind.MULTI)


def multi_mask(codes: Iterable[int]) -> int:
    """The packed value of a multi-select answer: bit ``c`` set for each code ``c``.

    Raises
    ------
    ValueError
        For a code outside :data:`~surveys.schema.MULTI_CODE_RANGE`, or no code.
    """
    mask = 0
    low, high = MULTI_CODE_RANGE
    for code in codes:
        if type(code) is not int or not low <= code <= high:
            raise ValueError(f"multi-select codes lie between {low} and {high}, not {code!r}")
        mask |= 1 << code
    if not mask:
        raise ValueError("a multi-select answer holds at least one code")
    return mask


def multi_codes(mask: int) -> tuple[int, ...]:
    """The codes of a packed multi-select answer, ascending."""
    if not 0 < mask < 2**31:
        raise ValueError(f"{mask} is not a packed multi-select answer")
    return tuple(c for c in range(MULTI_CODE_RANGE[1] + 1) if mask >> c & 1)


def answers_pack(layout: tuple[str, ...], answers: Mapping[str, int | str | tuple[int, ...]]) -> bytes:
    """Pack the coded answers of one response.

    Parameters
    ----------
    layout : tuple of str
        From :func:`packed_layout`.
    answers : mapping
        Validated answers (question code to code, number, text or the codes
        of a multi-select answer); text answers and codes outside ``layout``
        are not packed; multi-select codes become a bit mask
        (:func:`multi_mask`).

    Returns
    -------
    bytes
        ``4 * len(layout)`` bytes.
    """
    values = []
    for code in layout:
        value = answers.get(code)
        if isinstance(value, (tuple, list, frozenset, set)):
            values.append(multi_mask(value))
        else:
            values.append(value if type(value) is int else MISSING)
    return struct.pack(f">{len(layout)}i", *values)


def answers_unpack(
    layout: tuple[str, ...], packed: bytes, *, multi: Collection[str] = ()
) -> dict[str, int | tuple[int, ...]]:
    """The answered codes of one packed value, by question code.

    The slots of the question codes in ``multi`` (:func:`packed_multi`)
    come back as the tuple of chosen codes; without it, as the bit mask.
    """
    if len(packed) != WIDTH * len(layout):
        raise ValueError(f"{len(packed)} bytes do not hold {len(layout)} packed answers")
    values = struct.unpack(f">{len(layout)}i", packed)
    return {
        code: multi_codes(value) if code in multi else value
        for code, value in zip(layout, values, strict=True)
        if value != MISSING
    }


def codes_matrix(buffer: bytes | bytearray | memoryview, width: int) -> np.ndarray:
    """Packed values laid end to end, as an ``(n, width)`` int32 matrix.

    Missing answers hold :data:`MISSING`.
    """
    flat = np.frombuffer(buffer, dtype=">i4")
    if width == 0:
        return np.zeros((0, 0), dtype=np.int32)
    if flat.size % width:
        raise ValueError(f"{flat.size} packed answers are not rows of {width}")
    return flat.reshape(-1, width).astype(np.int32)


def multi_chosen(column: np.ndarray, codes: Iterable[int]) -> np.ndarray:
    """Which responses chose each code, from one multi-select column of
    :func:`codes_matrix`: an ``(n, len(codes))`` boolean matrix, all False
    for a missing answer (so a column sum counts the choosers)."""
    codes = list(codes)
    column = np.asarray(column, dtype=np.int64)
    answered = column != MISSING
    bits = np.left_shift(1, np.array(codes, dtype=np.int64))
    return ((column[:, None] & bits[None, :]) != 0) & answered[:, None]
