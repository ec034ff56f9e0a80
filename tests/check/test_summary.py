"""`openroster check` against the small providers: what the terminal summary and the reports show for a
warning, a failure and a clean run, and that what a provider sends is shown as text, never as markup."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner, Result

from openroster.check.report import FORMAT, schema
from openroster.cli import app
from tests.check.provider import CLIENT_ID, CLIENT_SECRET, PAGE_SIZE, Provider, changed, serving

runner = CliRunner()


def check(provider: Provider, *arguments: str) -> Result:
    with serving(provider) as url:
        return runner.invoke(
            app,
            ["check", url, "--page-size", str(PAGE_SIZE), *arguments],
            env={"OPENROSTER_CHECK_CLIENT_ID": CLIENT_ID, "OPENROSTER_CHECK_CLIENT_SECRET": CLIENT_SECRET},
        )


class NoLink(Provider):
    def link(self, path: str, params: dict[str, str], offset: int, limit: int, total: int) -> str | None:
        return None


def markup_provider() -> Provider:
    return changed("orgs", "s2", type="<script>alert(1)</script>[bold]x[/bold]")


def test_warnings_alone_exit_0_and_are_shown_with_their_fix() -> None:
    result = check(NoLink())
    assert result.exit_code == 0, result.output
    assert 'WARN paging.link: A Link header with rel="next" while more pages follow' in result.output
    assert "fix: Send Link with next, last, first and prev URLs" in result.output
    assert 'expected a Link header with rel="next"' in result.output
    assert "observed Link: (none)" in result.output
    assert "FAIL" not in result.output


def test_only_two_pieces_of_evidence_are_printed_per_check() -> None:
    result = check(NoLink())
    assert result.output.count("observed Link: (none)") == 2


def test_a_clean_run_prints_the_simulated_sync_and_the_counts_per_profile() -> None:
    result = check(Provider(), "--profile", "sds,google")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    enrollments = next(line.split() for line in lines if line.strip().startswith("enrollments"))
    # collection, records, pages, s, rec/s, dup, gaps, dangling, delta
    assert enrollments[:3] == ["enrollments", "9", "3"] and enrollments[5:] == ["0", "0", "0", "0"]
    profiles = {line.split()[0] for line in lines if line.split()[:1] in (["sds"], ["google"], ["all"])}
    assert profiles == {"sds", "google", "all"}
    assert "WARN" not in result.output and "FAIL" not in result.output


def test_markup_sent_by_the_provider_is_printed_as_text() -> None:
    result = check(markup_provider())
    assert result.exit_code == 1, result.output
    assert "FAIL fields.required:" in result.output
    assert "<script>alert(1)</script>[bold]x[/bold]" in result.output


def test_the_html_report_escapes_what_the_provider_sent(tmp_path: Path) -> None:
    path = tmp_path / "readiness.html"
    result = check(markup_provider(), "--report", str(path))
    assert result.exit_code == 1, result.output
    assert f"Wrote {path}." in result.output
    page = path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_json_report_holds_the_exact_finding_and_the_walks(tmp_path: Path) -> None:
    path = tmp_path / "readiness.json"
    result = check(changed("users", "u-s3", drop=("orgs",)), "--report", str(path))
    assert result.exit_code == 1, result.output
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema())
    assert document["format"] == FORMAT and document["auth"] == "oauth2" and document["profiles"] == ["sds"]
    assert document["page_size"] == PAGE_SIZE and document["max_records"] is None
    [finding] = [c for c in document["checks"] if c["status"] in ("fail", "warn")]
    assert (finding["id"], finding["status"], finding["severity"]) == ("fields.user-orgs", "fail", "fail")
    assert finding["evidence"][0]["observed"] == "1 of 3 record(s); first: u-s3: orgs is missing or empty"
    assert finding["failed"] == len(finding["evidence"]) and finding["passed"] > 0
    assert document["summary"]["sds"]["fail"] == 1 and document["summary"]["all"]["fail"] == 1
    walks = {w["collection"]: w for w in document["sync"]}
    assert walks["enrollments"] == walks["enrollments"] | {
        "served": True, "records": 9, "pages": 3, "duplicates": 0, "gaps": 0, "x_total_count": 9,
        "dangling_references": 0, "delta_records": 0, "complete": True,
    }  # fmt: skip
    skipped = [c for c in document["checks"] if c["status"] == "skip"]
    assert all(c["skipped_because"] for c in skipped)
    assert all(c["skipped_because"] is None for c in document["checks"] if c["status"] != "skip")


def test_the_json_report_of_a_write_run_keeps_the_announcement(tmp_path: Path) -> None:
    path = tmp_path / "readiness.json"
    result = check(Provider(), "--profile", "grade-sync", "--yes-write", "--report", str(path))
    assert result.exit_code == 0, result.output
    assert "Grade Sync: writing lineItem openroster-check-" in result.output
    document = json.loads(path.read_text(encoding="utf-8"))
    [note] = document["notes"]
    assert note.startswith("Grade Sync: writing lineItem ") and note.endswith("deleted again at the end.")
    assert document["sync"] == []  # no SDS walk in a Grade Sync run
    assert {c["profile"] for c in document["checks"]} == {"connection", "grade-sync"}


def test_a_run_that_cannot_connect_prints_why_and_writes_no_report(tmp_path: Path) -> None:
    path = tmp_path / "readiness.json"
    with serving(Provider()) as url:
        result = runner.invoke(
            app, ["check", url, "--client-id", CLIENT_ID, "--client-secret", "nope", "--report", str(path)]
        )
    assert result.exit_code == 2
    assert f"error: cannot check {url}: the token endpoint {url}/oauth/token issued no token" in (
        " ".join(result.output.split())
    )
    assert not path.exists()
