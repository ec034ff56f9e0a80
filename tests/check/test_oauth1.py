"""OAuth 1.0a as SDS signs requests, against a small provider that verifies two-legged HMAC signatures:
accepted as sent, checked behind a proxy over another URL (found, and the run goes on), or refused."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit, urlunsplit

import pytest
from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from openroster.check import Credentials
from openroster.errors import CheckAborted
from tests.check.provider import CLIENT_ID, CLIENT_SECRET, Provider, findings, observed, run

OAUTH1 = Credentials(CLIENT_ID, CLIENT_SECRET, auth="oauth1")


class SignedRequests(Provider):
    """Takes OAuth 1.0a signatures instead of bearer tokens, checked over `public(url)`."""

    def public(self, url: str) -> str:
        return url

    def authorized(self, authorization: str) -> bool:
        if not authorization.startswith("OAuth "):
            return False
        given = dict(parse_authorization_header(authorization))
        if given.get("oauth_consumer_key") != CLIENT_ID:
            return False
        client = Client(
            CLIENT_ID,
            client_secret=CLIENT_SECRET,
            signature_method=given["oauth_signature_method"],
            nonce=given["oauth_nonce"],
            timestamp=given["oauth_timestamp"],
        )
        method, url = self.request
        _, headers, _ = client.sign(self.public(url), method)
        expected = dict(parse_authorization_header(headers["Authorization"]))["oauth_signature"]
        return hmac.compare_digest(expected, given["oauth_signature"])


class BehindHttpsProxy(SignedRequests):
    """Told by its proxy that requests came over https (the consumer used http)."""

    def public(self, url: str) -> str:
        return "https" + url.removeprefix("http")


class BehindPortDroppingProxy(SignedRequests):
    def public(self, url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.hostname or "", parts.path, parts.query, ""))


class SignedAndAnHourBehind(SignedRequests):
    def now(self) -> float:
        return super().now() - 3600


def test_signed_requests_over_the_url_called_get_no_finding() -> None:
    provider = SignedRequests()
    report = run(provider, credentials=OAUTH1)
    assert findings(report) == {}
    assert report.outcomes.by_id["auth.oauth1-url"].passed == 1
    assert report.outcomes.by_id["auth.token-as-sds"].skipped == (
        "the run signed requests with OAuth 1.0a; no token was needed"
    )
    assert "POST /oauth/token" not in provider.seen
    assert report.walks["enrollments"].records == 9


def test_hmac_sha256_signatures_are_accepted_too() -> None:
    report = run(
        SignedRequests(), credentials=Credentials(CLIENT_ID, CLIENT_SECRET, "oauth1", signature="HMAC-SHA256")
    )
    assert findings(report) == {}


def test_a_provider_checking_signatures_over_https_fails_oauth1_url_and_the_run_goes_on() -> None:
    provider = BehindHttpsProxy()
    report = run(provider, credentials=OAUTH1)
    assert set(findings(report)) == {"auth.oauth1-url"}
    [evidence] = findings(report)["auth.oauth1-url"].evidence
    port = urlsplit(provider.request[1]).port
    assert evidence.expected == f"a signature over http://127.0.0.1:{port}/ims/oneroster/v1p1 is accepted"
    assert evidence.observed.startswith('401 {"statusInfoSet":')
    assert evidence.observed.endswith(
        f"; the provider accepts signatures over https://127.0.0.1:{port} instead: it checks them over a "
        "URL the consumer never called (a proxy in between?)"
    )
    # signed as the provider wants from then on, so every other check still ran
    assert report.walks["enrollments"].records == 9


def test_a_provider_checking_signatures_without_the_port_is_found_too() -> None:
    report = run(BehindPortDroppingProxy(), credentials=OAUTH1)
    assert set(findings(report)) == {"auth.oauth1-url"}
    assert (
        "the provider accepts signatures over http://127.0.0.1 instead"
        in observed(report, "auth.oauth1-url")[0]
    )


def test_a_wrong_consumer_secret_stops_the_run() -> None:
    with pytest.raises(CheckAborted) as stopped:
        run(SignedRequests(), credentials=Credentials(CLIENT_ID, "wrong", auth="oauth1"))
    assert str(stopped.value).startswith("the provider refused the OAuth 1.0a signature (HMAC-SHA1): GET ")
    assert str(stopped.value).endswith("check the consumer key and secret")


def test_a_clock_off_with_oauth1_warns_that_timestamps_will_be_refused() -> None:
    report = run(SignedAndAnHourBehind(), credentials=OAUTH1)
    assert set(findings(report)) == {"conn.clock"}
    [seen] = observed(report, "conn.clock")
    assert seen.startswith("the provider's clock is -3") and seen.endswith(
        " s off; OAuth 1.0a timestamps will be refused"
    )
