"""The OAuth 2.0 scopes of OneRoster 1.1 and 1.2 (spec §6.3 of each) and which granted scopes satisfy which.

Scopes are URIs; each version has its own (`.../or/v1p1/scope/...`, `.../or/v1p2/scope/...`),
and one version's never opens the other's endpoints. On the command line a 1.1 scope may be
named by its short name (`roster.readonly`), a 1.2 scope by `v1p2/` and its short name
(`v1p2/roster.readonly`).
"""

from __future__ import annotations

from collections.abc import Iterable

PREFIX = "https://purl.imsglobal.org/spec/or/v1p1/scope/"
PREFIX_V12 = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
V12_SHORT = "v1p2/"  # how a short 1.2 scope name starts
ROSTER_CORE = "roster-core.readonly"
ROSTER = "roster.readonly"
DEMOGRAPHICS = "roster-demographics.readonly"
RESOURCE = "resource.readonly"
RESOURCE_CORE = "resource-core.readonly"  # 1.2 only
GRADEBOOK_READ = "gradebook.readonly"
GRADEBOOK_WRITE = "gradebook.createput"
GRADEBOOK_DELETE = "gradebook.delete"
GRADEBOOK_CORE = "gradebook-core.readonly"  # 1.2 only, as the four below
GRADEBOOK_POST = "gradebook.createpost"
ASSESSMENT_READ = "assessment.readonly"
ASSESSMENT_WRITE = "assessment.createput"
ASSESSMENT_DELETE = "assessment.delete"
SHORT_NAMES = (ROSTER_CORE, ROSTER, DEMOGRAPHICS, RESOURCE, GRADEBOOK_READ, GRADEBOOK_WRITE, GRADEBOOK_DELETE)
SHORT_NAMES_V12 = (
    ROSTER_CORE,
    ROSTER,
    DEMOGRAPHICS,
    RESOURCE_CORE,
    RESOURCE,
    GRADEBOOK_CORE,
    GRADEBOOK_READ,
    GRADEBOOK_WRITE,
    GRADEBOOK_POST,
    GRADEBOOK_DELETE,
    ASSESSMENT_READ,
    ASSESSMENT_WRITE,
    ASSESSMENT_DELETE,
)
ALL_V11 = tuple(PREFIX + name for name in SHORT_NAMES)
ALL_V12 = tuple(PREFIX_V12 + name for name in SHORT_NAMES_V12)
ALL = ALL_V11 + ALL_V12
READ_V12 = tuple(PREFIX_V12 + name for name in SHORT_NAMES_V12 if name.endswith(".readonly"))

# roster.readonly covers the core rostering reads as well as the relationship endpoints (both
# versions); 1.2's resource.readonly and gradebook.readonly cover their core reads. Demographics
# need their own scope (1.2 says roster.readonly does not cover them; for 1.1 we do not assume it).
_IMPLIES = {
    PREFIX + ROSTER: {PREFIX + ROSTER_CORE},
    PREFIX_V12 + ROSTER: {PREFIX_V12 + ROSTER_CORE},
    PREFIX_V12 + RESOURCE: {PREFIX_V12 + RESOURCE_CORE},
    PREFIX_V12 + GRADEBOOK_READ: {PREFIX_V12 + GRADEBOOK_CORE},
}


class UnknownScope(ValueError):
    pass


def canonical(scope: str) -> str:
    """A scope URI from its URI or short name (`roster.readonly`, `v1p2/roster.readonly`)."""
    if scope.startswith(V12_SHORT):
        full = PREFIX_V12 + scope.removeprefix(V12_SHORT)
    elif scope.startswith(("https://", "http://")):
        full = scope
    else:
        full = PREFIX + scope
    if full not in ALL:
        known = ", ".join((*SHORT_NAMES, *(V12_SHORT + name for name in SHORT_NAMES_V12)))
        raise UnknownScope(f"unknown scope {scope!r}; known scopes: {known}")
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
    """The short name of a scope URI (1.2's with `v1p2/` in front)."""
    if scope.startswith(PREFIX_V12):
        return V12_SHORT + scope.removeprefix(PREFIX_V12)
    return scope.removeprefix(PREFIX)
