"""Curated sources → the named graphs of the knowledge graph.

What is curated (``kg/data/``) and which graph it becomes:

- ``sources/<slug>/`` (one folder per document, see :mod:`kg.sources.source`):
  ``source.yaml`` + ``text.txt`` → the document in ``graph/sources``; ``claims.yaml`` → one
  nanopublication per claim (``graph/assertion/{prefix}-NNN`` and its ``/provenance``,
  ``/pubinfo`` and ``/head``); ``entities.ttl`` → ``graph/entities``;
- ``entities.ttl`` → ``graph/entities`` (entities shared by sources, and the curator);
- ``links/<name>.ttl`` → ``graph/links/<name>``.

Everything that follows from a rule (offsets, context, slugs, attribution by kind, the nanopub
graphs, the text's hash) is computed here, so it holds for every claim of every source. The
ontology and shapes are not included: the build adds them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg import paths
from kg.errors import NotFound, ValidationFailed
from kg.publish.mint import mint_curated
from kg.rdfio import QuadTerm, iter_quads, to_rdflib
from kg.sources import vocab
from kg.sources.claims import Claim, read_claims, resolve_relations
from kg.sources.nanopub import nanopub_quads
from kg.sources.source import (
    ENTITIES_FILE,
    TEXT_FILE,
    Source,
    document_quads,
    load_source,
    sha256_of,
    source_folders,
)
from kg.sources.text import Segmented, Sentence
from kg.sources.vocab import DEFAULT_BASE_IRI

__all__ = [
    "DEFAULT_BASE_IRI",
    "Compiled",
    "compile_dataset",
    "compile_quads",
    "compile_quads_under",
    "compile_sources",
    "segmented",
    "rebase_quads",
    "sha256_of",
    "source_text",
]


def sources_root() -> Path:
    return paths.sources_dir()


@dataclass
class Compiled:
    """One source, compiled: its claims and what the claims leave uncovered."""

    source: Source
    claims: list[Claim]
    uncovered: list[Sentence] = field(default_factory=list)

    @property
    def coverage_required(self) -> bool:
        return self.source.claims_doc.get("coverage", "required") != "partial"

    @property
    def covered_ratio(self) -> float:
        total = len(self.source.segmented.sentences)
        return 1.0 if total == 0 else (total - len(self.uncovered)) / total

    def quads(self, names: dict[str, str]) -> list[ox.Quad]:
        quads = list(document_quads(self.source))
        for claim in self.claims:
            quads.extend(nanopub_quads(claim, names))
        return quads


@lru_cache(maxsize=1)
def ontology_terms() -> frozenset[str]:
    """Every IRI in the ontology namespace that the ontology files define."""
    terms: set[str] = set()
    for path in paths.ontology_files():
        for q in iter_quads(path, base_iri=DEFAULT_BASE_IRI):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(vocab.SG):
                terms.add(q.subject.value)
    return frozenset(terms)


def compile_source(folder: Path, *, check_terms: bool = True) -> Compiled:
    """Read, locate and compile one source folder (raises on the first problem)."""
    source = load_source(folder)
    claims = read_claims(source, set(ontology_terms()) if check_terms else None)
    uncovered = source.segmented.uncovered((c.start, c.end) for c in claims)
    return Compiled(source, claims, uncovered)


def compile_sources(slugs: Iterable[str] | None = None, root: Path | None = None) -> list[Compiled]:
    """Every source folder under ``root`` (default ``kg/data/sources``), or the named ones."""
    root = root or sources_root()
    wanted = set(slugs) if slugs is not None else None
    folders = source_folders(root)
    if wanted is not None:
        unknown = wanted - {f.name for f in folders}
        if unknown:
            raise NotFound(f"no source folder {', '.join(sorted(unknown))} in {root}")
        folders = [f for f in folders if f.name in wanted]
    compiled = [compile_source(f) for f in folders]
    prefixes: dict[str, str] = {}
    for c in compiled:
        if c.source.prefix in prefixes:
            raise ValidationFailed(
                f"{c.source.folder}: assertion-prefix {c.source.prefix!r} is also used by "
                f"{prefixes[c.source.prefix]}"
            )
        prefixes[c.source.prefix] = c.source.slug
    return compiled


def require_coverage(compiled: Compiled) -> None:
    if not compiled.uncovered or not compiled.coverage_required:
        return
    text = compiled.source.folder / TEXT_FILE
    lines = [
        f"{text}:{s.line}:{s.column}: ¶{s.paragraph} s{s.sentence}: {s.text}"
        for s in compiled.uncovered
    ]
    raise ValidationFailed(
        f"{compiled.source.folder}: {len(lines)} body sentence(s) are quoted by no claim and "
        "marked as furniture by no line of claims.yaml",
        report="\n".join(lines),
    )


def source_text(slug: str) -> str:
    """The stored text of a source document (quotes' offsets index into this string)."""
    path = sources_root() / slug / TEXT_FILE
    if "/" in slug or not path.is_file():
        raise NotFound(f"no stored source text {slug!r} in {sources_root()}")
    return path.read_text(encoding="utf-8")


def _into(path: Path, graph: str) -> list[ox.Quad]:
    return list(iter_quads(path, base_iri=DEFAULT_BASE_IRI, to_graph=vocab.B + graph))


@dataclass
class _Drafts:
    """The curated quads before minting, under the canonical base: the sources' graphs with
    their draft nanopubs, and the entity and link graphs."""

    claims: list[ox.Quad]
    other: list[ox.Quad]


def _drafts(root: Path | None = None) -> _Drafts:
    # the shared entities and link sets live beside the folder of sources
    data = root.parent if root is not None else paths.data_dir()
    compiled = compile_sources(root=root)
    names: dict[str, str] = {}
    claims: list[ox.Quad] = []
    for c in compiled:
        require_coverage(c)
        names.update(resolve_relations(c.claims))
    for c in compiled:
        claims += c.quads(names)
    other: list[ox.Quad] = []
    entity_files = [data / "entities.ttl", *sorted((data / "entities").glob("*.ttl"))]
    entity_files += [c.source.folder / ENTITIES_FILE for c in compiled]
    for path in entity_files:
        if path.is_file():
            other += _into(path, vocab.ENTITIES_GRAPH)
    for path in sorted((data / "links").glob("*.ttl")):
        other += _into(path, vocab.LINKS_GRAPH_PREFIX + path.stem)
    return _Drafts(claims, other)


def _minted(drafts: _Drafts, base_iri: str) -> list[ox.Quad]:
    """The drafts moved under ``base_iri``, then signed there: drafts → signed nanopubs at
    ``{base}np/RA…`` (:mod:`kg.publish.mint`). A nanopub is never rebased once signed: its
    Trusty URI and signature cover its IRIs."""
    quads = mint_curated(rebase_quads(drafts.claims, base_iri), base_iri)
    return quads + rebase_quads(drafts.other, base_iri)


def _rebase(term: QuadTerm, base_iri: str) -> QuadTerm:
    if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE_IRI):
        return ox.NamedNode(base_iri + term.value[len(DEFAULT_BASE_IRI) :])
    return term


