"""Polarity (exposed / not exposed) and modality (confirmed / reported / claimed / suspected) of what a clause says.

Hand-written because this is the core of breach reading and no package does it: negation in breach prose scopes
over a whole list ("did not include payment details, bank information or passwords" is three not-exposed facts),
so polarity is decided per clause, and every data type inside a negated clause is not exposed. Advice and
hypotheticals ("never share your password", "could be used for phishing") assert nothing.
("assert" is a Python keyword, hence the module name.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Fact
from ..vocab import MODALITY_WEIGHT
from .extract.patterns import (
    CLAIM_CUES,
    CONFIRM_CUES,
    EXPOSURE_CUES,
    HYPOTHETICAL_CUES,
    NEGATION_CUES,
    SUSPECT_CUES,
)
from .extract.spans import cue_words

_CLAUSE_BREAK = re.compile(
    r";\s*|\.\s+|,?\s+but\s+|,\s*(?:however|although|though|whereas|while|yet|except)\b[,]?\s*|\s+[-–—]\s+"
    r"|\bhowever,\s*|\bwhile\s+(?=not\b)",
    re.IGNORECASE,
)
_NEGATION = re.compile(NEGATION_CUES, re.IGNORECASE)
_EXPOSURE = re.compile(r"\b" + EXPOSURE_CUES + r"\b", re.IGNORECASE)
_HYPOTHETICAL = re.compile(HYPOTHETICAL_CUES, re.IGNORECASE)
_UNCERTAIN = re.compile(
    r"\bnot\s+(?:yet\s+)?(?:clear|known|confirmed\s+whether)\b|\bunclear\b|\bunknown\s+whether\b|\bwhether\b|\bif\s+any\b",
    re.IGNORECASE,
)
_ELLIPTIC_NEGATION = re.compile(
    r"\b(?:was|were|is|are|has|have|had|did)\s*(?:n[’']t|\s+not)\s*[.;!]?\s*$", re.IGNORECASE
)
_HELD = cue_words("stored", "held", "kept", "retained", "collected", "processed")
_CONTAINER = re.compile(
    r"\b(?:database|server|bucket|instance|file|dump|archive|backup|spreadsheet|data\s*set)s?\b",
    re.IGNORECASE,
)
_SAFE = cue_words("safe", "secure", "unaffected", "untouched", "intact")
_SAFE_AFTER = re.compile(
    r"\b(?:is|are|was|were|remains?|remained)\s+(?:\w+\s+)?(?:safe|secure|unaffected|untouched)\b",
    re.IGNORECASE,
)
_CLAIM = re.compile(CLAIM_CUES, re.IGNORECASE)
_SUSPECT = re.compile(SUSPECT_CUES, re.IGNORECASE)
_CONFIRM = re.compile(CONFIRM_CUES, re.IGNORECASE)

EXPOSED, NOT_EXPOSED = "exposed", "not_exposed"


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of the sentence text[start:end] as offset pairs (split at ';', 'but', 'however', dashes...)."""
    out, pos = [], start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        out.append((pos, end))
    return out


def polarity(clause: str, sentence: str) -> str | None:
    """EXPOSED, NOT_EXPOSED, or None when the clause asserts nothing about exposure (whole-clause reading)."""
    if sentence.rstrip().endswith("?") or _HYPOTHETICAL.search(clause) or _UNCERTAIN.search(clause):
        return None
    if _NEGATION.search(clause):
        # a negation says something about exposure only next to an exposure word ("no cards were taken")
        if _EXPOSURE.search(clause) or _SAFE.search(clause) or _HELD.search(clause):
            return NOT_EXPOSED
        # "names were exposed; passwords were not." - the verb is elided, the sentence supplies it
        return NOT_EXPOSED if _ELLIPTIC_NEGATION.search(clause) and _EXPOSURE.search(sentence) else None
    if _EXPOSURE.search(clause) or _EXPOSURE.search(sentence):
        return EXPOSED
    if _HELD.search(clause) and _CONTAINER.search(sentence):
        return EXPOSED  # "the exposed database held guest names": what a leaked store held is what leaked
    return None


# Words that open a new proposition inside a clause: a negation before them does not reach past them
# ("was not discovered until 2017, when a file containing email addresses was found").
_SCOPE_BREAK = re.compile(
    r"\b(?:when|until|after|before|because|since|which|who|whose|where|although|though|whereas|but)\b"
    r"|\b(?:admit(?:s|ted)?|acknowledg(?:es|ed)|conced(?:es|ed))\s+that\b",  # "..., it admits that SSNs were taken"
    re.IGNORECASE,
)
# A negation of telling, not of exposure: "decided not to report the leaked figures".
_REPORTING_NEGATION = re.compile(
    r"\s+(?:to\s+|yet\s+(?:to\s+)?)?(?:report|publish|disclose|reveal|name|comment|say|share|confirm|identify|specify"
    r"|detail|elaborate|release)\w*\b",
    re.IGNORECASE,
)
# "While no details have been confirmed, reports say the data included X": the lead clause ends at its comma.
_SUBORDINATE_LEAD = re.compile(r"^\W*(?:while|although|though|even\s+though|whereas)\b[^,]*,", re.IGNORECASE)
# A qualified negation is a partial one ("did not include unprotected passwords" while hashed ones leaked; "most
# SSNs were not taken"): it does not make the data type not exposed.
_PARTIAL = re.compile(
    r"\b(?:unprotected|unencrypted|unhashed|unsalted|plain[-\s]?text|clear[-\s]?text|full|complete|entire"
    r"|(?:the\s+)?(?:vast\s+)?majority\s+of(?:\s+the)?|most(?:\s+of\s+the)?)\s+$",
    re.IGNORECASE,
)
# After a list, a negation counts only when it negates the exposure verb right there ("... were not compromised").
_POST_NEGATION = re.compile(
    r"^\W*(?:\w+\W+){0,10}?(?:(?:was|were|is|are|has|have|had|been|did|does)\s*(?:n[’']t|\*?not\*?|never)"
    r"|not|never|n[’']t)"
    r"\s+(?:\w+\s+){0,3}?(?:" + EXPOSURE_CUES
    + r"|safe|secure|unaffected|impacted|stored|held|kept|retained|collected)",
    re.IGNORECASE,
)


