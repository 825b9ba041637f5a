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


class MemoryLimit(KGError):
    """A request or query process reached ``KG_MAX_MEMORY_MB``."""

    status = 503


class RateLimited(KGError):
    """A client went over its budget (``KG_RATE_LIMIT_*``); ``retry_after`` in seconds."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


#: words in a pyoxigraph RuntimeError that mean the storage failed, not the query
_STORAGE_WORDS = ("rocksdb", "corrupt", "storage", "io error", "i/o error")
_NO_SPACE = ("no space left", "disk quota", "enospc", "read-only file system")


def engine_error(exc: BaseException, *, what: str = "query") -> KGError:
    """The one mapping from what the query engine (pyoxigraph) raises to a typed error.

    Everything a user can cause is a 4xx naming the problem: a syntax error (400, with its
    position when the engine gives one), an evaluation error such as an unsupported custom
    function (``RuntimeError``, 400), a bad argument (``ValueError``, 400). Storage failures
    are 503 (a full disk says so), memory exhaustion 503 naming ``KG_MAX_MEMORY_MB``; anything
    else is a server fault (500)."""
    if isinstance(exc, KGError):
        return exc
    message = str(exc) or exc.__class__.__name__
    if isinstance(exc, MemoryError):
        return MemoryLimit(
            f"the {what} needed more memory than its limit (KG_MAX_MEMORY_MB) and was stopped"
        )
    if isinstance(exc, SyntaxError):  # with its line and column (kg.store.positions)
        from kg.store.positions import engine_error as positioned  # noqa: PLC0415

        return positioned(exc)
    if isinstance(exc, OSError):
        return storage_error(exc)
    if isinstance(exc, RuntimeError):
        if any(word in message.lower() for word in _STORAGE_WORDS):
            return storage_error(exc)
        return QueryError(f"the {what} cannot be evaluated: {message}")
    if isinstance(exc, ValueError | TypeError):
        return QueryError(f"the {what} is not valid: {message}")
    return KGError(f"the {what} failed: {exc.__class__.__name__}")


def storage_error(exc: BaseException) -> StoreError:
    """An OS or storage failure as a 503; a full disk is named as such."""
    message = str(exc) or exc.__class__.__name__
    errno_value = getattr(exc, "errno", None)
    if errno_value in (28, 122, 30) or any(word in message.lower() for word in _NO_SPACE):
        return StoreError(
            "the store cannot be written: its disk is full or read-only; nothing was changed"
        )
    return StoreError(f"the store failed: {message}")


#: what remote SPARQL servers say (with a 5xx) about a query that only the client can fix
_USER_CAUSED = ("custom function", "is not supported", "undefined function", "unknown function")


def user_caused(message: str) -> bool:
    """True when a server's error message is about the query, not about the server."""
    lowered = message.lower()
    return any(phrase in lowered for phrase in _USER_CAUSED)
