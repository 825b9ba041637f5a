"""The query UI in a real browser: offline YASGUI, examples load into the editor, results show.

Chromium (Debian's) drives a real HTTP server in front of a real embedded store. Every
request to a host other than 127.0.0.1 is aborted and recorded: the page must make none,
not at start-up, not while typing (no prefix.cc, no LOV look-ups), not while querying.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import EmbeddedStore

SG = "https://w3id.org/sgkg/"
DATA = f"""
@prefix sg: <{SG}ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix country: <{SG}id/country/> .
@prefix bloc: <{SG}id/bloc/> .
country:ukraine a sg:State ; rdfs:label "Ukraine"@en , "Україна"@uk .
country:france a sg:State ; rdfs:label "France"@en .
country:united-kingdom a sg:State ; rdfs:label "United Kingdom"@en .
country:germany a sg:State ; rdfs:label "Germany"@en .
country:russia a sg:State ; rdfs:label "Russia"@en .
bloc:coalition-of-the-willing a sg:Coalition ; rdfs:label "Coalition of the willing"@en ;
    sg:hasMember country:france , country:united-kingdom , country:germany .
"""
EXAMPLES = {
    "01-states.rq": (
        "# title: Which states does the graph know?\n"
        "# description: Every state with its English label, alphabetically.\n"
        "PREFIX sg: <https://w3id.org/sgkg/ontology/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
        "SELECT ?state ?label WHERE {\n"
        "  ?state a sg:State ; rdfs:label ?label .\n"
        '  FILTER(lang(?label) = "en")\n'
        "}\n"
        "ORDER BY ?label\n"
    ),
    "02-coalition.rq": (
        "# title: Who belongs to the coalition of the willing?\n"
        "# description: The members the source names, with their labels.\n"
        "PREFIX sg: <https://w3id.org/sgkg/ontology/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
        "SELECT ?member ?name WHERE {\n"
        "  ?coalition a sg:Coalition ; sg:hasMember ?member .\n"
        "  ?member rdfs:label ?name .\n"
        '  FILTER(lang(?name) = "en")\n'
        "}\n"
        "ORDER BY ?name\n"
    ),
    "03-graphs.rq": (
        "# title: How many statements does each named graph hold?\n"
        "# description: Triples per named graph; the default graph is their union.\n"
        "SELECT ?graph (COUNT(*) AS ?triples) WHERE {\n"
        "  GRAPH ?graph { ?s ?p ?o }\n"
        "}\n"
        "GROUP BY ?graph\n"
        "ORDER BY DESC(?triples)\n"
    ),
}


@pytest.fixture()
def ui_url(tmp_path: Path, live_server) -> str:  # type: ignore[no-untyped-def]
    from server import create_app

    store = EmbeddedStore(tmp_path / "store")
    graph = ox.NamedNode(f"{SG}graph/entities")
    with store.writer() as ox_store:
        for triple in ox.parse(io.BytesIO(DATA.encode()), format=ox.RdfFormat.TURTLE):
            ox_store.add(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    examples = tmp_path / "queries"
    examples.mkdir()
    for name, text in EXAMPLES.items():
        (examples / name).write_text(text, encoding="utf-8")
    app = create_app({"STORE": str(store.root), "QUERY_EXAMPLES_DIR": str(examples)})
    return live_server(app)


def editor_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("() => window.sgkgQueryUI.getTab().getQuery()")


def test_query_ui_offline_examples_and_results(  # type: ignore[no-untyped-def]
    page, ui_url, external_requests, screenshot
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{ui_url}/sparql", wait_until="networkidle")

    # YASGUI is up and has replaced the plain form
    page.wait_for_selector(".yasgui .CodeMirror", state="visible", timeout=15_000)
    assert not page.is_visible("#plain-query")
    assert "?state a sg:State" in editor_text(page)  # the first example is preloaded
    assert page.locator("a.example").count() == 3

    # typing where YASQE would look up classes and properties (on lov.linkeddata.es by
    # default) reaches no other host
    page.evaluate(
        """() => {
        const yasqe = window.sgkgQueryUI.getTab().getYasqe();
        yasqe.setValue('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\\n' +
                       'SELECT * WHERE { ?x a rdfs:Cl');
        yasqe.focus();
        yasqe.getDoc().setCursor(yasqe.getDoc().lastLine(), 1000);
    }"""
    )
    page.keyboard.type("a")
    page.keyboard.press("Control+Space")
    page.keyboard.type(" ; rdfs:lab")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(1000)
    assert external_requests == []

    # a click on an example loads it into the editor
    page.click("a.example[data-slug='02-coalition']")
    assert editor_text(page).strip() == EXAMPLES["02-coalition.rq"].split("\n", 2)[2].strip()
    assert page.get_attribute("a.example[data-slug='02-coalition']", "aria-current") == "true"
    assert page.url.endswith("/sparql")  # the link did not navigate

    # running it shows the results in the table
    page.click(".yasqe .yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr", timeout=15_000)
    table = page.inner_text(".yasr table tbody")
    for name in ("France", "Germany", "United Kingdom"):
        assert name in table
    assert "Russia" not in table
    assert page.locator(".yasr table tbody tr").count() == 3

    # result IRIs under the base link to this server's pages, not to w3id.org
    first_link = page.locator(".yasr table tbody a").first
    first_link.hover()
    assert first_link.get_attribute("href") == f"{ui_url}/id/country/france"
    assert first_link.inner_text().strip("<>") == f"{SG}id/country/france"

    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    path = screenshot(page, "query-ui")
    assert path.stat().st_size > 10_000
    assert external_requests == []
    assert errors == []


def test_keyboard_focus_is_visible(page, ui_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{ui_url}/sparql", wait_until="networkidle")
    page.wait_for_selector(".yasgui .CodeMirror", state="visible", timeout=15_000)
    page.focus("a.example[data-slug='01-states']")
    outline = page.eval_on_selector(
        "a.example[data-slug='01-states']",
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth",
    )
    style, width = outline.split()
    assert style != "none" and float(width.removesuffix("px")) >= 2
    # Enter on a focused example loads it too (a link, so the keyboard works)
    page.focus("a.example[data-slug='03-graphs']")
    page.keyboard.press("Enter")
    assert "GRAPH ?graph" in editor_text(page)
