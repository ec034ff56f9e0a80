"""Requests at once per key, counted across server processes by locks the kernel drops with their holder.

A count of requests in flight kept in shared memory would stay raised forever when a worker dies
mid-request (killed, out of memory). Instead each request in flight holds one of the key's
`limit` permits: an exclusive byte-range lock (`fcntl.lockf`) on one byte of a range of the
counters file named by the key's digest, beyond the end of the file (nothing is written there).
The kernel releases a process's locks when it exits however it ends, so a permit can never leak.
"""

from __future__ import annotations

import errno
import fcntl

from openroster.ops.shared_counters import FILE_BYTES, SharedCounters

MAX_PERMITS = 1024  # the largest limit of requests at once a key may have
_RANGES = 1 << 32  # key ranges beyond the file; two keys sharing one is a 1 in 4 billion chance each


class Permits:
    def __init__(self, counters: SharedCounters) -> None:
        self.counters = counters
        # Locks are the process's: the permits its own threads hold are skipped by the others.
        self._held: set[int] = set()

    def _first(self, key: str) -> int:
        digest = self.counters.digest(key)
        return FILE_BYTES + int.from_bytes(digest[8:], "little") % _RANGES * MAX_PERMITS

    def acquire(self, key: str, limit: int) -> int | None:
        """Take one of the key's `limit` permits; its handle, or None when all are held."""
        first = self._first(key)
        with self.counters.thread_lock:
            for offset in range(first, first + min(limit, MAX_PERMITS)):
                if offset in self._held:
                    continue
                try:
                    fcntl.lockf(self.counters.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                except OSError as exc:
                    if exc.errno not in (errno.EACCES, errno.EAGAIN):
                        raise
                    continue
                self._held.add(offset)
                return offset
        return None

    def release(self, handle: int) -> None:
        with self.counters.thread_lock:
            fcntl.lockf(self.counters.fd, fcntl.LOCK_UN, 1, handle)
            self._held.discard(handle)
