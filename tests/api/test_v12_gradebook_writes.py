"""1.2 gradebook writes (PUT, DELETE, the POST bulk creates), readable through both versions; bad ones change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.model.schema_v12 import single_schema
from openroster.model.v12 import ENTITIES_V12
from openroster.store.rerender import render_v12_documents
from openroster.store.schema import TABLES
from tests.api.gradebook12 import GRADEBOOK, V11, district_with_v12, ids
from tests.api.test_v12_endpoints import check_status
from tests.conftest import BACKENDS

LINE_ITEM: dict[str, Any] = {
    "title": "Lab report",
    "assignDate": "2025-10-01T08:00:00.000Z",
    "dueDate": "2025-10-08T08:00:00.000Z",
    "class": {"sourcedId": "cls-bio-1"},
    "school": {"sourcedId": "sch-1"},
    "category": {"sourcedId": "cat-hw"},
}
RESULT: dict[str, Any] = {
    "lineItem": {"sourcedId": "li-1"},
    "student": {"sourcedId": "stu-2"},
    "scoreStatus": "partially graded",
    "scoreDate": "2025-10-09T10:00:00.000Z",
}


@pytest.fixture(scope="module", params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[sa.Engine, TestClient]]:
    yield from district_with_v12(request.param, tmp_path_factory)


@pytest.fixture
def writer(store: tuple[sa.Engine, TestClient]) -> TestClient:
    return store[1]


def rows(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the gradebook's tables, to prove a refused write changed nothing."""
    names = ("category", "lineItem", "result", "scoreScale", "assessmentLineItem", "assessmentResult")
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(r) for r in conn.execute(sa.select(table)))
            for name in names
            for table in TABLES[name].all
        }


def _valid(entity: str, body: dict[str, Any]) -> dict[str, Any]:
    jsonschema.validate(
        body, single_schema(ENTITIES_V12[entity], entity), format_checker=jsonschema.FormatChecker()
    )
    document: dict[str, Any] = body[entity]
    return document


# --- PUT


@pytest.mark.parametrize(
    ("path", "entity", "body", "shown"),
    [
        ("/categories/w-cat", "category", {"title": "Labs", "weight": 0.25}, {"weight": 0.25}),
        ("/lineItems/w-li", "lineItem", LINE_ITEM, {"title": "Lab report"}),
        ("/results/w-rs", "result", {**RESULT, "textScore": "B", "missing": "false"}, {"textScore": "B"}),
        (
            "/scoreScales/w-ss",
            "scoreScale",
            {
                "title": "Pass/fail",
                "type": "pass",
                "class": {"sourcedId": "cls-bio-2"},
                "scoreScaleValue": [{"itemValueLHS": "P", "itemValueRHS": "1"}],
            },
            {"type": "pass"},
        ),
        ("/assessmentLineItems/w-ali", "assessmentLineItem", {"title": "Quiz"}, {"title": "Quiz"}),
        (
            "/assessmentResults/w-ar",
            "assessmentResult",
            {
                "assessmentLineItem": {"sourcedId": "ali-1"},
                "student": {"sourcedId": "stu-2"},
                "scoreStatus": "exempt",
            },
            {"scoreStatus": "exempt"},
        ),
    ],
)
def test_put_creates_201_then_replaces_200_and_reads_back(
    writer: TestClient, path: str, entity: str, body: dict[str, Any], shown: dict[str, Any]
) -> None:
    created = writer.put(GRADEBOOK + path, json={entity: body})
    assert created.status_code == 201, created.text
    document = _valid(entity, created.json())
    assert {k: document[k] for k in shown} == shown and document["status"] == "active"
    assert writer.get(GRADEBOOK + path).json() == created.json()
    replaced = writer.put(GRADEBOOK + path, json={entity: {**body, "metadata": {"note": "edited"}}})
    assert replaced.status_code == 200, replaced.text
    again = _valid(entity, replaced.json())
    assert (
        again["metadata"] == {"note": "edited"} and again["dateLastModified"] >= document["dateLastModified"]
    )


