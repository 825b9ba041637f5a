"""The query UI for browsers (YASGUI, served from our own static files) and the catalogue
of example questions (``kg/data/queries/*.rq``), also as JSON at GET /sparql/examples.

Each example file starts with header comments::

    # title: Who guarantees Ukraine's security?
    # description: Guarantors of each commitment, with the commitment type.
    #   (an indented comment line continues the description)
    # param: actor iri country:united-states  The guarantor (any actor's IRI or CURIE).
    PREFIX sg: <https://w3id.org/sgkg/ontology/>
    SELECT …

The directory is ``app.config["QUERY_EXAMPLES_DIR"]`` (tests point it elsewhere), by default
``kg.paths.data_dir() / "queries"``. ``# param:`` lines declare the typed parameters of the
query's REST API (``/api/queries/<slug>``, see :mod:`server.api.catalogue`).

The UI works offline: no CDN, no prefix.cc, no LOV look-ups (see static/sparql-ui.js): class,
property, entity and prefix completion come from ``/api/complete`` and ``/api/prefixes``,
charts from the vendored Chart.js. ``/sparql?share=<id>`` opens a shared query
(:mod:`server.api.share`). Without JavaScript each example is a plain link to
``/sparql?query=…`` and the page has a plain form.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import Response, current_app, jsonify, render_template, request, url_for

from kg import paths
from server.sparql import bp

_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$", re.IGNORECASE)
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")


def prefixes(base_iri: str) -> dict[str, str]:
    """The prefixes shown in the UI and used to shorten IRIs in results and GSP Turtle."""
    return {
        "sg": f"{base_iri}ontology/",
        "prov": "http://www.w3.org/ns/prov#",
        "oa": "http://www.w3.org/ns/oa#",
        "np": "http://www.nanopub.org/nschema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "wd": "http://www.wikidata.org/entity/",
        "wdt": "http://www.wikidata.org/prop/direct/",
        "schema": "https://schema.org/",
        "dcterms": "http://purl.org/dc/terms/",
    }


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    description: str
    query: str


def _title_from(slug: str) -> str:
    """``03-untitled-thing`` → ``Untitled thing`` (for a file without ``# title:``)."""
    words = re.sub(r"^\d+[-_]", "", slug).replace("-", " ").replace("_", " ")
    return words.capitalize()


def parse_example(path: Path) -> Example:
    """One ``.rq`` file → :class:`Example`; the header lines are not part of ``query``."""
    fields: dict[str, str] = {}
    body: list[str] = []
    last: str | None = None
    in_header = True
    for line in path.read_text(encoding="utf-8").splitlines():
        if in_header:
            match = _HEADER.match(line.strip())
            if match:
                last = match.group(1).lower()
                if last == "param":  # typed API parameters: server.api.catalogue reads them
                    last = None
                    continue
                fields[last] = match.group(2).strip()
                continue
            cont = _CONTINUATION.match(line)
            if cont and last:
                fields[last] = f"{fields[last]} {cont.group(1).strip()}".strip()
                continue
            if not line.strip() and not body:
                continue
            in_header = False
        body.append(line)
    slug = path.stem
    return Example(
        slug=slug,
        title=fields.get("title") or _title_from(slug),
        description=fields.get("description", ""),
        query="\n".join(body).strip() + "\n",
    )


def examples_dir() -> Path:
    configured = current_app.config.get("QUERY_EXAMPLES_DIR")
    return Path(configured) if configured else paths.data_dir() / "queries"


def load_examples(directory: Path | None = None) -> list[Example]:
    """The catalogue, sorted by file name (name files ``01-….rq`` to order them)."""
    directory = directory or examples_dir()
    if not directory.is_dir():
        return []
    return [parse_example(p) for p in sorted(directory.glob("*.rq"))]


def default_query(base_iri: str) -> str:
    return (
        f"PREFIX sg: <{base_iri}ontology/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
        "# The classes used in the graph, most frequent first\n"
        "SELECT ?class (COUNT(?thing) AS ?things) WHERE {\n"
        "  ?thing a ?class .\n"
        "}\n"
        "GROUP BY ?class\n"
        "ORDER BY DESC(?things)\n"
        "LIMIT 25\n"
    )


def render_ui(query: str | None = None) -> Response:
    """The HTML query page (the query view calls this for browsers asking for no query)."""
    base = current_app.config["BASE_IRI"]
    endpoint_path = f"{request.script_root}/sparql"
    endpoint = f"{request.url_root.rstrip('/')}/sparql"
    examples = load_examples()
    share_id = request.args.get("share")
    if share_id is not None and query is None:
        from server.api import share  # noqa: PLC0415

        found = share.load(share_id)
        if found is None:
            raise share.UnknownShare(f"no shared query has the id {share_id[:40]!r}")
        query = found[0]
    listed = [
        {**asdict(ex), "href": f"{endpoint_path}?{urlencode({'query': ex.query})}"}
        for ex in examples
    ]
    initial = query or (examples[0].query if examples else default_query(base))
    config = {
        "endpoint": endpoint,
        "baseIri": base,
        "siteRoot": request.url_root,
        "prefixes": prefixes(base),
        "examples": [asdict(ex) for ex in examples],
        "initialQuery": initial,
        "shared": share_id if share_id is not None and query is not None else None,
        # research tools (server.api): completions, prefixes, share links, charts
        "completeUrl": f"{request.script_root}/api/complete",
        "prefixesUrl": f"{request.script_root}/api/prefixes",
        "shareUrl": f"{request.script_root}/api/share",
        "chartJs": url_for("static", filename="chartjs/chart.umd.min.js"),
    }
    html = render_template(
        "sparql/ui.html",
        endpoint=endpoint,
        endpoint_path=endpoint_path,
        examples=listed,
        prefixes=prefixes(base),
        initial_query=initial,
        config=config,
    )
    response = Response(html, mimetype="text/html")
    response.vary.add("Accept")
    return response


@bp.get("/sparql/examples")
def examples_json() -> Response:
    """The catalogue for tools and tests: ``[{slug, title, description, query}]``."""
    return jsonify([asdict(ex) for ex in load_examples()])
