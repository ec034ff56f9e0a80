"""Connecting as SDS does: the token request (then the fallbacks other providers need), or OAuth 1.0a signing.

Each fallback that works is a finding, not a silent success: SDS itself sends only HTTP Basic
credentials and no scope, so a provider that needs anything else will not connect to it.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlsplit, urlunsplit

from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER, Client

from openroster.check.http import Exchange, Query, Session, Signer, no_credentials, require_answer
from openroster.check.outcomes import Outcomes
from openroster.check.registry import define
from openroster.errors import CheckAborted

SCOPE_ROOT = "https://purl.imsglobal.org/spec/or/v1p1/scope/"
READ_SCOPES = (
    "roster-core.readonly",
    "roster.readonly",
    "roster-demographics.readonly",
    "resource.readonly",
    "gradebook.readonly",
)
WRITE_SCOPES = ("gradebook.createput", "gradebook.delete")
CLOCK_TOLERANCE = 300

TOKEN_AS_SDS = define(
    "auth.token-as-sds",
    "The token endpoint answers SDS's request: HTTP Basic, no scope",
    "fail",
    "connection",
    "Accept the client id and secret in the HTTP Basic header and grant the "
    "client's own scopes when the token request names none.",
)
OAUTH1_URL = define(
    "auth.oauth1-url",
    "OAuth 1.0a signatures are checked over the URL the consumer called",
    "fail",
    "connection",
    "Behind a proxy, check signatures against the public scheme, host and port the "
    "consumer used (configure the public URL, or honour X-Forwarded-Proto/-Host from the proxy).",
)
CLOCK = define(
    "conn.clock",
    "The provider's clock agrees with this one (within 5 minutes)",
    "warn",
    "connection",
    "Synchronise the server's clock (NTP): OAuth 1.0a timestamps and token expiry depend on it.",
)
UNAUTHORIZED = define(
    "auth.401-payload",
    "A request without credentials answers 401 with a status payload and WWW-Authenticate",
    "warn",
    "connection",
    "Answer missing or bad credentials with 401, a "
    "WWW-Authenticate header and a statusInfoSet body, so consumers can say what went wrong.",
)


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    auth: str = "oauth2"  # or "oauth1"
    token_url: str | None = None
    signature: str = "HMAC-SHA1"
    scope: str | None = None


def connect(session: Session, credentials: Credentials, outcomes: Outcomes, *, writes: bool) -> None:
    """Give `session` working credentials, recording how the provider took them; CheckAborted if it cannot."""
    if credentials.auth == "oauth1":
        outcomes.skip(TOKEN_AS_SDS, "the run signed requests with OAuth 1.0a; no token was needed")
        _connect_oauth1(session, credentials, outcomes)
    else:
        outcomes.skip(OAUTH1_URL, "the run used OAuth 2.0 bearer tokens; nothing was signed")
        _connect_oauth2(session, credentials, outcomes, writes=writes)
    _check_unauthorized(session, outcomes)


def default_token_url(base_url: str) -> str:
    root = base_url.removesuffix("/ims/oneroster/v1p1")
    return root + "/oauth/token"


# OAuth 2.0 ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TokenRequest:
    scope: str | None
    in_body: bool

    def describe(self) -> str:
        where = "client id and secret in the form body" if self.in_body else "HTTP Basic"
        return where + (f", scope '{self.scope}'" if self.scope else ", no scope")


def _request_token(session: Session, url: str, credentials: Credentials, how: _TokenRequest) -> Exchange:
    form = {"grant_type": "client_credentials"}
    headers: dict[str, str] = {}
    if how.scope:
        form["scope"] = how.scope
    if how.in_body:
        form.update(client_id=credentials.client_id, client_secret=credentials.client_secret)
    else:  # RFC 6749 §2.3.1: each part form-urlencoded before Basic encoding
        pair = f"{quote(credentials.client_id, safe='')}:{quote(credentials.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    return session.send("POST", url, form=form, headers=headers, signer=no_credentials)


def _token_of(exchange: Exchange) -> str | None:
    body = exchange.json()
    if exchange.status == 200 and isinstance(body, dict) and isinstance(body.get("access_token"), str):
        return str(body["access_token"])
    return None


def _connect_oauth2(session: Session, credentials: Credentials, outcomes: Outcomes, *, writes: bool) -> None:
    url = credentials.token_url or default_token_url(session.base_url)
    scope = credentials.scope or " ".join(
        SCOPE_ROOT + s for s in READ_SCOPES + (WRITE_SCOPES if writes else ())
    )
    as_sds = _TokenRequest(None, in_body=False)
    first = require_answer(_request_token(session, url, credentials, as_sds), "token request")
    if 300 <= first.status < 400:
        raise CheckAborted(
            f"the token URL {url} redirects to {first.header('location')}: consumers do not follow "
            f"redirects on the token request; give the final URL with --token-url"
        )
    if first.status in (404, 405):
        raise CheckAborted(
            f"the token URL {url} answered {first.status}: it is not the provider's OAuth 2.0 token "
            f"endpoint; give the right one with --token-url"
        )
    working, token = as_sds, _token_of(first)
    if token is None:
        for how in (_TokenRequest(scope, False), _TokenRequest(None, True), _TokenRequest(scope, True)):
            token = _token_of(_request_token(session, url, credentials, how))
            if token is not None:
                working = how
                break
    if token is None:
        raise CheckAborted(
            f"the token endpoint {url} issued no token (HTTP Basic, no scope, answered "
            f"{first.answered()}; with a scope or body credentials neither): check the client id "
            f"and secret"
        )
    outcomes.record(
        TOKEN_AS_SDS,
        working == as_sds,
        f"POST {url} ({as_sds.describe()})",
        "200 with an access_token",
        f"{first.answered()}; a token came only with {working.describe()}",
    )

    def use(new_token: str) -> None:
        session.signer = lambda method, target: (target, {"Authorization": f"Bearer {new_token}"})

    def refresh() -> None:
        fresh = _token_of(_request_token(session, url, credentials, working))
        if fresh is not None:
            use(fresh)

    use(token)
    session.refresh = refresh
    probe = _probe(session)
    if probe.status == 401:
        raise CheckAborted(
            f"the provider refused its own access token: {probe.request} answered {probe.answered()}"
        )
    _check_clock(probe, outcomes, oauth1=False)


# OAuth 1.0a -----------------------------------------------------------------------------------------------


def oauth1_signer(credentials: Credentials, rewrite: Callable[[str], str] = lambda url: url) -> Signer:
    """Sign each request (two-legged, parameters in the Authorization header) over `rewrite(url)`."""
    client = Client(
        credentials.client_id,
        client_secret=credentials.client_secret,
        signature_method=credentials.signature,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
    )

    def sign(method: str, url: str) -> tuple[str, dict[str, str]]:
        _, headers, _ = client.sign(rewrite(url), method)
        return url, {"Authorization": headers["Authorization"]}

    return sign


def _url_variants(url: str) -> list[tuple[str, Callable[[str], str]]]:
    """Other URLs a proxied provider may have checked the signature over (scheme or port as it saw them)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port
    other = "https" if parts.scheme == "http" else "http"
    netlocs = {host if port is None else f"{host}:{port}", host}
    if port is None:
        netlocs |= {f"{host}:80", f"{host}:443", f"{host}:8000"}
    return [
        (f"{scheme}://{netloc}", _rewriter(scheme, netloc))
        for scheme in (other, parts.scheme)
        for netloc in sorted(netlocs)
        if (scheme, netloc) != (parts.scheme, parts.netloc)
    ]


