"""Advice derived from an incident's facts: for the victim's peers, and for the people whose data leaked.

Rules are data (`data/recommendations.toml`), not code: each names a trigger (an exposed data type, an access
vector, a named threat actor, a ransom, listed IOCs) and the texts it yields for each audience. A
recommendation keeps the facts that triggered it, so the report can cite their quotes: advice is given only
because a source said something.
Only `data_exposed` triggers on data types; `data_not_exposed` never does.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

from .. import vocab
from ..errors import BreachlensError
from ..records import Fact, Incident

__all__ = [
    "ForAudiences", "Recommendation", "Recommendations", "Rule", "load_rules", "parse_rules", "recommendations"
]

AUDIENCES = ("peers", "people")
PLACEHOLDERS = frozenset({"victim"})

# trigger kind -> the values it accepts ("any" is accepted where listed).
_TRIGGER_VALUES: dict[str, frozenset[str]] = {
    "data_exposed": frozenset(vocab.DATA_TYPES),
    "initial_access": frozenset(vocab.ACCESS_VECTORS),
    "threat_actor": frozenset({"any"}),
    "ransom": frozenset({"any", *vocab.RANSOM_STATUSES}),
    "iocs": frozenset({"any"}),
}


@dataclass(frozen=True)
class Rule:
    """One rule of recommendations.toml: `when` is "kind:value"; texts per audience (may use {victim})."""

    when: str
    peers: tuple[str, ...] = ()
    people: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The trigger kind, e.g. "data_exposed"."""
        return self.when.partition(":")[0]

    @property
    def value(self) -> str:
        """The trigger value, e.g. "email" or "any"."""
        return self.when.partition(":")[2]


@dataclass(frozen=True)
class Recommendation:
    """Advice text and the facts that triggered it (cite their evidence when showing it)."""

    text: str
    because: tuple[Fact, ...]


_Item = TypeVar("_Item")


@dataclass(frozen=True)
class ForAudiences(Generic[_Item]):
    """Items for each audience of the rules: the victim's peers and the people whose data leaked."""

    peers: tuple[_Item, ...] = ()
    people: tuple[_Item, ...] = ()

    def __bool__(self) -> bool:
        """False when there is nothing for either audience (nothing to show)."""
        return bool(self.peers or self.people)


@dataclass(frozen=True)
class Recommendations(ForAudiences[Recommendation]):
    """Advice for the victim's peers (same sector, or customers of the victim) and for affected people."""


def recommendations(incident: Incident, rules: Iterable[Rule] | None = None) -> Recommendations:
    """Recommendations for `incident`, in rule order, with identical texts merged.

    Args:
        incident: the (merged) incident; only its exposed data types, access vectors, threat actors, ransom
            and IOCs trigger rules.
        rules: rules to apply; the packaged `data/recommendations.toml` when None.

    Returns:
        `Recommendations` whose items each carry the triggering facts in `because` (never empty).
    """
    active = load_rules() if rules is None else tuple(rules)
    found: dict[str, dict[str, list[Fact]]] = {audience: {} for audience in AUDIENCES}
    for rule in active:
        facts = _triggering_facts(rule, incident)
        if not facts:
            continue
        for audience in AUDIENCES:
            for template in getattr(rule, audience):
                text = template.format(victim=incident.victim)
                because = found[audience].setdefault(text, [])
                because.extend(f for f in facts if f not in because)
    return Recommendations(
        peers=tuple(Recommendation(t, tuple(b)) for t, b in found["peers"].items()),
        people=tuple(Recommendation(t, tuple(b)) for t, b in found["people"].items()),
    )


def _triggering_facts(rule: Rule, incident: Incident) -> tuple[Fact, ...]:
    """The facts of `incident` that match the rule's trigger (empty when it does not fire)."""
    kind, value = rule.kind, rule.value
    if kind == "data_exposed":
        return tuple(f for f in incident.data_exposed if f.value == value)
    if kind == "initial_access":
        return tuple(f for f in incident.initial_access if f.value == value)
    if kind == "threat_actor":
        return incident.threat_actors
    if kind == "iocs":
        return incident.iocs
    if kind == "ransom" and incident.ransom is not None and value in ("any", incident.ransom.value):
        return (incident.ransom,)
    return ()


@lru_cache(maxsize=1)
def _packaged_rules() -> tuple[Rule, ...]:
    """The packaged rules, parsed once per process."""
    text = resources.files("breachlens").joinpath("data/recommendations.toml").read_text(encoding="utf-8")
    return parse_rules(tomllib.loads(text), "recommendations.toml")


def load_rules(path: str | Path | None = None) -> tuple[Rule, ...]:
    """Rules from a TOML file laid out like the packaged `data/recommendations.toml` (that file when None)."""
    if path is None:
        return _packaged_rules()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BreachlensError(f"{path}: cannot read recommendation rules: {exc}") from exc
    return parse_rules(data, str(path))


def parse_rules(data: dict[str, Any], origin: str = "<rules>") -> tuple[Rule, ...]:
    """Validated rules from parsed TOML; refuses unknown triggers, empty rules and unknown placeholders."""
    raw = data.get("rule")
    if not isinstance(raw, list) or not raw:
        raise BreachlensError(f"{origin}: no [[rule]] entries")
    rules = []
    for index, entry in enumerate(raw, 1):
        where = f"{origin}: rule {index}"
        if not isinstance(entry, dict):
            raise BreachlensError(f"{where}: not a table")
        unknown = sorted(set(entry) - {"when", *AUDIENCES})
        if unknown:
            raise BreachlensError(f"{where}: unknown keys {', '.join(unknown)}")
        when = entry.get("when")
        if not isinstance(when, str):
            raise BreachlensError(f"{where}: missing 'when'")
        kind, _, value = when.partition(":")
        if value not in _TRIGGER_VALUES.get(kind, ()):
            raise BreachlensError(f"{where}: unknown trigger {when!r}")
        texts = {a: _texts(entry.get(a, []), f"{where} ({when}) {a}") for a in AUDIENCES}
        if not any(texts.values()):
            raise BreachlensError(f"{where} ({when}): no text for peers or people")
        rules.append(Rule(when, texts["peers"], texts["people"]))
    return tuple(rules)


def _texts(value: Any, where: str) -> tuple[str, ...]:
    """A rule's list of texts, each non-empty and using only known placeholders."""
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise BreachlensError(f"{where}: expected a list of non-empty strings")
    for text in value:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise BreachlensError(f"{where}: bad placeholder in {text!r}: {exc}") from exc
        if names - PLACEHOLDERS:
            unknown = ", ".join(sorted(names - PLACEHOLDERS))
            raise BreachlensError(f"{where}: unknown placeholder(s) {unknown}")
    return tuple(value)
