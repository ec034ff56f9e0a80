"""Admit filtered reads while the predicates being evaluated at once stay within a capacity.

A filter's cost grows with its predicates (each one a scan or a subquery per record), so a
handful of long filters can occupy every core and connection while cheap requests queue behind
them. Reads are weighed by their predicates; one that would take the total past the capacity is
answered 503 at once (nothing waits, so no worker thread or connection is held), unless nothing
else is running. Reads without a filter are not weighed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from openroster.errors import StoreBusy


class FilterAdmission:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._in_use = 0
        self._lock = threading.Lock()

    @contextmanager
    def admit(self, weight: int) -> Iterator[None]:
        if weight <= 0:
            yield
            return
        with self._lock:
            if self._in_use and self._in_use + weight > self.capacity:
                raise StoreBusy(
                    f"The server is evaluating as many filter predicates as it allows at once "
                    f"({self.capacity}); retry shortly",
                    refusal="filter_capacity",
                    retry_after_seconds=1,
                )
            self._in_use += weight
        try:
            yield
        finally:
            with self._lock:
                self._in_use -= weight
