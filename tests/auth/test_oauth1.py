"""OAuth 1.0a verification against requests signed by independent client code (oauthlib / requests-oauthlib)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from oauthlib.oauth1 import Client
from requests_oauthlib import OAuth1

from openroster.auth.oauth1 import INVALID_SIGNATURE, OAuth1Failure, has_oauth1, verify

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z; every request below is signed at this time
KEY = "sds-tenant_42"
SECRET = "Zq7!distinctive secret&value"
USERS = "https://sis.example.org/ims/oneroster/v1p1/users"
STUDENT_FILTER = "status='active' AND role='student'"
BOTH_PLACES = ["AUTH_HEADER", "QUERY"]
BOTH_METHODS = ["HMAC-SHA1", "HMAC-SHA256"]


def test_a_required_body_hash_refuses_a_body_the_signature_does_not_cover() -> None:
    put = USERS.replace("users", "results/r1")
    unhashed = send("PUT", put, json={"result": {"score": 0.5}})
    assert "oauth_body_hash" not in dict(unhashed.header_params())
    assert check(unhashed) == KEY  # off by default: Microsoft's OAuth 1.0a collection sends none
    failure = refusal(unhashed, require_body_hash=True)
    assert failure.reason.startswith("oauth_body_hash is required") and not failure.bad_request
    hashed = send("PUT", put, json={"result": {"score": 0.5}}, force_include_body=True)
    assert check(hashed, require_body_hash=True) == KEY
    assert (
        refusal(
            dataclasses.replace(hashed, body=b'{"result": {"score": 1.0}}'), require_body_hash=True
        ).reason
        == "oauth_body_hash does not match the request body"
    )
    assert check(send(), require_body_hash=True) == KEY  # a GET has no body to cover


# ---------------------------------------------------------------------------------------------
# The client side: sign with requests-oauthlib, then look at the request as the server sees it.


@dataclasses.dataclass(frozen=True)
class Received:
    """What the server-side caller hands to `verify`."""

    method: str
    url: str
    authorization: str | None
    query_pairs: tuple[tuple[str, str], ...]
    form_pairs: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header_params(self) -> list[tuple[str, str]]:
        assert self.authorization is not None and self.authorization.startswith("OAuth ")
        params = []
        for item in self.authorization[len("OAuth ") :].split(", "):
            name, _, value = item.partition("=")
            params.append((unquote(name), unquote(value.strip('"'))))
        return params

    def with_header_params(self, params: Sequence[tuple[str, str]]) -> Received:
        header = "OAuth " + ", ".join(f'{quote(n, safe="")}="{quote(v, safe="")}"' for n, v in params)
        return dataclasses.replace(self, authorization=header)

    def signature(self) -> str:
        params = self.header_params() if self.authorization else list(self.query_pairs)
        return dict(params)["oauth_signature"]


class NonceStore:
    """A real in-memory nonce store, as `remember_nonce` expects."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str, int]] = set()
        self.calls = 0

    def __call__(self, client_key: str, nonce: str, timestamp: int) -> bool:
        self.calls += 1
        if (client_key, nonce, timestamp) in self.seen:
            return False
        self.seen.add((client_key, nonce, timestamp))
        return True


def receive(prepared: requests.PreparedRequest) -> Received:
    assert prepared.url is not None and prepared.method is not None
    parts = urlsplit(prepared.url)
    authorization = _header(prepared, "Authorization")
    body = prepared.body.encode("utf-8") if isinstance(prepared.body, str) else prepared.body or b""
    assert isinstance(body, bytes)
    form: list[tuple[str, str]] = []
    if _header(prepared, "Content-Type") == "application/x-www-form-urlencoded":
        form = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    return Received(
        method=prepared.method,
        url=urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
        authorization=authorization,
        query_pairs=tuple(parse_qsl(parts.query, keep_blank_values=True)),
        form_pairs=tuple(form),
        body=body,
    )


def _header(prepared: requests.PreparedRequest, name: str) -> str | None:
    value = prepared.headers.get(name)
    if isinstance(value, bytes):  # requests-oauthlib hands the headers it signed over as bytes
        return value.decode("latin-1")
    return value


