"""The ontology documentation in a real browser: renders offline, the table of contents and
term links navigate, and screenshots are kept for a person to look at."""

from __future__ import annotations

import pytest

from tests.pages.test_ontology_docs import build_small_store

pytestmark = pytest.mark.browser


def test_ontology_and_term_pages(
    tmp_path, live_server, page, screenshot, external_requests
) -> None:
    from server import create_app

    build_small_store(tmp_path / "store")
    app = create_app(
        {"STORE": str(tmp_path / "store"), "TESTING": True, "DUMPS": str(tmp_path / "dumps")}
    )
    url = live_server(app)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{url}/ontology")
    assert page.locator("h1").first.inner_text().startswith("Security Guarantees")
    assert page.locator("nav.toc a[href='#class']").count() == 1
    assert page.locator("section#class .term").count() > 20
    screenshot(page, "ontology-index", full_page=False)

    page.click("section#class .term#State h3 a")
    page.wait_for_url(f"{url}/ontology/State")
    assert page.locator("td[lang=uk]").first.inner_text() == "держава"
    assert page.locator("strong.count").first.inner_text() == "3"
    screenshot(page, "ontology-term-state")

    page.goto(f"{url}/ontology/CommitmentTypes")
    assert page.locator("#members tbody tr").count() >= 5
    screenshot(page, "ontology-scheme-commitment-types")

    page.goto(f"{url}/shapes/CommitmentShape")
    assert page.locator("table.shape-props tbody tr").count() >= 4
    screenshot(page, "shape-commitment")
    page.goto(f"{url}/shapes")
    assert page.locator("section.term").count() >= 5
    screenshot(page, "shapes-index", full_page=False)
    assert external_requests == []
