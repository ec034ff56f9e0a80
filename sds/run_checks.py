"""Run Microsoft's OneRoster Postman collections (School Data Sync, Grade Sync) against openroster.

`make sds-check` runs this script with the project's virtualenv Python, after `npm ci` has put
newman into sds/node_modules. It:

1. writes a demo district with `openroster demo-data` and imports it into a new SQLite store
   in a temporary folder;
2. adds an API client with all seven OneRoster scopes (`openroster clients add`);
3. serves the store with `openroster serve` on a free loopback port;
4. builds a newman environment from what the server answers (never from hard-coded ids);
5. runs each collection with newman and reads its JSON report;
6. prints, per collection, the requests, assertions and failures, then every failed assertion.

Failures listed in known_defects.toml (assertions no provider can pass because the collection
itself is wrong), when they fail with the message the defect produces, are shown as "known
collection defect, skipped". Any other failure makes the script exit 1. The server is stopped however the run ends.

The collections are read from ../shared/sds-postman (override with --collections DIR); they
are Microsoft's files and are never copied into this project.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
NEWMAN = HERE / "node_modules" / ".bin" / "newman"
KNOWN_DEFECTS = HERE / "known_defects.toml"
DEFAULT_COLLECTIONS = PROJECT.parent / "shared" / "sds-postman"
OPENROSTER = Path(sys.executable).parent / "openroster"

COLLECTIONS = (
    "sds-v2-oneroster-v1p1-oauth2.postman_collection.json",
    "oneroster-v1p1-oauth2.postman_collection.json",
    "oneroster-v1p1-oauth1a.postman_collection.json",
)
API_ROOT = "/ims/oneroster/v1p1"
SCOPES = (
    "roster-core.readonly",
    "roster.readonly",
    "roster-demographics.readonly",
    "resource.readonly",
    "gradebook.readonly",
    "gradebook.createput",
    "gradebook.delete",
)
DISTRICT = {"schools": 3, "students": 300, "seed": 1}
CLIENT_ID = "sds-check"
SERVER_START_SECONDS = 60


# --- the demo district, its API client and the server ---------------------------------------


@dataclass(frozen=True)
class Deployment:
    base_url: str  # scheme://host:port, what the collections call OneRosterHost
    client_id: str
    client_secret: str
    delta_moment: str  # a moment just before the import, for the delta requests


def run_openroster(*args: str, env: dict[str, str]) -> str:
    """Run one `openroster` command; on failure show its output and stop."""
    done = subprocess.run([str(OPENROSTER), *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"`openroster {' '.join(args[:1])}` failed with exit code {done.returncode}")
    return done.stdout


def openroster_env(work: Path) -> dict[str, str]:
    """The environment of every openroster command: this run's store and server key only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROSTER_")}
    env["OPENROSTER_DATABASE_URL"] = f"sqlite:///{work / 'openroster.db'}"
    env["OPENROSTER_KEY_FILE"] = str(work / "openroster.key")
    return env


