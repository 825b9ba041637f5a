"""A claims file → located, compiled claims.

A curator writes, for each claim, the exact words of the source (``quote``, with
``occurrence`` when they repeat), its ``kind``, who says it (``speaker``) and what it says
(``says``: Turtle with the project's prefixes; ``this:`` names nodes of the claim's own
graph). Everything else is computed here: the position of the quote and its context, the
sentence and section it lies in, the slug (``{prefix}-NNN`` in document order), the IRIs of
the nanopublication's graphs, the entities it is about, and the relations between claims
(``supports: [name]`` …), which refer to other claims by their ``name``.

Every problem is reported with the ``file:line:column`` of what the curator wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import ParseError, ValidationFailed
from kg.namespaces import SG
from kg.sources import vocab as v
from kg.sources import yamlfile
from kg.sources.source import CLAIMS_FILE, Source, expand
from kg.sources.text import Sentence

CONTEXT = 32
CLAIM_KEYS = {
    "quote": "the exact words of the source (copied, never retyped)",
    "occurrence": "which occurrence of the quote in the text, from 1, when it repeats",
    "kind": f"one of {', '.join(v.KINDS)}",
    "speaker": "whose statement a fact reports, or the party a provision is attributed to",
    "about": "further entities the claim is about (those in `says` are added)",
    "name": "a handle other claims use in their relations",
    "says": "the claim's content: Turtle with the project's prefixes",
    "paraphrase": "a readable paraphrase, shown beside the quote (never as a description)",
    "free-text": "why this claim's main relation cannot be structured (then `paraphrase` is it)",
    "note": "a curator's note",
    "created": "the date this claim was written, YYYY-MM-DD (default: source.yaml curated)",
    **{key: f"names of claims this one {key}" for key in v.RELATIONS},
}
FILE_KEYS = {"furniture", "headings", "prefixes", "coverage", "claims"}


@dataclass
class Claim:
    """One claim, located in the text and compiled."""

    source: Source
    index: int  # position in the claims file
    node: Any  # the YAML mapping (for positions)
    quote: str
    kind: str  # kind IRI
    voice: str
    start: int = 0
    end: int = 0
    sentence: Sentence | None = None
    slug: str = ""
    name: str | None = None
    speaker: str | None = None
    about: list[str] = field(default_factory=list)
    says: str = ""
    paraphrase: str | None = None
    free_text: str | None = None
    note: str | None = None
    created: str = ""
    relations: dict[str, list[str]] = field(default_factory=dict)  # relation IRI → names
    content: list[ox.Triple] = field(default_factory=list)

    def at(self, key: str | None = None) -> str:
        return self.source.at(CLAIMS_FILE, self.node, key)

    @property
    def assertion(self) -> str:
        return v.B + v.ASSERTION_GRAPH_PREFIX + self.slug

    @property
    def prefix_text(self) -> str:
        assert self.sentence is not None
        para_start = self.sentence.start - (self.sentence.column - 1)
        return self.source.text[max(para_start, self.start - CONTEXT) : self.start]

    @property
    def suffix_text(self) -> str:
        text = self.source.text
        line_end = text.find("\n", self.end)
        line_end = len(text) if line_end < 0 else line_end
        return text[self.end : min(line_end, self.end + CONTEXT)]


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _str(node: Any, key: str, where: str) -> str | None:
    value = node.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ParseError(f"{key!r} must be text", source=where)
    return str(value)


def read_claims(source: Source, ontology_terms: set[str] | None = None) -> list[Claim]:
    """The claims of ``source``, located, numbered and compiled (raises on any problem)."""
    doc = source.claims_doc
    for key in doc:
        if key not in FILE_KEYS:
            raise ParseError(
                f"unknown key {key!r} (known: {', '.join(sorted(FILE_KEYS))})",
                source=source.at(CLAIMS_FILE, doc, key),
            )
    prefixes = dict(v.PREFIXES)
    for p, iri in (doc.get("prefixes") or {}).items():
        prefixes[str(p)] = str(iri)
    items = doc.get("claims") or []
    if not isinstance(items, list):
        raise ParseError("claims must be a list", source=source.at(CLAIMS_FILE, doc, "claims"))
    claims = [_parse(source, i, item, prefixes) for i, item in enumerate(items)]
    for claim in claims:
        _locate(claim)
    claims.sort(key=lambda c: (c.start, c.end, c.index))
    for number, claim in enumerate(claims, start=1):
        claim.slug = f"{source.prefix}-{number:03d}"
    names: dict[str, Claim] = {}
    for claim in claims:
        if claim.name:
            if claim.name in names:
                raise ParseError(
                    f"name {claim.name!r} is already used at {names[claim.name].at('name')}",
                    source=claim.at("name"),
                )
            names[claim.name] = claim
    for claim in claims:
        claim.content = _compile_says(claim, prefixes, ontology_terms)
        for relation, targets in claim.relations.items():
            for target in targets:
                if target not in names:
                    raise ParseError(
                        f"no claim is named {target!r}", source=claim.at(_key(relation))
                    )
    return claims


def _key(relation_iri: str) -> str:
    return next(k for k, iri in v.RELATIONS.items() if iri == relation_iri)


def resolve_relations(claims: Iterable[Claim]) -> dict[str, str]:
    """name → assertion IRI, for the relations' targets."""
    return {c.name: c.assertion for c in claims if c.name}


