"""The soak's clients, each run in its own process: SDS-like walkers and a Teams Grade Sync-like writer.

Every client stops at the deadline (epoch seconds) and puts one result dict on its queue: latencies per
endpoint family, counts, errors and what its walks or writes saw. A 429 or 503 answer with Retry-After is
counted apart, waited out (at most 5 s) and the request sent again; any other non-2xx answer the client did
not expect (and any transport failure) is an error.
"""

from __future__ import annotations

import random
import resource
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

from benchmarks.soak_state import BY_KEY, SDS_COLLECTIONS, fingerprint, problem

PAGE = 10_000
ACTIVE = "status='active'"
ROOT = "/ims/oneroster/v1p1"


@dataclass
class Tally:
    """What one client measured."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    requests: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    throttled: dict[str, int] = field(default_factory=lambda: {"429": 0, "503": 0})
    records: int = 0

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(text)


class Client:
    """One API client over real HTTP: OAuth 2.0 bearer tokens (httpx) or OAuth 1.0a signatures (requests)."""

    def __init__(self, server: str, client_id: str, secret: str, *, oauth1: bool, deadline: float) -> None:
        self.server, self.deadline, self.tally = server, deadline, Tally()
        self.oauth1 = oauth1
        if oauth1:
            import requests
            from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
            from requests_oauthlib import OAuth1

            self.session = requests.Session()
            self.session.auth = OAuth1(client_id, secret, signature_method=SIGNATURE_HMAC_SHA256)
        else:
            self.http = httpx.Client(base_url=server, timeout=60)
            self.credentials = (client_id, secret)
            self.token = ""

    def _bearer(self) -> str:
        while not self.token:
            started = time.perf_counter()
            answer = self.http.post(
                "/oauth/token", auth=self.credentials, data={"grant_type": "client_credentials"}
            )
            self._count("token", answer.status_code, answer.headers, started)
            if answer.status_code == 200:
                self.token = answer.json()["access_token"]
            elif not self._throttled(answer.status_code, answer.headers):
                self.tally.error(f"POST /oauth/token: {answer.status_code} {answer.text[:200]}")
                time.sleep(1)
        return self.token

    def _count(self, family: str, status: int, headers: Any, started: float) -> None:
        self.tally.requests += 1
        self.tally.latencies.setdefault(family, []).append((time.perf_counter() - started) * 1000)

    def _throttled(self, status: int, headers: Any) -> bool:
        if status in (429, 503) and headers.get("Retry-After"):
            self.tally.throttled[str(status)] += 1
            time.sleep(min(5.0, float(headers["Retry-After"])))
            return True
        return False

    def send(
        self,
        family: str,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        body: Any = None,
        expect: tuple[int, ...] = (200,),
    ) -> tuple[int, dict[str, str], Any] | None:
        """(status, headers, parsed body) of an expected answer; None after an error or at the deadline."""
        url = ROOT + path + ("?" + urlencode(params) if params else "")
        while time.time() < self.deadline:
            started = time.perf_counter()
            try:
                if self.oauth1:
                    answer: Any = self.session.request(method, self.server + url, json=body, timeout=60)
                    status, content = answer.status_code, answer.content
                else:
                    answer = self.http.request(
                        method, url, json=body, headers={"Authorization": f"Bearer {self._bearer()}"}
                    )
                    status, content = answer.status_code, answer.content
            except Exception as exc:  # a transport failure is an error of the soak, not of the client
                self._count(family, 0, {}, started)
                self.tally.error(f"{method} {url}: {type(exc).__name__}: {exc}")
                return None
            self._count(family, status, answer.headers, started)
            if status == 401 and not self.oauth1:
                self.token = ""
                continue
            if self._throttled(status, answer.headers):
                continue
            if status not in expect:
                self.tally.error(f"{method} {url}: {status} {content[:200]!r}")
                return None
            return status, dict(answer.headers), orjson.loads(content) if content else None
        return None


def walk(
    client: Client,
    key: str,
    path: str,
    params: dict[str, str],
    family: str,
    *,
    after: str = "",
    keep: list[dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """All pages of one collection walk; what it saw (None if it did not finish).

    `after`: a delta's moment; records not modified after it are counted as `stale`. `keep` collects each
    record's sourcedId and plain strings (enough to compare with the bundle's CSV)."""
    entity = BY_KEY[key]
    ids: set[str] = set()
    revisions: set[int] = set()
    count = total = duplicates = invalid = stale = 0
    digest = 0
    prints: list[int] = []
    invalid_samples: list[str] = []
    pages: list[dict[str, Any]] = []  # what each page was, kept if the walk saw a record twice
    doubled: list[str] = []
    offset = 0
    while True:
        answer = client.send(family, "GET", path, {**params, "limit": str(PAGE), "offset": str(offset)})
        if answer is None:
            return None
        _, headers, body = answer
        revisions.add(int(headers["x-data-revision"]))
        total = int(headers["x-total-count"])
        records = body[key]
        pages.append(
            {
                "offset": offset,
                "revision": int(headers["x-data-revision"]),
                "total": total,
                "first": records[0].get("sourcedId") if records else None,
                "last": records[-1].get("sourcedId") if records else None,
                "records": len(records),
                "request id": headers.get("x-request-id"),
            }
        )
        for record in records:
            sid = record.get("sourcedId")
            if sid in ids:
                duplicates += 1
                if len(doubled) < 5:
                    doubled.append(sid)
            ids.add(sid)
            why = problem(entity, record)
            if why is not None:
                invalid += 1
                if len(invalid_samples) < 5:
                    invalid_samples.append(f"{key} {sid}: {why}")
            if after and not str(record.get("dateLastModified", "")) > after:
                stale += 1
            if keep is not None:
                keep.append({k: v for k, v in record.items() if isinstance(v, str)})
            p = fingerprint(record)
            prints.append(p)
            digest = (digest + p) % 2**64
            count += 1
        client.tally.records += len(body[key])
        offset += PAGE
        if offset >= total:
            break
    return {
        "collection": key,
        "family": family,
        "revisions": sorted(revisions),
        "records": count,
        "total": total,
        "duplicates": duplicates,
        "invalid": invalid,
        "stale": stale,
        "invalid_samples": invalid_samples,
        # A walk that saw a record twice: its pages and the records, to find where it went wrong.
        "duplicate_sample": {"records": doubled, "pages": pages} if duplicates else None,
        "digest": [count, digest],
        "prints": prints,
        "ids": ids,
    }


def walker(
    server: str, client_id: str, secret: str, oauth1: bool, deadline: float, states: list[Any], queue: Any
) -> None:
    """SDS: full pulls of every collection (status='active', pages of 10,000), each followed by a delta."""
    client = Client(server, client_id, secret, oauth1=oauth1, deadline=deadline)
    known = set().union(*(s.prints[k] for s in states for k in s.prints))
    walks: list[dict[str, Any]] = []
    since = time.time()
    while time.time() < deadline:
        pulled = time.time()
        for key, path in SDS_COLLECTIONS:
            seen = walk(client, key, path, {"filter": ACTIVE}, f"walk {path}")
            if seen is None:
                continue
            prints, seen["ids"] = seen.pop("prints"), None
            seen["matches"] = [s.label for s in states if s.digests.get(key) == tuple(seen["digest"])]
            seen["unknown"] = sum(1 for p in prints if p not in known)
            walks.append(seen)
        moment = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(since)) + f".{int(since * 1000) % 1000:03d}Z"
        for key, path in SDS_COLLECTIONS:
            seen = walk(
                client, key, path, {"filter": f"dateLastModified>'{moment}'"}, f"delta {path}", after=moment
            )
            if seen is not None:
                seen.pop("prints"), seen.pop("ids")
                seen["since"] = moment
                walks.append(seen)
        since = pulled
    for w in walks:
        w.pop("ids", None)
    queue.put(
        {
            "role": "oauth1 walker" if oauth1 else "walker",
            "tally": client.tally.__dict__,
            "walks": walks,
            "cpu": _cpu(),
        }
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def writer(
    server: str,
    client_id: str,
    secret: str,
    number: int,
    deadline: float,
    burst: int,
    pause: float,
    queue: Any,
) -> None:
    """Teams Grade Sync: lineItems and results PUT, re-read, listed under their class and DELETEd, in bursts."""
    client = Client(server, client_id, secret, oauth1=False, deadline=deadline)
    rng = random.Random(number)
    rooms: list[tuple[str, str, list[str]]] = []  # (class, term, students)
    # the first classes in sourcedId order are the first school's, whose enrollments bundle B leaves alone
    answer = client.send("gradebook read", "GET", "/classes", {"filter": ACTIVE, "limit": "40"})
    for klass in answer[2]["classes"] if answer else []:
        got = client.send("gradebook read", "GET", f"/classes/{klass['sourcedId']}/students", {"limit": "50"})
        if got and got[2]["users"]:
            rooms.append(
                (
                    klass["sourcedId"],
                    klass["terms"][0]["sourcedId"],
                    [u["sourcedId"] for u in got[2]["users"]],
                )
            )
    items: dict[str, dict[str, Any]] = {}  # live lineItem id -> {"title", "class", "students"}
    results: dict[str, dict[str, Any]] = {}  # live result id -> {"score", "lineItem"}
    deleted: list[str] = []
    writes = mismatches = 0
    mismatch_samples: list[str] = []
    serial = 0

    def check(path: str, key: str, want: dict[str, Any]) -> None:
        nonlocal mismatches
        got = client.send("gradebook read", "GET", path)
        if got is not None and any(got[2][key].get(k) != v for k, v in want.items()):
            mismatches += 1
            if len(mismatch_samples) < 10:
                mismatch_samples.append(f"{path}: wanted {want}, got {got[2][key]}")

    while rooms and time.time() < deadline:
        for _ in range(burst):
            serial += 1
            roll = rng.random()
            if not items or roll < 0.25:
                cid, term, students = rng.choice(rooms)
                sid = f"soak-w{number}-li-{serial}"
                title = f"Soak assignment {serial}"
                put = client.send(
                    "gradebook put",
                    "PUT",
                    f"/lineItems/{sid}",
                    body={
                        "lineItem": {
                            "sourcedId": sid,
                            "title": title,
                            "assignDate": "2026-01-05T08:00:00Z",
                            "dueDate": "2026-01-12T23:00:00Z",
                            "resultValueMin": 0.0,
                            "resultValueMax": 100.0,
                            "class": {"sourcedId": cid, "type": "class"},
                            "gradingPeriod": {"sourcedId": term, "type": "academicSession"},
                        }
                    },
                    expect=(201,),
                )
                if put:
                    writes += 1
                    items[sid] = {"title": title, "class": cid, "students": students}
                    check(f"/lineItems/{sid}", "lineItem", {"title": title})
                    client.send(
                        "gradebook read", "GET", f"/classes/{cid}/lineItems", {"filter": f"sourcedId='{sid}'"}
                    )
            elif roll < 0.75:
                li = rng.choice(list(items))
                student = rng.choice(items[li]["students"])
                rid = f"soak-w{number}-r-{li.rsplit('-', 1)[1]}-{student}"
                score = float(rng.randint(0, 100))
                put = client.send(
                    "gradebook put",
                    "PUT",
                    f"/results/{rid}",
                    body={
                        "result": {
                            "sourcedId": rid,
                            "score": score,
                            "scoreStatus": "fully graded",
                            "scoreDate": "2026-01-13T08:00:00Z",
                            "lineItem": {"sourcedId": li},
                            "student": {"sourcedId": student},
                        }
                    },
                    expect=(200, 201),
                )
                if put:
                    writes += 1
                    results[rid] = {"score": score, "lineItem": li}
                    check(f"/results/{rid}", "result", {"score": score})
            elif roll < 0.9 and results:
                rid = rng.choice(list(results))
                if client.send("gradebook delete", "DELETE", f"/results/{rid}", expect=(204,)):
                    writes += 1
                    del results[rid]
                    deleted.append(rid)
                    client.send("gradebook read", "GET", f"/results/{rid}", expect=(404,))
            else:
                li = rng.choice(list(items))
                doomed = [rid for rid, r in results.items() if r["lineItem"] == li]
                for rid in doomed:
                    if client.send("gradebook delete", "DELETE", f"/results/{rid}", expect=(204,)):
                        writes += 1
                        del results[rid]
                        deleted.append(rid)
                if client.send("gradebook delete", "DELETE", f"/lineItems/{li}", expect=(204,)):
                    writes += 1
                    del items[li]
                    deleted.append(li)
                    client.send("gradebook read", "GET", f"/lineItems/{li}", expect=(404,))
        time.sleep(max(0.0, min(pause, deadline - time.time())))
    if not rooms:
        client.tally.error("the writer found no class with students")
    queue.put(
        {
            "role": "writer",
            "tally": client.tally.__dict__,
            "writes": writes,
            "mismatches": mismatches,
            "mismatch_samples": mismatch_samples,
            "cpu": _cpu(),
            "lineItems": {k: v["title"] for k, v in items.items()},
            "results": {k: v["score"] for k, v in results.items()},
            "deleted": deleted,
        }
    )
