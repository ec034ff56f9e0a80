"""The one declaration of the stored OneRoster data model: entities, fields, enumerations, references.

The model is 1.1's, with what 1.2 brought to it: fields marked `since="1.2"` (a lineItem's
school, a result's textScore...) and entities of their own (scoreScales, the assessment results
profile's). How 1.2 serves these records is declared beside it, in model/v12.py.

Everything else (database schema, JSON rendering, CSV reading and writing, validation of
filter/sort/fields) is derived from the entities declared here. Fields are listed in CSV
column order; JSON documents use the same order after the base fields.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from types import MappingProxyType
from typing import Any


class Kind(enum.Enum):
    """How a field's value is represented, validated, stored and compared."""

    STRING = "string"
    DATE = "date"  # 'YYYY-MM-DD'
    DATETIME = "datetime"  # an instant, kept as integer milliseconds since the epoch (UTC)
    YEAR = "year"  # 4-digit string, e.g. '2026'
    BOOLEAN = "boolean"  # the strings 'true' / 'false'
    FLOAT = "float"
    ENUM = "enum"
    STRING_LIST = "string_list"
    ENUM_LIST = "enum_list"
    REF = "ref"  # a GUIDRef; kept as the referenced sourcedId
    REF_LIST = "ref_list"  # a list of GUIDRefs; kept as a list of sourcedIds
    USER_IDS = "user_ids"  # list of {type, identifier}
    # OneRoster 1.2 only (model/v12.py): a user's roles[] and userProfiles[].
    ROLES = "roles"  # list of {roleType, role, org, userProfile?, beginDate?, endDate?}
    USER_PROFILES = "user_profiles"  # list of {profileId, profileType, vendorId, ...}
    SCORE_SCALE_VALUES = "score_scale_values"  # list of {itemValueLHS, itemValueRHS} (1.2 scoreScales)
    LEARNING_OBJECTIVES = "learning_objectives"  # list of {source, learningObjectiveIds[]} (1.2)
    # list of {source, learningObjectiveResults[{learningObjectiveId, score?, textScore?}]} (1.2)
    LEARNING_OBJECTIVE_RESULTS = "learning_objective_results"


LIST_KINDS = frozenset(
    {
        Kind.STRING_LIST,
        Kind.ENUM_LIST,
        Kind.REF_LIST,
        Kind.USER_IDS,
        Kind.ROLES,
        Kind.USER_PROFILES,
        Kind.SCORE_SCALE_VALUES,
        Kind.LEARNING_OBJECTIVES,
        Kind.LEARNING_OBJECTIVE_RESULTS,
    }
)
# Lists of pairs: each element's two members as JSON names them, and the columns that hold them.
PAIR_MEMBERS: Mapping[Kind, tuple[tuple[str, str], tuple[str, str]]] = MappingProxyType(
    {
        Kind.USER_IDS: (("type", "type"), ("identifier", "identifier")),
        Kind.SCORE_SCALE_VALUES: (("itemValueLHS", "lhs"), ("itemValueRHS", "rhs")),
    }
)
REF_KINDS = frozenset({Kind.REF, Kind.REF_LIST})

