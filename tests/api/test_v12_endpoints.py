"""Every 1.2 rostering and resources read answers the right records, under the right wrapper key, in 1.2's schema."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from openroster.api.endpoints import RESOURCES, ROSTERING
from openroster.api.endpoints_v12 import ENDPOINTS_V12, RESOURCES_V12, ROSTERING_V12
from openroster.model.schema_v12 import STATUS_SCHEMA, collection_schema, single_schema
from openroster.model.v12 import ENTITIES_V12
from tests.api.test_endpoints import COLLECTIONS, SINGLES

ROSTER = "/ims/oneroster/rostering/v1p2"
RESOURCE = "/ims/oneroster/resources/v1p2"

RESOURCE_COLLECTIONS = [
    ("/resources", ["res-1"]),
    ("/classes/cls-bio-1/resources", ["res-1"]),
    ("/courses/crs-bio/resources", ["res-1"]),
    ("/users/tch-1/resources", []),  # 1.1 data links no resource to a user
]


def check_status(
    response: Any, status: int, code_minor: str | None, schema: dict[str, Any] = STATUS_SCHEMA
) -> dict[str, Any]:
    """The response is a 1.2 status payload (nothing else in the body) with this HTTP status and token,
    in the codeMinor vocabulary of `schema` (rostering's unless told)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    jsonschema.validate(body, schema)
    fields = body.get("imsx_CodeMinor", {}).get("imsx_codeMinorField", [])
    assert [f["imsx_codeMinorFieldValue"] for f in fields] == ([code_minor] if code_minor else [])
    return body


def check_schema(endpoint_path: str, body: dict[str, Any], key: str) -> None:
    """Every field of every document against the 1.2 schema derived from the catalogue."""
    endpoint = next(
        e for e in ENDPOINTS_V12 if _shape(e.path) == _shape(endpoint_path) and e.wrapper_key == key
    )
    entity = ENTITIES_V12[endpoint.entity_name]
    schema = collection_schema(entity, key) if endpoint.collection else single_schema(entity, key)
    jsonschema.validate(body, schema, format_checker=jsonschema.FormatChecker())


def link_relations(response: Any) -> dict[str, str]:
    """The URL of each relation (next, last, first, prev) of a response's Link header."""
    return dict(
        (part.split('rel="')[1].rstrip('"'), part.split(">")[0].lstrip(" <"))
        for part in response.headers["Link"].split(", ")
    )


def _shape(path: str) -> tuple[str, ...]:
    return tuple(
        "{}" if s.startswith("{") or i % 2 else s.lower() for i, s in enumerate(path.strip("/").split("/"))
    )


def test_the_tables_have_the_41_rostering_and_5_resources_reads_of_1_2() -> None:
    assert len(ROSTERING_V12) == 41 and len(RESOURCES_V12) == 5
    assert [(e.operation, e.path) for e in ROSTERING_V12] == [(e.operation, e.path) for e in ROSTERING]
    assert [e.operation for e in RESOURCES_V12] == [e.operation for e in RESOURCES] + ["getResourcesForUser"]
    reads = ROSTERING_V12 + RESOURCES_V12
    assert {e.version for e in ENDPOINTS_V12} == {"1.2"} and {e.method for e in reads} == {"GET"}


def check_collection(client: TestClient, root: str, path: str, key: str, expected: list[str]) -> None:
    """`root + path` answers exactly `expected` under `key`, counted, each record in the 1.2 schema."""
    response = client.get(root + path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == [key]
    assert [r["sourcedId"] for r in body[key]] == expected
    assert response.headers["X-Total-Count"] == str(len(expected))
    check_schema(path, body, key)


def check_single(client: TestClient, root: str, path: str, key: str) -> None:
    """`root + path` answers the record its last segment names, under `key`, in the 1.2 schema."""
    response = client.get(root + path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == [key] and body[key]["sourcedId"] == path.rsplit("/", 1)[1]
    assert response.headers["X-Total-Count"] == "1"
    check_schema(path, body, key)


@pytest.mark.parametrize(("path", "key", "expected"), COLLECTIONS, ids=[c[0] for c in COLLECTIONS])
def test_rostering_collection(api: TestClient, path: str, key: str, expected: list[str]) -> None:
    check_collection(api, ROSTER, path, key, expected)


@pytest.mark.parametrize(("path", "key"), SINGLES, ids=[s[0] for s in SINGLES])
def test_rostering_single(api: TestClient, path: str, key: str) -> None:
    check_single(api, ROSTER, path, key)


@pytest.mark.parametrize(("path", "expected"), RESOURCE_COLLECTIONS, ids=[c[0] for c in RESOURCE_COLLECTIONS])
def test_resources_collection(api: TestClient, path: str, expected: list[str]) -> None:
    response = api.get(RESOURCE + path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["resources"] and [r["sourcedId"] for r in body["resources"]] == expected
    check_schema(path, body, "resources")


def test_resources_single(api: TestClient) -> None:
    body = api.get(RESOURCE + "/resources/res-1").json()
    assert list(body) == ["resource"]
    assert body["resource"] == {
        "sourcedId": "res-1",
        "status": "active",
        "dateLastModified": "2025-09-01T12:00:00.000Z",
        "title": "Cell Biology Videos",
        "roles": ["student", "teacher"],
        "importance": "primary",
        "vendorResourceId": "V-100",
    }
    check_schema("/resources/x", body, "resource")


def test_every_read_is_tested_here() -> None:
    tested = {_shape(p) for p, _, _ in COLLECTIONS} | {_shape(p) for p, _ in SINGLES}
    tested |= {_shape(p) for p, _ in RESOURCE_COLLECTIONS} | {_shape("/resources/x")}
    assert tested == {_shape(e.path) for e in ROSTERING_V12 + RESOURCES_V12}


def test_a_user_document_is_the_1_2_shape(api: TestClient) -> None:
    user = api.get(ROSTER + "/users/stu-1").json()["user"]
    org = {"href": "https://sis.example.org" + ROSTER + "/orgs/sch-1", "sourcedId": "sch-1", "type": "org"}
    assert user["roles"] == [{"roleType": "primary", "role": "student", "org": org}]
    assert user["primaryOrg"] == org
    assert "role" not in user and "orgs" not in user and "password" not in user
    assert user["userIds"] == [
        {"type": "LDAP", "identifier": "jsmith"},
        {"type": "LTI", "identifier": "lti-77"},
    ]
    assert user["metadata"] == {"microsoft.userFlags": "ELL,IEP"}
    assert user["agents"] == [
        {"href": "https://sis.example.org" + ROSTER + "/users/par-1", "sourcedId": "par-1", "type": "user"}
    ]


def test_hrefs_follow_the_public_url(district_engine: Any) -> None:
    from tests.conftest import client_for

    with client_for(district_engine, public_url="https://roster.example.net/district") as client:
        term = client.get(ROSTER + "/classes/cls-bio-1").json()["class"]["terms"][0]
        resource = client.get(ROSTER + "/classes/cls-bio-1").json()["class"]["resources"][0]
    assert term["href"] == "https://roster.example.net/district" + ROSTER + "/academicSessions/term-1"
    assert resource["href"] == "https://roster.example.net/district" + RESOURCE + "/resources/res-1"


# --- 404 against an empty list


@pytest.mark.parametrize(
    "path",
    [
        ROSTER + "/users/nobody",
        ROSTER + "/students/tch-1",  # exists, but not a student
        ROSTER + "/schools/dist-1",
        ROSTER + "/terms/gp-1",
        ROSTER + "/schools/nowhere/classes",  # a relationship whose parent does not exist
        ROSTER + "/schools/sch-1/classes/nope/students",
        ROSTER + "/schools/nope/classes/cls-bio-1/students",
        ROSTER + "/teachers/stu-1/classes",
        ROSTER + "/terms/nope/gradingPeriods",
        RESOURCE + "/resources/nope",
        RESOURCE + "/users/nobody/resources",
        RESOURCE + "/classes/nope/resources",
        ROSTER + "/no/such/endpoint",
        "/ims/oneroster/gradebook/v1p2/lineItems/nope",
    ],
)
def test_unknown_objects_and_parents_are_404_unknownobject(api: TestClient, path: str) -> None:
    check_status(api.get(path), 404, "unknownobject")


def test_no_match_is_an_empty_list(api: TestClient) -> None:
    response = api.get(ROSTER + "/schools/sch-1/classes", params={"filter": "title='No such class'"})
    assert response.status_code == 200 and response.json() == {"classes": []}
    assert response.headers["X-Total-Count"] == "0"


# --- paging


def walk(client: TestClient, path: str, limit: int, total: int) -> list[str]:
    """The sourcedIds of every page of `path`, following `next`; each page's total and first and
    last links checked."""
    seen: list[str] = []
    url: str | None = f"{path}?limit={limit}"
    while url:
        response = client.get(url)
        assert response.headers["X-Total-Count"] == str(total)
        (key,) = response.json()
        seen += [r["sourcedId"] for r in response.json()[key]]
        links = link_relations(response)
        last = (total - 1) // limit * limit
        assert links["first"] == f"https://sis.example.org{path}?limit={limit}&offset=0"
        assert links["last"] == f"https://sis.example.org{path}?limit={limit}&offset={last}"
        url = links.get("next")
    return seen


def test_paging_walks_every_record_once_with_link_and_total(api: TestClient) -> None:
    seen = walk(api, ROSTER + "/users", 3, 10)
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 10


@pytest.mark.parametrize("query", ["limit=0", "limit=-1", "limit=x", "offset=-1", "offset=1.5", "orderBy=up"])
def test_bad_paging_is_400_invaliddata(api: TestClient, query: str) -> None:
    check_status(api.get(ROSTER + "/users?" + query), 400, "invaliddata")


# --- filters


def _ids(api: TestClient, path: str, **params: str) -> list[str]:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    key = next(iter(response.json()))
    return [r["sourcedId"] for r in response.json()[key]]


@pytest.mark.parametrize(
    ("path", "expression", "expected"),
    [
        ("/users", "roles.role='teacher'", ["tch-1", "tch-2", "tch-3"]),
        ("/users", "roles.role='districtAdministrator'", ["adm-1"]),
        ("/users", "roles.role~'ADMIN'", ["adm-1"]),
        ("/users", "roles.role!='student'", ["adm-1", "par-1", "tch-1", "tch-2", "tch-3"]),
        ("/users", "role='parent'", ["par-1"]),  # 1.1's name, kept for clients moving to 1.2
        ("/users", "roles.org.sourcedId='dist-1'", ["adm-1"]),
        ("/users", "roles.org='dist-1'", ["adm-1"]),
        ("/users", "orgs='dist-1'", ["adm-1"]),
        ("/users", "roles.roleType='primary' AND familyName='Smith'", ["par-1", "stu-1"]),
        ("/users", "roles.roleType='secondary'", []),
        ("/users", "roles.userProfile='x'", []),
        ("/users", "primaryOrg.sourcedId='sch-2'", ["stu-4", "stu-5", "tch-2"]),
        ("/users", "primaryOrg='dist-1' OR familyName='Kim'", ["adm-1", "stu-5"]),
        ("/users", "userIds.type='LTI'", ["stu-1"]),
        ("/users", "pronouns='she/her'", []),  # a field 1.1 data never fills
        ("/users", "pronouns!='she/her' AND roles.role='aide'", []),
        ("/users", "agents='par-1'", ["stu-1", "stu-2"]),
        ("/users", "dateLastModified<'2025-07-01'", ["stu-2"]),
        ("/enrollments", "role='ext:aide'", ["enr-10"]),
        ("/enrollments", "classSourcedId='cls-eng7-1' AND role='student'", ["enr-11", "enr-9"]),
        ("/enrollments", "user.type='user' AND user.sourcedId='tch-3'", ["enr-10", "enr-4"]),
        ("/orgs", "identifier='060000101'", ["sch-1"]),
        ("/orgs", "parent.sourcedId='sch-1'", ["dept-1"]),
        ("/courses", "courseCode~'bio'", ["crs-bio"]),
        ("/classes", "terms.type='academicSession' AND school='sch-2'", ["cls-eng7-1"]),
        ("/academicSessions", "type='gradingPeriod' AND parent='term-1'", ["gp-1", "gp-2"]),
        ("/demographics", "sex='female'", ["stu-1", "stu-4"]),
        ("/teachers/tch-3/classes", "sourcedId='cls-bio-2'", ["cls-bio-2"]),
    ],
)
def test_filter(api: TestClient, path: str, expression: str, expected: list[str]) -> None:
    assert _ids(api, ROSTER + path, filter=expression) == expected


def test_filter_on_resources(api: TestClient) -> None:
    assert _ids(api, RESOURCE + "/resources", filter="roles='teacher' AND vendorResourceId='V-100'") == [
        "res-1"
    ]


@pytest.mark.parametrize(
    ("expression", "code_minor"),
    [
        ("orgz='x'", "invalid_filter_field"),
        ("roles='teacher'", "invalid_filter_field"),  # name a member of a role
        ("roles.colour='x'", "invalid_filter_field"),
        ("role='teacher'", None),  # on enrollments role is a field of 1.2 too: not an error
        ("familyName=", "invaliddata"),
        ("dateLastModified~'2025'", "invaliddata"),
        ("dateLastModified>'yesterday'", "invaliddata"),
    ],
)
def test_bad_filters_are_400(api: TestClient, expression: str, code_minor: str | None) -> None:
    path = ROSTER + ("/enrollments" if code_minor is None else "/users")
    response = api.get(path, params={"filter": expression})
    if code_minor is None:
        assert response.status_code == 200
    else:
        check_status(response, 400, code_minor)


def test_a_removed_1_1_field_on_another_entity_is_unknown(api: TestClient) -> None:
    body = check_status(
        api.get(ROSTER + "/orgs", params={"filter": "role='teacher'"}), 400, "invalid_filter_field"
    )
    assert "role" in body["imsx_description"]


# --- sort and fields


def test_sort_by_a_1_2_field_both_ways(api: TestClient) -> None:
    names = {u["sourcedId"]: u["familyName"] for u in api.get(ROSTER + "/teachers").json()["users"]}
    by_name = sorted(names, key=lambda sid: names[sid])
    assert len(set(names.values())) == 3
    assert _ids(api, ROSTER + "/teachers", sort="familyName") == by_name
    assert _ids(api, ROSTER + "/teachers", sort="familyName", orderBy="desc") == by_name[::-1]
    assert _ids(api, ROSTER + "/enrollments", sort="role", filter="class='cls-eng7-1'") == [
        "enr-10",  # ext:aide
        "enr-11",
        "enr-9",
        "enr-8",
    ]
    assert _ids(api, ROSTER + "/users", sort="primaryOrg", filter="roles.role='teacher'") == [
        "tch-1",
        "tch-2",
        "tch-3",
    ]


@pytest.mark.parametrize("sort", ["nothing", "roles", "role"])
def test_sort_by_an_unknown_or_unorderable_field_is_the_default_order(api: TestClient, sort: str) -> None:
    response = api.get(ROSTER + "/teachers", params={"sort": sort})
    assert response.status_code == 200 and list(response.json()) == ["users"]
    assert [u["sourcedId"] for u in response.json()["users"]] == ["tch-1", "tch-2", "tch-3"]


def test_fields_comma_and_repeated(api: TestClient) -> None:
    comma = api.get(ROSTER + "/teachers?fields=sourcedId,roles&limit=1").json()
    repeated = api.get(ROSTER + "/teachers?fields=sourcedId&fields=roles&limit=1").json()
    assert comma == repeated
    assert list(comma["users"][0]) == ["sourcedId", "roles"]
    single = api.get(ROSTER + "/orgs/sch-1?fields=identifier,name").json()
    assert single == {"org": {"name": "Riverside High", "identifier": "060000101"}}


@pytest.mark.parametrize(
    "query",
    ["fields=sourcedId,role", "fields=orgs", "fields=", "fields=sourcedId,,name", "fields=sourcedId&fields="],
)
def test_unknown_or_blank_fields_are_400_invalid_selection_field(api: TestClient, query: str) -> None:
    check_status(api.get(ROSTER + "/users?" + query), 400, "invalid_selection_field")
    check_status(api.get(ROSTER + "/users/stu-1?" + query), 400, "invalid_selection_field")


# --- errors and methods


def test_other_methods_are_405_with_allow(api: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = api.request(method, ROSTER + "/users/stu-1")
        body = check_status(response, 405, None)
        assert body["imsx_codeMajor"] == "unsupported"
        assert response.headers["Allow"] == "GET, HEAD"


def test_head_answers_headers_without_a_body(api: TestClient) -> None:
    response = api.head(ROSTER + "/users")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["X-Total-Count"] == "10"


def test_paths_are_case_insensitive_and_slashes_tolerated(api: TestClient) -> None:
    assert _ids(api, "/IMS/OneRoster/Rostering/V1P2//schools/sch-1/CLASSES/") == [
        "cls-alg-1",
        "cls-bio-1",
        "cls-bio-2",
    ]


def test_1_1_is_unchanged_beside_1_2(api: TestClient) -> None:
    user = api.get("/ims/oneroster/v1p1/users/tch-1").json()["user"]
    assert user["role"] == "teacher" and "roles" not in user
    assert user["orgs"][0]["href"] == "https://sis.example.org/ims/oneroster/v1p1/orgs/sch-1"
    missing = api.get("/ims/oneroster/v1p1/users/nobody").json()
    assert missing["statusInfoSet"][0]["imsx_codeMinor"] == "unknown object"
    assert api.get("/ims/oneroster/v1p1/schools/nowhere/classes").json() == {"classes": []}
