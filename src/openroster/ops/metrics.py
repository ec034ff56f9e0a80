"""The server's Prometheus metrics: their definitions and the calls that count.

Counting costs a few increments per request, never one per record and never a database write.
Every label value is bounded: endpoints are the endpoint table's path templates (never a raw
path), methods and reasons come from fixed sets, clients are ids of authenticated clients. No
label ever holds a secret, a token or anything a client sent.

With several server processes (`serve --workers N`), `serve` points PROMETHEUS_MULTIPROC_DIR at a
fresh folder before any process starts: each process then keeps its values in files of its own
there (prometheus_client's multiprocess mode) and a scrape adds them up, whichever process
answers it. A process that stops (or dies) keeps its counts in the sum; the gauge of requests in
progress forgets it at the next scrape (`mark_process_dead` for every process no longer running).

Refusals for now (429, 503) reach `count_rate_limited` and `count_shed` through ops.refusals,
with what refused them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from openroster.errors import Forbidden, OneRosterError, Unauthorized

# Read once, as prometheus_client itself does when it is first imported.
MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

disable_created_metrics()  # type: ignore[no-untyped-call]  # a `_created` series per label set doubles the output for nothing here
_LOCAL = CollectorRegistry()  # this process's values, when it is the only one

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
# OAuth 2.0 errors of the token endpoint that are refused credentials or requests (RFC 6749 §5.2).
_TOKEN_FAILURES = frozenset({"invalid_client", "invalid_request", "invalid_scope", "unsupported_grant_type"})
UNMATCHED = "unmatched"  # the endpoint label of a path no endpoint serves

REQUESTS = Counter(
    "openroster_http_requests",
    "Requests answered, by endpoint (path template), method and status.",
    ["endpoint", "method", "status"],
    registry=_LOCAL,
)
LATENCY = Histogram(
    "openroster_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by endpoint and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=_LOCAL,
)
IN_PROGRESS = Gauge(
    "openroster_http_requests_in_progress",
    "Requests being answered now, over every server process.",
    multiprocess_mode="livesum",
    registry=_LOCAL,
)
RECORDS = Counter(
    "openroster_records_served",
    "OneRoster records in responses, by endpoint and client id.",
    ["endpoint", "client"],
    registry=_LOCAL,
)
BYTES = Counter(
    "openroster_response_bytes",
    "Bytes of response bodies, by endpoint.",
    ["endpoint"],
    registry=_LOCAL,
)
AUTH_FAILURES = Counter(
    "openroster_auth_failures",
    "Refused credentials, by reason.",
    ["reason"],
    registry=_LOCAL,
)
RATE_LIMITED = Counter(
    "openroster_rate_limited",
    "Requests refused with 429 because a client went past a limit, by limit.",
    ["limit"],
    registry=_LOCAL,
)
SHED = Counter(
    "openroster_shed",
    "Requests answered 503 because the server was at one of its bounds, by cause.",
    ["cause"],
    registry=_LOCAL,
)


def method_label(method: str) -> str:
    return method if method in _METHODS else "other"


def observe_request(
    endpoint: str,
    method: str,
    status: int,
    seconds: float,
    body_bytes: int,
    records: int | None,
    client: str | None,
) -> None:
    """Count one answered request (the request metrics middleware calls this)."""
    method = method_label(method)
    REQUESTS.labels(endpoint, method, str(status)).inc()
    LATENCY.labels(endpoint, method).observe(seconds)
    if body_bytes:
        BYTES.labels(endpoint).inc(body_bytes)
    if records:
        RECORDS.labels(endpoint, client or "").inc(records)


def count_auth_failure(reason: str) -> None:
    """One refused credential; `reason` is one of a fixed set of words (see auth_failure_reason)."""
    AUTH_FAILURES.labels(reason).inc()


def count_rate_limited(limit: str) -> None:
    """One request refused with 429; `limit` names the limit (a fixed word such as "requests")."""
    RATE_LIMITED.labels(limit).inc()


def count_shed(cause: str) -> None:
    """One request shed with 503; `cause` names the bound (a fixed word such as "connection_pool")."""
    SHED.labels(cause).inc()


def auth_failure_reason(exc: OneRosterError) -> str | None:
    """The reason label of an API request refused for its credentials or scope; None for other errors."""
    if isinstance(exc, Forbidden):
        return "insufficient_scope"
    if not isinstance(exc, Unauthorized):
        return None
    if 'error="invalid_token"' in exc.headers.get("WWW-Authenticate", ""):
        return "invalid_token"  # a bearer token that is expired, forged or of a removed client
    if exc.description.startswith("Unauthorized: OAuth 1.0a"):
        return "oauth1_rejected"
    return "missing_credentials"


def count_api_refusal(exc: OneRosterError) -> None:
    """Count an API error that refused credentials (refusals for now are counted by ops.refusals)."""
    reason = auth_failure_reason(exc)
    if reason is not None:
        count_auth_failure(reason)


def count_token_refusal(error: str) -> None:
    """Count a token endpoint answer by its OAuth 2.0 `error` (temporarily_unavailable is shed)."""
    if error == "temporarily_unavailable":
        count_shed("token_requests")
    elif error in _TOKEN_FAILURES:
        count_auth_failure(error)


def scrape_registry(*collectors: Collector) -> CollectorRegistry:
    """What a scrape exposes: every process's request metrics, then `collectors` (read at scrape time)."""
    registry = CollectorRegistry()
    every_process: Collector = _AllProcesses(MULTIPROCESS_DIR) if MULTIPROCESS_DIR else _LOCAL
    registry.register(every_process)
    for collector in collectors:
        registry.register(collector)
    return registry


class _AllProcesses:
    """The values every server process wrote to the multiprocess folder, live gauges of dead ones left out."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.files = MultiProcessCollector(None, directory)  # type: ignore[no-untyped-call]

    def collect(self) -> Iterable[Metric]:
        forget_dead_processes(self.directory)
        metrics: Iterable[Metric] = self.files.collect()  # type: ignore[no-untyped-call]
        return metrics


_LIVE_FILE = re.compile(r"gauge_live\w*?_(\d+)\.db")


def forget_dead_processes(directory: str) -> None:
    """Mark dead every process whose live gauge files remain although it no longer runs (killed)."""
    for name in os.listdir(directory):
        found = _LIVE_FILE.fullmatch(name)
        if found and not _running(int(found.group(1))):
            mark_process_dead(int(found.group(1)), directory)  # type: ignore[no-untyped-call]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user's
    # A killed worker stays a zombie until the supervisor reaps it, and kill() still finds it.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc here (or it just went): take the kill() check's word
    return stat.rpartition(")")[2].split()[0] != "Z"
