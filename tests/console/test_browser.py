"""The console in a real Chromium against `openroster serve --demo`, on SQLite and on PostgreSQL.

Each flow is driven as a person would: typing, clicking, choosing files. Every page visited is
saved to docs/screenshots/ (the README shows some of them).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from openroster.console.accounts import add_account
from openroster.ingest.demo import generate_demo, write_demo_bundle
from openroster.ingest.writer import write_bundle
from openroster.store.dialects import create_engine
from openroster.store.schema import TABLES
from tests.conftest import BACKENDS, new_database
from tests.console.conftest import PASSWORD
from tests.ops.served import Served

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: make test installs it"
)


class Console:
    """A served demo district, its store, and the demo admin's password that serve printed."""

    def __init__(self, served: Served, engine: sa.Engine, password: str) -> None:
        self.served, self.engine, self.password = served, engine, password
        self.url = served.url + "/console"

    def active(self, entity: str) -> int:
        table = TABLES[entity].main
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.status == "active")
            ).scalar_one()


@pytest.fixture(scope="module", params=BACKENDS)
def console(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    folder = tmp_path_factory.mktemp("served")
    url = new_database(request.param, folder)
    served = Served(["--demo", "--database", url], cwd=folder)
    try:
        printed = "".join(served.stdout)
        found = re.search(r"Demo console admin: demo-admin  password: (\S+)", printed)
        assert found, printed
        assert f"Web console: {served.url}/console/" in printed
        engine = create_engine(url)
        add_account(engine, "vic", "viewer", PASSWORD)
        yield Console(served, engine, found.group(1))
        engine.dispose()
    finally:
        served.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()


@contextmanager
def writes_held(engine: sa.Engine) -> Iterator[None]:
    """Other writers wait while this is open: SQLite's write lock, or a lock on PostgreSQL's users."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                raw.execute("ROLLBACK")
        else:
            with conn.begin() as transaction:
                conn.execute(sa.text(f"LOCK TABLE {TABLES['user'].main.name} IN SHARE MODE"))
                yield
                transaction.rollback()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, console: Console, name: str = "demo-admin", password: str | None = None) -> None:
    page.goto(console.url + "/")
    assert page.url.endswith("/console/signin")
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill(password or console.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(console.url + "/")


def test_sign_in_see_the_overview_and_sign_out(page: Any, console: Console) -> None:
    page.goto(console.url + "/")
    shot(page, "signin")
    page.get_by_label("Account name").fill("demo-admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "The name or the password is wrong."
    sign_in(page, console)
    assert page.get_by_role("heading", level=1).inner_text() == "Overview"
    assert page.locator('[data-entity="user"]').inner_text() == f"{console.active('user'):,}"
    assert page.locator("#ready").inner_text() == "ready"
    assert "Alder Creek Elementary School" in page.locator("table").nth(1).inner_text()
    shot(page, "overview")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(console.url + "/signin")
    page.goto(console.url + "/clients")
    assert page.url.endswith("/console/signin")


def test_a_viewer_sees_no_buttons_and_its_posts_are_refused(page: Any, console: Console) -> None:
    sign_in(page, console, "vic", PASSWORD)
    for path in ("/clients", "/imports", "/readiness"):
        page.goto(console.url + path)
        assert page.locator("form[method=post]").count() == 1  # signing out only
    assert page.get_by_role("link", name="Add a client").count() == 0
    page.goto(console.url + "/clients")
    token = page.locator("input[name=csrf]").first.input_value()
    demo = page.locator("#clients tbody tr").first.locator("code").first.inner_text()
    answer = page.request.post(f"{console.url}/clients/{demo}/remove", form={"csrf": token})
    assert answer.status == 403 and "vic is a viewer" in answer.text()
    answer = page.request.post(f"{console.url}/clients/create", form={"csrf": token, "name": "Sneaky"})
    assert answer.status == 403
    page.goto(console.url + "/clients")
    assert (
        "Sneaky" not in page.locator("#clients").inner_text()
        and demo in page.locator("#clients").inner_text()
    )


@pytest.mark.parametrize("how", ["forged", "missing"])
def test_a_forged_or_missing_form_token_is_refused(page: Any, console: Console, how: str) -> None:
    sign_in(page, console)
    page.goto(console.url + "/clients")
    page.get_by_role("link", name=re.compile("^Rotate secret of demo$")).click()
    if how == "forged":
        page.locator("#main input[name=csrf]").evaluate("field => field.value = 'forged-token'")
    else:
        page.locator("#main input[name=csrf]").evaluate("field => field.remove()")
    page.get_by_role("button", name="Rotate the secret").click()
    assert (
        "security token is missing or wrong, so nothing was changed" in page.get_by_role("alert").inner_text()
    )
    shot(page, "refused")


def _zip(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, file.name)
    return out


def test_a_broken_bundle_shows_its_problems_and_changes_nothing(
    page: Any, console: Console, tmp_path: Path
) -> None:
    records = generate_demo(schools=3, students=300, seed=1)
    records["user"][5] = records["user"][5] | {"role": "pupil"}
    write_bundle(tmp_path / "broken", records)
    bundle = _zip(tmp_path / "broken", tmp_path / "broken.zip")
    users = console.active("user")
    sign_in(page, console)
    page.goto(console.url + "/imports")
    shot(page, "imports")
    page.get_by_label("Bundle (.zip)").set_input_files(str(bundle))
    page.get_by_role("button", name="Check the bundle").click()
    assert page.get_by_role("heading", level=1).inner_text() == "broken.zip: 1 problem(s)"
    assert "nothing was changed" in page.get_by_role("alert").inner_text()
    assert "'pupil' is not one of" in page.locator("table.problems").inner_text()
    shot(page, "import-problems")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the problems (problems.txt)").click()
    assert "'pupil'" in Path(download.value.path()).read_text()
    assert page.get_by_role("button", name=re.compile("^Import")).count() == 0
    assert console.active("user") == users


def test_a_good_bundle_is_imported_and_the_counts_move(page: Any, console: Console, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    bundle = tmp_path / "next-term.zip"
    write_demo_bundle(bundle, schools=3, students=320, seed=1)
    sign_in(page, console)
    before = page.locator('[data-entity="user"]').inner_text()
    page.goto(console.url + "/imports")
    page.get_by_label("Bundle (.zip)").set_input_files(str(bundle))
    page.get_by_role("button", name="Check the bundle").click()
    assert page.get_by_role("heading", level=1).inner_text() == "next-term.zip is ready to import"
    shot(page, "import-ready")
    with writes_held(console.engine):  # the import waits for the lock: its progress shows
        page.get_by_role("button", name="Import next-term.zip").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Importing next-term.zip"
        # It reloads itself until the import waits: SQLite's before writing anything (every file
        # checked), PostgreSQL's when it comes to write users.
        waits = (
            re.compile(r"\d rows") if console.engine.dialect.name == "sqlite" else "Writing users.csv: 0 of"
        )
        expect(page.locator("#import-stage")).to_contain_text(waits, timeout=120_000)
        status = page.get_by_role("status")
        assert "Started by demo-admin" in status.inner_text()
        assert status.get_attribute("aria-live") == "polite"
        assert status.locator("progress").count() == 1
        shot(page, "import-progress")
    # The page reloads itself until the import has ended, then shows its result.
    expect(page.get_by_role("heading", name="Imported next-term.zip")).to_be_visible(timeout=120_000)
    assert "The import succeeded" in page.locator("#import-outcome").inner_text()
    assert page.locator("#import-result tbody tr").count() > 0
    shot(page, "import-done")
    page.get_by_role("link", name="Back to the imports").click()
    history = page.locator("#import-history tbody tr").first.inner_text()
    assert "next-term.zip" in history and "demo-admin" in history and "succeeded" in history
    page.get_by_role("link", name="Overview").click()
    after = page.locator('[data-entity="user"]').inner_text()
    assert int(after.replace(",", "")) > int(before.replace(",", ""))
    assert int(after.replace(",", "")) == console.active("user")


def test_add_a_client_get_a_token_rotate_and_the_old_one_is_refused(page: Any, console: Console) -> None:
    sign_in(page, console)
    page.goto(console.url + "/clients")
    shot(page, "clients")
    page.get_by_role("link", name="Add a client").click()
    page.get_by_label("Name").fill("School Data Sync")
    shot(page, "client-new")
    page.get_by_role("button", name="Review").click()
    shot(page, "client-review")
    page.get_by_role("button", name="Create the client").click()
    client_id = page.get_by_label("Client id").input_value()
    secret = page.get_by_label("Client secret").input_value()
    token_url = page.get_by_label("Token URL").input_value()
    base_url = page.get_by_label("OneRoster 1.1 base URL").input_value()
    assert page.get_by_role("button", name="Copy Client secret").is_visible()  # the script shows them
    shot(page, "client-secret")
    assert token_url == console.served.url + "/oauth/token"
    answer = httpx.post(token_url, data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert answer.status_code == 200, answer.text
    bearer = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    assert httpx.get(base_url + "/schools", headers=bearer).status_code == 200
    page.goto(console.url + "/clients")
    page.get_by_role("link", name="Rotate secret of School Data Sync").click()
    shot(page, "client-confirm")
    page.get_by_role("button", name="Rotate the secret").click()
    new_secret = page.get_by_label("Client secret").input_value()
    assert new_secret != secret
    assert httpx.get(base_url + "/schools", headers=bearer).status_code == 401
    old = httpx.post(token_url, data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert old.status_code == 401
    new = httpx.post(token_url, data={"grant_type": "client_credentials"}, auth=(client_id, new_secret))
    assert new.status_code == 200
    fresh = {"Authorization": f"Bearer {new.json()['access_token']}"}
    assert httpx.get(base_url + "/schools", params={"filter": "nonsense"}, headers=fresh).status_code == 400
    page.goto(console.url + "/clients")
    page.get_by_role("link", name="School Data Sync", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sync activity of “School Data Sync”"
    errors = page.locator("#errors-table").inner_text()
    assert "GET /ims/oneroster/v1p1/schools" in errors and "400" in errors and "nonsense" in errors
    assert "full" in page.locator("#syncs-table").inner_text()
    shot(page, "activity")


def test_find_a_student_by_email_and_open_their_classes(page: Any, console: Console) -> None:
    users = TABLES["user"].main
    with console.engine.connect() as conn:
        sourced_id, email = conn.execute(
            sa.select(users.c.sourced_id, users.c.email)
            .where(users.c.role == "student", users.c.status == "active")
            .order_by(users.c.sourced_id)
            .limit(1)
        ).one()
    sign_in(page, console)
    page.get_by_role("link", name="Browse").click()
    page.get_by_label("by name, email, identifier or sourcedId").fill(email.upper())
    page.get_by_role("button", name="Search").click()
    shot(page, "browse")
    page.locator(f'#hits a[href$="/records/user/{sourced_id}"]').click()
    assert page.get_by_role("heading", level=1).inner_text() == f"user {sourced_id}"
    assert f'"email": "{email}"' in page.locator("#record-json").inner_text()
    assert f'"email": "{email}"' in page.locator("#record-json-v12").inner_text()  # districts serve both
    assert "/ims/oneroster/rostering/v1p2/users/" in page.locator("#api-url-v12").inner_text()
    shot(page, "record-user")
    classes = page.locator("#user-classes a")
    assert classes.count() >= 1
    classes.first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("class ")
    members = page.locator("#members-table").inner_text()
    assert "teacher" in members and "student" in members
    assert page.locator(f'#members-table a[href$="/records/user/{sourced_id}"]').count() == 1
    shot(page, "record-class")


def test_run_the_readiness_check_and_see_its_result(page: Any, console: Console) -> None:
    sign_in(page, console)
    page.get_by_role("link", name="Readiness").click()
    page.get_by_role("button", name="Run the readiness check").click()
    verdict = page.locator("#verdict")
    verdict.wait_for(timeout=300_000)
    assert verdict.inner_text() == "Every check passed (warnings aside).", page.content()
    assert "sds" in page.locator("#readiness-summary").inner_text()
    shot(page, "readiness")
    page.get_by_role("link", name="The whole report").click()
    assert page.title().startswith("OneRoster readiness:")  # the checker's own report
    shot(page, "readiness-report")
    page.goto(console.url + "/")
    assert "passed" in page.locator("dl.facts").inner_text()


def test_every_page_has_labelled_fields_landmarks_and_a_skip_link_first(page: Any, console: Console) -> None:
    sign_in(page, console)
    for path in ("/", "/imports", "/clients", "/clients/new", "/browse", "/readiness"):
        page.goto(console.url + path)
        assert page.locator("main").count() == 1 and page.locator("header nav").count() == 1
        assert page.get_by_role("heading", level=1).count() == 1
        for field in page.locator("main input:not([type=hidden]), main select").all():
            field_id = field.get_attribute("id")
            labelled = field_id and page.locator(f'label[for="{field_id}"]').count() == 1
            assert labelled or field.evaluate("f => f.closest('label') !== null"), (path, field_id)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.closest('main') !== null")
        assert focused, path  # after the skip link, the page's own content


def test_the_console_works_without_javascript(chromium: Any, console: Console) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, console)
        page.goto(console.url + "/clients/new")
        page.get_by_label("Name").fill("No script vendor")
        page.get_by_role("button", name="Review").click()
        page.get_by_role("button", name="Create the client").click()
        secret = page.get_by_label("Client secret").input_value()
        assert secret and page.get_by_role("button", name="Copy Client secret").count() == 0  # hidden
        page.goto(console.url + "/browse")
        page.get_by_label("by name, email, identifier or sourcedId").fill("Alder Creek")
        page.get_by_label("Find").select_option("org")
        page.get_by_role("button", name="Search").click()
        assert page.locator("#hits li").count() == 1
    finally:
        context.close()
