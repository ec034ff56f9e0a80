"""Read a OneRoster 1.2 gradebook object a client sends (a PUT or POST body) into a stored record.

1.2 names are turned into the stored fields they come from (model/v12.py): a lineItem's
`academicSession` is its stored `gradingPeriod`. Values are read as 1.1 bodies are
(json_input.py), with its tolerance for partial GUIDRefs ({"sourcedId": ...}, as Google sends).
Fields 1.2 computes or that 1.1 data has no place for are ignored, as unknown fields are.
"""

from __future__ import annotations

from typing import Any

from openroster.model.catalogue import ENTITIES_WHOLE
from openroster.model.json_input import Problems, read_object
from openroster.model.v12 import Entity12, Same


def stored_names(entity: Entity12) -> dict[str, str]:
    """1.2 field name -> the stored field it is, for the fields a write may set."""
    return {
        f.name: f.source.field
        for f in entity.fields
        if isinstance(f.source, Same) and entity.stored.has_field(f.source.field)
    }


def read_object_v12(entity: Entity12, data: Any) -> tuple[dict[str, Any], Problems]:
    """(record in stored names, problems by 1.2 field name), as json_input.read_object."""
    if not isinstance(data, dict):
        return read_object(ENTITIES_WHOLE[entity.name], data)
    names = stored_names(entity)
    renamed: dict[str, Any] = {}
    given_as: dict[str, str] = {}  # stored name -> the 1.2 name the client used
    problems: Problems = {}
    for name, value in data.items():
        stored = names.get(name, name if name == "metadata" else None)
        if stored is None or value is None:
            continue
        if stored in renamed and _identity(renamed[stored]) != _identity(value):
            problems[name] = f"differs from {given_as[stored]}, which names the same thing; send one of them"
            continue
        renamed[stored] = value
        given_as[stored] = name
    record, found = read_object(ENTITIES_WHOLE[entity.name], renamed)
    problems.update({given_as.get(name, name): message for name, message in found.items()})
    return record, problems


def _identity(value: Any) -> Any:
    """What a value says, for comparing two of them: a GUIDRef by its sourcedId."""
    return value.get("sourcedId") if isinstance(value, dict) else value
