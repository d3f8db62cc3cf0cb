"""Notifiers: a webhook (JSON with a Slack/Teams-compatible `text`, optionally HMAC-signed) and email over SMTP.

What a receiver gets:

* **Webhook**: `POST` with `Content-Type: application/json` and the body
  `{"text": "<the alert as plain text>", "breachlens": {"digest": false, "alerts": [<Alert.as_dict()>, ...]}}`.
  Slack incoming webhooks and Teams connectors show `text`; other receivers read the structured alerts. With a
  secret, `X-Breachlens-Signature: sha256=<hex HMAC-SHA256 of the raw body>` lets the receiver check that the body
  came from us unchanged (`verify_signature`). Any 2xx is a delivery; anything else, or no answer, is a failure
  left pending in the queue.
* **Email**: a plain-text message with the same text, Subject `[breachlens] <alert title>` (or a digest title).
  STARTTLS is used whenever the server offers it (`starttls="always"` refuses a server that does not). The user
  name and password come from the config or from BREACHLENS_SMTP_USER / BREACHLENS_SMTP_PASSWORD and are never
  logged, never part of an error message and never shown by `repr`.

Channels (the queue's name for a notifier) carry no secret: a webhook's is its scheme and host plus a short hash of
the full URL (Slack and Teams URLs embed a token), an email channel's is its recipients.
"""

from __future__ import annotations

import email.policy
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from ...budget import SocketWatchdog
from ...errors import BreachlensError
from ...ingest.fetch import HookedSyncBackend
from .engine import Alert

__all__ = [
    "NotifyError", "NotifyConfig", "SmtpConfig", "WebhookNotifier", "EmailNotifier", "notifiers_from_specs",
    "render_text", "render_subject", "sign", "verify_signature", "SIGNATURE_HEADER", "DELIVERY_HEADER",
    "delivery_id",
]

SIGNATURE_HEADER = "X-Breachlens-Signature"
# The same value on every attempt of one delivery (channel + alerts): a receiver that answered after our deadline
# gets the retry too, and can drop it by this key (issue 13: "a webhook answered after its timeout is delivered
# twice" cannot be prevented from the sending side alone).
DELIVERY_HEADER = "X-Breachlens-Delivery"


def delivery_id(channel: str, alerts: Sequence[Alert]) -> str:
    """A stable id of one delivery: the channel and the alerts' keys."""
    keys = "\n".join(sorted(a.key for a in alerts))
    return hashlib.sha256(f"{channel}\n{keys}".encode()).hexdigest()[:32]
# Seconds to wait for a webhook receiver or an SMTP server before the attempt counts as failed.
TIMEOUT_S = 10.0
# Seconds for a whole delivery (connect, greeting, every read and write): a receiver that answers one byte at a
# time under TIMEOUT_S per read is cut off here (issue 13).
TOTAL_TIMEOUT_S = 30.0
# Quotes shown per change in the text: the first one or two say where it was read; the JSON has them all.
QUOTES_PER_CHANGE = 2
QUOTE_CHARS = 300


class NotifyError(BreachlensError):
    """A notification could not be delivered (the message names the channel and says why, with no secret)."""


# -- text --------------------------------------------------------------------------------------------------


def render_subject(alerts: Sequence[Alert]) -> str:
    """Email subject: the alert's title, or a digest title."""
    if len(alerts) == 1:
        return f"[breachlens] {alerts[0].title}"
    return f"[breachlens] digest: {len(alerts)} alerts on {len({a.incident_id for a in alerts})} incidents"


def render_text(alerts: Sequence[Alert], digest: bool = False) -> str:
    """The plain text of one alert (or a digest of several): what changed, why it matched, advice, quotes."""
    blocks = [_alert_text(a) for a in alerts]
    if digest or len(alerts) > 1:
        head = f"breachlens digest: {len(alerts)} alert{'s' if len(alerts) != 1 else ''}"
        return "\n\n".join([head, *blocks])
    return blocks[0] if blocks else ""


