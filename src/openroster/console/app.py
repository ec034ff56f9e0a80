"""The console's pages and forms (Starlette routes under /console), each a view over library calls.

Every page needs a signed-in account; every form (POST) needs the session's form token, and every
change an admin account: a viewer's POST is refused (403) before anything is done with it. Pages
read the store in a worker thread, off the event loop the API shares.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from openroster import API_ROOT
from openroster.api.openapi import TOKEN_PATH
from openroster.auth import scopes as scope_names
from openroster.auth.clients import (
    DEFAULT_SCOPES,
    ApiClient,
    IssuedCredentials,
    add_client,
    list_clients,
    remove_client,
    rotate_secret,
)
from openroster.auth.keys import ServerKeys
from openroster.config import Settings
from openroster.console import (
    accounts,
    activity,
    browse,
    import_jobs,
    overview,
    readiness,
    sessions,
    staging,
)
from openroster.console.activity import Recorder
from openroster.console.audit import audit_change
from openroster.console.sessions import COOKIE, SIGNIN_COOKIE, Session
from openroster.errors import OpenRosterError, TooManyRequests
from openroster.model.catalogue import ENTITIES_V11
from openroster.model.v12 import ENTITIES_V12, ROSTERING_ROOT, href_root
from openroster.model.values import format_datetime, now_ms
from openroster.ops.credential_failures import CredentialFailures
from openroster.ops.health import Readiness
from openroster.store import import_log

PREFIX = "/console"
HISTORY = 50  # imports shown on the imports page
RECENT = 50  # requests, errors and syncs shown on a client's activity page
DAY_MS = 86_400_000
UPLOAD_CHUNK = 1 << 20
REFRESH_SECONDS = 2  # how often a running import's progress page reloads itself
_HEADERS = {
    "Cache-Control": "no-store",  # pages may show a secret once
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
Handler = Callable[[Request], Awaitable[Response]]


class Refused(Exception):
    """A request the console answers with an error page: `status` and what the user is told."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class SignInFirst(Exception):
    """A page asked for without a session: the answer is the sign-in page."""


