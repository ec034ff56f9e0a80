"""The files and columns of a CSV bundle of each OneRoster version (1.1, 1.2.1), as views of the catalogue.

An entity's file is in the bundles of every version since its own (`Entity.since`: roles.csv,
userProfiles.csv, userResources.csv, scoreScales.csv and the gradebook's link files only in 1.2.1). Its 1.1 file has the columns of its fields' `csv`, its 1.2.1
file those of their `csv12` (the fields only 1.2 has among them). Where 1.2 renamed tokens
(model/v12.py `Renamed`: an enrollment role `aide` is `ext:aide`), the 1.2.1 file is written and
read with the 1.2 tokens, and the store keeps the 1.1 ones; tokens only 1.2 has (a sex of
`other`, `Field.enum12`) are read from 1.2.1 files only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from openroster.model.catalogue import ENTITIES, ENTITIES_WHOLE, LOAD_ORDER, Entity, Field
from openroster.model.v12 import ENTITIES_V12, Renamed

V11, V12 = "1.1", "1.2"
VERSIONS = (V11, V12)


def _renamed(entity: Entity) -> dict[str, Mapping[str, str]]:
    """field name -> {1.1 token: 1.2 token}, for the fields whose tokens 1.2 renamed."""
    binding = ENTITIES_V12.get(entity.name)
    if binding is None:
        return {}
    return {f.source.field: f.source.tokens for f in binding.fields if isinstance(f.source, Renamed)}


def _field12(field: Field, tokens: Mapping[str, str] | None) -> Field:
    if tokens is None:
        return replace(field, csv=field.csv12, enum=field.enum + field.enum12, enum12=())
    renamed = [tokens.get(token, token) for token in field.enum]
    return replace(
        field,
        csv=field.csv12,
        enum=tuple(sorted(renamed, key=lambda token: token.startswith("ext:"))),  # 1.2's own first
        read_as=tuple((new, old) for old, new in tokens.items()),
    )


def _view12(entity: Entity) -> Entity:
    """`entity` (as ENTITIES_WHOLE has it: the fields of both versions) with the 1.2.1 columns."""
    renamed = _renamed(entity)
    return replace(entity, fields=tuple(_field12(f, renamed.get(f.name)) for f in entity.fields))


_VIEWS: Mapping[str, Mapping[str, Entity]] = MappingProxyType(
    {
        V11: MappingProxyType({n: e for n, e in ENTITIES.items() if e.since == V11}),
        V12: MappingProxyType({n: _view12(e) for n, e in ENTITIES_WHOLE.items() if e.csv_file}),
    }
)


def csv_entities(version: str) -> Mapping[str, Entity]:
    """The entities whose files a bundle of `version` has, each with that version's columns."""
    return _VIEWS[version]


def load_order(version: str) -> tuple[str, ...]:
    """The entities of a bundle of `version` in the order their files are loaded."""
    return tuple(name for name in LOAD_ORDER if name in _VIEWS[version])


def file_properties(version: str) -> dict[str, str]:
    """manifest.csv's `file.<name>` property -> entity name, for the files of `version`."""
    return {f"file.{e.csv_file.removesuffix('.csv')}": name for name, e in _VIEWS[version].items()}
