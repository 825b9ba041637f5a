"""Quote selectors checked against the stored source text.

Every published assertion says which words of its source make it: a W3C Web Annotation
``oa:TextQuoteSelector`` (exact, prefix, suffix) and a ``oa:TextPositionSelector`` (start,
end), into ``sg:sourceText``. Offsets are Python ``str`` indexes (Unicode code points), end
exclusive. The compiler (:mod:`kg.sources`) computes them; :func:`verify_quote` checks a
selector read back from a published graph, so that anyone can verify a quote against the text.
How a text is cut into paragraphs and sentences is :mod:`kg.sources.text`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import QuoteMismatch


@dataclass(frozen=True)
class Quote:
    """The quote selectors of one assertion."""

    assertion: str
    file: str
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def verify_quote(quote: Quote, text: str) -> None:
    """Raise :class:`QuoteMismatch` unless exact, prefix, suffix and the position agree."""
    problem = None
    if not (0 <= quote.start <= quote.end <= len(text)):
        problem = f"position [{quote.start}, {quote.end}) is outside the text (0–{len(text)})"
    else:
        found = text[quote.start : quote.end]
        before = text[max(0, quote.start - len(quote.prefix)) : quote.start]
        after = text[quote.end : quote.end + len(quote.suffix)]
        if found != quote.exact:
            problem = f"oa:exact expected {quote.exact!r} but the text there is {found!r}"
        elif before != quote.prefix:
            problem = f"oa:prefix expected {quote.prefix!r} but found {before!r}"
        elif after != quote.suffix:
            problem = f"oa:suffix expected {quote.suffix!r} but found {after!r}"
    if problem:
        raise QuoteMismatch(
            f"{quote.file}: assertion {quote.assertion}: {problem} [{quote.start}, {quote.end})"
        )
