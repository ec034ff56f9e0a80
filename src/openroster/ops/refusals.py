"""The one place every request refused for now (429 or 503 with Retry-After) is counted.

Every refusal of a limit (`ops.limits`, `ops.credential_failures`) or of a bound of the server
(`ops.shedding`, a busy store) passes through `count`, with the status and the name of what
refused it; it goes to /metrics (`ops.metrics`: rate-limited for 429, shed for 503), and `counts` is this
process's own tally since it started.
"""

from __future__ import annotations

import threading
from collections import Counter

_tally: Counter[tuple[int, str]] = Counter()
_lock = threading.Lock()


def count(status: int, refusal: str) -> None:
    """One request answered `status` (429 or 503) because of `refusal` (e.g. requests_per_minute)."""
    from openroster.ops import metrics

    with _lock:
        _tally[status, refusal] += 1
    if status == 429:
        metrics.count_rate_limited(refusal)
    else:
        metrics.count_shed(refusal)


def counts() -> dict[tuple[int, str], int]:
    with _lock:
        return dict(_tally)
