"""Check the users of a 1.2.1 bundle against their roles: every user has one, one primary per org.

1.2 gives a user's roles in roles.csv, not in users.csv. Once every file is read: each active
user of users.csv needs an active row in roles.csv (a user the store holds already may keep the
roles it has when roles.csv is delta or absent); among a user's active roles in one org exactly
one is `primary` (spec §3.4.14); a role names a profile of its own user.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from typing import Any, NamedTuple

from openroster.ingest._manifest import Plan
from openroster.ingest._table import Log
from openroster.model.catalogue import ENTITIES

__all__ = ["RoleChecks"]

Check = Callable[[int, Mapping[str, Any]], None]
_USERS, _ROLES = ENTITIES["user"].csv_file, ENTITIES["role"].csv_file


class _Role(NamedTuple):
    line: int
    user: str
    org: str
    role_type: str | None  # None: not a valid one (reported already)
    profile: str | None


class RoleChecks:
    """Gathers what the checks need while the files are read (`checker`), then checks (`finish`)."""

    def __init__(self, plan: Plan, stored_ids: Callable[[str], Container[str]], log: Log) -> None:
        self._plan, self._stored_ids, self._log = plan, stored_ids, log
        self._users: dict[str, int] = {}  # active user -> its line in users.csv
        self._roles: list[_Role] = []  # active roles
        self._profile_users: dict[str, str] = {}  # profile -> its user

    def checker(self, name: str, inner: Check | None) -> Check | None:
        """`inner` (a record's reference checks), gathering what the checks need as well."""
        gather = {"user": self._user, "role": self._role, "userProfile": self._profile}.get(name)
        if gather is None:
            return inner
        if inner is None:
            return gather

        def both(line: int, record: Mapping[str, Any]) -> None:
            inner(line, record)
            gather(line, record)

        return both

    def _user(self, line: int, record: Mapping[str, Any]) -> None:
        if record.get("status") != "tobedeleted" and "sourcedId" in record:
            self._users[record["sourcedId"]] = line

    def _role(self, line: int, record: Mapping[str, Any]) -> None:
        if record.get("status") == "tobedeleted" or not {"user", "org"} <= record.keys():
            return
        role = _Role(line, record["user"], record["org"], record.get("roleType"), record.get("userProfile"))
        self._roles.append(role)

    def _profile(self, line: int, record: Mapping[str, Any]) -> None:
        if "sourcedId" in record and "user" in record:
            self._profile_users[record["sourcedId"]] = record["user"]

    def finish(self) -> None:
        if "role" in self._plan.missing:
            return  # declared but not in the bundle: reported already
        self._every_user_has_a_role()
        self._one_primary_role_per_org()
        self._profiles_of_the_same_user()

    def _every_user_has_a_role(self) -> None:
        with_roles = {role.user for role in self._roles}
        stored_may_keep = self._plan.read.get("role") != "bulk"
        stored = self._stored_ids("user") if stored_may_keep else ()
        for user, line in self._users.items():
            if user in with_roles or user in stored:
                continue
            self._log.add(
                _USERS,
                line,
                "sourcedId",
                f"The user '{user}' has no role. A 1.2 bundle gives each user's roles in {_ROLES}: "
                f"add a row there with userSourcedId {user}, its orgSourcedId, its role and roleType "
                "primary.",
            )

    def _one_primary_role_per_org(self) -> None:
        first_primary: dict[tuple[str, str], int] = {}
        first_role: dict[tuple[str, str], int] = {}
        unknown = {(role.user, role.org) for role in self._roles if role.role_type is None}
        for role in self._roles:
            key = (role.user, role.org)
            first_role.setdefault(key, role.line)
            if role.role_type != "primary":
                continue
            if key in first_primary:
                self._log.add(
                    _ROLES,
                    role.line,
                    "roleType",
                    f"The user '{role.user}' has a primary role in org '{role.org}' already (line "
                    f"{first_primary[key]}); a user has exactly one primary role in each org, so make "
                    "this one secondary.",
                )
            else:
                first_primary[key] = role.line
        for (user, org), line in first_role.items():
            if (user, org) in unknown or self._plan.read.get("role") != "bulk":
                continue
            if (user, org) not in first_primary:
                self._log.add(
                    _ROLES,
                    line,
                    "roleType",
                    f"The user '{user}' has roles in org '{org}' but none is primary; a user has "
                    "exactly one primary role in each org, so make one of them primary.",
                )

    def _profiles_of_the_same_user(self) -> None:
        for role in self._roles:
            owner = self._profile_users.get(role.profile) if role.profile is not None else None
            if owner is not None and owner != role.user and owner in self._users:
                self._log.add(
                    _ROLES,
                    role.line,
                    "userProfileSourcedId",
                    f"The profile '{role.profile}' is the user '{owner}''s, not '{role.user}''s; a role "
                    "names a profile of its own user, so correct the id.",
                )
