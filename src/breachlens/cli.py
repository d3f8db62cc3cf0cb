"""The `breachlens` command: a thin click layer over the library (each command parses, calls one function, prints).

Errors are one line on stderr (`error: <source>: <reason>`); a batch keeps going past a bad input and the exit
status is 1 when any input failed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .cli_options import config_option, db_option, load_settings, store_path
from .delivery.alerts.cli import alert_run, alerts, notify_config_option, notify_option, watchlist
from .errors import BreachlensError
from .learn.cli import eval_command, train
from .records import MergedIncident, SourceFailure
from .settings import Settings
from .version import __version__

if TYPE_CHECKING:  # the store is imported when a command opens one, not when the CLI starts
    from .store import Store

FORMATS = ("json", "md", "html")




def _report_failures(failures: Sequence[SourceFailure]) -> None:
    """One `error: <source>: <reason>` line per failed input (control characters shown escaped, so a file name
    with a newline cannot forge a second line, nor one with terminal escapes drive the terminal)."""
    for failure in failures:
        click.echo(f"error: {printable(failure.source)}: {printable(failure.reason)}", err=True)


def printable(text: str) -> str:
    """`text` with control and format characters (newlines, ESC, bidi overrides) written as escapes."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


@contextmanager
def _progress(total: int, quiet: bool, label: str) -> Iterator[Any]:
    """A rich progress bar on stderr (only on a terminal, never with --quiet); yields a per-item callback."""
    if quiet or total < 2 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=total)
        seen = {"n": 0}

        def advance(source: str) -> None:
            if seen["n"]:
                bar.advance(task)
            seen["n"] += 1
            bar.update(task, description=escape(printable(Path(source).name[:40])))

        yield advance


def _count_sources(sources: Sequence[str], settings: Settings) -> int:
    """How many documents the sources expand to (for the progress bar)."""
    from .ingest.acquire import expand_sources

    return sum(1 for s in expand_sources(sources, settings) if not isinstance(s, SourceFailure))


def _open_store(db: str) -> Store:
    """The store at `db`, with errors as ClickException."""
    from .store import open_store

    try:
        return open_store(db)
    except BreachlensError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="breachlens")
def cli() -> None:
    """Read what the world writes about data breaches and turn it into evidence-grounded incident records.

    \b
    Quick start:
      breachlens analyze article.txt page.html DIR/ --format md   # an analyst's report, every line cited
      breachlens ingest DIR/                                      # store in ./breachlens.db and merge sources
      breachlens incidents --sector retail                        # what is stored
      breachlens show cartier-2025-06                             # one merged incident with its conflicts
    """


_allow_private_option = click.option(
    "--allow-private",
    is_flag=True,
    help="Allow URLs on loopback/private networks (off by default: such URLs are refused as unsafe).",
)
_output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to a file instead of stdout."
)


_F = TypeVar("_F", bound=Callable[..., Any])


def _format_option(formats: Sequence[str], default: str | None, help: str) -> Callable[[_F], _F]:
    """`--format` (passed as `fmt`) for the commands that write several formats, spelled one way for all of them;
    without a default the option is required."""
    given: dict[str, Any] = {"required": True} if default is None else {"default": default, "show_default": True}
    return click.option("--format", "fmt", type=click.Choice(formats), help=help, **given)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@_format_option(FORMATS, "json", "json: the analysis contract; md/html: an analyst's report per incident.")
