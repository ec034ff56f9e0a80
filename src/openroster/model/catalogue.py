"""The one declaration of the stored OneRoster data model: entities, fields, enumerations, references.

The model is 1.1's, with what 1.2 brought to it: fields only 1.2 has (`Entity.fields12`: a
lineItem's school, a result's textScore, a user's pronouns...) and entities of their own
(`Entity.since = "1.2"`: scoreScales, the assessment results profile's, and the role, profile,
user-resource and gradebook link records of 1.2.1 bundles). How 1.2 serves these records is declared beside it,
in model/v12.py, and the CSV files of each bundle version in model/csv_binding.py.

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

# --- 1.2 enumerations of what only 1.2 holds (spec §3.5): a user's roles.
USER_ROLE = (
    "aide",
    "counselor",
    "districtAdministrator",
    "guardian",
    "parent",
    "principal",
    "proctor",
    "relative",
    "siteAdministrator",
    "student",
    "systemAdministrator",
    "teacher",
)
ROLE_KIND = ("primary", "secondary")  # roles[].roleType
OBJECTIVE_SOURCE = ("case", "unknown")  # learningObjectiveSet[].source (extensible)
# The vocabularies 1.2 lets a deployment extend take tokens of this form too (spec §3.5).
EXT_PATTERN = r"^ext:[a-zA-Z0-9.\-_]+$"


@dataclass(frozen=True)
class Derived:
    """A list computed from other records: those of `source` whose `via` field names the owner.

    `value` is the field of the source record listed (None: the source record's sourcedId);
    `whole` lists the source records themselves (a user's roles[] are its role records).
    Example: an org's `children` are the orgs whose `parent` is that org.
    """

    source: str
    via: str
    value: str | None = None
    whole: bool = False


@dataclass(frozen=True)
class Links:
    """A stored 1.2 field a 1.2.1 bundle gives as rows of a link file: the records of `source`
    whose `via` field names the owner (model/links.py turns them into the value and back).

    Example: a lineItem's `scoreScale` is its first active row of lineItemScoreScales.csv.
    """

    source: str
    via: str


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
    csv12: str | None = None  # the column in a 1.2.1 bundle (None: not in its file)
    ext: bool = False  # `ext:` extension tokens are accepted besides `enum`
    # When a write leaves this REF out: the same field of the record `fallback` names (a 1.2
    # lineItem's school is its class's school); filled in by the store (store/fallbacks.py).
    fallback: str | None = None
    # (CSV token, stored token) pairs of a CSV view whose tokens differ from the store's (csv_binding).
    read_as: tuple[tuple[str, str], ...] = ()
    # Tokens only 1.2 has: stored and shown in 1.2; 1.1 documents, filters and bundles see no value.
    enum12: tuple[str, ...] = ()
    links: Links | None = None  # the link records a 1.2.1 bundle gives this field's value in

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
    csv12: str | None | bool = True,
    ext: bool = False,
    fallback: str | None = None,
    enum12: tuple[str, ...] = (),
    links: Links | None = None,
) -> Field:
    """`csv` names the 1.1 CSV column, `csv12` the 1.2.1 one: True derives it from the field's name
    (`<name>SourcedId` for a GUIDRef), False leaves the field out of that version's file."""
    csv_name = _column(name, kind) if csv is True else csv or None
    csv12_name = _column(name, kind) if csv12 is True else csv12 or None
    if derived is not None:
        csv_name = csv12_name = None
    return Field(
        name,
        kind,
        required,
        enum,
        ref,
        csv_name,
        derived,
        indexed,
        secret,
        csv12_name,
        ext,
        fallback=fallback,
        enum12=enum12,
        links=links,
    )


def _column(name: str, kind: Kind) -> str:
    if kind is Kind.REF:
        return f"{name}SourcedId"
    if kind is Kind.REF_LIST:
        return f"{name[:-1] if name.endswith('s') else name}SourcedIds"
    return name


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
    # Fields only OneRoster 1.2 has: stored and in 1.2 documents and bundles, never in 1.1's.
    fields12: tuple[Field, ...] = ()
    since: str = "1.1"  # "1.2": an entity 1.1 has not (no 1.1 endpoints, not in 1.1 CSV bundles)
    by_name: Mapping[str, Field] = dc_field(init=False, repr=False, compare=False)  # the 1.1 fields
    _every: Mapping[str, Field] = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", MappingProxyType({f.name: f for f in self.all_fields}))
        object.__setattr__(self, "_every", MappingProxyType({f.name: f for f in self.every_field}))

    def field(self, name: str) -> Field:
        """The field `name` of this entity's records, 1.2-only fields included."""
        return self._every[name]

    def has_field(self, name: str) -> bool:
        """Whether this entity's records have a field `name`, 1.2-only fields included."""
        return name in self._every

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return BASE_FIELDS + self.fields

    @property
    def every_field(self) -> tuple[Field, ...]:
        """The 1.1 fields, then those only 1.2 has."""
        return self.all_fields + self.fields12

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        """Fields held by this entity's own rows (derived lists are computed from others)."""
        return tuple(f for f in self.every_field if f.derived is None)

    @property
    def csv_fields(self) -> tuple[Field, ...]:
        """The columns of the entity's OneRoster 1.1 CSV file."""
        return tuple(f for f in self.all_fields if f.csv is not None)

    @property
    def secret_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.secret)


def _linked(owner: str, objectives: Kind) -> tuple[Field, Field]:
    """A lineItem's (a result's) 1.2 scoreScale and learningObjectiveSet, which a 1.2.1 bundle gives
    in link files (`_score_scale_links`, `_objective_links`), not in the owner's own file."""
    return (
        _f(
            "scoreScale",
            Kind.REF,
            ref="scoreScale",
            csv=False,
            csv12=False,
            links=Links(f"{owner}ScoreScale", owner),
        ),
        _f(
            "learningObjectiveSet",
            objectives,
            csv=False,
            csv12=False,
            links=Links(f"{owner}LearningObjectiveId", owner),
        ),
    )


def _link_file(name: str, fields: tuple[Field, ...]) -> Entity:
    """The records of one of 1.2.1's gradebook link files: one row per link, each with its own
    sourcedId and status (a delta can delete one link); no endpoints of their own."""
    plural = f"{name}s"
    return Entity(
        name, plural, name, _snake(plural), f"{plural}.csv", plural, fields, association=True, since="1.2"
    )


def _score_scale_links(owner: str) -> Entity:
    """lineItemScoreScales.csv / resultScoreScales.csv: the owner's 1.2 scoreScale."""
    return _link_file(
        f"{owner}ScoreScale",
        (
            _f("title"),
            _f(owner, Kind.REF, required=True, ref=owner),
            _f("scoreScale", Kind.REF, required=True, ref="scoreScale"),
        ),
    )


def _objective_links(owner: str, *extra: Field) -> Entity:
    """lineItemLearningObjectiveIds.csv / resultLearningObjectiveIds.csv: the owner's 1.2
    learningObjectiveSet, one objective a row."""
    return _link_file(
        f"{owner}LearningObjectiveId",
        (
            _f(owner, Kind.REF, required=True, ref=owner),
            _f("source", Kind.ENUM, required=True, enum=OBJECTIVE_SOURCE, ext=True),
            _f("learningObjectiveId", required=True),
            *extra,
        ),
    )


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
        (_f("title", required=True),),
        fields12=(_f("weight", Kind.FLOAT, csv=False),),
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
            _f("sex", Kind.ENUM, enum=GENDER, enum12=("unspecified", "other")),
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
            # 1.2.1's lineItems.csv names the column academicSessionSourcedId.
            _f(
                "gradingPeriod",
                Kind.REF,
                required=True,
                ref="academicSession",
                csv12="academicSessionSourcedId",
            ),
            _f("resultValueMin", Kind.FLOAT, required=True),
            _f("resultValueMax", Kind.FLOAT, required=True),
        ),
        fields12=(
            _f("school", Kind.REF, ref="org", csv=False, fallback="class"),
            *_linked("lineItem", Kind.LEARNING_OBJECTIVES),
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
        ),
        fields12=(
            _f("textScore", csv=False),
            _f("class", Kind.REF, ref="class", csv=False, fallback="lineItem"),
            _f("inProgress", Kind.BOOLEAN, csv=False),
            _f("incomplete", Kind.BOOLEAN, csv=False),
            _f("late", Kind.BOOLEAN, csv=False),
            _f("missing", Kind.BOOLEAN, csv=False),
            *_linked("result", Kind.LEARNING_OBJECTIVE_RESULTS),
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
            _f("title", required=True),
            _f("type", required=True),  # free text: "letter", "numeric"...
            # The CSV's orgSourcedId (REST has none): the school of its class unless given.
            _f("school", Kind.REF, ref="org", csv12="orgSourcedId", fallback="class"),
            _f("course", Kind.REF, ref="course"),
            _f("class", Kind.REF, required=True, ref="class"),
            _f("scoreScaleValue", Kind.SCORE_SCALE_VALUES, required=True),
        ),
        since="1.2",
    ),
    # The link files of a 1.2.1 bundle's gradebook: one row per link, each with its own sourcedId
    # and status, shown as the 1.2 scoreScale and learningObjectiveSet of their lineItem or result.
    _score_scale_links("lineItem"),
    _score_scale_links("result"),
    _objective_links("lineItem"),
    _objective_links("result", _f("score", Kind.FLOAT), _f("textScore")),
    # The Assessment Results Profile (1.2 only; no CSV file in 1.2.1).
    Entity(
        "assessmentLineItem",
        "assessmentLineItems",
        "assessmentLineItem",
        "assessment_line_items",
        "",
        "assessmentLineItems",
        (
            _f("title", required=True),
            _f("description"),
            _f("class", Kind.REF, ref="class"),
            _f("parentAssessmentLineItem", Kind.REF, ref="assessmentLineItem"),
            _f("scoreScale", Kind.REF, ref="scoreScale"),
            _f("resultValueMin", Kind.FLOAT),
            _f("resultValueMax", Kind.FLOAT),
            _f("learningObjectiveSet", Kind.LEARNING_OBJECTIVES, csv=False, csv12=False),
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
            _f("assessmentLineItem", Kind.REF, required=True, ref="assessmentLineItem"),
            _f("student", Kind.REF, required=True, ref="user"),
            _f("scoreDate", Kind.DATETIME, required=True),  # an instant, as a result's
            _f("scoreStatus", Kind.ENUM, required=True, enum=SCORE_STATUS),
            _f("score", Kind.FLOAT),
            _f("textScore"),
            _f("scoreScale", Kind.REF, ref="scoreScale"),
            _f("scorePercentile", Kind.FLOAT),
            _f("comment"),
            _f("inProgress", Kind.BOOLEAN),
            _f("incomplete", Kind.BOOLEAN),
            _f("late", Kind.BOOLEAN),
            _f("missing", Kind.BOOLEAN),
            _f("learningObjectiveSet", Kind.LEARNING_OBJECTIVE_RESULTS, csv=False, csv12=False),
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
            # A 1.2.1 bundle gives these in roles.csv (model/roles.py derives them from it).
            _f("orgs", Kind.REF_LIST, required=True, ref="org", csv12=False),
            _f("role", Kind.ENUM, required=True, enum=ROLE_TYPE, csv12=False),
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
        fields12=(
            _f("userMasterIdentifier", csv=False),
            _f("preferredFirstName", csv=False, csv12="preferredGivenName"),
            _f("preferredMiddleName", csv=False),
            _f("preferredLastName", csv=False, csv12="preferredFamilyName"),
            _f("primaryOrg", Kind.REF, ref="org", csv=False),
            _f("pronouns", csv=False),
            _f("roles", Kind.ROLES, derived=Derived("role", "user", whole=True)),
            _f("userProfiles", Kind.USER_PROFILES, derived=Derived("userProfile", "user", whole=True)),
            _f(
                "resources",
                Kind.REF_LIST,
                ref="resource",
                derived=Derived("userResource", "user", "resource"),
            ),
        ),
    ),
    # A user's role in one org (roles.csv of a 1.2.1 bundle), shown as an entry of its roles[].
    Entity(
        "role",
        "roles",
        "role",
        "roles",
        "roles.csv",
        "roles",
        (
            _f("user", Kind.REF, required=True, ref="user"),
            _f("roleType", Kind.ENUM, required=True, enum=ROLE_KIND),
            _f("role", Kind.ENUM, required=True, enum=USER_ROLE, ext=True),
            _f("beginDate", Kind.DATE),
            _f("endDate", Kind.DATE),
            _f("org", Kind.REF, required=True, ref="org"),
            _f("userProfile", Kind.REF, ref="userProfile"),
        ),
        association=True,
        since="1.2",
    ),
    # A resource a user may use (userResources.csv), listed among the user's 1.2 resources.
    Entity(
        "userResource",
        "userResources",
        "userResource",
        "user_resources",
        "userResources.csv",
        "userResources",
        (
            _f("user", Kind.REF, required=True, ref="user"),
            _f("org", Kind.REF, ref="org"),
            _f("class", Kind.REF, ref="class"),
            _f("resource", Kind.REF, required=True, ref="resource"),
        ),
        association=True,
        since="1.2",
    ),
    # One of a user's profiles with a system, with its one credential (userProfiles.csv).
    Entity(
        "userProfile",
        "userProfiles",
        "userProfile",
        "user_profiles",
        "userProfiles.csv",
        "userProfiles",
        (
            _f("user", Kind.REF, required=True, ref="user"),
            _f("profileType", required=True),
            _f("vendorId", required=True),
            _f("applicationId"),
            _f("description"),
            _f("credentialType", required=True),
            _f("username", required=True),
            _f("password", secret=True),
        ),
        association=True,
        since="1.2",
    ),
)

