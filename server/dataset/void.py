"""``/void`` and ``/.well-known/void``: the VoID + DCAT 3 description (RDF, Turtle by
default) or, for a browser, a readable summary of the same numbers."""

from __future__ import annotations

from flask import Response, current_app, request

from kg.errors import NotFound
from kg.publish.void import PREFIXES, describe_dataset, iana, read_manifest, statistics
from server.dataset import bp
from server.negotiation import HTML
from server.ontology.web import choose_format, document_response, prefixes, split_suffix
from server.rdfresponse import rdf_response
from server.store import get_store


def _origin() -> str:
    return request.host_url  # ends with "/"


@bp.get("/void")
@bp.get("/void.<suffix>")
@bp.get("/.well-known/void")
def void(suffix: str | None = None) -> Response:
    forced = None
    if suffix is not None:
        _, forced = split_suffix(f"void.{suffix}")
        if forced is None:
            raise NotFound(f"no VoID serialization with suffix .{suffix}")
    fmt = choose_format(forced)
    store, base = get_store(), current_app.config["BASE_IRI"]
    dumps_dir = current_app.config["DUMPS"]
    origin = _origin()
    triples = describe_dataset(
        store,
        base,
        dumps_dir=dumps_dir,
        sparql_endpoint=f"{origin}sparql",
        origin=origin,
        releases_dir=current_app.config["RELEASES"],
        stale_ok=True,  # right after a write: the previous figures, while the new are counted
    )
    if fmt is not HTML:
        response = rdf_response(triples, fmt, prefixes={**PREFIXES, **prefixes()})
        response.headers["Link"] = (
            f'<{origin}sparql>; rel="http://rdfs.org/ns/void#sparqlEndpoint", '
            '</void.html>; rel="alternate"; type="text/html"'
        )
        return response
    stats = statistics(store, base, stale_ok=True)
    return document_response(
        triples,
        HTML,
        path="/void",
        template="dataset/void.html",
        stats=stats,
        dumps=read_manifest(dumps_dir),
        iana=iana,
        origin=origin,
        base=base,
        dataset_iri=f"{base}void",
    )
