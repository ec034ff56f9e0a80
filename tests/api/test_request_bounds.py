"""Bounded, well-formed requests over HTTP: filter limits, joiner typos, numbers, Link and path encoding."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from tests.conftest import BASE, client_for


def status(response: object) -> dict[str, str]:
    return response.json()["statusInfoSet"][0]  # type: ignore[attr-defined, no-any-return]


def user_ids(response: object) -> list[str]:
    return [u["sourcedId"] for u in response.json()["users"]]  # type: ignore[attr-defined]


def assert_invalid(response: object, *fragments: str) -> None:
    assert response.status_code == 400, response.text  # type: ignore[attr-defined]
    info = status(response)
    assert (info["imsx_codeMajor"], info["imsx_codeMinor"]) == ("failure", "invalid data")
    for fragment in fragments:
        assert fragment in info["imsx_description"], info["imsx_description"]


# --- mistyped joiners -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "word", "position"),
    [
        ("status='active' XOR role='student'", "'XOR'", "position 16"),
        ("status='active' && role='student'", "'&&'", "position 16"),
        ("role='student' || familyName~'smi'", "'||'", "position 15"),
    ],
)
def test_unknown_joiner_is_400_naming_the_word_and_position(
    api: TestClient, expression: str, word: str, position: str
) -> None:
    assert_invalid(
        api.get(BASE + "/users", params={"filter": expression}),
        word,
        position,
        "join predicates with AND or OR",
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("familyName='O'Brien'", ["stu-2"]),
        ("familyName='O'Brien' AND role='student'", ["stu-2"]),
        ("familyName='it's'", []),
    ],
)
def test_quotes_inside_values_still_work(api: TestClient, expression: str, expected: list[str]) -> None:
    response = api.get(BASE + "/users", params={"filter": expression})
    assert response.status_code == 200, response.text
    assert user_ids(response) == expected


# --- filter size limits ---------------------------------------------------------------------


def or_chain(count: int, field: str = "orgs.sourcedId") -> str:
    return " OR ".join(f"{field}='sch-{n}'" for n in range(count))


def test_filter_at_the_predicate_limit_is_served(api: TestClient) -> None:
    response = api.get(BASE + "/users", params={"filter": or_chain(50)})
    assert response.status_code == 200, response.text
    assert set(user_ids(response)) == {
        "stu-1",
        "stu-2",
        "stu-3",
        "stu-4",
        "stu-5",
        "tch-1",
        "tch-2",
        "tch-3",
        "par-1",
    }


def test_more_predicates_than_the_limit_is_400_naming_it(api: TestClient) -> None:
    assert_invalid(
        api.get(BASE + "/users", params={"filter": or_chain(51, "a")}),
        "more than 50 predicates",
        "OPENROSTER_MAX_FILTER_PREDICATES",
        "position 690",
    )


@pytest.mark.parametrize("count", [999, 1000, 2000])
def test_predicates_beyond_the_engines_expression_depth_never_reach_it(
    district_engine: sa.Engine, count: int
) -> None:
    with client_for(district_engine, max_filter_predicates=500, max_filter_length=65536) as client:
        assert_invalid(
            client.get(BASE + "/users", params={"filter": or_chain(count, "a")}), "more than 500 predicates"
        )
        assert client.get(BASE + "/users", params={"filter": or_chain(500)}).status_code == 200


def test_filter_longer_than_the_limit_is_400_naming_it(api: TestClient) -> None:
    expression = "familyName='" + "x" * 5000 + "'"
    assert_invalid(
        api.get(BASE + "/users", params={"filter": expression}),
        "5013 characters",
        "at most 4096 characters",
        "OPENROSTER_MAX_FILTER_LENGTH",
    )


def test_filter_limits_are_configurable(district_engine: sa.Engine) -> None:
    with client_for(district_engine, max_filter_predicates=2, max_filter_length=300) as client:
        assert client.get(BASE + "/users", params={"filter": or_chain(2)}).status_code == 200
        assert_invalid(client.get(BASE + "/users", params={"filter": or_chain(3)}), "more than 2 predicates")
        assert_invalid(
            client.get(BASE + "/users", params={"filter": "a='" + "x" * 300 + "'"}), "at most 300 characters"
        )


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("limit=%C2%B2", "limit must be a whole number"),  # '²'
        ("offset=%C2%B9", "offset must be a whole number"),  # '¹'
        ("limit=%D9%A3", "limit must be a whole number"),  # Arabic-Indic three
        ("offset=%EF%BC%95", "offset must be a whole number"),  # fullwidth five
        ("limit=" + "9" * 5000, "limit must be at most"),
        ("offset=" + "9" * 5000, "offset must be at most"),
        ("offset=" + "1" * 19, "a number of 19 digits"),
    ],
)
def test_numbers_that_are_not_plain_page_numbers_are_400(api: TestClient, query: str, fragment: str) -> None:
    assert_invalid(api.get(f"{BASE}/users?{query}"), fragment)


def test_leading_zeros_and_large_offsets_are_fine(api: TestClient) -> None:
    assert user_ids(api.get(f"{BASE}/users?limit=0002&offset=000")) == ["adm-1", "par-1"]
    response = api.get(f"{BASE}/users?offset={'9' * 18}")
    assert response.status_code == 200 and user_ids(response) == []


def test_filter_number_and_date_time_values_out_of_range_are_400(api: TestClient) -> None:
    assert_invalid(
        api.get(BASE + "/lineItems", params={"filter": "resultValueMax>'" + "9" * 400 + "'"}),
        "not a finite number",
    )
    # The same bound as everywhere a date-time is read (PUT bodies, CSV): years 1-9999 in UTC.
    assert_invalid(
        api.get(BASE + "/users", params={"filter": "dateLastModified<'9999-12-31T23:59:59.999-23:59'"}),
        "outside the years 1-9999",
    )


# --- Link header and encodings --------------------------------------------------------------


def link_targets(link: str) -> list[tuple[str, str]]:
    """(URL, rel) of each link, read the way RFC 8288 reads them: `<...>` then parameters."""
    import re

    found = re.findall(r'<([^>]*)>((?:\s*;\s*[a-z]+="[^"]*")*)\s*(?:,|$)', link)
    assert ", ".join(f"<{url}>{params}" for url, params in found) == link, link
    return [(url, params) for url, params in found]


def test_link_urls_cannot_be_broken_out_of(api: TestClient) -> None:
    injected = 'x=>;rel="next",<http://evil.example/'
    response = api.get(f"{BASE}/users?limit=2&{injected}")
    assert response.status_code == 200
    targets = link_targets(response.headers["Link"])
    assert [params for _, params in targets] == ['; rel="next"', '; rel="last"', '; rel="first"']
    assert all(
        url.startswith("https://sis.example.org/ims/oneroster/v1p1/users?limit=2") for url, _ in targets
    )
    assert targets[0][0].endswith("&x=%3E;rel=%22next%22,%3Chttp://evil.example/&offset=2")


def test_link_keeps_well_formed_percent_encoding_and_encodes_the_rest(api: TestClient) -> None:
    response = api.get(BASE + "/users?limit=2&filter=role%3D%27student%27&bad=%zz%")
    next_url = link_targets(response.headers["Link"])[0][0]
    assert next_url.endswith("?limit=2&filter=role%3D%27student%27&bad=%25zz%25&offset=2")


@pytest.mark.parametrize("segment", ["%FF", "%FE", "%C3", "caf%E9"])
def test_a_path_that_is_not_utf8_is_400_not_another_record(api: TestClient, segment: str) -> None:
    assert_invalid(api.get(f"{BASE}/users/{segment}"), "not valid UTF-8")
    assert api.get(f"{BASE}/users/%EF%BF%BD").status_code == 404


def test_utf8_path_segments_still_address_records(api: TestClient) -> None:
    assert api.get(f"{BASE}/users/stu-1").status_code == 200
    assert api.get(f"{BASE}/users/stu%2D1").json()["user"]["sourcedId"] == "stu-1"
    assert api.get(f"{BASE}/users/%C3%A9l%C3%A8ve").status_code == 404


def test_a_query_that_is_not_utf8_is_400(api: TestClient) -> None:
    assert_invalid(api.get(BASE + "/users?filter=sourcedId%3D%27%FF%27"), "query string is not valid UTF-8")
    assert api.get(BASE + "/users?filter=givenName%3D%27%C3%89milie%27").status_code == 200


# --- time budget ----------------------------------------------------------------------------


def test_a_read_past_its_time_budget_is_503_with_retry_after(demo_engine: sa.Engine) -> None:
    import time

    costly = " OR ".join(f"agents.sourcedId~'zz{n}'" for n in range(500))
    with client_for(
        demo_engine, max_filter_predicates=500, max_filter_length=65536, query_timeout_ms=100
    ) as client:
        started = time.perf_counter()
        response = client.get(BASE + "/users", params={"filter": costly})
        elapsed = time.perf_counter() - started
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "5"
        info = status(response)
        assert (info["imsx_codeMinor"], info["imsx_codeMajor"]) == ("server_busy", "failure")
        assert "time budget of 100 ms" in info["imsx_description"]
        assert elapsed < 3, elapsed
        # The connection it ran on serves the next read normally.
        for _ in range(3):
            assert client.get(BASE + "/users?limit=5&filter=status%3D%27active%27").status_code == 200


def test_no_free_database_connection_is_503_within_the_pool_wait(district_engine: sa.Engine) -> None:
    import time

    from openroster.store.dialects import POOL_WAIT

    with client_for(district_engine) as client:
        assert client.get(BASE + "/users?limit=1").status_code == 200
        pool = district_engine.pool
        held = [district_engine.connect() for _ in range(pool.size() + pool._max_overflow)]  # type: ignore[attr-defined]
        try:
            started = time.perf_counter()
            response = client.get(BASE + "/users?limit=1")
            elapsed = time.perf_counter() - started
        finally:
            for conn in held:
                conn.close()
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert "connection is busy" in status(response)["imsx_description"]
        assert POOL_WAIT - 0.5 < elapsed < POOL_WAIT + 3
        assert client.get(BASE + "/users?limit=1").status_code == 200


def test_statement_caches_do_not_grow_with_distinct_filter_shapes(district_engine: sa.Engine) -> None:
    fields = ["givenName", "familyName", "email", "orgs.sourcedId", "grades", "userIds.identifier"]
    # Without the console, whose sync activity writes (statements of their own) in the background.
    with client_for(district_engine, console=False) as client:
        warm = "status='active' AND dateLastModified>'2020-01-01'"
        assert client.get(BASE + "/users", params={"filter": warm}).status_code == 200
        cache = district_engine._compiled_cache  # type: ignore[attr-defined]
        before = len(cache)
        for n in range(1, 41):
            shape = " OR ".join(
                f"{fields[(n * k) % len(fields)]}{'=' if k % 2 else '~'}'v{k}'" for k in range(n)
            )
            assert client.get(BASE + "/users", params={"filter": shape}).status_code == 200
        assert len(cache) == before
    if district_engine.dialect.name == "postgresql":
        with district_engine.connect() as conn:
            assert conn.connection.driver_connection.prepared_max == 16  # type: ignore[union-attr]


def test_filters_past_the_work_capacity_are_shed_while_cheap_reads_go_on(demo_engine: sa.Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from tests.conftest import LiveServer

    server = LiveServer(demo_engine)
    try:
        client_id, secret = server.add_client()
        token = httpx.post(
            f"{server.url}/oauth/token", auth=(client_id, secret), data={"grant_type": "client_credentials"}
        ).json()["access_token"]
        costly = " OR ".join(f"agents.sourcedId~'zz{n}'" for n in range(50))
        with httpx.Client(
            base_url=server.url + BASE, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client:
            with ThreadPoolExecutor(12) as pool:
                flood = [pool.submit(client.get, "/users", params={"filter": costly}) for _ in range(12)]
                cheap = client.get("/users/" + "stu-000001")
                answers = [future.result() for future in flood]
            codes = sorted(r.status_code for r in answers)
            assert set(codes) == {200, 503} and codes.count(200) >= 4, codes
            shed = next(r for r in answers if r.status_code == 503)
            assert shed.headers["Retry-After"] == "1" and status(shed)["imsx_codeMinor"] == "server_busy"
            assert "(200)" in status(shed)["imsx_description"]
            assert cheap.status_code in (200, 404)
            assert client.get("/users", params={"filter": costly}).status_code == 200
    finally:
        server.stop()
