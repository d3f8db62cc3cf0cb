"""Step 1-2 of attribution: organisation candidates in a document and the roles the words around them give."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from .. import enrich
from ..assertions import is_hypothetical
from ..extract.attackers import named_attackers
from ..extract.orgs import OrgMention, coordinated_groups, find_orgs, is_name_like, org_key, role_cue
from ..extract.patterns import (
    AUTHORITY_NAME,
    BREACH_WORDS,
    DESCRIBING_HEADS,
    EMPTY_VALUE,
    EXPOSURE_CUES,
    FIELD_LABEL_WORDS,
    NOT_ORG_WORDS,
    ORG_HEAD_WORDS,
    PARENT_PATTERNS,
    RECALL_CUES,
    SELF_BREACH_AFTER,
)
from ..segment import LIST_MARKER, Segmented, Sentence

_BREACH = re.compile(r"\b" + BREACH_WORDS + r"\b", re.IGNORECASE)
_EXPOSURE = re.compile(r"\b" + EXPOSURE_CUES + r"\b", re.IGNORECASE)
_HEADLINE_NAME = re.compile(
    r"^(?:#+\s*)?(?:[\w\s]*report:\s*)?(?P<name>[\w&’'.,+#!() -]{2,60}?)\s+"
    r"(?:data\s+)?(?:breach|hack|leak|cyber[-\s]?attack)\b",
    re.IGNORECASE,
)
_HEADLINE_OBJECT = re.compile(
    r"\b(?i:breach|hack|attack|cyberattack|cyber-attack|leak)\s+(?i:at|on|hits?)\s+(?P<name>[A-Z0-9][\w&’'.-]*(?:\s+[A-Z][\w&’'.-]*){0,3})"
)
_EMPTY = re.compile(EMPTY_VALUE, re.IGNORECASE)
_AUTHORITY = re.compile(AUTHORITY_NAME)
_HEADLINE_BREACH = re.compile(
    r"\b(?:hackers?|attackers?|cyber\w*|data\s+(?:theft|exposure)|stolen|exposed|leak\w*|ransom\w*)\b",
    re.IGNORECASE,
)
_RECALL = re.compile(RECALL_CUES, re.IGNORECASE)
_HEADLINE_IS_NAME = re.compile(r"^(?:#+\s*)?.{1,80}?\s+(?:data\s+)?(?:breach|hack|leak)\s*$", re.IGNORECASE)
_HEADLINE_STOP = frozenset(
    "a an the of on in at to for and or with by from major massive new huge latest another what why how report".split()
)
_ABBREVIATION = re.compile(r"\s*\((?P<abbr>[A-Z][\w&]{1,10})\)")


@dataclass
class _Candidate:
    """What the document says about one organisation (by normalised key)."""

    key: str
    names: Counter[str] = field(default_factory=Counter)
    mentions: list[tuple[OrgMention, int]] = field(default_factory=list)  # (mention, sentence index)
    cues: list[tuple[str, int]] = field(default_factory=list)  # (cue kind, sentence index)
    bystander: int = 0
    first: int = 10**9
    title_quote: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        """The most frequent spelling (ties: the longest, e.g. "Marks & Spencer" over "M&S")."""
        return max(self.names.items(), key=lambda kv: (kv[1], len(kv[0])))[0]

    @property
    def display_name(self) -> str:
        """The name a report shows: a short form gives way to the name it shortens — its initials ("Western
        Digital" over "WD") or it with the kind of organisation spelled out ("HEI Hotels & Resorts" over "HEI") —
        which other articles of the incident write out too. The scorers read `name`."""
        best = self.name
        if best.isupper():
            spelled = [n for n in self.names if n != best and (_initials(n) == best or _spells_out(best, n))]
            if spelled:
                return max(spelled, key=lambda n: (self.names[n], len(n)))
        return best


_LEGAL_FORMS = frozenset("ltd limited inc plc llc corp co company gmbh sa ag nv bv".split())


def _spells_out(short: str, full: str) -> bool:
    """`full` is `short` with the words that say what kind of organisation it is ("HEI" -> "HEI Hotels & Resorts";
    not "ICBC Met LockBit", and not a legal form alone: the brand is shown over the legal entity)."""
    if not full.startswith(short + " "):
        return False
    added = {w.strip(".,").lower() for w in full[len(short) :].split()}
    return bool(added & (ORG_HEAD_WORDS - _LEGAL_FORMS))


def _initials(name: str) -> str:
    """The capitals that begin a name's words ("Industrial and Commercial Bank of China" -> "ICBC")."""
    return "".join(w[0] for w in name.split() if w[:1].isupper())


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
    # keys of earlier breaches of the main victim the text recalls
    recalled: set[str] = field(default_factory=set)
    # sentence indices of "Name:" bullets whose list talks about breaches (derived from `seg` once)
    confirmed_bullets: set[int] = field(default_factory=set)


def _read_candidates(source: str, seg: Segmented) -> _Reading:
    """Organisation candidates with their role cues."""
    text = seg.text
    actors = enrich.find_actors(text)
    countries = {(s, e) for s, e, _code, _w in enrich.find_countries(text)}
    actors = _actors_outside_names(seg, actors)
    taken = [(a.start, a.end) for a in actors]
    actors += [p for p in named_attackers(seg) if not any(p.start < e and s < p.end for s, e in taken)]
    actors.sort(key=lambda a: a.start)
    actor_ranges = [(a.start, a.end) for a in actors]
    mentions: list[list[OrgMention]] = []
    candidates: dict[str, _Candidate] = {}
    alias: dict[str, str] = {}
    for idx, sent in enumerate(seg.sentences):
        found = [] if sent.paragraph.is_heading else find_orgs(sent.span, sent.start, text)
        found = [
            m
            for m in found
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
    reading.confirmed_bullets = _confirmed_bullets(seg)
    return reading


def _confirmed_bullets(seg: Segmented) -> set[int]:
    """Sentence indices of "Name:" bullets whose list mostly talks about breaches."""
    sents = seg.sentences
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
                if (
                    child
                    and parent
                    and child != parent
                    and child in reading.candidates
                    and parent in reading.candidates
                ):
                    out.setdefault(child, parent)
    return out


_RELATION_WORD = re.compile(
    r"\b(?:brand|subsidiary|division|unit|chain|label|arm|parent|owner|owners|owned|part\s+of)\b",
    re.IGNORECASE,
)


def _PARENT_RX(org: str) -> list[re.Pattern[str]]:  # noqa: N802 - a compiled-pattern factory, named like a constant
    """The textual parent patterns with the document's names filled in."""
    return [re.compile(p.replace("{org}", org)) for p in PARENT_PATTERNS]


_BULLET_NAME = re.compile(
    r"\s*(?:[•●◦▪‣∙·*–—-]|\d{1,2}[.)])\s+(?:\*\*)?(?P<name>[A-Z0-9][\w&’'.-]*(?:\s+[\w&’'.-]+){0,4}?)(?:\*\*)?(?:\s*\([^)]{1,20}\))?\s*:"
)


def _bullet_name(text: str, sent: Sentence, found: list[OrgMention]) -> list[OrgMention]:
    """A list item "• Name: ..." names an organisation even when the tagger does not see a proper noun."""
    if not sent.paragraph.is_list_item:
        return found
    m = _BULLET_NAME.match(text, sent.paragraph.start)
    if not m or not sent.start <= m.start("name") < sent.end or m.end("name") > sent.end:
        return found
    start, end = m.start("name"), m.end("name")
    name = text[start:end]
    if _is_field_label(name) or _EMPTY.match(text, m.end()) or not is_name_like(name):
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
        marker = LIST_MARKER.match(seg.text[line_start : actor.start])  # "3. The LockBit gang": "3." is no name
        line_start += marker.end() if marker else 0
        run = next(
            (
                m
                for m in _NAME_RUN.finditer(seg.text, line_start, actor.end + 60)
                if m.start() <= actor.start < m.end()
            ),
            None,
        )
        before = seg.text[run.start() : actor.start] if run is not None else ""
        described = run is not None and run.end() <= actor.end and all(
            enrich.DESCRIBING_ADJECTIVE.search(w) or w in ("The", "A", "An") for w in before.split()
        )  # "The Russia-linked REvil group": an adjective, not part of the name
        if (
            run is not None
            and not described
            and not before.endswith(("’s ", "'s "))  # "North Korea's Lazarus Group": a possessive, not one name
            and (run.start() < actor.start or run.end() > actor.end)
            and len(run.group().split()) > len(actor.as_written.split())
        ):
            continue
        out.append(actor)
    return out


# A line that opens a list of breached organisations ("The list includes the following companies, who have
# claimed to be hacked:", "Victims include:")
_LISTS_VICTIMS = re.compile(
    r"\b(?:hacked|breached|compromised|affected|impacted|targeted|victims?|hit|attacked)\b", re.IGNORECASE
)


def _add_cues(
    text: str, sent: Sentence, idx: int, found: list[OrgMention], candidates: dict[str, _Candidate]
) -> None:
    """Role cues for the mentions of one sentence, spread along coordinated lists."""
    cues = [role_cue(text, m, sent.start, sent.end) for m in found]
    tells_of_a_breach = _speaks_of_a_breach(sent.text) and not is_hypothetical(sent.text)
    if len(found) == 1 and cues[0].bystander and not cues[0].introduced_as_bystander:
        # the only organisation of a sentence about a breach, saying it: it speaks of its own breach ("HEI says
        # experts investigated the breach"); a source speaks of another organisation's, named beside it
        if tells_of_a_breach and _SAYS.match(text, found[0].end):
            cues[0] = replace(cues[0], bystander=False)
    about_victims = tells_of_a_breach or bool(_LISTS_VICTIMS.search(sent.text))
    kinds: list[str | None] = [
        # "a partnership between two trusts and Synlab, a provider of tests, is notifying": not the verb's subject
        None
        if c.victim == "subject" and c.set_off and _is_an_object(m, sent)
        # "We notified government agencies, including the FBI and CISA": a list, but of no victims
        or c.victim == "list" and not about_victims
        else c.victim
        for m, c in zip(found, cues, strict=True)
    ]
    for group in coordinated_groups(text, found):
        first, last = kinds[group[0]], kinds[group[-1]]
        for i in group:
            if kinds[i] is None and not cues[i].bystander:  # "from Talwyn Hotels, the Daily Ledger reported"
                if first in ("list", "object"):
                    kinds[i] = first
                elif last == "subject":
                    kinds[i] = "subject"
    for i, m in enumerate(found):
        if kinds[i] and i > 0 and _is_place_after_a_name(text, sent, found[i - 1], m):
            kinds[i] = None  # "The City of Dallas, Texas, confirmed ...": where the victim is
        elif (
            kinds[i] == "subject"
            and _AGENT_BEFORE.search(text, max(sent.start, m.start - 12), m.start)
            and not _SELF_BREACH_AFTER.match(text[m.end : m.end + 120])
        ):
            kinds[i] = None  # "every organisation studied by IBM has suffered a breach": IBM is the agent
        elif kinds[i] == "subject" and cues[i].reports and _reports_another(text, sent, found, kinds, i):
            kinds[i] = None  # "NHS England disclosed that a ransomware attack on Synnovis has led to ..."
    if tells_of_a_breach:
        for i, m in enumerate(found):
            if kinds[i] is None and not cues[i].bystander and not m.is_person and _is_subject(m, sent):
                kinds[i] = (
                    "subject?"  # the subject of a sentence about the breach ("X said hackers stole...")
                )
    lead = sent.paragraph.lead_in
    if found and kinds[0] is None and lead and _LISTS_VICTIMS.search(text, lead[0], lead[1]):
        if not text[sent.paragraph.start : found[0].start].strip(" \t•●◦▪‣∙·*–—-0123456789.)"):
            kinds[0] = "list"  # "The companies hacked by this group:" then "• Samsung Electronics"
    for i, (m, kind) in enumerate(zip(found, kinds, strict=True)):
        if kind == "bullet" and (
            _is_field_label(m.name) or _EMPTY.match(text, text.find(":", m.end) + 1) or not _opens_a_line_item(text, m)
        ):
            kinds[i] = None  # "- Sector: Luxury goods" is a report field, not an organisation
    if (
        kinds
        and sent.paragraph.is_list_item
        and kinds[0] == "bullet"
        and not _BREACH.search(sent.text)
        and not _EXPOSURE.search(sent.text)
    ):
        kinds[0] = "bullet?"  # confirmed below if its sibling bullets talk about breaches
    for m, cue, kind in zip(found, cues, kinds, strict=True):
        cand = candidates.setdefault(m.key, _Candidate(m.key))
        cand.names[m.name] += 1
        cand.mentions.append((m, idx))
        cand.first = min(cand.first, m.start)
        if _AUTHORITY.search(m.name) and kind not in ("possessive", "object"):
            cand.bystander += 2  # a regulator or police force acting on the breach
        if m.is_person and kind not in ("title", "possessive", "object", "list"):
            cand.bystander += (
                2  # a person's name (researcher, spokesperson) is a victim only when named as one
            )
        if cue.introduced_as_bystander:
            cand.bystander += (
                2  # "researcher X discovered", "according to X": never the victim in this sentence
            )
        elif cue.bystander and kind not in ("subject", "possessive", "object"):
            cand.bystander += 1
        elif kind:
            cand.cues.append((kind, idx))


_LINE_START = re.compile(r"(?:^|\n)[ \t•●◦▪‣∙·*–—-]*(?:\d+[.)]\s*)?$")


def _opens_a_line_item(text: str, m: OrgMention) -> bool:
    """"Name: what happened" opens its line and says something after the colon on that line: a bullet about the
    name. "Clorox (NYSE: CLX) disclosed" is a ticker inside a sentence; a lone "Dive Brief:" labels a section."""
    line_end = text.find("\n", m.end)
    after_colon = text[text.find(":", m.end) + 1 : line_end if line_end >= 0 else len(text)]
    return bool(_LINE_START.search(text, max(0, m.start - 12), m.start)) and bool(after_colon.strip())


def _is_place_after_a_name(text: str, sent: Sentence, before: OrgMention, m: OrgMention) -> bool:
    """A place set off by commas right after a name ("Dallas, Texas, confirmed"): it says where, not who."""
    if text[before.end : m.start] != ", " or text[m.end : m.end + 1] not in (",", "."):
        return False
    tokens = mention_tokens(m, sent)
    return bool(tokens) and all(t.ent_type_ == "GPE" for t in tokens)


_SELF_BREACH_AFTER = re.compile(SELF_BREACH_AFTER, re.IGNORECASE)  # "paid by Home Depot after its breach"
_SELF_REFERENCE = re.compile(r"\b(?:it|its|itself|they|them|their|our|we|us)\b", re.IGNORECASE)


def _reports_another(text: str, sent: Sentence, found: list[OrgMention], kinds: list[str | None], i: int) -> bool:
    """The subject of a reporting verb tells of another organisation's breach: a later name of its sentence is
    framed as the victim and the sentence never refers back to the subject ("its", "their", "we")."""
    later = [j for j in range(i + 1, len(found)) if kinds[j] in ("object", "possessive")]
    return bool(later) and not _SELF_REFERENCE.search(text, found[i].end, sent.end)


# the saying verbs of NON_VICTIM_RIGHT that can make the only organisation of a sentence a source
_SAYS = re.compile(r"\s*(?:said|says|told|reported|reports)\b")
_AGENT_BEFORE = re.compile(r"\bby\s+(?:the\s+)?$")


def _speaks_of_a_breach(sentence: str) -> bool:
    """A breach word in running text; not only inside a capitalised title ("IBM issued its Cost of a Data Breach
    Report" names a report, it tells of no breach)."""
    return any(m.group()[0].islower() or m.start() == 0 for m in _BREACH.finditer(sentence))


# The capitalised title of a publication ("2019 Cost of a Data Breach Report", "Data Breach Investigations Report"):
# a breach word inside it names the publication, not a breach
_PUBLICATION_TITLE = re.compile(
    r"(?:\b[A-Z0-9][\w’'-]*\s+(?:(?:of|a|an|the|on|in|and|for|to)\s+)*)+"
    r"(?:Report|Study|Survey|Index|Whitepaper|Handbook|Guide|Playbook)s?\b"
)


def _breach_only_in_a_title(line: str) -> bool:
    """The line's breach words all sit inside a publication's title: it names a report, not a breach."""
    return bool(_BREACH.search(line)) and not _BREACH.search(_PUBLICATION_TITLE.sub(" ", line))


def _merge_short_forms(candidates: dict[str, _Candidate], alias: dict[str, str]) -> None:
    """A later short form of a name already given in full is the same organisation ("Pellmore" after
    "Pellmore Building Society"): merge it into the full name."""
    by_first = sorted(candidates.values(), key=lambda c: c.first)
    # only names that begin with the same word can be a short form of each other: index them by that word, so a
    # long page with thousands of candidates costs n·k, not n² (issue 13: a 117k-character page spent seconds here)
    by_word: dict[str, list[_Candidate]] = {}
    for cand in by_first:
        if cand.name.split():
            by_word.setdefault(cand.name.split()[0], []).append(cand)
    for short in by_first:
        words = short.name.split()
        for full in by_word.get(words[0], []) if words else []:
            if (
                full is short
                or full.first > short.first
                or short.key not in candidates
                or full.key not in candidates
            ):
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
    line = text[first.start : first.end]
    if first.is_heading and not _breach_only_in_a_title(line):
        m = _HEADLINE_OBJECT.search(line) or _HEADLINE_NAME.match(line)
        # "<name> data breach": the phrase is the name when the body writes it too ("The Fly on the Wall");
        # else it is cut where a verb or a common word begins ("Energy giant Shell impacted in Accellion hack")
        name = ""
        if m and _HEADLINE_IS_NAME.match(line) and m.re is _HEADLINE_NAME:
            name = _cut_at_verb(m.group("name").strip(" .,:").split())
            if _has_common_word(name) and _find_word(text[first.end :], name) < 0:
                name = _headline_name(name, candidates)
        elif m:
            name = _headline_name(m.group("name"), candidates)
        name = _after_describing_noun(name)
        if name and _plausible_headline_name(name):
            key = org_key(name)
            cand = candidates.setdefault(key, _Candidate(key))
            for other_key, other in list(candidates.items()):
                if other_key != key and any(
                    _find_word(name, n) >= 0 or _contains_name(n, name) for n in other.names
                ):
                    _merge_into(candidates, alias, other_key, key)
            if _HEADLINE_IS_NAME.match(line):
                cand.names[name] += 3  # "<name> data breach": the title is the name the victim is known by
            else:
                # a sentence headline names it in short; the body's fuller name containing it is the name
                fuller = max((n for n in cand.names if _contains_name(n, name)), key=len, default=name)
                cand.names[fuller] += 3
            cand.cues.append(("title", -1))
            cand.first = min(cand.first, first.start + m.start("name")) if m else cand.first
            cand.title_quote = (first.start, first.end)
            return
    for para in seg.paragraphs[:8]:
        if not para.is_heading:
            continue
        line = _PUBLICATION_TITLE.sub(" ", text[para.start : para.end])
        if not (_BREACH.search(line) or _HEADLINE_BREACH.search(line)):
            continue
        for cand in candidates.values():
            positions = [
                (p, n)
                for n in cand.names
                if (p := _find_word(line, n)) >= 0 and not _describes_its_maker(line, p + len(n))
            ]
            if positions and not any(_bystander_in_heading(line, p, n) for p, n in positions):
                cand.cues.append(("title", -1))
                cand.title_quote = cand.title_quote or (para.start, para.end)


# Verbs that end the name in a headline ("Harbourline Bank Confirms Breach", "Acme suffers data breach").
_NAME_CONNECTORS = frozenset("of the and de des du la le van von y &".split())
_HEADLINE_VERBS = frozenset(
    """discloses reveals admits notifies investigates fined fines sued sues charged ordered penalised penalized
    reprimanded settles agrees pays says warns confirms confirmed suffers suffered discloses disclosed reports reported
    says warns warned admits admitted
    reveals revealed announces announced investigates investigating probes notifies notified hit hits targeted
    faces facing fixes patches denies denied responds blames hacked breached leaks leaked exposes exposed""".split()
)


def _cut_at_verb(words: list[str]) -> str:
    """The words before the first headline verb ("Dior discloses" -> "Dior")."""
    for i, word in enumerate(words):
        if i > 0 and word.lower() in _HEADLINE_VERBS:
            return " ".join(words[:i])
    return " ".join(words)


def _after_describing_noun(name: str) -> str:
    """"" when the phrase ends with a describing noun ("Call of Duty Developer"), else the phrase (a describing
    word inside a name modifies what follows: "Roblox Developer Conference")."""
    words = name.split()
    return "" if words and words[-1].lower() in DESCRIBING_HEADS else name


def _contains_name(longer: str, name: str) -> bool:
    """`longer` contains the name as a name of its own: not as the owner of something ("Corwen Bank’s Card
    Gateway" is a thing Corwen Bank owns, not a fuller name of it)."""
    pos = _find_word(longer, name)
    return pos >= 0 and not longer.startswith(("'s", "’s"), pos + len(name))


def _describes_its_maker(line: str, end: int) -> bool:
    """The name ending at `end` is followed by a describing noun ("Call of Duty Developer"): a product."""
    following = line[end:].split()
    return bool(following) and following[0].lower() in DESCRIBING_HEADS


def _has_common_word(phrase: str) -> bool:
    """A lower-case word of four letters or more: "giant", "impacted" ("via", "di", "mSpy" are not)."""
    return any(w.isalpha() and w.islower() and len(w) >= 4 for w in phrase.split())


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
    if "," in name or not any(c.isalpha() for c in name):
        return False  # "British Airways, Boots, and the BBC": a list of victims, or a number, is not one name
    if words[-1].lower() in _HEADLINE_STOP or (
        words[0].lower() in _HEADLINE_STOP and words[0].lower() != "the"
    ):
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


def mention_tokens(m: OrgMention, sent: Sentence) -> list[Any]:
    """The parsed tokens of a mention in its sentence (a mention's offsets index the document's text)."""
    base = sent.start - sent.span.start_char
    return [t for t in sent.span if m.start <= base + t.idx < m.end]


def _is_an_object(m: OrgMention, sent: Sentence) -> bool:
    """The mention is (in a list that is) the object of a verb or preposition of its own sentence (a parse that
    runs on from a headline above says nothing about this sentence)."""
    inside = range(sent.span.start, sent.span.end)
    tokens = mention_tokens(m, sent)
    roots = [t for t in tokens if t.head not in tokens or t.head is t]
    if not roots:
        return False
    head = roots[0]
    while head.dep_ in ("conj", "appos") and head.head is not head and head.head.i in inside:
        head = head.head
    return head.i in inside and head.dep_ in ("pobj", "dobj", "iobj") and head.head.i in inside


def _is_subject(m: OrgMention, sent: Sentence) -> bool:
    """The mention is (part of) the sentence's grammatical subject."""
    for tok in mention_tokens(m, sent):
        if tok.dep_ in ("nsubj", "nsubjpass", "compound", "poss"):
            head = tok
            while head.dep_ in ("compound", "poss", "conj", "appos") and head.head is not head:
                head = head.head
            if head.dep_ in ("nsubj", "nsubjpass") and head.head.dep_ == "relcl":
                return False  # "the report, which IBM sponsors, analyses breach costs": IBM is not its subject
            return head.dep_ in ("nsubj", "nsubjpass") or head.dep_ == "ROOT"
    return False
