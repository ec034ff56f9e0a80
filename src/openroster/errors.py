"""The exception hierarchy: every error knows its HTTP status and its OneRoster status payload (spec §5)."""

from __future__ import annotations

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


class UnknownObject(OneRosterError):
    http_status = 404
    code_minor = "unknown object"


class InvalidContent(OneRosterError):
    """A well-formed request body whose content cannot be stored (each bad field named)."""

    http_status = 422


class PayloadTooLarge(OneRosterError):
    http_status = 413


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


class ConfigurationError(OpenRosterError):
    """A setting that cannot work; the message names the bad value and how to fix it."""


class SchemaOutdated(OpenRosterError):
    """The store's schema is older (or newer) than this version of openroster."""


class CheckAborted(OpenRosterError):
    """The readiness checker cannot go on: the provider is unreachable or refuses the credentials."""
