"""Features of the mention table that the learned scorers read.

Each candidate organisation of a document (extracted once by attribute/candidates.py with its role cues) becomes
a dict of named numbers; the document gets its own dict. The scorers never look at the text again, so what a
candidate "is" to the model is exactly this table — print it to see why a candidate won.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .. import enrich
from ..extract.orgs import coordinated_groups, org_key
from ..extract.patterns import AUTHORITY_NAME, NOT_ORG_WORDS
from .candidates import _BREACH, _EXPOSURE, _Candidate, _find_word, _Reading, mention_tokens

CUE_KINDS = ("title", "subject", "possessive", "object", "list", "bullet", "subject?")
STRONG_CUES = frozenset({"title", "subject", "possessive", "object"})
EARLY_PARAGRAPHS = 4  # articles name their subject in the headline and the first paragraphs
_AUTHORITY = re.compile(AUTHORITY_NAME)
_GENERIC_HEAD = re.compile(
    r"\b(?:data|breach|breaches|ransomware|report|reports|security|cyber\w*|hackers?|malware|attack|news|"
    r"update|privacy|policy|statement|notice|investigation)\b",
    re.IGNORECASE,
)
_NER_LABELS = ("ORG", "PERSON", "GPE", "PRODUCT", "NORP")
_ADVICE = re.compile(
    r"\b(?:you\s+should|how\s+to|tips?|best\s+practices?|make\s+sure|we\s+recommend|protect\s+yourself)\b",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)  # advice addresses the reader
_RECORD_COUNT = re.compile(
    r"\b\d[\d,.]*\s*(?:k|m|mn|million|billion|bn|thousand)?\s+(?:\w+\s+){0,2}"
    r"(?:records|customers|users|accounts|people|individuals|patients|employees|members|clients)\b",
    re.IGNORECASE,
)
_VULNERABILITY = re.compile(
    r"\b(?:vulnerabilit\w+|patch\w*|CVE-\d+|flaws?|bugs?|zero-day|firmware|security\s+update|proof[-\s]of[-\s]concept)\b",
    re.IGNORECASE,
)
_EVENT = re.compile(
    r"\b(?:was|were|had\s+been|has\s+been|have\s+been)\s+(?:hacked|breached|stolen|compromised|exposed|accessed|leaked|"
    r"exfiltrated|taken|encrypted|affected|hit)\b|\b(?:suffered|disclosed|confirmed|notified|discovered|detected)\s+"
    r"(?:a|an|the)?\s*(?:\w+\s+){0,2}(?:breach|attack|incident|intrusion|hack)|\b(?:stole|accessed|exfiltrated|"
    r"leaked|encrypted)\b",
    re.IGNORECASE,
)
_GENRE = re.compile(
    r"\b(?:report|study|survey|findings|statistics|index|guide|how\s+to|what\s+to\s+do|checklist|tips|lessons|"
    r"best\s+practices|webinar|"
    r"conference|summit|agenda|careers?|jobs?|vacanc\w+|hiring|funding|raises|acquires|acquisition|launch\w*|"
    r"announces|partnership|what\s+is|explained|faq)\b",
    re.IGNORECASE,
)
_STATISTICS = re.compile(
    r"\b(?:per\s*cent|percent|on\s+average|average\s+cost|survey(?:ed)?|respondents|study|studied|statistics|"
    r"report\s+finds|funding|raised|series\s+[a-d]|investors?|valuation|conference|webinar|vacanc\w+|apply|"
    r"salary)\b|\d\s?%",
    re.IGNORECASE,
)


_VICTIM_WORDS = re.compile(
    r"\b(?:victims?|affected|impacted|hit|targeted|compromised|breached|attacked|hacked|stolen|exposed|leaked|"
    r"among|including|include[sd]?|such\s+as|other\s+(?:companies|organi[sz]ations|victims|customers)|"
    r"attacks?\s+on|breach(?:es)?\s+(?:at|of)|customers|clients)\b",
    re.IGNORECASE,
)


# A mention framed as the maker of what was breached rather than its owner: "Accellion's File Transfer
# Appliance", "a flaw in Fortra's GoAnywhere", "Progress Software's MOVEit", "file-sharing vendor Accellion"
_SUPPLIER_PRODUCT = r"(?:software|appliance|product|platform|tool|application|app|file[- ]transfer|FTA|MFT)\b"
_SUPPLIER_AFTER = re.compile(
    # its product, named or not: "Accellion’s File Transfer Appliance", "Accellion's legacy product"
    rf"['’]s?\s+(?:[\w-]+\s+){{0,3}}?(?i:{_SUPPLIER_PRODUCT})"
    # a product in lower case ("the Accellion file transfer service"); "Progress Software" is a company's name
    rf"|\s+(?:[a-z][\w-]*\s+){{0,2}}?{_SUPPLIER_PRODUCT}"
)
_SUPPLIER_BEFORE = re.compile(
    r"\b(?:vulnerabilit(?:y|ies)|flaws?|bugs?|zero-days?|exploits?|weakness|hole)\s+(?:in|affecting)\s+(?:the\s+)?$"
    r"|\b(?:vendor|supplier|provider|maker)\s+$",
    re.IGNORECASE,
)


def is_supplier_mention(text: str, start: int, end: int) -> bool:
    """Whether the name at text[start:end] is framed as the supplier of the breached product."""
    return bool(_SUPPLIER_AFTER.match(text, end, end + 60) or _SUPPLIER_BEFORE.search(text, max(0, start - 40), start))


def _supplier_mentions(reading: _Reading, cand: _Candidate) -> int:
    """Mentions that present the candidate as the supplier of the breached product or service."""
    return sum(1 for m, _idx in cand.mentions if is_supplier_mention(reading.seg.text, m.start, m.end))


@dataclass(frozen=True)
class MentionContext:
    """Per-document facts about mentions that single-candidate features need: which mentions stand in a
    coordinated list of names ("A, B and C") and which sentences use victim words."""

    listed: frozenset[int]  # start offsets of mentions inside a list of two or more names
    victim_sentences: frozenset[int]  # sentence indices with victim words
    total_mentions: int
    title: str  # the first line
    early: frozenset[int]  # indices of the first EARLY_PARAGRAPHS paragraphs


def mention_context(reading: _Reading) -> MentionContext:
    """The lists, victim-word sentences, title and early paragraphs of one document (once for all candidates)."""
    listed: set[int] = set()
    for found in reading.mentions:
        for group in coordinated_groups(reading.seg.text, found):
            if len(group) >= 2:
                listed.update(found[i].start for i in group)
    victim = {i for i, s in enumerate(reading.seg.sentences) if _VICTIM_WORDS.search(s.text)}
    total = sum(len(c.mentions) for c in reading.candidates.values())
    seg = reading.seg
    title = seg.text[seg.paragraphs[0].start : seg.paragraphs[0].end] if seg.paragraphs else ""
    early = frozenset(p.index for p in seg.paragraphs[:EARLY_PARAGRAPHS])
    return MentionContext(frozenset(listed), frozenset(victim), max(total, 1), title, early)


@lru_cache(maxsize=1)
def _bystander_keys() -> Mapping[str, str]:
    """Normalised names of outlets, security firms and authorities (data/bystanders.toml) -> their kind."""
    raw = tomllib.loads(resources.files("breachlens").joinpath("data/bystanders.toml").read_text("utf-8"))
    return {org_key(name): kind for kind, names in raw.items() for name in names if org_key(name)}


def bystander_kind(name: str) -> str | None:
    """"outlets", "security_firms" or "authorities" when the name is a known reporter/commentator/regulator."""
    return _bystander_keys().get(org_key(name))


def _log(n: float) -> float:
    return math.log1p(max(n, 0.0))


def _ner_fractions(reading: _Reading, cand: _Candidate) -> dict[str, float]:
    """Share of the candidate's mention tokens that spaCy's NER labels ORG, PERSON, GPE, PRODUCT, NORP."""
    counts = dict.fromkeys(_NER_LABELS, 0)
    total = 0
    for mention, idx in cand.mentions:
        if idx < 0:
            continue
        for tok in mention_tokens(mention, reading.seg.sentences[idx]):
            total += 1
            if tok.ent_type_ in counts:
                counts[tok.ent_type_] += 1
    return {f"ner_{label.lower()}": (counts[label] / total if total else 0.0) for label in _NER_LABELS}


def candidate_features(
    reading: _Reading,
    cand: _Candidate,
    rule_score: float,
    rule_rank: int,
    rule_victim: bool,
    context: MentionContext,
) -> dict[str, float]:
    """Named features of one candidate: position, role cues, frequency, NER, known bystander lists."""
    seg = reading.seg
    early = context.early
    text_len = max(len(seg.text), 1)
    cue_counts = dict.fromkeys(CUE_KINDS, 0)
    early_strong = 0
    for kind, idx in cand.cues:
        base = "bullet" if kind == "bullet?" else kind
        if kind == "bullet?" and idx not in reading.confirmed_bullets:
            continue
        cue_counts[base] = cue_counts.get(base, 0) + 1
        if base in STRONG_CUES and (idx < 0 or seg.sentences[idx].paragraph.index in early):
            early_strong += 1
    breach_sents = exposure_sents = early_mentions = listed = victim_listed = victim_sents = 0
    for mention, idx in cand.mentions:
        if idx < 0:
            continue
        in_list = mention.start in context.listed
        listed += in_list
        victim_sents += idx in context.victim_sentences
        victim_listed += in_list and idx in context.victim_sentences
        sent = seg.sentences[idx]
        breach_sents += bool(_BREACH.search(sent.text))
        exposure_sents += bool(_EXPOSURE.search(sent.text))
        early_mentions += sent.paragraph.index in early
    name = cand.name
    bystander = bystander_kind(name) or next((k for n in cand.names if (k := bystander_kind(n))), None)
    persons = sum(1 for m, _ in cand.mentions if m.is_person)
    words = name.split()
    features = {
        "log_mentions": _log(len(cand.mentions)),
        "mention_share": len(cand.mentions) / context.total_mentions,
        "first_position": min(cand.first, text_len) / text_len,
        "early_mentions": _log(early_mentions),
        "early_strong_cues": _log(early_strong),
        "bystander": _log(cand.bystander),
        "bystander_share": cand.bystander / (cand.bystander + len(cand.cues) + 1),
        "person_share": persons / max(len(cand.mentions), 1),
        "authority_name": float(bool(_AUTHORITY.search(name))),
        "known_outlet": float(bystander == "outlets"),
        "known_security_firm": float(bystander == "security_firms"),
        "known_authority": float(bystander == "authorities"),
        "known_org": float(enrich.org_profile(name) is not None),
        "generic_words": float(bool(_GENERIC_HEAD.search(name)) or name.lower() in NOT_ORG_WORDS),
        "name_words": min(len(words), 6) / 6,
        "all_caps": float(name.isupper() and len(name) > 1),
        "breach_sentences": _log(breach_sents),
        "listed": _log(listed),
        "victim_word_sentences": _log(victim_sents),
        "victim_word_lists": _log(victim_listed),
        "exposure_sentences": _log(exposure_sents),
        "is_parent": float(cand.key in reading.parents.values()),
        "is_child": float(cand.key in reading.parents),
        "in_title": float(any(_find_word(context.title, n) >= 0 for n in cand.names)),
        "rule_victim_cue": float(rule_victim),
        "rule_score": _log(rule_score),
        "rule_top": float(rule_rank == 0),
        "rule_second": float(rule_rank == 1),
        "supplier": _log(_supplier_mentions(reading, cand)),
    }
    features.update(
        {f"cue_{k.rstrip('?')}{'_weak' if k.endswith('?') else ''}": _log(v) for k, v in cue_counts.items()}
    )
    features.update(_ner_fractions(reading, cand))
    return features


def document_features(
    reading: _Reading, main_probs: list[float], table: Mapping[str, Mapping[str, float]] | None = None
) -> dict[str, float]:
    """Named features of the whole document for the is-it-an-incident scorer (`table`: the candidates')."""
    rows = list((table or {}).values())
    strong = [r for r in rows if r.get("rule_victim_cue") and r.get("early_strong_cues", 0) > 0]
    seg = reading.seg
    sents = seg.sentences or ()
    n = max(len(sents), 1)
    breach = sum(1 for s in sents if _BREACH.search(s.text))
    exposure = sum(1 for s in sents if _EXPOSURE.search(s.text))
    events = sum(1 for s in sents if _EVENT.search(s.text))
    heads = [seg.text[p.start : p.end] for p in seg.paragraphs[:3] if p.is_heading]
    probs = sorted(main_probs, reverse=True) + [0.0, 0.0]
    return {
        "top_main": probs[0],
        "main_gap": probs[0] - probs[1],
        "breach_sentences": _log(breach),
        "breach_share": breach / n,
        "exposure_sentences": _log(exposure),
        "exposure_share": exposure / n,
        "heading_breach": float(any(_BREACH.search(h) for h in heads)),
        "heading_genre": float(any(_GENRE.search(h) for h in heads)),
        "record_counts": _log(len(_RECORD_COUNT.findall(seg.text))),
        "advice_share": sum(1 for s in sents if _ADVICE.search(s.text)) / n,
        "second_person_share": sum(1 for s in sents if _SECOND_PERSON.search(s.text)) / n,
        "statistics_share": sum(1 for s in sents if _STATISTICS.search(s.text)) / n,
        "vulnerability_share": sum(1 for s in sents if _VULNERABILITY.search(s.text)) / n,
        "event_sentences": _log(events),
        "event_share": events / n,
        "log_candidates": _log(len(reading.candidates)),
        "strong_victim": float(bool(strong)),
        "top_rule_score": max((r.get("rule_score", 0.0) for r in rows), default=0.0),
        "log_sentences": _log(len(sents)),
    }
