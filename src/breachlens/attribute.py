"""Find the victim a document is about, the other breaches it mentions, and give every fact to its incident.

Hand-written rules, because the naive reading (most frequent organisation = victim, every fact = the victim's) is
exactly the failure this tool exists to avoid. Steps:

1. Candidates: organisation mentions per sentence (extract/orgs.py), minus threat actors and countries; names in
   headings are found by looking up the body's candidates and by a "<name> data breach" headline pattern.
2. Roles: each mention gets a victim cue (subject of a breach verb, "breach at X", "X's breach", a list of
   victims, a "Name:" bullet in a list of breaches, the headline) or a bystander cue (quoted source, commentator,
   vendor). Cues spread along coordinated lists ("attacks on A, B and C").
3. Main victim: the best-scored candidate; a brand whose parent is named as the one confirming is folded into the
   parent when several of its brands are hit together. Every other candidate with a victim cue is `mentioned`.
4. Facts: each sentence's facts go to the victim named in their clause, else to the sentence's subject, else to
   the paragraph's current topic (the main victim at each new paragraph, the bullet's name inside a bullet).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from . import enrich
from .assertions import EXPOSED, NOT_EXPOSED, clauses, is_hypothetical, modality, polarity_at
from .extract.actions import find_ransom, find_responses, find_vectors
from .extract.data_types import find_data_types
from .extract.dates import find_dates
from .extract.iocs import find_iocs
from .extract.orgs import OrgMention, coordinated_groups, find_orgs, org_key, role_cue
from .extract.patterns import (
    AUTHORITY_NAME,
    BREACH_WORDS,
    EMPTY_VALUE,
    EXPOSURE_CUES,
    FIELD_LABEL_WORDS,
    NOT_ORG_WORDS,
    PARENT_PATTERNS,
    RECALL_CUES,
    VECTOR_PATTERNS,
)
from .extract.spans import find_labelled
from .extract.quantities import find_counts
from .records import Evidence, Fact, Incident, TimelineEvent
from .segment import Segmented, Sentence

_BREACH = re.compile(r"\b" + BREACH_WORDS + r"\b", re.IGNORECASE)
_EXPOSURE = re.compile(r"\b" + EXPOSURE_CUES + r"\b", re.IGNORECASE)
_HEADLINE_NAME = re.compile(
    r"^(?:#+\s*)?(?:[\w\s]*report:\s*)?(?P<name>[\w&’'.,+#!() -]{2,60}?)\s+(?:data\s+)?(?:breach|hack|leak|cyber[-\s]?attack)\b",
    re.IGNORECASE,
)
_HEADLINE_OBJECT = re.compile(r"\b(?i:breach|hack|attack|cyberattack|cyber-attack|leak)\s+(?i:at|on|hits?)\s+(?P<name>[A-Z0-9][\w&’'.-]*(?:\s+[A-Z][\w&’'.-]*){0,3})")
_EMPTY = re.compile(EMPTY_VALUE, re.IGNORECASE)
_AUTHORITY = re.compile(AUTHORITY_NAME)
_HEADLINE_BREACH = re.compile(r"\b(?:hackers?|attackers?|cyber\w*|data\s+(?:theft|exposure)|stolen|exposed|leak\w*|ransom\w*)\b", re.IGNORECASE)
_RECALL = re.compile(RECALL_CUES, re.IGNORECASE)
_HEADLINE_IS_NAME = re.compile(r"^(?:#+\s*)?.{1,80}?\s+(?:data\s+)?(?:breach|hack|leak)\s*$", re.IGNORECASE)
_HEADLINE_STOP = frozenset("a an the of on in at to for and or with by from major massive new huge latest another what why how report".split())
_ABBREVIATION = re.compile(r"^\s*\((?P<abbr>[A-Z][\w&]{1,10})\)")
# How much each kind of victim cue says that this candidate is the document's main victim.
MAIN_WEIGHTS = {"title": 4.0, "subject": 2.0, "possessive": 2.0, "object": 1.5, "list": 0.3, "bullet": 0.3, "subject?": 1.0}
FIRST_PARAGRAPHS_BONUS = 1.0  # cues in the first three paragraphs: articles name their subject early
MENTION_WEIGHT = 0.15         # plain frequency breaks ties, never decides alone
_ACTOR_GENERIC = re.compile(
    r"\b(?:groups|gangs|collectives|are\s+targeting|target(?:s|ing)?\s+(?:retailers|companies|firms|organi[sz]ations|the\s+\w+\s+(?:sector|industry))"
    r"|similar\s+(?:groups|attacks)|in\s+recent\s+(?:years|months)|known\s+for|often|typically|have\s+been\s+linked|also\s+behind|other\s+(?:retailers|companies|victims))\b",
    re.IGNORECASE,
)
_ACTOR_SPECIFIC = re.compile(
    r"\b(?:the|this)\s+(?:attack|breach|hack|incident|intrusion|threat\s+actor|attackers?|hackers?|cyber\s*criminals?|group)\b"
    r"|\bclaim(?:s|ed|ing)?\b|\bbehind\b|\bransom\b|\bresponsib\w+\b|\bknown\s+as\b|\bstole\b|\bleak\s+site\b|\battributed\b",
    re.IGNORECASE,
)
_CAMPAIGN_CONTEXT = re.compile(r"\bcampaigns?\b|\boperation\b", re.IGNORECASE)
_DISCLOSURE = re.compile(r"\b(?:announc\w+|disclos\w+|reveal\w+|confirm\w+|made\s+public|went\s+public|notif\w+|reported|said\s+(?:on|in))\b", re.IGNORECASE)
_INCIDENT = re.compile(r"\b(?:suffered|occurred|took\s+place|happened|began|started|was\s+(?:breached|hacked|attacked)|were\s+(?:stolen|accessed|exposed)|dates?\s+back|between|intrusion|obtained|gained\s+access|lost|leaked|hit\s+by|exposed|breach(?:ed)?\s+(?:in|on|of|between|during))\b", re.IGNORECASE)
_DETECTION = re.compile(r"\b(?:discover\w*|detect\w*|became\s+aware|identified|noticed)\b", re.IGNORECASE)
_REGULATOR = re.compile(r"\b(?:fined?|penalt\w+|regulator\w*|commissioner|supervisory\s+authority)\b", re.IGNORECASE)


@dataclass
class _Candidate:
    """What the document says about one organisation (by normalised key)."""

    key: str
    names: Counter[str] = field(default_factory=Counter)
    mentions: list[tuple[OrgMention, int]] = field(default_factory=list)  # (mention, sentence index)
    cues: list[tuple[str, int]] = field(default_factory=list)            # (cue kind, sentence index)
    bystander: int = 0
    first: int = 10**9
    title_quote: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        """The most frequent spelling (ties: the longest, e.g. "Marks & Spencer" over "M&S")."""
        return max(self.names.items(), key=lambda kv: (kv[1], len(kv[0])))[0]


@dataclass
class _Reading:
    """Per-document working state shared by the attribution steps."""

    source: str
    seg: Segmented
    mentions: list[list[OrgMention]]
    candidates: dict[str, _Candidate]
    alias: dict[str, str]
    actor_spans: list[enrich.ActorMatch]
    parents: dict[str, str] = field(default_factory=dict)  # child key -> parent key, as the text states it
    recalled: set[str] = field(default_factory=set)  # keys of earlier breaches of the main victim the text recalls


def attribute(source: str, seg: Segmented, title: str | None = None) -> tuple[Incident, ...]:
    """The document's incidents: the main one first (if any), then mentioned ones, each with its facts."""
    reading = _read_candidates(source, seg)
    main_key = _choose_main(reading)
    if main_key is None:
        return ()
    main_key, brand_keys, parent_key = _fold_brands(reading, main_key)
    # the parent speaks for the brand's breach: its statements are facts of the same incident
    same_incident = brand_keys | ({parent_key} if parent_key else set())
    victims = _victim_keys(reading, main_key, same_incident)
    owners = _assign_owners(reading, main_key, victims, same_incident)
    victims |= reading.recalled
    return _build_incidents(reading, main_key, victims, brand_keys, owners, parent_key)


