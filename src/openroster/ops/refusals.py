"""The one place every request refused for now (429 or 503 with Retry-After) is counted.

Every refusal of a limit (`ops.limits`, `ops.credential_failures`) or of a bound of the server
(`ops.shedding`, a busy store) passes through `count`, with the status and the name of what
refused it; `counts` is this process's tally since it started, for the metrics export.
"""

from __future__ import annotations

import threading
from collections import Counter

_tally: Counter[tuple[int, str]] = Counter()
_lock = threading.Lock()


def count(status: int, refusal: str) -> None:
    """One request answered `status` (429 or 503) because of `refusal` (e.g. requests_per_minute)."""
    with _lock:
        _tally[status, refusal] += 1


def counts() -> dict[tuple[int, str], int]:
    with _lock:
        return dict(_tally)
