"""District boundaries: the records a client limited to some orgs may see, as SQL conditions.

`visible` is the set of org sourcedIds the client may see (its orgs and all their descendants).
A record belongs inside when:
  org            it is one of them
  user           one of its orgs is
  class          its school is
  enrollment     its school is
  course         its org is, or a class inside is a section of it (district-wide courses)
  demographics   its user is inside
  academicSession  it is a term of a class inside, the parent of such a term (the school
                 year), or a child of one (its grading periods)
  resource       a class inside or a course inside lists it
  lineItem       its class is inside
  result         its lineItem is inside
  scoreScale     its class is inside
  assessmentLineItem  its class is inside (one tied to no class: district-wide clients only)
  assessmentResult    its student is inside
  category       it is shared (it belongs to no org and is tied to no class: imported ones, the
                 default category, those district-wide clients create), or it is the client's
                 own (see below), or a lineItem inside uses it

A category is *owned* inside when it is tied to a class inside (`metadata.classId`) or one of the
orgs it belongs to (`category_orgs`: the orgs of the limited client that created it) is visible.
A limited client writes (PUT over, DELETE) only records inside that it owns: lineItems and
results inside, categories owned inside; shared categories are read-only to it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import sqlalchemy as sa

from openroster.store.dialects import json_member
from openroster.store.schema import TABLES, category_orgs


def _t(name: str) -> sa.Table:
    return TABLES[name].main


def _classes_inside(visible: Collection[str]) -> sa.Select[Any]:
    classes = _t("class")
    return sa.select(classes.c.sourced_id).where(classes.c.school_sourced_id.in_(visible))


def _terms_inside(visible: Collection[str]) -> sa.Select[Any]:
    terms = TABLES["class"].lists["terms"]
    classes = _t("class")
    return (
        sa.select(terms.c.value)
        .join(classes, classes.c.sourced_id == terms.c.owner)
        .where(classes.c.school_sourced_id.in_(visible))
    )


def _org(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _t("org").c.sourced_id.in_(visible)


def _user_id_inside(user_id: sa.ColumnElement[Any], visible: Collection[str]) -> sa.ColumnElement[bool]:
    orgs = TABLES["user"].lists["orgs"]
    return sa.exists().where(orgs.c.owner == user_id, orgs.c.value.in_(visible))


def _user(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _user_id_inside(_t("user").c.sourced_id, visible)


def _demographics(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _user_id_inside(_t("demographics").c.sourced_id, visible)


def _class(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _t("class").c.school_sourced_id.in_(visible)


def _enrollment(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _t("enrollment").c.school_sourced_id.in_(visible)


def _course(visible: Collection[str]) -> sa.ColumnElement[bool]:
    courses, classes = _t("course"), _t("class")
    return sa.or_(
        courses.c.org_sourced_id.in_(visible),
        sa.exists().where(
            classes.c.course_sourced_id == courses.c.sourced_id, classes.c.school_sourced_id.in_(visible)
        ),
    )


def _academic_session(visible: Collection[str]) -> sa.ColumnElement[bool]:
    sessions = _t("academicSession")
    used = _terms_inside(visible)
    term = sessions.alias("term")
    parents_of_used = sa.select(term.c.parent_sourced_id).where(term.c.sourced_id.in_(used))
    return sa.or_(
        sessions.c.sourced_id.in_(used),
        sessions.c.sourced_id.in_(parents_of_used),
        sessions.c.parent_sourced_id.in_(used),
    )


def _resource(visible: Collection[str]) -> sa.ColumnElement[bool]:
    resources = _t("resource")
    class_links, course_links = _t("classResource"), _t("courseResource")
    courses_inside = sa.select(_t("course").c.sourced_id).where(_course(visible))
    return sa.or_(
        sa.exists().where(
            class_links.c.resource_sourced_id == resources.c.sourced_id,
            class_links.c.class_sourced_id.in_(_classes_inside(visible)),
        ),
        sa.exists().where(
            course_links.c.resource_sourced_id == resources.c.sourced_id,
            course_links.c.course_sourced_id.in_(courses_inside),
        ),
    )


def _line_items_inside(visible: Collection[str]) -> sa.Select[Any]:
    items = _t("lineItem")
    return sa.select(items.c.sourced_id).where(items.c.class_sourced_id.in_(_classes_inside(visible)))


def _line_item(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _t("lineItem").c.class_sourced_id.in_(_classes_inside(visible))


def _result(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _t("result").c.line_item_sourced_id.in_(_line_items_inside(visible))


def _in_class_inside(entity_name: str) -> Callable[[Collection[str]], sa.ColumnElement[bool]]:
    return lambda visible: _t(entity_name).c.class_sourced_id.in_(_classes_inside(visible))


def _assessment_result(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _user_id_inside(_t("assessmentResult").c.student_sourced_id, visible)


def category_class() -> sa.ColumnElement[str]:
    """The class a category is tied to (its `metadata.classId`, as Microsoft's Grade Sync reads it)."""
    return json_member(_t("category").c.metadata, sa.literal("classId"))


def _category_orgs() -> sa.ColumnElement[bool]:
    return category_orgs.c.category_sourced_id == _t("category").c.sourced_id


def _shared_category() -> sa.ColumnElement[bool]:
    return sa.and_(~sa.exists().where(_category_orgs()), category_class().is_(None))


def _category_owned(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.exists().where(_category_orgs(), category_orgs.c.org_sourced_id.in_(visible)),
        category_class().in_(_classes_inside(visible)),
    )


def _category(visible: Collection[str]) -> sa.ColumnElement[bool]:
    items, categories = _t("lineItem"), _t("category")
    return sa.or_(
        _shared_category(),
        _category_owned(visible),
        sa.exists().where(
            items.c.category_sourced_id == categories.c.sourced_id,
            items.c.class_sourced_id.in_(_classes_inside(visible)),
        ),
    )


def offered_to_class(class_id: str) -> sa.ColumnElement[bool]:
    """Categories for a class's lineItems: those its active lineItems use, those tied to it, and,
    when the class exists, those tied to no class that are shared or belong to its school."""
    items, classes = _t("lineItem"), _t("class")
    categories = _t("category")
    school = sa.select(classes.c.school_sourced_id).where(classes.c.sourced_id == class_id).scalar_subquery()
    untied = sa.and_(
        category_class().is_(None),
        sa.or_(
            ~sa.exists().where(_category_orgs()),
            sa.exists().where(_category_orgs(), category_orgs.c.org_sourced_id == school),
        ),
    )
    return sa.or_(
        sa.exists().where(
            items.c.category_sourced_id == categories.c.sourced_id,
            items.c.class_sourced_id == class_id,
            items.c.status == "active",
        ),
        category_class() == class_id,
        sa.and_(sa.exists().where(classes.c.sourced_id == class_id), untied),
    )


_RULES: dict[str, Callable[[Collection[str]], sa.ColumnElement[bool]]] = {
    "org": _org,
    "user": _user,
    "demographics": _demographics,
    "class": _class,
    "enrollment": _enrollment,
    "course": _course,
    "academicSession": _academic_session,
    "resource": _resource,
    "lineItem": _line_item,
    "result": _result,
    "category": _category,
    "scoreScale": _in_class_inside("scoreScale"),
    "assessmentLineItem": _in_class_inside("assessmentLineItem"),
    "assessmentResult": _assessment_result,
}


def inside(entity_name: str, visible: Collection[str]) -> sa.ColumnElement[bool]:
    """The condition for records of `entity_name` that belong inside the boundary."""
    if entity_name not in _RULES:
        return sa.false()  # association records are never served on their own
    return _RULES[entity_name](visible)


def writable(entity_name: str, visible: Collection[str]) -> sa.ColumnElement[bool]:
    """The condition for records of `entity_name` a client limited to `visible` may replace or delete."""
    if entity_name == "category":
        return _category_owned(visible)
    return inside(entity_name, visible)


def roots(conn: sa.Connection, visible: Collection[str]) -> list[str]:
    """The orgs of `visible` whose parent is not in it (the orgs a limited client was given)."""
    orgs = _t("org")
    parents: dict[str, str | None] = dict(
        conn.execute(
            sa.select(orgs.c.sourced_id, orgs.c.parent_sourced_id).where(orgs.c.sourced_id.in_(visible))
        ).all()
    )
    return sorted(org for org in visible if parents.get(org) not in visible)


def visible_orgs(conn: sa.Connection, roots: Collection[str]) -> frozenset[str]:
    """`roots` and every org below them, following `parent` links."""
    orgs = _t("org")
    children: dict[str, list[str]] = {}
    for sourced_id, parent in conn.execute(sa.select(orgs.c.sourced_id, orgs.c.parent_sourced_id)):
        if parent is not None:
            children.setdefault(parent, []).append(sourced_id)
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        org = pending.pop()
        if org not in seen:
            seen.add(org)
            pending.extend(children.get(org, ()))
    return frozenset(seen)