# --- 1-2. candidates and roles ---------------------------------------------------------------------------------------

def _read_candidates(source: str, seg: Segmented) -> _Reading:
    """Organisation candidates with their role cues."""
    text = seg.text
    actors = enrich.find_actors(text)
    countries = {(s, e) for s, e, _code, _w in enrich.find_countries(text)}
    actors = _actors_outside_names(seg, actors)
    actor_ranges = [(a.start, a.end) for a in actors]
    mentions: list[list[OrgMention]] = []
    candidates: dict[str, _Candidate] = {}
    alias: dict[str, str] = {}
    for idx, sent in enumerate(seg.sentences):
        found = [] if sent.paragraph.is_heading else find_orgs(sent.span, sent.start, text)
        found = [
            m for m in found
            if not any(m.start < e and s < m.end for s, e in actor_ranges)
            and (m.start, m.end) not in countries
        ]
        found = _bullet_name(text, sent, found)
        mentions.append(found)
        for m in found:
            abbr = _ABBREVIATION.match(text, m.end)
            if abbr:
                alias[org_key(abbr.group("abbr"))] = m.key
        _add_cues(text, sent, idx, found, candidates)
    _canonicalise(candidates, alias)
    _headline_cues(seg, candidates, alias)
    reading = _Reading(source, seg, mentions, candidates, alias, actors)
    reading.parents = _textual_parents(reading)
    return reading


def _textual_parents(reading: _Reading) -> dict[str, str]:
    """Parent/brand relations the text states ("Tamsin Holdings ... its brand Brackett Travel", "X, owned by Y")."""
    names = sorted({n for c in reading.candidates.values() for n in c.names}, key=len, reverse=True)
    sentences = [s for s in reading.seg.sentences if _RELATION_WORD.search(s.text)]
    if len(names) < 2 or not sentences:
        return {}
    org = "(?:" + "|".join(re.escape(n) for n in names) + ")"
    key_of = {n: reading.alias.get(org_key(n), org_key(n)) for n in names}
    out: dict[str, str] = {}
    patterns = _PARENT_RX(org)
    for sent in sentences:
        for pattern in patterns:
            for m in pattern.finditer(sent.text):
                child, parent = key_of.get(m.group("child")), key_of.get(m.group("parent"))
                if child and parent and child != parent and child in reading.candidates and parent in reading.candidates:
                    out.setdefault(child, parent)
    return out


_RELATION_WORD = re.compile(r"\b(?:brand|subsidiary|division|unit|chain|label|arm|parent|owner|owners|owned|part\s+of)\b", re.IGNORECASE)


def _PARENT_RX(org: str) -> list[re.Pattern[str]]:  # noqa: N802 - a compiled-pattern factory, named like a constant
    """The textual parent patterns with the document's names filled in."""
    return [re.compile(p.replace("{org}", org)) for p in PARENT_PATTERNS]


_BULLET_NAME = re.compile(r"\s*(?:[•●◦▪‣∙·*–—-]|\d{1,2}[.)])\s+(?:\*\*)?(?P<name>[A-Z0-9][\w&’'.-]*(?:\s+[\w&’'.-]+){0,4}?)(?:\*\*)?(?:\s*\([^)]{1,20}\))?\s*:")


def _bullet_name(text: str, sent: Sentence, found: list[OrgMention]) -> list[OrgMention]:
    """A list item "• Name: ..." names an organisation even when the tagger does not see a proper noun."""
    if not sent.paragraph.is_list_item:
        return found
    m = _BULLET_NAME.match(text, sent.paragraph.start)
    if not m or not sent.start <= m.start("name") < sent.end or m.end("name") > sent.end:
        return found
    start, end = m.start("name"), m.end("name")
    name = text[start:end]
    if _is_field_label(name) or _EMPTY.match(text, m.end()):
        return [f for f in found if not (f.start < end and start < f.end)]  # a report field label, not a name
    if any(f.start == start and f.end >= end for f in found):
        return found
    rest = [f for f in found if not (f.start < end and start < f.end)]
    return [OrgMention(start, end, name, org_key(name))] + rest


