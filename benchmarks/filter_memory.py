"""Replay the filter-shape memory attack against `openroster serve` and report the server's RSS.

Usage: python benchmarks/filter_memory.py [--requests 600] [--students 300] [--database URL]

Imports a small demo district, serves it, then sends `--requests` reads whose filters all have a
different shape (fields, operators, AND/OR, number of predicates), each as long as the server
accepts, plus a round of far longer ones (which it refuses), several at a time. It prints the
server's resident memory before, during and after, and the status codes it got. Every compiled
statement the server keeps is keyed by that shape, so without bounded caches memory grows with
each request.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from read_path import run, start_server  # noqa: E402

FIELDS = [
    "givenName",
    "familyName",
    "middleName",
    "email",
    "username",
    "identifier",
    "role",
    "status",
    "phone",
    "sms",
    "orgs.sourcedId",
    "grades",
    "agents.sourcedId",
    "userIds.identifier",
    "userIds.type",
    "orgs.type",
]
OPERATORS = ["=", "!=", ">", ">=", "<", "<=", "~"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def distinct_filter(rng: random.Random, predicates: int, length: int) -> str:
    """A filter of `predicates` predicates of random shape, padded with value text to about `length`."""
    shape = [
        (rng.choice(FIELDS), rng.choice(OPERATORS), rng.choice([" AND ", " OR "])) for _ in range(predicates)
    ]
    room = max(1, (length - sum(len(f) + len(o) + 7 for f, o, _ in shape)) // predicates)
    parts = [f"{field}{op}'{''.join(rng.choices('abcdefghij', k=room))}'" for field, op, _ in shape]
    return parts[0] + "".join(joiner + part for (_, _, joiner), part in zip(shape, parts[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument(
        "--predicates", type=int, default=50, help="predicates per filter (the server's limit)"
    )
    parser.add_argument("--length", type=int, default=4000, help="characters per filter")
    parser.add_argument(
        "--database", help="database URL to load and serve (default: a temporary SQLite file)"
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="openroster-filter-memory-"))
    database = args.database or f"sqlite:///{folder / 'store.db'}"
    exe = [sys.executable, "-m", "openroster"]
    run([*exe, "demo-data", str(folder / "bundle"), "--students", str(args.students), "--schools", "3"])
    run([*exe, "import", str(folder / "bundle"), "--database", database])
    server, port, token = start_server(exe, database, {"OPENROSTER_KEY_FILE": str(folder / "server.key")})
    rng = random.Random(1)
    statuses: Counter[int] = Counter()
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}/ims/oneroster/v1p1",
            timeout=120,
            headers={"Authorization": f"Bearer {token}"},
        ) as client:

            def get(expression: str) -> None:
                statuses[client.get("/users", params={"filter": expression, "limit": "10"}).status_code] += 1

            for _ in range(20):  # warm up with ordinary traffic
                get("status='active'")
                client.get("/users?limit=100")
            start = rss_mb(server.pid)
            print(f"RSS after warm-up: {start:.0f} MB")
            started = time.perf_counter()
            filters = [
                distinct_filter(rng, rng.randint(args.predicates // 2, args.predicates), args.length)
                for _ in range(args.requests)
            ]
            oversize = [distinct_filter(rng, 1000, 50_000) for _ in range(40)]
            with ThreadPoolExecutor(4) as pool:
                for n in range(0, len(filters), 100):
                    list(pool.map(get, filters[n : n + 100]))
                    print(f"  after {n + 100:>5} distinct filters: RSS {rss_mb(server.pid):.0f} MB")
                list(pool.map(get, oversize))
            end = rss_mb(server.pid)
            print(f"  after {len(oversize)} filters of ~50 KB: RSS {end:.0f} MB")
            print(
                f"RSS after the replay: {end:.0f} MB ({end - start:+.0f} MB) in "
                f"{time.perf_counter() - started:.0f} s; statuses {dict(sorted(statuses.items()))}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
