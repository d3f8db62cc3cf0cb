"""Advice carried by each alert: the report's rule-derived recommendations (recommend.py), with their quotes.

Why the "peers" audience of recommend.py is what we show the watching organisation: its rules are written for
organisations related to the victim (same sector, customers, suppliers), which is exactly who keeps a watchlist.
"people" is what individuals whose data leaked should watch for. Each item keeps the quotes of the facts that
triggered it, so advice is only given because a source said something.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...records import Evidence, Incident
from ..recommend import ForAudiences, Recommendation, recommendations

__all__ = ["Advice", "AdviceItem", "advice_for"]

# Quotes kept per advice item: the first ones say why; a long list adds nothing to a notification.
MAX_QUOTES_PER_ITEM = 2


@dataclass(frozen=True)
class AdviceItem:
    """One recommendation and the quotes that triggered it."""

    text: str
    because: tuple[Evidence, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {"text": self.text, "because": [e.as_dict() for e in self.because]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AdviceItem:
        """Inverse of `as_dict`."""
        return cls(data["text"], tuple(Evidence.from_dict(e) for e in data.get("because", [])))


@dataclass(frozen=True)
class Advice(ForAudiences[AdviceItem]):
    """Recommendations for the watching organisation (`peers`, see the module doc; "organisation" in JSON) and for
    the people whose data was exposed."""

    def as_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "organisation": [i.as_dict() for i in self.peers],
            "people": [i.as_dict() for i in self.people],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Advice:
        """Inverse of `as_dict`."""
        return cls(
            tuple(AdviceItem.from_dict(i) for i in data.get("organisation", [])),
            tuple(AdviceItem.from_dict(i) for i in data.get("people", [])),
        )


def advice_for(incident: Incident) -> Advice:
    """The packaged recommendation rules applied to `incident`, each item with its triggering quotes."""
    found = recommendations(incident)
    return Advice(tuple(_item(r) for r in found.peers), tuple(_item(r) for r in found.people))


def _item(rec: Recommendation) -> AdviceItem:
    """A recommendation with the first quotes of its triggering facts (deduplicated)."""
    quotes: dict[tuple[str, int, int], Evidence] = {}
    for fact in rec.because:
        for ev in fact.evidence:
            quotes.setdefault((ev.source, ev.start, ev.end), ev)
    return AdviceItem(rec.text, tuple(quotes.values())[:MAX_QUOTES_PER_ITEM])