@_output_option
@click.option(
    "--show-dropped", is_flag=True, help="Include the page chrome dropped from each document (json)."
)
@click.option(
    "--max-bytes", type=click.IntRange(min=1), help="Refuse inputs larger than this (default 10 MB)."
)
@_allow_private_option
@config_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def analyze(
    sources: tuple[str, ...],
    fmt: str,
    output: str | None,
    show_dropped: bool,
    max_bytes: int | None,
    allow_private: bool,
    config: str | None,
    quiet: bool,
) -> None:
    """Analyse articles (files, directories of .txt/.md/.html, or http(s) URLs) without storing anything.

    \b
    Examples:
      breachlens analyze news/ --format json > analysis.json
      breachlens analyze article.txt --format md
      breachlens analyze https://example.org/news/some-breach --format md
    """
    from .pipeline import analyze as run

    settings = load_settings(config, max_bytes=max_bytes, allow_private=allow_private or None)
    with _progress(_count_sources(sources, settings), quiet, "analysing") as progress:
        analysis = run(sources, settings, progress)
    if fmt == "json":
        text = json.dumps(analysis.as_dict(show_dropped), indent=2, ensure_ascii=False)
    else:
        from .delivery.report import render_html, render_markdown

        render = render_markdown if fmt == "md" else render_html
        text = render(analysis.incidents, analysis.documents)
    _write(text, output)
    _report_failures(analysis.failures)
    if analysis.failures:
        sys.exit(1)


def _write(text: str, output: str | None) -> None:
    """Text to a file or stdout."""
    if output:
        Path(output).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    else:
        click.echo(text)


@cli.command()
@click.argument("sources", nargs=-1)
@db_option
@click.option(
    "--feed",
    "feeds",
    multiple=True,
    metavar="URL",
    help="An RSS/Atom feed: ingest its new items. Repeatable.",
)
@click.option(
    "--max-bytes", type=click.IntRange(min=1), help="Refuse inputs larger than this (default 10 MB)."
)
@_allow_private_option
@click.option("--ignore-robots", is_flag=True, help="Fetch pages even where robots.txt disallows it.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Analysis processes for files (default: one per core for large batches; 1 = serial).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Analyse on a Dask cluster: tcp://host:8786, or 'local' (pip install 'breachlens[dask]').")
@config_option
@notify_option
@notify_config_option
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def ingest(
    sources: tuple[str, ...],
    db: str | None,
    feeds: tuple[str, ...],
    max_bytes: int | None,
    allow_private: bool,
    ignore_robots: bool,
    config: str | None,
    as_json: bool,
    quiet: bool,
    notify: tuple[str, ...] = (),
    notify_config: str | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
) -> None:
    """Analyse articles and store them; sources about one incident are merged into one record.

    SOURCES are files, directories, http(s) URLs and web archives (.warc, .warc.gz, .arc, .arc.gz).
    Re-ingesting a document already stored changes nothing.

    \b
    Examples:
      breachlens ingest news/ --db breaches.db
      breachlens ingest https://example.org/news/some-breach
      breachlens ingest --feed https://example.org/security/feed.xml
      breachlens ingest crawl.warc.gz
    """
    from .ingest.executors import make_executor
    from .ingest.sources import ingest_sources, split_sources

    if not sources and not feeds:
        raise click.UsageError("give files, directories, URLs, web archives or --feed URL")
    settings = load_settings(config, store_path=db, max_bytes=max_bytes, allow_private=allow_private or None,
                             respect_robots=False if ignore_robots else None)
    db = settings.store.path
    files, urls, _archives = split_sources(sources)
    with _open_store(db) as store:
        try:
            alert_hook = alert_run(store, settings, notify, notify_config)
            count = _count_sources(files, settings) if files else 0
            if workers is None and not dask_address and count < POOL_MIN_DOCUMENTS:
                workers = 1  # a pool costs ~2 s to start: not worth it for a few documents
            pool = make_executor(workers, dask_address) if files else nullcontext(None)
            with _progress(count + len(urls), quiet, "ingesting") as progress, pool as executor:
                summary = ingest_sources(sources, store, settings, feeds=feeds, progress=progress, executor=executor)
            raised, _report = alert_hook.after()
        except BreachlensError as exc:
            raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=2))
    elif not quiet:
        click.echo(
            f"{summary.new} new, {summary.duplicates} already stored, {summary.not_about_a_breach} not about "
            f"a breach, {summary.failed} failed; {summary.incident_count} incidents in {db}"
        )
    _report_failures(summary.failures)
    if summary.failed:
        sys.exit(1)


