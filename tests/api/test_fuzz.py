"""The served API fuzzed against its own OpenAPI document with schemathesis, in both auth flavours.

Each operation gets a bounded number of generated requests (valid and invalid parameters and
bodies) sent over real HTTP to a uvicorn server holding the test district, on SQLite and on
PostgreSQL, signed with an OAuth 2.0 bearer token or an OAuth 1.0a signature. Every response
must conform to the document (status code, content type, headers, body schema); no request may
get a 500; a request violating the document must be refused; auth must be enforced; methods the
document does not list must answer 405; and a refused request must leave the store exactly as
it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from oauthlib.oauth1 import Client as OAuth1Client

from openroster import API_ROOT
from openroster.api.openapi import openapi_document
from openroster.auth import scopes
from openroster.config import DEFAULT_MAX_LIMIT
from openroster.store.schema import TABLES
from tests.conftest import BACKENDS, LiveServer, load
from tests.district import district

# Generated requests per operation and run of the fuzzing phase, in each of the four runs
# (2 backends x 2 auth flavours). The boundary phase (schemathesis' coverage phase: values at
# and past each limit, missing and malformed parameters, methods the document does not list)
# is deterministic, so it runs once per operation in each flavour, each on one backend. All of it
# stays within a few minutes on a 2-core machine.
EXAMPLES = 10
FLAVOURS = ["bearer", "oauth1"]
RUNS = [(backend, flavour) for backend in BACKENDS for flavour in FLAVOURS]
BOUNDARY_RUNS = [("sqlite", "bearer"), ("postgresql", "oauth1")]

DOCUMENT = openapi_document("http://testserver", max_limit=DEFAULT_MAX_LIMIT)


def _schema(*phases: str) -> Any:
    """The document as schemathesis reads it, generating requests in the given phases only."""
    names = ("examples", "coverage", "fuzzing", "stateful")
    config = schemathesis.Config.from_dict({"phases": {name: {"enabled": name in phases} for name in names}})
    return schemathesis.openapi.from_dict(DOCUMENT, config=config)


FUZZ = _schema("examples", "fuzzing")
BOUNDARIES = _schema("coverage")
WRITES = FUZZ.include(method=["PUT", "DELETE"])
# A schema-valid request may still be refused for what it names: a PUT whose class does not
# exist is 422, a filter comparing a date-time field with text is 400. The document states
# syntax, not the store's content, so "valid syntax is always accepted" is not a property here.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@dataclass
class Target:
    server: LiveServer
    flavour: str
    client_id: str
    secret: str
    token: str = ""

    @property
    def base_url(self) -> str:
        return self.server.url + API_ROOT

    def credentials(self, case: schemathesis.Case) -> dict[str, str]:
        """The Authorization header for the request `case` will send."""
        if self.flavour == "bearer":
            return {"Authorization": f"Bearer {self.token}"}
        sent = case.as_transport_kwargs(base_url=self.base_url)
        url = requests.Request(sent["method"], sent["url"], params=sent.get("params")).prepare().url
        assert url is not None
        _, headers, _ = OAuth1Client(self.client_id, client_secret=self.secret).sign(
            url, http_method=sent["method"]
        )
        return {"Authorization": headers["Authorization"]}


def _target(server: LiveServer, flavour: str, granted: tuple[str, ...] = scopes.ALL) -> Target:
    client_id, secret = server.add_client(scopes=granted)
    target = Target(server, flavour, client_id, secret)
    if flavour == "bearer":
        response = requests.post(
            server.url + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret),
            timeout=10,
        )
        target.token = response.json()["access_token"]
    return target


class Servers:
    """One uvicorn server with the test district per backend, started when first needed."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.started: dict[str, LiveServer] = {}

    def get(self, backend: str) -> LiveServer:
        if backend not in self.started:
            engine = load(self.tmp_path_factory.mktemp("fuzz"), district(), backend=backend)
            self.started[backend] = LiveServer(engine)
        return self.started[backend]

    def stop(self) -> None:
        for server in self.started.values():
            server.stop()
            server.engine.dispose()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    started = Servers(tmp_path_factory)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest, servers: Servers) -> Target:
    backend, flavour = request.param
    if flavour == "read-only":
        return _target(
            servers.get(backend), "bearer", tuple(s for s in scopes.ALL if s.endswith(".readonly"))
        )
    return _target(servers.get(backend), flavour)


def _ids(run: tuple[str, str]) -> str:
    return "-".join(run)


def fingerprint(engine: sa.Engine) -> str:
    """A digest of every stored record and list row (API clients and nonces aside)."""
    digest = hashlib.blake2b(digest_size=16)
    with engine.connect() as conn:
        for tables in TABLES.values():
            for table in tables.all:
                for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns)):
                    digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def send(target: Target, case: schemathesis.Case) -> Any:
    """Send `case`, check the response against the document, and that a refusal changed nothing."""
    writes = case.method not in ("GET", "HEAD")  # reads cannot write; the rest is checked
    before = fingerprint(target.server.engine) if writes else ""
    response = case.call_and_validate(
        base_url=target.base_url, headers=target.credentials(case), excluded_checks=EXCLUDED
    )
    if writes and response.status_code >= 400:
        assert fingerprint(target.server.engine) == before, (
            f"{case.method} {case.formatted_path} was refused with {response.status_code} but changed the store"
        )
    return response


@FUZZ.parametrize()
@pytest.mark.parametrize("target", RUNS, indirect=True, ids=_ids)
@FUZZ_SETTINGS
def test_every_operation_conforms_to_the_document(case: schemathesis.Case, target: Target) -> None:
    send(target, case)


@BOUNDARIES.parametrize()
@pytest.mark.parametrize("target", BOUNDARY_RUNS, indirect=True, ids=_ids)
@FUZZ_SETTINGS
def test_boundary_values_conform_to_the_document(case: schemathesis.Case, target: Target) -> None:
    send(target, case)


@WRITES.parametrize()
@pytest.mark.parametrize("target", [(backend, "read-only") for backend in BACKENDS], indirect=True, ids=_ids)
@FUZZ_SETTINGS
def test_a_read_only_client_changes_nothing(case: schemathesis.Case, target: Target) -> None:
    before = fingerprint(target.server.engine)
    response = send(target, case)
    if response is not None:
        assert response.status_code in (403, 413), response.text  # refused before the body is read
    assert fingerprint(target.server.engine) == before
