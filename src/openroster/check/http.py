"""HTTP to a OneRoster provider as its consumers make it: requests, signed or bearer, and what came back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import httpx
import orjson

from openroster.errors import CheckAborted

ROOT = "/ims/oneroster/v1p1"


class Signer(Protocol):
    """Adds credentials to a request: returns the URL to send and headers to add."""

    def __call__(self, method: str, url: str) -> tuple[str, dict[str, str]]: ...


def no_credentials(method: str, url: str) -> tuple[str, dict[str, str]]:
    return url, {}


@dataclass(frozen=True)
class Predicate:
    """One `field op 'value'` term of a filter the checker sends (terms are joined by AND)."""

    field: str
    op: str
    value: str

    def text(self) -> str:
        return f"{self.field}{self.op}'{self.value}'"


@dataclass(frozen=True)
class Query:
    """A GET on a collection or object: path under the OneRoster root, paging and filter."""

    path: str
    limit: int | None = None
    offset: int | None = None
    where: tuple[Predicate, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()

    def params(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        if self.offset is not None:
            pairs.append(("offset", str(self.offset)))
        if self.limit is not None:
            pairs.append(("limit", str(self.limit)))
        if self.where:
            pairs.append(("filter", " AND ".join(p.text() for p in self.where)))
        return pairs + list(self.extra)

    def at(self, offset: int) -> Query:
        return Query(self.path, self.limit, offset, self.where, self.extra)


def where(**terms: str) -> tuple[Predicate, ...]:
    return tuple(Predicate(name, "=", value) for name, value in terms.items())


@dataclass
class Exchange:
    """One request and its answer (status 0 when no answer came)."""

    method: str
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0
    error: str = ""
    _json: Any = None
    _parsed: bool = False

    @property
    def request(self) -> str:
        return f"{self.method} {self.url}"

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        if not self._parsed:
            self._parsed = True
            try:
                self._json = orjson.loads(self.body) if self.body else None
            except orjson.JSONDecodeError:
                self._json = None
        return self._json

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def answered(self) -> str:
        if self.status == 0:
            return f"no answer ({self.error})"
        snippet = self.body[:160].decode("utf-8", "replace").replace("\n", " ")
        return f"{self.status} {snippet}".rstrip()


class Session:
    """A consumer's connection to one provider: base URL, credentials, timeouts."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 60.0,
        verify: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signer: Signer = no_credentials
        self.refresh: Callable[[], None] | None = None  # gets a new token after a 401, once
        self.client = httpx.Client(
            timeout=timeout, verify=verify, follow_redirects=False, transport=transport
        )
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def url(self, query: Query) -> str:
        params = query.params()
        encoded = urlencode(params, quote_via=quote, safe="") if params else ""
        return self.base_url + query.path + (f"?{encoded}" if encoded else "")

    def get(self, query: Query, *, signer: Signer | None = None) -> Exchange:
        return self.send("GET", self.url(query), signer=signer)

    def put(self, path: str, document: dict[str, Any]) -> Exchange:
        return self.send("PUT", self.base_url + path, body=orjson.dumps(document))

    def delete(self, path: str) -> Exchange:
        return self.send("DELETE", self.base_url + path)

    def send(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        signer: Signer | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Exchange:
        exchange = self._send_once(method, url, body, signer, form, headers)
        if exchange.status == 401 and signer is None and self.refresh is not None:
            self.refresh()
            exchange = self._send_once(method, url, body, signer, form, headers)
        return exchange

    def _send_once(
        self,
        method: str,
        url: str,
        body: bytes | None,
        signer: Signer | None,
        form: dict[str, str] | None,
        headers: dict[str, str] | None,
    ) -> Exchange:
        sent_url, auth_headers = (signer or self.signer)(method, url)
        all_headers = {"Accept": "application/json", **auth_headers, **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        self.requests += 1
        started = time.perf_counter()
        try:
            response = self.client.request(method, sent_url, content=body, data=form, headers=all_headers)
        except httpx.TransportError as exc:
            return Exchange(
                method, url, 0, seconds=time.perf_counter() - started, error=describe_transport(exc)
            )
        return Exchange(
            method,
            url,
            response.status_code,
            {k.lower(): v for k, v in response.headers.items()},
            response.content,
            time.perf_counter() - started,
        )


def describe_transport(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text or "TLS" in text:
        return (
            f"TLS failed ({text}): the server's certificate is not trusted or TLS is misconfigured; "
            f"consumers such as SDS require a certificate from a public authority"
        )
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({text})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({text})"
    return text


def require_answer(exchange: Exchange, what: str) -> Exchange:
    """Stop the run when the provider cannot be reached at all: nothing else can be checked."""
    if exchange.status == 0:
        raise CheckAborted(f"{what}: {exchange.request}: {exchange.error}")
    return exchange
