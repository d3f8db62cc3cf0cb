"""Stage 2, clean: decode raw bytes and keep the main text of a page, with the dropped chrome kept for audit.

1. Decode: a byte-order mark, else strict UTF-8, else the charset an HTML page declares, else
   charset-normalizer. Binary junk (NUL bytes, control characters, nothing plausible) is a `DecodeError`. Line
   endings become "\\n".
2. HTML: trafilatura extracts the main text (comments excluded), with a plain lxml text pass as the fallback
   for the short pages trafilatura drops. Title: og:title, else <title> without its " | Site" suffix.
   Published: the date trafilatura finds in the page's metadata.
3. Plain text and Markdown: lines of page chrome copied along with an article (blog sidebars, navigation,
   share bars, adverts, bylines, related links, newsletter prompts, tag lists, comment threads) are dropped,
   each kept as a `DroppedSpan` with offsets into `raw_text`. The same line rules then run over text extracted
   from HTML.

Hand-written rather than delegated: trafilatura needs the page's markup to tell chrome from content, and plain
text copied from a web page has lost it, so the line rules here work on the words of the template (kept as
data in `data/chrome.toml`) plus a few structural cues (a trailing run of short label lines, a glued advert).
And the cleaned text of a plain-text document is built only from whole lines of `raw_text` joined with "\\n",
so every quote a later stage takes from one line of `text` is byte-identical to a substring of the original
file; no library promises that.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import charset_normalizer
import lxml.etree
import lxml.html
import trafilatura

from ..errors import DecodeError, SourceError
from ..records import CleanDocument, DroppedSpan, RawDocument
from ..settings import Settings

__all__ = ["cap_text", "clean", "decode", "strip_chrome"]

# Share of control characters (C0/C1, tab, newline and form feed aside) above which decoded "text" is binary
# junk. Measured: 0 in every seed and in all 492 HIBP dev articles; random bytes that some codec accepts score
# 10-40%.
MAX_CONTROL_SHARE = 0.01
# charset-normalizer candidates whose chaos is within this of the best one count as a tie. Measured: on short
# Western-European text encoded as cp1252, cp1250/cp1252/cp1257 all score chaos 0.0 and cp1250 is listed
# first.
CHAOS_TIE = 0.01
# On a tie, the codec preferred: windows-1252 is the web's default for undeclared Western text (WHATWG
# Encoding).
PREFERRED_CODEC = "cp1252"
# Bytes searched for an HTML <meta charset> declaration (browsers look at the first 1024).
CHARSET_SCAN_BYTES = 1024
# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
BOM_CODECS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BULLET = re.compile(r"^\s*(?:[-*•+‣◦▪–]|\d{1,3}[.)])\s+")
_MARKUP_PREFIX = re.compile(r"^(?:[#>]+|[-*•+‣◦▪]|\d{1,3}[.)])\s+")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]*_]*$")
_NAV_SEPARATOR = re.compile(r"\s+[|·•»›/]\s+")
_GLUED = re.compile(r"[a-z]{3,}[A-Z][A-Za-z]+")
_HUMP = re.compile(r"[A-Z][a-z]+")
_SITE_SUFFIX = re.compile(r"\s+(?:\||-|–|—|::|·)\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_LABEL = r"(?:(?:first |last )?(?:published|posted|updated|date|dated)(?: on)?:?\s+)?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_TIME = r"(?:\s*(?:,|at|\||·|-)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{2,5})?)?"
_DATELINES = (
    (re.compile(rf"^{_DATE_LABEL}{_WEEKDAY}{_DAY}\s+{_MONTH},?\s+(\d{{4}}){_TIME}$"), "dmy"),
    (re.compile(rf"^{_DATE_LABEL}{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+(\d{{4}}){_TIME}$"), "mdy"),
    (re.compile(rf"^{_DATE_LABEL}(\d{{4}})-(\d{{2}})-(\d{{2}}){_TIME}$"), "ymd"),
)

# Elements whose content is never text a reader sees, removed before the lxml fallback reads a page.
_INVISIBLE_TAGS = (
    "script", "style", "noscript", "template", "svg", "head", "iframe", "object", "embed", "canvas",
)
# Page furniture the fallback skips too (trafilatura's own main-text pass skips them as well).
_FURNITURE_TAGS = ("nav", "header", "footer", "aside", "form", "button", "select")
# Elements after which the fallback starts a new line.
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
    "section", "article", "main", "blockquote", "pre", "dd", "dt", "dl", "figcaption", "hr", "title",
)


class _Line(NamedTuple):
    """One line of a text: offsets into it and its content without trailing whitespace."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Rule:
    """A group of chrome cues from data/chrome.toml: whole lines, regexes, a word limit and what to drop."""

    reason: str
    max_words: int
    exact: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    extent: str = "line"

    def matches(self, norm: str) -> bool:
        """True when the normalised line is one of this group's lines."""
        if len(norm.split()) > self.max_words:
            return False
        return norm in self.exact or any(p.search(norm) for p in self.patterns)


