"""One-time codes tying a QR response to a dossier (issue 16.3): the recipe.

The one-stop-shop software of a unit (một cửa điện tử) prints on the receipt
or the result slip a QR code that opens the counter's form with a code of
(counter, dossier number, expiry), signed with the counter's dossier key,
with no call to this server. The recipe, with a reference implementation in
a dozen lines of Python and a test vector, is in docs/integrity.md; this
module is that reference, used to check codes.

    key     = hex(HMAC-SHA256(secret, "dossier-key|<counter id>"))   # handed to the unit's software
    message = "sipas-dossier|v1|<counter id>|<dossier number>|<expiry YYYYMMDD>"
    code    = "<counter id>~<dossier number>~<expiry YYYYMMDD>~" + hex(HMAC-SHA256(key, message))[:32]

A code is good through its expiry day (Vietnam time). One dossier at one
counter is answered at most once (enforced by a unique constraint where
verified responses are stored). No Flask here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from app.refusals import Refused

#: receipt numbers as one-stop-shop software writes them, e.g. 000.00.20.H12-240101-0001
DOSSIER_RE = re.compile(r"^[A-Za-z0-9.\-]{1,50}$")
CODE_RE = re.compile(r"^([0-9]{1,12})~([A-Za-z0-9.\-]{1,50})~([0-9]{8})~([0-9a-f]{32})$")


@dataclass(frozen=True)
class DossierCode:
    service_point_id: int
    dossier: str
    expires: date


def dossier_key(secret: str, service_point_id: int) -> str:
    """The key a counter's one-stop-shop software signs its codes with
    (64 hex digits): one per counter, so a leaked key forges one counter's codes only."""
    return hmac.new(secret.encode(), f"dossier-key|{service_point_id}".encode(), hashlib.sha256).hexdigest()


def _signature(key: str, service_point_id: int, dossier: str, expires: date) -> str:
    message = f"sipas-dossier|v1|{service_point_id}|{dossier}|{expires:%Y%m%d}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def dossier_code_issue(key: str, service_point_id: int, dossier: str, expires: date) -> str:
    """A code for ``dossier`` at the counter, good through ``expires``."""
    if not DOSSIER_RE.fullmatch(dossier):
        raise Refused("verified.bad_dossier", status=422)
    return f"{service_point_id}~{dossier}~{expires:%Y%m%d}~{_signature(key, service_point_id, dossier, expires)}"


def dossier_code_read(secret: str, code: str, today: date) -> DossierCode:
    """The code's content, or a refusal: ``verified.forged`` (400) when it is
    malformed or its signature is not the counter's, ``verified.expired``
    (410) when its day has passed."""
    match = CODE_RE.fullmatch(code or "")
    if match is None:
        raise Refused("verified.forged", status=400)
    point_text, dossier, day_text, signature = match.groups()
    point_id = int(point_text)
    try:
        expires = date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:]))
    except ValueError as exc:
        raise Refused("verified.forged", status=400) from exc
    expected = _signature(dossier_key(secret, point_id), point_id, dossier, expires)
    if not hmac.compare_digest(expected, signature):
        raise Refused("verified.forged", status=400)
    if expires < today:
        raise Refused("verified.expired", status=410)
    return DossierCode(point_id, dossier, expires)
