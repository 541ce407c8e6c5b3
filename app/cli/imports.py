"""What the import commands share: a file refused whole, the rejected rows
listed, and the exit status that says some rows were rejected."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import click

from app.extensions import db

#: the exit status of an import that kept its good rows but rejected some
#: (1 is a file refused whole, nothing imported)
REJECTED_ROWS_EXIT = 3


class RowError(Protocol):
    row: int
    message: str


@contextmanager
def file_refused_whole() -> Iterator[None]:
    """Around an import: a file refused whole (``ImportFileError``) keeps
    nothing and becomes the command's error; otherwise the import is committed."""
    from app.services.imports import ImportFileError

    try:
        yield
    except ImportFileError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()


def rejected_rows_echo(errors: Sequence[RowError], error_total: int) -> None:
    """The rejected rows with their reason (the first ones), then how many more."""
    for error in errors:
        click.echo(f"  dòng {error.row}: {error.message}", err=True)
    more = error_total - len(errors)
    if more:
        click.echo(f"  … và {more} dòng lỗi khác / {more} more rejected rows", err=True)
