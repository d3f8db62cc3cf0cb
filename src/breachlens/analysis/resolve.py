"""The `resolve` stage: cluster what many documents say into incidents and merge it with provenance.

Sequence of `resolve(documents, settings, previous_ids)`:
1. **Entries.** Every `main` incident of every document is an entry (`_entries` is the one place that chooses
   which incidents are clustered; promoting `mentioned` incidents later means adding their role to
   `CLUSTERED_ROLES` and, if they should weigh less, lowering their weight there).
2. **Victim groups.** Names are normalised (`victim_key`: `enrich.canonical_org` when available, casefold,
   accents and punctuation dropped, "&" -> "and", company designators such as Inc/Ltd/plc/Group/SA/AG/The
   dropped). An entry whose parent (its own `parent`, else `enrich.parent_of`) is the victim of another entry
   joins that victim's group, and so does an entry whose victim is among another entry's `brands`. The group's
   canonical victim is the one no other entry names as its parent or brand.
3. **Time split.** Within a group, entries are ordered by their incident date (incident_date, else
   disclosure_date, else the earliest timeline event, else the published date). Partial dates are spans
   ("2025" is the whole year), so dates compare at the granularity both have; "--06-02" takes the published
   year. A new incident starts when an entry begins more than `settings.resolve.max_gap_days` after every earlier one
   ends. Undated entries join the latest incident of their group (an article recalling an older breach names
   its year). An incident none of whose entries is about the group's canonical victim (a brand's breach at
   another time than its parent's) takes its own canonical victim.
4. **Copies.** Within an incident, `dedupe.find_duplicates` maps republished texts to their original; a copy's
   evidence is kept but counts toward the original's source.
5. **Merge.** See "Merge choices" below.
6. **Ids.** `slug(canonical victim)-YYYY-MM` of the earliest incident/disclosure date (`-YYYY` when only the
   year is known, nothing when undated), made unique with "-2", "-3"... in date order. An incident whose
   sources already had an id in `previous_ids` keeps it; new ids never reuse a previous one.

Every step sorts, so the result does not depend on the order of `documents`. Work is blocked by victim key,
and only steps 3 and 4 sort or compare within a block, so the cost grows as n log n.

Merge choices
- Evidence of every merged value is the concatenation of its sources' evidence, deduplicated by (source,
  start, end).
- List fields (data_exposed, data_not_exposed, threat_actors, campaigns, initial_access, response_actions,
  iocs) are unions by value (threat actors by their casefolded alphanumerics, IOCs by type and casefolded
  value): one Fact per value, with the strongest modality (`vocab.MODALITY_WEIGHT`) and all evidence.
- A data type listed as exposed by one source and not exposed by another stays in both lists and gives
  `Conflict("data_exposed", (("<type>: exposed", sources), ("<type>: not exposed", sources)))`.
- A data type given by fewer of the sources that list exposed data than leave it out is disputed:
  `Conflict("data_exposed", (("<type>: exposed", sources), ("<type>: not listed", sources)))`.
- Threat actors conflict only when two actors are named by different sources and no source names both.
- records_affected: counts within `COUNT_TOLERANCE` (1%) of each other are one value. Modalities form two
  families: what the victim, an authority or an outlet states (confirmed, reported, suspected) and what the
  attacker claims (claimed). Different values within one family are a `Conflict("records_affected", ...)`. The
  merged value is the strongest one; a claimed count that differs from it is not a conflict (an attacker's
  claim and the company's figure measure different things) and is kept visible as a
  `TimelineEvent(kind="claim")` dated by the earliest published date of the sources making it, whose evidence
  quotes the claim. (The contract has no field for alternative counts.)
- ransom: paid/refused outrank demanded (they imply it), then modality; "paid" and "refused" together
  conflict.
- Plain fields take the value most entries give (ties: earliest source in sorted order); their field_evidence
  is merged from the entries that give the chosen value. sector, victim_country and parent come from the
  canonical victim's own entries (a brand may sit in another country than its group), falling back to all
  entries; more than one value is a Conflict. For disclosure_date and incident_date, a value's support is
  every entry whose date is compatible with it (overlapping spans), the most specific best-supported value
  wins, and incompatible dates conflict.
- Timeline events with the same kind and date become one event with all evidence; events are sorted by date.

Confidence of every merged Fact: `1 - Π_g (1 - w_g · CONFIDENCE_BASE)` over the independent source groups g
(an original and its copies) supporting the value, where w_g is `vocab.MODALITY_WEIGHT` of the modality the
original gives it (a copy's only when the original does not give the value at all). A copy therefore never
raises confidence when it says what its original says.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..dates import date_match
from ..records import (
    FACT_LIST_FIELDS,
    Conflict,
    DocumentAnalysis,
    Evidence,
    Fact,
    Incident,
    MergedIncident,
    TimelineEvent,
)
from ..settings import Settings
from ..vocab import MODALITIES, MODALITY_WEIGHT, TIMELINE_KINDS
from .dedupe import find_duplicates

__all__ = ["resolve", "blocking_keys", "victim_key", "normalise_name", "slug", "date_span", "CLUSTERED_ROLES"]

# Roles of the incidents clustered into top-level incidents ("mentioned" ones stay in their documents).
CLUSTERED_ROLES: tuple[str, ...] = ("main",)
# Probability that a single confirmed statement is right, the base of the noisy-or confidence. Chosen so that
# one confirmed source gives 0.6, one outlet's report 0.48, two independent confirmations 0.84, three 0.94:
# a single article is never near-certain, agreement of independent sources quickly is.
CONFIDENCE_BASE = 0.6
# Two counts within this relative difference are one value ("about 419,000" vs "419,312").
COUNT_TOLERANCE = 0.01
# Modality of the attacker's word; every other modality belongs to the "stated" family for counts.
CLAIMED = "claimed"
# Company designators and articles dropped from victim names before comparing them.
DESIGNATORS = frozenset(
    {"the", "inc", "incorporated", "ltd", "limited", "plc", "group", "sa", "ag", "llc", "corp", "corporation"}
)
_RANSOM_RANK = {"paid": 1, "refused": 1, "demanded": 0}
_MIN_WEIGHT = min(MODALITY_WEIGHT.values())
_NON_WORD = re.compile(r"[^\w\s]+")


def resolve(
    documents: Sequence[DocumentAnalysis],
    settings: Settings,
    previous_ids: Mapping[str, str] | None = None,
    reserved: Container[str] = frozenset(),
) -> tuple[MergedIncident, ...]:
    """Cluster the documents' main incidents into incidents and merge each with provenance.

    Args:
        documents: per-document analyses (from `attribute`); their `text` reveals republished copies.
        settings: `max_gap_days` splits one victim's incidents in time; `near_duplicate_jaccard` finds copies.
        previous_ids: source -> incident id from an earlier run; an incident with such a source keeps the id.
        reserved: ids a new incident must not take besides those in `previous_ids` (the store's other
            incidents, when only some blocks are resolved again).

    Returns:
        Merged incidents sorted by id, each with its sources, conflicts, independent source count and copies.
    """
    orgs = _OrgTables()
    entries = _entries(documents, orgs)
    clusters: list[tuple[str, list[_Entry]]] = []
    for root, group in _victim_groups(entries):
        clusters.extend((_part_root(root, part), part) for part in _split_by_time(group, settings.resolve.max_gap_days))
    clusters.sort(key=lambda c: (_cluster_start(c[1]), c[0], c[1][0].rank))
    merged = [_merge(root, part, settings, orgs) for root, part in clusters]
    ids = _assign_ids(clusters, previous_ids or {}, reserved)
    out = [replace(m, id=i) for m, i in zip(merged, ids, strict=True)]
    return tuple(sorted(out, key=lambda m: m.id))


def blocking_keys(document: DocumentAnalysis) -> frozenset[str]:
    """Every victim key a document's clustered incidents name: victims, parents and brands (incremental resolve).

    Two documents can only end in one incident when their keys are linked (`_victim_groups` joins entries only
    through these keys), so re-resolving the documents that share keys with new ones, transitively, gives what
    a full resolve gives.
    """
    keys: set[str] = set()
    for e in _entries([document], _OrgTables()):
        keys.add(e.key)
        keys.update(e.brand_keys)
        if e.parent_key:
            keys.add(e.parent_key)
    return frozenset(keys)


# -------------------------------------------------------------------------------------------------- identity


def normalise_name(name: str) -> str:
    """Comparable form of an organisation name: "The Acme Group, Inc." -> "acme"; "M&S" -> "m and s"."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", " and ")
    text = _NON_WORD.sub("", text.replace("-", " ").replace("/", " "))
    words = text.split()
    kept = [w for w in words if w not in DESIGNATORS]
    return " ".join(kept or words)


