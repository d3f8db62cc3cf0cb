"""Settings is the only options object: defaults from defaults.toml, a settings file over them, keyword (CLI)
overrides over both, and every field read where it matters (one test per setting)."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from breachlens import pipeline
from breachlens.analysis.clean import cap_text
from breachlens.cli import cli
from breachlens.errors import BreachlensError
from breachlens.ingest.acquire import expand_sources
from breachlens.ingest.fetch import FetchOptions
from breachlens.records import CleanDocument
from breachlens.settings import Settings


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    return str(path)


def test_settings_defaults_live_only_in_defaults_toml() -> None:
    defaults = tomllib.loads(resources.files("breachlens").joinpath("defaults.toml").read_text())
    settings = Settings.load()
    assert settings.input.max_bytes == defaults["input"]["max_bytes"]
    assert settings.store.path == defaults["store"]["path"]
    assert settings.fetch.respect_robots is defaults["fetch"]["respect_robots"]
    assert Settings() == settings  # the dataclass's defaults are read from the same file
    assert [f.name for f in fields(Settings)] == list(defaults)  # one field a section of the file
    for section, table in defaults.items():  # every default is in the file, under its section and key
        values = {f.name: getattr(getattr(settings, section), f.name) for f in fields(getattr(settings, section))}
        assert values == {key: tuple(v) if isinstance(v, list) else v for key, v in table.items()}


def test_settings_file_over_defaults_and_options_over_file(tmp_path: Path) -> None:
    config = _config(tmp_path, "[resolve]\nmax_gap_days = 30\n[store]\npath = 'a.db'\n")
    assert Settings.load(config).resolve.max_gap_days == 30
    assert Settings.load(config).store.path == "a.db"
    assert Settings.load(config, store_path="b.db", max_gap_days=None).store.path == "b.db"
    assert Settings.load(config, max_gap_days=None).resolve.max_gap_days == 30  # None: option not given
    flat = _config(tmp_path, "max_gap_days = 40\nstore_path = 'c.db'\n")  # a file without sections: flat names
    assert (Settings.load(flat).resolve.max_gap_days, Settings.load(flat).store.path) == (40, "c.db")


def test_settings_unknown_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BreachlensError, match="unknown settings: colour"):
        Settings.load(_config(tmp_path, "[input]\ncolour = 'red'\n"))


def test_settings_respect_robots_reaches_fetch_options(tmp_path: Path) -> None:
    assert FetchOptions.build(Settings.load()).respect_robots is True
    assert FetchOptions.build(Settings.load(respect_robots=False)).respect_robots is False
    config = _config(tmp_path, "[fetch]\nrespect_robots = false\n")
    assert FetchOptions.build(Settings.load(config)).respect_robots is False
    assert FetchOptions.build(Settings.load(config), respect_robots=True).respect_robots is True


def test_settings_allow_private_reaches_fetch_options() -> None:
    assert FetchOptions.build(Settings.load()).allow_private is False
    assert FetchOptions.build(Settings.load(allow_private=True)).allow_private is True


def test_settings_suffixes_choose_directory_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    found = list(expand_sources([str(tmp_path)], Settings.load(suffixes=[".md"])))
    assert [Path(str(f)).name for f in found] == ["a.md"]


def test_settings_max_bytes_refuses_larger_files(tmp_path: Path) -> None:
    from breachlens.ingest.acquire import acquire

    path = tmp_path / "big.txt"
    path.write_text("x" * 100)
    with pytest.raises(BreachlensError):
        acquire(str(path), Settings.load(max_bytes=10))


@pytest.mark.parametrize(
    ("name", "value", "text", "check"),
    [
        ("max_chars", 20, "word " * 10 + "\n" + "word " * 10, lambda out: len(out) <= 20),
        ("max_token_chars", 5, "short " + "x" * 50 + " end", lambda out: "x" * 50 not in out),
        ("max_line_chars", 30, "word " * 20, lambda out: max(len(line) for line in out.splitlines()) <= 30),
    ],
)
def test_settings_text_budgets_cut_clean_text(name: str, value: int, text: str, check: Any) -> None:
    out, dropped = cap_text(text, Settings.load(**{name: value}))
    assert check(out)
    assert out != text or dropped


def test_settings_nlp_settings_reach_the_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_segment(text: str, nlp: Any, max_chars: int, max_sentence_chars: int, window: int) -> str:
        seen.update(nlp=nlp, max_chars=max_chars, max_sentence_chars=max_sentence_chars, window=window)
        return "segmented"

    monkeypatch.setattr(pipeline, "load_nlp", lambda model: f"nlp:{model}")
    monkeypatch.setattr(pipeline, "segment", fake_segment)
    monkeypatch.setattr(pipeline, "document_analysis", lambda doc, seg: seg)
    settings = Settings.load(model="m", max_chars=11, max_sentence_chars=12, nlp_window_tokens=13,
                             document_seconds=0)
    assert pipeline.analyze_clean(CleanDocument("s", "sha", "text", None, None), settings) == "segmented"
    assert seen == {"nlp": "nlp:m", "max_chars": 11, "max_sentence_chars": 12, "window": 13}


def test_settings_nlp_batch_tokens_reach_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_parse(nlp: Any, texts: Any, window: int, batch: int) -> list[Any]:
        seen.update(window=window, batch=batch, texts=list(texts))
        return []

    monkeypatch.setattr(pipeline, "load_nlp", lambda model: model)
    monkeypatch.setattr(pipeline, "parse_texts", fake_parse)
    settings = Settings.load(nlp_window_tokens=7, nlp_batch_tokens=9, max_chars=3)
    pending = [(0, None, CleanDocument("s", "sha", "abcdef", None, None))]
    list(pipeline._parser(settings, pending))  # type: ignore[arg-type]
    assert seen == {"window": 7, "batch": 9, "texts": ["abc"]}


def test_settings_document_seconds_bounds_a_document(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float] = []

    class Deadline:
        def __init__(self, seconds: float, source: str) -> None:
            seen.append(seconds)

        def __enter__(self) -> None:
            raise RuntimeError("stop here")

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(pipeline, "deadline", Deadline)
    with pytest.raises(RuntimeError):
        pipeline.analyze_clean(CleanDocument("s", "sha", "t", None, None), Settings.load(document_seconds=3.5))
    assert seen == [3.5]


def test_settings_store_path_from_file_and_db_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BREACHLENS_DB", raising=False)
    config = _config(tmp_path, f"[store]\npath = '{tmp_path / 'configured.db'}'\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["watchlist", "add", "vendors", "--org", "Acme", "--config", config])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "configured.db").exists()
    assert not (tmp_path / "breachlens.db").exists()
    listed = runner.invoke(cli, ["watchlist", "list", "--config", config])
    assert "vendors" in listed.output
    other = runner.invoke(cli, ["watchlist", "list", "--config", config, "--db", str(tmp_path / "other.db")])
    assert "vendors" not in other.output
    by_env = runner.invoke(cli, ["incidents", "--json", "--config", config], env={"BREACHLENS_DB": "env.db"})
    assert by_env.exit_code == 0, by_env.output
    assert (tmp_path / "env.db").exists()


def test_settings_cli_ignore_robots_and_allow_private_override(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    import breachlens.ingest.sources as sources_module

    seen: list[Settings] = []

    def fake_ingest_sources(sources: Any, store: Any, settings: Settings, **kw: Any) -> Any:
        seen.append(settings)
        assert set(kw) <= {"feeds", "progress", "executor"}  # what reaches fetching is in the settings
        raise BreachlensError("stop")

    monkeypatch.setattr(sources_module, "ingest_sources", fake_ingest_sources)
    result = CliRunner().invoke(cli, ["ingest", "https://example.org/x", "--db", str(tmp_path / "s.db"),
                                      "--ignore-robots", "--allow-private"])
    assert result.exit_code == 1
    assert seen[0].fetch.respect_robots is False and seen[0].fetch.allow_private is True
    assert seen[0].store.path == str(tmp_path / "s.db")
