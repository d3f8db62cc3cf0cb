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

Modules: this package runs the steps (clustering and ids are here); `entries` makes the entries of step 1,
`names` the victim keys and names of step 2 and the slugs of step 6, `spans` the date spans of step 3, and
`merge` the merge, conflicts and confidence of step 5.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Container, Mapping, Sequence
from dataclasses import replace

from ...records import DocumentAnalysis, MergedIncident
from ...settings import Settings
from .entries import CLUSTERED_ROLES, _entries, _Entry
from .merge import CONFIDENCE_BASE, _merge
from .names import _OrgTables, normalise_name, slug, victim_key
from .spans import _span, date_span

__all__ = [
    "resolve", "blocking_keys", "victim_key", "normalise_name", "slug", "date_span", "CLUSTERED_ROLES",
    "CONFIDENCE_BASE",
]


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
    through these keys and the initials a name has or opens with), so re-resolving the documents that share keys
    with new ones, transitively, gives what a full resolve gives.
    """
    keys: set[str] = set()
    for e in _entries([document], _OrgTables()):
        keys.add(e.key)
        keys.update(e.brand_keys)
        if e.parent_key:
            keys.add(e.parent_key)
        keys.update(f"initials:{i}" for i in _initials_of(e) if i)  # `_initialisms` links through these
    return frozenset(keys)


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
    for long_key, short_key in _initialisms(entries):
        a, b = sorted((find(long_key), find(short_key)))
        parent[b] = a
    groups: dict[str, list[_Entry]] = defaultdict(list)
    for e in entries:
        groups[find(e.key)].append(e)
    out = [(_canonical_key(members), members) for members in groups.values()]
    out.sort(key=lambda g: (g[0], g[1][0].rank))
    return out


_INITIAL_FILLERS = frozenset({"and", "of", "the", "for", "de"})


def _initials_of(entry: _Entry) -> tuple[str | None, str | None]:
    """(initials of the entry's name when it has three words or more, the initials its name opens with when written
    in capitals): "Industrial and Commercial Bank of China" -> ("icbc", None); "ICBC Financial Services" ->
    ("ifs", "icbc")."""
    words = [w for w in entry.key.split() if w not in _INITIAL_FILLERS]
    full = "".join(w[0] for w in words) if len(words) >= 3 else None
    first = entry.incident.victim.split()[0] if entry.incident.victim.split() else ""
    short = first.lower() if len(first) >= 3 and first.isupper() and first.isalpha() else None
    return full, short


def _initialisms(entries: list[_Entry]) -> list[tuple[str, str]]:
    """(full key, short key) pairs where the short name is the full name's initials, alone or leading the name of
    one of its arms: "Industrial and Commercial Bank of China" ~ "ICBC", "ICBC Financial Services". Outlets use
    both for one victim; three letters at least, and the short form must be written in capitals."""
    initials = [(e, *_initials_of(e)) for e in entries]
    by_initials: dict[str, list[str]] = defaultdict(list)
    for e, full, _short in initials:
        if full:
            by_initials[full].append(e.key)
    pairs: set[tuple[str, str]] = set()
    for e, _full, short in initials:
        if short:
            pairs.update((key, e.key) for key in by_initials.get(short, ()) if key != e.key)
    return sorted(pairs)


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
