"""``/validate``: SHACL as a service.

GET: the report of the published graph (computed once per store version: pySHACL over the
curated graphs is seconds, not milliseconds). POST: validate the RDF in the request against
the published shapes and ontology; nothing is stored. Parsing goes through
:func:`kg.rdfio.parse_bytes` (pyoxigraph): no remote JSON-LD contexts, XML with a DTD or
entity declarations refused before parsing, bounded JSON-LD nesting, errors with line:column.

Parsing and validation run in the worker's sandbox (:mod:`kg.checks.sandbox`): a forked child per
validation, with ``KG_MAX_MEMORY_MB`` and ``KG_QUERY_TIMEOUT`` as its ceilings, one at a time
per worker. pySHACL's SPARQL (rdflib's parser) is not thread-safe, and a large validation's
memory is given back when the child exits, so the web worker neither breaks nor grows.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from flask import Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from kg.checks.sandbox import Sandbox
from kg.errors import ParseError
from kg.rdfio import check_untrusted, from_rdflib_triple, serialize_bytes, to_rdflib
from kg.store import Store
from server.dataset import bp
from server.negotiation import GRAPH_FORMATS, HTML, Format, NotAcceptable, by_name, negotiate
from server.ontology.graphs import cached
from server.ontology.web import ALTERNATES, base_iri, curie, href, is_local, prefixes
from server.rdfresponse import rdf_response
from server.store import get_store

if TYPE_CHECKING:  # the web process never imports pySHACL: validation runs in the sandbox
    from kg.checks.validate import ValidationResult

#: what POST accepts: media type (or form ``format``) → parser format
INPUT_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
FORM_FORMATS: dict[str, str] = {
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "trig": "application/trig",
    "nquads": "application/n-quads",
    "nq": "application/n-quads",
}
SUFFIX_FORMATS: dict[str, str] = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "json": "application/ld+json",
    "rdf": "application/rdf+xml",
    "owl": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
}
JSON = Format("json", "application/json", None)


def _excluded(base: str) -> list[str]:
    return [f"{base}graph/ontology", f"{base}graph/shapes"]


def published_data(store: Store, base: str) -> rdflib.Dataset:
    """The published graphs as an rdflib Dataset: not the ontology or the shapes (they are
    the schema), nor external imports under ``graph/import/`` (not curated, as in the build)."""
    return to_rdflib(_published_quads(store, base))


def _published_quads(store: Store, base: str) -> list[ox.Quad]:
    excluded = " ".join(f"<{g}>" for g in _excluded(base))
    rows = store.query(
        "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g NOT IN ({excluded.replace(' ', ', ')}) "
        f'&& !STRSTARTS(STR(?g), "{base}graph/import/")) }}'
    )
    return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]


def _graph_nt(store: Store, graph_iri: str) -> bytes:
    triples = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    )
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


_sandbox_lock = threading.Lock()


def get_sandbox() -> Sandbox:
    """This web process's sandbox (one per process: a fork of gunicorn's master gets its own)."""
    app = current_app
    sandbox = app.extensions.get("kg_sandbox")
    if sandbox is None or sandbox.pid != os.getpid():
        with _sandbox_lock:
            sandbox = app.extensions.get("kg_sandbox")
            if sandbox is None or sandbox.pid != os.getpid():
                sandbox = Sandbox(("kg.checks.validate",), int(app.config["MAX_MEMORY_MB"]))
                app.extensions["kg_sandbox"] = sandbox
    return sandbox


def _validate(
    data: bytes, media_type: str, source: str, upload_base: str | None
) -> ValidationResult:
    """Validate RDF bytes against the published shapes and ontology, in the sandbox."""
    store, base = get_store(), base_iri()
    shapes = cached(store, "shapes-nt", base, lambda: _graph_nt(store, f"{base}graph/shapes"))
    onto = cached(store, "ontology-nt", base, lambda: _graph_nt(store, f"{base}graph/ontology"))
    return get_sandbox().call(
        "kg.checks.validate:validate_bytes_job",
        data,
        media_type,
        source,
        upload_base,
        shapes,
        onto,
        timeout=float(current_app.config["QUERY_TIMEOUT"]),
        what="validation",
        warm=("kg.checks.validate:warm_schemas", (shapes, onto)),  # the store's own, trusted
    )


def _choose() -> Format:
    """HTML for browsers, JSON when asked, the SHACL report graph (Turtle) otherwise: the
    rule of :mod:`server.negotiation`."""
    return negotiate(
        request.headers.get("Accept"),
        (HTML, *GRAPH_FORMATS, JSON),
        format_param=request.args.get("format"),
    )


def _answer(
    result: ValidationResult, fmt: Format, *, title: str, posted: bool, source: str = ""
) -> Response:
    if fmt is HTML:
        response = Response(
            render_template(
                "dataset/validate.html",
                result=result,
                title=title,
                posted=posted,
                source=source,
                curie=curie,
                href=href,
                is_local=is_local,
                alternates=[(f"/validate.{f.suffix}", f.media_type, f.suffix) for f in ALTERNATES]
                if not posted
                else [],
                jsonld="[]",
                formats=sorted(
                    {
                        k
                        for k in FORM_FORMATS
                        if k in ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads")
                    }
                ),
            ),
            content_type="text/html; charset=utf-8",
        )
    elif fmt is JSON:
        response = jsonify(
            {
                "conforms": result.conforms,
                "violations": [
                    {
                        "focus": v.focus,
                        "path": v.path,
                        "value": v.value,
                        "message": v.message,
                        "shape": v.shape,
                        "severity": v.severity,
                    }
                    for v in result.violations
                ],
                "text": result.text,
            }
        )
    else:
        triples = [from_rdflib_triple(s, p, o) for s, p, o in result.report_graph]
        response = rdf_response(
            triples, fmt, prefixes={**prefixes(), "sh": "http://www.w3.org/ns/shacl#"}
        )
    response.vary.add("Accept")
    response.headers["X-SHACL-Conforms"] = "true" if result.conforms else "false"
    return response


@bp.get("/validate")
@bp.get("/validate.<suffix>")
def report(suffix: str | None = None) -> Response:
    fmt = _choose()
    if suffix is not None:
        forced = by_name(suffix, (HTML, JSON, *GRAPH_FORMATS))
        if forced is None:
            raise NotAcceptable((HTML, JSON, *GRAPH_FORMATS))
        fmt = forced
    store, base = get_store(), base_iri()

    def compute() -> ValidationResult:
        quads = _published_quads(store, base)
        data = serialize_bytes(quads, ox.RdfFormat.N_QUADS)
        return _validate(data, "application/n-quads", "the published graph", None)

    result = cached(store, "validation", base, compute)
    return _answer(result, fmt, title="Validation report of the published graph", posted=False)


def _read_input() -> tuple[bytes, ox.RdfFormat, str]:
    """The posted RDF, its format and a name for error messages."""
    limit = current_app.config["MAX_REQUEST_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"the request body is larger than {limit} bytes")
    mimetype = request.mimetype
    if mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        upload = request.files.get("file")
        declared = (request.form.get("format") or "").strip().lower()
        if upload is not None and upload.filename:
            data, source = upload.read(limit + 1), upload.filename
            if not declared:
                declared = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else ""
                declared = SUFFIX_FORMATS.get(declared.lower(), declared)
        else:
            data, source = (request.form.get("data") or "").encode("utf-8"), "<form>"
        if len(data) > limit:
            raise RequestEntityTooLarge(f"the uploaded file is larger than {limit} bytes")
        media = FORM_FORMATS.get(declared, declared) or "text/turtle"
    else:
        media, source = mimetype, "<request body>"
        data = request.get_data(cache=False)
    fmt = INPUT_FORMATS.get(media)
    if fmt is None:
        raise UnsupportedMediaType(
            f"cannot validate {media or 'a body without Content-Type'}; send one of "
            + ", ".join(sorted(INPUT_FORMATS))
        )
    if not data.strip():
        raise ParseError("the request holds no RDF to validate", source=source)
    return data, fmt, source


@bp.post("/validate")
def validate_posted() -> Response:
    data, fmt, source = _read_input()
    check_untrusted(data, fmt, source)  # refused here, before a process is forked
    result = _validate(data, fmt.media_type, source, f"{base_iri()}upload/")
    return _answer(
        result, _choose(), title=f"Validation report of {source}", posted=True, source=source
    )