def _alert_text(alert: Alert) -> str:
    """One alert as text (also Slack/Teams `text`: plain lines, no markup that breaks either)."""
    lines = [alert.title, f"Watchlist {alert.watchlist} matched: "
             + "; ".join(f"{m.criterion} {m.value}" for m in alert.matched)]
    lines.append("What changed:" if alert.kind == "update" else "What is known:")
    for change in alert.changes:
        if change.kind == "first_match":
            continue
        lines.append(f"- {change.summary}")
        for ev in change.evidence[:QUOTES_PER_CHANGE]:
            lines.append(f'    "{_clip(ev.quote)}" ({ev.source})')
    if alert.advice.peers:
        lines.append("For your organisation:")
        lines.extend(f"- {item.text}" for item in alert.advice.peers)
    if alert.advice.people:
        lines.append("For affected people:")
        lines.extend(f"- {item.text}" for item in alert.advice.people)
    lines.append(f"Sources: {', '.join(alert.sources)}")
    lines.append(f"Alert {alert.key}, {alert.created_at}")
    return "\n".join(lines)


def _clip(quote: str) -> str:
    """A quote on one line, shortened to QUOTE_CHARS."""
    flat = " ".join(quote.split())
    return flat if len(flat) <= QUOTE_CHARS else flat[: QUOTE_CHARS - 1] + "…"


# -- webhook -----------------------------------------------------------------------------------------------