def victim_key(name: str) -> str:
    """Clustering key of a victim: its canonical name (enrich.canonical_org if present), normalised."""
    try:
        from .enrich import canonical_org
    except ImportError:  # enrich.py not there yet: plain normalisation only
        return normalise_name(name)
    return normalise_name(canonical_org(name))


def _canonical_name(name: str) -> str:
    """Display form of a victim (enrich.canonical_org when present, else as written)."""
    try:
        from .enrich import canonical_org
    except ImportError:
        return name
    return canonical_org(name)


def _parent_of(name: str) -> str | None:
    """Known parent organisation (enrich.parent_of when present)."""
    try:
        from .enrich import parent_of
    except ImportError:
        return None
    return parent_of(name)


class _OrgTables:
    """Per-call memo of the organisation look-ups (enrich may load tables; each name is asked once)."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._parents: dict[str, str | None] = {}

    def key(self, name: str) -> str:
        """victim_key, memoised."""
        if name not in self._keys:
            self._keys[name] = victim_key(name)
        return self._keys[name]

    def canonical(self, name: str) -> str:
        """Display name, memoised."""
        if name not in self._names:
            self._names[name] = _canonical_name(name)
        return self._names[name]

    def parent(self, name: str) -> str | None:
        """Known parent, memoised."""
        if name not in self._parents:
            self._parents[name] = _parent_of(name)
        return self._parents[name]


def slug(text: str) -> str:
    """URL-safe ASCII slug of a (normalised) name: "marks and spencer" -> "marks-and-spencer"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out or "incident"


