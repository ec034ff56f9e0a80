"""Log lines on stderr, as readable text or one JSON object each, every one carrying its request id.

The request id of the request being answered lives in a context variable (set by
`openroster.api.request_ids`); it follows the request into worker threads, so every line logged
while answering it carries it. A record may bring `fields` (the audit line's keys): JSON lines
hold them as keys of their own, text lines print the record's message as before.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar
from typing import Any

REQUEST_ID: ContextVar[str] = ContextVar("openroster_request_id", default="-")
OWN_LOGGERS = ("openroster", "uvicorn")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s pid=%(process)d [%(request_id)s] %(message)s"


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, pid, then the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": getattr(record, "summary", None) or record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
            "pid": record.process,  # which server process, with --workers
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update((k, v) for k, v in fields.items() if k not in entry)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True, separators=(",", ":"), default=str)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{seconds}.{int(record.msecs):03d}Z"


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """openroster's handler on the root logger (one, however often logging is configured)."""


def configure_logging(level: str, log_format: str) -> None:
    """Send every logger's lines (openroster's and uvicorn's) to stderr in `log_format` from `level` up."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(handler)
    handler = _Handler(sys.stderr)
    handler.addFilter(_WithRequestId())
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    # Other libraries' debug and info lines (oauthlib's among them) could quote a request's
    # credentials: only openroster's and the server's own loggers go below warning.
    root.setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level.upper())
