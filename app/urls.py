"""Where the site may send a person next, and what its URLs may hold."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

#: the largest id a URL may name (the databases' 32-bit integer keys)
MAX_ID = 2_147_483_647


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Every ``next`` parameter (sign-in, the display switch) goes through
    here, so a crafted link cannot turn this site into an open redirect
    that bounces people to a phishing page. Refused:

    - control characters and whitespace anywhere: browsers drop a tab or a
      line break inside a URL, so ``/<TAB>/evil.example`` would become
      ``//evil.example``, and a line break cannot go into a header at all;
    - a backslash, which browsers read as a slash;
    - anything but a path starting with a single ``/``: a scheme
      (``https:``, ``javascript:``) or a host (``//evil.example``).
    """
    if not target or not target.startswith("/") or "\\" in target:
        return None
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Zs") for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def link_args(args: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The filter a page repeats in its links (downloads, next page): the
    given ``names`` only, those with a value. Never the whole query string:
    it goes into ``url_for(endpoint, **args)``, where ``fmt``, ``endpoint``,
    ``_external``, ``_scheme`` or ``_anchor`` would be a 500 or a link
    elsewhere."""
    return {name: args[name] for name in names if args.get(name)}


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits up to the databases' 32-bit
    keys. Werkzeug's own also takes "١٢" and numbers of any length, which
    the database refuses to compare (a 500 instead of a 404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)  # type: ignore[arg-type]
