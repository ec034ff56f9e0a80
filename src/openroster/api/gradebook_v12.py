"""The OneRoster 1.2 gradebook writes: PUT and DELETE of one record, and the four POST bulk creates.

A write goes through the store's one gradebook writer (store/gradebook.py), which both versions
share; what is 1.2's is here: bodies in 1.2 names (model/json_input_v12.py), 1.2's required
fields, answers with the 1.2 document, and POST. A POST creates every record of its body or
none: each is checked, all problems are reported together (422) and nothing is written. The
path's parent (a class, school or lineItem) is every created record's; a record naming another
is refused. A supplied sourcedId is kept; one already stored or given twice is refused (POST
does not replace: PUT does); a record without one gets a new UUID. The answer pairs each
supplied sourcedId (absent when none was) with the allocated one, in the body's order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from typing import Any

import orjson
import sqlalchemy as sa
from starlette.responses import Response

from openroster.api.access import Grant
from openroster.api.bodies import check_path_id, wrapped
from openroster.api.endpoints import Endpoint
from openroster.api.endpoints_v12 import POST_LINE_ITEM_SESSION, POST_PARENTS
from openroster.api.responses import JSON
from openroster.errors import InvalidContent, UnknownObject
from openroster.model.json_input_v12 import read_object_v12, stored_names
from openroster.model.render_v12 import absolute_hrefs_v12
from openroster.model.v12 import ENTITIES_V12, Entity12
from openroster.model.values import now_ms
from openroster.store import gradebook
from openroster.store.dialects import write_transaction
from openroster.store.schema import TABLES

DOCUMENT = "doc_v12"


def required_v12(entity: Entity12) -> frozenset[str]:
    """The stored fields a 1.2 write must give (those the writer fills in excepted)."""
    names = stored_names(entity)
    defaulted = set(gradebook.DEFAULTED_ON_PUT.get(entity.name, ()))
    defaulted |= {f.name for f in entity.stored.every_field if f.fallback is not None}
    return frozenset(names[f.name] for f in entity.fields if f.required and f.name in names) - defaulted


def put(
    engine: sa.Engine, endpoint: Endpoint, sourced_id: str, grant: Grant, body: bytes, base: str
) -> Response:
    binding = ENTITIES_V12[endpoint.entity_name]
    key = endpoint.wrapper_key
    value = wrapped(body, key)
    check_path_id(value, sourced_id)
    record, problems = read_object_v12(binding, value)
    with write_transaction(engine, wait_ms=gradebook.API_WRITE_WAIT_MS) as conn:
        outcome = gradebook.put(
            conn,
            endpoint.entity,
            sourced_id,
            record,
            boundary=grant.orgs,
            now_ms=now_ms(),
            problems=problems,
            required=required_v12(binding),
            document=DOCUMENT,
        )
    body_out = b'{"' + key.encode() + b'":' + outcome.doc + b"}"
    return Response(
        absolute_hrefs_v12(body_out, base), status_code=201 if outcome.created else 200, media_type=JSON
    )


def delete(engine: sa.Engine, endpoint: Endpoint, sourced_id: str, grant: Grant) -> Response:
    with write_transaction(engine, wait_ms=gradebook.API_WRITE_WAIT_MS) as conn:
        deleted = gradebook.delete(conn, endpoint.entity, sourced_id, boundary=grant.orgs, now_ms=now_ms())
    if not deleted:
        raise UnknownObject(f"No {endpoint.entity.name} with sourcedId {sourced_id}")
    return Response(status_code=204)


def post(
    engine: sa.Engine,
    endpoint: Endpoint,
    path_params: Mapping[str, str],
    grant: Grant,
    body: bytes,
    require_parents: Callable[[sa.Connection], None],
) -> Response:
    """A bulk create; `require_parents(conn)` raises UnknownObject for a parent the client cannot see."""
    binding = ENTITIES_V12[endpoint.entity_name]
    key = endpoint.wrapper_key
    items = wrapped(body, key, array=True)
    if not isinstance(items, list) or not items:
        raise InvalidContent(f'"{key}" must be an array of at least one {binding.name}')
    parents = {field: path_params[param] for param, field in POST_PARENTS[endpoint.operation]}
    session_param = POST_LINE_ITEM_SESSION.get(endpoint.operation)
    pairs: list[dict[str, str]] = []
    problems: list[str] = []
    written = now_ms()
    with write_transaction(engine, wait_ms=gradebook.API_WRITE_WAIT_MS) as conn:
        require_parents(conn)
        taken = _stored_ids(
            conn, endpoint.entity_name, [i.get("sourcedId") for i in items if isinstance(i, dict)]
        )
        seen: set[str] = set()
        for index, item in enumerate(items):
            where = f"{key}[{index}]"
            supplied = item.get("sourcedId") if isinstance(item, dict) else None
            if supplied is not None and (not isinstance(supplied, str) or not supplied):
                problems.append(f"{where}.sourcedId: must be a non-empty string")
                continue
            if supplied in taken or supplied in seen:
                problems.append(
                    f"{where}.sourcedId: '{supplied}' is "
                    + (
                        "already stored (PUT replaces a record)"
                        if supplied in taken
                        else "given twice in the body"
                    )
                )
                continue
            allocated = supplied or str(uuid.uuid4())
            seen.add(allocated)
            record, found = read_object_v12(binding, item)
            for field, parent in parents.items():
                if record.setdefault(field, parent) != parent:
                    found[field] = f"'{record[field]}' differs from the path's '{parent}'"
            if session_param is not None and "lineItem" not in found:
                found.update(
                    _line_item_in(
                        conn, record.get("lineItem"), path_params["class_id"], path_params[session_param]
                    )
                )
            try:
                gradebook.put(
                    conn,
                    endpoint.entity,
                    allocated,
                    record,
                    boundary=grant.orgs,
                    now_ms=written,
                    problems=found,
                    required=required_v12(binding),
                    document=DOCUMENT,
                )
            except InvalidContent as exc:
                problems.append(f"{where}: {exc.description}")
                continue
            pairs.append(
                ({"suppliedSourcedId": supplied} if supplied else {}) | {"allocatedSourcedId": allocated}
            )
        if problems:
            raise InvalidContent(f"Nothing was created: {'; '.join(problems)}")
    return Response(orjson.dumps({"sourcedIdPairs": pairs}), status_code=201, media_type=JSON)


def _stored_ids(conn: sa.Connection, entity_name: str, ids: Collection[Any]) -> set[str]:
    wanted = [i for i in ids if isinstance(i, str) and i]
    if not wanted:
        return set()
    table = TABLES[entity_name].main
    return set(conn.execute(sa.select(table.c.sourced_id).where(table.c.sourced_id.in_(wanted))).scalars())


def _line_item_in(conn: sa.Connection, line_item: Any, class_id: str, session_id: str) -> dict[str, str]:
    """A problem unless `line_item` is a lineItem of the class graded in the session (the path's)."""
    if not isinstance(line_item, str):
        return {}  # the writer names a missing or malformed lineItem
    items = TABLES["lineItem"].main
    row = conn.execute(
        sa.select(items.c.class_sourced_id, items.c.grading_period_sourced_id).where(
            items.c.sourced_id == line_item, items.c.status == "active"
        )
    ).first()
    if row is None:
        return {}  # the writer names a lineItem that does not exist
    if row[0] != class_id:
        return {
            "lineItem": f"'{line_item}' is a lineItem of class '{row[0]}', not of the path's '{class_id}'"
        }
    if row[1] != session_id:
        return {
            "lineItem": f"'{line_item}' is graded in academicSession '{row[1]}', not in the path's '{session_id}'"
        }
    return {}