# --- 1.1 enumerations (spec §3.5); tokens are case-sensitive and must not be extended.
STATUS = ("active", "tobedeleted")
ORG_TYPE = ("department", "school", "district", "local", "state", "national")
ROLE_TYPE = ("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher")
SESSION_TYPE = ("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPE = ("homeroom", "scheduled")
GENDER = ("male", "female")
IMPORTANCE = ("primary", "secondary")
SCORE_STATUS = ("exempt", "fully graded", "not submitted", "partially graded", "submitted")


@dataclass(frozen=True)
class Derived:
    """A REF_LIST computed from other records: those of `source` whose `via` field names the owner.

    `value` is the field of the source record listed (None: the source record itself).
    Example: an org's `children` are the orgs whose `parent` is that org.
    """

    source: str
    via: str
    value: str | None = None


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = False
    enum: tuple[str, ...] = ()
    ref: str | None = None  # entity a REF / REF_LIST points at
    csv: str | None = None  # CSV column name; defaults to the field name, None when not in CSV
    derived: Derived | None = None
    indexed: bool = False  # a lookup field clients filter on (email, username, identifier)
    # Served, filtered and sorted only for clients allowed it (users' passwords); stored documents
    # leave it out, and for every other client it does not exist.
    secret: bool = False
    # The OneRoster version that brought the field: a "1.2" field is stored and served through
    # 1.2 only (model/v12.py); for 1.1 documents, queries, PUTs and CSV it does not exist.
    since: str = "1.1"
    # When a write leaves this REF out: the same field of the record `fallback` names (a 1.2
    # lineItem's school is its class's school); filled in by the store (store/fallbacks.py).
    fallback: str | None = None

    @property
    def is_list(self) -> bool:
        return self.kind in LIST_KINDS

    @property
    def column(self) -> str:
        """Column name in the entity's table (scalars and single references only)."""
        base = _snake(self.name)
        return f"{base}_sourced_id" if self.kind is Kind.REF else base


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _f(
    name: str,
    kind: Kind = Kind.STRING,
    *,
    required: bool = False,
    enum: tuple[str, ...] = (),
    ref: str | None = None,
    csv: str | None | bool = True,
    derived: Derived | None = None,
    indexed: bool = False,
    secret: bool = False,
    since: str = "1.1",
    fallback: str | None = None,
) -> Field:
    if csv is True:
        if kind is Kind.REF:
            csv_name: str | None = f"{name}SourcedId"
        elif kind is Kind.REF_LIST:
            csv_name = f"{name[:-1] if name.endswith('s') else name}SourcedIds"
        else:
            csv_name = name
    else:
        csv_name = csv or None
    return Field(name, kind, required, enum, ref, csv_name, derived, indexed, secret, since, fallback)


@dataclass(frozen=True)
class Entity:
    """One OneRoster object type (or a CSV-only association record)."""

    name: str  # JSON type name, e.g. 'academicSession'; also the GUIDRef type others use for it
    collection_key: str  # wrapper key of a list, e.g. 'academicSessions'
    single_key: str  # wrapper key of one object
    table: str
    csv_file: str  # e.g. 'academicSessions.csv'
    path: str  # collection path under the API root, used for GUIDRef hrefs
    fields: tuple[Field, ...]
    association: bool = False  # CSV-only link records (classResources.csv), no endpoints of their own
    since: str = "1.1"  # "1.2": an entity 1.1 has not (no 1.1 endpoints, not in 1.1 CSV bundles)
    by_name: Mapping[str, Field] = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", MappingProxyType({f.name: f for f in self.all_fields}))

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return BASE_FIELDS + self.fields

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        """Fields held by this entity's own rows (derived lists are computed from others)."""
        return tuple(f for f in self.all_fields if f.derived is None)

    @property
    def csv_fields(self) -> tuple[Field, ...]:
        """The columns of the entity's OneRoster 1.1 CSV file."""
        return tuple(f for f in self.all_fields if f.csv is not None and f.since == "1.1")

    @property
    def secret_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.secret)


def _f12(name: str, kind: Kind = Kind.STRING, **options: Any) -> Field:
    """A field of an entity OneRoster 1.2 brought (scoreScale, the assessment results profile's)."""
    return _f(name, kind, since="1.2", **options)


BASE_FIELDS = (
    _f("sourcedId", required=True),
    _f("status", Kind.ENUM, enum=STATUS),
    _f("dateLastModified", Kind.DATETIME),
)
# `metadata` is an open extension object: CSV columns named 'metadata.<key>' become its keys.
METADATA = "metadata"

