"""Resources and gradebook (Tables 3.1b, 3.1c): reads, PUT upserts, DELETE tombstones, validation, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient
from typer.testing import CliRunner

from openroster.cli import app
from openroster.store.schema import TABLES
from tests.conftest import BASE, client_for, load
from tests.district import district

READS = [
    ("/resources", "resources", ["res-1"]),
    ("/courses/crs-bio/resources", "resources", ["res-1"]),
    ("/classes/cls-bio-1/resources", "resources", ["res-1"]),
    ("/classes/cls-bio-2/resources", "resources", []),
    ("/categories", "categories", ["cat-hw", "cat-test"]),
    ("/lineItems", "lineItems", ["li-1", "li-2"]),
    ("/results", "results", ["rs-1", "rs-2", "rs-3"]),
    ("/classes/cls-bio-1/results", "results", ["rs-1", "rs-2"]),
    ("/classes/cls-bio-1/lineItems", "lineItems", ["li-1"]),
    ("/classes/cls-bio-1/lineItems/li-1/results", "results", ["rs-1", "rs-2"]),
    ("/classes/cls-eng7-1/lineItems/li-1/results", "results", []),  # li-1 is not of this class
    ("/classes/cls-bio-1/students/stu-2/results", "results", ["rs-2"]),
    ("/classes/cls-eng7-1/students/stu-2/results", "results", []),
]


@pytest.mark.parametrize(("path", "key", "expected"), READS, ids=[r[0] for r in READS])
def test_reads(api: TestClient, path: str, key: str, expected: list[str]) -> None:
    response = api.get(BASE + path)
    assert response.status_code == 200 and list(response.json()) == [key]
    assert [r["sourcedId"] for r in response.json()[key]] == expected


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/resources/res-1", "resource"),
        ("/categories/cat-hw", "category"),
        ("/lineItems/li-1", "lineItem"),
        ("/results/rs-3", "result"),
    ],
)
def test_single_reads(api: TestClient, path: str, key: str) -> None:
    assert list(api.get(BASE + path).json()) == [key]


def test_gradebook_documents(api: TestClient) -> None:
    item = api.get(BASE + "/lineitems/li-2").json()["lineItem"]
    assert item["assignDate"] == "2025-09-10T08:00:00.000Z" and item["resultValueMax"] == 10.0
    assert item["class"]["type"] == "class" and item["gradingPeriod"]["sourcedId"] == "term-1"
    result = api.get(BASE + "/results/rs-3").json()["result"]
    assert result["scoreStatus"] == "exempt" and "score" not in result
    assert result["student"] == {
        "href": "https://sis.example.org/ims/oneroster/v1p1/users/stu-4",
        "sourcedId": "stu-4",
        "type": "user",
    }
    assert (
        api.get(BASE + "/results?filter=scoreStatus%3D%27fully%20graded%27").json()["results"][0]["score"]
        == 95.0
    )


# --- writes ------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> sa.Engine:
    engine = load(tmp_path, district())
    yield engine  # type: ignore[misc]
    engine.dispose()


@pytest.fixture
def writer(store: sa.Engine) -> TestClient:
    return client_for(store)


def gradebook_rows(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            name: sorted(tuple(r) for r in conn.execute(sa.select(TABLES[name].main)))
            for name in ("category", "lineItem", "result")
        }


LINE_ITEM = {
    "lineItem": {
        "title": "Lab report",
        "assignDate": "2025-10-01T08:00:00Z",
        "dueDate": "2025-10-08T08:00:00.000Z",
        "class": {"sourcedId": "cls-bio-1"},
        "resultValueMin": 0.0,
        "resultValueMax": 100.0,
    }
}


def test_put_creates_then_updates(writer: TestClient) -> None:
    created = writer.put(BASE + "/lineItems/li-9", json=LINE_ITEM)
    assert created.status_code == 201
    item = created.json()["lineItem"]
    assert list(created.json()) == ["lineItem"] and item["sourcedId"] == "li-9" and item["status"] == "active"
    assert item["category"]["sourcedId"] == "openroster-default-category"  # none was sent
    assert item["gradingPeriod"]["sourcedId"] == "term-1"  # the class's first term
    assert item["assignDate"] == "2025-10-01T08:00:00.000Z"
    assert (
        writer.get(BASE + "/categories/openroster-default-category").json()["category"]["title"]
        == "Uncategorized"
    )

    updated = writer.put(
        BASE + "/lineItems/li-9", json={"lineItem": {**LINE_ITEM["lineItem"], "title": "x" * 3000}}
    )
    assert updated.status_code == 200 and updated.json()["lineItem"]["title"] == "x" * 3000
    assert writer.get(BASE + "/lineItems/li-9").json() == updated.json()


def test_an_unchanged_put_keeps_date_last_modified(writer: TestClient) -> None:
    first = writer.put(BASE + "/categories/cat-new", json={"category": {"title": "Quizzes"}}).json()
    again = writer.put(
        BASE + "/categories/cat-new",
        json={"category": {"title": "Quizzes", "dateLastModified": "2001-01-01T00:00:00Z"}},
    )
    assert again.status_code == 200 and again.json() == first


def test_what_real_clients_send_is_accepted(writer: TestClient) -> None:
    microsoft = {
        "lineItem": {
            "sourcedId": "42",
            "title": "GradeSync - 2021-01-13T17:06:33Z",
            "description": "Test Assignment",
            "dueDate": "2021-01-20T17:00:00Z",
            "assignDate": "2021-01-13T17:00:00Z",
            "resultValueMin": 0.0,
            "resultValueMax": 100.0,
            "class": {"type": "class", "sourcedId": "cls-bio-1"},
            "gradingPeriod": {"type": "academicSession", "sourcedId": "term-1"},
        }
    }
    assert writer.put(BASE + "/lineitems/42", json=microsoft).status_code == 201
    extra_credit = {
        "result": {
            "sourcedId": "17",
            "score": 300,
            "lineItem": {"sourcedId": "42"},
            "student": {"sourcedId": "stu-1"},
            "scoreDate": "2021-01-13T17:06:33Z",
            "scoreStatus": "fully graded",
            "comment": "",
        }
    }
    response = writer.put(BASE + "/results/17", json=extra_credit)
    assert response.status_code == 201
    result = response.json()["result"]
    assert result["score"] == 300.0 and result["scoreDate"] == "2021-01-13T17:06:33.000Z"
    assert (
        writer.put(
            BASE + "/results/18",
            json={"result": {"lineItem": "42", "student": "stu-2", "scoreStatus": "exempt"}},
        ).json()["result"]["scoreStatus"]
        == "exempt"
    )
    numbered = {"category": {"sourcedId": 99, "title": "Numbered"}}  # a number, as some clients send
    assert writer.put(BASE + "/categories/99", json=numbered).status_code == 201
    assert (
        writer.put(
            BASE + "/categories/c-1",
            json={
                "category": {"title": "Projects", "status": "active", "metadata": {"classId": "cls-bio-1"}}
            },
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("path", "body", "status", "fragments"),
    [
        ("/lineItems/li-x", {"title": "no wrapper"}, 400, ['"lineItem"']),
        ("/lineItems/li-x", {"lineItem": ["not", "an", "object"]}, 422, ["must be a JSON object"]),
        (
            "/lineItems/li-x",
            {"lineItem": {**LINE_ITEM["lineItem"], "sourcedId": "li-y"}},
            400,
            ["li-y", "li-x"],
        ),
        (
            "/lineItems/li-x",
            {"lineItem": {**LINE_ITEM["lineItem"], "class": {"sourcedId": "cls-none"}}},
            422,
            ["class: no class with sourcedId 'cls-none'"],
        ),
        (
            "/lineItems/li-x",
            {
                "lineItem": {
                    **LINE_ITEM["lineItem"],
                    "title": None,
                    "resultValueMax": "lots",
                    "dueDate": "next week",
                }
            },
            422,
            ["title: is required", "resultValueMax: 'lots' is not a number", "dueDate: 'next week'"],
        ),
        (
            "/lineItems/li-x",
            {
                "lineItem": {
                    **LINE_ITEM["lineItem"],
                    "category": {"sourcedId": "cat-none"},
                    "gradingPeriod": {"sourcedId": "gp-none"},
                }
            },
            422,
            ["category: no category", "gradingPeriod: no academicSession"],
        ),
        (
            "/results/rs-x",
            {
                "result": {
                    "lineItem": {"sourcedId": "li-1"},
                    "student": {"sourcedId": "stu-1"},
                    "scoreStatus": "fullyGraded",
                    "score": 1,
                }
            },
            422,
            ["scoreStatus: 'fullyGraded' is not one of exempt, fully graded"],
        ),
        (
            "/results/rs-x",
            {
                "result": {
                    "lineItem": {"sourcedId": "li-1"},
                    "student": {"sourcedId": "nobody"},
                    "scoreStatus": "submitted",
                    "score": True,
                }
            },
            422,
            ["student: no user with sourcedId 'nobody'", "score: must be a number"],
        ),
        (
            "/results/rs-1",
            {"result": {"lineItem": {"id": "li-1"}, "student": "stu-1", "scoreStatus": "submitted"}},
            422,
            ["lineItem: must be a reference"],
        ),
        ("/categories/c-x", {"category": {"title": 7}}, 422, ["title: must be a string, not a number"]),
        (
            "/categories/c-x",
            {"category": {"title": "T", "metadata": {"n": 1}}},
            422,
            ["metadata: must be an object"],
        ),
    ],
)
def test_bad_puts_are_refused_and_change_nothing(
    store: sa.Engine, writer: TestClient, path: str, body: Any, status: int, fragments: list[str]
) -> None:
    before = gradebook_rows(store)
    response = writer.put(BASE + path, json=body)
    assert response.status_code == status
    info = response.json()["statusInfoSet"][0]
    assert info["imsx_codeMajor"] == "failure" and info["imsx_codeMinor"] == "invalid data"
    for fragment in fragments:
        assert fragment in info["imsx_description"]
    assert gradebook_rows(store) == before


def test_malformed_json_and_oversized_bodies(store: sa.Engine, writer: TestClient) -> None:
    before = gradebook_rows(store)
    response = writer.put(
        BASE + "/categories/c-x",
        content=b'{"category": {"title": ',
        headers={"Content-Type": "application/json"},
    )
    assert (
        response.status_code == 400 and "not JSON" in response.json()["statusInfoSet"][0]["imsx_description"]
    )
    huge = {"category": {"title": "x" * 2_000_000}}
    response = writer.put(BASE + "/categories/c-x", json=huge)
    assert response.status_code == 413
    assert (
        "limit of 1048576" in response.json()["statusInfoSet"][0]["imsx_description"]
        or "the limit is 1048576" in response.json()["statusInfoSet"][0]["imsx_description"]
    )
    assert gradebook_rows(store) == before
    with client_for(store, max_body_bytes=4096) as small:
        assert (
            small.put(BASE + "/categories/c-x", json={"category": {"title": "x" * 5000}}).status_code == 413
        )


def test_delete_leaves_a_tombstone_that_only_delta_queries_see(writer: TestClient) -> None:
    before = writer.get(BASE + "/results/rs-1").json()["result"]["dateLastModified"]
    assert writer.delete(BASE + "/lineitems/li-1").status_code == 204  # takes rs-1 and rs-2 along
    for path in ["/lineItems/li-1", "/results/rs-1", "/results/rs-2"]:
        response = writer.get(BASE + path)
        assert (
            response.status_code == 404
            and response.json()["statusInfoSet"][0]["imsx_codeMinor"] == "unknown object"
        )
    assert [r["sourcedId"] for r in writer.get(BASE + "/lineItems").json()["lineItems"]] == ["li-2"]
    assert writer.get(BASE + "/classes/cls-bio-1/results").json() == {"results": []}
    delta = writer.get(BASE + "/results", params={"filter": f"dateLastModified>'{before}'"}).json()["results"]
    assert [(r["sourcedId"], r["status"]) for r in delta] == [
        ("rs-1", "tobedeleted"),
        ("rs-2", "tobedeleted"),
    ]
    assert (
        writer.get(BASE + "/lineItems", params={"filter": "status='tobedeleted'"}).json()["lineItems"][0][
            "sourcedId"
        ]
        == "li-1"
    )
    assert writer.delete(BASE + "/lineItems/li-1").status_code == 404
    assert writer.delete(BASE + "/results/nothing").status_code == 404
    revived = writer.put(BASE + "/lineItems/li-1", json=LINE_ITEM)
    assert revived.status_code == 201 and revived.json()["lineItem"]["status"] == "active"


def test_a_client_limited_to_a_school_writes_only_inside_it(store: sa.Engine) -> None:
    with client_for(store, orgs=["sch-2"]) as client:
        response = client.put(BASE + "/lineItems/li-z", json=LINE_ITEM)  # cls-bio-1 is at sch-1
        assert response.status_code == 422 and "no class with sourcedId 'cls-bio-1'" in response.text
        assert (
            client.put(
                BASE + "/lineItems/li-1", json={"lineItem": {**LINE_ITEM["lineItem"], "class": "cls-eng7-1"}}
            ).status_code
            == 409
        )
        assert client.delete(BASE + "/lineItems/li-1").status_code == 404
        inside = {"lineItem": {**LINE_ITEM["lineItem"], "class": {"sourcedId": "cls-eng7-1"}}}
        assert client.put(BASE + "/lineItems/li-z", json=inside).status_code == 201


def test_export_then_import_round_trips(store: sa.Engine, writer: TestClient, tmp_path: Path) -> None:
    writer.put(BASE + "/lineItems/42", json=LINE_ITEM)
    writer.put(
        BASE + "/results/17",
        json={"result": {"lineItem": "42", "student": "stu-1", "score": 300, "scoreStatus": "fully graded"}},
    )
    writer.delete(BASE + "/results/rs-2")
    runner = CliRunner()
    url = store.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["export", str(tmp_path / "out.zip"), "--database", url])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["export", str(tmp_path / "out.zip"), "--database", url]).exit_code == 1
    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    imported = runner.invoke(app, ["import", str(tmp_path / "out.zip"), "--database", copy_url])
    assert imported.exit_code == 0, imported.output
    copy = sa.create_engine(copy_url)
    with client_for(copy) as reader:
        for collection in [
            "orgs",
            "academicSessions",
            "courses",
            "classes",
            "users",
            "enrollments",
            "demographics",
            "resources",
            "categories",
            "lineItems",
            "results",
        ]:
            for query in ("limit=1000", "limit=1000&filter=status%3D%27tobedeleted%27"):
                original = writer.get(f"{BASE}/{collection}?{query}").json()
                assert reader.get(f"{BASE}/{collection}?{query}").json() == original, collection
    copy.dispose()
