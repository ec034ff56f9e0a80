"""Running the CLI with settings isolated from the test process's own OPENROSTER_* variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from openroster.cli import app
from openroster.config import SETTINGS
from openroster.ops.sources import CONFIG_ENV

runner = CliRunner()
# Every setting's variable empty (an empty variable is an unset one), and no configuration file.
CLEAN = {declared.env: "" for declared in SETTINGS} | {CONFIG_ENV: ""}


def invoke(args: list[str], **env: str) -> Result:
    result = runner.invoke(app, args, env={**CLEAN, **env})
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"a traceback instead of a message: {result.exception!r}"
    )
    assert "Traceback" not in result.output
    return result


def shown(args: list[str], **env: str) -> dict[str, Any]:
    """`config show --json ARGS`: the settings, each with value, source and where."""
    result = invoke(["config", "show", "--json", *args], **env)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.output)
    return document


def toml(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)
