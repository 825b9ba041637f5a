"""The example questions as API operations: typed parameters declared in the ``.rq`` header.

Header syntax (one line per parameter, after ``# title:`` / ``# description:``)::

    # param: <name> <type> <default> [description…]

* ``name``: the query-string parameter (``[a-z][a-z0-9_]*``; not ``limit``, ``offset``,
  ``format``).
* ``type``: ``iri`` (an absolute IRI or a CURIE with a known prefix), ``string``, ``integer``,
  ``decimal``, ``date`` (``YYYY-MM-DD``) or ``boolean``.
* ``default``: a term *written in the query body* — a prefixed name (``country:france``), an
  IRI (``<https://…>``), a quoted string or a number. The ``.rq`` file stays a runnable query
  (the UI and ``/sparql`` show it as it is); a request with ``?name=value`` replaces every
  occurrence of that term (as a SPARQL token, never inside strings, IRIs or comments) with
  the value, written as a SPARQL term of the declared type. Values are checked first: a value
  that is not of its type is a 400 naming the parameter.

Example (``05-us-promised-and-declined.rq``)::

    # param: actor iri country:united-states  The guarantor whose commitments are listed.
    …
    ?commitment sg:guarantor country:united-states ; …

``GET /api/queries/05-us-promised-and-declined?actor=country:france`` asks about France.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from server.limits import tokens
from server.sparql.ui import Example, parse_example

TYPES = ("iri", "string", "integer", "decimal", "date", "boolean")
RESERVED = {"limit", "offset", "format"}
_PARAM = re.compile(
    r"^#\s*param\s*:\s*([a-z][a-z0-9_]*)\s+(\w+)\s+(\"(?:[^\"\\]|\\.)*\"|<[^>\s]*>|\S+)\s*(.*)$",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.IGNORECASE)
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_CURIE = re.compile(r"^([A-Za-z][\w.-]*)?:([\w.-][\w./-]*)?$")


class BadParameter(KGError):
    status = 400


class UnknownQuery(KGError):
    status = 404


class CatalogueError(KGError):
    """A ``# param:`` header that cannot be used (a curator's mistake: the test suite
    reads every header, so this never reaches a user)."""

    status = 500


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str  # the term as written in the query body
    description: str = ""


@dataclass
class ApiQuery:
    example: Example
    params: list[Param] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.example.slug

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        for tok in tokens(self.example.query):
            if tok.kind == "word" and tok.text.upper() in (
                "SELECT",
                "ASK",
                "CONSTRUCT",
                "DESCRIBE",
            ):
                return tok.text.upper()
        return "SELECT"

    @property
    def federated(self) -> bool:
        return any(
            tok.kind == "word" and tok.text.upper() == "SERVICE"
            for tok in tokens(self.example.query)
        )

    def default_value(self, param: Param) -> str:
        """The default as a request value (a CURIE's IRI, a string's content)."""
        text = param.default
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
        if text.startswith('"') and text.endswith('"'):
            return text[1:-1]
        if param.type == "iri":
            return self.expand(text) or text
        return text

    def expand(self, text: str) -> str | None:
        if _IRI.match(text):
            return text
        match = _CURIE.match(text)
        if match:
            ns = self.prefixes.get(match.group(1) or "")
            if ns is not None:
                return ns + (match.group(2) or "")
        return None

    def term(self, param: Param, value: str) -> str:
        """The request value as a SPARQL term of the parameter's type (or a 400)."""
        kind = param.type
        where = f"parameter {param.name!r} ({kind})"
        if len(value) > 2000:
            raise BadParameter(f"{where}: the value is longer than 2000 characters")
        if kind == "iri":
            iri = self.expand(value.strip())
            if iri is None or not _IRI.match(iri):
                raise BadParameter(
                    f"{where}: {value[:80]!r} is not an absolute http(s) IRI or a CURIE with "
                    f"a known prefix ({', '.join(sorted(p for p in self.prefixes if p))})"
                )
            return f"<{iri}>"
        if kind == "string":
            escaped = (
                value.replace("\\", "\\\\")
                .replace('"', '\\"')
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
            return f'"{escaped}"'
        if kind == "integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
                raise BadParameter(f"{where}: {value[:40]!r} is not a whole number")
            return str(int(value))
        if kind == "decimal":
            if not re.fullmatch(r"[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})", value.strip()):
                raise BadParameter(f"{where}: {value[:40]!r} is not a decimal number")
            return value.strip()
        if kind == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                raise BadParameter(f"{where}: {value[:40]!r} is not a date (YYYY-MM-DD)")
            return f'"{value.strip()}"^^<http://www.w3.org/2001/XMLSchema#date>'
        if kind == "boolean":
            lowered = value.strip().lower()
            if lowered not in ("true", "false"):
                raise BadParameter(f"{where}: {value[:40]!r} is not true or false")
            return lowered
        raise CatalogueError(f"{self.name}: parameter {param.name!r} has unknown type {kind!r}")

    def render(self, values: dict[str, str]) -> str:
        """The query text with the given parameter values substituted."""
        text = self.example.query
        replacements: dict[str, str] = {}
        for param in self.params:
            if param.name in values:
                replacements[param.default] = self.term(param, values[param.name])
        if not replacements:
            return text
        out = []
        for tok in tokens(text):
            if tok.kind in ("word", "iri", "string") and tok.text in replacements:
                out.append(replacements[tok.text])
            else:
                out.append(tok.text)
        return "".join(out)


def parse_params(path: Path, body: str) -> list[Param]:
    params = []
    for line in path.read_text("utf-8").splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        match = _PARAM.match(stripped)
        if not match:
            continue
        name, kind, default, description = match.groups()
        kind = kind.lower()
        if kind not in TYPES:
            raise CatalogueError(f"{path.name}: param {name}: type {kind!r} is not one of {TYPES}")
        if name.lower() in RESERVED:
            raise CatalogueError(f"{path.name}: param {name}: the name is reserved")
        if not any(t.text == default for t in tokens(body) if t.kind in ("word", "iri", "string")):
            raise CatalogueError(
                f"{path.name}: param {name}: the default {default} does not occur in the query"
            )
        params.append(Param(name.lower(), kind, default, description.strip()))
    return params


def load(path: Path) -> ApiQuery:
    example = parse_example(path)
    prefixes = {(m.group(1) or ""): m.group(2) for m in _PREFIX.finditer(example.query)}
    return ApiQuery(example, parse_params(path, example.query), prefixes)


def load_all(directory: Path) -> dict[str, ApiQuery]:
    if not directory.is_dir():
        return {}
    return {p.stem: load(p) for p in sorted(directory.glob("*.rq"))}
