"""The terminal summary of a run: counts per profile, then each failure and warning with its fix."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from openroster.check.report import ORDER, summary
from openroster.check.runner import Report

STYLE = {"fail": "red", "warn": "yellow", "pass": "green", "skip": "dim"}


def print_summary(report: Report, console: Console) -> None:
    if report.walks:
        walks = Table(
            "collection",
            "records",
            "pages",
            "s",
            "rec/s",
            "dup",
            "gaps",
            "dangling",
            "delta",
            title="Simulated sync",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            collapse_padding=True,
        )
        walks.columns[0].no_wrap = True
        for w in report.walks.values():
            if w.served:
                walks.add_row(
                    w.name,
                    f"{w.records:,}",
                    str(w.pages),
                    f"{w.seconds:.2f}",
                    f"{w.rate:,.0f}",
                    str(w.duplicates),
                    "?" if w.gaps is None else str(w.gaps),
                    str(w.dangling),
                    "" if w.delta_records is None else f"{w.delta_records:,}",
                )
        console.print(walks)
    for outcome in sorted(report.results(), key=lambda o: ORDER[o.status]):
        if outcome.status not in ("fail", "warn"):
            continue
        style = STYLE[outcome.status]
        console.print(
            f"[{style}]{outcome.status.upper()}[/{style}] {outcome.check.id}: {outcome.check.name}",
            highlight=False,
        )
        for evidence in outcome.evidence[:2]:
            console.print(
                f"    {evidence.request}\n      expected {evidence.expected}\n      observed "
                f"{evidence.observed}",
                highlight=False,
                markup=False,
            )
        console.print(f"    fix: {outcome.check.fix}", highlight=False, markup=False)
    counts = Table(
        "profile",
        "pass",
        "warn",
        "fail",
        "skip",
        title="Checks",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
    )
    for profile, c in summary(report).items():
        counts.add_row(profile, str(c["pass"]), str(c["warn"]), str(c["fail"]), str(c["skip"]))
    console.print(counts)
