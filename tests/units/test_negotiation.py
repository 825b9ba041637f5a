"""Direct unit tests of content negotiation (``server.negotiation.negotiate``): the one rule
of docs/linked-data.md, as a table of ``Accept`` headers and what each route family answers."""

from __future__ import annotations

import pytest

from server.negotiation import (
    GRAPH_FORMATS,
    HTML,
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDFXML,
    RESOURCE_FORMATS,
    RESULT_FORMATS,
    RESULTS_CSV,
    RESULTS_JSON,
    RESULTS_XML,
    TRIG,
    TURTLE,
    NotAcceptable,
    negotiate,
    prefers_html,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
#: what an entity page, an ontology term, /void… offer: HTML first, then RDF
PAGE = RESOURCE_FORMATS
#: what a nanopublication offers
NANOPUB = (HTML, TRIG, NQUADS)


@pytest.mark.parametrize(
    ("accept", "offered", "expected"),
    [
        # no Accept, an empty or unparsable one, only wildcards → the canonical RDF
        (None, PAGE, TURTLE),
        ("", PAGE, TURTLE),
        ("   ", PAGE, TURTLE),
        ("*/*", PAGE, TURTLE),
        ("*", PAGE, TURTLE),
        ("*/*;q=0.5", PAGE, TURTLE),
        ("not a media type;;;", PAGE, TURTLE),
        (None, NANOPUB, TRIG),
        ("*/*", NANOPUB, TRIG),
        # HTML only when named; browsers name it first
        (BROWSER, PAGE, HTML),
        (CHROME, PAGE, HTML),
        ("text/html", PAGE, HTML),
        ("application/xhtml+xml", PAGE, HTML),
        (BROWSER, NANOPUB, HTML),
        ("text/html, text/turtle", PAGE, HTML),  # named as high as RDF: HTML wins the tie
        ("text/turtle, text/html", PAGE, HTML),
        ("text/*", PAGE, TURTLE),  # a wildcard never selects HTML
        ("text/*, text/html;q=0.5", PAGE, TURTLE),
        ("text/html;q=0.5, text/turtle;q=0.9, */*;q=0.1", PAGE, TURTLE),
        ("text/html;q=0.5, */*", PAGE, TURTLE),
        ("text/html;q=0.9, */*;q=0.8", PAGE, HTML),
        # RDF types by name, aliases, q-values and specificity
        ("application/ld+json", PAGE, JSONLD),
        ("application/rdf+xml", PAGE, RDFXML),
        ("application/n-triples", PAGE, NTRIPLES),
        ("text/plain", PAGE, NTRIPLES),  # N-Triples' registered alias
        ("application/n-quads", NANOPUB, NQUADS),
        ("application/*", PAGE, NTRIPLES),  # the first application/ type offered
        ("application/*", GRAPH_FORMATS, NTRIPLES),
        ("text/turtle;q=0.5, application/ld+json", PAGE, JSONLD),
        ("application/ld+json;q=0, */*", PAGE, TURTLE),  # q=0 is "not this one"
        ("text/turtle;q=0, */*;q=0.5", GRAPH_FORMATS, NTRIPLES),
        ("application/trig;q=0.2, text/turtle;q=0.1", GRAPH_FORMATS, TRIG),
        ("TEXT/TURTLE", PAGE, TURTLE),  # media types are case-insensitive
        # SPARQL results
        (None, RESULT_FORMATS, RESULTS_JSON),
        ("*/*", RESULT_FORMATS, RESULTS_JSON),
        ("application/sparql-results+xml", RESULT_FORMATS, RESULTS_XML),
        ("application/xml", RESULT_FORMATS, RESULTS_XML),
        ("application/json", RESULT_FORMATS, RESULTS_JSON),
        ("text/csv;q=0.9, application/sparql-results+json;q=0.5", RESULT_FORMATS, RESULTS_CSV),
    ],
)
def test_the_rule(accept: str | None, offered, expected) -> None:  # type: ignore[no-untyped-def]
    assert negotiate(accept, offered) is expected


@pytest.mark.parametrize(
    ("accept", "offered"),
    [
        ("image/png", PAGE),
        ("*/*;q=0", PAGE),
        ("text/html", GRAPH_FORMATS),  # HTML not offered: named, but nothing fits
        ("application/json;q=0, text/turtle;q=0", (JSONLD, TURTLE)),
        ("text/turtle", RESULT_FORMATS),
    ],
)
def test_nothing_acceptable_is_406_naming_what_is_offered(accept: str, offered) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAcceptable) as caught:
        negotiate(accept, offered)
    assert caught.value.code == 406
    assert caught.value.supported == [f.media_type for f in offered]
    for fmt in offered:
        assert fmt.media_type in str(caught.value.description)


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("ttl", TURTLE),
        ("turtle", TURTLE),
        ("nt", NTRIPLES),
        ("text/turtle", TURTLE),
        ("html", HTML),
        ("jsonld", JSONLD),
        ("trig", TRIG),
    ],
)
def test_format_parameter_overrides_accept(param: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert negotiate(BROWSER, PAGE, format_param=param) is expected
    assert negotiate("image/png", PAGE, format_param=param) is expected


def test_an_unknown_format_parameter_is_406() -> None:
    with pytest.raises(NotAcceptable):
        negotiate(None, PAGE, format_param="docx")
    with pytest.raises(NotAcceptable):
        negotiate(None, GRAPH_FORMATS, format_param="html")  # not offered there


def test_prefers_html_follows_the_same_rule() -> None:
    assert prefers_html(BROWSER) and prefers_html(CHROME) and prefers_html("text/html")
    for accept in (None, "", "*/*", "text/*", "text/turtle, text/html;q=0.5", "image/png"):
        assert not prefers_html(accept), accept
