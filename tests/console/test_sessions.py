"""Signing in and out of the console: cookies, form tokens, wrong passwords, limits, expiry, audit lines."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from openroster.console.sessions import COOKIE, SIGNIN_COOKIE
from openroster.store.schema import console_sessions
from tests.console.conftest import PASSWORD, browser, form_token, sign_in, signed_in


def _session_rows(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(console_sessions)).scalar_one()


def test_every_page_sends_a_visitor_without_a_session_to_the_sign_in_page(store: sa.Engine) -> None:
    client = browser(store)
    for path in (
        "/console/",
        "/console/clients",
        "/console/imports",
        "/console/browse?q=ada",
        "/console/records/user/tch-1",
        "/console/readiness",
    ):
        answer = client.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/console/signin"), path
    assert client.get("/console").headers["location"] == "/console/"


def test_signing_in_sets_a_strict_http_only_session_cookie_and_shows_the_overview(store: sa.Engine) -> None:
    client = browser(store)
    answer = sign_in(client, "ada")
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/")
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Max-Age=28800" in cookie and "Secure" not in cookie  # plain HTTP: a Secure cookie would be lost
    page = client.get("/console/")
    assert page.status_code == 200 and "ada (admin)" in page.text and "<h1>Overview</h1>" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_over_https_the_session_cookie_is_secure(store: sa.Engine) -> None:
    client = browser(store, base_url="https://sis.example.org")
    answer = sign_in(client, "ada")
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
    assert "Secure" in cookie


@pytest.mark.parametrize(("trusted", "secure"), [("*", True), ("10.0.0.5", False)])
def test_behind_a_trusted_https_proxy_the_cookies_are_secure(
    store: sa.Engine, trusted: str, secure: bool
) -> None:
    client = browser(store, forwarded_allow_ips=trusted)
    answer = client.get("/console/signin", headers={"X-Forwarded-Proto": "https"})
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(SIGNIN_COOKIE + "="))
    assert ("Secure" in cookie) is secure  # an untrusted peer's header is not believed


def test_the_session_lasts_as_long_as_the_setting_says(store: sa.Engine) -> None:
    client = browser(store, console_session_minutes=30)
    answer = sign_in(client, "ada")
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
    assert "Max-Age=1800" in cookie


@pytest.mark.parametrize(("name", "password"), [("ada", "wrong password!"), ("nobody", PASSWORD)])
def test_a_wrong_name_or_password_is_refused_and_opens_no_session(
    store: sa.Engine, name: str, password: str
) -> None:
    client = browser(store)
    answer = sign_in(client, name, password)
    assert answer.status_code == 401
    assert "The name or the password is wrong." in answer.text
    assert COOKIE not in answer.cookies
    assert _session_rows(store) == 0
    assert client.get("/console/").status_code == 303


@pytest.mark.parametrize("token", ["", "forged"])
def test_a_sign_in_without_its_form_token_is_refused(store: sa.Engine, token: str) -> None:
    client = browser(store)
    client.get("/console/signin")  # the browser has the sign-in cookie, not the token
    data = {"name": "ada", "password": PASSWORD} | ({"csrf": token} if token else {})
    answer = client.post("/console/signin", data=data)
    assert answer.status_code == 403
    assert "security token is missing or wrong" in answer.text
    assert _session_rows(store) == 0


def test_a_sign_in_token_from_another_browser_is_refused(store: sa.Engine) -> None:
    token = form_token(browser(store).get("/console/signin"))
    other = browser(store)
    other.get("/console/signin")
    answer = other.post("/console/signin", data={"csrf": token, "name": "ada", "password": PASSWORD})
    assert answer.status_code == 403 and _session_rows(store) == 0


def test_repeated_wrong_passwords_are_refused_for_a_while_even_with_the_right_one(store: sa.Engine) -> None:
    client = browser(store, auth_failures_before_slowing=5, auth_failures_before_block=5)
    for _ in range(5):
        assert sign_in(client, "ada", "not the password").status_code == 401
    blocked = sign_in(client, "ada", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed credentials from this address" in blocked.text
    assert _session_rows(store) == 0
    # Another account from the same address is not blocked by ada's failures.
    assert sign_in(client, "vic").status_code == 303


def test_signing_out_ends_the_session_for_good(store: sa.Engine) -> None:
    client, token = signed_in(store, "ada")
    stolen = client.cookies[COOKIE]
    answer = client.post("/console/signout", data={"csrf": token})
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/signin")
    assert _session_rows(store) == 0
    replay = browser(store)
    replay.cookies.set(COOKIE, stolen, path="/console")
    assert replay.get("/console/").status_code == 303


def test_signing_out_needs_the_form_token(store: sa.Engine) -> None:
    client, _ = signed_in(store, "ada")
    answer = client.post("/console/signout", data={"csrf": "forged"})
    assert answer.status_code == 403
    assert _session_rows(store) == 1
    assert client.get("/console/").status_code == 200


def test_an_expired_session_is_refused(store: sa.Engine) -> None:
    client, _ = signed_in(store, "ada")
    with store.begin() as conn:
        conn.execute(console_sessions.update().values(expires_ms=0))
    assert client.get("/console/").status_code == 303


def test_the_sign_in_cookie_is_set_once_and_dropped_at_sign_in(store: sa.Engine) -> None:
    client = browser(store)
    first = client.get("/console/signin")
    assert SIGNIN_COOKIE in first.cookies
    assert SIGNIN_COOKIE not in client.get("/console/signin").cookies  # the same browser keeps its own
    answer = sign_in(client, "ada")
    assert any(h.startswith(SIGNIN_COOKIE + '=""') for h in answer.headers.get_list("set-cookie"))


def test_sign_in_and_out_are_on_the_audit_log_with_the_account(
    store: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="openroster.audit"):
        client, token = signed_in(store, "ada")
        client.post("/console/signout", data={"csrf": token})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith('{"console"')]
    assert [(line["console"], line["action"]) for line in lines] == [("ada", "sign-in"), ("ada", "sign-out")]


def test_removing_an_account_or_changing_its_password_ends_its_open_sessions(store: sa.Engine) -> None:
    from openroster.console.accounts import remove_account, set_password

    ada, _ = signed_in(store, "ada")
    vic, _ = signed_in(store, "vic")
    set_password(store, "ada", "a brand new passphrase")
    remove_account(store, "vic")
    for client in (ada, vic):
        assert client.get("/console/").status_code == 303
    assert sign_in(browser(store), "ada", "a brand new passphrase").status_code == 303
    assert sign_in(browser(store), "vic").status_code == 401
