"""Every setting, declared once: type, default, check, flag, secrecy and help (`SETTINGS`).

Each field of `Settings` made with `setting(...)` is one setting: its name is its TOML key, and
OPENROSTER_<NAME> its environment variable. Adding a setting is adding a field here; the loader
(`openroster.ops.sources`), `openroster config show` and the README's sample file follow. The
rest of the code reads the frozen `Settings` it is handed, never the environment.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from openroster.errors import ConfigurationError
from openroster.ops.declare import Check, between, declarations, hidden, one_of, setting
from openroster.ops.limits import MAX_PER_MINUTE, ClientLimits
from openroster.ops.permits import MAX_PERMITS

DEFAULT_MAX_LIMIT = 10_000
MIN_MAX_LIMIT = 10_000  # SDS asks for 5,000-10,000 records a page; Google requires 10,000
DEFAULT_TOKEN_LIFETIME = 3600
DEFAULT_OAUTH1_WINDOW = 300
DEFAULT_MAX_BODY_BYTES = 1_048_576
# SDS, Google and ClassLink send one to three predicates in well under 200 characters; past a few
# hundred OR'ed predicates one request costs seconds, and about 1,000 reach SQLite's expression depth.
DEFAULT_MAX_FILTER_PREDICATES = 50
MAX_MAX_FILTER_PREDICATES = 500
DEFAULT_MAX_FILTER_LENGTH = 4096
MAX_MAX_FILTER_LENGTH = 65_536
DEFAULT_QUERY_TIMEOUT_MS = 10_000  # a page of 10,000 or a filtered count on a 1M-user store fits
DEFAULT_REQUEST_READ_TIMEOUT = 20  # seconds a client has to send a request's head, and its body
# Seconds an idle kept-alive connection waits for its next request: above the idle timeout of
# proxies and load balancers (60 s is common), so the server never closes a connection just as
# a client or proxy reuses it (the request then fails with a reset).
DEFAULT_KEEP_ALIVE_TIMEOUT = 75
DEFAULT_TOMBSTONE_DAYS = 400  # longer than a school year, so every delta consumer sees deletions
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")
MIN_METRICS_TOKEN = 16  # characters: a guessable token would open the metrics to anyone


# Per-client limits (the README's "Limits and overload" shows the arithmetic): an SDS full sync of a
# large district (about 2.5 million records: 500 pages of 5,000) fits in one minute's bucket of
# either, even at this server's best rate of about 930,000 records a second.
DEFAULT_REQUESTS_PER_MINUTE = 6_000
DEFAULT_CONCURRENT_REQUESTS = 8
DEFAULT_RECORDS_PER_MINUTE = 20_000_000
DEFAULT_LIMITS_WINDOW = 60  # seconds the per-minute limits count over (shorter in tests)
# Shedding, per server process: past these a new request is answered 503 at once.
DEFAULT_MAX_IN_FLIGHT = 64  # requests being answered at once (the worker threads are 40)
DEFAULT_MAX_MEMORY_MB = 2048  # private memory of the process (0: not watched)
# Failed credentials (wrong secret, unknown client id), per address and per client id.
DEFAULT_AUTH_FAILURES_BEFORE_SLOWING = 3
DEFAULT_AUTH_FAILURES_BEFORE_BLOCK = 10
DEFAULT_AUTH_BLOCK_SECONDS = 300
DEFAULT_CONSOLE_SESSION_MINUTES = 480  # a working day


def _database_url(value: str, default: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        if "://" in value:
            make_url(value)
            return None
    except ArgumentError:
        pass
    return "is not a database URL: use sqlite:///path/to/file.db or postgresql+psycopg://user@host/dbname"


def _hide_password(value: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(value).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a URL)" if value else ""


def _base_url(value: str, default: str) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc and not parts.query and value.isascii():
        return None
    return (
        "is not a base URL such as https://sis.example.org (scheme, host, optional port and path "
        "prefix; ASCII only, with an IDNA host and percent-encoded path)"
    )


def _addresses(value: str, default: str) -> str | None:
    for address in (part.strip() for part in value.split(",")):
        if address == "*":
            continue
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return (
                f"holds {address!r}, which is not an IP address: give the proxies' addresses, "
                f"comma-separated (e.g. 127.0.0.1,10.0.0.5), or * to trust any peer"
            )
    return None


def _max_limit(value: int, default: int) -> str | None:
    if value >= MIN_MAX_LIMIT:
        return None
    return (
        f"is too small: School Data Sync and Google request pages of up to {MIN_MAX_LIMIT} records. "
        f"Set it to {MIN_MAX_LIMIT} or more"
    )


def _host(value: str, default: str) -> str | None:
    return "is empty: give an address such as 127.0.0.1 or 0.0.0.0" if not value.strip() else None


def _metrics_token(value: str, default: str) -> str | None:
    if not value or (
        len(value) >= MIN_METRICS_TOKEN and value.isascii() and value.isprintable() and " " not in value
    ):
        return None
    return (
        f"must be at least {MIN_METRICS_TOKEN} printable ASCII characters without spaces (it is sent as "
        f"Authorization: Bearer <token>); make one with: python3 -c 'import secrets; "
        f"print(secrets.token_urlsafe(32))'"
    )


def _limit(largest: int) -> Check:
    def check(value: int, default: int) -> str | None:
        if 0 <= value <= largest:
            return None
        return f"is not a limit: give a whole number from 1 to {largest:,}, or 0 for unlimited (default {default:,})"

    return check


@dataclass(frozen=True)
class Settings:
    database_url: str = setting(
        factory=lambda: f"sqlite:///{Path.cwd() / 'openroster.db'}",
        help="The store: sqlite:///path/to/file.db or postgresql+psycopg://user:password@host/dbname "
        "(default: openroster.db in the working directory).",
        flag="--database",
        metavar="URL",
        check=_database_url,
        mask=_hide_password,
    )
    public_url: str = setting(
        "",
        help="The scheme, host and path prefix clients use (https://sis.example.org/roster) behind a "
        "proxy; empty: each request's own.",
        check=_base_url,
    )
    forwarded_allow_ips: str = setting(
        "127.0.0.1",
        help="Proxy addresses whose X-Forwarded-* and X-Request-Id headers are believed, "
        "comma-separated; * for any.",
        check=_addresses,
    )
    secret_key: str = setting(
        "",
        help="The server key (32+ random bytes, URL-safe base64); empty: read key_file.",
        mask=hidden,
    )
    key_file: Path = setting(
        factory=lambda: Path.cwd() / "openroster.key",
        help="The file holding the server key when secret_key is empty, created by clients add "
        "(default: openroster.key in the working directory).",
    )
    token_lifetime: int = setting(
        DEFAULT_TOKEN_LIFETIME,
        help="Seconds an OAuth 2.0 access token lasts.",
        check=between(300, 86_400, " seconds", "; a full district pull must fit in one token's life"),
    )
    oauth1_window: int = setting(
        DEFAULT_OAUTH1_WINDOW,
        help="Accepted OAuth 1.0a clock difference, seconds.",
        check=between(30, 3600, " seconds", "; 300 allows five minutes of clock difference"),
    )
    oauth1_require_body_hash: bool = setting(
        False, help="Refuse OAuth 1.0a requests with a body that do not sign it with oauth_body_hash."
    )
    max_limit: int = setting(
        DEFAULT_MAX_LIMIT, help="The largest page (limit) a client may ask for.", check=_max_limit
    )
    max_filter_predicates: int = setting(
        DEFAULT_MAX_FILTER_PREDICATES,
        help="Predicates one filter may hold.",
        check=between(1, MAX_MAX_FILTER_PREDICATES, "", "; more would let one request run for seconds"),
    )
    max_filter_length: int = setting(
        DEFAULT_MAX_FILTER_LENGTH,
        help="Characters of one (decoded) filter.",
        check=between(256, MAX_MAX_FILTER_LENGTH, " characters"),
    )
    query_timeout_ms: int = setting(
        DEFAULT_QUERY_TIMEOUT_MS,
        help="A read's database time budget in milliseconds (503 past it).",
        check=between(100, 600_000, " milliseconds"),
    )
    request_read_timeout: int = setting(
        DEFAULT_REQUEST_READ_TIMEOUT,
        help="Seconds a client has to send a request's head, and then its body (408 past it).",
        check=between(1, 600, " seconds"),
    )
    keep_alive_timeout: int = setting(
        DEFAULT_KEEP_ALIVE_TIMEOUT,
        help="Seconds an idle kept-alive connection waits for its next request before it is closed.",
        check=between(1, 3600, " seconds", "; keep it above the idle timeout of a proxy in front"),
    )
    max_body_bytes: int = setting(
        DEFAULT_MAX_BODY_BYTES,
        help="The largest request body accepted (413 above).",
        check=between(1024, 1 << 30, " bytes", "; a gradebook PUT needs at least 1024"),
    )
    tombstone_days: int = setting(
        DEFAULT_TOMBSTONE_DAYS,
        help="Days deletions stay visible to delta queries (prune's default).",
        check=between(
            1, 36_500, " days", "; deletions must stay visible until every consumer's next delta sync"
        ),
    )
    log_level: str = setting(
        "info",
        help="The least severe log lines written: debug, info, warning or error.",
        flag="--log-level",
        metavar="LEVEL",
        check=one_of(LOG_LEVELS),
    )
    log_format: str = setting(
        "text",
        help="Log lines as readable text or as one JSON object each: text or json.",
        flag="--log-format",
        metavar="FORMAT",
        check=one_of(LOG_FORMATS),
    )
    host: str = setting(
        "127.0.0.1", help="The address serve listens on.", flag="--host", metavar="ADDRESS", check=_host
    )
    port: int = setting(
        8000, help="The port serve listens on.", flag="--port", metavar="PORT", check=between(1, 65_535)
    )
    workers: int = setting(
        1, help="Server processes serve runs.", flag="--workers", metavar="N", check=between(1, 256)
    )
    metrics_token: str = setting(
        "",
        help="The bearer token GET /metrics requires (16+ printable characters); empty: /metrics "
        "answers this machine only (or serve it on metrics_port).",
        check=_metrics_token,
        mask=hidden,
    )
    metrics_port: int = setting(
        0,
        help="A port of its own for GET /metrics (on host); 0: /metrics is served on the API's port.",
        check=between(0, 65_535),
    )
    console: bool = setting(
        True, help="Serve the web console under /console (serve --no-console turns it off)."
    )
    console_host: str = setting(
        "127.0.0.1",
        help="The address of the console's own port (when console_port is set).",
        flag="--console-host",
        metavar="ADDRESS",
        check=_host,
    )
    console_port: int = setting(
        0,
        help="A port of its own for the console (on console_host); 0: /console is served on the API's port.",
        flag="--console-port",
        metavar="PORT",
        check=between(0, 65_535),
    )
    console_session_minutes: int = setting(
        DEFAULT_CONSOLE_SESSION_MINUTES,
        help="Minutes a console sign-in lasts.",
        check=between(5, 10_080, " minutes", "; at most a week"),
    )
    console_activity_days: int = setting(
        14,
        help="Days the console keeps API clients' requests for its sync activity.",
        check=between(1, 400, " days"),
    )
    requests_per_minute: int = setting(
        DEFAULT_REQUESTS_PER_MINUTE,
        help="Requests a minute of a client without limits of its own; 0: unlimited.",
        check=_limit(MAX_PER_MINUTE),
    )
    concurrent_requests: int = setting(
        DEFAULT_CONCURRENT_REQUESTS,
        help="Requests at once of a client without limits of its own; 0: unlimited.",
        check=_limit(MAX_PERMITS),
    )
    records_per_minute: int = setting(
        DEFAULT_RECORDS_PER_MINUTE,
        help="Records a minute served to a client without limits of its own; 0: unlimited.",
        check=_limit(MAX_PER_MINUTE),
    )
    limits_window: int = setting(
        DEFAULT_LIMITS_WINDOW,
        help="The seconds the per-minute limits count over.",
        check=between(1, 3600, " seconds", ": the per-minute limits count over a minute"),
    )
    max_in_flight: int = setting(
        DEFAULT_MAX_IN_FLIGHT,
        help="Requests one server process answers at once (503 past it).",
        check=between(4, 10_000, " requests", "; an SDS sync alone asks for several at once"),
    )
    max_memory_mb: int = setting(
        DEFAULT_MAX_MEMORY_MB,
        help="Private memory of one server process in MB (503 past it); 0: not watched.",
        check=between(0, 1_048_576, " megabytes", ", or 0 not to shed on memory"),
    )
    auth_failures_before_slowing: int = setting(
        DEFAULT_AUTH_FAILURES_BEFORE_SLOWING,
        help="Failed credentials from one address or for one client id before answers slow down.",
        check=between(1, 1000),
    )
    auth_failures_before_block: int = setting(
        DEFAULT_AUTH_FAILURES_BEFORE_BLOCK,
        help="Failed credentials before they are refused with 429 for a while.",
        check=between(1, 1000),
    )
    auth_block_seconds: int = setting(
        DEFAULT_AUTH_BLOCK_SECONDS,
        help="How long a block for failed credentials lasts, at most, in seconds.",
        check=between(1, 86_400, " seconds"),
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        if self.auth_failures_before_slowing > self.auth_failures_before_block:
            raise ConfigurationError(
                f"auth_failures_before_slowing={self.auth_failures_before_slowing} and "
                f"auth_failures_before_block={self.auth_failures_before_block}: slowing must come no "
                f"later than blocking (defaults {DEFAULT_AUTH_FAILURES_BEFORE_SLOWING} and "
                f"{DEFAULT_AUTH_FAILURES_BEFORE_BLOCK})."
            )

    @property
    def default_limits(self) -> ClientLimits:
        return ClientLimits(self.requests_per_minute, self.concurrent_requests, self.records_per_minute)


SETTINGS = declarations(Settings)
BY_NAME = {declared.name: declared for declared in SETTINGS}
