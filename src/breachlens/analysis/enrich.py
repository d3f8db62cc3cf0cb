"""Reference data and lookups: threat actors, ATT&CK, brand -> parent, countries and sector cues.

What comes from maintained catalogues, and what is curated here, and why (DESIGN.md "Reference data"):

* **Threat actors** come from four MISP galaxies shipped in `pymispgalaxies` — `threat-actor`,
  `mitre-intrusion-set`, `microsoft-activity-group` and `tidal-groups` — read directly from their JSON (about
  20 ms; `pymispgalaxies.Clusters()` loads every galaxy and takes ~2 s). The `threat-actor` galaxy is the
  spine: its clusters are never merged with each other, and every cluster of the other three galaxies is
  attached to at most one of them (by its name, its ATT&CK group id, or aliases that point at exactly one
  spine cluster), so one over-generic alias cannot fuse unrelated groups. The canonical name is the
  threat-actor galaxy's `value`, else the other galaxy's value (MITRE's "Name - G0000" without the id). An
  alias claimed by two groups is kept only for the group whose own name it is, else dropped.
  `data/actors_extra.toml` adds what the galaxies lack (spellings such as "Shiny Hunters", UNC6240, the fused
  "Scattered LAPSUS$ Hunters"), each with a note on where it is published, plus the stop lists and the
  patterns for named groups that no galaxy knows. The `ransomware` galaxy (2,000+ malware *families*, many of
  them ordinary words) is deliberately not in the alias index; it is consulted only to tell whether a name
  found by a group pattern ("the Qilin ransomware gang") is a known ransomware operation.
* **ATT&CK** technique names come from the `mitre-attack-pattern` galaxy ("Phishing - T1566"); the vector ->
  technique map is `vocab.ACCESS_VECTORS`, checked against that galaxy. Campaign names come from
  `tidal-campaigns`.
* **Brand -> parent**, **country aliases/demonyms** and **sector cues** are small hand-curated tables in
  `data/*.toml`: no packaged catalogue covers corporate ownership or the everyday words news uses for sectors,
  and pycountry (the ISO 3166 table behind `country_code`) knows neither "UK" nor "French". Every brands entry
  notes where the relation is published.

All loaders are cached (`functools.lru_cache`) and the lookups are pure. Text scanning works on tokens: each
alias becomes a key of its lower-cased letters and digits plus the places where its words may split, so one
dict lookup per token window matches "Shiny Hunters", "shinyhunters" and "Shiny-Hunters" alike; aliases that
are ordinary words or very short match only with their exact capitalisation.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.util import find_spec
from itertools import accumulate
from pathlib import Path
from typing import Any

from .. import vocab
from .unionfind import UnionFind

__all__ = [
    "ActorMatch",
    "OrgProfile",
    "find_actors",
    "actor_aliases",
    "technique_name",
    "techniques_for_vector",
    "find_campaigns",
    "parent_of",
    "brands_of",
    "canonical_org",
    "org_profile",
    "country_code",
    "find_countries",
    "sector_cues",
]

def _galaxy_dir() -> Path:
    """Where pymispgalaxies keeps the galaxy JSON (found without importing it: its import costs ~60 ms)."""
    spec = find_spec("pymispgalaxies")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("pymispgalaxies is required for threat-actor and ATT&CK reference data")
    return Path(spec.origin).parent / "data" / "misp-galaxy" / "clusters"
# Galaxies that make up the actor index, the spine first (its values win as canonical names).
ACTOR_GALAXIES = ("threat-actor", "mitre-intrusion-set", "microsoft-activity-group", "tidal-groups")

# Words near a common-word alias that show it is used as a group name (checked within ACTOR_CUE_WINDOW chars).
ACTOR_CUES = re.compile(
    r"\b(?:group|gang|hackers?|hacking|actors?|APT|threat|ransomware|cyber\w*|extortion|crew|collective|"
    r"attack(?:ers?|s)?|claimed|breach(?:ed)?|also known as|aka|tracked as|dubbed|intrusion|espionage)\b",
    re.IGNORECASE,
)
# 80 characters is about one clause either side: wide enough for "X, the group behind ...", narrow enough that
# a cue in the next sentence does not license an ordinary word.
ACTOR_CUE_WINDOW = 80

# Aliases with at most this many letters and digits match only with their exact capitalisation ("TA5", "EE").
SHORT_ALIAS_LEN = 3
# Digit-for-letter spellings ("Sh1nyHunt3rs") are folded only for aliases at least this long, so short ids
# never collide with folded words.
LEET_MIN_LEN = 6
# A digit between letters: "Sh1ny", not "UNC6040".
_LEET_WORD = re.compile(r"[^\W_]*[^\W\d_]\d+[^\W\d_][^\W_]*")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s", "@": "a"})

# Words allowed in lower case inside a capitalised multi-word name ("Isle of Man", "Bosnia and Herzegovina").
_FUNCTION_WORDS = frozenset(
    {"of", "and", "the", "de", "da", "du", "d", "del", "la", "le", "von", "van", "y", "by"}
)

# A word; a possessive "'s" stays apart ("REvil’s help" holds the name "REvil").
_WORD = r"[^\W_]+(?:(?:['’](?!s\b)|\.)[^\W_]+)*\$?"
_TOKEN = re.compile(_WORD)
_TOKEN_SPLIT = re.compile(f"({_WORD})")
# Two words form one name only when nothing but this gap separates them ("Shiny Hunters", "Shiny-Hunters",
# "People's Liberation Army").
_GAP = re.compile(r"[ \t\u00a0]{0,2}[-‐‑'’]?[ \t\u00a0]{0,2}")
_NON_ALNUM = re.compile(r"[\W_]+")
_ATOM = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+|[^\W\d_]+")
_MITRE_ID_SUFFIX = re.compile(r"\s+-\s+[GTSC]\d{4}(?:\.\d{3})?$")
_TIDAL_SUFFIX = re.compile(
    r"\s+(?:Ransomware\s+)?(?:Actors|Affiliates|Operators|Group)(?:\s*&\s*Affiliates)?$", re.IGNORECASE
)


# ------------------------------------------------------------------------------------------------------------
# Public records


@dataclass(frozen=True)
class ActorMatch:
    """A threat-actor name found in text.

    Attributes:
        start, end: character offsets, `text[start:end] == as_written`.
        as_written: the spelling in the text ("Shiny Hunters").
        canonical: the galaxy cluster's value ("ShinyHunters"), or `as_written` for a group no catalogue
            knows.
        in_galaxy: True when the name resolved through the MISP galaxies (or a curated alias of a galaxy
            actor).
    """

    start: int
    end: int
    as_written: str
    canonical: str
    in_galaxy: bool


@dataclass(frozen=True)
class OrgProfile:
    """What the curated brands table knows about one organisation.

    Attributes:
        name: canonical name ("Marks and Spencer").
        parent: owning group for a brand, else None.
        brands: brands owned, for a parent group.
        sector: a DESIGN.md sector, inherited from the parent unless the brand sets its own.
        country: ISO 3166-1 alpha-2 of the organisation's own seat (a brand's may differ from its parent's).
        aliases: other names it is written under.
        source: where the relation or profile is published.
    """

    name: str
    parent: str | None
    brands: tuple[str, ...]
    sector: str | None
    country: str | None
    aliases: tuple[str, ...]
    source: str


# ------------------------------------------------------------------------------------------------------------
# Token-window phrase index, shared by actors, campaigns, countries and sectors.


@dataclass(frozen=True)
class _Entry:
    """One alias in a phrase index.

    mode: loose (any case), capital (each word capitalised), exact (case kept).
    """

    value: str
    alias: str
    mode: str
    raw: str
    bounds: frozenset[int]
    context: bool = False


@dataclass(frozen=True)
class _Tokens:
    """Words of a scanned text as parallel tuples (cheaper than one object per word)."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    low: tuple[str, ...]
    raw: tuple[str, ...]
    capital: tuple[bool, ...]
    joins_next: tuple[bool, ...]


