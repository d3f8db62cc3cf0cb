"""The metrics of tools/score.py, under its names, computed from an analysis JSON and gold rows.

Kept in the package so `breachlens eval` works on any machine; tests check it agrees with score.py on the dev set.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .corpus import gold_name_key, names_match

LIST_FIELDS = ("data_exposed", "data_not_exposed", "initial_access", "response_actions")


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[str], gold: set[str]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class _Ratio:
    ok: int = 0
    n: int = 0

    def add(self, ok: bool) -> None:
        self.ok += bool(ok)
        self.n += 1

    def value(self) -> float:
        return self.ok / self.n if self.n else 1.0


def _values(facts: Iterable[Any] | None) -> set[str]:
    return {str(v) for f in facts or [] if (v := f.get("value") if isinstance(f, dict) else f) and v != "unknown"}


def _value(fact: Any) -> Any:
    return fact.get("value") if isinstance(fact, dict) else fact


def _date_match(predicted: str | None, gold: str) -> bool:
    if not predicted:
        return False
    if gold.startswith("--"):
        return predicted.endswith(gold[1:]) or predicted == gold
    return predicted == gold or predicted.startswith(gold + "-")


def _norm_ws(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _facts(incident: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    for value in incident.values():
        items = value if isinstance(value, list) else [value]
        yield from (item for item in items if isinstance(item, dict) and "evidence" in item)


def score(analysis: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], docs_dir: Path | None) -> dict[str, float]:
    """score.py's metrics for `analysis` (the analysis JSON) against gold `rows`."""
    by_file = {Path(d["source"]).name: d for d in analysis.get("documents", [])}
    victim, sector, country, ransom, records, dates, negatives = (_Ratio() for _ in range(7))
    lists = {f: _Tally() for f in LIST_FIELDS}
    actors, mentioned = _Tally(), _Tally()
    records_fp = 0
    for row in rows:
        doc = by_file.get(row["file"], {"incidents": []})
        inc = next((i for i in doc.get("incidents", []) if i.get("role") == "main"), None)
        if not row.get("is_incident", True):
            negatives.add(inc is None)
            continue
        victim.add(inc is not None and names_match(inc.get("victim"), row.get("victim_accepted") or [row["victim"]]))
        inc = inc or {}
        for name in LIST_FIELDS:
            unknown = {"unknown"} if name == "initial_access" else set()
            lists[name].add(_values(inc.get(name)), set(row.get(name) or []) - unknown)
        alternatives = {gold_name_key(a) for a in (row.get("threat_actor") or "").split("|")} - {""}
        predicted: set[str] = set()
        for actor in inc.get("threat_actors") or []:
            names = {gold_name_key(_value(actor)), gold_name_key(actor.get("as_written") or "")} - {""}
            predicted |= (names & alternatives) or {gold_name_key(_value(actor))} - {""}
        actors.add(predicted, {next(iter(predicted & alternatives), min(alternatives))} if alternatives else set())
        gold_records, got = row.get("records_affected"), _value(inc.get("records_affected"))
        if row.get("records_scored") is False:
            pass
        elif gold_records:
            records.add(isinstance(got, (int, float)) and abs(got - gold_records) <= 0.01 * gold_records)
        elif got:
            records_fp += 1
        if row.get("sector"):
            sector.add(inc.get("sector") == row["sector"])
        if row.get("victim_country"):
            country.add(inc.get("victim_country") == row["victim_country"])
        if row.get("ransom"):
            ransom.add(_value(inc.get("ransom")) == row["ransom"])
        if row.get("disclosure_date"):
            dates.add(_date_match(inc.get("disclosure_date"), row["disclosure_date"]))
        others = row.get("other_orgs_named_as_victims") or []
        named = [i.get("victim") for i in doc.get("incidents", []) if i.get("role") == "mentioned"]
        hit = {g for g in others if any(names_match(p, [g]) for p in named)}
        mentioned.tp += len(hit)
        mentioned.fn += len(others) - len(hit)
        mentioned.fp += sum(1 for p in named if not any(names_match(p, [g]) for g in others))
    quotes = bad = missing = 0
    for name, doc in by_file.items():
        path = docs_dir / name if docs_dir else Path(doc["source"])
        text = _norm_ws(path.read_text(errors="replace")) if path.exists() else None
        for inc in doc.get("incidents", []):
            for fact in _facts(inc):
                missing += not fact.get("evidence")
                for ev in fact.get("evidence") or []:
                    quotes += 1
                    bad += not ev.get("quote") or (text is not None and _norm_ws(ev["quote"]) not in text)
    cluster: dict[str, Any] = {}
    for inc in analysis.get("incidents", []):
        for src in inc.get("sources", []):
            cluster.setdefault(Path(src).name, inc.get("id"))
    pairs = _Tally()
    for a, b in itertools.combinations([r for r in rows if r.get("is_incident", True)], 2):
        same_gold = a["incident_key"] == b["incident_key"]
        pa, pb = cluster.get(a["file"]), cluster.get(b["file"])
        same = pa is not None and pa == pb
        pairs.tp += same_gold and same
        pairs.fp += same and not same_gold
        pairs.fn += same_gold and not same
    metrics: dict[str, float] = {
        "documents": len(rows),
        "victim.accuracy": victim.value(),
        "non_incident.accuracy": negatives.value(),
        "records.accuracy": records.value(),
        "records.false_positives": records_fp,
        "sector.accuracy": sector.value(),
        "country.accuracy": country.value(),
        "ransom.accuracy": ransom.value(),
        "disclosure_date.accuracy": dates.value(),
        "evidence.quotes": quotes,
        "evidence.invalid": bad,
        "evidence.missing": missing,
    }
    tallies = [*lists.items(), ("threat_actor", actors), ("mentioned_victims", mentioned), ("clustering", pairs)]
    for name, tally in tallies:
        p, r, f = tally.prf()
        metrics[f"{name}.precision"], metrics[f"{name}.recall"], metrics[f"{name}.f1"] = p, r, f
    return metrics
