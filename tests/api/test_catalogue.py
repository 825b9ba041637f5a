"""The ``# param:`` header of the example questions (server/api/catalogue.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.api.catalogue import BadParameter, CatalogueError, load, load_all
from server.sparql.ui import examples_dir  # noqa: F401  (the module the API builds on)

QUERY = """# title: Commitments of an actor
# description: Typed parameters of every kind.
# param: actor iri country:france  The guarantor.
# param: word string "kept"  A word.
# param: size integer 10  How many.
# param: since date "2024-01-01"  From when.
PREFIX country: <https://w3id.org/sgkg/id/country/>
PREFIX sg: <https://w3id.org/sgkg/ontology/>
SELECT * WHERE {
  ?c sg:guarantor country:france ; sg:note ?n .   # country:france in a comment stays
  FILTER(CONTAINS(?n, "kept") && ?n != "country:france")
  FILTER(?d >= "2024-01-01")
}
LIMIT 10
"""


def write(tmp_path: Path, text: str, name: str = "01-q.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parameters_are_read_and_substituted_as_tokens(tmp_path: Path) -> None:
    query = load(write(tmp_path, QUERY))
    assert [(p.name, p.type) for p in query.params] == [
        ("actor", "iri"),
        ("word", "string"),
        ("size", "integer"),
        ("since", "date"),
    ]
    assert query.example.title == "Commitments of an actor"
    assert "# param" not in query.example.query
    text = query.render({"actor": "country:ukraine", "word": 'say "hi"', "size": "3"})
    assert "?c sg:guarantor <https://w3id.org/sgkg/id/country/ukraine>" in text
    assert "# country:france in a comment stays" in text
    assert '?n != "country:france"' in text  # not inside strings
    assert 'CONTAINS(?n, "say \\"hi\\"")' in text
    assert "LIMIT 3" in text
    assert query.render({}) == query.example.query
    dated = query.render({"since": "2025-02-03"})
    assert '"2025-02-03"^^<http://www.w3.org/2001/XMLSchema#date>' in dated


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("actor", "not an iri"),
        ("actor", "nope:thing"),
        ("actor", "https://x/a b"),
        ("actor", "<https://x/>} DROP ALL {"),
        ("size", "ten"),
        ("since", "yesterday"),
    ],
)
def test_bad_values_are_400_naming_the_parameter(tmp_path: Path, name: str, value: str) -> None:
    query = load(write(tmp_path, QUERY))
    with pytest.raises(BadParameter, match=name):
        query.render({name: value})


def test_header_mistakes_are_reported(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="type"):
        load(write(tmp_path, "# param: x colour red\nSELECT * WHERE { ?s ?p red: }\n"))
    with pytest.raises(CatalogueError, match="does not occur"):
        load(write(tmp_path, "# param: x iri sg:Gone\nSELECT * WHERE { ?s ?p ?o }\n"))
    with pytest.raises(CatalogueError, match="reserved"):
        load(write(tmp_path, "# param: limit integer 5\nSELECT * WHERE { ?s ?p ?o } LIMIT 5\n"))


def test_every_shipped_header_parses() -> None:
    from kg.paths import data_dir

    found = load_all(data_dir() / "queries")
    assert len(found) >= 20
    assert any(q.params for q in found.values())
