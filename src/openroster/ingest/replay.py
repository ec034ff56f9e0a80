"""Read the files of a checked bundle again, record by record, to write them; refuse a file that changed.

An import checks the whole bundle before writing anything but does not keep its records, so
the writing pass decodes each file again with the same code. The bytes read must be those that
were checked: a file that changed in between (a folder being overwritten, say) stops the
import, and its transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openroster.ingest._source import BundleSource
from openroster.ingest._table import TableRows
from openroster.ingest.problems import BundleChanged
from openroster.ingest.reader import CheckedBundle, new_digest
from openroster.model.csv_binding import csv_entities

__all__ = ["replay"]


class _Refuse:
    """A problem log for data already checked: any problem means the file changed."""

    def __init__(self, path: str) -> None:
        self.path = path

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        raise BundleChanged(self.path, file)


def replay(checked: CheckedBundle, name: str) -> Iterator[dict[str, Any]]:
    """The records of `name`'s file in file order: those kept while checking, or the file decoded
    again. Raises BundleChanged when the file is not the one checked."""
    if name in checked.records:
        yield from checked.records[name]
        return
    entity = csv_entities(checked.version)[name]
    path = str(checked.path)
    with BundleSource(checked.path) as source:
        if entity.csv_file not in source.names:
            raise BundleChanged(path, entity.csv_file)
        digest = new_digest()
        table = TableRows(source, entity, checked.modes[name], _Refuse(path), digest=digest)
        for _line, record in table:
            yield record
        if not table.read_through or digest.digest() != checked.digests[name]:
            raise BundleChanged(path, entity.csv_file)