# ----------------------------------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class _Span:
    """A date as the closed range of days it may mean (proleptic ordinals) and its precision."""

    lo: int
    hi: int
    precision: str  # "year" | "month" | "day"


def date_span(value: str | None, published: str | None = None) -> tuple[int, int, str] | None:
    """(first day, last day, precision) of a contract date ("--MM-DD" takes the published year), else None."""
    span = _span(value, published)
    return None if span is None else (span.lo, span.hi, span.precision)


def _span(value: str | None, published: str | None = None) -> _Span | None:
    """See date_span."""
    full = _full_date(value, published)
    if full is None:
        return None
    m = date_match(full)
    if m is None or m.group(1) is None:
        return None
    year = int(m.group(1))
    try:
        if m.group(3):
            day = dt.date(year, int(m.group(2)), int(m.group(3))).toordinal()
            return _Span(day, day, "day")
        if m.group(2):
            month = int(m.group(2))
            first = dt.date(year, month, 1)
            last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            return _Span(first.toordinal(), last.toordinal(), "month")
        return _Span(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal(), "year")
    except ValueError:
        return None


def _full_date(value: str | None, published: str | None) -> str | None:
    """Date with a year: "--06-02" published 2025-06-10 -> "2025-06-02" (the year before if that is later)."""
    if not value:
        return None
    m = date_match(value)
    if m is None or m.group(4) is None:
        return value
    pub = _span(published)
    if pub is None:
        return value
    year = dt.date.fromordinal(pub.hi).year
    candidate = f"{year:04d}-{m.group(4)}-{m.group(5)}"
    got = _span(candidate)
    if got is not None and got.lo > pub.hi:
        candidate = f"{year - 1:04d}-{m.group(4)}-{m.group(5)}"
    return candidate


def _compatible(a: _Span | None, b: _Span | None) -> bool:
    """Two dates may mean the same day (their spans overlap); unusable dates are compatible only if equal."""
    if a is None or b is None:
        return False
    return a.lo <= b.hi and b.lo <= a.hi


# --------------------------------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class _Entry:
    """One clustered incident of one document, with what clustering needs precomputed."""

    rank: int
    doc: DocumentAnalysis
    incident: Incident
    key: str
    parent_key: str | None
    brand_keys: frozenset[str]
    span: _Span | None
    weight: float = 1.0

    @property
    def source(self) -> str:
        """The document's source."""
        return self.doc.source


def _entries(documents: Sequence[DocumentAnalysis], orgs: _OrgTables) -> list[_Entry]:
    """The incidents that are clustered, in a total order independent of the input order.

    This is the hook for promoting mentioned incidents: today only roles in CLUSTERED_ROLES are taken; a
    mentioned incident could enter here with a lower `weight` (scaling its modality weight in confidence).
    """
    docs = sorted(
        documents,
        key=lambda d: (d.source, d.published or "", d.sha256, d.title or "", d.text, len(d.incidents)),
    )
    out: list[_Entry] = []
    for doc in docs:
        for incident in doc.incidents:
            if incident.role not in CLUSTERED_ROLES or not incident.victim.strip():
                continue
            parent = incident.parent or orgs.parent(incident.victim)
            key = orgs.key(incident.victim)
            parent_key = orgs.key(parent) if parent else None
            brand_keys = frozenset(orgs.key(b) for b in incident.brands) - {key}
            out.append(
                _Entry(
                    rank=len(out),
                    doc=doc,
                    incident=incident,
                    key=key,
                    parent_key=parent_key if parent_key != key else None,
                    brand_keys=brand_keys,
                    span=_entry_span(incident, doc.published),
                )
            )
    return out


def _entry_span(incident: Incident, published: str | None) -> _Span | None:
    """When it happened: incident date, else disclosure date, else earliest timeline event, else published."""
    for value in (incident.incident_date, incident.disclosure_date):
        span = _span(value, published)
        if span is not None:
            return span
    events = [s for s in (_span(t.date, published) for t in incident.timeline) if s is not None]
    if events:
        return min(events, key=lambda s: (s.lo, s.hi))
    return _span(published)


