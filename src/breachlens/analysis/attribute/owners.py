"""Step 4 of attribution: which victim each clause of each sentence speaks about (or nobody)."""

from __future__ import annotations

import re
from collections import Counter

from ..assertions import clauses
from ..extract.dates import find_dates
from ..extract.orgs import OrgMention
from ..extract.patterns import (
    RECALL_CUES,
)
from ..segment import Sentence
from .candidates import _BREACH, _Candidate, _is_subject, _Reading
from .features import bystander_kind

_RECALL = re.compile(RECALL_CUES, re.IGNORECASE)


def _assign_owners(
    reading: _Reading, main_key: str, victims: set[str], brands: set[str]
) -> list[list[tuple[int, int, str]]]:
    """For each sentence, (start, end, victim key) ranges saying whose facts its clauses state."""
    seg, text = reading.seg, reading.seg.text
    resolve = {k: main_key for k in brands} | {v: v for v in victims}

    def key_of(m: OrgMention) -> str | None:
        return resolve.get(reading.alias.get(m.key, m.key))

    owners: list[list[tuple[int, int, str]]] = []
    topic, para_index, bullet_owner = main_key, -1, None
    # years the document gives for its own incident: dates in sentences that recall nothing
    current_years = set().union(
        *[_years(text, st.start, st.end) for st in seg.sentences if not _RECALL.search(st.text)] or [set()]
    )
    # ...but a year that appears only beside "in 2022 the server was decommissioned" is not this breach's either;
    # only years of sentences about a breach count
    current_years = {
        y
        for y in current_years
        if any(
            _BREACH.search(st.text) and y in _years(text, st.start, st.end)
            for st in seg.sentences
            if not _RECALL.search(st.text)
        )
    }
    for idx, sent in enumerate(seg.sentences):
        para = sent.paragraph
        if para.index != para_index:
            if not para.is_list_item:
                bullet_owner = None
                topic = main_key
            else:
                first = next(
                    (
                        key_of(m)
                        for m in reading.mentions[idx]
                        if text[m.end : m.end + 8].lstrip().startswith((":", "("))
                    ),
                    None,
                )
                bullet_owner = first
                topic = first or main_key
            para_index = para.index
        sent_victims = [(m, key) for m in reading.mentions[idx] if (key := key_of(m))]
        ranges: list[tuple[int, int, str]] = []
        subject = next((k for m, k in sent_victims if _is_subject(m, sent)), None)
        # a sentence about some other organisation we could not place: its facts are nobody's rather than the
        # main victim's (another company's leak must never land on this one)
        stranger = subject is None and _unknown_subject(reading, idx, sent, victims | brands)
        for cs, ce in clauses(text, sent.start, sent.end):
            inside = [(m, k) for m, k in sent_victims if cs <= m.start < ce]
            default = _NOBODY if stranger else (bullet_owner or subject or topic)
            if not inside:
                ranges.append((cs, ce, default))
                continue
            # within a clause, a fact belongs to the victim named last before it (or the first one after it)
            first_start = inside[0][0].start
            ranges.append((cs, first_start, inside[0][1]))
            ends = [m.start for m, _k in inside[1:]] + [ce]
            for (m, k), end in zip(inside, ends, strict=True):
                ranges.append((m.start, end, k))
        if subject and not para.is_heading:
            topic = subject
        recall_year = _recalled_year(reading, idx, current_years)
        if recall_year:
            key = _recall_candidate(reading, main_key, recall_year, sent)
            ranges = [(a, b, key if k == main_key else k) for a, b, k in ranges]
        owners.append(ranges)
    return owners


_NOBODY = (
    "\x00nobody"  # owner of facts that belong to an organisation that is not one of the document's victims
)


def _unknown_subject(reading: _Reading, idx: int, sent: Sentence, known: set[str]) -> bool:
    """The subject of a breach sentence is an organisation that is neither a victim nor a bystander."""
    if not _BREACH.search(sent.text):
        return False
    for m in reading.mentions[idx]:
        key = reading.alias.get(m.key, m.key)
        cand = reading.candidates.get(key)
        if key in known or cand is None or cand.bystander or m.is_person or bystander_kind(cand.name):
            continue  # a regulator or outlet as subject ("The ICO found that...") speaks of the victim
        if _heads_subject(m, sent):
            return True
    return False


def _heads_subject(m: OrgMention, sent: Sentence) -> bool:
    """The mention itself is the subject ("Dior reported..."), not a modifier of it ("the IP.Board based forum")."""
    last = next(
        (t for t in reversed(list(sent.span)) if sent.start + (t.idx - sent.span.start_char) < m.end), None
    )
    return last is not None and last.dep_ in ("nsubj", "nsubjpass")


def _years(text: str, start: int, end: int) -> set[str]:
    """Four-digit years of the explicit dates in text[start:end]."""
    return {d.value[:4] for d in find_dates(text, start, end) if d.value[:1].isdigit()}


def _recalled_year(reading: _Reading, idx: int, current_years: set[str]) -> str | None:
    """The year of an earlier breach this sentence recalls ("This is not the first time... In 2021, X lost...")."""
    seg = reading.seg
    sent = seg.sentences[idx]
    prev = (
        seg.sentences[idx - 1]
        if idx > 0 and seg.sentences[idx - 1].paragraph.index == sent.paragraph.index
        else None
    )
    if not (_RECALL.search(sent.text) or (prev is not None and _RECALL.search(prev.text))):
        return None
    if not _BREACH.search(sent.text):
        return None  # "privatised in 2013", "first appeared in 2020": a year of the story, not an earlier breach
    years = sorted(_years(seg.text, sent.start, sent.end) - current_years)
    return years[0] if years else None


def _recall_candidate(reading: _Reading, main_key: str, year: str, sent: Sentence) -> str:
    """A separate incident key for the main victim's earlier breach of `year`."""
    key = f"{main_key}@{year}"
    if key not in reading.candidates:
        main = reading.candidates[main_key]
        reading.candidates[key] = _Candidate(
            key, names=Counter(main.names), first=10**9 + int(year), title_quote=(sent.start, sent.end)
        )
    reading.recalled.add(key)
    return key


def _owner_at(owners: list[tuple[int, int, str]], pos: int) -> str | None:
    """Owner of the clause containing `pos` (None when the facts there belong to no victim of the document)."""
    owner = next((k for s, e, k in owners if s <= pos < e), owners[-1][2] if owners else None)
    return None if owner == _NOBODY else owner


# --- building incidents ----------------------------------------------------------------------------------------------
