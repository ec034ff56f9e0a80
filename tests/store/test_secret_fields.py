"""Passwords put back into stored documents for the clients allowed them, read from the store itself."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES
from openroster.store.records import load_records
from openroster.store.schema import TABLES
from openroster.store.secret_fields import reveal
from openroster.store.writes import apply
from tests.conftest import BACKENDS, IMPORT_TIME
from tests.district import district
from tests.store.stores import loaded

USER = ENTITIES["user"]


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    records = district()
    for n, user in enumerate(records["user"]):
        if user["role"] == "student":
            user["password"] = f"pw-{n}"
    yield from loaded(request, tmp_path_factory, records)


def docs(conn: sa.Connection, entity: str) -> list[bytes]:
    main = TABLES[entity].main
    return [bytes(d) for d in conn.execute(sa.select(main.c.doc).order_by(main.c.sourced_id)).scalars()]


def test_stored_documents_hold_no_password(store: sa.Engine) -> None:
    with store.connect() as conn:
        assert all("password" not in orjson.loads(doc) for doc in docs(conn, "user"))


def test_reveal_adds_each_user_s_own_password_last_and_leaves_users_without_one_alone(
    store: sa.Engine,
) -> None:
    with store.connect() as conn:
        stored = docs(conn, "user")
        revealed = reveal(conn, USER, stored)
        passwords = {r["sourcedId"]: r.get("password") for r in load_records(conn, USER)}
    assert len(revealed) == len(stored)
    for plain, doc in zip(stored, revealed):
        data, before = orjson.loads(doc), orjson.loads(plain)
        if passwords[before["sourcedId"]] is None:
            assert doc == plain
        else:
            assert list(data)[-1] == "password"
            assert data == {**before, "password": passwords[before["sourcedId"]]}
    assert any(p for p in passwords.values()) and any(p is None for p in passwords.values())


def test_reveal_keeps_the_order_of_the_page_and_handles_more_than_one_batch(store: sa.Engine) -> None:
    with store.connect() as conn:
        stored = docs(conn, "user")
        page = list(reversed(stored)) * 130  # beyond one IN list of ids
        revealed = reveal(conn, USER, page)
    assert [orjson.loads(d)["sourcedId"] for d in revealed] == [orjson.loads(d)["sourcedId"] for d in page]
    assert revealed[: len(stored)] == reveal_once(store, list(reversed(stored)))


def reveal_once(engine: sa.Engine, page: list[bytes]) -> list[bytes]:
    with engine.connect() as conn:
        return reveal(conn, USER, page)


def test_entities_without_secret_fields_and_empty_pages_are_returned_as_they_are(store: sa.Engine) -> None:
    with store.connect() as conn:
        orgs = docs(conn, "org")
        assert reveal(conn, ENTITIES["org"], orgs) == orgs
        assert reveal(conn, USER, []) == []


def test_reveal_reads_the_password_the_store_holds_now(store: sa.Engine) -> None:
    with store.connect() as conn, conn.begin() as transaction:
        stu = next(r for r in load_records(conn, USER) if r["sourcedId"] == "stu-3")
        apply(conn, USER, [{**stu, "password": "changed"}], {}, IMPORT_TIME + 1, tombstone_missing=False)
        main = TABLES["user"].main
        doc = bytes(conn.execute(sa.select(main.c.doc).where(main.c.sourced_id == "stu-3")).scalar_one())
        assert orjson.loads(reveal(conn, USER, [doc])[0])["password"] == "changed"
        transaction.rollback()