_LIST_JOIN = re.compile(
    r"^\s*(?:,\s*(?:and\s+|or\s+|as\s+well\s+as\s+)?|and\s+|or\s+|&\s*|nor\s+)(?:(?:their|the|any|some|customers?'?|users?'?)\s+)*$",
    re.IGNORECASE,
)


def polarity_at(clause: str, offset: int, sentence: str, hits: Sequence[tuple[int, int]] = ()) -> str | None:
    """Polarity for the data-type mention at `offset` within `clause`: negation counts only where it scopes over it.

    `hits` are all data-type spans of the clause (clause offsets): a negation after a list ("names, emails and
    phones were not exposed") covers the whole list, but not a later, separate mention ("names were exposed and
    passwords were not").
    """
    base = polarity(clause, sentence)
    if base != NOT_EXPOSED:
        return base
    before = clause[:offset]
    if _PARTIAL.search(clause[max(0, offset - 40) : offset]) or _PARTIAL.search(clause[offset : offset + 12] + " "):
        return None  # "did not include unprotected passwords": a part of the data type, not all of it
    lead = _SUBORDINATE_LEAD.match(clause)
    for m in _NEGATION.finditer(before):
        if lead and m.start() < lead.end() <= offset:
            continue  # "While no details were confirmed, the data included X"
        if _REPORTING_NEGATION.match(before, m.end()):
            continue  # "decided not to report the leaked payouts"
        if not _SCOPE_BREAK.search(before[m.end() :]):
            return NOT_EXPOSED  # "no personal data, such as card numbers, ..." / "did not include X"
    spans = sorted(hits) or [(offset, offset)]
    i = next((k for k, (s, _e) in enumerate(spans) if s == offset), None)
    end = spans[i][1] if i is not None else offset
    if i is not None:
        while i + 1 < len(spans) and _LIST_JOIN.match(clause[spans[i][1] : spans[i + 1][0]]):
            i += 1
            end = spans[i][1]
        stop = spans[i + 1][0] if i + 1 < len(spans) else len(clause)
    else:
        stop = len(clause)
    tail = clause[end:stop]
    tail_break = _SCOPE_BREAK.search(tail)
    tail = tail[: tail_break.start()] if tail_break else tail
    if _POST_NEGATION.search(tail) or _SAFE_AFTER.search(tail) or _ELLIPTIC_NEGATION.search(tail):
        return NOT_EXPOSED  # "card numbers were not compromised", "financial data is safe"
    # the negation is elsewhere in the clause: the mention's own part of it must say it was exposed
    breaks = [m.end() for m in _SCOPE_BREAK.finditer(clause, 0, offset)]
    after = _SCOPE_BREAK.search(clause, offset)
    own = clause[breaks[-1] if breaks else 0 : after.start() if after else len(clause)]
    # (a negation before the mention with no break would have returned above; one after it negates something else)
    return EXPOSED if _EXPOSURE.search(own) else None


def is_hypothetical(text: str) -> bool:
    """True for advice, conditionals and questions."""
    return text.rstrip().endswith("?") or bool(_HYPOTHETICAL.search(text))


def modality(sentence: str, default: str = "reported") -> str:
    """Who stands behind the statement: an attacker's claim, a hedge, the victim's confirmation, or the outlet."""
    if _CLAIM.search(sentence):
        return "claimed"
    if _SUSPECT.search(sentence):
        return "suspected"
    if _CONFIRM.search(sentence):
        return "confirmed"
    return default


def lead_in_polarity(lead_in: str) -> str | None:
    """Polarity a list's opening line gives its items ("The stolen data includes:" -> EXPOSED).

    A bullet ("– Full names") states nothing by itself; the line that opens the list says whether its items leaked
    or not ("The following were not affected:").
    """
    parts = clauses(lead_in, 0, len(lead_in))
    if not parts:
        return None
    s, e = parts[-1]
    return polarity(lead_in[s:e], lead_in)



def settle(
    exposed: dict[str, Fact], not_exposed: dict[str, Fact]
) -> tuple[dict[str, Fact], dict[str, Fact], tuple[str, ...]]:
    """One polarity per data type: (exposed, not_exposed, contested values).

    A value is never both exposed and not exposed for one incident. The stronger statement wins (the victim's
    confirmation over a report over a claim, vocab.MODALITY_WEIGHT), then the later one (a text corrects itself
    further down: "initially feared ... it now says no card data was taken"); the losing value is returned as
    contested so the caller can record the conflict.
    """
    exposed, not_exposed = dict(exposed), dict(not_exposed)
    contested = tuple(sorted(set(exposed) & set(not_exposed)))
    for value in contested:
        yes, no = exposed[value], not_exposed[value]
        if _weight(no) > _weight(yes) or (_weight(no) == _weight(yes) and _last(no) > _last(yes)):
            del exposed[value]
        else:
            del not_exposed[value]
    return exposed, not_exposed, contested


def _weight(fact: Fact) -> float:
    """How strong the statement behind a fact is."""
    return MODALITY_WEIGHT.get(fact.modality, 0.0)


def _last(fact: Fact) -> int:
    """Where the fact was last stated in the text."""
    return max((e.start for e in fact.evidence), default=-1)
