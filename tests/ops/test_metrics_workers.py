"""/metrics of `openroster serve --workers 2`: every process's requests are in every scrape.

Real server processes: the CLI starts uvicorn's supervisor and two workers, as in production.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from openroster.auth.clients import add_client
from openroster.auth.keys import load_keys
from openroster.cli import app as cli
from tests.conftest import BACKENDS, BASE, free_port, load
from tests.district import district
from tests.ops.scrape import Samples, parse, value
from tests.ops.test_metrics import SCRAPE, TOKEN
from tests.test_cli import wait_for

USERS = BASE + "/users"
USER = BASE + "/users/{id}"


@dataclass
class Served:
    url: str
    metrics_url: str
    process: subprocess.Popen[bytes]
    headers: dict[str, str]  # an API client's bearer token


def start(database: str, key_file: Path, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "openroster", "serve", "--port", str(port), "--database", database, *extra],
        env={**os.environ, "OPENROSTER_KEY_FILE": str(key_file), "OPENROSTER_METRICS_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", seconds=90)  # the machine may be busy
    except BaseException:
        stop(process)
        raise
    return process, port


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("workers")
    engine = load(folder, district(), backend=request.param)
    key_file = folder / "server.key"
    issued = add_client(engine, load_keys("", key_file, create=True), "walker")
    database = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    metrics_port = free_port()
    process, port = start(database, key_file, "--workers", "2", "--metrics-port", str(metrics_port))
    try:
        url = f"http://127.0.0.1:{port}"
        token = httpx.post(
            url + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(issued.client.client_id, issued.secret),
        ).json()["access_token"]
        yield Served(
            url, f"http://127.0.0.1:{metrics_port}/metrics", process, {"Authorization": f"Bearer {token}"}
        )
    finally:
        stop(process)


def scrape(served: Served) -> Samples:
    response = httpx.get(served.url + "/metrics", headers=SCRAPE)
    assert response.status_code == 200, response.text
    return parse(response.text)


def requests(samples: Samples, endpoint: str) -> float:
    return value(samples, "openroster_http_requests_total", endpoint=endpoint, method="GET", status="200")


def metrics_folder(served: Served) -> Path:
    """The run's multiprocess folder: the one holding files of its processes (<kind>_<pid>.db)."""
    pids = {served.process.pid, *children(served.process.pid)}
    for folder in Path(tempfile.gettempdir()).glob("openroster-metrics-*"):
        if any(
            int(m.group(1)) in pids for name in os.listdir(folder) if (m := re.search(r"_(\d+)\.db$", name))
        ):
            return folder
    raise AssertionError("no metrics folder holds files of the server's processes")


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def counting_pids(folder: Path) -> set[int]:
    """The processes that have counted requests (each writes counter_<pid>.db)."""
    return {int(m.group(1)) for name in os.listdir(folder) if (m := re.fullmatch(r"counter_(\d+)\.db", name))}


def test_requests_served_by_both_workers_are_all_counted(served: Served) -> None:
    folder = metrics_folder(served)
    before = requests(scrape(served), USER)
    made = 0
    with ThreadPoolExecutor(8) as pool:
        # Fresh connections, several at once, until both workers have answered some (each batch is
        # usually enough; the bound only guards against a scheduler that favours one process).
        for _ in range(25):
            batch = [f"{USERS}/stu-{1 + n % 3}" for n in range(16)]
            answers = list(pool.map(lambda path: httpx.get(served.url + path, headers=served.headers), batch))
            assert all(a.status_code == 200 for a in answers), [a.status_code for a in answers]
            made += len(batch)
            if len(counting_pids(folder) & set(children(served.process.pid))) >= 2:
                break
    assert len(counting_pids(folder) & set(children(served.process.pid))) >= 2, (
        "one worker answered everything"
    )
    # Whichever process answers the scrape, it reports the sum over both.
    for _ in range(4):
        assert requests(scrape(served), USER) - before == made


def test_the_metrics_port_reports_the_same_sums_without_a_token(served: Served) -> None:
    httpx.get(served.url + USERS, headers=served.headers)
    on_api_port = parse(httpx.get(served.url + "/metrics", headers=SCRAPE).text)
    on_metrics_port = httpx.get(served.metrics_url)
    assert on_metrics_port.status_code == 200
    samples = parse(on_metrics_port.text)
    assert requests(samples, USERS) == requests(on_api_port, USERS) >= 1
    assert value(samples, "openroster_store_records", entity="user") == len(district()["user"])
    assert value(samples, "openroster_imports_total", outcome="succeeded") == 1
    assert httpx.get(served.url + "/metrics").status_code == 401  # the API's port still wants the token


def test_a_killed_worker_keeps_its_counts_and_is_marked_dead(served: Served) -> None:
    folder = metrics_folder(served)
    for n in range(6):
        assert httpx.get(f"{served.url}{USERS}/stu-{1 + n % 3}", headers=served.headers).status_code == 200
    counted = requests(scrape(served), USER)
    victim = sorted(counting_pids(folder) & set(children(served.process.pid)))[0]
    assert (folder / f"gauge_livesum_{victim}.db").exists()
    os.kill(victim, signal.SIGKILL)
    wait_for(served.url + "/health")
    after = scrape(served)
    assert requests(after, USER) == counted  # the dead process's requests still count
    assert not (folder / f"gauge_livesum_{victim}.db").exists()  # its live gauge is forgotten
    assert value(after, "openroster_http_requests_in_progress") == 1  # the scrape itself


@pytest.mark.parametrize("workers", ["1", "2"])
def test_each_run_gets_a_fresh_metrics_folder_removed_at_the_end(tmp_path: Path, workers: str) -> None:
    engine = load(tmp_path, district())
    database = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    key_file = tmp_path / "server.key"
    load_keys("", key_file, create=True)
    folders = []
    for _ in range(2):
        process, port = start(database, key_file, "--workers", workers)
        try:
            served = Served(f"http://127.0.0.1:{port}", "", process, {})
            assert httpx.get(served.url + "/health").status_code == 200
            folder = metrics_folder(served)
            assert folder.is_dir()
            samples = scrape(served)
            assert (
                value(samples, "openroster_http_requests_total", endpoint=USERS, method="GET", status="200")
                == 0
            )
        finally:
            stop(process)
        assert not folder.exists()
        folders.append(folder)
    assert folders[0] != folders[1]


def test_metrics_port_mistakes_are_refused_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    load_keys("", tmp_path / "server.key", create=True)
    runner = CliRunner(env={"OPENROSTER_KEY_FILE": str(tmp_path / "server.key")})
    assert runner.invoke(cli, ["migrate", "--database", url]).exit_code == 0
    same = runner.invoke(cli, ["serve", "--database", url, "--port", "8765", "--metrics-port", "8765"])
    assert same.exit_code == 1 and "is the API's port too" in same.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        result = runner.invoke(
            cli, ["serve", "--database", url, "--port", str(free_port()), "--metrics-port", str(taken)]
        )
    assert result.exit_code == 1 and f"Cannot listen on 127.0.0.1:{taken} for metrics" in result.output
    bad = runner.invoke(cli, ["serve", "--database", url, "--metrics-port", "0"])
    assert bad.exit_code == 2
