"""The OneRoster 1.1 OAuth 2.0 scopes (spec §6.3) and which granted scopes satisfy which."""

from __future__ import annotations

from collections.abc import Iterable

PREFIX = "https://purl.imsglobal.org/spec/or/v1p1/scope/"
ROSTER_CORE = "roster-core.readonly"
ROSTER = "roster.readonly"
DEMOGRAPHICS = "roster-demographics.readonly"
RESOURCE = "resource.readonly"
GRADEBOOK_READ = "gradebook.readonly"
GRADEBOOK_WRITE = "gradebook.createput"
GRADEBOOK_DELETE = "gradebook.delete"
SHORT_NAMES = (ROSTER_CORE, ROSTER, DEMOGRAPHICS, RESOURCE, GRADEBOOK_READ, GRADEBOOK_WRITE, GRADEBOOK_DELETE)
ALL = tuple(PREFIX + name for name in SHORT_NAMES)

# roster.readonly covers the core rostering reads as well as the relationship endpoints.
# Demographics need their own scope (1.1 does not say roster.readonly covers them; we do not assume it).
_IMPLIES = {PREFIX + ROSTER: {PREFIX + ROSTER_CORE}}


class UnknownScope(ValueError):
    pass


def canonical(scope: str) -> str:
    """A scope URI from its URI or short name (`roster.readonly`); UnknownScope otherwise."""
    full = scope if scope.startswith(PREFIX) else PREFIX + scope
    if full not in ALL:
        raise UnknownScope(f"unknown scope {scope!r}; known scopes: {', '.join(SHORT_NAMES)}")
    return full


def parse(text: str) -> tuple[str, ...]:
    """Space-separated scopes (URIs or short names) -> canonical URIs, in the order given."""
    return tuple(dict.fromkeys(canonical(s) for s in text.split()))


def effective(granted: Iterable[str]) -> frozenset[str]:
    out = set(granted)
    for scope in list(out):
        out |= _IMPLIES.get(scope, set())
    return frozenset(out)


def short(scope: str) -> str:
    return scope.removeprefix(PREFIX)
