"""glibc's malloc thresholds for server processes, raised so page bodies do not page-fault.

Each page body is built from buffers of up to a megabyte. With glibc's defaults, a buffer above
the mmap threshold is mapped fresh from the kernel and unmapped when freed, and every one of its
pages faults on first touch; freed heap above the trim threshold goes back to the kernel too,
to be faulted in again by the next request. Raised, those buffers are reused from the heap
(measured 1.2-3x end to end on this kind of machine). The arenas are bounded too: glibc gives
threads new arenas up to 8 per core, each keeping its own freed heap up to the trim threshold,
so a process's memory crept up as more of its worker threads had served a large page; the
threads run Python under one lock, so two arenas cost no contention. glibc reads MALLOC_*_ environment
variables when a process starts, so `serve` sets them for its worker processes, and applies the
same values to its own process with mallopt (one worker serves in `serve`'s process). A value
the operator set in the environment is kept. Other C libraries: nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

MMAP_THRESHOLD = 32 << 20  # 32 MiB: glibc's ceiling for this threshold on 64-bit
TRIM_THRESHOLD = 128 << 20
ARENAS = 2
# variable -> (mallopt's option number, the value openroster sets)
_MALLOPT = {
    "MALLOC_MMAP_THRESHOLD_": (-3, MMAP_THRESHOLD),
    "MALLOC_TRIM_THRESHOLD_": (-1, TRIM_THRESHOLD),
    "MALLOC_ARENA_MAX": (-8, ARENAS),
}


def raise_thresholds() -> dict[str, str]:
    """Set the thresholds for this process and its children; the values in force, by variable."""
    libc = _glibc()
    applied = {}
    for variable, (option, default) in _MALLOPT.items():
        given = os.environ.get(variable, "")
        value = int(given) if given.isdigit() else default
        os.environ[variable] = str(value)
        if libc is not None:
            libc.mallopt(option, value)
        applied[variable] = str(value)
    return applied


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # noqa: B018 - present in glibc only
    except (OSError, AttributeError):
        return None
    return libc
