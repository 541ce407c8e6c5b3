"""Fixtures for staff accounts: a unit tree, one account per role, sign-in helpers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Unit, User
from app.services import accounts
from app.services.units import child_path

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at production cost takes ~0.2 s a hash; tests need the logic, not the cost."""
    monkeypatch.setattr(accounts, "hasher", PasswordHasher.from_parameters(CHEAPEST))


@pytest.fixture
def units(db_session: Session) -> dict[str, Unit]:
    """Province P; districts A (communes A1, A2) and B (commune B1)."""
    made: dict[str, Unit] = {}

    def add(key: str, level: str, parent: str | None) -> None:
        up = made[parent] if parent else None
        unit = Unit(code=f"U-{key}", name=f"Đơn vị {key}", level=level, parent=up, path=child_path(up))
        db_session.add(unit)
        db_session.flush()
        made[key] = unit

    add("P", "province", None)
    add("A", "district", "P")
    add("A1", "commune", "A")
    add("A2", "commune", "A")
    add("B", "district", "P")
    add("B1", "commune", "B")
    db_session.commit()
    return made


@pytest.fixture
def users(db_session: Session, units: dict[str, Unit]) -> dict[str, User]:
    """One active account per role, all with the password ``PASSWORD``:
    a surveyor of commune A1, the manager of district A, an analyst, an admin."""
    made = {
        role: accounts.user_create(db_session, username=f"test-{key}", password=PASSWORD, role=role, unit=unit)
        for key, role, unit in (
            ("surveyor", "surveyor", units["A1"]),
            ("manager", "unit_manager", units["A"]),
            ("analyst", "analyst", None),
            ("admin", "admin", None),
        )
    }
    db_session.commit()
    return made


@pytest.fixture
def login_as() -> Callable[[FlaskClient, User], None]:
    """Put ``user`` in the client's session as a sign-in would (no form, no hashing)."""

    def sign_in(client: FlaskClient, user: User) -> None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_seen"] = int(time.time())  # just signed in (the idle timeout, app/access.py)

    return sign_in


def csrf_token_of(html: str) -> str:
    """The CSRF token of the first form on a page, as a browser would send it."""
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def csrf_of() -> Callable[[str], str]:
    return csrf_token_of


@pytest.fixture
def staff_password() -> str:
    """The password of every account in ``users``."""
    return PASSWORD


@pytest.fixture
def sign_in_form() -> Callable[..., object]:
    """Sign in through the real form: fetch it, post it with its CSRF token."""

    def post(client: FlaskClient, username: str, password: str = PASSWORD, **extra: str):
        page = client.get("/dang-nhap")
        data = {"csrf_token": csrf_token_of(page.get_data(as_text=True)), "username": username}
        return client.post("/dang-nhap", data={**data, "password": password, **extra})

    return post


@pytest.fixture
def admin_client(app, users, login_as) -> FlaskClient:
    """A client signed in as the administrator of ``users``."""
    client = app.test_client()
    login_as(client, users["admin"])
    return client


@pytest.fixture
def admin_post(admin_client) -> Callable[..., object]:
    """POST a form as the administrator, with the CSRF token a browser would send."""

    def post(url: str, data: dict | None = None, **kwargs):
        token = csrf_token_of(admin_client.get("/quan-tri/don-vi").get_data(as_text=True))
        return admin_client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)

    return post


@pytest.fixture
def surveyor_assignment(db_session: Session, users: dict[str, User]):
    """Household interviews (papi-household, target 10) for the surveyor of
    commune A1, in A1, running from 30 days ago to 30 days ahead."""
    from datetime import date, timedelta

    from app.services.assignments import assignment_create
    from surveys import load_all

    surveyor = users["surveyor"]
    today = date.today()
    made = assignment_create(
        db_session,
        load_all(),
        surveyor=surveyor,
        unit=surveyor.unit,
        instrument_code="papi-household",
        target=10,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    db_session.commit()
    return made
