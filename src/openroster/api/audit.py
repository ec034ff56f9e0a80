"""The audit log: one line per request on `openroster.audit`, every client-supplied string bounded.

A line names the client only once it has authenticated; a refused request that claimed a client
id carries the claim's keyed tag instead (`ServerKeys.log_tag`), since a client that mixed up id
and secret would otherwise have its secret logged. Strings a client controls (the path, and
reasons that quote its input) are cut to a fixed length, and the line is ASCII-only JSON, so no
input can add a line or hide in control characters. Secrets, tokens, signatures, bodies and
passwords are never logged.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.requests import Request

audit = logging.getLogger("openroster.audit")
MAX_TEXT = 128  # the path, client ids and tags
MAX_REASON = 256  # reasons are the server's words but may quote the client's input


def bounded(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...({len(text) - limit} more characters)"


def audit_request(
    request: Request,
    status: int,
    records: int | None,
    started: float,
    reason: str,
    claimed: str | None = None,
) -> None:
    """Log one request; failures carry their reason, never a secret or a signature."""
    client = getattr(request.state, "client_id", None)
    entry: dict[str, object] = {
        "client": bounded(client, MAX_TEXT) if client else None,
        "method": bounded(request.method, MAX_TEXT),
        "path": bounded(request.url.path, MAX_TEXT),
        "status": status,
        "records": records,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if claimed and not client:
        entry["claimed"] = bounded(claimed, MAX_TEXT)
    if status in (401, 403) or (status >= 400 and reason):
        entry["reason"] = bounded(reason, MAX_REASON)
    # The console's sync activity, when the app keeps it: a list append (console/activity.py).
    note = getattr(request.app.state, "note_activity", None)
    if note is not None:
        note(entry, request.scope.get("query_string", b""))
    # Text logs show the JSON object; JSON logs hold its keys as their own (`openroster.ops.logs`).
    audit.info(
        json.dumps(entry, ensure_ascii=True, separators=(",", ":")),
        extra={"fields": entry, "summary": f"{entry['method']} {entry['path']} {status}"},
    )
