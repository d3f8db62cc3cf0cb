"""Watchlists and alerts (issue 9): tell people when a vendor, a sector or an actor they care about is hit.

    from breachlens.delivery.alerts import AlertRun, Watchlist, notifiers_from_specs
    store.save_watchlist("vendors", Watchlist("vendors", orgs=("Kering",)).as_dict())
    run = AlertRun(store, settings, notifiers_from_specs(["webhook:https://hooks.example/x"]))
    ingest(sources, store, settings)
    alerts, delivery = run.after()

Modules: `watchlists` (criteria and matching), `engine` (before/after diff into alerts, the delivery queue),
`notify` (webhook and email), `advice` (recommendations carried by each alert), `cli` (click commands).
"""

from __future__ import annotations

from .advice import Advice, AdviceItem, advice_for
from .engine import (
    Alert,
    AlertRun,
    Change,
    DeliveryReport,
    Notifier,
    deliver_pending,
    load_watchlists,
    process_ingest,
    scan,
    stored_alerts,
)
from .notify import (
    EmailNotifier,
    NotifyConfig,
    NotifyError,
    SmtpConfig,
    WebhookNotifier,
    notifiers_from_specs,
    render_text,
    verify_signature,
)
from .watchlists import MatchReason, Watchlist, WatchlistError, load_supplier_list, match

__all__ = [
    "Advice",
    "AdviceItem",
    "Alert",
    "AlertRun",
    "Change",
    "DeliveryReport",
    "EmailNotifier",
    "MatchReason",
    "Notifier",
    "NotifyConfig",
    "NotifyError",
    "SmtpConfig",
    "Watchlist",
    "WatchlistError",
    "WebhookNotifier",
    "advice_for",
    "deliver_pending",
    "load_supplier_list",
    "load_watchlists",
    "match",
    "notifiers_from_specs",
    "process_ingest",
    "render_text",
    "scan",
    "stored_alerts",
    "verify_signature",
]