def _rewriter(scheme: str, netloc: str) -> Callable[[str], str]:
    def rewrite(target: str) -> str:
        p = urlsplit(target)
        return urlunsplit((scheme, netloc, p.path, p.query, p.fragment))

    return rewrite


def _connect_oauth1(session: Session, credentials: Credentials, outcomes: Outcomes) -> None:
    session.signer = oauth1_signer(credentials)
    probe = require_answer(_probe(session), "first signed request")
    _check_clock(probe, outcomes, oauth1=True)
    if probe.status != 401:
        outcomes.record(OAUTH1_URL, True, probe.request, "the signature is accepted")
        return
    for shown, rewrite in _url_variants(session.base_url):
        signer = oauth1_signer(credentials, rewrite)
        if session.get(Query("/orgs", limit=1), signer=signer).status != 401:
            outcomes.record(
                OAUTH1_URL,
                False,
                probe.request,
                f"a signature over {session.base_url} is accepted",
                f"{probe.answered()}; the provider accepts signatures over {shown} instead: it "
                f"checks them over a URL the consumer never called (a proxy in between?)",
            )
            session.signer = signer  # go on, so the rest of the checks can run
            return
    raise CheckAborted(
        f"the provider refused the OAuth 1.0a signature ({credentials.signature}): {probe.request} "
        f"answered {probe.answered()}; check the consumer key and secret"
    )


# Both -----------------------------------------------------------------------------------------------------


def _probe(session: Session) -> Exchange:
    probe = require_answer(session.get(Query("/orgs", limit=1)), "first request")
    if 300 <= probe.status < 400:
        raise CheckAborted(
            f"{probe.request} redirects to {probe.header('location')}: give the final base URL "
            f"(consumers do not follow redirects)"
        )
    if probe.status == 404:
        raise CheckAborted(
            f"{probe.request} answered 404: is {session.base_url} the OneRoster base URL "
            f"(ending in /ims/oneroster/v1p1)?"
        )
    return probe


def _check_clock(probe: Exchange, outcomes: Outcomes, *, oauth1: bool) -> None:
    date = probe.header("date")
    if not date:
        return
    try:
        skew = parsedate_to_datetime(date).timestamp() - time.time()
    except (TypeError, ValueError):
        return
    consequence = "OAuth 1.0a timestamps will be refused" if oauth1 else "tokens may look expired"
    outcomes.record(
        CLOCK,
        abs(skew) <= CLOCK_TOLERANCE,
        probe.request,
        "a Date header within 5 minutes of UTC",
        f"the provider's clock is {skew:+.0f} s off; {consequence}",
    )


def _check_unauthorized(session: Session, outcomes: Outcomes) -> None:
    exchange = session.get(Query("/orgs", limit=1), signer=no_credentials)
    body = exchange.json()
    ok = (
        exchange.status == 401
        and isinstance(body, dict)
        and isinstance(body.get("statusInfoSet"), list)
        and bool(exchange.header("www-authenticate"))
    )
    outcomes.record(
        UNAUTHORIZED,
        ok,
        exchange.request + " (no credentials)",
        "401, a WWW-Authenticate header and a statusInfoSet body",
        exchange.answered(),
    )
