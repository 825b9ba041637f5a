"""SERVICE: an allow-list, an SSRF guard, and our own HTTP client with a proper User-Agent.

pyoxigraph 0.5 federates with its built-in HTTP client: unrestricted, with no hook to
filter targets or set a User-Agent (``Store.query`` takes no service handler). So the
engine never sees a SERVICE clause. Before a query runs, :func:`resolve_services`

1. finds every outermost ``SERVICE [SILENT] <iri> { … }`` with the lexer of
   :mod:`server.limits` (strings, IRIs and comments skipped; prefixed names and BASE resolved);
2. refuses (403, naming the allow-list) any target that is not *exactly* an allow-listed
   endpoint after normalisation, and any ``SERVICE ?var``: other spellings of loopback
   (``127.1``, ``0x7f.1``, ``[::1]``, ``localhost.``, ``2130706433``), private and
   link-local addresses and unknown hosts never match, so nothing is connected to;
   an allow-listed *host name* that resolves to a private address is refused too
   (DNS rebinding), unless the allow-list names that address literally;
3. runs ``SELECT * WHERE { … }`` (with the query's prologue) at the endpoint with
   ``requests``: our User-Agent, a timeout bounded by the query deadline, redirects
   never followed, at most ``max_rows`` rows, SPARQL JSON results only (an XML answer is
   refused unparsed, so no DTD or entity in it is ever expanded);
4. replaces the clause by ``{ VALUES (…) { … } }`` holding the answer, which the engine
   joins locally: the SPARQL 1.1 Federated Query semantics of SERVICE evaluated on its
   own (no bound-variable push-down). Remote blank nodes become skolem IRIs
   (``urn:sgkg:bnode:…``), since VALUES cannot hold blank nodes.

After rewriting, a query that still mentions SERVICE outside strings is refused: the engine
must never get to open a connection of its own.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import pyoxigraph as ox
import requests
from flask import current_app, has_app_context

from kg.errors import Forbidden, KGError, QueryError
from kg.useragent import requests_agent
from server.limits import Token, code_tokens


@functools.lru_cache(maxsize=8)
def _agent_for(contact: str | None) -> str:
    return requests_agent(contact)


def user_agent() -> str:
    """The project's agent (kg.useragent, Wikimedia policy: name, contact, library), with
    the app's ``CONTACT`` setting (``KG_CONTACT``, read once with the other settings)."""
    contact = current_app.config.get("CONTACT") if has_app_context() else None
    return _agent_for(contact)


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class ServiceFailed(KGError):
    """An allowed SERVICE endpoint failed (and the clause was not SILENT)."""

    status = 502


@dataclass(frozen=True)
class ServiceClause:
    start: int  # offset of the SERVICE keyword
    end: int  # offset after the closing brace
    target: str | None  # resolved IRI; None for SERVICE ?var
    silent: bool
    group: str  # "{ … }" text sent to the endpoint


