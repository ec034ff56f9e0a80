"""The query language through HTTP: paging, Link, X-Total-Count, sort, fields, filter and its errors."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.conftest import BASE


def ids(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    (records,) = [v for k, v in body.items() if k != "statusInfoSet"]
    return [r["sourcedId"] for r in records]


def status(response: object) -> dict[str, str]:
    return response.json()["statusInfoSet"][0]  # type: ignore[attr-defined, no-any-return]


def all_ids(api: TestClient, path: str) -> list[str]:
    return ids(api.get(BASE + path, params={"limit": "10000"}))


# --- paging -----------------------------------------------------------------------------


def test_default_limit_is_100_and_total_counts_everything(demo_api: TestClient) -> None:
    response = demo_api.get(BASE + "/users")
    total = int(response.headers["X-Total-Count"])
    assert total > 300 and len(ids(response)) == 100


def test_limit_of_ten_thousand_is_accepted(demo_api: TestClient) -> None:
    response = demo_api.get(BASE + "/enrollments?limit=10000")
    assert response.status_code == 200
    assert len(ids(response)) == int(response.headers["X-Total-Count"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    limit=st.integers(1, 120),
    path=st.sampled_from(
        [
            "/users",
            "/students?filter=status%3D%27active%27",
            "/enrollments?sort=role",
            "/classes?sort=title&orderBy=desc",
            "/users?sort=middleName",
            "/schools/sch-0001/students",
        ]
    ),
)
def test_walking_pages_returns_every_record_exactly_once(demo_api: TestClient, limit: int, path: str) -> None:
    separator = "&" if "?" in path else "?"
    full = ids(demo_api.get(f"{BASE}{path}{separator}limit=10000"))
    walked: list[str] = []
    offset = 0
    while True:
        response = demo_api.get(f"{BASE}{path}{separator}limit={limit}&offset={offset}")
        page = ids(response)
        assert int(response.headers["X-Total-Count"]) == len(full)
        walked += page
        if len(page) < limit:
            break
        offset += limit
    assert walked == full
    assert len(set(walked)) == len(walked)


def test_link_header_next_last_first_prev_keeps_other_parameters(api: TestClient) -> None:
    query = "filter=role%3D%27student%27&limit=2&offset=2&fields=sourcedId"
    response = api.get(f"{BASE}/users?{query}")
    assert ids(response) == ["stu-3", "stu-4"]
    url = "https://sis.example.org/ims/oneroster/v1p1/users"
    kept = "filter=role%3D%27student%27"
    assert response.headers["Link"] == ", ".join(
        [
            f'<{url}?{kept}&limit=2&offset=4&fields=sourcedId>; rel="next"',
            f'<{url}?{kept}&limit=2&offset=4&fields=sourcedId>; rel="last"',
            f'<{url}?{kept}&limit=2&offset=0&fields=sourcedId>; rel="first"',
            f'<{url}?{kept}&limit=2&offset=0&fields=sourcedId>; rel="prev"',
        ]
    )


def test_link_header_on_first_and_last_pages(api: TestClient) -> None:
    first = api.get(BASE + "/users?limit=4")
    rels = [part.split('rel="')[1].rstrip('"') for part in first.headers["Link"].split(", ")]
    assert rels == ["next", "last", "first"]
    assert "offset=8>" in first.headers["Link"].split(", ")[1]
    last = api.get(BASE + "/users?limit=4&offset=8")
    rels = [part.split('rel="')[1].rstrip('"') for part in last.headers["Link"].split(", ")]
    assert rels == ["last", "first", "prev"]
    empty = api.get(BASE + "/users?filter=" + quote("sourcedId='norecords'"))
    assert empty.headers["X-Total-Count"] == "0" and 'rel="last"' in empty.headers["Link"]


def test_offset_beyond_the_end_is_an_empty_page(api: TestClient) -> None:
    response = api.get(BASE + "/users?offset=500")
    assert response.status_code == 200 and ids(response) == []
    assert response.headers["X-Total-Count"] == "10"


def test_paging_probe_of_sds(api: TestClient) -> None:
    first = ids(api.get(BASE + "/users"))[0]
    assert ids(api.get(BASE + "/users?offset=2&limit=1")) == [all_ids(api, "/users")[2]] != [first]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit must be at least 1"),
        ("limit=-5", "limit must be a whole number"),
        ("limit=ten", "limit must be a whole number"),
        ("limit=10001", "above this server's maximum page size of 10000"),
        ("offset=-1", "offset must be a whole number"),
        ("offset=1.5", "offset must be a whole number"),
        ("orderBy=sideways&sort=familyName", "orderBy must be asc or desc"),
    ],
)
def test_bad_paging_and_order_parameters_are_400(api: TestClient, query: str, message: str) -> None:
    response = api.get(f"{BASE}/users?{query}")
    assert response.status_code == 400
    assert status(response)["imsx_codeMinor"] == "invalid data"
    assert message in status(response)["imsx_description"]


def test_max_limit_is_configurable(district_engine: object) -> None:
    from tests.conftest import client_for

    with client_for(district_engine, max_limit=20000) as client:  # type: ignore[arg-type]
        assert client.get(BASE + "/users?limit=20000").status_code == 200
        assert client.get(BASE + "/users?limit=20001").status_code == 400


# --- sort --------------------------------------------------------------------------------


def test_sort_ascending_and_descending(api: TestClient) -> None:
    by_family_name = [
        "stu-4",
        "tch-2",
        "stu-5",
        "tch-1",
        "stu-2",
        "stu-3",
        "adm-1",
        "par-1",
        "stu-1",
        "tch-3",
    ]
    assert ids(api.get(BASE + "/users?sort=familyName")) == by_family_name
    # Descending reverses the values; equal values (Smith, Smith) stay in sourcedId order.
    assert ids(api.get(BASE + "/users?sort=familyName&orderBy=DESC")) == [
        "tch-3",
        "par-1",
        "stu-1",
        "adm-1",
        "stu-3",
        "stu-2",
        "tch-1",
        "stu-5",
        "tch-2",
        "stu-4",
    ]
    dates = api.get(BASE + "/orgs?sort=dateLastModified").json()["orgs"]
    assert [o["sourcedId"] for o in dates] == ["dist-1", "sch-1", "dept-1", "sch-2"]


def test_sort_puts_absent_values_last_and_ties_by_sourced_id(api: TestClient) -> None:
    assert ids(api.get(BASE + "/users?sort=middleName")) == [
        "stu-1",
        "tch-2",
        "adm-1",
        "par-1",
        "stu-2",
        "stu-3",
        "stu-4",
        "stu-5",
        "tch-1",
        "tch-3",
    ]
    assert ids(api.get(BASE + "/users?sort=middleName&orderBy=desc"))[:3] == ["tch-2", "stu-1", "adm-1"]


def test_unknown_sort_field_warns_and_uses_default_order(api: TestClient) -> None:
    response = api.get(BASE + "/users?sort=shoeSize")
    assert response.status_code == 200
    assert ids(response) == all_ids(api, "/users")
    assert status(response) == {
        "imsx_codeMajor": "success",
        "imsx_severity": "warning",
        "imsx_codeMinor": "invalid_sort_field",
        "imsx_description": status(response)["imsx_description"],
    }
    assert "shoeSize" in status(response)["imsx_description"]


# --- fields ------------------------------------------------------------------------------


def test_fields_selects_top_level_fields(api: TestClient) -> None:
    response = api.get(BASE + "/users?fields=sourcedId,email&limit=2")
    assert response.json() == {
        "users": [
            {"sourcedId": "adm-1", "email": "alex.rivera@riverside.example.org"},
            {"sourcedId": "par-1"},
        ]
    }
    single = api.get(BASE + "/classes/cls-bio-1?fields=title,school")
    assert single.json() == {
        "class": {
            "title": "Biology - P1",
            "school": {
                "href": "https://sis.example.org/ims/oneroster/v1p1/orgs/sch-1",
                "sourcedId": "sch-1",
                "type": "org",
            },
        }
    }


def test_unknown_selection_field_returns_all_fields_with_a_warning(api: TestClient) -> None:
    response = api.get(BASE + "/users/stu-1?fields=sourcedId,nickname")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user", "statusInfoSet"}
    assert body["user"] == api.get(BASE + "/users/stu-1").json()["user"]
    assert body["statusInfoSet"][0]["imsx_codeMinor"] == "invalid_selection_field"
    assert "nickname" in body["statusInfoSet"][0]["imsx_description"]


def test_two_warnings_are_both_reported(api: TestClient) -> None:
    body = api.get(BASE + "/users?fields=nickname&sort=shoeSize").json()
    assert [s["imsx_codeMinor"] for s in body["statusInfoSet"]] == [
        "invalid_selection_field",
        "invalid_sort_field",
    ]


@pytest.mark.parametrize("fields", ["", "sourcedId,,email", "sourcedId,", " "])
def test_blank_selection_field_is_400(api: TestClient, fields: str) -> None:
    response = api.get(BASE + "/users", params={"fields": fields})
    assert response.status_code == 400
    assert status(response)["imsx_codeMinor"] == "invalid_blank_selection_field"


# --- filter ------------------------------------------------------------------------------


def filtered(api: TestClient, path: str, expression: str) -> list[str]:
    response = api.get(BASE + path, params={"filter": expression})
    assert response.status_code == 200, response.text
    assert int(response.headers["X-Total-Count"]) == len(ids(response))
    return ids(response)


@pytest.mark.parametrize(
    ("path", "expression", "expected"),
    [
        ("/users", "role='teacher'", ["tch-1", "tch-2", "tch-3"]),
        ("/users", "role!='student' AND role!='teacher'", ["adm-1", "par-1"]),
        ("/users", "familyName~'SMI'", ["par-1", "stu-1"]),
        ("/users", "givenName~'émi'", ["tch-3"]),
        ("/users", "familyName='O'Brien'", ["stu-2"]),
        (
            "/users",
            "middleName!='Ann'",
            ["adm-1", "par-1", "stu-2", "stu-3", "stu-4", "stu-5", "tch-1", "tch-2", "tch-3"],
        ),
        ("/users", "middleName>'A'", ["stu-1", "tch-2"]),
        ("/users", "username='stu1' OR email~'grace'", ["stu-1", "tch-2"]),
        (
            "/users",
            "role='student' AND status='active' OR role='parent'",
            ["par-1", "stu-1", "stu-2", "stu-3", "stu-4"],
        ),
        ("/users", "status=’active’ AND role=‘administrator’", ["adm-1"]),
        ("/users", "status='norecords'", []),
        ("/users", "enabledUser='false'", ["stu-4"]),
        ("/users", "orgs.sourcedId='sch-2'", ["stu-4", "stu-5", "tch-2", "tch-3"]),
        ("/users", "orgs='dist-1'", ["adm-1"]),
        ("/users", "orgs.type='org' AND role='parent'", ["par-1"]),
        ("/users", "orgSourcedIds='sch-2' AND role='teacher'", ["tch-2", "tch-3"]),
        ("/users", "agents.sourcedId='par-1'", ["stu-1", "stu-2"]),
        ("/users", "grades='07'", ["stu-4", "stu-5"]),
        ("/users", "grades!='09' AND role='student'", ["stu-2", "stu-4", "stu-5"]),
        ("/users", "userIds.identifier='jsmith'", ["stu-1"]),
        ("/users", "userIds.type='LTI'", ["stu-1"]),
        (
            "/users",
            "dateLastModified>'2025-08-31T00:00:00Z'",
            ["adm-1", "par-1", "stu-1", "stu-3", "stu-4", "stu-5", "tch-2", "tch-3"],
        ),
        ("/users", "dateLastModified<='2025-07-15T10:30:00.250+02:00'", ["stu-2", "tch-1"]),
        ("/users", "dateLastModified='2025-07-15T08:30:00.25Z'", ["tch-1"]),
        ("/users", "dateLastModified<'2025-07-15'", ["stu-2"]),
        ("/enrollments", "classSourcedId='cls-bio-1'", ["enr-1", "enr-2", "enr-3"]),
        ("/enrollments", "class.sourcedId='cls-bio-1' AND role='student'", ["enr-2", "enr-3"]),
        ("/enrollments", "userSourcedId='tch-3'", ["enr-10", "enr-4"]),
        ("/enrollments", "schoolSourcedId='sch-2' AND primary='true'", ["enr-8"]),
        ("/enrollments", "beginDate>='2025-08-20'", ["enr-2"]),
        ("/classes", "terms.sourcedId='term-2' AND school.sourcedId='sch-1'", ["cls-alg-1", "cls-bio-2"]),
        ("/classes", "periods='4'", ["cls-bio-2"]),
        ("/classes", "resources.sourcedId='res-1'", ["cls-bio-1"]),
        ("/classes", "course='crs-bio' OR classType='homeroom'", ["cls-bio-1", "cls-bio-2", "cls-eng7-1"]),
        ("/orgs", "children.sourcedId='sch-2'", ["dist-1"]),
        ("/orgs", "parent.sourcedId='dist-1'", ["sch-1", "sch-2"]),
        (
            "/academicSessions",
            "schoolYear='2026' AND status='active'",
            ["gp-1", "gp-2", "gp-3", "sy-2026", "term-1", "term-2"],
        ),
        ("/academicSessions", "startDate>'2025-10-01' AND type!='term'", ["gp-2", "gp-3"]),
        ("/academicSessions", "endDate<'2025-07-01T23:00:00Z'", ["sem-old"]),
        ("/demographics", "sex='female' AND birthDate<'2011-01-01'", ["stu-1"]),
        ("/teachers/tch-1/classes", "sourcedId='cls-bio-1'", ["cls-bio-1"]),
        ("/teachers/tch-1/classes", "sourcedId='cls-eng7-1'", []),
        ("/schools/sch-1/students", "grades='09'", ["stu-1", "stu-3"]),
    ],
)
def test_filter_examples(api: TestClient, path: str, expression: str, expected: list[str]) -> None:
    assert filtered(api, path, expression) == expected


def test_filter_sent_with_plus_for_spaces(api: TestClient) -> None:
    response = api.get(BASE + "/users?filter=role%3D%27student%27+AND+grades%3D%2707%27")
    assert ids(response) == ["stu-4", "stu-5"]


@pytest.mark.parametrize(
    ("expression", "code", "fragment"),
    [
        ("favouriteColour='blue'", "invalid_filter_field", "favouriteColour"),
        ("orgs.name='x'", "invalid_filter_field", "orgs.name"),
        ("metadata.x='1'", "invalid_filter_field", "metadata.x"),
        ("role=student", "invalid data", "quote"),
        ("role=='student'", "invalid data", "position"),
        ("role='student' AND", "invalid data", "position"),
        ("role='student", "invalid data", "position"),
        ("", "invalid data", "empty"),
        ("dateLastModified>'yesterday'", "invalid data", "yesterday"),
        ("dateLastModified~'2025'", "invalid data", "~"),
    ],
)
def test_filter_errors_are_400_with_a_pointed_description(
    api: TestClient, expression: str, code: str, fragment: str
) -> None:
    response = api.get(BASE + "/users", params={"filter": expression})
    assert response.status_code == 400
    info = status(response)
    assert (info["imsx_codeMajor"], info["imsx_severity"], info["imsx_codeMinor"]) == (
        "failure",
        "error",
        code,
    )
    assert fragment in info["imsx_description"]
    assert list(response.json()) == ["statusInfoSet"]


def test_remembered_page_ends_and_counts_follow_writes(tmp_path: object) -> None:
    """Walks seek from remembered page ends; after data changes, nothing remembered is reused."""
    from pathlib import Path

    from openroster.ingest.importer import import_bundle
    from openroster.ingest.writer import write_bundle
    from tests.conftest import client_for, load
    from tests.district import district

    folder = Path(str(tmp_path))
    engine = load(folder, district())
    client = client_for(engine)
    first = [ids(client.get(f"{BASE}/users?limit=3&offset={o}")) for o in (0, 3, 6, 9)]
    assert sum(first, []) == all_ids(client, "/users")
    data = district()
    data["user"].append(
        {
            "sourcedId": "aaa-0",
            "enabledUser": "true",
            "orgs": ["dist-1"],
            "role": "aide",
            "username": "aaa0",
            "givenName": "New",
            "familyName": "Aide",
        }
    )
    write_bundle(folder / "more", data)
    import_bundle(engine, folder / "more")
    again = [ids(client.get(f"{BASE}/users?limit=3&offset={o}")) for o in (0, 3, 6, 9)]
    assert sum(again, []) == all_ids(client, "/users") and again[0][0] == "aaa-0"
    assert client.get(f"{BASE}/users?limit=3&offset=3").headers["X-Total-Count"] == "11"
    engine.dispose()
