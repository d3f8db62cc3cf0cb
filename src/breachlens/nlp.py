"""The spaCy pipeline: loaded once per process from an installed package, never downloaded.

spaCy gives us tokens, part-of-speech tags (proper-noun runs are our organisation candidates), the dependency parse
(sentence subjects) and sentence boundaries. Its small model's NER is weak on this domain (it calls brands persons
or places), so entity labels are only one hint among several in extract/orgs.py.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .errors import BreachlensError

# Components we never read; excluding them makes the pass cheaper (same for the benchmark's baseline).
EXCLUDED_COMPONENTS = ("lemmatizer",)


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Any:
    """The installed spaCy pipeline `model` (cached per process)."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a core dependency
        raise BreachlensError("spaCy is not installed: run `make install`") from exc
    try:
        return spacy.load(model, exclude=list(EXCLUDED_COMPONENTS))
    except OSError as exc:
        raise BreachlensError(f"spaCy model {model!r} is not installed: run `make install`") from exc
