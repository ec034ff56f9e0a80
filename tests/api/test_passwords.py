"""Users' passwords: served, filtered and sorted only for clients added with --allow-passwords."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient
from typer.testing import CliRunner

from openroster.cli import app
from tests.conftest import BACKENDS, BASE, client_for, load
from tests.district import district

PASSWORDS = {"stu-1": "S3cret-stu-1", "stu-2": "S3cret-stu-2", "tch-1": "S3cret-tch-1"}
USER_PATHS = [
    "/users",
    "/users/stu-1",
    "/students",
    "/students/stu-2",
    "/teachers",
    "/teachers/tch-1",
    "/classes/cls-bio-1/students",
    "/classes/cls-bio-1/teachers",
    "/schools/sch-1/students",
    "/schools/sch-1/teachers",
    "/schools/sch-1/classes/cls-bio-1/students",
    "/users?fields=sourcedId,password",
    "/users/stu-1?fields=password",
    "/users?sort=password",
]
RANGE = "password>='S3cret' AND password<'S3creu'"


def district_with_passwords() -> dict[str, list[dict[str, object]]]:
    records = district()
    for user in records["user"]:
        if user["sourcedId"] in PASSWORDS:
            user["password"] = PASSWORDS[str(user["sourcedId"])]
    return records


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    engine = load(tmp_path_factory.mktemp("passwords"), district_with_passwords(), backend=request.param)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def ordinary(store: sa.Engine) -> TestClient:
    return client_for(store)


@pytest.fixture(scope="module")
def allowed(store: sa.Engine) -> TestClient:
    return client_for(store, allow_passwords=True)


@pytest.mark.parametrize("path", USER_PATHS)
def test_no_document_carries_a_password_for_an_ordinary_client(
    store: sa.Engine, ordinary: TestClient, path: str
) -> None:
    bounded = client_for(store, orgs=["sch-1"])  # its own school's users are no exception
    for http in (ordinary, bounded):
        response = http.get(BASE + path)
        assert response.status_code == 200, response.text
        assert "S3cret" not in response.text and '"password"' not in response.text


def test_password_is_an_unknown_field_for_an_ordinary_client(ordinary: TestClient) -> None:
    def answer(path: str) -> tuple[int, object]:
        response = ordinary.get(BASE + path)
        return response.status_code, response.json()

    assert answer("/users?filter=" + RANGE) == _renamed(
        answer("/users?filter=" + RANGE.replace("password", "favouriteColour")), "favouriteColour", "password"
    )
    status, body = answer("/users?filter=" + RANGE)
    assert status == 400 and body["statusInfoSet"][0]["imsx_codeMinor"] == "invalid_filter_field"  # type: ignore[index]
    for parameter in ("fields=password", "sort=password", "fields=sourcedId,password"):
        assert answer("/users?" + parameter) == _renamed(
            answer("/users?" + parameter.replace("password", "favouriteColour")),
            "favouriteColour",
            "password",
        )
    sorted_ids = [u["sourcedId"] for u in ordinary.get(BASE + "/users?sort=password").json()["users"]]
    assert sorted_ids == sorted(sorted_ids)  # the default order, not by password


def _renamed(answer: tuple[int, object], old: str, new: str) -> tuple[int, object]:
    import json

    status, body = answer
    return status, json.loads(json.dumps(body).replace(old, new))


def test_an_allowed_client_reads_filters_and_sorts_passwords(
    allowed: TestClient, ordinary: TestClient
) -> None:
    one = allowed.get(BASE + "/users/stu-1")
    assert one.json()["user"]["password"] == "S3cret-stu-1"
    # Exactly the ordinary document with the password as its last field.
    assert one.text == ordinary.get(BASE + "/users/stu-1").text[:-2] + ',"password":"S3cret-stu-1"}}'
    page = allowed.get(BASE + "/users?limit=100").json()["users"]
    assert {u["sourcedId"]: u["password"] for u in page if "password" in u} == PASSWORDS
    matched = allowed.get(BASE + "/users", params={"filter": RANGE}).json()["users"]
    assert sorted(u["sourcedId"] for u in matched) == sorted(PASSWORDS)
    by_password = allowed.get(BASE + "/users?sort=password&orderBy=desc").json()["users"]
    assert [u["sourcedId"] for u in by_password[:3]] == ["tch-1", "stu-2", "stu-1"]
    assert allowed.get(BASE + "/classes/cls-bio-1/students?fields=sourcedId,password").json()["users"][0] == {
        "sourcedId": "stu-1",
        "password": "S3cret-stu-1",
    }


def test_export_writes_passwords_only_when_asked(store: sa.Engine, tmp_path: Path) -> None:
    url = store.url.render_as_string(hide_password=False)
    runner = CliRunner()

    def exported(*options: str) -> dict[str, str]:
        out = tmp_path / f"export{len(options)}.zip"
        result = runner.invoke(app, ["export", str(out), "--database", url, *options])
        assert result.exit_code == 0, result.output
        with (
            zipfile.ZipFile(out) as bundle,
            io.TextIOWrapper(bundle.open("users.csv"), encoding="utf-8") as text,
        ):
            return {row["sourcedId"]: row["password"] for row in csv.DictReader(text) if row.get("password")}

    assert exported() == {}
    assert exported("--with-passwords") == PASSWORDS


def test_a_changed_password_moves_date_last_modified(tmp_path: Path) -> None:
    from openroster.ingest.importer import import_bundle
    from openroster.ingest.writer import write_bundle
    from tests.district import IMPORT_TIME

    engine = load(tmp_path, district_with_passwords())
    http = client_for(engine)
    before = {u["sourcedId"]: u["dateLastModified"] for u in http.get(BASE + "/users").json()["users"]}
    changed = district_with_passwords()
    for user in changed["user"]:
        if user["sourcedId"] == "stu-1":
            user["password"] = "An0ther-secret"
    write_bundle(tmp_path / "again", changed)
    import_bundle(engine, tmp_path / "again", at_ms=IMPORT_TIME + 86_400_000)
    after = {u["sourcedId"]: u["dateLastModified"] for u in http.get(BASE + "/users").json()["users"]}
    assert {sid for sid in before if before[sid] != after[sid]} == {"stu-1"}  # a delta sync carries it
    assert "An0ther" not in http.get(BASE + "/users/stu-1").text
    engine.dispose()