def _alnum(s: str) -> str:
    """Letters and digits only (accents kept), for keys."""
    return s if s.isalnum() else _NON_ALNUM.sub("", s)


def _alias_key(alias: str, split_atoms: bool) -> tuple[str, str, frozenset[int]]:
    """Lower key, case-kept key and the key offsets where the alias may split into separate words."""
    bounds: set[int] = set()
    parts: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(alias):
        word = _alnum(m.group())
        if not word:
            continue
        if parts:
            bounds.add(pos)
        if split_atoms:
            atoms = _ATOM.findall(word) or [word]
            acc = pos
            for atom in atoms[:-1]:
                acc += len(atom)
                bounds.add(acc)
        parts.append(word)
        pos += len(word)
    raw = "".join(parts)
    return raw.lower(), raw, frozenset(bounds)


@lru_cache(maxsize=8)
def _tokens(text: str) -> _Tokens:
    """Words of `text` with keys, and whether each may join the next one into a multi-word name.

    Cached for the last few texts: the four scanners usually run over the same article.
    """
    parts = _TOKEN_SPLIT.split(text)  # gap, word, gap, word, ..., gap
    offsets = list(accumulate(map(len, parts), initial=0))
    words = parts[1::2]
    raws = tuple(w if w.isalnum() else _NON_ALNUM.sub("", w) for w in words)
    gaps = parts[2:-1:2]
    joins = tuple(g == " " or (len(g) <= 5 and _GAP.fullmatch(g) is not None) for g in gaps) + (False,)
    return _Tokens(
        starts=tuple(offsets[1:-1:2]),
        ends=tuple(offsets[2::2]),
        low=tuple(r.lower() for r in raws),
        raw=raws,
        capital=tuple(w[0].isupper() or w[0].isdigit() for w in words),
        joins_next=joins[: len(words)],
    )


