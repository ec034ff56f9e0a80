"""Every record's 1.2 document is rendered and stored beside its 1.1 one, at every write and by the migration."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import ENTITIES_V11
from openroster.model.v12 import ENTITIES_V12, user_role
from openroster.store import migrate
from openroster.store.schema import TABLES
from tests.conftest import BACKENDS, load
from tests.district import IMPORT_TIME, district

LATER = IMPORT_TIME + 3_600_000


def _stored(engine: sa.Engine, entity: str) -> dict[str, tuple[Any, ...]]:
    """sourcedId -> (1.1 document, 1.2 document, content hash, dateLastModified)."""
    table = TABLES[entity].main
    query = sa.select(
        table.c.sourced_id, table.c.doc, table.c.doc_v12, table.c.content_hash, table.c.date_last_modified
    )
    with engine.connect() as conn:
        return {
            row[0]: (orjson.loads(row[1]), None if row[2] is None else orjson.loads(row[2]), row[3], row[4])
            for row in conn.execute(query)
        }


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = load(tmp_path_factory.mktemp("v12docs"), district(), backend=request.param)
    yield engine
    engine.dispose()


def test_every_record_of_a_1_2_entity_has_a_1_2_document_with_the_same_base_fields(engine: sa.Engine) -> None:
    for name in ENTITIES_V11.keys() & ENTITIES_V12.keys():  # the ones a 1.1 bundle brings
        stored = _stored(engine, name)
        assert stored, name
        for sourced_id, (doc, doc_v12, _, _) in stored.items():
            assert doc_v12 is not None, (name, sourced_id)
            for base in ("sourcedId", "status", "dateLastModified", "metadata"):
                assert doc_v12.get(base) == doc.get(base), (name, sourced_id, base)


def test_entities_without_a_1_2_binding_keep_no_1_2_document(engine: sa.Engine) -> None:
    for name in ("classResource", "courseResource"):
        assert all(doc_v12 is None for _, doc_v12, _, _ in _stored(engine, name).values()), name


def test_a_user_has_one_primary_role_per_org_from_role_and_orgs(engine: sa.Engine) -> None:
    users = _stored(engine, "user")
    teacher = users["tch-1"][1]
    assert "role" not in teacher and "orgs" not in teacher
    assert teacher["roles"] == [
        {
            "roleType": "primary",
            "role": "teacher",
            "org": {"href": "/ims/oneroster/rostering/v1p2/orgs/sch-1", "sourcedId": "sch-1", "type": "org"},
        }
    ]
    assert teacher["primaryOrg"] == teacher["roles"][0]["org"]
    # A district administrator: 1.2 has no plain `administrator` user role.
    assert [r["role"] for r in users["adm-1"][1]["roles"]] == ["districtAdministrator"]


def test_the_administrator_role_follows_the_type_of_the_org() -> None:
    assert user_role("administrator", "district") == "districtAdministrator"
    assert user_role("administrator", "state") == "districtAdministrator"
    assert user_role("administrator", "school") == "siteAdministrator"
    assert user_role("administrator", "department") == "siteAdministrator"
    assert user_role("administrator", None) == "siteAdministrator"
    assert user_role("teacher", "district") == "teacher"


def test_a_user_of_several_orgs_has_a_primary_role_in_each_and_no_primary_org(tmp_path: Path) -> None:
    records = district()
    for user in records["user"]:
        if user["sourcedId"] == "adm-1":
            user["orgs"] = ["dist-1", "sch-1", "dept-1"]
    engine = load(tmp_path, records)
    doc = _stored(engine, "user")["adm-1"][1]
    assert [(r["roleType"], r["role"], r["org"]["sourcedId"]) for r in doc["roles"]] == [
        ("primary", "districtAdministrator", "dist-1"),
        ("primary", "siteAdministrator", "sch-1"),
        ("primary", "siteAdministrator", "dept-1"),
    ]
    assert "primaryOrg" not in doc
    engine.dispose()


def test_required_1_2_fields_without_1_1_values_get_the_sourced_id(tmp_path: Path) -> None:
    records = district()
    for org in records["org"]:
        if org["sourcedId"] == "sch-2":
            del org["identifier"]
    for course in records["course"]:
        if course["sourcedId"] == "crs-eng7":
            del course["courseCode"]
    engine = load(tmp_path, records)
    orgs, courses = _stored(engine, "org"), _stored(engine, "course")
    assert "identifier" not in orgs["sch-2"][0] and orgs["sch-2"][1]["identifier"] == "sch-2"
    assert orgs["sch-1"][1]["identifier"] == "060000101"
    assert "courseCode" not in courses["crs-eng7"][0] and courses["crs-eng7"][1]["courseCode"] == "crs-eng7"
    engine.dispose()


def test_guidrefs_take_the_1_2_type_of_their_target_and_the_root_of_its_service(engine: sa.Engine) -> None:
    enrollment = _stored(engine, "enrollment")["enr-3"][1]
    assert enrollment["user"] == {
        "href": "/ims/oneroster/rostering/v1p2/users/stu-2",
        "sourcedId": "stu-2",
        "type": "user",
    }
    course = _stored(engine, "course")["crs-bio"][1]
    assert {r["href"] for r in course["resources"]} == {"/ims/oneroster/resources/v1p2/resources/res-1"}
    klass = _stored(engine, "class")["cls-bio-1"][1]
    assert {t["type"] for t in klass["terms"]} == {"academicSession"}


def test_enrollment_roles_1_2_lacks_become_extension_tokens(engine: sa.Engine) -> None:
    enrollments = _stored(engine, "enrollment")
    assert enrollments["enr-10"][0]["role"] == "aide"
    assert enrollments["enr-10"][1]["role"] == "ext:aide"
    assert enrollments["enr-3"][1]["role"] == "student"


def _reimport(engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, Any]]], at: int) -> None:
    bundle = tmp_path / f"bundle-{at}"
    write_bundle(bundle, records)
    import_bundle(engine, bundle, at_ms=at)


def test_reimporting_the_same_bundle_changes_neither_document(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    before = {name: _stored(engine, name) for name in ENTITIES_V12}
    _reimport(engine, tmp_path, district(), LATER)
    assert {name: _stored(engine, name) for name in ENTITIES_V12} == before
    engine.dispose()


def test_a_change_and_a_tombstone_move_one_date_last_modified_in_both_documents(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    records = copy.deepcopy(district())
    for user in records["user"]:
        if user["sourcedId"] == "tch-1":
            user["familyName"] = "Changed"
    records["user"] = [u for u in records["user"] if u["sourcedId"] != "stu-3"]
    records["enrollment"] = [e for e in records["enrollment"] if e["user"] != "stu-3"]
    _reimport(engine, tmp_path, records, LATER)
    users = _stored(engine, "user")
    doc, doc_v12, _, dlm = users["tch-1"]
    assert doc_v12["familyName"] == "Changed" == doc["familyName"]
    assert doc_v12["dateLastModified"] == doc["dateLastModified"] == "2025-09-01T13:00:00.000Z"
    assert dlm == LATER
    doc, doc_v12, _, _ = users["stu-3"]
    assert doc_v12["status"] == doc["status"] == "tobedeleted"
    assert doc_v12["dateLastModified"] == doc["dateLastModified"] == "2025-09-01T13:00:00.000Z"
    assert doc_v12["roles"][0]["role"] == "student"  # a tombstone keeps its last content
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_renders_1_2_documents_of_an_existing_store_and_moves_no_date(
    backend: str, tmp_path: Path
) -> None:
    from alembic import command

    from openroster.store.migrate import _config

    engine = load(tmp_path, district(), backend=backend)
    imported = {name: _stored(engine, name) for name in ENTITIES_V12}
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0006")  # the store as it was before 1.2 documents
    with engine.connect() as conn:
        assert "doc_v12" not in {c["name"] for c in sa.inspect(conn).get_columns("users")}
    migrate.upgrade(engine)
    assert {name: _stored(engine, name) for name in ENTITIES_V12} == imported
    engine.dispose()


def test_an_administrators_role_follows_a_change_of_the_orgs_type(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    records = copy.deepcopy(district())
    for org in records["org"]:
        if org["sourcedId"] == "dist-1":
            org["type"] = "school"  # the administrator's org becomes a school
    _reimport(engine, tmp_path, records, LATER)
    doc, doc_v12, _, dlm = _stored(engine, "user")["adm-1"]
    assert doc["role"] == "administrator" and [r["role"] for r in doc_v12["roles"]] == ["siteAdministrator"]
    assert dlm == LATER  # the 1.2 document changed, so the one dateLastModified moved
    assert _stored(engine, "user")["tch-1"][3] != LATER
    engine.dispose()
