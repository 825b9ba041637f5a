"""Releases on disk: ``$KG_RELEASES`` (default ``./var/releases``), one folder per version.

``kg release [VERSION]`` (default: today's date) freezes what the store holds now::

    var/releases/2026-11-30/
      release.json        version, IRI {base}release/{version}, issued, previous version,
                          store version, every file with its SHA-256 and size
      SHA256SUMS          sha256sum -c compatible, every file below
      dumps/              kg.publish.dump's files: sgkg.nq.gz, sgkg.trig, sgkg.ttl (+ its manifest)
      index.json          slug → {np, fingerprint} of the release's nanopubs; the retracted
                          ones; this is how the next build knows the previous version
      nanopubs.nq.gz      the archive: every nanopub ever released (current, superseded,
                          retraction nanopubs), signed, byte-stable: old ones stay retrievable
      diff.json           against the previous release: nanopubs added / superseded /
                          retracted; triples added and removed per graph
      diff.ttl            the same in RDF (DCAT version chain, npx:supersedes, npx:retracts)
      added.nq.gz         the quads added since the previous release (a mirror applies
      removed.nq.gz       removed then added; for the first release: added = everything)

A release is never overwritten: a VERSION that exists is refused.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import settings as kg_settings
from kg.errors import KGError, NotFound
from kg.publish import DCTERMS, NP, NP_PREFIX, NPX
from kg.publish.mint import Previous, fingerprint, sign, unsigned
from kg.rdfio import gzip_stream, open_input, serialize_bytes
from kg.sources.vocab import CURATOR, DEFAULT_BASE_IRI

VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
DCAT = "http://www.w3.org/ns/dcat#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"


def releases_dir() -> Path:
    """``KG_RELEASES`` (the settings table)."""
    return Path(kg_settings.get("RELEASES"))


@dataclass
class Release:
    version: str
    path: Path
    meta: dict[str, Any]

    @property
    def issued(self) -> str:
        return str(self.meta.get("issued", ""))

    @property
    def previous(self) -> str | None:
        return self.meta.get("previous")

    def index(self) -> dict[str, Any]:
        return json.loads((self.path / "index.json").read_text(encoding="utf-8"))

    def diff(self) -> dict[str, Any]:
        return json.loads((self.path / "diff.json").read_text(encoding="utf-8"))


def list_releases(root: Path | None = None) -> list[Release]:
    """Every complete release, oldest first (by issue time, then version)."""
    root = root or releases_dir()
    found = []
    if root.is_dir():
        for child in root.iterdir():
            meta_file = child / "release.json"
            if child.is_dir() and VERSION.match(child.name) and meta_file.is_file():
                try:
                    meta = json.loads(meta_file.read_text(encoding="utf-8"))
                except ValueError:
                    continue
                found.append(Release(child.name, child, meta))
    found.sort(key=lambda r: (r.issued, r.version))
    return found


def get_release(version: str, root: Path | None = None) -> Release:
    for r in list_releases(root):
        if r.version == version:
            return r
    raise NotFound(f"no release {version!r}")


@lru_cache(maxsize=8)
def _archive(path: str, mtime: float) -> dict[str, list[ox.Quad]]:
    """Archive file → nanopub IRI → its quads (by graph name: ``{np}/…``)."""
    by_np: dict[str, list[ox.Quad]] = {}
    with open_input(path) as fh:
        for q in ox.parse(fh, format=ox.RdfFormat.N_QUADS):
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            np_iri = g.rsplit("/", 1)[0]
            by_np.setdefault(np_iri, []).append(q)
    return by_np


def archive(release: Release) -> dict[str, list[ox.Quad]]:
    path = release.path / "nanopubs.nq.gz"
    if not path.is_file():
        return {}
    return _archive(str(path), path.stat().st_mtime)


def archived_nanopub(iri: str, root: Path | None = None) -> list[ox.Quad]:
    """A released nanopub's quads, from the newest archive (it holds every one ever)."""
    releases = list_releases(root)
    return archive(releases[-1]).get(iri, []) if releases else []