_ENTITIES = (
    Entity(
        "academicSession",
        "academicSessions",
        "academicSession",
        "academic_sessions",
        "academicSessions.csv",
        "academicSessions",
        (
            _f("title", required=True),
            _f("type", Kind.ENUM, required=True, enum=SESSION_TYPE),
            _f("startDate", Kind.DATE, required=True),
            _f("endDate", Kind.DATE, required=True),
            _f("parent", Kind.REF, ref="academicSession"),
            _f("schoolYear", Kind.YEAR, required=True),
            _f(
                "children",
                Kind.REF_LIST,
                ref="academicSession",
                csv=False,
                derived=Derived("academicSession", "parent"),
            ),
        ),
    ),
    Entity(
        "category",
        "categories",
        "category",
        "categories",
        "categories.csv",
        "categories",
        (_f("title", required=True), _f("weight", Kind.FLOAT, since="1.2")),
    ),
    Entity(
        "class",
        "classes",
        "class",
        "classes",
        "classes.csv",
        "classes",
        (
            _f("title", required=True),
            _f("grades", Kind.STRING_LIST),
            _f("course", Kind.REF, required=True, ref="course"),
            _f("classCode"),
            _f("classType", Kind.ENUM, required=True, enum=CLASS_TYPE),
            _f("location"),
            _f("school", Kind.REF, required=True, ref="org"),
            _f("terms", Kind.REF_LIST, required=True, ref="academicSession"),
            _f("subjects", Kind.STRING_LIST),
            _f("subjectCodes", Kind.STRING_LIST),
            _f("periods", Kind.STRING_LIST),
            _f(
                "resources",
                Kind.REF_LIST,
                ref="resource",
                csv=False,
                derived=Derived("classResource", "class", "resource"),
            ),
        ),
    ),
    Entity(
        "classResource",
        "classResources",
        "classResource",
        "class_resources",
        "classResources.csv",
        "classResources",
        (
            _f("title"),
            _f("class", Kind.REF, required=True, ref="class"),
            _f("resource", Kind.REF, required=True, ref="resource"),
        ),
        association=True,
    ),
    Entity(
        "course",
        "courses",
        "course",
        "courses",
        "courses.csv",
        "courses",
        (
            _f("schoolYear", Kind.REF, ref="academicSession"),
            _f("title", required=True),
            _f("courseCode"),
            _f("grades", Kind.STRING_LIST),
            _f("org", Kind.REF, required=True, ref="org"),
            _f("subjects", Kind.STRING_LIST),
            _f("subjectCodes", Kind.STRING_LIST),
            _f(
                "resources",
                Kind.REF_LIST,
                ref="resource",
                csv=False,
                derived=Derived("courseResource", "course", "resource"),
            ),
        ),
    ),
    Entity(
        "courseResource",
        "courseResources",
        "courseResource",
        "course_resources",
        "courseResources.csv",
        "courseResources",
        (
            _f("title"),
            _f("course", Kind.REF, required=True, ref="course"),
            _f("resource", Kind.REF, required=True, ref="resource"),
        ),
        association=True,
    ),
    Entity(
        "demographics",
        "demographics",
        "demographics",
        "demographics",
        "demographics.csv",
        "demographics",
        (
            _f("birthDate", Kind.DATE),
            _f("sex", Kind.ENUM, enum=GENDER),
            _f("americanIndianOrAlaskaNative", Kind.BOOLEAN),
            _f("asian", Kind.BOOLEAN),
            _f("blackOrAfricanAmerican", Kind.BOOLEAN),
            _f("nativeHawaiianOrOtherPacificIslander", Kind.BOOLEAN),
            _f("white", Kind.BOOLEAN),
            _f("demographicRaceTwoOrMoreRaces", Kind.BOOLEAN),
            _f("hispanicOrLatinoEthnicity", Kind.BOOLEAN),
            _f("countryOfBirthCode"),
            _f("stateOfBirthAbbreviation"),
            _f("cityOfBirth"),
            _f("publicSchoolResidenceStatus"),
        ),
    ),
    Entity(
        "enrollment",
        "enrollments",
        "enrollment",
        "enrollments",
        "enrollments.csv",
        "enrollments",
        (
            _f("class", Kind.REF, required=True, ref="class"),
            _f("school", Kind.REF, required=True, ref="org"),
            _f("user", Kind.REF, required=True, ref="user"),
            _f("role", Kind.ENUM, required=True, enum=ROLE_TYPE),
            _f("primary", Kind.BOOLEAN),
            _f("beginDate", Kind.DATE),
            _f("endDate", Kind.DATE),
        ),
    ),
    Entity(
        "lineItem",
        "lineItems",
        "lineItem",
        "line_items",
        "lineItems.csv",
        "lineItems",
        (
            _f("title", required=True),
            _f("description"),
            _f("assignDate", Kind.DATETIME, required=True),
            _f("dueDate", Kind.DATETIME, required=True),
            _f("class", Kind.REF, required=True, ref="class"),
            _f("category", Kind.REF, required=True, ref="category"),
            _f("gradingPeriod", Kind.REF, required=True, ref="academicSession"),
            _f("resultValueMin", Kind.FLOAT, required=True),
            _f("resultValueMax", Kind.FLOAT, required=True),
            _f("school", Kind.REF, ref="org", since="1.2", fallback="class"),
            _f("scoreScale", Kind.REF, ref="scoreScale", since="1.2"),
            _f("learningObjectiveSet", Kind.LEARNING_OBJECTIVES, csv=False, since="1.2"),
        ),
    ),
    Entity(
        "org",
        "orgs",
        "org",
        "orgs",
        "orgs.csv",
        "orgs",
        (
            _f("name", required=True),
            _f("type", Kind.ENUM, required=True, enum=ORG_TYPE),
            _f("identifier"),
            _f("parent", Kind.REF, ref="org"),
            _f("children", Kind.REF_LIST, ref="org", csv=False, derived=Derived("org", "parent")),
        ),
    ),
    Entity(
        "resource",
        "resources",
        "resource",
        "resources",
        "resources.csv",
        "resources",
        (
            _f("vendorResourceId", required=True),
            _f("title"),
            _f("roles", Kind.ENUM_LIST, enum=ROLE_TYPE),
            _f("importance", Kind.ENUM, enum=IMPORTANCE),
            _f("vendorId"),
            _f("applicationId"),
        ),
    ),
    Entity(
        "result",
        "results",
        "result",
        "results",
        "results.csv",
        "results",
        (
            _f("lineItem", Kind.REF, required=True, ref="lineItem"),
            _f("student", Kind.REF, required=True, ref="user"),
            _f("scoreStatus", Kind.ENUM, required=True, enum=SCORE_STATUS),
            # 1.1 lists score as required, but an exempt or not-submitted result has none.
            _f("score", Kind.FLOAT),
            # A Date in 1.1; Microsoft and Google send full date-times, so the instant is kept.
            _f("scoreDate", Kind.DATETIME, required=True),
            _f("comment"),
            _f("textScore", since="1.2"),
            _f("class", Kind.REF, ref="class", since="1.2", fallback="lineItem"),
            _f("inProgress", Kind.BOOLEAN, since="1.2"),
            _f("incomplete", Kind.BOOLEAN, since="1.2"),
            _f("late", Kind.BOOLEAN, since="1.2"),
            _f("missing", Kind.BOOLEAN, since="1.2"),
            _f("scoreScale", Kind.REF, ref="scoreScale", since="1.2"),
            _f("learningObjectiveSet", Kind.LEARNING_OBJECTIVE_RESULTS, csv=False, since="1.2"),
        ),
    ),
    Entity(
        "scoreScale",
        "scoreScales",
        "scoreScale",
        "score_scales",
        "scoreScales.csv",
        "scoreScales",
        (
            _f12("title", required=True),
            _f12("type", required=True),  # free text: "letter", "numeric"...
            # The CSV's orgSourcedId (REST has none): the school of its class unless given.
            _f12("school", Kind.REF, ref="org", csv="orgSourcedId", fallback="class"),
            _f12("course", Kind.REF, ref="course"),
            _f12("class", Kind.REF, required=True, ref="class"),
            _f12("scoreScaleValue", Kind.SCORE_SCALE_VALUES, required=True),
        ),
        since="1.2",
    ),
    # The Assessment Results Profile (1.2 only; no CSV file in 1.2.1).
    Entity(
        "assessmentLineItem",
        "assessmentLineItems",
        "assessmentLineItem",
        "assessment_line_items",
        "",
        "assessmentLineItems",
        (
            _f12("title", required=True),
            _f12("description"),
            _f12("class", Kind.REF, ref="class"),
            _f12("parentAssessmentLineItem", Kind.REF, ref="assessmentLineItem"),
            _f12("scoreScale", Kind.REF, ref="scoreScale"),
            _f12("resultValueMin", Kind.FLOAT),
            _f12("resultValueMax", Kind.FLOAT),
            _f12("learningObjectiveSet", Kind.LEARNING_OBJECTIVES, csv=False),
        ),
        since="1.2",
    ),
    Entity(
        "assessmentResult",
        "assessmentResults",
        "assessmentResult",
        "assessment_results",
        "",
        "assessmentResults",
        (
            _f12("assessmentLineItem", Kind.REF, required=True, ref="assessmentLineItem"),
            _f12("student", Kind.REF, required=True, ref="user"),
            _f12("scoreDate", Kind.DATETIME, required=True),  # an instant, as a result's
            _f12("scoreStatus", Kind.ENUM, required=True, enum=SCORE_STATUS),
            _f12("score", Kind.FLOAT),
            _f12("textScore"),
            _f12("scoreScale", Kind.REF, ref="scoreScale"),
            _f12("scorePercentile", Kind.FLOAT),
            _f12("comment"),
            _f12("inProgress", Kind.BOOLEAN),
            _f12("incomplete", Kind.BOOLEAN),
            _f12("late", Kind.BOOLEAN),
            _f12("missing", Kind.BOOLEAN),
            _f12("learningObjectiveSet", Kind.LEARNING_OBJECTIVE_RESULTS, csv=False),
        ),
        since="1.2",
    ),
    Entity(
        "user",
        "users",
        "user",
        "users",
        "users.csv",
        "users",
        (
            _f("enabledUser", Kind.BOOLEAN, required=True),
            _f("orgs", Kind.REF_LIST, required=True, ref="org"),
            _f("role", Kind.ENUM, required=True, enum=ROLE_TYPE),
            _f("username", required=True, indexed=True),
            _f("userIds", Kind.USER_IDS),
            _f("givenName", required=True),
            _f("familyName", required=True),
            _f("middleName"),
            _f("identifier", indexed=True),
            _f("email", indexed=True),
            _f("sms"),
            _f("phone"),
            _f("agents", Kind.REF_LIST, ref="user"),
            _f("grades", Kind.STRING_LIST),
            _f("password", secret=True),
        ),
    ),
)