# ------------------------------------------------------------------------------------------------ clustering


def _victim_groups(entries: list[_Entry]) -> list[tuple[str, list[_Entry]]]:
    """Entries grouped by victim identity (parents and brands joined), each group with its canonical key."""
    present = {e.key for e in entries}
    parent: dict[str, str] = {k: k for k in present}

    def find(k: str) -> str:
        """Root of k's group, with path halving."""
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for e in entries:
        linked = ({e.parent_key} if e.parent_key else set()) | e.brand_keys
        for other in sorted(linked & present):
            a, b = sorted((find(e.key), find(other)))
            parent[b] = a
    groups: dict[str, list[_Entry]] = defaultdict(list)
    for e in entries:
        groups[find(e.key)].append(e)
    out = [(_canonical_key(members), members) for members in groups.values()]
    out.sort(key=lambda g: (g[0], g[1][0].rank))
    return out


def _canonical_key(entries: list[_Entry]) -> str:
    """The key no entry names as its parent or brand: the group's top organisation (most entries, then key)."""
    present = {e.key for e in entries}
    children = {e.key for e in entries if e.parent_key in present}
    children.update(k for e in entries for k in e.brand_keys & present)
    counts = Counter(e.key for e in entries)
    roots = [k for k in counts if k not in children] or list(counts)
    return min(roots, key=lambda k: (-counts[k], k))


def _part_root(root: str, part: list[_Entry]) -> str:
    """The canonical key of one incident of a group: the group's, unless none of its entries is about it."""
    return root if any(e.key == root for e in part) else _canonical_key(part)


def _split_by_time(entries: list[_Entry], max_gap_days: int) -> list[list[_Entry]]:
    """One victim's entries cut into incidents wherever dates are more than max_gap_days apart."""
    dated = sorted((e for e in entries if e.span is not None), key=lambda e: (_lo(e), _hi(e), e.rank))
    undated = [e for e in entries if e.span is None]
    clusters: list[list[_Entry]] = []
    reach = 0
    for e in dated:
        if not clusters or _lo(e) - reach > max_gap_days:
            clusters.append([e])
            reach = _hi(e)
        else:
            clusters[-1].append(e)
            reach = max(reach, _hi(e))
    if not clusters:
        return [sorted(undated, key=lambda e: e.rank)]
    clusters[-1].extend(undated)
    return [sorted(c, key=lambda e: e.rank) for c in clusters]


def _lo(e: _Entry) -> int:
    """First day an entry's date may mean (entries passed here are dated)."""
    return e.span.lo if e.span is not None else 0


def _hi(e: _Entry) -> int:
    """Last day an entry's date may mean."""
    return e.span.hi if e.span is not None else 0


def _cluster_start(entries: list[_Entry]) -> int:
    """Sort key of an incident in time (undated last)."""
    return min((e.span.lo for e in entries if e.span is not None), default=dt.date.max.toordinal())


# ------------------------------------------------------------------------------------------------------- ids


def _assign_ids(
    clusters: list[tuple[str, list[_Entry]]], previous_ids: Mapping[str, str], reserved: Container[str] = frozenset()
) -> list[str]:
    """Stable ids: previous ids kept (most sources win a contested id), then fresh slugs, unique, in order."""
    ids: list[str | None] = [None] * len(clusters)
    claims: list[tuple[int, int, str]] = []  # (-sources naming the old id, cluster index, old id)
    for index, (_, entries) in enumerate(clusters):
        votes = Counter(previous_ids[s] for s in {e.source for e in entries} if s in previous_ids)
        claims.extend((-n, index, old_id) for old_id, n in votes.items())
    taken: set[str] = set()
    for _, index, old_id in sorted(claims):
        if ids[index] is None and old_id not in taken:
            ids[index] = old_id
            taken.add(old_id)
    used = set(previous_ids.values())
    for index, (root, entries) in enumerate(clusters):
        if ids[index] is not None:
            continue
        base = _base_id(root, entries)
        candidate, n = base, 1
        while candidate in used or candidate in reserved:
            n += 1
            candidate = f"{base}-{n}"
        ids[index] = candidate
        used.add(candidate)
    return [i for i in ids if i is not None]


def _base_id(root: str, entries: list[_Entry]) -> str:
    """slug + "-YYYY-MM" (or "-YYYY") of the earliest incident or disclosure date."""
    spans = [
        s
        for e in entries
        for s in (_span(d, e.doc.published) for d in (e.incident.incident_date, e.incident.disclosure_date))
        if s is not None
    ]
    name = slug(root)
    if not spans:
        return name
    first = min(spans, key=lambda s: (s.hi, s.lo))
    day = dt.date.fromordinal(first.lo)
    return f"{name}-{day.year:04d}" if first.precision == "year" else f"{name}-{day.year:04d}-{day.month:02d}"


