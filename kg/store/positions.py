"""The one parser of engine error positions: text from pyoxigraph or a SPARQL server → a
typed error with line and column.

Forms seen:

* pyoxigraph query/update parser: ``error at 3:11: expected …``
* pyoxigraph RDF parsers (a ``SyntaxError`` with ``lineno``/``offset``):
  ``Parser error between line 3 column 11 and line 4 column 1: Unexpected end of file``
* SPARQL servers (Oxigraph server, Fuseki): ``… at line 3, column 11 …``,
  ``… line 3 column 11 …``; Virtuoso: ``SPARQL compiler, line 3: syntax error …``
"""

from __future__ import annotations

import re

from kg.errors import ParseError, QueryError

_ENGINE = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)
_SERVER = re.compile(
    r"(?:line|at)\s+(\d+)(?:\s*,\s*column\s+|\s+column\s+|:|\s+between\s+columns\s+)(\d+)"
)
_SERVER_LINE = re.compile(r"\bline\s+(\d+)")


def split_position(text: str, *, server: bool = False) -> tuple[str, int | None, int | None]:
    """``(message, line, column)``: the position moved out of the message when it leads
    (pyoxigraph's form); with ``server``, else found anywhere in it (message kept)."""
    match = _ENGINE.match(text)
    if match:
        return match.group(3), int(match.group(1)), int(match.group(2))
    found = _SERVER.search(text) if server else None
    if found:
        return text, int(found.group(1)), int(found.group(2))
    only_line = _SERVER_LINE.search(text) if server else None
    if only_line:  # Virtuoso: "SPARQL compiler, line 3: syntax error at '}'"
        return text, int(only_line.group(1)), None
    return text, None, None


def engine_error(
    exc: BaseException | str, source: str | None = None, *, server: bool = False
) -> QueryError:
    """A query/update refused by the engine (``server``: a remote server's message) →
    :class:`QueryError` with line and column."""
    message, line, column = split_position(str(exc), server=server)
    return QueryError(message, source=source, line=line, column=column)


def rdf_error(exc: SyntaxError, source: str, line_map: object = None) -> ParseError:
    """pyoxigraph's RDF ``SyntaxError`` → :class:`ParseError` with file:line:column.
    ``line_map`` (a callable) maps the parsed document's line to the file's."""
    message = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
    if ": " in message and message.startswith(("Parser error", "error at")):
        message = message.split(": ", 1)[1]
    line = exc.lineno
    if callable(line_map):
        line = line_map(line or 1)
    return ParseError(message, source=source, line=line, column=exc.offset)
