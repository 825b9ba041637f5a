"""The argument map in Chromium against a real gunicorn server on the built graph: the claims
and the relations are drawn (boxes and labelled arrows inside the SVG, laid out on the
server), Tab reaches a claim, which names itself and links to its quote in the annotated
text, and pointing at a claim brings its relations forward. Screenshots go to
tests/artifacts/screenshots/; nothing is fetched from outside."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

URL = "/source/ukraine-security-guarantees/argument"


def test_argument_map_draws_and_tab_reaches_a_claim(  # type: ignore[no-untyped-def]
    page, gunicorn_server, screenshot, external_requests
) -> None:
    page.goto(gunicorn_server + URL)
    assert page.locator("h1").count() == 1
    svg = page.locator("svg.argument-map")
    assert svg.count() == 1
    nodes = svg.locator("a.am-node")
    edges = svg.locator("path.am-edge")
    assert nodes.count() > 10
    assert edges.count() > 5
    # drawn: every box and arrow has a size on the screen, and the verbs are visible words
    box = nodes.first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 40
    assert edges.first.bounding_box() is not None
    verbs = set(svg.locator("text.am-edge-label").all_text_contents())
    assert verbs & {"supports", "attacks", "qualifies", "answers", "elaborates", "implements"}
    # the same relations as text, for screen readers
    assert page.locator("ul.am-relations > li").count() == edges.count()
    screenshot(page, "argument-map", full_page=False)

    # Tab from the top of the page reaches a claim in the map
    page.locator("body").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('svg.argument-map') !== null"):
            break
    else:
        raise AssertionError("Tab never reached a node of the argument map")
    name = page.evaluate("document.activeElement.querySelector('title').textContent")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert name and "“" in name
    assert href.startswith("/source/ukraine-security-guarantees#")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('.am-box')).strokeWidth"
    )
    assert float(outline.rstrip("px")) >= 3  # the focused box is marked
    screenshot(page, "argument-map-focus", full_page=False)

    # Enter follows the link to the quote in the annotated text
    slug = href.rsplit("#", 1)[1]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/source/ukraine-security-guarantees#{slug}")
    assert page.locator(f"mark#{slug}").count() == 1
    assert external_requests == []


def test_pointing_at_a_claim_brings_its_relations_forward(  # type: ignore[no-untyped-def]
    page, gunicorn_server
) -> None:
    page.goto(gunicorn_server + URL)
    node_id = page.evaluate(
        "document.querySelector('svg.argument-map path.am-edge').getAttribute('data-s')"
    )
    page.locator(f"#n-{node_id}").hover()
    assert page.evaluate("document.querySelector('.am-edges').classList.contains('dim')")
    assert page.locator("path.am-edge.on").count() >= 1
    page.mouse.move(2, 2)
    assert not page.evaluate("document.querySelector('.am-edges').classList.contains('dim')")


def test_sources_list_and_the_agreement_reader(  # type: ignore[no-untyped-def]
    page, gunicorn_server, screenshot
) -> None:
    page.goto(gunicorn_server + "/source/")
    cards = page.locator(".source-card")
    assert cards.count() >= 2
    screenshot(page, "sources-list")
    page.goto(gunicorn_server + "/source/us-ukraine-bilateral-security-agreement-2024")
    assert page.locator("h2.r-heading").count() >= 5
    marks = page.locator("mark.hl[tabindex]")
    assert marks.count() > 20
    first = marks.first
    first.focus()
    popup = page.locator("#pop-" + first.get_attribute("id"))
    assert popup.is_visible()
    assert popup.locator(".badge").count() == 1
    screenshot(page, "source-agreement", full_page=False)
