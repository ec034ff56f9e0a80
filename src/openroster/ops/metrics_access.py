"""Who may read /metrics on the API's port: a bearer token, or else this machine only.

Metrics hold no secret and no district data, but they tell who pulls what and how often. So:
with OPENROSTER_METRICS_TOKEN set, every scrape must send `Authorization: Bearer <token>`;
without it, metrics served on a port of their own (`serve --metrics-port`) are not served here;
and with neither, only a client on this machine that came through no proxy may read them
(loopback peer, no forwarding header), since a proxy on this machine makes every client look local.
"""

from __future__ import annotations

import hmac
import ipaddress

from starlette.requests import Request

_FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


class Refused(Exception):
    def __init__(
        self, status: int, error: str, description: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description
        self.headers = headers or {}


class MetricsAccess:
    def __init__(self, token: str, metrics_port: int) -> None:
        self.token, self.metrics_port = token.encode(), metrics_port

    def check(self, request: Request) -> None:
        """Return if `request` may read the metrics; raise Refused (with the fix) if not."""
        if self.token:
            self._check_token(request.headers.get("authorization", ""))
        elif self.metrics_port:
            raise Refused(
                404,
                "not_found",
                "This server serves its metrics on a port of their own (serve --metrics-port), not here.",
            )
        elif not _local(request):
            raise Refused(
                403,
                "forbidden",
                "Metrics are served here only to this machine: set OPENROSTER_METRICS_TOKEN and send "
                "Authorization: Bearer <token>, or serve them on a port of their own with serve --metrics-port.",
            )

    def _check_token(self, authorization: str) -> None:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise Refused(
                401,
                "unauthorized",
                "Send the metrics token (OPENROSTER_METRICS_TOKEN) as Authorization: Bearer <token>.",
                {"WWW-Authenticate": 'Bearer realm="openroster metrics"'},
            )
        if not hmac.compare_digest(given.strip().encode(), self.token):
            raise Refused(
                401,
                "invalid_token",
                "This is not the metrics token (OPENROSTER_METRICS_TOKEN).",
                {"WWW-Authenticate": 'Bearer realm="openroster metrics", error="invalid_token"'},
            )


def _local(request: Request) -> bool:
    if any(name in request.headers for name in _FORWARDING_HEADERS):
        return False
    if request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False
