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
  resource       a class or course inside lists it
  lineItem       its class is inside;  result: its lineItem is
  category       a lineItem inside uses it, or it is the default category (categories have no org)
"""

from __future__ import annotations

from typing import Any, Callable, Collection

import sqlalchemy as sa

from openroster.model.catalogue import DEFAULT_CATEGORY_ID
from openroster.store.schema import TABLES


def _t(name: str) -> sa.Table:
    return TABLES[name].main


def _classes_inside(visible: Collection[str]) -> sa.Select[Any]:
    classes = _t("class")
    return sa.select(classes.c.sourced_id).where(classes.c.school_sourced_id.in_(visible))


def _terms_inside(visible: Collection[str]) -> sa.Select[Any]:
    terms = TABLES["class"].lists["terms"]
    classes = _t("class")
    return (sa.select(terms.c.value).join(classes, classes.c.sourced_id == terms.c.owner)
            .where(classes.c.school_sourced_id.in_(visible)))


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
    return sa.or_(courses.c.org_sourced_id.in_(visible),
                  sa.exists().where(classes.c.course_sourced_id == courses.c.sourced_id,
                                    classes.c.school_sourced_id.in_(visible)))


def _academic_session(visible: Collection[str]) -> sa.ColumnElement[bool]:
    sessions = _t("academicSession")
    used = _terms_inside(visible)
    term = sessions.alias("term")
    parents_of_used = sa.select(term.c.parent_sourced_id).where(term.c.sourced_id.in_(used))
    return sa.or_(sessions.c.sourced_id.in_(used), sessions.c.sourced_id.in_(parents_of_used),
                  sessions.c.parent_sourced_id.in_(used))


def _resource(visible: Collection[str]) -> sa.ColumnElement[bool]:
    resources = _t("resource")
    class_links, course_links = _t("classResource"), _t("courseResource")
    courses = _t("course")
    return sa.or_(
        sa.exists().where(class_links.c.resource_sourced_id == resources.c.sourced_id,
                          class_links.c.class_sourced_id.in_(_classes_inside(visible))),
        sa.exists().where(course_links.c.resource_sourced_id == resources.c.sourced_id,
                          course_links.c.course_sourced_id == courses.c.sourced_id,
                          courses.c.org_sourced_id.in_(visible)))


def _line_items_inside(visible: Collection[str]) -> sa.Select[Any]:
    items = _t("lineItem")
    return sa.select(items.c.sourced_id).where(items.c.class_sourced_id.in_(_classes_inside(visible)))


def _line_item(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _t("lineItem").c.class_sourced_id.in_(_classes_inside(visible))


def _result(visible: Collection[str]) -> sa.ColumnElement[bool]:
    return _t("result").c.line_item_sourced_id.in_(_line_items_inside(visible))


def _category(visible: Collection[str]) -> sa.ColumnElement[bool]:
    items, categories = _t("lineItem"), _t("category")
    return sa.or_(categories.c.sourced_id == DEFAULT_CATEGORY_ID,
                  sa.exists().where(items.c.category_sourced_id == categories.c.sourced_id,
                                    items.c.class_sourced_id.in_(_classes_inside(visible))))


_RULES: dict[str, Callable[[Collection[str]], sa.ColumnElement[bool]]] = {
    "org": _org, "user": _user, "demographics": _demographics, "class": _class,
    "enrollment": _enrollment, "course": _course, "academicSession": _academic_session,
    "resource": _resource, "lineItem": _line_item, "result": _result, "category": _category,
}


def inside(entity_name: str, visible: Collection[str]) -> sa.ColumnElement[bool]:
    """The condition for records of `entity_name` that belong inside the boundary."""
    if entity_name not in _RULES:
        return sa.false()  # association records are never served on their own
    return _RULES[entity_name](visible)


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
