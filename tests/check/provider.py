"""A small OneRoster 1.1 provider for the checker's tests: conforming as written; each subclass breaks one rule.

It is not openroster: it keeps a tiny district in memory and answers only what SDS, Grade Sync and Google
ask, so a test can change exactly one behaviour by overriding one method.
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote, urlencode

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openroster.check import CheckOptions, Credentials, Report, run_checks
from openroster.check.outcomes import Outcome
from tests.conftest import free_port

ROOT = "/ims/oneroster/v1p1"
CLIENT_ID, CLIENT_SECRET = "checker", "s3cret:with/odd chars"
MODIFIED = "2026-01-02T03:04:05.678Z"
NEWEST = "2026-01-03T00:00:00.000Z"  # one record changed later than the rest (the delta probe looks for it)
PAGE_SIZE = 3  # the district's 9 enrollments then take three pages

Record = dict[str, Any]
Answer = tuple[int, dict[str, str], Any]


def ref(kind: str, sid: str) -> dict[str, str]:
    return {"href": f"{ROOT}/{kind}s/{sid}", "sourcedId": sid, "type": kind}


def _base(sid: str, **fields: Any) -> Record:
    return {"sourcedId": sid, "status": "active", "dateLastModified": MODIFIED, "metadata": {}, **fields}


def district() -> dict[str, list[Record]]:
    """Two schools, a year with a term and a grading period, three classes, teachers, students, a guardian."""
    orgs = [
        _base("d1", name="District", type="district", identifier="D-1"),
        _base("s1", name="North School", type="school", identifier="S-1", parent=ref("org", "d1")),
        _base("s2", name="South School", type="school", identifier="S-2", parent=ref("org", "d1")),
    ]
    sessions = [
        _base("y1", title="2026", type="schoolYear", schoolYear="2026", startDate="2025-08-01", endDate="2026-06-30"),
        _base("t1", title="Fall", type="term", schoolYear="2026", startDate="2025-08-01", endDate="2025-12-20",
              parent=ref("academicSession", "y1")),
        _base("g1", title="Q1", type="gradingPeriod", schoolYear="2026", startDate="2025-08-01",
              endDate="2025-10-15", parent=ref("academicSession", "t1")),
    ]  # fmt: skip
    courses = [
        _base("c1", title="Algebra", org=ref("org", "s1")),
        _base("c2", title="Biology", org=ref("org", "s2")),
    ]
    term = [ref("academicSession", "t1")]
    classes = [
        _base("k1", title="Algebra 1", course=ref("course", "c1"), school=ref("org", "s1"), terms=term),
        _base("k2", title="Algebra 2", course=ref("course", "c1"), school=ref("org", "s1"), terms=term),
        _base("k3", title="Biology 1", course=ref("course", "c2"), school=ref("org", "s2"), terms=term),
    ]

    def user(sid: str, role: str, school: str, **extra: Any) -> Record:
        return _base(sid, username=sid, givenName=sid.upper(), familyName="Test", role=role,
                     identifier=f"ID-{sid}", orgs=[ref("org", school)], enabledUser="true", **extra)  # fmt: skip

    users = [
        user("u-t1", "teacher", "s1", email="t1@school.example"),
        user("u-t2", "teacher", "s2", email="t2@school.example"),
        user("u-s1", "student", "s1", agents=[ref("user", "u-g1")]),
        user("u-s2", "student", "s1"),
        user("u-s3", "student", "s2"),
        user("u-s4", "student", "s2", dateLastModified=NEWEST),
        user("u-g1", "guardian", "s1", agents=[ref("user", "u-s1")]),
    ]
    pairs = [
        ("k1", "u-t1", "teacher", "s1"),
        ("k2", "u-t1", "teacher", "s1"),
        ("k3", "u-t2", "teacher", "s2"),
        ("k1", "u-s1", "student", "s1"),
        ("k1", "u-s2", "student", "s1"),
        ("k2", "u-s2", "student", "s1"),
        ("k3", "u-s3", "student", "s2"),
        ("k3", "u-s4", "student", "s2"),
        ("k2", "u-s1", "student", "s1"),
    ]
    enrollments = [
        _base(f"e{n}", role=role, primary="false", user=ref("user", u), school=ref("org", s), **{"class": ref("class", k)})
        for n, (k, u, role, s) in enumerate(pairs, start=1)
    ]  # fmt: skip
    demographics = [_base(sid, sex="female", birthDate="2012-01-01") for sid in ("u-s1", "u-s2", "u-s3")]
    categories = [_base("cat1", title="Homework")]
    return {
        "orgs": orgs,
        "academicSessions": sessions,
        "courses": courses,
        "classes": classes,
        "users": users,
        "enrollments": enrollments,
        "demographics": demographics,
        "categories": categories,
        "lineItems": [],
        "results": [],
    }


# path segment -> (wrapper key of the collection, the key of one object, which records of it)
COLLECTIONS: dict[str, tuple[str, str, dict[str, str]]] = {
    "orgs": ("orgs", "org", {}),
    "schools": ("orgs", "org", {"type": "school"}),
    "academicsessions": ("academicSessions", "academicSession", {}),
    "terms": ("academicSessions", "academicSession", {"type": "term"}),
    "gradingperiods": ("academicSessions", "academicSession", {"type": "gradingPeriod"}),
    "courses": ("courses", "course", {}),
    "classes": ("classes", "class", {}),
    "users": ("users", "user", {}),
    "students": ("users", "user", {"role": "student"}),
    "teachers": ("users", "user", {"role": "teacher"}),
    "enrollments": ("enrollments", "enrollment", {}),
    "demographics": ("demographics", "demographics", {}),
    "categories": ("categories", "category", {}),
    "lineitems": ("lineItems", "lineItem", {}),
    "results": ("results", "result", {}),
}
PREDICATE = re.compile(r"(\w+)(>=|<=|!=|=|>|<)'(.*)'\Z")


def status_info(description: str, minor: str) -> dict[str, Any]:
    info = {"imsx_codeMajor": "failure", "imsx_severity": "error", "imsx_description": description}
    return {"statusInfoSet": [{**info, "imsx_codeMinor": minor}]}


def _sid(record: Record, name: str) -> str | None:
    """The sourcedId a GUIDRef field names (None when the field is not a GUIDRef)."""
    value = record.get(name)
    return str(value["sourcedId"]) if isinstance(value, dict) and "sourcedId" in value else None


def _moment(text: Any) -> datetime:
    """A dateLastModified as a moment; one that cannot be read is older than any filter asks for."""
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


class Provider:
    """The conforming provider. Override one method in a subclass to break one rule."""

    def __init__(self) -> None:
        self.data = district()
        self.tokens: set[str] = set()
        self.seen: list[str] = []  # "METHOD path?query" of every request, in order
        self.written: list[tuple[str, Any]] = []  # (path, document) of every PUT
        self.request = ("", "")  # method and URL of the request being answered (requests come one at a time)
        self.app = Starlette(
            routes=[
                Route("/oauth/token", self._token, methods=["POST"]),
                Route(ROOT + "/{rest:path}", self._api, methods=["GET", "PUT", "DELETE"]),
            ]
        )

    # The edges: token endpoint, credentials, headers --------------------------------------------------

    async def _token(self, request: Request) -> Response:
        form = dict(await request.form())
        self.seen.append(f"POST {request.url.path}")
        status, headers, body = self.token(
            request.headers.get("authorization", ""), {k: str(v) for k, v in form.items()}
        )
        return self.respond(status, headers, body)

    def token(self, authorization: str, form: dict[str, str]) -> Answer:
        """Client credentials by HTTP Basic (or in the body, as RFC 6749 allows); any scope or none."""
        pair = self.basic(authorization) or (form.get("client_id"), form.get("client_secret"))
        if form.get("grant_type") != "client_credentials":
            return 400, {}, {"error": "unsupported_grant_type"}
        if pair != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"www-authenticate": 'Basic realm="oneroster"'}, {"error": "invalid_client"}
        return 200, {}, {"access_token": self.issue(), "token_type": "bearer", "expires_in": 3600}

    @staticmethod
    def basic(authorization: str) -> tuple[str, str] | None:
        if not authorization.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        return unquote(user), unquote(password)

    def issue(self) -> str:
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return token

    def authorized(self, authorization: str) -> bool:
        return authorization.removeprefix("Bearer ") in self.tokens

    def unauthorized(self) -> Answer:
        headers = {"www-authenticate": 'Bearer realm="oneroster"'}
        return 401, headers, status_info("missing or unknown access token", "unauthorisedrequest")

    def now(self) -> float:
        return time.time()

    def content_type(self) -> str:
        return "application/json"

    def respond(self, status: int, headers: dict[str, str], body: Any) -> Response:
        raw = body if isinstance(body, bytes) else orjson.dumps(body) if body is not None else b""
        all_headers = {"date": formatdate(self.now(), usegmt=True), **headers}
        if raw:
            all_headers.setdefault("content-type", self.content_type())
        return Response(raw, status_code=status, headers=all_headers)

    # The API ------------------------------------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        body = await request.body()
        query = request.url.query
        self.seen.append(f"{request.method} {request.url.path}" + (f"?{query}" if query else ""))
        self.request = (request.method, str(request.url))
        if not self.authorized(request.headers.get("authorization", "")):
            return self.respond(*self.unauthorized())
        params = dict(request.query_params)
        segments = [s for s in request.path_params["rest"].split("/") if s]
        if request.method == "GET":
            answer = self.get(segments, params)
        elif request.method == "PUT":
            document = orjson.loads(body) if body else None
            self.written.append((request.url.path, document))
            answer = self.put(segments, document)
        else:
            answer = self.delete(segments)
        return self.respond(*answer)

    def not_found(self, what: str) -> Answer:
        return 404, {}, status_info(f"{what} not found", "unknownobject")

    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        name = segments[0].lower() if segments else ""
        if name not in COLLECTIONS or len(segments) > 5:
            return self.not_found("/" + "/".join(segments))
        key, single, where = COLLECTIONS[name]
        pool = [r for r in self.data[key] if all(r.get(f) == v for f, v in where.items())]
        path = ROOT + "/" + "/".join(segments)
        if len(segments) == 1:
            return self.collection(path, key, pool, params)
        found = next((r for r in pool if r.get("sourcedId") == segments[1]), None)
        if len(segments) == 2:
            if found is None:
                return self.not_found(f"{single} {segments[1]}")
            return 200, {"x-total-count": "1"}, {single: found}
        target = segments[2].lower()
        if target not in COLLECTIONS:
            return self.not_found("/" + "/".join(segments))
        related = self.related(name, segments[1], target, segments[3:])
        innermost = segments[-1].lower()  # /classes/k1/lineItems/li/results holds results
        wrapper = COLLECTIONS[innermost][0] if innermost in COLLECTIONS else COLLECTIONS[target][0]
        return self.collection(path, wrapper, related, params)

    def related(self, parent: str, sid: str, target: str, rest: list[str]) -> list[Record]:
        """The records under /parent/sid/target (unknown parents have none)."""
        d = self.data
        roles = {"students": "student", "teachers": "teacher"}
        enrolled = [e for e in d["enrollments"] if sid in (_sid(e, "class"), _sid(e, "user"))]
        if parent == "schools" and target == "classes":
            return [k for k in d["classes"] if _sid(k, "school") == sid]
        if parent == "schools" and target in roles:
            return [
                u for u in d["users"] if u["role"] == roles[target] and ref("org", sid) in u.get("orgs", [])
            ]
        if parent == "schools" and target == "enrollments":
            return [e for e in d["enrollments"] if _sid(e, "school") == sid]
        if parent == "classes" and target in roles and not rest:
            ids = {_sid(e, "user") for e in enrolled if e["role"] == roles[target]}
            return [u for u in d["users"] if u.get("sourcedId") in ids]
        if parent in roles and target == "classes":
            ids = {_sid(e, "class") for e in enrolled if _sid(e, "user") == sid}
            return [k for k in d["classes"] if k.get("sourcedId") in ids]
        if parent == "terms" and target == "gradingperiods":
            return [s for s in d["academicSessions"] if _sid(s, "parent") == sid]
        if parent == "classes" and target == "categories":
            return d["categories"]
        items = {li["sourcedId"] for li in d["lineItems"] if _sid(li, "class") == sid}
        if parent == "classes" and target == "lineitems" and not rest:
            return [li for li in d["lineItems"] if li["sourcedId"] in items]
        results = [r for r in d["results"] if _sid(r, "lineItem") in items]
        if parent == "classes" and target == "results":
            return results
        if parent == "classes" and target == "lineitems" and rest[1:] == ["results"]:
            return [r for r in results if _sid(r, "lineItem") == rest[0]]
        if parent == "classes" and target == "students" and rest[1:] == ["results"]:
            return [r for r in results if _sid(r, "student") == rest[0]]
        return []

    def matches(self, record: Record, term: str) -> bool:
        found = PREDICATE.match(term.strip())
        if found is None:
            return False
        field, op, value = found.groups()
        if field == "dateLastModified":
            moment, since = _moment(record.get(field)), _moment(value)
            return {">": moment > since, "<": moment < since}.get(op, moment == since)
        have = str(record.get(field, ""))
        return {"=": have == value, ">": have > value, "<": have < value, "!=": have != value}.get(op, False)

    def select(self, records: list[Record], params: dict[str, str]) -> list[Record]:
        """Filter (terms joined by AND), then sort by sourcedId: a stable order for offset paging."""
        terms = params["filter"].split(" AND ") if "filter" in params else []
        chosen = [r for r in records if all(self.matches(r, t) for t in terms)]
        return sorted(chosen, key=lambda r: str(r.get("sourcedId")))

    def page(self, records: list[Record], offset: int, limit: int) -> list[Record]:
        return records[offset : offset + limit]

    def total(self, matched: int, served: int) -> str | None:
        return str(matched)

    def link(self, path: str, params: dict[str, str], offset: int, limit: int, total: int) -> str | None:
        def at(where: int) -> str:
            return f"<{path}?{urlencode({**params, 'offset': str(where), 'limit': str(limit)})}>"

        last = max(0, (total - 1) // limit * limit)
        links = [f'{at(0)}; rel="first"', f'{at(last)}; rel="last"']
        if offset + limit < total:
            links.append(f'{at(offset + limit)}; rel="next"')
        if offset > 0:
            links.append(f'{at(max(0, offset - limit))}; rel="prev"')
        return ", ".join(links)

    def collection(self, path: str, key: str, records: list[Record], params: dict[str, str]) -> Answer:
        offset, limit = int(params.get("offset", "0")), int(params.get("limit", "100"))
        matched = self.select(records, params)
        served = self.page(matched, offset, limit)
        headers: dict[str, str] = {}
        total = self.total(len(matched), len(served))
        if total is not None:
            headers["x-total-count"] = total
        link = self.link(path, params, offset, limit, len(matched))
        if link:
            headers["link"] = link
        return 200, headers, self.wrap(key, served)

    def wrap(self, key: str, records: list[Record]) -> Any:
        return {key: records}

    # Writes -------------------------------------------------------------------------------------------

    def put(self, segments: list[str], document: Any) -> Answer:
        kinds = {"lineitems": ("lineItems", "lineItem"), "results": ("results", "result")}
        if len(segments) != 2 or segments[0].lower() not in kinds:
            return 405, {}, status_info("not writable", "invalid_data")
        key, single = kinds[segments[0].lower()]
        given = document.get(single) if isinstance(document, dict) else None
        if not isinstance(given, dict):
            return 400, {}, status_info(f"the body must hold {single}", "invalid_data")
        stored = {
            **deepcopy(given),
            "sourcedId": segments[1],
            "status": "active",
            "dateLastModified": MODIFIED,
        }
        existing = [r for r in self.data[key] if r["sourcedId"] == segments[1]]
        self.data[key] = [r for r in self.data[key] if r["sourcedId"] != segments[1]] + [
            self.store(single, stored)
        ]
        return (200 if existing else 201), {}, {single: stored}

    def store(self, single: str, record: Record) -> Record:
        return record

    def delete(self, segments: list[str]) -> Answer:
        kinds = {"lineitems": "lineItems", "results": "results"}
        key = kinds.get(segments[0].lower()) if len(segments) == 2 else None
        if key is None:
            return 405, {}, status_info("not deletable", "invalid_data")
        kept = [r for r in self.data[key] if r["sourcedId"] != segments[1]]
        if len(kept) == len(self.data[key]):
            return self.not_found(segments[1])
        self.data[key] = kept
        return 204, {}, None


def changed(
    key: str, sid: str, *, drop: tuple[str, ...] = (), to: Provider | None = None, **fields: Any
) -> Provider:
    """`to` (a conforming provider when not given) with one record of `key` changed: fields set, `drop` removed."""
    provider = to or Provider()
    record = next(r for r in provider.data[key] if r["sourcedId"] == sid)
    record.update(fields)
    for name in drop:
        del record[name]
    return provider


@contextmanager
def serving(provider: Provider) -> Iterator[str]:
    """Serve `provider` with uvicorn on a loopback port in a thread; yields its base URL (host only)."""
    port = free_port()
    config = uvicorn.Config(
        provider.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", date_header=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def run(
    provider: Provider,
    *profiles: str,
    writes: bool = False,
    page_size: int = PAGE_SIZE,
    credentials: Credentials | None = None,
    token_path: str | None = None,
    school: str | None = None,
    max_records: int | None = None,
    announce: Callable[[str], None] = lambda message: None,
) -> Report:
    """The checker's whole run against `provider`, served over real HTTP (`token_path` on the same host)."""
    with serving(provider) as url:
        given = credentials or Credentials(CLIENT_ID, CLIENT_SECRET)
        options = CheckOptions(
            url,
            replace(given, token_url=url + token_path) if token_path else given,
            profiles or ("sds",),
            school=school,
            page_size=page_size,
            max_records=max_records,
            writes=writes,
        )
        return run_checks(options, announce=announce)


def findings(report: Report) -> dict[str, Outcome]:
    """The checks that failed or warned, by id."""
    return {o.check.id: o for o in report.results() if o.status in ("fail", "warn")}


def observed(report: Report, check_id: str) -> list[str]:
    return [e.observed for e in report.outcomes.by_id[check_id].evidence]
