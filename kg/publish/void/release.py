"""Release metadata for the VoID/DCAT description (issue 12), hooked into
:func:`kg.publish.void.describe_dataset` by two lines.

The described dataset ``{base}void`` gets ``dcat:version`` (the latest release),
``dcterms:issued`` (when it was issued), ``dcat:hasVersion`` for every release and
``dcat:hasCurrentVersion``; each release ``{base}release/{version}`` is a ``dcat:Dataset`` with
its ``dcat:version``, ``dcterms:issued``, ``dcat:previousVersion`` and its dumps as
distributions with their SHA-256.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SPDX = "http://spdx.org/rdf/terms#"


def release_triples(
    base: str, origin: str | None = None, root: str | Path | None = None
) -> list[ox.Triple]:
    """The release triples; ``root`` is the releases directory (default ``KG_RELEASES``)."""
    from kg.publish.releases import list_releases, releases_dir

    origin = origin or base
    releases = list_releases(Path(root) if root else releases_dir())
    if not releases:
        return []
    n = ox.NamedNode
    ds = n(f"{base}void")
    when = lambda r: ox.Literal(r.issued, datatype=n(XSD + "dateTime"))  # noqa: E731
    latest = releases[-1]
    out = [
        ox.Triple(ds, n(DCAT + "version"), ox.Literal(latest.version)),
        ox.Triple(ds, n(DCTERMS + "issued"), when(latest)),
        ox.Triple(ds, n(DCAT + "hasCurrentVersion"), n(latest.meta["iri"])),
    ]
    for r in releases:
        rel = n(r.meta["iri"])
        out += [
            ox.Triple(ds, n(DCAT + "hasVersion"), rel),
            ox.Triple(rel, n(RDF + "type"), n(DCAT + "Dataset")),
            ox.Triple(rel, n(DCAT + "version"), ox.Literal(r.version)),
            ox.Triple(rel, n(DCTERMS + "issued"), when(r)),
            ox.Triple(rel, n(DCAT + "landingPage"), n(f"{origin}release/{r.version}")),
        ]
        if r.previous:
            out.append(
                ox.Triple(rel, n(DCAT + "previousVersion"), n(f"{base}release/{r.previous}"))
            )
        for f in r.meta.get("files", []):
            if not f["name"].startswith("dumps/sgkg."):
                continue
            dist = n(f"{r.meta['iri']}#{f['name'].removeprefix('dumps/')}")
            checksum = ox.BlankNode()
            out += [
                ox.Triple(rel, n(DCAT + "distribution"), dist),
                ox.Triple(dist, n(RDF + "type"), n(DCAT + "Distribution")),
                ox.Triple(
                    dist, n(DCAT + "downloadURL"), n(f"{origin}release/{r.version}/{f['name']}")
                ),
                ox.Triple(
                    dist,
                    n(DCAT + "byteSize"),
                    ox.Literal(str(f["bytes"]), datatype=n(XSD + "nonNegativeInteger")),
                ),
                ox.Triple(dist, n(SPDX + "checksum"), checksum),
                ox.Triple(checksum, n(SPDX + "algorithm"), n(SPDX + "checksumAlgorithm_sha256")),
                ox.Triple(
                    checksum,
                    n(SPDX + "checksumValue"),
                    ox.Literal(f["sha256"], datatype=n(XSD + "hexBinary")),
                ),
            ]
    return out
