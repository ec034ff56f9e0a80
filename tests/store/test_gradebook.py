"""Gradebook writes in the store: PUT upserts with the defaults real clients need, refuses bad content
naming every field, keeps limited clients to what they own; DELETE tombstones and cascades."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from openroster.errors import IdInUse, InvalidContent
from openroster.model.catalogue import DEFAULT_CATEGORY_ID, ENTITIES
from openroster.model.values import parse_datetime
from openroster.store import gradebook
from openroster.store.dialects import write_transaction
from openroster.store.schema import TABLES, category_orgs
from tests.conftest import BACKENDS, IMPORT_TIME
from tests.district import district
from tests.store.stores import loaded

NOW = IMPORT_TIME + 86_400_000
SCHOOL_2 = frozenset({"sch-2"})
SCHOOL_1 = frozenset({"sch-1", "dept-1"})


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    yield from loaded(request, tmp_path_factory, district())


@pytest.fixture
def conn(store: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction rolled back after the test, so each test starts from the district."""
    with store.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def line_item(**changes: Any) -> dict[str, Any]:
    item = {
        "title": "Lab report",
        "assignDate": parse_datetime("2025-09-08T08:00:00Z"),
        "dueDate": parse_datetime("2025-09-15T08:00:00Z"),
        "class": "cls-bio-1",
        "category": "cat-hw",
        "gradingPeriod": "gp-1",
        "resultValueMin": 0.0,
        "resultValueMax": 10.0,
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


def result(**changes: Any) -> dict[str, Any]:
    body = {"lineItem": "li-1", "student": "stu-1", "scoreStatus": "fully graded", "score": 8.0, **changes}
    return {k: v for k, v in body.items() if v is not None}


def put(
    conn: sa.Connection, entity: str, sourced_id: str, record: dict[str, Any], **options: Any
) -> gradebook.PutOutcome:
    options.setdefault("boundary", None)
    return gradebook.put(conn, ENTITIES[entity], sourced_id, record, now_ms=NOW, **options)


def row(conn: sa.Connection, entity: str, sourced_id: str) -> Any:
    main = TABLES[entity].main
    return conn.execute(sa.select(main).where(main.c.sourced_id == sourced_id)).first()


def refusal(conn: sa.Connection, entity: str, sourced_id: str, record: dict[str, Any], **options: Any) -> str:
    with pytest.raises(InvalidContent) as caught:
        put(conn, entity, sourced_id, record, **options)
    return str(caught.value)


def test_a_put_creates_a_record_and_answers_its_stored_document(conn: sa.Connection) -> None:
    outcome = put(conn, "lineItem", "li-new", line_item())
    assert outcome.created
    doc = orjson.loads(outcome.doc)
    assert doc["sourcedId"] == "li-new" and doc["title"] == "Lab report"
    assert doc["dateLastModified"] == "2025-09-02T12:00:00.000Z"
    assert bytes(row(conn, "lineItem", "li-new").doc) == outcome.doc


def test_a_put_over_an_active_record_replaces_it_and_is_not_a_creation(conn: sa.Connection) -> None:
    outcome = put(conn, "lineItem", "li-1", line_item(title="Revised"))
    assert not outcome.created
    assert orjson.loads(outcome.doc)["title"] == "Revised"
    assert row(conn, "lineItem", "li-1").title == "Revised"


def test_a_put_over_a_deleted_record_brings_it_back_as_a_creation(conn: sa.Connection) -> None:
    assert gradebook.delete(conn, ENTITIES["result"], "rs-1", boundary=None, now_ms=NOW)
    assert row(conn, "result", "rs-1").status == "tobedeleted"
    outcome = put(conn, "result", "rs-1", result())
    assert outcome.created
    assert row(conn, "result", "rs-1").status == "active"


def test_a_line_item_without_category_gets_the_default_category_created_once(conn: sa.Connection) -> None:
    assert row(conn, "category", DEFAULT_CATEGORY_ID) is None
    put(conn, "lineItem", "li-a", line_item(category=None))
    put(conn, "lineItem", "li-b", line_item(category=None))
    default = row(conn, "category", DEFAULT_CATEGORY_ID)
    assert (default.status, default.title) == ("active", "Uncategorized")
    assert row(conn, "lineItem", "li-a").category_sourced_id == DEFAULT_CATEGORY_ID
    assert row(conn, "lineItem", "li-b").category_sourced_id == DEFAULT_CATEGORY_ID


def test_a_deleted_default_category_comes_back_for_the_next_line_item_without_one(
    conn: sa.Connection,
) -> None:
    put(conn, "lineItem", "li-a", line_item(category=None))
    assert gradebook.delete(conn, ENTITIES["category"], DEFAULT_CATEGORY_ID, boundary=None, now_ms=NOW)
    put(conn, "lineItem", "li-b", line_item(category=None))
    assert row(conn, "category", DEFAULT_CATEGORY_ID).status == "active"


@pytest.mark.parametrize(("class_id", "term"), [("cls-bio-2", "term-1"), ("cls-alg-1", "term-2")])
def test_a_line_item_without_grading_period_gets_its_class_s_first_term(
    conn: sa.Connection, class_id: str, term: str
) -> None:
    put(conn, "lineItem", "li-t", line_item(gradingPeriod=None, **{"class": class_id}))
    assert row(conn, "lineItem", "li-t").grading_period_sourced_id == term


def test_a_result_without_score_date_is_dated_by_the_write(conn: sa.Connection) -> None:
    put(conn, "result", "rs-new", result())
    assert orjson.loads(row(conn, "result", "rs-new").doc)["scoreDate"] == "2025-09-02T12:00:00.000Z"


def test_a_line_item_s_school_comes_from_its_class(conn: sa.Connection) -> None:
    put(conn, "lineItem", "li-s", line_item())
    assert row(conn, "lineItem", "li-s").school_sourced_id == "sch-1"
    assert (
        orjson.loads(put(conn, "lineItem", "li-s", line_item(), document="doc_v12").doc)["school"][
            "sourcedId"
        ]
        == "sch-1"
    )


@pytest.mark.parametrize(
    ("entity", "record", "message"),
    [
        ("lineItem", line_item(title=None), "The lineItem cannot be stored: title: is required"),
        (
            "lineItem",
            line_item(**{"class": None}),
            "The lineItem cannot be stored: class: is required",  # not gradingPeriod or school: they follow it
        ),
        (
            "lineItem",
            line_item(**{"class": "nope"}),
            "The lineItem cannot be stored: class: no class with sourcedId 'nope'",
        ),
        (
            "lineItem",
            line_item(category="cat-none"),
            "The lineItem cannot be stored: category: no category with sourcedId 'cat-none'",
        ),
        (
            "lineItem",
            line_item(gradingPeriod="sem-old"),  # a tombstone is no session to grade in
            "The lineItem cannot be stored: gradingPeriod: no academicSession with sourcedId 'sem-old'",
        ),
        (
            "lineItem",
            line_item(dueDate=parse_datetime("2025-09-01T00:00:00Z")),
            "The lineItem cannot be stored: dueDate: 2025-09-01T00:00:00.000Z is before assignDate "
            "2025-09-08T08:00:00.000Z",
        ),
        (
            "lineItem",
            line_item(resultValueMin=10.0, resultValueMax=2.5),
            "The lineItem cannot be stored: resultValueMax: 2.5 is less than resultValueMin 10",
        ),
        (
            "lineItem",
            line_item(school="sch-2"),
            "The lineItem cannot be stored: school: 'sch-2' is not the school of class 'cls-bio-1', which is 'sch-1'",
        ),
        (
            "result",
            result(student="tch-1"),
            "The result cannot be stored: student: 'tch-1' is a user with role teacher, not a student",
        ),
        (
            "result",
            result(student="stu-4"),
            "The result cannot be stored: student: 'stu-4' is not enrolled as a student in class "
            "'cls-bio-1' (the lineItem's class)",
        ),
        (
            "result",
            result(student="stu-5"),
            "The result cannot be stored: student: no user with sourcedId 'stu-5'",
        ),
        (
            "result",
            result(lineItem=None, scoreStatus=None),
            "The result cannot be stored: lineItem: is required; scoreStatus: is required",
        ),
        (
            "category",
            {"title": "Quizzes", "metadata": {"classId": "cls-gone"}},
            "The category cannot be stored: metadata.classId: no class with sourcedId 'cls-gone'",
        ),
    ],
)
def test_bad_content_is_refused_naming_each_field_and_what_is_wrong(
    conn: sa.Connection, entity: str, record: dict[str, Any], message: str
) -> None:
    assert refusal(conn, entity, "x-1", record) == message
    assert row(conn, entity, "x-1") is None


def test_problems_found_reading_the_body_are_reported_with_the_store_s_in_name_order(
    conn: sa.Connection,
) -> None:
    message = refusal(
        conn, "result", "x-1", result(student="tch-1"), problems={"score": "'high' is not a number"}
    )
    assert message == (
        "The result cannot be stored: score: 'high' is not a number; "
        "student: 'tch-1' is a user with role teacher, not a student"
    )


def test_the_fields_a_version_requires_are_those_checked(conn: sa.Connection) -> None:
    record = line_item(resultValueMin=None, resultValueMax=None)
    assert refusal(conn, "lineItem", "x-1", record) == (
        "The lineItem cannot be stored: resultValueMax: is required; resultValueMin: is required"
    )
    required = ("title", "assignDate", "dueDate", "class", "category")
    assert put(conn, "lineItem", "x-1", record, required=required).created


def gradebook_state(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as c:
        state = {
            name: sorted(
                c.execute(sa.select(t.main.c.sourced_id, t.main.c.status, t.main.c.content_hash)).all()
            )
            for name, t in TABLES.items()
            if name in ("category", "lineItem", "result")
        }
        state["category_orgs"] = sorted(c.execute(sa.select(category_orgs)).all())
    return state


@pytest.mark.parametrize(
    ("entity", "sourced_id", "record"),
    [
        ("lineItem", "li-1", line_item(category=None, dueDate=0)),  # would create the default category too
        ("lineItem", "li-new", line_item(category=None, **{"class": "nope"})),
        ("result", "rs-1", result(student="stu-4")),
        ("category", "cat-hw", {"title": "", "metadata": {"classId": "nope"}}),
    ],
)
def test_a_refused_write_leaves_the_store_as_it_was(
    store: sa.Engine, entity: str, sourced_id: str, record: dict[str, Any]
) -> None:
    before = gradebook_state(store)
    with pytest.raises(InvalidContent), write_transaction(store) as conn:
        put(conn, entity, sourced_id, record)
    assert gradebook_state(store) == before


def test_delete_tombstones_a_line_item_and_its_active_results(conn: sa.Connection) -> None:
    assert gradebook.delete(conn, ENTITIES["lineItem"], "li-1", boundary=None, now_ms=NOW)
    for entity, sourced_id in (("lineItem", "li-1"), ("result", "rs-1"), ("result", "rs-2")):
        gone = row(conn, entity, sourced_id)
        assert (gone.status, gone.date_last_modified) == ("tobedeleted", NOW)
        assert orjson.loads(gone.doc)["status"] == "tobedeleted"
    assert row(conn, "result", "rs-3").status == "active"  # li-2's


def test_delete_of_nothing_or_of_a_tombstone_is_false(conn: sa.Connection) -> None:
    assert not gradebook.delete(conn, ENTITIES["result"], "rs-none", boundary=None, now_ms=NOW)
    assert gradebook.delete(conn, ENTITIES["result"], "rs-3", boundary=None, now_ms=NOW)
    assert not gradebook.delete(conn, ENTITIES["result"], "rs-3", boundary=None, now_ms=NOW + 1)
    assert row(conn, "result", "rs-3").date_last_modified == NOW


def test_a_limited_client_deletes_only_what_it_may_write(conn: sa.Connection) -> None:
    assert not gradebook.delete(conn, ENTITIES["lineItem"], "li-1", boundary=SCHOOL_2, now_ms=NOW)
    assert row(conn, "lineItem", "li-1").status == "active"
    assert not gradebook.delete(conn, ENTITIES["category"], "cat-hw", boundary=SCHOOL_1, now_ms=NOW)  # shared
    assert gradebook.delete(conn, ENTITIES["lineItem"], "li-1", boundary=SCHOOL_1, now_ms=NOW)


@pytest.mark.parametrize(
    ("entity", "sourced_id", "record", "boundary"),
    [
        ("result", "rs-1", result(), SCHOOL_2),  # another school's result
        ("category", "cat-hw", {"title": "Mine now"}, SCHOOL_1),  # shared: read-only to it
        ("category", DEFAULT_CATEGORY_ID, {"title": "Mine"}, SCHOOL_1),  # reserved, even when absent
    ],
)
def test_a_limited_client_may_not_take_a_sourced_id_it_does_not_own(
    conn: sa.Connection, entity: str, sourced_id: str, record: dict[str, Any], boundary: frozenset[str]
) -> None:
    with pytest.raises(IdInUse) as caught:
        put(conn, entity, sourced_id, record, boundary=boundary)
    assert str(caught.value) == (
        f"sourcedId '{sourced_id}' is not available to this client: sourcedIds are unique across "
        "the district; choose another (a GUID)"
    )


def test_a_limited_client_s_references_outside_its_orgs_are_to_nothing(conn: sa.Connection) -> None:
    message = refusal(conn, "lineItem", "li-x", line_item(), boundary=SCHOOL_2)
    # cat-hw is shared, so inside; the class is another school's
    assert message == "The lineItem cannot be stored: class: no class with sourcedId 'cls-bio-1'"


@pytest.mark.parametrize(
    ("entity", "field", "outside", "record"),
    [
        ("lineItem", "class", "cls-bio-1", line_item),  # its school would follow from the class
        ("result", "lineItem", "li-1", result),  # its class would follow from the lineItem
    ],
)
def test_a_reference_outside_answers_exactly_as_one_to_nothing(
    conn: sa.Connection, entity: str, field: str, outside: str, record: Any
) -> None:
    """What a record outside holds (its school, its class) must not show in the refusal."""
    seen = refusal(conn, entity, "x-1", record(**{field: outside}), boundary=SCHOOL_2)
    missing = refusal(conn, entity, "x-1", record(**{field: "no-such-id"}), boundary=SCHOOL_2)
    assert seen == missing.replace("no-such-id", outside)
    assert seen.startswith(f"The {entity} cannot be stored: {field}: no {field} with sourcedId '{outside}'")


def test_a_category_a_limited_client_creates_belongs_to_its_orgs(conn: sa.Connection) -> None:
    put(conn, "category", "cat-mine", {"title": "Labs"}, boundary=SCHOOL_1)
    owners = conn.execute(
        sa.select(category_orgs.c.org_sourced_id).where(category_orgs.c.category_sourced_id == "cat-mine")
    ).scalars()
    assert list(owners) == ["sch-1"]
    put(conn, "category", "cat-mine", {"title": "Labs and more"}, boundary=SCHOOL_1)  # its own: writable
    assert row(conn, "category", "cat-mine").title == "Labs and more"
    with pytest.raises(IdInUse):
        put(conn, "category", "cat-mine", {"title": "Taken"}, boundary=SCHOOL_2)


def test_a_category_created_anew_by_a_district_wide_client_is_shared(conn: sa.Connection) -> None:
    put(conn, "category", "cat-mine", {"title": "Labs"}, boundary=SCHOOL_1)
    gradebook.delete(conn, ENTITIES["category"], "cat-mine", boundary=None, now_ms=NOW)
    put(conn, "category", "cat-mine", {"title": "Labs"}, boundary=None)  # revived: not a new one
    put(conn, "category", "cat-new", {"title": "New"}, boundary=None)
    owned = set(conn.execute(sa.select(category_orgs.c.category_sourced_id)).scalars())
    assert "cat-new" not in owned
