"""Draft nanopubs → signed nanopubs with Trusty URIs (the nanopub toolkit, ``nanopub-sign``).

Each draft (see :mod:`kg.sources.nanopub`) is moved to the namespace ``{base}np/``, written as
TriG and signed with the project key by ``nanopub_sign.Nanopub(trig).sign(profile)``; the
toolkit computes the Trusty URI over the whole nanopub (signature included) and names it
``{base}np/RA…`` with its graphs ``…/Head``, ``…/assertion``, ``…/provenance`` and ``…/pubinfo``.
No hashing is done here.

Supersede, never overwrite. The previous release's index (slug → nanopub IRI and fingerprint,
:mod:`kg.publish.releases`) tells what was published: a claim whose fingerprint (SHA-256 of its
draft, canonical N-Quads, sorted) is unchanged keeps the released nanopub byte for byte (read
back from the release archive, so its IRI never depends on who builds or with which key); a
changed claim gets a new nanopub, and ``{base}graph/lifecycle`` says
``<new> npx:supersedes <old>`` and ``<old> dcterms:isReplacedBy <new>``; a claim that is gone
is listed there as withdrawn (``kg release`` signs its retraction nanopub). Every nanopub, old
and new, has ``dcterms:identifier "{slug}"`` in its pubinfo: the lookup from slug to nanopub.

Other graphs that name draft IRIs (the argument graph) are rewritten to the minted IRIs.

The base IRI. A nanopub is signed under the base it is published under: ``mint(…, base=B)``
takes drafts whose content is already under ``B`` (:func:`kg.sources.compile_quads` rebases
the drafts before it mints) and names them ``{B}np/RA…``. The Trusty URI and the signature
cover every IRI, so a signed nanopub is never rebased afterwards (it would fail ``check()``).
A previous release made under another base is not this base's history: it is ignored.

Cold signing. RSA in the toolkit costs ~5 ms of CPU a nanopub (the key is read once per
build; no process is started per nanopub); :func:`sign_many` splits a batch between this
process and helper processes (:mod:`kg.publish.sign_worker`), one per usable core, since the
toolkit holds the GIL while it signs. Signed nanopubs are cached (see the end of this module).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.publish import DCTERMS, DEFAULT_BASE_IRI, DRAFT_ROOT, LIFECYCLE_GRAPH, NP, NP_PREFIX, NPX
from kg.rdfio import QuadTerm, serialize_bytes

if TYPE_CHECKING:
    from nanopub_sign import NpProfile  # untyped (a compiled module): Any to mypy


@dataclass
class Previous:
    """What the last release published: slug → (nanopub IRI, fingerprint), and a way to read
    a released nanopub's quads back."""

    version: str = ""
    nanopubs: dict[str, tuple[str, str]] = field(default_factory=dict)
    retracted: dict[str, str] = field(default_factory=dict)  # slug → retracted nanopub
    #: every supersession and retraction of the releases so far ({slug, old, new | retraction})
    history: list[dict[str, str]] = field(default_factory=list)
    quads_of: Callable[[str], list[ox.Quad]] = lambda _iri: []


@dataclass
class Minted:
    quads: list[ox.Quad]
    by_slug: dict[str, str]  # slug → nanopub IRI
    signed: int = 0
    reused: int = 0
    cached: int = 0