def test_a_put_line_item_without_school_gets_its_class_school(writer: TestClient) -> None:
    body = {k: v for k, v in LINE_ITEM.items() if k != "school"}
    item = writer.put(GRADEBOOK + "/lineItems/w-li-noschool", json={"lineItem": body}).json()["lineItem"]
    assert item["school"]["sourcedId"] == "sch-1"
    # ... and the class's first term for a grading period, named in both of 1.2's fields.
    assert item["gradingPeriod"]["sourcedId"] == item["academicSession"]["sourcedId"] == "term-1"


def test_academic_session_is_stored_as_the_grading_period(writer: TestClient) -> None:
    body = {**LINE_ITEM, "academicSession": {"sourcedId": "gp-2"}}
    item = writer.put(GRADEBOOK + "/lineItems/w-li-session", json={"lineItem": body}).json()["lineItem"]
    assert item["gradingPeriod"]["sourcedId"] == item["academicSession"]["sourcedId"] == "gp-2"
    assert (
        writer.get(V11 + "/lineItems/w-li-session").json()["lineItem"]["gradingPeriod"]["sourcedId"] == "gp-2"
    )


# --- one record, both versions


def test_a_1_2_result_without_score_reads_in_1_1_without_score_and_without_1_2_fields(
    writer: TestClient,
) -> None:
    body = {**RESULT, "textScore": "Proficient", "inProgress": "true", "scoreScale": {"sourcedId": "ss-1"}}
    v12 = writer.put(GRADEBOOK + "/results/x-rs", json={"result": body}).json()["result"]
    v11 = writer.get(V11 + "/results/x-rs").json()["result"]
    assert "score" not in v11 and "score" not in v12
    assert v11["scoreStatus"] == "partially graded" and v11["lineItem"]["sourcedId"] == "li-1"
    assert not {"textScore", "inProgress", "scoreScale", "class"} & v11.keys()
    assert v12["scoreScale"]["sourcedId"] == "ss-1" and v12["class"]["sourcedId"] == "cls-bio-1"
    assert v11["dateLastModified"] == v12["dateLastModified"]


def test_a_1_1_line_item_reads_in_1_2_with_its_class_school(writer: TestClient) -> None:
    body = {k: v for k, v in LINE_ITEM.items() if k != "school"} | {
        "class": {"sourcedId": "cls-eng7-1"},
        "category": {"sourcedId": "cat-test"},
        "resultValueMin": 0,
        "resultValueMax": 10,
    }
    assert writer.put(V11 + "/lineItems/x-li", json={"lineItem": body}).status_code == 201
    item = writer.get(GRADEBOOK + "/lineItems/x-li").json()["lineItem"]
    assert item["school"]["sourcedId"] == "sch-2"
    _valid("lineItem", {"lineItem": item})


def test_a_1_2_only_change_moves_date_last_modified_in_both_versions(writer: TestClient) -> None:
    writer.put(GRADEBOOK + "/results/x-flag", json={"result": RESULT})
    before = writer.get(V11 + "/results/x-flag").json()["result"]["dateLastModified"]
    unchanged = writer.put(GRADEBOOK + "/results/x-flag", json={"result": RESULT}).json()["result"]
    assert unchanged["dateLastModified"] == before  # nothing changed: nothing moves
    flagged = writer.put(GRADEBOOK + "/results/x-flag", json={"result": {**RESULT, "late": "true"}}).json()[
        "result"
    ]
    after = writer.get(V11 + "/results/x-flag").json()["result"]
    assert flagged["dateLastModified"] == after["dateLastModified"] > before
    # A delta since then means the same records in both versions.
    delta = {"filter": f"dateLastModified>='{after['dateLastModified']}'"}
    assert "x-flag" in ids(writer.get(GRADEBOOK + "/results", params=delta))
    assert ids(writer.get(GRADEBOOK + "/results", params=delta)) == ids(
        writer.get(V11 + "/results", params=delta)
    )


