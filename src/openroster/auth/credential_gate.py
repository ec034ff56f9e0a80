"""Bound the CPU that credential checks may take, so unauthenticated clients cannot starve the rest.

Each OAuth 2.0 token request costs one PBKDF2 (by design slow). At most `at_once` of them run
(half the cores), each in a worker thread; up to `waiting` more wait in the event loop, holding
no thread; past that a request is answered 503 with Retry-After at once. Authenticated reads
never queue behind token requests for a worker thread or for every core.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")
# Half the cores (at least one): the other half stays free for authenticated requests.
AT_ONCE = max(1, (os.cpu_count() or 2) // 2)
WAITING = 32
RETRY_AFTER_SECONDS = 1


class GateFull(Exception):
    """More credential checks are waiting than the gate holds; answer 503 with Retry-After."""


class CredentialGate:
    def __init__(self, *, at_once: int = AT_ONCE, waiting: int = WAITING) -> None:
        self.at_once, self.waiting = at_once, waiting
        self._limiter: anyio.CapacityLimiter | None = None  # made in the event loop that uses it

    async def run(self, check: Callable[..., T], **arguments: Any) -> T:
        """`check(**arguments)` in a worker thread once a place is free; GateFull if the queue is full."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.at_once)
        if self._limiter.statistics().tasks_waiting >= self.waiting:
            raise GateFull()
        return await anyio.to_thread.run_sync(functools.partial(check, **arguments), limiter=self._limiter)