class _PhraseIndex:
    """Aliases keyed by their lower-cased letters and digits; matched greedily over token windows."""

    def __init__(self) -> None:
        self.entries: dict[str, list[_Entry]] = defaultdict(list)
        self.prefixes: set[str] = set()
        self.max_tokens = 1

    def add(self, alias: str, value: str, mode: str, context: bool = False) -> None:
        """Index `alias` -> `value` (idempotent)."""
        low, raw, bounds = _alias_key(alias, split_atoms=mode == "loose")
        if not low:
            return
        entry = _Entry(value, alias, mode, raw, bounds, context)
        bucket = self.entries[low]
        if entry in bucket:
            return
        bucket.append(entry)
        for i in range(1, len(low) + 1):
            self.prefixes.add(low[:i])
        self.max_tokens = max(self.max_tokens, len(bounds) + 1)

    def scan(self, text: str) -> Iterator[tuple[int, int, _Entry]]:
        """Longest non-overlapping matches, left to right, as (start, end, entry)."""
        toks = _tokens(text)
        low, joins_next, prefixes, entries = toks.low, toks.joins_next, self.prefixes, self.entries
        n = len(low)
        i = 0
        while i < n:
            if low[i][:1] not in prefixes:
                i += 1
                continue
            best: tuple[int, _Entry] | None = None
            key = ""
            joins: list[int] = []
            j = i
            while j < n:
                if j > i:
                    joins.append(len(key))
                key += low[j]
                if key not in prefixes:
                    break
                for entry in entries.get(key, ()):
                    if _accepts(entry, toks, i, j, joins):
                        best = (j, entry)
                        break
                if not joins_next[j] or j - i + 1 >= self.max_tokens:
                    break
                j += 1
            if best is None:
                i += 1
                continue
            j, entry = best
            end = toks.ends[j]
            if "." in text[toks.starts[j] : end] and text.startswith(".", end):
                end += 1  # "U.S.": the token stops before the abbreviation's final dot
            yield toks.starts[i], end, entry
            i = j + 1


def _accepts(entry: _Entry, toks: _Tokens, i: int, j: int, joins: list[int]) -> bool:
    """Whether tokens i..j spell `entry` under its case mode."""
    if not entry.bounds.issuperset(joins):
        return False
    if entry.mode == "loose":
        return True
    if entry.mode == "capital":
        return toks.capital[i] and all(
            toks.capital[k] or toks.low[k] in _FUNCTION_WORDS for k in range(i + 1, j + 1)
        )
    if len(joins) != len(entry.bounds):
        return False
    raw = "".join(toks.raw[i : j + 1])
    if raw == entry.raw:
        return True
    # A plain name may also be written in capitals or capitalised ("Turla", "TURLA"; "LAPSUS", "Lapsus"), but
    # a common-word alias keeps its exact form ("LEAD", never "Lead").
    if entry.context or len(raw) <= SHORT_ALIAS_LEN:
        return False
    return raw in (entry.raw.upper(), entry.raw.capitalize())


# ------------------------------------------------------------------------------------------------------------
# Data files


def _data(name: str) -> dict[str, Any]:
    """A packaged TOML file under breachlens/data."""
    with resources.files("breachlens").joinpath("data", name).open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def _display_names() -> dict[str, str]:
    """Alias key -> the display name analysts use (actors_extra.toml [display])."""
    return {_key(k): v for k, v in _data("actors_extra.toml").get("display", {}).items()}


def _galaxy(name: str) -> list[dict[str, Any]]:
    """Cluster values of one MISP galaxy."""
    with (_galaxy_dir() / f"{name}.json").open(encoding="utf-8") as fh:
        values: list[dict[str, Any]] = json.load(fh)["values"]
    return values


def _nonempty(group: str, items: Iterable[str]) -> tuple[str, ...]:
    """Refuse empty pattern groups (STYLE.md habit 6)."""
    out = tuple(items)
    if not out:
        raise ValueError(f"empty reference-data group: {group}")
    return out


# ------------------------------------------------------------------------------------------------------------
# Threat actors


@dataclass
class _Cluster:
    """One galaxy cluster reduced to what the alias index needs."""

    galaxy: str
    name: str
    aliases: set[str]
    ids: set[str]


def _clusters(galaxy: str, dropped: frozenset[str]) -> list[_Cluster]:
    """Clusters of one actor galaxy with cleaned names and aliases (dropped aliases removed)."""
    out: list[_Cluster] = []
    for v in _galaxy(galaxy):
        meta = v.get("meta", {})
        name = _MITRE_ID_SUFFIX.sub("", v["value"]).strip()
        aliases = {name, *(str(s).strip() for s in meta.get("synonyms", []))}
        ids = {i for i in (meta.get("external_id"), meta.get("group_attack_id")) if i}
        short = _TIDAL_SUFFIX.sub("", name)
        if galaxy == "tidal-groups" and short != name:
            aliases.add(short)
        aliases = {a for a in aliases if a and _alias_key(a, False)[0] not in dropped}
        ids |= {a for a in aliases if re.fullmatch(r"G\d{4}", a)}
        out.append(_Cluster(galaxy, name, aliases, ids))
    return out


def _key(alias: str) -> str:
    """Lower-case letters-and-digits key of an alias."""
    return _alias_key(alias, False)[0]


@dataclass(frozen=True)
class _ActorIndex:
    """Alias index of threat actors plus what `find_actors` and `actor_aliases` need."""

    phrases: _PhraseIndex
    leet: dict[str, str]
    aliases: dict[str, tuple[str, ...]]
    in_galaxy: frozenset[str]
    family_only: frozenset[str]  # actors known only as a ransomware family: named right beside a group word
    patterns: tuple[re.Pattern[str], ...]
    reject: frozenset[str]


