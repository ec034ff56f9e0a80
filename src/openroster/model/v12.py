"""The OneRoster 1.2 binding of the catalogue's records: its fields, enumerations and GUIDRef types.

A record is stored once, in the representation of model/catalogue.py: its 1.1 fields and what
only 1.2 holds (a user's preferred names, its role and profile records). Each 1.2 field says how
its value comes from that record (`Same`, `OrSourcedId`, `Renamed`, `RolesFromRoleAndOrgs`,
`SoleElement`, `StoredOr`, `NoSource`, after spec §3.8). The 1.2 renderer (render_v12.py), the
1.2 JSON Schema (schema_v12.py) and the 1.2 filter and sort compiler (store/compile_v12.py) all
read these declarations, and none decides anything of its own about what a 1.2 field holds.

sourcedId, status, dateLastModified and metadata are the record's, identical in both versions.
Entities without a declaration here (CSV-only associations) have no 1.2 document. Fields 1.2
brought (a lineItem's school, a result's textScore...) are stored beside the 1.1 ones
(catalogue.Entity.fields12) and are `Same` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from types import MappingProxyType

from openroster.model.catalogue import (
    CLASS_TYPE,
    ENTITIES,
    IMPORTANCE,
    LIST_KINDS,
    ORG_TYPE,
    ROLE_TYPE,
    SCORE_STATUS,
    SESSION_TYPE,
    STATUS,
    USER_ROLE,
    Entity,
    Kind,
)

# The service roots of OneRoster 1.2 (spec §1): each entity's GUIDRefs point under its service's.
ROSTERING_ROOT = "/ims/oneroster/rostering/v1p2"
RESOURCES_ROOT = "/ims/oneroster/resources/v1p2"
GRADEBOOK_ROOT = "/ims/oneroster/gradebook/v1p2"
SERVICE_ROOTS: Mapping[str, str] = MappingProxyType(
    {"rostering": ROSTERING_ROOT, "resources": RESOURCES_ROOT, "gradebook": GRADEBOOK_ROOT}
)
# What every 1.2 href starts with: absolute_hrefs_v12 splices the public base URL in front of it.
HREF_PREFIX = "/ims/oneroster/"

# --- 1.2 enumerations (spec §3.5); those of a user's roles are the catalogue's (USER_ROLE, ROLE_KIND).
ENROLLMENT_ROLE = ("administrator", "proctor", "student", "teacher")
_SEX = ENTITIES["demographics"].by_name["sex"]
SEX = _SEX.enum + _SEX.enum12

# The codeMinor tokens of 1.2's rostering and resources status payloads (spec §5.1).
CODE_MINOR = (
    "fullsuccess",
    "invalid_filter_field",
    "invalid_selection_field",
    "invaliddata",
    "unauthorisedrequest",
    "forbidden",
    "server_busy",
    "unknownobject",
    "internal_server_error",
)
# The gradebook's status payloads add these (spec §5.1): `unsupported` is its 405.
GRADEBOOK_CODE_MINOR = (*CODE_MINOR, "deletefailure", "invalid_sort_field", "unsupported")

# How a 1.1 administrator appears among 1.2's user roles, by the type of the org of the role (spec
# §3.8): 1.2 has no plain `administrator` user role.
DISTRICT_LEVEL_ORG_TYPES = ("district", "local", "state", "national")
DISTRICT_ADMINISTRATOR, SITE_ADMINISTRATOR = "districtAdministrator", "siteAdministrator"


def user_role(role: str, org_type: str | None) -> str:
    """The 1.2 user role of a 1.1 role held in an org of `org_type` (None: an org not stored)."""
    if role != "administrator":
        return role
    return DISTRICT_ADMINISTRATOR if org_type in DISTRICT_LEVEL_ORG_TYPES else SITE_ADMINISTRATOR


# --- How a 1.2 field's value comes from the stored (1.1) record.


@dataclass(frozen=True)
class Same:
    """The 1.1 field `field`, value for value."""

    field: str


@dataclass(frozen=True)
class OrSourcedId:
    """The 1.1 field `field` when the record has it, else the record's sourcedId.

    For fields 1.2 requires that 1.1 leaves optional (org.identifier, course.courseCode).
    """

    field: str


@dataclass(frozen=True)
class Renamed:
    """The 1.1 field `field`, with the tokens of `tokens` renamed (others as they are)."""

    field: str
    tokens: Mapping[str, str]


@dataclass(frozen=True)
class RolesFromRoleAndOrgs:
    """A user's roles[]: one entry per org of `orgs`, each the primary role there, with the
    record's `role` (an administrator mapped by the org's type, `user_role`)."""

    role: str = "role"
    orgs: str = "orgs"


@dataclass(frozen=True)
class SoleElement:
    """The only element of the 1.1 list `field`; absent when it has none or several."""

    field: str


@dataclass(frozen=True)
class StoredOr:
    """The record's own `field` (a field only 1.2 has, or a list derived from 1.2-only records)
    when it has a value; else `fallback`, from the 1.1 fields (a record from a 1.1 bundle)."""

    field: str
    fallback: RolesFromRoleAndOrgs | SoleElement


@dataclass(frozen=True)
class NoSource:
    """1.1 data holds nothing for this field: it is absent from documents rendered from it."""


Source = Same | OrSourcedId | Renamed | RolesFromRoleAndOrgs | SoleElement | StoredOr | NoSource


@dataclass(frozen=True)
class Field12:
    name: str
    kind: Kind
    source: Source
    required: bool = False
    enum: tuple[str, ...] = ()
    extensible: bool = False  # `ext:` tokens allowed besides `enum`
    ref: str | None = None  # the entity a GUIDRef points at; its name is the GUIDRef's `type`
    secret: bool = False  # as catalogue.Field.secret: served only to clients allowed it

    @property
    def is_list(self) -> bool:
        return self.kind in LIST_KINDS


def _f(
    name: str,
    kind: Kind = Kind.STRING,
    *,
    source: Source | None = None,
    required: bool = False,
    enum: tuple[str, ...] = (),
    ext: bool = False,
    ref: str | None = None,
    secret: bool = False,
) -> Field12:
    return Field12(name, kind, source or Same(name), required, enum, ext, ref, secret)


@dataclass(frozen=True)
class Entity12:
    """The 1.2 binding of one catalogue entity: same name, table, wrapper keys and paths."""

    name: str
    service: str  # rostering, resources or gradebook: where its endpoints and GUIDRefs live
    fields: tuple[Field12, ...]
    by_name: Mapping[str, Field12] = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", MappingProxyType({f.name: f for f in self.all_fields}))

    @property
    def all_fields(self) -> tuple[Field12, ...]:
        return BASE_FIELDS + self.fields

    @property
    def stored(self) -> Entity:
        """The catalogue entity whose records this binding renders."""
        return ENTITIES[self.name]

    @property
    def secret_fields(self) -> tuple[Field12, ...]:
        return tuple(f for f in self.fields if f.secret)


BASE_FIELDS = (
    _f("sourcedId", required=True),
    _f("status", Kind.ENUM, required=True, enum=STATUS),
    _f("dateLastModified", Kind.DATETIME, required=True),
)

_OTHER_ENROLLMENT_ROLES = {r: "ext:" + r for r in ROLE_TYPE if r not in ENROLLMENT_ROLE}

_ENTITIES: tuple[Entity12, ...] = (
    Entity12(
        "academicSession",
        "rostering",
        (
            _f("title", required=True),
            _f("startDate", Kind.DATE, required=True),
            _f("endDate", Kind.DATE, required=True),
            _f("type", Kind.ENUM, required=True, enum=SESSION_TYPE, ext=True),
            _f("parent", Kind.REF, ref="academicSession"),
            _f("children", Kind.REF_LIST, ref="academicSession"),
            _f("schoolYear", Kind.YEAR, required=True),
        ),
    ),
    Entity12(
        "class",
        "rostering",
        (
            _f("title", required=True),
            _f("classCode"),
            _f("classType", Kind.ENUM, enum=CLASS_TYPE, ext=True),
            _f("location"),
            _f("grades", Kind.STRING_LIST),
            _f("subjects", Kind.STRING_LIST),
            _f("course", Kind.REF, required=True, ref="course"),
            _f("school", Kind.REF, required=True, ref="org"),
            _f("terms", Kind.REF_LIST, required=True, ref="academicSession"),
            _f("subjectCodes", Kind.STRING_LIST),
            _f("periods", Kind.STRING_LIST),
            _f("resources", Kind.REF_LIST, ref="resource"),
        ),
    ),
    Entity12(
        "course",
        "rostering",
        (
            _f("title", required=True),
            _f("schoolYear", Kind.REF, ref="academicSession"),
            _f("courseCode", source=OrSourcedId("courseCode"), required=True),
            _f("grades", Kind.STRING_LIST),
            _f("subjects", Kind.STRING_LIST),
            _f("org", Kind.REF, ref="org"),
            _f("subjectCodes", Kind.STRING_LIST),
            _f("resources", Kind.REF_LIST, ref="resource"),
        ),
    ),
    # The 1.1 fields as they are, but for the extended vocabulary of sex.
    Entity12(
        "demographics",
        "rostering",
        tuple(
            _f("sex", Kind.ENUM, enum=SEX, ext=True) if f.name == "sex" else _f(f.name, f.kind)
            for f in ENTITIES["demographics"].fields
        ),
    ),
    Entity12(
        "enrollment",
        "rostering",
        (
            _f("user", Kind.REF, required=True, ref="user"),
            _f("class", Kind.REF, required=True, ref="class"),
            _f("school", Kind.REF, required=True, ref="org"),
            # 1.2 narrowed enrollment roles to four; 1.1's others become extension tokens.
            _f(
                "role",
                Kind.ENUM,
                source=Renamed("role", MappingProxyType(_OTHER_ENROLLMENT_ROLES)),
                required=True,
                enum=ENROLLMENT_ROLE,
                ext=True,
            ),
            _f("primary", Kind.BOOLEAN),
            _f("beginDate", Kind.DATE),
            _f("endDate", Kind.DATE),
        ),
    ),
    Entity12(
        "org",
        "rostering",
        (
            _f("name", required=True),
            _f("type", Kind.ENUM, required=True, enum=ORG_TYPE, ext=True),
            _f("identifier", source=OrSourcedId("identifier"), required=True),
            _f("parent", Kind.REF, ref="org"),
            _f("children", Kind.REF_LIST, ref="org"),
        ),
    ),
    Entity12(
        "resource",
        "resources",
        (
            _f("title"),
            _f("roles", Kind.ENUM_LIST, enum=ROLE_TYPE, ext=True),
            _f("importance", Kind.ENUM, enum=IMPORTANCE),
            _f("vendorResourceId", required=True),
            _f("vendorId"),
            _f("applicationId"),
        ),
    ),
    Entity12(
        "user",
        "rostering",
        (
            _f("userMasterIdentifier"),
            _f("username"),
            _f("userIds", Kind.USER_IDS),
            _f("enabledUser", Kind.BOOLEAN, required=True),
            _f("givenName", required=True),
            _f("familyName", required=True),
            _f("middleName"),
            _f("preferredFirstName"),
            _f("preferredMiddleName"),
            _f("preferredLastName"),
            _f("pronouns"),
            _f(
                "roles",
                Kind.ROLES,
                source=StoredOr("roles", RolesFromRoleAndOrgs()),
                required=True,
                enum=USER_ROLE,
                ext=True,
            ),
            _f("userProfiles", Kind.USER_PROFILES),
            _f("primaryOrg", Kind.REF, source=StoredOr("primaryOrg", SoleElement("orgs")), ref="org"),
            _f("identifier"),
            _f("email"),
            _f("sms"),
            _f("phone"),
            _f("agents", Kind.REF_LIST, ref="user"),
            _f("grades", Kind.STRING_LIST),
            _f("resources", Kind.REF_LIST, ref="resource"),
            _f("password", secret=True),  # last, as in 1.1 (render.with_secrets appends it)
        ),
    ),
)

_GRADEBOOK_ENTITIES = (
    Entity12("category", "gradebook", (_f("title", required=True), _f("weight", Kind.FLOAT))),
    Entity12(
        "lineItem",
        "gradebook",
        (
            _f("title", required=True),
            _f("description"),
            _f("assignDate", Kind.DATETIME, required=True),
            _f("dueDate", Kind.DATETIME, required=True),
            _f("class", Kind.REF, required=True, ref="class"),
            _f("school", Kind.REF, required=True, ref="org"),
            _f("category", Kind.REF, required=True, ref="category"),
            _f("gradingPeriod", Kind.REF, ref="academicSession"),
            # 1.2's name for the session a lineItem is graded in: the one 1.1 calls its gradingPeriod.
            _f("academicSession", Kind.REF, source=Same("gradingPeriod"), ref="academicSession"),
            _f("scoreScale", Kind.REF, ref="scoreScale"),
            _f("resultValueMin", Kind.FLOAT),
            _f("resultValueMax", Kind.FLOAT),
            _f("learningObjectiveSet", Kind.LEARNING_OBJECTIVES),
        ),
    ),
    Entity12(
        "result",
        "gradebook",
        (
            _f("lineItem", Kind.REF, required=True, ref="lineItem"),
            _f("student", Kind.REF, required=True, ref="user"),
            _f("class", Kind.REF, ref="class"),
            _f("scoreStatus", Kind.ENUM, required=True, enum=SCORE_STATUS, ext=True),
            _f("score", Kind.FLOAT),
            _f("textScore"),
            # An instant, as in 1.1 (catalogue): Google and Microsoft send date-times.
            _f("scoreDate", Kind.DATETIME, required=True),
            _f("comment"),
            _f("inProgress", Kind.BOOLEAN),
            _f("incomplete", Kind.BOOLEAN),
            _f("late", Kind.BOOLEAN),
            _f("missing", Kind.BOOLEAN),
            _f("scoreScale", Kind.REF, ref="scoreScale"),
            _f("learningObjectiveSet", Kind.LEARNING_OBJECTIVE_RESULTS),
        ),
    ),
    Entity12(
        "scoreScale",
        "gradebook",
        (
            _f("title", required=True),
            _f("type", required=True),
            _f("course", Kind.REF, ref="course"),
            _f("class", Kind.REF, required=True, ref="class"),
            _f("scoreScaleValue", Kind.SCORE_SCALE_VALUES, required=True),
        ),
    ),
    Entity12(
        "assessmentLineItem",
        "gradebook",
        tuple(
            _f(f.name, f.kind, required=f.required, ref=f.ref) for f in ENTITIES["assessmentLineItem"].fields
        ),
    ),
    Entity12(
        "assessmentResult",
        "gradebook",
        tuple(
            _f(f.name, f.kind, required=f.required, enum=f.enum, ext=bool(f.enum), ref=f.ref)
            for f in ENTITIES["assessmentResult"].fields
        ),
    ),
)
_ENTITIES += _GRADEBOOK_ENTITIES

ENTITIES_V12: Mapping[str, Entity12] = MappingProxyType({e.name: e for e in _ENTITIES})
# The entities of the gradebook service, whose documents PUT writes.
GRADEBOOK_V12 = tuple(e.name for e in _GRADEBOOK_ENTITIES)


def _without_secrets(e: Entity12) -> Entity12:
    return Entity12(e.name, e.service, tuple(f for f in e.fields if not f.secret))


# Each entity as a client not allowed secret fields sees it (as catalogue.PUBLIC_VIEWS).
PUBLIC_VIEWS_V12: Mapping[str, Entity12] = MappingProxyType(
    {name: _without_secrets(e) for name, e in ENTITIES_V12.items()}
)


def href_root(entity_name: str) -> str:
    """The 1.2 root GUIDRefs to records of `entity_name` point under."""
    return SERVICE_ROOTS[ENTITIES_V12[entity_name].service]


def _declarations_fit_the_catalogue() -> None:
    """Every `Same`-like source names a field of the stored entity, of a kind that fits."""
    for e in _ENTITIES:
        stored = {f.name: f for f in ENTITIES[e.name].every_field}
        for f in e.all_fields:
            src = f.source
            name = getattr(src, "field", None)
            if isinstance(src, Same | OrSourcedId | Renamed | SoleElement | StoredOr) and name not in stored:
                raise AssertionError(f"{e.name}.{f.name}: the catalogue has no field {name}")
            if isinstance(src, Same | StoredOr) and stored[src.field].kind is not f.kind:
                raise AssertionError(f"{e.name}.{f.name}: kind differs from the catalogue's")
            if f.ref is not None and f.ref not in _REF_TARGETS:
                raise AssertionError(f"{e.name}.{f.name}: no 1.2 binding of {f.ref}")
        if e.fields[-len(e.secret_fields) or len(e.fields) :] != e.secret_fields:
            raise AssertionError(f"{e.name}: secret fields must come last")


_REF_TARGETS = {e.name for e in _ENTITIES}
_declarations_fit_the_catalogue()
