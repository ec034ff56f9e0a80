"""Load generator for the district benchmark: GETs over raw HTTP/1.1 sockets, bodies drained, never parsed.

Runs as its own process (`python benchmarks/loadgen.py`), reading one JSON command per line on stdin
and answering one JSON line on stdout, so that its CPU is its own and the harness can sample the
server's CPU between commands. Records are counted from `X-Total-Count` and the page bounds, not by
reading the JSON, so the client stays far cheaper than the server it drives.

Commands:
  {"op": "walk", "port": P, "token": T, "path": "/ims/...", "limit": N, "clients": C, "seconds": S}
      C clients each walk `path` in pages of N (offset paging, as SDS does). Without "seconds" each
      walks it once; with it, each walks again from the start until S seconds have passed.
      Answer: records, seconds, bytes, cpu_s, and per-page seconds of the first client's first walk.
  {"op": "get", "port": P, "token": T, "targets": [...], "repeat": R}
      Each target R times, interleaved (target 1, 2, ..., 1, 2, ...). A target is a request
      target, or [request target, "Header: value"] to send one more header. Answer: per target
      (in the order given) the median seconds, bytes, X-Total-Count and status; cpu_s.
"""

from __future__ import annotations

import json
import resource
import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

_SCRATCH = 1 << 20


@dataclass
class Reply:
    status: int
    total: int | None
    size: int
    seconds: float


class Connection:
    """One keep-alive HTTP/1.1 connection to the loopback server."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.head = f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        self.pending = bytearray()
        self.scratch = memoryview(bytearray(_SCRATCH))
        self.sock = self._connect()

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending.clear()
        return sock

    def get(self, target: str, header: str = "") -> Reply:
        started = time.perf_counter()
        extra = header.encode() + b"\r\n" if header else b""
        self.sock.sendall(b"GET " + target.encode() + b" HTTP/1.1\r\n" + extra + self.head)
        head = self._read_until(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if b"content-length" in headers:
            size = int(headers[b"content-length"])
            self._drain(size)
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            size = self._drain_chunked()
        else:
            raise RuntimeError(f"a response without a length: {head!r}")
        if headers.get(b"connection", b"").lower() == b"close":
            self.sock.close()
            self.sock = self._connect()
        total = headers.get(b"x-total-count")
        return Reply(status, int(total) if total is not None else None, size, time.perf_counter() - started)

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.pending += chunk

    def _read_until(self, separator: bytes) -> bytes:
        while (end := self.pending.find(separator)) < 0:
            self._fill()
        line = bytes(self.pending[:end])
        del self.pending[: end + len(separator)]
        return line

    def _drain(self, size: int) -> None:
        taken = min(size, len(self.pending))
        del self.pending[:taken]
        size -= taken
        while size:
            got = self.sock.recv_into(self.scratch[: min(size, _SCRATCH)])
            if not got:
                raise ConnectionError("the server closed the connection mid-body")
            size -= got

    def _drain_chunked(self) -> int:
        size = 0
        while True:
            chunk = int(self._read_until(b"\r\n").split(b";", 1)[0], 16)
            if chunk == 0:
                while self._read_until(b"\r\n"):  # trailer fields, then the empty line
                    pass
                return size
            self._drain(chunk + 2)
            size += chunk

    def close(self) -> None:
        self.sock.close()


def _page_target(path: str, limit: int, offset: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}limit={limit}&offset={offset}"


def _walk(
    conn: Connection, path: str, limit: int, deadline: float | None, page_seconds: list[float] | None
) -> tuple[int, int]:
    """Walk `path` once (or repeatedly until `deadline`); return (records, bytes)."""
    records = size = 0
    while True:
        offset, total = 0, None
        while total is None or offset < total:
            reply = conn.get(_page_target(path, limit, offset))
            if reply.status != 200 or reply.total is None:
                raise RuntimeError(f"{path} at offset {offset}: HTTP {reply.status}")
            total = reply.total
            records += max(0, min(limit, total - offset))
            size += reply.size
            if page_seconds is not None:
                page_seconds.append(reply.seconds)
            offset += limit
            if deadline is not None and time.perf_counter() >= deadline:
                return records, size
        page_seconds = None
        if deadline is None:
            return records, size


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def walk(command: dict[str, Any]) -> dict[str, Any]:
    clients, limit, path = int(command["clients"]), int(command["limit"]), str(command["path"])
    seconds = command.get("seconds")
    connections = [Connection(int(command["port"]), str(command["token"])) for _ in range(clients)]
    results: list[tuple[int, int]] = [(0, 0)] * clients
    errors: list[BaseException] = []
    page_seconds: list[float] = []
    cpu, started = _cpu_seconds(), time.perf_counter()
    deadline = started + float(seconds) if seconds is not None else None

    def client(index: int) -> None:
        try:
            results[index] = _walk(
                connections[index], path, limit, deadline, page_seconds if index == 0 else None
            )
        except BaseException as exc:  # reported to the harness, which stops the run
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for conn in connections:
        conn.close()
    if errors:
        raise errors[0]
    return {
        "records": sum(r for r, _ in results),
        "bytes": sum(b for _, b in results),
        "seconds": elapsed,
        "cpu_s": _cpu_seconds() - cpu,
        "page_seconds": page_seconds,
    }


def get(command: dict[str, Any]) -> dict[str, Any]:
    conn = Connection(int(command["port"]), str(command["token"]))
    targets = [(t, "") if isinstance(t, str) else (str(t[0]), str(t[1])) for t in command["targets"]]
    times: list[list[float]] = [[] for _ in targets]
    last: list[Reply] = []
    cpu = _cpu_seconds()
    for _ in range(int(command["repeat"])):
        last = []
        for index, (target, header) in enumerate(targets):
            reply = conn.get(target, header)
            times[index].append(reply.seconds)
            last.append(reply)
    conn.close()
    return {
        "targets": [
            {
                "target": target,
                "header": header,
                "median_s": statistics.median(times[index]),
                "bytes": last[index].size,
                "total": last[index].total,
                "status": last[index].status,
            }
            for index, (target, header) in enumerate(targets)
        ],
        "cpu_s": _cpu_seconds() - cpu,
    }


def main() -> None:
    operations = {"walk": walk, "get": get}
    for line in sys.stdin:
        command = json.loads(line)
        try:
            answer = operations[command["op"]](command)
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
