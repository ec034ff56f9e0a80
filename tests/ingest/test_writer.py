"""write_bundle: the files it writes, and that read_bundle gives back exactly what was written."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from openroster.ingest import read_bundle, write_bundle
from openroster.model.csv_binding import V11, csv_entities
from openroster.model.values import BadValue

from .bundles import expected_records
from .strategies import STORED, Records, bundles

ENTITIES = csv_entities(V11)  # the files of a 1.1 bundle


def lines_of(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").split("\r\n")


def test_manifest_declares_every_file(tmp_path: Path) -> None:
    write_bundle(tmp_path / "out", {"org": [], "user": []}, system_name="Example SIS")

    assert lines_of(tmp_path / "out" / "manifest.csv") == [
        "propertyName,value",
        "manifest.version,1.0",
        "oneroster.version,1.1",
        "file.academicSessions,absent",
        "file.categories,absent",
        "file.classes,absent",
        "file.classResources,absent",
        "file.courses,absent",
        "file.courseResources,absent",
        "file.demographics,absent",
        "file.enrollments,absent",
        "file.lineItems,absent",
        "file.orgs,bulk",
        "file.resources,absent",
        "file.results,absent",
        "file.users,bulk",
        "source.systemName,Example SIS",
        "",
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["manifest.csv", "orgs.csv", "users.csv"]


def test_cells_are_quoted_per_rfc_4180_and_lists_always(tmp_path: Path) -> None:
    users: list[dict[str, Any]] = [
        {
            "sourcedId": "u-1",
            "enabledUser": "true",
            "orgs": ["sch-1"],
            "role": "student",
            "username": "jo",
            "givenName": 'Jo "JJ"',
            "familyName": "Smith, Jr.",
            "grades": ["09", "10"],
            "userIds": [{"type": "LDAP", "identifier": "jo"}],
            "metadata": {"z": "1", "a": "x\ny"},
        },
        {
            "sourcedId": "u-2",
            "enabledUser": "false",
            "orgs": ["sch-1", "sch-2"],
            "role": "teacher",
            "username": "al",
            "givenName": "Al",
            "familyName": "Lee",
            "status": "active",
            "dateLastModified": 0,
            "metadata": {"b": "2"},
        },
    ]

    write_bundle(tmp_path / "out", {"user": users})

    raw = (tmp_path / "out" / "users.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").split("\r\n") == [
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
        "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,metadata.a,metadata.b,metadata.z",
        'u-1,,,true,"sch-1",student,jo,"{LDAP:jo}","Jo ""JJ""","Smith, Jr.",,,,,,,"09,10",,"x\ny",,1',
        'u-2,active,1970-01-01T00:00:00.000Z,false,"sch-1,sch-2",teacher,al,,Al,Lee,,,,,,,,,,2,',
        "",
    ]


def test_delta_records_get_a_status_and_a_modification_time(tmp_path: Path) -> None:
    write_bundle(
        tmp_path / "out", {"category": ({"sourcedId": f"c{i}", "title": "t"} for i in range(2))}, mode="delta"
    )

    records = read_bundle(tmp_path / "out").records["category"]

    assert [r["status"] for r in records] == ["active", "active"]
    assert all(isinstance(r["dateLastModified"], int) for r in records)


def test_zip_holds_the_files_at_its_root(tmp_path: Path) -> None:
    write_bundle(tmp_path / "out.zip", expected_records())

    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert sorted(archive.namelist()) == sorted(
            ["manifest.csv", *(e.csv_file for e in ENTITIES.values())]
        )
    assert read_bundle(tmp_path / "out.zip").records == expected_records()
    assert not (tmp_path / "out.zip.partial").exists()


def test_rewriting_a_folder_removes_files_now_declared_absent(tmp_path: Path) -> None:
    records = expected_records()
    write_bundle(tmp_path / "out", records)
    (tmp_path / "out" / "README.txt").write_text("kept")

    write_bundle(tmp_path / "out", {"org": records["org"]})

    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["README.txt", "manifest.csv", "orgs.csv"]
    assert read_bundle(tmp_path / "out").records == {"org": records["org"]}


@pytest.mark.parametrize(
    ("records", "mode", "error"),
    [
        ({"student": []}, "bulk", "not OneRoster 1.1 entities: student"),
        ({"org": []}, "full", "mode must be 'bulk' or 'delta'"),
        (
            {"org": [{"sourcedId": "o", "name": "n", "type": "school", "nickname": "x"}]},
            "bulk",
            "org record 'o' has fields that org does not have: nickname",
        ),
        (
            {"course": [{"sourcedId": "c", "title": "t", "org": "o", "grades": ["9,10"]}]},
            "bulk",
            "Cannot write courses.csv record 'c', grades:",
        ),
    ],
)
def test_refuses_what_cannot_be_written(
    tmp_path: Path, records: dict[str, Any], mode: str, error: str
) -> None:
    with pytest.raises((ValueError, BadValue)) as caught:
        write_bundle(tmp_path / "out.zip", records, mode=mode)
    assert error in str(caught.value)
    assert not (tmp_path / "out.zip").exists()


def _round_trip(records: Records, mode: str, as_zip: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / ("bundle.zip" if as_zip else "bundle")
        write_bundle(out, records, mode=mode)
        bundle = read_bundle(out, stored_ids=lambda name: STORED)
    assert bundle.records == records
    assert bundle.modes == {name: mode if name in records else "absent" for name in ENTITIES}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundles("bulk"))
def test_round_trip_bulk_folder(records: Records) -> None:
    _round_trip(records, "bulk", as_zip=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundles("delta"))
def test_round_trip_delta_zip(records: Records) -> None:
    _round_trip(records, "delta", as_zip=True)