def sign(body: bytes, secret: str) -> str:
    """The signature header value of a body: "sha256=" + hex HMAC-SHA256 with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """Whether a received signature header matches the body (constant-time compare); for receivers."""
    return header is not None and hmac.compare_digest(sign(body, secret), header)


def webhook_body(alerts: Sequence[Alert], digest: bool = False) -> bytes:
    """The JSON body POSTed for these alerts."""
    payload = {"text": render_text(alerts, digest),
               "breachlens": {"digest": digest, "alerts": [a.as_dict() for a in alerts]}}
    return json.dumps(payload, ensure_ascii=False).encode()


@dataclass
class WebhookNotifier:
    """POST alerts as JSON to `url`, signed when a secret is given; `transport` lets tests inject httpx's."""

    url: str
    secret: str | None = field(default=None, repr=False)
    digest: bool = False
    timeout: float = TIMEOUT_S
    transport: httpx.BaseTransport | None = field(default=None, repr=False)
    total_timeout: float = TOTAL_TIMEOUT_S

    def __post_init__(self) -> None:
        """Refuse anything but an http(s) URL with a host."""
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotifyError(f"webhook: expected an http(s) URL, got {_redact_url(self.url)!r}")

    @property
    def channel(self) -> str:
        """Scheme, host and a hash of the full URL: distinct per URL, without the token many URLs embed."""
        parts = urlsplit(self.url)
        port = f":{parts.port}" if parts.port else ""
        tag = hashlib.sha256(self.url.encode()).hexdigest()[:8]
        return f"{'digest:' if self.digest else ''}webhook:{parts.scheme}://{parts.hostname}{port}#{tag}"

    def send(self, alerts: Sequence[Alert]) -> None:
        """POST one body for these alerts; NotifyError unless the receiver answers 2xx."""
        body = webhook_body(alerts, self.digest)
        headers = {"Content-Type": "application/json", "User-Agent": "breachlens-alerts",
                   DELIVERY_HEADER: delivery_id(self.channel, alerts)}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(body, self.secret)
        with SocketWatchdog(self.total_timeout) as dog:
            transport = self.transport if self.transport is not None else _watched_transport(dog)
            try:
                with httpx.Client(timeout=self.timeout, transport=transport, follow_redirects=False) as client:
                    response = client.post(self.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                if dog.expired:
                    raise NotifyError(f"{self.channel}: no answer within {self.total_timeout:g}s in total") from None
                raise NotifyError(f"{self.channel}: {type(exc).__name__}: {_reason(exc)}") from None
        if not 200 <= response.status_code < 300:
            raise NotifyError(f"{self.channel}: HTTP {response.status_code}")


class _WatchedBackend(HookedSyncBackend):
    """httpcore's sync backend, handing every socket it opens to a SocketWatchdog."""

    def __init__(self, dog: SocketWatchdog) -> None:
        super().__init__()
        self._dog = dog

    def opened(self, stream: httpcore.NetworkStream) -> None:
        """Watch the socket."""
        self._dog.add(stream.get_extra_info("socket"))


def _watched_transport(dog: SocketWatchdog) -> httpx.HTTPTransport:
    """httpx's transport whose sockets the watchdog shuts down at the total deadline."""
    transport = httpx.HTTPTransport()
    transport._pool._network_backend = _WatchedBackend(dog)  # noqa: SLF001 - httpx has no public hook for it
    return transport


def _reason(exc: BaseException) -> str:
    """An exception's message on one line, without the URL (which may hold a token)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _redact_url(url: str) -> str:
    """A URL with its path and query cut (they may hold a token)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "…"


# -- email -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the SMTP server. `starttls`: "auto" (when offered), "always" (refuse without) or "never".

    `username`/`password` are never shown by repr, logged or put in an error.
    """

    host: str = "localhost"
    port: int = 25
    sender: str = "breachlens@localhost"
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    starttls: str = "auto"

    def __post_init__(self) -> None:
        """Refuse an unknown STARTTLS mode."""
        if self.starttls not in ("auto", "always", "never"):
            raise NotifyError(f"smtp: starttls must be auto, always or never, got {self.starttls!r}")


# Headers are folded only past SMTP's line limit: Python's folding of a long subject starts it on a continuation
# line, which some clients show with a leading space.
_EMAIL_POLICY = email.policy.default.clone(max_line_length=998)


@dataclass
class EmailNotifier:
    """Send alerts as plain-text email to `recipients` through `smtp`; `ssl_context` verifies the server."""

    recipients: tuple[str, ...]
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    digest: bool = False
    timeout: float = TIMEOUT_S
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)
    total_timeout: float = TOTAL_TIMEOUT_S

    @property
    def channel(self) -> str:
        """The recipients (no server or credential in it)."""
        return f"{'digest:' if self.digest else ''}email:{','.join(self.recipients)}"

    def message(self, alerts: Sequence[Alert]) -> EmailMessage:
        """The email for these alerts."""
        msg = EmailMessage(policy=_EMAIL_POLICY)
        msg["Subject"] = render_subject(alerts)
        msg["From"] = self.smtp.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=self.smtp.sender.rpartition("@")[2] or None)
        msg.set_content(render_text(alerts, self.digest))
        return msg

    def send(self, alerts: Sequence[Alert]) -> None:
        """Deliver one email: STARTTLS when offered (or required), login when credentials are set."""
        msg = self.message(alerts)
        cfg = self.smtp
        dog = SocketWatchdog(self.total_timeout)
        try:
            with dog, smtplib.SMTP(timeout=self.timeout) as smtp:
                dog.watch(lambda: smtp.sock)
                # what SMTP(host) sets; STARTTLS checks the certificate against it (private, so not in typeshed)
                smtp._host = cfg.host  # type: ignore[attr-defined]  # noqa: SLF001
                smtp.connect(cfg.host, cfg.port)
                smtp.ehlo()
                if cfg.starttls != "never" and smtp.has_extn("starttls"):
                    smtp.starttls(context=self.ssl_context or ssl.create_default_context())
                    smtp.ehlo()
                elif cfg.starttls == "always":
                    raise NotifyError(f"{self.channel}: {cfg.host}:{cfg.port} does not offer STARTTLS")
                if cfg.username:
                    smtp.login(cfg.username, cfg.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise NotifyError(f"{self.channel}: {cfg.host}:{cfg.port} refused the login ({exc.smtp_code})") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            if dog.expired:
                raise NotifyError(
                    f"{self.channel}: {cfg.host}:{cfg.port}: no answer within {self.total_timeout:g}s in total"
                ) from None
            raise NotifyError(f"{self.channel}: {cfg.host}:{cfg.port}: {self._scrub(_reason(exc))}") from None

    def _scrub(self, text: str) -> str:
        """Belt and braces: no credential in an error, whatever a server echoed back."""
        for secret in (self.smtp.password, self.smtp.username):
            if secret:
                text = text.replace(secret, "***")
        return text


# -- configuration ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotifyConfig:
    """Notifier settings: SMTP server and credentials, webhook secret.

    Read from a TOML file with `[smtp]` (host, port, sender, username, password, starttls) and `[webhook]`
    (secret); the environment overrides the file: BREACHLENS_SMTP_HOST, BREACHLENS_SMTP_PORT,
    BREACHLENS_SMTP_FROM, BREACHLENS_SMTP_USER, BREACHLENS_SMTP_PASSWORD, BREACHLENS_SMTP_STARTTLS,
    BREACHLENS_WEBHOOK_SECRET.
    """

    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    webhook_secret: str | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> NotifyConfig:
        """The config file (if any), then the environment; NotifyError on a bad file (never echoing secrets)."""
        env = os.environ if environ is None else environ
        data: dict[str, Any] = {}
        if path is not None:
            try:
                data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise NotifyError(f"{path}: cannot read the notifier config: {type(exc).__name__}") from None
        smtp = dict(data.get("smtp", {}))
        unknown = sorted(set(smtp) - {"host", "port", "sender", "username", "password", "starttls"})
        if unknown:
            raise NotifyError(f"{path}: unknown [smtp] keys {', '.join(unknown)}")
        for key, var in (("host", "HOST"), ("port", "PORT"), ("sender", "FROM"), ("username", "USER"),
                         ("password", "PASSWORD"), ("starttls", "STARTTLS")):
            if env.get(f"BREACHLENS_SMTP_{var}"):
                smtp[key] = env[f"BREACHLENS_SMTP_{var}"]
        try:
            smtp["port"] = int(smtp.get("port", 25))
        except ValueError:
            raise NotifyError("smtp: port must be a number") from None
        secret = env.get("BREACHLENS_WEBHOOK_SECRET") or data.get("webhook", {}).get("secret")
        return cls(SmtpConfig(**smtp), secret)


def notifiers_from_specs(
    specs: Sequence[str], config: NotifyConfig | None = None
) -> list[WebhookNotifier | EmailNotifier]:
    """Notifiers from `--notify` values: "webhook:URL", "email:ADDR[,ADDR...]", each optionally prefixed by
    "digest:" for one summary a day. NotifyError on anything else."""
    cfg = config or NotifyConfig()
    out: list[WebhookNotifier | EmailNotifier] = []
    for spec in specs:
        rest = spec.strip()
        digest = rest.startswith("digest:")
        if digest:
            rest = rest[len("digest:"):]
        kind, _, target = rest.partition(":")
        if kind == "webhook" and target:
            out.append(WebhookNotifier(target, cfg.webhook_secret, digest))
        elif kind == "email" and target:
            recipients = tuple(a.strip() for a in target.split(",") if a.strip())
            if not all("@" in a for a in recipients):
                raise NotifyError(f"{spec}: expected email:ADDRESS[,ADDRESS...]")
            out.append(EmailNotifier(recipients, cfg.smtp, digest))
        else:
            shown = _redact_url(target) if kind == "webhook" else spec
            raise NotifyError(f"{shown}: expected webhook:URL or email:ADDRESS (optionally prefixed by digest:)")
    return out

