"""Quote selectors checked against the stored source text.

Every curated assertion says which words of the source make it: a W3C Web Annotation
``oa:TextQuoteSelector`` (exact, prefix, suffix) and a ``oa:TextPositionSelector`` (start,
end). Offsets are Python ``str`` indexes, i.e. Unicode code points, end exclusive. Both
selectors are committed in the curated files, so an edit of either the text or the data
that makes them disagree is caught here, by :func:`verify_quote`, before anything is built.

The module also knows the article's *body*: which lines are page furniture (title, author,
share links, comment box) and how body paragraphs split into sentences, so that
:func:`uncovered_sentences` can report every claim-bearing sentence no assertion quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import QuoteMismatch, ValidationFailed

#: Lines of a scraped page that are not part of the article's argument.
FURNITURE: tuple[re.Pattern[str], ...] = (
    re.compile(r"^\[post-views\]$"),
    re.compile(r"^Republic Policy\b.*$"),
    re.compile(r"^Leave a Comment$"),
    re.compile(r"^Your email address will not be published\..*$"),
    re.compile(r"^Latest Videos$"),
)

#: A sentence ends at . ? or ! (optionally followed by a closing quote) before a capital.
_SENTENCE_END = re.compile(r"[.?!][”’\"]?(?=\s+[“\"A-Z])")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a body paragraph; ``paragraph``/``sentence`` count from 1."""

    paragraph: int
    sentence: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    """The quote selectors of one assertion, as committed in a curated file."""

    assertion: str
    file: str
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int
    paragraph: int | None = None
    sentence: int | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def _lines(text: str) -> Iterable[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def body_paragraphs(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each body paragraph: non-empty lines after the title and the
    author line (the first two non-furniture lines) that are not furniture."""
    spans: list[tuple[int, int]] = []
    header_left = 2  # title, author
    for offset, line in _lines(text):
        stripped = line.strip()
        if not stripped or any(p.match(stripped) for p in FURNITURE):
            continue
        if header_left:
            header_left -= 1
            continue
        spans.append((offset, offset + len(line)))
    return spans


def sentences(text: str) -> list[Sentence]:
    """The sentences of the body paragraphs, in document order."""
    result: list[Sentence] = []
    for p_index, (p_start, p_end) in enumerate(body_paragraphs(text), start=1):
        paragraph = text[p_start:p_end]
        cut = 0
        number = 0
        bounds = [m.end() for m in _SENTENCE_END.finditer(paragraph)] + [len(paragraph)]
        for end in bounds:
            chunk = paragraph[cut:end]
            lead = len(chunk) - len(chunk.lstrip())
            start = cut + lead
            if paragraph[start:end].strip():
                number += 1
                result.append(
                    Sentence(p_index, number, p_start + start, p_start + end, paragraph[start:end])
                )
            cut = end
    return result


def verify_quote(quote: Quote, text: str, *, sentence_list: list[Sentence] | None = None) -> None:
    """Raise :class:`QuoteMismatch` unless exact, prefix, suffix and the position agree with
    ``text`` (and, when given, the paragraph/sentence numbers with the body's sentences)."""
    problem = None
    if not (0 <= quote.start <= quote.end <= len(text)):
        problem = f"position [{quote.start}, {quote.end}) is outside the text (0–{len(text)})"
    else:
        found = text[quote.start : quote.end]
        before = text[max(0, quote.start - len(quote.prefix)) : quote.start]
        after = text[quote.end : quote.end + len(quote.suffix)]
        if found != quote.exact:
            problem = (
                f"oa:exact expected {quote.exact!r} but the text at that position is {found!r}"
            )
        elif before != quote.prefix:
            problem = f"oa:prefix expected {quote.prefix!r} but found {before!r}"
        elif after != quote.suffix:
            problem = f"oa:suffix expected {quote.suffix!r} but found {after!r}"
    if problem is None and quote.paragraph is not None:
        where = _locate(quote, sentence_list if sentence_list is not None else sentences(text))
        if where is None:
            problem = f"[{quote.start}, {quote.end}) is not inside one body sentence"
        elif (where.paragraph, where.sentence) != (quote.paragraph, quote.sentence):
            problem = (
                f"sg:paragraph/sg:sentence expected {quote.paragraph}/{quote.sentence} "
                f"but the quote is in {where.paragraph}/{where.sentence}"
            )
    if problem:
        raise QuoteMismatch(
            f"{quote.where}: assertion {quote.assertion}: {problem} [{quote.start}, {quote.end})"
        )


def _locate(quote: Quote, sentence_list: list[Sentence]) -> Sentence | None:
    for s in sentence_list:
        if s.start <= quote.start and quote.end <= s.end:
            return s
    return None


def uncovered_sentences(quotes: Iterable[Quote], text: str) -> list[Sentence]:
    """Body sentences that no quote lies in: each is a claim the data does not encode."""
    spans = [(q.start, q.end) for q in quotes]
    return [s for s in sentences(text) if not any(s.start <= a and b <= s.end for a, b in spans)]


def require_coverage(quotes: Iterable[Quote], text: str, source: str) -> None:
    """Raise :class:`ValidationFailed` listing every body sentence that is not quoted."""
    missing = uncovered_sentences(quotes, text)
    if missing:
        lines = [f"  ¶{s.paragraph} s{s.sentence} [{s.start}, {s.end}): {s.text}" for s in missing]
        raise ValidationFailed(
            f"{source}: {len(missing)} body sentence(s) are quoted by no assertion",
            report="\n".join(lines),
        )


def find_line(path: Path, needle: str) -> int | None:
    """1-based line of the first line of ``path`` containing ``needle`` (for messages)."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle in line:
                return number
    except OSError:
        return None
    return None
