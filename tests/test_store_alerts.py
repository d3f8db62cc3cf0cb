"""The store's watchlist and alert methods (issue 9), once per backend: SQLite, and PostgreSQL when
BREACHLENS_TEST_PG_URL is set (see store_helpers). Both must behave the same: same return values, same order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from breachlens.delivery.alerts import AlertRun, Watchlist
from breachlens.ingest.sources import ingest_sources
from breachlens.settings import Settings
from breachlens.store import Store, StoreError, open_store
from breachlens.store import StoredAlert as SA
from store_helpers import needs_pg, pg_schema_url, store_url  # noqa: F401 - store_url: a fixture

OUTLETS = Path(__file__).parent / "fixtures" / "outlets"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:  # noqa: F811 - the fixture above
    """A fresh, empty store of each backend."""
    with open_store(store_url) as opened:
        yield opened


def _alert(key: str, created_at: str, watchlist: str = "vendors", incident_id: str = "inc-1",
           facts: tuple[str, ...] = ()) -> SA:
    """An invented alert whose JSON names its key (and holds non-ASCII text, to check the round trip)."""
    data = {"key": key, "watchlist": watchlist, "incident_id": incident_id, "summary": "Zürich — “quoted”"}
    return SA(key, watchlist, incident_id, created_at, data, facts)


# -- watchlists ---------------------------------------------------------------------------------------------


def test_store_alerts_save_watchlist_creates_replaces_and_lists_by_name(store: Store) -> None:
    assert store.watchlists() == {}
    store.save_watchlist("vendors", {"name": "vendors", "orgs": ["Kering"]})
    store.save_watchlist("Actors", {"name": "Actors", "actors": ["ShinyHunters"]})
    store.save_watchlist("vendors", {"name": "vendors", "orgs": ["Kering", "Zürich Re"], "min_records": 10})
    listed = store.watchlists()
    assert list(listed) == ["Actors", "vendors"]  # byte order on both backends: upper case first
    assert listed["vendors"] == {"name": "vendors", "orgs": ["Kering", "Zürich Re"], "min_records": 10}
    assert listed["Actors"] == {"name": "Actors", "actors": ["ShinyHunters"]}


def test_store_alerts_remove_watchlist_forgets_its_facts_but_keeps_its_alerts(store: Store) -> None:
    store.save_watchlist("vendors", {"orgs": ["Kering"]})
    store.save_watchlist("others", {"orgs": ["Gucci"]})
    store.add_alerts([_alert("k1", "2025-06-01T00:00:00+00:00", facts=("victim", "records"))], ["webhook"])
    store.add_alerts([_alert("k2", "2025-06-01T00:00:00+00:00", "others", facts=("victim",))], [])
    assert store.remove_watchlist("vendors") is True
    assert store.remove_watchlist("vendors") is False
    assert store.remove_watchlist("never-saved") is False
    assert list(store.watchlists()) == ["others"]
    assert store.alert_fact_keys("vendors", "inc-1") == set()
    assert store.alert_fact_keys("others", "inc-1") == {"victim"}
    assert [a.key for a in store.alerts()] == ["k1", "k2"]
    assert [d.alert_key for d in store.deliveries()] == ["k1"]


# -- alerts -------------------------------------------------------------------------------------------------


def test_store_alerts_add_alerts_returns_new_keys_records_facts_and_queues_once(store: Store) -> None:
    assert store.alert_fact_keys("vendors", "inc-1") == set()
    first = _alert("k1", "2025-06-01T10:00:00+00:00", facts=("victim", "records"))
    other = _alert("k2", "2025-06-01T10:00:00+00:00", incident_id="inc-2", facts=("victim",))
    assert store.add_alerts([first, other], ["webhook", "email", "webhook"]) == ["k1", "k2"]
    assert store.alert_fact_keys("vendors", "inc-1") == {"victim", "records"}
    assert store.alert_fact_keys("vendors", "inc-2") == {"victim"}
    assert store.alert_fact_keys("others", "inc-1") == set()
    assert [(d.alert_key, d.channel, d.status, d.attempts) for d in store.deliveries()] == [
        ("k1", "email", "pending", 0), ("k1", "webhook", "pending", 0),
        ("k2", "email", "pending", 0), ("k2", "webhook", "pending", 0)]
    # A stored key is skipped (not queued again), but its new facts are still recorded.
    again = _alert("k1", "2025-06-02T10:00:00+00:00", facts=("victim", "data"))
    assert store.add_alerts([again], ["webhook", "slack"]) == []
    assert store.alert_fact_keys("vendors", "inc-1") == {"victim", "records", "data"}
    assert len(store.deliveries()) == 4
    assert store.alerts(watchlist="vendors", since="2025-06-02") == []
    assert store.add_alerts([], ["webhook"]) == []


def test_store_alerts_alerts_newest_first_with_filters_and_limit(store: Store) -> None:
    store.add_alerts([
        _alert("b", "2025-06-01T00:00:00+00:00"),
        _alert("a", "2025-06-01T00:00:00+00:00", "others"),
        _alert("c", "2025-06-03T08:30:00+00:00", facts=("victim",)),
        _alert("d", "2025-05-31T23:59:59+00:00", "others"),
    ], ["webhook"])
    listed = store.alerts()
    assert [a.key for a in listed] == ["c", "a", "b", "d"]  # created_at descending, then key
    assert listed[0] == SA("c", "vendors", "inc-1", "2025-06-03T08:30:00+00:00", _alert("c", "x").data)
    assert [a.key for a in store.alerts(since="2025-06-01")] == ["c", "a", "b"]
    assert [a.key for a in store.alerts(since="2025-06-02")] == ["c"]
    assert [a.key for a in store.alerts(since="2025-06-01T00:00:01")] == ["c"]
    assert [a.key for a in store.alerts(watchlist="others")] == ["a", "d"]
    assert [a.key for a in store.alerts(since="2025-06", watchlist="others")] == ["a"]
    assert [a.key for a in store.alerts(limit=2)] == ["c", "a"]
    assert store.alerts(limit=0) == [] and store.alerts(limit=-3) == []
    store.record_delivery("c", "webhook", "2025-06-03T09:00:00+00:00")
    store.record_delivery("a", "webhook", "2025-06-03T09:00:00+00:00")
    assert [a.key for a in store.alerts(pending=True)] == ["b", "d"]
    assert [a.key for a in store.alerts(pending=True, watchlist="others")] == ["d"]


# -- deliveries ---------------------------------------------------------------------------------------------


def test_store_alerts_deliveries_filters_and_order(store: Store) -> None:
    store.add_alerts([_alert("k2", "2025-06-02T00:00:00+00:00"), _alert("k1", "2025-06-01T00:00:00+00:00")],
                     ["webhook", "email"])
    assert [(d.alert_key, d.channel) for d in store.deliveries()] == [
        ("k1", "email"), ("k1", "webhook"), ("k2", "email"), ("k2", "webhook")]  # queued_at, key, channel
    assert [(d.alert_key, d.channel) for d in store.deliveries(alert_key="k2")] == [("k2", "email"), ("k2", "webhook")]
    assert [d.alert_key for d in store.deliveries(channel="email")] == ["k1", "k2"]
    assert [d.alert_key for d in store.deliveries(channel="email", due_by="2025-06-01T12:00:00+00:00")] == ["k1"]
    assert [d.alert_key for d in store.deliveries(due_by="2025-06-02T00:00:00+00:00", channel="webhook")] == [
        "k1", "k2"]
    assert store.deliveries(due_by="2025-05-31T23:59:59+00:00") == []
    assert store.deliveries(status="delivered") == []
    assert store.deliveries(alert_key="missing") == []
    first = store.deliveries(alert_key="k1", channel="webhook")[0]
    assert first._asdict() == {
        "alert_key": "k1", "channel": "webhook", "status": "pending", "attempts": 0,
        "queued_at": "2025-06-01T00:00:00+00:00", "next_attempt_at": "2025-06-01T00:00:00+00:00",
        "last_error": None, "delivered_at": None}


def test_store_alerts_record_delivery_failure_backoff_then_success(store: Store) -> None:
    store.add_alerts([_alert("k1", "2025-06-01T00:00:00+00:00")], ["webhook", "email"])
    store.record_delivery("k1", "webhook", "2025-06-01T00:01:00+00:00", "HTTP 503",
                          retry_at="2025-06-01T00:06:00+00:00")
    (d,) = store.deliveries(channel="webhook")
    assert (d.status, d.attempts, d.last_error, d.next_attempt_at, d.delivered_at) == (
        "pending", 1, "HTTP 503", "2025-06-01T00:06:00+00:00", None)
    assert store.deliveries(channel="webhook", due_by="2025-06-01T00:05:00+00:00") == []
    store.record_delivery("k1", "webhook", "2025-06-01T00:06:00+00:00", "timed out")  # no retry_at: due at `at`
    (d,) = store.deliveries(channel="webhook")
    assert (d.attempts, d.last_error, d.next_attempt_at) == (2, "timed out", "2025-06-01T00:06:00+00:00")
    store.record_delivery("k1", "webhook", "2025-06-01T00:07:00+00:00")
    (d,) = store.deliveries(channel="webhook")
    assert (d.status, d.attempts, d.last_error, d.delivered_at) == (
        "delivered", 3, None, "2025-06-01T00:07:00+00:00")
    # A failure reported after delivery changes nothing; the other channel is untouched.
    store.record_delivery("k1", "webhook", "2025-06-01T00:08:00+00:00", "late error")
    assert store.deliveries(channel="webhook") == [d]
    (email,) = store.deliveries(channel="email")
    assert (email.status, email.attempts) == ("pending", 0)
    assert [x.channel for x in store.deliveries(status="delivered")] == ["webhook"]
    store.record_delivery("unknown", "webhook", "2025-06-01T00:09:00+00:00")  # nothing queued: nothing happens
    assert len(store.deliveries()) == 2


# -- digests ------------------------------------------------------------------------------------------------


def test_store_alerts_last_digest_and_record_digest(store: Store) -> None:
    assert store.last_digest("email") is None
    store.record_digest("email", "2025-06-01T08:00:00+00:00")
    assert store.last_digest("email") == "2025-06-01T08:00:00+00:00"
    store.record_digest("email", "2025-06-02T08:00:00+00:00")
    assert store.last_digest("email") == "2025-06-02T08:00:00+00:00"
    assert store.last_digest("webhook") is None


def test_store_alerts_survive_reopening(store_url: str) -> None:  # noqa: F811 - the fixture above
    with open_store(store_url) as first:
        first.save_watchlist("vendors", {"orgs": ["Kering"]})
        first.add_alerts([_alert("k1", "2025-06-01T00:00:00+00:00", facts=("victim",))], ["webhook"])
        first.record_digest("webhook", "2025-06-01T08:00:00+00:00")
    with open_store(store_url) as second:
        assert second.watchlists() == {"vendors": {"orgs": ["Kering"]}}
        assert [a.key for a in second.alerts(pending=True)] == ["k1"]
        assert second.alert_fact_keys("vendors", "inc-1") == {"victim"}
        assert second.last_digest("webhook") == "2025-06-01T08:00:00+00:00"


def test_store_alerts_closed_store_raises_store_error(store_url: str) -> None:  # noqa: F811 - the fixture above
    opened = open_store(store_url)
    opened.close()
    with pytest.raises(StoreError):
        opened.watchlists()
    with pytest.raises(StoreError):
        opened.add_alerts([_alert("k1", "2025-06-01T00:00:00+00:00")], ["webhook"])


# -- end to end on PostgreSQL -------------------------------------------------------------------------------


@needs_pg
def test_store_alerts_ingest_with_alert_hook_on_postgresql() -> None:
    settings = Settings.load()
    with pg_schema_url() as url, open_store(url) as store:
        assert type(store).__name__ == "PostgresStore"
        store.save_watchlist("water", Watchlist("water", orgs=("Pellucid Water",)).as_dict())
        run = AlertRun(store, settings)
        summary = ingest_sources([str(OUTLETS / "f_other_victim_pellucid_water.txt")], store, settings)
        assert summary.failed == 0
        raised, _report = run.after(datetime(2025, 9, 10, tzinfo=UTC))
        assert len(raised) == 1
        (stored,) = store.alerts()
        assert stored.watchlist == "water"
        assert stored.data["watchlist"] == "water"
        assert store.alert_fact_keys("water", stored.incident_id)
        # The same run again raises nothing: the facts are already recorded.
        assert run.after(datetime(2025, 9, 11, tzinfo=UTC))[0] == []
        assert len(store.alerts()) == 1
