"""Benchmark the read path end to end: a demo district served over real HTTP, pulled like SDS does.

Usage: python benchmarks/read_path.py [--students 100000] [--schools 20] [--database URL]
                                     [--keep] [--folder DIR]

Builds a demo district in a temporary folder (or reuses --folder DIR), imports it, starts
`openroster serve` on a free loopback port and reports medians of repeated requests plus
full-collection walks in pages of 5,000. The temporary folder (about 11 MB per 1,000 students)
is removed at the end unless --keep is given. The machine is shared and noisy: compare ratios
and medians, not single numbers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(cmd: list[str], **env: str) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={**os.environ, **env})
    return time.perf_counter() - started


def new_client(exe: list[str], database: str, env: dict[str, str]) -> tuple[str, str]:
    """Create an API client; returns (client id, secret) from what `clients add` prints."""
    printed = subprocess.run(
        [*exe, "clients", "add", f"bench {time.time_ns()}", "--database", database],
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


def start_server(
    exe: list[str], database: str, env: dict[str, str], **settings: str
) -> tuple[subprocess.Popen[bytes], int, str]:
    """`openroster serve` on a free loopback port, and a bearer token of a new API client."""
    client_id, secret = new_client(exe, database, env)
    port = free_port()
    server = subprocess.Popen(
        [*exe, "serve", "--port", str(port), "--database", database],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env, **settings},
    )
    for _ in range(100):
        try:
            token = httpx.post(
                f"http://127.0.0.1:{port}/oauth/token",
                auth=(client_id, secret),
                data={"grant_type": "client_credentials"},
            ).json()["access_token"]
            return server, port, token
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start")


def median_ms(client: httpx.Client, url: str, repeat: int = 7) -> tuple[float, int, str]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        body = response.content
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, len(body), response.headers.get("X-Total-Count", "")


def walk(client: httpx.Client, path: str, limit: int = 5000) -> tuple[int, float]:
    """Records/s of a full offset walk; counts records from X-Total-Count and page sizes."""
    started, offset, total = time.perf_counter(), 0, None
    while total is None or offset < total:
        response = client.get(f"{path}{'&' if '?' in path else '?'}limit={limit}&offset={offset}")
        response.raise_for_status()
        total = int(response.headers["X-Total-Count"])
        offset += limit
    return total, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument(
        "--database", help="database URL to load and serve (default: a temporary SQLite file)"
    )
    parser.add_argument(
        "--folder",
        type=Path,
        help="folder for the bundle and database, reused when present (kept afterwards)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print where it is")
    args = parser.parse_args()

    folder = args.folder or Path(tempfile.mkdtemp(prefix="openroster-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        measure(args, folder)
    finally:
        if args.folder is None and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"\nkept {folder}")


def measure(args: argparse.Namespace, folder: Path) -> None:
    bundle, database = folder / "bundle", args.database or f"sqlite:///{folder / 'bench.db'}"
    exe = [sys.executable, "-m", "openroster"]
    if not bundle.exists():
        seconds = run(
            [*exe, "demo-data", str(bundle), "--students", str(args.students), "--schools", str(args.schools)]
        )
        print(f"demo-data: {seconds:.1f} s")
    if not (folder / "bench.db").exists() or args.database:
        print(f"import: {run([*exe, 'import', str(bundle), '--database', database]):.1f} s")

    env = {"OPENROSTER_KEY_FILE": str(folder / "bench.key")}
    server, port, token = start_server(exe, database, env)
    base = f"http://127.0.0.1:{port}/ims/oneroster/v1p1"
    try:
        with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}) as client:
            print(f"\n{'request':72} {'median':>9} {'bytes':>10} {'total':>8}")
            for url in [
                "/users?limit=5000",
                "/users?limit=5000&offset=150000",
                "/users?limit=5000&filter=status%3D%27active%27",
                "/enrollments?limit=5000&offset=500000",
                "/users?filter=email%3D%27nobody%40example.org%27",
                "/teachers?limit=10000",
                "/schools/sch-0002/students?limit=5000",
                "/classes?limit=5000&filter=dateLastModified%3E%272020-01-01T00%3A00%3A00Z%27",
                "/users/stu-000042",
            ]:
                ms, size, total = median_ms(client, url)
                print(f"{url:72} {ms:7.1f}ms {size:>10,} {total:>8}")
            print()
            for path in ["/users?filter=status%3D%27active%27", "/enrollments?filter=status%3D%27active%27"]:
                records, seconds = walk(client, path)
                print(f"walk {path:67} {records:>9,} records {seconds:6.1f} s {records / seconds:>10,.0f}/s")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