ENTITIES: Mapping[str, Entity] = MappingProxyType({e.name: e for e in _ENTITIES})
# The entities OneRoster 1.1 has (its endpoints, documents, queries and bundles know no others).
ENTITIES_V11: Mapping[str, Entity] = MappingProxyType({e.name: e for e in _ENTITIES if e.since == "1.1"})

# Order in which CSV files are loaded so that every reference points backwards (spec §7.3).
LOAD_ORDER = (
    "org",
    "academicSession",
    "course",
    "class",
    "user",
    "userProfile",
    "role",
    "demographics",
    "enrollment",
    "resource",
    "classResource",
    "courseResource",
    "userResource",
    "scoreScale",
    "category",
    "lineItem",
    "lineItemScoreScale",
    "lineItemLearningObjectiveId",
    "result",
    "resultScoreScale",
    "resultLearningObjectiveId",
)

# The category of lineItems whose writer gave none (Microsoft's and Google's clients omit it).
DEFAULT_CATEGORY_ID = "openroster-default-category"

# demographics records share the sourcedId of the user they describe.
DEMOGRAPHICS_OWNER = "user"


def entity(name: str) -> Entity:
    return ENTITIES[name]


# Each entity with the fields only 1.2 has among its own: what a 1.2 write may set.
ENTITIES_WHOLE: Mapping[str, Entity] = MappingProxyType(
    {e.name: replace(e, fields=e.fields + e.fields12, fields12=()) for e in _ENTITIES}
)


def _without_secrets(e: Entity) -> Entity:
    return replace(e, fields=tuple(f for f in e.fields if not f.secret)) if e.secret_fields else e


# Each entity as a 1.1 client not allowed secret fields sees it: for filter, sort and fields, they do not exist.
PUBLIC_VIEWS: Mapping[str, Entity] = MappingProxyType(
    {name: _without_secrets(e) for name, e in ENTITIES_V11.items()}
)


def by_csv_file(file_name: str) -> Entity | None:
    """The entity of a OneRoster 1.1 CSV file."""
    for e in ENTITIES_V11.values():
        if e.csv_file == file_name:
            return e
    return None