def normalize_endpoint(url: str) -> str:
    """Lower-case scheme and host, default ports dropped, empty path → ``/``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = -1
    netloc = host
    if port not in (None, {"http": 80, "https": 443}.get(scheme)):
        netloc = f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def mentions_service(text: str) -> bool:
    """Cheap pre-filter: most queries never say SERVICE at all."""
    return "service" in text.lower()


def find_services(text: str) -> list[ServiceClause]:
    """The outermost SERVICE clauses of a query, with targets resolved."""
    toks = code_tokens(text)
    prefixes: dict[str, str] = {}
    base: str | None = None
    clauses: list[ServiceClause] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            iri = toks[i + 2].text[1:-1]
            prefixes[toks[i + 1].text.rstrip(":")] = urljoin(base, iri) if base else iri
            i += 3
            continue
        if word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            iri = toks[i + 1].text[1:-1]
            base = urljoin(base, iri) if base else iri
            i += 2
            continue
        if word == "SERVICE":
            clause, i = _service_at(text, toks, i, prefixes, base)
            clauses.append(clause)
            continue
        i += 1
    return clauses


def _service_at(
    text: str, toks: list[Token], i: int, prefixes: dict[str, str], base: str | None
) -> tuple[ServiceClause, int]:
    start = toks[i].start
    j = i + 1
    silent = j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT"
    if silent:
        j += 1
    if j >= len(toks):
        raise QueryError("SERVICE without an endpoint IRI")
    target_tok = toks[j]
    target: str | None
    if target_tok.kind == "var":
        target = None
    elif target_tok.kind == "iri":
        iri = target_tok.text[1:-1]
        target = urljoin(base, iri) if base else iri
    elif target_tok.kind == "word" and ":" in target_tok.text:
        prefix, _, local = target_tok.text.partition(":")
        if prefix not in prefixes:
            raise QueryError(f"SERVICE {target_tok.text}: undeclared prefix {prefix}:")
        target = prefixes[prefix] + local
    else:
        raise QueryError(f"SERVICE must be followed by an IRI, not {target_tok.text!r}")
    j += 1
    if j >= len(toks) or toks[j].text != "{":
        raise QueryError(f"SERVICE {target_tok.text} must be followed by a group {{ … }}")
    depth = 0
    for k in range(j, len(toks)):
        if toks[k].kind != "punct":
            continue
        if toks[k].text == "{":
            depth += 1
        elif toks[k].text == "}":
            depth -= 1
            if depth == 0:
                group = text[toks[j].start : toks[k].end]
                return ServiceClause(start, toks[k].end, target, silent, group), k + 1
    raise QueryError(f"SERVICE {target_tok.text}: unbalanced braces")


def _prologue(text: str, first_clause_start: int) -> str:
    """PREFIX and BASE declarations of the query, to send along with the pattern."""
    toks = code_tokens(text[:first_clause_start])
    parts: list[str] = []
    i = 0
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(toks):
            parts.append(f"PREFIX {toks[i + 1].text} {toks[i + 2].text}")
            i += 3
        elif word == "BASE" and i + 1 < len(toks):
            parts.append(f"BASE {toks[i + 1].text}")
            i += 2
        else:
            i += 1
    return "\n".join(parts)


# --- the guard --------------------------------------------------------------------------


def _is_public_ip(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_target(target: str | None, allow: tuple[str, ...]) -> str:
    """The normalised endpoint if SERVICE may call it; else :class:`Forbidden` (403)."""
    allowed = ", ".join(allow) if allow else "(empty: SERVICE is disabled)"
    if target is None:
        raise Forbidden(
            "SERVICE with a variable endpoint is refused; SERVICE may only call "
            f"these endpoints (KG_FEDERATION_ALLOW): {allowed}"
        )
    normalized = normalize_endpoint(target)
    if normalized not in {normalize_endpoint(a) for a in allow}:
        raise Forbidden(
            f"SERVICE <{target}> is not allowed; SERVICE may only call these endpoints "
            f"(KG_FEDERATION_ALLOW): {allowed}"
        )
    host = urlsplit(normalized).hostname or ""
    try:
        ipaddress.ip_address(host)
        return normalized  # an address the operator listed literally
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise ServiceFailed(f"SERVICE <{target}>: cannot resolve {host}: {exc}") from exc
    for info in infos:
        if not _is_public_ip(str(info[4][0])):
            raise Forbidden(
                f"SERVICE <{target}>: {host} resolves to the non-public address "
                f"{info[4][0]}; refused"
            )
    return normalized


# --- calling and rewriting --------------------------------------------------------------


def _term(value: dict[str, str]) -> str:
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return str(ox.NamedNode(text))
    if kind == "bnode":
        return str(ox.NamedNode("urn:sgkg:bnode:" + "".join(c for c in text if c.isalnum())))
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return str(ox.Literal(text, language=value["xml:lang"]))
        datatype = value.get("datatype", XSD_STRING)
        return str(ox.Literal(text, datatype=ox.NamedNode(datatype)))
    raise ValueError(f"unsupported term type {kind!r}")


def _values_block(answer: dict, max_rows: int, target: str) -> str:
    try:
        variables = list(answer["head"].get("vars", []))
        bindings = answer["results"]["bindings"]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ServiceFailed(f"SERVICE <{target}> answered with malformed JSON results") from exc
    if len(bindings) > max_rows:
        raise ServiceFailed(
            f"SERVICE <{target}> returned more than KG_MAX_ROWS = {max_rows} rows; "
            "add a LIMIT inside the SERVICE clause"
        )
    try:
        rows = [
            "(" + " ".join(_term(b[v]) if v in b else "UNDEF" for v in variables) + ")"
            for b in bindings
        ]
    except (ValueError, TypeError, KeyError) as exc:
        raise ServiceFailed(f"SERVICE <{target}> returned an invalid term: {exc}") from exc
    head = " ".join("?" + v for v in variables)
    return f"{{ VALUES ({head}) {{ {' '.join(rows)} }} }}"


def _call(endpoint: str, query: str, deadline: float, target: str) -> dict:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ServiceFailed(f"SERVICE <{target}>: no time left before the query deadline")
    try:
        response = requests.post(
            endpoint,
            data={"query": query},
            headers={
                "Accept": "application/sparql-results+json",
                "User-Agent": user_agent(),
            },
            timeout=(min(remaining, 10.0), remaining),
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        raise ServiceFailed(f"SERVICE <{target}> failed: {exc.__class__.__name__}") from exc
    if 300 <= response.status_code < 400:
        raise ServiceFailed(
            f"SERVICE <{target}> answered with a redirect ({response.status_code}); "
            "redirects are not followed"
        )
    if response.status_code != 200:
        raise ServiceFailed(f"SERVICE <{target}> answered with HTTP {response.status_code}")
    media = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if "xml" in media:  # XML results are never parsed here: no entity expansion to fear
        raise ServiceFailed(
            f"SERVICE <{target}> answered {media}; only SPARQL JSON results are accepted"
        )
    try:
        return response.json()
    except ValueError as exc:
        raise ServiceFailed(f"SERVICE <{target}> did not answer with SPARQL JSON") from exc


def resolve_services(text: str, allow: tuple[str, ...], *, deadline: float, max_rows: int) -> str:
    """The query with every SERVICE clause checked, executed and inlined (see module doc).

    All targets are checked before the first connection is made.
    """
    if not mentions_service(text):
        return text
    clauses = find_services(text)
    endpoints = [check_target(c.target, allow) for c in clauses]
    prologue = _prologue(text, clauses[0].start) if clauses else ""
    pieces: list[str] = []
    position = 0
    for clause, endpoint in zip(clauses, endpoints, strict=True):
        remote = f"{prologue}\nSELECT * WHERE {clause.group}"
        assert clause.target is not None
        try:
            block = _values_block(
                _call(endpoint, remote, deadline, clause.target), max_rows, clause.target
            )
        except ServiceFailed:
            if not clause.silent:
                raise
            block = "{ }"  # SILENT: one empty solution, as the spec says
        pieces.append(text[position : clause.start])
        pieces.append(block)
        position = clause.end
    pieces.append(text[position:])
    rewritten = "".join(pieces)
    leftover = [
        t
        for t in code_tokens(rewritten)
        if t.kind == "word" and t.text.upper() == "SERVICE"  # keyword, not a prefixed name
    ]
    if leftover:
        raise Forbidden("the query still contains a SERVICE clause that could not be checked")
    return rewritten
