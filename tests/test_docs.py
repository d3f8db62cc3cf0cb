"""Every command has help with an example, and the README names every command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from breachlens.cli import cli

COMMANDS = sorted(cli.commands)  # type: ignore[attr-defined]
README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("name", COMMANDS)
def test_docs_every_command_has_help_with_an_example(name: str) -> None:
    command: click.Command = cli.commands[name]  # type: ignore[attr-defined]
    assert command.help and "Example" in command.help
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_docs_readme_mentions_every_command(name: str) -> None:
    assert f"breachlens {name}" in README


def test_docs_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block
