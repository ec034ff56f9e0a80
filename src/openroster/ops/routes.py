"""The operations endpoints /health, /ready and /metrics: outside the OneRoster API, its auth and its errors."""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from prometheus_client import generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openroster.config import Settings
from openroster.ops import metrics
from openroster.ops.health import LIVENESS, Readiness, ready_body
from openroster.ops.metrics_access import MetricsAccess, Refused
from openroster.ops.store_metrics import StoreCollector

PATHS = frozenset({"/health", "/ready", "/metrics"})
_JSON = "application/json"
# Probes and scrapes must see the server's state now, never a cached answer of some proxy.
_NO_STORE = {"Cache-Control": "no-store"}


class Operations:
    def __init__(self, settings: Settings, engine: sa.Engine) -> None:
        self.readiness = Readiness(engine)
        self.metrics_access = MetricsAccess(settings.metrics_token, settings.metrics_port)
        self.scrape = metrics.scrape_registry(StoreCollector(engine))

    async def respond(self, request: Request) -> Response:
        """Answer a request for one of PATHS."""
        path = request.url.path
        request.state.endpoint = path
        if request.method not in ("GET", "HEAD"):
            description = f"{request.method} is not supported here; use GET"
            return _json(405, "method_not_allowed", description, {"Allow": "GET, HEAD"})
        if path == "/health":
            status, body, media_type = 200, LIVENESS, _JSON
        elif path == "/ready":  # the checks read the store: off the event loop
            status, body = await run_in_threadpool(lambda: ready_body(self.readiness.failure()))
            media_type = _JSON
        else:
            try:
                self.metrics_access.check(request)
            except Refused as refused:
                if refused.status == 401:
                    metrics.count_auth_failure("metrics_token")
                return _json(refused.status, refused.error, refused.description, refused.headers)
            status, media_type = 200, metrics.CONTENT_TYPE
            body = await run_in_threadpool(generate_latest, self.scrape)
        return Response(
            b"" if request.method == "HEAD" else body, status, headers=_NO_STORE, media_type=media_type
        )


def _json(status: int, error: str, description: str, headers: dict[str, str]) -> Response:
    return Response(
        orjson.dumps({"error": error, "error_description": description}),
        status,
        headers={**_NO_STORE, **headers},
        media_type=_JSON,
    )
