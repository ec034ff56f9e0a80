"""Both documents of a record, 1.1 and 1.2, and the one content hash that covers them.

A record has one dateLastModified in both versions, so it moves when either document changes:
the hash that decides it covers the 1.1 document (with its secret fields) and the 1.2 one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from openroster.model.catalogue import Entity
from openroster.model.render import render_versioned
from openroster.model.render_v12 import render_v12
from openroster.model.roles import OrgType
from openroster.model.v12 import ENTITIES_V12


class Documents(NamedTuple):
    doc: bytes  # the 1.1 document, dateLastModified at the epoch
    doc_v12: bytes | None  # the 1.2 one (None: the entity has no 1.2 binding yet)
    digest: str


def both_hash(digest: str, doc_v12: bytes | None) -> str:
    """The content hash of a record whose 1.1 document hashes to `digest`."""
    if doc_v12 is None:
        return digest  # as before 1.2 documents existed, so such records keep their hashes
    return hashlib.blake2b(digest.encode() + b"\n" + doc_v12, digest_size=16).hexdigest()


def render_documents(
    entity: Entity,
    record: Mapping[str, Any],
    derived: Mapping[str, Sequence[Any]] | None,
    org_type: OrgType,
) -> Documents:
    doc, digest = render_versioned(entity, record, derived)
    binding = ENTITIES_V12.get(entity.name)
    doc_v12 = None if binding is None else render_v12(binding, record, derived, org_type)
    return Documents(doc, doc_v12, both_hash(digest, doc_v12))
