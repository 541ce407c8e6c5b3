"""Raw anonymised responses as CSV, streamed, with a codebook.

One row per response with coded answers. The database pivots answers into
columns (one ``MAX(CASE ...)`` per question) and the rows are streamed in
batches, so memory stays flat however many responses there are. Nothing
that identifies a person is exported: no exact time (the service day
only), no free-text comment unless asked for (it may name someone even
after phone numbers are removed), no identifiers but an export-local row
number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Answer, InstrumentVersion, Response, ServicePoint, Unit
from app.services.aggregates import ResponseFilter, filter_conditions
from surveys import Instrument, QuestionKind, Role

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
    batch: int = 5000,
) -> Iterator[str]:
    """Yield the CSV text in chunks: a header line, then one line per response."""
    codes = export_columns(instrument, with_comments=with_comments)[len(META_COLUMNS) :]
    text_codes = {q.code for q in instrument.questions if q.kind is QuestionKind.TEXT}
    pivots = [
        func.max(
            case((Answer.question_code == code, Answer.value_text if code in text_codes else Answer.value_int))
        ).label(code)
        for code in codes
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
            *pivots,
        )
        .join(Unit, Unit.id == Response.unit_id)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(*filter_conditions(session, flt))
        .group_by(
            Response.id,
            Unit.code,
            Unit.name,
            Unit.level,
            ServicePoint.code,
            Response.service_day,
            Response.channel,
            InstrumentVersion.version,
        )
        # Ordered by day and a hash of the answers, not by id: ids follow arrival
        # order, which would let someone who saw a visit line it up with a row.
        .order_by(Response.service_day, Unit.code, Response.payload_hash)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export_columns(instrument, with_comments=with_comments))
    yield buffer.getvalue()
    row_number = 0
    result = session.execute(query.execution_options(yield_per=batch))
    for chunk in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        for row in chunk:
            row_number += 1
            unit_code, unit_name, level, point, day, channel, version, *answers = row
            writer.writerow(
                [
                    row_number,
                    safe_cell(unit_code),
                    safe_cell(unit_name),
                    level,
                    safe_cell(point or ""),
                    day.isoformat(),
                    channel,
                    version,
                    *(safe_cell("" if a is None else a) for a in answers),
                ]
            )
        yield buffer.getvalue()
