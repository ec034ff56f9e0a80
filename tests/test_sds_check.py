"""sds/run_checks.py (make sds-check) without newman: its reading of newman reports, its verdict,
and the known-defects list checked against Microsoft's collections."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sds import run_checks
from sds.run_checks import Defect, Failure, Outcome

V2 = "sds-v2-oneroster-v1p1-oauth2.postman_collection.json"


def newman_report(path: Path, failures: list[dict[str, Any]], *, assertions: int = 10) -> Path:
    """A newman JSON report with the parts run_checks reads, shaped like newman 6 writes them."""
    report = {
        "collection": {
            "item": [
                {
                    "id": "f1",
                    "name": "APIs required for SDS (*new*)",
                    "item": [
                        {"id": "r1", "name": "Get Orgs", "request": {}},
                        {"id": "r2", "name": "Get Users - Student of Contact", "request": {}},
                    ],
                }
            ]
        },
        "run": {
            "stats": {
                "requests": {"total": 2, "failed": 0},
                "assertions": {"total": assertions, "failed": len(failures)},
            },
            "failures": failures,
        },
    }
    path.write_text(json.dumps(report))
    return path


def assertion_failure(item: str, name: str, test: str, message: str) -> dict[str, Any]:
    return {
        "error": {"name": "AssertionError", "test": test, "message": message},
        "at": "assertion:0 in test-script",
        "source": {"id": item, "name": name},
        "parent": {"id": "f1", "name": "APIs required for SDS (*new*)"},
    }


def test_a_failure_names_collection_folder_request_and_assertion(tmp_path: Path) -> None:
    report = newman_report(
        tmp_path / "report.json",
        [
            assertion_failure(
                "r1", "Get Orgs", "Orgs Success response / 200", "expected 500\n to deeply equal 200"
            )
        ],
    )

    outcome = run_checks.read_report(V2, report)

    assert (outcome.requests, outcome.assertions, outcome.failed) == (2, 10, 1)
    assert outcome.failures == (
        Failure(
            V2,
            "APIs required for SDS (*new*)",
            "Get Orgs",
            "Orgs Success response / 200",
            "expected 500 to deeply equal 200",
        ),
    )


def test_a_script_error_is_a_failure_too(tmp_path: Path) -> None:
    error = {
        "error": {"name": "JSONError", "message": "Unexpected token '<'"},
        "at": "test-script",
        "source": {"id": "r1", "name": "Get Orgs"},
    }
    outcome = run_checks.read_report(V2, newman_report(tmp_path / "report.json", [error]))

    assert [(f.request, f.assertion) for f in outcome.failures] == [("Get Orgs", "JSONError in test-script")]


def test_no_report_means_newman_failed(tmp_path: Path) -> None:
    outcome = run_checks.read_report(V2, tmp_path / "missing.json")

    assert outcome.failed == 1 and outcome.failures[0].assertion == "newman run"


def test_known_defects_are_skipped_and_anything_else_fails(capsys: pytest.CaptureFixture[str]) -> None:
    known_failure = Failure(
        V2,
        "APIs required for SDS (*new*)",
        "Get Users - Student of Contact",
        "user (student) success response/ 200",
        "expected 404 to deeply equal 200",
    )
    real_failure = Failure(
        V2,
        "APIs required for SDS (*new*)",
        "Get Orgs",
        "Orgs Success response / 200",
        "expected 500 to deeply equal 200",
    )
    known = {known_failure.key(): Defect("hard-coded /users/a1", "^expected 404 to deeply equal 200$")}

    only_known = run_checks.show([Outcome(V2, 2, 10, 1, (known_failure,))], known)
    shown = capsys.readouterr().out
    both = run_checks.show([Outcome(V2, 2, 10, 2, (known_failure, real_failure))], known)
    shown_both = capsys.readouterr().out

    assert only_known == 0
    assert "known collection defect, skipped: expected 404" in shown
    assert shown.rstrip().endswith("sds-check: 9 passed, 0 failed, 1 skipped")
    assert both == 1
    assert "FAILED: 1" in shown_both and "Get Orgs | Orgs Success response / 200" in shown_both
    assert shown_both.rstrip().endswith("sds-check: 8 passed, 1 failed, 1 skipped")


def test_a_known_defect_failing_another_way_is_a_real_failure(capsys: pytest.CaptureFixture[str]) -> None:
    failure = Failure(
        V2,
        "APIs required for SDS (*new*)",
        "Get Users - Student of Contact",
        "user (student) success response/ 200",
        "expected 500 to deeply equal 200",
    )
    known = {failure.key(): Defect("hard-coded /users/a1", "^expected 404 to deeply equal 200$")}

    assert run_checks.show([Outcome(V2, 2, 10, 1, (failure,))], known) == 1
    assert "FAILED: 1" in capsys.readouterr().out


def test_line_item_dates_fall_inside_the_term() -> None:
    today = datetime.now(UTC).date()
    past = run_checks.line_item_dates("2020-08-01", "2020-12-18")
    future = run_checks.line_item_dates(str(today + timedelta(days=30)), str(today + timedelta(days=90)))
    current = run_checks.line_item_dates(str(today - timedelta(days=1)), str(today + timedelta(days=1)))

    assert past == {
        "lineitem_assign_date": "2020-12-18T00:00:00Z",
        "lineitem_due_date": "2020-12-25T00:00:00Z",
    }
    assert future["lineitem_assign_date"] == f"{today + timedelta(days=30)}T00:00:00Z"
    assert current["lineitem_assign_date"].startswith(str(today))


# --- the known-defects list against Microsoft's collections --------------------------------------


def _defects() -> list[dict[str, str]]:
    return list(tomllib.loads(run_checks.KNOWN_DEFECTS.read_text())["defect"])


def _request(collection: dict[str, Any], folder: str, name: str) -> dict[str, Any]:
    def walk(items: list[dict[str, Any]], path: tuple[str, ...]) -> Any:
        for item in items:
            if "item" in item:
                yield from walk(item["item"], path + (item["name"],))
            elif " / ".join(path) == folder and item["name"] == name:
                yield item

    found = list(walk(collection["item"], ()))
    assert len(found) == 1, f"{folder} / {name}: {len(found)} requests"
    return found[0]


def _test_names(item: dict[str, Any]) -> set[str]:
    script = "\n".join(
        line
        for event in item.get("event", [])
        if event["listen"] == "test"
        for line in event["script"]["exec"]
    )
    return set(re.findall(r'pm\.test\(\s*"([^"]+)"', script)) | set(re.findall(r'tests\["([^"]+)"\]', script))


@pytest.mark.parametrize("defect", _defects(), ids=lambda d: f"{d['request']}: {d['assertion']}")
def test_each_known_defect_names_an_assertion_of_the_collection(defect: dict[str, str]) -> None:
    path = run_checks.DEFAULT_COLLECTIONS / defect["collection"]
    if not path.is_file():
        pytest.skip(f"Microsoft's collections are not at {run_checks.DEFAULT_COLLECTIONS}")
    item = _request(json.loads(path.read_text()), defect["folder"], defect["request"])

    assert defect["assertion"] in _test_names(item)
    assert len(defect["reason"].split()) >= 20  # says why the collection, not the provider, is wrong
    re.compile(defect["message"])


def test_the_result_id_defect_matches_only_a_number_compared_with_its_string() -> None:
    defect = next(d for d in _defects() if d["assertion"] == "Results contain new Result")

    assert re.search(defect["message"], "expected '42' to deeply equal 42")
    assert not re.search(defect["message"], "expected '42' to deeply equal 7")
    assert not re.search(defect["message"], "expected { statusInfoSet: [ { …(4) } ] } to have key 'results'")
