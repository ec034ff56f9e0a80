"""The shared counters and permits hold across processes: no update is lost, no permit leaks."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from openroster.errors import ConfigurationError
from openroster.ops import shared_counters
from openroster.ops.permits import Permits
from openroster.ops.shared_counters import BUCKETS, MAGIC, SharedCounters, counters_path

SPAWN = multiprocessing.get_context("spawn")


def frozen() -> float:
    return 0.0  # instants above zero stay live, so a slot can serve as a plain count


def add_one(first: float, second: float, now: float) -> tuple[float, float, float]:
    return first + 1, second, first + 1


def count_up(path: str, key: str, times: int) -> None:
    counters = SharedCounters(Path(path), clock=frozen)
    for _ in range(times):
        counters.update(key, add_one)
    counters.close()


def read(counters: SharedCounters, key: str) -> tuple[float, float]:
    return counters.update(key, lambda first, second, now: (first, second, (first, second)))


def test_updates_from_several_processes_and_threads_are_never_lost(tmp_path: Path) -> None:
    path = tmp_path / "store.db-limits"
    workers = [SPAWN.Process(target=count_up, args=(str(path), "client\0sds", 400)) for _ in range(3)]
    for worker in workers:
        worker.start()
    count_up(str(path), "client\0sds", 400)
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    counters = SharedCounters(path, clock=frozen)
    assert read(counters, "client\0sds") == (1600.0, 0.0)
    assert read(counters, "client\0other") == (0.0, 0.0)


def test_the_file_is_private_and_cleared_after_a_reboot(tmp_path: Path) -> None:
    path = tmp_path / "counters"
    counters = SharedCounters(path, clock=frozen)
    counters.update("a", add_one)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert read(SharedCounters(path, clock=frozen), "a") == (1.0, 0.0)  # another process's view
    with path.open("r+b") as file:  # the header of a file made before the last boot
        file.seek(len(MAGIC))
        file.write(b"an-earlier-boot".ljust(64, b"\0"))
    assert read(SharedCounters(path, clock=frozen), "a") == (0.0, 0.0)


def keys_in_one_bucket(counters: SharedCounters, how_many: int) -> list[str]:
    by_bucket: dict[int, list[str]] = {}
    n = 0
    while True:
        key = f"key-{n}"
        n += 1
        bucket = by_bucket.setdefault(int.from_bytes(counters.digest(key)[:8], "little") % BUCKETS, [])
        bucket.append(key)
        if len(bucket) == how_many:
            return bucket


def test_a_full_bucket_gives_up_the_slot_that_expires_first(tmp_path: Path) -> None:
    now = [100.0]
    counters = SharedCounters(tmp_path / "counters", clock=lambda: now[0])
    keys = keys_in_one_bucket(counters, shared_counters.SLOTS_PER_BUCKET + 1)
    for n, key in enumerate(keys[:-1]):
        counters.update(key, lambda first, second, t, n=n: (t + 10 + n, 0.0, None))  # live for 10+n s
    counters.update(keys[-1], lambda first, second, t: (t + 50, 0.0, None))
    assert read(counters, keys[0]) == (0.0, 0.0)  # it expired first, so it was given up
    assert [read(counters, key)[0] for key in keys[1:]] == [111 + n for n in range(len(keys) - 2)] + [150]
    now[0] = 1000.0  # every instant has passed: the slots hold nothing and are reused
    counters.update("newcomer", lambda first, second, t: (t + 1, 0.0, None))
    assert read(counters, "newcomer") == (1001.0, 0.0)


HOLD = """
import sys, time
from pathlib import Path
from openroster.ops.shared_counters import SharedCounters
from openroster.ops.permits import Permits
permits = Permits(SharedCounters(Path(sys.argv[1])))
print(permits.acquire("concurrent\\0sds", 2) is not None, flush=True)
time.sleep(600)
"""


def test_permits_are_shared_by_processes_and_freed_when_their_holder_dies(tmp_path: Path) -> None:
    path = tmp_path / "counters"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True, cwd=Path.cwd()
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        permits = Permits(SharedCounters(path))
        mine = permits.acquire("concurrent\0sds", 2)
        assert mine is not None
        assert permits.acquire("concurrent\0sds", 2) is None  # one held here, one by the other process
        assert permits.acquire("concurrent\0other", 2) is not None  # another key has its own permits
        permits.release(mine)
        again = permits.acquire("concurrent\0sds", 2)
        assert again is not None
        assert permits.acquire("concurrent\0sds", 2) is None
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        assert permits.acquire("concurrent\0sds", 2) is not None  # the dead holder's permit is free
    finally:
        holder.kill()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()


def test_threads_of_one_process_take_distinct_permits(tmp_path: Path) -> None:
    permits = Permits(SharedCounters(tmp_path / "counters"))
    taken = [permits.acquire("concurrent\0sds", 3) for _ in range(4)]
    assert taken[3] is None and len({t for t in taken[:3]}) == 3


def test_a_sqlite_store_keeps_its_counters_beside_it_and_others_in_a_private_folder(tmp_path: Path) -> None:
    assert counters_path(f"sqlite:///{tmp_path / 'district.db'}") == tmp_path / "district.db-limits"
    first = counters_path("postgresql+psycopg://postgres@127.0.0.1/roster")
    assert first != counters_path("postgresql+psycopg://postgres@127.0.0.1/other")
    assert first.parent.name == f"openroster-{os.getuid()}"
    assert oct(first.parent.stat().st_mode & 0o777) == "0o700"


def test_a_runtime_folder_others_can_write_to_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_counters.tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(shared_counters, "Path", _NoDevShm)
    folder = tmp_path / f"openroster-{os.getuid()}"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    with pytest.raises(ConfigurationError, match="not a folder private to this user"):
        counters_path("postgresql+psycopg://postgres@127.0.0.1/roster")


class _NoDevShm(type(Path())):  # type: ignore[misc]
    """A host without /dev/shm."""

    def is_dir(self) -> bool:
        return str(self) != "/dev/shm" and super().is_dir()
