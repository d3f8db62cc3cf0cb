"""Alerts end to end: fixture articles ingested over time, delivered to a real local HTTP receiver and a real local
SMTP server (aiosmtpd), exactly once each, with evidence; queued while the receiver is down; digests; STARTTLS."""

from __future__ import annotations

import json
import logging
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from breachlens.delivery.alerts import (
    Alert,
    AlertRun,
    EmailNotifier,
    NotifyError,
    SmtpConfig,
    Watchlist,
    WebhookNotifier,
    deliver_pending,
    verify_signature,
)
from breachlens.delivery.alerts.notify import SIGNATURE_HEADER
from breachlens.ingest.sources import ingest_sources
from breachlens.settings import Settings
from breachlens.store import Store, open_store

ARTICLES = Path(__file__).parent / "fixtures" / "alerts"
SECRET = "webhook-shared-secret"
T0 = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- a real HTTP receiver ----------------------------------------------------------------------------------


@dataclass
class Receiver:
    """An http.server on 127.0.0.1 in a thread, recording every POST; `stop`/`start` close and reopen the port."""

    port: int = field(default_factory=_free_port)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    server: HTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/T000/B000/token123"

    def start(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            assert self.thread is not None
            self.thread.join()
            self.server = None

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    rec.start()
    yield rec
    rec.stop()


# -- a real SMTP server ------------------------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler keeping each message."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Mailbox]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, box
    controller.stop()


# -- helpers -----------------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "alerts.db")) as opened:
        yield opened


def _watch(store: Store, *watchlists: Watchlist) -> None:
    for wl in watchlists:
        store.save_watchlist(wl.name, wl.as_dict())


def _ingest_step(store: Store, notifiers: list[Any], names: list[str], now: datetime) -> list[Alert]:
    """One ingest run wrapped in the alert hook, as the CLI does it."""
    run = AlertRun(store, Settings.load(), notifiers)
    summary = ingest_sources([str(ARTICLES / n) for n in names], store, Settings.load())
    assert summary.failed == 0
    alerts, _report = run.after(now)
    return alerts


def _kinds(alert: dict[str, Any]) -> list[str]:
    return [c["kind"] for c in alert["changes"]]


# -- tests -------------------------------------------------------------------------------------------------


def test_alerts_delivery_over_time_arrive_once_each(store: Store, receiver: Receiver,
                                                    smtp: tuple[Controller, Mailbox]) -> None:
    controller, mailbox = smtp
    _watch(store, Watchlist("vendors", orgs=("Veldra Parts",)), Watchlist("spiders", actors=("ShinyHunters",)),
           Watchlist("groups", orgs=("Harrowgate Group",)), Watchlist("food", orgs=("Pentacle Foods",),
                                                                        min_records=100_000))
    notifiers = [WebhookNotifier(receiver.url, SECRET),
                 EmailNotifier(("soc@example.org",), SmtpConfig("127.0.0.1", controller.port, "alerts@example.org"))]

    first = _ingest_step(store, notifiers, ["a_first_report_veldra_parts.txt"], T0)
    assert [(a.watchlist, a.kind) for a in first] == [("vendors", "first_match")]
    revised = _ingest_step(store, notifiers, ["b_revision_veldra_parts.txt"], T0 + timedelta(days=14))
    assert sorted((a.watchlist, a.kind) for a in revised) == [("spiders", "first_match"), ("vendors", "update")]
    assert _ingest_step(store, notifiers, ["c_republished_veldra_parts.txt"], T0 + timedelta(days=15)) == []
    again = ["a_first_report_veldra_parts.txt", "b_revision_veldra_parts.txt", "c_republished_veldra_parts.txt"]
    assert _ingest_step(store, notifiers, again, T0 + timedelta(days=16)) == []
    brand = _ingest_step(store, notifiers, ["d_brand_of_parent_loomfield.txt", "e_other_victim_pentacle_foods.txt"],
                         T0 + timedelta(days=22))
    assert [(a.watchlist, a.victim, a.kind) for a in brand] == [("groups", "Loomfield Outdoor", "first_match")]

    bodies = receiver.bodies()
    sent = [alert for body in bodies for alert in body["breachlens"]["alerts"]]
    assert [(a["watchlist"], a["incident_id"], a["kind"]) for a in sent] == [
        ("vendors", "veldra-parts-2025-06", "first_match"),
        ("spiders", "veldra-parts-2025-06", "first_match"),
        ("vendors", "veldra-parts-2025-06", "update"),
        ("groups", "loomfield-outdoor-2025-07", "first_match"),
    ]
    assert len({a["key"] for a in sent}) == len(sent) == 4
    assert sorted(m["Subject"] for m in mailbox.messages) == sorted(f"[breachlens] {a['title']}" for a in sent)
    assert store.deliveries(status="pending") == []

    update = next(a for a in sent if a["kind"] == "update")
    assert _kinds(update) == ["records_revised", "data_type_exposed", "actor_attributed", "conflict"]
    records = update["changes"][0]
    assert records["value"] == 1_200_000
    assert records["evidence"][0]["quote"] == (
        "Veldra Parts said on 23 June 2025 that the breach of its ordering portal affected 1,200,000 customers, "
        "after its investigators finished reviewing the stolen database.")
    assert records["evidence"][0]["source"].endswith("b_revision_veldra_parts.txt")
    assert update["changes"][2]["evidence"][0]["quote"] == (
        "Veldra Parts confirmed that the attack was carried out by the Shiny Hunters extortion group, which "
        "demanded a ransom.")
    text = next(b["text"] for b in bodies if b["breachlens"]["alerts"][0]["kind"] == "update")
    assert "affected 1,200,000 customers" in text and "For affected people:" in text


def test_alerts_delivery_webhook_signature_verifies(store: Store, receiver: Receiver) -> None:
    _watch(store, Watchlist("vendors", orgs=("Veldra Parts",)))
    _ingest_step(store, [WebhookNotifier(receiver.url, SECRET)], ["a_first_report_veldra_parts.txt"], T0)
    ((headers, body),) = receiver.received
    assert headers["content-type"] == "application/json"
    assert headers[SIGNATURE_HEADER.lower()].startswith("sha256=")
    assert verify_signature(body, headers[SIGNATURE_HEADER.lower()], SECRET)
    assert not verify_signature(body + b" ", headers[SIGNATURE_HEADER.lower()], SECRET)
    assert not verify_signature(body, headers[SIGNATURE_HEADER.lower()], "another-secret")


def test_alerts_delivery_parent_watch_fires_for_brand(store: Store, receiver: Receiver) -> None:
    _watch(store, Watchlist("groups", orgs=("Harrowgate",)))
    (alert,) = _ingest_step(store, [WebhookNotifier(receiver.url)], ["d_brand_of_parent_loomfield.txt"], T0)
    assert (alert.victim, [f"{m.criterion} {m.value}" for m in alert.matched]) == (
        "Loomfield Outdoor", ["organisation Loomfield Outdoor, a brand of Harrowgate Group"])
    assert len(receiver.received) == 1


def test_alerts_delivery_actor_alias_fires(store: Store, receiver: Receiver) -> None:
    _watch(store, Watchlist("spiders", actors=("ShinyHunters",)))
    assert _ingest_step(store, [], ["a_first_report_veldra_parts.txt"], T0) == []
    (alert,) = _ingest_step(store, [WebhookNotifier(receiver.url)], ["b_revision_veldra_parts.txt"], T0)
    assert [f"{m.criterion} {m.value}" for m in alert.matched] == ["actor ShinyHunters (written 'Shiny Hunters')"]


def test_alerts_delivery_queue_survives_receiver_down(store: Store) -> None:
    down = Receiver()  # never started: its port is closed
    notifier = WebhookNotifier(down.url, SECRET)
    _watch(store, Watchlist("vendors", orgs=("Veldra Parts",)))
    (alert,) = _ingest_step(store, [notifier], ["a_first_report_veldra_parts.txt"], T0)
    (pending,) = store.deliveries(status="pending")
    assert (pending.alert_key, pending.attempts) == (alert.key, 1)
    assert pending.last_error is not None and pending.last_error.startswith(f"{notifier.channel}: ConnectError")
    assert "token123" not in pending.last_error
    assert [a.key for a in store.alerts(pending=True)] == [alert.key]

    early = deliver_pending(store, [notifier], T0 + timedelta(seconds=30))  # backoff: first retry after 60s
    assert (early.delivered, early.failed, early.pending) == ([], [], 1)
    down.start()
    try:
        later = deliver_pending(store, [notifier], T0 + timedelta(seconds=61))
        assert later.delivered == [(alert.key, notifier.channel)] and later.pending == 0
        assert [b["breachlens"]["alerts"][0]["key"] for b in down.bodies()] == [alert.key]
        assert deliver_pending(store, [notifier], T0 + timedelta(hours=1)).delivered == []
    finally:
        down.stop()
    assert len(down.received) == 1 and store.alerts(pending=True) == []


def test_alerts_delivery_backoff_doubles(store: Store) -> None:
    down = Receiver()
    notifier = WebhookNotifier(down.url)
    _watch(store, Watchlist("vendors", orgs=("Veldra Parts",)))
    _ingest_step(store, [notifier], ["a_first_report_veldra_parts.txt"], T0)
    deliver_pending(store, [notifier], T0 + timedelta(seconds=60))
    (pending,) = store.deliveries(status="pending")
    assert (pending.attempts, pending.next_attempt_at) == (2, (T0 + timedelta(seconds=180)).isoformat())


def test_alerts_delivery_digest_sends_one_summary_a_day(store: Store, receiver: Receiver) -> None:
    digest = WebhookNotifier(receiver.url, digest=True)
    _watch(store, Watchlist("vendors", orgs=("Veldra Parts",)), Watchlist("groups", orgs=("Harrowgate Group",)))
    _ingest_step(store, [digest], ["a_first_report_veldra_parts.txt"], T0)
    _ingest_step(store, [digest], ["d_brand_of_parent_loomfield.txt"], T0 + timedelta(hours=3))
    assert receiver.received == []
    report = deliver_pending(store, [digest], T0 + timedelta(hours=24))
    assert len(report.delivered) == 2
    (body,) = receiver.bodies()
    assert body["breachlens"]["digest"] is True
    assert body["text"].startswith("breachlens digest: 2 alerts\n\n")
    _ingest_step(store, [digest], ["b_revision_veldra_parts.txt"], T0 + timedelta(hours=25))
    assert deliver_pending(store, [digest], T0 + timedelta(hours=30)).delivered == []
    assert len(deliver_pending(store, [digest], T0 + timedelta(hours=48)).delivered) == 1
    assert len(receiver.received) == 2


# -- email: credentials and STARTTLS -----------------------------------------------------------------------


USER, PASSWORD = "alerts-bot", "pa55-w0rd-never-logged"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl), so the test SMTP server can offer STARTTLS."""
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_smtp(certificate: tuple[Path, Path]) -> Iterator[tuple[Controller, Mailbox, ssl.SSLContext]]:
    cert, key = certificate
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port(), tls_context=server_ctx,
                            require_starttls=True, authenticator=_authenticator, auth_required=True)
    controller.start()
    yield controller, box, ssl.create_default_context(cafile=str(cert))
    controller.stop()


def test_alerts_delivery_email_starttls_login(store: Store, tls_smtp: tuple[Controller, Mailbox, ssl.SSLContext],
                                              caplog: pytest.LogCaptureFixture,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    controller, box, client_ctx = tls_smtp
    caplog.set_level(logging.DEBUG)
    good = EmailNotifier(("soc@example.org",), SmtpConfig("127.0.0.1", controller.port, "alerts@example.org",
                                                          USER, PASSWORD, "always"), ssl_context=client_ctx)
    bad = EmailNotifier(("noc@example.org",), SmtpConfig("127.0.0.1", controller.port, "alerts@example.org",
                                                         USER, "wrong-" + PASSWORD), ssl_context=client_ctx)
    _watch(store, Watchlist("vendors", orgs=("Veldra Parts",)))
    (alert,) = _ingest_step(store, [good, bad], ["a_first_report_veldra_parts.txt"], T0)

    (message,) = box.messages
    assert message["Subject"] == f"[breachlens] {alert.title}"
    assert message["To"] == "soc@example.org"
    body = message.get_payload(decode=True).decode()
    assert "copied the records of 800,000 customers" in body and "For your organisation:" in body
    (failed,) = store.deliveries(status="pending")
    assert failed.channel == "email:noc@example.org"
    assert failed.last_error == f"email:noc@example.org: 127.0.0.1:{controller.port} refused the login (535)"
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("breachlens"))
    assert "refused the login" in ours
    out, err = capfd.readouterr()
    for shown in (ours, out, err, repr(good), repr(bad), failed.last_error):
        assert PASSWORD not in shown and USER not in shown


def test_alerts_delivery_email_refuses_plaintext_when_tls_required(smtp: tuple[Controller, Mailbox]) -> None:
    controller, box = smtp
    notifier = EmailNotifier(("soc@example.org",), SmtpConfig("127.0.0.1", controller.port, starttls="always"))
    with pytest.raises(NotifyError) as info:
        notifier.send([])
    assert str(info.value) == f"email:soc@example.org: 127.0.0.1:{controller.port} does not offer STARTTLS"
    assert box.messages == []