def send(
    method: str = "GET",
    url: str = USERS,
    *,
    params: Any = None,
    data: Any = None,
    json: Any = None,
    signature_type: str = "AUTH_HEADER",
    signature_method: str = "HMAC-SHA1",
    key: str = KEY,
    secret: str = SECRET,
    **client_options: Any,
) -> Received:
    """Sign a request at time NOW with requests-oauthlib and return what the server receives."""
    auth = OAuth1(
        key,
        secret,
        signature_method=signature_method,
        signature_type=signature_type,
        timestamp=str(NOW),
        **client_options,
    )
    prepared = requests.Request(method, url, params=params, data=data, json=json, auth=auth).prepare()
    return receive(prepared)


def check(
    received: Received,
    *,
    secret_for: Callable[[str], str | None] | None = None,
    nonces: NonceStore | None = None,
    now: float = NOW,
    window_seconds: int = 300,
    require_body_hash: bool = False,
) -> str:
    return verify(
        method=received.method,
        url=received.url,
        authorization=received.authorization,
        query_pairs=received.query_pairs,
        form_pairs=received.form_pairs,
        body=received.body,
        secret_for=secret_for or {KEY: SECRET}.get,
        remember_nonce=nonces if nonces is not None else NonceStore(),
        now=now,
        window_seconds=window_seconds,
        require_body_hash=require_body_hash,
    )


def refusal(received: Received, **options: Any) -> OAuth1Failure:
    """The failure `verify` raises; its reason must never give away the secret or the signature."""
    with pytest.raises(OAuth1Failure) as caught:
        check(received, **options)
    reason = caught.value.reason
    assert str(caught.value) == reason
    for secret_form in (SECRET, quote(SECRET, safe="")):
        assert secret_form not in reason
    try:
        signature = received.signature()
    except (AssertionError, KeyError):
        signature = ""
    if signature:
        assert signature not in reason and quote(signature, safe="") not in reason
    return caught.value


# ---------------------------------------------------------------------------------------------
# Valid requests


@pytest.mark.parametrize("signature_type", BOTH_PLACES)
@pytest.mark.parametrize("signature_method", BOTH_METHODS)
def test_a_signed_filter_with_quotes_and_spaces_verifies(signature_type: str, signature_method: str) -> None:
    received = send(
        params={"filter": STUDENT_FILTER, "limit": "100", "offset": "0"},
        signature_type=signature_type,
        signature_method=signature_method,
        nonce="a1b2c3",
    )
    assert ("filter", STUDENT_FILTER) in received.query_pairs
    nonces = NonceStore()
    assert check(received, nonces=nonces) == KEY
    assert nonces.seen == {(KEY, "a1b2c3", NOW)}