def _is_field_label(name: str) -> bool:
    """A name made of report-template field words ("Discovery Date", "Initial Access")."""
    words = re.findall(r"[A-Za-z]+", name)
    return bool(words) and any(w.lower() in FIELD_LABEL_WORDS for w in words)


_NAME_RUN = re.compile(r"[A-Z0-9][\w&’'.-]*(?:\s+(?:&\s+)?[A-Z0-9][\w&’'.-]*)*")


def _actors_outside_names(seg: Segmented, actors: list[enrich.ActorMatch]) -> list[enrich.ActorMatch]:
    """Drop actor matches that are only part of a longer capitalised name ("Grayling" in "Grayling Outdoor")."""
    out = []
    for actor in actors:
        line_start = seg.text.rfind("\n", 0, actor.start) + 1
        run = next((m for m in _NAME_RUN.finditer(seg.text, line_start, actor.end + 60) if m.start() <= actor.start < m.end()), None)
        if run is not None and (run.start() < actor.start or run.end() > actor.end) and len(run.group().split()) > len(actor.as_written.split()):
            continue
        out.append(actor)
    return out


def _add_cues(text: str, sent: Sentence, idx: int, found: list[OrgMention], candidates: dict[str, _Candidate]) -> None:
    """Role cues for the mentions of one sentence, spread along coordinated lists."""
    cues = [role_cue(text, m, sent.start, sent.end) for m in found]
    kinds: list[str | None] = [c.victim for c in cues]
    for group in coordinated_groups(text, found):
        first, last = kinds[group[0]], kinds[group[-1]]
        for i in group:
            if kinds[i] is None:
                if first in ("list", "object"):
                    kinds[i] = first
                elif last == "subject":
                    kinds[i] = "subject"
    if _BREACH.search(sent.text) and not is_hypothetical(sent.text):
        for i, m in enumerate(found):
            if kinds[i] is None and not cues[i].bystander and not m.is_person and _is_subject(m, sent):
                kinds[i] = "subject?"  # the subject of a sentence about the breach ("X said hackers stole...")
    for i, (m, kind) in enumerate(zip(found, kinds)):
        if kind == "bullet" and (_is_field_label(m.name) or _EMPTY.match(text, text.find(":", m.end) + 1)):
            kinds[i] = None  # "- Sector: Luxury goods" is a report field, not an organisation
    if kinds and sent.paragraph.is_list_item and kinds[0] == "bullet" and not _BREACH.search(sent.text) and not _EXPOSURE.search(sent.text):
        kinds[0] = "bullet?"  # confirmed below if its sibling bullets talk about breaches
    for m, cue, kind in zip(found, cues, kinds):
        cand = candidates.setdefault(m.key, _Candidate(m.key))
        cand.names[m.name] += 1
        cand.mentions.append((m, idx))
        cand.first = min(cand.first, m.start)
        if _AUTHORITY.search(m.name) and kind not in ("possessive", "object"):
            cand.bystander += 2  # a regulator or police force acting on the breach
        if m.is_person and kind not in ("title", "possessive", "object", "list"):
            cand.bystander += 2  # a person's name (researcher, spokesperson) is a victim only when named as one
        if cue.introduced_as_bystander:
            cand.bystander += 2  # "researcher X discovered", "according to X": never the victim in this sentence
        elif cue.bystander and kind not in ("subject", "possessive", "object"):
            cand.bystander += 1
        elif kind:
            cand.cues.append((kind, idx))


def _merge_short_forms(candidates: dict[str, _Candidate], alias: dict[str, str]) -> None:
    """A later short form of a name already given in full is the same organisation ("Pellmore" after
    "Pellmore Building Society"): merge it into the full name."""
    by_first = sorted(candidates.values(), key=lambda c: c.first)
    for short in by_first:
        words = short.name.split()
        for full in by_first:
            if full is short or full.first > short.first or short.key not in candidates or full.key not in candidates:
                continue
            if len(full.name.split()) > len(words) and full.name.split()[: len(words)] == words:
                _merge_into(candidates, alias, short.key, full.key)
                break


def _merge_into(candidates: dict[str, _Candidate], alias: dict[str, str], key: str, target: str) -> None:
    """Fold candidate `key` into `target`."""
    other = candidates.pop(key)
    into = candidates[target]
    into.names.update(other.names)
    into.mentions.extend(other.mentions)
    into.cues.extend(other.cues)
    into.bystander += other.bystander
    into.first = min(into.first, other.first)
    into.title_quote = into.title_quote or other.title_quote
    alias[key] = target
    for k, v in list(alias.items()):
        if v == key:
            alias[k] = target


def _canonicalise(candidates: dict[str, _Candidate], alias: dict[str, str]) -> None:
    """Merge candidates that name one organisation ("M&S" and "Marks & Spencer", "Pellmore" and "Pellmore Ltd")."""
    _merge_short_forms(candidates, alias)
    for key in list(candidates):
        cand = candidates.get(key)
        if cand is None:
            continue
        target = alias.get(key) or org_key(enrich.canonical_org(cand.name))
        if target != key and target in candidates:
            _merge_into(candidates, alias, key, target)


