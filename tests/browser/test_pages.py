"""The Linked Data pages in Chromium against a real gunicorn server on the built store:
home, an entity page (France), the annotated source (hover and focus show the popup),
search. Screenshots go to tests/artifacts/screenshots/; nothing is fetched from outside."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_home_page(page, gunicorn_server, screenshot, external_requests) -> None:  # type: ignore[no-untyped-def]
    page.goto(gunicorn_server + "/")
    assert page.locator("h1").count() == 1
    assert page.locator(".kind-counts .badge").count() >= 5  # the kinds the sources use
    assert page.locator("table.counts tbody tr").count() > 3
    assert page.locator("svg.diagram").count() == 1
    screenshot(page, "pages-home")
    assert external_requests == []


def test_entity_page_france(page, gunicorn_server, screenshot, external_requests) -> None:  # type: ignore[no-untyped-def]
    page.goto(gunicorn_server + "/id/country/france")
    assert page.locator("h1").inner_text() == "France"
    assert page.locator(".prov .badge").count() > 0
    assert page.locator(".quote mark").count() > 0
    assert page.locator('script[type="application/ld+json"]').count() == 1
    page.set_viewport_size({"width": 1440, "height": 1000})
    screenshot(page, "pages-entity-france")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: one column, no overflow
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "pages-entity-france-mobile")
    # the diagram's nodes are links a keyboard reaches
    page.set_viewport_size({"width": 1440, "height": 1000})
    first = page.locator("svg.diagram a").first
    first.focus()
    assert page.evaluate("document.activeElement.closest('svg') !== null")
    assert external_requests == []


def test_source_reader_hover_and_focus(page, gunicorn_server, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(gunicorn_server + "/source/ukraine-security-guarantees")
    marks = page.locator("mark.hl[tabindex]")
    assert marks.count() > 10
    assert "every sentence encoded" in page.locator(".reader-side").inner_text()
    first = marks.first
    popup = page.locator("#pop-" + first.get_attribute("id"))
    assert not popup.is_visible()
    first.hover()
    assert popup.is_visible()
    assert popup.locator(".badge").count() == 1
    assert popup.locator("a").count() >= 2
    screenshot(page, "pages-source-hover", full_page=False)
    page.mouse.move(5, 5)
    page.keyboard.press("Tab")  # skip link
    second = marks.nth(1)
    second.focus()
    popup2 = page.locator("#pop-" + second.get_attribute("id"))
    assert popup2.is_visible()
    page.keyboard.press("Escape")
    assert not popup2.is_visible()
    screenshot(page, "pages-source")


def test_search_page(page, gunicorn_server, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(gunicorn_server + "/search")
    page.fill("#q", "france")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=france*")
    first = page.locator("ol.results li a").first
    assert first.inner_text() == "France"
    screenshot(page, "pages-search")
    first.click()
    page.wait_for_url("**/id/country/france")
