"""The request sequences of Microsoft's Teams Grade Sync and Google Classroom, over real HTTP, in both OAuth flavours."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import requests
from requests_oauthlib import OAuth1

from openroster.auth.scopes import ALL
from tests.conftest import BACKENDS, BASE, LiveServer, load
from tests.district import district

Call = Callable[..., Any]  # (method, path, **kwargs) -> response with .status_code and .json()


@pytest.fixture(params=["oauth2", "oauth1"])
def call(request: pytest.FixtureRequest, live: LiveServer) -> Iterator[Call]:
    client_id, secret = live.add_client(scopes=ALL)
    if request.param == "oauth2":
        token = httpx.post(
            live.url + "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        ).json()["access_token"]
        with httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {token}"}) as client:
            yield lambda method, path, **kw: client.request(method, path, **kw)
    else:
        with requests.Session() as session:
            session.auth = OAuth1(client_id, client_secret=secret)
            yield lambda method, path, **kw: session.request(method, live.url + path, timeout=10, **kw)


def one(response: Any, key: str) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == [key] and len(body[key]) == 1
    return body[key][0]  # type: ignore[no-any-return]


def test_microsoft_grade_sync(call: Call, request: pytest.FixtureRequest) -> None:
    suffix = request.node.callspec.id
    email = "ada.lovelace@riverside.example.org"
    assert (
        one(call("GET", BASE + "/users", params={"filter": f"email='{email}'"}), "users")["sourcedId"]
        == "tch-1"
    )
    teacher = one(call("GET", BASE + "/teachers", params={"filter": f"email='{email}'"}), "users")[
        "sourcedId"
    ]
    assert call("GET", f"{BASE}/teachers/{teacher}/classes").status_code == 200
    class_id = one(
        call("GET", f"{BASE}/teachers/{teacher}/classes", params={"filter": "sourcedId='cls-bio-1'"}),
        "classes",
    )["sourcedId"]
    assert call("GET", f"{BASE}/classes/{class_id}/teachers").status_code == 200
    students = call("GET", f"{BASE}/classes/{class_id}/students").json()["users"]
    cls = call("GET", f"{BASE}/classes/{class_id}").json()["class"]
    term = call("GET", f"{BASE}/terms/{cls['terms'][0]['sourcedId']}").json()["academicSession"]

    line_item_id, result_id, student = f"{suffix}-42", f"{suffix}-17", students[0]["sourcedId"]
    put = call(
        "PUT",
        f"{BASE}/lineItems/{line_item_id}",
        json={
            "lineItem": {
                "sourcedId": line_item_id,
                "title": "GradeSync - 2021-01-13T17:06:33Z",
                "description": "Test Assignment",
                "dueDate": "2021-01-20T17:00:00Z",
                "assignDate": "2021-01-13T17:00:00Z",
                "resultValueMin": 0.0,
                "resultValueMax": 100.0,
                "class": {"type": "class", "sourcedId": class_id},
                "gradingPeriod": {"type": "academicSession", "sourcedId": term["sourcedId"]},
            }
        },
    )
    assert put.status_code == 201 and put.json()["lineItem"]["sourcedId"] == line_item_id
    assert (
        one(
            call(
                "GET",
                f"{BASE}/classes/{class_id}/lineitems",
                params={"filter": f"sourcedId='{line_item_id}'"},
            ),
            "lineItems",
        )["sourcedId"]
        == line_item_id
    )

    put = call(
        "PUT",
        f"{BASE}/results/{result_id}",
        json={
            "result": {
                "sourcedId": result_id,
                "score": 87.5,
                "lineItem": {"sourcedId": line_item_id},
                "student": {"sourcedId": student},
                "scoreDate": "2021-01-13T17:06:33Z",
                "scoreStatus": "fully graded",
            }
        },
    )
    assert put.status_code == 201 and put.json()["result"]["sourcedId"] == result_id
    assert (
        one(call("GET", f"{BASE}/classes/{class_id}/lineItems/{line_item_id}/results"), "results")["score"]
        == 87.5
    )
    mine = call("GET", f"{BASE}/classes/{class_id}/students/{student}/results").json()["results"]
    assert result_id in [r["sourcedId"] for r in mine]
    assert call("GET", f"{BASE}/lineItems/{line_item_id}").status_code == 200

    assert call("DELETE", f"{BASE}/results/{result_id}").status_code == 204
    assert call("DELETE", f"{BASE}/lineitems/{line_item_id}").status_code == 204
    assert call("GET", f"{BASE}/results/{result_id}").status_code == 404
    assert call("GET", f"{BASE}/lineItems/{line_item_id}").status_code == 404
    assert call("GET", f"{BASE}/classes/{class_id}/lineItems/{line_item_id}/results").json() == {
        "results": []
    }
    listed = call("GET", f"{BASE}/classes/{class_id}/lineItems").json()["lineItems"]
    assert line_item_id not in [item["sourcedId"] for item in listed]


def test_google_classroom(call: Call, request: pytest.FixtureRequest) -> None:
    suffix = request.node.callspec.id
    assert (
        call("GET", BASE + "/classes", params={"filter": "sourcedId='cls-eng7-1'", "limit": "10000"}).json()[
            "classes"
        ][0]["sourcedId"]
        == "cls-eng7-1"
    )
    assert [
        g["sourcedId"]
        for g in call("GET", f"{BASE}/terms/term-1/gradingPeriods", params={"limit": "10000"}).json()[
            "academicSessions"
        ]
    ] == ["gp-1", "gp-2"]
    category = call("PUT", f"{BASE}/categories/g-cat-{suffix}", json={"category": {"title": "Quizzes"}})
    assert category.status_code == 201
    titles = [
        c["title"] for c in call("GET", BASE + "/categories", params={"limit": "10000"}).json()["categories"]
    ]
    assert "Quizzes" in titles

    item = {
        "title": "Quiz 1",
        "assignDate": "2025-10-01T00:00:00.000Z",
        "dueDate": "2025-10-02T00:00:00.000Z",
        "class": {"sourcedId": "cls-eng7-1"},
        "category": {"sourcedId": f"g-cat-{suffix}"},
        "gradingPeriod": {"sourcedId": "gp-1"},
        "resultValueMin": 0,
        "resultValueMax": 100,
    }
    path = f"{BASE}/lineItems/g-li-{suffix}"
    assert call("PUT", path, json={"lineItem": item}).status_code == 201
    long_title = "A very long assignment title " * 20
    edited = call("PUT", path, json={"lineItem": {**item, "title": long_title}})
    assert edited.status_code == 200 and edited.json()["lineItem"]["title"] == long_title

    for result_id, score, status in [("g-r1", 300, "fully graded"), ("g-r2", 0, "exempt")]:
        body = {
            "result": {
                "lineItem": {"sourcedId": f"g-li-{suffix}"},
                "student": {"sourcedId": "stu-4"},
                "score": score,
                "scoreStatus": status,
                "scoreDate": "2025-10-03T12:00:00Z",
                "comment": "",
            }
        }
        assert call("PUT", f"{BASE}/results/{result_id}-{suffix}", json=body).status_code == 201
        stored = call("GET", f"{BASE}/results/{result_id}-{suffix}").json()["result"]
        assert (stored["score"], stored["scoreStatus"]) == (score, status)

    assert call("DELETE", path).status_code == 204
    assert f"g-li-{suffix}" not in [
        i["sourcedId"] for i in call("GET", f"{BASE}/classes/cls-eng7-1/lineItems").json()["lineItems"]
    ]
    remaining = call("GET", f"{BASE}/classes/cls-eng7-1/results").json()["results"]
    assert remaining and all(r["lineItem"]["sourcedId"] != f"g-li-{suffix}" for r in remaining)
    assert call("GET", f"{BASE}/results/g-r1-{suffix}").status_code == 404  # went with its lineItem


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_puts_of_one_record_leave_one_whole_write(tmp_path: Any, backend: str) -> None:
    # 40 PUTs at once: past the default 8 requests at once, which is not what this test is about.
    server = LiveServer(load(tmp_path, district(), backend=backend), concurrent_requests=0)
    try:
        client_id, secret = server.add_client(scopes=ALL)
        token = httpx.post(
            server.url + "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def write(n: int) -> int:
            body = {
                "lineItem": {
                    "title": f"version {n}",
                    "description": f"written by {n}",
                    "assignDate": "2025-10-01T00:00:00Z",
                    "dueDate": "2025-10-02T00:00:00Z",
                    "class": {"sourcedId": "cls-bio-1"},
                    "resultValueMin": 0,
                    "resultValueMax": n,
                }
            }
            # On a loaded machine a write may wait past the store's write budget: 503 with
            # Retry-After and nothing written, which Grade Sync retries, and so does this client.
            for _ in range(20):
                answer = httpx.put(
                    f"{server.url}{BASE}/lineItems/contended", json=body, headers=headers, timeout=30
                )
                if answer.status_code != 503:
                    return answer.status_code
                assert answer.headers["Retry-After"].isdigit(), answer.headers
                time.sleep(0.5)
            return answer.status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(write, range(1, 41)))
        assert statuses.count(201) == 1 and statuses.count(200) == 39, statuses
        item = httpx.get(f"{server.url}{BASE}/lineItems/contended", headers=headers).json()["lineItem"]
        n = int(item["resultValueMax"])
        assert item["title"] == f"version {n}" and item["description"] == f"written by {n}"
        listed = httpx.get(
            f"{server.url}{BASE}/lineItems", headers=headers, params={"filter": "sourcedId='contended'"}
        ).json()["lineItems"]
        assert listed == [item]
    finally:
        server.stop()
        server.engine.dispose()