def test_a_1_1_put_replaces_the_record_and_clears_what_1_1_cannot_say(writer: TestClient) -> None:
    writer.put(GRADEBOOK + "/results/x-replaced", json={"result": {**RESULT, "textScore": "C"}})
    v11_body = {**RESULT, "score": 70}
    assert writer.put(V11 + "/results/x-replaced", json={"result": v11_body}).status_code == 200
    v12 = writer.get(GRADEBOOK + "/results/x-replaced").json()["result"]
    assert v12["score"] == 70 and "textScore" not in v12


# --- bad PUTs


@pytest.mark.parametrize(
    ("path", "body", "status", "fragments"),
    [
        (
            "/lineItems/b-li",
            {"lineItem": {"title": "x"}},
            422,
            ["assignDate: is required", "class: is required", "dueDate: is required"],
        ),
        (
            "/lineItems/b-li",
            {"lineItem": {**LINE_ITEM, "class": {"sourcedId": "nope"}}},
            422,
            ["class: no class with sourcedId 'nope'"],
        ),
        (
            "/lineItems/b-li",
            {"lineItem": {**LINE_ITEM, "school": {"sourcedId": "sch-2"}}},
            422,
            ["school: 'sch-2' is not the school of class 'cls-bio-1'"],
        ),
        (
            "/lineItems/b-li",
            {
                "lineItem": {
                    **LINE_ITEM,
                    "gradingPeriod": {"sourcedId": "gp-1"},
                    "academicSession": {"sourcedId": "gp-2"},
                }
            },
            422,
            ["academicSession: differs from gradingPeriod"],
        ),
        (
            "/lineItems/b-li",
            {"lineItem": {**LINE_ITEM, "scoreScale": {"sourcedId": "nope"}}},
            422,
            ["scoreScale: no scoreScale"],
        ),
        (
            "/results/b-rs",
            {"result": {**RESULT, "scoreStatus": "graded"}},
            422,
            ["scoreStatus: 'graded' is not one of"],
        ),
        ("/results/b-rs", {"result": {**RESULT, "late": "maybe"}}, 422, ["late:"]),
        (
            "/results/b-rs",
            {"result": {**RESULT, "class": {"sourcedId": "cls-eng7-1"}}},
            422,
            ["class: 'cls-eng7-1' is not the class of lineItem 'li-1'"],
        ),
        (
            "/results/b-rs",
            {"result": {**RESULT, "student": {"sourcedId": "stu-4"}}},
            422,
            ["student: 'stu-4' is not enrolled"],
        ),
        ("/categories/b-cat", {"category": {"title": "T", "weight": "heavy"}}, 422, ["weight:"]),
        (
            "/scoreScales/b-ss",
            {
                "scoreScale": {
                    "title": "T",
                    "type": "t",
                    "class": {"sourcedId": "cls-bio-1"},
                    "scoreScaleValue": [],
                }
            },
            422,
            ["scoreScaleValue: is required"],
        ),
        (
            "/scoreScales/b-ss",
            {
                "scoreScale": {
                    "title": "T",
                    "type": "t",
                    "class": {"sourcedId": "cls-bio-1"},
                    "scoreScaleValue": [{"itemValueLHS": "A"}],
                }
            },
            422,
            ["scoreScaleValue: must be a string, not null"],
        ),
        (
            "/assessmentResults/b-ar",
            {"assessmentResult": {"student": {"sourcedId": "stu-1"}, "scoreStatus": "exempt"}},
            422,
            ["assessmentLineItem: is required"],
        ),
        (
            "/assessmentLineItems/b-ali",
            {"assessmentLineItem": {"title": "T", "parentAssessmentLineItem": {"sourcedId": "nope"}}},
            422,
            ["no assessmentLineItem with sourcedId 'nope'"],
        ),
        ("/lineItems/b-li", {"lineItems": [LINE_ITEM]}, 400, ['with the key "lineItem"']),
        (
            "/lineItems/b-li",
            {"lineItem": {**LINE_ITEM, "sourcedId": "other"}},
            400,
            ["differs from the path's 'b-li'"],
        ),
        ("/lineItems/b-li", {"lineItem": "Lab report"}, 422, ["lineItem: must be a JSON object"]),
    ],
)
def test_bad_puts_are_refused_with_the_1_2_payload_and_change_nothing(
    store: tuple[sa.Engine, TestClient], path: str, body: Any, status: int, fragments: list[str]
) -> None:
    engine, writer = store
    before = rows(engine)
    response = writer.put(GRADEBOOK + path, json=body)
    description = check_status(response, status, "invaliddata")["imsx_description"]
    for fragment in fragments:
        assert fragment in description, description
    assert rows(engine) == before


