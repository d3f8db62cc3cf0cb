"""What the victim did (response actions), what happened with a ransom, and how the attackers got in.

Hand-written cue rules (patterns.py): the vocabulary is breach-specific and the difficulty is telling a reported
action ("the company has notified the police") from advice ("companies should notify the police"), and an access
vector ("obtained through phishing") from a risk ("the data could be used for phishing"). Each finder works on
one sentence and returns labelled hits; the caller attaches modality and evidence.
"""

from __future__ import annotations

import re

from ..assertions import clauses as assertion_clauses
from .patterns import (
    ACCESS_BLOCKERS,
    ACCESS_CONTEXT,
    RANSOM_PATTERNS,
    RESPONSE_BLOCKERS,
    RESPONSE_PATTERNS,
    VECTOR_PATTERNS,
)
from .spans import Hit, compile_labelled, cue_stems, cue_words, find_labelled

_RESPONSE_BLOCK = re.compile(RESPONSE_BLOCKERS, re.IGNORECASE)
_ACCESS_CONTEXT = re.compile(ACCESS_CONTEXT, re.IGNORECASE)
# Blockers that disqualify the whole sentence: it is about what attackers typically do, not this breach.
_ACCESS_SENTENCE_BLOCK = re.compile(
    r"\boften\b|\btypically\b|\bopportunit(?:y|ies)\b|\b(?:could|can)\s+be\s+used\b|\bcommonly\b|\busually\b"
    r"|\bcan\b|\bshould\b|\bbe\s+alert\b|\bprotect\w*\s+against\b|\bdefen[cs]\w*\s+against\b|\bneeds?\s+to\b"
    r"|\bconcerns?\b|\bfears?\b|\bworr(?:y|ied|ies)\b",
    re.IGNORECASE,
)
_ACCESS_BLOCK = re.compile(
    ACCESS_BLOCKERS
    + r"|\boften\b|\btypically\b|\brecommend\w*\b|\badvice\b|\bavoid\w*\b|\brisks?\b|\btips?\b",
    re.IGNORECASE,
)
# Sentences about how breaches go in general ("even when the ransom is not paid, disruption...") state no action.
_GENERAL_STATEMENT = re.compile(
    r"\beven\s+(?:when|if)\b|\bin\s+(?:his|her|their|our)\s+view\b|\bin\s+many\s+cases\b|\btypically\b|\busually\b"
    r"|\boften\b|\bgenerally\b|\bin\s+general\b",
    re.IGNORECASE,
)
# A victim's announced commitment ("will offer credit monitoring", "would notify all affected individuals") is an
# action in breach reporting; other "will"/"would" frames (what companies will need to do) stay advice.
_COMMITMENTS = frozenset({"credit_monitoring_offered", "customers_notified"})
_COMMITTED = re.compile(r"will|would", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"[,;:]\s+|\s+[-–—]\s+")


