"""Writing with the database's guarantees, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or refused the write; nothing was stored."""


@contextmanager
def write_transaction(session: Session, what: str) -> Iterator[None]:
    """Run the block's writes in one transaction and commit them.

    On SQLite the read-only transaction of earlier lookups ends first: a
    transaction that has read cannot wait for the write lock (it fails at
    once with "database is locked") while one that starts by writing waits.
    PostgreSQL has no such limit, and keeping the transaction saves a
    ROLLBACK, a pool check-in and check-out with its ping, and a BEGIN.

    Raises
    ------
    DatabaseUnavailable
        When the database fails (down, restarting, connection cut); the
        transaction is rolled back. Only the exception's class is logged:
        its text would carry the statement's parameters, which are
        citizens' answers (engines also set ``hide_parameters``).
    """
    if session.get_bind().dialect.name == "sqlite":
        session.rollback()
    try:
        yield
        session.commit()
    except OperationalError as exc:
        session.rollback()
        log.warning("database unavailable while storing %s: %s", what, type(exc).__name__)
        raise DatabaseUnavailable(what) from exc