def test_a_body_that_is_not_json_is_400_and_changes_nothing(store: tuple[sa.Engine, TestClient]) -> None:
    engine, writer = store
    before = rows(engine)
    response = writer.put(
        GRADEBOOK + "/results/b-json", content=b'{"result": {', headers={"Content-Type": "application/json"}
    )
    assert "not JSON" in check_status(response, 400, "invaliddata")["imsx_description"]
    assert rows(engine) == before


# --- DELETE


def test_delete_leaves_a_tombstone_only_delta_queries_see(writer: TestClient) -> None:
    writer.put(GRADEBOOK + "/categories/d-cat", json={"category": {"title": "Gone soon"}})
    assert writer.delete(GRADEBOOK + "/categories/d-cat").status_code == 204
    check_status(writer.get(GRADEBOOK + "/categories/d-cat"), 404, "unknownobject")
    assert "d-cat" not in ids(writer.get(GRADEBOOK + "/categories"))
    delta = writer.get(GRADEBOOK + "/categories", params={"filter": "status='tobedeleted'"}).json()[
        "categories"
    ]
    assert [c["status"] for c in delta if c["sourcedId"] == "d-cat"] == ["tobedeleted"]
    check_status(writer.delete(GRADEBOOK + "/categories/d-cat"), 404, "unknownobject")


@pytest.mark.parametrize(
    ("parent", "child"),
    [
        (("lineItems", "lineItem"), ("results", "result")),
        (("assessmentLineItems", "assessmentLineItem"), ("assessmentResults", "assessmentResult")),
    ],
)
def test_deleting_a_line_item_deletes_its_results(
    writer: TestClient, parent: tuple[str, str], child: tuple[str, str]
) -> None:
    (parents, parent_key), (children, child_key) = parent, child
    parent_body = LINE_ITEM if parent_key == "lineItem" else {"title": "Gone soon"}
    writer.put(f"{GRADEBOOK}/{parents}/d-parent", json={parent_key: parent_body})
    child_body = (
        {**RESULT, "lineItem": {"sourcedId": "d-parent"}}
        if child_key == "result"
        else {
            "assessmentLineItem": {"sourcedId": "d-parent"},
            "student": {"sourcedId": "stu-1"},
            "scoreStatus": "submitted",
        }
    )
    assert writer.put(f"{GRADEBOOK}/{children}/d-child", json={child_key: child_body}).status_code == 201
    assert writer.delete(f"{GRADEBOOK}/{parents}/d-parent").status_code == 204
    check_status(writer.get(f"{GRADEBOOK}/{children}/d-child"), 404, "unknownobject")
    check_status(
        writer.get(f"{GRADEBOOK}/classes/cls-bio-1/lineItems/d-parent/results"), 404, "unknownobject"
    )


def test_a_deleted_1_2_record_is_gone_from_1_1_too(writer: TestClient) -> None:
    writer.put(GRADEBOOK + "/lineItems/d-both", json={"lineItem": LINE_ITEM})
    assert writer.delete(V11 + "/lineItems/d-both").status_code == 204
    check_status(writer.get(GRADEBOOK + "/lineItems/d-both"), 404, "unknownobject")


