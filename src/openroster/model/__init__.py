"""The OneRoster 1.1 model: the catalogue of entities and the renderer of stored JSON documents."""

from openroster.model.catalogue import (
    ENTITIES,
    LIST_KINDS,
    LOAD_ORDER,
    METADATA,
    REF_KINDS,
    Derived,
    Entity,
    Field,
    Kind,
    entity,
)

__all__ = [
    "ENTITIES",
    "LIST_KINDS",
    "LOAD_ORDER",
    "METADATA",
    "REF_KINDS",
    "Derived",
    "Entity",
    "Field",
    "Kind",
    "entity",
]