@dataclass(frozen=True)
class _Chrome:
    """All chrome rules: line groups, section headers, and the glued-word allow list."""

    lines: tuple[_Rule, ...]
    sections: tuple[_Rule, ...]
    glued_allow: frozenset[str]


_EXTENTS = ("to_end", "next_paragraph", "short_lines")


def clean(raw: RawDocument, settings: Settings) -> CleanDocument:
    """Decode `raw` and keep its main text, with title, publication date and the dropped chrome.

    For plain text and Markdown, `text` is made of whole lines of `raw_text` (paragraphs separated by one
    blank line) and each `DroppedSpan` points into `raw_text`. For HTML, `text` is the extracted main text,
    one paragraph per block, and a dropped span's offsets locate its text in the HTML source (-1 when it is
    not there verbatim).
    Raises `DecodeError` for binary or undecodable bytes and `SourceError` when no main text is left.
    """
    raw_text = decode(raw.data, raw.source, raw.kind)
    if raw.kind == "html":
        text, dropped, title, published = _clean_html(raw.source, raw_text)
    else:
        header = read_text_header(raw_text)
        # the line rules read at most RULES_CHARS_FACTOR times the analysed length (the rest is cut below)
        head, _rest = _cut_at_line(header.body, settings.nlp.max_chars * RULES_CHARS_FACTOR)
        text, dropped = strip_chrome(head)
        dropped = header.dropped + dropped
        title = header.title or _text_title(text)
        published = header.published or _text_published(text)
    text, capped = cap_text(text, settings)
    dropped = (*dropped, *capped)
    if not text.strip():
        raise SourceError(raw.source, "no main text left after removing page chrome")
    return CleanDocument(
        source=raw.source,
        sha256=raw.sha256,
        text=text,
        title=title or raw.fetched_title,
        published=published or raw.fetched_published,
        dropped=dropped,
        raw_text=raw_text,
    )


# Plain text longer than this many times `max_chars` is cut (at a line break) before the chrome rules read it.
RULES_CHARS_FACTOR = 2
# Characters of a capped piece kept in its DroppedSpan (the piece itself may be megabytes).
CAPPED_PREVIEW_CHARS = 80