def _group_actor_clusters(dropped: frozenset[str]) -> list[list[_Cluster]]:
    """Groups of clusters that are one actor: threat-actor spine + attached clusters of the other galaxies."""
    spine = _clusters(ACTOR_GALAXIES[0], dropped)
    # alias key -> spine cluster indexes; a key shared by several spine clusters is too generic to link with.
    by_alias: dict[str, set[int]] = defaultdict(set)
    by_value: dict[str, int] = {}
    by_id: dict[str, int] = {}
    for n, c in enumerate(spine):
        by_value.setdefault(_key(c.name), n)
        for a in c.aliases:
            by_alias[_key(a)].add(n)
        for i in c.ids:
            by_id.setdefault(i, n)
    groups: list[list[_Cluster]] = [[c] for c in spine]

    # The other galaxies first join each other by ATT&CK group id or by the same primary name.
    others = [c for g in ACTOR_GALAXIES[1:] for c in _clusters(g, dropped)]
    joined = UnionFind(len(others))

    seen: dict[str, int] = {}
    for n, c in enumerate(others):
        for k in {f"id:{i}" for i in c.ids} | {f"name:{_key(c.name)}"}:
            if k in seen:
                joined.union(n, seen[k])
            else:
                seen[k] = n
    components: dict[int, list[_Cluster]] = defaultdict(list)
    for n, c in enumerate(others):
        components[joined.find(n)].append(c)

    for comp in components.values():
        target: int | None = None
        for c in comp:  # 1. the same name or ATT&CK id as a spine cluster
            hit = by_value.get(_key(c.name))
            if hit is None:
                hit = next((by_id[i] for i in c.ids if i in by_id), None)
            if hit is not None:
                target = hit
                break
        if target is None:  # 2. aliases that each point at exactly one spine cluster, and all at the same one
            votes: dict[int, int] = defaultdict(int)
            for a in {_key(a) for c in comp for a in c.aliases}:
                hits = by_alias.get(a, set())
                if len(hits) == 1 and len(a) > SHORT_ALIAS_LEN:
                    votes[next(iter(hits))] += 1
            if len(votes) == 1:
                target = next(iter(votes))
            elif votes:
                ranked = sorted(votes.values(), reverse=True)
                if ranked[0] >= 2 and ranked[0] > ranked[1]:
                    target = max(votes, key=lambda t: votes[t])
        if target is None:
            groups.append(comp)
        else:
            groups[target].extend(comp)
    return groups


def _alias_mode(alias: str, common: frozenset[str], short_len: int = SHORT_ALIAS_LEN) -> tuple[str, bool]:
    """Case mode of an alias, and whether it also needs an actor cue nearby."""
    words = [w for w in re.split(r"[\s\-]+", alias) if w]
    letters_only = all(w.isalpha() for w in words)
    if len(_alnum(alias)) <= short_len:
        return "exact", True  # "TA5", "SEA": too short to trust without an actor cue nearby
    if alias.lower() in common:
        return "exact", True
    if len(words) == 1 and letters_only and not _has_inner_capital(alias):
        return "exact", False  # "Turla", "LEAD": a plain word-shaped name keeps its case
    if len(words) > 1 and letters_only:
        return "capital", False  # "Scattered Spider": words of English, so each must be capitalised
    return "loose", False


def _has_inner_capital(word: str) -> bool:
    """CamelCase such as "ShinyHunters" or "DarkSide" (a distinctive spelling, safe to match in any case)."""
    return any(ch.isupper() for ch in word[1:]) and not word.isupper()


