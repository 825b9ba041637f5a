"""Typed errors of the knowledge-graph core.

The web app maps each class to one HTTP status in a single error boundary; the CLI maps
them to exit codes. Messages are meant for people: they name the file, line and column,
the focus node and path, or the query position.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class. ``status`` is the HTTP status a web front should answer with."""

    status = 500

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class ConfigError(KGError):
    """A setting has an invalid value."""


class ParseError(KGError):
    """RDF or SPARQL text that does not parse; carries where it broke."""

    status = 400

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        where = ":".join(str(p) for p in (source, line, column) if p is not None)
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.line = line
        self.column = column
        self.reason = message


class QueryError(ParseError):
    """A SPARQL query or update that does not parse or cannot be evaluated."""


class ValidationFailed(KGError):
    """SHACL violations or an inconsistent ontology; ``report`` is readable text."""

    status = 422

    def __init__(self, message: str, *, report: str = "") -> None:
        super().__init__(message, detail=report)
        self.report = report


class QuoteMismatch(ValidationFailed):
    """A quote selector does not match the stored source text."""


class ReasonerUnavailable(KGError):
    """The OWL reasoner cannot run here (no Java)."""

    status = 503


class StoreError(KGError):
    """The store cannot be opened, read or written."""

    status = 503


class StoreUnavailable(StoreError):
    """A remote store is down or too slow."""


class NotFound(KGError):
    status = 404


class QueryTimeout(KGError):
    status = 503


class TooLarge(KGError):
    status = 413


class Forbidden(KGError):
    """A request the server refuses by policy (SERVICE target not allowed, LOAD, …)."""

    status = 403