# Below this many files ingest runs serially: starting a process pool (spaCy loaded in each worker) costs ~2 s.
POOL_MIN_DOCUMENTS = 64

_DURATION = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse_duration(text: str) -> float:
    """'15m' -> 900.0 (s, m, h, d; a bare number is seconds)."""
    text = text.strip().lower()
    try:
        if text and text[-1] in _DURATION:
            return float(text[:-1]) * _DURATION[text[-1]]
        return float(text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: use a number with s, m, h or d, e.g. 15m") from None


@cli.command()
@click.argument("feeds_file", type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--every", default="15m", show_default=True, help="Pause between runs: 30s, 15m, 1h...")
@_allow_private_option
@click.option("--ignore-robots", is_flag=True, help="Fetch pages even where robots.txt disallows it.")
@click.option("--once", is_flag=True, help="Do one run and stop (for cron).")
@config_option
@notify_option
@notify_config_option
@click.option("--json", "as_json", is_flag=True, help="Print each event as a JSON line.")
def watch(
    feeds_file: str,
    db: str | None,
    every: str,
    allow_private: bool,
    ignore_robots: bool,
    once: bool,
    config: str | None,
    as_json: bool,
    notify: tuple[str, ...] = (),
    notify_config: str | None = None,
) -> None:
    """Poll the feeds listed in FEEDS_FILE (one URL a line, # comments) and ingest what is new, until stopped.

    Prints a line per new incident and per new fact; a feed that is down is retried with backoff while the
    others go on. Ctrl-C (or SIGTERM) stops after the current batch is committed.

    \b
    Example:
      breachlens watch feeds.txt --every 15m --db breaches.db
    """
    import threading

    from .ingest.watch import WatchEvent
    from .ingest.watch import watch as run

    urls = [
        line.strip()
        for line in Path(feeds_file).read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not urls:
        raise click.ClickException(f"{feeds_file}: no feed URLs in it")
    settings = load_settings(config, store_path=db, allow_private=allow_private or None,
                             respect_robots=False if ignore_robots else None)
    stop = threading.Event()

    def on_event(event: WatchEvent) -> None:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "kind": event.kind,
                        "message": event.message,
                        "source": event.source,
                        "incident": event.incident_id,
                        "field": event.field,
                    },
                    default=str,
                )
            )
        else:
            click.echo(event.message, err=event.kind in ("feed_error", "error"))
        if event.kind == "run":
            alerts_raised, _report = hook["run"].after()
            for alert in alerts_raised:
                click.echo(f"alert: {alert.title}")
            hook["run"] = alert_run(store, settings, notify, notify_config)
        if once and event.kind == "run":
            stop.set()

    hook: dict[str, Any] = {}
    with _open_store(settings.store.path) as store:
        hook["run"] = alert_run(store, settings, notify, notify_config)
        run(urls, store, settings, _parse_duration(every), on_event, stop)


@cli.command()
@db_option
@click.option("--sector", help="Only this sector (e.g. retail, luxury-fashion).")
@click.option("--actor", help="Only incidents attributed to this threat actor (any alias).")
@click.option("--data", "data_type", help="Only incidents that exposed this data type (e.g. email).")
@click.option("--country", help="Only victims in this country (ISO alpha-2).")
@click.option("--since", help="Only incidents dated on/after YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--search", help="Full-text search over incidents.")
@click.option("--changed-since",
              help="Only incidents created or changed (new source, revised records, ...) "
                   "at/after this UTC date or time.")
@click.option("--sort", "order", type=click.Choice(["date", "changed"]), default="date", show_default=True,
              help="Newest incident date first, or last change first.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many (with --limit: pages).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the analysis contract's incident shape).")
