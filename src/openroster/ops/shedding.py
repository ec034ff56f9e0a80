"""Shed load: when this server process is saturated, answer 503 with Retry-After at once.

Without a bound, requests past what the worker threads and the database connections can take
wait in memory, each for seconds, and fail late (or the process runs out of memory). A request
is shed when it would be one too many in flight (OPENROSTER_MAX_IN_FLIGHT), when the process's
private memory is past OPENROSTER_MAX_MEMORY_MB, or when no pooled database connection is free.
Memory and the pool shed only while other requests are in flight: those will give memory and
connections back, and with none in flight a request always gets its turn.

A request counts from when its body has arrived (a slow client sending one holds no thread
and little memory, and is bounded by the read timeout) until its response is ready.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from openroster.errors import Overloaded

RETRY_AFTER_SECONDS = 1
MEMORY_SAMPLE_SECONDS = 0.1  # memory is read at most this often (a /proc read costs ~10 us)
_STATM = "/proc/self/statm"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def private_memory_mb() -> float | None:
    """Resident memory of this process not shared with others (mapped store files are shared), in MB;
    None where /proc is not available."""
    try:
        with open(_STATM, "rb") as statm:
            fields = statm.read().split()
    except OSError:
        return None
    return (int(fields[1]) - int(fields[2])) * _PAGE / 1_048_576


class Shedder:
    def __init__(
        self,
        *,
        max_in_flight: int,
        max_memory_mb: int,
        pool_exhausted: Callable[[], bool],
        memory_mb: Callable[[], float | None] = private_memory_mb,
    ) -> None:
        self.max_in_flight, self.max_memory_mb = max_in_flight, max_memory_mb
        self.pool_exhausted, self.memory_mb = pool_exhausted, memory_mb
        self.in_flight = 0
        self._lock = threading.Lock()
        self._memory: float | None = None
        self._memory_read = -MEMORY_SAMPLE_SECONDS

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Count a request in flight while it is answered; Overloaded if it must be shed."""
        with self._lock:
            self._refuse_if_saturated()
            self.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1

    def _refuse_if_saturated(self) -> None:
        if self.in_flight >= self.max_in_flight:
            raise Overloaded(
                f"This server process is answering as many requests as it takes at once "
                f"({self.max_in_flight}, OPENROSTER_MAX_IN_FLIGHT); retry in {RETRY_AFTER_SECONDS} s",
                retry_after_seconds=RETRY_AFTER_SECONDS,
                refusal="in_flight",
            )
        if not self.in_flight:
            return
        memory = self._sampled_memory()
        if self.max_memory_mb and memory is not None and memory > self.max_memory_mb:
            raise Overloaded(
                f"This server process holds {memory:,.0f} MB, past its bound of {self.max_memory_mb:,} MB "
                f"(OPENROSTER_MAX_MEMORY_MB), until the requests it is answering end; retry in "
                f"{RETRY_AFTER_SECONDS} s",
                retry_after_seconds=RETRY_AFTER_SECONDS,
                refusal="memory",
            )
        if self.pool_exhausted():
            raise Overloaded(
                f"Every database connection of this server process is in use; retry in {RETRY_AFTER_SECONDS} s",
                retry_after_seconds=RETRY_AFTER_SECONDS,
                refusal="database_pool",
            )

    def _sampled_memory(self) -> float | None:
        now = time.monotonic()
        if now - self._memory_read >= MEMORY_SAMPLE_SECONDS:
            self._memory, self._memory_read = self.memory_mb(), now
        return self._memory
