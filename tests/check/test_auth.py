"""Connecting as SDS does, against small providers whose token endpoint or 401 answer breaks one rule: the
finding (or the reason the run stops) names what the provider did and what SDS needs instead."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.responses import Response

from openroster.check import Credentials
from openroster.errors import CheckAborted
from tests.check.provider import CLIENT_ID, CLIENT_SECRET, ROOT, Answer, Provider, findings, observed, run


class ScopeRequired(Provider):
    """Issues a token only when the request names a scope (SDS names none)."""

    def token(self, authorization: str, form: dict[str, str]) -> Answer:
        if "scope" not in form:
            return 400, {}, {"error": "invalid_scope"}
        return super().token(authorization, form)


class BodyCredentialsOnly(Provider):
    """Ignores HTTP Basic: the client id and secret must come in the form body."""

    def token(self, authorization: str, form: dict[str, str]) -> Answer:
        return super().token("", form)


class ScopeAndBodyCredentials(Provider):
    def token(self, authorization: str, form: dict[str, str]) -> Answer:
        if "scope" not in form:
            return 400, {}, {"error": "invalid_scope"}
        return super().token("", form)


def test_a_token_endpoint_that_needs_a_scope_fails_token_as_sds_alone() -> None:
    provider = ScopeRequired()
    report = run(provider)
    assert set(findings(report)) == {"auth.token-as-sds"}
    [seen] = observed(report, "auth.token-as-sds")
    assert seen.startswith('400 {"error":"invalid_scope"}; a token came only with HTTP Basic, scope ')
    assert "https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly" in seen
    evidence = report.outcomes.by_id["auth.token-as-sds"].evidence[0]
    assert evidence.request.endswith("/oauth/token (HTTP Basic, no scope)")
    assert evidence.expected == "200 with an access_token"


def test_the_scope_asked_for_includes_the_write_scopes_only_when_writes_are_allowed() -> None:
    reads = run(ScopeRequired(), "sds")
    writes = run(ScopeRequired(), "grade-sync", writes=True)
    assert "gradebook.createput" not in observed(reads, "auth.token-as-sds")[0]
    assert "gradebook.createput" in observed(writes, "auth.token-as-sds")[0]
    assert "gradebook.delete" in observed(writes, "auth.token-as-sds")[0]


def test_a_given_scope_is_the_one_asked_for() -> None:
    credentials = Credentials(CLIENT_ID, CLIENT_SECRET, scope="roster-only")
    report = run(ScopeRequired(), credentials=credentials)
    assert observed(report, "auth.token-as-sds") == [
        '400 {"error":"invalid_scope"}; a token came only with HTTP Basic, scope \'roster-only\''
    ]


def test_a_token_endpoint_that_wants_body_credentials_fails_token_as_sds_alone() -> None:
    report = run(BodyCredentialsOnly())
    assert set(findings(report)) == {"auth.token-as-sds"}
    assert observed(report, "auth.token-as-sds") == [
        '401 {"error":"invalid_client"}; a token came only with client id and secret in the form body, '
        "no scope"
    ]


def test_the_last_fallback_is_body_credentials_and_a_scope() -> None:
    provider = ScopeAndBodyCredentials()
    report = run(provider)
    assert set(findings(report)) == {"auth.token-as-sds"}
    [seen] = observed(report, "auth.token-as-sds")
    assert "a token came only with client id and secret in the form body, scope '" in seen
    # SDS's own request, then the three fallbacks in order, before any read
    assert provider.seen[:4] == ["POST /oauth/token"] * 4
    assert provider.seen[4].startswith(f"GET {ROOT}/orgs")


def test_a_secret_with_reserved_characters_is_form_encoded_inside_basic() -> None:
    # the provider unquotes each part, as RFC 6749 §2.3.1 asks; a raw ':' in the secret would break it
    assert ":" in CLIENT_SECRET and "/" in CLIENT_SECRET
    report = run(Provider())
    assert report.outcomes.by_id["auth.token-as-sds"].passed == 1


def test_wrong_credentials_stop_the_run_saying_what_the_token_endpoint_answered() -> None:
    with pytest.raises(CheckAborted) as stopped:
        run(Provider(), credentials=Credentials(CLIENT_ID, "wrong"))
    message = str(stopped.value)
    assert "/oauth/token issued no token (HTTP Basic, no scope, answered 401" in message
    assert '"invalid_client"' in message and message.endswith("check the client id and secret")


def test_a_token_url_that_is_not_a_token_endpoint_stops_the_run() -> None:
    with pytest.raises(CheckAborted) as stopped:
        run(Provider(), token_path="/nothing")
    assert "answered 404: it is not the provider's OAuth 2.0 token endpoint" in str(stopped.value)
    assert "--token-url" in str(stopped.value)


class RedirectingToken(Provider):
    def token(self, authorization: str, form: dict[str, str]) -> Answer:
        return 307, {"location": "https://login.example/token"}, None


def test_a_token_endpoint_that_redirects_stops_the_run_naming_where_it_goes() -> None:
    with pytest.raises(CheckAborted) as stopped:
        run(RedirectingToken())
    assert "redirects to https://login.example/token" in str(stopped.value)
    assert "consumers do not follow redirects on the token request" in str(stopped.value)


class RefusesItsOwnTokens(Provider):
    def authorized(self, authorization: str) -> bool:
        return False


def test_a_provider_that_refuses_its_own_token_stops_the_run() -> None:
    with pytest.raises(CheckAborted) as stopped:
        run(RefusesItsOwnTokens())
    assert "the provider refused its own access token" in str(stopped.value)
    assert "/orgs?limit=1 answered 401" in str(stopped.value)


class ApiElsewhere(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        return self.not_found("/" + "/".join(segments))


def test_a_base_url_that_answers_404_stops_the_run_asking_for_the_oneroster_root() -> None:
    with pytest.raises(CheckAborted) as stopped:
        run(ApiElsewhere())
    assert "answered 404: is http://127.0.0.1:" in str(stopped.value)
    assert "the OneRoster base URL (ending in /ims/oneroster/v1p1)?" in str(stopped.value)


class ApiRedirects(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        return 301, {"location": "https://sis.example/oneroster/orgs"}, None


def test_a_base_url_that_redirects_stops_the_run_asking_for_the_final_url() -> None:
    with pytest.raises(CheckAborted) as stopped:
        run(ApiRedirects())
    assert "redirects to https://sis.example/oneroster/orgs: give the final base URL" in str(stopped.value)


def test_oauth1_against_a_provider_that_only_takes_bearer_tokens_stops_the_run() -> None:
    with pytest.raises(CheckAborted) as stopped:
        run(Provider(), credentials=Credentials(CLIENT_ID, CLIENT_SECRET, auth="oauth1"))
    message = str(stopped.value)
    assert message.startswith("the provider refused the OAuth 1.0a signature (HMAC-SHA1): GET ")
    assert "answered 401" in message and message.endswith("check the consumer key and secret")


class Bare401(Provider):
    def unauthorized(self) -> Answer:
        return 401, {"content-type": "text/plain"}, b"Unauthorized"


class NoChallenge(Provider):
    """The status payload is there but not the WWW-Authenticate header."""

    def unauthorized(self) -> Answer:
        status, _, body = super().unauthorized()
        return status, {}, body


class ForbiddenWithoutCredentials(Provider):
    def unauthorized(self) -> Answer:
        status, headers, body = super().unauthorized()
        return 403, headers, body


@pytest.mark.parametrize(
    ("provider", "answered"),
    [
        (Bare401, "401 Unauthorized"),
        (NoChallenge, '401 {"statusInfoSet":[{"imsx_codeMajor":"failure"'),
        (ForbiddenWithoutCredentials, '403 {"statusInfoSet":'),
    ],
)
def test_a_401_without_payload_or_challenge_warns_and_nothing_else(
    provider: type[Provider], answered: str
) -> None:
    report = run(provider())
    assert set(findings(report)) == {"auth.401-payload"}
    outcome = findings(report)["auth.401-payload"]
    assert outcome.status == "warn" and not report.failed
    [evidence] = outcome.evidence
    assert evidence.request.endswith("/orgs?limit=1 (no credentials)")
    assert evidence.expected == "401, a WWW-Authenticate header and a statusInfoSet body"
    assert evidence.observed.startswith(answered)


class ClockAnHourAhead(Provider):
    def now(self) -> float:
        return super().now() + 3600


class ClockUnreadable(Provider):
    def respond(self, status: int, headers: dict[str, str], body: Any) -> Response:
        response = super().respond(status, headers, body)
        response.headers["date"] = "sometime on Tuesday"
        return response


def test_a_provider_clock_an_hour_off_warns_how_far_off_it_is() -> None:
    report = run(ClockAnHourAhead())
    assert set(findings(report)) == {"conn.clock"}
    [seen] = observed(report, "conn.clock")
    assert seen.split(" s off")[0] in {
        "the provider's clock is +3599",
        "the provider's clock is +3600",
        "the provider's clock is +3601",
    }
    assert seen.endswith("; tokens may look expired")


def test_an_unreadable_date_header_is_not_held_against_the_provider() -> None:
    report = run(ClockUnreadable())
    assert findings(report) == {}
    assert report.outcomes.by_id.get("conn.clock") is None


class NoDateHeader(Provider):
    def respond(self, status: int, headers: dict[str, str], body: Any) -> Response:
        response = super().respond(status, headers, body)
        del response.headers["date"]
        return response


def test_no_date_header_leaves_the_clock_unchecked() -> None:
    report = run(NoDateHeader())
    assert findings(report) == {}
    assert report.outcomes.by_id.get("conn.clock") is None


class NumericTokenForSds(Provider):
    """Answers SDS's request with an access_token that is a number; a request with a scope gets a real one."""

    def token(self, authorization: str, form: dict[str, str]) -> Answer:
        status, headers, body = super().token(authorization, form)
        if "scope" not in form and status == 200:
            return status, headers, {**body, "access_token": 123}
        return status, headers, body


def test_an_access_token_that_is_not_a_string_is_no_token() -> None:
    report = run(NumericTokenForSds())
    assert set(findings(report)) == {"auth.token-as-sds"}
    [seen] = observed(report, "auth.token-as-sds")
    assert seen.startswith('200 {"access_token":123,')
    assert "; a token came only with HTTP Basic, scope '" in seen