@config_option
def incidents(
    db: str | None,
    sector: str | None,
    actor: str | None,
    data_type: str | None,
    country: str | None,
    since: str | None,
    search: str | None,
    limit: int | None,
    as_json: bool,
    changed_since: str | None = None,
    order: str = "date",
    offset: int = 0,
    config: str | None = None,
) -> None:
    """List stored incidents, newest first.

    \b
    Example:
      breachlens incidents --actor ShinyHunters --since 2025-01 --json
      breachlens incidents --changed-since 2025-07-01 --sort changed
    """
    with _open_store(store_path(db, config)) as store:
        try:
            found = store.incidents(
                sector=sector,
                actor=actor,
                data_type=data_type,
                since=since,
                search=search,
                country=country,
                limit=limit,
                changed_since=changed_since,
                order=f"-{order}",  # newest first
                offset=offset,
            )
        except BreachlensError as exc:
            raise click.ClickException(str(exc)) from exc
        if as_json:
            click.echo(json.dumps([m.as_dict() for m in found], indent=2, ensure_ascii=False))
            return
        first_dates = store.first_dates([m.id for m in found])
    from .delivery.show import incidents_table

    incidents_table(found, first_dates)


@cli.command("resolve")
@db_option
@click.option("--full", is_flag=True,
              help="Re-resolve every stored document (after a model update), not only new ones.")
@config_option
def resolve_command(db: str | None, full: bool, config: str | None) -> None:
    """Resolve stored documents into incidents: those not yet resolved, or with --full all of them (ids kept).

    An ingest already resolves what it stores; run this after a model or settings update (--full), or to finish
    a resolve an interrupted ingest left queued.

    \b
    Example:
      breachlens resolve --full --db breaches.db
    """
    from .ingest.run import refresh_incidents

    settings = load_settings(config, store_path=db)
    db = settings.store.path
    with _open_store(db) as store:
        try:
            outcome = refresh_incidents(store, settings, full=full)
            total = store.counts()["incidents"]
        except BreachlensError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(
        f"resolved {outcome.documents} documents: {len(outcome.changed)} incidents created or changed, "
        f"{len(outcome.removed)} merged away; {total} incidents in {db}"
    )


@cli.command()
@click.argument("incident_id")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the merged record as JSON.")
@config_option
def show(incident_id: str, db: str | None, as_json: bool, config: str | None = None) -> None:
    """Show one merged incident: facts with modality and confidence, sources, conflicts and timeline.

    \b
    Example:
      breachlens show kering-2025-06
    """
    merged = _get_incident(store_path(db, config), incident_id)
    if as_json:
        click.echo(json.dumps(merged.as_dict(), indent=2, ensure_ascii=False))
        return
    from .delivery.show import incident_panel

    incident_panel(merged)


def _get_incident(db: str, incident_id: str) -> MergedIncident:
    """A stored incident or a one-line error naming the id."""
    with _open_store(db) as store:
        merged = store.incident(incident_id)
    if merged is None:
        raise click.ClickException(f"{incident_id}: no such incident in {db} (see `breachlens incidents`)")
    return merged


REPORT_FORMATS = ("md", "html", "json", "stix", "misp", "veris")


@cli.command()
@click.argument("incident_id")
@db_option
@_format_option(
    REPORT_FORMATS, "md", "md/html/json: the analyst's report; stix/misp/veris: for threat-intel platforms."
)
@_output_option
@config_option
def report(incident_id: str, db: str | None, fmt: str, output: str | None, config: str | None = None) -> None:
    """An analyst's report on a stored incident (each factual line cited), or its STIX 2.1 / MISP / VERIS export.

    \b
    Examples:
      breachlens report kering-2025-06 --format html -o kering.html
      breachlens report kering-2025-06 --format stix > kering.stix.json
    """
    from .delivery.report import render_html, render_json, render_markdown

    db = store_path(db, config)
    merged = _get_incident(db, incident_id)
    with _open_store(db) as store:
        documents = store.document_analyses(merged.sources)  # only this incident's documents are read
    if fmt in ("stix", "misp", "veris"):
        _write(_export(fmt, [merged], documents), output)
        return
    render = {"md": render_markdown, "html": render_html, "json": render_json}[fmt]
    _write(render([merged], documents), output)


