"""Counters kept a few seconds per worker (app/citizen/lookups.py): a form
view without the database, and no counter kept stale where it matters."""

from __future__ import annotations

from sqlalchemy import event

from app.citizen.lookups import EXTENSION as LOOKUPS
from app.citizen.lookups import KeptLookups
from app.services.service_points import PointInfo, PointLookup

ACTIVE = PointLookup("active", PointInfo(1, 2, "Xã A", "Quầy 1", None, "sipas-counter", "t" * 20), (5, 1))


class Fetches:
    def __init__(self, answers: dict[str, PointLookup]):
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, token: str) -> PointLookup:
        self.calls.append(token)
        return self.answers.get(token, PointLookup("unknown"))


def test_an_active_counter_is_kept_for_its_seconds():
    now = [100.0]
    kept = KeptLookups(10, clock=lambda: now[0])
    fetch = Fetches({"a": ACTIVE})
    assert kept.lookup("a", fetch) is ACTIVE
    now[0] = 109.99
    assert kept.lookup("a", fetch) is ACTIVE
    assert fetch.calls == ["a"]
    now[0] = 110.0
    assert kept.lookup("a", fetch) is ACTIVE
    assert fetch.calls == ["a", "a"]


def test_unknown_retired_and_versionless_counters_are_asked_every_time():
    versionless = PointLookup("active", ACTIVE.point, None)
    fetch = Fetches({"r": PointLookup("retired"), "v": versionless})
    kept = KeptLookups(10, clock=lambda: 0.0)
    for token in ("u", "r", "v") * 2:
        kept.lookup(token, fetch)
    assert fetch.calls == ["u", "r", "v"] * 2
    assert len(kept) == 0


def test_a_counter_that_stops_being_active_is_dropped():
    now = [0.0]
    kept = KeptLookups(10, clock=lambda: now[0])
    fetch = Fetches({"a": ACTIVE})
    kept.lookup("a", fetch)
    fetch.answers["a"] = PointLookup("retired")
    now[0] = 10.0
    assert kept.lookup("a", fetch).status == "retired"
    assert len(kept) == 0


def test_nothing_is_kept_at_zero_seconds_and_at_most_size_are_kept():
    fetch = Fetches({t: ACTIVE for t in "abc"})
    off = KeptLookups(0)
    off.lookup("a", fetch)
    off.lookup("a", fetch)
    assert fetch.calls == ["a", "a"] and len(off) == 0
    small = KeptLookups(10, size=2, clock=lambda: 0.0)
    for token in "abc":
        small.lookup(token, fetch)
    assert len(small) == 2
    fetch.calls.clear()
    small.lookup("a", fetch)  # the oldest went first
    small.lookup("c", fetch)
    assert fetch.calls == ["a"]


def statements_during(app, action) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = app.extensions["db"].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_a_form_view_of_a_kept_counter_needs_no_database(app, client, point):
    path = f"/s/{point.qr_token}"
    assert client.get(path).status_code == 200
    assert statements_during(app, lambda: client.get(path)) == []
    # with nothing kept, the same view asks the database
    app.extensions[LOOKUPS] = KeptLookups(0)
    assert statements_during(app, lambda: client.get(path))


def test_a_counter_retired_on_the_admin_screen_is_gone_at_once(admin_post, client, point):
    path = f"/s/{point.qr_token}"
    assert client.get(path).status_code == 200
    assert admin_post(f"/quan-tri/quay/{point.id}/ngung", {"confirm": "y"}).status_code == 303
    assert client.get(path).status_code == 404
