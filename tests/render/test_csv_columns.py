"""Column-wise CSV assembly writes exactly what the row writer of every
other CSV writes (app/render/spreadsheet.py: text quoted and formula-safe)."""

from __future__ import annotations

import io

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from app.render.csv.columns import csv_field, rows_join, value_column
from app.render.spreadsheet import CsvWriter

texts = st.text(alphabet=st.sampled_from(list("ab ,\"\n\r'=ệ")), max_size=6)


@given(st.lists(st.tuples(texts, texts, st.integers(-3, 120)), min_size=1, max_size=30))
def test_rows_equal_csv_writer(rows):
    buffer = io.StringIO()
    CsvWriter(buffer).writerows(
        [[a, b, None if n == -3 else n] for a, b, n in rows]  # -3 stands for a missing answer
    )
    firsts = sorted({a for a, _, _ in rows})
    seconds = sorted({b for _, b, _ in rows})
    columns = [
        ([csv_field(v) for v in firsts], np.array([firsts.index(a) for a, _, _ in rows])),
        ([csv_field(v) for v in seconds], np.array([seconds.index(b) for _, b, _ in rows])),
        value_column(np.array([n for _, _, n in rows]), missing=-3),
    ]
    assert rows_join(columns).decode("utf-8") == buffer.getvalue()


def test_a_lone_empty_field_is_still_a_field():
    # csv.writer writes '""' for a row whose only field is empty; within a
    # row an empty field is nothing between commas, which is what rows_join keeps
    assert csv_field("") == b"" and csv_field(None) == b""
    assert rows_join([([b"", b"x"], np.array([0, 1])), ([b"1"], np.array([0, 0]))]) == b",1\r\nx,1\r\n"
