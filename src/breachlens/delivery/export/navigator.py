"""ATT&CK Navigator layer (layer format 4.5, enterprise-attack) over many incidents.

Each technique named by an access vector of an incident (`Fact.attack_techniques`) is scored with the number
of distinct incidents that used it; its comment lists those incidents (id, victim and the modality of the
vector), and its metadata carries one `incident` entry per incident. A sub-technique's parent is listed too
(unscored, no colour) with `showSubtechniques`, so the Navigator opens it where the sub-technique is visible.
Entries are pinned to the initial-access tactic when the technique has it (our vectors are how the attackers
got in). The gradient runs from 0 to the highest score. `versions.attack` is left out: the technique names
come from the MISP galaxy, which does not say which ATT&CK release it follows, and the Navigator then uses the
release it has.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...analysis import enrich
from ...records import DocumentAnalysis, MergedIncident
from ._common import attack_tactics, is_technique_id

__all__ = ["LAYER_VERSION", "NAVIGATOR_VERSION", "export_navigator", "navigator_layer"]

LAYER_VERSION = "4.5"
NAVIGATOR_VERSION = "5.1.0"
DOMAIN = "enterprise-attack"
GRADIENT = ["#ffe766", "#ff6666"]  # Navigator's default low -> high colours
INITIAL_ACCESS = "initial-access"


def _uses(incidents: Sequence[MergedIncident]) -> dict[str, list[tuple[MergedIncident, str]]]:
    """Technique id -> (incident, modality of its strongest vector fact naming it), each incident once."""
    rank = {"confirmed": 3, "reported": 2, "suspected": 1, "claimed": 0}
    out: dict[str, dict[str, tuple[MergedIncident, str]]] = {}
    for merged in incidents:
        for fact in merged.incident.initial_access:
            for tid in fact.attack_techniques or ():
                tid = tid.strip().upper()
                if not is_technique_id(tid):
                    continue
                seen = out.setdefault(tid, {})
                old = seen.get(merged.id)
                if old is None or rank.get(fact.modality, -1) > rank.get(old[1], -1):
                    seen[merged.id] = (merged, fact.modality)
    return {tid: sorted(by.values(), key=lambda pair: pair[0].id) for tid, by in out.items()}


def navigator_layer(incidents: Sequence[MergedIncident], name: str | None = None) -> dict[str, Any]:
    """The layer as a dict (see the module docstring)."""
    uses = _uses(incidents)
    techniques: list[dict[str, Any]] = []
    parents = {tid.split(".")[0] for tid in uses if "." in tid} - set(uses)
    for tid in sorted(set(uses) | parents):
        entries = uses.get(tid, [])
        item: dict[str, Any] = {"techniqueID": tid}
        if INITIAL_ACCESS in attack_tactics(tid):
            item["tactic"] = INITIAL_ACCESS  # our vectors are how the attackers got in
        if entries:
            item["score"] = len(entries)
            item["comment"] = f"{technique_title(tid)}: used in {len(entries)} incident(s): " + "; ".join(
                f"{m.id} ({m.incident.victim}, {modality})" for m, modality in entries
            )
            item["metadata"] = [{"name": "incident", "value": m.id} for m, _ in entries]
        item["enabled"] = True
        item["showSubtechniques"] = any(t.startswith(tid + ".") for t in uses)
        techniques.append(item)
    top = max((len(v) for v in uses.values()), default=1)
    return {
        "name": name or f"breachlens: techniques in {len(incidents)} incident(s)",
        "versions": {"navigator": NAVIGATOR_VERSION, "layer": LAYER_VERSION},
        "domain": DOMAIN,
        "description": "Score = number of incidents whose reported initial access used the technique "
        "(breachlens; every vector backed by a quote).",
        "sorting": 3,
        "layout": {
            "layout": "side",
            "aggregateFunction": "average",
            "showID": True,
            "showName": True,
            "showAggregateScores": False,
            "countUnscored": False,
            "expandedSubtechniques": "annotated",
        },
        "hideDisabled": False,
        "techniques": techniques,
        "gradient": {"colors": GRADIENT, "minValue": 0, "maxValue": top},
        "legendItems": [],
        "metadata": [{"name": "incidents", "value": str(len(incidents))}],
        "links": [],
        "showTacticRowBackground": False,
        "tacticRowBackground": "#dddddd",
        "selectTechniquesAcrossTactics": True,
        "selectSubtechniquesWithParent": False,
        "selectVisibleTechniques": False,
    }


def technique_title(tid: str) -> str:
    """ "T1566.004 Spearphishing Voice" (the id alone when the galaxy does not know it)."""
    name = enrich.technique_name(tid)
    return f"{tid} {name}" if name else tid


def export_navigator(incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis]) -> str:
    """ATT&CK Navigator layer (JSON text) scoring techniques by how many of the incidents used them."""
    del documents  # the layer needs only the incidents; the argument keeps the exporter signature
    return json.dumps(navigator_layer(incidents), indent=1, ensure_ascii=False)
