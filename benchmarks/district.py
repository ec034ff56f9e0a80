"""District-scale benchmark: the issue's targets as ratios measured side by side, each with a verdict.

Usage: python benchmarks/district.py [--size S|M|L | --students N --schools N]
                                     [--backend sqlite|postgresql|both] [--folder DIR]
                                     [--repeat 3] [--results DIR]

Builds a demo district with `openroster demo-data` (kept in --folder, reused when present),
imports it with `openroster import` (SQLite file in the folder and/or a PostgreSQL database
`openroster_bench_<folder name>` on --postgres), serves it with `openroster serve` (one and two
workers, separate processes, the console on as a district serves it; a pair alike but for
--no-console for the console's cost) and drives the 1.1 and 1.2 APIs over real HTTP from
`benchmarks/loadgen.py` (another process, raw sockets, bodies never parsed). Prints one table of
ratios with targets and verdicts and writes the figures, with a description of the machine, as
JSON into --results.

The import figures (first import, no-change re-import, the sqlite3 CLI's `.import` of the same
CSV files into plain tables) are measured when a store is built and kept in the folder
(`<backend>-import.json`), so a reused folder reports the figures of the build.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proc import MemorySampler, cpu_seconds, rss_anon_bytes  # noqa: E402

from openroster.model.catalogue import ENTITIES  # noqa: E402

API = "/ims/oneroster/v1p1"
API_V12 = "/ims/oneroster/rostering/v1p2"
SCOPE_V12 = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"
VERSIONS = {"1.1": (API, "doc"), "1.2": (API_V12, "doc_v12")}  # version -> (API root, stored document)
ACTIVE = "filter=status%3D%27active%27"
EXE = [sys.executable, "-m", "openroster"]
LOADGEN = Path(__file__).resolve().parent / "loadgen.py"
WALKED = {"users": "user", "enrollments": "enrollment", "classes": "class"}  # endpoint -> entity
FLAT = ("users", "enrollments")  # collections whose paging shape is measured


@dataclass(frozen=True)
class Size:
    students: int
    schools: int
    clients_seconds: float  # each 8-client walk
    memory_seconds: float  # the 8-client memory run
    memory_window: float  # "first minute" / "last minute" of the memory run


SIZES = {
    "S": Size(10_000, 4, 10, 30, 6),
    "M": Size(100_000, 20, 20, 60, 12),
    "L": Size(1_000_000, 200, 60, 300, 60),
}


@dataclass
class Row:
    """One line of the table: a measured value against its target."""

    backend: str
    name: str
    value: float | None
    unit: str = "x"
    target: str = ""  # ">= 0.5", "<= 300"; empty for figures shown beside a ratio
    note: str = ""

    @property
    def verdict(self) -> str:
        if not self.target:
            return ""
        if self.value is None:
            return "not measured"
        op, bound = self.target.split()
        holds = self.value >= float(bound) if op == ">=" else self.value <= float(bound)
        return "holds" if holds else "falls short"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    workers: int
    console: bool

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class Store:
    backend: str
    url: str
    imports: dict[str, Any] = field(default_factory=dict)


# --- building the district and its stores ------------------------------------------------------


def timed_child(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run `cmd`; its wall seconds, peak RSS (from wait4) and peak RssAnon (sampled)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    with MemorySampler(child.pid, interval=0.5) as sampler:
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{child.stderr.read().decode() if child.stderr else ''}")
    return {
        "seconds": seconds,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "peak_rss_anon_mb": max((v for _, v in sampler.samples), default=0) / 2**20,
    }


def demo_bundle(folder: Path, size: Size) -> Path:
    bundle = folder / "bundle"
    if not (bundle / "manifest.csv").exists():
        print(f"demo-data: {size.students:,} students, {size.schools} schools ...", flush=True)
        timed_child(
            [*EXE, "demo-data", str(bundle), "--students", str(size.students), "--schools", str(size.schools)]
        )
    return bundle


def sqlite_reference_import(bundle: Path, folder: Path) -> float:
    """Seconds the sqlite3 CLI takes to `.import` every CSV file of the bundle into plain tables."""
    target = folder / "reference.db"
    target.unlink(missing_ok=True)
    script = ".mode csv\n" + "".join(f".import '{f}' '{f.stem}'\n" for f in sorted(bundle.glob("*.csv")))
    started = time.perf_counter()
    subprocess.run(["sqlite3", str(target)], input=script.encode(), check=True)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def write_delta_bundle(bundle: Path, out: Path, stamp: str, every: int = 1000) -> dict[str, int]:
    """A delta bundle changing every `every`-th user (givenName) and enrollment (endDate)."""
    out.mkdir(parents=True, exist_ok=True)
    changes = {
        "users.csv": ("givenName", lambda v: v + "-delta"),
        "enrollments.csv": ("endDate", lambda v: "2026-06-11" if v == "2026-06-12" else "2026-06-12"),
    }
    counts = {}
    for name, (column, change) in changes.items():
        with (
            open(bundle / name, newline="", encoding="utf-8") as src,
            open(out / name, "w", newline="", encoding="utf-8") as dst,
        ):
            reader = csv.DictReader(src)
            writer = csv.DictWriter(dst, fieldnames=list(reader.fieldnames or []))
            writer.writeheader()
            counts[name] = 0
            for number, row in enumerate(reader):
                if number % every == every // 2:
                    row.update({"status": "active", "dateLastModified": stamp, column: change(row[column])})
                    writer.writerow(row)
                    counts[name] += 1
    with open(bundle / "manifest.csv", newline="", encoding="utf-8") as src:
        manifest = list(csv.reader(src))
    with open(out / "manifest.csv", "w", newline="", encoding="utf-8") as dst:
        writer_ = csv.writer(dst)
        for key, value in manifest:
            if key.startswith("file."):
                value = "delta" if key[5:] + ".csv" in changes else "absent"
            writer_.writerow([key, value])
    return counts


def postgres_url(server: str, name: str) -> str:
    return f"{server.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"


def prepare_store(backend: str, bundle: Path, folder: Path, pg_server: str, env: dict[str, str]) -> Store:
    """The store of `backend` for this folder, imported (and its import figures measured) if new."""
    figures = folder / f"{backend}-import.json"
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'sqlite.db'}"
    else:
        name = f"openroster_bench_{''.join(c for c in folder.name.lower() if c.isalnum())}"
        url = postgres_url(pg_server, name)
    if figures.exists():
        return Store(backend, url, json.loads(figures.read_text()))
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{folder / 'sqlite.db'}{suffix}").unlink(missing_ok=True)
    else:
        with psycopg.connect(f"{pg_server}/postgres", autocommit=True) as conn:
            # Only a database of this harness's own name, for this folder, is ever replaced.
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    print(f"{backend}: import ...", flush=True)
    first = timed_child([*EXE, "import", str(bundle), "--database", url], env)
    print(f"{backend}: no-change re-import ...", flush=True)
    again = timed_child([*EXE, "import", str(bundle), "--database", url], env)
    print(f"{backend}: sqlite3 .import reference ...", flush=True)
    reference = sqlite_reference_import(bundle, folder)
    # The delta: 0.1 % of users and enrollments changed after everything else was stamped.
    time.sleep(1.1)
    since = dt.datetime.now(dt.UTC)
    stamp = since.strftime("%Y-%m-%dT%H:%M:%S.") + f"{since.microsecond // 1000:03d}Z"
    delta = folder / f"{backend}-delta"
    counts = write_delta_bundle(bundle, delta, stamp)
    timed_child([*EXE, "import", str(delta), "--database", url], env)
    imports = {
        "first": first,
        "again": again,
        "reference_seconds": reference,
        "reference_tool": f"sqlite3 CLI {sqlite3_cli_version()} .import",
        "delta_since": (since - dt.timedelta(milliseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "delta_rows": counts,
    }
    figures.write_text(json.dumps(imports, indent=2))
    return Store(backend, url, imports)


def sqlite3_cli_version() -> str:
    return subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[0]


# --- serving -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def new_client(url: str, env: dict[str, str]) -> tuple[str, str]:
    printed = subprocess.run(
        [*EXE, "clients", "add", f"bench {time.time_ns()}", "--database", url],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    ).stdout
    fields = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in printed.splitlines()
        if ":" in line
    }
    return fields["client id (OAuth 1.0a consumer key)"], fields["client secret"]


@contextmanager
def serving(store: Store, workers: int, env: dict[str, str], console: bool = True) -> Iterator[Server]:
    """`openroster serve` as a district runs it (the console on, its default), or with --no-console."""
    port = free_port()
    process = subprocess.Popen(
        [*EXE, "serve", "--port", str(port), "--workers", str(workers), "--database", store.url]
        + ([] if console else ["--no-console"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    try:
        yield Server(process, port, workers, console)
    finally:
        process.terminate()
        process.wait(timeout=60)


def bearer_token(port: int, credentials: tuple[str, str], scope: str | None = None) -> str:
    """An access token of the client (its default scopes, or `scope`), once the server answers."""
    form = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
    for _ in range(600):
        try:
            answer = httpx.post(f"http://127.0.0.1:{port}/oauth/token", auth=credentials, data=form)
            return str(answer.json()["access_token"])
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start")


class LoadGenerator:
    """The separate load-generator process, one JSON command per line."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(LOADGEN)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def __call__(self, server: Server, token: str, **command: Any) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        before = cpu_seconds(server.pid)
        self.process.stdin.write(json.dumps({"port": server.port, "token": token, **command}) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise SystemExit(f"load generator: {answer['error']} ({command})")
        answer["server_cpu_s"] = cpu_seconds(server.pid) - before
        return answer

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


# --- the in-process ceiling -------------------------------------------------------------------


def ceiling(store: Store, endpoint: str, limit: int, document: str = "doc") -> tuple[int, float]:
    """(records, seconds) of reading the same records' stored JSON (the `document` column: doc for
    1.1, doc_v12 for 1.2) in key order, joined per page."""
    table = ENTITIES[WALKED[endpoint]].table
    sql = f"SELECT {document} FROM {table} WHERE status = 'active' ORDER BY sourced_id"
    records = 0
    started = time.perf_counter()
    if store.backend == "sqlite":
        conn = sqlite3.connect(f"file:{store.url.removeprefix('sqlite:///')}?mode=ro", uri=True)
        conn.execute("PRAGMA mmap_size=1073741824")  # as the server's connections
        cursor = conn.execute(sql)
        while rows := cursor.fetchmany(limit):
            page = b"[" + b",".join(row[0] for row in rows) + b"]"
            records += len(rows)
        conn.close()
    else:
        with psycopg.connect(store.url.replace("postgresql+psycopg://", "postgresql://", 1)) as pg:
            with pg.cursor(name="ceiling") as cursor:
                cursor.itersize = limit
                cursor.execute(sql)
                while rows := cursor.fetchmany(limit):
                    page = b"[" + b",".join(bytes(row[0]) for row in rows) + b"]"
                    records += len(rows)
    del page
    return records, time.perf_counter() - started


# --- the measurements ---------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def walk_path(endpoint: str, root: str = API) -> str:
    return f"{root}/{endpoint}?{ACTIVE}"


@dataclass(frozen=True)
class Tokens:
    """A bench client's access tokens: its default (1.1) scopes, and the 1.2 roster scope."""

    v11: str
    v12: str

    def of(self, version: str) -> str:
        return self.v11 if version == "1.1" else self.v12


def measure_backend(
    store: Store, size: Size, repeat: int, env: dict[str, str], count_off: str | None, walk_sizes: list[int]
) -> dict[str, Any]:
    credentials = new_client(store.url, env)
    load = LoadGenerator()
    out: dict[str, Any] = {"url": store.url, "imports": store.imports}
    try:
        # Two servers started together for this alone, alike but for the console, so that neither
        # has served more than the other.
        with serving(store, 1, env) as on, serving(store, 1, env, console=False) as off:
            token = bearer_token(on.port, credentials)
            bearer_token(off.port, credentials)
            out["console"] = measure_console(on, off, token, load, repeat, size.clients_seconds / 5)
        with serving(store, 1, env) as one, serving(store, 2, env) as two:
            tokens = Tokens(token, bearer_token(one.port, credentials, SCOPE_V12))
            bearer_token(two.port, credentials)
            out["walks"] = measure_walks(store, one, tokens, load, repeat, walk_sizes)
            out["paging"] = measure_paging(store, one, token, load, repeat, count_off)
            out["workers"] = measure_workers(one, two, token, load, repeat, size)
            out["memory"] = measure_memory(one, token, load, size)
    finally:
        load.close()
    return out


def walk_key(version: str, endpoint: str, limit: int) -> str:
    return f"{endpoint} limit={limit}" if version == "1.1" else f"{version} {endpoint} limit={limit}"


def measure_walks(
    store: Store, server: Server, tokens: Tokens, load: LoadGenerator, repeat: int, walk_sizes: list[int]
) -> dict[str, Any]:
    """Full walks of active records, one client, each beside the in-process ceiling of its version;
    the 1.1 and 1.2 walks of an endpoint and page size one after the other, so noise hits both."""
    runs: dict[str, list[dict[str, float]]] = {}
    for _ in range(repeat):
        for endpoint in WALKED:
            for limit, version in ((limit, version) for limit in walk_sizes for version in VERSIONS):
                root, document = VERSIONS[version]
                key = walk_key(version, endpoint, limit)
                print(f"  walk {key}", flush=True)
                records, seconds = ceiling(store, endpoint, limit, document)
                walked = load(
                    server,
                    tokens.of(version),
                    op="walk",
                    path=walk_path(endpoint, root),
                    limit=limit,
                    clients=1,
                )
                if walked["records"] != records:
                    raise SystemExit(
                        f"{key}: walked {walked['records']:,} records, the store holds {records:,}"
                    )
                pages = walked["page_seconds"]
                full = pages[:-1] if len(pages) > 1 and records % limit else pages
                runs.setdefault(key, []).append(
                    {
                        "records": records,
                        "rate": records / walked["seconds"],
                        "ceiling_rate": records / seconds,
                        "server_cpu_ms_per_1000": walked["server_cpu_s"] * 1e6 / records,
                        "loadgen_cpu_ms_per_1000": walked["cpu_s"] * 1e6 / records,
                        "last_over_first_page": full[-1] / full[0],
                    }
                )
    return {
        key: {name: median([run[name] for run in items]) for name in items[0]} | {"runs": items}
        for key, items in runs.items()
    }


def measure_paging(
    store: Store, server: Server, token: str, load: LoadGenerator, repeat: int, count_off: str | None
) -> dict[str, Any]:
    """Single requests, interleaved: first pages, deep pages, deltas, email against id, the count."""
    since = store.imports["delta_since"]
    targets: dict[str, str | tuple[str, str]] = {}
    for endpoint in FLAT:
        total = int(
            httpx.get(
                f"http://127.0.0.1:{server.port}{walk_path(endpoint)}&limit=1",
                headers={"Authorization": f"Bearer {token}"},
            ).headers["X-Total-Count"]
        )
        # An offset that is no page boundary: a page a walk could have remembered is not the point.
        deep = int(total * 0.9) + 7
        targets[f"{endpoint} first"] = f"{walk_path(endpoint)}&limit=5000"
        targets[f"{endpoint} 90%"] = f"{walk_path(endpoint)}&limit=5000&offset={deep}"
        targets[f"{endpoint} delta"] = f"{API}/{endpoint}?filter=dateLastModified%3E%27{since}%27&limit=5000"
        targets[f"{endpoint} all"] = f"{API}/{endpoint}?limit=5000"
        if count_off:
            targets[f"{endpoint} first, count off"] = (f"{walk_path(endpoint)}&limit=5000", count_off)
            targets[f"{endpoint} all, count off"] = (f"{API}/{endpoint}?limit=5000", count_off)
    auth = {"Authorization": f"Bearer {token}"}
    students = int(
        httpx.get(f"http://127.0.0.1:{server.port}{API}/students?limit=1", headers=auth).headers[
            "X-Total-Count"
        ]
    )
    middle = httpx.get(
        f"http://127.0.0.1:{server.port}{API}/students?limit=1&offset={students // 2}", headers=auth
    ).json()["users"][0]
    targets["user by id"] = f"{API}/users/{middle['sourcedId']}"
    targets["user by email"] = f"{API}/users?filter=email%3D%27{middle['email'].replace('@', '%40')}%27"
    answer = load(server, token, op="get", targets=list(targets.values()), repeat=max(7, 2 * repeat + 1))
    results = dict(zip(targets, answer["targets"], strict=True))
    for name, result in results.items():
        if result["status"] != 200:
            raise SystemExit(f"{name}: HTTP {result['status']} for {targets[name]}")
    return results


def measure_console(
    on: Server, off: Server, token: str, load: LoadGenerator, repeat: int, seconds: float
) -> dict[str, Any]:
    """Walks of active users and enrollments (pages of 5,000, walked again and again for `seconds`:
    one walk of a small district lasts a fraction of a second, which the other jobs of a shared
    machine swamp) served with the console on and with --no-console, alternately
    (on, off, then off, on, ...) so noise and warm caches hit both alike."""
    runs: dict[str, dict[bool, list[dict[str, float]]]] = {}
    for number in range(max(5, 2 * repeat + 1)):
        for endpoint in FLAT:
            for server in (on, off) if number % 2 == 0 else (off, on):
                print(f"  console {'on' if server.console else 'off'}: walk {endpoint}", flush=True)
                walked = load(
                    server,
                    token,
                    op="walk",
                    path=walk_path(endpoint),
                    limit=5000,
                    clients=1,
                    seconds=seconds,
                )
                runs.setdefault(endpoint, {True: [], False: []})[server.console].append(
                    {
                        "rate": walked["records"] / walked["seconds"],
                        "server_cpu_ms_per_1000": walked["server_cpu_s"] * 1e6 / walked["records"],
                    }
                )
    # The ratio is the median of each round's (two walks one after the other), which drifts in the
    # machine's load affect alike.
    return {
        endpoint: {
            state: {name: median([run[name] for run in items]) for name in items[0]} | {"runs": items}
            for state, items in (("on", by[True]), ("off", by[False]))
        }
        | {"ratio": median([on["rate"] / off["rate"] for on, off in zip(by[True], by[False], strict=True)])}
        for endpoint, by in runs.items()
    }


def measure_workers(
    one: Server, two: Server, token: str, load: LoadGenerator, repeat: int, size: Size
) -> dict[str, Any]:
    """8 clients walking active users in pages of 5,000 for a while, one worker and two alternately."""
    rates: dict[int, list[float]] = {1: [], 2: []}
    memory: dict[int, list[int]] = {1: [], 2: []}
    for _ in range(repeat):
        for server in (one, two):
            print(f"  8 clients, {server.workers} worker(s)", flush=True)
            with MemorySampler(server.pid) as sampler:
                walked = load(
                    server,
                    token,
                    op="walk",
                    path=walk_path("users"),
                    limit=5000,
                    clients=8,
                    seconds=size.clients_seconds,
                )
            rates[server.workers].append(walked["records"] / walked["seconds"])
            memory[server.workers].append(sampler.peak())
    return {
        "rate_1": median(rates[1]),
        "rate_2": median(rates[2]),
        "runs": rates,
        "peak_rss_anon_mb_1": max(memory[1]) / 2**20,
        "peak_rss_anon_mb_2": max(memory[2]) / 2**20,
    }


def measure_memory(server: Server, token: str, load: LoadGenerator, size: Size) -> dict[str, Any]:
    """8 clients walking users and enrollments in pages of 10,000; RssAnon of the server, every second."""
    print(f"  memory: 8 clients, pages of 10,000, {size.memory_seconds:.0f} s", flush=True)
    at_rest = rss_anon_bytes(server.pid)
    with MemorySampler(server.pid) as sampler:
        # Users and enrollments at once, from two load-generator processes.
        other = LoadGenerator()
        try:
            assert other.process.stdin
            other.process.stdin.write(
                json.dumps(
                    {
                        "op": "walk",
                        "port": server.port,
                        "token": token,
                        "path": walk_path("enrollments"),
                        "limit": 10_000,
                        "clients": 4,
                        "seconds": size.memory_seconds,
                    }
                )
                + "\n"
            )
            other.process.stdin.flush()
            load(
                server,
                token,
                op="walk",
                path=walk_path("users"),
                limit=10_000,
                clients=4,
                seconds=size.memory_seconds,
            )
            assert other.process.stdout
            json.loads(other.process.stdout.readline())
        finally:
            other.close()
    first, last = sampler.window_peaks(size.memory_window)
    return {
        "at_rest_mb": at_rest / 2**20,
        "peak_mb": sampler.peak() / 2**20,
        "first_window_peak_mb": first / 2**20,
        "last_window_peak_mb": last / 2**20,
        "window_s": size.memory_window,
        "workers": server.workers,
        "samples": [[round(t, 1), v] for t, v in sampler.samples],
    }


# --- the table ----------------------------------------------------------------------------------


def rate_ratio(backend: str, name: str, rate: float, against: float, target: str, note: str = "") -> Row:
    """A line of one rate of records against another, both shown beside it."""
    return Row(
        backend, name, rate / against, target=target, note=f"{rate:,.0f} vs {against:,.0f} records/s{note}"
    )


def rows_for(backend: str, m: dict[str, Any], sqlite: dict[str, Any] | None) -> list[Row]:
    rows = []
    for key, walk in m["walks"].items():
        rows.append(
            rate_ratio(backend, f"walk ÷ ceiling, {key}", walk["rate"], walk["ceiling_rate"], ">= 0.5")
        )
        rows.append(
            Row(
                backend,
                f"  server CPU-ms per 1,000 records, {key}",
                walk["server_cpu_ms_per_1000"],
                "ms",
                note=f"load generator: {walk['loadgen_cpu_ms_per_1000']:.1f} ms",
            )
        )
        if sqlite is not None:
            theirs = sqlite["walks"][key]["rate"]
            rows.append(Row(backend, f"walk ÷ SQLite's, {key}", walk["rate"] / theirs, target=">= 0.7"))
        version, _, plain = key.partition(" ")
        if version in VERSIONS and version != "1.1":
            v11 = m["walks"][plain]["rate"]
            rows.append(
                rate_ratio(backend, f"{version} walk ÷ 1.1 walk, {plain}", walk["rate"], v11, ">= 0.9")
            )
    for endpoint, by in m["console"].items():
        on, off = by["on"], by["off"]
        cpu = f"; CPU-ms per 1,000 {on['server_cpu_ms_per_1000']:.1f} vs {off['server_cpu_ms_per_1000']:.1f}"
        name = f"console on ÷ off, walk {endpoint} limit=5000"
        row = rate_ratio(backend, name, on["rate"], off["rate"], ">= 0.95", cpu)
        rows.append(dataclasses.replace(row, value=by["ratio"]))  # the median of the rounds' ratios
    w = m["workers"]
    rows.append(
        Row(
            backend,
            "2 workers ÷ 1, 8 clients, users limit=5000",
            w["rate_2"] / w["rate_1"],
            target=">= 1.6",
            note=f"{w['rate_1']:,.0f} -> {w['rate_2']:,.0f} records/s",
        )
    )
    mem = m["memory"]
    rows.append(
        Row(
            backend,
            f"memory per worker, 8 clients, limit=10000, {len(mem['samples'])} s",
            mem["peak_mb"] / mem["workers"],
            "MB",
            "<= 300",
            note=f"at rest {mem['at_rest_mb']:.0f} MB",
        )
    )
    rows.append(
        Row(
            backend,
            f"memory last {mem['window_s']:.0f} s peak ÷ first",
            mem["last_window_peak_mb"] / mem["first_window_peak_mb"],
            target="<= 1.1",
        )
    )
    rows.append(
        Row(backend, "memory per worker, 2 workers, limit=5000", w["peak_rss_anon_mb_2"] / 2, "MB", "<= 300")
    )
    p = m["paging"]
    for endpoint in FLAT:
        walk = m["walks"].get(f"{endpoint} limit=5000")
        if walk:
            rows.append(
                Row(
                    backend,
                    f"last page ÷ first, sequential walk, {endpoint}",
                    walk["last_over_first_page"],
                    target="<= 1.5",
                )
            )
        first = p[f"{endpoint} first"]["median_s"]
        rows.append(
            Row(
                backend,
                f"page at 90 % depth ÷ first, {endpoint}",
                p[f"{endpoint} 90%"]["median_s"] / first,
                target="<= 5",
            )
        )
        rows.append(
            Row(
                backend,
                f"delta 0.1 % ÷ first page, {endpoint}",
                p[f"{endpoint} delta"]["median_s"] / first,
                target="<= 3",
                note=f"{p[f'{endpoint} delta']['total']:,} records changed",
            )
        )
        for kind in ("first", "all"):
            off = p.get(f"{endpoint} {kind}, count off")
            label = "filtered" if kind == "first" else "unfiltered"
            rows.append(
                Row(
                    backend,
                    f"X-Total-Count on ÷ off, {label}, {endpoint}",
                    p[f"{endpoint} {kind}"]["median_s"] / off["median_s"] if off else None,
                    target="<= 1.1",
                    note="" if off else "not measured (--count-off '')",
                )
            )
    rows.append(
        Row(
            backend,
            "email lookup ÷ id lookup",
            p["user by email"]["median_s"] / p["user by id"]["median_s"],
            target="<= 2",
        )
    )
    imp = m["imports"]
    rows.append(
        Row(
            backend,
            "import ÷ sqlite3 .import of the same CSV",
            imp["first"]["seconds"] / imp["reference_seconds"],
            target="<= 3",
            note=f"{imp['first']['seconds']:.0f} s vs {imp['reference_seconds']:.0f} s",
        )
    )
    rows.append(
        Row(
            backend,
            "import peak memory (RssAnon)",
            imp["first"]["peak_rss_anon_mb"],
            "MB",
            "<= 1024",
            note=f"peak RSS with mapped file pages {imp['first']['peak_rss_mb']:.0f} MB",
        )
    )
    rows.append(
        Row(
            backend,
            "no-change re-import ÷ first",
            imp["again"]["seconds"] / imp["first"]["seconds"],
            target="<= 0.6",
        )
    )
    return rows


def print_table(rows: list[Row]) -> None:
    print(f"\n{'backend':10} {'measure':58} {'value':>10} {'target':>9}  {'verdict':12} note")
    for row in rows:
        value = (
            "-"
            if row.value is None
            else (f"{row.value:.2f}" if row.unit == "x" else f"{row.value:.1f} {row.unit}")
        )
        print(f"{row.backend:10} {row.name:58} {value:>10} {row.target:>9}  {row.verdict:12} {row.note}")


# --- the machine -----------------------------------------------------------------------------------


def machine(pg_server: str, backends: list[str]) -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    described = {
        "cores": os.cpu_count(),
        "memory_gb": round(mem / 2**20, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
    }
    if "postgresql" in backends:
        with psycopg.connect(f"{pg_server}/postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
            described["postgresql"] = row[0] if row else None
    return described


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), help="S (10k students), M (100k), L (1M)")
    parser.add_argument("--students", type=int, help="a district of this many students instead of --size")
    parser.add_argument("--schools", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("OPENROSTER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL (no database name)",
    )
    parser.add_argument(
        "--folder",
        type=Path,
        help="where the bundle and stores live, reused when present (default: benchmarks/data/<size>)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; medians are shown")
    parser.add_argument("--seconds", type=float, help="length of each 8-client walk (default by size)")
    parser.add_argument("--memory-seconds", type=float, help="length of the memory run (default by size)")
    parser.add_argument("--walk-limits", default="5000,10000", help="page sizes of the full walks")
    parser.add_argument(
        "--count-off",
        default=os.environ.get("OPENROSTER_BENCH_COUNT_OFF", "Prefer: count=none"),
        help="request header that makes the server leave X-Total-Count out ('' not to measure it)",
    )
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="build the bundle and the stores (measuring the imports), then stop",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=Path("benchmarks/results/local"),
        help="folder the JSON results are written into",
    )
    args = parser.parse_args()

    if args.students:
        name = f"custom-{args.students}"
        size = Size(args.students, args.schools, 5, 10, 2)
    else:
        name = args.size or "M"
        size = SIZES[name]
    size = Size(
        size.students,
        size.schools,
        args.seconds or size.clients_seconds,
        args.memory_seconds or size.memory_seconds,
        min(size.memory_window, (args.memory_seconds or size.memory_seconds) / 5),
    )
    folder = (args.folder or Path("benchmarks/data") / name).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    env = {"OPENROSTER_KEY_FILE": str(folder / "bench.key")}
    started = dt.datetime.now(dt.UTC)
    described = machine(args.postgres, backends)

    bundle = demo_bundle(folder, size)
    measured: dict[str, Any] = {}
    rows: list[Row] = []
    for backend in backends:
        store = prepare_store(backend, bundle, folder, args.postgres, env)
        if args.prepare_only:
            print(f"{backend}: {store.url} ready", flush=True)
            continue
        print(f"{backend}: measuring ...", flush=True)
        measured[backend] = measure_backend(
            store, size, args.repeat, env, args.count_off, [int(v) for v in args.walk_limits.split(",")]
        )
        rows += rows_for(backend, measured[backend], measured.get("sqlite") if backend != "sqlite" else None)
    if args.prepare_only:
        return
    described["load_average_end"] = os.getloadavg()
    print_table(rows)

    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{started.strftime('%Y%m%dT%H%M%SZ')}-{name}-{args.backend}.json"
    out.write_text(
        json.dumps(
            {
                "size": name,
                "students": size.students,
                "schools": size.schools,
                "started": started.isoformat(),
                "command": " ".join(sys.argv),
                "machine": described,
                "repeat": args.repeat,
                "rows": [
                    {
                        "backend": r.backend,
                        "measure": r.name,
                        "value": r.value,
                        "unit": r.unit,
                        "target": r.target,
                        "verdict": r.verdict,
                        "note": r.note,
                    }
                    for r in rows
                ],
                "measured": measured,
            },
            indent=1,
        )
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