# ----------------------------------------------------------------------------------------------------- merge


def _strength(modality: str) -> tuple[float, int]:
    """Sort key of a modality: its weight, then its place in vocab.MODALITIES (earlier is stronger)."""
    place = MODALITIES.index(modality) if modality in MODALITIES else len(MODALITIES)
    return (MODALITY_WEIGHT.get(modality, _MIN_WEIGHT), -place)


@dataclass
class _Acc:
    """A value being merged across sources: strongest modality, all evidence, per-source support."""

    first: Fact
    order: int
    modality: str
    evidence: dict[tuple[str, int, int], Evidence] = field(default_factory=dict)
    support: dict[str, float] = field(default_factory=dict)  # source -> strongest modality weight it gives
    techniques: list[str] = field(default_factory=list)

    def add(self, source: str, fact: Fact, weight: float = 1.0) -> None:
        """Fold one source's fact for this value in."""
        if _strength(fact.modality) > _strength(self.modality):
            self.modality = fact.modality
        for ev in fact.evidence:
            self.evidence.setdefault((ev.source, ev.start, ev.end), ev)
        w = MODALITY_WEIGHT.get(fact.modality, _MIN_WEIGHT) * weight
        self.support[source] = max(self.support.get(source, 0.0), w)
        for t in fact.attack_techniques or ():
            if t not in self.techniques:
                self.techniques.append(t)

    def absorb(self, other: _Acc) -> None:
        """Fold another value's accumulator in (counts within tolerance)."""
        if _strength(other.modality) > _strength(self.modality):
            self.modality = other.modality
        for k, ev in other.evidence.items():
            self.evidence.setdefault(k, ev)
        for s, w in other.support.items():
            self.support[s] = max(self.support.get(s, 0.0), w)

    def sources(self) -> tuple[str, ...]:
        """Sources giving the value, sorted."""
        return tuple(sorted(self.support))

    def build(self, origin: Mapping[str, str]) -> Fact:
        """The merged Fact with its confidence."""
        return replace(
            self.first,
            modality=self.modality,
            evidence=tuple(self.evidence.values()),
            attack_techniques=tuple(self.techniques) if self.first.attack_techniques is not None else None,
            confidence=_confidence(self.support, origin),
        )


def _confidence(support: Mapping[str, float], origin: Mapping[str, str]) -> float:
    """Noisy-or over independent source groups; a group's weight is its original's (else its best copy's)."""
    groups: dict[str, float] = {}
    for source, w in support.items():
        root = origin.get(source, source)
        if source == root:
            groups[root] = w
        elif root not in support:
            groups[root] = max(groups.get(root, 0.0), w)
    miss = 1.0
    for w in groups.values():
        miss *= 1.0 - w * CONFIDENCE_BASE
    return 1.0 - miss


def _value_key(field_name: str, fact: Fact) -> Any:
    """Identity of a list value: actors by casefolded alphanumerics, IOCs by type and casefolded value."""
    if field_name == "threat_actors":
        return re.sub(r"[\W_]+", "", str(fact.value).casefold())
    if field_name == "iocs":
        return (fact.type, str(fact.value).casefold())
    return fact.value


def _merge_list(field_name: str, entries: list[_Entry]) -> dict[Any, _Acc]:
    """One accumulator per value of a list field, in order of first appearance."""
    accs: dict[Any, _Acc] = {}
    for e in entries:
        for fact in getattr(e.incident, field_name):
            key = _value_key(field_name, fact)
            if key not in accs:
                accs[key] = _Acc(fact, len(accs), fact.modality)
            accs[key].add(e.source, fact, e.weight)
    return accs


