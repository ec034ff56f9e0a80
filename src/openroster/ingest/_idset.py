"""A compact set of sourcedIds, about 9 bytes per id, for the millions of them an import checks at once.

A Python set of strings costs about 100 bytes per id (the string, and the set's slots), so the
ids of a district of a million students (some 13 million with its enrollments) would take more
memory than everything else an import does. This set keeps, instead, each id's 64-bit hash in
sorted arrays: new ids gather in a small set of hashes, which is sorted into an array when it
fills; arrays of similar size are merged, so a lookup searches a few arrays at most (one, once
`seal` is called). Each array has an index of where each range of hash values starts (one entry
per 8 ids), so a search looks at a handful of hashes, not the whole array.

Two different ids with the same hash look like one id. Where that must not matter it does not:
a sourcedId seen "again" is confirmed by comparing the strings themselves (see `_table.py`).
An id that is not in the set is taken for a member only if its hash equals a member's: with
Python's keyed string hash that happens about once in 2**64 / len(set) lookups (for ten million
ids, less than once in a trillion references).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from heapq import merge
from sys import getsizeof

__all__ = ["IdSet"]

PENDING = 1 << 16  # hashes gathered in a set before they are sorted into an array
_PER_BUCKET = 8  # ids per range of the index of an array, on average
_OFFSET = 1 << 63  # makes a signed 64-bit hash unsigned, in the same order


class _Run:
    """Sorted hashes, and where each of 2**bits equal ranges of hash values starts in them."""

    __slots__ = ("hashes", "shift", "starts")

    def __init__(self, hashes: array[int]) -> None:
        bits = max(1, (len(hashes) // _PER_BUCKET).bit_length())
        self.hashes, self.shift = hashes, 64 - bits
        self.starts = array("q", (bisect_left(hashes, (b << self.shift) - _OFFSET) for b in range(1 << bits)))
        self.starts.append(len(hashes))

    def __len__(self) -> int:
        return len(self.hashes)


class IdSet:
    """sourcedIds by their 64-bit hashes; `add` says whether an id (by its hash) is new."""

    __slots__ = ("_count", "_pending", "_runs")

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._pending: set[int] = set()
        self._runs: list[_Run] = []  # largest first
        self._count = 0
        for sourced_id in ids:
            self.add(sourced_id)

    def __len__(self) -> int:
        return self._count

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, str):
            return False
        return self._has(hash(item))

    def _has(self, key: int) -> bool:
        if key in self._pending:
            return True
        for run in self._runs:  # inlined: this runs a few times for every row of an import
            bucket = (key + _OFFSET) >> run.shift
            starts, hashes = run.starts, run.hashes
            end = starts[bucket + 1]
            at = bisect_left(hashes, key, starts[bucket], end)
            if at < end and hashes[at] == key:
                return True
        return False

    def add(self, sourced_id: str) -> bool:
        """Add `sourced_id`; False when its hash is in the set already (the same id, or rarely another)."""
        key = hash(sourced_id)
        if self._has(key):
            return False
        self._pending.add(key)
        self._count += 1
        if len(self._pending) >= PENDING:
            self._sort_pending()
        return True

    def seal(self) -> None:
        """Merge everything into one sorted array: the fastest lookups, once no more ids come."""
        self._sort_pending()
        while len(self._runs) > 1:
            self._merge_last_two()

    def memory_bytes(self) -> int:
        """Bytes held for the ids (arrays and the set of pending hashes)."""
        arrays = [a for run in self._runs for a in (run.hashes, run.starts)]
        return getsizeof(self._pending) + sum(a.buffer_info()[1] * a.itemsize for a in arrays)

    def _sort_pending(self) -> None:
        if not self._pending:
            return
        self._runs.append(_Run(array("q", sorted(self._pending))))
        self._pending = set()
        # Keep runs at least twice the size of the next (like a binary counter): few runs.
        while len(self._runs) > 1 and len(self._runs[-2]) < 2 * len(self._runs[-1]):
            self._merge_last_two()

    def _merge_last_two(self) -> None:
        last = self._runs.pop()
        self._runs[-1] = _Run(array("q", merge(self._runs[-1].hashes, last.hashes)))
