"""Exporters to the threat-intelligence standards, behind one registry.

Every exporter is a function `(incidents, documents) -> str` returning JSON text; `documents` gives the
sources' titles, publication dates and hashes (an exporter may ignore it). The formats:

    stix       STIX 2.1 bundle (stix.py), any number of incidents
    misp       MISP event JSON (misp.py); several incidents as {"response": [...]}
    veris      VERIS 1.4 incident JSON Lines (veris.py), one incident per line
    navigator  ATT&CK Navigator layer 4.5 (navigator.py) scoring techniques by incidents

The exporter modules are imported on first use (stix2 and pymisp take about a second each to import), so
`import breachlens.delivery.export` stays cheap for a CLI that only lists the formats. Deterministic output:
exporting the same incidents twice gives the same text, ids included (see _common.py).

    from breachlens.delivery.export import export
    text = export("stix", [merged], documents)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from types import MappingProxyType

from ...errors import ExportError
from ...records import DocumentAnalysis, MergedIncident

__all__ = ["EXPORTERS", "Exporter", "FORMATS", "export"]

Exporter = Callable[[Sequence[MergedIncident], Sequence[DocumentAnalysis]], str]


def _lazy(module: str, function: str, doc: str) -> Exporter:
    """An exporter that imports `breachlens.delivery.export.<module>` when first called."""

    def exporter(incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis]) -> str:
        real: Exporter = getattr(import_module(f"{__name__}.{module}"), function)
        return real(incidents, documents)

    exporter.__name__ = exporter.__qualname__ = function
    exporter.__doc__ = doc
    return exporter


EXPORTERS: Mapping[str, Exporter] = MappingProxyType(
    {
        "stix": _lazy("stix", "export_stix", "STIX 2.1 bundle (JSON text) of the incidents."),
        "misp": _lazy(
            "misp", "export_misp", 'MISP event JSON: one event, or {"response": [...]} for several.'
        ),
        "veris": _lazy(
            "veris", "export_veris", "VERIS 1.4 JSON Lines: one incident object per line."
        ),
        "navigator": _lazy("navigator", "export_navigator", "ATT&CK Navigator layer 4.5 over the incidents."),
    }
)

FORMATS: tuple[str, ...] = tuple(EXPORTERS)


def export(fmt: str, incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis] = ()) -> str:
    """Export incidents in a registered format.

    Args:
        fmt: a key of `EXPORTERS` ("stix", "misp", "veris", "navigator"), case-insensitive.
        incidents: the merged incidents to export.
        documents: the analyses of their sources (titles, publication dates); optional, for richer output.

    Raises:
        ExportError: unknown format, or an incident the format cannot express (the message names it).
    """
    exporter = EXPORTERS.get(fmt.lower())
    if exporter is None:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    return exporter(incidents, documents)