@pytest.mark.parametrize("nonce", ["x7Yq2a", "n", "0" * 128, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"])
def test_short_and_long_nonces_verify(nonce: str) -> None:
    assert check(send(nonce=nonce)) == KEY


@pytest.mark.parametrize("key", ["k", "sds-tenant_42", "classlink-" + "a_b-" * 60, "key.with~dots"])
@pytest.mark.parametrize("signature_type", BOTH_PLACES)
def test_consumer_keys_of_any_length_and_with_dashes_and_underscores_verify(
    key: str, signature_type: str
) -> None:
    received = send(key=key, signature_type=signature_type)
    assert check(received, secret_for={key: SECRET}.get) == key


class NoVersionClient(Client):  # type: ignore[misc]
    """A client that, like several real ones, leaves oauth_version out."""

    def get_oauth_params(self, request: Any) -> list[tuple[str, str]]:
        return [(n, v) for n, v in super().get_oauth_params(request) if n != "oauth_version"]


@pytest.mark.parametrize("signature_type", BOTH_PLACES)
def test_a_request_without_oauth_version_verifies(signature_type: str) -> None:
    received = send(
        params={"filter": STUDENT_FILTER}, signature_type=signature_type, client_class=NoVersionClient
    )
    names = [n for n, _ in (received.header_params() if received.authorization else received.query_pairs)]
    assert "oauth_version" not in names and "oauth_nonce" in names
    assert check(received) == KEY


def test_a_non_default_port_is_part_of_the_signature() -> None:
    received = send(url="https://sis.example.org:8443/ims/oneroster/v1p1/users")
    assert check(received) == KEY
    for other in (
        "https://sis.example.org/ims/oneroster/v1p1/users",
        "https://sis.example.org:9443/ims/oneroster/v1p1/users",
    ):
        assert refusal(dataclasses.replace(received, url=other)).reason == INVALID_SIGNATURE


@pytest.mark.parametrize(
    ("client_url", "server_url"),
    [
        (
            "https://sis.example.org:443/ims/oneroster/v1p1/users",
            "https://sis.example.org/ims/oneroster/v1p1/users",
        ),
        (
            "https://sis.example.org/ims/oneroster/v1p1/users",
            "https://sis.example.org:443/ims/oneroster/v1p1/users",
        ),
        (
            "http://sis.example.org:80/ims/oneroster/v1p1/users",
            "http://sis.example.org/ims/oneroster/v1p1/users",
        ),
        (
            "https://sis.example.org/ims/oneroster/v1p1/users",
            "HTTPS://SIS.Example.ORG/ims/oneroster/v1p1/users",
        ),
    ],
)
def test_a_default_port_written_explicitly_and_the_case_of_scheme_and_host_do_not_matter(
    client_url: str, server_url: str
) -> None:
    received = send(url=client_url)
    assert check(dataclasses.replace(received, url=server_url)) == KEY


def test_the_path_is_used_as_sent_percent_escapes_included() -> None:
    received = send(url="https://sis.example.org/ims/oneroster/v1p1/users/caf%C3%A9")
    assert received.url.endswith("/users/caf%C3%A9")
    assert check(received) == KEY
    # A caller that decodes the path builds a different base string: it must pass the raw path.
    decoded = dataclasses.replace(received, url="https://sis.example.org/ims/oneroster/v1p1/users/café")
    assert refusal(decoded).reason == INVALID_SIGNATURE


@pytest.mark.parametrize("signature_method", BOTH_METHODS)
def test_a_form_encoded_post_body_is_signed_and_verified(signature_method: str) -> None:
    received = send(
        "POST",
        USERS + "/u1/results",
        data={"score": "0.75", "comment": "Well done, 'Ann'"},
        signature_method=signature_method,
    )
    assert received.form_pairs == (("score", "0.75"), ("comment", "Well done, 'Ann'"))
    assert check(received) == KEY
    tampered = dataclasses.replace(received, form_pairs=(("score", "1.0"), ("comment", "Well done, 'Ann'")))
    assert refusal(tampered).reason == INVALID_SIGNATURE


def test_the_realm_is_ignored() -> None:
    received = send(realm="OneRoster")
    assert received.authorization is not None and 'realm="OneRoster"' in received.authorization
    assert check(received) == KEY


def test_oauth_parameters_split_between_header_and_query_are_merged() -> None:
    received = send(params={"filter": STUDENT_FILTER})
    header = received.header_params()
    moved = [(n, v) for n, v in header if n in ("oauth_nonce", "oauth_timestamp")]
    kept = [(n, v) for n, v in header if n not in ("oauth_nonce", "oauth_timestamp")]
    merged = dataclasses.replace(
        received.with_header_params(kept), query_pairs=received.query_pairs + tuple(moved)
    )
    assert check(merged) == KEY


class Sha256BodyHashClient(Client):  # type: ignore[misc]
    """oauthlib always hashes the body with SHA-1; this client uses SHA-256 to go with HMAC-SHA256."""

    def get_oauth_params(self, request: Any) -> list[tuple[str, str]]:
        def sha256(text: str) -> str:
            return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

        return [
            (n, sha256(request.body) if n == "oauth_body_hash" else v)
            for n, v in super().get_oauth_params(request)
        ]


@pytest.mark.parametrize(
    ("signature_method", "client_class"), [("HMAC-SHA1", Client), ("HMAC-SHA256", Sha256BodyHashClient)]
)
def test_a_body_hash_is_checked_against_the_body(signature_method: str, client_class: type[Client]) -> None:
    received = send(
        "PUT",
        USERS.replace("users", "results/r1"),
        json={"result": {"score": 0.5}},
        signature_method=signature_method,
        client_class=client_class,
        force_include_body=True,
    )
    assert "oauth_body_hash" in dict(received.header_params())
    assert check(received) == KEY
    failure = refusal(dataclasses.replace(received, body=b'{"result": {"score": 1.0}}'))
    assert failure.reason == "oauth_body_hash does not match the request body"
    assert not failure.bad_request


def test_a_sha1_body_hash_is_accepted_with_hmac_sha256_and_still_checked() -> None:
    # oauthlib's stock client sends a SHA-1 body hash whatever the signature method (Postman
    # follows the signature method): both are accepted, and either must match the body.
    received = send(
        "PUT",
        USERS.replace("users", "results/r1"),
        json={"result": {"score": 0.5}},
        signature_method="HMAC-SHA256",
        force_include_body=True,
    )
    assert len(base64.b64decode(dict(received.header_params())["oauth_body_hash"])) == 20
    assert check(received) == KEY
    tampered = dataclasses.replace(received, body=b'{"result": {"score": 1.0}}')
    assert refusal(tampered).reason == "oauth_body_hash does not match the request body"


# ---------------------------------------------------------------------------------------------
# Refusals


def test_a_wrong_secret_is_refused() -> None:
    failure = refusal(send(secret="not the secret"))
    assert failure.reason == INVALID_SIGNATURE
    assert failure.client_key == KEY and not failure.bad_request


@pytest.mark.parametrize("signature_type", BOTH_PLACES)
@pytest.mark.parametrize("tamper", ["change a value", "add a parameter", "remove a parameter"])
def test_tampering_with_the_query_is_refused(signature_type: str, tamper: str) -> None:
    received = send(params={"filter": STUDENT_FILTER, "limit": "10"}, signature_type=signature_type)
    pairs = list(received.query_pairs)
    if tamper == "change a value":
        pairs[0] = ("filter", "status='active' AND role='teacher'")
    elif tamper == "add a parameter":
        pairs.append(("offset", "0"))
    else:
        pairs.remove(("limit", "10"))
    assert refusal(dataclasses.replace(received, query_pairs=tuple(pairs))).reason == INVALID_SIGNATURE


@pytest.mark.parametrize(
    "change",
    [
        {"method": "DELETE"},
        {"method": "POST"},
        {"url": "https://sis.example.org/ims/oneroster/v1p1/students"},
        {"url": "https://sis.example.org/ims/oneroster/v1p1/users/"},
        {"url": "https://other.example.org/ims/oneroster/v1p1/users"},
        {"url": "http://sis.example.org/ims/oneroster/v1p1/users"},
    ],
)
def test_a_changed_method_path_or_origin_is_refused(change: dict[str, str]) -> None:
    received = send()
    assert check(received) == KEY
    assert refusal(dataclasses.replace(received, **change)).reason == INVALID_SIGNATURE  # type: ignore[arg-type]


def test_the_method_is_compared_upper_case() -> None:
    assert check(dataclasses.replace(send(), method="get")) == KEY


@pytest.mark.parametrize(
    ("now", "accepted"),
    [
        (NOW + 300, True),
        (NOW - 300, True),
        (NOW + 300.5, False),
        (NOW + 301, False),
        (NOW - 301, False),
        (NOW + 86_400, False),
        (NOW - 86_400, False),
    ],
)
def test_timestamps_outside_the_window_are_refused(now: float, accepted: bool) -> None:
    received = send()
    if accepted:
        assert check(received, now=now) == KEY
    else:
        failure = refusal(received, now=now)
        assert failure.reason.startswith("expired or future timestamp")
        assert not failure.bad_request


def test_the_window_is_configurable() -> None:
    received = send()
    assert check(received, now=NOW + 2700, window_seconds=2700) == KEY
    assert refusal(received, now=NOW + 61, window_seconds=60).reason.startswith("expired or future timestamp")


@pytest.mark.parametrize(
    "timestamp", ["1767225600.0", "1.7e9", "abc", "-1767225600", " 1767225600", "١٧٦٧٢٢٥٦٠٠"]
)
def test_a_timestamp_that_is_not_an_integer_is_refused(timestamp: str) -> None:
    received = send()
    params = [(n, timestamp if n == "oauth_timestamp" else v) for n, v in received.header_params()]
    failure = refusal(received.with_header_params(params))
    assert failure.reason == "oauth_timestamp is not an integer"
    assert not failure.bad_request


@pytest.mark.parametrize("signature_type", BOTH_PLACES)
def test_a_replayed_nonce_is_refused(signature_type: str) -> None:
    received = send(params={"limit": "5"}, signature_type=signature_type, nonce="once")
    nonces = NonceStore()
    assert check(received, nonces=nonces) == KEY
    failure = refusal(received, nonces=nonces)
    assert failure.reason.startswith("nonce already used")
    assert failure.client_key == KEY and not failure.bad_request


def test_the_nonce_is_remembered_only_once_the_signature_verifies() -> None:
    nonces = NonceStore()
    refusal(send(secret="guess", nonce="shared"), nonces=nonces)
    refusal(send(nonce="shared"), nonces=nonces, now=NOW + 3600)
    assert nonces.calls == 0
    assert check(send(nonce="shared"), nonces=nonces) == KEY
    assert nonces.seen == {(KEY, "shared", NOW)}


def test_an_unknown_consumer_key_is_refused() -> None:
    failure = refusal(send(key="stranger"))
    assert failure.reason == INVALID_SIGNATURE == refusal(send(secret="not the secret")).reason
    assert failure.client_key == "stranger" and not failure.bad_request


@pytest.mark.parametrize(
    "missing",
    ["oauth_consumer_key", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_signature"],
)
@pytest.mark.parametrize("signature_type", BOTH_PLACES)
def test_a_missing_parameter_is_refused_by_name(missing: str, signature_type: str) -> None:
    received = send(signature_type=signature_type)
    if received.authorization:
        received = received.with_header_params([(n, v) for n, v in received.header_params() if n != missing])
    else:
        received = dataclasses.replace(
            received, query_pairs=tuple(p for p in received.query_pairs if p[0] != missing)
        )
    failure = refusal(received)
    assert failure.reason == f"missing OAuth parameter: {missing}"
    assert not failure.bad_request


def test_a_request_without_any_oauth_parameters_names_all_of_them() -> None:
    with pytest.raises(OAuth1Failure) as caught:
        verify(
            method="GET",
            url=USERS,
            authorization=None,
            query_pairs=[("limit", "1")],
            secret_for={KEY: SECRET}.get,
            remember_nonce=NonceStore(),
            now=NOW,
        )
    assert caught.value.reason == (
        "missing OAuth parameter: oauth_consumer_key, oauth_signature_method, "
        "oauth_timestamp, oauth_nonce, oauth_signature"
    )
    assert caught.value.client_key is None


@pytest.fixture(scope="module")
def rsa_private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


@pytest.mark.parametrize("signature_method", ["PLAINTEXT", "RSA-SHA1", "RSA-SHA256", "HMAC-SHA512"])
@pytest.mark.parametrize("signature_type", BOTH_PLACES)
def test_unsupported_signature_methods_are_bad_requests(
    signature_method: str, signature_type: str, rsa_private_key: str
) -> None:
    options = {"rsa_key": rsa_private_key} if signature_method.startswith("RSA") else {}
    received = send(signature_method=signature_method, signature_type=signature_type, **options)
    failure = refusal(received)  # PLAINTEXT's "signature" is the secret itself: it must not leak
    assert failure.bad_request
    assert "HMAC-SHA1" in failure.reason and "HMAC-SHA256" in failure.reason


@pytest.mark.parametrize("where", ["header and query", "header twice", "query twice"])
@pytest.mark.parametrize("name", ["oauth_nonce", "oauth_signature", "oauth_consumer_key"])
def test_a_duplicated_oauth_parameter_is_a_bad_request(where: str, name: str) -> None:
    if where == "query twice":
        received = send(signature_type="QUERY")
        value = dict(received.query_pairs)[name]
        duplicated = dataclasses.replace(received, query_pairs=received.query_pairs + ((name, value),))
    else:
        received = send()
        value = dict(received.header_params())[name]
        if where == "header twice":
            duplicated = received.with_header_params(received.header_params() + [(name, value)])
        else:
            duplicated = dataclasses.replace(received, query_pairs=received.query_pairs + ((name, value),))
    failure = refusal(duplicated)
    assert failure.bad_request
    assert failure.reason == f"parameter {name} is given more than once"


def test_oauth_parameters_in_the_body_are_a_bad_request() -> None:
    received = send("POST", USERS, data={"score": "1"}, signature_type="BODY")
    assert received.authorization is None and ("oauth_consumer_key", KEY) in received.form_pairs
    assert refusal(received).bad_request


def test_an_oauth_token_is_refused() -> None:
    failure = refusal(send(resource_owner_key="user-token", resource_owner_secret="token secret"))
    assert "oauth_token" in failure.reason
    assert not failure.bad_request


def test_an_oauth_version_other_than_1_0_is_a_bad_request() -> None:
    received = send()
    params = [(n, "2.0" if n == "oauth_version" else v) for n, v in received.header_params()]
    failure = refusal(received.with_header_params(params))
    assert failure.bad_request and "1.0" in failure.reason


@pytest.mark.parametrize("header", ["OAuth oauth_consumer_key", 'OAuth ="x"', 'OAuth oauth_nonce="a", junk'])
def test_a_malformed_authorization_header_is_a_bad_request(header: str) -> None:
    failure = refusal(dataclasses.replace(send(), authorization=header))
    assert failure.bad_request and "malformed" in failure.reason


def test_a_url_whose_port_cannot_be_parsed_is_a_bad_request() -> None:
    failure = refusal(
        dataclasses.replace(send(), url="https://sis.example.org:99999/ims/oneroster/v1p1/users")
    )
    assert failure.bad_request and failure.client_key == KEY


def test_a_url_with_a_query_string_is_a_caller_error() -> None:
    received = send(params={"limit": "1"})
    with pytest.raises(ValueError, match="query"):
        check(dataclasses.replace(received, url=received.url + "?limit=1"))


# ---------------------------------------------------------------------------------------------
# Detecting OAuth 1.0a


@pytest.mark.parametrize(
    ("authorization", "query", "expected"),
    [
        ('OAuth oauth_consumer_key="k"', [], True),
        ('oauth realm="x"', [], True),
        ("OAuth", [], True),
        (None, [("oauth_consumer_key", "k"), ("limit", "1")], True),
        (None, [("oauth_signature", "abc=")], True),
        ("Bearer eyJhbGciOi", [], False),
        ("Basic dXNlcjpwYXNz", [("limit", "1")], False),
        ("OAuthX abc", [], False),
        (None, [("filter", "oauth_consumer_key='x'")], False),
        (None, [], False),
    ],
)
def test_has_oauth1(authorization: str | None, query: list[tuple[str, str]], expected: bool) -> None:
    assert has_oauth1(authorization, query) is expected


def test_has_oauth1_recognises_what_clients_send() -> None:
    assert has_oauth1(send().authorization, [])
    query_signed = send(signature_type="QUERY")
    assert has_oauth1(query_signed.authorization, query_signed.query_pairs)


# ---------------------------------------------------------------------------------------------
# Property: any printable query is covered by the signature

printable_character = st.characters(exclude_categories=["C"])  # no control, format, surrogate or unassigned
printable = st.text(printable_character, max_size=20)
names = st.text(printable_character, min_size=1, max_size=12).filter(
    lambda name: not name.startswith("oauth_")
)


@settings(deadline=None, max_examples=150)
@given(
    pairs=st.lists(st.tuples(names, printable), min_size=1, max_size=6),
    signature_type=st.sampled_from(BOTH_PLACES),
    signature_method=st.sampled_from(BOTH_METHODS),
    data=st.data(),
)
def test_any_printable_query_verifies_and_changing_any_one_value_fails(
    pairs: list[tuple[str, str]], signature_type: str, signature_method: str, data: st.DataObject
) -> None:
    client = Client(
        KEY,
        client_secret=SECRET,
        signature_type=signature_type,
        signature_method=signature_method,
        timestamp=str(NOW),
    )
    prepared = requests.Request("GET", USERS, params=pairs).prepare()
    assert prepared.url is not None
    signed_url, headers, _ = client.sign(prepared.url, "GET")
    received = receive(requests.Request("GET", signed_url, headers=headers).prepare())
    own = [i for i, (name, _) in enumerate(received.query_pairs) if not name.startswith("oauth_")]
    assert [received.query_pairs[i] for i in own] == pairs
    assert check(received) == KEY

    index = data.draw(st.sampled_from(own), label="index")
    name, old = received.query_pairs[index]
    new = data.draw(printable.filter(lambda value: value != old), label="new value")
    changed = list(received.query_pairs)
    changed[index] = (name, new)
    assert refusal(dataclasses.replace(received, query_pairs=tuple(changed))).reason == INVALID_SIGNATURE
