"""The example questions (kg/data/queries/*.rq) run against the curated graph and give the
answers recorded in kg/data/queries/expected.json, so the query UI's examples cannot rot.

The store is a real in-memory pyoxigraph store loaded with ``compile_dataset()``; the
SPARQL default graph is the union of the named graphs, as on the endpoint.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import paths
from kg.rdfio import from_rdflib
from kg.sources import compile_dataset

QUERIES = paths.data_dir() / "queries"
EXPECTED: dict = json.loads((QUERIES / "expected.json").read_text(encoding="utf-8"))
# One file per newer question (expected/<query stem>.json), so that curators add questions
# without editing a shared file.
for _path in sorted((QUERIES / "expected").glob("*.json")):
    EXPECTED[_path.stem] = json.loads(_path.read_text(encoding="utf-8"))
PREFIXES: dict[str, str] = EXPECTED["@prefixes"]


@pytest.fixture(scope="module")
def memory_store() -> ox.Store:
    store = ox.Store()
    store.extend(list(from_rdflib(compile_dataset())))
    return store


def compact(term: ox.Term | None) -> str | None:
    """IRIs as prefix:local (by the expected file's prefixes), literals as their lexical form."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in PREFIXES.items():
            if term.value.startswith(namespace):
                return f"{prefix}:{term.value[len(namespace) :]}"
        return term.value
    return term.value


def run(store: ox.Store, path: Path):
    return store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)


def rows_of(result: ox.QuerySolutions) -> list[dict[str, str | None]]:
    names = [v.value for v in result.variables]
    return [{n: compact(row[n]) for n in names} for row in result]


def frozen(row: dict) -> tuple:
    return tuple(sorted(row.items()))


def query_files() -> list[Path]:
    return sorted(QUERIES.glob("*.rq"))


def test_every_query_has_a_title_description_and_expected_answer() -> None:
    files = query_files()
    assert len(files) >= 16
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert re.search(r"^# title: \S", text, re.M), path.name
        assert re.search(r"^# description: \S", text, re.M), path.name
        assert path.stem in EXPECTED, f"{path.name} has no expected answer"
    assert set(EXPECTED) - {"@prefixes"} == {p.stem for p in files}


@pytest.mark.parametrize("path", query_files(), ids=lambda p: p.stem)
def test_example_gives_the_expected_answer(memory_store: ox.Store, path: Path) -> None:
    expected = EXPECTED[path.stem]
    if "SERVICE" in path.read_text(encoding="utf-8"):
        # federated examples never call out from the unit tests: they run against a local
        # Wikidata stand-in in tests/linking/test_federation_out.py
        assert expected.get("federated") is True
        return
    result = run(memory_store, path)
    if "triples" in expected:
        spec = expected["triples"]
        triples = {(compact(t.subject), compact(t.predicate), compact(t.object)) for t in result}
        assert len(triples) == spec["count"]
        for triple in spec.get("includes", []):
            assert tuple(triple) in triples, triple
        for triple in spec.get("excludes", []):
            assert tuple(triple) not in triples, triple
        return
    rows = rows_of(result)
    if "rows" in expected:
        if expected.get("ordered"):
            assert rows == expected["rows"]
        else:
            assert Counter(map(frozen, rows)) == Counter(map(frozen, expected["rows"]))
    if "count" in expected:
        assert len(rows) == expected["count"]
    for row in expected.get("includes", []):
        assert any(all(r.get(k) == v for k, v in row.items()) for r in rows), row
    for row in expected.get("excludes", []):
        assert not any(all(r.get(k) == v for k, v in row.items()) for r in rows), row