def previous_release(root: Path | None = None) -> Previous:
    releases = list_releases(root)
    if not releases:
        return Previous()
    last = releases[-1]
    index = last.index()
    by_np = archive(last)
    return Previous(
        version=last.version,
        nanopubs={s: (e["np"], e["fingerprint"]) for s, e in index["nanopubs"].items()},
        retracted={s: e["np"] for s, e in index.get("retracted", {}).items()},
        history=index.get("history", []),
        quads_of=lambda iri: by_np.get(iri, []),
    )


# --- making a release ---------------------------------------------------------------------


def _store_quads(store: Any) -> list[ox.Quad]:
    return list(store.quads_for_pattern(None, None, None, None))


def current_nanopubs(quads: list[ox.Quad], base: str) -> dict[str, tuple[str, list[ox.Quad]]]:
    """slug → (nanopub IRI, its quads) for the nanopubs under ``{base}np/`` in ``quads``."""
    prefix = base + NP_PREFIX
    graphs: dict[str, list[ox.Quad]] = {}
    for q in quads:
        g = q.graph_name
        if isinstance(g, ox.NamedNode) and g.value.startswith(prefix):
            graphs.setdefault(g.value.rsplit("/", 1)[0], []).append(q)
    out: dict[str, tuple[str, list[ox.Quad]]] = {}
    ident = ox.NamedNode(DCTERMS + "identifier")
    for iri, qs in graphs.items():
        slug = next(
            (
                q.object.value
                for q in qs
                if isinstance(q.subject, ox.NamedNode)
                and q.subject.value == iri
                and q.predicate == ident
                and not isinstance(q.object, ox.Triple)
            ),
            None,
        )
        if slug:
            out[slug] = (iri, qs)
    return out


