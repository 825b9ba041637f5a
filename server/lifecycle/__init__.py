"""Blueprint ``lifecycle``: nanopublications, their aliases, releases and the change feed.

- ``GET /np/RA…`` — the nanopub: TriG with its four graphs (``Accept`` may ask N-Quads; a
  browser gets its page); nanopubs no longer in the store (superseded, retracted) come from the
  release archive and carry ``Link: <…>; rel="successor-version"``. ``/np/RA…/assertion`` (and
  the other graphs) are served like any graph IRI.
- ``GET /id/nanopub/{slug}`` → 303 to the claim's current nanopub; ``GET
  /graph/assertion/{slug}[.ext]`` → 301 to its assertion graph (the IRIs before issue 12).
- ``GET /releases/``, ``/release/{version}``, ``/release/{version}/{file}`` — the releases, each
  with its dumps and checksums, its diff and a "cite this release" block.
- ``GET /changes`` — Atom, or JSON by ``Accept`` (:mod:`kg.publish.feed`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
)

from kg.publish import DCTERMS, NP, NP_PREFIX
from kg.publish import releases as rel
from kg.rdfio import serialize_bytes
from server.negotiation import HTML, NQUADS, TRIG, TURTLE, Format, negotiate
from server.store import get_store

bp = Blueprint("lifecycle", __name__, template_folder="../templates")

TRUSTY = re.compile(r"^RA[A-Za-z0-9_-]{43}$")
SLUG = re.compile(r"^[a-z][a-z0-9]*-\d+$")
SUFFIX = re.compile(r"^(?P<stem>.+?)(?:\.(?P<ext>trig|nq|html|ttl|nt|rdf|jsonld))?$")
PREFIXES = {
    "np": NP,
    "npx": "http://purl.org/nanopub/x/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcterms": DCTERMS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
JSON = Format("json", "application/json", None)
RDF_OUT = {
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
}


def releases_root() -> Path:
    return Path(current_app.config["RELEASES"])


def base_iri() -> str:
    return current_app.config["BASE_IRI"]


# --- nanopubs ------------------------------------------------------------------------------


def nanopub_quads(store: Any, iri: str) -> list[ox.Quad]:
    """The four graphs of the nanopub ``iri`` from the store (empty when it is not there)."""
    parts = ", ".join(f"<{NP}{p}>" for p in ("hasAssertion", "hasProvenance", "hasPublicationInfo"))
    rows = store.query(
        f"SELECT ?h ?g WHERE {{ GRAPH ?h {{ <{iri}> a <{NP}Nanopublication> ; ?p ?g . "
        f"FILTER(?p IN ({parts})) }} }}"
    )
    rows = list(rows)
    graphs = sorted({r["g"].value for r in rows} | {r["h"].value for r in rows})
    if not graphs:
        return []
    values = " ".join(f"<{g}>" for g in graphs)
    rows = store.query(
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]


def successor(store: Any, iri: str) -> str | None:
    rows = store.query(f"SELECT ?n WHERE {{ GRAPH ?g {{ <{iri}> <{DCTERMS}isReplacedBy> ?n }} }}")
    for r in rows:
        return r["n"].value
    return None


def current_by_slug(store: Any, slug: str) -> str | None:
    rows = store.query(
        f'SELECT ?np WHERE {{ GRAPH ?i {{ ?np <{DCTERMS}identifier> "{slug}" }} '
        f"GRAPH ?h {{ ?np a <{NP}Nanopublication> }} }}"
    )
    for r in rows:
        return r["np"].value
    return None


def _wants(ext: str | None) -> str:
    """The suffix, else the rule of :mod:`server.negotiation`: TriG (the nanopub's canonical
    form) unless HTML or N-Quads is asked for."""
    if ext:
        return ext
    return negotiate(request.headers.get("Accept"), (HTML, TRIG, NQUADS)).suffix or "trig"


@bp.get("/np/<path:rest>")
def nanopub(rest: str) -> Any:
    m = SUFFIX.match(rest)
    if not m:
        abort(404)
    stem, ext = m["stem"], m["ext"]
    code, _, tail = stem.partition("/")
    if not TRUSTY.match(code):
        abort(404)
    iri = f"{base_iri()}{NP_PREFIX}{code}"
    store = get_store()
    if tail:
        return nanopub_part(store, iri, tail, ext, rest)
    quads = nanopub_quads(store, iri)
    archived = not quads
    if archived:
        quads = rel.archived_nanopub(iri, releases_root())
    if not quads:
        abort(404)
    later = successor(store, iri)
    fmt = _wants(ext)
    if fmt == "html":
        from kg.publish.history import history

        trig = serialize_bytes(quads, ox.RdfFormat.TRIG, prefixes=PREFIXES).decode("utf-8")
        page = render_template(
            "lifecycle/nanopub.html",
            iri=iri,
            local=_local(iri),
            trig=trig,
            successor=later,
            archived=archived,
            history=history(store, iri, base_iri()),
        )
        response = Response(page, mimetype="text/html")
    elif fmt in RDF_OUT:
        rdf_format, media = RDF_OUT[fmt]
        response = Response(ox.serialize(quads, format=rdf_format), mimetype=media)
    else:
        abort(406)
    links = [f'<{request.path.split(".")[0]}.trig>; rel="alternate"; type="application/trig"']
    if later:
        links.append(f'<{later}>; rel="successor-version"')
    response.headers["Link"] = ", ".join(links)
    response.headers["Cache-Control"] = "public, max-age=3600"  # the content never changes;
    # the successor-version link appears when a later release supersedes it
    if not ext:
        response.vary.add("Accept")
    return response


def nanopub_part(store: Any, iri: str, tail: str, ext: str | None, rest: str) -> Any:
    """A graph (or node) of a nanopub. Current nanopubs: served like every graph IRI, their
    pages with the claim's history below when it has one; archived ones: from the archive."""
    from server.pages.resources import serve

    if nanopub_quads(store, iri):
        response = serve("np", rest)
        if response.status_code == 200 and response.mimetype == "text/html":
            _add_history(response, store, iri)
        return response
    quads = rel.archived_nanopub(iri, releases_root())
    part = f"{iri}/{tail}"
    quads = [q for q in quads if _named(q.graph_name, part) or _named(q.subject, part)]
    if not quads:
        abort(404)
    fmt = _wants(ext)
    if fmt == "html":
        return redirect(_local(iri), code=303)
    if fmt not in RDF_OUT:
        abort(406)
    rdf_format, media = RDF_OUT[fmt]
    response = Response(ox.serialize(quads, format=rdf_format), mimetype=media)
    later = successor(store, iri)
    if later:
        response.headers["Link"] = f'<{later}>; rel="successor-version"'
    return response


