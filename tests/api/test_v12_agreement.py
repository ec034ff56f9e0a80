"""The same district read through 1.1 and 1.2 agrees, record by record and field by field.

Every read both versions have is walked on the demo district (loaded from a 1.1 bundle) and on
the district of a 1.2.1 bundle (tests/ingest/bundle12.py); each 1.2 field is checked against
the 1.1 document by its declared derivation (model/v12.py): `Same` fields are equal (GUIDRefs by
sourcedId and type, the hrefs differing only by root), `OrSourcedId` fields equal the 1.1 value
or the sourcedId, renamed tokens map. A 1.1 user's roles[] are its 1.1 role in each of its orgs;
a 1.2.1 user's 1.1 orgs are the orgs of its roles and its 1.1 role that of its primary role in
its primaryOrg (or its first primary role), in 1.1's tokens. Every 1.1 field is accounted for in 1.2.
Fields only 1.2 has (a lineItem's school, a result's class) are absent from 1.1 and, where they
follow another record, hold that record's value.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from openroster.api.endpoints import GRADEBOOK, RESOURCES, ROSTERING, Endpoint
from openroster.model.catalogue import ENTITIES, ENTITIES_V11, Kind
from openroster.model.v12 import (
    ENTITIES_V12,
    Field12,
    NoSource,
    OrSourcedId,
    Renamed,
    RolesFromRoleAndOrgs,
    Same,
    SoleElement,
    StoredOr,
    href_root,
    user_role,
)
from openroster.store.restrictions import Match
from tests.ingest.bundle12 import ROWS

V11 = "/ims/oneroster/v1p1"
ORIGIN = "https://sis.example.org"


def _ref(value: dict[str, str]) -> tuple[str, str]:
    return value["sourcedId"], value["type"]


def _same(one: Any, two: Any) -> bool:
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_same(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and "href" in one:
        return _ref(one) == _ref(two)
    return bool(one == two)


# The 1.1 role a 1.2 user role is read as (written out here, apart from the code that maps them).
AS_1_1 = {
    "principal": "administrator",
    "districtAdministrator": "administrator",
    "siteAdministrator": "administrator",
    "systemAdministrator": "administrator",
    "counselor": "administrator",
    "ext:intern": "aide",
}


def _check_roles_of_records(doc11: dict[str, Any], doc12: dict[str, Any]) -> None:
    """A user whose roles are its own records (a 1.2.1 bundle's): 1.1 shows what they imply."""
    roles = doc12["roles"]
    orgs = [o["sourcedId"] for o in doc11["orgs"]]
    assert orgs == list(dict.fromkeys(r["org"]["sourcedId"] for r in roles)), doc11["sourcedId"]
    primary = [r for r in roles if r["roleType"] == "primary"]
    main_org = doc12.get("primaryOrg", {}).get("sourcedId")
    main = next((r for r in primary if r["org"]["sourcedId"] == main_org), primary[0])
    assert doc11["role"] == AS_1_1.get(main["role"], main["role"]), doc11["sourcedId"]


Lookup = dict[tuple[str, str], dict[str, Any]]  # (entity, sourcedId) -> its 1.1 document


def _check_record(
    name: str,
    doc11: dict[str, Any],
    doc12: dict[str, Any],
    org_types: dict[str, str],
    derived: bool,
    by_id: Lookup,
) -> None:
    """`derived`: the district came from a 1.1 bundle, so every 1.2-only value is derived."""
    entity = ENTITIES_V12[name]
    only_1_2 = {f.name for f in ENTITIES[name].fields12}
    explained: set[str] = {"metadata"}
    for field in entity.all_fields:
        src = field.source
        where = (name, doc11["sourcedId"], field.name)
        if isinstance(src, StoredOr) and not derived:
            if field.kind is Kind.ROLES:
                explained |= {"role", "orgs"}
                _check_roles_of_records(doc11, doc12)
            elif field.name in doc12:  # primaryOrg: one of the user's orgs
                assert doc12[field.name]["sourcedId"] in [o["sourcedId"] for o in doc11["orgs"]], where
            continue
        if isinstance(src, StoredOr):
            src = src.fallback
        if isinstance(src, Same) and src.field in only_1_2:
            assert src.field not in doc11, where
            stored = ENTITIES[name].field(src.field)
            if stored.fallback is not None:  # filled in from the record it follows
                via = ENTITIES[name].field(stored.fallback)
                assert via.ref is not None
                followed = by_id[(via.ref, doc11[via.name]["sourcedId"])]
                assert doc12[field.name]["sourcedId"] == followed[field.name]["sourcedId"], where
            else:
                # A field only 1.2 has (pronouns, userProfiles, a result's textScore): a 1.1
                # bundle gives none, and in 1.1 there is nothing to agree with.
                assert not derived or field.name not in doc12, where
            continue
        if isinstance(src, Same) and doc12.get(field.name) in ENTITIES[name].field(src.field).enum12:
            assert not derived and src.field not in doc11, where  # a token only 1.2 has (sex `other`)
            continue
        if isinstance(src, Same):
            explained.add(src.field)
            assert (src.field in doc11) == (field.name in doc12), where
            if field.name in doc12:
                assert _same(doc11[src.field], doc12[field.name]), where
                _check_hrefs(field, doc12[field.name])
        elif isinstance(src, OrSourcedId):
            explained.add(src.field)
            assert doc12[field.name] == doc11.get(src.field, doc11["sourcedId"]), where
        elif isinstance(src, Renamed):
            explained.add(src.field)
            assert doc12[field.name] == src.tokens.get(doc11[src.field], doc11[src.field]), where
        elif isinstance(src, SoleElement):
            orgs = [o["sourcedId"] for o in doc11[src.field]]
            assert (doc12[field.name]["sourcedId"] if field.name in doc12 else None) == (
                orgs[0] if len(orgs) == 1 else None
            ), where
        elif isinstance(src, RolesFromRoleAndOrgs):
            explained |= {src.role, src.orgs}
            expected = [
                ("primary", user_role(doc11[src.role], org_types[o["sourcedId"]]), o["sourcedId"])
                for o in doc11[src.orgs]
            ]
            assert [
                (r["roleType"], r["role"], r["org"]["sourcedId"]) for r in doc12[field.name]
            ] == expected, where
            _check_hrefs(field, [r["org"] for r in doc12[field.name]])
        else:
            assert isinstance(src, NoSource)
            assert field.name not in doc12, where
    assert set(doc11) <= explained, (name, doc11["sourcedId"], set(doc11) - explained)
    assert set(doc12) <= set(entity.by_name) | {"metadata"}


def _check_hrefs(field: Field12, value: Any) -> None:
    refs = value if isinstance(value, list) else [value]
    for ref in refs:
        if isinstance(ref, dict) and "href" in ref:
            assert ref["href"].startswith(ORIGIN + href_root(ref["type"]) + "/"), ref


def _paths(endpoint: Endpoint, ids: dict[str, list[str]]) -> list[str]:
    """The endpoint's paths for every record its path parameters may name."""
    params = re.findall(r"\{(\w+)\}", endpoint.path)
    paths = [endpoint.path]
    for param in params:
        choices = ids[param if param != "id" else endpoint.segments[0]]
        paths = [p.replace("{" + param + "}", value, 1) for p in paths for value in choices]
    return paths


def _all(api: TestClient, url: str) -> tuple[int, list[dict[str, Any]] | dict[str, Any]]:
    response = api.get(url, params={"limit": "10000"})  # singletons ignore it
    body = response.json()
    return response.status_code, next(iter(body.values())) if response.status_code == 200 else body


def test_every_record_agrees_between_1_1_and_1_2(demo_api: TestClient) -> None:
    seen: set[tuple[str, str]] = set()
    assert _walk(demo_api, derived=True, seen=seen) > 5000
    assert {"category", "lineItem", "result"} <= {entity for entity, _ in seen}


def test_every_record_of_a_1_2_1_bundle_agrees_between_1_1_and_1_2(bundle12_api: TestClient) -> None:
    seen: set[tuple[str, str]] = set()
    _walk(bundle12_api, derived=False, seen=seen)
    both = ENTITIES_V12.keys() & ENTITIES_V11.keys()  # scoreScales: 1.2 reads only
    assert seen == {
        (entity, row["sourcedId"]) for entity, rows in ROWS.items() if entity in both for row in rows
    }


def _walk(demo_api: TestClient, *, derived: bool, seen: set[tuple[str, str]] | None = None) -> int:
    """Compare every record of every read both versions have; returns how many were compared
    (and adds each record compared to `seen`)."""
    _, orgs = _all(demo_api, V11 + "/orgs")
    assert isinstance(orgs, list)
    org_types = {o["sourcedId"]: o["type"] for o in orgs}
    first = {}
    for collection in ("orgs", "schools", "classes", "courses", "terms", "students", "teachers", "users"):
        _, records = _all(demo_api, f"{V11}/{collection}")
        assert isinstance(records, list) and records
        first[collection] = [r["sourcedId"] for r in records[:2]]
    ids = {
        "school_id": first["schools"],
        "class_id": first["classes"],
        "course_id": first["courses"],
        "term_id": first["terms"],
        "student_id": first["students"],
        "teacher_id": first["teachers"],
        "user_id": first["users"][:1] + first["teachers"][:1],
    }
    compared = 0
    ids["li_id"] = [
        li["sourcedId"] for li in _all(demo_api, f"{V11}/classes/{ids['class_id'][0]}/lineItems")[1]
    ][:2]
    by_id: Lookup = {
        (entity, doc["sourcedId"]): doc
        for entity, collection in (("class", "classes"), ("lineItem", "lineItems"))
        for doc in _all(demo_api, f"{V11}/{collection}")[1]
    }
    gradebook_reads = [e for e in GRADEBOOK if e.method == "GET"]
    for endpoint in ROSTERING + RESOURCES + tuple(gradebook_reads):
        collection_ids = _first_ids(demo_api, endpoint)
        for path in _paths(endpoint, {**ids, endpoint.segments[0]: collection_ids}):
            status11, body11 = _all(demo_api, V11 + path)
            root12 = href_root(endpoint.entity_name)
            status12, body12 = _all(demo_api, root12 + path)
            assert status11 == status12 == 200, (path, status11, status12)
            docs11 = body11 if isinstance(body11, list) else [body11]
            docs12 = body12 if isinstance(body12, list) else [body12]
            for doc11, doc12 in _pairs(endpoint, docs11, docs12, derived, path):
                _check_record(endpoint.entity_name, doc11, doc12, org_types, derived, by_id)
                compared += 1
                if seen is not None:
                    seen.add((endpoint.entity_name, doc11["sourcedId"]))
    return compared


def _pairs(
    endpoint: Endpoint, docs11: list[dict[str, Any]], docs12: list[dict[str, Any]], derived: bool, path: str
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The records both versions list, paired. Both list the same ones, but 1.2's /teachers (and
    the other reads of users by role) list every user with such a role entry, where 1.1 lists
    those whose (primary) 1.1 role it is: for a 1.2.1 user with a secondary role, 1.2 lists more."""
    ids11, ids12 = [d["sourcedId"] for d in docs11], [d["sourcedId"] for d in docs12]
    role = next((m.value for m in endpoint.restriction if isinstance(m, Match) and m.field == "role"), None)
    if derived or endpoint.entity_name != "user" or role is None:
        assert ids11 == ids12, path
        return list(zip(docs11, docs12))
    assert ids11 == [i for i in ids12 if i in set(ids11)], path
    by_id = {d["sourcedId"]: d for d in docs12}
    for extra in set(ids12) - set(ids11):
        assert role in [r["role"] for r in by_id[extra]["roles"]], (path, extra)
    return [(doc, by_id[doc["sourcedId"]]) for doc in docs11]


def _first_ids(api: TestClient, endpoint: Endpoint) -> list[str]:
    """Ids of the first records of a single-object endpoint's collection (all of `/demographics`' first)."""
    if endpoint.collection:
        return []
    _, records = _all(api, V11 + "/" + endpoint.segments[0])
    assert isinstance(records, list) and records, endpoint.path
    return [r["sourcedId"] for r in records[:3]]