def _canonical(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads as the store will give them back: oxigraph keeps some literals in canonical
    form (``"PT24H"^^xsd:duration`` comes back as ``"P1D"``), and a nanopub must be signed as
    it will be served, or its hash no longer matches."""
    store = ox.Store()
    store.extend(quads)
    return list(store)


def fingerprint(quads: list[ox.Quad]) -> str:
    lines = sorted(str(q) for q in quads)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _slug_of(iri: str) -> str | None:
    if not iri.startswith(DRAFT_ROOT):
        return None
    return iri[len(DRAFT_ROOT) :].split("/", 1)[0]


def _move(term: QuadTerm, old: str, new: str, new_uri: str) -> QuadTerm:
    if isinstance(term, ox.NamedNode) and term.value.startswith(old):
        rest = term.value[len(old) :]
        return ox.NamedNode(new_uri if rest == "" else new + rest)
    return term


def _moved(quads: list[ox.Quad], old: str, new: str, new_uri: str) -> list[ox.Quad]:
    return [
        ox.Quad(
            _move(q.subject, old, new, new_uri),
            q.predicate,
            _move(q.object, old, new, new_uri),
            _move(q.graph_name, old, new, new_uri),
        )
        for q in quads
    ]


def sign(quads: list[ox.Quad], profile: NpProfile) -> tuple[str, list[ox.Quad]]:
    """One nanopub (its quads, under ``{base}np/``) → (its Trusty IRI, the signed quads)."""
    import nanopub_sign

    trig = serialize_bytes(quads, ox.RdfFormat.TRIG).decode("utf-8")
    signed = nanopub_sign.Nanopub(trig).sign(profile)
    iri = signed.info()["uri"]["value"]
    out = list(ox.parse(signed.rdf().encode("utf-8"), format=ox.RdfFormat.TRIG))
    return iri, out


def _parse_signed(iri: str, rdf: str) -> tuple[str, list[ox.Quad]]:
    return iri, list(ox.parse(rdf.encode("utf-8"), format=ox.RdfFormat.TRIG))


def _sign_here(trigs: list[str], key: str) -> list[tuple[str, str]]:
    """Sign TriG drafts in this process: [(Trusty IRI, signed TriG)]."""
    import nanopub_sign

    profile = nanopub_sign.NpProfile(key)
    out = []
    for trig in trigs:
        signed = nanopub_sign.Nanopub(trig).sign(profile)
        out.append((signed.info()["uri"]["value"], signed.rdf()))
    return out


#: below this many nanopubs per process, a helper's start (~30 ms) is not worth it
PER_PROCESS = 16
WORKER = Path(__file__).with_name("sign_worker.py")


def _cores() -> int:
    """The cores this process may use, or 1 when no helper can be started: the interpreter
    is not a Python executable (an embedding server's binary)."""
    if not Path(sys.executable).name.startswith("python"):
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Helper:
    """A :mod:`kg.publish.sign_worker` process signing ``trigs`` while this one works.

    Its whole input is written before this process starts signing (into a pipe made big enough
    when the system allows): the toolkit holds the GIL for each signature, so a thread feeding
    the pipe bit by bit would starve the helper until this process is done."""

    def __init__(self, trigs: list[str], key: str) -> None:
        self.trigs, self.key = trigs, key
        self.error: BaseException | None = None
        payload = json.dumps({"key": key, "trig": trigs}).encode("utf-8")
        self.process: subprocess.Popen[bytes] | None = None
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", str(WORKER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            assert self.process.stdin is not None
            _grow_pipe(self.process.stdin.fileno(), len(payload))
            self.process.stdin.write(payload)
            self.process.stdin.close()
            self.process.stdin = None  # written: communicate() only reads
        except OSError as exc:  # could not start, or it died before reading
            self.error = exc
            self.stop()

    def stop(self) -> None:
        """End the helper (its answer is not wanted)."""
        if self.process is not None:
            self.process.kill()
            with contextlib.suppress(OSError, ValueError):  # its pipes may be broken
                self.process.communicate()
            self.process.wait()
            self.process = None

    def result(self) -> list[tuple[str, str]]:
        """The helper's answer; if it failed, the same nanopubs signed here (a helper only
        saves time: the signatures are the same wherever they are made)."""
        if self.process is not None:
            out, err = self.process.communicate()
            if self.process.returncode == 0:
                try:
                    return [(iri, rdf) for iri, rdf in json.loads(out)]
                except ValueError as exc:
                    self.error = exc
            else:
                self.error = RuntimeError(err.decode("utf-8", "replace")[-500:])
        warnings.warn(
            f"nanopub signing helper failed ({self.error}); signing here instead",
            RuntimeWarning,
            stacklevel=2,
        )
        return _sign_here(self.trigs, self.key)


def _grow_pipe(fd: int, size: int) -> None:
    """Let a pipe hold ``size`` bytes (up to 1 MiB) where Linux allows it."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux
    if setpipe is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, setpipe, min(max(size, 65536), 1 << 20))


def sign_texts(trigs: list[str], key: str) -> list[tuple[str, str]]:
    """TriG drafts → [(Trusty IRI, signed TriG)], in order: split between this process and
    one helper process per other usable core when the batch is big enough."""
    processes = max(1, min(_cores(), len(trigs) // PER_PROCESS))
    if processes == 1:
        return _sign_here(trigs, key)
    size = -(-len(trigs) // processes)
    chunks = [trigs[i : i + size] for i in range(0, len(trigs), size)]
    helpers = [_Helper(chunk, key) for chunk in chunks[1:]]
    try:
        out = _sign_here(chunks[0], key)
    except BaseException:
        for helper in helpers:
            helper.stop()
        raise
    for helper in helpers:
        out += helper.result()
    return out


def sign_many(drafts: list[list[ox.Quad]], key: str) -> list[tuple[str, list[ox.Quad]]]:
    """Sign several nanopubs (their quads, under ``{base}np/``) with the key, over the usable
    cores (see the module docs) → [(Trusty IRI, the signed quads)], in order."""
    trigs = [serialize_bytes(d, ox.RdfFormat.TRIG).decode("utf-8") for d in drafts]
    return [_parse_signed(iri, rdf) for iri, rdf in sign_texts(trigs, key)]


def mint(
    quads: list[ox.Quad],
    previous: Previous | None = None,
    *,
    profile: NpProfile | None = None,
    base: str = DEFAULT_BASE_IRI,
) -> Minted:
    """Replace every draft nanopub in ``quads`` by its signed nanopub (see module docs)."""
    previous = previous or Previous()
    drafts: dict[str, list[ox.Quad]] = defaultdict(list)
    rest: list[ox.Quad] = []
    for q in quads:
        slug = _slug_of(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else None
        (drafts[slug] if slug else rest).append(q)
    if not drafts:
        return Minted(quads, {})
    temp_ns = base + NP_PREFIX
    previous = _same_base(previous, temp_ns)
    out: list[ox.Quad] = []
    by_slug: dict[str, str] = {}
    minted = Minted(out, by_slug)
    plan: dict[str, tuple[str, list[ox.Quad]] | None] = {}
    fps: dict[str, str] = {}
    to_sign: dict[str, list[ox.Quad]] = {}
    for slug in sorted(drafts):
        draft = _canonical(_moved(drafts[slug], f"{DRAFT_ROOT}{slug}/", temp_ns, temp_ns))
        fps[slug] = fp = fingerprint(draft)
        old = previous.nanopubs.get(slug)
        kept = previous.quads_of(old[0]) if old and old[1] == fp else []
        if old and kept:
            plan[slug] = (old[0], kept)
            minted.reused += 1
        elif profile is None and (cached := _cache_get(fp, base)):
            plan[slug] = cached
            minted.cached += 1
        else:
            plan[slug] = None
            to_sign[slug] = draft
    if to_sign:
        if profile is None:
            from kg.publish.keys import private_key

            signed_all = sign_many(list(to_sign.values()), private_key())
            for slug, result in zip(to_sign, signed_all, strict=True):
                _cache_put(fps[slug], base, result[1])
        else:
            signed_all = [sign(d, profile) for d in to_sign.values()]
        plan.update(zip(to_sign, signed_all, strict=True))
        minted.signed += len(to_sign)
    for slug, planned in plan.items():
        assert planned is not None  # every slug planned None was signed just above
        iri, signed = planned
        old = previous.nanopubs.get(slug)
        by_slug[slug] = iri
        out.extend(signed)
        if old and old[0] != iri:
            out.extend(_lifecycle(base, iri, NPX + "supersedes", old[0]))
            out.extend(_lifecycle(base, old[0], DCTERMS + "isReplacedBy", iri))
            out.extend(_lifecycle(base, old[0], DCTERMS + "identifier", ox.Literal(slug)))
    for slug, (iri, _fp) in previous.nanopubs.items():
        if slug not in by_slug:  # withdrawn since the last release: `kg release` retracts it
            out.extend(_lifecycle(base, iri, DCTERMS + "identifier", ox.Literal(slug)))
    for event in previous.history:  # what earlier releases superseded and retracted
        out.extend(
            _lifecycle(base, event["old"], DCTERMS + "identifier", ox.Literal(event["slug"]))
        )
        if event.get("new"):
            out.extend(_lifecycle(base, event["new"], NPX + "supersedes", event["old"]))
            out.extend(_lifecycle(base, event["old"], DCTERMS + "isReplacedBy", event["new"]))
        if event.get("retraction"):
            out.extend(_lifecycle(base, event["retraction"], NPX + "retracts", event["old"]))
            out.extend(
                _lifecycle(
                    base, event["retraction"], DCTERMS + "identifier", ox.Literal(event["slug"])
                )
            )
    out[:] = list(dict.fromkeys(out))  # one statement once

    def final(term: QuadTerm) -> QuadTerm:
        if not isinstance(term, ox.NamedNode) or not term.value.startswith(DRAFT_ROOT):
            return term
        slug, _, tail = term.value[len(DRAFT_ROOT) :].partition("/")
        iri = by_slug.get(slug)
        if iri is None:
            return term
        return ox.NamedNode(iri + "/" + tail if tail else iri)

    out.extend(ox.Quad(final(q.subject), q.predicate, final(q.object), q.graph_name) for q in rest)
    return minted


def _same_base(previous: Previous, np_ns: str) -> Previous:
    """The previous release if its nanopubs are under ``np_ns`` (``{base}np/``), else none: a
    release made under another base IRI is not the history of this one (its nanopubs cannot
    be kept, and superseding them from here would link two publications)."""
    iris = [iri for iri, _fp in previous.nanopubs.values()]
    iris += [e[k] for e in previous.history for k in ("old", "new", "retraction") if e.get(k)]
    if all(iri.startswith(np_ns) for iri in iris):
        return previous
    return Previous()


def _lifecycle(base: str, s: str, p: str, o: str | ox.Literal) -> list[ox.Quad]:
    obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o)
    return [ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, ox.NamedNode(base + LIFECYCLE_GRAPH))]


LAST: dict[str, float | int] = {}


def mint_curated(quads: list[ox.Quad], base: str = DEFAULT_BASE_IRI) -> list[ox.Quad]:
    """The compiler's hook: mint under ``base`` (the drafts' content is already under it)
    against the last release in ``$KG_RELEASES``."""
    import time

    from kg.publish.releases import previous_release

    t = time.perf_counter()
    minted = mint(quads, previous_release(), base=base)
    LAST.update(
        seconds=time.perf_counter() - t,
        signed=minted.signed,
        reused=minted.reused,
        cached=minted.cached,
    )  # what the build adds (issue 12: under 2 s)
    return minted.quads


def unsigned(iri: str, quads: list[ox.Quad], base: str = DEFAULT_BASE_IRI) -> list[ox.Quad]:
    """A signed nanopub's quads → its draft under ``{base}np/`` (what :func:`fingerprint`
    hashed when it was minted): the signature node dropped, the Trusty namespace undone."""
    sig = ox.NamedNode(iri + "/sig")
    temp = base + NP_PREFIX
    kept = _moved([q for q in quads if q.subject != sig], iri + "/", temp, temp)
    return _undo_uri(kept, iri, temp)


def _undo_uri(quads: list[ox.Quad], iri: str, temp: str) -> list[ox.Quad]:
    node, to = ox.NamedNode(iri), ox.NamedNode(temp)
    return [
        ox.Quad(
            to if q.subject == node else q.subject,
            q.predicate,
            to if q.object == node else q.object,
            q.graph_name,
        )
        for q in quads
    ]


# --- the signing cache ----------------------------------------------------------------------
# Signing costs ~5 ms of CPU a nanopub (RSA in the toolkit); the signature is deterministic for
# one key and one content, so a nanopub signed once with the project key is kept beside the key
# (``$KG_KEYS/signed/{key id}/{base id}/{fingerprint}.trig``) and read back by the next build.
# The fingerprint covers the draft under its base, and the base has its own folder: a cache
# filled under one base IRI is never used for another (a hit is also checked to be a nanopub
# under ``{base}np/``).


def _cache_dir(base: str) -> Path:
    from kg.publish.keys import key_id, keys_dir

    base_id = hashlib.sha256(base.encode("utf-8")).hexdigest()[:16]
    return keys_dir() / "signed" / key_id() / base_id


def _cache_get(fp: str, base: str) -> tuple[str, list[ox.Quad]] | None:
    path = _cache_dir(base) / f"{fp}.trig"
    if not path.is_file():
        return None
    quads = list(ox.parse(path.read_bytes(), format=ox.RdfFormat.TRIG))
    head = ox.NamedNode(NP + "hasAssertion")
    iri = next((q.subject.value for q in quads if q.predicate == head), None)
    return (iri, quads) if iri and iri.startswith(base + NP_PREFIX) else None


def _cache_put(fp: str, base: str, quads: list[ox.Quad]) -> None:
    folder = _cache_dir(base)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{fp}.{os.getpid()}"
    tmp.write_bytes(serialize_bytes(quads, ox.RdfFormat.TRIG))
    os.replace(tmp, folder / f"{fp}.trig")
