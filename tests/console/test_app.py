"""The console's forms over HTTP: every change refused without the form token or by a viewer, changing
nothing; API clients, imports, browsing and readiness as an admin sees them."""

from __future__ import annotations

import json
import logging
import re
import zipfile
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.auth.clients import list_clients
from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import ENTITIES
from openroster.store.schema import TABLES
from tests.console.conftest import browser, confirm_import, imports_finished, signed_in, snapshot
from tests.district import district

# Every form that changes something: (path, fields besides the token). {client} is a client's id.
CHANGES = [
    ("/console/clients/review", {"name": "Vendor"}),
    ("/console/clients/create", {"name": "Vendor"}),
    ("/console/clients/{client}/rotate", {}),
    ("/console/clients/{client}/remove", {}),
    ("/console/imports/check", {}),
    ("/console/imports/AAAAAAAAAAAAAAAAAAAAAA/import", {}),
    ("/console/readiness", {}),
]


def _client_id(engine: sa.Engine) -> str:
    from openroster.auth.clients import add_client
    from tests.conftest import KEYS

    clients = list_clients(engine)
    if clients:
        return clients[0].client_id
    return add_client(engine, KEYS, "School Data Sync").client.client_id


def _active(engine: sa.Engine, entity: str) -> int:
    table = TABLES[entity].main
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(table).where(table.c.status == "active")
        return conn.execute(query).scalar_one()


def _bundle(tmp_path: Path, records: dict[str, list[dict[str, object]]], name: str) -> Path:
    folder = tmp_path / name
    write_bundle(folder, records)
    path = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file in folder.iterdir():
            archive.write(file, file.name)
    return path


def _upload(client: TestClient, token: str, path: Path) -> httpx.Response:
    with path.open("rb") as handle:
        return client.post(
            "/console/imports/check",
            data={"csrf": token},
            files={"bundle": (path.name, handle, "application/zip")},
        )


@pytest.mark.parametrize(("path", "fields"), CHANGES)
def test_a_form_without_its_sessions_token_is_refused_and_changes_nothing(
    store: sa.Engine, path: str, fields: dict[str, str]
) -> None:
    path = path.format(client=_client_id(store))
    client, _ = signed_in(store, "ada")
    _, others = signed_in(store, "ada")
    before = snapshot(store)
    for given in ({}, {"csrf": "x" * 43}, {"csrf": others}):  # missing, forged, another session's
        answer = client.post(path, data=fields | given)
        assert answer.status_code == 403, given
        assert "security token is missing or wrong, so nothing was changed" in answer.text
    assert snapshot(store) == before


@pytest.mark.parametrize(("path", "fields"), CHANGES)
@pytest.mark.parametrize(
    ("who", "message"),
    [("vic", "vic is a viewer: viewers cannot change anything."), (None, "You are not signed in")],
)
def test_a_viewers_form_or_one_without_a_session_is_refused_and_changes_nothing(
    store: sa.Engine, path: str, fields: dict[str, str], who: str | None, message: str
) -> None:
    path = path.format(client=_client_id(store))
    client, token = signed_in(store, who) if who else (browser(store), "x")
    before = snapshot(store)
    answer = client.post(path, data=fields | {"csrf": token})
    assert answer.status_code == 403
    assert message in answer.text
    assert snapshot(store) == before


