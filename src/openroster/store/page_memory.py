"""Per-process memory of counts and page ends, valid for one data revision.

Consumers walk a collection page by page (offset advancing by limit) with the same filter.
Within one data revision nothing changes, so the count is the same on every page, and the page
at offset o + n starts right after the last key of the page at offset o: a keyset seek from
there costs the same at any depth, where OFFSET rereads every skipped key. Entries of older
revisions are never looked up again and age out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Hashable


class PageMemory:
    def __init__(self, capacity: int = 4096) -> None:
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
