"""The research tools in a real browser: facets, full-text search, the chart and timeline of
query results, completion from our own data, and a share link round trip.

Served by ``kg serve`` (gunicorn) on the built article; every request to another host is
aborted and recorded (``external_requests`` must stay empty). Screenshots go to
``tests/artifacts/screenshots/research-*.png``.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]


def editor_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("() => window.sgkgQueryUI.getTab().getQuery()")


def set_query(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.evaluate("(q) => { window.sgkgQueryUI.getTab().setQuery(q); }", text)


def run_query(page) -> None:  # type: ignore[no-untyped-def]
    page.click(".yasqe .yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr", timeout=15_000)


def test_browse_facets_narrow(page, gunicorn_server, external_requests, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(gunicorn_server + "/browse")
    summary = page.locator(".browse-results .summary").inner_text()
    total = int(summary.split()[0])
    assert page.locator("fieldset.facet").count() >= 4
    # tick "prediction" under "Kind of claim" and apply: fewer results, a chosen chip
    kind = page.locator("#facet-kind label", has_text="rediction").first
    kind.click()
    page.click(".facet-actions button[type=submit]")
    page.wait_for_url("**/browse?kind=*")
    narrowed = int(page.locator(".browse-results .summary").inner_text().split()[0])
    assert 0 < narrowed < total
    assert page.locator(".chosen li").count() == 1
    assert page.locator(".browse-results .badge").count() == narrowed
    screenshot(page, "research-browse")
    assert external_requests == []


def test_search_finds_words_of_a_quote(
    page, gunicorn_server, external_requests, screenshot
) -> None:  # type: ignore[no-untyped-def]
    page.goto(gunicorn_server + "/search")
    page.fill("#q", "newfound resolve")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=newfound*")
    hit = page.locator("li.text-hit").first
    assert hit.locator(".badge").count() == 1
    marks = hit.locator("blockquote mark").all_inner_texts()
    assert [m.lower() for m in marks] == ["newfound", "resolve"]
    screenshot(page, "research-search")
    assert external_requests == []


def test_chart_timeline_completion_and_share_link(  # type: ignore[no-untyped-def]
    page, gunicorn_server, external_requests, screenshot
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(gunicorn_server + "/sparql", wait_until="networkidle")
    page.wait_for_selector(".yasgui .CodeMirror", state="visible", timeout=15_000)

    # an aggregate: a bar chart is offered and drawn, a pie chart on request
    set_query(
        page,
        "PREFIX sg: <https://w3id.org/sgkg/ontology/>\n"
        "SELECT ?kind (COUNT(?a) AS ?assertions) WHERE { ?a sg:kind ?kind }\n"
        "GROUP BY ?kind ORDER BY DESC(?assertions)\n",
    )
    run_query(page)
    page.wait_for_selector("#sgkg-chart[data-chart=bar]", timeout=15_000)
    assert page.evaluate("() => window.sgkgCharts.get().config.type") == "bar"
    assert "Bar chart of assertions by kind" in page.inner_text("#sgkg-chart-caption")
    page.select_option("#sgkg-chart-type", "pie")
    page.wait_for_selector("#sgkg-chart[data-chart=pie]")
    assert page.evaluate("() => window.sgkgCharts.get().data.labels.length") >= 3
    page.locator("#sgkg-chart").scroll_into_view_if_needed()
    screenshot(page, "research-chart", full_page=False)

    # results with dates (signatures, issue dates, start years): a timeline
    set_query(
        page,
        "PREFIX sg: <https://w3id.org/sgkg/ontology/>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?thing ?date WHERE { ?thing sg:signedOn|dcterms:issued|sg:startYear ?date }\n",
    )
    run_query(page)
    page.wait_for_selector("#sgkg-chart[data-chart=timeline]", timeout=15_000)
    assert page.evaluate("() => window.sgkgCharts.get().data.datasets[0].data.length") >= 2
    assert "Timeline of" in page.inner_text("#sgkg-chart-caption")
    page.locator("#sgkg-chart").scroll_into_view_if_needed()
    screenshot(page, "research-timeline", full_page=False)

    # completion comes from /api/complete: the class completer offers sg:Commitment
    page.evaluate(
        """() => {
        const yasqe = window.sgkgQueryUI.getTab().getYasqe();
        yasqe.setValue('PREFIX sg: <https://w3id.org/sgkg/ontology/>\\n' +
                       'SELECT * WHERE { ?x a sg:Commi');
        yasqe.focus();
        yasqe.getDoc().setCursor(yasqe.getDoc().lastLine(), 1000);
    }"""
    )
    with page.expect_response(lambda r: "/api/complete" in r.url) as completion:
        page.keyboard.type("t")
        page.keyboard.press("Control+Space")
    assert any(item["curie"] == "sg:Commitment" for item in completion.value.json())
    page.wait_for_selector(".CodeMirror-hints li", timeout=5_000)
    assert "sg:Commitment" in page.inner_text(".CodeMirror-hints")
    page.keyboard.press("Escape")

    # share link round trip: the button stores the query, the link opens it again
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 7 # shared by the browser test"
    set_query(page, query)
    page.click("#sgkg-share")
    page.wait_for_selector("#sgkg-share-out:not([hidden])")
    link = page.input_value("#sgkg-share-url")
    assert "/s/" in link
    page.locator("#sgkg-share-out").scroll_into_view_if_needed()
    screenshot(page, "research-share", full_page=False)
    page.goto(link, wait_until="networkidle")
    assert "/sparql?share=" in page.url
    page.wait_for_selector(".yasgui .CodeMirror", state="visible", timeout=15_000)
    assert editor_text(page).strip() == query
    screenshot(page, "research-share-opened", full_page=False)
    assert external_requests == []
    assert errors == []
