"""The change feed (``/changes``): one entry per release and one per nanopub a release added,
superseded or retracted, newest first.

A mirror syncs from the feed alone: it takes the release entries oldest first (``sequence``;
``/changes?after=VERSION`` lists only what came after the release it has) and, for each,
deletes the quads of its ``removed`` file and adds those of its ``added`` file (N-Quads, gzip;
the first release's ``added`` is the whole graph). Nanopub entries link the nanopub (TriG,
with its four graphs) for clients that follow single claims.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from kg.publish.releases import Release

ATOM = "http://www.w3.org/2005/Atom"
TITLE = "Security Guarantees Knowledge Graph: changes"


def entries(
    releases: list[Release], base: str, origin: str, after: str | None = None
) -> list[dict[str, Any]]:
    """The entries, newest first; ``after`` (a version) keeps only the later releases'."""
    out: list[dict[str, Any]] = []
    versions = [r.version for r in releases]
    start = versions.index(after) + 1 if after in versions else 0
    for sequence, r in enumerate(releases, start=1):
        if sequence <= start:
            continue
        diff = r.diff()
        files = f"{origin}release/{r.version}/"
        nps = diff["nanopubs"]
        out.append(
            {
                "id": r.meta["iri"],
                "type": "release",
                "sequence": sequence,
                "version": r.version,
                "previous": r.previous,
                "updated": r.issued,
                "title": f"Release {r.version}: {len(nps['added'])} added, "
                f"{len(nps['superseded'])} superseded, {len(nps['retracted'])} retracted",
                "page": f"{origin}release/{r.version}",
                "added": files + "added.nq.gz",
                "removed": files + "removed.nq.gz",
                "dump": files + "dumps/sgkg.nq.gz",
                "diff": files + "diff.json",
                "triples": diff["triples"],
            }
        )
        for change in ("added", "superseded", "retracted"):
            for e in nps[change]:
                item = {
                    "id": e["np"],
                    "type": "nanopub",
                    "change": change,
                    "release": r.version,
                    "slug": e["slug"],
                    "updated": r.issued,
                    "title": f"{e['slug']} {change} in {r.version}",
                    "nanopub": origin + e["np"][len(base) :]
                    if e["np"].startswith(base)
                    else e["np"],
                }
                for key in ("supersedes", "retracts"):
                    if key in e:
                        item[key] = e[key]
                out.append(item)
    out.sort(key=lambda e: (e["updated"], e["type"] == "release"), reverse=True)
    return out


def as_json(
    releases: list[Release], base: str, origin: str, after: str | None = None
) -> dict[str, Any]:
    items = entries(releases, base, origin, after)
    return {
        "title": TITLE,
        "id": f"{base}changes",
        "updated": items[0]["updated"] if items else None,
        "entries": items,
    }


def as_atom(releases: list[Release], base: str, origin: str, after: str | None = None) -> bytes:
    ET.register_namespace("", ATOM)
    items = entries(releases, base, origin, after)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(feed, "title", TITLE)
    sub(feed, "id", f"{base}changes")
    sub(feed, "updated", items[0]["updated"] if items else "1970-01-01T00:00:00+00:00")
    sub(feed, "link", rel="self", href=f"{origin}changes")
    author = sub(feed, "author")
    sub(author, "name", "Security Guarantees Knowledge Graph project")
    for e in items:
        entry = sub(feed, "entry")
        sub(entry, "id", e["id"] if e["type"] == "release" else f"{e['id']}#{e['release']}")
        sub(entry, "title", e["title"])
        sub(entry, "updated", e["updated"])
        sub(entry, "category", term=e["type"] if e["type"] == "release" else e["change"])
        if e["type"] == "release":
            sub(entry, "link", rel="alternate", type="text/html", href=e["page"])
            sub(
                entry,
                "link",
                rel="enclosure",
                type="application/gzip",
                title="added",
                href=e["added"],
            )
            sub(
                entry,
                "link",
                rel="enclosure",
                type="application/gzip",
                title="removed",
                href=e["removed"],
            )
            sub(entry, "link", rel="related", type="application/gzip", title="dump", href=e["dump"])
            sub(
                entry,
                "content",
                f"sequence {e['sequence']}; previous {e['previous'] or '-'}; "
                f"{e['triples']['added']} triples added, {e['triples']['removed']} removed",
                type="text",
            )
        else:
            sub(entry, "link", rel="alternate", type="application/trig", href=e["nanopub"])
            for key in ("supersedes", "retracts"):
                if key in e:
                    sub(entry, "link", rel="related", title=key, href=e[key])
            sub(entry, "summary", e["title"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
