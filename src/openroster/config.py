"""Settings from arguments and OPENROSTER_* environment variables, checked once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from openroster.errors import ConfigurationError

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
MIN_METRICS_TOKEN = 16  # characters: a guessable token would open the metrics to anyone


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
    metrics_token: str = ""  # bearer token /metrics requires; '' = see ops/metrics_access.py
    metrics_port: int = 0  # the port `serve --metrics-port` serves metrics on; 0 = none

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
            metrics_token=os.environ.get("OPENROSTER_METRICS_TOKEN", ""),
            metrics_port=_int_env("OPENROSTER_METRICS_PORT", 0),
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
        if self.metrics_token and (
            len(self.metrics_token) < MIN_METRICS_TOKEN
            or not self.metrics_token.isascii()
            or not self.metrics_token.isprintable()
            or " " in self.metrics_token
        ):
            raise ConfigurationError(
                f"OPENROSTER_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN} printable ASCII characters "
                f"without spaces (it is sent as Authorization: Bearer <token>); make one with: "
                f"python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        if not 0 <= self.metrics_port <= 65535:
            raise ConfigurationError(
                f"OPENROSTER_METRICS_PORT={self.metrics_port} is not a port: give 1 to 65535, or leave it "
                f"unset to serve /metrics on the API's port."
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


def _bool_env(name: str, default: bool) -> bool:
    text = os.environ.get(name, "").strip().lower()
    if text == "":
        return default
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name}={text!r} is not a yes/no setting: give true or false.")
