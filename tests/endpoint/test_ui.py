"""The query UI page and the example catalogue (HTML without JavaScript, and JSON).

The catalogue directory is configurable (QUERY_EXAMPLES_DIR); these tests use their own
``.rq`` files, and check the project's real catalogue (kg/data/queries) when it exists.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib.plugins.sparql.parser import parseQuery

from kg import paths
from kg.store import EmbeddedStore
from tests.endpoint.test_update import EX, seed

EXAMPLES = {
    "01-labels.rq": (
        "# title: Which places have a label?\n"
        "# description: Every labelled place in the test graph,\n"
        "#   with its label.\n"
        f"SELECT ?place ?label WHERE {{ ?place <{EX}label> ?label }}\n"
    ),
    "02-count.rq": (
        "# title: How many triples are there?\n"
        "# description: Counts the statements in all named graphs.\n"
        "\n"
        "# a comment that belongs to the query\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n"
    ),
    "03-untitled-thing.rq": "ASK { ?s ?p ?o }\n",
}
PREFIXES = ("sg", "prov", "oa", "np", "owl", "rdfs", "skos", "wd", "wdt", "schema", "dcterms")


@pytest.fixture()
def examples_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "queries"
    directory.mkdir()
    for name, text in EXAMPLES.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture()
def ui_app(tmp_path: Path, examples_dir: Path):  # type: ignore[no-untyped-def]
    from server import create_app

    store: EmbeddedStore = seed(tmp_path / "store")
    return create_app(
        {"STORE": str(store.root), "TESTING": True, "QUERY_EXAMPLES_DIR": str(examples_dir)}
    )


@pytest.fixture()
def ui(ui_app):  # type: ignore[no-untyped-def]
    return ui_app.test_client()


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Page(HTMLParser):
    """Just enough of the page's structure: tags with attributes, labels, headings."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.label_for: set[str] = set()
        self.headings: list[str] = []
        self._heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = ""

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append(self._heading.strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading += data


def get_page(ui) -> tuple[str, Page]:  # type: ignore[no-untyped-def]
    response = ui.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    page = Page()
    page.feed(html)
    return html, page


def test_page_lists_the_catalogue_endpoint_and_prefixes(ui) -> None:  # type: ignore[no-untyped-def]
    html, page = get_page(ui)
    assert "Which places have a label?" in html
    assert "Every labelled place in the test graph, with its label." in html
    assert "How many triples are there?" in html
    assert "Untitled thing" in html  # no header: the title comes from the file name
    assert "http://localhost/sparql" in html
    for prefix in PREFIXES:
        assert f"<code>{prefix}:</code>" in html, prefix
    assert "https://w3id.org/sgkg/ontology/" in html


def test_every_asset_is_served_by_us(ui) -> None:  # type: ignore[no-untyped-def]
    _, page = get_page(ui)
    assets = [a.get("src") for t, a in page.tags if t == "script" and a.get("src")]
    assets += [a.get("href") for t, a in page.tags if t == "link" and a.get("href")]
    assert any(str(a).endswith("yasgui/yasgui.min.js") for a in assets)
    for asset in assets:
        assert not urlsplit(str(asset)).netloc, f"external asset {asset}"
        response = ui.get(str(asset))
        assert response.status_code == 200, asset
    assert ui.get("/static/yasgui/LICENSE").status_code == 200


def test_examples_link_to_runnable_queries_without_javascript(ui) -> None:  # type: ignore[no-untyped-def]
    _, page = get_page(ui)
    links = [a for t, a in page.tags if t == "a" and "example" in str(a.get("class", ""))]
    assert [a["data-slug"] for a in links] == ["01-labels", "02-count", "03-untitled-thing"]
    href = str(links[0]["href"])
    query = parse_qs(urlsplit(href).query)["query"][0]
    assert query.startswith("SELECT ?place ?label")
    answer = ui.get(href, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    rows = answer.get_json()["results"]["bindings"]
    assert [r["label"]["value"] for r in rows] == ["Kyiv"]


def test_plain_form_and_controls_are_labelled(ui) -> None:  # type: ignore[no-untyped-def]
    html, page = get_page(ui)
    forms = [a for t, a in page.tags if t == "form"]
    assert any(f.get("action") == "/sparql" and f.get("method") == "get" for f in forms)
    controls = [a for t, a in page.tags if t in ("textarea", "select", "input")]
    assert controls
    for control in controls:
        assert control.get("id") in page.label_for, control
    assert page.headings[0] == "Query the knowledge graph"
    assert {"Example questions", "Prefixes", "Query editor"} <= set(page.headings)
    assert "SELECT ?place ?label" in html  # the first example is preloaded


def test_examples_json(ui) -> None:  # type: ignore[no-untyped-def]
    response = ui.get("/sparql/examples")
    assert response.status_code == 200
    examples = response.get_json()
    assert [e["slug"] for e in examples] == ["01-labels", "02-count", "03-untitled-thing"]
    first, second = examples[0], examples[1]
    assert set(first) == {"slug", "title", "description", "query"}
    assert first["title"] == "Which places have a label?"
    assert first["description"] == "Every labelled place in the test graph, with its label."
    assert not first["query"].startswith("#")  # header lines are not part of the query
    assert second["query"].startswith("# a comment that belongs to the query")
    for example in examples:
        parseQuery(example["query"])


def test_no_catalogue_gives_a_default_query(tmp_path: Path) -> None:
    from server import create_app

    store = seed(tmp_path / "store")
    app = create_app(
        {"STORE": str(store.root), "TESTING": True, "QUERY_EXAMPLES_DIR": str(tmp_path / "none")}
    )
    client = app.test_client()
    html, _ = get_page(client)
    assert "No example questions are installed." in html
    assert "SELECT ?class" in html
    assert client.get("/sparql/examples").get_json() == []


def test_non_browsers_still_get_the_service_description(ui) -> None:  # type: ignore[no-untyped-def]
    response = ui.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"


def real_examples() -> list[Path]:
    return sorted((paths.data_dir() / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", real_examples(), ids=lambda p: p.stem)
def test_the_project_catalogue_is_well_formed(path: Path) -> None:
    from server.sparql.ui import parse_example

    example = parse_example(path)
    assert example.title and not example.title.startswith("#"), path
    assert example.description, f"{path}: no '# description:' header"
    parseQuery(example.query)