def _headline_cues(seg: Segmented, candidates: dict[str, _Candidate], alias: dict[str, str]) -> None:
    """Headlines: a "<name> data breach" title names the victim in full; else known candidates named in a heading.

    The title's full name wins over the tagger's partial runs in the body ("We Heart It" over "Heart"): body
    candidates whose name sits inside the title's name are merged into it.
    """
    text = seg.text
    if not seg.paragraphs:
        return
    first = seg.paragraphs[0]
    if first.is_heading:
        line = text[first.start : first.end]
        m = _HEADLINE_OBJECT.search(line) or _HEADLINE_NAME.match(line)
        if m and _HEADLINE_IS_NAME.match(line) and m.re is _HEADLINE_NAME:
            name = _cut_at_verb(m.group("name").strip(" .,:").split())  # "<name> data breach": the phrase is the name
        else:
            name = _headline_name(m.group("name"), candidates) if m else ""
        if name and _plausible_headline_name(name):
            key = org_key(name)
            cand = candidates.setdefault(key, _Candidate(key))
            for other_key, other in list(candidates.items()):
                if other_key != key and any(_find_word(name, n) >= 0 or _find_word(n, name) >= 0 for n in other.names):
                    _merge_into(candidates, alias, other_key, key)
            if _HEADLINE_IS_NAME.match(line):
                cand.names[name] += 3  # "<name> data breach": the title is the name the victim is known by
            else:
                # a sentence headline names it in short; the body's fuller name containing it is the name
                fuller = max((n for n in cand.names if _find_word(n, name) >= 0), key=len, default=name)
                cand.names[fuller] += 3
            cand.cues.append(("title", -1))
            cand.first = min(cand.first, first.start + m.start("name")) if m else cand.first
            cand.title_quote = (first.start, first.end)
            return
    for para in seg.paragraphs[:8]:
        if not para.is_heading:
            continue
        line = text[para.start : para.end]
        if not (_BREACH.search(line) or _HEADLINE_BREACH.search(line)):
            continue
        for cand in candidates.values():
            positions = [(p, n) for n in cand.names if (p := _find_word(line, n)) >= 0]
            if positions and not any(_bystander_in_heading(line, p, n) for p, n in positions):
                cand.cues.append(("title", -1))
                cand.title_quote = cand.title_quote or (para.start, para.end)


# Verbs that end the name in a headline ("Harbourline Bank Confirms Breach", "Acme suffers data breach").
_NAME_CONNECTORS = frozenset("of the and de des du la le van von y &".split())
_HEADLINE_VERBS = frozenset(
    """discloses reveals admits notifies investigates fined fines sued sues charged ordered penalised penalized reprimanded settles agrees pays says warns confirms confirmed suffers suffered discloses disclosed reports reported says warns warned admits admitted
    reveals revealed announces announced investigates investigating probes notifies notified hit hits targeted
    faces facing fixes patches denies denied responds blames hacked breached leaks leaked exposes exposed""".split()
)


def _cut_at_verb(words: list[str]) -> str:
    """The words before the first headline verb ("Dior discloses" -> "Dior")."""
    for i, word in enumerate(words):
        if i > 0 and word.lower() in _HEADLINE_VERBS:
            return " ".join(words[:i])
    return " ".join(words)


def _headline_name(raw: str, candidates: dict[str, _Candidate]) -> str:
    """The name part of a headline match: cut before the first headline verb ("Harbourline Bank Confirms"), and
    when common words remain ("Energy supplier Morrowind"), the capitalised run that begins a name in the body."""
    words = _cut_at_verb(raw.strip(" .,:").split()).split()
    runs: list[list[str]] = [[]]
    for word in words:
        if word[:1].islower() and word.lower() not in _NAME_CONNECTORS and len(words) > 1:
            runs.append([])
        else:
            runs[-1].append(word)
    runs = [r for r in runs if r]
    if len(runs) <= 1:
        return " ".join(runs[0]) if runs else ""
    body_names = [c.name.split() for c in candidates.values()]
    for run in runs:
        if any(bn[: len(run)] == run for bn in body_names):
            return " ".join(run)
    return " ".join(runs[0])


def _bystander_in_heading(line: str, pos: int, name: str) -> bool:
    """A name that the headline itself frames as the source ("..., the Daily Ledger reports")."""
    mention = OrgMention(pos, pos + len(name), name, org_key(name))
    return role_cue(line, mention, 0, len(line)).bystander


def _plausible_headline_name(name: str) -> bool:
    """A name from a headline: at most six words, not starting or ending with a function word."""
    words = name.split()
    if not words or len(words) > 6 or not org_key(name) or name.lower() in NOT_ORG_WORDS:
        return False
    if words[-1].lower() in _HEADLINE_STOP or (words[0].lower() in _HEADLINE_STOP and words[0].lower() != "the"):
        return False
    if len(words) == 1:
        return True  # "tumblr data breach": a one-word name may be lower case
    return not (words[0][:1].islower() and not any(c.isupper() or c.isdigit() for c in words[0]))


def _find_word(line: str, name: str) -> int:
    """Position of `name` as a whole word in `line`, or -1."""
    m = _word_pattern(name).search(line)
    return m.start() if m else -1


@lru_cache(maxsize=4096)
def _word_pattern(name: str) -> re.Pattern[str]:
    """`name` as a whole word (compiled once per name)."""
    return re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])")


# --- 3. main and mentioned victims -----------------------------------------------------------------------------------

def _score(reading: _Reading, cand: _Candidate) -> float:
    """How strongly the document presents this candidate as its victim."""
    bullets_ok = _confirmed_bullets(reading)
    early = {p.index for p in reading.seg.paragraphs[:4]}
    score = 0.0
    for kind, idx in cand.cues:
        if kind == "bullet?" and idx not in bullets_ok:
            continue
        weight = MAIN_WEIGHTS.get("bullet" if kind == "bullet?" else kind, 0.0)
        if idx >= 0 and reading.seg.sentences[idx].paragraph.index in early:
            weight += FIRST_PARAGRAPHS_BONUS * (weight >= 1.5)
        score += weight
    return score + MENTION_WEIGHT * len(cand.mentions)


def _confirmed_bullets(reading: _Reading) -> set[int]:
    """Sentence indices of "Name:" bullets whose list mostly talks about breaches."""
    sents = reading.seg.sentences
    bullet_idx = [i for i, s in enumerate(sents) if s.paragraph.is_list_item]
    out: set[int] = set()
    run: list[int] = []
    for i in bullet_idx + [-1]:
        if run and (i < 0 or sents[i].paragraph.index - sents[run[-1]].paragraph.index > 1):
            breachy = sum(1 for j in run if _BREACH.search(sents[j].text) or _EXPOSURE.search(sents[j].text))
            if breachy >= 2:
                out.update(run)
            run = []
        if i >= 0:
            run.append(i)
    return out


