"""One frozen Settings object handed to every stage, built from the packaged defaults.toml plus overrides."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import BreachlensError


@dataclass(frozen=True)
class Settings:
    """Options for every stage; see defaults.toml for what each one means and why it has its value.

    The defaults live only in defaults.toml: build with `Settings.load()`, not `Settings.load()`.
    """

    max_bytes: int
    suffixes: tuple[str, ...]
    model: str
    max_chars: int
    max_token_chars: int
    max_line_chars: int
    max_sentence_chars: int
    nlp_window_tokens: int
    nlp_batch_tokens: int
    document_seconds: float
    store_path: str
    near_duplicate_jaccard: float
    max_gap_days: int
    allow_private: bool
    respect_robots: bool

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
        data["suffixes"] = tuple(data["suffixes"])
        return cls(**data)


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
