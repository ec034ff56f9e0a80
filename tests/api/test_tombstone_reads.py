"""How tombstones read, as the README says: roster ones are served like any record, gradebook ones answer 404."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BACKENDS, BASE, client_for, load
from tests.district import district


def ids(response_json: dict[str, list[dict[str, str]]]) -> set[str]:
    (records,) = response_json.values()
    return {r["sourcedId"] for r in records}


@pytest.mark.parametrize("backend", BACKENDS)
def test_roster_tombstones_are_served_and_gradebook_tombstones_are_not(tmp_path: Path, backend: str) -> None:
    engine = load(tmp_path, district(), backend=backend)
    try:
        with client_for(engine) as api:
            student = api.get(f"{BASE}/users/stu-5")
            assert student.status_code == 200 and student.json()["user"]["status"] == "tobedeleted"
            assert "stu-5" in ids(api.get(f"{BASE}/users").json())
            assert "stu-5" not in ids(api.get(f"{BASE}/users?filter=status%3D%27active%27").json())

            assert api.delete(f"{BASE}/lineItems/li-2").status_code == 204
            assert api.get(f"{BASE}/lineItems/li-2").status_code == 404
            assert "li-2" not in ids(api.get(f"{BASE}/lineItems").json())
            assert "li-2" in ids(api.get(f"{BASE}/lineItems?filter=status%3D%27tobedeleted%27").json())
    finally:
        engine.dispose()
