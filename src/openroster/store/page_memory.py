"""Per-process memory of counts and page ends, valid for one data revision.

Consumers walk a collection page by page (offset advancing by limit) with the same filter.
Within one data revision nothing changes, so the count is the same on every page, and the page
at offset o + n starts right after the last key of the page at offset o: a keyset seek from
there costs the same at any depth, where OFFSET rereads every skipped key. Entries of older
revisions are never looked up again and age out.

Keys are kept as digests: a key holds the client's whole filter, and a few thousand long
filters would otherwise hold tens of megabytes. So the memory is bounded by its capacity alone.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable

DEFAULT_CAPACITY = 4096


class PageMemory:
    """A bounded LRU map from keys (any value with a stable repr) to small values (ints, ids)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: OrderedDict[bytes, object] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        key = _digest(key)
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: object) -> None:
        key = _digest(key)
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)


def _digest(key: Hashable) -> bytes:
    # repr of tuples of str, int and frozen dataclasses is exact and stable within a process.
    return hashlib.blake2b(repr(key).encode(), digest_size=16).digest()
