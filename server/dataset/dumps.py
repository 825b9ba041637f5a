"""``/dumps/``: the files `kg dump` wrote (listing from ``manifest.json``) and their download.

Downloads are byte-exact: ``sgkg.nq.gz`` is sent as ``application/gzip`` with a filename and
*no* ``Content-Encoding``, so that what a client saves is the file whose SHA-256 the manifest
and ``SHA256SUMS`` list (a ``Content-Encoding: gzip`` makes HTTP clients unpack it silently
and the checksum no longer matches). Only files the manifest names are served;
``send_from_directory`` adds safe-join semantics, so a traversal attempt is a 404.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, jsonify, render_template, request, send_from_directory

from kg.errors import NotFound
from kg.publish.void import DumpFile, read_manifest
from server.dataset import bp

CONTENT_TYPES: dict[str, str] = {
    ".gz": "application/gzip",
    ".nq": "application/n-quads",
    ".nt": "application/n-triples",
    ".trig": "application/trig",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".json": "application/json",
}
SIDE_FILES = ("SHA256SUMS", "manifest.json")


def _dumps_dir() -> Path:
    return Path(current_app.config["DUMPS"])


def _wants_json() -> bool:
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _no_dumps() -> Response:
    message = (
        "No dumps have been written yet. Run `kg dump` (it writes sgkg.nq.gz, sgkg.trig, "
        f"sgkg.ttl, SHA256SUMS and manifest.json into {current_app.config['DUMPS']})."
    )
    if _wants_json():
        response = jsonify({"status": 404, "error": "Not Found", "message": message})
    else:
        response = Response(
            render_template("dataset/no_dumps.html", message=message),
            content_type="text/html; charset=utf-8",
        )
    response.status_code = 404
    response.vary.add("Accept")
    return response


@bp.get("/dumps")
@bp.get("/dumps/")
def listing() -> Response:
    directory = _dumps_dir()
    files = read_manifest(directory)
    if not files:
        return _no_dumps()
    sums_path = directory / "SHA256SUMS"
    sums = sums_path.read_text(encoding="ascii", errors="replace") if sums_path.is_file() else ""
    if _wants_json():
        response = jsonify(
            {
                "files": [_entry(f) for f in files],
                "sha256sums": "/dumps/SHA256SUMS" if sums else None,
                "manifest": "/dumps/manifest.json",
            }
        )
    else:
        response = Response(
            render_template("dataset/dumps.html", files=files, sums=sums, entry=_entry),
            content_type="text/html; charset=utf-8",
        )
    response.vary.add("Accept")
    return response


def _entry(f: DumpFile) -> dict[str, object]:
    return {
        "name": f.name,
        "url": f"{request.host_url}dumps/{f.name}",
        "bytes": f.bytes,
        "sha256": f.sha256,
        "media_type": f.content_media_type,
        "compress_format": "application/gzip" if f.compressed else None,
        "statements": f.quads,
        "generated": f.generated,
        "store_version": f.store_version,
    }


@bp.get("/dumps/<path:filename>")
def download(filename: str) -> Response:
    directory = _dumps_dir()
    allowed = {f.name for f in read_manifest(directory)}
    if allowed:
        allowed.update(SIDE_FILES)
    if filename not in allowed:
        raise NotFound(f"no dump file {filename!r}; see /dumps/ (written by `kg dump`)")
    suffix = Path(filename).suffix.lower()
    content_type = CONTENT_TYPES.get(suffix, "text/plain; charset=utf-8")
    response = send_from_directory(
        directory.resolve(),
        filename,
        mimetype=content_type,
        as_attachment=suffix == ".gz",
        download_name=filename,
        max_age=300,
    )
    if suffix == ".gz":
        response.headers.pop("Content-Encoding", None)
    return response
