"""Settings from arguments and OPENROSTER_* environment variables, checked once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from openroster.errors import ConfigurationError, OpenRosterError
from openroster.ops.limits import OPTIONS as LIMIT_OPTIONS
from openroster.ops.limits import ClientLimits, parse_limit

DEFAULT_MAX_LIMIT = 10_000
MIN_MAX_LIMIT = 10_000  # SDS asks for 5,000-10,000 records a page; Google requires 10,000


def default_database_url() -> str:
    return os.environ.get("OPENROSTER_DATABASE_URL") or f"sqlite:///{Path.cwd() / 'openroster.db'}"


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
DEFAULT_TOMBSTONE_DAYS = 400  # longer than a school year, so every delta consumer sees deletions


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


def default_key_file() -> Path:
    return Path(os.environ.get("OPENROSTER_KEY_FILE") or Path.cwd() / "openroster.key")


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_limit: int = DEFAULT_MAX_LIMIT
    public_url: str = ""  # scheme://host[:port][/prefix] clients use; '' = from each request
    secret_key: str = ""  # master server key; '' = read key_file
    key_file: Path = Path("openroster.key")
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME  # seconds an OAuth 2.0 access token lasts
    oauth1_window: int = DEFAULT_OAUTH1_WINDOW  # accepted OAuth 1.0a clock difference, seconds
    tombstone_days: int = DEFAULT_TOMBSTONE_DAYS  # how long deletions stay visible to delta queries
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # largest PUT body accepted (413 above)
    max_filter_predicates: int = DEFAULT_MAX_FILTER_PREDICATES  # predicates one filter may hold
    max_filter_length: int = DEFAULT_MAX_FILTER_LENGTH  # characters of one (decoded) filter
    query_timeout_ms: int = DEFAULT_QUERY_TIMEOUT_MS  # a read's database time budget (503 past it)
    request_read_timeout: int = DEFAULT_REQUEST_READ_TIMEOUT  # seconds to receive a head, a body
    # Proxy addresses whose X-Forwarded-* headers are believed ('*': any), comma-separated.
    forwarded_allow_ips: str = "127.0.0.1"
    # Refuse OAuth 1.0a requests with a body that do not sign it with oauth_body_hash.
    oauth1_require_body_hash: bool = False
    # The limits of a client that has none of its own (0: unlimited).
    requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE
    concurrent_requests: int = DEFAULT_CONCURRENT_REQUESTS
    records_per_minute: int = DEFAULT_RECORDS_PER_MINUTE
    limits_window: int = DEFAULT_LIMITS_WINDOW  # the "minute" of the per-minute limits, in seconds
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT  # requests one process answers at once (503 past it)
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB  # private memory of one process (503 past it; 0: any)
    auth_failures_before_slowing: int = DEFAULT_AUTH_FAILURES_BEFORE_SLOWING
    auth_failures_before_block: int = DEFAULT_AUTH_FAILURES_BEFORE_BLOCK
    auth_block_seconds: int = DEFAULT_AUTH_BLOCK_SECONDS  # how long a block lasts, at most

    @property
    def default_limits(self) -> ClientLimits:
        return ClientLimits(self.requests_per_minute, self.concurrent_requests, self.records_per_minute)

    @classmethod
    def from_env(cls, database_url: str | None = None) -> Settings:
        settings = cls(
            database_url=database_url or default_database_url(),
            max_limit=_int_env("OPENROSTER_MAX_LIMIT", DEFAULT_MAX_LIMIT),
            public_url=os.environ.get("OPENROSTER_PUBLIC_URL", "").rstrip("/"),
            secret_key=os.environ.get("OPENROSTER_SECRET_KEY", ""),
            key_file=default_key_file(),
            token_lifetime=_int_env("OPENROSTER_TOKEN_LIFETIME", DEFAULT_TOKEN_LIFETIME),
            oauth1_window=_int_env("OPENROSTER_OAUTH1_WINDOW", DEFAULT_OAUTH1_WINDOW),
            tombstone_days=_int_env("OPENROSTER_TOMBSTONE_DAYS", DEFAULT_TOMBSTONE_DAYS),
            max_body_bytes=_int_env("OPENROSTER_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            max_filter_predicates=_int_env("OPENROSTER_MAX_FILTER_PREDICATES", DEFAULT_MAX_FILTER_PREDICATES),
            max_filter_length=_int_env("OPENROSTER_MAX_FILTER_LENGTH", DEFAULT_MAX_FILTER_LENGTH),
            query_timeout_ms=_int_env("OPENROSTER_QUERY_TIMEOUT_MS", DEFAULT_QUERY_TIMEOUT_MS),
            request_read_timeout=_int_env("OPENROSTER_REQUEST_READ_TIMEOUT", DEFAULT_REQUEST_READ_TIMEOUT),
            forwarded_allow_ips=os.environ.get("OPENROSTER_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            oauth1_require_body_hash=_bool_env("OPENROSTER_OAUTH1_REQUIRE_BODY_HASH", False),
            requests_per_minute=_limit_env("requests_per_minute", DEFAULT_REQUESTS_PER_MINUTE),
            concurrent_requests=_limit_env("concurrent_requests", DEFAULT_CONCURRENT_REQUESTS),
            records_per_minute=_limit_env("records_per_minute", DEFAULT_RECORDS_PER_MINUTE),
            limits_window=_int_env("OPENROSTER_LIMITS_WINDOW", DEFAULT_LIMITS_WINDOW),
            max_in_flight=_int_env("OPENROSTER_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT),
            max_memory_mb=_int_env("OPENROSTER_MAX_MEMORY_MB", DEFAULT_MAX_MEMORY_MB),
            auth_failures_before_slowing=_int_env(
                "OPENROSTER_AUTH_FAILURES_BEFORE_SLOWING", DEFAULT_AUTH_FAILURES_BEFORE_SLOWING
            ),
            auth_failures_before_block=_int_env(
                "OPENROSTER_AUTH_FAILURES_BEFORE_BLOCK", DEFAULT_AUTH_FAILURES_BEFORE_BLOCK
            ),
            auth_block_seconds=_int_env("OPENROSTER_AUTH_BLOCK_SECONDS", DEFAULT_AUTH_BLOCK_SECONDS),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.max_limit < MIN_MAX_LIMIT:
            raise ConfigurationError(
                f"OPENROSTER_MAX_LIMIT={self.max_limit} is too small: School Data Sync and Google "
                f"request pages of up to {MIN_MAX_LIMIT} records. Set it to {MIN_MAX_LIMIT} or more."
            )
        if self.public_url:
            parts = urlsplit(self.public_url)
            if (
                parts.scheme not in ("http", "https")
                or not parts.netloc
                or parts.query
                or not self.public_url.isascii()
            ):
                raise ConfigurationError(
                    f"OPENROSTER_PUBLIC_URL={self.public_url!r} is not a base URL such as "
                    f"https://sis.example.org (scheme, host, optional port and path prefix; ASCII only, "
                    f"with an IDNA host and percent-encoded path)."
                )
        if not 300 <= self.token_lifetime <= 86_400:
            raise ConfigurationError(
                f"OPENROSTER_TOKEN_LIFETIME={self.token_lifetime} is out of range: give seconds between "
                f"300 and 86400 (a full district pull must fit in one token's life)."
            )
        if not 30 <= self.oauth1_window <= 3600:
            raise ConfigurationError(
                f"OPENROSTER_OAUTH1_WINDOW={self.oauth1_window} is out of range: give seconds between "
                f"30 and 3600 (the default, 300, allows five minutes of clock difference)."
            )
        if self.max_body_bytes < 1024:
            raise ConfigurationError(
                f"OPENROSTER_MAX_BODY_BYTES={self.max_body_bytes} is too small for a gradebook PUT; "
                f"give 1024 or more (default 1048576)."
            )
        if not 1 <= self.max_filter_predicates <= MAX_MAX_FILTER_PREDICATES:
            raise ConfigurationError(
                f"OPENROSTER_MAX_FILTER_PREDICATES={self.max_filter_predicates} is out of range: give "
                f"1 to {MAX_MAX_FILTER_PREDICATES} (default {DEFAULT_MAX_FILTER_PREDICATES}); more would "
                f"let one request run for seconds."
            )
        if not 256 <= self.max_filter_length <= MAX_MAX_FILTER_LENGTH:
            raise ConfigurationError(
                f"OPENROSTER_MAX_FILTER_LENGTH={self.max_filter_length} is out of range: give 256 to "
                f"{MAX_MAX_FILTER_LENGTH} characters (default {DEFAULT_MAX_FILTER_LENGTH})."
            )
        if not 100 <= self.query_timeout_ms <= 600_000:
            raise ConfigurationError(
                f"OPENROSTER_QUERY_TIMEOUT_MS={self.query_timeout_ms} is out of range: give 100 to "
                f"600000 milliseconds (default {DEFAULT_QUERY_TIMEOUT_MS})."
            )
        if not 1 <= self.request_read_timeout <= 600:
            raise ConfigurationError(
                f"OPENROSTER_REQUEST_READ_TIMEOUT={self.request_read_timeout} is out of range: give 1 to "
                f"600 seconds (default {DEFAULT_REQUEST_READ_TIMEOUT})."
            )
        if self.tombstone_days < 1:
            raise ConfigurationError(
                f"OPENROSTER_TOMBSTONE_DAYS={self.tombstone_days} must be at least 1 (default 400): "
                f"deletions must stay visible until every consumer's next delta sync."
            )
        if not 1 <= self.limits_window <= 3600:
            raise ConfigurationError(
                f"OPENROSTER_LIMITS_WINDOW={self.limits_window} is out of range: give 1 to 3600 seconds "
                f"(default {DEFAULT_LIMITS_WINDOW}: the per-minute limits count over a minute)."
            )
        if not 4 <= self.max_in_flight <= 10_000:
            raise ConfigurationError(
                f"OPENROSTER_MAX_IN_FLIGHT={self.max_in_flight} is out of range: give 4 to 10000 requests "
                f"(default {DEFAULT_MAX_IN_FLIGHT}); an SDS sync alone asks for several at once."
            )
        if self.max_memory_mb != 0 and not 1 <= self.max_memory_mb <= 1_048_576:
            raise ConfigurationError(
                f"OPENROSTER_MAX_MEMORY_MB={self.max_memory_mb} is out of range: give megabytes from 1 to "
                f"1048576, or 0 not to shed on memory (default {DEFAULT_MAX_MEMORY_MB})."
            )
        if not 1 <= self.auth_failures_before_slowing <= self.auth_failures_before_block <= 1000:
            raise ConfigurationError(
                f"OPENROSTER_AUTH_FAILURES_BEFORE_SLOWING={self.auth_failures_before_slowing} and "
                f"OPENROSTER_AUTH_FAILURES_BEFORE_BLOCK={self.auth_failures_before_block} must be 1 to 1000, "
                f"slowing no later than blocking (defaults {DEFAULT_AUTH_FAILURES_BEFORE_SLOWING} and "
                f"{DEFAULT_AUTH_FAILURES_BEFORE_BLOCK})."
            )
        if not 1 <= self.auth_block_seconds <= 86_400:
            raise ConfigurationError(
                f"OPENROSTER_AUTH_BLOCK_SECONDS={self.auth_block_seconds} is out of range: give 1 to 86400 "
                f"seconds (default {DEFAULT_AUTH_BLOCK_SECONDS}); a block must end so that a real client "
                f"sharing the address gets back in."
            )
        if "://" not in self.database_url:
            raise ConfigurationError(
                f"Database URL {self.database_url!r} is not a URL. Use sqlite:///path/to/file.db "
                f"or postgresql+psycopg://user@host/dbname."
            )


def _int_env(name: str, default: int) -> int:
    text = os.environ.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise ConfigurationError(f"{name}={text!r} is not a whole number.") from None


def _limit_env(name: str, default: int) -> int:
    """A server-wide default limit: a whole number, or 'unlimited' (0)."""
    setting = LIMIT_OPTIONS[name][1]
    text = os.environ.get(setting, "")
    if text.strip() == "":
        return default
    try:
        value = parse_limit(name, text, where=setting + "=", default_allowed=False)
    except OpenRosterError as exc:
        raise ConfigurationError(str(exc)) from None
    assert value is not None
    return value


def _bool_env(name: str, default: bool) -> bool:
    text = os.environ.get(name, "").strip().lower()
    if text == "":
        return default
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name}={text!r} is not a yes/no setting: give true or false.")
