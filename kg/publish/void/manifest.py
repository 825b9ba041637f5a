"""The dumps as ``kg dump`` listed them in ``manifest.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.publish.void.vocab import (
    DUMP_MEDIA_TYPES,
)

# --- dumps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DumpFile:
    """One entry of ``manifest.json`` (the contract of ``kg dump``)."""

    name: str
    bytes: int
    sha256: str
    media_type: str
    quads: int | None = None
    generated: str | None = None
    store_version: str | None = None

    @property
    def compressed(self) -> bool:
        return self.name.endswith(".gz")

    @property
    def content_media_type(self) -> str:
        """The media type of the RDF inside (a ``.gz`` is N-Quads etc., gzipped)."""
        inner = self.name.removesuffix(".gz").rsplit(".", 1)[-1].lower()
        declared = self.media_type.split(";", 1)[0].strip().lower()
        if declared and declared not in ("application/gzip", "application/x-gzip"):
            return declared
        return DUMP_MEDIA_TYPES.get(inner, "application/octet-stream")


def read_manifest(dumps_dir: str | Path | None) -> list[DumpFile]:
    """The dumps listed in ``manifest.json`` that exist on disk; [] when there are none.

    A manifest that does not parse is treated as no dumps (the listing explains `kg dump`)
    rather than failing the whole description.
    """
    if dumps_dir is None:
        return []
    path = Path(dumps_dir) / "manifest.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    top: dict[str, Any] = {}
    if isinstance(entries, dict):  # {"generated", "store_version", "files": [...]}
        top = entries
        entries = entries.get("files", [])
    files: list[DumpFile] = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            name = str(entry["name"])
            if "/" in name or name.startswith(".") or not (Path(dumps_dir) / name).is_file():
                continue
            count = entry.get("quads", entry.get("triples"))
            files.append(
                DumpFile(
                    name=name,
                    bytes=int(entry["bytes"]),
                    sha256=str(entry["sha256"]).lower(),
                    media_type=str(entry.get("media_type") or ""),
                    quads=int(count) if count is not None else None,
                    generated=entry.get("generated") or top.get("generated"),
                    store_version=entry.get("store_version") or top.get("store_version"),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return files
