"""``kg dump [DIR]``: the whole store as downloadable files, with checksums and a manifest.

Files (all streamed from the store to disk, never built in memory):

- ``sgkg.nq.gz`` — every quad, N-Quads, gzip (the lossless dump: load it back to get the store);
- ``sgkg.trig`` — every quad, TriG (readable, with prefixes);
- ``sgkg.ttl`` — the union graph (what the SPARQL default graph answers), Turtle, distinct triples;
- ``SHA256SUMS`` — ``sha256sum -c`` compatible;
- ``manifest.json`` — ``{"generated", "store_version", "files": [{"name", "bytes", "sha256",
  "media_type", "compress_format", "quads" | "triples"}]}``; the /dumps/ page and the VoID
  description read it.

The files are written into a temporary sibling directory which then replaces ``DIR`` in one
``renameat2(RENAME_EXCHANGE)`` (two renames where that call is missing), so a reader never sees
a half-written dump or files from two different dumps.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store import Store, open_store

NQ_GZ, TRIG, TTL = "sgkg.nq.gz", "sgkg.trig", "sgkg.ttl"
PREFIXES = {
    "sg": "https://w3id.org/sgkg/ontology/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "np": "http://www.nanopub.org/nschema#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
}
_UNION = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass
class DumpFile:
    """One written file, as listed in ``manifest.json``."""

    path: Path
    sha256: str
    bytes: int
    media_type: str
    quads: int
    compress_format: str | None = None

    def manifest_entry(self) -> dict[str, Any]:
        entry = asdict(self)
        entry["name"] = self.path.name
        del entry["path"]
        if self.path.name == TTL:
            entry["triples"] = entry.pop("quads")
        return entry


class _Counter:
    """Counts the statements an iterator yields while they stream to the serializer."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            self.count += 1
            yield item


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _union_triples(store: Store) -> Iterable[ox.Triple]:
    return (ox.Triple(row["s"], row["p"], row["o"]) for row in store.query(_UNION))


def _write_files(store: Store, tmp: Path) -> list[DumpFile]:
    files: list[DumpFile] = []

    def write_quads(fh: Any, fmt: ox.RdfFormat, **kwargs: Any) -> int:
        return store.dump(fh, fmt, **kwargs)

    # mtime=0: the same store gives the same bytes (and the same checksum)
    with (
        open(tmp / NQ_GZ, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz,
    ):
        count = write_quads(gz, ox.RdfFormat.N_QUADS)
    files.append(DumpFile(tmp / NQ_GZ, "", 0, "application/n-quads", count, "application/gzip"))

    with open(tmp / TRIG, "wb") as fh:
        count = write_quads(fh, ox.RdfFormat.TRIG, prefixes=PREFIXES)
    files.append(DumpFile(tmp / TRIG, "", 0, "application/trig", count))

    counter = _Counter(_union_triples(store))
    with open(tmp / TTL, "wb") as fh:
        ox.serialize(counter, fh, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    files.append(DumpFile(tmp / TTL, "", 0, "text/turtle", counter.count))

    for f in files:
        f.sha256 = _sha256(f.path)
        f.bytes = f.path.stat().st_size
    return files


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux ``renameat2``); False when unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _publish(tmp: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(tmp, out_dir)
        return
    if _exchange(tmp, out_dir):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous dump
        return
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    os.rename(out_dir, old)
    os.rename(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def dump(store: Store, out_dir: str | os.PathLike[str]) -> list[DumpFile]:
    """Write the dump files, ``SHA256SUMS`` and ``manifest.json`` into ``out_dir`` atomically.

    Returns the data files with their checksums; paths point into ``out_dir``.
    """
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        version = store.version()
        files = _write_files(store, tmp)
        sums = "".join(f"{f.sha256}  {f.path.name}\n" for f in files)
        (tmp / "SHA256SUMS").write_text(sums, encoding="ascii")
        manifest = {
            "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "store_version": version,
            "files": [f.manifest_entry() for f in files],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        _publish(tmp, out_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(f"cannot write the dump to {out_dir}: {exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for f in files:
        f.path = out_dir / f.path.name
    return files


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The manifest of the dump in ``out_dir``, or None when there is no dump yet."""
    with contextlib.suppress(FileNotFoundError, ValueError):
        return json.loads((Path(out_dir) / "manifest.json").read_text())
    return None


def cli(args: Any, settings: dict[str, Any]) -> int:
    """``kg dump [DIR]``: print one line per file (checksum, size, statements)."""
    out_dir = Path(args.dir or settings["DUMPS"])
    files = dump(open_store(settings["STORE"], settings), out_dir)
    for f in files:
        print(f"{f.sha256}  {f.bytes:>12,} B  {f.quads:>10,} statements  {f.path}")
    print(
        f"wrote {len(files)} dump files, SHA256SUMS and manifest.json to {out_dir}", file=sys.stderr
    )
    return 0