def cap_text(text: str, settings: Settings) -> tuple[str, tuple[DroppedSpan, ...]]:
    """`text` within the budgets of `settings` (issue 13), and what was cut, as DroppedSpans.

    1. Document: at most `max_chars` characters, cut at a line break (else a space).
    2. Word: a run of more than `max_token_chars` non-space characters is dropped and its line split around
       it (a 10 MB "word" is no word; spaCy and the patterns would spend minutes on it).
    3. Line: a line longer than `max_line_chars` is split at spaces into shorter lines (same length: a space
       becomes a line break), so that a paragraph stays bounded.

    What is kept is made of pieces of lines of `text`, so a quote within one line is still verbatim. A capped
    span's offsets are -1 (it may be megabytes; its `text` is a preview and its reason says which limit).
    """
    dropped: list[DroppedSpan] = []
    if len(text) > settings.nlp.max_chars:
        text, rest = _cut_at_line(text, settings.nlp.max_chars)
        dropped.append(_capped(rest, f"over the {settings.nlp.max_chars:,}-character document limit"))
    limit = settings.nlp.max_token_chars
    if limit > 0 and len(text) > limit:
        long_word = re.compile(rf"(?<!\S)\S{{{limit + 1},}}")
        if long_word.search(text):
            pieces: list[str] = []
            pos = 0
            for m in long_word.finditer(text):
                pieces.append(text[pos : m.start()].rstrip(" \t"))
                dropped.append(_capped(m.group(), f"a word over the {limit:,}-character limit"))
                pos = m.end()
            pieces.append(text[pos:].lstrip(" \t"))
            text = "\n".join(pieces)
    line_limit = settings.nlp.max_line_chars
    if line_limit > 0 and len(text) > line_limit:
        text = _split_long_lines(text, line_limit)
    return text, tuple(dropped)


def _cut_at_line(text: str, limit: int) -> tuple[str, str]:
    """text[:k] and text[k:] with k <= limit at a line break, else a space, else `limit`."""
    if len(text) <= limit:
        return text, ""
    cut = text.rfind("\n", 0, limit + 1)
    if cut < limit // 2:
        cut = max(cut, text.rfind(" ", 0, limit + 1))
    if cut <= 0:
        cut = limit
    return text[:cut], text[cut:]


def _split_long_lines(text: str, limit: int) -> str:
    """Lines over `limit` characters split at white space (one such character becomes "\n"; offsets do not
    move)."""
    if all(len(line) <= limit for line in text.split("\n")):
        return text
    chars = list(text)
    line_start = 0
    n = len(chars)
    while line_start < n:
        nl = text.find("\n", line_start)
        line_end = n if nl < 0 else nl
        pos = line_start
        while line_end - pos > limit:
            space = next((k for k in range(pos + limit, pos, -1) if text[k].isspace()), -1)
            if space < 0:
                break  # no space within the limit: only possible when max_token_chars > max_line_chars
            chars[space] = "\n"
            pos = space + 1
        line_start = line_end + 1
    return "".join(chars)


def _capped(piece: str, reason: str) -> DroppedSpan:
    """A DroppedSpan for a piece cut by a budget: offsets -1, a preview of its text."""
    preview = piece if len(piece) <= CAPPED_PREVIEW_CHARS else piece[:CAPPED_PREVIEW_CHARS] + "…"
    return DroppedSpan(start=-1, end=-1, text=preview, reason=f"{reason} ({len(piece):,} characters)")


