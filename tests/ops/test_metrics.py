"""/metrics in one server process, over HTTP: what is counted, with which labels, and what never shows.

Counters live for the whole test process, so each test compares a scrape before with one after.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from oauthlib.oauth1 import Client as OAuth1Client
from starlette.testclient import TestClient

from openroster.auth.clients import add_client
from openroster.auth.scopes import ROSTER_CORE
from openroster.ingest.importer import import_bundle
from openroster.ingest.reader import BundleInvalid
from openroster.ops.metrics import count_rate_limited
from openroster.store.writes import revision
from tests.conftest import BACKENDS, BASE, KEYS, client_for, load
from tests.district import district
from tests.ops.scrape import Samples, parse, series, value
from tests.ops.test_health import bad_bundle

TOKEN = "metrics-token-for-the-tests-0123456789"
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}
USERS = BASE + "/users"
USER = BASE + "/users/{id}"


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics", headers=SCRAPE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(response.text)


def requests(samples: Samples, endpoint: str, method: str = "GET", status: str = "200") -> float:
    return value(samples, "openroster_http_requests_total", endpoint=endpoint, method=method, status=status)


@pytest.fixture(scope="module")
def api(district_engine: sa.Engine) -> Iterator[TestClient]:
    with client_for(district_engine, metrics_token=TOKEN) as client:
        yield client


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    engine = load(tmp_path, district(), backend=request.param)
    yield engine
    engine.dispose()


def test_two_sourced_ids_are_one_series_of_the_path_template(api: TestClient) -> None:
    before = scrape(api)
    for sourced_id in ("stu-1", "tch-1", "nobody-9"):
        api.get(f"{USERS}/{sourced_id}")
    after = scrape(api)
    assert requests(after, USER) - requests(before, USER) == 2
    assert requests(after, USER, status="404") - requests(before, USER, status="404") == 1
    endpoints = {labels["endpoint"] for labels in series(after, "openroster_http_requests_total")}
    assert all("stu-1" not in e and "nobody-9" not in e for e in endpoints)
    text = api.get("/metrics", headers=SCRAPE).text
    assert "stu-1" not in text and "nobody-9" not in text


def test_a_1_2_operation_is_its_own_series_under_its_service_root(api: TestClient) -> None:
    gradebook = "/ims/oneroster/gradebook/v1p2/lineItems/{id}"
    before = scrape(api)
    api.get("/ims/oneroster/gradebook/v1p2/lineItems/li-1")
    api.get("/ims/oneroster/v1p2/gradebook/v1p2/lineItems/li-2")  # the same operation, reached another way
    api.get(BASE + "/lineItems/li-1")
    after = scrape(api)
    assert requests(after, gradebook) - requests(before, gradebook) == 2
    assert requests(after, BASE + "/lineItems/{id}") - requests(before, BASE + "/lineItems/{id}") == 1


def test_paths_no_endpoint_serves_are_one_unmatched_series(api: TestClient) -> None:
    before = scrape(api)
    api.get(BASE + "/favouriteColours/blue")
    api.get("/wp-admin/setup.php?x=1")
    api.get(BASE + "/users/stu-1/pets")
    after = scrape(api)
    unmatched = requests(after, "unmatched", status="404") - requests(before, "unmatched", status="404")
    assert unmatched == 3
    text = api.get("/metrics", headers=SCRAPE).text
    assert "favouriteColours" not in text and "wp-admin" not in text and "pets" not in text


def test_methods_outside_http_are_counted_as_other(api: TestClient) -> None:
    before = scrape(api)
    assert api.request("BREW", USERS).status_code == 405
    after = scrape(api)
    assert requests(after, USERS, "other", "405") - requests(before, USERS, "other", "405") == 1
    assert all(labels["method"] != "BREW" for labels in series(after, "openroster_http_requests_total"))


def test_latency_records_and_bytes_of_a_page(api: TestClient) -> None:
    before = scrape(api)
    page = api.get(USERS, params={"limit": 3})
    assert page.status_code == 200 and len(page.json()["users"]) == 3
    after = scrape(api)
    histogram = {"endpoint": USERS, "method": "GET"}
    count = "openroster_http_request_duration_seconds_count"
    assert value(after, count, **histogram) - value(before, count, **histogram) == 1
    assert value(after, "openroster_http_request_duration_seconds_sum", **histogram) > value(
        before, "openroster_http_request_duration_seconds_sum", **histogram
    )
    inf = {**histogram, "le": "+Inf"}
    assert value(after, "openroster_http_request_duration_seconds_bucket", **inf) == value(
        after, count, **histogram
    )
    bytes_served = value(after, "openroster_response_bytes_total", endpoint=USERS) - value(
        before, "openroster_response_bytes_total", endpoint=USERS
    )
    assert bytes_served == len(page.content)
    served = [
        labels
        for labels in series(after, "openroster_records_served_total")
        if labels["endpoint"] == USERS
        and value(after, "openroster_records_served_total", **labels)
        - value(before, "openroster_records_served_total", **labels)
        == 3
    ]
    assert len(served) == 1 and served[0]["client"]  # the authenticated client's id


def test_auth_failures_by_reason(api: TestClient, district_engine: sa.Engine) -> None:
    before = scrape(api)
    assert api.get(USERS, headers={"Authorization": ""}).status_code == 401
    assert api.get(USERS, headers={"Authorization": "Bearer not.a.token"}).status_code == 401
    issued = add_client(district_engine, KEYS, "metrics core only", scopes=[ROSTER_CORE])
    uri, headers, _ = OAuth1Client(issued.client.client_id, client_secret="wrong").sign(
        "http://testserver" + USERS
    )
    assert api.get(uri, headers=headers).status_code == 401
    token = api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued.client.client_id, issued.secret),
    ).json()["access_token"]
    assert api.get(BASE + "/demographics", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert (
        api.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("x", "y")).status_code
        == 401
    )
    assert api.post("/oauth/token", data={"grant_type": "password"}, auth=("x", "y")).status_code == 400
    after = scrape(api)

    def failures(reason: str) -> float:
        return value(after, "openroster_auth_failures_total", reason=reason) - value(
            before, "openroster_auth_failures_total", reason=reason
        )

    assert failures("missing_credentials") == 1
    assert failures("invalid_token") == 1
    assert failures("oauth1_rejected") == 1
    assert failures("insufficient_scope") == 1
    assert failures("invalid_client") == 1
    assert failures("unsupported_grant_type") == 1
    text = api.get("/metrics", headers=SCRAPE).text
    for secret in (issued.secret, token, "not.a.token", TOKEN, "wrong"):
        assert secret not in text


def test_a_request_shed_for_want_of_a_connection_is_counted(district_engine: sa.Engine) -> None:
    with client_for(district_engine, metrics_token=TOKEN) as client:
        before = scrape(client)
        pool = district_engine.pool
        held = [district_engine.connect() for _ in range(pool.size() + pool._max_overflow)]  # type: ignore[attr-defined]
        try:
            assert client.get(USERS, params={"limit": 1}).status_code == 503
        finally:
            for conn in held:
                conn.close()
        after = scrape(client)
    shed = {"cause": "connection_pool"}
    assert value(after, "openroster_shed_total", **shed) - value(before, "openroster_shed_total", **shed) == 1
    assert requests(after, USERS, status="503") - requests(before, USERS, status="503") == 1


def test_rate_limited_requests_counted_by_other_code_are_exposed(api: TestClient) -> None:
    before = scrape(api)
    count_rate_limited("requests_per_minute")
    count_rate_limited("requests_per_minute")
    after = scrape(api)
    labels = {"limit": "requests_per_minute"}
    assert (
        value(after, "openroster_rate_limited_total", **labels)
        - value(before, "openroster_rate_limited_total", **labels)
        == 2
    )


def test_store_size_revision_and_imports(store: sa.Engine, tmp_path: Path) -> None:
    with client_for(store, metrics_token=TOKEN) as client:
        samples = scrape(client)
        users = len(district()["user"])
        assert value(samples, "openroster_store_reachable") == 1
        assert value(samples, "openroster_store_records", entity="user") == users
        assert value(samples, "openroster_store_records", entity="enrollment") == len(
            district()["enrollment"]
        )
        with store.connect() as conn:
            assert value(samples, "openroster_data_revision") == revision(conn)
        assert value(samples, "openroster_imports_total", outcome="succeeded") == 1
        assert value(samples, "openroster_imports_total", outcome="failed") == 0
        assert value(samples, "openroster_last_import_failed") == 0
        assert value(samples, "openroster_last_successful_import_timestamp_seconds") > 1.7e9
        durations = "openroster_import_duration_seconds_bucket"
        assert value(samples, durations, outcome="succeeded", le="+Inf") == 1
        assert value(samples, durations, outcome="succeeded", le="14400.0") == 1

        with pytest.raises(BundleInvalid):
            import_bundle(store, bad_bundle(tmp_path / "bad"))
        samples = scrape(client)
        assert value(samples, "openroster_imports_total", outcome="failed") == 1
        assert value(samples, "openroster_last_import_failed") == 1
        assert value(samples, "openroster_import_duration_seconds_count", outcome="failed") == 1
        assert value(samples, "openroster_store_records", entity="user") == users  # nothing was imported


def test_store_records_are_counted_again_once_the_data_changes(store: sa.Engine) -> None:
    """Counted at most once a minute, and only when the data revision moved: a scrape stays cheap."""
    from openroster.ops.store_metrics import StoreCollector

    def categories(collector: StoreCollector) -> float:
        family = next(m for m in collector.collect() if m.name == "openroster_store_records")
        return next(s.value for s in family.samples if s.labels["entity"] == "category")

    at_once, within_the_minute = StoreCollector(store, recount_seconds=0), StoreCollector(store)
    first = categories(at_once)
    assert categories(within_the_minute) == first
    with client_for(store) as client:
        put = client.put(BASE + "/categories/cat-metrics", json={"category": {"title": "Metrics"}})
        assert put.status_code == 201, put.text
    if store.dialect.name == "postgresql":  # its count is the planner's estimate: autovacuum's work
        with store.begin() as conn:
            conn.exec_driver_sql("ANALYZE categories")
    assert categories(at_once) == first + 1
    assert categories(within_the_minute) == first  # counted less than a minute ago
