"""Counters as their QR tokens name them, kept a few seconds in each worker.

Every form view and submission starts by looking its counter up
(:func:`app.services.service_points.service_point_by_token`). When a
province's QR codes go live that lookup is most of a form view's work: a
pool check-out with its ping, a transaction and a query, for an answer that
changes a few times a year. An active counter's lookup is kept for
``COUNTER_CACHE_SECONDS`` (10 by default): a form view then needs no
database at all, and a submission one query fewer.

What that costs: a change to a counter (renamed, retired, a new QR token,
a new instrument version) reaches the citizen form of another worker up to
that many seconds later. The worker that made the change forgets what it
kept at once (the admin blueprint clears it after every change). Unknown
and retired tokens are never kept, so random tokens cannot fill the memory
and a counter created or restored is found at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask

from app.services.service_points import PointLookup

#: the app's :class:`KeptLookups`, in ``app.extensions``
EXTENSION = "citizen_counter_lookups"


class KeptLookups:
    """Active counters' lookups, each kept ``seconds``; at most ``size`` of them.

    ``seconds`` of 0 keeps nothing.
    """

    def __init__(self, seconds: float, size: int = 4096, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._size = size
        self._clock = clock
        self._kept: OrderedDict[str, tuple[float, PointLookup]] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, token: str, fetch: Callable[[str], PointLookup]) -> PointLookup:
        """The kept lookup of ``token`` if it is fresh, else ``fetch(token)``."""
        if self._seconds <= 0:
            return fetch(token)
        now = self._clock()
        with self._lock:
            kept = self._kept.get(token)
        if kept is not None and kept[0] > now:
            return kept[1]
        found = fetch(token)
        with self._lock:
            if found.status == "active" and found.instrument_version is not None:
                self._kept[token] = (now + self._seconds, found)
                self._kept.move_to_end(token)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
            else:
                self._kept.pop(token, None)
        return found

    def clear(self) -> None:
        """Forget everything kept (a counter or an instrument changed)."""
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


def lookups_forget(app: Flask) -> None:
    """Forget the counters ``app`` keeps: call after changing one."""
    kept = app.extensions.get(EXTENSION)
    if kept is not None:
        kept.clear()