def decode(data: bytes, source: str, kind: str = "text") -> str:
    """Bytes -> text with "\\n" line endings; `DecodeError` for binary bytes or no plausible encoding."""
    text = _decode_bom(data, source)
    if text is None:
        if b"\x00" in data:
            raise DecodeError(source, "binary data, not text (NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_guess(data, source, kind)
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise DecodeError(source, "binary data, not text (control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def strip_chrome(text: str) -> tuple[str, tuple[DroppedSpan, ...]]:
    """Drop the lines of page chrome from `text`; return the kept lines and one span per dropped block."""
    lines = _split_lines(text)
    reasons = _line_reasons(lines)
    kept = _assemble(lines, reasons)
    return kept, tuple(_merge_spans(text, lines, reasons))


# --- decoding -----------------------------------------------------------------------------------------------


def _decode_bom(data: bytes, source: str) -> str | None:
    """Text after a byte-order mark, or None when there is no mark."""
    for bom, codec in BOM_CODECS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise DecodeError(source, f"not valid {codec} despite its byte-order mark") from None
    return None


def _decode_guess(data: bytes, source: str, kind: str) -> str:
    """Text in the declared (HTML) or detected encoding; cp1252 wins a tie between single-byte codecs."""
    declared = _declared_charset(data) if kind == "html" else None
    if declared is not None:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    results = charset_normalizer.from_bytes(data)
    if not results:
        raise DecodeError(source, "binary data or unknown encoding, not text")
    best = min(match.chaos for match in results)
    ties = [match for match in results if match.chaos <= best + CHAOS_TIE]
    preferred = next((m for m in ties if m.encoding == PREFERRED_CODEC), None)
    match = preferred or results.best() or ties[0]
    return str(match)


def _declared_charset(data: bytes) -> str | None:
    """The codec a page declares in <meta>, if Python knows it (latin-1 read as cp1252, as browsers do)."""
    found = _META_CHARSET.search(data[:CHARSET_SCAN_BYTES])
    if found is None:
        return None
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _control_share(text: str) -> float:
    """Share of control characters in `text` (tab, newlines and form feed are not counted)."""
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


# --- plain-text chrome --------------------------------------------------------------------------------------

# A tag line, a related-link title or a sidebar item has at most this many words (seed tag lists: 1-2 words;
# related-post titles on blogs: up to about 8).
LABEL_MAX_WORDS = 8
# A trailing run of label lines is dropped as a tag list only from this many lines on; one short last line may
# be a sign-off or a dateline.
TAG_RUN_MIN_LINES = 2
# A "real paragraph" ends like a sentence and has at least this many words ("Powered by Blogger." has three).
PARAGRAPH_MIN_WORDS = 6
# A glued advert line has at most this many words (the seed advert has 13; news paragraphs run 25-80).
GLUED_AD_MAX_WORDS = 30
# ...and the glued word has at least this many words on each side (the seed advert has 6 and 6; a camel-case
# brand opening a headline, "devkitPro data breach" in the HIBP set, has none before it).
GLUED_MIN_WORDS_AROUND = 2
# A navigation line splits on separators into at least this many parts of at most NAV_PART_MAX_WORDS words
# each.
NAV_MIN_PARTS = 3
NAV_PART_MAX_WORDS = 4


@lru_cache(maxsize=1)
def _chrome() -> _Chrome:
    """Chrome rules from the packaged data/chrome.toml, compiled once."""
    source = resources.files("breachlens").joinpath("data", "chrome.toml").read_text(encoding="utf-8")
    return _parse_chrome(tomllib.loads(source))


def _parse_chrome(data: dict[str, Any]) -> _Chrome:
    """Build the rules from parsed TOML, refusing empty groups and unknown extents."""
    lines = tuple(_parse_rule(group, "line") for group in data.get("lines", []))
    sections = tuple(_parse_rule(group, group.get("extent", "")) for group in data.get("sections", []))
    allow = frozenset(word.casefold() for word in data.get("glued", {}).get("allow", []))
    return _Chrome(lines=lines, sections=sections, glued_allow=allow)


def _parse_rule(group: dict[str, Any], extent: str) -> _Rule:
    """One TOML group -> _Rule; a group with no lines and no patterns is an error, not a silent no-op."""
    reason = str(group.get("reason", "")).strip()
    exact = frozenset(str(e).casefold() for e in group.get("exact", []))
    patterns = tuple(re.compile(p) for p in group.get("patterns", []))
    if not reason or not (exact or patterns):
        raise ValueError(f"chrome rule group {reason or '?'!r} needs a reason and a line or a pattern")
    if extent != "line" and extent not in _EXTENTS:
        raise ValueError(f"chrome section {reason!r}: extent must be one of {', '.join(_EXTENTS)}")
    return _Rule(reason=reason, max_words=int(group.get("max_words", LABEL_MAX_WORDS)), exact=exact,
                 patterns=patterns, extent=extent)


def _split_lines(text: str) -> list[_Line]:
    """Lines of `text` with their offsets, trailing whitespace (incl. no-break spaces) left out."""
    lines: list[_Line] = []
    start = 0
    for piece in text.split("\n"):
        content = piece.rstrip()
        lines.append(_Line(start, start + len(content), content))
        start += len(piece) + 1
    return lines


def _normalise(line: str) -> str:
    """A line as the chrome vocabulary is written: no markup, links as their text, case-folded."""
    norm = _MD_LINK.sub(r"\1", line.strip())
    while (stripped := _MARKUP_PREFIX.sub("", norm, count=1)) != norm:
        norm = stripped
    norm = norm.replace("**", "").replace("__", "")
    norm = " ".join(norm.split()).rstrip(" :»›|–—-").strip()
    return norm.casefold()


def _words(line: str) -> int:
    """Number of whitespace-separated words."""
    return len(line.split())


def _is_sentence(line: str) -> bool:
    """True when the line ends like a sentence."""
    return bool(_SENTENCE_END.search(line.strip()))


def _is_paragraph(line: str) -> bool:
    """True for a line of running text: it ends like a sentence and is not a two-word fragment."""
    return _is_sentence(line) and _words(line) >= PARAGRAPH_MIN_WORDS


def _is_label(line: str) -> bool:
    """True for a short line that is not a sentence, a list item or a list intro: a tag, a link title."""
    stripped = line.strip()
    return (
        0 < _words(stripped) <= LABEL_MAX_WORDS
        and not _is_sentence(stripped)
        and not stripped.endswith((":", ";", ","))
        and not _BULLET.match(line)
    )


def _is_link_title(line: str) -> bool:
    """True for an item of a list of links: a short non-sentence line, bulleted or not ("- [Title](url)")."""
    return _is_label(_normalise(line))


def _line_reason(line: str, chrome: _Chrome, glued_names: frozenset[str]) -> str | None:
    """Why a single line is chrome (vocabulary, navigation, glued advert), or None to keep it."""
    norm = _normalise(line)
    if not norm:
        return None
    for rule in chrome.lines:
        if rule.matches(norm):
            return rule.reason
    if _is_nav_line(line):
        return "navigation"
    if _is_glued_advert(line, glued_names):
        return "advert"
    return None


def _is_nav_line(line: str) -> bool:
    """True for "Home | News | Security" and "Home » Blog » Breaches": short items between separators."""
    parts = _NAV_SEPARATOR.split(line.strip())
    return (
        len(parts) >= NAV_MIN_PARTS
        and all(0 < _words(part) <= NAV_PART_MAX_WORDS for part in parts)
        and not _is_sentence(line)
    )


def _glued_word(word: str) -> str | None:
    """The word, punctuation aside, when a lower-case run meets a capital inside it ("bankAcmeNAS")."""
    token = _GLUED.fullmatch(word.strip(".,;:!?\"'()“”‘’"))
    return token.group() if token else None


def _is_glued_advert(line: str, allow: frozenset[str]) -> bool:
    """True for a short line where a sentence runs into a brand ("...breaking the bankAcmeNAS gives...")."""
    if _words(line) > GLUED_AD_MAX_WORDS or "`" in line:
        return False
    words = line.split()
    for position, word in enumerate(words):
        token = _glued_word(word)
        if token is None or token.casefold() in allow:
            continue
        # Code identifiers (getElementById) have several capitalised humps; a glued brand has one or two. A
        # brand written in camel case (myBrand) starts a headline or stands alone; a glued one sits inside
        # running text.
        inside = position >= GLUED_MIN_WORDS_AROUND and len(words) - position - 1 >= GLUED_MIN_WORDS_AROUND
        if inside and len(_HUMP.findall(token)) <= 2:
            return True
    return False


def _line_reasons(lines: Sequence[_Line]) -> list[str | None]:
    """Why each line is dropped (None: kept): single-line rules, then sections, then a trailing tag run."""
    chrome = _chrome()
    # A camel-case word the page uses more than once is a name ("easyJet"), not a sentence glued to an advert.
    glued = Counter(g.casefold() for line in lines for g in map(_glued_word, line.text.split()) if g)
    names = chrome.glued_allow | frozenset(word for word, n in glued.items() if n > 1)
    reasons = [_line_reason(line.text, chrome, names) if line.text.strip() else None for line in lines]
    _apply_sections(lines, reasons, chrome.sections)
    _drop_trailing_labels(lines, reasons)
    return reasons


def _apply_sections(lines: Sequence[_Line], reasons: list[str | None], sections: Sequence[_Rule]) -> None:
    """Drop section headers with what follows them; before the first paragraph, only the header goes."""
    seen_paragraph = False
    index = 0
    while index < len(lines):
        text = lines[index].text
        if not text.strip() or (reasons[index] is not None and reasons[index] != "related links"):
            index += 1
            continue
        norm = _normalise(text)
        rule = next((r for r in sections if r.matches(norm)), None)
        if rule is None:
            seen_paragraph = seen_paragraph or _is_paragraph(text)
            index += 1
            continue
        if not seen_paragraph and rule.extent in ("to_end", "short_lines"):
            reasons[index] = rule.reason
            index += 1
            continue
        end = _section_end(lines, index, rule.extent)
        for covered in range(index, end):
            reasons[covered] = rule.reason
        index = end


def _section_end(lines: Sequence[_Line], header: int, extent: str) -> int:
    """Index one past the last line a section header at `header` covers."""
    if extent == "to_end":
        return len(lines)
    end = header + 1
    if extent == "next_paragraph":
        while end < len(lines) and not lines[end].text.strip():
            end += 1
        while end < len(lines) and lines[end].text.strip():
            end += 1
        return end
    last = header + 1
    while end < len(lines) and (not lines[end].text.strip() or _is_link_title(lines[end].text)):
        end += 1
        if lines[end - 1].text.strip():
            last = end
    return last


def _drop_trailing_labels(lines: Sequence[_Line], reasons: list[str | None]) -> None:
    """Drop a run of short label lines after the last real paragraph: a tag or label list."""
    run: list[int] = []
    stopper = ""
    for index in range(len(lines) - 1, -1, -1):
        text = lines[index].text
        if not text.strip() or reasons[index] is not None:
            continue
        if not _is_label(text):
            stopper = text
            break
        run.append(index)
    # A run right after "Data exposed:" is a list, and a page of nothing but short lines has no article to
    # trail.
    if len(run) < TAG_RUN_MIN_LINES or not _is_paragraph(stopper):
        return
    for index in run:
        reasons[index] = "tag list"


def _assemble(lines: Sequence[_Line], reasons: Sequence[str | None]) -> str:
    """Kept lines joined with "\\n"; blank or dropped lines between them become one blank line."""
    out: list[str] = []
    pending_break = False
    for line, reason in zip(lines, reasons, strict=True):
        if reason is not None or not line.text.strip():
            pending_break = bool(out)
            continue
        if pending_break:
            out.append("")
        out.append(line.text)
        pending_break = False
    return "\n".join(out)


def _merge_spans(text: str, lines: Sequence[_Line], reasons: Sequence[str | None]) -> list[DroppedSpan]:
    """One DroppedSpan per block of dropped lines sharing a reason (blank lines between them included)."""
    spans: list[DroppedSpan] = []
    current: tuple[int, int, str] | None = None
    for line, reason in zip(lines, reasons, strict=True):
        if not line.text.strip():
            continue
        if current is not None and current[2] == reason:
            current = (current[0], line.end, current[2])
            continue
        if current is not None:
            spans.append(_span(text, *current))
            current = None
        if reason is not None:
            current = (line.start + len(line.text) - len(line.text.lstrip()), line.end, reason)
    if current is not None:
        spans.append(_span(text, *current))
    return spans


def _span(text: str, start: int, end: int, reason: str) -> DroppedSpan:
    """A DroppedSpan over text[start:end]."""
    return DroppedSpan(start=start, end=end, text=text[start:end], reason=reason)


# --- plain-text metadata ------------------------------------------------------------------------------------

# A saved page often opens with labelled metadata lines ("URL: https://...", "TITLE: ...", "Date: 2021-06-09"),
# and page-excerpt tools prefix the body with " date YYYY-MM-DD".
_HEADER_LINE = re.compile(r"^(?P<label>url|link|source|title|headline|date|published)\s*:\s*(?P<value>\S.*?)\s*$", re.I)
_EXCERPT_DATE = re.compile(r"^\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\s")
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})(?:/|-|$)")
HEADER_SCAN_LINES = 4
# A line is a candidate title among the first this-many kept lines, when it has 2..TITLE_MAX_WORDS words.
TITLE_SCAN_LINES = 3
TITLE_MAX_WORDS = 20
# A dateline is looked for among the first this-many kept lines.
DATE_SCAN_LINES = 6