_DONE_TO_VICTIM = re.compile(r"(?:notified|informed|contacted|alerted|told)\s+by\b", re.IGNORECASE)
_NEGATED_ACTION = re.compile(r"\b(?:not|never|no|n[’']t|yet\s+to)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NEGATED_ACTION_AFTER = re.compile(r"\s+(?:was|were|has|have|had)\s+not\b", re.IGNORECASE)


# Union of each rule set: a sentence none of them matches needs no per-rule pass.
# Cheap keyword pre-checks: a sentence with none of these words cannot match any rule of the set, so the
# per-rule patterns (measured: a third of attribution time) run only on the few sentences that might match.
_ANY_RESPONSE = cue_stems(
    "notif", "inform", "alert", "contact", "report", "work", "cooperat", "liais", "involv", "engag", "enlist", "hir",
    "retain", "br(?:ought|ing)", "appoint", "assist", "help", "support", "secur", "lock", "contain", "isolat",
    "offline", "shut", "strength", "bolster", "beef", "reinforc", "harden", "enhanc", "reset", "rotat", "patch",
    "investigat", "forensic", "determin", "establish", "figur", "find", "understand", "assess", "offer", "provid",
    "disrupt", "outage", "clos", "suspend", "halt", "forc", "cancel", "told", "tell", "mail", "wrote", "writ",
    "sen[dt]", "letter", "notice", "regulat", "police", "authorit", "requir", "trigger", "remov", "fix", "receiv",
    "warn", "halt", "stopp", "paus", "divert", "resett", "chang", "revok", "8-K", "filing", "filed", "expell",
    "evict", "kick", "block", "disconnect", "invalidat", "rotat", "mitigat", "remediat", "neutrali", "resolv",
    "address", "down", "unavailable", "disabl", "expert", "partner", "organi[sz]ation", "consult", "call",
)
_ANY_VECTOR = cue_stems(
    "phish", "vish", "social", "engineer", "impersonat", "stuff", "spray", "brute", "credential", "password",
    "account", "login", "third", "supply", "vendor", "supplier", "exploit", "zero", "CVE", "unpatched", "SQL",
    "misconfig", "unsecured", "unprotected", "exposed", "accessible", "open", "left", "malware", "stealer", "trojan",
    "keylog", "ransomware", "rogue", "malicious", "disgruntled", "insider", "call", "smish", "SMS", "SIM", "session",
    "token", "cookie", r"private\s+key", "configur", "patch", "vulnerab", "flaw", "bug", "employee", "phone",
    "tricked", "deceived", "duped", "manipulat", "MFA", "factor", "fatigue", "bomb", "brib", "desk", "rang", "ring",
)
# "not by phishing", "no evidence of malware": the vector is ruled out, not stated.
_NEGATED_VECTOR = re.compile(
    r"(?:\bnot\s+(?:\w+\s+)?(?:by|through|via|from|using)|\bno\s+(?:evidence|sign|signs|indication)\s+(?:of|that)|\brather\s+than)"
    r"\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_SOCIAL = re.compile(r"social(?:ly)?[-\s]engineer", re.IGNORECASE)
_RANSOM_WORD = re.compile(r"ransom|extort|\bpa(?:y|id)\b|\bdemand", re.IGNORECASE)


def find_responses(text: str, start: int, end: int) -> list[Hit]:
    """Response actions stated as done in the sentence text[start:end] (advice and hypotheticals skipped).

    One phrase may state two actions ("notified regulators and affected customers"), so hits of different
    actions may overlap; the advice check is per clause ("As the investigation continues, brands may need...").
    """
    if not _ANY_RESPONSE.search(text, start, end):
        return []  # one pass over the sentence rules out most sentences before the per-action patterns run
    if text[start:end].rstrip().endswith("?") or _GENERAL_STATEMENT.search(text, start, end):
        return []
    hits: dict[str, Hit] = {}
    for rx, label in compile_labelled(RESPONSE_PATTERNS):
        for m in rx.finditer(text, start, end):
            if _DONE_TO_VICTIM.match(text, m.start()):
                continue  # "CircleCI is notified by a customer": someone told the victim, not the reverse
            if _NEGATED_ACTION.search(
                text[max(start, m.start() - 25) : m.start()]
            ) or _NEGATED_ACTION_AFTER.match(text, m.end()):
                continue  # "was not disrupted", "has not notified"
            # advice words before the action in its clause, or anywhere in its comma-delimited part, block it
            _cs, ce = next(
                ((s, e) for s, e in _clauses(text, start, end) if s <= m.start() < e), (start, end)
            )
            bs = next((s for s, e in assertion_clauses(text, start, end) if s <= m.start() < e), start)
            block = _RESPONSE_BLOCK.search(text[bs:ce])
            if block and label in _COMMITMENTS and _COMMITTED.fullmatch(block.group()):
                block = _RESPONSE_BLOCK.search(text[bs:ce].replace(block.group(), " " * len(block.group()), 1))
            if block or label in hits:
                continue
            hits[label] = Hit(m.start(), m.end(), label)
    return sorted(hits.values(), key=lambda h: h.start)


_REFUSED_TO_PAY = re.compile(
    r"\b(?:refus\w*|declin\w*)\s+to\s+pay\b|\b(?:will|would|did|does)\s+not\s+pay\b|\bwon[’']t\s+pay\b",
    re.IGNORECASE,
)
_RANSOM_MODAL = cue_words("when", "if", "even", "whether", "can", "could", "often", "typically", "should", "must")
# "failed to say how much ransom is being demanded", "demands have ranged from...": no demand on this victim stated
_RANSOM_QUESTION = re.compile(r"\bhow\s+much\b|\brang(?:e|es|ed)\s+from\b|\baverage\b|\bmedian\b", re.IGNORECASE)
_RANSOM_PRIORITY = {"paid": 0, "refused": 1, "demanded": 2}


def find_ransom(text: str, start: int, end: int) -> list[Hit]:
    """Ransom status hits in the sentence; generic statements ("even when a ransom is not paid") are skipped."""
    if not _RANSOM_WORD.search(text, start, end):
        return []
    sentence = text[start:end]
    if _RANSOM_QUESTION.search(sentence):
        return []
    # a modal or condition blocks only its own clause: "a ransom has been demanded, ... if any data was taken"
    hits = [
        h
        for h in find_labelled(text, RANSOM_PATTERNS, start, end)
        if not any(
            s <= h.start < e and _RANSOM_MODAL.search(text, s, e) for s, e in assertion_clauses(text, start, end)
        )
    ]
    refusal = _REFUSED_TO_PAY.search(text, start, end)
    if refusal and re.search(r"\bransom", sentence, re.IGNORECASE) and not _RANSOM_MODAL.search(sentence):
        hits.append(Hit(refusal.start(), refusal.end(), "refused"))
    # a sentence may tell the whole story ("demanded a ransom, which it refused to pay"): the outcome wins
    return sorted(hits, key=lambda h: (_RANSOM_PRIORITY[h.label], h.start))[:1]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comma/semicolon/dash-separated clauses of text[start:end], as offset pairs."""
    out, pos = [], start
    for m in _CLAUSE_SPLIT.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(s, e) for s, e in out if e > s]


_VECTOR_GROUPS = tuple(
    tuple(rule for rule in VECTOR_PATTERNS if rule[1] == label)
    for label in dict.fromkeys(label for _p, label in VECTOR_PATTERNS)
)


def _each_label(text: str, start: int, end: int) -> list[Hit]:
    """Vector hits, overlaps allowed across labels: "using a flaw in X's software" is an exploit AND a supplier."""
    hits = (h for group in _VECTOR_GROUPS for h in find_labelled(text, group, start, end))
    return sorted(hits, key=lambda h: h.start)


def find_vectors(text: str, start: int, end: int) -> list[Hit]:
    """Initial-access vectors in the sentence, each only where its clause says how access was gained."""
    if not _ANY_VECTOR.search(text, start, end):
        return []
    sentence = text[start:end]
    if sentence.rstrip().endswith("?") or _ACCESS_SENTENCE_BLOCK.search(sentence):
        return []
    hits: list[Hit] = []
    for hit in _each_label(text, start, end):
        clause = next(((s, e) for s, e in _clauses(text, start, end) if s <= hit.start < e), (start, end))
        clause_text = text[clause[0] : clause[1]]
        if _ACCESS_BLOCK.search(clause_text) or _NEGATED_VECTOR.search(text, max(start, hit.start - 40), hit.start):
            continue
        if _ACCESS_CONTEXT.search(clause_text) or _ACCESS_CONTEXT.search(sentence):
            hits.append(hit)
            if hit.label == "vishing" and _SOCIAL.search(text, hit.start, hit.end):
                hits.append(Hit(hit.start, hit.end, "social_engineering"))  # "socially engineered ... by phone"
    return hits
