"""Failed credentials (a wrong secret, an unknown client id) are answered slowly, then refused for a while.

Counted in the shared counters (`ops.shared_counters`), so every server process of the store
sees the same failures, per client id from one address, per address and per client id. Each
count forgets one failure every block_seconds / before_block seconds.

* From `before_slowing` failures on, a failure's answer is held back DELAY_SECONDS (in the event
  loop: it holds no worker thread), whether they come from one address or from many against one
  client id.
* At `before_block` failures of one client id from one address, that address is refused for
  that client id (429 with Retry-After, no secret checked) for block_seconds; an address failing
  with several client ids is refused for all at ADDRESS_FACTOR times as many.

A client id is never blocked as a whole: a real client at another address (or at its own, once
the block ends) still gets in with its right secret, so an attacker cannot lock it out, and a
block always ends, since refused attempts are not counted.
"""

from __future__ import annotations

import math

from openroster.errors import TooManyRequests
from openroster.ops.shared_counters import SharedCounters

DELAY_SECONDS = 1.0
ADDRESS_FACTOR = 3


class CredentialFailures:
    def __init__(
        self, counters: SharedCounters, *, before_slowing: int, before_block: int, block_seconds: int
    ) -> None:
        self.counters = counters
        self.before_slowing, self.before_block, self.block_seconds = (
            before_slowing,
            before_block,
            block_seconds,
        )

    def check(self, client_id: str, address: str) -> None:
        """TooManyRequests if this address is refused, for this client id or for all."""
        for key, whom in (
            (_pair(client_id, address), "for this client id"),
            (_address(address), "for every client id"),
        ):
            wait = self.counters.update(key, lambda level, until, now: (level, until, until - now))
            if wait > 0:
                raise TooManyRequests(
                    f"Too many failed credentials from this address: it is refused {whom} for "
                    f"{max(1, round(wait))} s more (Retry-After). Check the client id and secret; "
                    f"requests from other addresses are not affected.",
                    retry_after_seconds=wait,
                    refusal="credential_failures",
                )

    def failed(self, client_id: str, address: str) -> float:
        """Count a failure; the seconds its answer is to be held back (0: none)."""
        counts = [
            self._count(_pair(client_id, address), self.before_block),
            self._count(_address(address), ADDRESS_FACTOR * self.before_block),
            self._count(_client(client_id), None),
        ]
        return DELAY_SECONDS if max(counts) >= self.before_slowing else 0.0

    def note(self, delay: float) -> str:
        """What a slowed failure's answer adds, so a misconfigured client's operator sees what is coming."""
        if not delay:
            return ""
        return (
            f" (after repeated failures this answer was held back {delay:g} s; at {self.before_block} "
            f"within {self.block_seconds} s this address is refused for {self.block_seconds} s)"
        )

    def _count(self, key: str, block_at: int | None) -> int:
        """Add one failure to the key's count; the count (failures not yet forgotten), blocking at `block_at`."""
        forget = self.block_seconds / self.before_block  # seconds until one failure is forgotten

        def add(paid: float, until: float, now: float) -> tuple[float, float, int]:
            paid = max(paid, now) + forget
            count = math.ceil((paid - now) / forget - 1e-9)  # failures not wholly forgotten yet
            if block_at is not None and count >= block_at:
                return now, now + self.block_seconds, count  # blocked: counting starts again after
            return paid, until, count

        return self.counters.update(key, add)


def _pair(client_id: str, address: str) -> str:
    return f"failed-pair\0{client_id}\0{address}"


def _address(address: str) -> str:
    return f"failed-address\0{address}"


def _client(client_id: str) -> str:
    return f"failed-client\0{client_id}"
