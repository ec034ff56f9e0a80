"""The database schema, derived from the catalogue: one table per entity, one per stored list field.

Entity table: `sourced_id` (primary key), `status`, `date_last_modified` (epoch ms), `doc` and
`doc_v12` (the rendered 1.1 and 1.2 JSON documents, served as they are), `metadata` (JSON text, for export) and one column per
scalar field or single GUIDRef (`<name>_sourced_id`). Every stored list field has a child table
`<table>__<field>` of (owner, position, value) rows so filters on list elements and relationship
endpoints run as indexed EXISTS queries. Indexes are (column, sourced_id) pairs, which turn
"filter then ORDER BY sourcedId LIMIT n" into an ordered index range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES, Entity, Field, Kind
from openroster.store.dialects import TEXT
from openroster.store.list_rows import FLOAT_COLUMNS, NULLABLE_COLUMNS
from openroster.store.list_rows import value_columns as value_columns_of

metadata = sa.MetaData()

_SCALAR_TYPES: dict[Kind, sa.types.TypeEngine[Any]] = {
    Kind.STRING: TEXT,
    Kind.ENUM: TEXT,
    Kind.YEAR: TEXT,
    Kind.DATE: TEXT,
    Kind.BOOLEAN: TEXT,
    Kind.FLOAT: sa.Float(),
    Kind.DATETIME: sa.BigInteger(),
    Kind.REF: TEXT,
}
_INDEXED_KINDS = frozenset({Kind.ENUM, Kind.REF, Kind.DATETIME, Kind.YEAR})


@dataclass(frozen=True)
class EntityTables:
    main: sa.Table
    lists: dict[str, sa.Table]  # field name -> child table, for stored (non-derived) list fields

    @property
    def all(self) -> list[sa.Table]:
        return [self.main, *self.lists.values()]


def _scalar_columns(entity: Entity) -> list[sa.Column[object]]:
    columns: list[sa.Column[object]] = []
    for field in entity.stored_fields:
        if field.is_list or field.name in ("sourcedId", "status", "dateLastModified"):
            continue
        columns.append(sa.Column(field.column, _SCALAR_TYPES[field.kind], nullable=True))
    return columns


def _indexed(entity: Entity, field: Field) -> bool:
    return not field.is_list and (field.kind in _INDEXED_KINDS or field.indexed)


def _list_table(entity: Entity, field: Field) -> sa.Table:
    name = f"{entity.table}__{field.column}"
    if field.kind is Kind.USER_IDS:
        value_columns = [sa.Column(c, TEXT, nullable=False) for c in ("type", "identifier")]
        indexes = [
            sa.Index(f"ix_{name}_identifier", "identifier", "owner"),
            sa.Index(f"ix_{name}_type", "type", "owner"),
        ]
    elif value_columns_of(field.kind) != ("value",):  # only read with their owner: no index
        value_columns = [
            sa.Column(
                c,
                _SCALAR_TYPES[Kind.FLOAT if c in FLOAT_COLUMNS else Kind.STRING],
                nullable=c in NULLABLE_COLUMNS,
            )
            for c in value_columns_of(field.kind)
        ]
        indexes = []
    else:
        value_columns = [sa.Column("value", TEXT, nullable=False)]
        indexes = [sa.Index(f"ix_{name}_value", "value", "owner")]
    return sa.Table(
        name,
        metadata,
        sa.Column("owner", TEXT, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        *value_columns,
        *indexes,
    )


def _entity_tables(entity: Entity) -> EntityTables:
    scalar = _scalar_columns(entity)
    indexes = [
        sa.Index(f"ix_{entity.table}_{f.column}", f.column, "sourced_id")
        for f in entity.stored_fields
        if _indexed(entity, f) and f.name != "sourcedId"
    ]
    main = sa.Table(
        entity.table,
        metadata,
        sa.Column("sourced_id", TEXT, primary_key=True),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("date_last_modified", sa.BigInteger, nullable=False),
        sa.Column("doc", sa.LargeBinary, nullable=False),
        # The OneRoster 1.2 document (model/render_v12.py); NULL for entities 1.2 does not serve yet.
        sa.Column("doc_v12", sa.LargeBinary, nullable=True),
        sa.Column("metadata", TEXT, nullable=True),
        # Digest of the document as it would be with dateLastModified at the epoch: equal
        # digests mean nothing a client can see has changed, so dateLastModified stays.
        sa.Column("content_hash", TEXT, nullable=False),
        sa.Column("first_seen_ms", sa.BigInteger, nullable=False),  # when the record first appeared
        *scalar,
        *indexes,
    )
    lists = {f.name: _list_table(entity, f) for f in entity.stored_fields if f.is_list}
    return EntityTables(main, lists)


TABLES: dict[str, EntityTables] = {name: _entity_tables(e) for name, e in ENTITIES.items()}


def column_of(entity: Entity, field: Field) -> sa.Column[object]:
    """The main-table column holding a scalar field or a single GUIDRef."""
    table = TABLES[entity.name].main
    if field.name == "sourcedId":
        return table.c.sourced_id
    if field.name == "dateLastModified":
        return table.c.date_last_modified
    return table.c[field.column]


# --- Tables outside the OneRoster model --------------------------------------------------

api_clients = sa.Table(
    "api_clients",
    metadata,
    sa.Column("client_id", TEXT, primary_key=True),
    sa.Column("name", TEXT, nullable=False, unique=True),
    sa.Column("secret_hash", TEXT, nullable=False),  # salted PBKDF2, verifies OAuth 2.0 credentials
    sa.Column("secret_sealed", TEXT, nullable=False),  # encrypted with the server key, for OAuth 1.0a
    sa.Column("secret_version", sa.BigInteger, nullable=False),  # counts rotations
    sa.Column("scopes", TEXT, nullable=False),  # space-separated scope URIs
    sa.Column("orgs", TEXT, nullable=False),  # JSON list of org sourcedIds; [] = every org
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    # Served users' passwords, and may filter and sort on them (`clients add --allow-passwords`).
    sa.Column("allow_passwords", sa.Boolean, nullable=False, server_default=sa.false()),
    # The client's own limits (`clients update --requests-per-minute ...`): NULL the server's
    # default, 0 unlimited.
    sa.Column("requests_per_minute", sa.BigInteger, nullable=True),
    sa.Column("concurrent_requests", sa.BigInteger, nullable=True),
    sa.Column("records_per_minute", sa.BigInteger, nullable=True),
)

# One row: 'revision' counts committed changes to served data (the X-Data-Revision header).
store_state = sa.Table(
    "store_state",
    metadata,
    sa.Column("key", TEXT, primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

# Records per entity table and status, kept by every write on PostgreSQL (counts.py); empty on SQLite.
record_counts = sa.Table(
    "record_counts",
    metadata,
    sa.Column("table_name", TEXT, primary_key=True),
    sa.Column("status", TEXT, primary_key=True),
    sa.Column("records", sa.BigInteger, nullable=False),
)

# OAuth 1.0a nonces seen within the timestamp window, shared by every server process. A SQLite
# store keeps them in a side file of this shape instead (auth/nonces.py), out of the way of imports.
oauth_nonces = sa.Table(
    "oauth_nonces",
    metadata,
    sa.Column("client_id", TEXT, primary_key=True),
    sa.Column("nonce", TEXT, primary_key=True),
    sa.Column("timestamp", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Index("ix_oauth_nonces_timestamp", "timestamp"),
)

# The orgs a category belongs to: those of the org-limited client that created it (boundaries.py).
# Outside the categories table because record writes replace whole rows.
category_orgs = sa.Table(
    "category_orgs",
    metadata,
    sa.Column("category_sourced_id", TEXT, primary_key=True),
    sa.Column("org_sourced_id", TEXT, primary_key=True),
    sa.Index("ix_category_orgs_org", "org_sourced_id", "category_sourced_id"),
)

# One row per import that reached the store, and how it ended: /ready reports a failed last import,
# /metrics counts imports and their durations (ops/). `failure` is the server's summary of what went
# wrong (a count of problems, an error's kind), never the bundle's content.
import_runs = sa.Table(
    "import_runs",
    metadata,
    sa.Column("run_id", TEXT, primary_key=True),  # random: copies between stores never collide
    sa.Column("started_ms", sa.BigInteger, nullable=False),
    sa.Column("finished_ms", sa.BigInteger, nullable=False),
    sa.Column("succeeded", sa.Boolean, nullable=False),
    sa.Column("failure", TEXT, nullable=True),
    # Since 0011: the bundle's file name, who ran it (a console account; NULL: the command line) and
    # the JSON of what changed per entity ({"users": {"created": 1, ...}}; NULL: it failed).
    sa.Column("bundle", TEXT, nullable=True),
    sa.Column("run_by", TEXT, nullable=True),
    sa.Column("changes", TEXT, nullable=True),
    sa.Index("ix_import_runs_finished", "finished_ms"),
)

# --- The web console (openroster.console) -------------------------------------------------

# Console accounts (`openroster admins add`): people, not API clients. `password_hash` is a salted
# scrypt hash; `role` is admin (may change things) or viewer (sees everything, changes nothing).
console_accounts = sa.Table(
    "console_accounts",
    metadata,
    sa.Column("name", TEXT, primary_key=True),
    sa.Column("role", TEXT, nullable=False),
    sa.Column("password_hash", TEXT, nullable=False),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

# Signed-in console sessions: the cookie holds a random token, the store only its SHA-256, so a
# copy of the store opens no session. Signing out (or removing the account) deletes the row.
console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("token_hash", TEXT, primary_key=True),
    sa.Column("account", TEXT, nullable=False),
    sa.Column("csrf", TEXT, nullable=False),  # the form token of this session
    sa.Column("expires_ms", sa.BigInteger, nullable=False),
    sa.Index("ix_console_sessions_account", "account"),
)

# The last report of each kind the console keeps (the readiness check's), as shown.
console_reports = sa.Table(
    "console_reports",
    metadata,
    sa.Column("kind", TEXT, primary_key=True),
    sa.Column("finished_ms", sa.BigInteger, nullable=False),
    sa.Column("summary", TEXT, nullable=False),  # JSON
    sa.Column("html", TEXT, nullable=False),
)

# API requests of authenticated clients, for the console's sync activity: written in batches by
# each server process (console/activity.py), never one write per request; kept
# console_activity_days.
console_requests = sa.Table(
    "console_requests",
    metadata,
    sa.Column("at_ms", sa.BigInteger, nullable=False),
    sa.Column("client", TEXT, nullable=False),
    sa.Column("method", TEXT, nullable=False),
    sa.Column("path", TEXT, nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("records", sa.BigInteger, nullable=True),
    sa.Column("ms", sa.Float, nullable=False),
    sa.Column("reason", TEXT, nullable=True),
    sa.Column("delta", sa.Boolean, nullable=False),  # its filter names dateLastModified
    sa.Index("ix_console_requests_client", "client", "at_ms"),
    sa.Index("ix_console_requests_at", "at_ms"),
)
