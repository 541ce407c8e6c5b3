"""A refusal a person should read: the one exception services and request
parsers raise when they say no.

``message_key`` names a text of the catalogue (``app.i18n``), ``values``
fill its placeholders, and ``status`` is the HTTP status a view answers
with (422 unless the refusal says otherwise). Views translate the key into
the person's language; commands print it; nothing here knows about Flask.
"""

from __future__ import annotations


class Refused(ValueError):
    """Refused, with the text to show and the HTTP status to answer with."""

    def __init__(self, message_key: str, status: int = 422, **values: object):
        super().__init__(message_key)
        self.message_key = message_key
        self.status = status
        self.values = values

    def __repr__(self) -> str:
        return f"Refused({self.message_key!r}, status={self.status}, values={self.values!r})"
