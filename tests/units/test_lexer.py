"""Direct unit tests of the SPARQL lexer (``kg.lexer``): what is a string, an IRI, a comment,
a variable or a word decides where the SERVICE allow-list, the nesting limit and the
query/update split look, so each case is a real query text and the tokens it must give."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.lexer import code_tokens, first_keyword, tokens


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in code_tokens(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT ?s", [("word", "SELECT"), ("var", "?s")]),
        ("$x", [("var", "$x")]),
        ("<http://ex.org/a#b>", [("iri", "<http://ex.org/a#b>")]),  # '#' inside an IRI
        ("sg:State :local", [("word", "sg:State"), ("word", ":local")]),
        ('"a } # b"', [("string", '"a } # b"')]),
        ("'it\\'s'", [("string", "'it\\'s'")]),
        ('"""one "quoted" }\nline"""', [("string", '"""one "quoted" }\nline"""')]),
        ("'''it's { '''", [("string", "'''it's { '''")]),
        ("# SERVICE <x> {\n?s", [("var", "?s")]),  # a comment is dropped whole
        (
            "FILTER(?x < 3 && ?y > 2)",
            [("word", "FILTER"), ("punct", "("), ("var", "?x"), ("punct", "<"), ("word", "3")]
            + [("punct", "&"), ("punct", "&"), ("var", "?y"), ("punct", ">"), ("word", "2")]
            + [("punct", ")")],
        ),
        ("{}", [("punct", "{"), ("punct", "}")]),
    ],
)
def test_tokens(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


def test_braces_are_counted_outside_strings_iris_and_comments_only() -> None:
    text = 'SELECT * { ?s <urn:x#y> "}}}" . # {{{\n ?s ?p """{""" }'
    braces = [t.text for t in code_tokens(text) if t.text in "{}" and t.kind == "punct"]
    assert braces == ["{", "}"]


def test_an_unterminated_string_swallows_nothing() -> None:
    toks = code_tokens('SELECT * { ?s ?p "open . SERVICE <http://x/> { } }')
    assert ("punct", '"') in [(t.kind, t.text) for t in toks]
    assert "SERVICE" in [t.text for t in toks if t.kind == "word"]  # still seen as a keyword
    assert [t.text for t in toks if t.kind == "iri"] == ["<http://x/>"]


def test_offsets_point_into_the_text() -> None:
    text = 'PREFIX a: <http://a/>\nSELECT ?v { ?v a:p "x" }'
    for tok in tokens(text):
        assert text[tok.start : tok.end] == tok.text


@given(st.text(alphabet=st.sampled_from(list("SELCT ?x<>{}\"'#\n\\:.a_1é$")), max_size=60))
def test_tokens_are_lossless_for_any_text(text: str) -> None:
    toks = list(tokens(text))
    assert "".join(t.text for t in toks) == text
    assert all(a.end == b.start for a, b in zip(toks, toks[1:], strict=False))


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("select * {}", "SELECT"),
        ("PREFIX : <http://a/> PREFIX b: <http://b/> DESCRIBE <x>", "DESCRIBE"),
        ("# ASK\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("BASE <http://a/> PREFIX p: <q> INSERT DATA { <a> <b> <c> }", "INSERT"),
        ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ('define sql:signal-void-variables 1 SELECT "DROP"', "SELECT"),
        ("", ""),
        ("PREFIX", ""),
    ],
)
def test_first_keyword_after_the_prologue(text: str, keyword: str) -> None:
    assert first_keyword(text) == keyword
