"""Learned scorers: logistic weights read from a JSON file shipped in the package (no pickle, no training library).

`make train` (breachlens.learn.train) fits them on ../shared/dev and writes data/scorers.json; each weight sits
beside its feature name, so a reviewer can read why a candidate won. Three heads:

- `main`     P(this candidate is the document's victim), over attribute/features.candidate_features
- `other`    P(this candidate is named as breached in another incident), same features
- `incident` P(the document reports a breach at all), over attribute/features.document_features
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

SCORERS_FILE = "data/scorers.json"


@dataclass(frozen=True)
class Head:
    """One logistic scorer: P = sigmoid(bias + sum(weight[f] * x[f])); features it does not know weigh 0."""

    bias: float
    weights: Mapping[str, float]
    threshold: float = 0.5

    def probability(self, features: Mapping[str, float]) -> float:
        """The scorer's probability for one feature dict."""
        z = self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def accepts(self, features: Mapping[str, float]) -> bool:
        """Probability at or over the head's threshold."""
        return self.probability(features) >= self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {"bias": self.bias, "threshold": self.threshold, "weights": dict(self.weights)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Head:
        return cls(float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()},
                   float(data.get("threshold", 0.5)))


@dataclass(frozen=True)
class Scorers:
    """The heads attribution decides with, plus what they were trained on (for the record)."""

    main: Head
    other: Head
    incident: Head
    trained_on: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "trained_on": dict(self.trained_on),
            "heads": {"main": self.main.as_dict(), "other": self.other.as_dict(), "incident": self.incident.as_dict()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorers:
        heads = data["heads"]
        return cls(Head.from_dict(heads["main"]), Head.from_dict(heads["other"]),
                   Head.from_dict(heads["incident"]), data.get("trained_on", {}))

    def to_json(self) -> str:
        """Stable text (sorted keys, fixed rounding) so `make train` reproduces the file byte for byte."""
        return json.dumps(_rounded(self.as_dict()), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _rounded(value: Any) -> Any:
    """Floats to 6 decimals, recursively: platform noise in the last bits must not change the file."""
    if isinstance(value, float):
        return round(value, 6) + 0.0
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def load_scorers(path: str | Path | None = None) -> Scorers:
    """Scorers from a JSON file, or the ones shipped in the package."""
    if path is not None:
        return Scorers.from_dict(json.loads(Path(path).read_text("utf-8")))
    return _packaged()


@lru_cache(maxsize=1)
def _packaged() -> Scorers:
    """The shipped scorers (read once per process)."""
    text = resources.files("breachlens").joinpath(SCORERS_FILE).read_text("utf-8")
    return Scorers.from_dict(json.loads(text))