def _named(term: ox.NamedNode | ox.BlankNode | ox.Triple | ox.DefaultGraph, iri: str) -> bool:
    return isinstance(term, ox.NamedNode) and term.value == iri


def _add_history(response: Response, store: Any, iri: str) -> None:
    """The history partial, before the end of the page's main element (only when the claim
    has more than one version: the page is otherwise left as it is)."""
    from kg.publish.history import history

    h = history(store, iri, base_iri())
    if h is None or len(h.versions) < 2:
        return
    html = response.get_data(as_text=True)
    at = html.rfind("</main>")
    if at < 0:
        return
    block = render_template("lifecycle/_history_block.html", h=h)
    response.set_data(html[:at] + block + html[at:])


@bp.get("/id/nanopub/<name>")
def nanopub_alias(name: str) -> Any:
    match = SUFFIX.match(name)
    if match is None:  # a name with a line break
        abort(404)
    slug = match["stem"]
    iri = current_by_slug(get_store(), slug) if SLUG.match(slug) else None
    if iri is None and SLUG.match(slug):  # retracted: its last nanopub, from the archive
        for release in reversed(rel.list_releases(releases_root())):
            gone = release.index().get("retracted", {}).get(slug)
            if gone:
                iri = gone["np"]
                break
    if iri is None:
        abort(404)
    return redirect(_local(iri), code=303)