def test_a_viewer_sees_every_page_without_a_single_change_button(store: sa.Engine) -> None:
    client_id = _client_id(store)
    client, _ = signed_in(store, "vic")
    for path in (
        "/console/",
        "/console/clients",
        "/console/imports",
        "/console/readiness",
        "/console/browse?kind=user&q=ada",
        "/console/records/user/tch-1",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        forms = re.findall(r'<form[^>]* method="post" action="([^"]+)"', page.text)
        assert forms == ["/console/signout"], (path, forms)
    clients = client.get("/console/clients").text
    assert client_id in clients and "Add a client" not in clients and "Rotate secret" not in clients
    for path in (
        "/console/clients/new",
        f"/console/clients/{client_id}/rotate",
        f"/console/clients/{client_id}/remove",
    ):
        assert client.get(path).status_code == 403, path


def test_an_admin_adds_a_client_after_confirming_and_its_secret_gets_a_token(store: sa.Engine) -> None:
    client, token = signed_in(store, "ada")
    assert 'name="scope"' in client.get("/console/clients/new").text
    fields = {
        "csrf": token,
        "name": "School Data Sync",
        "orgs": "sch-1",
        "scope": "https://purl.imsglobal.org/spec/or/v1p1/scope/roster.readonly",
    }
    review = client.post("/console/clients/review", data=fields)
    assert review.status_code == 200 and "Add client “School Data Sync”?" in review.text
    assert list_clients(store) == []  # reviewing writes nothing
    shown = client.post("/console/clients/create", data=fields)
    assert shown.status_code == 200
    secret = re.search(r'id="client-secret" value="([^"]+)"', shown.text)
    client_id = re.search(r'id="client-id" value="([^"]+)"', shown.text)
    assert secret and client_id
    assert 'value="http://sis.example.org/oauth/token"' in shown.text
    assert 'value="http://sis.example.org/ims/oneroster/v1p1"' in shown.text
    (added,) = list_clients(store)
    assert (added.client_id, added.name, added.orgs) == (client_id.group(1), "School Data Sync", ("sch-1",))
    assert [s.rsplit("/", 1)[1] for s in added.scopes] == ["roster.readonly"]
    answer = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id.group(1), secret.group(1))
    )
    assert answer.status_code == 200, answer.text
    assert secret.group(1) not in client.get("/console/clients").text  # shown once only


@pytest.mark.parametrize(("name", "shown"), [("", "Give the client a name."), ("x" * 1, None)])
def test_a_client_without_a_name_or_with_a_taken_one_is_refused(
    store: sa.Engine, name: str, shown: str | None
) -> None:
    taken = list_clients(store)[0].name if list_clients(store) else None
    client, token = signed_in(store, "ada")
    if shown is None:  # a name already taken
        name = list_clients(store)[0].name if taken else _client_name(store)
    before = snapshot(store)
    path = "/console/clients/review" if shown else "/console/clients/create"
    answer = client.post(path, data={"csrf": token, "name": name})
    assert answer.status_code == 400
    assert (shown or "already") in answer.text
    assert snapshot(store) == before


def _client_name(engine: sa.Engine) -> str:
    _client_id(engine)
    return list_clients(engine)[0].name


def test_rotating_a_secret_refuses_the_old_secret_and_its_tokens(store: sa.Engine) -> None:
    from openroster.auth.clients import add_client
    from tests.conftest import KEYS

    issued = add_client(store, KEYS, "Vendor")
    client, token = signed_in(store, "ada")
    old = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued.client.client_id, issued.secret),
    )
    bearer = {"Authorization": f"Bearer {old.json()['access_token']}"}
    assert client.get("/ims/oneroster/v1p1/orgs", headers=bearer).status_code == 200
    confirm = client.get(f"/console/clients/{issued.client.client_id}/rotate")
    assert "Give “Vendor” a new secret?" in confirm.text
    shown = client.post(f"/console/clients/{issued.client.client_id}/rotate", data={"csrf": token})
    new = re.search(r'id="client-secret" value="([^"]+)"', shown.text)
    assert new and new.group(1) != issued.secret
    assert client.get("/ims/oneroster/v1p1/orgs", headers=bearer).status_code == 401
    refused = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued.client.client_id, issued.secret),
    )
    assert refused.status_code == 401
    fresh = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued.client.client_id, new.group(1)),
    )
    assert fresh.status_code == 200


def test_removing_a_client_after_confirming(store: sa.Engine, caplog: pytest.LogCaptureFixture) -> None:
    client_id = _client_id(store)
    client, token = signed_in(store, "ada")
    assert "cannot be undone" in client.get(f"/console/clients/{client_id}/remove").text
    with caplog.at_level(logging.INFO, logger="openroster.audit"):
        answer = client.post(f"/console/clients/{client_id}/remove", data={"csrf": token})
    assert answer.status_code == 200 and "Removed client" in answer.text
    assert list_clients(store) == []
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if '"client-remove"' in r.getMessage()]
    assert (line["console"], line["target"]) == ("ada", client_id)


