"""Merging one incident's entries with provenance: values, evidence, conflicts and confidence (step 5 and "Merge
choices" in the package doc).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ...records import (
    FACT_LIST_FIELDS,
    Conflict,
    Evidence,
    Fact,
    Incident,
    MergedIncident,
    TimelineEvent,
)
from ...settings import Settings
from ...vocab import MODALITIES, MODALITY_WEIGHT, TIMELINE_KINDS
from ..dedupe import find_duplicates
from .entries import _Entry
from .names import _OrgTables
from .spans import _compatible, _full_date, _span

# Probability that a single confirmed statement is right, the base of the noisy-or confidence. Chosen so that
# one confirmed source gives 0.6, one outlet's report 0.48, two independent confirmations 0.84, three 0.94:
# a single article is never near-certain, agreement of independent sources quickly is.
CONFIDENCE_BASE = 0.6
# Two counts within this relative difference are one value ("about 419,000" vs "419,312").
COUNT_TOLERANCE = 0.01
# Modality of the attacker's word; every other modality belongs to the "stated" family for counts.
CLAIMED = "claimed"
_RANSOM_RANK = {"paid": 1, "refused": 1, "demanded": 0}
_MIN_WEIGHT = min(MODALITY_WEIGHT.values())


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
