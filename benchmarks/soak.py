"""Soak: SDS walkers, a Grade Sync writer and a periodic importer against `openroster serve --workers 2`.

Usage: python -m benchmarks.soak [--minutes 10] [--backend sqlite|postgresql|both] [--clients 3]
                                 [--students 20000] [--out benchmarks/results]

For each backend: builds a demo district and the two bundles A and B (benchmarks/soak_state.py), imports A,
B and A again with reference walks of each state, then for --minutes runs --clients walkers (the first signs
with OAuth 1.0a, the others use OAuth 2.0 tokens), --writers Grade Sync writers and an importer that
alternates B and A, all over real HTTP while the server's memory is sampled. Afterwards it checks the final
store and reports (a table, and soak-<backend>.json in --out). It exits 1 if a target fails: any error,
server memory of the last minute above 1.1 x that of the minute after the first import of each bundle (the
warm-up: caches of a first import and a first walk filling), or any consistency verdict failing. The
servers and databases it created are removed at the end, even when it is interrupted.

A walk saw a consistent revision when: it holds no sourcedId twice; each record validates against the
catalogue; if all its pages carried one X-Data-Revision, its records are exactly those of state A or of
state B (and no revision is seen as both); if its pages carried several revisions, each of its records is
a record of A or of B. A delta walk holds no sourcedId twice and only records modified after its moment.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.soak_load import ACTIVE, Client, walk, walker, writer
from benchmarks.soak_state import SDS_COLLECTIONS, State, csv_mismatches, make_bundles

EXE = [sys.executable, "-m", "openroster"]
PG_SERVER = os.environ.get("OPENROSTER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
GRACE = 120.0  # seconds a client or an import may run past the deadline before it is stopped
MEMORY_EVERY = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([*EXE, *args], capture_output=True, text=True, env={**os.environ, **env})
    if done.returncode:
        raise SystemExit(f"openroster {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def add_client(database: str, name: str, env: dict[str, str], *scopes: str) -> tuple[str, str]:
    printed = cli(
        "clients", "add", name, "--database", database, *[a for s in scopes for a in ("--scope", s)], env=env
    )
    fields = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in printed.splitlines()
        if ":" in line
    }
    return fields["client id (OAuth 1.0a consumer key)"], fields["client secret"]


def server_rss_kib(pid: int) -> int:
    """RssAnon of the server process and all its descendants (its workers), in KiB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("RssAnon:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


class Importer(threading.Thread):
    """Re-imports B, A, B, ... with a pause before each, until the deadline; records each import."""

    def __init__(
        self,
        bundles: list[tuple[str, Path]],
        database: str,
        env: dict[str, str],
        pause: float,
        deadline: float,
        begun: float,
    ) -> None:
        super().__init__(daemon=True)
        self.bundles, self.database, self.env, self.pause, self.deadline = (
            bundles,
            database,
            env,
            pause,
            deadline,
        )
        self.begun = begun  # the soak's start: import times are also given in seconds since it
        self.imports: list[dict[str, Any]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        turn = 0
        while not self.stop.wait(self.pause) and time.time() < self.deadline:
            label, bundle = self.bundles[turn % 2]
            started = time.time()
            process = subprocess.Popen(
                [*EXE, "import", str(bundle), "--database", self.database],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env={**os.environ, **self.env},
            )
            try:
                _, stderr = process.communicate(timeout=max(1.0, self.deadline + GRACE - time.time()))
            except subprocess.TimeoutExpired:
                process.kill()
                _, stderr = process.communicate()
            self.imports.append(
                {
                    "bundle": label,
                    "started": started,
                    "seconds": round(time.time() - started, 1),
                    "ended at second": round(time.time() - self.begun, 1),
                    "returncode": process.returncode,
                    "stderr": stderr.decode()[-500:],
                }
            )
            turn += 1


def reference_walk(client: Client, label: str, bundle: Path) -> tuple[State, list[str]]:
    """A state from quiet walks of every collection, and where it differs from the bundle's CSV files."""
    state, problems = State(label), []
    for key, path in SDS_COLLECTIONS:
        kept: list[dict[str, Any]] = []
        seen = walk(client, key, path, {"filter": ACTIVE}, "reference walk", keep=kept)
        if seen is None or seen["duplicates"] or seen["invalid"] or len(seen["revisions"]) != 1:
            raise SystemExit(
                f"the reference walk of {path} ({label}) failed: {client.tally.error_samples[-3:]} "
                f"{seen and {k: seen[k] for k in ('duplicates', 'invalid', 'invalid_samples')}}"
            )
        state.add(key, seen["prints"])
        problems += csv_mismatches(bundle, key, kept)
    return state, problems


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0


def soak_backend(backend: str, district: Path, args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"openroster-soak-{backend}-"))
    env = {
        "OPENROSTER_KEY_FILE": str(folder / "server.key"),
        "MALLOC_MMAP_THRESHOLD_": "33554432",
        "MALLOC_TRIM_THRESHOLD_": "134217728",
    }
    admin, pg_name = None, None
    if backend == "sqlite":
        database = f"sqlite:///{folder / 'soak.db'}"
    else:
        pg_name = f"openroster_soak_{os.getpid()}_{int(time.time())}"
        admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{pg_name}"'))
        database = f"{PG_SERVER}/{pg_name}"
    server: subprocess.Popen[bytes] | None = None
    try:
        a, b = make_bundles(district, folder)
        started = time.time()
        cli("import", str(a), "--database", database, env=env)
        setup = {"first import seconds": round(time.time() - started, 1)}
        reader = add_client(database, "soak reader", env)
        walkers = [add_client(database, f"soak walker {n}", env) for n in range(args.clients)]
        writers = [
            add_client(
                database,
                f"soak writer {n}",
                env,
                "roster.readonly",
                "gradebook.readonly",
                "gradebook.createput",
                "gradebook.delete",
            )
            for n in range(args.writers)
        ]
        port = free_port()
        server = subprocess.Popen(
            [*EXE, "serve", "--port", str(port), "--database", database, "--workers", "2"],
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "server.log", "wb"),
            env={**os.environ, **env},
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                import httpx

                httpx.get(base + "/oauth/token", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        quiet = Client(base, *reader, oauth1=False, deadline=time.time() + 3600)
        state_a, csv_a = reference_walk(quiet, "A", a)
        cli("import", str(b), "--database", database, env=env)
        state_b, csv_b = reference_walk(quiet, "B", b)
        cli("import", str(a), "--database", database, env=env)
        again, _ = reference_walk(quiet, "A", a)
        setup["reference walks"] = {
            "A vs CSV": csv_a,
            "B vs CSV": csv_b,
            "A after B is A": again.digests == state_a.digests,
            "A differs from B": state_a.digests != state_b.digests,
        }
        setup["records per state"] = {
            s.label: {k: d[0] for k, d in s.digests.items()} for s in (state_a, state_b)
        }
        metrics_probe = quiet.http.get("/metrics").status_code
        states = [state_a, state_b]

        begun = time.time()
        deadline = begun + args.minutes * 60
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        processes = [
            context.Process(target=walker, args=(base, cid, secret, n == 0, deadline, states, queue))
            for n, (cid, secret) in enumerate(walkers)
        ]
        processes += [
            context.Process(
                target=writer, args=(base, cid, secret, n, deadline, args.burst, args.pause, queue)
            )
            for n, (cid, secret) in enumerate(writers)
        ]
        for process in processes:
            process.start()
        importer = Importer([("B", b), ("A", a)], database, env, args.import_pause, deadline, begun)
        importer.start()
        memory: list[tuple[float, int]] = []
        while time.time() < deadline:
            memory.append((round(time.time() - begun, 1), server_rss_kib(server.pid)))
            time.sleep(min(MEMORY_EVERY, max(0.0, deadline - time.time())))
        memory.append((round(time.time() - begun, 1), server_rss_kib(server.pid)))
        outcomes: list[dict[str, Any]] = []
        hung = 0
        for process in processes:
            while process.is_alive() and time.time() < deadline + GRACE and len(outcomes) < len(processes):
                try:
                    outcomes.append(queue.get(timeout=1))
                except Exception:
                    pass
        while len(outcomes) < len(processes) and time.time() < deadline + GRACE:
            try:
                outcomes.append(queue.get(timeout=1))
            except Exception:
                break
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                hung += 1
                process.kill()
        importer.stop.set()
        importer.join(timeout=GRACE)
        elapsed = time.time() - begun

        final = final_checks(quiet, importer.imports, states, outcomes)
        if metrics_probe == 200:
            final["metrics at end"] = quiet.http.get("/metrics").text[-4000:]
        return summarise(
            backend,
            args,
            setup,
            outcomes,
            importer.imports,
            memory,
            final,
            hung,
            elapsed,
            metrics_probe,
            quiet,
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def final_checks(
    client: Client, imports: list[dict[str, Any]], states: list[State], outcomes: list[dict[str, Any]]
) -> dict[str, Any]:
    """The store once everything stopped: the roster of the last import, the gradebook the writers left."""
    committed = [i["bundle"] for i in imports if i["returncode"] == 0]
    last = committed[-1] if committed else "A"
    expected = next(s for s in states if s.label == last)
    roster: dict[str, bool] = {}
    for key, path in SDS_COLLECTIONS:
        seen = walk(client, key, path, {"filter": ACTIVE}, "final walk")
        roster[key] = seen is not None and tuple(seen["digest"]) == expected.digests[key]
    items: dict[str, Any] = {}
    results: dict[str, Any] = {}
    deleted: set[str] = set()
    for outcome in outcomes:
        if outcome["role"] == "writer":
            items.update(outcome["lineItems"])
            results.update(outcome["results"])
            deleted.update(outcome["deleted"])
    served: dict[str, dict[str, Any]] = {}
    for key, path, field in (("lineItems", "/lineItems", "title"), ("results", "/results", "score")):
        answer_items: dict[str, Any] = {}
        offset = 0
        while True:
            got = client.send("final walk", "GET", path, {"limit": "10000", "offset": str(offset)})
            if got is None:
                break
            answer_items.update(
                {r["sourcedId"]: r[field] for r in got[2][key] if r["sourcedId"].startswith("soak-")}
            )
            offset += 10000
            if offset >= int(got[1]["x-total-count"]):
                break
        served[key] = answer_items
    gone = sorted(deleted - set(items) - set(results))[:100]
    still_there = [
        sid
        for sid in gone
        if client.send(
            "final walk", "GET", f"/{'lineItems' if '-li-' in sid else 'results'}/{sid}", expect=(404,)
        )
        is None
    ]
    return {
        "last import": last,
        "roster equals last import": roster,
        "lineItems as written": served["lineItems"] == items,
        "results as written": served["results"] == results,
        "lineItems written": len(items),
        "results written": len(results),
        "deleted ids checked 404": len(gone),
        "deleted ids still served": still_there[:10],
    }


def warmed_up(imports: list[dict[str, Any]], window: float, elapsed: float) -> float:
    """When every kind of work has run once (the first import of each bundle has ended), in seconds since
    the soak began. Memory is compared from there: the caches a first import and a first walk of each
    collection fill are not growth. 0 when the run is too short to leave two windows after it."""
    if len(imports) < 2:
        return 0.0
    at = float(imports[1]["ended at second"])
    return at if at + 2 * window <= elapsed else 0.0


def summarise(
    backend: str,
    args: argparse.Namespace,
    setup: dict[str, Any],
    outcomes: list[dict[str, Any]],
    imports: list[dict[str, Any]],
    memory: list[tuple[float, int]],
    final: dict[str, Any],
    hung: int,
    elapsed: float,
    metrics_probe: int,
    client: Client,
) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {}
    requests = errors = records = 0
    throttled = {"429": 0, "503": 0}
    samples: list[str] = []
    walks: list[dict[str, Any]] = []
    writes = mismatches = 0
    cpu = 0.0
    for outcome in outcomes:
        tally = outcome["tally"]
        for family, values in tally["latencies"].items():
            latencies.setdefault(family, []).extend(values)
        requests += tally["requests"]
        errors += tally["errors"]
        records += tally["records"]
        samples += tally["error_samples"]
        for code in throttled:
            throttled[code] += tally["throttled"][code]
        walks += outcome.get("walks", [])
        writes += outcome.get("writes", 0)
        mismatches += outcome.get("mismatches", 0)
        samples += outcome.get("mismatch_samples", [])
        cpu += outcome["cpu"]
    failed_imports = [i for i in imports if i["returncode"] != 0]
    errors += len(failed_imports) + hung + client.tally.errors
    samples += [f"import {i['bundle']}: exit {i['returncode']}: {i['stderr']}" for i in failed_imports]
    samples += client.tally.error_samples

    full = [w for w in walks if w["family"].startswith("walk")]
    delta = [w for w in walks if w["family"].startswith("delta")]
    single = [w for w in full if len(w["revisions"]) == 1]
    spanning = [w for w in full if len(w["revisions"]) > 1]
    labels: dict[int, set[str]] = {}
    for w in single:
        if len(w["matches"]) == 1:
            labels.setdefault(w["revisions"][0], set()).update(w["matches"])
    verdicts = {
        "no duplicates within a walk": sum(w["duplicates"] for w in walks) == 0,
        "every record validates against the catalogue": sum(w["invalid"] for w in walks) == 0,
        "single-revision walks equal state A or B": all(w["matches"] for w in single),
        "no revision seen as both A and B": all(len(v) == 1 for v in labels.values()),
        "spanning walks hold only records of A or B": all(w["unknown"] == 0 for w in spanning),
        "delta walks hold only records modified after their moment": all(w["stale"] == 0 for w in delta),
        "Grade Sync re-reads show what was written": mismatches == 0,
        "final roster equals the last import": all(final["roster equals last import"].values()),
        "final lineItems and results are what the writers left": final["lineItems as written"]
        and final["results as written"]
        and not final["deleted ids still served"],
        "reference walks match the bundles' CSV": not setup["reference walks"]["A vs CSV"]
        and not setup["reference walks"]["B vs CSV"]
        and setup["reference walks"]["A after B is A"],
    }
    window = min(60.0, elapsed / 3)
    warm = warmed_up(imports, window, elapsed)
    first = max((kib for t, kib in memory if warm <= t <= warm + window), default=0)
    last = max((kib for t, kib in memory if t >= elapsed - window), default=0)
    memory_ok = last <= 1.1 * first
    families = {
        family: {
            "requests": len(values),
            "p50 ms": percentile(values, 0.5),
            "p99 ms": percentile(values, 0.99),
        }
        for family, values in sorted(latencies.items())
    }
    invalid_samples = [s for w in walks for s in w["invalid_samples"]][:10]
    duplicate_samples = [
        {"collection": w["collection"], "family": w["family"], **w["duplicate_sample"]}
        for w in walks
        if w.get("duplicate_sample")
    ][:5]
    return {
        "backend": backend,
        "minutes": args.minutes,
        "elapsed seconds": round(elapsed, 1),
        "district": {
            "students": args.students,
            "schools": args.schools,
            "active records per state": setup["records per state"],
        },
        "clients": {
            "walkers": args.clients,
            "of which OAuth 1.0a": 1 if args.clients else 0,
            "writers": args.writers,
            "writer burst": args.burst,
            "writer pause seconds": args.pause,
            "import pause seconds": args.import_pause,
            "server workers": 2,
            "page size": 10_000,
        },
        "requests": requests,
        "errors": errors,
        "error samples": samples[:20] + invalid_samples,
        "walks that saw a record twice": duplicate_samples,
        "throttled": throttled,
        "records served": records,
        "latency by family": families,
        "walks": {
            "full": len(full),
            "full on one revision": len(single),
            "full spanning revisions": len(spanning),
            "delta": len(delta),
        },
        "imports": {
            "done": len(imports) - len(failed_imports),
            "failed": len(failed_imports),
            "seconds": [i["seconds"] for i in imports],
            "bundles": "".join(i["bundle"] for i in imports),
        },
        "gradebook writes": writes,
        "server memory": {
            "samples (seconds, RssAnon KiB)": memory,
            "first window max KiB": first,
            "last window max KiB": last,
            "window seconds": round(window, 1),
            "first window starts at second": warm,
            "target last <= 1.1 x first": memory_ok,
        },
        "load generator cpu seconds": round(cpu, 1),
        "load generator cpu share of one core": round(cpu / elapsed, 2) if elapsed else 0.0,
        "metrics endpoint": metrics_probe,
        "setup": setup,
        "final": final,
        "verdicts": verdicts,
        "passed": errors == 0 and memory_ok and all(verdicts.values()),
    }


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load average at end": os.getloadavg(),
        "note": "shared machine: six other engineers' builds and tests ran at the same time",
    }


def show(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title=f"soak on {result['backend']}: {result['elapsed seconds']:.0f} s, "
        f"{'PASSED' if result['passed'] else 'FAILED'}"
    )
    table.add_column("endpoint family")
    for name in ("requests", "p50 ms", "p99 ms"):
        table.add_column(name, justify="right")
    for family, figures in result["latency by family"].items():
        table.add_row(
            family, f"{figures['requests']:,}", f"{figures['p50 ms']:.1f}", f"{figures['p99 ms']:.1f}"
        )
    console.print(table)
    memory = result["server memory"]
    console.print(
        f"requests {result['requests']:,}, errors {result['errors']}, 429 {result['throttled']['429']}, "
        f"503 {result['throttled']['503']}, records served {result['records served']:,}, imports "
        f"{result['imports']['done']} ({result['imports']['bundles']}), gradebook writes "
        f"{result['gradebook writes']:,}, walks {result['walks']}"
    )
    console.print(
        f"server RssAnon: {memory['window seconds']:.0f} s from second "
        f"{memory['first window starts at second']:.0f} (once each bundle was imported) max "
        f"{memory['first window max KiB']:,} KiB, last max {memory['last window max KiB']:,} KiB; load generator CPU "
        f"{result['load generator cpu seconds']} s"
    )
    for name, ok in result["verdicts"].items():
        console.print(f"  {'ok  ' if ok else 'FAIL'} {name}", highlight=False)
    for sample in result["error samples"]:
        console.print(f"  error: {sample}", highlight=False, markup=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--clients", type=int, default=3, help="walkers (the first signs with OAuth 1.0a)")
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--schools", type=int, default=8)
    parser.add_argument("--burst", type=int, default=20, help="writer actions between pauses")
    parser.add_argument("--pause", type=float, default=10.0, help="seconds a writer waits between bursts")
    parser.add_argument("--import-pause", type=float, default=30.0, help="seconds between imports")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folders and print where they are"
    )
    args = parser.parse_args()
    if args.clients < 1 or args.minutes <= 0:
        parser.error("--clients must be at least 1 and --minutes above 0")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    work = Path(tempfile.mkdtemp(prefix="openroster-soak-district-"))
    passed = True
    try:
        cli(
            "demo-data",
            str(work / "district"),
            "--students",
            str(args.students),
            "--schools",
            str(args.schools),
            env={},
        )
        for backend in backends:
            result = soak_backend(backend, work / "district", args)
            result["machine"] = machine()
            show(result)
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"soak-{backend}.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
            passed = passed and result["passed"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
