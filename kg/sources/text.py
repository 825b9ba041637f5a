"""A source text cut into body paragraphs and sentences.

The stored text is kept exactly as obtained (its SHA-256 is pinned in ``source.yaml``); what
is not part of the document's content — a web page's title line, share links, a comment box —
is *marked* as furniture in the claims file, never edited out. Headings (``Article II: …``)
are not claims either: they name the section that the paragraphs below them belong to.

A body paragraph is a non-empty line that is neither furniture nor a heading. A sentence
ends at ``.``, ``?`` or ``!`` (optionally followed by a closing quote) before white space and a
capital or an opening quote, except after a single capital letter (an initial, as in
"JOSEPH R. BIDEN JR."). Offsets are Python ``str`` indexes (Unicode code points), end
exclusive. Paragraphs and sentences are numbered from 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_SENTENCE_END = re.compile(r"(?<!(?:\s|\.)[A-Z])[.?!][”’\"]?(?=\s+[“\"A-Z])")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line of the text file
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    paragraph: int
    sentence: int
    start: int
    end: int
    text: str
    line: int  # 1-based line of the text file
    column: int  # 1-based column of the first character
    section: str | None = None


@dataclass(frozen=True)
class LineRule:
    """A furniture or heading mark: a whole line, exactly, or a regular expression."""

    exact: str | None = None
    pattern: re.Pattern[str] | None = None
    where: str = ""  # file:line of the mark, for messages

    def matches(self, line: str) -> bool:
        if self.exact is not None:
            return line == self.exact
        assert self.pattern is not None
        return self.pattern.search(line) is not None


def lines(text: str) -> Iterator[Line]:
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        yield Line(number, offset, offset + len(line), line)
        offset += len(line) + 1


@dataclass
class Segmented:
    """The body of a text: paragraphs, sentences, sections, and which marks were used."""

    text: str
    paragraphs: list[Line] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    furniture: list[Line] = field(default_factory=list)
    headings: list[Line] = field(default_factory=list)
    unused_marks: list[LineRule] = field(default_factory=list)

    def sentence_at(self, start: int, end: int) -> Sentence | None:
        """The one sentence that holds ``[start, end)``, if any."""
        for s in self.sentences:
            if s.start <= start and end <= s.end:
                return s
        return None

    def uncovered(self, spans: Iterable[tuple[int, int]]) -> list[Sentence]:
        """Sentences that no span lies in."""
        covered = {id(s) for a, b in spans if (s := self.sentence_at(a, b)) is not None}
        return [s for s in self.sentences if id(s) not in covered]


def segment(
    text: str, furniture: Iterable[LineRule] = (), headings: Iterable[LineRule] = ()
) -> Segmented:
    furniture, headings = list(furniture), list(headings)
    used: set[int] = set()
    result = Segmented(text)
    section: str | None = None
    for line in lines(text):
        stripped = line.text.strip()
        if not stripped:
            continue
        mark = next((r for r in furniture if r.matches(stripped)), None)
        if mark is not None:
            used.add(id(mark))
            result.furniture.append(line)
            continue
        mark = next((r for r in headings if r.matches(stripped)), None)
        if mark is not None:
            used.add(id(mark))
            result.headings.append(line)
            section = stripped
            continue
        result.paragraphs.append(line)
        _split(result, line, len(result.paragraphs), section)
    result.unused_marks = [r for r in (*furniture, *headings) if id(r) not in used]
    return result


def _split(result: Segmented, line: Line, p_number: int, section: str | None) -> None:
    paragraph = line.text
    cut = 0
    number = 0
    bounds = [m.end() for m in _SENTENCE_END.finditer(paragraph)] + [len(paragraph)]
    for end in bounds:
        chunk = paragraph[cut:end]
        start = cut + len(chunk) - len(chunk.lstrip())
        stop = start + len(paragraph[start:end].rstrip())
        if stop > start:
            number += 1
            result.sentences.append(
                Sentence(
                    p_number,
                    number,
                    line.start + start,
                    line.start + stop,
                    paragraph[start:stop],
                    line.number,
                    start + 1,
                    section,
                )
            )
        cut = end
