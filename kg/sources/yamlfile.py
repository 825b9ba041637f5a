"""YAML that remembers where each value was written, for ``file:line:column`` messages.

Only YAML's safe subset is read (no tags that build objects). Every mapping comes back as a
:class:`Node` (a ``dict``) that knows the line and column of itself and of each value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.errors import ParseError


class Node(dict):
    """A YAML mapping with positions: ``where(key)`` is (line, column, style) of a value."""

    line: int = 0
    column: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marks: dict[str, tuple[int, int, str | None]] = {}

    def where(self, key: str | None = None) -> tuple[int, int]:
        if key is not None and key in self.marks:
            line, column, _ = self.marks[key]
            return line, column
        return self.line, self.column


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    result = Node()
    result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise ParseError(
                f"mapping keys must be text, not {key!r}",
                line=key_node.start_mark.line + 1,
                column=key_node.start_mark.column + 1,
            )
        if key in result:
            raise ParseError(
                f"key {key!r} is given twice",
                line=key_node.start_mark.line + 1,
                column=key_node.start_mark.column + 1,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        style = getattr(value_node, "style", None)
        line, column = value_node.start_mark.line + 1, value_node.start_mark.column + 1
        if style in ("|", ">"):
            line, column = line + 1, 1  # block scalars start on the next line
        result.marks[key] = (line, column, style)
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
# Dates stay text: a curator's "2024-06-13" is checked and typed by the compiler.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(path: Path) -> Any:
    """Parse ``path``; syntax errors raise :class:`ParseError` with file:line:column."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read: {exc}", source=str(path)) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except ParseError as exc:
        raise ParseError(exc.reason, source=str(path), line=exc.line, column=exc.column) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ParseError(
            f"YAML: {exc.problem or exc.context}",
            source=str(path),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise ParseError(f"YAML: {exc}", source=str(path)) from exc


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
