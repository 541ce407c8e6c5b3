"""Raw anonymised responses as CSV, streamed, with a codebook.

One row per response with coded answers. The coded answers are read from
each response's packed value (one database row per response, not one per
answer) and the rows are streamed in batches, so memory stays flat however
many responses there are. Nothing
that identifies a person is exported: no exact time (the service day
only), no free-text comment unless asked for (it may name someone even
after phone numbers are removed), no identifiers but an export-local row
number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Answer, InstrumentVersion, Response, ServicePoint, Unit
from app.services.aggregates import ResponseFilter, filter_conditions
from app.services.packed_rows import instrument_layouts
from surveys import MISSING, Instrument, QuestionKind, Role, codes_matrix

META_COLUMNS = [
    ("row", "Số thứ tự", "Row"),
    ("unit_code", "Mã đơn vị", "Unit code"),
    ("unit_name", "Tên đơn vị", "Unit name"),
    ("unit_level", "Cấp đơn vị", "Unit level"),
    ("service_point", "Mã quầy", "Service point code"),
    ("service_day", "Ngày giao dịch", "Service day"),
    ("channel", "Kênh", "Channel"),
    ("instrument_version", "Phiên bản bộ câu hỏi", "Instrument version"),
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in text (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_columns(instrument: Instrument, *, with_comments: bool = False) -> list[str]:
    codes = [
        q.code
        for q in instrument.questions
        if q.kind is not QuestionKind.TEXT or (with_comments and q.role is Role.COMMENT)
    ]
    return [c for c, _, _ in META_COLUMNS] + codes


def codebook_rows(instrument: Instrument, *, with_comments: bool = False) -> list[list[str]]:
    """Question codes, texts and value labels, one row per (question, value)."""
    rows = [["column", "question_vi", "question_en", "value", "label_vi", "label_en"]]
    for code, vi, en in META_COLUMNS:
        rows.append([code, vi, en, "", "", ""])
    for q in instrument.questions:
        if q.kind is QuestionKind.TEXT and not (with_comments and q.role is Role.COMMENT):
            continue
        if q.scale is None:
            extra = f"{q.minimum}–{q.maximum}" if q.kind is QuestionKind.NUMBER else "text"
            rows.append([q.code, q.text.vi, q.text.en, extra, "", ""])
            continue
        for choice in q.scale.choices:
            rows.append([q.code, q.text.vi, q.text.en, str(choice.code), choice.label.vi, choice.label.en])
    return rows


def responses_csv(
    session: Session,
    instrument: Instrument,
    flt: ResponseFilter,
    *,
    with_comments: bool = False,
    batch: int = 10000,
) -> Iterator[str]:
    """Yield the CSV text in chunks: a header line, then one line per response.

    Coded answers come from each response's packed value (one row per
    response, decoded a batch at a time with NumPy); comments, when asked
    for, from the answers table.
    """
    columns = export_columns(instrument, with_comments=with_comments)
    codes = columns[len(META_COLUMNS) :]
    text_codes = [c for c in codes if instrument.question(c).kind is QuestionKind.TEXT]
    layouts = dict(instrument_layouts(session, flt.instrument))
    texts = [
        select(Answer.value_text)
        .where(Answer.response_id == Response.id, Answer.question_code == code)
        .scalar_subquery()
        .label(code)
        for code in text_codes
    ]
    query = (
        select(
            Unit.code,
            Unit.name,
            Unit.level,
            ServicePoint.code,
            Response.service_day,
            Response.channel,
            InstrumentVersion.version,
            Response.instrument_version_id,
            Response.codes,
            *texts,
        )
        .join(Unit, Unit.id == Response.unit_id)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .where(*filter_conditions(session, flt))
        # Ordered by day and a hash of the answers, not by id: ids follow arrival
        # order, which would let someone who saw a visit line it up with a row.
        .order_by(Response.service_day, Unit.code, Response.payload_hash)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    yield buffer.getvalue()
    safe: dict[object, object] = {}
    row_number = 0
    result = session.execute(query.execution_options(yield_per=batch))
    for part in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        columns_of_part = zip(*part, strict=True)
        unit_codes, names, levels, points, days, channels, versions, version_ids, packed, *comments = columns_of_part
        answers = _decoded(codes, text_codes, layouts, version_ids, packed, comments)
        writer.writerows(
            zip(
                range(row_number + 1, row_number + len(part) + 1),
                [_cached(safe, v) for v in unit_codes],
                [_cached(safe, v) for v in names],
                levels,
                ["" if v is None else _cached(safe, v) for v in points],
                [d.isoformat() for d in days],
                channels,
                versions,
                *answers,
                strict=True,
            )
        )
        row_number += len(part)
        yield buffer.getvalue()


def _cached(cache: dict[object, object], value: object) -> object:
    if value not in cache:
        cache[value] = safe_cell(value)
    return cache[value]


def _decoded(codes, text_codes, layouts, version_ids, packed, comments) -> list[list[object]]:
    """The answer columns of a batch: coded answers from the packed values
    (``""`` where not answered), comments made safe for spreadsheets."""
    n = len(version_ids)
    out = {code: np.full(n, "", dtype=object) for code in codes if code not in text_codes}
    ids = np.asarray(version_ids)
    for version_id in np.unique(ids).tolist():
        rows = np.nonzero(ids == version_id)[0]
        layout = layouts.get(version_id, ())
        if not layout:
            continue
        matrix = codes_matrix(b"".join(packed[i] for i in rows.tolist()), len(layout))
        for j, code in enumerate(layout):
            if code in out:
                values = matrix[:, j].astype(object)
                values[matrix[:, j] == MISSING] = ""
                out[code][rows] = values
    text_of = dict(zip(text_codes, comments, strict=True))
    return [
        [("" if v is None else safe_cell(v)) for v in text_of[code]] if code in text_of else out[code].tolist()
        for code in codes
    ]
