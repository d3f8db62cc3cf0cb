"""breachlens: evidence-grounded intelligence from what the world writes about data breaches.

    import breachlens
    analysis = breachlens.analyze(["news/"])           # documents + resolved incidents + failures
    for incident in analysis.incidents:
        print(incident.id, incident.incident.victim, [f.value for f in incident.incident.data_exposed])
"""

from __future__ import annotations

from .errors import (
    BreachlensError,
    DecodeError,
    ExportError,
    FetchError,
    SourceError,
    StoreError,
    TooLargeError,
    UnsafeURLError,
)
from .pipeline import analyze, analyze_text
from .records import (
    Analysis,
    Conflict,
    DocumentAnalysis,
    Evidence,
    Fact,
    Incident,
    MergedIncident,
    SourceFailure,
    TimelineEvent,
)
from .settings import Settings
from .version import __version__

__all__ = [
    "Analysis",
    "BreachlensError",
    "Conflict",
    "DecodeError",
    "DocumentAnalysis",
    "Evidence",
    "ExportError",
    "Fact",
    "FetchError",
    "Incident",
    "MergedIncident",
    "Settings",
    "SourceError",
    "SourceFailure",
    "StoreError",
    "TimelineEvent",
    "TooLargeError",
    "UnsafeURLError",
    "__version__",
    "analyze",
    "analyze_text",
]
