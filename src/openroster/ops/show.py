"""The effective settings as `openroster config show` prints them: each value, its source, secrets masked."""

from __future__ import annotations

from typing import Any

import orjson

from openroster.config import SETTINGS
from openroster.ops.sources import Effective


def _value(effective: Effective, name: str) -> Any:
    return getattr(effective.settings, name)


def as_rows(effective: Effective) -> list[dict[str, Any]]:
    """One row per setting: name, value (masked if secret), source (default, file, env, flag), where."""
    rows = []
    for declared in SETTINGS:
        value = _value(effective, declared.name)
        origin = effective.origins[declared.name]
        shown: Any = declared.shown(value) if declared.secret or declared.kind not in (int, bool) else value
        rows.append(
            {
                "name": declared.name,
                "value": shown,
                "source": origin.source,
                "where": origin.where or None,
                "env": declared.env,
                "secret": declared.secret,
            }
        )
    return rows


def as_json(effective: Effective) -> str:
    """{"config_file": PATH or null, "settings": {NAME: {"value", "source", "where", "env", "secret"}}}."""
    settings = {row.pop("name"): row for row in as_rows(effective)}
    document = {
        "config_file": str(effective.config_file) if effective.config_file else None,
        "settings": settings,
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()


def as_text(effective: Effective) -> list[str]:
    """Aligned lines: setting, value, and where it came from."""
    table = [("setting", "value", "from")] + [
        (
            row["name"],
            _text(row["value"]),
            row["source"] + (f" ({row['where']})" if row["where"] else ""),
        )
        for row in as_rows(effective)
    ]
    widths = [max(len(row[i]) for row in table) for i in range(2)]
    lines = [f"{name.ljust(widths[0])}  {value.ljust(widths[1])}  {source}" for name, value, source in table]
    file = effective.config_file
    lines.append(
        f"Configuration file: {file}" if file else "Configuration file: none (--config, OPENROSTER_CONFIG)"
    )
    return lines


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if value != "" else '""'