def _parse(source: Source, index: int, item: Any, prefixes: dict[str, str]) -> Claim:
    if not isinstance(item, yamlfile.Node):  # every YAML mapping is read as a Node
        raise ParseError(
            f"claim {index + 1} must be a mapping (quote:, kind:, says: …)",
            source=source.at(CLAIMS_FILE, source.claims_doc, "claims"),
        )
    at = lambda key=None: source.at(CLAIMS_FILE, item, key)  # noqa: E731
    for key in item:
        if key not in CLAIM_KEYS:
            raise ParseError(
                f"unknown key {key!r} in a claim (known: {', '.join(CLAIM_KEYS)})",
                source=at(key),
            )
    quote = _str(item, "quote", at("quote"))
    if not quote:
        raise ParseError("a claim needs its quote", source=at())
    kind_name = _str(item, "kind", at("kind"))
    if kind_name is None:
        raise ParseError(f"a claim needs its kind ({', '.join(v.KINDS)})", source=at())
    if kind_name in v.KINDS:
        kind, voice = v.KINDS[kind_name]
    elif (iri := v.PREFIXES["sg"] + kind_name.removeprefix("sg:")) in v.KIND_BY_IRI:
        kind, voice = iri, v.KIND_BY_IRI[iri][1]
    else:
        raise ParseError(
            f"kind {kind_name!r} is not one of {', '.join(v.KINDS)}", source=at("kind")
        )
    claim = Claim(source, index, item, quote, kind, voice)
    claim.name = _str(item, "name", at("name"))
    if item.get("speaker") is not None:
        if voice == "author":
            raise ParseError(
                f"speaker is for facts a source reports and for provisions; a {kind_name} is "
                "the author's own",
                source=at("speaker"),
            )
        claim.speaker = expand(item["speaker"], at("speaker"), prefixes)
    about = item.get("about") or []
    about = [about] if isinstance(about, str) else about
    claim.about = [expand(x, at("about"), prefixes) for x in about]
    claim.says = _str(item, "says", at("says")) or ""
    claim.paraphrase = _str(item, "paraphrase", at("paraphrase"))
    claim.free_text = _str(item, "free-text", at("free-text"))
    claim.note = _str(item, "note", at("note"))
    if not claim.says.strip() and not claim.free_text:
        raise ParseError(
            "a claim needs `says` (its content as Turtle); only a claim marked `free-text: "
            "<why>` may go without",
            source=at(),
        )
    if claim.free_text and not claim.paraphrase:
        raise ParseError("a free-text claim needs its `paraphrase`", source=at("free-text"))
    created = item.get("created") or source.meta.get("curated")
    try:
        claim.created = dt.date.fromisoformat(str(created)).isoformat()
    except ValueError as exc:
        raise ParseError(f"created {created!r} is not a date", source=at("created")) from exc
    for key, iri in v.RELATIONS.items():
        targets = item.get(key)
        if targets is None:
            continue
        targets = [targets] if isinstance(targets, str) else targets
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ParseError(f"{key} is a list of claim names", source=at(key))
        claim.relations[iri] = list(targets)
    occurrence = item.get("occurrence")
    if occurrence is not None and (not isinstance(occurrence, int) or occurrence < 1):
        raise ParseError("occurrence is a whole number from 1", source=at("occurrence"))
    return claim


def _locate(claim: Claim) -> None:
    text = claim.source.text
    hits: list[int] = []
    i = text.find(claim.quote)
    while i >= 0:
        hits.append(i)
        i = text.find(claim.quote, i + 1)
    if not hits:
        near = _nearest(text, claim.quote)
        raise ParseError(
            f"quote not found in {claim.source.folder.name}/text.txt: {claim.quote!r}"
            + (f" (closest: {near!r})" if near else ""),
            source=claim.at("quote"),
        )
    occurrence = claim.node.get("occurrence")
    if occurrence is None and len(hits) > 1:
        where = ", ".join("line {}:{}".format(*_position(text, h)) for h in hits)
        raise ParseError(
            f"quote occurs {len(hits)} times ({where}); say which with `occurrence: N`",
            source=claim.at("quote"),
        )
    n = occurrence or 1
    if n > len(hits):
        raise ParseError(
            f"occurrence {n}, but the quote occurs {len(hits)} time(s)",
            source=claim.at("occurrence"),
        )
    claim.start = hits[n - 1]
    claim.end = claim.start + len(claim.quote)
    claim.sentence = claim.source.segmented.sentence_at(claim.start, claim.end)
    if claim.sentence is None:
        line, column = _position(text, claim.start)
        raise ParseError(
            f"the quote at text.txt:{line}:{column} is not inside one body sentence "
            "(it spans sentences, or lies in furniture or a heading)",
            source=claim.at("quote"),
        )