@dataclass(frozen=True)
class TextHeader:
    """What labelled header lines say, and the text with their labels blanked (same length: offsets hold)."""

    body: str
    title: str | None
    url: str | None
    published: str | None
    dropped: tuple[DroppedSpan, ...]


def read_text_header(text: str) -> TextHeader:
    """Metadata from "URL:" / "TITLE:" / "Date:" lines at the top; the title stays as the first line of text.

    Label and URL lines are blanked with spaces rather than cut, so every offset into the body is an offset into
    the decoded file; a body line that only repeats the title is blanked too (the headline is read once).
    """
    chars = list(text)
    title = url = published = None
    dropped: list[DroppedSpan] = []
    pos, seen = 0, 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        seen += 1
        m = _HEADER_LINE.match(line.strip())
        if m is None or seen > HEADER_SCAN_LINES:
            if title and " ".join(line.split()) == title:
                chars[start:end] = " " * len(line)
                dropped.append(DroppedSpan(start, end, line, "repeated title"))
            excerpt = _EXCERPT_DATE.match(line)
            if excerpt and published is None:
                published = _iso(excerpt.group("date"))
            break
        label, value = m.group("label").lower(), m.group("value")
        offset = start + line.index(m.group(0))
        if label in ("title", "headline"):
            title = " ".join(value.split())
            label_end = offset + m.start("value")
            chars[start:label_end] = " " * (label_end - start)
            dropped.append(DroppedSpan(start, label_end, text[start:label_end], "metadata label"))
            continue
        if label in ("url", "link", "source"):
            url = value
            found = _URL_DATE.search(value)
            if found and published is None:
                published = _iso(f"{found['y']}-{int(found['m']):02d}-{int(found['d']):02d}")
        else:
            published = published or _dateline(value) or _iso(value)
        chars[start:end] = " " * len(line)
        dropped.append(DroppedSpan(start, end, line, "metadata header"))
    return TextHeader("".join(chars), title, url, published, tuple(dropped))


