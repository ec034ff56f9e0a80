"""One run of the checker: connect, run the chosen profiles, and gather what they saw into a report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from openroster.check import gradebook, sds, sync
from openroster.check.auth import Credentials, connect
from openroster.check.http import ROOT, Session
from openroster.check.outcomes import Outcome, Outcomes
from openroster.check.registry import CHECKS
from openroster.check.sync import Progress, Walk

CONSUMER_PROFILES = ("sds", "grade-sync", "google")


@dataclass(frozen=True)
class CheckOptions:
    base_url: str
    credentials: Credentials
    profiles: tuple[str, ...] = ("sds",)
    school: str | None = None
    page_size: int = 5000
    max_records: int | None = None
    writes: bool = False
    verify_tls: bool = True


@dataclass
class Report:
    options: CheckOptions
    started: str
    finished: str = ""
    outcomes: Outcomes = field(default_factory=Outcomes)
    walks: dict[str, Walk] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def results(self) -> list[Outcome]:
        """Every check of the profiles run (connection included), in the order they are declared."""
        profiles = ("connection", *self.options.profiles)
        results = []
        for check in CHECKS.values():
            if check.profile in profiles:
                outcome = self.outcomes.by_id.get(check.id) or Outcome(check)
                if outcome.status == "skip" and not outcome.skipped:
                    outcome.skipped = "nothing the run did exercised it"
                results.append(outcome)
        return results

    @property
    def failed(self) -> bool:
        return any(o.status == "fail" for o in self.results())


def base_url(given: str) -> str:
    """The OneRoster base URL: `given`, with /ims/oneroster/v1p1 added when it names only the host."""
    url = given.rstrip("/")
    return url if url.endswith(ROOT) else url + ROOT


def run_checks(
    options: CheckOptions,
    *,
    progress: Progress = lambda name, done, total: None,
    announce: Callable[[str], None] = lambda message: None,
) -> Report:
    """Check a provider as the chosen consumers would; CheckAborted when it cannot be reached or entered."""
    report = Report(options, _now())
    outcomes = report.outcomes

    def note(message: str) -> None:
        report.notes.append(message)
        announce(message)

    session = Session(base_url(options.base_url), verify=options.verify_tls)
    try:
        connect(session, options.credentials, outcomes, writes=options.writes)
        if "sds" in options.profiles:
            began = time.time()
            report.walks = sync.full_pull(
                session,
                outcomes,
                began=began,
                page_size=options.page_size,
                max_records=options.max_records,
                progress=progress,
            )
            sync.delta_pull(
                session,
                report.walks,
                began,
                outcomes,
                page_size=options.page_size,
                max_records=options.max_records,
                progress=progress,
            )
            sds.run(session, outcomes, school=options.school)
        if "grade-sync" in options.profiles:
            gradebook.grade_sync(session, outcomes, writes=options.writes, announce=note)
        if "google" in options.profiles:
            gradebook.google(session, outcomes, writes=options.writes, announce=note)
    finally:
        session.close()
    report.finished = _now()
    return report


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
