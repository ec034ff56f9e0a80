"""`serve --console-port`: the console on a port of its own and not on the API's; `--no-console`: none."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import free_port
from tests.ops.served import Served
from tests.ops.settings_cli import CLEAN, invoke
from tests.test_cli import wait_for


def test_the_console_on_its_own_port_and_not_on_the_apis(tmp_path: Path) -> None:
    port = free_port()
    served = Served(["--demo", "--console-port", str(port)], cwd=tmp_path)
    try:
        own = wait_for(f"http://127.0.0.1:{port}/console/signin")
        assert own.status_code == 200 and "<h1>Sign in</h1>" in own.text
        on_api = httpx.get(served.url + "/console/signin")
        assert (
            on_api.status_code == 404
            and on_api.json()["statusInfoSet"][0]["imsx_codeMinor"] == "unknown object"
        )
        assert httpx.get(f"http://127.0.0.1:{port}/ims/oneroster/v1p1/orgs").status_code == 404
    finally:
        output = served.stop()
    assert f"Web console: http://127.0.0.1:{port}/console/" in output


def test_no_console_serves_none_and_makes_no_demo_admin(tmp_path: Path) -> None:
    served = Served(["--demo", "--no-console"], cwd=tmp_path)
    try:
        assert httpx.get(served.url + "/console/signin").status_code == 404
    finally:
        output = served.stop()
    assert "Web console" not in output and "Demo console admin" not in output


def test_a_console_port_in_use_is_refused_before_serving(tmp_path: Path) -> None:

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "openroster",
                "serve",
                "--demo",
                "--port",
                str(free_port()),
                "--console-port",
                str(port),
            ],
            cwd=tmp_path,
            env={**os.environ, **CLEAN},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port} for the console" in result.stderr


def test_the_console_port_may_not_be_the_apis(tmp_path: Path) -> None:
    port = free_port()
    result = invoke(
        [
            "serve",
            "--demo",
            "--port",
            str(port),
            "--console-port",
            str(port),
            "--database",
            f"sqlite:///{tmp_path / 's.db'}",
        ]
    )
    assert result.exit_code == 1
    assert f"--console-port {port} is taken by the API or the metrics" in result.output