def _merge(root: str, entries: list[_Entry], settings: Settings, orgs: _OrgTables) -> MergedIncident:
    """Merge one incident's entries (sorted by rank) into a MergedIncident (id assigned later)."""
    sources = tuple(sorted({e.source for e in entries}))
    texts = {e.source: (e.source, e.doc.published, e.doc.text) for e in entries}
    origin = find_duplicates(texts.values(), settings.resolve.near_duplicate_jaccard)
    conflicts: list[Conflict] = []
    own = [e for e in entries if e.key == root] or entries

    lists = {name: _merge_list(name, entries) for name in FACT_LIST_FIELDS}
    conflicts.extend(_exposure_conflicts(lists["data_exposed"], lists["data_not_exposed"]))
    conflicts.extend(_unlisted_conflicts(entries, lists["data_exposed"], lists["data_not_exposed"]))
    conflicts.extend(_actor_conflicts(entries, lists["threat_actors"]))
    records, claim_events, record_conflicts = _merge_records(entries, origin)
    conflicts.extend(record_conflicts)
    ransom, ransom_conflicts = _merge_ransom(entries, origin)
    conflicts.extend(ransom_conflicts)

    evidence: dict[str, list[Evidence]] = {}
    victim_name, victim_entries = _majority(own, lambda e: e.incident.victim, key=orgs.key)
    evidence["victim"] = _field_evidence("victim", victim_entries)
    plain: dict[str, str | None] = {}
    for name in ("parent", "sector", "victim_country"):
        # A brand's parent is this victim, not the victim's parent; sector and country may come from brands.
        pool = own if name == "parent" or any(getattr(e.incident, name) for e in own) else entries
        norm = orgs.key if name == "parent" else None
        value, backing, conflict = _plain(name, pool, norm)
        plain[name] = value
        evidence[name] = _field_evidence(name, backing)
        if conflict is not None:
            conflicts.append(conflict)
    for name in ("disclosure_date", "incident_date"):
        value, backing, conflict = _merge_date(name, entries)
        plain[name] = value
        evidence[name] = _field_evidence(name, backing)
        if conflict is not None:
            conflicts.append(conflict)
    for e in entries:
        for name, _ in e.incident.field_evidence:
            if name not in evidence:
                evidence[name] = _field_evidence(name, entries)

    canonical = orgs.canonical(victim_name or entries[0].incident.victim)
    incident = Incident(
        victim=canonical,
        role="main",
        parent=plain["parent"],
        brands=_brands(entries, root, canonical, orgs),
        sector=plain["sector"],
        victim_country=plain["victim_country"],
        disclosure_date=plain["disclosure_date"],
        incident_date=plain["incident_date"],
        records_affected=records,
        ransom=ransom,
        timeline=_merge_timeline(entries, claim_events),
        field_evidence=tuple((k, tuple(v)) for k, v in evidence.items() if v),
        **{name: tuple(acc.build(origin) for acc in lists[name].values()) for name in FACT_LIST_FIELDS},
    )
    duplicates = tuple(sorted(origin.items()))
    return MergedIncident(
        id="",
        incident=incident,
        sources=sources,
        conflicts=tuple(conflicts),
        independent_sources=len({origin.get(s, s) for s in sources}),
        duplicates=duplicates,
    )


def _field_evidence(name: str, entries: Iterable[_Entry]) -> list[Evidence]:
    """Evidence of a plain field from the given entries, deduplicated by (source, start, end)."""
    seen: dict[tuple[str, int, int], Evidence] = {}
    for e in entries:
        for ev in e.incident.evidence_for(name):
            seen.setdefault((ev.source, ev.start, ev.end), ev)
    return list(seen.values())


def _majority(
    entries: list[_Entry], get: Callable[[_Entry], str | None], key: Callable[[str], str] | None = None
) -> tuple[str | None, list[_Entry]]:
    """The value most entries give (ties: earliest entry) and the entries giving it (compared by `key`)."""
    norm = key or (lambda v: v)
    by_key: dict[str, list[_Entry]] = {}
    for e in entries:
        value = get(e)
        if value:
            by_key.setdefault(norm(value), []).append(e)
    if not by_key:
        return None, []
    best = min(by_key.values(), key=lambda es: (-len({x.source for x in es}), es[0].rank))
    spelled = Counter(get(e) for e in best)
    value = min(spelled, key=lambda v: (-spelled[v], next(e.rank for e in best if get(e) == v)))
    return value, best


def _plain(
    name: str, entries: list[_Entry], key: Callable[[str], str] | None
) -> tuple[str | None, list[_Entry], Conflict | None]:
    """Majority value of a plain field, the entries backing it, and a Conflict when entries disagree."""
    value, backing = _majority(entries, lambda e: getattr(e.incident, name), key)
    norm = key or (lambda v: v)
    distinct: dict[str, tuple[str, set[str]]] = {}
    for e in entries:
        v = getattr(e.incident, name)
        if v:
            distinct.setdefault(norm(v), (v, set()))[1].add(e.source)
    conflict = None
    if len(distinct) > 1:
        ordered = sorted(distinct.values(), key=lambda vs: (-len(vs[1]), min(vs[1]), vs[0]))
        conflict = Conflict(name, tuple((v, tuple(sorted(s))) for v, s in ordered))
    return value, backing, conflict


