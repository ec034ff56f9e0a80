"""Export the store as a OneRoster CSV bundle (1.1, or 1.2.1): every record, tombstones included, as stored.

The bundle is lossless for a move to a new store: each row carries its `status` (`active` or
`tobedeleted`) and its `dateLastModified`, and the first import into an empty store keeps both
as they are (see `openroster.store.writes`), so the new store serves the same documents, a delta
consumer still learns of every deletion, and the SIS taking grades back can tell a deleted grade
from one never written. Imported into a store that already holds data, the tombstone rows
tombstone those records there, and every changed record gets the time of that import.

A 1.2.1 bundle has the users' role and profile records; a user from a 1.1 bundle, which has
none, gets the rows of roles.csv its 1.1 role and orgs derive (model/roles.py `role_records`).
Its gradebook link files hold the stored link records; a lineItem or result whose scoreScale or
learningObjectiveSet they do not give (a REST PUT wrote it) gets generated link rows instead of
its own (model/links.py `generated_links`), so that the bundle imports back to the same value.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import METADATA, Field, entity
from openroster.model.csv_binding import V11, csv_entities, load_order
from openroster.model.links import LINK_FIELDS, active, by_owner, generated_links, links_of, value_of
from openroster.model.roles import role_records
from openroster.store.dialects import read_connection
from openroster.store.records import record_batches


def export_bundle(
    engine: sa.Engine,
    out: Path,
    *,
    active_only: bool = False,
    with_passwords: bool = False,
    version: str = V11,
) -> dict[str, int]:
    """Write every stored record as a bulk bundle of OneRoster `version` (a folder, or a .zip);
    returns counts per entity.

    `active_only` leaves the tombstones out, for importers that ignore `status` in bulk files
    (the bundle is then no longer lossless: deletions are only implied by absence). Secret
    fields (users' passwords) are written only `with_passwords`.

    The whole bundle comes from one snapshot of the store, even while imports or writes commit,
    and holds only one entity's records in memory at a time.
    """
    counts: dict[str, int] = {}
    with read_connection(engine) as conn, conn.begin():
        sources = {
            name: _records(conn, name, counts, active_only, with_passwords, version)
            for name in load_order(version)
        }
        if "role" in sources:
            sources["role"] = _counted(_with_derived_roles(conn, active_only), "role", counts)
        for name in sources.keys() & LINK_FIELDS.keys():
            owner, field = LINK_FIELDS[name]
            sources[name] = _counted(_links_giving(conn, owner, field, active_only), name, counts)
        write_bundle(out, sources, mode="bulk", version=version)
    return counts


def _batches(conn: sa.Connection, name: str, active_only: bool) -> Iterator[list[dict[str, Any]]]:
    for batch in record_batches(conn, entity(name)):
        yield [record for record in batch if record["status"] == "active"] if active_only else batch


def _records(
    conn: sa.Connection,
    name: str,
    counts: dict[str, int],
    active_only: bool,
    with_secrets: bool,
    version: str,
) -> Iterator[dict[str, Any]]:
    """The stored records of entity `name`, with the fields of `version` only, read as the writer
    asks for them, counted in `counts`."""
    secret = {field.name for field in entity(name).secret_fields} if not with_secrets else set()
    known = (set(csv_entities(version)[name].by_name) - secret) | {METADATA}
    records = (record for batch in _batches(conn, name, active_only) for record in batch)
    for record in _counted(records, name, counts):
        for field_name in set(record) - known:
            del record[field_name]
        yield record


def _counted(
    records: Iterator[dict[str, Any]], name: str, counts: dict[str, int]
) -> Iterator[dict[str, Any]]:
    counts[name] = 0
    for record in records:
        counts[name] += 1
        yield record


def _with_derived_roles(conn: sa.Connection, active_only: bool) -> Iterator[dict[str, Any]]:
    """The stored role records and those derived for the users that have none, in sourcedId order
    (as the store gives records, so that a bundle exported again after importing it is the same)."""
    with_records = {r["user"] for batch in _batches(conn, "role", active_only) for r in batch}
    org_types = {org["sourcedId"]: org.get("type") for batch in _batches(conn, "org", False) for org in batch}
    derived = sorted(
        (
            role
            for batch in _batches(conn, "user", active_only)
            for user in batch
            if user["sourcedId"] not in with_records and "role" in user
            for role in role_records(user, org_types.get)
        ),
        key=_sourced_id,
    )
    stored = (r for batch in _batches(conn, "role", active_only) for r in batch)
    return heapq.merge(stored, derived, key=_sourced_id)


def _sourced_id(record: dict[str, Any]) -> str:
    return str(record["sourcedId"])


def _links_giving(
    conn: sa.Connection, owner: str, field: Field, active_only: bool
) -> Iterator[dict[str, Any]]:
    """The link records that give each record of `owner` its stored `field`, in sourcedId order:
    its own when they give that value, else the generated ones."""
    owned = by_owner(field, (r for batch in _batches(conn, links_of(field).source, False) for r in batch))
    links: list[dict[str, Any]] = []
    for batch in _batches(conn, owner, False):
        for record in batch:
            own = owned.pop(record["sourcedId"], [])
            if value_of(field, active(own)) == record.get(field.name):
                links.extend(dict(link) for link in own)
            else:
                links.extend(generated_links(field, record))
    links.extend(dict(link) for own in owned.values() for link in own)  # links of records not stored
    links.sort(key=_sourced_id)
    return (link for link in links if not active_only or link["status"] == "active")
