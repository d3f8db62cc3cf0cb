"""Fit the three scorers (main victim, other victims, is-an-incident) on labelled documents.

scikit-learn's logistic regression (the `train` extra) fits each head; only the weights leave this module, as
JSON beside their feature names (scorers.Scorers). The other-victim threshold is chosen on out-of-fold predictions of
the training documents themselves (grouped by incident), so a threshold is never tuned on what it will be judged on.
Everything is seeded: the same documents give the same file, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..analysis.attribute.features import document_features
from ..analysis.scorers import Head, Scorers
from ..errors import BreachlensError
from .corpus import LabelledDocument

# Inverse regularisation strength of every head: scikit-learn's default, not tuned (the features are logs, shares
# and flags on comparable scales). Tuning it by nested CV is open work.
C = 1.0
# The is-an-incident head is regularised harder: its hard cases (breach-topic pages that report no breach) are a
# few dozen among hundreds of easy ones, and at C=1 its weights grow to fit them. dev/news 5-fold CV, incidents the
# gate missed / negatives it let through, mean of fold seeds 7, 11, 23, at the 0.25 cut: C=1 3.0/1.0, C=0.3
# 2.0/1.0, C=0.1 2.0/1.0, C=3 3.3/1.0, C=10 3.3/1.0. A coarse choice among five values, so it is the dev set's;
# choosing it by nested CV is open work.
INCIDENT_C = 0.3
INNER_FOLDS = 3  # folds for choosing thresholds on the training documents
SEED = 7
# The is-an-incident cut. Tuned on inner folds (by F1 or accuracy) it landed at 0.72-0.82, dominated by the easy
# HIBP positives and nonbreach negatives, and lost 14 of 85 dev/news incidents. Measured by 5-fold CV: 0.5 gave
# victim 0.765 / non_incident 0.733 on dev/news; 0.3 gave 0.788 / 0.733, and 0.992 on dev/nonbreach. Re-measured
# after the extraction fixes of session 3: 0.3 -> 0.824 / 0.800, 0.25 -> 0.835 / 0.800 (records 0.769 -> 0.808),
# 0.2 -> 0.835 / 0.733; dev/nonbreach 0.992 at all three. A coarse choice among four cuts, so it is the dev set's.
INCIDENT_THRESHOLD = 0.25


def _sklearn() -> Any:
    """scikit-learn, or a clear error naming the extra to install."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise BreachlensError("training needs scikit-learn: pip install 'breachlens[train]'") from exc
    return LogisticRegression


def _fit_head(rows: Sequence[tuple[dict[str, float], int, float]], names: Sequence[str], c: float = C) -> Head:
    """Logistic regression over (features, label, weight) rows; balanced classes, fixed seed."""
    labels = [y for _f, y, _w in rows]
    if len(set(labels)) < 2:
        raise BreachlensError("cannot train a scorer: the training documents hold only one class")
    model = _sklearn()(C=c, class_weight="balanced", max_iter=5000, random_state=SEED)
    model.fit([[f.get(n, 0.0) for n in names] for f, _y, _w in rows], labels,
              sample_weight=[w for _f, _y, w in rows])
    return Head(float(model.intercept_[0]), dict(zip(names, (float(w) for w in model.coef_[0]), strict=True)))


def _feature_names(rows: Sequence[tuple[dict[str, float], int, float]]) -> list[str]:
    return sorted({name for f, _y, _w in rows for name in f})


def _candidate_rows(docs: Sequence[LabelledDocument], head: str) -> list[tuple[dict[str, float], int, float]]:
    """(features, label, weight) per candidate: label 1 for the gold victim ("main") or a named other victim."""
    rows = []
    for doc in docs:
        if head not in doc.heads:
            continue
        for key, features in doc.table.items():
            if head == "other" and doc.is_main(key):
                continue  # the main victim looks breached too; the other head only ever sees the rest
            label = doc.is_main(key) if head == "main" else doc.is_other(key)
            rows.append((features, int(label), doc.weight))
    return rows


def _document_rows(docs: Sequence[LabelledDocument], main: Head) -> list[tuple[dict[str, float], int, float]]:
    """(document features, is-incident, weight) per document, with the main head's candidate probabilities."""
    return [
        (document_features(d.reading, [main.probability(f) for f in d.table.values()], d.table), int(d.is_incident),
         d.weight)
        for d in docs
        if "incident" in d.heads
    ]


def _folds(docs: Sequence[LabelledDocument], k: int) -> list[list[int]]:
    """Document indices in k folds, whole groups per fold, assigned in a seeded order (GroupKFold-like)."""
    import random

    groups = sorted({d.group for d in docs})
    random.Random(SEED).shuffle(groups)
    fold_of = {g: i % k for i, g in enumerate(groups)}
    return [[i for i, d in enumerate(docs) if fold_of[d.group] == f] for f in range(k)]


def _best_threshold(scored: Sequence[tuple[float, int]]) -> float:
    """The probability cut that maximises F1 on (probability, label) pairs (0.5 when there is nothing to learn)."""
    positives = sum(y for _p, y in scored)
    if not positives or positives == len(scored):
        return 0.5
    best, best_value = 0.5, -1.0
    for cut in sorted({round(p, 4) for p, _y in scored}):
        tp = sum(1 for p, y in scored if p >= cut and y)
        fp = sum(1 for p, y in scored if p >= cut and not y)
        value = 2 * tp / (2 * tp + fp + (positives - tp))
        if value > best_value:
            best, best_value = cut, value
    return best


def train_scorers(
    docs: Sequence[LabelledDocument],
    trained_on: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Scorers:
    """Scorers fitted on `docs`; the other-victim threshold comes from inner out-of-fold predictions."""
    main_rows, other_rows = _candidate_rows(docs, "main"), _candidate_rows(docs, "other")
    names = _feature_names(main_rows)
    main, other = _fit_head(main_rows, names), _fit_head(other_rows, names)
    doc_rows = _document_rows(docs, main)
    doc_names = _feature_names(doc_rows)
    incident = _fit_head(doc_rows, doc_names, INCIDENT_C)
    other_scored: list[tuple[float, int]] = []
    for fold in _folds(docs, INNER_FOLDS):
        if progress:
            progress("choosing thresholds")
        held = set(fold)
        train = [d for i, d in enumerate(docs) if i not in held]
        test = [docs[i] for i in fold]
        if not test or not train:
            continue
        try:
            inner_other = _fit_head(_candidate_rows(train, "other"), names)
        except BreachlensError:
            continue  # a fold with one class only says nothing about thresholds
        for features, label, _w in _candidate_rows(test, "other"):
            other_scored.append((inner_other.probability(features), label))
    return Scorers(
        main,
        Head(other.bias, other.weights, _best_threshold(other_scored)),
        Head(incident.bias, incident.weights, INCIDENT_THRESHOLD),
        trained_on or {},
    )
