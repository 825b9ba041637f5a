"""Issue 8.4: pages never present an opinion as a description.

An entity's lede and its schema.org ``description`` come only from ``skos:definition`` in the
entities or ontology graph (or there is none); whatever an assertion says — its content, its
paraphrase, its quote — appears only with its kind badge (statements, JSON-LD ``schema:Claim``
with genre and author, diagrams, popups).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.pages.pages_fixture import BASE, TEXT, build_store

KIND_WORDS = {
    "Reported fact",
    "Author assessment",
    "Prediction",
    "Conditional",
    "Recommendation",
    "Rhetorical question",
    "Obligation",
    "Policy or intent",
    "Permission",
    "Recital",
    "Affirmation",
}
OPINION = (
    "Russia’s reliance on China and its circle of sympathetic states reveals a world "
    "increasingly split into rival blocs."
)
#: the graph as it used to be: the opinion as a comment on Russia inside an assertion graph,
#: and as the assertion's paraphrase; Canada has a neutral definition
REGRESSION = f"""
<{BASE}graph/assertion/usg-009> {{
  <{BASE}id/country/russia> <http://www.w3.org/2000/01/rdf-schema#comment> "{OPINION}"@en .
}}
<{BASE}graph/assertion/usg-009/provenance> {{
  <{BASE}graph/assertion/usg-009> a <{BASE}ontology/Assertion> ;
      <{BASE}ontology/kind> <{BASE}ontology/AuthorAssessment> ;
      <{BASE}ontology/paraphrase> "{OPINION}"@en ;
      <http://www.w3.org/ns/prov#wasAttributedTo> <{BASE}id/person/the-author> ;
      <{BASE}ontology/about> <{BASE}id/country/russia> ;
      <http://www.w3.org/ns/prov#wasQuotedFrom> [
          <http://www.w3.org/ns/oa#hasSource> <{BASE}id/document/ukraine-security-guarantees> ;
          <http://www.w3.org/ns/oa#hasSelector> [ <http://www.w3.org/ns/oa#exact> "{OPINION}" ] ,
              [ <http://www.w3.org/ns/oa#start> {TEXT.index(OPINION)} ;
                <http://www.w3.org/ns/oa#end> {TEXT.index(OPINION) + len(OPINION)} ] ] .
}}
<{BASE}graph/entities> {{
  <{BASE}id/country/canada> <http://www.w3.org/2004/02/skos/core#definition>
      "A state of North America <b>&</b> a member of NATO."@en .
  <{BASE}id/country/russia> <http://www.w3.org/2004/02/skos/core#definition>
      "Une définition en français."@fr .
}}
"""


def jsonld(page: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(block)


def lede(page: str) -> str:
    found = re.search(r'<p class="lede"[^>]*>(.*?)</p>', page, re.S)
    return htmllib.unescape(found.group(1)) if found else ""


@pytest.fixture(scope="module")
def regression_client(tmp_path_factory: pytest.TempPathFactory):
    from server import create_app

    path = build_store(tmp_path_factory.mktemp("opinion") / "store", extra=REGRESSION)
    return create_app({"STORE": str(path), "TESTING": True}).test_client()


def test_russia_does_not_open_with_an_opinion(regression_client) -> None:
    page = regression_client.get(
        "/id/country/russia", headers={"Accept": "text/html", "Accept-Language": "en"}
    ).text
    data = jsonld(page)
    assert "rival blocs" not in lede(page)
    # no English definition: the French one, marked as French, never the opinion
    assert data["description"] == "Une définition en français."
    assert '<p class="lede" lang="fr">Une définition en français.</p>' in page
    # the opinion is still on the page, as a statement with its kind badge, in its section
    section = page[page.index('id="h-sources"') :]
    item = re.search(r"<li>(?:(?!</li>).)*rival blocs.*?</li>", section, re.S)
    assert item is not None
    assert 'class="badge k-assessment"' in item.group(0)
    assert "Author assessment" in item.group(0)
    # and in the JSON-LD as a claim with its kind and author, never as a description
    claims = {c["@id"]: c for c in data["subjectOf"]}
    claim = claims[f"{BASE}graph/assertion/usg-009"]
    assert claim["@type"] == "Claim"
    assert claim["genre"] == "Author assessment"
    assert claim["additionalType"] == f"{BASE}ontology/AuthorAssessment"
    assert claim["author"] == [{"@id": f"{BASE}id/person/the-author", "name": "the author"}]


def test_a_definition_is_the_lede_and_the_description(regression_client) -> None:
    page = regression_client.get("/id/country/canada", headers={"Accept": "text/html"}).text
    definition = "A state of North America <b>&</b> a member of NATO."
    assert lede(page) == definition
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page  # escaped in HTML
    assert "<b>&</b>" not in page.split("<script", 1)[0]
    assert jsonld(page)["description"] == definition
    # a definition in the reader's language wins
    fr = regression_client.get(
        "/id/country/russia", headers={"Accept": "text/html", "Accept-Language": "fr"}
    ).text
    assert lede(fr) == "Une définition en français."
    assert jsonld(fr)["description"] == "Une définition en français."


def test_badges_with_every_claim_in_the_json_ld(regression_client) -> None:
    data = jsonld(regression_client.get("/id/country/france", headers={"Accept": "text/html"}).text)
    assert "description" not in data
    assert data["subjectOf"], "France is the subject of claims in the fixture"
    for claim in data["subjectOf"]:
        assert claim["@type"] == "Claim"
        assert claim["genre"] in KIND_WORDS
        assert claim["text"]
        assert claim["url"].startswith("http://localhost/source/ukraine-security-guarantees#")


def test_diagram_nodes_carry_the_kind_of_their_assertions(regression_client) -> None:
    page = regression_client.get(
        "/id/guarantee/postwar-guarantees", headers={"Accept": "text/html"}
    ).text
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert (
        "<title>led by: France</title><desc>Stated by: reported fact, author assessment</desc>"
        in svg
    )
    assert 'class="kind-icon k-fact"' in svg and 'class="kind-icon k-assessment"' in svg


# --- every entity page of the built graph ----------------------------------------------------


@pytest.fixture(scope="module")
def built(store_dir: Path):
    from kg.store import EmbeddedStore
    from server import create_app

    app = create_app({"STORE": str(store_dir), "TESTING": True})
    return EmbeddedStore(store_dir).reader(), app.test_client()


#: the quote selectors: a neutral definition may use the source's own words for a thing
QUOTE = {f"http://www.w3.org/ns/oa#{name}" for name in ("exact", "prefix", "suffix")}


def _assertion_texts(reader) -> set[str]:
    """Every statement an assertion or its provenance makes in words (its content's
    literals, its paraphrase, any comment), but not its quote."""
    texts = set()
    prefixes = (f"{BASE}graph/assertion/", f"{BASE}np/")  # before and after minting
    for quad in reader.quads_for_pattern(None, None, None, None):
        graph = quad.graph_name
        if not (isinstance(graph, ox.NamedNode) and graph.value.startswith(prefixes)):
            continue
        if quad.predicate.value in QUOTE:
            continue
        obj = quad.object
        if isinstance(obj, ox.Literal) and len(obj.value) >= 12 and " " in obj.value.strip():
            texts.add(obj.value)
    return texts


def test_no_entity_page_describes_with_what_an_assertion_says(built) -> None:
    reader, client = built
    texts = _assertion_texts(reader)
    assert len(texts) > 50
    entities_graph = ox.NamedNode(f"{BASE}graph/entities")
    subjects = sorted(
        {
            q.subject.value
            for q in reader.quads_for_pattern(None, None, None, entities_graph)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(BASE)
        }
    )
    assert len(subjects) > 40
    checked = 0
    for iri in subjects:
        response = client.get(iri.removeprefix(BASE[:-1]), headers={"Accept": "text/html"})
        assert response.status_code == 200, iri
        page = response.get_data(as_text=True)
        shown = [lede(page), jsonld(page).get("description", "")]
        for text in texts:
            for where in shown:
                assert text not in where, f"{iri} is described with an assertion: {text!r}"
        definitions = [
            q.object.value
            for q in reader.quads_for_pattern(
                ox.NamedNode(iri),
                ox.NamedNode("http://www.w3.org/2004/02/skos/core#definition"),
                None,
                entities_graph,
            )
        ]
        if shown[0]:
            assert shown[0] in definitions, iri
        checked += 1
    assert checked == len(subjects)


def test_every_kind_has_a_distinct_accessible_badge() -> None:
    from kg.paths import ontology_files
    from server.describe.kinds import KIND_LIST
    from server.diagram import ICONS

    css = (Path(__file__).resolve().parents[2] / "server/static/site.css").read_text("utf-8")
    ontology = "".join(p.read_text("utf-8") for p in ontology_files())
    kinds_in_ontology = set(re.findall(r"^sg:(\w+) a sg:AssertionKind", ontology, re.M))
    assert {k.name for k in KIND_LIST} == kinds_in_ontology  # every kind of the ontology
    assert len({k.css for k in KIND_LIST}) == len({k.words for k in KIND_LIST}) == len(KIND_LIST)
    colours, shapes = set(), set()
    for kind in KIND_LIST:
        colour = re.search(rf"--{kind.css}: (#[0-9a-f]{{6}});", css)
        assert colour, kind.css
        colours.add(colour.group(1))
        assert f".k-{kind.css} {{" in css and f"mark.hl.k-{kind.css} " in css
        shape = re.search(rf"\.badge\.k-{kind.css} \.badge-icon \{{([^}}]+)\}}", css)
        assert shape or kind.css == "fact", kind.css  # fact keeps the default square
        shapes.add(shape.group(1) if shape else "square")
        assert kind.css in ICONS
    assert len(colours) == len(shapes) == len(KIND_LIST)
    assert len(set(ICONS.values())) == len(ICONS)
