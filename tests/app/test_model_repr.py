"""repr() of models: what helps in a log, never a secret, never a query."""

from sqlalchemy import event

from app.models import Unit


def test_repr_shows_key_and_code_but_no_secret(db_session, point, users):
    assert repr(point.unit).startswith("<Unit id=") and "code='T01-X01'" in repr(point.unit)
    text = repr(users["admin"])
    assert "username='test-admin'" in text and "role='admin'" in text
    assert "argon2" not in text and "password" not in text


def test_repr_of_an_expired_object_does_not_query(db_session, point):
    unit = db_session.get(Unit, point.unit_id)
    db_session.expire(unit)
    statements = []
    event.listen(db_session.get_bind(), "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert repr(unit) == "<Unit >"
    assert statements == []
