"""Slowing down password guessing without letting anyone lock an account.

Failures are counted per (username, network address). The first few cost
nothing (a person mistypes); after that the pair must wait before its next
attempt is even checked, twice as long after each further failure:

    failures   1–4    5     6     7      8      9      10 and more
    wait       none   30 s  1 min 2 min  4 min  8 min  15 min

A person guessing from one address gets about four tries an hour once the
wait is at its longest. The account's owner, at another address, is not
held back at all: an attacker cannot lock them out. A successful sign-in
from an address clears that address's failures for the username, and a
pair is forgotten a day after its last failure.

Addresses are never stored. :func:`address_tag` keeps a keyed hash of it
(HMAC-SHA256 with the application's secret key, so the table cannot be
reversed by hashing all four billion IPv4 addresses), and an IPv6 address
counts as its /64 network, which one household or phone usually holds
whole (otherwise every guess could come from a new address).

Attempts refused for waiting are not failures and do not lengthen the wait.
Many addresses guessing one password (a botnet) each get a few tries: the
per-address request limit (``app.ratelimit``), argon2 and the password
rules keep that slow; the audit log shows every failure for the username.

Functions take the time as ``now`` and flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import LoginThrottle

#: failures from one address that cost no waiting
FREE_FAILURES = 4
#: the wait after the first failure beyond those, doubled after each further one ...
FIRST_DELAY = timedelta(seconds=30)
#: ... up to this
MAX_DELAY = timedelta(minutes=15)
#: a (username, address) pair is forgotten this long after its last failure
FORGET_AFTER = timedelta(hours=24)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def address_tag(secret: str, address: str | None) -> str:
    """A keyed hash of a client address, 32 hex digits; an IPv6 address is
    cut to its /64 network, an IPv4-mapped IPv6 address is its IPv4 one."""
    text = (address or "").strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        key = text[:100]
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        key = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    digest = hmac.new(secret.encode("utf-8"), f"login-throttle|{key}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def throttle_delay(failures: int) -> timedelta:
    """How long a pair waits after its ``failures``-th failure."""
    beyond = failures - FREE_FAILURES
    if beyond <= 0:
        return timedelta(0)
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(beyond - 1, 16))


def _row(session: Session, username: str, tag: str) -> LoginThrottle | None:
    return session.scalar(
        select(LoginThrottle).where(LoginThrottle.username == username, LoginThrottle.address_tag == tag)
    )


def throttle_wait(session: Session, username: str, tag: str, now: datetime) -> int:
    """Seconds before ``username`` may be tried from ``tag`` again; 0: now."""
    row = _row(session, username, tag)
    if row is None or row.blocked_until is None:
        return 0
    if _aware(row.last_failure_at) < now - FORGET_AFTER:
        return 0
    left = (_aware(row.blocked_until) - now).total_seconds()
    return max(0, int(left + 0.999))


def throttle_failure(session: Session, username: str, tag: str, now: datetime) -> None:
    """Count a failure of ``username`` from ``tag``, set the wait that
    follows, and forget pairs whose last failure is a day old."""
    session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.last_failure_at < now - FORGET_AFTER)
        .execution_options(synchronize_session=False)
    )
    row = _row(session, username, tag)
    if row is None:
        try:
            first = throttle_delay(1)
            with session.begin_nested():  # a concurrent failure may insert the same pair first
                session.add(
                    LoginThrottle(
                        username=username,
                        address_tag=tag,
                        failures=1,
                        last_failure_at=now,
                        blocked_until=now + first if first else None,
                    )
                )
            return
        except IntegrityError:
            row = _row(session, username, tag)
            if row is None:
                raise
    row.failures += 1
    row.last_failure_at = now
    delay = throttle_delay(row.failures)
    row.blocked_until = now + delay if delay else None
    session.flush()


def throttle_clear(session: Session, username: str, tag: str) -> None:
    """Forget the failures of ``username`` from ``tag`` (it signed in)."""
    session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.username == username, LoginThrottle.address_tag == tag)
        .execution_options(synchronize_session=False)
    )
