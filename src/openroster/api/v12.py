"""The OneRoster 1.2 services: route under the 1.2 roots, parse 1.2 queries, serve stored 1.2 bytes.

The service (app.py) authenticates and answers errors for both versions; what differs in 1.2
is here: the routes (endpoints_v12.py), the query rules (params_v12.py), the documents served
(`doc_v12`), the services' OpenAPI documents (openapi_v12.py), 404 for a relationship whose
parent does not exist (spec §2.1, where 1.1 answers an empty list for SDS), and hrefs under the
1.2 roots. The gradebook's writes are gradebook_v12.py's.
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from openroster.api import gradebook_v12
from openroster.api.access import Grant
from openroster.api.endpoints import Endpoint, parents
from openroster.api.endpoints_v12 import ASSESSMENT_V12, GRADEBOOK_V12, RESOURCES_V12, ROSTERING_V12
from openroster.api.openapi_v12 import SERVICES, discovery_names, openapi_document_v12
from openroster.api.responses import JSON, PiecesResponse, collection_chunks, link_header, project
from openroster.api.router import RouteMatch, Router, root_segments
from openroster.config import Settings
from openroster.errors import MethodNotAllowed, UnknownObject
from openroster.model.render_v12 import absolute_hrefs_v12
from openroster.model.v12 import (
    ENTITIES_V12,
    GRADEBOOK_ROOT,
    PUBLIC_VIEWS_V12,
    RESOURCES_ROOT,
    ROSTERING_ROOT,
)
from openroster.query.params_v12 import parse_query_v12
from openroster.store import secret_fields
from openroster.store.dialects import read_connection
from openroster.store.page_memory import PageMemory
from openroster.store.reads import read_one, read_page
from openroster.store.restrictions import Boundary, Restriction
from openroster.store.writes import revision

DOCUMENT = "doc_v12"
_SERVED = (
    (ROSTERING_V12, ROSTERING_ROOT),
    (RESOURCES_V12, RESOURCES_ROOT),
    (GRADEBOOK_V12 + ASSESSMENT_V12, GRADEBOOK_ROOT),
)


def _alias(root: str) -> str:
    """The root a client reaches that puts the service root after `/ims/oneroster/v1p2` (Google's
    notebook does, when given a base URL ending in /ims/oneroster/v1p2 as its text asks)."""
    return "/ims/oneroster/v1p2/" + root.removeprefix("/ims/oneroster/")


# The segments of each root a 1.2 service answers under, with that service's root.
_ROOTS = tuple((root_segments(r), root) for _, root in _SERVED for r in (root, _alias(root)))


def v12_root(path: str) -> str | None:
    """The root of the 1.2 service a request path lies under (its errors are then 1.2's), if any."""
    segments = tuple(s.lower() for s in path.split("/") if s)
    return next((root for prefix, root in _ROOTS if segments[: len(prefix)] == prefix), None)


def no_endpoint(shown_path: str) -> UnknownObject:
    """The 404 of a path under a 1.2 root that no 1.2 endpoint serves."""
    return UnknownObject(f"No OneRoster 1.2 endpoint at {shown_path}")


class V12Reads:
    """Routes and reads of the 1.2 services (a part of the one OneRosterService)."""

    def __init__(self, settings: Settings, engine: sa.Engine, page_memory: PageMemory) -> None:
        self.settings, self.engine, self.page_memory = settings, engine, page_memory
        self.routers = tuple(Router(table, r) for table, root in _SERVED for r in (root, _alias(root)))

    def match(self, raw_path: str) -> RouteMatch | None:
        for router in self.routers:
            found = router.match(raw_path)
            if found is not None:
                return found
        return None

    def unmatched(self, request: Request, raw_path: str, base: str) -> Response:
        """A path under a 1.2 root that no read serves: a service's OpenAPI document, or 404."""
        for service, root in SERVICES.items():
            below = Router.split(raw_path, root_segments(root))
            if below is None or "/".join(below).lower() not in {n.lower() for n in discovery_names(service)}:
                continue
            if request.method not in ("GET", "HEAD"):
                allowed = "GET, HEAD"
                raise MethodNotAllowed(
                    f"{request.method} is not supported here; allowed: {allowed}", headers={"Allow": allowed}
                )
            document = openapi_document_v12(service, base, max_limit=self.settings.max_limit)
            return Response(b"" if request.method == "HEAD" else orjson.dumps(document), media_type=JSON)
        raise no_endpoint(request.url.path)

    def answer(
        self,
        request: Request,
        endpoint: Endpoint,
        path_params: dict[str, str],
        grant: Grant,
        body: bytes,
        raw_path: str,
        base: str,
    ) -> tuple[Response, int | None]:
        """Any 1.2 operation: a read, or one of the gradebook's writes."""
        if endpoint.method == "PUT":
            return gradebook_v12.put(self.engine, endpoint, path_params["id"], grant, body, base), 1
        if endpoint.method == "DELETE":
            return gradebook_v12.delete(self.engine, endpoint, path_params["id"], grant), None
        if endpoint.method == "POST":
            boundary: Restriction = (Boundary(grant.orgs),) if grant.orgs is not None else ()
            response = gradebook_v12.post(
                self.engine,
                endpoint,
                path_params,
                grant,
                body,
                lambda conn: _require_parents(conn, endpoint, path_params, boundary),
            )
            return response, None
        return self.read(request, endpoint, path_params, grant, raw_path, base)

    def read(
        self,
        request: Request,
        endpoint: Endpoint,
        path_params: dict[str, str],
        grant: Grant,
        raw_path: str,
        base: str,
    ) -> tuple[Response, int]:
        settings = self.settings
        entity = endpoint.entity
        raw_query = request.scope.get("query_string", b"")
        # A client not allowed secret fields (passwords) cannot name them: they do not exist for it.
        views = ENTITIES_V12 if grant.passwords else PUBLIC_VIEWS_V12
        query = parse_query_v12(
            views[entity.name],
            raw_query,
            collection=endpoint.collection,
            max_limit=settings.max_limit,
            max_filter_predicates=settings.max_filter_predicates,
            max_filter_length=settings.max_filter_length,
        )
        boundary: Restriction = (Boundary(grant.orgs),) if grant.orgs is not None else ()
        filtered = query.criteria.field_names() if query.criteria else set()
        restriction = endpoint.restriction + boundary + endpoint.tombstones_left_out(filtered)
        with read_connection(self.engine, settings.query_timeout_ms) as conn:
            data_revision = revision(conn)
            total: int | None
            if not endpoint.collection:
                doc = read_one(conn, entity, path_params["id"], restriction, path_params, DOCUMENT)
                if doc is None:
                    raise UnknownObject(f"No {_what(endpoint)} with sourcedId {path_params['id']}")
                docs, total, more = [doc], 1, False
            else:
                _require_parents(conn, endpoint, path_params, boundary)
                page = read_page(
                    conn,
                    entity,
                    restriction,
                    path_params,
                    query,
                    revision=data_revision,
                    memory=self.page_memory,
                    walker=grant.client_id,
                    document=DOCUMENT,
                )
                docs, total, more = page.docs, page.total, page.more
            if grant.passwords:
                docs = secret_fields.reveal(conn, entity, docs)
        if query.fields is not None:
            docs = [project(d, query.fields) for d in docs]
        key = endpoint.wrapper_key.encode()
        headers = {"X-Total-Count": str(total), "X-Data-Revision": str(data_revision)}
        if endpoint.collection:
            assert total is not None  # 1.2 pages are always counted
            raw = raw_query.decode("latin-1")
            headers["Link"] = link_header(
                base + raw_path, raw, limit=query.limit, offset=query.offset, total=total, more=more
            )
            if request.method == "HEAD":
                return Response(b"", media_type=JSON, headers=headers), len(docs)
            # In pieces, never joined whole, as 1.1's pages (responses.py).
            pieces = collection_chunks(endpoint.wrapper_key, docs, base, rewrite=absolute_hrefs_v12)
            return PiecesResponse(pieces, headers), len(docs)
        body = (
            b""
            if request.method == "HEAD"
            else absolute_hrefs_v12(b'{"' + key + b'":' + docs[0] + b"}", base)
        )
        return Response(body, media_type=JSON, headers=headers), len(docs)


def _what(endpoint: Endpoint) -> str:
    """What a single-object endpoint serves: `user`, or `student` for /students/{id}."""
    segment = endpoint.segments[0]
    if endpoint.restriction and segment.endswith("s"):
        return segment[:-1]
    return endpoint.entity.name


def _require_parents(
    conn: sa.Connection, endpoint: Endpoint, path_params: dict[str, str], boundary: Restriction
) -> None:
    """404 unless every parent in the path exists for this client (spec §2.1: `unknownobject`)."""
    for param, single in parents(endpoint):
        restriction = single.restriction + boundary + single.tombstones_left_out(())
        if read_one(conn, single.entity, path_params[param], restriction, {}) is None:
            raise UnknownObject(f"No {_what(single)} with sourcedId {path_params[param]}")