def _export(fmt: str, incidents: Sequence[MergedIncident], documents: Sequence[Any]) -> str:
    """An exporter's JSON text, with export errors as one-line errors."""
    from .delivery.export import export as run

    try:
        return run(fmt, incidents, documents)
    except BreachlensError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command("export")
@db_option
@_format_option(
    ("stix", "misp", "veris", "navigator"),
    None,
    "stix: one bundle; misp: events; veris: incidents; navigator: an ATT&CK layer over all of them.",
)
@click.option("--since", help="Only incidents dated on/after YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--sector", help="Only this sector.")
@click.option("--actor", help="Only incidents attributed to this threat actor.")
@_output_option
@config_option
def export_command(
    db: str | None, fmt: str, since: str | None, sector: str | None, actor: str | None, output: str | None,
    config: str | None = None,
) -> None:
    """Export many stored incidents at once for OpenCTI, MISP, VERIS tooling or the ATT&CK Navigator.

    \b
    Examples:
      breachlens export --format navigator --since 2025-01 > layer.json
      breachlens export --format stix --since 2025-01 > all.json
    """
    with _open_store(store_path(db, config)) as store:
        try:
            found = store.incidents(since=since, sector=sector, actor=actor)
        except BreachlensError as exc:
            raise click.ClickException(str(exc)) from exc
        sources = {s for m in found for s in m.sources}
        documents = store.document_analyses(sorted(sources))
    if not found:
        click.echo("no incidents match", err=True)
    _write(_export(fmt, found, documents), output)


@cli.command()
@click.argument("query")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
def search(query: str, db: str | None, limit: int, as_json: bool, config: str | None = None) -> None:
    """Full-text search over stored documents (every word must match).

    \b
    Example:
      breachlens search "salesforce phishing"
    """
    with _open_store(store_path(db, config)) as store:
        hits = store.search_documents(query, limit=limit)
    if as_json:
        click.echo(json.dumps([h._asdict() for h in hits], indent=2, ensure_ascii=False))
        return
    for hit in hits:
        click.echo(f"{hit.source}\n    {hit.snippet}")
    if not hits:
        click.echo("no matches", err=True)


def _bench_store_growth(as_json: bool) -> None:
    """`bench --store-growth`: the table, or with --json a list of {store_documents, seconds, peak_rss_mb}."""
    from benchmarks.bench_store import bench_store_growth

    rows = bench_store_growth()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    base = rows[0]
    click.echo("store documents   ingest 100 (s)   x 1k   peak RSS (MB)   x 1k   documents re-resolved")
    for row in rows:
        click.echo(
            f"{row['store_documents']:>15,}   {row['seconds']:>14.3f}   {row['seconds'] / base['seconds']:>4.2f}"
            f"   {row['peak_rss_mb']:>13.1f}   {row['peak_rss_mb'] / base['peak_rss_mb']:>4.2f}"
            f"   {row['documents_resolved']:>21}"
        )


@cli.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--repeats", type=click.IntRange(min=1), default=1, show_default=True, help="Timed runs (best kept)."
)
@click.option("--no-resolve", is_flag=True, help="Skip the resolve benchmark on synthetic documents.")
@click.option("--scaling", is_flag=True,
              help="Also measure serial vs --workers 2 vs a 2-worker Dask LocalCluster on 1,000 synthetic documents.")
@click.option("--hostile", is_flag=True,
              help="Instead: seconds and peak RSS of analysing each hostile document (generated), each in a fresh "
                   "process; then an ingest of the whole hostile corpus with --workers pool workers.")
@click.option("--scale", type=click.FloatRange(min=0.001, max=1.0), default=1.0, show_default=True,
              help="With --hostile: size of the hostile documents (1.0 = full size, up to 9.9 MB).")
@click.option("--workers", type=click.IntRange(min=0, max=64), default=2, show_default=True,
              help="With --hostile: pool workers of the corpus ingest (0 skips the ingest).")
