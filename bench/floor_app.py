"""The floor: the least a web request that stores a response can cost.

A bare Flask app with one endpoint, ``POST /floor``, that reads the body and
does one ``INSERT`` of the same ``responses`` row the citizen form stores
(same columns, same engine settings from ``app.extensions.engine_for``, a
fresh client UUID, one transaction), then answers ``303`` like the form.
No templates, no validation, no nonce, no session, no answers rows.
``POST /floor/answers`` also inserts the answers rows (in one statement
with the response, as ``response_submit`` does on PostgreSQL), to show what
the rest of the submit path costs on top of the database work itself.

Served by ``bench/load_submit.py`` under the same gunicorn settings as the app:

    DATABASE_URL=postgresql://... gunicorn -k gthread -w 4 --threads 4 bench.floor_app:app

It posts to the counter ``FLOOR_POINT_ID`` (the load script creates one).
"""

from __future__ import annotations

import os
import struct
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

from flask import Flask, request
from sqlalchemy import text

from app.config import Settings, database_url
from app.extensions import engine_for
from app.time import service_day_of

INSERT_RESPONSE = text(
    "INSERT INTO responses (client_uuid, payload_hash, instrument_version_id, unit_id, service_point_id, channel,"
    " status, started_at, submitted_at, received_at, service_day, codes)"
    " VALUES (:u, :h, :iv, :unit, :point, 'qr', 'submitted', :now, :now, :now, :day, :codes)"
    " ON CONFLICT (client_uuid) DO NOTHING RETURNING id"
)
#: the response and its answers in one statement, as response_submit stores them on PostgreSQL
INSERT_RESPONSE_AND_ANSWERS = text(
    "WITH response AS (" + INSERT_RESPONSE.text + "), answers AS ("
    " INSERT INTO answers (response_id, question_code, value_int, value_text)"
    " SELECT response.id, given.code, given.value_int, given.value_text FROM response"
    " JOIN unnest(CAST(:codes_of AS varchar[]), CAST(:ints AS int[]), CAST(:texts AS text[]))"
    " AS given(code, value_int, value_text) ON true)"
    " SELECT id FROM response"
)
FORM_FIELDS = 120

app = Flask(__name__)
engine = engine_for(database_url(Settings.from_env(), Path(app.instance_path)))
_point: dict[str, int] = {}


def _target() -> dict[str, int]:
    if not _point:
        point_id = int(os.environ["FLOOR_POINT_ID"])
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT sp.id, sp.unit_id, iv.id FROM service_points sp JOIN instrument_versions iv"
                    " ON iv.code = sp.instrument_code AND iv.active WHERE sp.id = :p"
                ),
                {"p": point_id},
            ).one()
        _point.update(point=row[0], unit=row[1], iv=row[2])
    return _point


def _store(with_answers: bool):
    fields = parse_qsl(request.get_data(as_text=True), max_num_fields=FORM_FIELDS)
    target = _target()
    now = datetime.now(UTC)
    numbers = [int(v) for k, v in fields if k != "nonce" and v.isdigit()]
    codes = struct.pack(f">{len(numbers)}i", *numbers)  # the packed answers, as the app stores them
    params = {**target, "u": uuid.uuid4(), "h": "0" * 64, "now": now, "day": service_day_of(now), "codes": codes}
    with engine.begin() as conn:
        if with_answers:
            given = [(k, v) for k, v in fields if k != "nonce"]
            params["codes_of"] = [k for k, _ in given]
            params["ints"] = [int(v) if v.isdigit() else None for _, v in given]
            params["texts"] = [None if v.isdigit() else v for _, v in given]
            conn.execute(INSERT_RESPONSE_AND_ANSWERS, params).scalar_one()
        else:
            conn.execute(INSERT_RESPONSE, params).scalar_one()
    return "", 303, {"Location": "/floor/done"}


@app.post("/floor")
def floor():
    return _store(with_answers=False)


@app.post("/floor/answers")
def floor_answers():
    return _store(with_answers=True)
