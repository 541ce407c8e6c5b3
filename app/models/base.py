"""Declarative base with a naming convention, so constraint names are stable
across SQLite and PostgreSQL and migrations can refer to them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import MetaData, inspect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    #: columns ``repr()`` shows besides the primary key: names that help in a
    #: log or a debugger, never a secret, an answer or a comment
    repr_columns: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        # Only what is already loaded: repr() must not query the database,
        # nor fail on an expired or detached object.
        state = inspect(self)
        loaded = state.dict
        names = [c.key for c in state.mapper.primary_key] + list(self.repr_columns)
        shown = ", ".join(f"{name}={loaded[name]!r}" for name in names if name in loaded)
        return f"<{type(self).__name__} {shown}>"


def utcnow() -> datetime:
    return datetime.now(UTC)