# --- POST


def _line_items(*titles: str, **extra: Any) -> list[dict[str, Any]]:
    base = {k: v for k, v in LINE_ITEM.items() if k not in ("class", "school")}
    return [dict(base, title=title, **extra) for title in titles]


def test_post_line_items_for_class_keeps_supplied_ids_and_allocates_the_others(writer: TestClient) -> None:
    items = [dict(_line_items("One")[0], sourcedId="p-li-1"), *_line_items("Two")]
    response = writer.post(GRADEBOOK + "/classes/cls-bio-2/lineItems", json={"lineItems": items})
    assert response.status_code == 201, response.text
    pairs = response.json()["sourcedIdPairs"]
    assert list(response.json()) == ["sourcedIdPairs"]
    assert pairs[0] == {"suppliedSourcedId": "p-li-1", "allocatedSourcedId": "p-li-1"}
    assert list(pairs[1]) == ["allocatedSourcedId"] and len(pairs[1]["allocatedSourcedId"]) == 36
    titles = {
        i["sourcedId"]: i["title"]
        for i in writer.get(GRADEBOOK + "/classes/cls-bio-2/lineItems").json()["lineItems"]
    }
    assert titles == {"p-li-1": "One", pairs[1]["allocatedSourcedId"]: "Two"}
    item = writer.get(GRADEBOOK + "/lineItems/p-li-1").json()["lineItem"]
    assert (item["class"]["sourcedId"], item["school"]["sourcedId"]) == ("cls-bio-2", "sch-1")


def test_post_line_items_for_school(writer: TestClient) -> None:
    items = _line_items("Essay", class_={"sourcedId": "cls-eng7-1"})
    items = [
        {("class" if k == "class_" else k): v for k, v in i.items()} | {"sourcedId": "p-school"}
        for i in items
    ]
    response = writer.post(GRADEBOOK + "/schools/sch-2/lineItems", json={"lineItems": items})
    assert response.status_code == 201, response.text
    assert writer.get(GRADEBOOK + "/lineItems/p-school").json()["lineItem"]["school"]["sourcedId"] == "sch-2"


def test_post_results_for_line_item_and_for_class_and_session(writer: TestClient) -> None:
    result = {k: v for k, v in RESULT.items() if k != "lineItem"} | {"sourcedId": "p-rs-1", "score": 12}
    response = writer.post(GRADEBOOK + "/lineItems/li-1/results", json={"results": [result]})
    assert response.status_code == 201, response.text
    assert writer.get(GRADEBOOK + "/results/p-rs-1").json()["result"]["lineItem"]["sourcedId"] == "li-1"
    session = {**RESULT, "sourcedId": "p-rs-2", "student": {"sourcedId": "stu-1"}}
    response = writer.post(
        GRADEBOOK + "/classes/cls-bio-1/academicSessions/gp-1/results", json={"results": [session]}
    )
    assert response.status_code == 201, response.text
    assert response.json() == {
        "sourcedIdPairs": [{"suppliedSourcedId": "p-rs-2", "allocatedSourcedId": "p-rs-2"}]
    }
    assert "p-rs-2" in ids(writer.get(GRADEBOOK + "/classes/cls-bio-1/students/stu-1/results"))


