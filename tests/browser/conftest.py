"""Browser fixtures shared by every Playwright test: Debian's Chromium, headless, offline.

- ``browser_context``: one persistent Chromium context per session, on a fresh
  user-data-dir, with the flags that stop Chromium's own background traffic;
- ``page``: a new page per test whose requests to any host but 127.0.0.1/localhost are
  aborted and recorded in ``external_requests`` (assert it is empty: "works offline");
- ``screenshot(page, name)``: saves ``tests/artifacts/screenshots/<name>.png``;
- ``live_server(app)``: serves a Flask app on a free port over real HTTP (werkzeug,
  threaded) and yields its base URL; stopped at the end of the test.

Tests skip (or fail under ``KG_REQUIRE_ALL=1``) when Chromium or Playwright is missing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import ARTIFACTS, free_port, require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
SCREENSHOTS = ARTIFACTS / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require(CHROMIUM.exists(), f"Chromium is missing ({CHROMIUM}); apt-get install chromium")
    require(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 1000},
            locale="en-GB",
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture()
def external_requests() -> list[str]:
    """URLs the page tried to reach outside this machine (filled by ``page``)."""
    return []


@pytest.fixture()
def page(browser_context: Any, external_requests: list[str]) -> Iterator[Any]:
    page = browser_context.new_page()

    def guard(route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            external_requests.append(url)
            route.abort("blockedbyclient")

    page.route("**/*", guard)
    try:
        yield page
    finally:
        with contextlib.suppress(Exception):
            page.close()


@pytest.fixture()
def screenshot() -> Callable[[Any, str], Path]:
    def take(page: Any, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture()
def live_server() -> Iterator[Callable[[Any], str]]:
    from werkzeug.serving import make_server

    servers: list[Any] = []

    def serve(app: Any) -> str:
        port = free_port()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield serve
    for server, thread in servers:
        server.shutdown()
        thread.join(timeout=5)
