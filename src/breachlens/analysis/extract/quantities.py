"""Counts of affected people or records ("approximately 12,000 individuals", "7.4 million", "96M users").

Hand-written: the packages measured for this (quantulum3, number-parser) misread breach counts (see
../shared/DEPENDENCIES.md), and the hard part is not the number but what it counts. A count qualifies only when
a counted noun (people, records, accounts...) follows it; money, percentages, years and store counts do not.
Whether the count is the breach's size or a customer base is decided from the words around it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .patterns import BARE_COUNT_VERBS, BASE_COUNT_AFTER, BASE_COUNT_CUES, BASE_COUNT_FILLER, COUNTED_NOUNS

_MULTIPLIERS = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "mil": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a hundred": 100,
    "hundred": 100,
    "a": 1,
    "half a": 0.5,
}
_NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_WORDNUM = (
    r"(?P<word>half\s+a|a\s+hundred|"
    + "|".join(sorted((w for w in _WORD_NUMBERS if " " not in w), key=len, reverse=True))
    + ")"
)
_MULT = r"(?:\s*(?P<{}>million|billion|thousand|mn|bn|mil|[kKmMbB])(?![\w]))"
_MULT_NUM, _MULT_WORD = _MULT.format("mult"), _MULT.format("wmult")
_QUALIFIER = (
    r"(?P<qual>(?:approximately|approx\.?|about|around|roughly|nearly|almost|over|more\s+than|some|up\s+to"
    r"|at\s+least|an\s+estimated|estimated|close\s+to|just\s+under|just\s+over|upwards\s+of|in\s+excess\s+of)\s+)?"
)
_FILLER = r"(?P<filler>(?:(?!of\b|and\b|or\b|to\b|in\b|from\b)[\w’'/-]+\s+){0,3}?)"
# "a further 2 million of its customers": a part of the customers, counted as the affected ones
_PART_OF = r"(?:of\s+(?:its|their|the|our)\s+)?"
_COUNT_RX = re.compile(
    rf"(?<![\w$€£¥.,]){_QUALIFIER}(?:{_NUMBER}{_MULT_NUM}?|{_WORDNUM}{_MULT_WORD})\s+{_PART_OF}{_FILLER}(?P<noun>{COUNTED_NOUNS})(?![\w])",
    re.IGNORECASE,
)
# "a breach affecting 4.2 million." - the counted noun is understood; only a number with a multiplier qualifies
_BARE_RX = re.compile(
    rf"\b{BARE_COUNT_VERBS}\s+(?:the\s+(?:data|records|details|information)\s+of\s+)?{_QUALIFIER}"
    rf"(?:{_NUMBER}{_MULT_NUM}|{_WORDNUM}{_MULT_WORD})(?=\s*(?:[.,;:)!]|$|\s+(?:in|at|on|across|when|after|during|last|this)\b))",
    re.IGNORECASE,
)
_BASE_FILLER = re.compile(BASE_COUNT_FILLER, re.IGNORECASE)
_HAS_CUE = re.compile(r"\bhas\s+(?:over\s+|more\s+than\s+|some\s+|about\s+|around\s+)?$", re.IGNORECASE)
# Counts this small are sub-groups, organisations or systems ("16 accounts", "50 clients"), never a breach's size
# in the dev and HIBP sets (smallest labelled record count there: 858).
_MIN_RECORDS = 100
# "the number of affected customers rose to around 91,000": the counted noun comes before the number.
_NUMBER_OF_RX = re.compile(
    rf"\bnumber\s+of\s+(?:affected\s+|impacted\s+)?(?P<noun>{COUNTED_NOUNS})\b[^.;]{{0,80}}?\b(?:to|at|is|was|stands\s+at|of|reached)\s+"
    rf"{_QUALIFIER}(?:{_NUMBER}{_MULT_NUM}?|{_WORDNUM}{_MULT_WORD})(?![\w%])",
    re.IGNORECASE,
)
# "a lender with 4 million customers" is a customer base; "records with 7 million email addresses" is not.
_WITH_PEOPLE = re.compile(
    r"\bwith\s+(?:over\s+|more\s+than\s+|some\s+|about\s+|around\s+|nearly\s+|almost\s+)?$", re.IGNORECASE
)
_DATA_BEFORE = re.compile(
    r"\b(?:records?|data|accounts?|database|files?|dump|leak|rows|entries|set|corpus|list)\b[^.,;]{0,20}$",
    re.IGNORECASE,
)
_BASE_BEFORE = re.compile(BASE_COUNT_CUES, re.IGNORECASE)
_BASE_AFTER = re.compile(BASE_COUNT_AFTER, re.IGNORECASE)
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True)
class Count:
    """A count of something affected: `value` people/records, `noun` what is counted."""

    start: int
    end: int
    value: int
    noun: str
    is_base: bool


# Counts above this are not read as counts (the largest breach counts run to about 3e10 records); it also keeps
# a value within SQLite's 64-bit INTEGER.
MAX_COUNT = 10**15


def _value(match: re.Match[str]) -> int | None:
    """The integer a count match denotes, or None when it is not a usable count."""
    mult = _MULTIPLIERS.get((match.group("mult") or match.group("wmult") or "").lower(), 1)
    if match.group("num"):
        raw = match.group("num").replace(",", "")
        if _YEAR.match(raw) and mult == 1:
            return None
        number = float(raw)
    else:
        word = re.sub(r"\s+", " ", match.group("word").lower())
        number = float(_WORD_NUMBERS[word])
    total = number * mult
    if not math.isfinite(total) or total > MAX_COUNT:  # "9" * 400 is no count (and overflows int and SQLite)
        return None
    value = int(round(total))
    return value if value >= 2 else None


def find_counts(text: str, start: int = 0, end: int | None = None) -> list[Count]:
    """Counts of people/records in text[start:end]; `is_base` flags counts that are not the breach's size.

    Not the size: a customer base or workforce, client organisations, a campaign total over many victims, and counts
    under 100 (sub-groups, systems, organisations).
    """
    end = len(text) if end is None else end
    out: list[Count] = []
    for match in _COUNT_RX.finditer(text, start, end):
        value = _value(match)
        if value is None:
            continue
        before = text[max(start, match.start() - 40) : match.start()]
        after = text[match.end() : min(end, match.end() + 40)]
        filler = (match.group("filler") or "").lower()
        base_before = _BASE_BEFORE.search(before)
        if base_before and _HAS_CUE.search(before) and _DATA_BEFORE.search(before[: base_before.start()]):
            base_before = None  # "the dump has 11M email addresses": a data set's content, not a customer base
        is_base = bool(
            base_before or _BASE_AFTER.search(after) or _BASE_FILLER.search(filler) or value < _MIN_RECORDS
        )
        with_people = _WITH_PEOPLE.search(before)
        if not is_base and with_people and not _DATA_BEFORE.search(before[: with_people.start()]):
            is_base = True
        out.append(Count(match.start(), match.end(), value, match.group("noun").lower(), is_base))
    for match in _BARE_RX.finditer(text, start, end):
        value = _value(match)
        num_start = match.start("num") if match.group("num") else match.start("word")
        if value is not None and value >= _MIN_RECORDS and not any(c.start <= num_start < c.end for c in out):
            out.append(Count(num_start, match.end(), value, "people", False))
    for match in _NUMBER_OF_RX.finditer(text, start, end):
        value = _value(match)
        if value is not None and not any(
            c.start <= match.start("qual" if match.group("qual") else "num") < c.end for c in out
        ):
            num_start = match.start("num") if match.group("num") else match.start("word")
            out.append(Count(num_start, match.end(), value, match.group("noun").lower(), False))
    return sorted(out, key=lambda c: c.start)