def test_an_unknown_client_or_action_is_not_found(store: sa.Engine) -> None:
    client_id = _client_id(store)
    client, token = signed_in(store, "ada")
    before = snapshot(store)
    assert client.post("/console/clients/nobody/rotate", data={"csrf": token}).status_code == 404
    assert client.post(f"/console/clients/{client_id}/explode", data={"csrf": token}).status_code == 404
    assert snapshot(store) == before


def test_a_broken_bundle_shows_its_problems_by_file_and_changes_nothing(
    store: sa.Engine, tmp_path: Path
) -> None:
    records = district()
    records["user"][0] = records["user"][0] | {"role": "pupil"}
    records["enrollment"][0] = records["enrollment"][0] | {"class": "cls-missing"}
    client, token = signed_in(store, "ada")
    before = snapshot(store)
    checked = _upload(client, token, _bundle(tmp_path, records, "broken"))
    assert checked.status_code == 400
    assert "broken.zip: 2 problem(s)" in checked.text and "nothing was changed" in checked.text
    assert '<h2 id="file-1">users.csv (1)</h2>' in checked.text
    assert "&#39;pupil&#39; is not one of" in checked.text and "cls-missing" in checked.text
    assert '/import"' not in checked.text  # no way to import it
    download = re.search(r'href="(/console/imports/[^"]+/problems.txt)"', checked.text)
    assert download
    text = client.get(download.group(1)).text
    assert text.splitlines()[0].startswith("users.csv, line 2, column role: 'pupil'")
    upload_id = download.group(1).split("/")[3]
    assert client.post(f"/console/imports/{upload_id}/import", data={"csrf": token}).status_code == 404
    assert snapshot(store) == before


