"""Labelled corpora for training and evaluation: gold JSON Lines + documents, parsed once, with the mention table.

A gold set is a gold.jsonl (the format of ../shared/dev/*/gold.jsonl and tools/score.py) and the folder of its
documents. Each document is parsed once; the model-independent mention table (candidates, role cues, features)
is kept beside the gold row, so training and cross-validation never parse a document twice.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis.attribute import candidate_table, read_mentions
from ..analysis.attribute.candidates import _Reading
from ..analysis.clean import clean
from ..analysis.extract.orgs import org_key
from ..analysis.nlp import load_nlp
from ..analysis.segment import Segmented, segment_parsed
from ..errors import BreachlensError
from ..ingest.acquire import acquire
from ..records import CleanDocument, RawDocument
from ..settings import Settings


def gold_name_key(name: str | None) -> str:
    """A name as score.py compares names: `org_key` kept to ASCII letters and digits (score.py drops the rest)."""
    return re.sub(r"[^a-z0-9]", "", org_key(name)) if name else ""


def names_match(predicted: str | None, alternatives: Iterable[str]) -> bool:
    """Whether a predicted name equals one of the gold alternatives ("A|B" lists several)."""
    key = gold_name_key(predicted)
    return bool(key) and any(key == gold_name_key(g) for alt in alternatives for g in alt.split("|"))


@dataclass(frozen=True)
class GoldSet:
    """A gold file, its documents' folder, and how much each of its documents weighs in training."""

    name: str
    gold: Path
    docs: Path
    weight: float = 1.0
    kind: str = "gold"  # "gold": gold.jsonl + documents; "casie": the CASIE corpus, read for negatives only


@dataclass
class LabelledDocument:
    """One parsed document of a gold set with its gold row and its mention table."""

    set_name: str
    row: dict[str, Any]
    group: str  # documents of one incident share a group: they must never straddle folds
    cleaned: CleanDocument
    seg: Segmented
    reading: _Reading
    table: dict[str, dict[str, float]]
    weight: float
    heads: frozenset[str] = frozenset({"main", "other", "incident"})  # which scorers this document trains

    @property
    def is_incident(self) -> bool:
        return bool(self.row.get("is_incident", True))

    def is_main(self, key: str) -> bool:
        """Whether candidate `key` is the gold victim."""
        if not self.is_incident:
            return False
        accepted = self.row.get("victim_accepted") or [self.row.get("victim") or ""]
        return any(names_match(n, accepted) for n in self.reading.candidates[key].names)

    def is_other(self, key: str) -> bool:
        """Whether candidate `key` is one of the other organisations the gold names as breached."""
        others = self.row.get("other_orgs_named_as_victims") or []
        return any(names_match(n, others) for n in self.reading.candidates[key].names) and not self.is_main(key)


def read_gold(path: Path) -> list[dict[str, Any]]:
    """Rows of a gold JSON Lines file."""
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise BreachlensError(f"{path}:{number}: not JSON ({exc.msg})") from exc
    return rows


def load_set(
    gold_set: GoldSet, settings: Settings, progress: Callable[[str], None] | None = None
) -> list[LabelledDocument]:
    """Parse every document a gold set names (one spaCy pass, in batches) and read its mention table."""
    if gold_set.kind == "casie":
        return _parsed(gold_set, _casie_negatives(gold_set.docs, settings), settings, progress, frozenset({"incident"}))
    cleaned: list[tuple[dict[str, Any], CleanDocument]] = []
    for row in read_gold(gold_set.gold):
        path = gold_set.docs / row["file"]
        if not path.exists():
            raise BreachlensError(f"{path}: named in {gold_set.gold} but missing")
        cleaned.append((row, clean(acquire(str(path), settings), settings)))
    return _parsed(gold_set, cleaned, settings, progress, LabelledDocument.heads)


_CASIE_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
_CASIE_EVENTS = frozenset({"Databreach", "Ransom", "Phishing"})


def _casie_negatives(folder: Path, settings: Settings) -> list[tuple[dict[str, Any], CleanDocument]]:
    """CASIE articles that report no actual breach, ransom or phishing event (vulnerability and patch news,
    generic talk about attacks): negatives for the is-an-incident scorer. Title line + annotated content."""
    out = []
    for path in sorted((folder / "annotation").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        events = [e for h in data.get("cyberevent", {}).get("hopper", []) for e in h.get("events", [])]
        if any(e.get("realis") == "Actual" and e.get("subtype") in _CASIE_EVENTS for e in events):
            continue
        source = folder / "source" / f"{path.stem}.txt"
        title = _CASIE_TITLE.search(source.read_text("utf-8", errors="replace")) if source.exists() else None
        text = (html.unescape(title.group(1).strip()) + "\n\n" if title else "") + data.get("content", "")
        data_bytes = text.encode("utf-8")
        raw = RawDocument(f"casie/{path.stem}.txt", data_bytes, hashlib.sha256(data_bytes).hexdigest(), "text")
        row = {"file": f"{path.stem}.txt", "is_incident": False, "incident_key": None}
        out.append((row, clean(raw, settings)))
    return out


def _parsed(
    gold_set: GoldSet,
    cleaned: list[tuple[dict[str, Any], CleanDocument]],
    settings: Settings,
    progress: Callable[[str], None] | None,
    heads: frozenset[str],
) -> list[LabelledDocument]:
    """Parse cleaned documents in one batched spaCy pass and read their mention tables."""
    nlp = load_nlp(settings.nlp.model)
    out = []
    parsed = nlp.pipe((c.text[: settings.nlp.max_chars] for _r, c in cleaned), batch_size=32)
    for (row, doc), spacy_doc in zip(cleaned, parsed, strict=True):
        if progress:
            progress(doc.source)
        seg = segment_parsed(doc.text, spacy_doc)
        reading = read_mentions(doc.source, seg)
        group = f"{gold_set.name}:{row.get('incident_key') or row['file']}"
        out.append(
            LabelledDocument(gold_set.name, row, group, doc, seg, reading, candidate_table(reading), gold_set.weight,
                             heads)
        )
    return out


def load_sets(
    sets: Sequence[GoldSet], settings: Settings, progress: Callable[[str], None] | None = None
) -> list[LabelledDocument]:
    """All documents of several gold sets."""
    return [doc for gold_set in sets for doc in load_set(gold_set, settings, progress)]
