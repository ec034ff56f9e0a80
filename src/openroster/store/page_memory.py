"""Memory of counts and page ends, valid for one data revision, shared by every server process.

Consumers walk a collection page by page (offset advancing by limit) with the same filter.
Within one data revision nothing changes, so the count is the same on every page, and the page
at offset o + n starts right after the last key of the page at offset o: a keyset seek from
there costs the same at any depth, where OFFSET rereads every skipped key. With several server
processes, consecutive pages of one walk land on different processes, so the memory lives in a
shared memory map (`serve` creates its file before the workers start; see `create_file`);
without a file it is private to the process.

The map is a fixed table of slots, so its size never grows: a key (the walk and the offset,
any value with a stable repr) is hashed to a digest that picks its slot, and a newer entry
replaces whatever the slot held. Entries of older revisions are never looked up again and are
overwritten in time. Processes write slots without a lock: each slot carries a checksum of its
contents, so a slot read while another process writes it reads as absent, never as a wrong
value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import mmap
import os
import tempfile
from collections.abc import Hashable
from pathlib import Path

SLOT = 256  # bytes: digest, value type, value length, value, checksum
SLOTS = 16384  # 4 MiB: a few thousand pages of walks in progress
_DIGEST = 16
_CHECK = 16
_VALUE = SLOT - _DIGEST - 1 - 1 - _CHECK  # room left for a value (a sourcedId up to 222 bytes)
ENV = "OPENROSTER_PAGE_MEMORY_FILE"  # set by `serve` for its worker processes


class PageMemory:
    """A bounded map from keys to ints and strs (counts, sourcedIds), in a memory map."""

    def __init__(self, path: Path | None = None, slots: int = SLOTS) -> None:
        self._slots = slots
        if path is None:
            self._map = mmap.mmap(-1, slots * SLOT)
        else:
            with open(path, "r+b") as file:
                self._map = mmap.mmap(file.fileno(), slots * SLOT)
        self.hits = 0  # lookups answered, in this process (for tests and diagnostics)

    def get(self, key: Hashable) -> int | str | None:
        digest = _digest(key)
        start = self._slot(digest)
        slot = self._map[start : start + SLOT]
        if slot[:_DIGEST] != digest:
            return None
        kind, length = slot[_DIGEST], slot[_DIGEST + 1]
        body = slot[: _DIGEST + 2 + length]
        if length > _VALUE or slot[SLOT - _CHECK :] != _check(body):
            return None  # empty, or torn by a concurrent write
        value = body[_DIGEST + 2 :]
        self.hits += 1
        return int(value) if kind == ord("i") else value.decode()

    def put(self, key: Hashable, value: int | str) -> None:
        encoded = str(value).encode()
        if len(encoded) > _VALUE:
            return  # too long to remember: the next page simply does not seek
        digest = _digest(key)
        kind = b"i" if isinstance(value, int) else b"s"
        body = digest + kind + bytes([len(encoded)]) + encoded
        start = self._slot(digest)
        self._map[start : start + SLOT] = body.ljust(SLOT - _CHECK, b"\0") + _check(body)

    def _slot(self, digest: bytes) -> int:
        return int.from_bytes(digest[:8], "little") % self._slots * SLOT


def create_file(slots: int = SLOTS) -> Path:
    """A new zeroed file for a shared PageMemory, in shared memory (/dev/shm) where there is one."""
    folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
    descriptor, name = tempfile.mkstemp(prefix="openroster-pages-", dir=folder)
    try:
        os.ftruncate(descriptor, slots * SLOT)
    finally:
        os.close(descriptor)
    return Path(name)


def _digest(key: Hashable) -> bytes:
    return hashlib.blake2b(repr(_canonical(key)).encode(), digest_size=_DIGEST).digest()


def _canonical(value: object) -> object:
    """`value` with its sets sorted: the repr of a set depends on each process's string hashing."""
    if isinstance(value, (set, frozenset)):
        return ("set", *sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, tuple):
        return tuple(_canonical(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (_canonical(getattr(value, f.name)) for f in dataclasses.fields(value))
        return (type(value).__name__, *fields)
    return value


def _check(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=_CHECK, person=b"openroster-slot").digest()
