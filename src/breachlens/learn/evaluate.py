"""`breachlens eval`: score the pipeline on a gold set, with the shipped scorers or cross-validated.

With `folds`, the gold set's documents are split into k folds, whole incidents per fold (grouped by
`incident_key`, so no incident's coverage leaks from training into testing). Each fold is read by scorers trained
on the other k-1 folds plus the other gold sets of train.toml (never the evaluated set's own held-out documents);
then every document is resolved together and scored with score.py's metrics.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..analysis.resolve import resolve
from ..analysis.scorers import Scorers, load_scorers
from ..errors import BreachlensError
from ..pipeline import document_analysis
from ..records import Analysis, DocumentAnalysis
from ..settings import Settings
from .corpus import GoldSet, LabelledDocument, load_set, load_sets
from .metrics import score
from .train import _folds, train_scorers

Progress = Callable[[str], None]


def shared_dir(given: str | Path | None = None) -> Path:
    """The shared data folder: as given, else $BREACHLENS_SHARED, else ../shared from the working directory."""
    return Path(given or os.environ.get("BREACHLENS_SHARED") or Path.cwd().parent / "shared")


def training_sets(shared: Path) -> list[GoldSet]:
    """The gold sets train.toml names, under `shared`."""
    config = tomllib.loads(resources.files("breachlens").joinpath("data/train.toml").read_text("utf-8"))
    return [
        GoldSet(s["name"], shared / s.get("gold", s["docs"]), shared / s["docs"], float(s.get("weight", 1.0)),
                s.get("kind", "gold"))
        for s in config["sets"]
    ]


def _present(sets: list[GoldSet]) -> list[GoldSet]:
    """`sets`, or an error naming the ones whose gold file is not there."""
    missing = [str(s.gold) for s in sets if not s.gold.exists()]
    if missing:
        raise BreachlensError(f"training data not found: {', '.join(missing)} (set --shared)")
    return sets


@dataclass(frozen=True)
class Evaluation:
    """Metrics (score.py's names), the analysis they were computed from, and how it was made."""

    metrics: dict[str, float]
    analysis: Analysis
    folds: int | None


def _analyse(docs: Sequence[LabelledDocument], scorers: Scorers) -> list[DocumentAnalysis]:
    return [document_analysis(d.cleaned, d.seg, scorers) for d in docs]


def cross_validated(
    docs: Sequence[LabelledDocument], background: Sequence[LabelledDocument], folds: int, progress: Progress | None
) -> list[DocumentAnalysis]:
    """Each fold read by scorers trained without it; the analyses come back in the documents' order."""
    if folds < 2:
        raise BreachlensError("--folds must be at least 2")
    out: dict[int, DocumentAnalysis] = {}
    for number, fold in enumerate(_folds(docs, folds), 1):
        if progress:
            progress(f"fold {number}/{folds}")
        held = set(fold)
        train = list(background) + [d for i, d in enumerate(docs) if i not in held]
        scorers = train_scorers(train)
        for i, analysis in zip(fold, _analyse([docs[i] for i in fold], scorers), strict=True):
            out[i] = analysis
    return [out[i] for i in range(len(docs))]


def evaluate(
    gold: Path,
    docs_dir: Path,
    settings: Settings,
    folds: int | None = None,
    shared: Path | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Metrics of the pipeline on one gold set (cross-validated when `folds` is given)."""
    docs = load_set(GoldSet("eval", gold, docs_dir), settings, progress)
    if folds:
        others = _present([s for s in training_sets(shared_dir(shared)) if s.gold.resolve() != gold.resolve()])
        analyses = cross_validated(docs, load_sets(others, settings, progress), folds, progress)
    else:
        analyses = _analyse(docs, load_scorers())
    analysis = Analysis(tuple(analyses), tuple(resolve(analyses, settings)), ())
    rows: list[dict[str, Any]] = [d.row for d in docs]
    return Evaluation(score(analysis.as_dict(), rows, docs_dir), analysis, folds)


def train_from_shared(
    settings: Settings, shared: Path | None = None, progress: Callable[[str], None] | None = None
) -> Scorers:
    """Scorers fitted on every gold set of train.toml under the shared folder."""
    sets = _present(training_sets(shared_dir(shared)))
    docs = load_sets(sets, settings, progress)
    trained_on = {s.name: {"documents": sum(1 for d in docs if d.set_name == s.name), "weight": s.weight} for s in sets}
    return train_scorers(docs, trained_on)
