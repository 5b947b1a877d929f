"""GraphiQL in a real browser (headless chromium via Playwright) against `auditlog serve`.

In development mode the page opens with the printed log-viewer token and the example
query, which finds the demo entries (on SQLite and, when configured, PostgreSQL).
Otherwise it asks for a token, loads the schema once one is pasted and remembers it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest

from auth.principal import Role
from auth.tokens import JwtConfig, issue_token
from schema.ide import EXAMPLE_QUERY
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.fuzz.service import seed
from tests.serving import free_port, postgres_database, running, serve_command
from tests.ui.browser import CHROMIUM, CHROMIUM_ARGS, require_browser

# Without playwright the fixtures skip each test, or fail it under AUDITLOG_REQUIRE_TOOLS=1.
with contextlib.suppress(ImportError):
    from playwright.sync_api import expect, sync_playwright

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Response

T = TypeVar("T")
SECRET = "graphiql-browser-secret-long-enough-for-hs256-0123"
WAIT_MS = 20_000
RESULT = "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"
QUERY = "() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()"
PRINTED_VIEWER_TOKEN = re.compile(r"^  log_viewer +(\S+)$", re.MULTILINE)


@dataclass(frozen=True)
class Service:
    """A running `auditlog serve`: its base URL and a log-viewer token of account demo."""

    base: str
    viewer_token: str


def _environment(database_url: str, **more: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUDITLOG_")}
    return env | {"AUDITLOG_DATABASE_URL": database_url} | more


def _off_the_browser_loop(call: Callable[[], T]) -> T:
    """Run `call` in a thread: Playwright's sync API keeps an event loop running in this
    one, and asyncio.run (database set-up) refuses to start inside it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite://{folder}/audit.sqlite3"
        return
    database = postgres_database(POSTGRES_URL, POSTGRES_URL.rpartition("/")[2] + "_graphiql")
    url = _off_the_browser_loop(database.__enter__)
    try:
        yield url
    finally:
        _off_the_browser_loop(lambda: database.__exit__(None, None, None))