ENTITIES: Mapping[str, Entity] = MappingProxyType({e.name: e for e in _ENTITIES})
# The entities of a OneRoster 1.1 CSV bundle.
CSV_V11: Mapping[str, Entity] = MappingProxyType({e.name: e for e in _ENTITIES if e.since == "1.1"})

# Order in which CSV files are loaded so that every reference points backwards (spec §7.3).
LOAD_ORDER = (
    "org",
    "academicSession",
    "course",
    "class",
    "user",
    "demographics",
    "enrollment",
    "resource",
    "classResource",
    "courseResource",
    "category",
    "lineItem",
    "result",
)

# The category of lineItems whose writer gave none (Microsoft's and Google's clients omit it).
DEFAULT_CATEGORY_ID = "openroster-default-category"

# demographics records share the sourcedId of the user they describe.
DEMOGRAPHICS_OWNER = "user"


def entity(name: str) -> Entity:
    return ENTITIES[name]


def _v11(e: Entity) -> Entity:
    return replace(e, fields=tuple(f for f in e.fields if f.since == "1.1"))


# Each entity as OneRoster 1.1 sees it: its 1.2 fields do not exist for 1.1 documents, queries and PUTs.
VIEWS_V11: Mapping[str, Entity] = MappingProxyType({name: _v11(e) for name, e in CSV_V11.items()})


def _without_secrets(e: Entity) -> Entity:
    return replace(e, fields=tuple(f for f in e.fields if not f.secret)) if e.secret_fields else e


# Each entity as a 1.1 client not allowed secret fields sees it: for filter, sort and fields, they do not exist.
PUBLIC_VIEWS: Mapping[str, Entity] = MappingProxyType(
    {name: _without_secrets(e) for name, e in VIEWS_V11.items()}
)


def by_csv_file(file_name: str) -> Entity | None:
    """The entity of a OneRoster 1.1 CSV file."""
    for e in CSV_V11.values():
        if e.csv_file == file_name:
            return e
    return None
