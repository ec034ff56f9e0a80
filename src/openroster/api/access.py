"""The one place every request's access is decided.

`Access.authorize` runs before any data is read: it authenticates the request, checks the
endpoint's scope, and returns a Grant naming the client and the orgs it may see. It refuses
with Unauthorized (401) or Forbidden (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from starlette.requests import Request

from openroster.api.endpoints import Endpoint
from openroster.ops.limits import ClientLimits


@dataclass(frozen=True)
class Grant:
    client_id: str | None
    orgs: frozenset[str] | None = None  # visible org sourcedIds; None: not limited
    passwords: bool = False  # users' passwords are served to, and filterable by, this client
    limits: ClientLimits = ClientLimits()  # the client's own limits (None each: the server's default)


class Access(Protocol):
    def authorize(self, request: Request, endpoint: Endpoint, signed_url: str, body: bytes) -> Grant: ...
