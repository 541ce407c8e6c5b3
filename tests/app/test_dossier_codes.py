"""The dossier code recipe (issue 16.3): the reference implementation of
docs/integrity.md, its test vector, and forged or expired codes refused."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest

from app.refusals import Refused
from app.services.dossier_codes import DossierCode, dossier_code_issue, dossier_code_read, dossier_key

#: the test vector of docs/integrity.md
SECRET = "test-secret"
POINT = 7
DOSSIER = "000.00.20.H12-240101-0001"
EXPIRES = date(2026, 12, 31)
KEY = "20221eb1793306bca34add5b441b5f52128a2ee1de82c275d8e257deb12b1e96"
CODE = "7~000.00.20.H12-240101-0001~20261231~bf0339919550b898bb1168b986da61fe"


def reference_code(key: str, counter_id: int, dossier: str, expires: date) -> str:
    """As docs/integrity.md gives it to the one-stop-shop software's authors."""
    day = expires.strftime("%Y%m%d")
    message = f"sipas-dossier|v1|{counter_id}|{dossier}|{day}".encode()
    signature = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]
    return f"{counter_id}~{dossier}~{day}~{signature}"


def test_the_test_vector():
    assert dossier_key(SECRET, POINT) == KEY
    assert reference_code(KEY, POINT, DOSSIER, EXPIRES) == CODE
    assert dossier_code_issue(KEY, POINT, DOSSIER, EXPIRES) == CODE
    assert dossier_code_read(SECRET, CODE, date(2026, 12, 31)) == DossierCode(POINT, DOSSIER, EXPIRES)


@pytest.mark.parametrize(
    "code",
    [
        CODE[:-1] + ("0" if CODE[-1] != "0" else "1"),  # signature changed
        CODE.replace("7~", "8~", 1),  # another counter
        CODE.replace("0001~", "0002~"),  # another dossier
        CODE.replace("20261231", "20271231"),  # a later expiry
        reference_code(dossier_key("another-secret", POINT), POINT, DOSSIER, EXPIRES),
        "",
        "garbage",
        "7~000.00.20.H12-240101-0001~20261399~bf0339919550b898bb1168b986da61fe",  # no such day
        "7~<script>~20261231~bf0339919550b898bb1168b986da61fe",
    ],
)
def test_a_forged_code_is_refused_clearly(code):
    with pytest.raises(Refused) as refused:
        dossier_code_read(SECRET, code, date(2026, 12, 1))
    assert refused.value.message_key == "verified.forged" and refused.value.status == 400


def test_an_expired_code_is_refused_clearly():
    assert dossier_code_read(SECRET, CODE, EXPIRES).expires == EXPIRES  # good through its day
    with pytest.raises(Refused) as refused:
        dossier_code_read(SECRET, CODE, date(2027, 1, 1))
    assert refused.value.message_key == "verified.expired" and refused.value.status == 410


def test_a_dossier_number_outside_the_alphabet_is_refused():
    with pytest.raises(Refused):
        dossier_code_issue(KEY, POINT, "HS 01/2026", EXPIRES)
