"""Split cleaned text into paragraphs (lines), list items and sentences, keeping character offsets.

Lines are the paragraphs of cleaned text; a bulleted or numbered line is a list item and a short line without
sentence punctuation is a heading. Sentences come from spaCy's parser within each line, so a sentence never
crosses a line break (a bullet list in a page must not fuse into one sentence).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_BULLET = re.compile(r"^\s*(?:[•●◦▪‣∙·*–—-]|\d{1,2}[.)])\s+")
_HEADING_MAX_WORDS = 14  # measured on news/blog pages: section headings run 2-12 words, sentences longer


@dataclass(frozen=True)
class Paragraph:
    """A non-empty line of the cleaned text."""

    index: int
    start: int
    end: int
    is_list_item: bool
    is_heading: bool


@dataclass(frozen=True)
class Sentence:
    """A sentence with offsets into the cleaned text; `span` is the spaCy Span (tokens, tags, parse)."""

    start: int
    end: int
    text: str
    paragraph: Paragraph
    span: Any


@dataclass(frozen=True)
class Segmented:
    """A document's paragraphs and sentences, in order."""

    text: str
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]


def paragraphs(text: str) -> list[Paragraph]:
    """Non-empty lines with their list-item/heading flags."""
    out: list[Paragraph] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + (len(line) - len(line.lstrip()))
            end = start + len(stripped)
            is_item = bool(_BULLET.match(line))
            words = stripped.lstrip("#").split()
            is_heading = (
                stripped.startswith("#")
                or (not is_item and len(words) <= _HEADING_MAX_WORDS and not re.search(r"[.!:;,]$", stripped))
            )
            out.append(Paragraph(len(out), start, end, is_item, is_heading))
        pos += len(line) + 1
    return out


def segment(text: str, nlp: Any, max_chars: int = 200_000) -> Segmented:
    """Paragraphs and sentences of `text` (only the first `max_chars` characters are parsed)."""
    paras = [p for p in paragraphs(text) if p.start < max_chars]
    docs = nlp.pipe(text[p.start : p.end] for p in paras)
    sentences = _sentences(text, paras, docs)
    return Segmented(text, tuple(paras), tuple(sentences))


def _sentences(text: str, paras: Sequence[Paragraph], docs: Any) -> list[Sentence]:
    """Sentence records for parsed paragraphs."""
    out: list[Sentence] = []
    for para, doc in zip(paras, docs):
        for sent in doc.sents:
            start, end = para.start + sent.start_char, para.start + sent.end_char
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                out.append(Sentence(start, end, text[start:end], para, sent))
    return out