def _merge_date(name: str, entries: list[_Entry]) -> tuple[str | None, list[_Entry], Conflict | None]:
    """Best-supported, most specific date; Conflict when some given dates cannot mean the same day."""
    given: dict[str, list[_Entry]] = {}
    for e in entries:
        value = _full_date(getattr(e.incident, name), e.doc.published)
        if value:
            given.setdefault(value, []).append(e)
    if not given:
        return None, [], None
    spans = {v: _span(v) for v in given}
    precision = {"day": 2, "month": 1, "year": 0}

    def support(v: str) -> set[str]:
        """Sources whose date may mean the same as v."""
        return {e.source for w, es in given.items() if w == v or _compatible(spans[v], spans[w]) for e in es}

    def rank(v: str) -> tuple[int, int, int]:
        """Sort key: support, then precision, then earliest entry."""
        s = spans[v]
        return (-len(support(v)), -(precision[s.precision] if s else -1), given[v][0].rank)

    best = min(given, key=rank)
    backing = [e for w, es in given.items() if w == best or _compatible(spans[best], spans[w]) for e in es]
    values = list(given)
    clash = any(
        not (a == b or _compatible(spans[a], spans[b])) for i, a in enumerate(values) for b in values[i + 1 :]
    )
    conflict = None
    if clash:
        ordered = sorted(values, key=rank)
        conflict = Conflict(name, tuple((v, tuple(sorted({e.source for e in given[v]}))) for v in ordered))
    return best, sorted(backing, key=lambda e: e.rank), conflict


def _brands(entries: list[_Entry], root: str, victim: str, orgs: _OrgTables) -> tuple[str, ...]:
    """Union of brands named by the entries plus the brands whose own articles joined this incident."""
    names = [b for e in entries for b in e.incident.brands]
    names += [e.incident.victim for e in entries if e.key != root]
    out: dict[str, str] = {}
    for name in names:
        k = orgs.key(name)
        if k != root and k not in out:
            out[k] = orgs.canonical(name)
    return tuple(out.values())


def _exposure_conflicts(exposed: Mapping[Any, _Acc], not_exposed: Mapping[Any, _Acc]) -> list[Conflict]:
    """A data type that some sources list as exposed and others as not exposed."""
    out = []
    for value in exposed:
        if value in not_exposed:
            out.append(
                Conflict(
                    "data_exposed",
                    (
                        (f"{value}: exposed", exposed[value].sources()),
                        (f"{value}: not exposed", not_exposed[value].sources()),
                    ),
                )
            )
    return out


# A source "lists" exposed data when it names at least this many exposed types: one passing mention is no list.
_LISTING_MIN_TYPES = 2


def _unlisted_conflicts(
    entries: list[_Entry], exposed: Mapping[Any, _Acc], not_exposed: Mapping[Any, _Acc]
) -> list[Conflict]:
    """A data type that only a minority of the sources listing exposed data give: disputed, not agreed.

    Example: three outlets list what leaked; two give names and email addresses, one adds purchase histories.
    The addition is kept (with its evidence) but shown as disputed: "purchase_history: exposed" (1 source) vs
    "purchase_history: not listed" (the 2 sources whose lists leave it out).
    """
    listing: dict[str, set[Any]] = {}
    for e in entries:
        values = {_value_key("data_exposed", f) for f in e.incident.data_exposed}
        if len(values) >= _LISTING_MIN_TYPES:
            listing.setdefault(e.source, set()).update(values)
    if len(listing) < 2:
        return []
    out = []
    for value, acc in exposed.items():
        if value in not_exposed:
            continue  # already an exposed / not-exposed conflict
        giving = [src for src, vals in listing.items() if value in vals]
        leaving = sorted(src for src, vals in listing.items() if value not in vals)
        if leaving and len(giving) < len(leaving):
            sides = ((f"{value}: exposed", acc.sources()), (f"{value}: not listed", tuple(leaving)))
            out.append(Conflict("data_exposed", sides))
    return out


def _actor_conflicts(entries: list[_Entry], actors: Mapping[Any, _Acc]) -> list[Conflict]:
    """Actors named by different sources where no source names both."""
    named: dict[str, set[Any]] = defaultdict(set)
    for e in entries:
        for fact in e.incident.threat_actors:
            named[e.source].add(_value_key("threat_actors", fact))
    keys = list(actors)
    clashing: set[Any] = set()
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if not any(a in s and b in s for s in named.values()):
                clashing.update((a, b))
    if not clashing:
        return []
    values = tuple((actors[k].first.value, actors[k].sources()) for k in keys if k in clashing)
    return [Conflict("threat_actors", values)]


def _family(modality: str) -> str:
    """Modality family of counts: the attacker's claim, or what is stated by anyone else."""
    return "claimed" if modality == CLAIMED else "stated"


def _close(a: Any, b: Any) -> bool:
    """Two counts are one value: equal, or numbers within COUNT_TOLERANCE of the larger."""
    if a == b:
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(a - b) <= COUNT_TOLERANCE * max(abs(a), abs(b))
    return False


def _values_of(entries: list[_Entry], fact_of: Callable[[Incident], Fact | None]) -> dict[Any, _Acc]:
    """Each value a one-fact field (records, ransom) takes across the sources, with its support, in the order first
    seen: the candidates a merge chooses among."""
    accs: dict[Any, _Acc] = {}
    for e in entries:
        fact = fact_of(e.incident)
        if fact is None:
            continue
        if fact.value not in accs:
            accs[fact.value] = _Acc(fact, len(accs), fact.modality)
        accs[fact.value].add(e.source, fact, e.weight)
    return accs


