"""One frozen Settings object handed to every stage, built from the packaged defaults.toml plus overrides.

Settings mirrors the file: one small frozen dataclass a [section] of defaults.toml, its fields named as the
section's keys (`settings.nlp.max_chars`, `settings.store.path`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

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


def _packaged() -> dict[str, dict[str, Any]]:
    """The packaged defaults.toml: the one place every default is written (and explained)."""
    return tomllib.loads(resources.files(__package__).joinpath("defaults.toml").read_text())


_PACKAGED = _packaged()
# Each option's flat name (as a keyword of Settings.load, or a key of a settings file without sections) -> its
# section and key in defaults.toml.
_PLACES: dict[str, tuple[str, str]] = {
    _RENAMES.get((section, key), key): (section, key) for section, table in _PACKAGED.items() for key in table
}

_Section = TypeVar("_Section")


def _frozen(value: Any) -> Any:
    """A TOML list as the tuple a frozen field holds; any other value as it is."""
    return tuple(value) if isinstance(value, list) else value


def _section(cls: type[_Section], table: dict[str, Any]) -> _Section:
    """One section's dataclass from its TOML table."""
    return cls(**{key: _frozen(value) for key, value in table.items()})


@dataclass(frozen=True)
class InputSettings:
    """[input]: the size over which an input (a file, a fetched page, a WARC record) is refused, --max-bytes for
    one run, and the file suffixes read from a directory."""

    max_bytes: int
    suffixes: tuple[str, ...]


@dataclass(frozen=True)
class FetchSettings:
    """[fetch]: the SSRF guard (--allow-private lifts it for one run) and robots.txt (--ignore-robots)."""

    allow_private: bool
    respect_robots: bool


@dataclass(frozen=True)
class NlpSettings:
    """[nlp]: the spaCy pipeline and the budgets that bound one document's analysis in time and memory: its text
    is cut where it enters (clean), parsed in windows and batches, and given up past its deadline."""

    model: str
    max_chars: int
    max_token_chars: int
    max_line_chars: int
    max_sentence_chars: int
    nlp_window_tokens: int
    nlp_batch_tokens: int
    document_seconds: float


@dataclass(frozen=True)
class StoreSettings:
    """[store]: the database (a SQLite file or a URL); --db or BREACHLENS_DB overrides it."""

    path: str


@dataclass(frozen=True)
class ResolveSettings:
    """[resolve]: when two articles are copies of one text (the copy's quotes count for the original's source),
    and when dates far apart make separate breaches of one victim."""

    near_duplicate_jaccard: float
    max_gap_days: int


@dataclass(frozen=True)
class Settings:
    """Options for every stage, one field a section of defaults.toml; see that file for what each option means
    and why it has its value.

    Every default is read from defaults.toml (none is written here), so `Settings()` and `Settings.load()` agree.
    """

    input: InputSettings = _section(InputSettings, _PACKAGED["input"])
    fetch: FetchSettings = _section(FetchSettings, _PACKAGED["fetch"])
    nlp: NlpSettings = _section(NlpSettings, _PACKAGED["nlp"])
    store: StoreSettings = _section(StoreSettings, _PACKAGED["store"])
    resolve: ResolveSettings = _section(ResolveSettings, _PACKAGED["resolve"])

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Settings:
        """Defaults, then a TOML settings file (same layout as defaults.toml), then keyword overrides by flat
        option name (`max_chars`, `store_path`; None: not given, as for a command-line option left out)."""
        data: dict[str, Any] = {}
        if path is not None:
            try:
                data.update(_flatten(tomllib.loads(Path(path).read_text())))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise BreachlensError(f"{path}: cannot read settings: {exc}") from exc
        data.update({k: v for k, v in overrides.items() if v is not None})
        unknown = sorted(set(data) - set(_PLACES))
        if unknown:
            raise BreachlensError(f"unknown settings: {', '.join(unknown)}")
        tables: dict[str, dict[str, Any]] = {}
        for name, value in data.items():
            section, key = _PLACES[name]
            tables.setdefault(section, {})[key] = _frozen(value)
        settings = cls()
        for section, table in tables.items():
            settings = replace(settings, **{section: replace(getattr(settings, section), **table)})
        return settings
