"""What changed since a moment (what the next delta sync carries), and pruning of old tombstones."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES
from openroster.store.counts import adjust_counts
from openroster.store.schema import TABLES, category_orgs
from openroster.store.writes import bump_revision


@dataclass(frozen=True)
class ChangeCounts:
    new: int
    changed: int
    tombstoned: int


def changes_since(conn: sa.Connection, since_ms: int) -> dict[str, ChangeCounts]:
    """Per served entity, records with dateLastModified after `since_ms`, by kind of change."""
    out = {}
    for entity in ENTITIES.values():
        if entity.association:
            continue
        table = TABLES[entity.name].main
        kind = sa.case(
            (table.c.status == "tobedeleted", "tombstoned"),
            (table.c.first_seen_ms > since_ms, "new"),
            else_="changed",
        )
        rows = conn.execute(
            sa.select(kind, sa.func.count()).where(table.c.date_last_modified > since_ms).group_by(kind)
        ).all()
        counts = {str(k): int(n) for k, n in rows}
        out[entity.name] = ChangeCounts(
            counts.get("new", 0), counts.get("changed", 0), counts.get("tombstoned", 0)
        )
    return out


def prune_tombstones(conn: sa.Connection, older_than_ms: int) -> dict[str, int]:
    """Delete tombstones last modified before `older_than_ms`; returns how many per entity."""
    removed = {}
    for entity in ENTITIES.values():
        tables = TABLES[entity.name]
        old = sa.select(tables.main.c.sourced_id).where(
            tables.main.c.status == "tobedeleted", tables.main.c.date_last_modified < older_than_ms
        )
        for child in tables.lists.values():
            conn.execute(child.delete().where(child.c.owner.in_(old)))
        if entity.name == "category":  # which orgs a category belongs to goes with it
            conn.execute(category_orgs.delete().where(category_orgs.c.category_sourced_id.in_(old)))
        result = conn.execute(
            tables.main.delete().where(
                tables.main.c.status == "tobedeleted", tables.main.c.date_last_modified < older_than_ms
            )
        )
        removed[entity.name] = result.rowcount
        adjust_counts(conn, tables.main, {"tobedeleted": -result.rowcount})
    if any(removed.values()):
        bump_revision(conn)
    return removed
