"""From incidents before and after an ingest to alerts: first matches and material new facts, each raised once.

Sequence of `process_ingest(store, settings, before, after, notifiers)`:
1. **Changed incidents.** Only incidents of `after` that are new or differ from `before` are looked at: an alert
   is news, so adding a watchlist does not raise alerts on every old incident (`scan` does that on purpose).
2. **Match.** Each changed incident is matched against each stored watchlist (`watchlists.match`).
3. **Facts.** The material facts of a matching incident are listed as stable keys, counting only facts as strong
   as the watchlist's modality threshold: every record count sources give ("records:1200000", the merged one
   and those in a records conflict), each exposed data type ("data:phone"), each threat actor by its alias key
   ("actor:shinyhunters"), and each conflict with its values.
4. **Diff.** The keys the watchlist was already told about for this incident are in the store. None yet is a
   first match (one alert listing what is known); otherwise each unseen key is a change (records count revised,
   new data type exposed, actor attributed, conflict appears) and they make one update alert.
5. **Store and queue.** Alerts, their fact keys and a pending delivery per notifier channel are written in one
   transaction. The alert key hashes the watchlist, incident and new fact keys, so raising the same change twice
   (re-ingested documents, a republished copy, a crash between steps) stores nothing new.

`deliver_pending(store, notifiers, now)` then sends what is due: each pending delivery whose next attempt time has
come, or for a digest channel one summary once per DIGEST_PERIOD_S. A failed send leaves the delivery pending,
with the error and a next attempt after an exponential backoff (RETRY_BASE_S · 2^attempts, at most
MAX_RETRY_S): an alert is never dropped because a notifier was down.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from ...errors import BreachlensError
from ...records import Evidence, Fact, MergedIncident, as_count
from ...settings import Settings
from ...store import Store, StoredAlert
from ..formats import thousands
from .advice import Advice, advice_for
from .watchlists import MatchReason, Watchlist, actor_key, match, qualifies

__all__ = [
    "Alert", "AlertRun", "Change", "Notifier", "DeliveryReport", "process_ingest", "deliver_pending", "scan",
    "load_watchlists", "stored_alerts", "RETRY_BASE_S", "MAX_RETRY_S", "DIGEST_PERIOD_S",
]

log = logging.getLogger("breachlens.alerts")

# First retry a minute after a failed send, doubling each time: a receiver back within minutes gets the alert
# within minutes, one down for a day is still tried every few hours.
RETRY_BASE_S = 60.0
MAX_RETRY_S = 6 * 3600.0
# A digest channel sends at most one summary per day.
DIGEST_PERIOD_S = 24 * 3600.0

CHANGE_KINDS = ("first_match", "records_revised", "data_type_exposed", "actor_attributed", "conflict")


@dataclass(frozen=True)
class Change:
    """One thing an alert reports: its kind (CHANGE_KINDS), a one-line summary and the quotes behind it."""

    kind: str
    summary: str
    value: Any = None
    modality: str | None = None
    evidence: tuple[Evidence, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {"kind": self.kind, "summary": self.summary, "value": self.value, "modality": self.modality,
                "evidence": [e.as_dict() for e in self.evidence]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        """Inverse of `as_dict`."""
        return cls(data["kind"], data["summary"], data.get("value"), data.get("modality"),
                   tuple(Evidence.from_dict(e) for e in data.get("evidence", [])))


@dataclass(frozen=True)
class Alert:
    """An incident that first matched a watchlist ("first_match") or gained material facts ("update").

    `changes` say what is new (for a first match: the match and what is known), `matched` why the incident
    matches the watchlist, `advice` what to do; every item cites its quotes.
    """

    key: str
    watchlist: str
    incident_id: str
    victim: str
    kind: str
    created_at: str
    changes: tuple[Change, ...]
    matched: tuple[MatchReason, ...] = ()
    advice: Advice = field(default_factory=Advice)
    sources: tuple[str, ...] = ()
    fact_keys: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """One line: watchlist, victim, incident and what happened."""
        what = "first match" if self.kind == "first_match" else ", ".join(
            dict.fromkeys(c.kind.replace("_", " ") for c in self.changes))
        return f"[{self.watchlist}] {self.victim} ({self.incident_id}): {what}"

    def as_dict(self) -> dict[str, Any]:
        """JSON shape (stored, and sent in webhook bodies)."""
        return {
            "key": self.key, "watchlist": self.watchlist, "incident_id": self.incident_id, "victim": self.victim,
            "kind": self.kind, "created_at": self.created_at, "title": self.title,
            "changes": [c.as_dict() for c in self.changes], "matched": [m.as_dict() for m in self.matched],
            "advice": self.advice.as_dict(), "sources": list(self.sources),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        """Inverse of `as_dict`."""
        return cls(
            key=data["key"], watchlist=data["watchlist"], incident_id=data["incident_id"], victim=data["victim"],
            kind=data["kind"], created_at=data["created_at"],
            changes=tuple(Change.from_dict(c) for c in data.get("changes", [])),
            matched=tuple(MatchReason.from_dict(m) for m in data.get("matched", [])),
            advice=Advice.from_dict(data.get("advice", {})), sources=tuple(data.get("sources", [])),
        )


class Notifier(Protocol):
    """Something that delivers alerts: `channel` names it in the queue (no secrets in it), `digest` batches."""

    @property
    def channel(self) -> str:
        """The queue's name for this notifier (a property or a frozen field: read-only either way)."""

    @property
    def digest(self) -> bool:
        """Whether alerts go out batched as one digest."""

    def send(self, alerts: Sequence[Alert]) -> None:
        """Deliver the alerts (one, or a digest of many); raise NotifyError (or any BreachlensError) on failure."""


