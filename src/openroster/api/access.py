"""The one place every request's access is decided.

`Access.authorize` runs before any data is read. It may refuse the request (raising a
OneRosterError) or narrow what the endpoint may return by adding restrictions to its scope.
Open access serves everything; authentication plugs in here.
"""

from __future__ import annotations

from typing import Protocol

from starlette.requests import Request

from openroster.api.endpoints import Endpoint
from openroster.store.scopes import Scope


class Access(Protocol):
    def authorize(self, request: Request, endpoint: Endpoint) -> Scope: ...


class OpenAccess:
    """No authentication: every client may read everything."""

    def authorize(self, request: Request, endpoint: Endpoint) -> Scope:
        return ()