def _nearest(text: str, quote: str) -> str | None:
    """The longest prefix of the quote found in the text, to show where a copy went wrong."""
    for size in range(len(quote) - 1, 8, -1):
        i = text.find(quote[:size])
        if i >= 0:
            return text[i : i + size + 12]
    return None


def _compile_says(
    claim: Claim, prefixes: dict[str, str], ontology_terms: set[str] | None
) -> list[ox.Triple]:
    if not claim.says.strip():
        this = ox.NamedNode(claim.assertion + "#claim")
        return [
            ox.Triple(this, ox.NamedNode(v.RDF + "type"), ox.NamedNode(str(SG.UnstructuredClaim))),
            ox.Triple(
                this,
                ox.NamedNode(str(SG.statementText)),
                ox.Literal(claim.paraphrase or "", language="en"),
            ),
        ]
    header = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in prefixes.items())
    header += f"@prefix this: <{claim.assertion}#> .\n"
    skip = header.count("\n")
    line0, column0 = claim.node.where("says")
    style = claim.node.marks.get("says", (0, 0, None))[2]
    indent = _indent(claim, line0) if style in ("|", ">") else column0
    try:
        quads = list(
            ox.parse(
                (header + claim.says).encode("utf-8"),
                format=ox.RdfFormat.TURTLE,
                base_iri=v.B,
            )
        )
    except SyntaxError as exc:
        message = str(getattr(exc, "msg", "") or exc)
        if ": " in message and message.startswith(("Parser error", "error at")):
            message = message.split(": ", 1)[1]
        line = (exc.lineno or skip + 1) - skip
        raise ParseError(
            f"says: {message}",
            source=str(claim.source.folder / CLAIMS_FILE),
            line=line0 + line - 1,
            column=(exc.offset or 1) + (indent if style in ("|", ">") else column0) - 1,
        ) from exc
    blank: dict[str, ox.NamedNode] = {}

    def skolem(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            if term.value not in blank:
                blank[term.value] = ox.NamedNode(f"{claim.assertion}#node{len(blank) + 1}")
            return blank[term.value]
        return term

    triples = [ox.Triple(skolem(q.subject), q.predicate, skolem(q.object)) for q in quads]
    for t in triples:
        if t.predicate.value in v.FORBIDDEN_IN_ASSERTIONS:
            raise ValidationFailed(
                f"{claim.at('says')}: {t.predicate.value} would publish prose as a description "
                "of an entity; put a readable version in `paraphrase` (it stays on the claim)"
            )
        if ontology_terms is not None:
            for term in (t.predicate, t.object):
                if (
                    isinstance(term, ox.NamedNode)
                    and term.value.startswith(v.SG)
                    and term.value not in ontology_terms
                ):
                    curie = "sg:" + term.value[len(v.SG) :]
                    raise ValidationFailed(
                        f"{_at_text(claim, curie)}: {curie} is not a term of the ontology (a "
                        "typo, or a term to add to ontology/ first)"
                    )
    if not triples:
        raise ParseError("says holds no triple", source=claim.at("says"))
    return triples


def _at_text(claim: Claim, needle: str) -> str:
    """file:line:column of ``needle`` inside the claim's ``says`` block (else of ``says``)."""
    line0, column0 = claim.node.where("says")
    style = claim.node.marks.get("says", (0, 0, None))[2]
    for offset, text in enumerate(claim.says.split("\n")):
        column = text.find(needle)
        if column >= 0:
            indent = _indent(claim, line0) if style in ("|", ">") else column0
            return f"{claim.source.folder / CLAIMS_FILE}:{line0 + offset}:{indent + column}"
    return claim.at("says")


def _indent(claim: Claim, line: int) -> int:
    try:
        raw = (claim.source.folder / CLAIMS_FILE).read_text(encoding="utf-8").split("\n")[line - 1]
    except (OSError, IndexError):
        return 1
    return len(raw) - len(raw.lstrip(" ")) + 1


def mentioned_entities(claim: Claim) -> list[str]:
    """Entities (``{base}id/…``) the content names, then the curator's extra ``about``."""
    found: list[str] = []
    for t in claim.content:
        for term in (t.subject, t.object):
            if (
                isinstance(term, ox.NamedNode)
                and term.value.startswith(v.B + "id/")
                and term.value not in found
            ):
                found.append(term.value)
    for extra in claim.about:
        if extra not in found:
            found.append(extra)
    return found


def free_text_count(claims: Iterable[Claim]) -> int:
    return sum(1 for c in claims if c.free_text)
