"""The checker's reports: a JSON document (schema in report.schema.json) and a self-contained HTML page."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape

from openroster.check.runner import Report

FORMAT = "openroster-check-report/1"
ORDER = {"fail": 0, "warn": 1, "pass": 2, "skip": 3}


def summary(report: Report) -> dict[str, dict[str, int]]:
    """Counts of pass, warn, fail and skip per profile, and over all ("all")."""
    counts: dict[str, Counter[str]] = {}
    for outcome in report.results():
        for profile in (outcome.check.profile, "all"):
            counts.setdefault(profile, Counter())[outcome.status] += 1
    ordered = sorted(counts, key=lambda p: p == "all")
    return {p: {s: counts[p].get(s, 0) for s in ("pass", "warn", "fail", "skip")} for p in ordered}


def as_json(report: Report) -> dict[str, Any]:
    options = report.options
    auth = options.credentials.auth
    return {
        "format": FORMAT,
        "provider": options.base_url,
        "auth": f"{auth} {options.credentials.signature}" if auth == "oauth1" else auth,
        "profiles": list(options.profiles),
        "page_size": options.page_size,
        "max_records": options.max_records,
        "started": report.started,
        "finished": report.finished,
        "summary": summary(report),
        "checks": [
            {
                "id": o.check.id,
                "name": o.check.name,
                "profile": o.check.profile,
                "severity": o.check.severity,
                "status": o.status,
                "fix": o.check.fix,
                "passed": o.passed,
                "failed": o.failed,
                "skipped_because": o.skipped if o.status == "skip" else None,
                "evidence": [
                    {"request": e.request, "expected": e.expected, "observed": e.observed} for e in o.evidence
                ],
            }
            for o in report.results()
        ],
        "sync": [
            {
                "collection": w.name,
                "served": w.served,
                "records": w.records,
                "pages": w.pages,
                "seconds": round(w.seconds, 3),
                "records_per_second": round(w.rate, 1),
                "duplicates": w.duplicates,
                "gaps": w.gaps,
                "x_total_count": w.total,
                "dangling_references": w.dangling,
                "delta_records": w.delta_records,
                "complete": w.complete,
            }
            for w in report.walks.values()
        ],
        "notes": list(report.notes),
    }


def schema() -> dict[str, Any]:
    text = resources.files("openroster.check").joinpath("report.schema.json").read_text(encoding="utf-8")
    return dict(orjson.loads(text))


def render_html(report: Report) -> str:
    env = Environment(
        loader=PackageLoader("openroster.check", "templates"), autoescape=select_autoescape(["html"])
    )
    document = as_json(report)
    checks = sorted(document["checks"], key=lambda c: ORDER[c["status"]])
    return env.get_template("report.html").render(report=document, checks=checks)


def write_report(report: Report, path: Path) -> None:
    """Write the JSON report (a .json path) or the HTML one (.html or .htm)."""
    if path.suffix.lower() == ".json":
        path.write_bytes(orjson.dumps(as_json(report), option=orjson.OPT_INDENT_2))
    else:
        path.write_text(render_html(report), encoding="utf-8")
