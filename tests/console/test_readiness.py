"""The readiness page's run against a server that cannot be reached: the error is shown and kept."""

from __future__ import annotations

import re

import sqlalchemy as sa

from openroster.auth.clients import list_clients
from openroster.console.readiness import CLIENT_NAME
from tests.conftest import free_port
from tests.console.conftest import signed_in


def test_a_check_that_cannot_reach_the_server_says_so_and_is_kept_as_the_last(store: sa.Engine) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    client, token = signed_in(store, "ada", public_url=nowhere)
    answer = client.post("/console/readiness", data={"csrf": token})
    assert answer.status_code == 200
    assert f"The check could not run against {nowhere}" in answer.text
    again = client.get("/console/readiness").text
    assert "Last result" in again and f"The check could not run against {nowhere}" in again
    assert client.get("/console/readiness/report").status_code == 404  # no report was made
    overview = client.get("/console/").text
    assert "The last readiness check found failures" in overview
    assert re.search(r"Last readiness check</dt><dd>[^<]+: failures<", overview)


def test_each_run_gives_the_checkers_own_client_a_new_secret(store: sa.Engine) -> None:
    client, token = signed_in(store, "ada", public_url=f"http://127.0.0.1:{free_port()}")
    client.post("/console/readiness", data={"csrf": token})
    (first,) = [c for c in list_clients(store) if c.name == CLIENT_NAME]
    client.post("/console/readiness", data={"csrf": token})
    (second,) = [c for c in list_clients(store) if c.name == CLIENT_NAME]
    assert second.client_id == first.client_id and second.identity != first.identity
    assert second.secret_version == first.secret_version + 1


def test_a_viewer_sees_the_last_result_but_cannot_run_the_check(store: sa.Engine) -> None:
    admin, token = signed_in(store, "ada", public_url=f"http://127.0.0.1:{free_port()}")
    admin.post("/console/readiness", data={"csrf": token})
    viewer, _ = signed_in(store, "vic")
    page = viewer.get("/console/readiness").text
    assert "Last result" in page and "Run the readiness check" not in page
