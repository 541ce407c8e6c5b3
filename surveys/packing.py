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
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

import numpy as np

from surveys.schema import Instrument, QuestionKind

#: Stored for a coded question that was not answered (hidden, skipped, optional).
MISSING = -(2**31)
#: Bytes per packed answer.
WIDTH = 4
#: Answer codes and numbers must fit a packed answer and differ from MISSING.
CODE_RANGE = (MISSING + 1, 2**31 - 1)


def packed_layout(instrument: Instrument) -> tuple[str, ...]:
    """The question codes an instrument's packed answers hold, in order."""
    return tuple(q.code for q in instrument.questions if q.kind is not QuestionKind.TEXT)


def answers_pack(layout: tuple[str, ...], answers: Mapping[str, int | str]) -> bytes:
    """Pack the coded answers of one response.

    Parameters
    ----------
    layout : tuple of str
        From :func:`packed_layout`.
    answers : mapping
        Validated answers (question code to code, number or text); text
        answers and codes outside ``layout`` are not packed.

    Returns
    -------
    bytes
        ``4 * len(layout)`` bytes.
    """
    values = []
    for code in layout:
        value = answers.get(code)
        values.append(value if type(value) is int else MISSING)
    return struct.pack(f">{len(layout)}i", *values)


def answers_unpack(layout: tuple[str, ...], packed: bytes) -> dict[str, int]:
    """The answered codes of one packed value, by question code."""
    if len(packed) != WIDTH * len(layout):
        raise ValueError(f"{len(packed)} bytes do not hold {len(layout)} packed answers")
    values = struct.unpack(f">{len(layout)}i", packed)
    return {code: value for code, value in zip(layout, values, strict=True) if value != MISSING}


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
