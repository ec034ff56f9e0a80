"""What each check saw: observations collected while the checker talks to a provider."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from openroster.check.registry import Check

Status = Literal["pass", "warn", "fail", "skip"]
EVIDENCE_KEPT = 5  # bad observations kept per check; the rest are only counted


@dataclass(frozen=True)
class Observation:
    request: str
    expected: str
    observed: str


@dataclass
class Outcome:
    check: Check
    passed: int = 0
    failed: int = 0
    evidence: list[Observation] = field(default_factory=list)
    skipped: str = ""  # why the check could not run, when nothing was observed

    @property
    def status(self) -> Status:
        if self.failed:
            return self.check.severity
        return "pass" if self.passed else "skip"


class Outcomes:
    """Observations per check, in the order checks were first touched."""

    def __init__(self) -> None:
        self.by_id: dict[str, Outcome] = {}

    def _outcome(self, check: Check) -> Outcome:
        if check.id not in self.by_id:
            self.by_id[check.id] = Outcome(check)
        return self.by_id[check.id]

    def record(self, check: Check, ok: bool, request: str, expected: str, observed: str = "") -> bool:
        outcome = self._outcome(check)
        if ok:
            outcome.passed += 1
        else:
            outcome.failed += 1
            if len(outcome.evidence) < EVIDENCE_KEPT:
                outcome.evidence.append(Observation(request, expected, observed))
        return ok

    def skip(self, check: Check, reason: str) -> None:
        outcome = self._outcome(check)
        if not outcome.skipped:
            outcome.skipped = reason

    def status(self, check: Check) -> Status:
        return self._outcome(check).status
