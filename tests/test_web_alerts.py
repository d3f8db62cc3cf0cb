"""The alerts page and the nav badge (issue 9's web notifier): alerts from watchlists, quotes escaped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from breachlens.alerts import AlertRun, Watchlist
from breachlens.ingest import ingest
from breachlens.settings import Settings
from breachlens.store import open_store
from breachlens.web.app import create_app
from test_web import ASGIClient, asgi_client

OUTLETS = Path(__file__).parent / "fixtures" / "outlets"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ASGIClient]:
    store = open_store(str(tmp_path_factory.mktemp("alerts-web") / "a.db"))
    store.save_watchlist("utilities", Watchlist("utilities", orgs=("Pellucid Water",)).as_dict())
    run = AlertRun(store, Settings.load(), [])
    ingest([str(OUTLETS / "f_other_victim_pellucid_water.txt")], store, Settings.load())
    raised, _report = run.after()
    assert len(raised) == 1
    with asgi_client(create_app(store, Settings.load())) as c:
        yield c
    store.close()


def test_web_alerts_page_lists_alerts_with_their_quotes(client: ASGIClient) -> None:
    page = client.get("/alerts")
    assert page.status_code == 200
    html = page.text
    assert 'href="/incidents/pellucid-water-2025-09"' in html and "utilities" in html
    assert "stolen credentials to access its customer portal" in html


def test_web_alerts_badge_counts_recent_alerts(client: ASGIClient) -> None:
    html = client.get("/").text
    assert '<span class="badge" title="alerts raised in the last 7 days">1</span>' in html


def test_web_alerts_page_without_alerts(tmp_path: Path) -> None:
    store: Any = open_store(str(tmp_path / "empty.db"))
    with asgi_client(create_app(store, Settings.load())) as c:
        html = c.get("/alerts").text
    store.close()
    assert "No alerts yet." in html and 'class="badge"' not in html
