"""Who an incident is about, comparably (step 2 of the package doc): victim keys, display names and parents,
and the slugs of incident ids (step 6).
"""

from __future__ import annotations

import re
import unicodedata

# Company designators and articles dropped from victim names before comparing them.
DESIGNATORS = frozenset(
    {"the", "inc", "incorporated", "ltd", "limited", "plc", "group", "sa", "ag", "llc", "corp", "corporation"}
)
_NON_WORD = re.compile(r"[^\w\s]+")


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
        from ..enrich import canonical_org
    except ImportError:  # enrich.py not there yet: plain normalisation only
        return normalise_name(name)
    return normalise_name(canonical_org(name))


def _canonical_name(name: str) -> str:
    """Display form of a victim (enrich.canonical_org when present, else as written)."""
    try:
        from ..enrich import canonical_org
    except ImportError:
        return name
    return canonical_org(name)


def _parent_of(name: str) -> str | None:
    """Known parent organisation (enrich.parent_of when present)."""
    try:
        from ..enrich import parent_of
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
