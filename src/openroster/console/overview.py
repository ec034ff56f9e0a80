"""What the overview shows: records per entity and per school, the data revision, imports, health."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from openroster import __version__
from openroster.model.catalogue import ENTITIES
from openroster.ops.health import Failure, Readiness
from openroster.store import import_log
from openroster.store.import_log import ImportRun
from openroster.store.schema import TABLES
from openroster.store.writes import revision


@dataclass(frozen=True)
class EntityCount:
    name: str
    active: int
    tombstoned: int


@dataclass(frozen=True)
class SchoolCount:
    sourced_id: str
    name: str
    classes: int
    students: int
    teachers: int


@dataclass(frozen=True)
class Overview:
    entities: list[EntityCount]
    schools: list[SchoolCount]
    data_revision: int
    last_import: ImportRun | None
    backend: str
    version: str
    failure: Failure | None  # what /ready reports; None: ready

    @property
    def warnings(self) -> list[str]:
        """What the banner says is wrong."""
        if self.failure is not None:
            return [f"{self.failure.problem} {self.failure.fix}"]
        return []


def entity_counts(conn: sa.Connection) -> list[EntityCount]:
    counts = []
    for name in ENTITIES:
        table = TABLES[name].main
        query = sa.select(table.c.status, sa.func.count()).group_by(table.c.status)
        by_status: dict[str, int] = {status: count for status, count in conn.execute(query)}
        counts.append(EntityCount(name, by_status.get("active", 0), by_status.get("tobedeleted", 0)))
    return counts


def school_counts(conn: sa.Connection) -> list[SchoolCount]:
    """Active classes, students and teachers (by active enrollment) of each active school."""
    orgs, classes, enrollments = (TABLES[n].main for n in ("org", "class", "enrollment"))
    per_role = (
        sa.select(
            enrollments.c.school_sourced_id.label("school"),
            enrollments.c.role,
            sa.func.count(sa.distinct(enrollments.c.user_sourced_id)).label("users"),
        )
        .where(enrollments.c.status == "active")
        .group_by(enrollments.c.school_sourced_id, enrollments.c.role)
    )
    users = {(row.school, row.role): row.users for row in conn.execute(per_role)}
    per_school = (
        sa.select(classes.c.school_sourced_id, sa.func.count())
        .where(classes.c.status == "active")
        .group_by(classes.c.school_sourced_id)
    )
    class_counts: dict[str, int] = {school: count for school, count in conn.execute(per_school)}
    schools = conn.execute(
        sa.select(orgs.c.sourced_id, orgs.c.name)
        .where(orgs.c.type == "school", orgs.c.status == "active")
        .order_by(orgs.c.name, orgs.c.sourced_id)
    )
    return [
        SchoolCount(
            row.sourced_id,
            row.name or row.sourced_id,
            class_counts.get(row.sourced_id, 0),
            users.get((row.sourced_id, "student"), 0),
            users.get((row.sourced_id, "teacher"), 0),
        )
        for row in schools
    ]


def overview(engine: sa.Engine, readiness: Readiness) -> Overview:
    failure = readiness.failure()
    with engine.connect() as conn:
        return Overview(
            entity_counts(conn),
            school_counts(conn),
            revision(conn),
            import_log.last_run(conn),
            engine.dialect.name,
            __version__,
            failure,
        )