def _write_nq_gz(path: Path, quads: list[ox.Quad]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        ox.serialize(sorted(quads, key=str), gzip_stream(gz), ox.RdfFormat.N_QUADS)


def _read_nq_gz(path: Path) -> list[ox.Quad]:
    if not path.is_file():
        return []
    with open_input(path) as fh:
        return list(ox.parse(fh, format=ox.RdfFormat.N_QUADS))


def retraction(old_iri: str, slug: str, base: str, today: str, profile: Any) -> tuple[str, list]:
    """A signed retraction nanopub for ``old_iri``. The toolkit rewrites IRIs under the draft
    namespace ``{base}np/``, so the retracted nanopub is named by a literal (``xsd:anyURI``)
    inside it; ``diff.ttl`` and ``graph/lifecycle`` state ``<this> npx:retracts <old>``."""
    temp = base + NP_PREFIX
    n = ox.NamedNode
    this, head, a, p, i = (
        n(temp),
        n(temp + "Head"),
        n(temp + "assertion"),
        n(temp + "provenance"),
        n(temp + "pubinfo"),
    )
    curator = n(base + CURATOR)
    quads = [
        ox.Quad(this, n(RDF + "type"), n(NP + "Nanopublication"), head),
        ox.Quad(this, n(NP + "hasAssertion"), a, head),
        ox.Quad(this, n(NP + "hasProvenance"), p, head),
        ox.Quad(this, n(NP + "hasPublicationInfo"), i, head),
        ox.Quad(curator, n(NPX + "retracts"), ox.Literal(old_iri, datatype=n(XSD + "anyURI")), a),
        ox.Quad(a, n(PROV + "wasAttributedTo"), curator, p),
        ox.Quad(this, n(DCTERMS + "created"), ox.Literal(today, datatype=n(XSD + "date")), i),
        ox.Quad(this, n(DCTERMS + "identifier"), ox.Literal(slug), i),
        ox.Quad(this, n(PROV + "wasAttributedTo"), curator, i),
        ox.Quad(this, n(RDF + "type"), n(NPX + "RetractionNanopub"), i),
    ]
    return sign(quads, profile)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_release(
    store: Any,
    version: str | None = None,
    *,
    base: str = DEFAULT_BASE_IRI,
    root: Path | None = None,
    profile: Any = None,
) -> Release:
    """Freeze the store as release ``version`` (see the module docs); returns it."""
    from kg.publish.dump import dump

    root = root or releases_dir()
    now = dt.datetime.now(dt.UTC)
    version = version or now.date().isoformat()
    if not VERSION.match(version):
        raise KGError(f"release version {version!r}: letters, digits, '.', '-', '_' only")
    if (root / version).exists():
        raise KGError(f"release {version} exists already in {root}: a release is never rewritten")
    releases = list_releases(root)
    prev = releases[-1] if releases else None
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{version}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        dump(store, tmp / "dumps")
        quads = _store_quads(store)
        current = current_nanopubs(quads, base)
        prev_index = prev.index() if prev else {"nanopubs": {}, "retracted": {}}
        prev_archive = archive(prev) if prev else {}

        added, superseded, retracted = [], [], []
        new_archive: dict[str, list[ox.Quad]] = dict(prev_archive)
        index: dict[str, Any] = {"version": version, "nanopubs": {}, "retracted": {}}
        for slug, (iri, qs) in sorted(current.items()):
            index["nanopubs"][slug] = {
                "np": iri,
                "fingerprint": fingerprint(unsigned(iri, qs, base)),
            }
            new_archive[iri] = qs
            old = prev_index["nanopubs"].get(slug)
            if old is None:
                added.append({"slug": slug, "np": iri})
            elif old["np"] != iri:
                superseded.append({"slug": slug, "np": iri, "supersedes": old["np"]})
        index["retracted"] = dict(prev_index.get("retracted", {}))
        for slug, old in sorted(prev_index["nanopubs"].items()):
            if slug not in current:
                if profile is None:
                    from kg.publish.keys import profile as project_profile

                    profile = project_profile()
                r_iri, r_quads = retraction(old["np"], slug, base, now.date().isoformat(), profile)
                new_archive[r_iri] = r_quads
                retracted.append({"slug": slug, "np": r_iri, "retracts": old["np"]})
                index["retracted"][slug] = {"np": old["np"], "retraction": r_iri}
        index["history"] = list(prev_index.get("history", []))
        index["history"] += [
            {"slug": e["slug"], "old": e["supersedes"], "new": e["np"], "release": version}
            for e in superseded
        ]
        index["history"] += [
            {"slug": e["slug"], "old": e["retracts"], "retraction": e["np"], "release": version}
            for e in retracted
        ]
        (tmp / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
        _write_nq_gz(tmp / "nanopubs.nq.gz", [q for qs in new_archive.values() for q in qs])

        before = set(_read_nq_gz(prev.path / "dumps" / "sgkg.nq.gz")) if prev else set()
        after = set(quads)
        plus, minus = after - before, before - after
        _write_nq_gz(tmp / "added.nq.gz", list(plus))
        _write_nq_gz(tmp / "removed.nq.gz", list(minus))
        per_graph: dict[str, dict[str, int]] = {}
        for label, part in (("added", plus), ("removed", minus)):
            named = (q.graph_name for q in part if not isinstance(q.graph_name, ox.DefaultGraph))
            for g, count in Counter(str(name.value) for name in named).items():
                per_graph.setdefault(g, {"added": 0, "removed": 0})[label] = count
        iri = f"{base}release/{version}"
        diff = {
            "version": version,
            "release": iri,
            "previous": prev.version if prev else None,
            "nanopubs": {"added": added, "superseded": superseded, "retracted": retracted},
            "triples": {"added": len(plus), "removed": len(minus), "total": len(after)},
            "graphs": dict(sorted(per_graph.items())),
        }
        (tmp / "diff.json").write_text(json.dumps(diff, indent=1) + "\n")
        meta = {
            "version": version,
            "iri": iri,
            "issued": now.isoformat(timespec="seconds"),
            "previous": prev.version if prev else None,
            "store_version": store.version(),
            "nanopubs": len(current),
        }
        (tmp / "diff.ttl").write_bytes(_diff_rdf(diff, meta, base))
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        meta["files"] = [
            {"name": str(p.relative_to(tmp)), "bytes": p.stat().st_size, "sha256": _sha256(p)}
            for p in files
        ]
        (tmp / "SHA256SUMS").write_text(
            "".join(f"{f['sha256']}  {f['name']}\n" for f in meta["files"]), encoding="ascii"
        )
        (tmp / "release.json").write_text(json.dumps(meta, indent=1) + "\n")
        os.rename(tmp, root / version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return get_release(version, root)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _diff_rdf(diff: dict[str, Any], meta: dict[str, Any], base: str) -> bytes:
    n = ox.NamedNode
    rel = n(meta["iri"])
    t = [
        ox.Triple(rel, n(RDF + "type"), n(DCAT + "Dataset")),
        ox.Triple(rel, n(DCAT + "version"), ox.Literal(meta["version"])),
        ox.Triple(
            rel, n(DCTERMS + "issued"), ox.Literal(meta["issued"], datatype=n(XSD + "dateTime"))
        ),
        ox.Triple(rel, n(DCTERMS + "isVersionOf"), n(base + "void")),
        ox.Triple(rel, n(VOID + "triples"), _int(diff["triples"].get("total", 0))),
    ]
    if meta.get("previous"):
        t.append(
            ox.Triple(rel, n(DCAT + "previousVersion"), n(f"{base}release/{meta['previous']}"))
        )
    for e in diff["nanopubs"]["added"]:
        t.append(ox.Triple(rel, n(DCTERMS + "hasPart"), n(e["np"])))
    for e in diff["nanopubs"]["superseded"]:
        t.append(ox.Triple(rel, n(DCTERMS + "hasPart"), n(e["np"])))
        t.append(ox.Triple(n(e["np"]), n(NPX + "supersedes"), n(e["supersedes"])))
        t.append(ox.Triple(n(e["supersedes"]), n(DCTERMS + "isReplacedBy"), n(e["np"])))
    for e in diff["nanopubs"]["retracted"]:
        t.append(ox.Triple(n(e["np"]), n(NPX + "retracts"), n(e["retracts"])))
    # per graph: the quads added and removed, as VoID subsets of the release (the quads
    # themselves are in added.nq.gz / removed.nq.gz, the subsets' void:dataDump)
    files = f"{meta['iri']}/"
    for i, (g, counts) in enumerate(diff["graphs"].items()):
        for change in ("added", "removed"):
            part = n(f"{meta['iri']}#{change}-{i + 1}")
            t += [
                ox.Triple(rel, n(VOID + "subset"), part),
                ox.Triple(part, n(RDF + "type"), n(VOID + "Dataset")),
                ox.Triple(part, n(DCTERMS + "title"), ox.Literal(f"quads {change} in <{g}>")),
                ox.Triple(part, n(DCTERMS + "subject"), n(g)),
                ox.Triple(part, n(VOID + "triples"), _int(counts[change])),
                ox.Triple(part, n(VOID + "dataDump"), n(f"{files}{change}.nq.gz")),
            ]
    prefixes = {"dcat": DCAT, "dcterms": DCTERMS, "npx": NPX, "void": VOID, "xsd": XSD}
    return serialize_bytes(t, ox.RdfFormat.TURTLE, prefixes=prefixes)


def cli(args: Any, settings: dict[str, Any]) -> int:
    """``kg release [VERSION]``."""
    import sys

    from kg.store import open_store

    release = make_release(
        open_store(settings["STORE"]),
        args.version,
        base=settings["BASE_IRI"],
        root=Path(settings["RELEASES"]),
    )
    diff = release.diff()
    nps = diff["nanopubs"]
    print(
        f"release {release.version} <{release.meta['iri']}> in {release.path}: "
        f"{release.meta['nanopubs']} nanopubs ({len(nps['added'])} added, "
        f"{len(nps['superseded'])} superseded, {len(nps['retracted'])} retracted); "
        f"{diff['triples']['added']} triples added, {diff['triples']['removed']} removed "
        f"since {diff['previous'] or 'nothing (first release)'}"
    )
    for f in release.meta["files"]:
        print(f"{f['sha256']}  {f['bytes']:>12,} B  {f['name']}", file=sys.stderr)
    return 0
