"""The public surface is exactly `breachlens.__all__`, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import breachlens

EXPECTED = {
    "Analysis", "BreachlensError", "Conflict", "DecodeError", "DocumentAnalysis", "Evidence", "ExportError", "Fact",
    "FetchError", "Incident", "MergedIncident", "Settings", "SourceError", "SourceFailure", "StoreError",
    "TimelineEvent", "TooLargeError", "UnsafeURLError", "__version__", "analyze", "analyze_text",
}


def test_public_api_all_is_the_documented_list() -> None:
    assert set(breachlens.__all__) == EXPECTED


def test_public_api_every_name_exists() -> None:
    for name in breachlens.__all__:
        assert getattr(breachlens, name) is not None


def test_public_api_import_does_not_load_spacy_or_click() -> None:
    code = "import sys, breachlens; print('spacy' in sys.modules, 'click' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_public_api_analyze_text_reads_a_breach() -> None:
    doc = breachlens.analyze_text(
        "Quarry Lane Books said on Monday that hackers stole the names and email addresses of 8,200 customers. "
        "No payment card details were taken.",
        source="inline",
    )
    main = doc.main
    assert main is not None and main.victim == "Quarry Lane Books"
    assert {f.value for f in main.data_exposed} == {"name", "email"}
    assert {f.value for f in main.data_not_exposed} == {"payment_card"}
    assert main.records_affected is not None and main.records_affected.value == 8200