@lru_cache(maxsize=1)
def _actor_index() -> _ActorIndex:
    """Build the alias index from the galaxies and actors_extra.toml (cached; ~0.1 s)."""
    extra = _data("actors_extra.toml")
    dropped = frozenset(_key(a) for a in extra["drop"]["aliases"])
    common = frozenset(w.lower() for w in _nonempty("common_words", extra["common_words"]["words"]))

    groups = _group_actor_clusters(dropped)
    display = _display_names()
    canon_of_group = [display.get(_key(g[0].name), g[0].name) for g in groups]
    # alias key -> group numbers; prefer the group whose own (cluster) name the alias is.
    owners: dict[str, set[int]] = defaultdict(set)
    names_of: dict[str, set[int]] = defaultdict(set)
    for n, g in enumerate(groups):
        for c in g:
            names_of[_key(c.name)].add(n)
            for a in c.aliases:
                owners[_key(a)].add(n)
    group_aliases: dict[int, set[str]] = defaultdict(set)
    for n, g in enumerate(groups):
        for c in g:
            for a in c.aliases:
                k = _key(a)
                hits = owners[k]
                if len(hits) > 1:
                    named = names_of.get(k, set()) & hits
                    if len(named) != 1 or n not in named:
                        continue  # ambiguous: the alias names several groups
                group_aliases[n].add(a)

    aliases: dict[str, set[str]] = defaultdict(set)
    for n, canon in enumerate(canon_of_group):
        aliases[canon] |= group_aliases[n] | {canon} | ({groups[n][0].name} if canon != groups[n][0].name else set())
    in_galaxy = set(aliases)
    by_key = {_key(c): c for c in aliases} | {_key(g[0].name): canon_of_group[n] for n, g in enumerate(groups)}
    related: dict[str, tuple[str, ...]] = {}
    for item in extra["actor"]:
        canon = by_key.get(_key(item["canonical"]), item["canonical"])
        aliases.setdefault(canon, {canon}).update(item["aliases"])
        related[canon] = tuple(item.get("related", ()))
    # Ransomware families the actor galaxies do not name (Conti, Royal, WastedLocker...): their operators are
    # called by the family's name in the news. Only next to an actor cue ("Royal ransomware", "the Conti gang").
    known = {_key(a) for names in aliases.values() for a in names}
    ransomware: dict[str, set[str]] = defaultdict(set)
    for entry in _galaxy("ransomware"):
        names = [str(entry["value"]), *(str(a) for a in entry.get("meta", {}).get("synonyms", []))]
        canon = display.get(_key(names[0]), names[0])
        if _key(canon) in known or not _alnum(canon):
            continue
        ransomware[canon].update(n for n in names if _key(n) not in known)
    in_galaxy |= set(ransomware)

    phrases = _PhraseIndex()
    for canon, ransomware_names in ransomware.items():
        for a in sorted(ransomware_names):
            if len(_alnum(a)) > SHORT_ALIAS_LEN and " " not in a.strip():
                phrases.add(a, canon, _alias_mode(a, common)[0], context=True)
    leet: dict[str, str] = {}
    for canon, alias_names in aliases.items():
        for a in sorted(alias_names):
            mode, context = _alias_mode(a, common)
            phrases.add(a, canon, mode, context)
            low = _key(a)
            if mode == "loose" and low.isalpha() and len(low) >= LEET_MIN_LEN:
                leet.setdefault(low, canon)

    patterns = tuple(
        re.compile(p["regex"].replace("{name}", _NAME_RE))
        for p in _nonempty_list("pattern", extra["pattern"])
    )
    return _ActorIndex(
        phrases=phrases,
        leet=leet,
        aliases={c: tuple(sorted(v - {c}, key=str.lower)) for c, v in aliases.items()},
        in_galaxy=frozenset(in_galaxy),
        family_only=frozenset(ransomware),
        patterns=patterns,
        reject=frozenset(extra["reject_names"]["words"]),
    )


def _nonempty_list(group: str, items: list[Any]) -> list[Any]:
    """Refuse an empty list of pattern tables."""
    if not items:
        raise ValueError(f"empty reference-data group: {group}")
    return items


# A capitalised name of one to four words, optionally in quotes; the name itself is the `name` group.
# Linear on any text (issue 13): a name starts where no name-word character (hyphen aside) precedes it, and one name
# word has at most NAME_WORD_MAX characters, so a pattern that starts with {name} tries a bounded number of characters
# from each word start instead of running to the end of a 1M-character token from every one of its letters.
NAME_WORD_MAX = 32
_NAME_WORD = rf"[A-Z0-9][\w$@.&'’-]{{0,{NAME_WORD_MAX - 2}}}[\w$]|[A-Z]"
_NAME_RE = (
    r"(?<![\w$@.&'’])[\"“‘']?(?P<name>(?:" + _NAME_WORD + r")(?:[ ](?:" + _NAME_WORD + r")){0,3})[\"”’']?(?![\w$])"
)


@lru_cache(maxsize=1)
def _ransomware_names() -> dict[str, str]:
    """Lower key -> value of the ransomware galaxy (families), the first-written spelling wins."""
    display = _display_names()
    out: dict[str, str] = {}
    for v in _galaxy("ransomware"):
        for name in (v["value"], *v.get("meta", {}).get("synonyms", [])):
            out.setdefault(_key(str(name)), display.get(_key(str(v["value"])), str(v["value"])))
    return out


def find_actors(text: str) -> list[ActorMatch]:
    """Threat-actor names in `text`, in order of appearance.

    Galaxy aliases match across case, spacing and hyphenation ("Shiny Hunters", "shinyhunters" ->
    ShinyHunters) unless they are ordinary words or short ("LEAD" matches only as "LEAD", and only next to an
    actor cue; "lead" never does). Groups no catalogue knows are found by the patterns in actors_extra.toml
    ("the extortion gang calling itself Velvet Ledger") and come back with `in_galaxy=False` and
    `canonical == as_written`.
    """
    idx = _actor_index()
    toks = _tokens(text)
    found: list[ActorMatch] = []
    taken: list[tuple[int, int]] = []
    waiting: list[tuple[int, int, _Entry]] = []
    for start, end, entry in idx.phrases.scan(text):
        if entry.value in idx.family_only:
            licensed = _beside_group_word(text, start, end)  # stricter than any actor cue
        else:
            licensed = not entry.context or _has_actor_cue(text, start, end)
        if not licensed:
            waiting.append((start, end, entry))
            continue
        found.append(ActorMatch(start, end, text[start:end], entry.value, entry.value in idx.in_galaxy))
        taken.append((start, end))
    # One name, one sense per article: once "REvil ransomware" has named the group, a bare "REvil's help" later
    # in the same text is that group too.
    named = {a.canonical for a in found}
    for start, end, entry in waiting:
        if entry.value in named and not _overlaps(taken, start, end):
            found.append(ActorMatch(start, end, text[start:end], entry.value, entry.value in idx.in_galaxy))
            taken.append((start, end))
    for k, raw in enumerate(toks.raw):  # digit-for-letter spellings: "Sh1nyHunt3rs"
        if raw.isalpha() or raw.isdigit() or raw.isupper() or not _LEET_WORD.fullmatch(raw):
            continue
        start, end = toks.starts[k], toks.ends[k]
        canon = idx.leet.get(toks.low[k].translate(_LEET))
        if canon is not None and not _overlaps(taken, start, end):
            found.append(ActorMatch(start, end, text[start:end], canon, canon in idx.in_galaxy))
            taken.append((start, end))
    for pattern in idx.patterns:
        for m in pattern.finditer(text):
            start, name = _trim_name(m.start("name"), m.group("name"), idx.reject)
            end = start + len(name)
            if (
                not name
                or DESCRIBING_ADJECTIVE.search(name)
                or _overlaps(taken, start, end)
                or org_profile(name) is not None
            ):
                continue
            known = _ransomware_names().get(_key(name))
            canon = known if known is not None else name
            found.append(ActorMatch(start, end, name, canon, known is not None))
            taken.append((start, end))
    return sorted(found, key=lambda a: a.start)