def rebase_quads(quads: list[ox.Quad], base_iri: str) -> list[ox.Quad]:
    """The quads with every IRI under the canonical base moved under ``base_iri``. Not for
    signed nanopubs (their Trusty URI and signature cover their IRIs: they would no longer
    pass ``check()``): :func:`compile_quads` signs them under ``base_iri`` instead."""
    if base_iri == DEFAULT_BASE_IRI:
        return quads
    return [
        ox.Quad(
            _rebase(q.subject, base_iri),
            _rebase(q.predicate, base_iri),
            _rebase(q.object, base_iri),
            _rebase(q.graph_name, base_iri),
        )
        for q in quads
    ]


def compile_quads(base_iri: str = DEFAULT_BASE_IRI, root: Path | None = None) -> list[ox.Quad]:
    """Every curated quad (sources, entities, links, nanopubs), with IRIs under
    ``base_iri`` and the nanopubs signed under it. Raises ParseError / QuoteMismatch /
    ValidationFailed."""
    return _minted(_drafts(root), base_iri)


def compile_quads_under(bases: Iterable[str], root: Path | None = None) -> dict[str, list[ox.Quad]]:
    """:func:`compile_quads` under several base IRIs, the sources compiled once (the build
    validates under the canonical base and loads under the configured one)."""
    drafts = _drafts(root)
    return {base: _minted(drafts, base) for base in dict.fromkeys(bases)}


def compile_dataset(base_iri: str = DEFAULT_BASE_IRI, root: Path | None = None) -> rdflib.Dataset:
    """The curated named graphs as an rdflib Dataset (no ontology/shapes: the build adds
    those). See :func:`compile_quads`."""
    return to_rdflib(compile_quads(base_iri, root))


def segmented(slug: str, root: Path | None = None) -> Segmented:
    """The body of a source's text (paragraphs, sentences, sections, furniture), as the
    source's claims file marks it — what a reader page shows."""
    folder = (root or sources_root()) / slug
    if "/" in slug or not (folder / "source.yaml").is_file():
        raise NotFound(f"no source {slug!r} in {root or sources_root()}")
    return load_source(folder).segmented