def iso_millis(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def build_store(work: Path, env: dict[str, str]) -> str:
    """Write and import the demo district; returns a moment just before the import."""
    bundle = work / "district"
    run_openroster(
        "demo-data",
        str(bundle),
        "--schools",
        str(DISTRICT["schools"]),
        "--students",
        str(DISTRICT["students"]),
        "--seed",
        str(DISTRICT["seed"]),
        env=env,
    )
    before = datetime.now(UTC) - timedelta(seconds=1)
    run_openroster("import", str(bundle), env=env)
    return iso_millis(before)


def add_client(env: dict[str, str]) -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    scope_args = [arg for scope in SCOPES for arg in ("--scope", scope)]
    run_openroster(
        "clients",
        "add",
        "Microsoft Postman checks",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        secret,
        *scope_args,
        env=env,
    )
    return CLIENT_ID, secret


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:  # the server keeps its own handle
        return subprocess.Popen(
            [str(OPENROSTER), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until_up(base_url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.stderr.write(log_path.read_text(errors="replace"))
            raise SystemExit(f"openroster serve exited with code {server.returncode} before answering")
        try:
            with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"openroster serve did not answer on {base_url} within {SERVER_START_SECONDS} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- reading the served data ------------------------------------------------------------------


class Api:
    """A tiny OneRoster client: OAuth 2.0 client credentials, then JSON GETs."""

    def __init__(self, deployment: Deployment) -> None:
        self.base_url = deployment.base_url
        credentials = f"{deployment.client_id}:{deployment.client_secret}".encode()
        request = urllib.request.Request(
            self.base_url + "/oauth/token",
            data=b"grant_type=client_credentials",
            method="POST",
            headers={
                "Authorization": "Basic " + base64.b64encode(credentials).decode(),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            self.token = json.load(response)["access_token"]

    def get(self, path: str, **params: str) -> Any:
        query = "?" + urllib.parse.urlencode(params) if params else ""
        request = urllib.request.Request(
            self.base_url + API_ROOT + path + query, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def records(self, path: str, key: str, **params: str) -> list[dict[str, Any]]:
        return list(self.get(path, **params)[key])


def pick_ids(api: Api) -> dict[str, str]:
    """Ids that fit together: the first school, a teacher there with a class there, a student in
    that class, the class's term and its school year."""
    active = "status='active'"
    school = api.records("/schools", "orgs", filter=active, limit="1")[0]["sourcedId"]
    for teacher in api.records(f"/schools/{school}/teachers", "users", filter=active, limit="10000"):
        if not teacher.get("email"):
            continue
        for klass in api.records(f"/teachers/{teacher['sourcedId']}/classes", "classes", filter=active):
            if klass["school"]["sourcedId"] != school or not klass.get("terms"):
                continue
            students = api.records(
                f"/classes/{klass['sourcedId']}/students", "users", filter=active, limit="1"
            )
            if students:
                term = api.get(f"/terms/{klass['terms'][0]['sourcedId']}")["academicSession"]
                return {
                    "school_id": school,
                    "class_id": klass["sourcedId"],
                    "teacher_id": teacher["sourcedId"],
                    "student_id": students[0]["sourcedId"],
                    "term_id": term["sourcedId"],
                    "teacher_email_address": teacher["email"],
                    "SchoolYear": term["schoolYear"],
                    **line_item_dates(term["startDate"], term["endDate"]),
                }
    raise SystemExit(f"the demo district has no teacher of {school} with an email and a class with students")


def line_item_dates(term_start: str, term_end: str) -> dict[str, str]:
    """assignDate and dueDate for the lineItem Grade Sync creates: today, kept inside the term,
    and a week later. The OAuth 1.0a collection computes these itself; the older OAuth 2.0 one
    puts the variables in its PUT body but never sets them."""
    start = datetime.fromisoformat(term_start).replace(tzinfo=UTC)
    end = datetime.fromisoformat(term_end).replace(tzinfo=UTC)
    assign = max(start, min(datetime.now(UTC).replace(microsecond=0), end))
    return {
        "lineitem_assign_date": assign.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lineitem_due_date": (assign + timedelta(weeks=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def environment_values(deployment: Deployment, ids: dict[str, str]) -> dict[str, str]:
    """Every variable the three collections read before they set it themselves."""
    return {
        "OneRosterHost": deployment.base_url,  # the collections append /ims/oneroster/v1p1 themselves
        "Oauth2TokenAddress": deployment.base_url + "/oauth/token",
        "OneRosterConsumerKey": deployment.client_id,
        "OneRosterConsumerSecret": deployment.client_secret,
        "Scopes": " ".join(SCOPES),
        "DeltaDateTime": deployment.delta_moment,
        "OAuth2AccessToken": "",
        "OAuth2RefreshToken": "",
        **ids,
        "TeacherEmailAddress": ids["teacher_email_address"],  # the OAuth 1.0a collection's name for it
    }


def write_environment(path: Path, values: dict[str, str]) -> None:
    document = {
        "name": "openroster demo district",
        "_postman_variable_scope": "environment",
        "values": [
            {"key": key, "value": value, "type": "default", "enabled": True} for key, value in values.items()
        ],
    }
    path.write_text(json.dumps(document, indent=2))


# --- newman and its reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    collection: str
    folder: str
    request: str
    assertion: str
    message: str

    def key(self) -> tuple[str, str, str, str]:
        return (self.collection, self.folder, self.request, self.assertion)


@dataclass(frozen=True)
class Outcome:
    collection: str
    requests: int
    assertions: int
    failed: int
    failures: tuple[Failure, ...]


def run_newman(collection: Path, environment: Path, report: Path) -> None:
    print(f"\n=== newman run {collection.name}", flush=True)
    subprocess.run(
        [
            str(NEWMAN),
            "run",
            str(collection),
            "-e",
            str(environment),
            "--reporters",
            "cli,json",
            "--reporter-json-export",
            str(report),
        ],
        cwd=HERE,
    )


def folders_by_item(items: list[dict[str, Any]], path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(request item id, folder path) for every request of a collection."""
    for item in items:
        if "item" in item:
            yield from folders_by_item(item["item"], path + (item["name"],))
        else:
            yield item["id"], " / ".join(path)


def read_report(collection: str, report_path: Path) -> Outcome:
    if not report_path.exists():
        crash = Failure(collection, "", "", "newman run", "newman wrote no report (see its output above)")
        return Outcome(collection, 0, 0, 1, (crash,))
    report = json.loads(report_path.read_text())
    run = report["run"]
    folder_of = dict(folders_by_item(report["collection"]["item"]))
    failures = tuple(_failure(collection, folder_of, f) for f in run["failures"])
    stats = run["stats"]
    return Outcome(
        collection,
        stats["requests"]["total"],
        stats["assertions"]["total"],
        stats["assertions"]["failed"],
        failures,
    )


def _failure(collection: str, folder_of: dict[str, str], failure: dict[str, Any]) -> Failure:
    """One entry of newman's run.failures: a failed assertion, or an error in a script."""
    source, error = failure.get("source") or {}, failure.get("error") or {}
    assertion = error.get("test") or f"{error.get('name', 'error')} in {failure.get('at', 'the run')}"
    return Failure(
        collection,
        folder_of.get(source.get("id", ""), ""),
        source.get("name", ""),
        assertion,
        " ".join(str(error.get("message", "")).split()),
    )


# --- known collection defects and the verdict ---------------------------------------------------


@dataclass(frozen=True)
class Defect:
    """An entry of known_defects.toml: an assertion that fails by the collection's fault, with the
    message that fault produces (a regular expression); another message is a real failure."""

    reason: str
    message: str

    def explains(self, failure: Failure) -> bool:
        return re.search(self.message, failure.message) is not None


Defects = dict[tuple[str, str, str, str], Defect]


def load_known_defects(path: Path) -> Defects:
    entries = tomllib.loads(path.read_text()).get("defect", [])
    return {
        (e["collection"], e["folder"], e["request"], e["assertion"]): Defect(e["reason"], e["message"])
        for e in entries
    }


def show(outcomes: list[Outcome], known: Defects) -> int:
    """Print the totals and every failure; returns the number of failures not known as defects."""
    print("\n=== Microsoft's OneRoster Postman checks: summary")
    for outcome in outcomes:
        print(
            f"{outcome.collection}: {outcome.requests} requests, {outcome.assertions} assertions, "
            f"{outcome.failed} failed"
        )
    failures = [f for outcome in outcomes for f in outcome.failures]
    skipped = [f for f in failures if f.key() in known and known[f.key()].explains(f)]
    real = [f for f in failures if f not in skipped]
    print_failures(
        f"Known collection defects ({KNOWN_DEFECTS.name})", skipped, "known collection defect, skipped"
    )
    print_failures("FAILED", real)
    unseen = sorted(set(known) - {f.key() for f in skipped})
    if unseen:
        print(
            f"\nIn {KNOWN_DEFECTS.name} but not seen failing that way this time (is the entry still right?):"
        )
        for key in unseen:
            print("  - " + " | ".join(key))
    passed = sum(o.assertions - o.failed for o in outcomes)
    print(f"\nsds-check: {passed} passed, {len(real)} failed, {len(skipped)} skipped")
    return len(real)


def print_failures(title: str, failures: list[Failure], note: str = "") -> None:
    if not failures:
        return
    print(f"\n{title}: {len(failures)}")
    for failure in failures:
        where = " | ".join((failure.collection, failure.folder, failure.request, failure.assertion))
        print(f"  - {where}\n      {note + ': ' if note else ''}{failure.message}")


# --- the whole run ------------------------------------------------------------------------------


def check(collections_dir: Path, work: Path) -> int:
    for name in COLLECTIONS:
        if not (collections_dir / name).is_file():
            raise SystemExit(f"{collections_dir / name} is missing (give the folder with --collections)")
    if not NEWMAN.exists():
        raise SystemExit(f"{NEWMAN} is missing: run `npm ci` in {HERE} (make sds-check does)")
    env = openroster_env(work)
    delta_moment = build_store(work, env)
    client_id, secret = add_client(env)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = start_server(port, env, work / "server.log")
    try:
        wait_until_up(base_url, server, work / "server.log")
        deployment = Deployment(base_url, client_id, secret, delta_moment)
        ids = pick_ids(Api(deployment))
        print("Environment: " + ", ".join(f"{k}={v}" for k, v in ids.items()))
        environment = work / "openroster.postman_environment.json"
        write_environment(environment, environment_values(deployment, ids))
        outcomes = []
        for name in COLLECTIONS:
            report = work / f"{name.split('.')[0]}.report.json"
            run_newman(collections_dir / name, environment, report)
            outcomes.append(read_report(name, report))
    finally:
        stop_server(server)
    return show(outcomes, load_known_defects(KNOWN_DEFECTS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--collections",
        type=Path,
        default=DEFAULT_COLLECTIONS,
        help=f"folder holding Microsoft's collections (default: {DEFAULT_COLLECTIONS})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (store, reports, log)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="openroster-sds-"))
    try:
        failed = check(args.collections.resolve(), work)
    finally:
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