# "Russian-speaking", "Iran-linked": the suffixes that tie a group to where it comes from ("-based" is left out:
# "UK-based" describes victims as often as attackers)
_ORIGIN_SUFFIX = r"-(?:speaking|linked|backed|affiliated|aligned|sponsored|nexus)"
# "Iran-linked", "UK-based": a word that describes a group, not its name
DESCRIBING_ADJECTIVE = re.compile(rf"(?:{_ORIGIN_SUFFIX}|-based)$", re.IGNORECASE)
# right after a country: where the attackers are ("Russia-linked"), not where the victim is
ACTOR_ORIGIN = re.compile(rf"{_ORIGIN_SUFFIX}\b", re.IGNORECASE)


def _trim_name(start: int, name: str, reject: frozenset[str]) -> tuple[int, str]:
    """Drop leading rejected words ("The"), trailing punctuation and a trailing group noun from a name."""
    words = name.split(" ")
    while words and words[0] in reject:
        start += len(words.pop(0)) + 1
    name = " ".join(words).rstrip(".,;:'’\"”")
    return start, re.sub(r"\s+(?:group|gang|crew|collective)$", "", name, flags=re.IGNORECASE)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any span."""
    return any(s < end and start < e for s, e in spans)


# "ransomware" as outlets spell it, typos included ("Ransomeware")
_RANSOMWARE = r"ransom\w{0,2}ware"
_GROUP_NOUN = rf"(?:{_RANSOMWARE}|gangs?|groups?|operators?|affiliates?|crew|extortion|hackers|RaaS)"
_GROUP_WORD_AFTER = re.compile(
    rf"[\s'’s-]{{0,4}}{_GROUP_NOUN}\b"
    # an apposition or a copula a few words on: "REvil, one of a number of Russian-speaking hacker gangs",
    # "Sodinokibi is a Ransomware-as-a-Service"
    rf"|\s*(?:,|\s(?:is|was)\s+(?:a|an|the|one\s+of))\s+(?:[\w’'-]+\s+){{0,7}}?[\w-]*{_GROUP_NOUN}\b",
    re.IGNORECASE,
)
_GROUP_WORD_BEFORE = re.compile(
    rf"\b(?:{_RANSOMWARE}|gang|group|operators?|strain|variant)\s+(?:(?:called|named|dubbed|known\s+as)\s+)?"
    r"[\"“']?$"
    # the agent of an attack verb: "hacked in May by REvil"
    r"|\b(?:hacked|attacked|hit|breached|compromised|targeted|infected)\s+(?:\w+\s+){0,3}?by\s+(?:the\s+)?$",
    re.IGNORECASE,
)


_NAMED_AS = re.compile(r"\b(?:known|referred\s+to|identified)\s+as\s+[\"“']?$", re.IGNORECASE)


def _beside_group_word(text: str, start: int, end: int) -> bool:
    """A ransomware family name used as a group's name: "Royal ransomware", "the Conti gang", "a group called X",
    "the ransomware ... is known as X"."""
    before = text[max(0, start - 40) : start]
    return bool(
        _GROUP_WORD_AFTER.match(text, end, end + 80)
        or _GROUP_WORD_BEFORE.search(before)
        or (_NAMED_AS.search(before) and "ransomware" in text[max(0, start - 120) : start].lower())
    )


def _has_actor_cue(text: str, start: int, end: int) -> bool:
    """An actor cue within ACTOR_CUE_WINDOW characters of a common-word alias (same paragraph)."""
    left = text[max(0, start - ACTOR_CUE_WINDOW) : start].rsplit("\n\n", 1)[-1]
    right = text[end : end + ACTOR_CUE_WINDOW].split("\n\n", 1)[0]
    return ACTOR_CUES.search(left) is not None or ACTOR_CUES.search(right) is not None


def actor_aliases(canonical: str) -> tuple[str, ...]:
    """Other names of an actor (galaxy synonyms and curated aliases); () for an unknown name."""
    idx = _actor_index()
    if canonical in idx.aliases:
        return idx.aliases[canonical]
    key = _key(canonical)
    for canon, names in idx.aliases.items():
        if _key(canon) == key:
            return names
    return ()


# ------------------------------------------------------------------------------------------------------------
# ATT&CK and campaigns


@lru_cache(maxsize=1)
def _techniques() -> dict[str, str]:
    """ATT&CK id -> technique name, from the mitre-attack-pattern galaxy."""
    out: dict[str, str] = {}
    for v in _galaxy("mitre-attack-pattern"):
        tid = v.get("meta", {}).get("external_id")
        m = re.search(r"\s+-\s+(T\d{4}(?:\.\d{3})?)$", v["value"])
        tid = tid or (m.group(1) if m else None)
        if tid:
            out.setdefault(tid, _MITRE_ID_SUFFIX.sub("", v["value"]).strip())
    return out


def technique_name(tid: str) -> str | None:
    """Name of an ATT&CK technique ("T1566" -> "Phishing", "T1566.004" -> "Spearphishing Voice") or None."""
    return _techniques().get(tid.strip().upper())


def techniques_for_vector(vector: str) -> tuple[str, ...]:
    """ATT&CK technique ids of an access vector (vocab.ACCESS_VECTORS), keeping only ids the galaxy knows."""
    known = _techniques()
    return tuple(t for t in vocab.ACCESS_VECTORS.get(vector, ()) if t in known)


_TRACKING_ID = re.compile(
    r"\b(?:UNC\d{3,5}|DEV-\d{3,4}|Storm-\d{3,4}|TAG-\d{2,4})\b"
    r"|\bOperation\s+(?:[A-Z][\w-]*)(?:\s+[A-Z][\w-]*)?"
)
# Tidal campaign values that are names, not descriptions ("ArcaneDoor", "Contagious Interview").
CAMPAIGN_MAX_WORDS = 3
_CAMPAIGN_DESCRIPTIVE = re.compile(
    r"\b(?:Activity|Campaign|Campaigns|Attack|Attacks|Exploits?|Exploitation|Targeting|Intrusions|Use|"
    r"Vulnerabilit(?:y|ies)|Deprecated|Increased)\b|^\d|[(&]"
)


@lru_cache(maxsize=1)
def _campaign_index() -> _PhraseIndex:
    """Name-like campaign values of the tidal-campaigns galaxy, matched capitalised."""
    index = _PhraseIndex()
    for v in _galaxy("tidal-campaigns"):
        name = v["value"].strip()
        if len(name.split()) <= CAMPAIGN_MAX_WORDS and not _CAMPAIGN_DESCRIPTIVE.search(name):
            if not re.fullmatch(r"C\d{4}", name):
                index.add(name, name, "capital" if " " in name else "exact")
    return index


def find_campaigns(text: str) -> list[tuple[int, int, str]]:
    """Campaign names and tracking ids (UNC1234, Storm-0501, "Operation Cloud Hopper", tidal campaigns)."""
    spans: list[tuple[int, int, str]] = []
    for m in _TRACKING_ID.finditer(text):
        spans.append((m.start(), m.end(), m.group()))
    taken = [(s, e) for s, e, _ in spans]
    for start, end, entry in _campaign_index().scan(text):
        if not _overlaps(taken, start, end):
            spans.append((start, end, entry.value))
    return sorted(spans)


# ------------------------------------------------------------------------------------------------------------
# Organisations: brand -> parent


_LEGAL_SUFFIXES = frozenset(
    {
        "inc", "incorporated", "ltd", "limited", "plc", "group", "sa", "se", "ag", "nv", "bv", "spa", "llc",
        "corp", "corporation", "co", "company", "holdings", "holding", "ab", "as", "gmbh", "pty", "lp", "sas",
        "the",
    }
)


def _org_key(name: str) -> str:
    """Normalised organisation name: case, accents, "&" vs "and", punctuation and legal suffixes ignored."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = s.replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", s.replace("'", "").replace(".", ""))
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and (words[-1] in _LEGAL_SUFFIXES or words[-1] == "and"):
        words.pop()
    return "".join(words)