@pytest.mark.parametrize(
    ("path", "body", "status", "fragments"),
    [
        (
            "/classes/cls-bio-1/lineItems",
            {"lineItems": [dict(_line_items("A")[0], sourcedId="li-1")]},
            422,
            ["lineItems[0].sourcedId: 'li-1' is already stored"],
        ),
        (
            "/classes/cls-bio-1/lineItems",
            {"lineItems": [dict(i, sourcedId="twice") for i in _line_items("A", "B")]},
            422,
            ["lineItems[1].sourcedId: 'twice' is given twice"],
        ),
        (
            "/classes/cls-bio-1/lineItems",
            {"lineItems": [*_line_items("Fine"), {**LINE_ITEM, "class": {"sourcedId": "cls-alg-1"}}]},
            422,
            ["lineItems[1]:", "class: 'cls-alg-1' differs from the path's 'cls-bio-1'"],
        ),
        (
            "/classes/cls-bio-1/lineItems",
            {"lineItems": [{"title": "No dates"}]},
            422,
            ["assignDate: is required"],
        ),
        ("/classes/cls-bio-1/lineItems", {"lineItems": []}, 422, ["at least one"]),
        ("/classes/cls-bio-1/lineItems", {"lineItems": {"title": "not a list"}}, 422, ["must be an array"]),
        ("/classes/cls-bio-1/lineItems", {"lineItem": LINE_ITEM}, 400, ['with the key "lineItems"']),
        (
            "/classes/cls-bio-1/lineItems",
            {"lineItems": [dict(_line_items("A")[0], sourcedId=7)]},
            422,
            ["must be a non-empty string"],
        ),
        (
            "/schools/sch-2/lineItems",
            {"lineItems": [LINE_ITEM]},
            422,
            ["school: 'sch-1' differs from the path's 'sch-2'"],
        ),
        (
            "/schools/sch-2/lineItems",
            {"lineItems": [{k: v for k, v in LINE_ITEM.items() if k != "school"}]},
            422,
            ["school: 'sch-2' is not the school of class 'cls-bio-1'"],
        ),
        (
            "/lineItems/li-1/results",
            {"results": [{**RESULT, "lineItem": {"sourcedId": "li-2"}}]},
            422,
            ["lineItem: 'li-2' differs from the path's 'li-1'"],
        ),
        (
            "/classes/cls-bio-1/academicSessions/gp-2/results",
            {"results": [RESULT]},
            422,
            ["is graded in academicSession 'gp-1', not in the path's 'gp-2'"],
        ),
        (
            "/classes/cls-eng7-1/academicSessions/gp-1/results",
            {"results": [RESULT]},
            422,
            ["is a lineItem of class 'cls-bio-1'"],
        ),
        ("/classes/nope/lineItems", {"lineItems": _line_items("A")}, 404, ["No class with sourcedId nope"]),
        (
            "/schools/dist-1/lineItems",
            {"lineItems": _line_items("A")},
            404,
            ["No school with sourcedId dist-1"],
        ),
        ("/lineItems/nope/results", {"results": [RESULT]}, 404, ["No lineItem with sourcedId nope"]),
        (
            "/classes/cls-bio-1/academicSessions/nope/results",
            {"results": [RESULT]},
            404,
            ["No academicSession"],
        ),
    ],
)
def test_bad_posts_create_nothing(
    store: tuple[sa.Engine, TestClient], path: str, body: Any, status: int, fragments: list[str]
) -> None:
    engine, writer = store
    before = rows(engine)
    response = writer.post(GRADEBOOK + path, json=body)
    description = check_status(response, status, "unknownobject" if status == 404 else "invaliddata")[
        "imsx_description"
    ]
    for fragment in fragments:
        assert fragment in description, description
    assert rows(engine) == before


# --- learning objectives

OBJECTIVES = [
    {"source": "case", "learningObjectiveIds": ["c1a2-77", "c1a2-78"]},
    {"source": "unknown", "learningObjectiveIds": ["LO-9"]},
    {"source": "case", "learningObjectiveIds": ["c1a2-79"]},  # merged into the first entry of its source
]
OBJECTIVE_RESULTS = [
    {
        "source": "case",
        "learningObjectiveResults": [
            {"learningObjectiveId": "c1a2-77", "score": 3, "textScore": "Proficient"},
            {"learningObjectiveId": "c1a2-78"},
        ],
    }
]


