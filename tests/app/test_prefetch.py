"""Reading ahead in a thread (app.services.prefetch), shared by exports and packed readers."""

import threading

import pytest

from app.services.prefetch import prefetched


def _threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name]


def test_items_in_order_errors_passed_and_thread_stopped_when_left():
    assert list(prefetched(iter(range(50)), depth=2)) == list(range(50))

    def broken():
        yield 1
        raise RuntimeError("connection lost")

    rows = prefetched(broken(), name="t-broken")
    assert next(rows) == 1
    with pytest.raises(RuntimeError, match="connection lost"):
        next(rows)
    assert not _threads("t-broken")

    abandoned = []
    endless = prefetched(iter(range(10**9)), depth=2, name="t-endless", on_abandon=lambda: abandoned.append(1))
    assert next(endless) == 0
    endless.close()
    assert abandoned == [1]
    assert not _threads("t-endless")


def test_the_source_is_closed_in_its_thread():
    closed_in = []

    def source():
        try:
            yield from range(100)
        finally:
            closed_in.append(threading.current_thread().name)

    stream = prefetched(source(), depth=1, name="t-source")
    assert next(stream) == 0
    stream.close()
    assert closed_in == ["t-source"]
    finished = []
    assert list(prefetched(iter([1, 2]), on_abandon=lambda: finished.append(1))) == [1, 2]
    assert finished == []  # read to the end: nothing to cancel
