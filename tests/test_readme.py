"""The README is true as written: its commands, curls, filter examples and ids work on the demo district."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.config import SETTINGS
from openroster.ingest.demo import generate_demo
from openroster.ops.sources import load_settings
from tests.conftest import BACKENDS, BASE, client_for, free_port, load, new_database

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
# The district `make run` (openroster serve --demo) loads, and `openroster demo-data` writes by default.
DEMO = dict(schools=3, students=300, seed=1)
OPENROSTER = ("openroster", ".venv/bin/openroster")


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(info string, body) of every fenced code block, also those indented in a list."""
    return [
        (m.group(1), m.group(2))
        for m in re.finditer(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```", text, re.MULTILINE | re.DOTALL)
    ]


def shell_lines(body: str) -> list[str]:
    """The command lines of a shell block, continuation lines joined."""
    return [line.strip() for line in re.sub(r"\\\n\s*", " ", body).splitlines() if line.strip()]


# Commands of the README that are not run against the local demo store, and why.
NOT_RUN_HERE = {
    "check": "it checks a remote provider with that provider's credentials; tests/check runs the same "
    "command against a served openroster",
}


def readme_commands() -> list[list[str]]:
    """Every `openroster` command line of the README's shell blocks, in order, as argv lists."""
    return [
        argv
        for info, body in code_blocks(README)
        if info == "sh"
        for line in shell_lines(body)
        if (argv := shlex.split(line, comments=True)) and argv[0] in OPENROSTER
    ]


def openroster(args: list[str], cwd: Path, **popen: object) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROSTER_")}
    return subprocess.Popen(
        [sys.executable, "-m", "openroster", *args],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **popen,
    )  # type: ignore[call-overload]


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    process = openroster(args, cwd)
    output = process.communicate(timeout=120)[0]
    return process.returncode, output


def start_server(args: list[str], cwd: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """Start a `serve` command line; returns it and the lines it printed up to its banner's last."""
    process = openroster(args, cwd)
    assert process.stdout is not None
    printed = []
    for line in process.stdout:
        printed.append(line)
        if "OAuth 2.0 token URL" in line:
            break
    return process, printed


def serve_briefly(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run a `serve` command line on a free port until it answers over HTTP, then stop it."""
    port = free_port()
    if "--port" in args:
        args = [str(port) if previous == "--port" else arg for previous, arg in zip(["", *args], args)]
    else:
        args = [*args, "--port", str(port)]
    metrics_port = free_port()  # the README's metrics port may be taken here
    args = [
        str(metrics_port) if previous == "--metrics-port" else arg for previous, arg in zip(["", *args], args)
    ]
    process, printed = start_server(args, cwd)
    try:
        answered = _wait_for(f"http://127.0.0.1:{port}/")
    finally:
        process.terminate()
        printed.append(process.communicate(timeout=30)[0])
    return (0 if answered.status_code == 200 else 1), "".join(printed)


def _wait_for(url: str) -> httpx.Response:
    for _ in range(300):
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            import time

            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


def test_the_readme_has_the_commands_a_newcomer_runs() -> None:
    commands = [" ".join(argv[1:3]) for argv in readme_commands()]
    for expected in [
        "demo-data district.zip",
        "import district.zip",
        "serve --host",
        "backup openroster-backup.db",
        "clients add",
        "clients list",
        "clients rotate-secret",
        "clients remove",
        "config show",
    ]:
        assert any(c.startswith(expected) for c in commands), expected


def test_every_openroster_command_of_the_readme_succeeds_in_order(tmp_path: Path) -> None:
    # As after `make run`: the demo district in openroster.db of the working directory.
    code, output = run(["demo-data", "demo-bundle"], tmp_path)
    assert code == 0, output
    code, output = run(["import", "demo-bundle"], tmp_path)
    assert code == 0, output
    shutil.rmtree(tmp_path / "demo-bundle")
    (tmp_path / "openroster.toml").write_text(sample_configuration(), encoding="utf-8")  # config show's
    copied = ""  # the test server's database the last `copy` wrote, for the commands that use it
    for argv in readme_commands():
        args = argv[1:]
        if args[0] in NOT_RUN_HERE:
            continue
        if args[0] == "copy":  # the README's target host is an example: copy into the test server instead
            copied = new_database("postgresql", tmp_path)
            args = [copied if previous == "--to" else arg for previous, arg in zip(["", *args], args)]
        elif copied:  # a command on the copy (`--database postgresql...`) runs on the test server's
            args = [
                copied if previous == "--database" and arg.startswith("postgresql") else arg
                for previous, arg in zip(["", *args], args)
            ]
        # serve blocks until stopped: it is run until it answers over HTTP, on a free port.
        code, output = serve_briefly(args, tmp_path) if args[0] == "serve" else run(args, tmp_path)
        assert code == 0, f"{' '.join(argv)} failed:\n{output}"
        assert "Traceback" not in output


def sample_configuration() -> str:
    """The TOML file of the README's Configuration section."""
    section = README[README.index("### Configuration") : README.index("### Logs")]
    (body,) = [body for info, body in code_blocks(section) if info == "toml"]
    return body


def test_the_readme_sample_configuration_lists_every_setting_and_is_valid(tmp_path: Path) -> None:
    document = tomllib.loads(sample_configuration())
    assert list(document) == [declared.name for declared in SETTINGS]  # each once, in the table's order
    path = tmp_path / "openroster.toml"
    path.write_text(sample_configuration(), encoding="utf-8")
    effective = load_settings(str(path), environ={})
    assert {origin.source for origin in effective.origins.values()} == {"file"}
    # Defaults, as it says, but for the first two and the working-directory key file.
    for declared in SETTINGS[2:]:
        if declared.name != "key_file":
            assert document[declared.name] == declared.default(), declared.name


def demo_values() -> set[str]:
    records = generate_demo(**DEMO)
    values: set[str] = set()
    for rows in records.values():
        for row in rows:
            values.add(row["sourcedId"])
            values.update(str(row[key]) for key in ("email", "username") if row.get(key))
    return values


ID = re.compile(r"\b(?:dst|sch|sy|trm|gp|crs|cls|tch|stu|grd|adm|enr)-\d[\d-]*\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.example\.(?:org|com|net)")


def test_every_example_id_and_email_of_the_readme_is_in_the_demo_district() -> None:
    documented = set(ID.findall(README)) | set(EMAIL.findall(README))
    assert {
        "sch-0003",
        "cls-0003-005",
        "tch-00037",
        "yara.vanderberg@quillbrookschools.example.org",
    } <= documented
    assert sorted(documented - demo_values()) == []


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    engine: sa.Engine = load(tmp_path_factory.mktemp("readme"), generate_demo(**DEMO), backend=request.param)
    with client_for(engine) as client:
        yield client
    engine.dispose()


def filter_examples() -> list[str]:
    block = next(body for _, body in code_blocks(README) if "?filter=" in body and "curl" not in body)
    return [line.split("   ")[0].strip() for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("example", filter_examples())
def test_every_filter_example_finds_demo_records(demo: TestClient, example: str) -> None:
    path, _, expression = example.partition("?filter=")
    response = demo.get(f"{BASE}{path}?filter={quote(expression)}")
    assert response.status_code == 200, response.text
    (records,) = response.json().values()
    assert records, f"{example} matched nothing in the demo district"


def masked(text: str, port: int) -> str:
    text = text.replace("\r\n", "\n").replace(f"127.0.0.1:{port}", "127.0.0.1:8000")
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "<dateLastModified>", text)
    text = re.sub(r"^x-request-id: [0-9a-f]{32}$", "x-request-id: <new>", text, flags=re.MULTILINE)
    return re.sub(r"^date: .*$", "date: <now>", text, flags=re.MULTILINE).strip()


def test_the_quick_start_curls_print_what_the_readme_shows(tmp_path: Path) -> None:
    port = free_port()
    server, lines = start_server(["serve", "--demo", "--port", str(port)], tmp_path)
    outputs: list[str] = []
    try:
        _wait_for(f"http://127.0.0.1:{port}/")
        export = next(line.strip() for line in lines if line.strip().startswith("export CLIENT_ID="))
        quick_start = next(body for info, body in code_blocks(README) if info == "sh" and "curl" in body)
        # The block's first line puts `openroster` on PATH; the curls do not need it.
        commands = [line for line in shell_lines(quick_start) if line != "source .venv/bin/activate"]
        for command in commands:
            shell = f"{export}\n{'; '.join(c for c in commands[: commands.index(command)] if 'TOKEN=' in c)}\n{command}"
            done = subprocess.run(
                ["bash", "-c", shell.replace("127.0.0.1:8000", f"127.0.0.1:{port}")],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout)
    finally:
        server.terminate()
        server.communicate(timeout=30)
    shown = [body for _, body in code_blocks(README)]
    headers_and_page = next(b for b in shown if b.startswith("HTTP/1.1 200 OK"))
    by_email, classes = next(b for b in shown if b.startswith('{"users"')).splitlines()
    assert [masked(o, port) for o in outputs if o] == [masked(headers_and_page, 8000), by_email, classes]