def _has_victim_cue(reading: _Reading, cand: _Candidate) -> bool:
    """A candidate that some sentence presents as breached (and is not mostly a quoted source)."""
    bullets_ok = _confirmed_bullets(reading)
    real = [k for k, i in cand.cues if (k != "bullet?" or i in bullets_ok) and k != "subject?"]
    strong = [k for k in real if k in ("subject", "possessive", "title", "object")]
    if "title" in real:
        return True  # the headline names it as breached: mentions elsewhere as a source do not undo that
    return bool(real) and (len(real) > cand.bystander or len(strong) > 0) and cand.bystander < 3


def _choose_main(reading: _Reading) -> str | None:
    """Key of the main victim, or None when the document describes no breach."""
    if not _BREACH.search(reading.seg.text):
        return None
    scored = [
        (_score(reading, c), -c.first, key)
        for key, c in reading.candidates.items()
        if _has_victim_cue(reading, c) and any(k in ("subject", "possessive", "title", "object") for k, _ in c.cues)
    ]
    if not scored:
        # no sentence names a victim outright: the subject of the breach sentences, if any, is the best reading
        scored = [
            (_score(reading, c), -c.first, key)
            for key, c in reading.candidates.items()
            if any(k == "subject?" for k, _ in c.cues) and c.bystander < 3
        ]
    if not scored:
        return None
    return max(scored)[2]


def _parent_in_text(reading: _Reading, key: str) -> str | None:
    """The candidate that is `key`'s parent: as the text states it, else per the curated brand table."""
    if key in reading.parents:
        return reading.parents[key]
    parent = enrich.parent_of(reading.candidates[key].name)
    if parent and org_key(parent) in reading.candidates:
        return org_key(parent)
    return None


def _fold_brands(reading: _Reading, main_key: str) -> tuple[str, set[str], str | None]:
    """When several brands of one parent named in the text are hit together, the parent is the victim.

    Returns the main victim, the brand keys folded into it, and the main victim's parent (when it stays a brand).
    """
    cands = reading.candidates
    parent_key = _parent_in_text(reading, main_key)
    if parent_key is None:
        return main_key, {k for k in cands if k != main_key and _parent_in_text(reading, k) == main_key}, None
    siblings = {k for k in cands if _parent_in_text(reading, k) == parent_key and _has_victim_cue(reading, cands[k])}
    if len(siblings | {main_key}) >= 2:
        return parent_key, siblings | {main_key}, None
    return main_key, set(), parent_key


def _victim_keys(reading: _Reading, main_key: str, brand_keys: set[str]) -> set[str]:
    """Main victim plus every other candidate some sentence presents as breached."""
    out = {main_key}
    for key, cand in reading.candidates.items():
        if key in brand_keys or key == main_key:
            continue
        if _has_victim_cue(reading, cand):
            out.add(key)
    return out


# --- 4. owners of sentences ------------------------------------------------------------------------------------------

def _assign_owners(reading: _Reading, main_key: str, victims: set[str], brands: set[str]) -> list[list[tuple[int, int, str]]]:
    """For each sentence, (start, end, victim key) ranges saying whose facts its clauses state."""
    seg, text = reading.seg, reading.seg.text
    resolve = {k: main_key for k in brands} | {v: v for v in victims}

    def key_of(m: OrgMention) -> str | None:
        return resolve.get(reading.alias.get(m.key, m.key))

    owners: list[list[tuple[int, int, str]]] = []
    topic, para_index, bullet_owner = main_key, -1, None
    # years the document gives for its own incident: dates in sentences that recall nothing
    current_years = set().union(*[_years(text, st.start, st.end) for st in seg.sentences if not _RECALL.search(st.text)] or [set()])
    # ...but a year that appears only beside "in 2022 the server was decommissioned" is not this breach's either;
    # only years of sentences about a breach count
    current_years = {y for y in current_years if any(_BREACH.search(st.text) and y in _years(text, st.start, st.end)
                                                    for st in seg.sentences if not _RECALL.search(st.text))}
    for idx, sent in enumerate(seg.sentences):
        para = sent.paragraph
        if para.index != para_index:
            if not para.is_list_item:
                bullet_owner = None
                topic = main_key
            else:
                first = next((key_of(m) for m in reading.mentions[idx] if text[m.end : m.end + 8].lstrip().startswith((":", "("))), None)
                bullet_owner = first
                topic = first or main_key
            para_index = para.index
        sent_victims = [(m, key_of(m)) for m in reading.mentions[idx] if key_of(m)]
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
            ranges.append((cs, first_start, inside[0][1]))  # type: ignore[arg-type]
            for (m, k), nxt in zip(inside, inside[1:] + [(None, None)]):
                ranges.append((m.start, nxt[0].start if nxt[0] is not None else ce, k))  # type: ignore[arg-type]
        if subject and not para.is_heading:
            topic = subject
        recall_year = _recalled_year(reading, idx, current_years)
        if recall_year:
            key = _recall_candidate(reading, main_key, recall_year, sent)
            ranges = [(a, b, key if k == main_key else k) for a, b, k in ranges]
        owners.append(ranges)
    return owners


_NOBODY = "\x00nobody"  # owner of facts that belong to an organisation that is not one of the document's victims


def _unknown_subject(reading: _Reading, idx: int, sent: Sentence, known: set[str]) -> bool:
    """The subject of a breach sentence is an organisation that is neither a victim nor a bystander."""
    if not _BREACH.search(sent.text):
        return False
    for m in reading.mentions[idx]:
        key = reading.alias.get(m.key, m.key)
        cand = reading.candidates.get(key)
        if key in known or cand is None or cand.bystander or m.is_person:
            continue
        if _heads_subject(m, sent):
            return True
    return False


def _heads_subject(m: OrgMention, sent: Sentence) -> bool:
    """The mention itself is the subject ("Dior reported..."), not a modifier of it ("the IP.Board based forum")."""
    last = next((t for t in reversed(list(sent.span)) if sent.start + (t.idx - sent.span.start_char) < m.end), None)
    return last is not None and last.dep_ in ("nsubj", "nsubjpass")


def _years(text: str, start: int, end: int) -> set[str]:
    """Four-digit years of the explicit dates in text[start:end]."""
    return {d.value[:4] for d in find_dates(text, start, end) if d.value[:1].isdigit()}


