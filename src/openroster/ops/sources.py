"""The effective settings: command-line flags over OPENROSTER_* variables over a TOML file over defaults.

Every value is read and checked before anything starts; all problems are reported together,
each naming the setting, where the value came from (flag, variable, or file, key and line), the
value (a secret's never) and the fix. The result remembers each value's origin for `config show`.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

from openroster.config import BY_NAME, SETTINGS, Settings
from openroster.errors import ConfigurationError
from openroster.ops.declare import BadValue, Declared

CONFIG_ENV = "OPENROSTER_CONFIG"
Source = Literal["default", "file", "env", "flag"]  # lowest precedence first


@dataclass(frozen=True)
class Origin:
    source: Source
    where: str = ""  # the variable, the flag, or "FILE, line N"; "" for a default


@dataclass(frozen=True)
class Effective:
    settings: Settings
    origins: dict[str, Origin]
    config_file: Path | None

    def environ(self) -> dict[str, str]:
        """Every setting as its OPENROSTER_* variable: how `serve` hands the very same settings to
        the server processes it starts (which read the environment, not the file or the flags)."""
        return {d.env: d.as_text(getattr(self.settings, d.name)) for d in SETTINGS}


def load_settings(
    config: str | None = None,
    flags: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Effective:
    """The settings from `flags` (setting name -> the flag's text, None when not given), `environ`
    (default: this process's), the TOML file `config` (default: $OPENROSTER_CONFIG) and defaults."""
    environ = os.environ if environ is None else environ
    found = _Found()
    config_file = _config_path(config, environ)
    if config_file is not None:
        given_by = "--config" if config else CONFIG_ENV
        for name, value, line in _read_file(config_file, given_by, found.problems):
            declared = BY_NAME[name]
            origin = Origin("file", f"{config_file}, line {line}")
            shown = f"{name} = {declared.shown(value) if declared.secret else _toml_literal(value)}"
            found.take(declared, partial(declared.from_toml, value), f"{shown} in {origin.where}", origin)
    for declared in SETTINGS:
        text = environ.get(declared.env, "")
        if text != "":  # an empty variable is an unset one, as in the shell
            shown = f"{declared.env}={declared.shown(text) if declared.secret else text}"
            found.take(declared, partial(declared.from_text, text), shown, Origin("env", declared.env))
    for name, given in (flags or {}).items():
        if given is not None:
            declared = BY_NAME[name]
            flag = str(declared.spec.flag)
            shown = f"{flag} {declared.shown(given) if declared.secret else repr(given)}"
            found.take(declared, partial(declared.from_text, given), shown, Origin("flag", flag))
    if len(found.problems) == 1:
        raise ConfigurationError(found.problems[0])
    if found.problems:
        raise ConfigurationError(
            f"{len(found.problems)} problems in the settings (the command did not run):\n  "
            + "\n  ".join(found.problems)
        )
    return Effective(Settings(**found.values), found.origins, config_file)


class _Found:
    """The values read so far (a later source's replacing an earlier's), their origins, and problems."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.origins: dict[str, Origin] = {d.name: Origin("default") for d in SETTINGS}
        self.problems: list[str] = []

    def take(self, declared: Declared, read: Callable[[], Any], shown: str, origin: Origin) -> None:
        """Read and check one value; every given value is checked, even one a later source overrides."""
        try:
            value = read()
            problem = declared.problem(value)
        except BadValue as exc:
            problem = str(exc)
        if problem is not None:
            named = "" if origin.source == "file" else f" (setting {declared.name})"
            self.problems.append(f"{shown}{named} {problem}.")
            return
        self.values[declared.name] = value
        self.origins[declared.name] = origin


def _config_path(config: str | None, environ: Mapping[str, str]) -> Path | None:
    chosen = config if config else environ.get(CONFIG_ENV, "")
    return Path(chosen) if chosen else None


def _read_file(path: Path, given_by: str, problems: list[str]) -> list[tuple[str, Any, int]]:
    """(setting name, TOML value, line) of each key of the file; what is wrong goes to `problems`."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigurationError(
            f"The configuration file {path} (from {given_by}) does not exist: correct the path, or "
            f"create it (the README's Configuration section has a sample with every setting)."
        ) from None
    except IsADirectoryError:
        raise ConfigurationError(
            f"The configuration file {path} (from {given_by}) is a folder: give the path of a .toml file."
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"The configuration file {path} (from {given_by}) is not UTF-8 text (byte {exc.start}): "
            f"save it as UTF-8."
        ) from None
    except OSError as exc:
        raise ConfigurationError(
            f"The configuration file {path} (from {given_by}) cannot be read ({exc.strerror}): check "
            f"its permissions."
        ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"The configuration file {path} (from {given_by}) is not valid TOML: {exc}. Correct that "
            f'line: each setting is name = value, text in quotes (public_url = "https://sis.example.org"), '
            f"numbers and true/false without."
        ) from None
    found = []
    for key, value in document.items():
        line = _line_of(key, text)
        if key in BY_NAME:
            found.append((key, value, line))
            continue
        close = difflib.get_close_matches(key, list(BY_NAME), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        kind = "table" if isinstance(value, dict) else "key"
        problems.append(
            f"{path}, line {line}: the {kind} {key!r} is not a setting; {hint}settings are top-level keys "
            f"such as max_limit = 10000; openroster config show lists them all."
        )
    return found


def _line_of(key: str, text: str) -> int:
    pattern = re.compile(rf"""^\s*(\[\s*)?(["']?){re.escape(key)}\2\s*(=|\])""")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return 1


def _toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)
