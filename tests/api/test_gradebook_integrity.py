"""What a gradebook PUT must make sense of: results of enrolled students, ordered dates and bounds, date-times
and numbers in range, one problem per thing to fix; and writes while an import holds the store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.store.dialects import write_transaction
from openroster.store.schema import TABLES
from openroster.store.writes import bump_revision
from tests.conftest import BACKENDS, BASE, client_for, load
from tests.district import district


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    engine = load(tmp_path_factory.mktemp("integrity"), district(), backend=request.param)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def writer(store: sa.Engine) -> Iterator[TestClient]:
    with client_for(store) as client:
        yield client


def rows(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            name: sorted(tuple(r) for r in conn.execute(sa.select(TABLES[name].main)))
            for name in ("category", "lineItem", "result")
        }


ITEM = {
    "title": "Lab",
    "assignDate": "2025-10-01T08:00:00Z",
    "dueDate": "2025-10-08T08:00:00Z",
    "class": {"sourcedId": "cls-bio-1"},
    "resultValueMin": 0,
    "resultValueMax": 100,
}


def result(student: str, line_item: str = "li-1") -> dict[str, Any]:
    return {
        "result": {
            "lineItem": {"sourcedId": line_item},
            "student": {"sourcedId": student},
            "scoreStatus": "fully graded",
            "score": 5,
        }
    }


REFUSED = [
    ("/results/r-x", result("tch-1"), ["student: 'tch-1' is a user with role teacher, not a student"]),
    ("/results/r-x", result("par-1"), ["student: 'par-1' is a user with role parent, not a student"]),
    (
        "/results/r-x",
        result("stu-3"),  # enrolled in cls-bio-2, not in li-1's cls-bio-1
        ["student: 'stu-3' is not enrolled as a student in class 'cls-bio-1'"],
    ),
    ("/results/r-x", result("stu-5", "li-2"), ["student: no user with sourcedId 'stu-5'"]),  # deleted
    (
        "/lineItems/li-x",
        {"lineItem": {**ITEM, "dueDate": "2025-09-30T08:00:00Z"}},
        ["dueDate: 2025-09-30T08:00:00.000Z is before assignDate 2025-10-01T08:00:00.000Z"],
    ),
    (
        "/lineItems/li-x",
        {"lineItem": {**ITEM, "resultValueMin": 10, "resultValueMax": 5}},
        ["resultValueMax: 5 is less than resultValueMin 10"],
    ),
    (
        "/lineItems/li-x",
        {"lineItem": {**ITEM, "assignDate": "9999-12-31T23:59:59.999-23:59"}},
        ["assignDate: '9999-12-31T23:59:59.999-23:59' is outside the years 1-9999 once converted to UTC"],
    ),
    (
        "/lineItems/li-x",
        {"lineItem": {**ITEM, "dueDate": "0001-01-01T00:30:00+01:00"}},
        ["dueDate: '0001-01-01T00:30:00+01:00' is outside the years 1-9999"],
    ),
    (
        "/lineItems/li-x",
        {"lineItem": {**ITEM, "resultValueMax": "9" * 5000}},
        ["resultValueMax: '" + "9" * 5000 + "' is not a finite number"],
    ),
    (
        "/results/r-x",
        {"result": {**result("stu-1")["result"], "scoreDate": "10000-01-01T00:00:00Z"}},
        ["scoreDate: '10000-01-01T00:00:00Z' is not a date-time"],
    ),
]


@pytest.mark.parametrize(("path", "body", "fragments"), REFUSED, ids=[f[0][:40] for _, _, f in REFUSED])
def test_puts_that_make_no_sense_are_refused_naming_the_field(
    store: sa.Engine, writer: TestClient, path: str, body: Any, fragments: list[str]
) -> None:
    before = rows(store)
    response = writer.put(BASE + path, json=body)
    assert response.status_code == 422, response.text
    description = response.json()["statusInfoSet"][0]["imsx_description"]
    assert all(fragment in description for fragment in fragments), description
    assert rows(store) == before


def test_an_unknown_class_is_the_only_problem_named(store: sa.Engine, writer: TestClient) -> None:
    for sent in [
        {**ITEM, "class": {"sourcedId": "cls-none"}},
        {k: v for k, v in ITEM.items() if k != "class"},
    ]:
        response = writer.put(BASE + "/lineItems/li-x", json={"lineItem": sent})
        assert response.status_code == 422
        description = response.json()["statusInfoSet"][0]["imsx_description"]
        assert description.startswith("The lineItem cannot be stored: class: ") and ";" not in description


def test_sensible_edges_are_accepted(writer: TestClient) -> None:
    same_moment = {**ITEM, "dueDate": ITEM["assignDate"], "resultValueMin": 7, "resultValueMax": 7}
    assert writer.put(BASE + "/lineItems/li-edge", json={"lineItem": same_moment}).status_code == 201
    last = writer.put(
        BASE + "/lineItems/li-edge",
        json={
            "lineItem": {
                **same_moment,
                "assignDate": "9999-12-31T23:59:59.999Z",
                "dueDate": "9999-12-31T23:59:59.999Z",
            }
        },
    )
    assert last.status_code == 200 and last.json()["lineItem"]["dueDate"] == "9999-12-31T23:59:59.999Z"
    first = writer.put(
        BASE + "/lineItems/li-edge",
        json={
            "lineItem": {
                **same_moment,
                "assignDate": "0001-01-01T00:00:00Z",
                "dueDate": "0001-01-01T01:00:00+01:00",
            }
        },
    )
    assert first.status_code == 200 and first.json()["lineItem"]["assignDate"] == "0001-01-01T00:00:00.000Z"
    assert writer.put(BASE + "/results/r-edge", json=result("stu-2")).status_code == 201


@pytest.mark.parametrize("number", [b"1" + b"0" * 5000, b"1e400", b"-1e400"])
def test_numbers_too_large_for_a_double_are_refused(
    store: sa.Engine, writer: TestClient, number: bytes
) -> None:
    before = rows(store)
    body = (
        b'{"lineItem": {"title": "Lab", "assignDate": "2025-10-01T08:00:00Z", "dueDate": "2025-10-08T08:00:00Z",'
        b' "class": {"sourcedId": "cls-bio-1"}, "resultValueMin": 0, "resultValueMax": ' + number + b"}}"
    )
    response = writer.put(
        BASE + "/lineItems/li-x", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and "not JSON" in response.text
    assert rows(store) == before


def test_a_write_while_an_import_holds_the_store_answers_503_quickly(
    store: sa.Engine, writer: TestClient
) -> None:
    before = rows(store)
    with write_transaction(store) as held:  # what an import does for its whole length
        bump_revision(held)
        for method, path, body in [
            ("PUT", "/lineItems/li-busy", {"lineItem": ITEM}),
            ("DELETE", "/lineItems/li-1", None),
        ]:
            started = time.monotonic()
            response = writer.request(method, BASE + path, json=body)
            assert time.monotonic() - started < 10
            assert response.status_code == 503 and response.headers["Retry-After"] == "5"
            info = response.json()["statusInfoSet"][0]
            assert (
                info["imsx_codeMinor"] == "server_busy"
                and "Retry in a few seconds" in info["imsx_description"]
            )
    assert rows(store) == before
    assert writer.put(BASE + "/lineItems/li-busy", json={"lineItem": ITEM}).status_code == 201
    assert writer.delete(BASE + "/lineItems/li-busy").status_code == 204
