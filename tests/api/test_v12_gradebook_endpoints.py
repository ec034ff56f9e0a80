"""Every 1.2 gradebook and assessment read answers the right records, in 1.2's schema, with 1.2's query rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from openroster.api.endpoints_v12 import ASSESSMENT_V12, GRADEBOOK_V12
from openroster.model.schema_v12 import GRADEBOOK_STATUS_SCHEMA
from tests.api.gradebook12 import GRADEBOOK, V11, district_with_v12, ids
from tests.api.test_v12_endpoints import _shape, check_collection, check_single, check_status, walk
from tests.conftest import BACKENDS

COLLECTIONS = [
    ("/categories", "categories", ["cat-hw", "cat-test"]),
    ("/lineItems", "lineItems", ["li-1", "li-2"]),
    ("/results", "results", ["rs-1", "rs-2", "rs-3"]),
    ("/scoreScales", "scoreScales", ["ss-1", "ss-2"]),
    # cat-hw: shared and used by the class's lineItem; cat-test is tied to cls-eng7-1.
    ("/classes/cls-bio-1/categories", "categories", ["cat-hw"]),
    ("/classes/cls-eng7-1/categories", "categories", ["cat-hw", "cat-test"]),
    ("/classes/cls-bio-1/lineItems", "lineItems", ["li-1"]),
    ("/classes/cls-alg-1/lineItems", "lineItems", []),  # a class without any: empty, not 404
    ("/classes/cls-bio-1/lineItems/li-1/results", "results", ["rs-1", "rs-2"]),
    ("/classes/cls-bio-1/results", "results", ["rs-1", "rs-2"]),
    ("/classes/cls-bio-1/scoreScales", "scoreScales", ["ss-1"]),
    ("/classes/cls-bio-1/students/stu-1/results", "results", ["rs-1"]),
    ("/schools/sch-1/scoreScales", "scoreScales", ["ss-1"]),
    ("/schools/sch-2/scoreScales", "scoreScales", ["ss-2"]),
    ("/assessmentLineItems", "assessmentLineItems", ["ali-1", "ali-2"]),
    ("/assessmentResults", "assessmentResults", ["ar-1", "ar-2"]),
]
SINGLES = [
    ("/categories/cat-test", "category"),
    ("/lineItems/li-1", "lineItem"),
    ("/results/rs-1", "result"),
    ("/scoreScales/ss-1", "scoreScale"),
    ("/assessmentLineItems/ali-2", "assessmentLineItem"),
    ("/assessmentResults/ar-1", "assessmentResult"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def gb(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    for _, client in district_with_v12(request.param, tmp_path_factory):
        yield client


def test_the_tables_have_the_27_gradebook_and_8_assessment_operations() -> None:
    assert len(GRADEBOOK_V12) == 27 and len(ASSESSMENT_V12) == 8
    methods = [e.method for e in GRADEBOOK_V12]
    assert (methods.count("GET"), methods.count("PUT"), methods.count("DELETE"), methods.count("POST")) == (
        15,
        4,
        4,
        4,
    )
    assert len({e.operation for e in GRADEBOOK_V12 + ASSESSMENT_V12}) == 35


def test_every_read_is_tested_here() -> None:
    tested = {_shape(p) for p, _, _ in COLLECTIONS} | {_shape(p) for p, _ in SINGLES}
    assert tested == {_shape(e.path) for e in GRADEBOOK_V12 + ASSESSMENT_V12 if e.method == "GET"}


@pytest.mark.parametrize(("path", "key", "expected"), COLLECTIONS, ids=[c[0] for c in COLLECTIONS])
def test_collection(gb: TestClient, path: str, key: str, expected: list[str]) -> None:
    check_collection(gb, GRADEBOOK, path, key, expected)


@pytest.mark.parametrize(("path", "key"), SINGLES, ids=[s[0] for s in SINGLES])
def test_single(gb: TestClient, path: str, key: str) -> None:
    check_single(gb, GRADEBOOK, path, key)


def _ref(root: str, path: str, sourced_id: str, type_: str) -> dict[str, str]:
    return {
        "href": f"https://sis.example.org/ims/oneroster/{root}/v1p2/{path}/{sourced_id}",
        "sourcedId": sourced_id,
        "type": type_,
    }


def test_a_1_1_line_item_in_1_2_has_its_class_school_and_its_grading_period_as_academic_session(
    gb: TestClient,
) -> None:
    item = gb.get(GRADEBOOK + "/lineItems/li-1").json()["lineItem"]
    assert item == {
        "sourcedId": "li-1",
        "status": "active",
        "dateLastModified": "2025-09-01T12:00:00.000Z",
        "title": "Cell diagram",
        "assignDate": "2025-09-08T08:00:00.000Z",
        "dueDate": "2025-09-15T23:59:00.000Z",
        "class": _ref("rostering", "classes", "cls-bio-1", "class"),
        "school": _ref("rostering", "orgs", "sch-1", "org"),
        "category": _ref("gradebook", "categories", "cat-hw", "category"),
        "gradingPeriod": _ref("rostering", "academicSessions", "gp-1", "academicSession"),
        "academicSession": _ref("rostering", "academicSessions", "gp-1", "academicSession"),
        "resultValueMin": 0.0,
        "resultValueMax": 100.0,
    }
    v11 = gb.get(V11 + "/lineItems/li-1").json()["lineItem"]
    assert "school" not in v11 and "academicSession" not in v11
    assert {k: v11[k] for k in ("sourcedId", "status", "dateLastModified")} == {
        k: item[k] for k in ("sourcedId", "status", "dateLastModified")
    }


def test_a_1_1_result_in_1_2_has_its_line_item_class_and_no_score_when_it_has_none(gb: TestClient) -> None:
    result = gb.get(GRADEBOOK + "/results/rs-3").json()["result"]
    assert result["class"] == _ref("rostering", "classes", "cls-eng7-1", "class")
    assert result["lineItem"] == _ref("gradebook", "lineItems", "li-2", "lineItem")
    assert result["student"] == _ref("rostering", "users", "stu-4", "user")
    assert result["scoreStatus"] == "exempt" and "score" not in result
    assert not {"textScore", "inProgress", "late", "missing", "incomplete", "scoreScale"} & result.keys()


def test_score_scales_and_assessment_records_read_back_as_written(gb: TestClient) -> None:
    scale = gb.get(GRADEBOOK + "/scoreScales/ss-1").json()["scoreScale"]
    assert scale["scoreScaleValue"] == [
        {"itemValueLHS": "A", "itemValueRHS": "90"},
        {"itemValueLHS": "B", "itemValueRHS": "80"},
    ]
    assert scale["course"] == _ref("rostering", "courses", "crs-bio", "course")
    assert "school" not in scale  # stored (the CSV's orgSourcedId), but not a field of the REST binding
    part = gb.get(GRADEBOOK + "/assessmentLineItems/ali-2").json()["assessmentLineItem"]
    assert part["parentAssessmentLineItem"] == _ref(
        "gradebook", "assessmentLineItems", "ali-1", "assessmentLineItem"
    )
    assert part["resultValueMax"] == 50
    result = gb.get(GRADEBOOK + "/assessmentResults/ar-1").json()["assessmentResult"]
    assert (result["score"], result["textScore"], result["scorePercentile"], result["late"]) == (
        88,
        "B+",
        75,
        "false",
    )
    assert result["scoreDate"] == "2025-10-01T09:00:00.000Z"


# --- 404 against an empty list


@pytest.mark.parametrize(
    "path",
    [
        "/lineItems/nope",
        "/categories/nope",
        "/results/nope",
        "/scoreScales/nope",
        "/assessmentLineItems/nope",
        "/assessmentResults/nope",
        "/classes/nope/lineItems",
        "/classes/nope/categories",
        "/classes/nope/scoreScales",
        "/classes/cls-bio-1/lineItems/nope/results",
        "/classes/cls-bio-1/students/nobody/results",
        "/classes/cls-bio-1/students/tch-1/results",  # a user, but not a student
        "/schools/nope/scoreScales",
        "/schools/dist-1/scoreScales",  # an org, but not a school
        "/no/such/endpoint",
    ],
)
def test_unknown_objects_and_parents_are_404_unknownobject(gb: TestClient, path: str) -> None:
    check_status(gb.get(GRADEBOOK + path), 404, "unknownobject")


def test_no_match_is_an_empty_list(gb: TestClient) -> None:
    response = gb.get(GRADEBOOK + "/classes/cls-bio-1/results", params={"filter": "score>'1000'"})
    assert (response.status_code, response.json(), response.headers["X-Total-Count"]) == (
        200,
        {"results": []},
        "0",
    )


# --- paging, filters, sort, fields


def test_paging_walks_every_record_once_with_link_and_total(gb: TestClient) -> None:
    assert walk(gb, GRADEBOOK + "/results", 2, 3) == ["rs-1", "rs-2", "rs-3"]


@pytest.mark.parametrize("query", ["limit=0", "offset=-1", "limit=many"])
def test_bad_paging_is_400_invaliddata(gb: TestClient, query: str) -> None:
    check_status(gb.get(GRADEBOOK + "/lineItems?" + query), 400, "invaliddata")


@pytest.mark.parametrize(
    ("path", "expression", "expected"),
    [
        ("/lineItems", "school.sourcedId='sch-2'", ["li-2"]),
        ("/lineItems", "school='sch-1'", ["li-1"]),
        ("/lineItems", "academicSession.sourcedId='gp-1'", ["li-1"]),
        ("/lineItems", "gradingPeriod='term-1'", ["li-2"]),
        ("/lineItems", "academicSession.type='academicSession' AND resultValueMax<'50'", ["li-2"]),
        ("/results", "class.sourcedId='cls-bio-1' AND score>='50'", ["rs-1"]),
        ("/results", "scoreStatus='exempt' OR comment='Late'", ["rs-2", "rs-3"]),
        ("/results", "textScore='A'", []),  # a field 1.1 data never fills
        ("/results", "student.type='user' AND lineItem='li-1'", ["rs-1", "rs-2"]),
        ("/categories", "title~'home'", ["cat-hw"]),
        ("/categories", "weight>'0'", []),
        ("/scoreScales", "type='letter'", ["ss-1"]),
        ("/scoreScales", "course.sourcedId='crs-bio'", ["ss-1"]),
        ("/assessmentResults", "scorePercentile>'50'", ["ar-1"]),
        ("/assessmentResults", "textScore='B+' AND late='false'", ["ar-1"]),
        ("/assessmentLineItems", "parentAssessmentLineItem.sourcedId='ali-1'", ["ali-2"]),
        ("/classes/cls-bio-1/lineItems/li-1/results", "scoreStatus='submitted'", ["rs-2"]),
    ],
)
def test_filter(gb: TestClient, path: str, expression: str, expected: list[str]) -> None:
    assert ids(gb.get(GRADEBOOK + path, params={"filter": expression})) == expected


@pytest.mark.parametrize(
    ("path", "expression", "code_minor"),
    [
        ("/lineItems", "colour='red'", "invalid_filter_field"),
        ("/lineItems", "school.name='x'", "invalid_filter_field"),
        ("/scoreScales", "scoreScaleValue='A'", "invalid_filter_field"),
        ("/results", "score>'lots'", "invaliddata"),
        ("/results", "score>", "invaliddata"),
    ],
)
def test_bad_filters_are_400(gb: TestClient, path: str, expression: str, code_minor: str) -> None:
    check_status(gb.get(GRADEBOOK + path, params={"filter": expression}), 400, code_minor)


def test_sort_both_ways(gb: TestClient) -> None:
    assert ids(gb.get(GRADEBOOK + "/results", params={"sort": "score", "filter": "score>='0'"})) == [
        "rs-2",
        "rs-1",
    ]
    assert ids(
        gb.get(GRADEBOOK + "/results", params={"sort": "score", "orderBy": "desc", "filter": "score>='0'"})
    ) == [
        "rs-1",
        "rs-2",
    ]
    assert ids(gb.get(GRADEBOOK + "/lineItems", params={"sort": "school", "orderBy": "desc"})) == [
        "li-2",
        "li-1",
    ]
    assert ids(gb.get(GRADEBOOK + "/scoreScales", params={"sort": "scoreScaleValue"})) == ["ss-1", "ss-2"]


def test_fields_select_1_2_fields(gb: TestClient) -> None:
    body = gb.get(GRADEBOOK + "/lineItems?fields=sourcedId,school&limit=1").json()
    assert body == {"lineItems": [{"sourcedId": "li-1", "school": _ref("rostering", "orgs", "sch-1", "org")}]}
    single = gb.get(GRADEBOOK + "/results/rs-1?fields=class&fields=score").json()
    assert single == {"result": {"class": _ref("rostering", "classes", "cls-bio-1", "class"), "score": 95.0}}


@pytest.mark.parametrize(
    "query", ["fields=sourcedId,colour", "fields=", "fields=sourcedId,,title", "fields=school"]
)
def test_unknown_or_blank_fields_are_400_invalid_selection_field(gb: TestClient, query: str) -> None:
    # A category has no school: 1.2 answers 400 where 1.1 warned.
    check_status(gb.get(GRADEBOOK + "/categories?" + query), 400, "invalid_selection_field")
    check_status(gb.get(GRADEBOOK + "/categories/cat-hw?" + query), 400, "invalid_selection_field")


def test_1_1_does_not_know_the_1_2_fields(gb: TestClient) -> None:
    response = gb.get(V11 + "/lineItems", params={"fields": "sourcedId,school"})
    assert response.status_code == 200
    assert response.json()["statusInfoSet"][0]["imsx_codeMinor"] == "invalid_selection_field"
    refused = gb.get(V11 + "/results", params={"filter": "textScore='A'"})
    assert refused.status_code == 400
    assert refused.json()["statusInfoSet"][0]["imsx_codeMinor"] == "invalid_filter_field"
    assert gb.get(V11 + "/scoreScales").status_code == 404


def test_methods_a_path_does_not_take_are_405_with_allow_and_the_gradebook_token_unsupported(
    gb: TestClient,
) -> None:
    response = gb.post(GRADEBOOK + "/lineItems/li-1", json={})
    body = check_status(response, 405, "unsupported", GRADEBOOK_STATUS_SCHEMA)
    assert body["imsx_codeMajor"] == "unsupported"
    assert response.headers["Allow"] == "DELETE, GET, HEAD, PUT"
    response = gb.delete(GRADEBOOK + "/classes/cls-bio-1/lineItems")
    check_status(response, 405, "unsupported", GRADEBOOK_STATUS_SCHEMA)
    assert response.headers["Allow"] == "GET, HEAD, POST"
    # Under the alias root (Google's notebook) too; `results` of a lineItem only takes POST.
    response = gb.get("/ims/oneroster/v1p2/gradebook/v1p2/lineItems/li-1/results")
    check_status(response, 405, "unsupported", GRADEBOOK_STATUS_SCHEMA)
    assert response.headers["Allow"] == "POST"


def test_the_service_document_is_served(gb: TestClient) -> None:
    document: dict[str, Any] = gb.get(
        GRADEBOOK + "/discovery/onerosterv1p2gradebookservice_openapi3_v1p0.json"
    ).json()
    assert document["servers"] == [{"url": "https://sis.example.org" + GRADEBOOK}]
    put = document["paths"]["/lineItems/{id}"]["put"]
    assert put["security"] == [
        {"OAuth2CC": ["https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput"]}
    ]
    assert set(put["responses"]) >= {"200", "201", "400", "422"}
    post = document["paths"]["/classes/{class_id}/lineItems"]["post"]
    assert "sourcedIdPairs" in post["responses"]["201"]["content"]["application/json"]["schema"]["properties"]
