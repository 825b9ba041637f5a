"""A SPARQL lexer: enough to find brackets and keywords outside strings, IRIs and comments.

Used where the text matters before (or instead of) the engine: the query form a remote
server must be asked for (:mod:`kg.store.virtuoso`), the nesting limit, the SERVICE
allow-list and the update/query split (``server``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    kind: str  # "string", "iri", "comment", "word", "var", "punct", "space"
    text: str
    start: int
    end: int


# Order matters: long strings before short ones; IRIREF per the SPARQL grammar [139].
_TOKEN = re.compile(
    r"""
      (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n\r]*)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<word>[\w\u00B7-\uFFFF][\w.\-:%\\\u00B7-\uFFFF]*|:[\w.\-:%\\\u00B7-\uFFFF]*)
    | (?P<space>\s+)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str) -> Iterator[Token]:
    """SPARQL tokens, enough to find brackets and keywords outside strings/IRIs/comments.

    An unterminated string swallows nothing: its quote becomes punctuation and the
    engine reports the syntax error with its position.
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        yield Token(kind, match.group(), match.start(), match.end())


def code_tokens(text: str) -> list[Token]:
    """Tokens without spaces and comments."""
    return [t for t in tokens(text) if t.kind not in ("space", "comment")]


def first_keyword(text: str) -> str:
    """The first keyword after the prologue (PREFIX, BASE, Virtuoso's ``define``), upper
    case: SELECT, ASK, CONSTRUCT, DESCRIBE, INSERT…; "" when there is none."""
    toks = code_tokens(text)
    i = 0
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "PREFIX":
            i += 3
        elif word == "BASE":
            i += 2
        elif word == "DEFINE":
            i += 3
        else:
            return word
    return ""
