"""The exporter registry: matches the documented formats, refuses unknown ones, loads exporters lazily."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import breachlens.delivery.export as export_pkg
from breachlens.delivery.export import EXPORTERS, FORMATS, export
from breachlens.errors import ExportError
from breachlens.records import DocumentAnalysis, MergedIncident

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "incidents.json"
DATA = json.loads(FIXTURE.read_text(encoding="utf-8"))
INCIDENTS = [MergedIncident.from_dict(m) for m in DATA["incidents"]]
DOCUMENTS = [DocumentAnalysis.from_dict(d) for d in DATA["documents"]]

DOCUMENTED = ["stix", "misp", "veris", "navigator"]  # issue 6 and the export/__init__ docstring


def test_export_registry_matches_documented_formats() -> None:
    assert list(EXPORTERS) == DOCUMENTED
    assert FORMATS == tuple(DOCUMENTED)
    docstring_formats = re.findall(r"^    (\w+) {2,}\S", export_pkg.__doc__ or "", re.MULTILINE)
    assert docstring_formats == DOCUMENTED


def test_export_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        EXPORTERS["md"] = EXPORTERS["stix"]  # type: ignore[index]


def _parse(fmt: str, text: str) -> list[object]:
    """The JSON documents of an export: one for most formats, one per line for VERIS (JSON Lines)."""
    return [json.loads(line) for line in text.splitlines()] if fmt == "veris" else [json.loads(text)]


@pytest.mark.parametrize("fmt", DOCUMENTED)
def test_export_every_format_gives_deterministic_json(fmt: str) -> None:
    first = export(fmt, INCIDENTS, DOCUMENTS)
    assert all(_parse(fmt, first))
    assert export(fmt, INCIDENTS, DOCUMENTS) == first


@pytest.mark.parametrize("fmt", DOCUMENTED)
def test_export_every_format_accepts_no_documents(fmt: str) -> None:
    assert json.loads(export(fmt, INCIDENTS[:1]))


def test_export_format_name_is_case_insensitive() -> None:
    assert export("STIX", INCIDENTS[:1], DOCUMENTS) == export("stix", INCIDENTS[:1], DOCUMENTS)


def test_export_unknown_format_raises_export_error() -> None:
    with pytest.raises(ExportError) as info:
        export("pdf", INCIDENTS, DOCUMENTS)
    assert str(info.value) == "unknown export format 'pdf' (choose from stix, misp, veris, navigator)"


def test_export_exporters_have_names_and_docs() -> None:
    for name, exporter in EXPORTERS.items():
        assert exporter.__name__ == f"export_{name}"
        assert exporter.__doc__


def test_export_import_does_not_load_stix2_or_pymisp() -> None:
    heavy = "('stix2', 'pymisp', 'fastapi')"
    code = f"import sys, breachlens.delivery.export; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