def _iso(value: str) -> str | None:
    """A YYYY-MM-DD string that is a real date, else None."""
    try:
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def _head_lines(text: str, count: int) -> list[str]:
    """The first `count` non-blank lines of `text`."""
    return [line for line in text.split("\n") if line.strip()][:count]


def _text_title(text: str) -> str | None:
    """The first headline-like line (short, no final period) among the first kept lines."""
    for line in _head_lines(text, TITLE_SCAN_LINES):
        title = _normalise_title(line)
        if (
            2 <= _words(title) <= TITLE_MAX_WORDS
            and not title.endswith((".", ":", ";", ","))
            and not _BULLET.match(line)
            and _dateline(line) is None
        ):
            return title
    return None


def _normalise_title(line: str) -> str:
    """A headline without Markdown heading marks or emphasis."""
    return " ".join(line.strip().lstrip("#").replace("**", "").replace("__", "").split())


def _text_published(text: str) -> str | None:
    """YYYY-MM-DD from a dateline near the top ("Published: 2 June 2025", "June 2, 2025"), else None."""
    for line in _head_lines(text, DATE_SCAN_LINES):
        found = _dateline(line)
        if found is not None:
            return found
    return None


def _dateline(line: str) -> str | None:
    """The ISO date of a line that is nothing but a (labelled) date, else None."""
    norm = _normalise(line)
    for pattern, order in _DATELINES:
        found = pattern.match(norm)
        if found is None:
            continue
        parts = found.groups()
        if order == "dmy":
            day, month, year = int(parts[0]), _MONTHS[parts[1]], int(parts[2])
        elif order == "mdy":
            month, day, year = _MONTHS[parts[0]], int(parts[1]), int(parts[2])
        else:
            year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    return None