@pytest.mark.parametrize("content", [b"", b"not a zip file at all"])
def test_an_empty_or_unreadable_upload_is_refused_and_changes_nothing(
    store: sa.Engine, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "district.zip"
    path.write_bytes(content)
    client, token = signed_in(store, "ada")
    before = snapshot(store)
    answer = _upload(client, token, path)
    assert answer.status_code == 400
    expected = "district.zip is empty" if not content else "it is neither a .zip file nor a folder"
    assert expected in answer.text
    assert snapshot(store) == before


def test_an_upload_without_a_file_is_refused(store: sa.Engine) -> None:
    client, token = signed_in(store, "ada")
    before = snapshot(store)
    answer = client.post("/console/imports/check", data={"csrf": token}, files={"other": ("x", b"1")})
    assert answer.status_code == 400 and "Choose a bundle (.zip) to upload." in answer.text
    assert snapshot(store) == before


def test_a_good_bundle_is_checked_then_imported_on_confirmation(store: sa.Engine, tmp_path: Path) -> None:
    records = district()
    records["user"].append(
        records["user"][-1] | {"sourcedId": "stu-new", "username": "new", "identifier": "NEW"}
    )
    client, token = signed_in(store, "ada")
    users = _active(store, "user")
    checked = _upload(client, token, _bundle(tmp_path, records, "next-term"))
    assert checked.status_code == 200 and "next-term.zip is ready to import" in checked.text
    assert re.search(r"<th scope=\"row\">users.csv</th><td>bulk</td><td class=\"n\">11</td>", checked.text)
    assert _active(store, "user") == users  # checking writes nothing
    action = re.search(r'action="(/console/imports/[^"]+/import)"', checked.text)
    assert action
    progress = confirm_import(client, token, checked)
    imports_finished()
    done = client.get(progress)
    assert done.status_code == 200 and "Imported next-term.zip" in done.text
    assert 'http-equiv="refresh"' not in done.text  # finished: the page stays
    assert re.search(r'<th scope="row">user</th><td class="n">11</td><td class="n">1</td>', done.text)
    assert _active(store, "user") == users + 1
    history = client.get("/console/imports").text.split('id="import-history"')[1]
    assert "next-term.zip" in history and "ada" in history and "user 1/0/0" in history
    assert client.post(action.group(1), data={"csrf": token}).status_code == 404  # imported once only
    overview = client.get("/console/").text
    assert f'data-entity="user">{users + 1}<' in overview


def test_the_overview_counts_entities_and_schools(store: sa.Engine) -> None:
    client, _ = signed_in(store, "vic")
    page = client.get("/console/").text
    for entity in ENTITIES:
        assert f'data-entity="{entity}">{_active(store, entity)}<' in page
    assert 'id="ready">ready<' in page and "openroster 0.1.0" in page
    assert "sqlite" in page or "postgresql" in page
    assert 'class="banner"' not in page


def test_the_overview_banner_says_the_last_import_failed(store: sa.Engine, tmp_path: Path) -> None:
    from openroster.ingest.importer import import_bundle
    from openroster.ingest.problems import BundleInvalid

    records = district()
    records["user"][0] = records["user"][0] | {"role": "pupil"}
    folder = tmp_path / "bad"
    write_bundle(folder, records)
    with pytest.raises(BundleInvalid):
        import_bundle(store, folder)
    client, _ = signed_in(store, "vic")
    page = client.get("/console/").text
    assert 'class="banner" role="alert">The last import' in page and "failed" in page
    assert "not ready: import" in page


def test_browse_finds_users_by_email_and_name_and_classes_by_title(store: sa.Engine) -> None:
    client, _ = signed_in(store, "vic")
    by_email = client.get("/console/browse", params={"kind": "user", "q": "ADA.LOVELACE@riverside"}).text
    assert 'href="/console/records/user/tch-1"' in by_email
    by_id = client.get("/console/browse", params={"kind": "user", "q": "tch-1"}).text
    assert 'href="/console/records/user/tch-1"' in by_id
    assert "0 found" in client.get("/console/browse", params={"kind": "user", "q": "%"}).text
    refused = client.get("/console/browse", params={"kind": "password", "q": "x"})
    assert refused.status_code == 400 and "cannot be searched" in refused.text


def test_a_record_shows_the_apis_json_and_links_its_references(store: sa.Engine) -> None:
    from tests.conftest import client_for

    client, _ = signed_in(store, "vic")
    page = client.get("/console/records/user/tch-1").text
    api = client_for(store)
    served = api.get("/ims/oneroster/v1p1/users/tch-1").json()
    shown = re.search(r'<pre id="record-json">(.*?)</pre>', page, re.S)
    assert shown
    import html

    assert json.loads(html.unescape(shown.group(1)))["user"] == json.loads(
        json.dumps(served["user"]).replace("https://sis.example.org", "http://sis.example.org")
    )
    assert 'href="/console/records/org/sch-1"' in page
    classes = page.split('id="user-classes"')[1]
    assert 'href="/console/records/class/' in classes
    assert client.get("/console/records/user/nobody").status_code == 404
    assert client.get("/console/records/password/x").status_code == 404


def test_a_class_lists_its_teachers_and_students(store: sa.Engine) -> None:
    enrollments = TABLES["enrollment"].main
    with store.connect() as conn:
        class_id, user_id = conn.execute(
            sa.select(enrollments.c.class_sourced_id, enrollments.c.user_sourced_id)
            .where(enrollments.c.status == "active")
            .limit(1)
        ).one()
    client, _ = signed_in(store, "vic")
    members = client.get(f"/console/records/class/{class_id}").text.split('id="members-table"')[1]
    assert f'href="/console/records/user/{user_id}"' in members


def test_no_console_when_it_is_off(store: sa.Engine) -> None:
    answer = browser(store, console=False).get("/console/signin")
    assert answer.status_code == 404
    assert (
        answer.json()["statusInfoSet"][0]["imsx_description"] == "No OneRoster endpoint at /console/signin"
    )  # the API's answer


def test_static_files_are_served(store: sa.Engine) -> None:
    client = browser(store)
    assert "system-ui" in client.get("/console/static/console.css").text
    assert "clipboard" in client.get("/console/static/console.js").text


def test_the_readiness_page_without_a_run_yet(store: sa.Engine) -> None:
    client, _ = signed_in(store, "ada")
    page = client.get("/console/readiness").text
    assert "Not run yet." in page and "Run the readiness check" in page
    assert client.get("/console/readiness/report").status_code == 404


def test_a_client_limited_to_an_unknown_org_is_refused_and_nothing_is_added(store: sa.Engine) -> None:
    client, token = signed_in(store, "ada")
    before = snapshot(store)
    fields = {"csrf": token, "name": "Vendor", "orgs": "sch-1, no-such-school"}
    review = client.post("/console/clients/review", data=fields)
    assert "sch-1, no-such-school" in review.text  # the review shows what will be asked for
    answer = client.post("/console/clients/create", data=fields)
    assert answer.status_code == 400
    assert "No org with sourcedId no-such-school" in answer.text
    assert 'value="Vendor"' in answer.text  # the form keeps what was typed
    assert snapshot(store) == before


def test_the_scopes_ticked_are_the_scopes_granted(store: sa.Engine) -> None:
    from openroster.auth.clients import DEFAULT_SCOPES

    client, token = signed_in(store, "ada")
    page = client.get("/console/clients/new").text
    offered = re.findall(r'name="scope" value="([^"]+)"', page)
    assert offered == list(DEFAULT_SCOPES)
    chosen = offered[:2]
    fields = {"csrf": token, "name": "Two scopes", "scope": chosen}
    client.post("/console/clients/create", data=fields)
    (added,) = list_clients(store)
    assert list(added.scopes) == chosen
    none_ticked = client.post("/console/clients/create", data={"csrf": token, "name": "Reader"})
    assert none_ticked.status_code == 200
    reader = next(c for c in list_clients(store) if c.name == "Reader")
    assert set(reader.scopes) == set(DEFAULT_SCOPES)


def _without(records: dict[str, list[dict[str, object]]], gone: str) -> dict[str, list[dict[str, object]]]:
    """`records` without `gone` and every record that refers to it, or to one so removed, in turn."""
    removed, kept = {gone}, {name: list(rows) for name, rows in records.items()}
    while True:
        before = len(removed)
        for name, rows in kept.items():
            refers = [r for r in rows if r["sourcedId"] in removed or set(map(str, _values(r))) & removed]
            removed |= {str(r["sourcedId"]) for r in refers}
            kept[name] = [r for r in rows if r not in refers]
        if len(removed) == before:
            return kept


def _values(record: dict[str, object]) -> list[object]:
    return [
        v
        for key, value in record.items()
        if key != "sourcedId"
        for v in (value if isinstance(value, list) else [value])
    ]


def test_a_bundle_that_became_invalid_after_its_check_is_refused_on_confirmation(
    store: sa.Engine, tmp_path: Path
) -> None:
    from openroster.ingest.importer import import_bundle
    from openroster.model.values import now_ms
    from openroster.store.maintenance import prune_tombstones
    from tests.district import IMPORT_TIME

    records = district()
    target = str(records["class"][-1]["sourcedId"])
    enrollment = records["enrollment"][0] | {"sourcedId": "enr-late", "class": target}
    delta = tmp_path / "late.zip"
    write_bundle(delta, {"enrollment": [enrollment]}, mode="delta")
    client, token = signed_in(store, "ada")
    checked = _upload(client, token, delta)
    assert "late.zip is ready to import" in checked.text
    # Meanwhile the class leaves the district and its tombstone is pruned.
    write_bundle(tmp_path / "without", _without(records, target))
    import_bundle(store, tmp_path / "without", at_ms=IMPORT_TIME)
    with store.begin() as conn:
        prune_tombstones(conn, now_ms() - 86_400_000)
    before = snapshot(store)
    progress = confirm_import(client, token, checked)
    imports_finished()
    answer = client.get(progress)
    assert answer.status_code == 200 and "late.zip was not imported" in answer.text
    assert "1 problem(s) found; nothing was imported." in answer.text
    after = snapshot(store)
    assert {name: rows for name, rows in after.items() if name != "import_runs"} == {
        name: rows for name, rows in before.items() if name != "import_runs"
    }
    history = client.get("/console/imports").text.split('id="import-history"')[1].split("</tr>")[1]
    assert "late.zip" in history and "ada" in history and "failed" in history
