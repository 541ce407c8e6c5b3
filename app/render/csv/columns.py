"""CSV lines assembled a column at a time, for exports of a million rows.

Python's ``csv.writer`` looks at every field of every row (about 0.2 µs
each, so 5–8 µs for a response's 30-odd fields). Here each column is a
small table of distinct, already-escaped fragments (a unit's code and name,
an answer code) and an index per row; NumPy lays every row's fragments side
by side in a byte matrix and keeps the used bytes, so the cost per row is a
few byte copies. The output is byte for byte what
:func:`app.render.spreadsheet.csv_line` writes for the same values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.render import spreadsheet


def csv_field(value: object) -> bytes:
    """One field as :func:`app.render.spreadsheet.csv_field` writes it
    (text quoted and formula-safe, numbers bare), UTF-8."""
    return spreadsheet.csv_field(value).encode("utf-8")


def rows_join(columns: Sequence[tuple[Sequence[bytes], np.ndarray]], terminator: bytes = b"\r\n") -> bytes:
    """CSV text of ``n`` rows from columns of fragments.

    Parameters
    ----------
    columns : sequence of (fragments, index)
        Row ``i`` of a column holds ``fragments[index[i]]``, already a CSV
        field (see :func:`csv_field`) or several fields joined by commas.
    terminator : bytes
        Written after each row's last field.

    Returns
    -------
    bytes
        Fields separated by commas, rows ended by ``terminator``.
    """
    tables = []
    for j, (fragments, index) in enumerate(columns):
        end = terminator if j == len(columns) - 1 else b","
        pieces = [f + end for f in fragments]
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        flat = np.frombuffer(b"".join(pieces), dtype=np.uint8)
        starts = np.cumsum(lengths) - lengths
        offsets = np.arange(int(lengths.max()))
        used = offsets < lengths[:, None]
        # fragment k in row k of a table padded to the longest
        table = np.where(used, flat[np.minimum(starts[:, None] + offsets, len(flat) - 1)], 0).astype(np.uint8)
        tables.append((table, used, index))
    if not tables:
        return b""
    n = len(tables[0][2])
    matrix = np.empty((n, sum(t.shape[1] for t, _, _ in tables)), dtype=np.uint8)
    keep = np.empty(matrix.shape, dtype=bool)
    at = 0
    for table, used, index in tables:
        width = table.shape[1]
        np.take(table, index, axis=0, out=matrix[:, at : at + width])
        np.take(used, index, axis=0, out=keep[:, at : at + width])
        at += width
    return matrix[keep].tobytes()


def value_column(values: np.ndarray, missing: int) -> tuple[list[bytes], np.ndarray]:
    """A column of integers (``missing`` written empty) as fragments and index."""
    present = values != missing
    if not present.any():
        return [b""], np.zeros(len(values), dtype=np.int64)
    low, high = int(values[present].min()), int(values[present].max())
    if high - low < 4096:  # answer codes: a short run of small numbers, no sorting needed
        index = np.where(present, values.astype(np.int64) - low, high - low + 1)
        return [b"%d" % v for v in range(low, high + 1)] + [b""], index
    distinct, index = np.unique(values, return_inverse=True)
    return [b"" if v == missing else b"%d" % v for v in distinct.tolist()], index