@bp.get("/graph/assertion/<name>")
def assertion_alias(name: str) -> Any:
    m = SUFFIX.match(name)
    slug = m["stem"] if m else ""
    iri = current_by_slug(get_store(), slug) if SLUG.match(slug) else None
    if iri is None:  # a store with graphs named the old way (loaded data, fixtures)
        from server.pages.resources import serve

        return serve("graph", f"assertion/{name}")
    target = _local(iri) + "/assertion" + (f".{m['ext']}" if m and m["ext"] else "")
    return redirect(target, code=301)


def _local(iri: str) -> str:
    return "/" + iri[len(base_iri()) :] if iri.startswith(base_iri()) else iri


# --- releases ------------------------------------------------------------------------------


def cite(release: rel.Release) -> dict[str, str]:
    meta = release.meta
    year = meta.get("issued", "")[:4]
    title = "Security Guarantees Knowledge Graph"
    iri = meta["iri"]
    return {
        "text": f"Security Guarantees Knowledge Graph project ({year}). {title}, release "
        f"{release.version} [Data set]. {iri}",
        "bibtex": (
            f"@misc{{sgkg-{release.version},\n  title = {{{title}, release {release.version}}},\n"
            f"  author = {{{{Security Guarantees Knowledge Graph project}}}},\n"
            f"  year = {{{year}}},\n  version = {{{release.version}}},\n  url = {{{iri}}},\n"
            f"  note = {{Data set}}\n}}"
        ),
    }


@bp.get("/releases/")
def releases() -> Any:
    found = list(reversed(rel.list_releases(releases_root())))
    if request.accept_mimetypes.best == "application/json":
        return {"releases": [r.meta | {"path": f"/release/{r.version}"} for r in found]}
    return render_template("lifecycle/releases.html", releases=found)


@bp.get("/release/<version>")
def release(version: str) -> Any:
    try:
        found = rel.get_release(version, releases_root())
    except rel.NotFound:
        abort(404)
    diff = found.diff()
    fmt = negotiate(request.headers.get("Accept"), (HTML, TURTLE, JSON))
    if fmt is JSON:
        response = current_app.json.response(found.meta | {"diff": diff, "cite": cite(found)})
    elif fmt is TURTLE:  # the release in RDF: its DCAT version chain and what it changed
        response = send_file(found.path / "diff.ttl", mimetype="text/turtle")
    else:
        response = Response(
            render_template(
                "lifecycle/release.html", r=found, diff=diff, cite=cite(found), base=base_iri()
            ),
            mimetype="text/html",
        )
    response.vary.add("Accept")
    return response


@bp.get("/release/<version>/<path:name>")
def release_file(version: str, name: str) -> Any:
    try:
        found = rel.get_release(version, releases_root())
    except rel.NotFound:
        abort(404)
    listed = {f["name"] for f in found.meta.get("files", [])} | {"SHA256SUMS", "release.json"}
    if name not in listed:
        abort(404)
    types = {".gz": "application/gzip", ".json": "application/json", ".ttl": "text/turtle"}
    types |= {".trig": "application/trig", "SHA256SUMS": "text/plain"}
    media = next((t for k, t in types.items() if name.endswith(k)), "application/octet-stream")
    return send_file(found.path / name, mimetype=media, conditional=True)


@bp.get("/changes")
def changes() -> Any:
    from kg.publish import feed

    found = rel.list_releases(releases_root())
    origin = request.host_url
    best = request.accept_mimetypes.best_match(
        ["application/atom+xml", "application/json", "application/feed+json"],
        default="application/atom+xml",
    )
    after = request.args.get("after") or None
    if after is not None and after not in {r.version for r in found}:
        return Response(f"no release {after!r} (see /releases/)\n", 400, mimetype="text/plain")
    if best in ("application/json", "application/feed+json"):
        response = current_app.json.response(feed.as_json(found, base_iri(), origin, after))
    else:
        body = feed.as_atom(found, base_iri(), origin, after)
        response = Response(body, mimetype="application/atom+xml")
    response.vary.add("Accept")
    if found:
        response.last_modified = dt.datetime.fromisoformat(found[-1].issued)
    return response
