"""The ASGI application: route, authorize, parse the query, read the store, answer with stored bytes."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openroster import API_ROOT, __version__
from openroster.api.access import Access, OpenAccess
from openroster.api.endpoints import ENDPOINTS, Endpoint
from openroster.api.responses import (JSON, collection_body, first_values, link_header, project,
                                      single_body, status_body)
from openroster.api.router import Router
from openroster.config import Settings
from openroster.errors import MethodNotAllowed, OneRosterError, StatusInfo, UnknownObject
from openroster.query.params import parse_query
from openroster.store.dialects import create_engine, read_connection
from openroster.store.migrate import require_current
from openroster.store.reads import read_one, read_page
from openroster.store.scopes import Scope

log = logging.getLogger("openroster.api")
_METHODS = ["GET", "HEAD", "PUT", "DELETE", "POST", "PATCH", "OPTIONS"]


class OneRosterService:
    def __init__(self, settings: Settings, engine: sa.Engine, access: Access) -> None:
        self.settings, self.engine, self.access = settings, engine, access
        self.router = Router(ENDPOINTS)

    def base_url(self, request: Request) -> str:
        if self.settings.public_url:
            return self.settings.public_url
        return f"{request.url.scheme}://{request.url.netloc}"

    def handle(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except OneRosterError as exc:
            return error_response(exc.http_status, exc.status_info)
        except Exception:
            log.exception("internal error on %s %s", request.method, request.url.path)
            return error_response(500, StatusInfo("failure", "error", "internal server error",
                                                  "The server failed to answer this request."))

    def _dispatch(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        raw_path = raw_path.split("?", 1)[0]
        match = self.router.match(raw_path)
        if match is None:
            if Router.split(raw_path) is None and raw_path.strip("/") == "":
                return Response(b'{"openroster":"' + __version__.encode() + b'","api":"'
                                + API_ROOT.encode() + b'"}', media_type=JSON)
            raise UnknownObject(f"No OneRoster endpoint at {request.url.path}")
        endpoint = match.for_method(request.method)
        if endpoint is None:
            allowed = sorted({e.method for e in match.endpoints})
            raise MethodNotAllowed(f"{request.method} is not supported here; allowed: {', '.join(allowed)}")
        restrictions = self.access.authorize(request, endpoint)
        return self._read(request, endpoint, match.params, restrictions, raw_path)

    def _read(self, request: Request, endpoint: Endpoint, path_params: dict[str, str],
              restrictions: Scope, raw_path: str) -> Response:
        raw_query = request.scope.get("query_string", b"").decode("latin-1")
        params = first_values(parse_qsl(request.url.query, keep_blank_values=True))
        entity = endpoint.entity
        query = parse_query(entity, params, collection=endpoint.collection,
                            max_limit=self.settings.max_limit)
        scope = endpoint.scope + restrictions
        base = self.base_url(request)
        with read_connection(self.engine) as conn:
            if not endpoint.collection:
                doc = read_one(conn, entity, path_params["id"], scope, path_params)
                if doc is None:
                    raise UnknownObject(f"No {entity.name} with sourcedId {path_params['id']}"
                                        + _restriction_note(endpoint))
                page_docs, total = [doc], 1
            else:
                page = read_page(conn, entity, scope, path_params, query)
                page_docs, total = page.docs, page.total
        if query.fields is not None:
            page_docs = [project(d, query.fields) for d in page_docs]
        headers = {"X-Total-Count": str(total)}
        if endpoint.collection:
            body = collection_body(endpoint.wrapper_key, page_docs, base, query.warnings)
            headers["Link"] = link_header(base + raw_path, raw_query, limit=query.limit,
                                          offset=query.offset, total=total)
        else:
            body = single_body(endpoint.wrapper_key, page_docs[0], base, query.warnings)
        if request.method == "HEAD":
            body = b""
        return Response(body, media_type=JSON, headers=headers)


def _restriction_note(endpoint: Endpoint) -> str:
    return f" at {endpoint.path.rsplit('/', 1)[0]}" if endpoint.scope else ""


def error_response(status: int, info: StatusInfo) -> Response:
    return Response(status_body(info), status_code=status, media_type=JSON)


def create_app(settings: Settings, *, engine: sa.Engine | None = None,
               access: Access | None = None) -> Starlette:
    """The API application; refuses to start on a store whose schema is not this version's."""
    engine = engine or create_engine(settings.database_url)
    require_current(engine)
    service = OneRosterService(settings, engine, access or OpenAccess())
    app = Starlette(routes=[Route("/{path:path}", service.handle, methods=_METHODS)])
    app.state.service = service
    return app