@pytest.fixture(scope="module", params=BACKENDS)
def development_service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """`auditlog serve` in development mode (no key set) with its demo data."""
    require_browser()
    folder = tmp_path_factory.mktemp(f"development-{request.param}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "service.log"
    with (
        _database(request.param, folder) as database_url,
        # In `folder`, where development mode keeps its key file.
        running(
            serve_command(port, demo=True),
            _environment(database_url),
            log,
            f"{base}/healthz",
            cwd=folder,
        ),
    ):
        printed = PRINTED_VIEWER_TOKEN.search(log.read_text())
        assert printed is not None, log.read_text()
        yield Service(base, printed[1])


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """`auditlog serve` with a configured secret, over the demo account's events."""
    require_browser()
    folder = tmp_path_factory.mktemp("configured")
    database_url = f"sqlite://{folder}/audit.sqlite3"
    _off_the_browser_loop(lambda: seed(database_url))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _environment(database_url, AUDITLOG_JWT_SECRET=SECRET)
    token = issue_token(
        JwtConfig(SECRET, "HS256"),
        SECRET,
        subject="7",
        account_id="demo",
        roles=[Role.LOG_VIEWER],
        ttl=dt.timedelta(minutes=30),
        name="Nora Newcomer",
    )
    with running(serve_command(port), env, folder / "service.log", f"{base}/healthz", cwd=folder):
        yield Service(base, token)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless; never a downloaded browser."""
    require_browser()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (empty storage); script errors fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(str(error)))
    yield tab
    context.close()
    assert script_errors == []


def open_graphiql(page: Page, base: str) -> None:
    page.goto(f"{base}/graphql")
    page.wait_for_selector(".graphiql-execute-button")


def posted(operation: str) -> Callable[[Request], bool]:
    """Whether a request is the POST of the named GraphQL operation."""
    return lambda request: request.method == "POST" and operation in (request.post_data or "")


def answered(operation: str) -> Callable[[Response], bool]:
    return lambda response: posted(operation)(response.request)


def result_containing(page: Page, text: str) -> str:
    """The result pane's whole text, once it contains `text`."""
    page.wait_for_function(f"() => ({RESULT})().includes({json.dumps(text)})", timeout=WAIT_MS)
    result: str = page.evaluate(RESULT)
    return result


def descriptions(result: dict[str, Any]) -> list[str]:
    return [edge["node"]["description"] for edge in result["data"]["auditLogs"]["edges"]]


def test_development_mode_opens_with_the_printed_token_and_the_example_query_finds_entries(
    page: Page, development_service: Service
) -> None:
    open_graphiql(page, development_service.base)
    expect(page.locator("#token-status")).to_contain_text("Development mode")
    assert page.evaluate(QUERY) == EXAMPLE_QUERY
    with page.expect_request(posted("RecentEntries")) as sent:
        page.click(".graphiql-execute-button")
    assert sent.value.headers["authorization"] == f"Bearer {development_service.viewer_token}"
    shown = json.loads(result_containing(page, '"edges"'))
    direct = httpx.post(
        f"{development_service.base}/graphql",
        json={"query": EXAMPLE_QUERY},
        headers={"Authorization": f"Bearer {development_service.viewer_token}"},
    ).json()
    assert len(descriptions(shown)) == 10 and all(descriptions(shown))
    assert descriptions(shown) == descriptions(direct)


def test_without_a_token_the_page_asks_for_one_and_sends_nothing(
    page: Page, service: Service
) -> None:
    posts: list[str] = []

    def note(request: Request) -> None:
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", note)
    open_graphiql(page, service.base)
    status = page.locator("#token-status")
    expect(status).to_have_attribute("data-state", "missing")
    expect(status).to_contain_text("No token: paste one in the Token field")
    page.click(".graphiql-execute-button")
    assert "No token: paste one in the Token field" in result_containing(page, "No token")
    assert posts == []


def test_a_pasted_token_loads_the_schema_without_a_refetch_and_the_query_finds_entries(
    page: Page, service: Service
) -> None:
    open_graphiql(page, service.base)
    expect(page.locator("#token-status")).to_have_attribute("data-state", "missing")
    with page.expect_response(answered("IntrospectionQuery")) as introspection:
        page.fill("#token-input", service.viewer_token)
        page.press("#token-input", "Enter")
    assert introspection.value.status == 200
    expect(page.locator("#token-status")).to_contain_text("Nora Newcomer")
    page.click('button[aria-label="Show Documentation Explorer"]')
    docs = page.locator(".graphiql-doc-explorer")
    docs.get_by_text("Query", exact=True).click()
    expect(docs).to_contain_text("auditLogs")
    page.click(".graphiql-query-editor .CodeMirror")
    page.keyboard.press("Control+Enter")
    assert descriptions(json.loads(result_containing(page, '"edges"')))


def test_a_pasted_token_is_remembered_after_a_reload_until_forgotten(
    page: Page, service: Service
) -> None:
    status = page.locator("#token-status")
    open_graphiql(page, service.base)
    # Answered before the reload, so that the one awaited below is the reloaded page's.
    with page.expect_response(answered("IntrospectionQuery")):
        page.fill("#token-input", service.viewer_token)
        page.press("#token-input", "Enter")
    expect(status).to_have_attribute("data-state", "ok")
    with page.expect_response(answered("IntrospectionQuery")) as introspection:
        page.reload()
    assert introspection.value.status == 200 and "__schema" in introspection.value.text()
    expect(status).to_contain_text("remembered in this browser")
    page.click("#token-forget")
    expect(status).to_have_attribute("data-state", "missing")
    page.reload()
    expect(status).to_contain_text("No token: paste one in the Token field")


def test_a_refused_token_is_named_in_the_status_line(page: Page, service: Service) -> None:
    open_graphiql(page, service.base)
    page.fill("#token-input", "not-a-token")
    page.press("#token-input", "Enter")
    status = page.locator("#token-status")
    expect(status).to_have_attribute("data-state", "refused")
    expect(status).to_contain_text("The service refused the token")
