"""`python -m breachlens` runs the command line."""

from .cli import cli

cli()