@lru_cache(maxsize=1)
def _orgs() -> dict[str, OrgProfile]:
    """Normalised name or alias -> profile, from brands.toml."""
    data = _data("brands.toml")
    profiles: list[OrgProfile] = []
    for p in _nonempty_list("parent", data["parent"]):
        brands = _nonempty(p["name"], (b["name"] for b in p["brand"]))
        profiles.append(
            OrgProfile(
                p["name"], None, brands, p.get("sector"), p.get("country"), tuple(p.get("aliases", ())),
                p["source"],
            )
        )
        for b in p["brand"]:
            profiles.append(
                OrgProfile(b["name"], p["name"], (), b.get("sector", p.get("sector")), b.get("country"),
                           tuple(b.get("aliases", ())), b.get("source", p["source"]))
            )
    for o in data.get("org", []):
        profiles.append(
            OrgProfile(o["name"], None, (), o.get("sector"), o.get("country"), tuple(o.get("aliases", ())),
                       o["source"])
        )
    out: dict[str, OrgProfile] = {}
    for prof in profiles:
        if prof.sector is not None and prof.sector not in vocab.SECTORS:
            raise ValueError(f"brands.toml: {prof.name}: unknown sector {prof.sector!r}")
        for n in (prof.name, *prof.aliases):
            out.setdefault(_org_key(n), prof)
    return out


def org_profile(name: str) -> OrgProfile | None:
    """Curated profile of an organisation (any alias, any case or legal suffix), else None."""
    return _orgs().get(_org_key(name))