def _recalled_year(reading: _Reading, idx: int, current_years: set[str]) -> str | None:
    """The year of an earlier breach this sentence recalls ("This is not the first time... In 2021, X lost...")."""
    seg = reading.seg
    sent = seg.sentences[idx]
    prev = seg.sentences[idx - 1] if idx > 0 and seg.sentences[idx - 1].paragraph.index == sent.paragraph.index else None
    if not (_RECALL.search(sent.text) or (prev is not None and _RECALL.search(prev.text))):
        return None
    years = sorted(_years(seg.text, sent.start, sent.end) - current_years)
    return years[0] if years else None


def _recall_candidate(reading: _Reading, main_key: str, year: str, sent: Sentence) -> str:
    """A separate incident key for the main victim's earlier breach of `year`."""
    key = f"{main_key}@{year}"
    if key not in reading.candidates:
        main = reading.candidates[main_key]
        reading.candidates[key] = _Candidate(key, names=Counter(main.names), first=10**9 + int(year),
                                             title_quote=(sent.start, sent.end))
    reading.recalled.add(key)
    return key


def _is_subject(m: OrgMention, sent: Sentence) -> bool:
    """The mention is (part of) the sentence's grammatical subject."""
    for tok in sent.span:
        if m.start <= sent.start + (tok.idx - sent.span.start_char) < m.end and tok.dep_ in ("nsubj", "nsubjpass", "compound", "poss"):
            head = tok
            while head.dep_ in ("compound", "poss", "conj", "appos") and head.head is not head:
                head = head.head
            return head.dep_ in ("nsubj", "nsubjpass") or head.dep_ == "ROOT"
    return False


def _owner_at(owners: list[tuple[int, int, str]], pos: int) -> str | None:
    """Owner of the clause containing `pos` (None when the facts there belong to no victim of the document)."""
    owner = next((k for s, e, k in owners if s <= pos < e), owners[-1][2] if owners else None)
    return None if owner == _NOBODY else owner


# --- building incidents ----------------------------------------------------------------------------------------------

@dataclass
class _Facts:
    """Facts collected for one victim while reading."""

    exposed: dict[str, Fact] = field(default_factory=dict)
    not_exposed: dict[str, Fact] = field(default_factory=dict)
    counts: list[tuple[int, int, Fact]] = field(default_factory=list)  # (noun rank, position, fact)
    actors: dict[str, Fact] = field(default_factory=dict)
    campaigns: dict[str, Fact] = field(default_factory=dict)
    vectors: dict[str, Fact] = field(default_factory=dict)
    ransom: Fact | None = None
    responses: dict[str, Fact] = field(default_factory=dict)
    iocs: dict[str, Fact] = field(default_factory=dict)
    dates: dict[str, tuple[str, Evidence]] = field(default_factory=dict)
    timeline: dict[tuple[str, str], TimelineEvent] = field(default_factory=dict)


def _evidence(source: str, text: str, start: int, end: int) -> Evidence:
    """Evidence for text[start:end]."""
    return Evidence(source, text[start:end], start, end)


def _add(bucket: dict[str, Fact], value: str, fact: Fact) -> None:
    """Keep one fact per value, accumulating evidence."""
    if value in bucket:
        old = bucket[value]
        if fact.evidence[0] not in old.evidence:
            bucket[value] = replace(old, evidence=old.evidence + fact.evidence)
    else:
        bucket[value] = fact


def _build_incidents(reading: _Reading, main_key: str, victims: set[str], brands: set[str], owners: list[list[tuple[int, int, str]]],
                     parent_key: str | None = None) -> tuple[Incident, ...]:
    """Read every sentence's facts into the owning victim's bucket, then make Incidents."""
    seg, text, source = reading.seg, reading.seg.text, reading.source
    facts: dict[str, _Facts] = defaultdict(_Facts)
    speaker = _speaker_pattern(reading, [main_key] + ([parent_key] if parent_key else []))
    explicit: dict[int, set[str]] = {i: {reading.alias.get(m.key, m.key) for m in ms} for i, ms in enumerate(reading.mentions)}
    for idx, sent in enumerate(seg.sentences):
        if sent.paragraph.is_heading and not sent.paragraph.is_list_item:
            continue
        ev = _evidence(source, text, sent.start, sent.end)
        mod = modality(sent.text)
        if mod == "reported" and speaker.search(sent.text):
            mod = "confirmed"  # "Corvane Health said the attackers copied...": the victim's own statement
        _read_data_types(text, sent, owners[idx], ev, mod, facts)
        _read_counts(text, sent, owners[idx], ev, mod, facts)
        if _is_imperative(sent):
            continue  # "Review access controls", "Conduct a forensic investigation": advice, not what was done
        for hit in find_responses(text, sent.start, sent.end):
            owner = _owner_at(owners[idx], hit.start)
            if owner:
                _add(facts[owner].responses, hit.label, Fact(hit.label, "confirmed" if mod == "confirmed" else "reported", (ev,)))
        for hit in find_ransom(text, sent.start, sent.end):
            owner = _owner_at(owners[idx], hit.start)
            if owner and facts[owner].ransom is None:
                facts[owner].ransom = Fact(hit.label, mod, (ev,))
        for hit in find_vectors(text, sent.start, sent.end):
            owner = _owner_at(owners[idx], hit.start)
            if owner:
                techniques = enrich.techniques_for_vector(hit.label)
                _add(facts[owner].vectors, hit.label, Fact(hit.label, mod, (ev,), attack_techniques=techniques))
        _read_dates(text, sent, owners[idx], ev, mod, facts)
    _read_actors(reading, owners, explicit, facts, main_key)
    for ioc in find_iocs(text):
        _add(facts[main_key].iocs, ioc.value, Fact(ioc.value, "reported", (_evidence(source, text, ioc.start, ioc.end),), type=ioc.type))
    incidents = [_incident(reading, main_key, facts[main_key], "main", brands, parent_key)]
    for key in sorted(victims - {main_key}, key=lambda k: reading.candidates[k].first):
        incidents.append(_incident(reading, key, facts[key], "mentioned", set()))
    return tuple(incidents)


