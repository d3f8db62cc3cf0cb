"""Click commands for watchlists and alerts, registered on the main group with one line each:

    from .alerts.cli import alerts, watchlist
    cli.add_command(watchlist)
    cli.add_command(alerts)

`notify_option` and `alert_run` let `ingest` and `watch` take `--notify` and raise alerts around their runs.
Each command parses options, calls the library (`delivery.alerts`) and formats the result; errors: one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from ...cli_options import config_option, db_option, store_path
from ...errors import BreachlensError
from ...settings import Settings
from ...store import Store
from .engine import AlertRun, deliver_pending, scan, stored_alerts
from .notify import EmailNotifier, NotifyConfig, WebhookNotifier, notifiers_from_specs, render_text
from .watchlists import Watchlist, load_supplier_list

__all__ = ["watchlist", "alerts", "notify_option", "notify_config_option", "alert_run"]

F = TypeVar("F", bound=Callable[..., Any])

notify_option = click.option(
    "--notify", "notify", multiple=True, metavar="SPEC",
    help="Send alerts to webhook:URL or email:ADDRESS (prefix digest: for one summary a day). Repeatable.")
notify_config_option = click.option(
    "--notify-config", type=click.Path(dir_okay=False, exists=True),
    help="Notifier settings (TOML: [smtp] host, port, sender, username, password, starttls; [webhook] secret). "
         "BREACHLENS_SMTP_USER / BREACHLENS_SMTP_PASSWORD / BREACHLENS_WEBHOOK_SECRET override it.")


def _fail(exc: BreachlensError) -> click.ClickException:
    """A library error as a one-line CLI error."""
    return click.ClickException(str(exc))


@contextmanager
def _store(db: str | None, config: str | None) -> Iterator[Store]:
    """The store at `db` (else the settings' store path), closed on the way out; errors as one line."""
    from ...store import open_store

    try:
        store = open_store(store_path(db, config))
    except BreachlensError as exc:
        raise _fail(exc) from exc
    with store:
        try:
            yield store
        except BreachlensError as exc:
            raise _fail(exc) from exc


def _notifiers(specs: Sequence[str], config: str | None) -> list[WebhookNotifier | EmailNotifier]:
    """Notifiers from --notify values and the notifier config."""
    try:
        return notifiers_from_specs(specs, NotifyConfig.load(config))
    except BreachlensError as exc:
        raise _fail(exc) from exc


def alert_run(store: Store, settings: Settings, notify: Sequence[str], config: str | None = None) -> AlertRun:
    """The alert hook for `ingest`/`watch`: create it before the run, call `.after()` once it is done."""
    return AlertRun(store, settings, _notifiers(notify, config))


# -- watchlist ---------------------------------------------------------------------------------------------


@click.group("watchlist")
def watchlist() -> None:
    """Watchlists: the organisations, sectors, countries, actors and data types you want alerts about.

    \b
    Examples:
      breachlens watchlist add vendors --org Salesforce --org Snowflake --org-file suppliers.txt
      breachlens watchlist add luxury --sector luxury-fashion --data payment_card --min-records 10000
      breachlens watchlist add spiders --actor "Scattered Spider"
      breachlens watchlist list
    """


@watchlist.command("add")
@click.argument("name")
@db_option
@config_option
@click.option("--org", "orgs", multiple=True, help="Organisation name (a parent group covers its brands). Repeatable.")
@click.option("--org-file", "org_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Supplier list: CSV with a name (and optional domain) column, or one name per line. Repeatable.")
@click.option("--domain", "domains", multiple=True, help="Organisation domain, e.g. veldra.example. Repeatable.")
@click.option("--sector", "sectors", multiple=True, help="Sector (e.g. retail, luxury-fashion). Repeatable.")
@click.option("--country", "countries", multiple=True, help="Victim country, ISO alpha-2. Repeatable.")
@click.option("--actor", "actors", multiple=True, help="Threat actor, any alias. Repeatable.")
@click.option("--data", "data_types", multiple=True, help="Exposed data type (e.g. email, payment_card). Repeatable.")
@click.option("--min-records", type=click.IntRange(min=0), help="Only incidents with at least this many records.")
@click.option("--min-modality", type=click.Choice(("confirmed", "reported", "suspected", "claimed")),
              help="Ignore facts weaker than this (confirmed > reported > suspected > claimed).")
@click.option("--scan", "do_scan", is_flag=True,
              help="Also raise first-match alerts for incidents already stored (otherwise only new news alerts).")
def watchlist_add(name: str, db: str | None, orgs: tuple[str, ...], org_files: tuple[str, ...],
                  domains: tuple[str, ...], sectors: tuple[str, ...], countries: tuple[str, ...],
                  actors: tuple[str, ...], data_types: tuple[str, ...], min_records: int | None,
                  min_modality: str | None, do_scan: bool, config: str | None = None) -> None:
    """Create or replace the watchlist NAME. Every criterion given must hold; any of its values will do.

    \b
    Example:
      breachlens watchlist add vendors --org "Veldra Parts" --org-file suppliers.csv --min-modality confirmed
    """
    all_orgs, all_domains = list(orgs), list(domains)
    try:
        for path in org_files:
            names, file_domains = load_supplier_list(path)
            all_orgs += names
            all_domains += file_domains
        wl = Watchlist(name, tuple(dict.fromkeys(all_orgs)), tuple(dict.fromkeys(all_domains)), sectors,
                       tuple(c.upper() for c in countries), actors, data_types, min_records, min_modality)
    except BreachlensError as exc:
        raise _fail(exc) from exc
    with _store(db, config) as store:
        store.save_watchlist(wl.name, wl.as_dict())
        raised = scan(store, wl) if do_scan else []
    click.echo(f"watchlist {wl.name}: {wl.describe()}")
    if do_scan:
        click.echo(f"{len(raised)} alert{'s' if len(raised) != 1 else ''} from stored incidents")


@watchlist.command("list")
@db_option
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def watchlist_list(db: str | None, as_json: bool, config: str | None = None) -> None:
    """List the watchlists.

    \b
    Example:
      breachlens watchlist list --json
    """
    with _store(db, config) as store:
        specs = store.watchlists()
    if as_json:
        click.echo(json.dumps(list(specs.values()), indent=2, ensure_ascii=False))
        return
    for spec in specs.values():
        wl = Watchlist.from_dict(spec)
        click.echo(f"{wl.name}: {wl.describe()}")
    if not specs:
        click.echo("no watchlists (add one with `breachlens watchlist add`)", err=True)


@watchlist.command("remove")
@click.argument("name")
@db_option
@config_option
def watchlist_remove(name: str, db: str | None, config: str | None = None) -> None:
    """Delete the watchlist NAME (its past alerts are kept).

    \b
    Example:
      breachlens watchlist remove vendors
    """
    db = store_path(db, config)
    with _store(db, None) as store:
        removed = store.remove_watchlist(name)
    if not removed:
        raise click.ClickException(f"{name}: no such watchlist in {db}")
    click.echo(f"removed watchlist {name}")


# -- alerts ------------------------------------------------------------------------------------------------


@click.command("alerts")
@db_option
@config_option
@click.option("--since", help="Only alerts raised on/after YYYY-MM-DD (or a longer ISO time).")
@click.option("--watchlist", "watchlist_name", help="Only this watchlist's alerts.")
@click.option("--pending", is_flag=True, help="Only alerts with a delivery still pending.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@click.option("--deliver", is_flag=True, help="First retry the pending deliveries due on the --notify channels.")
@notify_option
@notify_config_option
@click.option("--full", is_flag=True, help="Print each alert in full (changes, quotes, advice).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def alerts(db: str | None, since: str | None, watchlist_name: str | None, pending: bool, limit: int | None,
           deliver: bool, notify: tuple[str, ...], notify_config: str | None, full: bool, as_json: bool,
           config: str | None = None) -> None:
    """What matched your watchlists, newest first; with --deliver, retry pending deliveries first.

    \b
    Examples:
      breachlens alerts --since 2025-06-01
      breachlens alerts --pending --deliver --notify webhook:https://hooks.example/T0/B0/x
    """
    with _store(db, config) as store:
        if deliver:
            if not notify:
                raise click.UsageError("--deliver needs --notify")
            report = deliver_pending(store, _notifiers(notify, notify_config))
            click.echo(f"{len(report.delivered)} delivered, {len(report.failed)} failed, "
                       f"{report.pending} pending", err=True)
            for _key, _channel, error in report.failed:
                click.echo(f"error: {error}", err=True)
        found = stored_alerts(store, since, watchlist_name, pending, limit)
        waiting = {d.alert_key for d in store.deliveries(status="pending")}
    if as_json:
        click.echo(json.dumps([{**a.as_dict(), "pending": a.key in waiting} for a in found], indent=2,
                              ensure_ascii=False))
        return
    for alert in found:
        if full:
            click.echo(render_text([alert]) + "\n")
        else:
            flag = "  (pending)" if alert.key in waiting else ""
            click.echo(f"{alert.created_at}  {alert.title}{flag}")
    if not found:
        click.echo("no alerts", err=True)
