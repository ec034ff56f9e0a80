"""A configuration file reaches every process of `serve --workers 2`."""

from __future__ import annotations

from pathlib import Path

import httpx

from openroster.auth.clients import add_client
from openroster.auth.keys import load_keys
from tests.conftest import BASE, load
from tests.district import district
from tests.ops.served import Served

PUBLIC = "https://roster.example.org/district"


def test_every_worker_serves_with_the_files_settings(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    key_file = tmp_path / "server.key"
    issued = add_client(engine, load_keys("", key_file, create=True), "SDS")
    database = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    config = tmp_path / "openroster.toml"
    config.write_text(
        f'database_url = "{database}"\nkey_file = "{key_file}"\npublic_url = "{PUBLIC}"\n'
        'max_limit = 25000\nlog_format = "json"\nworkers = 2\n',
        encoding="utf-8",
    )
    served = Served(["--config", str(config)])
    try:
        token = httpx.post(
            served.url + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(issued.client.client_id, issued.secret),
        ).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        answered: dict[str, httpx.Response] = {}
        for _ in range(200):  # new connections, until each process has answered both kinds
            for path in ("/users?limit=1", "/openapi.json"):
                response = httpx.get(served.url + BASE + path, headers=bearer)
                answered[response.headers["X-Request-Id"]] = response
            if len(_answered_by(served, answered)) == 2:
                break
    finally:
        served.stop()
    lines = served.json_lines()  # the file's log format, in every process
    started = {line["pid"] for line in lines if line["message"].startswith("Started server process")}
    assert len(started) == 2
    by_process = _answered_by(served, answered)
    assert set(by_process) == started
    for pid, mine in by_process.items():
        users = [r.json()["users"] for r in mine if "/users" in str(r.url)]
        document = next(r.json() for r in mine if "openapi.json" in str(r.url))
        # The public URL in GUIDRef hrefs, the page-size maximum in the OpenAPI document: the file's.
        assert all(u[0]["orgs"][0]["href"].startswith(PUBLIC + BASE + "/orgs/") for u in users), pid
        limit = next(p for p in document["paths"]["/users"]["get"]["parameters"] if p["name"] == "limit")
        assert limit["schema"]["maximum"] == 25000


def _answered_by(served: Served, answered: dict[str, httpx.Response]) -> dict[int, list[httpx.Response]]:
    """The responses each server process gave (by the pid its audit line names), for processes that
    gave both kinds."""
    pid_of = {
        line["request_id"]: line["pid"]
        for line in served.json_lines()
        if line["logger"] == "openroster.audit"
    }
    by_process: dict[int, list[httpx.Response]] = {}
    for request_id, response in answered.items():
        if request_id in pid_of:
            by_process.setdefault(pid_of[request_id], []).append(response)
    return {
        pid: responses
        for pid, responses in by_process.items()
        if {"users" in str(r.url) for r in responses} == {True, False}
    }
