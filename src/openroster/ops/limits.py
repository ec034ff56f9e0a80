"""Per-client limits: requests per minute, requests at once, records per minute, shared by every process.

The per-minute limits are leaky buckets kept as one instant each (the generic cell rate
algorithm): a client's bucket holds one minute of its limit, so it may spend a whole minute's
requests at once (an SDS sync asks for its pages as fast as it can) and then one more every
minute/limit. A slot of the shared counters keeps both instants of a client (`ops.shared_counters`).

Records are known only once the page is read, so they are paid after it: a request is admitted
while the client's records bucket is not full, and the page it is served is then added, however
large. So one page may take a client past its limit, and it waits until the bucket drains.

Requests at once are the client's permits (`ops.permits`). A client's own limits (stored with it,
`openroster clients update`) replace the server's defaults (settings); 0 means unlimited.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

from openroster.errors import OpenRosterError, TooManyRequests
from openroster.ops.permits import MAX_PERMITS, Permits
from openroster.ops.shared_counters import SharedCounters

UNLIMITED = 0
_ROUNDING = 1e-6  # seconds: instants are floats, and a whole minute's requests must fit in a minute
MAX_PER_MINUTE = 10**12


@dataclass(frozen=True)
class ClientLimits:
    """A client's limits. None: the server's default for that limit; 0 (UNLIMITED): no limit."""

    requests_per_minute: int | None = None
    concurrent_requests: int | None = None
    records_per_minute: int | None = None


SERVER_DEFAULTS = ClientLimits()  # a client with no limits of its own

# Each limit's command-line option and the setting of the server's default.
OPTIONS = {
    "requests_per_minute": ("--requests-per-minute", "OPENROSTER_REQUESTS_PER_MINUTE"),
    "concurrent_requests": ("--concurrent-requests", "OPENROSTER_CONCURRENT_REQUESTS"),
    "records_per_minute": ("--records-per-minute", "OPENROSTER_RECORDS_PER_MINUTE"),
}
LIMIT_NAMES = tuple(f.name for f in fields(ClientLimits))


class BadLimit(OpenRosterError):
    """A limit given as something other than a positive whole number, 'unlimited' or 'default'."""


def parse_limit(name: str, text: str, *, where: str, default_allowed: bool = True) -> int | None:
    """A limit as given on the command line or in a setting: a number, 'unlimited' (0) or 'default' (None)."""
    word = text.strip().lower().replace("_", "").replace(",", "")
    if word == "unlimited":
        return UNLIMITED
    if word == "default" and default_allowed:
        return None
    largest = MAX_PERMITS if name == "concurrent_requests" else MAX_PER_MINUTE
    if word.isdigit() and 1 <= int(word) <= largest:
        return int(word)
    choices = "a whole number" + (", 'unlimited' or 'default'" if default_allowed else " or 'unlimited'")
    raise BadLimit(f"{where}{text!r} is not a limit: give {choices} (numbers from 1 to {largest:,}).")


def describe(value: int | None) -> str:
    return "default" if value is None else "unlimited" if value == UNLIMITED else f"{value:,}"


class ClientLimiter:
    def __init__(self, counters: SharedCounters, defaults: ClientLimits, *, window_seconds: float) -> None:
        self.counters, self.permits = counters, Permits(counters)
        self.defaults, self.window = defaults, window_seconds
        self._per = "minute" if window_seconds == 60 else f"{window_seconds:g} seconds"

    def effective(self, own: ClientLimits) -> ClientLimits:
        """The limits that apply: the client's own, the server's defaults where it has none."""
        return replace(
            own, **{name: getattr(self.defaults, name) for name in LIMIT_NAMES if getattr(own, name) is None}
        )

    @contextmanager
    def admit(self, client_id: str, own: ClientLimits) -> Iterator[None]:
        """Hold one of the client's requests at once while it is answered; TooManyRequests past a limit."""
        limits = self.effective(own)
        self._take_request(client_id, own, limits)
        handle = None
        if limits.concurrent_requests:
            handle = self.permits.acquire("concurrent\0" + client_id, limits.concurrent_requests)
            if handle is None:
                raise self._refused(
                    client_id,
                    own,
                    "concurrent_requests",
                    f"This client may have {limits.concurrent_requests:,} requests in progress at once",
                    1,
                )
        try:
            yield
        finally:
            if handle is not None:
                self.permits.release(handle)

    def served(self, client_id: str, own: ClientLimits, records: int) -> None:
        """Add the records of a page served to the client's records bucket."""
        limit = self.effective(own).records_per_minute
        if not limit or records <= 0:
            return
        cost = records * self.window / limit

        def pay(requests_paid: float, records_paid: float, now: float) -> tuple[float, float, None]:
            return requests_paid, max(records_paid, now) + cost, None

        self.counters.update("client\0" + client_id, pay)

    def _take_request(self, client_id: str, own: ClientLimits, limits: ClientLimits) -> None:
        window = self.window
        request_cost = window / limits.requests_per_minute if limits.requests_per_minute else 0.0

        def take(
            requests_paid: float, records_paid: float, now: float
        ) -> tuple[float, float, tuple[str, float]]:
            if limits.records_per_minute and records_paid - now >= window:
                return requests_paid, records_paid, ("records_per_minute", records_paid - now - window)
            if request_cost:
                paid = max(requests_paid, now) + request_cost
                if paid - now > window + _ROUNDING:
                    return requests_paid, records_paid, ("requests_per_minute", paid - now - window)
                requests_paid = paid
            return requests_paid, records_paid, ("", 0.0)

        refused, wait = self.counters.update("client\0" + client_id, take)
        if refused == "requests_per_minute":
            raise self._refused(
                client_id,
                own,
                refused,
                f"This client may make {limits.requests_per_minute:,} requests per {self._per}",
                wait,
            )
        if refused == "records_per_minute":
            raise self._refused(
                client_id,
                own,
                refused,
                f"This client may be served {limits.records_per_minute:,} records per {self._per}",
                wait,
            )

    @staticmethod
    def _refused(client_id: str, own: ClientLimits, name: str, what: str, wait: float) -> TooManyRequests:
        option, setting = OPTIONS[name]
        source = "its own limit" if getattr(own, name) is not None else f"the server's {setting}"
        return TooManyRequests(
            f"{what} ({source}); retry in {max(1, math.ceil(wait))} s (Retry-After). To raise it, the "
            f"server's operator runs: openroster clients update {client_id} {option} N (or unlimited)",
            retry_after_seconds=wait,
            refusal=name,
        )
