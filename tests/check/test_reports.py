"""The JSON report validates against its published schema; the HTML report opens in a real browser."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from openroster.check.report import schema
from openroster.cli import app
from tests.check import breakage as b
from tests.check.conftest import PAGE_SIZE, serve

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def reports(sqlite_district: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both reports of one run against a provider whose dates lack milliseconds."""
    folder = tmp_path_factory.mktemp("reports")
    server, credentials = serve(sqlite_district, b.dates_without_milliseconds())
    paths = {}
    try:
        for suffix in ("json", "html"):
            paths[suffix] = folder / f"readiness.{suffix}"
            result = CliRunner().invoke(
                app,
                [
                    "check",
                    server.url,
                    "--client-id",
                    credentials.client_id,
                    "--client-secret",
                    credentials.client_secret,
                    "--page-size",
                    str(PAGE_SIZE),
                    "--report",
                    str(paths[suffix]),
                ],
            )
            assert result.exit_code == 1, result.output
    finally:
        server.stop()
    return paths


def test_the_json_report_validates_against_its_schema(reports: dict[str, Path]) -> None:
    document = json.loads(reports["json"].read_text())
    jsonschema.validate(document, schema(), format_checker=jsonschema.FormatChecker())
    failing = [c for c in document["checks"] if c["status"] == "fail"]
    assert [c["id"] for c in failing] == ["fields.date-format"]
    assert failing[0]["evidence"][0]["observed"].startswith("7 of 7 record(s); first:")
    assert document["summary"]["sds"]["fail"] == 1 and document["summary"]["all"]["fail"] == 1
    assert {w["collection"] for w in document["sync"]} >= {"users", "enrollments", "classes"}


def test_the_schema_refuses_a_report_that_breaks_it(reports: dict[str, Path]) -> None:
    document = json.loads(reports["json"].read_text())
    document["checks"][0]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema())


@pytest.mark.skipif(not CHROMIUM.exists(), reason="make test installs Debian's chromium first")
def test_the_html_report_shows_the_summary_and_the_failure_in_a_browser(reports: dict[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.on(
            "request",
            lambda request: None if request.url.startswith("file:") else outside.append(request.url),
        )
        page.goto(reports["html"].as_uri())
        assert page.title().startswith("OneRoster readiness:")
        summary = page.locator("#summary + table")
        assert summary.is_visible() and "sds" in summary.inner_text()
        failing = page.locator('tr.check[data-status="fail"]')
        assert failing.count() == 1 and failing.first.get_attribute("data-id") == "fields.date-format"
        assert failing.first.is_visible()
        text = failing.first.inner_text()
        assert "dateLastModified is exactly YYYY-MM-DDTHH:mm:ss.SSSZ" in text and "Fix:" in text
        assert page.locator("#sync").is_visible()
        browser.close()
    assert outside == []  # self-contained: nothing is fetched from anywhere
