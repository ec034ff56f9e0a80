"""How a setting is declared (one dataclass field of `Settings`), read from text or TOML, and checked.

A setting is a field of the `Settings` dataclass made with `setting(...)`: its name is the TOML
key, `OPENROSTER_<NAME>` its environment variable, the field's type its type, and the rest
(help, flag, check, mask) rides in the field's metadata. `declarations(Settings)` turns the
fields into `Declared` rows that the loader, `config show` and the README test all read.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ENV_PREFIX = "OPENROSTER_"
# The problem with a value and how to fix it ("is out of range: give 1 to 500 (default 50)"), or None.
Check = Callable[[Any, Any], str | None]  # (value, default) -> problem


class BadValue(Exception):
    """A value that cannot be read as the setting's type; the message says what to give instead."""


@dataclass(frozen=True)
class Spec:
    help: str
    flag: str | None = None  # the command-line option, e.g. "--database"
    metavar: str | None = None  # what the flag takes, as --help shows it
    check: Check | None = None
    mask: Callable[[Any], str] | None = None  # set for secrets: how `config show` prints the value


@dataclass(frozen=True)
class Declared:
    """One setting, everything about it in one place."""

    name: str  # the Settings field and the TOML key
    kind: type  # str, int, bool or Path
    spec: Spec
    field: dataclasses.Field[Any]

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def param(self) -> str | None:
        """The command function's parameter that receives the flag (--log-level: log_level)."""
        return self.spec.flag.lstrip("-").replace("-", "_") if self.spec.flag else None

    @property
    def secret(self) -> bool:
        return self.spec.mask is not None

    def default(self) -> Any:
        if self.field.default_factory is not dataclasses.MISSING:
            return self.field.default_factory()
        return self.field.default

    def shown(self, value: Any) -> str:
        """The value as `config show` and error messages print it: secrets masked."""
        if self.spec.mask is not None:
            return self.spec.mask(value)
        return str(value)

    def as_text(self, value: Any) -> str:
        """The value as an environment variable holds it (read back by `from_text`)."""
        if self.kind is bool:
            return "true" if value else "false"
        return str(value)

    def from_text(self, text: str) -> Any:
        """A value from an environment variable or a flag."""
        if self.kind is int:
            try:
                if text.strip().isascii():
                    return int(text)
            except ValueError:
                pass
            raise BadValue(f"is not a whole number: give digits, e.g. {self.default()}")
        if self.kind is bool:
            word = text.strip().lower()
            if word in ("1", "true", "yes", "on"):
                return True
            if word in ("0", "false", "no", "off"):
                return False
            raise BadValue("is not a yes/no setting: give true or false")
        return Path(text) if self.kind is Path else text

    def from_toml(self, value: object) -> Any:
        """A value from the TOML file, whose type must already be right (500, not "500")."""
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            raise BadValue(f"is {_toml_type(value)}, not true or false: write {self.name} = true or false")
        if self.kind is int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            raise BadValue(
                f"is {_toml_type(value)}, not a whole number: write {self.name} = {self.default()} "
                f"(digits, no quotes)"
            )
        if isinstance(value, str):
            return Path(value) if self.kind is Path else value
        raise BadValue(f'is {_toml_type(value)}, not a string: write {self.name} = "..." (in quotes)')

    def problem(self, value: Any) -> str | None:
        return self.spec.check(value, self.default()) if self.spec.check else None


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


@typing.overload
def setting(
    default: T,
    *,
    help: str,
    flag: str | None = None,
    metavar: str | None = None,
    check: Check | None = None,
    mask: Callable[[Any], str] | None = None,
) -> T: ...


@typing.overload
def setting(
    *,
    factory: Callable[[], T],
    help: str,
    flag: str | None = None,
    metavar: str | None = None,
    check: Check | None = None,
    mask: Callable[[Any], str] | None = None,
) -> T: ...


def setting(
    default: Any = None,
    *,
    factory: Callable[[], Any] | None = None,
    help: str,
    flag: str | None = None,
    metavar: str | None = None,
    check: Check | None = None,
    mask: Callable[[Any], str] | None = None,
) -> Any:
    """A field of `Settings` with `default`, or with `factory()` computed when settings are loaded
    (a default that depends on the working directory)."""
    metadata = {"spec": Spec(help, flag, metavar, check, mask)}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def declarations(cls: type) -> tuple[Declared, ...]:
    """Every field of `cls`, each of which must be made with `setting(...)` (a plain field would be
    a setting no file, variable or flag could set)."""
    hints = typing.get_type_hints(cls)
    declared = []
    for f in dataclasses.fields(cls):
        if "spec" not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with setting(...)")
        if hints[f.name] not in (str, int, bool, Path):
            raise TypeError(f"{cls.__name__}.{f.name}: a setting is a str, int, bool or Path")
        declared.append(Declared(f.name, hints[f.name], f.metadata["spec"], f))
    return tuple(declared)


# Checks shared by several settings.


def between(low: int, high: int, unit: str = "", why: str = "") -> Check:
    def check(value: int, default: int) -> str | None:
        if low <= value <= high:
            return None
        return f"is out of range: give {low} to {high}{unit} (default {default}){why}"

    return check


def one_of(choices: Sequence[str]) -> Check:
    def check(value: str, default: str) -> str | None:
        if value in choices:
            return None
        return f"is not one of {', '.join(choices)}: give one of them (default {default})"

    return check


def hidden(value: Any) -> str:
    return "(hidden)" if value else "(not set)"
