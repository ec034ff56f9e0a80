"""The ASGI application: route, authorize, parse the query, read the store, answer with stored bytes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

import orjson
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from openroster import API_ROOT, __version__
from openroster.api.access import Access, Grant
from openroster.api.admission import FilterAdmission
from openroster.api.audit import audit_request as _audit
from openroster.api.bodies import check_path_id, wrapped
from openroster.api.docs_page import docs_page
from openroster.api.endpoints import ENDPOINTS, Endpoint, parents
from openroster.api.forwarded import ForwardedHeaders
from openroster.api.openapi import REFERENCE_PAGES, TOKEN_PATH, openapi_document
from openroster.api.preferences import NO_COUNT, wants_no_count
from openroster.api.request_ids import RequestIds
from openroster.api.responses import (
    JSON,
    PiecesResponse,
    collection_chunks,
    link_header,
    project,
    single_body,
    status_body,
)
from openroster.api.router import Router
from openroster.api.status_v12 import status_body_v12
from openroster.api.v12 import V12Reads, v12_root
from openroster.auth.access import OAuthAccess
from openroster.auth.credential_gate import CredentialGate, GateFull
from openroster.auth.keys import ServerKeys, load_keys
from openroster.auth.token_endpoint import BUSY as TOKEN_BUSY
from openroster.auth.token_endpoint import retry_later, token_response
from openroster.config import Settings
from openroster.errors import (
    ConfigurationError,
    InvalidData,
    MethodNotAllowed,
    OneRosterError,
    Overloaded,
    PayloadTooLarge,
    RequestTimeout,
    RetryLater,
    StatusInfo,
    UnknownObject,
)
from openroster.model.catalogue import ENTITIES_V11, PUBLIC_VIEWS
from openroster.model.json_input import read_object
from openroster.model.v12 import GRADEBOOK_ROOT
from openroster.model.values import now_ms
from openroster.ops import metrics, refusals
from openroster.ops import routes as ops_routes
from openroster.ops.credential_failures import CredentialFailures
from openroster.ops.limits import ClientLimiter
from openroster.ops.request_metrics import RequestMetrics
from openroster.ops.shared_counters import SharedCounters, counters_path
from openroster.ops.shedding import Shedder
from openroster.query.params import filter_weight, parse_query, query_parameters
from openroster.store import gradebook, secret_fields
from openroster.store.dialects import (
    create_engine,
    no_connection_free,
    pool_exhausted,
    read_connection,
    write_transaction,
)
from openroster.store.migrate import require_current
from openroster.store.page_memory import PageMemory
from openroster.store.reads import read_one, read_page
from openroster.store.restrictions import Boundary, Restriction
from openroster.store.writes import revision

if TYPE_CHECKING:
    from openroster.console.activity import Recorder

log = logging.getLogger("openroster.api")


class OneRosterService:
    def __init__(
        self,
        settings: Settings,
        engine: sa.Engine,
        keys: ServerKeys,
        access: Access,
        counters: SharedCounters,
        credential_failures: CredentialFailures,
        page_memory: PageMemory | None = None,
    ) -> None:
        self.settings, self.engine, self.keys, self.access = settings, engine, keys, access
        self.router = Router(ENDPOINTS)
        self.page_memory = page_memory or PageMemory()
        # Room for a few filters of the largest size at once.
        self.filter_admission = FilterAdmission(4 * settings.max_filter_predicates)
        self.credential_gate = CredentialGate()
        self.v12 = V12Reads(settings, engine, self.page_memory)
        self.operations = ops_routes.Operations(settings, engine)
        self.limiter = ClientLimiter(counters, settings.default_limits, window_seconds=settings.limits_window)
        self.credential_failures = credential_failures
        self.shedder = Shedder(
            max_in_flight=settings.max_in_flight,
            max_memory_mb=settings.max_memory_mb,
            pool_exhausted=lambda: pool_exhausted(engine),
        )

    def base_url(self, request: Request) -> str:
        if self.settings.public_url:
            return self.settings.public_url
        return f"{request.url.scheme}://{request.url.netloc}"

    async def route(self, request: Request) -> Response:
        """Every request: the token endpoint (whatever the method: others are 405), the operations
        endpoints (/health, /ready), else the API."""
        if request.url.path == "/oauth/token":
            return await self.token(request)
        if request.url.path in ops_routes.PATHS:
            return await self.operations.respond(request)
        return await self.handle(request)

    async def handle(self, request: Request) -> Response:
        """Every OneRoster request: the body (if any) is read here, the rest runs in a worker thread."""
        started = time.perf_counter()
        try:
            body = await _read_body(request, self.settings)
        except OneRosterError as exc:
            _audit(request, exc.http_status, None, started, exc.description)
            return error_response(exc.http_status, exc.status_info, exc.headers, request)
        weight = (
            filter_weight(
                request.scope.get("query_string", b""),
                self.settings.max_filter_predicates,
                self.settings.max_filter_length,
            )
            if request.method in ("GET", "HEAD")
            else 0
        )
        try:
            with self.shedder.admit():
                response, delay = await run_in_threadpool(self._handle, request, body, started, weight)
        except Overloaded as exc:
            refusals.count(exc.http_status, exc.refusal)
            _audit(request, exc.http_status, None, started, exc.description)
            return error_response(exc.http_status, exc.status_info, exc.headers)
        if delay:  # after repeated failed credentials; no longer counted in flight
            await asyncio.sleep(delay)
        return response

    def _handle(self, request: Request, body: bytes, started: float, weight: int) -> tuple[Response, float]:
        """The response and how long to hold it back (a failed credential, after repeated ones)."""
        records: int | None = None
        reason = ""
        claimed = None
        delay = 0.0
        try:
            with self.filter_admission.admit(weight):
                response, records = self._dispatch(request, body)
        except (OneRosterError, sa.exc.TimeoutError) as caught:
            exc = no_connection_free() if isinstance(caught, sa.exc.TimeoutError) else caught
            metrics.count_api_refusal(exc)
            if isinstance(exc, RetryLater):
                refusals.count(exc.http_status, exc.refusal)
            response = error_response(exc.http_status, exc.status_info, exc.headers, request)
            reason, claimed, delay = exc.description, exc.claimed_client, exc.answer_delay
        except ConfigurationError as exc:  # the server key cannot open this client's stored secret
            log.error("%s %s: %s", request.method, request.url.path, exc)
            reason = str(exc)
            response = error_response(
                500,
                StatusInfo(
                    "failure",
                    "error",
                    "internal server error",
                    "The server cannot check this client's credentials: its stored secret was sealed with "
                    "another server key. The server's operator must restore that key or give the client a "
                    "new secret.",
                ),
                request=request,
            )
        except Exception:
            log.exception("internal error on %s %s", request.method, request.url.path)
            response = error_response(
                500,
                StatusInfo(
                    "failure", "error", "internal server error", "The server failed to answer this request."
                ),
                request=request,
            )
        request.state.records = records
        _audit(request, response.status_code, records, started, reason, claimed)
        return response, delay

    def _reference(self, request: Request, name: str) -> Response:
        """The OpenAPI document (openapi.json) or the docs page (docs): no district data, no auth."""
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(
                f"{request.method} is not supported here; allowed: GET", headers={"Allow": "GET, HEAD"}
            )
        document = openapi_document(self.base_url(request), max_limit=self.settings.max_limit)
        if name == "docs":
            body, media_type = docs_page(document).encode(), "text/html; charset=utf-8"
        else:
            body, media_type = orjson.dumps(document), JSON
        return Response(b"" if request.method == "HEAD" else body, media_type=media_type)

    async def token(self, request: Request) -> Response:
        """POST /oauth/token (OAuth 2.0 client credentials); other methods are 405."""
        started = time.perf_counter()
        request.state.endpoint = TOKEN_PATH
        if request.method != "POST":
            description = f"{request.method} is not supported here; request a token with POST"
            _audit(request, 405, None, started, description)
            return Response(
                orjson.dumps({"error": "invalid_request", "error_description": description}),
                status_code=405,
                media_type="application/json",
                headers={"Allow": "POST"},
            )
        try:
            body = await _read_body(request, self.settings)
        except (PayloadTooLarge, RequestTimeout) as exc:
            _audit(request, exc.http_status, None, started, exc.description)
            return Response(
                orjson.dumps({"error": "invalid_request", "error_description": exc.description}),
                status_code=exc.http_status,
                media_type="application/json",
                headers=exc.headers,
            )
        try:
            with self.shedder.admit():
                result = await self.credential_gate.run(
                    token_response,
                    content_type=request.headers.get("content-type", ""),
                    authorization=request.headers.get("authorization", ""),
                    body=body,
                    engine=self.engine,
                    keys=self.keys,
                    lifetime_seconds=self.settings.token_lifetime,
                    failures=self.credential_failures,
                    address=request.client.host if request.client else "",
                )
        except GateFull:
            result = TOKEN_BUSY
        except Overloaded as exc:
            result = retry_later(exc)
        if result.refusal:
            refusals.count(result.status, result.refusal)
        if result.delay_seconds:  # after repeated failed credentials; no longer counted in flight
            await asyncio.sleep(result.delay_seconds)
        request.state.client_id = result.client_id
        if result.status >= 400:
            metrics.count_token_refusal(str(result.body.get("error", "")))
        response = Response(
            orjson.dumps(result.body),
            status_code=result.status,
            media_type="application/json",
            headers=result.headers,
        )
        _audit(request, result.status, None, started, result.reason, result.claimed_client)
        return response

    def _dispatch(self, request: Request, body: bytes) -> tuple[Response, int | None]:
        raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        raw_path = raw_path.split("?", 1)[0]
        match = self.router.match(raw_path) or self.v12.match(raw_path)
        if match is None and v12_root(raw_path):  # a 1.2 discovery document, or 404
            return self.v12.unmatched(request, raw_path, self.base_url(request)), None
        if match is None:
            below_root = Router.split(raw_path)
            if below_root is not None and len(below_root) == 1 and below_root[0].lower() in REFERENCE_PAGES:
                request.state.endpoint = f"{API_ROOT}/{below_root[0].lower()}"
                return self._reference(request, below_root[0].lower()), None
            if below_root is None and raw_path.strip("/") == "":
                request.state.endpoint = "/"
                return Response(
                    b'{"openroster":"' + __version__.encode() + b'","api":"' + API_ROOT.encode() + b'"}',
                    media_type=JSON,
                ), None
            raise UnknownObject(f"No OneRoster endpoint at {request.url.path}")
        request.state.endpoint = (
            match.endpoints[0].root + match.endpoints[0].path
        )  # the template: bounded labels
        endpoint = match.for_method(request.method)
        if endpoint is None:
            allowed = ", ".join(_allow({e.method for e in match.endpoints}))
            raise MethodNotAllowed(
                f"{request.method} is not supported here; allowed: {allowed}", headers={"Allow": allowed}
            )
        # Before authentication too: an OAuth 1.0a consumer key or nonce is a query parameter.
        if "%00" in raw_path or "%00" in request.scope.get("query_string", b"").decode("latin-1"):
            raise InvalidData(
                "The request holds a NUL character (%00); no path segment or query parameter may"
            )
        grant = self.access.authorize(request, endpoint, self.base_url(request) + raw_path, body)
        if grant.client_id is None:
            return self._answer(request, endpoint, match.params, grant, body, raw_path)
        with self.limiter.admit(grant.client_id, grant.limits):
            response, records = self._answer(request, endpoint, match.params, grant, body, raw_path)
        self.limiter.served(grant.client_id, grant.limits, records or 0)
        return response, records

    def _answer(
        self,
        request: Request,
        endpoint: Endpoint,
        path_params: dict[str, str],
        grant: Grant,
        body: bytes,
        raw_path: str,
    ) -> tuple[Response, int | None]:
        if endpoint.version == "1.2":
            return self.v12.answer(
                request, endpoint, path_params, grant, body, raw_path, self.base_url(request)
            )
        if endpoint.method == "PUT":
            return self._put(request, endpoint, path_params["id"], grant, body), 1
        if endpoint.method == "DELETE":
            return self._delete(endpoint, path_params["id"], grant), None
        return self._read(request, endpoint, path_params, grant, raw_path)

    def _put(
        self, request: Request, endpoint: Endpoint, sourced_id: str, grant: Grant, body: bytes
    ) -> Response:
        entity, key = endpoint.entity, endpoint.wrapper_key
        value = wrapped(body, key)
        check_path_id(value, sourced_id)
        record, problems = read_object(ENTITIES_V11[entity.name], value)
        with write_transaction(self.engine, wait_ms=gradebook.API_WRITE_WAIT_MS) as conn:
            outcome = gradebook.put(
                conn, entity, sourced_id, record, boundary=grant.orgs, now_ms=now_ms(), problems=problems
            )
        return Response(
            single_body(key, outcome.doc, self.base_url(request)),
            status_code=201 if outcome.created else 200,
            media_type=JSON,
        )

    def _delete(self, endpoint: Endpoint, sourced_id: str, grant: Grant) -> Response:
        with write_transaction(self.engine, wait_ms=gradebook.API_WRITE_WAIT_MS) as conn:
            deleted = gradebook.delete(
                conn, endpoint.entity, sourced_id, boundary=grant.orgs, now_ms=now_ms()
            )
        if not deleted:
            raise UnknownObject(f"No {endpoint.entity.name} with sourcedId {sourced_id}")
        return Response(status_code=204)

    def _read(
        self, request: Request, endpoint: Endpoint, path_params: dict[str, str], grant: Grant, raw_path: str
    ) -> tuple[Response, int]:
        raw_query = request.scope.get("query_string", b"").decode("latin-1")
        params = query_parameters(request.scope.get("query_string", b""))
        entity = endpoint.entity
        # A client not allowed secret fields (passwords) cannot name them: they do not exist for it.
        query = parse_query(
            ENTITIES_V11[entity.name] if grant.passwords else PUBLIC_VIEWS[entity.name],
            params,
            collection=endpoint.collection,
            max_limit=self.settings.max_limit,
            max_filter_predicates=self.settings.max_filter_predicates,
            max_filter_length=self.settings.max_filter_length,
        )
        boundary: Restriction = (Boundary(grant.orgs),) if grant.orgs is not None else ()
        filtered = query.criteria.field_names() if query.criteria else set()
        restriction = endpoint.restriction + boundary + endpoint.tombstones_left_out(filtered)
        base = self.base_url(request)
        count = not (endpoint.collection and wants_no_count(request.headers))
        more = False
        total: int | None
        with read_connection(self.engine, self.settings.query_timeout_ms) as conn:
            data_revision = revision(conn)
            if not endpoint.collection:
                doc = read_one(conn, entity, path_params["id"], restriction, path_params)
                if doc is None:
                    raise UnknownObject(
                        f"No {entity.name} with sourcedId {path_params['id']}" + _restriction_note(endpoint)
                    )
                page_docs, total = [doc], 1
            elif boundary and not _parents_visible(conn, endpoint, path_params, boundary):
                # A parent outside the boundary does not exist for this client.
                page_docs, total = [], 0 if count else None
            else:
                page = read_page(
                    conn,
                    entity,
                    restriction,
                    path_params,
                    query,
                    revision=data_revision,
                    memory=self.page_memory,
                    walker=grant.client_id,
                    count=count,
                )
                page_docs, total, more = page.docs, page.total, page.more
            if grant.passwords:
                page_docs = secret_fields.reveal(conn, entity, page_docs)
        if query.fields is not None:
            page_docs = [project(d, query.fields) for d in page_docs]
        headers = ({"Preference-Applied": NO_COUNT} if total is None else {"X-Total-Count": str(total)}) | {
            "X-Data-Revision": str(data_revision)
        }
        if not endpoint.collection:
            body = single_body(endpoint.wrapper_key, page_docs[0], base, query.warnings)
            return Response(b"" if request.method == "HEAD" else body, media_type=JSON, headers=headers), 1
        headers["Link"] = link_header(
            base + raw_path, raw_query, limit=query.limit, offset=query.offset, total=total, more=more
        )
        if request.method == "HEAD":
            return Response(b"", media_type=JSON, headers=headers), len(page_docs)
        pieces = collection_chunks(endpoint.wrapper_key, page_docs, base, query.warnings)
        return PiecesResponse(pieces, headers), len(page_docs)


async def _read_body(request: Request, settings: Settings) -> bytes:
    """The request body, refusing (413) one larger than the limit without reading it all, and (408)
    one that has not fully arrived within the read timeout."""
    if request.method not in ("PUT", "POST", "PATCH"):
        return b""
    limit = settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        raise PayloadTooLarge(f"The request body is {declared} bytes; the limit is {limit} bytes")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(settings.request_read_timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"The request body is larger than the limit of {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise RequestTimeout(
            f"The request body did not arrive within {settings.request_read_timeout} s "
            f"(OPENROSTER_REQUEST_READ_TIMEOUT)",
            headers={"Connection": "close"},
        ) from None
    return b"".join(chunks)


def _allow(methods: set[str]) -> list[str]:
    """The methods a path takes, as `Allow` names them: HEAD wherever GET is."""
    return sorted(methods | {"HEAD"} if "GET" in methods else methods)


def _parents_visible(
    conn: sa.Connection, endpoint: Endpoint, path_params: dict[str, str], boundary: Restriction
) -> bool:
    return all(
        read_one(conn, single.entity, path_params[param], single.restriction + boundary, {}) is not None
        for param, single in parents(endpoint)
    )


def _restriction_note(endpoint: Endpoint) -> str:
    return f" at {endpoint.path.rsplit('/', 1)[0]}" if endpoint.restriction else ""


def error_response(
    status: int, info: StatusInfo, headers: dict[str, str] | None = None, request: Request | None = None
) -> Response:
    """An error answer: the 1.2 status payload under the 1.2 roots, 1.1's everywhere else."""
    root = v12_root(request.url.path) if request is not None else None
    body = status_body_v12(status, info, gradebook=root == GRADEBOOK_ROOT) if root else status_body(info)
    return Response(body, status_code=status, media_type=JSON, headers=headers)