@dataclass
class DeliveryReport:
    """What one `deliver_pending` pass did: delivered and failed (alert key, channel[, error]), still pending."""

    delivered: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    pending: int = 0


# -- raising alerts -----------------------------------------------------------------------------------------


def load_watchlists(store: Store) -> list[Watchlist]:
    """The stored watchlists, by name."""
    return [Watchlist.from_dict(spec) for spec in store.watchlists().values()]


def process_ingest(
    store: Store, settings: Settings, before: Sequence[MergedIncident], after: Sequence[MergedIncident],
    notifiers: Sequence[Notifier] = (), now: datetime | None = None,
) -> list[Alert]:
    """Raise, store and queue the alerts for what changed between `before` and `after`; the new alerts.

    Args:
        store: where watchlists are read and alerts, fact keys and deliveries written.
        settings: as for every stage (the packaged recommendation rules are used).
        before: `store.incidents()` taken before the ingest.
        after: the incidents after it (`IngestSummary.incidents`, or `store.incidents()`).
        notifiers: a pending delivery is queued for each new alert on each of their channels; call
            `deliver_pending` to send them.
        now: the alerts' creation time (UTC now when None).
    """
    old = {m.id: m for m in before}
    changed = [m for m in after if old.get(m.id) != m]
    return _raise(store, load_watchlists(store), changed, notifiers, now)


def scan(store: Store, watchlist: Watchlist, notifiers: Sequence[Notifier] = (),
         now: datetime | None = None) -> list[Alert]:
    """Raise first-match alerts of one watchlist over every stored incident (a deliberate backfill), read a
    batch at a time."""
    return _raise(store, [watchlist], store.each_incident(), notifiers, now)


def _raise(store: Store, watchlists: Sequence[Watchlist], incidents: Iterable[MergedIncident],
           notifiers: Sequence[Notifier], now: datetime | None) -> list[Alert]:
    """Match, diff, store and queue (steps 2-5 of the module docstring)."""
    if not watchlists:
        return []
    created_at = _iso(now or _utcnow())
    lookup = _RecordLookup(store)
    alerts: list[Alert] = []
    for merged in incidents:
        for wl in watchlists:
            reasons = match(wl, merged)
            if reasons is None:
                continue
            facts = _facts(merged, wl, lookup)
            seen = store.alert_fact_keys(wl.name, merged.id)
            alert = _alert(wl, merged, reasons, facts, seen, created_at)
            if alert is not None:
                alerts.append(alert)
    if not alerts:
        return []
    rows = [StoredAlert(a.key, a.watchlist, a.incident_id, a.created_at, a.as_dict(), a.fact_keys) for a in alerts]
    new = set(store.add_alerts(rows, [n.channel for n in notifiers]))
    raised = [a for a in alerts if a.key in new]
    for a in raised:
        log.info("alert %s: %s", a.key, a.title)
    return raised


def _alert(wl: Watchlist, merged: MergedIncident, reasons: tuple[MatchReason, ...],
           facts: dict[str, Change], seen: set[str], created_at: str) -> Alert | None:
    """The alert for one matching incident: first match, update with the unseen facts, or None."""
    keys = ("match", *facts)
    if not seen:
        kind = "first_match"
        first = Change("first_match", f"{merged.incident.victim} matches watchlist {wl.name}: "
                       + "; ".join(f"{r.criterion} {r.value}" for r in reasons),
                       evidence=tuple(e for r in reasons for e in r.evidence)[:2])
        changes = (first, *facts.values())
        new_keys = keys
    else:
        kind = "update"
        new_keys = tuple(k for k in keys if k not in seen)
        if not new_keys:
            return None
        changes = tuple(facts[k] for k in new_keys)
    digest = hashlib.sha256("\n".join((wl.name, merged.id, *sorted(new_keys))).encode()).hexdigest()
    return Alert(
        key="al-" + digest[:20], watchlist=wl.name, incident_id=merged.id, victim=merged.incident.victim,
        kind=kind, created_at=created_at, changes=tuple(changes), matched=reasons,
        advice=advice_for(merged.incident), sources=merged.sources, fact_keys=keys,
    )


