"""Answers never reach the server log (issue 15, item 4).

When the database fails on the submit path SQLAlchemy's exception text
carries the statement's parameters: the answers, the comment and the
device tag. Engines hide them, and the app logs the exception's class only.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.extensions import engine_for
from tests.app.test_citizen_form import VALID, open_form

SECRET = "Cán bộ tên Nguyễn Văn Bí mật"


def test_engines_hide_statement_parameters(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(OperationalError) as caught, engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table WHERE comment = :c"), {"c": SECRET})
    assert SECRET not in str(caught.value)
    engine.dispose()


def test_a_failed_submit_logs_no_answer(client, point, monkeypatch, caplog):
    def failing(*_args, **kwargs):
        raise OperationalError(
            "INSERT INTO answers ...", {"comment": SECRET, "device_tag": "ab" * 16}, Exception("down")
        )

    monkeypatch.setattr("app.services.citizen_submit.response_submit", failing)
    nonce = open_form(client, point)
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/s/{point.qr_token}", data={**VALID, "comment": SECRET, "nonce": nonce})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "OperationalError" in logged
    assert SECRET not in logged and "abab" not in logged
    # the person keeps what they typed
    assert SECRET in response.get_data(as_text=True)