def shared_counters(engine: sa.Engine) -> SharedCounters:
    """Shared by every process serving this store on this host: the limits hold across them."""
    return SharedCounters(counters_path(engine.url.render_as_string(hide_password=True)))


def credential_failures(settings: Settings, counters: SharedCounters) -> CredentialFailures:
    return CredentialFailures(
        counters,
        before_slowing=settings.auth_failures_before_slowing,
        before_block=settings.auth_failures_before_block,
        block_seconds=settings.auth_block_seconds,
    )


def create_app(
    settings: Settings,
    *,
    engine: sa.Engine | None = None,
    access: Access | None = None,
    page_memory: PageMemory | None = None,
) -> Starlette:
    """The API application; refuses to start on a store whose schema is not this version's.

    `page_memory`: shared with the other processes serving the store (see store/page_memory.py);
    by default the app's own.
    """
    engine = engine or create_engine(settings.database_url)
    require_current(engine)
    keys = load_keys(settings.secret_key, settings.key_file, create=False)
    counters = shared_counters(engine)
    failures = credential_failures(settings, counters)
    access = access or OAuthAccess(
        engine,
        keys,
        oauth1_window_seconds=settings.oauth1_window,
        oauth1_require_body_hash=settings.oauth1_require_body_hash,
        failures=failures,
    )
    service = OneRosterService(settings, engine, keys, access, counters, failures, page_memory)
    trusted = [ip.strip() for ip in settings.forwarded_allow_ips.split(",") if ip.strip()]
    # The request id first: it judges the peer before X-Forwarded-For replaces it.
    app = Starlette(
        middleware=[
            Middleware(RequestMetrics),  # outermost: it times and counts every request
            Middleware(RequestIds, trusted=trusted),
            Middleware(ForwardedHeaders, trusted=trusted),
        ]
    )
    # Every request, whatever its path (a decoded newline included) or method, is the service's,
    # except the console's when it is served on this port.
    app.router.default = request_response(service.route)
    if settings.console:
        from openroster.console.activity import Recorder

        recorder = Recorder(engine, settings.console_activity_days)
        app.state.note_activity = recorder.note
        app.state.recorder = recorder
        app.router.lifespan_context = _stopping(recorder)
    if settings.console and not settings.console_port:
        from openroster.console.app import PREFIX, create_console

        console = create_console(settings, engine, keys, failures, recorder)
        app.router.default = beside(PREFIX, console, app.router.default)
    app.state.service = service
    return app


def _stopping(recorder: Recorder) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """The app's lifespan: at shutdown the sync activity recorded is written, then no more."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(recorder.stop)

    return lifespan


def beside(prefix: str, other: ASGIApp, app: ASGIApp) -> ASGIApp:
    """`app`, leaving the requests whose path is `prefix` or below it to `other` (one string test)."""
    below = prefix + "/"

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        chosen = other if path == prefix or path.startswith(below) else app
        await chosen(scope, receive, send)

    return route