# --- HTML ---------------------------------------------------------------------------------------------------

# A <title> suffix after " | " or " - " is a site name when it has at most this many words.
SITE_SUFFIX_MAX_WORDS = 4


def _clean_html(source: str, html: str) -> tuple[str, tuple[DroppedSpan, ...], str | None, str | None]:
    """Main text, dropped chrome, title and date of an HTML page."""
    extracted = _extract(html)
    body = extracted.get("text") or ""
    if not _WORD.search(body):
        body = _fallback_text(html)
    if not _WORD.search(body):
        raise SourceError(source, "no main text found in HTML")
    paragraphs = "\n\n".join(line.strip() for line in body.split("\n") if line.strip())
    text, dropped = strip_chrome(paragraphs)
    located = tuple(_locate(html, line) for span in dropped for line in _split_span(span))
    title = _html_title(html) or extracted.get("title")
    date = extracted.get("date")
    published = date if isinstance(date, str) and _ISO_DATE.match(date) else None
    return text, located, title, published


def _extract(html: str) -> dict[str, Any]:
    """trafilatura's main text, title and date of a page; {} when it finds nothing or fails on the markup."""
    try:
        document = trafilatura.bare_extraction(
            html,
            include_comments=False,
            with_metadata=True,
            # Only dates the page states in its metadata: the extensive search also takes dates from the body,
            # which in breach articles are incident dates, not the publication date.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    # trafilatura parses arbitrary markup with lxml and several heuristics; any failure there means "nothing
    # extracted", and the lxml fallback or a one-line SourceError takes over.
    except Exception:  # noqa: BLE001
        return {}
    if document is None:
        return {}
    if isinstance(document, dict):
        return document
    return {"text": document.text, "title": document.title, "date": document.date}


def _parse_html(html: str) -> lxml.html.HtmlElement | None:
    """An lxml tree of the page, or None when lxml cannot make one."""
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


def _fallback_text(html: str) -> str:
    """Visible text of a page by plain lxml, one block per line, without script, style or page furniture."""
    tree = _parse_html(html)
    if tree is None:
        return ""
    lxml.etree.strip_elements(tree, *_INVISIBLE_TAGS, *_FURNITURE_TAGS, lxml.etree.Comment, with_tail=False)
    for element in tree.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    text = tree.text_content()
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def _html_title(html: str) -> str | None:
    """og:title, else <title> without a trailing " | Site" / " - Site"."""
    tree = _parse_html(html)
    if tree is None:
        return None
    for value in tree.xpath('//meta[@property="og:title" or @name="og:title"]/@content'):
        title = " ".join(str(value).split())
        if title:
            return title
    for element in tree.xpath("//title"):
        title = " ".join(element.text_content().split())
        if title:
            return _strip_site_suffix(title)
    return None


def _strip_site_suffix(title: str) -> str:
    """'Acme breach | Daily Ledger' -> 'Acme breach'; a long last part is part of the headline and stays."""
    separators = list(_SITE_SUFFIX.finditer(title))
    if not separators:
        return title
    last = separators[-1]
    head, tail = title[: last.start()].strip(), title[last.end() :]
    return head if head and _words(tail) <= SITE_SUFFIX_MAX_WORDS else title


def _split_span(span: DroppedSpan) -> list[DroppedSpan]:
    """A merged span of extracted HTML text split into its lines (each may be in the source on its own)."""
    return [DroppedSpan(-1, -1, line, span.reason) for line in span.text.split("\n") if line.strip()]


def _locate(html: str, span: DroppedSpan) -> DroppedSpan:
    """The span with offsets of its text in the HTML source, or -1/-1 when it is not there verbatim."""
    start = html.find(span.text)
    if start < 0:
        return span
    return DroppedSpan(start, start + len(span.text), span.text, span.reason)
