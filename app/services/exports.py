"""Raw anonymised responses as CSV, streamed, with a codebook.

One row per response with coded answers: a column per question, and for a
multi-select question one 0/1 column per choice (``expectations_6`` is 1
when code 6 was chosen, 0 when not, empty when the question was not
answered). Questions of older versions of the instrument that the active
one no longer asks keep their columns after the active version's, so an
export spanning a new version loses nothing. The coded answers are read from
each response's packed value (one database row per response, not one per
answer) and the rows are streamed in batches, so memory stays flat however
many responses there are. Nothing
that identifies a person is exported: no exact time (the service day
only), no free-text comment unless asked for (it may name someone even
after phone numbers are removed), no identifiers but an export-local row
number.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import LargeBinary, String, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import Session

from app.models import DOSSIER_RATINGS, Answer, InstrumentVersion, Response, ServicePoint, Unit
from app.models.responses import CHANNELS
from app.render.csv.columns import csv_field, rows_join, value_column
from app.render.spreadsheet import CsvWriter, csv_line, safe_cell
from app.services.packed_rows import instrument_layouts, packed_record, record_dtype
from app.services.prefetch import prefetched
from app.services.response_filter import ResponseFilter, filter_conditions
from app.texts import texts
from surveys import MISSING, Choice, Instrument, Question, QuestionKind, Role, codes_matrix
from surveys.packing import WIDTH

META_COLUMNS = [
    ("row", "Số thứ tự", "Row"),
    ("unit_code", "Mã đơn vị", "Unit code"),
    ("unit_name", "Tên đơn vị", "Unit name"),
    ("unit_level", "Cấp đơn vị", "Unit level"),
    ("service_point", "Mã quầy", "Service point code"),
    ("service_day", "Ngày giao dịch", "Service day"),
    ("channel", "Kênh", "Channel"),
    ("dossier_rating", "Đánh giá hồ sơ (kênh qr-verified)", "Dossier rating (channel qr-verified)"),
    ("instrument_version", "Phiên bản bộ câu hỏi", "Instrument version"),
]


@dataclass(frozen=True)
class ExportField:
    """One answer column: a question, or one choice of a multi-select question."""

    #: the column's name: the question code, or ``<code>_<choice code>``
    column: str
    question: Question
    #: for a multi-select question, the choice whose column holds 1 when chosen, 0 when not
    choice: Choice | None = None


def export_fields(
    instrument: Instrument, *, with_comments: bool = False, older: Sequence[Instrument] = ()
) -> list[ExportField]:
    """The answer columns: every coded question of ``instrument`` (and the
    comment when asked for), then those of the ``older`` versions that it
    does not ask, newest first."""
    fields: list[ExportField] = []
    seen: set[str] = set()
    for version in (instrument, *older):
        for q in version.questions:
            if q.code in seen or (q.kind is QuestionKind.TEXT and not (with_comments and q.role is Role.COMMENT)):
                continue
            seen.add(q.code)
            if q.kind is QuestionKind.MULTI:
                assert q.scale is not None
                fields += [ExportField(f"{q.code}_{c.code}", q, c) for c in q.scale.choices]
            else:
                fields.append(ExportField(q.code, q))
    return fields


def export_columns(
    instrument: Instrument, *, with_comments: bool = False, older: Sequence[Instrument] = ()
) -> list[str]:
    fields = export_fields(instrument, with_comments=with_comments, older=older)
    return [c for c, _, _ in META_COLUMNS] + [f.column for f in fields]


#: Codebook labels of a multi-select choice's column.
CHOSEN = [("1", "Có chọn", "Chosen"), ("0", "Không chọn", "Not chosen")]


def codebook_rows(
    instrument: Instrument, *, with_comments: bool = False, older: Sequence[Instrument] = ()
) -> list[list[str]]:
    """Column names, question texts and value labels, one row per (column, value)."""
    rows = [["column", "question_vi", "question_en", "value", "label_vi", "label_en"]]
    for code, vi, en in META_COLUMNS:
        if code == "dossier_rating":  # the per-dossier rating's three levels, best first
            for level in sorted(DOSSIER_RATINGS, reverse=True):
                key = f"verified.rating.{level}"
                rows.append([code, vi, en, str(level), texts(key, "vi"), texts(key, "en")])
        else:
            rows.append([code, vi, en, "", "", ""])
    for f in export_fields(instrument, with_comments=with_comments, older=older):
        q = f.question
        if f.choice is not None:
            vi, en = f"{q.text.vi} — {f.choice.label.vi}", f"{q.text.en} — {f.choice.label.en}"
            rows += [[f.column, vi, en, value, label_vi, label_en] for value, label_vi, label_en in CHOSEN]
        elif q.scale is None:
            extra = f"{q.minimum}–{q.maximum}" if q.kind is QuestionKind.NUMBER else "text"
            rows.append([q.code, q.text.vi, q.text.en, extra, "", ""])
        else:
            for choice in q.scale.choices:
                rows.append([q.code, q.text.vi, q.text.en, str(choice.code), choice.label.vi, choice.label.en])
    return rows


def responses_csv(
    session: Session,
    instrument: Instrument,
    flt: ResponseFilter,
    *,
    with_comments: bool = False,
    older: Sequence[Instrument] = (),
    batch: int = 10000,
) -> Iterator[str]:
    """Yield the CSV text in chunks: a header line, then one line per response.

    Coded answers come from each response's packed value (one row per
    response, decoded a batch at a time with NumPy); comments, when asked
    for, from the answers table. ``older`` are the instrument's earlier
    versions, whose questions it no longer asks get columns too.
    """
    fields = export_fields(instrument, with_comments=with_comments, older=older)
    layouts = dict(instrument_layouts(session, flt.instrument))
    texts = any(f.question.kind is QuestionKind.TEXT for f in fields)
    if session.get_bind().dialect.name == "postgresql" and not texts and any(layouts.values()):
        yield csv_line([c for c, _, _ in META_COLUMNS] + [f.column for f in fields])
        yield from _aggregated_lines(session, flt, fields, layouts)
        return
    yield from _fetched_lines(session, flt, fields, layouts, batch)


def _fetched_lines(session: Session, flt: ResponseFilter, fields: list[ExportField], layouts,
                   batch: int) -> Iterator[str]:  # fmt: skip
    """Any database: the header, then batches of rows fetched and written by
    :class:`~app.render.spreadsheet.CsvWriter`."""
    columns = [c for c, _, _ in META_COLUMNS] + [f.column for f in fields]
    text_codes = [f.column for f in fields if f.question.kind is QuestionKind.TEXT]
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
            Response.dossier_rating,
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
    writer = CsvWriter(buffer)  # text quoted and formula-safe (app/render/spreadsheet.py)
    writer.writerow(columns)
    yield buffer.getvalue()
    safe: dict[object, object] = {}
    row_number = 0
    result = session.execute(query.execution_options(yield_per=batch))
    for part in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        columns_of_part = zip(*part, strict=True)
        unit_codes, names, levels, points, days, channels, ratings, versions, version_ids, packed, *comments = (
            columns_of_part
        )
        answers = _decoded(fields, layouts, version_ids, packed, comments)
        writer.writerows(
            zip(
                range(row_number + 1, row_number + len(part) + 1),
                [_cached(safe, v) for v in unit_codes],
                [_cached(safe, v) for v in names],
                levels,
                ["" if v is None else _cached(safe, v) for v in points],
                [d.isoformat() for d in days],
                channels,
                ["" if v is None else v for v in ratings],
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


def _decoded(fields: list[ExportField], layouts, version_ids, packed, comments) -> list[list[object]]:
    """The answer columns of a batch: coded answers from the packed values
    (``""`` where not answered, 0/1 for a multi-select question's choice),
    comments made safe for spreadsheets."""
    n = len(version_ids)
    coded = [f for f in fields if f.question.kind is not QuestionKind.TEXT]
    out = {f.column: np.full(n, "", dtype=object) for f in coded}
    ids = np.asarray(version_ids)
    for version_id in np.unique(ids).tolist():
        rows = np.nonzero(ids == version_id)[0]
        layout = layouts.get(version_id, ())
        if not layout:
            continue
        matrix = codes_matrix(b"".join(packed[i] for i in rows.tolist()), len(layout))
        slot = {code: j for j, code in enumerate(layout)}
        for f in coded:
            j = slot.get(f.question.code)
            if j is None:
                continue
            values = _field_values(f, matrix[:, j]).astype(object)
            values[matrix[:, j] == MISSING] = ""
            out[f.column][rows] = values
    text_of = dict(zip([f.column for f in fields if f.column not in out], comments, strict=True))
    return [
        out[f.column].tolist() if f.column in out else [("" if v is None else safe_cell(v)) for v in text_of[f.column]]
        for f in fields
    ]


def _field_values(field: ExportField, slot: np.ndarray) -> np.ndarray:
    """A field's values from its question's packed slot: the slot itself, or
    for a multi-select choice the bit of its code (1 chosen, 0 not). Missing
    answers stay :data:`MISSING`."""
    if field.choice is None:
        return slot
    return np.where(slot == MISSING, MISSING, (slot.astype(np.int64) >> field.choice.code) & 1)


def _aggregated_lines(
    session: Session, flt: ResponseFilter, fields: list[ExportField], layouts, batch: int = 20000
) -> Iterator[str]:
    """PostgreSQL, coded answers only: the rows of each service day arrive as
    one value (``string_agg`` of fixed-width binary records, in export
    order) and become CSV lines column by column (app/render/csv_columns.py),
    with no Python object per response. Versions with shorter layouts have
    their packed answers padded with :data:`MISSING` to the longest."""
    channel_no = func.array_position(literal(list(CHANNELS), ARRAY(String)), Response.channel)
    width = max(len(layout) for layout in layouts.values())
    padding = func.substr(
        literal(struct.pack(">i", MISSING) * width, LargeBinary), 1, width * WIDTH - func.length(Response.codes)
    )
    record = packed_record(
        [
            Response.unit_id,
            func.coalesce(Response.service_point_id, 0),
            Response.instrument_version_id,
            channel_no,
            func.coalesce(Response.dossier_rating, 0),
        ]
    ).op("||")(padding)
    ordered = aggregate_order_by(literal_column("''::bytea"), Unit.code, Response.payload_hash)
    query = (
        select(Response.service_day, func.string_agg(record, ordered))
        .join(Unit, Unit.id == Response.unit_id)
        .where(*filter_conditions(session, flt))
        .group_by(Response.service_day)
        .order_by(Response.service_day)
    )
    dtype = record_dtype(5, width)  # v0 unit, v1 counter, v2 version, v3 channel, v4 dossier rating (0: none)
    units = {
        i: b",".join([csv_field(safe_cell(code)), csv_field(safe_cell(name)), csv_field(level)])
        for i, code, name, level in session.execute(select(Unit.id, Unit.code, Unit.name, Unit.level))
    }
    points = {i: csv_field(safe_cell(code)) for i, code in session.execute(select(ServicePoint.id, ServicePoint.code))}
    points[0] = b""
    versions = dict(session.execute(select(InstrumentVersion.id, InstrumentVersion.version)).all())
    version_ids = sorted(layouts)
    # position of each exported question in each version's layout (-1: not asked there)
    positions = np.array(
        [[layouts[v].index(f.question.code) if f.question.code in layouts[v] else -1 for v in version_ids]
         for f in fields]
    )  # fmt: skip
    conn = session.connection()
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    cursor = conn.connection.driver_connection.cursor(name=f"export_{id(compiled):x}", binary=True)
    cursor.itersize = 4
    row_number = 0
    with cursor:
        cursor.execute(str(compiled), compiled.params)
        days: list[date] = []
        parts: list[np.ndarray] = []
        for day, blob in prefetched(cursor, name="export-read-ahead"):
            days.append(day)
            parts.append(np.frombuffer(blob, dtype=dtype))
            if sum(len(p) for p in parts) >= batch:
                yield _packed_batch(days, parts, row_number, fields, units, points, versions, positions, version_ids)
                row_number += sum(len(p) for p in parts)
                days, parts = [], []
        if parts:
            yield _packed_batch(days, parts, row_number, fields, units, points, versions, positions, version_ids)


def _packed_batch(days, parts, row_number, fields, units, points, versions, positions, version_ids) -> str:
    """CSV lines of a few service days' records."""
    rec = np.concatenate(parts)
    n = len(rec)
    unit_ids, unit_index = np.unique(rec["v0"], return_inverse=True)
    point_ids, point_index = np.unique(rec["v1"], return_inverse=True)
    version_of, version_index = np.unique(rec["v2"], return_inverse=True)
    channel_of, channel_index = np.unique(rec["v3"], return_inverse=True)
    columns = [
        ([b"%d" % i for i in range(row_number + 1, row_number + n + 1)], np.arange(n)),
        ([units[u] for u in unit_ids.tolist()], unit_index),
        ([points[p] for p in point_ids.tolist()], point_index),
        ([csv_field(d.isoformat()) for d in days], np.repeat(np.arange(len(days)), [len(p) for p in parts])),
        ([csv_field(CHANNELS[c - 1]) for c in channel_of.tolist()], channel_index),
        value_column(rec["v4"], 0),
        ([b"%d" % versions[v] for v in version_of.tolist()], version_index),
    ]
    slot = np.searchsorted(version_ids, rec["v2"])
    matrix = rec["codes"]
    rows = np.arange(n)
    for j, field in enumerate(fields):
        where = positions[j][slot]
        values = np.where(where >= 0, matrix[rows, np.maximum(where, 0)], MISSING)
        columns.append(value_column(_field_values(field, values), MISSING))
    return rows_join(columns).decode("utf-8")
