"""Shared helpers for regex-based extractors: compile rule data once, pick non-overlapping longest hits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from .patterns import alt


@dataclass(frozen=True)
class Hit:
    """A labelled span of text: `text[start:end]` is what matched."""

    start: int
    end: int
    label: str


def cue_words(*words: str) -> re.Pattern[str]:
    r"""Any of these words or phrases as a whole word, in any case (`\b(?:a|b|...)\b`): most cue lists read so."""
    return re.compile(r"\b" + alt(*words) + r"\b", re.IGNORECASE)


def cue_stems(*stems: str) -> re.Pattern[str]:
    """Any of these word stems anywhere, in any case: a cheap pre-check that rules out most sentences at once."""
    return re.compile(alt(*stems), re.IGNORECASE)


@cache
def compile_labelled(
    patterns: tuple[tuple[str, str], ...], flags: int = re.IGNORECASE
) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Compile (pattern, label) rule data with word boundaries that also respect hyphens."""
    return tuple((re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", flags), label) for p, label in patterns)


def longest_first(hits: Iterable[Hit]) -> list[Hit]:
    """Leftmost-longest selection: drop any hit that overlaps an earlier or longer one."""
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if chosen and hit.start < chosen[-1].end:
            continue
        chosen.append(hit)
    return chosen


def find_labelled(
    text: str, patterns: Sequence[tuple[str, str]], start: int = 0, end: int | None = None
) -> list[Hit]:
    """All non-overlapping labelled hits of `patterns` in text[start:end], offsets into `text`."""
    end = len(text) if end is None else end
    hits = [
        Hit(m.start(), m.end(), label)
        for rx, label in compile_labelled(tuple(patterns))
        for m in rx.finditer(text, start, end)
    ]
    return longest_first(hits)