def _merge_records(
    entries: list[_Entry], origin: Mapping[str, str]
) -> tuple[Fact | None, list[TimelineEvent], list[Conflict]]:
    """records_affected: strongest value, claim events for other claimed counts, conflicts within a family."""
    accs = _values_of(entries, lambda inc: inc.records_affected)
    published = {e.source: e.doc.published for e in entries if e.incident.records_affected is not None}
    if not accs:
        return None, [], []
    ranked = sorted(
        accs.values(), key=lambda a: (_neg(_strength(a.modality)), -_independent(a, origin), a.order)
    )
    groups: list[list[_Acc]] = []
    for acc in ranked:
        home = next((g for g in groups if _same_group(g[0], acc)), None)
        if home is None:
            groups.append([acc])
        else:
            home.append(acc)
    best_group = groups[0]
    best = _Acc(best_group[0].first, 0, best_group[0].modality)
    for acc in best_group:
        best.absorb(acc)
    others = []
    for g in groups[1:]:
        if _family(g[0].modality) != _family(best.modality) and _close(g[0].first.value, best.first.value):
            for acc in g:
                best.absorb(acc)
        else:
            others.append(g)
    conflicts = []
    for family in ("stated", "claimed"):
        fam = [g for g in groups if _family(g[0].modality) == family]
        if len(fam) > 1:
            conflicts.append(
                Conflict(
                    "records_affected",
                    tuple((g[0].first.value, tuple(sorted({s for a in g for s in a.support}))) for g in fam),
                )
            )
    events = []
    for g in others:
        if _family(g[0].modality) == _family(best.modality):
            continue
        srcs = sorted({s for a in g for s in a.support})
        dates = sorted(d for d in (published.get(s) for s in srcs) if d)
        if not dates:
            continue  # an undated claim has nowhere to go on the timeline; its Conflict-free count is dropped
        evidence = {k: v for a in g for k, v in a.evidence.items()}
        events.append(TimelineEvent("claim", dates[0], tuple(evidence.values()), g[0].modality))
    return best.build(origin), events, conflicts


def _same_group(a: _Acc, b: _Acc) -> bool:
    """Two counts are one value of one family."""
    return _family(a.modality) == _family(b.modality) and _close(a.first.value, b.first.value)


def _neg(key: tuple[float, int]) -> tuple[float, int]:
    """Descending sort helper for a strength tuple."""
    return (-key[0], -key[1])


def _independent(acc: _Acc, origin: Mapping[str, str]) -> int:
    """Independent source groups supporting a value."""
    return len({origin.get(s, s) for s in acc.support})


def _merge_ransom(entries: list[_Entry], origin: Mapping[str, str]) -> tuple[Fact | None, list[Conflict]]:
    """Ransom status: paid/refused over demanded, then modality and support; paid with refused conflicts."""
    accs = _values_of(entries, lambda inc: inc.ransom)
    if not accs:
        return None, []
    best = min(
        accs.values(),
        key=lambda a: (
            -_RANSOM_RANK.get(a.first.value, 0),
            _neg(_strength(a.modality)),
            -_independent(a, origin),
            a.order,
        ),
    )
    conflicts = []
    if "paid" in accs and "refused" in accs:
        conflicts.append(Conflict("ransom", tuple((v, accs[v].sources()) for v in ("paid", "refused"))))
    return best.build(origin), conflicts


def _merge_timeline(entries: list[_Entry], extra: list[TimelineEvent]) -> tuple[TimelineEvent, ...]:
    """Events with the same kind and date merged (all evidence, strongest modality), sorted by date."""
    merged: dict[tuple[str, str], TimelineEvent] = {}
    items = [(t, e.doc.published) for e in entries for t in e.incident.timeline] + [(t, None) for t in extra]
    for event, published in items:
        date = _full_date(event.date, published) or event.date
        key = (event.kind, date)
        old = merged.get(key)
        if old is None:
            merged[key] = replace(event, date=date)
            continue
        seen = {(ev.source, ev.start, ev.end) for ev in old.evidence}
        new = tuple(ev for ev in event.evidence if (ev.source, ev.start, ev.end) not in seen)
        evidence = old.evidence + new
        modality = event.modality if _strength(event.modality) > _strength(old.modality) else old.modality
        merged[key] = replace(old, evidence=evidence, modality=modality)

    def order(t: TimelineEvent) -> tuple[int, int, int, str]:
        """By date (unusable dates last), then kind order."""
        s = _span(t.date)
        kind = TIMELINE_KINDS.index(t.kind) if t.kind in TIMELINE_KINDS else len(TIMELINE_KINDS)
        return (s.lo if s else dt.date.max.toordinal(), s.hi if s else 0, kind, t.date)

    return tuple(sorted(merged.values(), key=order))
