"""Step 4 continued: read each sentence's facts into the owning victim's incident."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from ...records import Evidence, Fact, Incident, TimelineEvent
from .. import enrich
from ..assertions import (
    EXPOSED,
    NOT_EXPOSED,
    clauses,
    is_hypothetical,
    lead_in_polarity,
    modality,
    polarity_at,
    settle,
)
from ..extract.actions import find_ransom, find_responses, find_vectors
from ..extract.data_types import find_data_types
from ..extract.dates import find_dates
from ..extract.iocs import find_iocs
from ..extract.patterns import (
    VECTOR_PATTERNS,
)
from ..extract.quantities import find_counts
from ..extract.spans import cue_words, find_labelled
from ..segment import Sentence
from .candidates import _BREACH, _EXPOSURE, _Candidate, _Reading
from .owners import _owner_at
from .victims import _parent_in_text

_ACTOR_GENERIC = cue_words(
    "groups", "gangs", "collectives", r"are\s+targeting",
    r"target(?:s|ing)?\s+(?:retailers|companies|firms|organi[sz]ations|the\s+\w+\s+(?:sector|industry))",
    r"similar\s+(?:groups|attacks)", r"in\s+recent\s+(?:years|months)", r"known\s+for", "often", "typically",
    r"have\s+been\s+linked", r"also\s+behind", r"other\s+(?:retailers|companies|victims)",
)
_ACTOR_SPECIFIC = re.compile(
    r"\b(?:the|this)\s+(?:attack|breach|hack|incident|intrusion|threat\s+actor|attackers?|hackers?|cyber\s*criminals?|group)\b"
    r"|\bclaim(?:s|ed|ing)?\b|\bbehind\b|\bransom\b|\bresponsib\w+\b|\bknown\s+as\b|\bstole\b|\bleak\s+site\b|\battributed\b",
    re.IGNORECASE,
)
_CAMPAIGN_CONTEXT = re.compile(r"\bcampaigns?\b|\boperation\b", re.IGNORECASE)
_DISCLOSURE = cue_words(
    r"announc\w+", r"disclos\w+", r"reveal\w+", r"confirm\w+", r"made\s+public", r"went\s+public", r"notif\w+",
    "reported", r"said\s+(?:on|in)",
)
_INCIDENT = cue_words(
    "suffered", "occurred", r"took\s+place", "happened", "began", "started", r"was\s+(?:breached|hacked|attacked)",
    r"were\s+(?:stolen|accessed|exposed)", r"dates?\s+back", "between", "intrusion", "obtained", r"gained\s+access",
    "lost", "leaked", r"hit\s+by", "exposed", r"breach(?:ed)?\s+(?:in|on|of|between|during)",
)
_DETECTION = cue_words(r"discover\w*", r"detect\w*", r"became\s+aware", "identified", "noticed")
_REGULATOR = cue_words("fined?", r"penalt\w+", r"regulator\w*", "commissioner", r"supervisory\s+authority")


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

    def is_empty(self) -> bool:
        """Nothing was read for this victim."""
        return not any(
            (self.exposed, self.not_exposed, self.counts, self.actors, self.campaigns, self.vectors, self.ransom,
             self.responses, self.iocs, self.dates, self.timeline)
        )


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


def _build_incidents(
    reading: _Reading,
    main_key: str,
    victims: set[str],
    brands: set[str],
    owners: list[list[tuple[int, int, str]]],
    parent_key: str | None = None,
) -> tuple[Incident, ...]:
    """Read every sentence's facts into the owning victim's bucket, then make Incidents."""
    seg, text, source = reading.seg, reading.seg.text, reading.source
    facts: dict[str, _Facts] = defaultdict(_Facts)
    speaker = _speaker_pattern(reading, [main_key] + ([parent_key] if parent_key else []))
    explicit: dict[int, set[str]] = {
        i: {reading.alias.get(m.key, m.key) for m in ms} for i, ms in enumerate(reading.mentions)
    }
    for idx, sent in enumerate(seg.sentences):
        if sent.paragraph.is_heading and not sent.paragraph.is_list_item:
            continue
        ev = _evidence(source, text, sent.start, sent.end)
        mod = modality(sent.text)
        if mod == "reported" and speaker.search(sent.text):
            mod = "confirmed"  # "Corvane Health said the attackers copied...": the victim's own statement
        at = _SentenceAt(text, sent, owners[idx], ev, mod)
        _read_data_types(at, facts)
        _read_counts(at, facts)
        if _is_imperative(sent):
            continue  # "Review access controls", "Conduct a forensic investigation": advice, not what was done
        for hit in find_responses(text, sent.start, sent.end):
            owner = _owner_at(owners[idx], hit.start)
            if owner:
                _add(
                    facts[owner].responses,
                    hit.label,
                    Fact(hit.label, "confirmed" if mod == "confirmed" else "reported", (ev,)),
                )
        for hit in find_ransom(text, sent.start, sent.end):
            owner = _owner_at(owners[idx], hit.start)
            if owner and facts[owner].ransom is None:
                facts[owner].ransom = Fact(hit.label, mod, (ev,))
        for hit in find_vectors(text, sent.start, sent.end):
            owner = _owner_at(owners[idx], hit.start)
            if owner:
                techniques = enrich.techniques_for_vector(hit.label)
                _add(
                    facts[owner].vectors, hit.label, Fact(hit.label, mod, (ev,), attack_techniques=techniques)
                )
        _read_dates(at, facts)
    _read_actors(reading, owners, explicit, facts, main_key)
    for ioc in find_iocs(text):
        _add(
            facts[main_key].iocs,
            ioc.value,
            Fact(ioc.value, "reported", (_evidence(source, text, ioc.start, ioc.end),), type=ioc.type),
        )
    incidents = [_incident(reading, main_key, facts[main_key], "main", brands, parent_key)]
    for key in sorted(victims - {main_key}, key=lambda k: reading.candidates[k].first):
        if key in reading.recalled and facts[key].is_empty():
            continue  # a sentence recalled an earlier breach but said nothing of it: no record to keep
        incidents.append(_incident(reading, key, facts[key], "mentioned", set()))
    return tuple(incidents)


def _is_imperative(sent: Sentence) -> bool:
    """A sentence whose main verb is a bare infinitive with no subject: an instruction."""
    span = sent.span
    root = span.root
    inside = range(span.start, span.end)  # the parse may reach across lines: only this line's words count
    if root.tag_ != "VB" or any(
        c.dep_ in ("nsubj", "nsubjpass", "expl", "aux") and c.i in inside for c in root.children
    ):
        return False
    words_before = [t for t in sent.span if t.i < root.i and t.is_alpha]
    return all(t.pos_ in ("ADV", "INTJ", "PUNCT", "X", "SYM") for t in words_before)


def _speaker_pattern(reading: _Reading, keys: list[str]) -> re.Pattern[str]:
    """Matches the victim (or its parent) as the one saying something: "<name> said/confirmed/told..."."""
    names = sorted(
        {n for k in keys if k in reading.candidates for n in reading.candidates[k].names},
        key=len,
        reverse=True,
    )
    alt_names = "|".join(re.escape(n) for n in names) or r"(?!x)x"
    return re.compile(
        rf"\b(?:{alt_names})\b[^.;]{{0,80}}?\b(?:said|says|stated|confirmed|told|disclosed|announced|stressed|wrote|reported)\b"
    )


class _SentenceAt(NamedTuple):
    """One sentence being read: the document text, the sentence, whose clauses are whose, its quote, its modality."""

    text: str
    sent: Sentence
    owners: list[tuple[int, int, str]]
    ev: Evidence
    mod: str


def _read_data_types(at: _SentenceAt, facts: dict[str, _Facts]) -> None:
    """Exposed / not-exposed data types, each read in its clause with the negation that scopes over it."""
    text, sent, owners, ev, mod = at
    # "exploited stolen credentials" / "has reset staff passwords": how attackers got in or what the victim did,
    # not data that leaked
    vector_spans = [(h.start, h.end) for h in find_labelled(text, VECTOR_PATTERNS, sent.start, sent.end)]
    vector_spans += [(h.start, h.end) for h in find_responses(text, sent.start, sent.end)]
    for cs, ce in clauses(text, sent.start, sent.end):
        hits = [
            h for h in find_data_types(text, cs, ce) if not any(s <= h.start < e for s, e in vector_spans)
        ]
        clause = text[cs:ce]
        spans = [(h.start - cs, h.end - cs) for h in hits]
        for hit in hits:
            pol = polarity_at(clause, hit.start - cs, sent.text, spans)
            if pol is None and sent.paragraph.lead_in:
                pol = lead_in_polarity(text[sent.paragraph.lead_in[0] : sent.paragraph.lead_in[1]])  # "– Full names"
            owner = _owner_at(owners, hit.start)
            if pol is None or owner is None:
                continue
            bucket = facts[owner].exposed if pol == EXPOSED else facts[owner].not_exposed
            fact_mod = "confirmed" if pol == NOT_EXPOSED and mod == "confirmed" else mod
            _add(bucket, hit.label, Fact(hit.label, fact_mod, (ev,)))


def _read_counts(at: _SentenceAt, facts: dict[str, _Facts]) -> None:
    """Record-count candidates per victim, from sentences about the breach (customer bases excluded)."""
    text, sent, owners, ev, mod = at
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
_PEOPLE = re.compile(
    r"e-?mail|individual|people|person|customer|user|member|subscriber|patient|client|player|student"
    r"|citizen|voter|consumer|shopper|passenger|guest|employee|staff|applicant|resident|household"
    r"|policyholder|parent|child|learner|seeker|candidate|donor|buyer|seller|driver|rider|owner"
)
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


# An exact figure within this factor of a rounder one of the same kind states that count more precisely
# ("more than 150,000 customers" ... "156,959 customers").
PRECISE_WITHIN = 1.25


def _records(counts: list[tuple[int, int, Fact]]) -> Fact | None:
    """The record count: the first of the best-ranked kind, or a more precise statement of that same count."""
    if not counts:
        return None
    rank, _pos, first = min(counts, key=lambda c: (c[0], c[1]))
    value = int(first.value)
    precise = [
        f for r, _p, f in counts
        if r == rank and value <= int(f.value) <= value * PRECISE_WITHIN and _zeros(int(f.value)) < _zeros(value)
    ]
    return min(precise, key=lambda f: _zeros(int(f.value))) if precise else first


def _zeros(n: int) -> int:
    """Trailing zeros of n: how round a figure is."""
    return len(str(n)) - len(str(n).rstrip("0")) if n else 0


def _read_dates(at: _SentenceAt, facts: dict[str, _Facts]) -> None:
    """Incident / disclosure / detection dates and the timeline events they make."""
    text, sent, owners, ev, mod = at
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


def _read_actors(
    reading: _Reading,
    owners: list[list[tuple[int, int, str]]],
    explicit: dict[int, set[str]],
    facts: dict[str, _Facts],
    main_key: str,
) -> None:
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
        if main_key in explicit.get(idx, set()) or (
            owner is None and not (explicit.get(idx, set()) & set(facts) - {main_key})
        ):
            # the main victim named in the sentence, or no victim at all: a group named in the main story is
            # its attacker
            owner = main_key
        if owner is None:
            continue
        window = text[max(sent.start, actor.start - 60) : min(sent.end, actor.end + 60)]
        if (actor.start, actor.end) in campaigns or _CAMPAIGN_CONTEXT.search(window):
            _add(facts[owner].campaigns, actor.as_written, Fact(actor.as_written, modality(sent.text), (ev,)))
            continue
        named_victims = explicit.get(idx, set())
        generic = _ACTOR_GENERIC.search(sent.text)
        if not named_victims and (generic or (owner != main_key and not _ACTOR_SPECIFIC.search(sent.text))):
            continue  # "groups like X often...": a group named in passing; in the main story's sentences X is its actor
        if named_victims and _ACTOR_GENERIC.search(sent.text) and not _ACTOR_SPECIFIC.search(sent.text):
            continue
        fact = Fact(actor.canonical, modality(sent.text), (ev,), as_written=actor.as_written)
        _add(facts[owner].actors, actor.canonical, fact)
    for s, _e, name in enrich.find_campaigns(text):
        idx = next((i for i, st in enumerate(seg.sentences) if st.start <= s < st.end), None)
        if idx is None:
            continue
        sent = seg.sentences[idx]
        owner = _owner_at(owners[idx], s) or main_key
        _add(
            facts[owner].campaigns,
            name,
            Fact(name, modality(sent.text), (_evidence(source, text, sent.start, sent.end),)),
        )


def _incident(
    reading: _Reading, key: str, f: _Facts, role: str, brand_keys: set[str], parent_key: str | None = None
) -> Incident:
    """An Incident for one victim from its collected facts."""
    cand = reading.candidates[key]
    f.exposed, f.not_exposed, _contested = settle(f.exposed, f.not_exposed)
    victim_ev = _victim_evidence(reading, cand)
    field_evidence: list[tuple[str, tuple[Evidence, ...]]] = [("victim", victim_ev)]
    # the parent only when this text names it (as the text states, or per the curated table)
    parent_key = parent_key or (_parent_in_text(reading, key) if key in reading.candidates else None)
    parent = reading.candidates[parent_key].display_name if parent_key in reading.candidates else None
    if parent_key and parent:
        field_evidence.append(("parent", _victim_evidence(reading, reading.candidates[parent_key])))
    brands = tuple(sorted({reading.candidates[b].display_name for b in brand_keys if b != key}))
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
        victim=cand.display_name,
        role=role,
        parent=parent,
        brands=brands,
        sector=sector,
        victim_country=country,
        disclosure_date=f.dates.get("disclosure_date", (None, None))[0],
        incident_date=f.dates.get("incident_date", (None, None))[0],
        records_affected=_records(f.counts),
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
            found = [
                (lo + s, code)
                for s, e, code, _w in enrich.find_countries(window)
                if not enrich.ACTOR_ORIGIN.match(window, e)  # "Russia-linked": where the attackers are, not the victim
            ]
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
