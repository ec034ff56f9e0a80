"""The checks a provider is held to: each with a stable id, a one-line name, a severity and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["fail", "warn"]
PROFILES = ("connection", "sds", "grade-sync", "google")


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    severity: Severity  # fail: the consumer rejects data or loses it; warn: works but risky
    profile: str
    fix: str


CHECKS: dict[str, Check] = {}


def define(id: str, name: str, severity: Severity, profile: str, fix: str) -> Check:
    """Declare a check once; its id never changes, so reports can be compared over time."""
    if id in CHECKS:
        raise ValueError(f"check {id} is defined twice")
    if profile not in PROFILES:
        raise ValueError(f"check {id}: unknown profile {profile}")
    check = Check(id, name, severity, profile, fix)
    CHECKS[id] = check
    return check