def _is_imperative(sent: Sentence) -> bool:
    """A sentence whose main verb is a bare infinitive with no subject: an instruction."""
    span = sent.span
    root = span.root
    inside = range(span.start, span.end)  # the parse may reach across lines: only this line's words count
    if root.tag_ != "VB" or any(c.dep_ in ("nsubj", "nsubjpass", "expl", "aux") and c.i in inside for c in root.children):
        return False
    words_before = [t for t in sent.span if t.i < root.i and t.is_alpha]
    return all(t.pos_ in ("ADV", "INTJ", "PUNCT", "X", "SYM") for t in words_before)


def _speaker_pattern(reading: _Reading, keys: list[str]) -> re.Pattern[str]:
    """Matches the victim (or its parent) as the one saying something: "<name> said/confirmed/told..."."""
    names = sorted({n for k in keys if k in reading.candidates for n in reading.candidates[k].names}, key=len, reverse=True)
    alt_names = "|".join(re.escape(n) for n in names) or r"(?!x)x"
    return re.compile(rf"\b(?:{alt_names})\b[^.;]{{0,80}}?\b(?:said|says|stated|confirmed|told|disclosed|announced|stressed|wrote|reported)\b")


def _read_data_types(text: str, sent: Sentence, owners: list[tuple[int, int, str]], ev: Evidence, mod: str, facts: dict[str, _Facts]) -> None:
    """Exposed / not-exposed data types, each read in its clause with the negation that scopes over it."""
    # "exploited stolen credentials" / "has reset staff passwords": how attackers got in or what the victim did
    vector_spans = [(h.start, h.end) for h in find_labelled(text, VECTOR_PATTERNS, sent.start, sent.end)]
    vector_spans += [(h.start, h.end) for h in find_responses(text, sent.start, sent.end)]
    for cs, ce in clauses(text, sent.start, sent.end):
        # "exploited stolen credentials" names how attackers got in, not data that leaked
        hits = [h for h in find_data_types(text, cs, ce) if not any(s <= h.start < e for s, e in vector_spans)]
        clause = text[cs:ce]
        spans = [(h.start - cs, h.end - cs) for h in hits]
        for hit in hits:
            pol = polarity_at(clause, hit.start - cs, sent.text, spans)
            owner = _owner_at(owners, hit.start)
            if pol is None or owner is None:
                continue
            bucket = facts[owner].exposed if pol == EXPOSED else facts[owner].not_exposed
            fact_mod = "confirmed" if pol == NOT_EXPOSED and mod == "confirmed" else mod
            _add(bucket, hit.label, Fact(hit.label, fact_mod, (ev,)))


def _read_counts(text: str, sent: Sentence, owners: list[tuple[int, int, str]], ev: Evidence, mod: str, facts: dict[str, _Facts]) -> None:
    """Record-count candidates per victim, from sentences about the breach (customer bases excluded)."""
    if is_hypothetical(sent.text) and not re.search(r"\bclaim", sent.text, re.IGNORECASE):
        return
    if not (_BREACH.search(sent.text) or _EXPOSURE.search(sent.text)):
        return
    for count in find_counts(text, sent.start, sent.end):
        if count.is_base:
            continue
        owner = _owner_at(owners, count.start)
        if owner:
            facts[owner].counts.append((count_rank(count.noun), count.start, Fact(count.value, mod, (ev,))))


# What a count counts decides which count is "records affected" when a text gives several: people and their email
# addresses first, then accounts and the like, then containers (rows, records, files). Measured on the HIBP dev set:
# "46 million user accounts with over 7 million unique email addresses" -> 7 million is the count of people.
_PEOPLE = re.compile(r"e-?mail|individual|people|person|customer|user|member|subscriber|patient|client|player|student"
                     r"|citizen|voter|consumer|shopper|passenger|guest|employee|staff|applicant|resident|household"
                     r"|policyholder|parent|child|learner|seeker|candidate|donor|buyer|seller|driver|rider|owner")
_ACCOUNTS = re.compile(r"account|profile|identit|credential|password|phone|card")


def count_rank(noun: str) -> int:
    """0 for people (and their email addresses), 1 for accounts and credentials, 2 for records and other units."""
    head = noun.split()[-1] if noun.split() else noun
    if head in ("records",) and not _PEOPLE.search(noun.split()[0] if len(noun.split()) > 1 else ""):
        return 2
    if _PEOPLE.search(noun) and not _ACCOUNTS.search(head):
        return 0
    if _ACCOUNTS.search(noun):
        return 1
    return 2


def _read_dates(text: str, sent: Sentence, owners: list[tuple[int, int, str]], ev: Evidence, mod: str, facts: dict[str, _Facts]) -> None:
    """Incident / disclosure / detection dates and the timeline events they make."""
    for date in find_dates(text, sent.start, sent.end):
        if date.value.startswith("--") and len(date.value) == 4:
            continue  # a month without year or day is too vague for the contract
        owner = _owner_at(owners, date.start)
        if owner is None:
            continue
        kinds = []
        if _INCIDENT.search(sent.text):
            kinds.append("incident")
        if _DISCLOSURE.search(sent.text):
            kinds.append("disclosure")
        if _DETECTION.search(sent.text):
            kinds.append("detection")
        if re.search(r"\bclaim", sent.text, re.IGNORECASE):
            kinds.append("claim")
        if _REGULATOR.search(sent.text):
            kinds.append("regulator_action")
        bucket = facts[owner]
        for kind in kinds[:1]:
            field_name = {"incident": "incident_date", "disclosure": "disclosure_date"}.get(kind)
            if field_name and field_name not in bucket.dates:
                bucket.dates[field_name] = (date.value, ev)
            bucket.timeline.setdefault((kind, date.value), TimelineEvent(kind, date.value, (ev,), mod))


