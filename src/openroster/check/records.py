"""The fields and enumerations SDS validates on each record it reads (spec §8.3)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from openroster.check.outcomes import Outcomes
from openroster.check.registry import Check, define

Record = dict[str, Any]

REQUIRED = define(
    "fields.required",
    "Records carry the fields and enumeration values SDS requires",
    "fail",
    "sds",
    "Serve every required field with a value from the OneRoster 1.1 vocabulary (see the expected "
    "value in the evidence).",
)
DATE_FORMAT = define(
    "fields.date-format",
    "dateLastModified is exactly YYYY-MM-DDTHH:mm:ss.SSSZ",
    "fail",
    "sds",
    "Render dateLastModified in UTC with milliseconds and a Z, e.g. 2026-09-01T12:00:00.000Z.",
)
IDENTIFIER = define(
    "fields.identifier",
    "Orgs and users have a non-empty identifier",
    "fail",
    "sds",
    "Fill identifier (the SIS's own id, e.g. the state school code or student number).",
)
USER_ORGS = define(
    "fields.user-orgs",
    "Every user names at least one org",
    "fail",
    "sds",
    "Give every user the orgs (schools) they belong to; SDS drops users without one.",
)
CLASS_TERMS = define(
    "fields.class-terms",
    "Every class names at least one term",
    "fail",
    "sds",
    "Give every class the terms (academic sessions) it is taught in.",
)
USERNAME = define(
    "fields.username-no-at",
    "Student and teacher usernames contain no @",
    "warn",
    "sds",
    "Serve the bare username: SDS (Classic) appends its own domain.",
)
USER_FLAGS = define(
    "fields.user-flags",
    "metadata microsoft.userFlags uses only the values SDS knows",
    "warn",
    "sds",
    "Limit microsoft.userFlags to freeLunch, homeless, giftedOrTalented, 504, ELL, LEP, IEP.",
)

DATE_LAST_MODIFIED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\Z")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ORG_TYPES = {"department", "school", "district", "local", "state", "national"}
SESSION_TYPES = {"gradingPeriod", "semester", "schoolYear", "term"}
ROLES = {"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"}
USER_FLAG_VALUES = {"freeLunch", "homeless", "giftedOrTalented", "504", "ELL", "LEP", "IEP"}
ENTITY_OF_KEY = {
    "orgs": "org",
    "org": "org",
    "academicSessions": "academicSession",
    "academicSession": "academicSession",
    "users": "user",
    "user": "user",
    "classes": "class",
    "class": "class",
    "courses": "course",
    "course": "course",
    "enrollments": "enrollment",
    "enrollment": "enrollment",
    "demographics": "demographics",
}

Problems = Iterator[tuple[Check, str]]


def ref_ids(record: Record, name: str) -> list[Any]:
    """The sourcedIds of a GUIDRef list field (agents, terms); none when the field is not a list."""
    value = record.get(name)
    return [v.get("sourcedId") for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(record: Record, name: str) -> bool:
    value = record.get(name)
    return isinstance(value, str) and value != ""


def _ref(record: Record, name: str, types: set[str]) -> Problems:
    value = record.get(name)
    if not isinstance(value, dict) or not isinstance(value.get("sourcedId"), str):
        yield REQUIRED, f"{name} must be a GUIDRef with a sourcedId"
    elif value.get("type") not in types:
        yield REQUIRED, f"{name}.type {value.get('type')!r} is not one of {', '.join(sorted(types))}"


def _ref_list(record: Record, name: str, types: set[str], non_empty: Check) -> Problems:
    value = record.get(name)
    if not isinstance(value, list) or not value:
        yield non_empty, f"{name} is missing or empty"
    elif not all(
        isinstance(v, dict) and isinstance(v.get("sourcedId"), str) and v.get("type") in types for v in value
    ):
        yield (
            REQUIRED,
            f"each of {name} must be a GUIDRef with a sourcedId and a type of {', '.join(sorted(types))}",
        )


def _needs(record: Record, *names: str) -> Problems:
    for name in names:
        if not _text(record, name):
            yield REQUIRED, f"{name} is missing or empty"


def _one_of(record: Record, name: str, allowed: set[str]) -> Problems:
    if record.get(name) not in allowed:
        yield REQUIRED, f"{name} {record.get(name)!r} is not one of {', '.join(sorted(allowed))}"


def _base(record: Record) -> Problems:
    yield from _needs(record, "sourcedId")
    yield from _one_of(record, "status", {"active", "tobedeleted"})
    stamp = record.get("dateLastModified")
    if not isinstance(stamp, str) or not DATE_LAST_MODIFIED.match(stamp):
        yield DATE_FORMAT, f"dateLastModified is {stamp!r}"


def _org(record: Record) -> Problems:
    yield from _needs(record, "name")
    yield from _one_of(record, "type", ORG_TYPES)
    if not _text(record, "identifier"):
        yield IDENTIFIER, "identifier is missing or empty"


def _session(record: Record) -> Problems:
    yield from _needs(record, "title")
    yield from _one_of(record, "type", SESSION_TYPES)
    year = record.get("schoolYear")
    if not (isinstance(year, str) and len(year) == 4 and year.isdigit()):
        yield REQUIRED, f"schoolYear {year!r} must be a four-digit string"
    for name in ("startDate", "endDate"):
        value = record.get(name)
        if not (isinstance(value, str) and DATE.match(value)):
            yield REQUIRED, f"{name} {value!r} must start YYYY-MM-DD"


def _class(record: Record) -> Problems:
    yield from _needs(record, "title")
    yield from _ref(record, "school", ORG_TYPES | {"org"})
    yield from _ref_list(record, "terms", SESSION_TYPES | {"academicSession"}, CLASS_TERMS)


def _user(record: Record) -> Problems:
    yield from _needs(record, "username", "givenName")
    yield from _one_of(record, "role", ROLES)
    if not _text(record, "identifier"):
        yield IDENTIFIER, "identifier is missing or empty"
    yield from _ref_list(record, "orgs", ORG_TYPES | {"org"}, USER_ORGS)
    if record.get("role") in ("student", "teacher") and "@" in str(record.get("username", "")):
        yield USERNAME, f"username {record.get('username')!r} contains @"
    metadata = record.get("metadata")
    flags = metadata.get("microsoft.userFlags") if isinstance(metadata, dict) else None
    if isinstance(flags, str) and flags:
        unknown = [f for f in flags.split(",") if f.strip() not in USER_FLAG_VALUES]
        if unknown:
            yield USER_FLAGS, f"microsoft.userFlags has {', '.join(unknown)}"


def _course(record: Record) -> Problems:
    yield from _needs(record, "title")
    org = record.get("org")
    if not isinstance(org, dict) or not isinstance(org.get("sourcedId"), str):
        yield REQUIRED, "org must be a GUIDRef with a sourcedId"


def _enrollment(record: Record) -> Problems:
    yield from _one_of(record, "role", ROLES)
    yield from _ref(record, "school", ORG_TYPES | {"org"})
    yield from _ref(record, "class", {"class"})
    yield from _ref(record, "user", {"user"})


def _nothing_more(record: Record) -> Problems:
    return iter(())


VALIDATORS: dict[str, Callable[[Record], Problems]] = {
    "org": _org,
    "academicSession": _session,
    "class": _class,
    "user": _user,
    "course": _course,
    "enrollment": _enrollment,
    "demographics": _nothing_more,
}
APPLIES: dict[str, tuple[Check, ...]] = {
    "org": (REQUIRED, DATE_FORMAT, IDENTIFIER),
    "academicSession": (REQUIRED, DATE_FORMAT),
    "class": (REQUIRED, DATE_FORMAT, CLASS_TERMS),
    "user": (REQUIRED, DATE_FORMAT, IDENTIFIER, USER_ORGS, USERNAME, USER_FLAGS),
    "course": (REQUIRED, DATE_FORMAT),
    "enrollment": (REQUIRED, DATE_FORMAT),
    "demographics": (REQUIRED, DATE_FORMAT),
}


def check_records(key: str, records: list[Record], request: str, outcomes: Outcomes) -> None:
    """Validate every record of one response; one observation per check for the whole response."""
    entity = ENTITY_OF_KEY.get(key)
    if entity is None or not records:
        return
    found: dict[Check, list[str]] = defaultdict(list)
    for record in records:
        if not isinstance(record, dict):
            found[REQUIRED].append(f"a record is {type(record).__name__}, not an object")
            continue
        for check, problem in (*_base(record), *VALIDATORS[entity](record)):
            found[check].append(f"{record.get('sourcedId')}: {problem}")
    for check in {*APPLIES[entity], *found}:
        problems = found.get(check, [])
        outcomes.record(
            check,
            not problems,
            request,
            check.name,
            f"{len(problems)} of {len(records)} record(s); first: {problems[0]}" if problems else "",
        )
