"""Google Classroom's OneRoster 1.2 grade passback, request by request as its notebook runs it, over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from openroster.auth.scopes import ALL, PREFIX_V12
from openroster.ingest.demo import generate_demo
from tests.conftest import BACKENDS, LiveServer, load

# What the tester gives the notebook: the teacher's email and `one_roster_url` (README: the
# base URL to give Google is the server's with /ims/oneroster, the notebook adds the service roots).
TEACHER_EMAIL = "yara.vanderberg@quillbrookschools.example.org"
SCOPES = " ".join(
    PREFIX_V12 + name
    for name in ("roster.readonly", "gradebook.readonly", "gradebook.createput", "gradebook.delete")
)


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    engine = load(
        tmp_path_factory.mktemp("google12"),
        generate_demo(schools=3, students=300, seed=1),
        backend=request.param,
    )
    live = LiveServer(engine)
    yield live
    live.stop()
    engine.dispose()


def _ok(response: httpx.Response, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200,)), (response.request.url, response.text)
    return response.json() if response.content else None


# The base URL the README says to give, and the one the notebook's own text asks for (it then
# calls /ims/oneroster/v1p2/rostering/v1p2/..., which is served too).
@pytest.mark.parametrize("base", ["/ims/oneroster", "/ims/oneroster/v1p2"])
def test_the_notebook_from_token_to_deleted_line_item(server: LiveServer, base: str) -> None:
    client_id, secret = server.add_client(scopes=ALL)
    # 1. token: Basic auth, the four 1.2 scopes.
    token = _ok(
        httpx.post(
            server.url + "/oauth/token",
            data={"grant_type": "client_credentials", "scope": SCOPES},
            auth=(client_id, secret),
        )
    )
    assert set(token["scope"].split()) == set(SCOPES.split())
    one_roster_url = server.url + base
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    with httpx.Client(base_url=one_roster_url, headers=headers, timeout=30) as http:
        roster, gradebook = "/rostering/v1p2", "/gradebook/v1p2"
        # 2. GetAllTeachers.
        _ok(http.get(roster + "/teachers", params={"limit": 1}))
        # 3. the teacher by email: exactly one, with email and sourcedId.
        users = _ok(
            http.get(roster + "/teachers", params={"filter": f"email='{TEACHER_EMAIL}'", "limit": 10000})
        )
        assert len(users["users"]) == 1 and {"email", "sourcedId"} <= users["users"][0].keys()
        teacher = users["users"][0]["sourcedId"]
        # 4. the teacher's active classes: the first one's school and first term.
        classes = _ok(
            http.get(
                f"{roster}/teachers/{teacher}/classes", params={"limit": 10000, "filter": "status='active'"}
            )
        )["classes"]
        class_id = classes[0]["sourcedId"]
        school_id = classes[0]["school"]["sourcedId"]
        term_id = classes[0]["terms"][0]["sourcedId"]
        # 5. the class's students: the first has an email.
        students = _ok(http.get(f"{roster}/classes/{class_id}/students", params={"limit": 10000}))["users"]
        assert students and {"email", "sourcedId"} <= students[0].keys()
        student_id = students[0]["sourcedId"]
        # 6. the class's categories, asked with the token form as a body (as the notebook does),
        # before any lineItem of this run exists.
        categories = _ok(
            http.request(
                "GET",
                f"{gradebook}/classes/{class_id}/categories",
                params={"limit": 10000},
                content=f"grant_type=client_credentials&scope={SCOPES}".encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        )["categories"]
        category_id = categories[0]["sourcedId"]
        # 7. the term's grading periods, each with the fields read.
        periods = _ok(http.get(f"{roster}/terms/{term_id}/gradingPeriods", params={"limit": 10000}))[
            "academicSessions"
        ]
        assert periods and all(p["type"] == "gradingPeriod" for p in periods)
        assert {"sourcedId", "title", "startDate", "endDate", "schoolYear"} <= periods[0].keys()

        # 8. PutLineItem create: exactly 201. No status, gradingPeriod, href or type.
        line_item_id = str(uuid.uuid4())
        assign = datetime.now(UTC).replace(microsecond=0)
        item = {
            "sourcedId": line_item_id,
            "title": "New test item",
            "description": "A test item",
            "resultValueMin": 0,
            "resultValueMax": 100,
            "assignDate": _stamp(assign),
            "dueDate": _stamp(assign + timedelta(minutes=1)),
            "class": {"sourcedId": class_id},
            "category": {"sourcedId": category_id},
            "school": {"sourcedId": school_id},
        }
        put = (f"{gradebook}/lineItems/{line_item_id}", {"Content-Type": "application/json"})
        created = http.put(put[0], json={"lineItem": item}, headers=put[1])
        assert created.status_code == 201, created.text
        assert created.json()["lineItem"]["school"]["sourcedId"] == school_id
        # 9. the class's lineItems hold it.
        assert line_item_id in _ids(
            http.get(f"{gradebook}/classes/{class_id}/lineItems", params={"limit": 10000})
        )
        # 10. PutLineItem edit: 200.
        long_title = "[Amended] Reallll" + "l" * 300 + "ly Long Google Test Line Item Title"
        edited = http.put(put[0], json={"lineItem": {**item, "title": long_title}}, headers=put[1])
        assert edited.status_code == 200, edited.text
        # 11. the title is stored unabridged.
        listed = _ok(http.get(f"{gradebook}/classes/{class_id}/lineItems", params={"limit": 10000}))[
            "lineItems"
        ]
        assert [i["title"] for i in listed if i["sourcedId"] == line_item_id] == [long_title]

        # 12. PutResult create.
        result_id = str(uuid.uuid4())
        result = {
            "sourcedId": result_id,
            "score": 80,
            "comment": "",
            "scoreStatus": "fully graded",
            "scoreDate": _stamp(assign),
            "lineItem": {"sourcedId": line_item_id},
            "student": {"sourcedId": student_id},
        }
        results_path = f"{gradebook}/classes/{class_id}/lineItems/{line_item_id}/results"
        result_put = f"{gradebook}/results/{result_id}"
        assert http.put(result_put, json={"result": result}, headers=put[1]).status_code == 201
        # 13. the lineItem's results hold it.
        assert _results(http, results_path)[result_id]["score"] == 80
        # 14-15. extra credit: 300 of 100 is stored as given.
        assert (
            http.put(result_put, json={"result": {**result, "score": 300}}, headers=put[1]).status_code == 200
        )
        assert _results(http, results_path)[result_id]["score"] == 300
        # 16-17. exempt.
        exempt = {**result, "score": 80, "scoreStatus": "exempt"}
        assert http.put(result_put, json={"result": exempt}, headers=put[1]).status_code == 200
        assert _results(http, results_path)[result_id]["scoreStatus"] == "exempt"
        # 18-19. DeleteResult; the list no longer holds it, and still has its key.
        assert http.delete(result_put).status_code == 204
        after = http.get(results_path, params={"limit": 10000}).json()
        assert "results" in after and result_id not in [r["sourcedId"] for r in after["results"]]
        # 20-21. DeleteLineItem; the class's list no longer holds it.
        assert http.delete(put[0]).status_code == 204
        assert line_item_id not in _ids(
            http.get(f"{gradebook}/classes/{class_id}/lineItems", params={"limit": 10000})
        )


def test_the_teachers_first_class_is_ready_for_the_notebook(server: LiveServer) -> None:
    """The demo district's README teacher meets the notebook's data needs (spec §8.1, last paragraph)."""
    client_id, secret = server.add_client(scopes=ALL)
    token = httpx.post(
        server.url + "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    ).json()["access_token"]
    with httpx.Client(
        base_url=server.url + "/ims/oneroster", headers={"Authorization": f"Bearer {token}"}
    ) as http:
        teacher = http.get("/rostering/v1p2/teachers", params={"filter": f"email='{TEACHER_EMAIL}'"}).json()
        classes = http.get(f"/rostering/v1p2/teachers/{teacher['users'][0]['sourcedId']}/classes").json()[
            "classes"
        ]
        assert [c["sourcedId"] for c in classes] == sorted(c["sourcedId"] for c in classes)
        first = classes[0]["sourcedId"]
        assert http.get(f"/gradebook/v1p2/classes/{first}/categories").json()["categories"]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _ids(response: httpx.Response) -> list[str]:
    return [i["sourcedId"] for i in _ok(response)["lineItems"]]


def _results(http: httpx.Client, path: str) -> dict[str, dict[str, Any]]:
    return {r["sourcedId"]: r for r in _ok(http.get(path, params={"limit": 10000}))["results"]}


def test_an_unknown_path_under_the_notebook_base_is_a_1_2_404(server: LiveServer) -> None:
    response = httpx.get(server.url + "/ims/oneroster/v1p2/gradebook/v1p2/nothing")
    assert response.status_code == 404
    assert (
        response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "unknownobject"
    )
