"""Options shared by the command modules (`cli`, `alerts.cli`): one --db, one --config, one way to read them.

The store path has one default, `[store] path` in defaults.toml; a settings file (--config) may change it and
--db (or BREACHLENS_DB) overrides both, as every command-line option overrides the settings it stands for.
"""

from __future__ import annotations

from typing import Any

import click

from .errors import BreachlensError
from .settings import Settings

__all__ = ["config_option", "db_option", "load_settings", "store_path"]

db_option = click.option(
    "--db",
    envvar="BREACHLENS_DB",
    help="SQLite file (or sqlite:/// URL), or postgresql://user@host/dbname for a shared database. "
    "Default: [store] path of the settings file, else breachlens.db.",
)
config_option = click.option(
    "--config", type=click.Path(dir_okay=False), help="Settings file (TOML, as defaults.toml)."
)


def load_settings(config: str | None, **overrides: Any) -> Settings:
    """Settings from the packaged defaults, a config file and options; errors become ClickException."""
    try:
        return Settings.load(config, **overrides)
    except BreachlensError as exc:
        raise click.ClickException(str(exc)) from exc


def store_path(db: str | None, config: str | None) -> str:
    """--db when given, else the settings' store path (for commands that need no other setting)."""
    return db if db is not None else load_settings(config).store.path
