"""What is wrong with a CSV bundle: Problem, the BundleInvalid and BundleChanged errors, and their collection.

Problems are collected across the whole bundle before anything is reported, so that a
district admin can fix every file in one go. Only the first problems (in file and line
order) are kept, so a bundle with a million bad rows does not exhaust memory; the total is
still counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from openroster.errors import OpenRosterError
from openroster.model.catalogue import ENTITIES, LOAD_ORDER

__all__ = ["MANIFEST", "BundleChanged", "BundleInvalid", "Problem", "ProblemLog"]

MANIFEST = "manifest.csv"
KEEP = 1000  # problems kept for the report
_SHOWN = 10  # problems spelled out in str(BundleInvalid)
# Report manifest problems first, then the data files in the order they are loaded (a bad
# orgs.csv explains reference problems further down), then anything else by name.
_FILE_RANK = {MANIFEST: 0, **{ENTITIES[name].csv_file: i + 1 for i, name in enumerate(LOAD_ORDER)}}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle, located as precisely as possible."""

    file: str  # e.g. "users.csv" or "manifest.csv"
    line: int | None  # 1-based physical line in that file (header = 1); None: the whole file
    column: str | None  # column name, when the problem is in one cell or column
    message: str  # a full sentence that suggests the fix where possible

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class BundleInvalid(OpenRosterError):
    """The bundle cannot be loaded; `problems` lists the first ones, `total` counts them all."""

    def __init__(self, problems: list[Problem], total: int) -> None:
        self.problems = problems
        self.total = total
        super().__init__(self._summary())

    def __reduce__(self) -> tuple[type[BundleInvalid], tuple[list[Problem], int]]:
        return (BundleInvalid, (self.problems, self.total))

    def _summary(self) -> str:
        files = sorted({p.file for p in self.problems}, key=_file_key)
        noun = "problem" if self.total == 1 else "problems"
        lines = [f"The bundle has {self.total} {noun} (in {', '.join(files)}):"]
        lines += [f"  {p}" for p in self.problems[:_SHOWN]]
        if self.total > _SHOWN:
            lines.append(f"  ... and {self.total - _SHOWN} more.")
        return "\n".join(lines)


class BundleChanged(OpenRosterError):
    """A file of the bundle is no longer what was checked when it is read again to be written."""

    def __init__(self, path: str, file: str) -> None:
        super().__init__(
            f"{file} in {path} changed while it was being imported, so it is not what was "
            "checked; nothing was imported. Import the bundle again once it is complete."
        )


class ProblemLog:
    """Collects problems, keeping the first `keep` of them in file and line order."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self.total = 0
        self._items: list[tuple[tuple[int, str], int, int, Problem]] = []

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.total += 1
        # The running total doubles as a tie-breaker: problems of one line keep their order.
        self._items.append((_file_key(file), line or 0, self.total, Problem(file, line, column, message)))
        if len(self._items) >= 2 * self.keep:
            self._trim()

    def __bool__(self) -> bool:
        return self.total > 0

    def problems(self) -> list[Problem]:
        self._trim()
        return [item[3] for item in self._items]

    def raise_if_any(self) -> None:
        if self.total:
            raise BundleInvalid(self.problems(), self.total)

    def _trim(self) -> None:
        self._items.sort(key=lambda item: item[:3])
        del self._items[self.keep :]


def _file_key(file: str) -> tuple[int, str]:
    return (_FILE_RANK.get(file, len(_FILE_RANK)), file)
