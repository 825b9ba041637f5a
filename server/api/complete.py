"""``GET /api/complete?q=``: completions for the query editor, from our ontology and data.

Candidates, gathered once per store version by three SPARQL queries: the classes
(``owl:Class``, ``rdfs:Class``), the properties (``owl:ObjectProperty``,
``owl:DatatypeProperty``, ``owl:AnnotationProperty``, ``rdf:Property``), the entities of the
data (IRIs with a label, outside the ontology and shapes graphs) and the prefixes the UI
declares. Each is reachable by its local name, its CURIE, its full IRI and every word of its
labels; a sorted key list answers a prefix by bisection, not a scan.

``q`` (1–200 characters): a word (``Commit``), a CURIE (``sg:Commit``) or an IRI prefix.
``kind``: ``class``, ``property``, ``entity`` or ``prefix`` (repeatable; default all);
``limit``: 1–100 (default 20). Answers ``[{iri, curie, label, kind}]``, best first: exact
local names, then classes and properties before entities, then shorter names.

``GET /api/prefixes``: ``{prefix: namespace}`` — the editor's prefix list (YASQE reads it
as its ``prefixCcApi``, so even prefix completion never leaves this server).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from flask import Response, current_app, jsonify, request

from kg.store import Store
from server.api import bp
from server.api.catalogue import BadParameter
from server.labels import OWL, RDF, RDFS, SKOS, cache_for, curie, label, local_name
from server.sparql.ui import prefixes as ui_prefixes
from server.store import get_store

KINDS = ("class", "property", "entity", "prefix")
KIND_ORDER = {"class": 0, "property": 1, "prefix": 2, "entity": 3}
MAX_ENTITIES = 200_000


@dataclass(frozen=True)
class Candidate:
    iri: str
    curie: str
    label: str
    kind: str


class CompletionIndex:
    def __init__(self, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        keyed: list[tuple[str, int, int]] = []  # (key, candidate, 0: a name, 1: a label word)
        for n, c in enumerate(candidates):
            names = {c.iri.casefold(), c.curie.casefold(), local_name(c.iri).casefold()}
            names.add(c.label.casefold())
            words = {w for w in re.findall(r"\w+", c.label.casefold()) if len(w) > 1} - names
            keyed += [(k, n, 0) for k in names if k] + [(k, n, 1) for k in words]
        keyed.sort()
        self.keys = [k for k, _, _ in keyed]
        self.ids = [n for _, n, _ in keyed]
        self.word = [w for _, _, w in keyed]

    def find(self, text: str, kinds: set[str], limit: int) -> list[Candidate]:
        """Tiers: an exact name, a name that starts so, a label word that starts so; then
        classes and properties before prefixes and entities, then shorter names."""
        needle = text.casefold()
        start = bisect.bisect_left(self.keys, needle)
        seen: dict[int, int] = {}
        for pos in range(start, min(len(self.keys), start + 20_000)):
            key = self.keys[pos]
            if not key.startswith(needle):
                break
            n = self.ids[pos]
            if self.candidates[n].kind in kinds:
                tier = 2 if self.word[pos] else (0 if key == needle else 1)
                seen[n] = min(seen.get(n, 9), tier)
        ranked = sorted(
            seen,
            key=lambda n: (
                seen[n],
                KIND_ORDER[self.candidates[n].kind],
                len(self.candidates[n].curie or self.candidates[n].iri),
                self.candidates[n].curie,
            ),
        )
        return [self.candidates[n] for n in ranked[:limit]]


def build_index(store: Store, base: str) -> CompletionIndex:
    found: dict[str, Candidate] = {}
    short = ui_prefixes(base)

    def shorten(iri: str) -> str:
        best = curie(iri, base)
        if best:
            return best
        for name, ns in short.items():
            if iri.startswith(ns) and re.fullmatch(r"[\w.-]+", iri[len(ns) :]):
                return f"{name}:{iri[len(ns) :]}"
        return ""

    groups = (
        ("class", (f"{OWL}Class", f"{RDFS}Class")),
        (
            "property",
            (
                f"{OWL}ObjectProperty",
                f"{OWL}DatatypeProperty",
                f"{OWL}AnnotationProperty",
                f"{RDF}Property",
            ),
        ),
    )
    for kind, types in groups:
        values = " ".join(f"<{t}>" for t in types)
        for row in store.query(
            f"SELECT DISTINCT ?x WHERE {{ VALUES ?t {{ {values} }} ?x a ?t FILTER(isIRI(?x)) }}"
        ):
            iri = row["x"].value
            if iri not in found:
                found[iri] = Candidate(iri, shorten(iri), label(store, iri)[0], kind)
    onto, shapes = f"{base}graph/ontology", f"{base}graph/shapes"
    rows = store.query(
        f"""SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{
              GRAPH ?g {{ ?x <{RDFS}label>|<{SKOS}prefLabel> ?l }}
              FILTER(isIRI(?x) && ?g != <{onto}> && ?g != <{shapes}>)
            }} GROUP BY ?x LIMIT {MAX_ENTITIES}"""
    )
    for row in rows:
        iri = row["x"].value
        if iri not in found:
            name = row["label"].value if row["label"] is not None else local_name(iri)
            found[iri] = Candidate(iri, shorten(iri), name, "entity")
    for name, ns in short.items():
        found[f"prefix:{name}"] = Candidate(ns, f"{name}:", name, "prefix")
    return CompletionIndex(list(found.values()))


def index_for(store: Store, base: str) -> CompletionIndex:
    return cache_for(store, "complete").get(
        store, base, lambda: build_index(store, base), stale_ok=True
    )


@bp.get("/api/complete")
def complete() -> Response:
    text = request.args.get("q", "")
    if not text.strip():
        raise BadParameter("q: give the start of a name, a CURIE or an IRI (1-200 characters)")
    if len(text) > 200:
        raise BadParameter(f"q: {len(text)} characters; at most 200 are accepted")
    kinds = set()
    for raw in request.args.getlist("kind"):
        for piece in raw.split(","):
            if piece.strip() not in KINDS:
                raise BadParameter(f"kind={piece[:20]!r}: must be one of {', '.join(KINDS)}")
            kinds.add(piece.strip())
    raw_limit = request.args.get("limit", "20")
    try:
        limit = int(raw_limit)
    except ValueError:
        raise BadParameter(f"limit={raw_limit[:20]!r}: must be a whole number") from None
    if not 1 <= limit <= 100:
        raise BadParameter(f"limit={limit}: must be between 1 and 100")
    base = current_app.config["BASE_IRI"]
    index = index_for(get_store(), base)
    hits = index.find(text.strip(), kinds or set(KINDS), limit)
    return jsonify(
        [{"iri": c.iri, "curie": c.curie, "label": c.label, "kind": c.kind} for c in hits]
    )


@bp.get("/api/prefixes")
def prefix_map() -> Response:
    return jsonify(ui_prefixes(current_app.config["BASE_IRI"]))