@click.option("--store-growth", is_flag=True,
              help="Only measure ingesting 100 new documents into stores of 1,000 / 10,000 / 100,000 documents.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@config_option
def bench(
    sources: tuple[str, ...], repeats: int, no_resolve: bool, as_json: bool, config: str | None,
    scaling: bool = False, hostile: bool = False, scale: float = 1.0, workers: int = 2,
    store_growth: bool = False,
) -> None:
    """Measure throughput: our analysis vs a bare spaCy pass over the same texts, and resolve vs n·log n.

    \b
    Example:
      breachlens bench samples/ ../shared/dev/hibp/articles
      breachlens bench --hostile                   # the budgets: worst seconds and memory per hostile kind
      breachlens bench --store-growth --json
    """
    if hostile:
        _bench_hostile(scale, workers, as_json, config)
        return
    if store_growth:
        _bench_store_growth(as_json)
        return
    from benchmarks.bench import run_bench

    settings = load_settings(config)
    result = run_bench(list(sources), settings, repeats, () if no_resolve else (250, 500, 1000, 2000))
    figures = result.as_dict()
    if scaling:
        from benchmarks.bench_scale import bench_scaling

        try:
            import distributed  # noqa: F401 - only to know whether the Dask extra is installed
            has_dask = True
        except ImportError:
            has_dask = False
        figures["scaling"] = bench_scaling(docs=1000, memory_docs=0, workers=2, dask=has_dask, settings=settings)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        if key != "resolve":
            click.echo(f"{key:28} {value}")
    if "scaling" in figures:
        click.echo("scaling: " + json.dumps(figures["scaling"]))
    for row in figures.get("resolve", []):
        click.echo(
            f"resolve n={row['n']:<6} incidents={row['incidents']:<5} {row['seconds']:.3f}s  "
            f"time growth / n·log n growth = {row['ratio']:.2f}"
        )


def _bench_hostile(scale: float, workers: int, as_json: bool, config: str | None) -> None:
    """`bench --hostile`: the table per hostile kind, then the corpus ingest."""
    from benchmarks.bench_hostile import bench_hostile, bench_hostile_ingest, format_table

    rows = bench_hostile(scale, config=config)
    ingest_figures = bench_hostile_ingest(scale, workers) if workers else None
    if as_json:
        click.echo(json.dumps({"kinds": [r.as_dict() for r in rows], "ingest": ingest_figures}, indent=2))
        return
    click.echo(format_table(rows))
    if ingest_figures is not None:
        click.echo(
            f"ingest of the whole corpus with {ingest_figures['workers']} workers: {ingest_figures['seconds']} s, "
            f"exit {ingest_figures['exit']}, {ingest_figures['error_lines']} error lines; peak RSS MB: main "
            f"{ingest_figures['main_peak_rss_mb']}, workers {ingest_figures['worker_peak_rss_mb']}"
        )


@cli.command()
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (anything but loopback needs --token).",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--token", envvar="BREACHLENS_TOKEN", help="Bearer token required for state-changing requests.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A Host name to answer to besides localhost and loopback addresses (repeatable); other "
                   "Host headers get 400, which stops DNS rebinding.")
@config_option
def serve(db: str | None, host: str, port: int, token: str | None, allowed_hosts: tuple[str, ...],
          config: str | None) -> None:
    """Serve the web UI, the REST API (/api, OpenAPI at /api/docs) and a TAXII 2.1 feed (/taxii2/).

    \b
    Example:
      breachlens serve --db breaches.db          # then open http://127.0.0.1:8000
    """
    from .delivery.web import serve as run

    try:
        settings = load_settings(config, store_path=db)
        run(host=host, port=port, db=settings.store.path, token=token, settings=settings, allowed_hosts=allowed_hosts)
    except BreachlensError as exc:
        raise click.ClickException(str(exc)) from exc


cli.add_command(watchlist)
cli.add_command(alerts)
cli.add_command(train)
cli.add_command(eval_command)


def main() -> None:  # pragma: no cover - console entry point alias
    """Entry point for `python -m breachlens`."""
    cli()
