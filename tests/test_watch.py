"""watch: a few short runs against the local server, with one feed down and one returning garbage."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from breachlens.settings import Settings
from breachlens.store import open_store
from breachlens.watch import WatchEvent, watch
from web_server import LocalServer, server  # noqa: F401 - `server` is a fixture

WEB = Path(__file__).parent / "fixtures" / "web"
LOCAL = {"allow_private": True, "min_interval": 0.0}


def _serve(server: LocalServer) -> None:  # noqa: F811
    server.route("/rdf", (WEB / "rss1.rdf").read_text().replace("{base}", server.base), content_type="text/xml")
    server.route("/news/fernhill", (WEB / "breach2.html").read_bytes())
    server.route("/news/brightwall", (WEB / "product.html").read_bytes())
    server.route("/down", "oops", status=500, content_type="text/plain")
    server.route("/garbage", b"<rss><channel><item>", content_type="application/rss+xml")


def test_watch_survives_bad_feeds_and_stops_on_event(server: LocalServer) -> None:  # noqa: F811
    _serve(server)
    stop = threading.Event()
    events: list[WatchEvent] = []

    def on_event(event: WatchEvent) -> None:
        events.append(event)
        if event.kind == "run" and event.summary is not None and event.summary.run == 2:
            stop.set()

    feeds = [server.url("/down"), server.url("/garbage"), server.url("/rdf")]
    with open_store(":memory:") as store:
        runs = watch(feeds, store, Settings(), 0.05, on_event, stop, handle_signals=False, **LOCAL)
        status = {s.feed_url: s for s in store.feed_status()}
        assert store.counts()["documents"] == 2
    assert [(r.fetched, r.new, r.feeds_failed, r.new_incidents) for r in runs] == [(2, 2, 2, 1), (0, 0, 0, 0)]
    # Run 2 skipped the failing feeds (backed off) and found nothing new in the good one.
    assert runs[1].feeds == 1
    kinds = [e.kind for e in events]
    assert kinds.count("feed_error") == 2 and kinds.count("new_incident") == 1 and kinds.count("run") == 2
    assert [e.message for e in events if e.kind == "feed_error"] == [
        f"{server.url('/down')}: HTTP 500 Internal Server Error (next try in 0.1s)",
        f"{server.url('/garbage')}: malformed XML (no element found: line 1, column 20) (next try in 0.1s)",
    ]
    assert status[server.url("/down")].consecutive_failures == 1
    assert status[server.url("/rdf")].last_error is None


def test_watch_new_fact_reported_for_known_incident(server: LocalServer) -> None:  # noqa: F811
    _serve(server)
    stop = threading.Event()
    events: list[WatchEvent] = []
    update = (WEB / "breach2.html").read_text().replace(
        "notified the regulator.", "notified the regulator. The attack was carried out by ShinyHunters."
    )

    def on_event(event: WatchEvent) -> None:
        events.append(event)
        if event.kind == "run":
            if event.summary is not None and event.summary.run == 1:
                server.route("/news/fernhill-update", update)
                server.route("/rdf", (WEB / "rss1.rdf").read_text().replace("{base}", server.base).replace(
                    "/news/brightwall", "/news/fernhill-update"), content_type="text/xml")
            else:
                stop.set()

    with open_store(":memory:") as store:
        watch([server.url("/rdf")], store, Settings(), 0.01, on_event, stop, handle_signals=False, **LOCAL)
    facts = [e for e in events if e.kind == "new_fact"]
    assert any(e.field == "threat_actors" for e in facts), [e.message for e in events]


def test_watch_sigterm_sets_the_stop_event(server: LocalServer) -> None:  # noqa: F811
    _serve(server)
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGTERM)

    def on_event(event: WatchEvent) -> None:
        if event.kind == "run":
            os.kill(os.getpid(), signal.SIGTERM)

    with open_store(":memory:") as store:
        runs = watch([server.url("/rdf")], store, Settings(), 0.01, on_event, stop, **LOCAL)
        assert store.counts()["documents"] == 2
    assert stop.is_set() and len(runs) == 1
    assert signal.getsignal(signal.SIGTERM) is previous
