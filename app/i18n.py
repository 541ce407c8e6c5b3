"""The person's language, and the text helpers of templates and views.

Every text lives in the catalogue (``app/translations``, read by
:mod:`app.texts`); question texts live in the instrument files. This module
only picks the language of the request and hands :func:`translate` (``t``
in templates) the key. A missing key fails loudly in tests (see
``tests/app/test_texts.py``) rather than showing a raw key to a citizen.
"""

from __future__ import annotations

from flask import g, request

from app.texts import DEFAULT_LANG, languages, texts

__all__ = ["DEFAULT_LANG", "current_lang", "languages", "translate"]


def current_lang() -> str:
    """The person's language: ?lang=, then the lang cookie, then Vietnamese."""
    if "lang" not in g:
        asked = request.args.get("lang") or request.cookies.get("lang")
        g.lang = asked if asked in languages() else DEFAULT_LANG
    return g.lang


def translate(key: str, **values: object) -> str:
    """The text of ``key`` in the person's language."""
    return texts(key, current_lang(), **values)