@dataclass
class Console:
    settings: Settings
    engine: sa.Engine
    keys: ServerKeys
    failures: CredentialFailures
    recorder: Recorder | None  # this process's buffer of API requests, written before they are read

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=PackageLoader("openroster.console", "templates"),
            autoescape=select_autoescape(["html"]),
        )
        self.templates.filters["when"] = lambda ms: "" if ms is None else format_datetime(ms)
        self.templates.filters["short_scope"] = scope_names.short
        self.readiness = Readiness(self.engine)
        self.staging = staging.staging_folder(self.engine.url.render_as_string(hide_password=False))

    # --- answering ------------------------------------------------------------------------------

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        session = getattr(request.state, "console_session", None)
        html = self.templates.get_template(template).render(
            session=session, prefix=PREFIX, path=request.url.path, **context
        )
        return HTMLResponse(html, status_code=status, headers=_HEADERS)

    def page(self, handler: Handler) -> Handler:
        """`handler`, answering Refused with an error page and SignInFirst with a redirect."""

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInFirst:
                return RedirectResponse(f"{PREFIX}/signin", status_code=303, headers=_HEADERS)
            except Refused as exc:
                return self.render(request, "refused.html", status=exc.status, message=exc.message)
            finally:
                await request.close()  # the uploaded file's spool, if any

        return answer

    def view(self, handler: Callable[[Request], Response]) -> Handler:
        """A page for signed-in accounts: `handler` runs in a worker thread, off the event loop."""

        async def answer(request: Request) -> Response:
            await self.signed_in(request)
            return await run_in_threadpool(handler, request)

        return self.page(answer)

    # --- sessions and forms ---------------------------------------------------------------------

    async def signed_in(self, request: Request) -> Session:
        session = await run_in_threadpool(sessions.find_session, self.engine, request.cookies.get(COOKIE, ""))
        if session is None:
            raise SignInFirst
        request.state.console_session = session
        return session

    async def form(self, request: Request, *, change: bool = True) -> tuple[Session, FormData]:
        """The session and form of a POST with the session's token; refused unless an admin's (`change`)."""
        session = await run_in_threadpool(sessions.find_session, self.engine, request.cookies.get(COOKIE, ""))
        if session is None:
            raise Refused(403, "You are not signed in (or your session ended): sign in and try again.")
        request.state.console_session = session
        form = await request.form(max_files=1, max_fields=20)
        given = form.get("csrf")
        if not isinstance(given, str) or not sessions.same(given, session.csrf):
            raise Refused(
                403,
                "This form's security token is missing or wrong, so nothing was changed. Reload the "
                "page and submit it again.",
            )
        if change:
            _may_change(session)
        return session, form

    def api_base(self, request: Request) -> str:
        """Where API clients reach this server."""
        if self.settings.public_url:
            return self.settings.public_url
        if self.settings.console_port:  # the request came to the console's port, not the API's
            host = "127.0.0.1" if self.settings.host in ("0.0.0.0", "::") else self.settings.host
            return f"http://{host}:{self.settings.port}"
        return f"{request.url.scheme}://{request.url.netloc}"

    # --- sign-in ---------------------------------------------------------------------------------

    async def signin_page(self, request: Request, message: str = "", status: int = 200) -> Response:
        cookie = request.cookies.get(SIGNIN_COOKIE, "")
        fresh = not cookie
        cookie = cookie or secrets.token_urlsafe(32)
        response = self.render(
            request,
            "signin.html",
            status=status,
            token=sessions.signin_token(self.keys.console_forms, cookie),
            message=message,
        )
        if fresh:
            self._cookie(request, response, SIGNIN_COOKIE, cookie, max_age=3600)
        return response

    async def signin(self, request: Request) -> Response:
        if request.method == "GET":
            return await self.signin_page(request)
        form = await request.form(max_files=0, max_fields=10)
        cookie = request.cookies.get(SIGNIN_COOKIE, "")
        given = str(form.get("csrf", ""))
        if not cookie or not sessions.same(given, sessions.signin_token(self.keys.console_forms, cookie)):
            return await self.signin_page(
                request, "The sign-in form's security token is missing or wrong: try again.", 403
            )
        name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
        address = request.client.host if request.client else ""
        try:
            self.failures.check("console\0" + name, address)
        except TooManyRequests as exc:
            return await self.signin_page(request, exc.description, 429)
        account = await run_in_threadpool(accounts.verify, self.engine, name, password)
        if account is None:
            delay = self.failures.failed("console\0" + name, address)
            if delay:
                await asyncio.sleep(delay)
            return await self.signin_page(request, "The name or the password is wrong.", 401)
        token, _ = await run_in_threadpool(
            sessions.open_session, self.engine, account, self.settings.console_session_minutes
        )
        audit_change(account.name, "sign-in", account.name)
        response = RedirectResponse(f"{PREFIX}/", status_code=303, headers=_HEADERS)
        self._cookie(request, response, COOKIE, token, max_age=self.settings.console_session_minutes * 60)
        response.delete_cookie(SIGNIN_COOKIE, path=PREFIX)
        return response

    async def signout(self, request: Request) -> Response:
        session, _ = await self.form(request, change=False)
        await run_in_threadpool(sessions.close_session, self.engine, request.cookies.get(COOKIE, ""))
        audit_change(session.account.name, "sign-out", session.account.name)
        response = RedirectResponse(f"{PREFIX}/signin", status_code=303, headers=_HEADERS)
        response.delete_cookie(COOKIE, path=PREFIX)
        return response

    def _cookie(self, request: Request, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=PREFIX,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    # --- overview --------------------------------------------------------------------------------

    def home(self, request: Request) -> Response:
        data = overview.overview(self.engine, self.readiness)
        with self.engine.connect() as conn:
            last_check = readiness.last_report(conn)
        names = {c.client_id: c.name for c in list_clients(self.engine)}
        erring = [
            (names.get(used.client, used.client), used.client, used.errors)
            for used in self.activity_since(now_ms() - activity.HOUR_MS).values()
            if used.errors
        ]
        return self.render(request, "overview.html", overview=data, last_check=last_check, erring=erring)

    # --- API clients -----------------------------------------------------------------------------

    def clients(self, request: Request) -> Response:
        return self.clients_page(request)

    def clients_page(self, request: Request, **context: Any) -> Response:
        """The clients, each with its requests, records and errors of the last 24 hours."""
        used = self.activity_since(now_ms() - DAY_MS)
        return self.render(request, "clients.html", clients=list_clients(self.engine), used=used, **context)

    def activity_since(self, since_ms: int) -> dict[str, activity.ClientActivity]:
        if self.recorder is not None:
            self.recorder.flush()
        with self.engine.connect() as conn:
            return activity.summaries(conn, since_ms)

    # --- sync activity ---------------------------------------------------------------------------

    def activity_page(self, request: Request) -> Response:
        client = self._client(request.path_params["client_id"])
        until = now_ms()
        since = (until - DAY_MS) // activity.HOUR_MS * activity.HOUR_MS + activity.HOUR_MS
        used = self.activity_since(since).get(client.client_id, activity.ClientActivity(client.client_id))
        with self.engine.connect() as conn:
            hours = activity.hours(conn, client.client_id, since, until)
            recent = activity.recent(conn, client.client_id, RECENT)
            errors = activity.recent(conn, client.client_id, RECENT, errors=True)
            syncs = activity.syncs(conn, client.client_id, RECENT)
        return self.render(
            request,
            "activity.html",
            client=client,
            used=used,
            hours=hours,
            most=max([1] + [h.requests for h in hours]),
            most_records=max([1] + [h.records for h in hours]),
            recent=recent,
            errors=errors,
            syncs=syncs,
            keep_days=self.settings.console_activity_days,
        )

    def client_new(self, request: Request) -> Response:
        _may_change(request.state.console_session)
        return self.render(request, "client_new.html", scopes=DEFAULT_SCOPES, form={})

    async def client_review(self, request: Request) -> Response:
        _, form = await self.form(request)
        name, orgs, scopes = _client_fields(form)
        if not name:
            return self.render(
                request,
                "client_new.html",
                400,
                scopes=DEFAULT_SCOPES,
                form=form,
                error="Give the client a name.",
            )
        return self.render(request, "client_review.html", name=name, orgs=orgs, scopes=scopes)

    async def client_create(self, request: Request) -> Response:
        session, form = await self.form(request)
        name, orgs, scopes = _client_fields(form)
        try:
            issued = await run_in_threadpool(
                lambda: add_client(self.engine, self.keys, name, scopes=scopes or DEFAULT_SCOPES, orgs=orgs)
            )
        except OpenRosterError as exc:
            return self.render(
                request, "client_new.html", 400, scopes=DEFAULT_SCOPES, form=form, error=str(exc)
            )
        audit_change(session.account.name, "client-add", issued.client.client_id, name=name)
        return self.secret_page(request, issued, added=True)

    def secret_page(self, request: Request, issued: IssuedCredentials, *, added: bool) -> Response:
        """The credentials, shown once, and the URLs a consumer such as SDS asks for."""
        api = self.api_base(request)
        fields = [
            ("client-id", "Client id", issued.client.client_id),
            ("client-secret", "Client secret", issued.secret),
            ("token-url", "Token URL", api + TOKEN_PATH),
            ("base-url", "OneRoster 1.1 base URL", api + API_ROOT),
            ("base-url-v12", "OneRoster 1.2 rostering base URL", api + ROSTERING_ROOT),
        ]
        return self.render(request, "client_secret.html", issued=issued, fields=fields, added=added)

    def client_confirm(self, request: Request) -> Response:
        _may_change(request.state.console_session)
        action = _action(request)
        client = self._client(request.path_params["client_id"])
        return self.render(request, "client_confirm.html", client=client, action=action)

    async def client_change(self, request: Request) -> Response:
        session, _ = await self.form(request)
        action = _action(request)
        client = self._client(request.path_params["client_id"])
        if action == "rotate":
            issued = await run_in_threadpool(rotate_secret, self.engine, self.keys, client.client_id)
            audit_change(session.account.name, "client-rotate-secret", client.client_id)
            return self.secret_page(request, issued, added=False)
        await run_in_threadpool(remove_client, self.engine, client.client_id)
        audit_change(session.account.name, "client-remove", client.client_id)
        return self.clients_page(
            request,
            message=f"Removed client {client.name!r} ({client.client_id}): its tokens stop working at once.",
        )

    def _client(self, client_id: str) -> ApiClient:
        for client in list_clients(self.engine):
            if client.client_id == client_id:
                return client
        raise Refused(404, f"There is no API client {client_id!r}.")

    # --- imports ---------------------------------------------------------------------------------

    def imports(self, request: Request) -> Response:
        return self.imports_page(request)

    def imports_page(self, request: Request, status: int = 200, **context: Any) -> Response:
        with self.engine.connect() as conn:
            runs = import_log.recent_runs(conn, HISTORY)
        now = import_jobs.running(self.staging)
        return self.render(request, "imports.html", status, runs=runs, running=now, **context)

    async def import_check(self, request: Request) -> Response:
        _, form = await self.form(request)
        upload = form.get("bundle")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return self.imports_page(request, 400, error="Choose a bundle (.zip) to upload.")
        with tempfile.NamedTemporaryFile(dir=self.staging, delete=False) as received:
            while chunk := await upload.read(UPLOAD_CHUNK):
                received.write(chunk)
        if Path(received.name).stat().st_size == 0:
            Path(received.name).unlink()
            return self.imports_page(
                request, 400, error=f"{upload.filename} is empty: choose the bundle again."
            )
        checked = await run_in_threadpool(
            staging.stage, self.staging, upload.filename, Path(received.name), self.engine
        )
        return self.render(request, "import_checked.html", 400 if checked.total else 200, checked=checked)

    async def import_run(self, request: Request) -> Response:
        """Start importing a checked upload in the background and show its progress."""
        session, _ = await self.form(request)
        upload_id = request.path_params["upload_id"]
        bundle = staging.staged_bundle(self.staging, upload_id)
        if bundle is None:
            raise Refused(
                404,
                "This upload is not waiting to be imported (it had problems, was imported or expired): "
                "upload the bundle again.",
            )
        try:
            import_jobs.start(self.staging, upload_id, bundle, self.engine, session.account.name)
        except import_jobs.ImportRunning as running:
            other = import_jobs.read_state(self.staging, running.upload_id) if running.upload_id else None
            which = f" ({other.bundle}, started by {other.run_by})" if other else ""
            raise Refused(
                409,
                f"Another import{which} is running, so this one was not started and nothing was "
                "changed. Confirm again once it has ended (the imports page shows it in the history).",
            ) from None
        return RedirectResponse(f"{PREFIX}/imports/{upload_id}/progress", status_code=303, headers=_HEADERS)

    def import_progress(self, request: Request) -> Response:
        upload_id = request.path_params["upload_id"]
        state = import_jobs.read_state(self.staging, upload_id) if staging.is_upload_id(upload_id) else None
        if state is None:
            raise Refused(404, "There is no such import (its progress is kept for a day).")
        return self.render(request, "import_progress.html", state=state, refresh=REFRESH_SECONDS)

    def import_problems(self, request: Request) -> Response:
        text = staging.problems_text(self.staging, request.path_params["upload_id"])
        if text is None:
            raise Refused(404, "There is no such report (reports are kept for a day).")
        return PlainTextResponse(
            text,
            headers=_HEADERS | {"Content-Disposition": 'attachment; filename="problems.txt"'},
        )

    # --- browse ----------------------------------------------------------------------------------

    def browse(self, request: Request) -> Response:
        kind = request.query_params.get("kind", "user")
        text = request.query_params.get("q", "").strip()
        if kind not in browse.SEARCHED:
            raise Refused(400, f"{kind!r} cannot be searched: choose users, classes, courses or orgs.")
        hits: list[browse.Hit] = []
        if text:
            with self.engine.connect() as conn:
                hits = browse.search(conn, kind, text)
        return self.render(request, "browse.html", kind=kind, q=text, hits=hits, kinds=browse.SEARCHED)

    def record(self, request: Request) -> Response:
        entity, sourced_id = request.path_params["entity"], request.path_params["sourced_id"]
        # Records as the 1.1 API serves them (the entities only 1.2 has are read through 1.2's).
        if entity not in ENTITIES_V11 or ENTITIES_V11[entity].association:
            raise Refused(404, f"{entity!r} is not a kind of record the console shows.")
        base = self.api_base(request)
        with self.engine.connect() as conn:
            record = browse.read_record(conn, entity, sourced_id, base)
            members = browse.class_members(conn, sourced_id) if entity == "class" else []
            classes = browse.user_classes(conn, sourced_id) if entity == "user" else []
        if record is None:
            raise Refused(404, f"There is no {entity} with sourcedId {sourced_id!r}.")
        path = f"{ENTITIES_V11[entity].path}/{sourced_id}"
        return self.render(
            request,
            "record.html",
            record=record,
            pretty=_pretty(record.body),
            pretty_v12=_pretty(record.body_v12) if record.body_v12 is not None else None,
            members=members,
            classes=classes,
            api_url=f"{base}{API_ROOT}/{path}",
            api_url_v12=f"{base}{href_root(entity)}/{path}" if entity in ENTITIES_V12 else None,
            linkable=set(ENTITIES_V11),
        )

    # --- readiness -------------------------------------------------------------------------------

    def readiness_page(self, request: Request) -> Response:
        with self.engine.connect() as conn:
            last = readiness.last_report(conn)
        return self.render(request, "readiness.html", last=last, profiles=readiness.PROFILES)

    async def readiness_run(self, request: Request) -> Response:
        session, _ = await self.form(request)
        base = self.api_base(request)
        last = await run_in_threadpool(readiness.run, self.engine, self.keys, base)
        audit_change(session.account.name, "readiness-check", base)
        return self.render(request, "readiness.html", last=last, profiles=readiness.PROFILES, ran=True)

    def readiness_report(self, request: Request) -> Response:
        with self.engine.connect() as conn:
            last = readiness.last_report(conn)
        if last is None or not last.html:
            raise Refused(404, "No readiness report yet: run the check first.")
        return HTMLResponse(last.html, headers=_HEADERS)


def _pretty(body: bytes) -> str:
    return orjson.dumps(orjson.loads(body), option=orjson.OPT_INDENT_2).decode()


def _may_change(session: Session) -> None:
    if not session.account.may_change:
        raise Refused(403, f"{session.account.name} is a viewer: viewers cannot change anything.")


def _action(request: Request) -> str:
    action = str(request.path_params["action"])
    if action not in ("rotate", "remove"):
        raise Refused(404, f"There is no client action {action!r}: rotate or remove.")
    return action


def _client_fields(form: FormData) -> tuple[str, list[str], list[str]]:
    name = str(form.get("name", "")).strip()
    orgs = [o.strip() for o in str(form.get("orgs", "")).replace(",", " ").split() if o.strip()]
    scopes = [str(s) for s in form.getlist("scope")]
    return name, orgs, scopes


def create_console(
    settings: Settings,
    engine: sa.Engine,
    keys: ServerKeys,
    failures: CredentialFailures,
    recorder: Recorder | None = None,
) -> Starlette:
    """The console's ASGI app; its routes are full paths under /console."""
    console = Console(settings, engine, keys, failures, recorder)
    page, view = console.page, console.view
    static = resources.files("openroster.console").joinpath("static")
    routes = [
        Route(PREFIX, lambda request: RedirectResponse(f"{PREFIX}/", status_code=307)),
        Route(f"{PREFIX}/", view(console.home)),
        Route(f"{PREFIX}/signin", page(console.signin), methods=["GET", "POST"]),
        Route(f"{PREFIX}/signout", page(console.signout), methods=["POST"]),
        Route(f"{PREFIX}/clients", view(console.clients)),
        Route(f"{PREFIX}/clients/new", view(console.client_new)),
        Route(f"{PREFIX}/clients/review", page(console.client_review), methods=["POST"]),
        Route(f"{PREFIX}/clients/create", page(console.client_create), methods=["POST"]),
        Route(f"{PREFIX}/clients/{{client_id}}/activity", view(console.activity_page)),
        Route(f"{PREFIX}/clients/{{client_id}}/{{action:str}}", view(console.client_confirm)),
        Route(
            f"{PREFIX}/clients/{{client_id}}/{{action:str}}", page(console.client_change), methods=["POST"]
        ),
        Route(f"{PREFIX}/imports", view(console.imports)),
        Route(f"{PREFIX}/imports/check", page(console.import_check), methods=["POST"]),
        Route(f"{PREFIX}/imports/{{upload_id}}/import", page(console.import_run), methods=["POST"]),
        Route(f"{PREFIX}/imports/{{upload_id}}/progress", view(console.import_progress)),
        Route(f"{PREFIX}/imports/{{upload_id}}/problems.txt", view(console.import_problems)),
        Route(f"{PREFIX}/browse", view(console.browse)),
        Route(f"{PREFIX}/records/{{entity}}/{{sourced_id}}", view(console.record)),
        Route(f"{PREFIX}/readiness", view(console.readiness_page)),
        Route(f"{PREFIX}/readiness", page(console.readiness_run), methods=["POST"]),
        Route(f"{PREFIX}/readiness/report", view(console.readiness_report)),
        Mount(f"{PREFIX}/static", StaticFiles(directory=str(static)), name="static"),
    ]
    return Starlette(routes=routes)
