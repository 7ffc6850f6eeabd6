"""The article: the single source of truth every answer must be able to quote.

Paragraphs are numbered by position so a citation can say "paragraph 4". Only body
paragraphs count: the title, the subtitle and the section headings (short lines ending
in a colon) are kept as context but are not numbered, because nobody quotes a heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

_HEADING_MAX_CHARS = 120

# Typographic characters people rarely type; each maps to one ASCII character so indices in
# the folded text are indices in the original text.
_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def fold_typography(text: str) -> str:
    """Fold curly quotes and dashes to ASCII without changing the string's length."""
    return text.translate(_TYPOGRAPHIC)


@dataclass(frozen=True, slots=True)
class Paragraph:
    number: int
    section: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    subtitle: str
    paragraphs: tuple[Paragraph, ...]

    def paragraph(self, number: int) -> Paragraph | None:
        if 1 <= number <= len(self.paragraphs):
            return self.paragraphs[number - 1]
        return None

    def find_quote(self, paragraph: int, quote: str) -> str | None:
        """Return the article's own wording of ``quote`` in ``paragraph``, or None.

        A moderator who types a straight apostrophe instead of the article's curly one still
        gets a match, but the returned text is always the article's verbatim span, so what
        the bot prints is a true substring of the article.
        """
        para = self.paragraph(paragraph)
        if para is None or not quote.strip():
            return None
        quote = quote.strip()
        if quote in para.text:
            return quote
        start = fold_typography(para.text).find(fold_typography(quote))
        if start < 0:
            return None
        return para.text[start : start + len(quote)]

    def closest_passage(self, quote: str) -> tuple[int, str] | None:
        """Best guess of what a mistyped quote meant, for the error message."""
        needle = fold_typography(quote).lower()
        best: tuple[float, int, str] | None = None
        for para in self.paragraphs:
            found = fuzz.partial_ratio_alignment(needle, fold_typography(para.text).lower())
            if found is not None and (best is None or found.score > best[0]):
                best = (found.score, para.number, para.text[found.dest_start : found.dest_end])
        return None if best is None else (best[1], best[2])

    def full_text(self) -> str:
        return "\n\n".join([self.title, self.subtitle, *(p.text for p in self.paragraphs)])


def _is_heading(block: str) -> bool:
    return "\n" not in block and block.endswith(":") and len(block) <= _HEADING_MAX_CHARS


def parse_article(text: str) -> Article:
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if len(blocks) < 3:
        raise ValueError("the article needs a title, a subtitle and at least one paragraph")
    title, subtitle, *body = blocks
    paragraphs: list[Paragraph] = []
    section: str | None = None
    for block in body:
        if _is_heading(block):
            section = block.rstrip(":").strip()
            continue
        paragraphs.append(Paragraph(len(paragraphs) + 1, section, block))
    return Article(title=title, subtitle=subtitle, paragraphs=tuple(paragraphs))


def load_article(path: Path) -> Article:
    return parse_article(path.read_text(encoding="utf-8"))
