"""Terminal views of stored incidents (rich tables), for `breachlens incidents` and `breachlens show`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..dates import first_date
from ..records import Fact, MergedIncident


def _facts(facts: Sequence[Fact]) -> str:
    """Values with modality (and confidence once merged)."""
    return ", ".join(_fact(f) for f in facts) or "-"


def _fact(fact: Fact) -> str:
    """One value as `value (modality, 0.82)`."""
    extra = fact.modality + (f", {fact.confidence:.2f}" if fact.confidence is not None else "")
    return f"{escape(str(fact.value))} ({extra})"


def _console() -> Console:
    """A console that does not squeeze tables into 80 columns when output goes to a file or pipe."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def incidents_table(
    incidents: Sequence[MergedIncident],
    first_dates: Mapping[str, str | None] | None = None,
    console: Console | None = None,
) -> None:
    """A table of incidents: id, victim, sector, date, records, data exposed, actors, sources.

    The date is the store's first date (`Store.first_dates`, which falls back on the sources' publication dates),
    the one `--since` filters on; without `first_dates`, `dates.first_date` of the incident alone.
    """
    console = console or _console()
    if first_dates is None:
        first_dates = {m.id: first_date(m.incident) for m in incidents}
    table = Table(title=f"{len(incidents)} incidents", show_lines=False)
    for column in ("id", "victim", "sector", "date", "records", "data exposed", "actors", "sources"):
        table.add_column(column, overflow="fold")
    for m in incidents:
        inc = m.incident
        records = _fact(inc.records_affected) if inc.records_affected else "-"
        table.add_row(
            escape(m.id),
            escape(inc.victim),
            inc.sector or "-",
            first_dates.get(m.id) or "-",
            records,
            ", ".join(f.value for f in inc.data_exposed) or "-",
            ", ".join(str(f.value) for f in inc.threat_actors) or "-",
            str(len(m.sources)),
        )
    console.print(table)


def incident_panel(m: MergedIncident, console: Console | None = None) -> None:
    """Everything about one incident: facts, conflicts, timeline and sources."""
    console = console or _console()
    inc = m.incident
    console.print(f"[bold]{escape(inc.victim)}[/bold]  ({escape(m.id)})")
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    rows = [
        ("parent", inc.parent or "-"),
        ("brands", ", ".join(inc.brands) or "-"),
        ("sector", inc.sector or "-"),
        ("country", inc.victim_country or "-"),
        ("incident date", inc.incident_date or "-"),
        ("disclosure date", inc.disclosure_date or "-"),
        ("records affected", _fact(inc.records_affected) if inc.records_affected else "-"),
        ("data exposed", _facts(inc.data_exposed)),
        ("data not exposed", _facts(inc.data_not_exposed)),
        ("threat actors", _facts(inc.threat_actors)),
        ("campaigns", _facts(inc.campaigns)),
        ("initial access", _facts(inc.initial_access)),
        ("ransom", _fact(inc.ransom) if inc.ransom else "-"),
        ("response", _facts(inc.response_actions)),
        ("IOCs", _facts(inc.iocs)),
        ("sources", f"{len(m.sources)} ({m.independent_sources} independent)"),
    ]
    for key, value in rows:
        table.add_row(key, value if value.startswith("-") or "(" in value else escape(value))
    console.print(table)
    if m.conflicts:
        console.print("[bold]Conflicts[/bold]")
        for c in m.conflicts:
            values = "; ".join(
                f"{escape(str(v))} ← {', '.join(escape(s) for s in srcs)}" for v, srcs in c.values
            )
            console.print(f"  {c.field}: {values}")
    if inc.timeline:
        console.print("[bold]Timeline[/bold]")
        for event in inc.timeline:
            quote = event.evidence[0].quote if event.evidence else ""
            console.print(f"  {event.date}  {event.kind} ({event.modality}): “{escape(quote[:100])}”")
    console.print("[bold]Sources[/bold]")
    copies = dict(m.duplicates)
    for source in m.sources:
        note = f"  (copy of {escape(copies[source])})" if source in copies else ""
        console.print(f"  {escape(source)}{note}")
