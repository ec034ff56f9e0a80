"""The exception hierarchy: every error knows its HTTP status and its OneRoster status payload (spec §5)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class StatusInfo:
    """One entry of a `statusInfoSet` array (the flat 1.1 form with `imsx_` members)."""

    code_major: str
    severity: str
    code_minor: str
    description: str

    def as_json(self) -> dict[str, str]:
        return {
            "imsx_codeMajor": self.code_major,
            "imsx_severity": self.severity,
            "imsx_description": self.description,
            "imsx_codeMinor": self.code_minor,
        }


def warning(code_minor: str, description: str) -> StatusInfo:
    return StatusInfo("success", "warning", code_minor, description)


class OpenRosterError(Exception):
    """Base of every error this project reports to a user."""


class OneRosterError(OpenRosterError):
    """An error answered to an API client with an HTTP status and a status payload."""

    http_status = 400
    code_minor = "invalid data"
    # The audit-log tag of the client id a refused request claimed (never the claim itself).
    claimed_client: str | None = None
    # Seconds the answer is held back (repeated failed credentials), without holding a worker thread.
    answer_delay: float = 0.0

    def __init__(self, description: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.headers = headers or {}

    @property
    def status_info(self) -> StatusInfo:
        return StatusInfo("failure", "error", self.code_minor, self.description)


class InvalidData(OneRosterError):
    """A malformed parameter or body (bad limit, malformed filter, bad value)."""


class InvalidFilterField(OneRosterError):
    code_minor = "invalid_filter_field"


class InvalidBlankSelectionField(OneRosterError):
    code_minor = "invalid_blank_selection_field"


class InvalidSelectionField(OneRosterError):
    """An unknown or blank `fields` name on a 1.2 endpoint (1.1 answers those with a warning)."""

    code_minor = "invalid_selection_field"


class UnknownObject(OneRosterError):
    http_status = 404
    code_minor = "unknown object"


class InvalidContent(OneRosterError):
    """A well-formed request body whose content cannot be stored (each bad field named)."""

    http_status = 422


class IdInUse(OneRosterError):
    """A PUT to a sourcedId held by a record this client may not write (sourcedIds are district-wide)."""

    http_status = 409


class PayloadTooLarge(OneRosterError):
    http_status = 413


class RequestTimeout(OneRosterError):
    """The client did not send the whole request body within the read timeout."""

    http_status = 408


class Unauthorized(OneRosterError):
    """Missing or bad credentials; `headers` carry the WWW-Authenticate challenge."""

    http_status = 401
    code_minor = "unauthorized"


class Forbidden(OneRosterError):
    """Good credentials without the scope this endpoint needs."""

    http_status = 403
    code_minor = "forbidden"


class MethodNotAllowed(OneRosterError):
    http_status = 405
    code_minor = "unsupported"


class RetryLater(OneRosterError):
    """Refused for now, not for good: answered with `Retry-After` (whole seconds, at least 1).

    `refusal` names what refused it (a limit, a bound of the server), for the audit log and the
    count of refusals.
    """

    refusal = "retry_later"

    def __init__(self, description: str, *, retry_after_seconds: float, refusal: str = "") -> None:
        self.retry_after_seconds = max(1, math.ceil(retry_after_seconds))
        super().__init__(description, headers={"Retry-After": str(self.retry_after_seconds)})
        self.refusal = refusal or self.refusal


class TooManyRequests(RetryLater):
    """A client past one of its limits (requests or records per minute, requests at once), or an
    address or client id refused after repeated failed credentials."""

    http_status = 429
    code_minor = "server_busy"


class StoreBusy(RetryLater):
    """The store cannot answer within this server's bounds right now: retry shortly.

    Answered quickly as 503 with `Retry-After` (a read past its time budget, no free database
    connection, a write that cannot take the store's lock in time, such as
    during a long import), instead of holding a worker and failing late.
    """

    http_status = 503
    code_minor = "server_busy"
    refusal = "store_busy"

    def __init__(self, description: str, *, retry_after_seconds: float = 5, refusal: str = "") -> None:
        super().__init__(description, retry_after_seconds=retry_after_seconds, refusal=refusal)


class Overloaded(RetryLater):
    """This server process is saturated (requests in flight, memory, database connections): it
    sheds the request at once rather than queue it without bound."""

    http_status = 503
    code_minor = "server_busy"


class ConfigurationError(OpenRosterError):
    """A setting that cannot work; the message names the bad value and how to fix it."""


class SchemaOutdated(OpenRosterError):
    """The store's schema is older (or newer) than this version of openroster."""


class TargetNotEmpty(OpenRosterError):
    """A copy's target database already holds openroster data (and replacing it was not asked for)."""


class CheckAborted(OpenRosterError):
    """The readiness checker cannot go on: the provider is unreachable or refuses the credentials."""
