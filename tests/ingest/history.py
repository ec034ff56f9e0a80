"""A store with a history (imports, gradebook PUTs and DELETEs), and everything a client can pull from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.api.endpoints import ENDPOINTS
from openroster.ingest.demo import generate_demo
from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from tests.conftest import BASE, client_for, load

FIRST_IMPORT = 1_767_000_000_000  # 2025-12-29T09:20:00Z
DELTA_IMPORT = FIRST_IMPORT + 86_400_000
BULK_IMPORT = DELTA_IMPORT + 86_400_000
SINCE = "2025-12-30T00:00:00.000Z"  # between the first import and the delta

COLLECTIONS = sorted(e.path for e in ENDPOINTS if e.method == "GET" and e.collection and "{" not in e.path)
QUERIES = {
    "full": "limit=10000",
    "tombstones": "limit=10000&filter=status%3D%27tobedeleted%27",
    "delta": f"limit=10000&filter=dateLastModified%3E%27{SINCE}%27",
}


def history_store(tmp_path: Path, backend: str) -> sa.Engine:
    """The demo district after a delta import, a bulk import and gradebook writes and deletes."""
    demo = generate_demo(schools=3, students=120, seed=3)
    engine = load(tmp_path, demo, at_ms=FIRST_IMPORT, backend=backend)
    student = next(u for u in demo["user"] if u["role"] == "student")
    delta = {
        "user": [{**student, "givenName": "Renamed"}],
        "enrollment": [{**demo["enrollment"][0], "status": "tobedeleted"}],
    }
    write_bundle(tmp_path / "delta", delta, mode="delta")
    import_bundle(engine, tmp_path / "delta", at_ms=DELTA_IMPORT)
    write_bundle(tmp_path / "bulk", {"classResource": demo["classResource"][1:]})
    import_bundle(engine, tmp_path / "bulk", at_ms=BULK_IMPORT)
    item, result = demo["lineItem"][0], demo["result"][0]
    with client_for(engine) as writer:
        assert (
            writer.put(f"{BASE}/categories/cat-extra", json={"category": {"title": "Extra"}}).status_code
            == 201
        )
        changed = {
            **item,
            "title": "Renamed lineItem",
            "class": {"sourcedId": item["class"]},
            "category": {"sourcedId": "cat-extra"},
            "gradingPeriod": {"sourcedId": item["gradingPeriod"]},
            "assignDate": "2025-09-01T00:00:00Z",
            "dueDate": "2025-09-08T00:00:00Z",
        }
        assert (
            writer.put(f"{BASE}/lineItems/{item['sourcedId']}", json={"lineItem": changed}).status_code == 200
        )
        graded = {
            "lineItem": {"sourcedId": result["lineItem"]},
            "student": {"sourcedId": result["student"]},
            "scoreStatus": "fully graded",
            "score": 3.5,
            "scoreDate": "2025-10-01T12:00:00.250Z",
        }
        assert writer.put(f"{BASE}/results/{result['sourcedId']}", json={"result": graded}).status_code == 200
        assert writer.delete(f"{BASE}/results/{demo['result'][1]['sourcedId']}").status_code == 204
        assert writer.delete(f"{BASE}/lineItems/{demo['lineItem'][1]['sourcedId']}").status_code == 204
        assert (
            writer.put(f"{BASE}/categories/cat-gone", json={"category": {"title": "Gone"}}).status_code == 201
        )
        assert writer.delete(f"{BASE}/categories/cat-gone").status_code == 204
    return engine


def pull(client: TestClient, *, with_revision: bool) -> dict[str, Any]:
    """Every collection in full, its tombstones, and a delta: status, counts and bodies."""
    pulled: dict[str, Any] = {}
    for path in COLLECTIONS:
        for name, query in QUERIES.items():
            response = client.get(f"{BASE}{path}?{query}")
            assert response.status_code == 200, response.text
            seen = (response.headers["x-total-count"], response.json())
            pulled[f"{name} {path}"] = seen + (
                (response.headers["x-data-revision"],) if with_revision else ()
            )
    return pulled


def tombstone_count(pulled: dict[str, Any]) -> int:
    return sum(int(value[0]) for key, value in pulled.items() if key.startswith("tombstones "))