def _facts(merged: MergedIncident, wl: Watchlist, lookup: _RecordLookup) -> dict[str, Change]:
    """Fact key -> the Change that reports it, for every material fact strong enough for the watchlist."""
    inc = merged.incident
    out: dict[str, Change] = {}
    counts = lookup.record_facts(merged)
    for count, fact in sorted(counts.items()):
        if not qualifies(fact, wl):
            continue
        others = [f"{n:,}" for n in sorted(counts) if n != count]
        note = f"; sources also give {', '.join(others)}" if others else ""
        out[f"records:{count}"] = Change("records_revised", f"records affected: {count:,} ({fact.modality}){note}",
                                         count, fact.modality, fact.evidence)
    for fact in inc.data_exposed:
        if qualifies(fact, wl):
            out[f"data:{fact.value}"] = Change("data_type_exposed", f"data exposed: {fact.value} ({fact.modality})",
                                               fact.value, fact.modality, fact.evidence)
    for fact in inc.threat_actors:
        if qualifies(fact, wl):
            written = f", written {fact.as_written!r}" if fact.as_written and fact.as_written != fact.value else ""
            out[f"actor:{actor_key(str(fact.value))}"] = Change(
                "actor_attributed", f"threat actor: {fact.value} ({fact.modality}{written})", fact.value,
                fact.modality, fact.evidence)
    for conflict in merged.conflicts:
        values = sorted(repr(v) for v, _ in conflict.values)
        parts = "; ".join(f"{thousands(v)} per {', '.join(_short(s) for s in srcs)}" for v, srcs in conflict.values)
        evidence: list[Evidence] = []
        if conflict.field == "records_affected":
            for v, _srcs in conflict.values:
                n = as_count(v)
                if n is not None and n in counts:
                    evidence.extend(counts[n].evidence[:1])
        out[f"conflict:{conflict.field}:{'|'.join(values)}"] = Change(
            "conflict", f"sources disagree on {conflict.field}: {parts}",
            [v for v, _ in conflict.values], None, tuple(evidence))
    return out


class _RecordLookup:
    """Every record count the sources of an incident give, each as the Fact (modality, quotes) read from its
    document: a revised count is often a records conflict, whose values carry no quotes of their own."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: dict[str, list[Fact]] = {}

    def record_facts(self, merged: MergedIncident) -> dict[int, Fact]:
        """Count -> Fact, the merged count first, then each count of a records conflict."""
        out: dict[int, Fact] = {}
        fact = merged.incident.records_affected
        count = merged.incident.record_count
        if fact is not None and count is not None:
            out[count] = fact
        for conflict in merged.conflicts:
            if conflict.field != "records_affected":
                continue
            for value, sources in conflict.values:
                n = as_count(value)
                if n is None or n in out:
                    continue
                found = [f for s in sources for f in self._counts(s) if f.count == n]
                if found:
                    best = max(found, key=lambda f: _weight(f.modality))
                    evidence = tuple({(e.source, e.start): e for f in found for e in f.evidence}.values())
                    out[n] = Fact(n, best.modality, evidence)
                else:
                    out[n] = Fact(n, "reported", ())
        return out

    def _counts(self, source: str) -> list[Fact]:
        """The records_affected facts read from the stored document `source`."""
        if source not in self.cache:
            stored = self.store.document(source)
            facts = [] if stored is None else [
                i.records_affected for i in stored.analysis.incidents if i.records_affected is not None]
            self.cache[source] = facts
        return self.cache[source]


def _weight(modality: str) -> float:
    """Modality strength (vocab.MODALITY_WEIGHT)."""
    from ... import vocab

    return vocab.MODALITY_WEIGHT.get(modality, 0.0)




def _short(source: str) -> str:
    """A source's last path or URL segment (summary lines stay short; the evidence keeps the full source)."""
    return source.rstrip("/").rsplit("/", 1)[-1] or source


class AlertRun:
    """The hook around ingest or watch runs: snapshot the incidents first, then after each run raise the alerts
    for what changed and deliver what is due.

        run = AlertRun(store, settings, notifiers)      # before the ingest (or before `watch` starts)
        ingest(...)
        alerts, report = run.after()                     # after it (in `watch`: on each "run" event)
    """

    def __init__(self, store: Store, settings: Settings, notifiers: Sequence[Notifier] = ()) -> None:
        self.store, self.settings, self.notifiers = store, settings, tuple(notifiers)
        self.cursor = store.last_change()  # the change log's position: no snapshot of every incident

    def after(self, now: datetime | None = None) -> tuple[list[Alert], DeliveryReport]:
        """Alerts raised by the run just finished, and the delivery pass that followed."""
        changed, self.cursor = changed_incidents(self.store, self.cursor)
        alerts = _raise(self.store, load_watchlists(self.store), changed, self.notifiers, now)
        return alerts, deliver_pending(self.store, self.notifiers, now)


