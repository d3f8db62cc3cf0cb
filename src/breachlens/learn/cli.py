"""`breachlens train` and `breachlens eval`: thin click commands over breachlens.learn."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..errors import BreachlensError
from ..settings import Settings

# score.py's summary rows, in its order
SUMMARY = (
    "victim.accuracy", "non_incident.accuracy", "records.accuracy", "records.false_positives",
    "sector.accuracy", "country.accuracy", "ransom.accuracy", "disclosure_date.accuracy",
    "evidence.quotes", "evidence.invalid", "evidence.missing",
)
LISTED = ("data_exposed", "data_not_exposed", "initial_access", "response_actions", "threat_actor",
          "mentioned_victims", "clustering")


def _progress(quiet: bool) -> Callable[[str], None] | None:
    """A one-line status on stderr while parsing and training (nothing with --quiet or off a terminal)."""
    if quiet or not sys.stderr.isatty():
        return None
    return lambda what: click.echo(f"\r\x1b[K{Path(what).name[:70]}", err=True, nl=False)


@click.command("train")
@click.option("--shared", type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding dev/ and seeds/ (default: $BREACHLENS_SHARED or ../shared).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the scorers here (default: print them).")
@click.option("-q", "--quiet", is_flag=True, help="No progress line.")
def train(shared: Path | None, output: Path | None, quiet: bool) -> None:
    """Fit the victim, other-victim and is-an-incident scorers on the gold sets of data/train.toml.

    Needs the `train` extra (scikit-learn). The result is JSON weights beside their feature names; the same
    data gives the same file byte for byte.

    \b
    Example:
      breachlens train --shared ../shared -o src/breachlens/data/scorers.json     # what `make train` runs
    """
    from .evaluate import train_from_shared

    try:
        scorers = train_from_shared(Settings.load(), shared, _progress(quiet))
    except BreachlensError as exc:
        raise click.ClickException(str(exc)) from exc
    if output:
        output.write_text(scorers.to_json(), encoding="utf-8")
        click.echo(f"scorers written to {output}", err=True)
    else:
        click.echo(scorers.to_json(), nl=False)


@click.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("docs", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--folds", type=click.IntRange(min=2),
              help="Cross-validate: train on k-1 folds (grouped by incident_key), score the held-out fold.")
@click.option("--shared", type=click.Path(file_okay=False, path_type=Path),
              help="With --folds: folder of the other training sets (default: $BREACHLENS_SHARED or ../shared).")
@click.option("--min", "minimums", multiple=True, metavar="NAME=X", help="Fail (exit 1) if a metric is below X.")
@click.option("--max", "maximums", multiple=True, metavar="NAME=X", help="Fail (exit 1) if a metric is above X.")
@click.option("--analysis", "analysis_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the analysis JSON that was scored (for score.py --problems).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON (score.py's names).")
@click.option("-q", "--quiet", is_flag=True, help="No progress line.")
def eval_command(gold: Path, docs: Path, folds: int | None, shared: Path | None, minimums: tuple[str, ...],
                 maximums: tuple[str, ...], analysis_out: Path | None, as_json: bool, quiet: bool) -> None:
    """Score the pipeline on a gold set (JSON Lines, as ../shared/dev/*/gold.jsonl) and its documents.

    Without --folds the shipped scorers read every document (a training-set figure for the dev sets). With
    --folds K each fold is read by scorers trained without it: report these figures.

    \b
    Examples:
      breachlens eval ../shared/dev/news/gold.jsonl ../shared/dev/news/articles --folds 5
      breachlens eval ../shared/seeds/gold.jsonl ../shared/seeds --json
      breachlens eval GOLD DOCS --folds 5 --min victim.accuracy=0.9 --max evidence.invalid=0
    """
    from .evaluate import evaluate

    try:
        parsed = [(*_bound(t), "min") for t in minimums] + [(*_bound(t), "max") for t in maximums]
        result = evaluate(gold, docs, Settings.load(), folds, shared, _progress(quiet))
    except BreachlensError as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet and sys.stderr.isatty():
        click.echo("\r\x1b[K", err=True, nl=False)
    metrics = result.metrics
    if analysis_out:
        analysis_out.write_text(json.dumps(result.analysis.as_dict(), indent=1, ensure_ascii=False), "utf-8")
    if as_json:
        click.echo(json.dumps(metrics, indent=2))
    else:
        click.echo(f"{'cross-validated, ' + str(folds) + ' folds' if folds else 'shipped scorers'}")
        for name in ("documents", *SUMMARY):
            click.echo(f"{name:32} {_fmt(name, metrics[name])}")
        for field in LISTED:
            for part in ("precision", "recall", "f1"):
                click.echo(f"{field + '.' + part:32} {_fmt(field, metrics[field + '.' + part])}")
    failed = [f"{name} = {metrics[name]:.3f} is {'below' if kind == 'min' else 'above'} {limit}"
              for name, limit, kind in parsed
              if (metrics[name] < limit if kind == "min" else metrics[name] > limit)]
    for line in failed:
        click.echo(f"error: {gold}: {line}", err=True)
    if failed:
        sys.exit(1)


def _bound(text: str) -> tuple[str, float]:
    """"victim.accuracy=0.9" -> ("victim.accuracy", 0.9), or an error naming what is wrong."""
    name, _, value = text.partition("=")
    known = set(SUMMARY) | {f"{f}.{p}" for f in LISTED for p in ("precision", "recall", "f1")}
    if name not in known:
        raise BreachlensError(f"unknown metric {name!r} in {text!r}")
    try:
        return name, float(value)
    except ValueError:
        raise BreachlensError(f"not a number in {text!r}") from None


COUNTS = frozenset({"documents", "records.false_positives", "evidence.quotes", "evidence.invalid", "evidence.missing"})


def _fmt(name: str, value: float) -> str:
    return str(int(value)) if name in COUNTS else f"{value:.3f}"
