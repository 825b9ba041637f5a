"""``kg load``: bulk-load external RDF files into the store, atomically and fast.

This module plans a load (which file's statements go to which graph) and hands the plans to
the store (:meth:`kg.store.Store.bulk_load`): the embedded store writes them into one new
generation with several parser threads (:mod:`kg.store.embedded_load`), a remote store sends
them in resumable chunks to staging graphs published by one update (:mod:`kg.store.bulk`).
Either way a file that breaks on line 3 of 10 million leaves the published store as it was,
and ``--replace`` swaps the target graphs atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import rdfio
from kg.errors import ParseError
from kg.store import LoadPlan, LoadReport, Store, import_graph_iri, open_store

DEFAULT_BASE = "https://w3id.org/sgkg/"


def import_graph(path: str | os.PathLike[str], base_iri: str = DEFAULT_BASE) -> str:
    """``{base}graph/import/{slug-of-file-stem}``: where a file's triples go by default."""
    return import_graph_iri(path, base_iri)


def _check_iri(iri: str) -> str:
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise ParseError(f"invalid graph IRI {iri!r}: {exc}") from exc
    if ":" not in iri:
        raise ParseError(f"graph IRI {iri!r} is not absolute")
    return iri


def _plan(
    paths: Iterable[str | os.PathLike[str]], graph: str | None, base_iri: str
) -> list[LoadPlan]:
    plans = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise ParseError("no such file", source=str(path))
        fmt = rdfio.guess_format(path)
        if fmt == ox.RdfFormat.RDF_XML:  # before any write: the bulk loader expands entities
            rdfio.refuse_dtd_file(path)
        to_graph = graph or import_graph(path, base_iri)
        keep = fmt.supports_datasets and not graph
        plans.append(LoadPlan(path, fmt, to_graph, keep, path.stat().st_size))
    return plans


def load_files(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    graph: str | None = None,
    replace: bool = False,
    progress: bool = True,
    base_iri: str = DEFAULT_BASE,
    lenient: bool = False,
    workers: int | None = None,
    chunk_bytes: int | None = None,
) -> LoadReport:
    """Load RDF files into ``store`` in one atomic write; see the module docstring.

    Triples of triple formats go to ``graph`` or to :func:`import_graph` of their file; quads
    keep their graphs unless ``graph`` is given (a dataset's default-graph quads go where
    triples go: everything in the store lives in a named graph). ``replace`` empties the
    target graphs first (for a quad file without ``graph``: the graphs the file names). Raises
    :class:`ParseError` (``file:line:column``) and leaves the store unchanged on bad input.
    """
    if graph is not None:
        _check_iri(graph)
    plans = _plan(paths, graph, base_iri)
    return store.bulk_load(
        plans,
        replace=replace,
        progress=progress,
        lenient=lenient,
        base_iri=base_iri,
        workers=workers,
        chunk_bytes=chunk_bytes,
    )


# --- command line ---------------------------------------------------------------------------------


def cli(args: Any, settings: dict[str, Any]) -> int:
    """``kg load FILE… [--graph IRI] [--replace] [--no-progress] [--lenient]``."""
    store = open_store(settings["STORE"], settings)
    report = load_files(
        store,
        args.files,
        graph=args.graph,
        replace=args.replace,
        progress=not args.no_progress,
        base_iri=settings["BASE_IRI"],
        lenient=bool(getattr(args, "lenient", False)),
    )
    from kg.indexes import facets, search  # noqa: PLC0415 (indexes of the new version)

    search.ensure(store, settings["BASE_IRI"])
    facets.ensure(store, settings["BASE_IRI"])  # /browse's facets of the same version
    print(report.summary())
    return 0
