"""Staff accounts: creation, sign-in with a throttle, password change, audit.

Functions flush and never commit: the request or the command owns the
transaction. Errors carry an i18n key (``app.texts``) so a page
shows them in the person's language and the command line in English.

Sign-in failures are throttled per username and network address
(``app.services.login_throttle``), in the database, so the throttle holds
across processes and servers and nobody can lock another person out.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ROLES, Unit, User
from app.models.accounts import UNIT_ROLES, password_fingerprint
from app.refusals import Refused
from app.services.api_tokens import api_tokens_revoke
from app.services.audit import audit_record
from app.services.login_throttle import throttle_clear, throttle_failure, throttle_wait

PASSWORD_MIN_LENGTH = 10
#: argon2 digests any length, but a bound keeps a request from hashing megabytes
PASSWORD_MAX_LENGTH = 256
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")


#: argon2id with the RFC 9106 "low memory" profile (64 MiB, 3 passes).
#: Tests swap in a cheap one; hashes record their parameters and are
#: upgraded at the next sign-in when these change.
hasher = PasswordHasher()

#: Demo logins made by ``seed-demo`` only, and printed by ``urls``:
#: (username, password, role, display name). Demo data, never production.
DEMO_ACCOUNTS = (
    ("demo-admin", "demo-admin-2026", "admin", "Quản trị hệ thống (tài khoản mẫu)"),
    ("demo-analyst", "demo-analyst-2026", "analyst", "Chuyên viên Sở Nội vụ (tài khoản mẫu)"),
    ("demo-manager", "demo-manager-2026", "unit_manager", "Lãnh đạo UBND huyện (tài khoản mẫu)"),
    ("demo-surveyor", "demo-surveyor-2026", "surveyor", "Điều tra viên cấp xã (tài khoản mẫu)"),
)


def clock() -> datetime:
    """Now, in UTC. Tests replace it to move through the throttle window."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt.

    Attributes
    ----------
    status : str
        ``ok``, ``failed`` (unknown user, wrong password or inactive account:
        the person is told the same for all three) or ``throttled``.
    user : User or None
        The account, when ``status`` is ``ok``.
    retry_after : int
        Seconds until the username may be tried again from that address,
        when ``throttled``.
    """

    status: str
    user: User | None = None
    retry_after: int = 0


@dataclass
class _Dummy:
    """A hash to verify against when the username is unknown, so that
    answering takes as long as for a real account."""

    hasher: PasswordHasher | None = None
    hash: str = ""


_dummy = _Dummy()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def username_normalise(raw: str) -> str:
    """Usernames are compared lower-case and without surrounding spaces."""
    return raw.strip().lower()[:80]


def password_hash(password: str) -> str:
    return hasher.hash(password)


def _password_matches(stored_hash: str | None, password: str) -> bool:
    """Verify ``password``; with no hash (unknown user) do the same work and
    answer False."""
    if stored_hash is None:
        if _dummy.hasher is not hasher:
            _dummy.hasher, _dummy.hash = hasher, hasher.hash("no such account: dummy password")
        with contextlib.suppress(Argon2Error):
            hasher.verify(_dummy.hash, password)
        return False
    try:
        return hasher.verify(stored_hash, password)
    except Argon2Error:
        return False


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` is too weak for ``username`` (an i18n key), or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return "password.too_short"
    if len(password) > PASSWORD_MAX_LENGTH:
        return "password.too_long"
    if password.strip().lower() == username.strip().lower():
        return "password.is_username"
    return None


def user_create(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    unit: Unit | None = None,
    actor: User | None = None,
    via: str = "admin",
) -> User:
    """Create an account and audit it.

    Raises
    ------
    Refused
        The username is malformed or taken, the role unknown, a unit
        manager or surveyor has no unit, or the password is weak.
    """
    name = username_normalise(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise Refused("account.username_invalid")
    if role not in ROLES:
        raise Refused("account.role_unknown", role=role)
    if role in UNIT_ROLES and unit is None:
        raise Refused("account.unit_required")
    problem = password_problem(password, name)
    if problem:
        raise Refused(problem, n=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise Refused("account.username_taken", username=name)
    now = clock()
    user = User(
        username=name,
        display_name=(display_name or name).strip(),
        password_hash=password_hash(password),
        role=role,
        unit=unit,
        active=True,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    audit_record(
        session,
        actor,
        "admin.user.create",
        f"user:{name}",
        {"after": {"role": role, "unit": unit.code if unit else None, "active": True}, "via": via},
    )
    return user


def authenticate(session: Session, username: str, password: str, *, address: str) -> SignIn:
    """Check a username and password tried from ``address`` (a tag of the
    client's network address, :func:`~app.services.login_throttle.address_tag`),
    record the attempt, return the outcome.

    An unknown username, a wrong password and a deactivated account give
    the same ``failed`` outcome after the same amount of hashing work. A
    (username, address) pair that failed too often waits first
    (``throttled``); other addresses are not held back by it.
    """
    name = username_normalise(username)
    now = clock()
    wait = throttle_wait(session, name, address, now)
    if wait:
        audit_record(session, None, "login.throttled", name)
        return SignIn("throttled", retry_after=wait)
    user = session.scalar(select(User).where(User.username == name))
    matches = _password_matches(user.password_hash if user else None, password)
    if user is None or not matches or not user.active:
        reason = "unknown_user" if user is None else ("wrong_password" if not matches else "inactive")
        audit_record(session, None, "login.failure", name, {"reason": reason})
        throttle_failure(session, name, address, now)
        return SignIn("failed")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hash(password)
    user.last_login_at = now
    throttle_clear(session, name, address)
    audit_record(session, user, "login.success", name)
    return SignIn("ok", user)


def user_for_session(session: Session, session_id: str) -> User | None:
    """The active account a session cookie names (see ``User.get_id``), or
    None if it is gone, deactivated, its sessions were ended
    (:func:`sessions_end`) or its password changed since."""
    user_id, _, rest = session_id.partition(":")
    generation, _, fingerprint = rest.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 12):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or str(user.session_generation) != generation:
        return None
    if password_fingerprint(user.password_hash) != fingerprint:
        return None
    return user


def sessions_end(session: Session, user: User) -> None:
    """End every session of ``user``, on every device: each session cookie
    holds the account's session generation, and this raises it."""
    user.session_generation = (user.session_generation or 0) + 1
    session.flush()


def sign_out(session: Session, user: User) -> None:
    """Sign ``user`` out everywhere, and audit it: a copied cookie of any of
    their sessions stops working too."""
    sessions_end(session, user)
    audit_record(session, user, "logout", user.username)


def password_change(session: Session, user: User, *, current: str, new: str, confirmation: str, address: str) -> None:
    """Replace ``user``'s password after checking the current one, typed from
    ``address`` (a tag, as for :func:`authenticate`, whose throttle it shares).

    Raises
    ------
    Refused
        The pair must wait (``auth.slowed``, 429, with ``seconds``), the
        current password is wrong, the two new ones differ, or the new one
        is weak.
    """
    now = clock()
    wait = throttle_wait(session, user.username, address, now)
    if wait:
        raise Refused("auth.slowed", status=429, seconds=wait)
    if not _password_matches(user.password_hash, current):
        audit_record(session, user, "password.change_failure", user.username, {"reason": "wrong_current"})
        throttle_failure(session, user.username, address, now)
        raise Refused("password.wrong_current")
    if new != confirmation:
        raise Refused("password.mismatch")
    problem = password_problem(new, user.username)
    if problem:
        raise Refused(problem, n=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH)
    if _password_matches(user.password_hash, new):
        raise Refused("password.unchanged")
    user.password_hash = password_hash(new)
    user.password_changed_at = clock()
    sessions_end(session, user)
    audit_record(session, user, "password.change", user.username)
    # whoever knew the old password may have made a tablet token with it
    api_tokens_revoke(session, user, actor=user, reason="password.change")


def demo_accounts(
    session: Session, province_unit: Unit, sample_commune: Unit, sample_district: Unit
) -> list[tuple[str, str, str]]:
    """Create the demo logins that do not exist yet: an administrator and an
    analyst for the province, a manager of ``sample_district`` and a surveyor
    of ``sample_commune``. Returns (username, password, role) of those made.

    Only ``seed-demo`` calls this: the passwords are public.
    """
    units = {
        "admin": province_unit,
        "analyst": province_unit,
        "unit_manager": sample_district,
        "surveyor": sample_commune,
    }
    made = []
    for username, password, role, display_name in DEMO_ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        user_create(
            session,
            username=username,
            password=password,
            role=role,
            display_name=display_name,
            unit=units[role],
            via="seed-demo",
        )
        made.append((username, password, role))
    return made


def demo_logins(session: Session) -> list[tuple[str, str, str]]:
    """The demo logins that exist and still have their demo password."""
    users = {
        u.username: u for u in session.scalars(select(User).where(User.username.startswith("demo-", autoescape=True)))
    }
    return [
        (username, password, role)
        for username, password, role, _name in DEMO_ACCOUNTS
        if (user := users.get(username)) is not None and user.active and _password_matches(user.password_hash, password)
    ]
