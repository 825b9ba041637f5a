"""Quote selectors are checked against the stored text; curated-file errors name the place.

Every test that breaks something works on a temporary copy of kg/data/ (kg.paths.data_dir
is pointed at it), never on the real files.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kg import paths
from kg.errors import ParseError, QuoteMismatch, ValidationFailed
from kg.quotes import Quote, body_paragraphs, sentences, verify_quote
from kg.sources import article_cards, compile_dataset, source_text

SLUG = "ukraine-security-guarantees"


@pytest.fixture()
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(paths.data_dir(), copy, ignore=shutil.ignore_patterns("tools", "queries"))
    monkeypatch.setattr(paths, "data_dir", lambda: copy)
    return copy


def article_file(data: Path, n: int) -> Path:
    return data / "article" / SLUG / f"p{n:02d}.trig"


def card_of(slug: str):
    return next(c for c in article_cards(SLUG) if c.slug == slug)


# ---------------------------------------------------------------------------- unit
def test_body_has_eight_paragraphs_and_42_sentences() -> None:
    text = source_text(SLUG)
    assert len(body_paragraphs(text)) == 8
    body = sentences(text)
    assert len(body) == 42
    assert body[0].text.startswith("The recent announcement by 26 nations")
    assert body[-1].text.endswith("the reality of Russian aggression.")
    # a sentence ending inside a closing quote mark is still one sentence
    assert any(s.text.endswith("“once hostilities cease.”") for s in body)
    joined = " ".join(s.text for s in body)
    for furniture in ("Republic Policy", "[post-views]", "Arshad Mahmood Awan", "Leave a Comment"):
        assert furniture not in joined


def test_every_committed_quote_verifies() -> None:
    text = source_text(SLUG)
    cards = article_cards(SLUG)
    assert len(cards) >= 80
    for card in cards:
        verify_quote(card.quote, text)
        assert card.quote.end - card.quote.start == len(card.quote.exact)
        assert len(card.quote.prefix) <= 32 and len(card.quote.suffix) <= 32


def _shifted(q: Quote, **changes) -> Quote:
    values = {**q.__dict__, **changes}
    return Quote(**values)


def test_a_shifted_offset_raises_naming_the_assertion() -> None:
    q = card_of("usg-007").quote
    with pytest.raises(QuoteMismatch) as info:
        verify_quote(_shifted(q, start=q.start + 1, end=q.end + 1), source_text(SLUG))
    message = str(info.value)
    assert "usg-007" in message and "p01.trig" in message
    assert "Spearheaded by France" in message  # expected
    assert "pearheaded by France " in message  # found


def test_an_altered_quote_raises() -> None:
    q = card_of("usg-007").quote
    with pytest.raises(QuoteMismatch, match="usg-007.*Spearheaded by Germany"):
        verify_quote(_shifted(q, exact="Spearheaded by Germany"), source_text(SLUG))


def test_a_wrong_prefix_or_suffix_raises() -> None:
    q = card_of("usg-002").quote
    with pytest.raises(QuoteMismatch, match="oa:prefix"):
        verify_quote(_shifted(q, prefix="The latest announcement by "), source_text(SLUG))
    with pytest.raises(QuoteMismatch, match="oa:suffix"):
        verify_quote(_shifted(q, suffix=" to end"), source_text(SLUG))


def test_a_wrong_sentence_number_raises() -> None:
    q = card_of("usg-007").quote
    with pytest.raises(QuoteMismatch, match="sg:paragraph/sg:sentence"):
        verify_quote(_shifted(q, sentence=3), source_text(SLUG))


# ---------------------------------------------------------------------------- files
def test_a_shifted_offset_in_a_curated_file_fails_the_compile(data_copy: Path) -> None:
    path = article_file(data_copy, 1)
    text = path.read_text(encoding="utf-8")
    q = card_of("usg-007").quote
    block_start = text.index("a:usg-007 a sg:Assertion")
    broken = text[:block_start] + text[block_start:].replace(
        f"oa:start {q.start} ;", f"oa:start {q.start + 2} ;", 1
    ).replace(f"oa:end {q.end}", f"oa:end {q.end + 2}", 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(QuoteMismatch) as info:
        compile_dataset()
    message = str(info.value)
    assert "usg-007" in message and str(path) in message
    assert "expected 'Spearheaded by France'" in message
    assert "earheaded by France a" in message


def test_an_altered_quote_in_a_curated_file_fails_the_compile(data_copy: Path) -> None:
    path = article_file(data_copy, 5)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('oa:exact "supported by Germany"', 'oa:exact "supported by Italy"'),
        encoding="utf-8",
    )
    with pytest.raises(QuoteMismatch, match=r"usg-\d{3}.*supported by Italy.*supported by Germ"):
        compile_dataset()


def test_a_syntax_error_reports_file_line_and_column(data_copy: Path) -> None:
    path = article_file(data_copy, 3)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if line.startswith("a:usg-0") and "{" in line)
    lines.insert(target + 1, "    country:france sg:ledBy ??? .\n")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ParseError) as info:
        compile_dataset()
    err = info.value
    assert err.source == str(path)
    assert err.line == target + 2
    assert err.column is not None
    assert re.match(rf"{re.escape(str(path))}:{target + 2}:\d+: ", str(err))


def test_a_changed_source_text_is_refused(data_copy: Path) -> None:
    path = data_copy / "sources" / f"{SLUG}.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("26 nations", "27 nations"), encoding="utf-8"
    )
    with pytest.raises(QuoteMismatch, match="sha256"):
        compile_dataset()


def test_an_unquoted_sentence_fails_coverage(data_copy: Path) -> None:
    path = article_file(data_copy, 7)
    text = path.read_text(encoding="utf-8")
    slug = card_of_exact("Equally important is the global political message")
    pattern = re.compile(rf"# ---- {slug} .*?(?=\n# ---- |\Z)", re.S)
    assert pattern.search(text)
    path.write_text(pattern.sub("", text), encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        compile_dataset()
    assert "1 body sentence(s)" in str(info.value)
    assert "Equally important is the global political message." in info.value.report


def card_of_exact(exact: str) -> str:
    (card,) = [c for c in article_cards(SLUG) if c.quote.exact == exact]
    return card.slug


def test_an_assertion_graph_without_a_card_is_refused(data_copy: Path) -> None:
    path = article_file(data_copy, 2)
    text = path.read_text(encoding="utf-8")
    text += "\na:usg-999 {\n    country:france sg:supports country:ukraine .\n}\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed, match="usg-999> has no provenance card"):
        compile_dataset()
