"""A district for the 1.2 gradebook tests: tests/district.py, plus the records only 1.2 can bring."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from tests.conftest import client_for, load
from tests.district import district

GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
V11 = "/ims/oneroster/v1p1"

SCORE_SCALES = {
    "ss-1": {
        "title": "Letter grades",
        "type": "letter",
        "class": {"sourcedId": "cls-bio-1"},
        "course": {"sourcedId": "crs-bio"},
        "scoreScaleValue": [
            {"itemValueLHS": "A", "itemValueRHS": "90"},
            {"itemValueLHS": "B", "itemValueRHS": "80"},
        ],
    },
    "ss-2": {
        "title": "Points",
        "type": "numeric",
        "class": {"sourcedId": "cls-eng7-1"},
        "scoreScaleValue": [{"itemValueLHS": "10", "itemValueRHS": "10"}],
    },
}
ASSESSMENT_LINE_ITEMS = {
    "ali-1": {"title": "Unit test", "class": {"sourcedId": "cls-bio-1"}, "scoreScale": {"sourcedId": "ss-1"}},
    "ali-2": {
        "title": "Unit test, part 1",
        "parentAssessmentLineItem": {"sourcedId": "ali-1"},
        "resultValueMax": 50,
    },
}
ASSESSMENT_RESULTS = {
    "ar-1": {
        "assessmentLineItem": {"sourcedId": "ali-1"},
        "student": {"sourcedId": "stu-1"},
        "scoreStatus": "fully graded",
        "score": 88,
        "textScore": "B+",
        "scorePercentile": 75,
        "scoreDate": "2025-10-01T09:00:00.000Z",
        "late": "false",
    },
    "ar-2": {
        "assessmentLineItem": {"sourcedId": "ali-2"},
        "student": {"sourcedId": "stu-4"},
        "scoreStatus": "submitted",
        "scoreDate": "2025-10-02T09:00:00.000Z",
    },
}
SEEDS = {
    "scoreScale": SCORE_SCALES,
    "assessmentLineItem": ASSESSMENT_LINE_ITEMS,
    "assessmentResult": ASSESSMENT_RESULTS,
}
PATHS = {
    "scoreScale": "scoreScales",
    "assessmentLineItem": "assessmentLineItems",
    "assessmentResult": "assessmentResults",
}


def seed(client: TestClient) -> None:
    """PUT the records 1.2 brought (score scales, assessment lineItems and results) through 1.2."""
    for entity, records in SEEDS.items():
        for sourced_id, body in records.items():
            response = client.put(f"{GRADEBOOK}/{PATHS[entity]}/{sourced_id}", json={entity: body})
            assert response.status_code == 201, response.text


def district_with_v12(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[sa.Engine, TestClient]]:
    engine = load(tmp_path_factory.mktemp("gradebook12"), district(), backend=backend)
    with client_for(engine) as client:
        seed(client)
        yield engine, client
    engine.dispose()


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    (key,) = response.json()
    return [r["sourcedId"] for r in response.json()[key]]
