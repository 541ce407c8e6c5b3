"""The blank citizen form, rendered once per counter and reused with a fresh nonce.

Rendering the questionnaire is about half of the CPU a form GET costs
(cProfile: 6.1 of 13 ms), and when a province's QR codes go live the GETs
are half of all requests. Everything on a blank form is the same for every
phone at a counter, in one language and display preference, except the
nonce: the page is rendered with a placeholder in its place and kept, and
each GET swaps in its own nonce. The key holds everything the page is made
from (the counter as looked up, the instrument version, language, display,
the path with its query), so a renamed counter or a newly activated
version renders afresh. Forms with answers or errors, and pages for a
signed-in staff member, are never kept.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

#: Stands for the nonce in a kept page; random, so no page can hold it by chance.
PLACEHOLDER = f"nonce-{secrets.token_hex(16)}"


class FormPages:
    """At most ``size`` rendered pages, the least recently used dropped first."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def page(self, key: Hashable, nonce: str, render: Callable[[str], str]) -> str:
        """The page for ``key`` with ``nonce``; ``render(nonce)`` makes it when not kept."""
        with self._lock:
            kept = self._pages.get(key)
            if kept is not None:
                self._pages.move_to_end(key)
        if kept is None:
            kept = render(PLACEHOLDER)
            if kept.count(PLACEHOLDER) != 1:
                # the nonce is not where a swap can find it: never keep such a page
                return render(nonce)
            with self._lock:
                self._pages[key] = kept
                while len(self._pages) > self._size:
                    self._pages.popitem(last=False)
        return kept.replace(PLACEHOLDER, nonce, 1)

    def __len__(self) -> int:
        return len(self._pages)