def _read_actors(reading: _Reading, owners: list[list[tuple[int, int, str]]], explicit: dict[int, set[str]], facts: dict[str, _Facts], main_key: str) -> None:
    """Threat actors (and campaigns) for the victim their sentence is about; generic mentions are dropped."""
    seg, text, source = reading.seg, reading.seg.text, reading.source
    campaigns = {(s, e): name for s, e, name in enrich.find_campaigns(text)}
    for actor in reading.actor_spans:
        idx = next((i for i, s in enumerate(seg.sentences) if s.start <= actor.start < s.end), None)
        if idx is None:
            continue
        sent = seg.sentences[idx]
        ev = _evidence(source, text, sent.start, sent.end)
        owner = _owner_at(owners[idx], actor.start)
        if owner is None:
            continue
        window = text[max(sent.start, actor.start - 60) : min(sent.end, actor.end + 60)]
        if (actor.start, actor.end) in campaigns or _CAMPAIGN_CONTEXT.search(window):
            _add(facts[owner].campaigns, actor.as_written, Fact(actor.as_written, modality(sent.text), (ev,)))
            continue
        named_victims = explicit.get(idx, set())
        if not named_victims and (_ACTOR_GENERIC.search(sent.text) or not _ACTOR_SPECIFIC.search(sent.text)):
            continue
        if named_victims and _ACTOR_GENERIC.search(sent.text) and not _ACTOR_SPECIFIC.search(sent.text):
            continue
        fact = Fact(actor.canonical, modality(sent.text), (ev,), as_written=actor.as_written)
        _add(facts[owner].actors, actor.canonical, fact)
    for s, e, name in enrich.find_campaigns(text):
        idx = next((i for i, st in enumerate(seg.sentences) if st.start <= s < st.end), None)
        if idx is None:
            continue
        sent = seg.sentences[idx]
        owner = _owner_at(owners[idx], s) or main_key
        _add(facts[owner].campaigns, name, Fact(name, modality(sent.text), (_evidence(source, text, sent.start, sent.end),)))


def _incident(reading: _Reading, key: str, f: _Facts, role: str, brand_keys: set[str],
              parent_key: str | None = None) -> Incident:
    """An Incident for one victim from its collected facts."""
    cand = reading.candidates[key]
    victim_ev = _victim_evidence(reading, cand)
    field_evidence: list[tuple[str, tuple[Evidence, ...]]] = [("victim", victim_ev)]
    # the parent only when this text names it (as the text states, or per the curated table)
    parent_key = parent_key or (_parent_in_text(reading, key) if key in reading.candidates else None)
    parent = reading.candidates[parent_key].name if parent_key in reading.candidates else None
    if parent_key and parent:
        field_evidence.append(("parent", _victim_evidence(reading, reading.candidates[parent_key])))
    brands = tuple(sorted({reading.candidates[b].name for b in brand_keys if b != key}))
    country, country_ev = _near_victim(reading, cand, "country")
    sector, sector_ev = _near_victim(reading, cand, "sector")
    if sector is None:
        # Reference data, not a guess: the curated organisation table (data/brands.toml) records each known
        # organisation's sector with the public source of that fact.
        profile = enrich.org_profile(cand.name) or (enrich.org_profile(parent) if parent else None)
        sector = profile.sector if profile else None
    if country_ev:
        field_evidence.append(("victim_country", (country_ev,)))
    if sector_ev:
        field_evidence.append(("sector", (sector_ev,)))
    for name, (_value, ev) in f.dates.items():
        field_evidence.append((name, (ev,)))
    return Incident(
        victim=cand.name,
        role=role,
        parent=parent,
        brands=brands,
        sector=sector,
        victim_country=country,
        disclosure_date=f.dates.get("disclosure_date", (None, None))[0],
        incident_date=f.dates.get("incident_date", (None, None))[0],
        records_affected=min(f.counts, key=lambda c: (c[0], c[1]))[2] if f.counts else None,
        data_exposed=tuple(f.exposed.values()),
        data_not_exposed=tuple(f.not_exposed.values()),
        threat_actors=tuple(f.actors.values()),
        campaigns=tuple(f.campaigns.values()),
        initial_access=tuple(f.vectors.values()),
        ransom=f.ransom,
        response_actions=tuple(f.responses.values()),
        iocs=tuple(f.iocs.values()),
        timeline=tuple(sorted(f.timeline.values(), key=lambda t: (t.date.lstrip("-"), t.kind))),
        field_evidence=tuple(field_evidence),
    )


def _victim_evidence(reading: _Reading, cand: _Candidate) -> tuple[Evidence, ...]:
    """Quotes naming the victim: the headline and the first cued sentence."""
    text, source, sents = reading.seg.text, reading.source, reading.seg.sentences
    out: list[Evidence] = []
    if cand.title_quote:
        out.append(_evidence(source, text, *cand.title_quote))
    cued = [i for _k, i in cand.cues if i >= 0] or [i for _m, i in cand.mentions]
    if cued:
        s = sents[min(cued)]
        out.append(_evidence(source, text, s.start, s.end))
    return tuple(out)


_NEAR = 60  # characters around a victim mention in which a country or sector word describes it


def _near_victim(reading: _Reading, cand: _Candidate, what: str) -> tuple[str | None, Evidence | None]:
    """Country or sector stated in the same sentence as the victim and close to its name."""
    text, source, sents = reading.seg.text, reading.source, reading.seg.sentences
    votes: Counter[str] = Counter()
    first_ev: dict[str, Evidence] = {}
    for m, idx in cand.mentions:
        sent = sents[idx]
        lo, hi = max(sent.start, m.start - _NEAR), min(sent.end, m.end + _NEAR)
        window = text[lo:hi]
        others = [o for o in reading.mentions[idx] if o.key != m.key and lo <= o.start < hi]
        if what == "country":
            found = [(lo + s, code) for s, _e, code, _w in enrich.find_countries(window)]
        else:
            found = [(lo + s, sector) for s, _e, sector in enrich.sector_cues(window)]
        for pos, value in found:
            # another organisation between the cue and the victim owns the cue ("Dior, the French house")
            if any(min(pos, m.start) < o.start < max(pos, m.start) for o in others):
                continue
            votes[value] += 1
            first_ev.setdefault(value, _evidence(source, text, sent.start, sent.end))
    if not votes:
        return None, None
    value = votes.most_common(1)[0][0]
    return value, first_ev[value]
