"""Split cleaned text into paragraphs (lines), list items and sentences, keeping character offsets.

Lines are the paragraphs of cleaned text (a hard-wrapped line that ends mid-sentence joins the next); a bulleted
or numbered line is a list item and a short line without sentence punctuation is a heading. Sentences come from
spaCy's parser over the whole text, cut at paragraph breaks, so a sentence never crosses a paragraph (a bullet list
in a page must not fuse into one sentence).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

_GLYPHS = "•●◦▪▫■□‣∙·*–—►▸▹➢➤→✓✔○-"  # "-" last: inside a character class it would make a range
# A bullet glyph or a list number opening a line ("• ", "3. ", "(a) ")
LIST_MARKER = re.compile(rf"^\s*(?:[{_GLYPHS}]|\d{{1,2}}[.)]|\(?[a-h]\))\s+")

_HEADING_MAX_WORDS = 14  # measured on news/blog pages: section headings run 2-12 words, sentences longer


@dataclass(frozen=True)
class Paragraph:
    """A non-empty line of the cleaned text."""

    index: int
    start: int
    end: int
    is_list_item: bool
    is_heading: bool
    lead_in: tuple[int, int] | None = None  # list items: offsets of the "...includes:" line that opens their list


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
    """Non-empty lines with their list-item/heading flags; a hard-wrapped line joins the next (`_wraps`)."""
    out: list[Paragraph] = []
    pos = 0
    lead: tuple[int, int] | None = None
    previous = ""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and out and _wraps(previous, line):
            last = out[-1]
            end = pos + len(line.rstrip())
            words = text[last.start : end].lstrip("#").split()
            is_heading = last.is_heading and len(words) <= _HEADING_MAX_WORDS and not re.search(r"[.!:;,]$", stripped)
            out[-1] = Paragraph(last.index, last.start, end, last.is_list_item, is_heading, last.lead_in)
        elif stripped:
            start = pos + (len(line) - len(line.lstrip()))
            end = start + len(stripped)
            is_item = bool(LIST_MARKER.match(line))
            words = stripped.lstrip("#").split()
            is_heading = stripped.startswith("#") or (
                not is_item and len(words) <= _HEADING_MAX_WORDS and not re.search(r"[.!:;,]$", stripped)
            )
            if not is_item:
                lead = _lead_in(text, start, end)
            out.append(Paragraph(len(out), start, end, is_item, is_heading, lead if is_item else None))
        previous = line
        pos += len(line) + 1
    return out


# A line ends where a sentence cannot: a function word, or a comma
_OPEN_END = re.compile(
    r"(?:,|\b(?:a|an|the|of|to|in|on|at|by|for|with|from|and|or|but|as|that|which|who|its|their|is|are|was|"
    r"were|has|have|had|be|been|than|into|about|after|before|while|including))$",
    re.IGNORECASE,
)
_WRAP_MIN_CHARS = 40  # a wrapped line is a full line of prose; a shorter one is a heading or a label


def _wraps(line: str, following: str) -> bool:
    """Whether `line` was hard-wrapped into `following` (plain-text mail and old web pages wrap at ~70-80
    characters): it is long, ends mid-sentence, and the next line continues it rather than opening a list item."""
    body = line.strip()
    if len(body) < _WRAP_MIN_CHARS or LIST_MARKER.match(following) or following.lstrip().startswith("#"):
        return False
    if re.search(r"[.!?:;\"”’)]$", body):
        return False
    nxt = following.lstrip()
    return nxt[:1].islower() or bool(_OPEN_END.search(body))


def _lead_in(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The part of a line that opens a list: its last sentence when it ends in a colon ("The stolen data includes:"),
    or in the semicolon informal writing puts there ("these companies were hacked;")."""
    if text[end - 1] not in ":;":
        return None
    cut = max(text.rfind(mark, start, end) for mark in (". ", "! ", "? "))
    return (cut + 2 if cut >= 0 else start, end)


def segment(
    text: str, nlp: Any, max_chars: int = 200_000, max_sentence_chars: int = 0, window_tokens: int = 0,
) -> Segmented:
    """Paragraphs and sentences of `text` (only the first `max_chars` characters are parsed)."""
    from .nlp import parse_texts

    doc = next(parse_texts(nlp, [text[:max_chars]], window_tokens, max(window_tokens, 1)))
    return segment_parsed(text, doc, max_sentence_chars)


def segment_parsed(text: str, doc: Any, max_sentence_chars: int = 0) -> Segmented:
    """Paragraphs and sentences of `text` from its spaCy parse `doc` (of `text` or a prefix of it).

    The whole text is parsed in one pass (as cheap as spaCy gets); sentences are then cut at line breaks, so
    that a bullet list or a headline never fuses with the next line, and a sentence longer than
    `max_sentence_chars` (0: no limit) is cut at spaces into pieces of at most that many characters.
    """
    parsed_chars = len(doc.text)
    paras = [p for p in paragraphs(text) if p.start < parsed_chars]
    starts = [p.start for p in paras]
    out: list[Sentence] = []
    # the line breaks inside a hard-wrapped paragraph
    soft = {p.start + m.start() for p in paras for m in re.finditer("\n", text[p.start : p.end])}
    pieces = [p for sent in doc.sents for p in _line_pieces(text, sent.start_char, sent.end_char, soft)]
    if max_sentence_chars > 0:
        pieces = [q for a, b in pieces for q in _split_long(text, a, b, max_sentence_chars)]
    for start, end in _join_markers(text, pieces):
        k = bisect.bisect_right(starts, start) - 1
        if k < 0:
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span):
            out.append(Sentence(start, end, text[start:end], paras[k], span))
    return Segmented(text, tuple(paras), tuple(out))


_MARKER_ONLY = re.compile(rf"^(?:[{_GLYPHS}]|\d{{1,2}}[.)]|[a-z][.)])$")


def _join_markers(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A list marker the parser split off ("1.", "•") belongs to the sentence after it on the same line."""
    out: list[tuple[int, int]] = []
    for start, end in pieces:
        if out and _MARKER_ONLY.match(text[out[-1][0] : out[-1][1]]) and "\n" not in text[out[-1][1] : start]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _line_pieces(
    text: str, start: int, end: int, soft: set[int] | frozenset[int] = frozenset()
) -> list[tuple[int, int]]:
    """text[start:end] cut at line breaks (not the `soft` ones), each piece stripped of surrounding whitespace."""
    pieces: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        while nl in soft:
            nl = text.find("\n", nl + 1, end)
        stop = end if nl < 0 else nl
        a, b = pos, stop
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            pieces.append((a, b))
        pos = stop + 1
    return pieces


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """text[start:end] as pieces of at most `limit` characters, cut at spaces where there is one."""
    if end - start <= limit:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    while end - start > limit:
        cut = text.rfind(" ", start + 1, start + limit + 1)
        if cut < 0:
            cut = start + limit
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start:
            out.append((start, stop))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append((start, end))
    return out
