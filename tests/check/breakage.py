"""A test-only ASGI middleware that serves openroster's answers with exactly one thing broken."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

from tests.conftest import BASE

Scope = dict[str, Any]
Headers = dict[str, str]
Answer = tuple[int, Headers, bytes]
App = Callable[[Scope, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Breakage:
    """`request` may rewrite the scope (or answer at once); `response` may rewrite the answer."""

    request: Callable[[Scope, bytes], Scope | Answer] = lambda scope, body: scope
    response: Callable[[Scope, Answer], Answer] = lambda scope, answer: answer


def path_of(scope: Scope) -> str:
    return str(scope["path"]).removeprefix(BASE)


def query_of(scope: Scope) -> dict[str, str]:
    return dict(parse_qsl(scope["query_string"].decode()))


def with_query(scope: Scope, params: dict[str, str]) -> Scope:
    return {**scope, "query_string": urlencode(params).encode()}


def status_payload(status: int, description: str) -> Answer:
    body = orjson.dumps(
        {
            "statusInfoSet": [
                {
                    "imsx_codeMajor": "failure",
                    "imsx_severity": "error",
                    "imsx_description": description,
                    "imsx_codeMinor": "invalid data",
                }
            ]
        }
    )
    return status, {"content-type": "application/json"}, body


def rewrite_list(answer: Answer, change: Callable[[str, list[Any]], list[Any]]) -> Answer:
    """Change the records of a collection answer, keeping X-Total-Count in step with what was removed."""
    status, headers, body = answer
    document = orjson.loads(body) if status == 200 and body else None
    if not isinstance(document, dict):
        return answer
    for key, value in list(document.items()):
        if isinstance(value, list) and key != "statusInfoSet":
            changed = change(key, value)
            removed = len(value) - len(changed)
            document[key] = changed
            if removed and "x-total-count" in headers:
                headers = {**headers, "x-total-count": str(int(headers["x-total-count"]) - removed)}
    return status, headers, orjson.dumps(document)


class Broken:
    """Wraps the app; every request and answer passes through one Breakage."""

    def __init__(self, app: App, breakage: Breakage) -> None:
        self.app, self.breakage = app, breakage

    async def __call__(
        self, scope: Scope, receive: Callable[..., Awaitable[Any]], send: Callable[..., Awaitable[Any]]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        changed = self.breakage.request(scope, body)
        if isinstance(changed, tuple):
            await _answer(send, changed)
            return
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def collect(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(changed, replay, collect)
        headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}
        await _answer(send, self.breakage.response(changed, (start["status"], headers, b"".join(chunks))))


async def _answer(send: Callable[..., Awaitable[Any]], answer: Answer) -> None:
    status, headers, body = answer
    headers = {k: v for k, v in headers.items() if k != "content-length"}
    raw = [(k.encode(), v.encode()) for k, v in headers.items()] + [
        (b"content-length", str(len(body)).encode())
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


# The variants ----------------------------------------------------------------------------------------------


def no_total_count() -> Breakage:
    return Breakage(
        response=lambda scope, a: (a[0], {k: v for k, v in a[1].items() if k != "x-total-count"}, a[2])
    )


def wrong_total_count() -> Breakage:
    def response(scope: Scope, answer: Answer) -> Answer:
        status, headers, body = answer
        if (
            status == 200
            and "x-total-count" in headers
            and headers["x-total-count"] != "0"
            and b":[{" in body
        ):
            headers = {**headers, "x-total-count": str(int(headers["x-total-count"]) + 7)}
        return status, headers, body

    return Breakage(response=response)


def dates_without_milliseconds() -> Breakage:
    pattern = re.compile(rb'("dateLastModified":"[^"]*?)\.\d{3}Z"')
    return Breakage(response=lambda scope, a: (a[0], a[1], pattern.sub(rb'\1Z"', a[2])))


def not_found_for_empty_relationships() -> Breakage:
    def response(scope: Scope, answer: Answer) -> Answer:
        segments = path_of(scope).strip("/").split("/")
        document = orjson.loads(answer[2]) if answer[0] == 200 else None
        if len(segments) >= 3 and isinstance(document, dict) and any(v == [] for v in document.values()):
            return status_payload(404, "no such records")
        return answer

    return Breakage(response=response)


def shifted_page(page_size: int) -> Breakage:
    """The second page of the full pull of enrollments starts one record early."""

    def request(scope: Scope, body: bytes) -> Scope:
        params = query_of(scope)
        if (
            path_of(scope) == "/enrollments"
            and params.get("offset") == str(page_size)
            and "status" in params.get("filter", "")
        ):
            return with_query(scope, {**params, "offset": str(page_size - 1)})
        return scope

    return Breakage(request=request)


def limit_clamped(to: int = 1000) -> Breakage:
    def request(scope: Scope, body: bytes) -> Scope:
        params = query_of(scope)
        if int(params.get("limit", "0")) > to:
            return with_query(scope, {**params, "limit": str(to)})
        return scope

    return Breakage(request=request)


def role_filter_ignored() -> Breakage:
    def request(scope: Scope, body: bytes) -> Scope:
        params = query_of(scope)
        if path_of(scope).endswith("/enrollments") and "role=" in params.get("filter", ""):
            return with_query(scope, {k: v for k, v in params.items() if k != "filter"})
        return scope

    return Breakage(request=request)


def wrong_wrapper_key() -> Breakage:
    def response(scope: Scope, answer: Answer) -> Answer:
        if path_of(scope) == "/demographics" and answer[0] == 200:
            return answer[0], answer[1], answer[2].replace(b'{"demographics":', b'{"demographic":', 1)
        return answer

    return Breakage(response=response)


def user_without_orgs() -> Breakage:
    def strip(key: str, users: list[Any]) -> list[Any]:
        target = next((u for u in users if u.get("role") == "student"), None)
        return [{k: v for k, v in u.items() if k != "orgs"} if u is target else u for u in users]

    return Breakage(response=lambda scope, a: rewrite_list(a, strip) if path_of(scope) == "/users" else a)


def class_not_served(class_id: str) -> Breakage:
    def response(scope: Scope, answer: Answer) -> Answer:
        if path_of(scope) != "/classes" or "sourcedId" in query_of(scope).get("filter", ""):
            return answer
        return rewrite_list(answer, lambda key, rows: [r for r in rows if r.get("sourcedId") != class_id])

    return Breakage(response=response)


def delta_misses_a_record() -> Breakage:
    def response(scope: Scope, answer: Answer) -> Answer:
        if "dateLastModified>" not in query_of(scope).get("filter", ""):
            return answer
        return rewrite_list(answer, lambda key, rows: rows[1:])

    return Breakage(response=response)


def _token_refused_without(field: bytes, status: int, error: bytes) -> Breakage:
    """A token endpoint that refuses any request whose form body lacks `field`."""

    def request(scope: Scope, body: bytes) -> Scope | Answer:
        if scope["path"] == "/oauth/token" and field + b"=" not in body:
            return status, {"content-type": "application/json"}, b'{"error":"' + error + b'"}'
        return scope

    return Breakage(request=request)


def token_requires_scope() -> Breakage:
    return _token_refused_without(b"scope", 400, b"invalid_scope")


def token_requires_body_credentials() -> Breakage:
    return _token_refused_without(b"client_secret", 401, b"invalid_client")


def signature_checked_over_https() -> Breakage:
    """A proxy that tells the server the request came over https when the consumer used http."""
    return Breakage(request=lambda scope, body: {**scope, "scheme": "https"})


def page_fails(page_size: int) -> Breakage:
    def request(scope: Scope, body: bytes) -> Scope | Answer:
        params = query_of(scope)
        if (
            path_of(scope) == "/enrollments"
            and params.get("offset") == str(2 * page_size)
            and "status" in params.get("filter", "")
        ):
            return status_payload(500, "internal server error")
        return scope

    return Breakage(request=request)


def put_answers_200_without_body() -> Breakage:
    def response(scope: Scope, answer: Answer) -> Answer:
        if scope["method"] == "PUT" and path_of(scope).lower().startswith("/lineitems/"):
            return 200, {}, b""
        return answer

    return Breakage(response=response)


def bare_401() -> Breakage:
    def response(scope: Scope, answer: Answer) -> Answer:
        return (401, {}, b"Unauthorized") if answer[0] == 401 else answer

    return Breakage(response=response)


def redirects_everything(to: str) -> Breakage:
    return Breakage(request=lambda scope, body: (301, {"location": to + str(scope["path"])}, b""))