def parent_of(name: str) -> str | None:
    """Parent group of a brand ("Cartier" -> "Richemont"); None for a parent, stand-alone or unknown name."""
    prof = org_profile(name)
    return prof.parent if prof else None


def brands_of(parent: str) -> tuple[str, ...]:
    """Brands of a parent group ("Kering" -> ("Gucci", ...)); () when unknown or not a parent."""
    prof = org_profile(parent)
    return prof.brands if prof else ()


def canonical_org(name: str) -> str:
    """Canonical spelling of a known organisation ("M&S" -> "Marks and Spencer"), else `name` trimmed."""
    prof = org_profile(name)
    return prof.name if prof else name.strip()


# ------------------------------------------------------------------------------------------------------------
# Countries


@dataclass(frozen=True)
class _Countries:
    """Country lookup tables."""

    exact: dict[str, str]
    names: dict[str, str]
    codes: frozenset[str]
    alpha3: dict[str, str]
    phrases: _PhraseIndex


@lru_cache(maxsize=1)
def _countries() -> _Countries:
    """Curated aliases in front of pycountry's ISO 3166 names."""
    import pycountry  # noqa: PLC0415 - imported on first use: ~25 ms that most callers never need

    data = _data("countries.toml")
    exact = {_alnum(k): v for k, v in data["exact"].items()}
    names: dict[str, str] = {}
    for k, v in data["aliases"].items():
        names[_org_key_plain(k)] = v
    ambiguous = {_org_key_plain(a) for a in data["ambiguous"]["names"]}
    codes = set()
    alpha3 = {}
    phrases = _PhraseIndex()
    for c in pycountry.countries:
        codes.add(c.alpha_2)
        alpha3[c.alpha_3] = c.alpha_2
        for attr in ("name", "common_name", "official_name"):
            n = getattr(c, attr, None)
            if n:
                names.setdefault(_org_key_plain(n), c.alpha_2)
                if "," not in n and "(" not in n and _org_key_plain(n) not in ambiguous:
                    phrases.add(n, c.alpha_2, "capital")
    for k, v in data["aliases"].items():
        phrases.add(k, v, "capital")
    for k, v in data["exact"].items():
        phrases.add(k, v, "exact")
    for phrase in data["not_countries"]["phrases"]:
        phrases.add(phrase, "", "capital")
    return _Countries(exact, names, frozenset(codes), alpha3, phrases)


def _org_key_plain(name: str) -> str:
    """Lower-case ASCII letters and digits of a name ("Côte d'Ivoire" -> "cotedivoire")."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in s if ch.isalnum())


def country_code(word: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name, alias, demonym or code ("British" -> "GB"), else None.

    Short forms ("US", "UK", "FR", "GBR") count only in capitals, so the pronoun "us" is not a country.
    """
    w = word.strip()
    if not w:
        return None
    c = _countries()
    raw = _alnum(w)
    if raw in c.exact:
        return c.exact[raw] or None
    if raw.isupper() and raw in c.codes:
        return raw
    if raw.isupper() and raw in c.alpha3:
        return c.alpha3[raw]
    if len(raw) <= SHORT_ALIAS_LEN:
        return None
    key = _org_key_plain(re.sub(r"^the\s+", "", w, flags=re.IGNORECASE))
    return c.names.get(key) or c.names.get(_org_key_plain(w))


def find_countries(text: str) -> list[tuple[int, int, str, str]]:
    """Countries named in `text` as (start, end, alpha-2 code, as written); ambiguous names are skipped."""
    out: list[tuple[int, int, str, str]] = []
    for start, end, entry in _countries().phrases.scan(text):
        if entry.value:
            out.append((start, end, entry.value, text[start:end]))
    return out


# ------------------------------------------------------------------------------------------------------------
# Sector cues


def _plurals(cue: str) -> set[str]:
    """A cue and its regular plurals ("pharmacy" -> "pharmacies")."""
    out = {cue}
    if cue.endswith("y") and not cue.endswith(("ay", "ey", "oy", "uy")):
        out.add(cue[:-1] + "ies")
    elif cue.endswith(("s", "x", "ch", "sh")):
        out.add(cue + "es")
    else:
        out.add(cue + "s")
    return out


@lru_cache(maxsize=1)
def _sector_index() -> _PhraseIndex:
    """Sector cue phrases from sectors.toml (all sectors must be in vocab.SECTORS)."""
    index = _PhraseIndex()
    for sector, table in _data("sectors.toml").items():
        if sector not in vocab.SECTORS:
            raise ValueError(f"sectors.toml: unknown sector {sector!r}")
        for cue in _nonempty(sector, table["cues"]):
            cased = any((w.isupper() and len(w) > 1) or _has_inner_capital(w) for w in cue.split())
            # "IT services" keeps its capitals, so "it services were down" is no cue.
            mode = "exact" if cased or len(_alnum(cue)) <= SHORT_ALIAS_LEN else "loose"
            for form in _plurals(cue):
                index.add(form, sector, mode)
    return index


def sector_cues(text: str) -> list[tuple[int, int, str]]:
    """Words in `text` that point at a sector ("health insurer" -> healthcare), as (start, end, sector)."""
    return [(s, e, entry.value) for s, e, entry in _sector_index().scan(text)]