def test_learning_objective_sets_are_stored_and_served_in_1_2_only(
    store: tuple[sa.Engine, TestClient],
) -> None:
    engine, writer = store
    item = writer.put(
        GRADEBOOK + "/lineItems/lo-li", json={"lineItem": {**LINE_ITEM, "learningObjectiveSet": OBJECTIVES}}
    )
    assert item.status_code == 201, item.text
    assert _valid("lineItem", item.json())["learningObjectiveSet"] == [
        {"source": "case", "learningObjectiveIds": ["c1a2-77", "c1a2-78", "c1a2-79"]},
        {"source": "unknown", "learningObjectiveIds": ["LO-9"]},
    ]
    result_body = {**RESULT, "lineItem": {"sourcedId": "lo-li"}, "learningObjectiveSet": OBJECTIVE_RESULTS}
    result = writer.put(GRADEBOOK + "/results/lo-rs", json={"result": result_body})
    assert _valid("result", result.json())["learningObjectiveSet"] == [
        {
            "source": "case",
            "learningObjectiveResults": [
                {"learningObjectiveId": "c1a2-77", "score": 3.0, "textScore": "Proficient"},
                {"learningObjectiveId": "c1a2-78"},
            ],
        }
    ]
    assert "learningObjectiveSet" not in writer.get(V11 + "/lineItems/lo-li").json()["lineItem"]
    assert "learningObjectiveSet" not in writer.get(V11 + "/results/lo-rs").json()["result"]
    # Rendered again from what the store holds (as a migration does), nothing differs.
    stored = rows(engine)
    with engine.begin() as conn:
        render_v12_documents(conn, names=("lineItem", "result"))
    assert rows(engine) == stored
    # An unchanged PUT changes nothing either.
    again = writer.put(
        GRADEBOOK + "/lineItems/lo-li", json={"lineItem": {**LINE_ITEM, "learningObjectiveSet": OBJECTIVES}}
    )
    assert again.status_code == 200 and rows(engine) == stored


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            {"learningObjectiveSet": {"source": "case"}},
            "learningObjectiveSet: must be an array, not an object",
        ),
        (
            {"learningObjectiveSet": [{"source": "case"}]},
            'each element must be {"source": ..., "learningObjectiveIds": [...]}',
        ),
        (
            {"learningObjectiveSet": [{"source": "", "learningObjectiveIds": ["x"]}]},
            "a source must not be empty",
        ),
        (
            {"learningObjectiveSet": [{"source": "state", "learningObjectiveIds": ["x"]}]},
            "source 'state' is not one of case, unknown or an extension token ext:<name>",
        ),
        (
            {"learningObjectiveSet": [{"source": "case", "learningObjectiveIds": [7]}]},
            "must be a string, not a number",
        ),
    ],
)
def test_bad_learning_objective_sets_are_422_and_change_nothing(
    store: tuple[sa.Engine, TestClient], body: dict[str, Any], fragment: str
) -> None:
    engine, writer = store
    before = rows(engine)
    response = writer.put(GRADEBOOK + "/lineItems/lo-bad", json={"lineItem": {**LINE_ITEM, **body}})
    assert fragment in check_status(response, 422, "invaliddata")["imsx_description"]
    result = {
        **RESULT,
        "learningObjectiveSet": [{"source": "case", "learningObjectiveResults": [{"score": 1}]}],
    }
    refused = writer.put(GRADEBOOK + "/results/lo-bad", json={"result": result})
    assert "must be a string, not null" in check_status(refused, 422, "invaliddata")["imsx_description"]
    assert rows(engine) == before


def test_learning_objective_sets_are_neither_filtered_nor_sorted_on(writer: TestClient) -> None:
    refused = writer.get(GRADEBOOK + "/lineItems", params={"filter": "learningObjectiveSet='x'"})
    assert "cannot be filtered on" in check_status(refused, 400, "invalid_filter_field")["imsx_description"]
    assert ids(
        writer.get(GRADEBOOK + "/lineItems", params={"sort": "learningObjectiveSet", "limit": 2})
    ) == ids(writer.get(GRADEBOOK + "/lineItems", params={"limit": 2}))
