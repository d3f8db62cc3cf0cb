"""One frozen Settings object handed to every stage, built from the packaged defaults.toml plus overrides."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import BreachlensError

_RENAMES: dict[tuple[str, str], str] = {("store", "path"): "store_path"}


def _flatten(tree: dict[str, Any]) -> dict[str, Any]:
    """[section] key = v  ->  {key: v} (with a few renames where keys would collide)."""
    flat: dict[str, Any] = {}
    for section, values in tree.items():
        if not isinstance(values, dict):
            flat[section] = values
            continue
        for key, value in values.items():
            flat[_RENAMES.get((section, str(key)), str(key))] = value
    return flat


def _packaged() -> dict[str, Any]:
    """The packaged defaults.toml, flattened: the one place every default is written (and explained)."""
    return _flatten(tomllib.loads(resources.files(__package__).joinpath("defaults.toml").read_text()))


_DEFAULTS = _packaged()


@dataclass(frozen=True)
class Settings:
    """Options for every stage; see defaults.toml for what each one means and why it has its value.

    Every default is read from defaults.toml (none is written here), so `Settings()` and `Settings.load()` agree.
    """

    max_bytes: int = _DEFAULTS["max_bytes"]
    suffixes: tuple[str, ...] = tuple(_DEFAULTS["suffixes"])
    model: str = _DEFAULTS["model"]
    max_chars: int = _DEFAULTS["max_chars"]
    max_token_chars: int = _DEFAULTS["max_token_chars"]
    max_line_chars: int = _DEFAULTS["max_line_chars"]
    max_sentence_chars: int = _DEFAULTS["max_sentence_chars"]
    nlp_window_tokens: int = _DEFAULTS["nlp_window_tokens"]
    nlp_batch_tokens: int = _DEFAULTS["nlp_batch_tokens"]
    document_seconds: float = _DEFAULTS["document_seconds"]
    store_path: str = _DEFAULTS["store_path"]
    near_duplicate_jaccard: float = _DEFAULTS["near_duplicate_jaccard"]
    max_gap_days: int = _DEFAULTS["max_gap_days"]
    allow_private: bool = _DEFAULTS["allow_private"]
    respect_robots: bool = _DEFAULTS["respect_robots"]

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Settings:
        """Defaults, then a TOML settings file (same layout as defaults.toml), then keyword overrides (None: not
        given, as for a command-line option left out)."""
        data = _packaged()
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