def changed_incidents(store: Store, after_seq: int) -> tuple[list[MergedIncident], int]:
    """The incidents the change log shows as created or changed after `after_seq`, and the log's new position."""
    log = store.changes(after_seq=after_seq)
    ids = dict.fromkeys(c.incident_id for c in log if c.kind != "removed")
    found = [m for m in (store.incident(i) for i in ids) if m is not None]
    return found, max([after_seq, *(c.seq for c in log)])


# -- delivering ---------------------------------------------------------------------------------------------


def stored_alerts(store: Store, since: str | None = None, watchlist: str | None = None, pending: bool = False,
                  limit: int | None = None) -> list[Alert]:
    """Stored alerts as `Alert` records, newest first."""
    return [Alert.from_dict(a.data) for a in store.alerts(since, watchlist, pending, limit)]


def deliver_pending(store: Store, notifiers: Sequence[Notifier], now: datetime | None = None) -> DeliveryReport:
    """Send every delivery that is due on the notifiers' channels; failures stay pending with a backoff.

    Args:
        store: the queue.
        notifiers: one per channel; a channel with pending deliveries but no notifier here is left alone.
        now: the current time (UTC now when None); deliveries whose next attempt is later are not tried.

    Returns:
        What was delivered, what failed (with the one-line error) and how many deliveries remain pending on
        these channels.
    """
    at = now or _utcnow()
    report = DeliveryReport()
    for notifier in notifiers:
        due = store.deliveries(channel=notifier.channel, status="pending", due_by=_iso(at))
        if not due:
            continue
        by_key = {a.key: Alert.from_dict(a.data) for a in store.alerts(pending=True)}
        if notifier.digest:
            _send_digest(store, notifier, [d for d in due if d.alert_key in by_key], by_key, at, report)
            continue
        for delivery in due:
            alert = by_key.get(delivery.alert_key)
            if alert is None:
                continue
            error = _try_send(notifier, [alert])
            _record(store, delivery.alert_key, notifier.channel, delivery.attempts, at, error, report)
            if error is not None:
                break  # the channel is down: the rest stay due and are tried on the next pass
    report.pending = sum(len(store.deliveries(channel=n.channel, status="pending")) for n in notifiers)
    return report


def _send_digest(store: Store, notifier: Notifier, due: Sequence[Any], by_key: dict[str, Alert], at: datetime,
                 report: DeliveryReport) -> None:
    """One summary of every due alert, at most once per DIGEST_PERIOD_S (counted from the last digest sent, or
    from the oldest pending alert before the first one)."""
    if not due:
        return
    last = store.last_digest(notifier.channel) or min(d.queued_at for d in due)
    if at - _parse(last) < timedelta(seconds=DIGEST_PERIOD_S):
        return
    alerts = [by_key[d.alert_key] for d in due]
    error = _try_send(notifier, alerts)
    for delivery in due:
        _record(store, delivery.alert_key, notifier.channel, delivery.attempts, at, error, report)
    if error is None:
        store.record_digest(notifier.channel, _iso(at))


def _try_send(notifier: Notifier, alerts: Sequence[Alert]) -> str | None:
    """Send, returning None on success or the one-line error (never a credential: notifiers scrub theirs)."""
    try:
        notifier.send(alerts)
    except BreachlensError as exc:
        return str(exc)
    except OSError as exc:  # a notifier that let a socket error through: still only a failed attempt
        return f"{notifier.channel}: {type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - whatever a receiver provokes is a failed attempt, not a crash
        return f"{notifier.channel}: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    return None


def _record(store: Store, key: str, channel: str, attempts: int, at: datetime, error: str | None,
            report: DeliveryReport) -> None:
    """Record one attempt in the queue and the report; a failure is retried after the backoff."""
    if error is None:
        store.record_delivery(key, channel, _iso(at))
        report.delivered.append((key, channel))
        log.info("delivered %s to %s", key, channel)
        return
    delay = min(RETRY_BASE_S * 2**attempts, MAX_RETRY_S)
    store.record_delivery(key, channel, _iso(at), error, _iso(at + timedelta(seconds=delay)))
    report.failed.append((key, channel, error))
    log.warning("%s (alert %s stays pending, next try in %gs)", error, key, delay)


def _utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def _iso(at: datetime) -> str:
    """A time as stored: UTC ISO 8601 to the second (sorts as text)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    """Inverse of `_iso`."""
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)
