"""Find and open the files at the top of a bundle, whether a .zip file or a folder.

Zips made by hand often wrap everything in one folder (and macOS adds `__MACOSX/` and
`._name` entries); those wrappers are looked through. Files in deeper folders and hidden
files are not part of the bundle.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

from openroster.ingest.problems import MANIFEST, BundleInvalid, Problem

__all__ = ["BundleSource", "Digest"]

_IGNORED_FOLDERS = ("__MACOSX",)


class Digest(Protocol):
    """A hash being computed (hashlib's objects)."""

    def update(self, data: ReadableBuffer, /) -> None: ...

    def digest(self) -> bytes: ...


class BundleSource:
    """The top-level files of one bundle; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}  # file name -> zip member name or file path
        if path.is_dir():
            self._members = _folder_files(path)
        elif path.is_file() and zipfile.is_zipfile(path):
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise _unreadable(path, f"it could not be opened as a zip file ({exc})") from None
            self._members = _zip_files(self._zip)
        elif path.exists():
            raise _unreadable(path, "it is neither a .zip file nor a folder")
        else:
            raise _unreadable(path, "there is no such file or folder")

    def __enter__(self) -> BundleSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    @property
    def names(self) -> list[str]:
        """File names at the top of the bundle, sorted."""
        return sorted(self._members)

    def open_text(self, name: str, digest: Digest | None = None) -> TextIO:
        """Open a file as UTF-8 text (a leading byte-order mark is dropped) for the csv module.

        `digest`, when given, is fed every byte read, so two reads of a file can be compared.
        """
        member = self._members[name]
        raw: IO[bytes] = self._zip.open(member) if self._zip is not None else open(member, "rb")
        if digest is not None:
            raw = io.BufferedReader(_Digesting(raw, digest), _CHUNK)
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")

    def undecodable_line(self, name: str) -> int | None:
        """The line holding the first bytes of a file that are not UTF-8 (read only after a failure)."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        line = 1
        member = self._members[name]
        with self._zip.open(member) if self._zip is not None else open(member, "rb") as raw:
            while chunk := raw.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return line + chunk.count(b"\n", 0, max(exc.start, 0))
                line += chunk.count(b"\n")
        return None


_CHUNK = 1 << 16
# No OneRoster row comes near this; a longer line is refused as it is read, before it is held whole.
MAX_LINE_CHARACTERS = 1 << 20


class LineTooLong(csv.Error):
    """A physical line of a CSV file longer than MAX_LINE_CHARACTERS."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line} is longer than {MAX_LINE_CHARACTERS:,} characters")
        self.line = line


def bounded_lines(text: TextIO) -> Iterator[str]:
    """The lines of `text` for the csv module, each read at most MAX_LINE_CHARACTERS at a time.

    A file of one endless line (a few MB zipped can hold gigabytes of commas) is refused after
    reading one bound's worth of it, instead of being read into memory whole.
    """
    number = 0
    while line := text.readline(MAX_LINE_CHARACTERS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARACTERS:
            raise LineTooLong(number)
        yield line


class _Digesting(io.RawIOBase):
    """A byte stream that feeds what is read from another one to a digest."""

    def __init__(self, raw: IO[bytes], digest: Digest) -> None:
        self._raw, self._digest = raw, digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._raw.read(len(view))
        self._digest.update(data)
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _unreadable(path: Path, why: str) -> BundleInvalid:
    message = f"The bundle {path} cannot be read: {why}. Give a .zip file or a folder holding {MANIFEST}."
    return BundleInvalid([Problem(path.name or str(path), None, None, message)], 1)


def _visible(name: str) -> bool:
    return bool(name) and not name.startswith(".")


def _folder_files(path: Path) -> dict[str, str]:
    files = {p.name: str(p) for p in path.iterdir() if p.is_file() and _visible(p.name)}
    if MANIFEST not in files and not any(n.endswith(".csv") for n in files):
        folders = [
            p for p in path.iterdir() if p.is_dir() and _visible(p.name) and p.name not in _IGNORED_FOLDERS
        ]
        if len(folders) == 1:
            return {p.name: str(p) for p in folders[0].iterdir() if p.is_file() and _visible(p.name)}
    return files


def _zip_files(archive: zipfile.ZipFile) -> dict[str, str]:
    members: dict[str, str] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        parts = info.filename.replace("\\", "/").split("/")
        if parts[0] in _IGNORED_FOLDERS or not all(_visible(p) for p in parts):
            continue
        members["/".join(parts)] = info.filename
    top = {name: member for name, member in members.items() if "/" not in name}
    if MANIFEST not in top and not any(n.endswith(".csv") for n in top):
        folders = {name.split("/", 1)[0] for name in members if "/" in name}
        if len(folders) == 1:
            prefix = folders.pop() + "/"
            return {
                name[len(prefix) :]: member
                for name, member in members.items()
                if name.startswith(prefix) and "/" not in name[len(prefix) :]
            }
    return top
