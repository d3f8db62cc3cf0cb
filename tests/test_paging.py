"""Listing queries read one page from the store (issue 16): the store's orders, keyset and counts on both backends,
the web list and GET /api/incidents, and TAXII's objects and manifest, each paged through to every incident
exactly once while a spy on `Store.incidents` shows that no request read every incident."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from breachlens.delivery.export.taxii import API_ROOT, COLLECTION_ID, MEDIA_TYPE_TAXII, taxii_router
from breachlens.delivery.web.app import create_app
from breachlens.records import MergedIncident
from breachlens.settings import Settings
from breachlens.store import FACETS, INCIDENT_ORDERS, IncidentFilter, Store, open_store
from breachlens.store.rows import facet_values
from store_helpers import BACKENDS, make_incident, pg_schema_url

N = 23
OBJECTS = f"/taxii2/{API_ROOT}/collections/{COLLECTION_ID}/objects/"
MANIFEST = f"/taxii2/{API_ROOT}/collections/{COLLECTION_ID}/manifest/"


def _incidents() -> list[MergedIncident]:
    """N invented incidents with varied sectors, dates, counts, actors and sources (some undated, some without
    a count), so every order has ties and gaps to get right."""
    sectors = ["retail", "healthcare", "finance", None]
    out = []
    for n in range(N):
        sources = tuple(f"https://news{k}.example/{n}" for k in range(1 + n % 3))
        out.append(make_incident(
            f"victim-{n:02d}", f"Victim {chr(65 + n % 26)}{n}", sources=sources, sector=sectors[n % 4],
            country=["GB", "US", None][n % 3], disclosure_date=None if n % 7 == 0 else f"2025-{1 + n % 12:02d}",
            records=None if n % 5 == 0 else 1000 * (n % 4), actors=(("ShinyHunters", "Shiny Hunters"),) if n % 2 else (),
        ))
    return out


class Spy:
    """Wraps a store's `incidents` to record each call's limit and how many incidents it returned."""

    def __init__(self, store: Store) -> None:
        self.calls: list[tuple[int | None, int]] = []
        self.real = store.incidents

        def incidents(*args: Any, **kwargs: Any) -> list[MergedIncident]:
            found = self.real(*args, **kwargs)
            self.calls.append((kwargs.get("limit"), len(found)))
            return found

        store.incidents = incidents  # type: ignore[method-assign]

    def reset(self) -> list[tuple[int | None, int]]:
        """The calls since the last reset."""
        calls, self.calls = self.calls, []
        return calls


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Store]:
    """A store of N incidents on each backend, with two of them changed by a later write."""
    if request.param == "sqlite":
        with open_store(str(tmp_path / "paging.db")) as opened:
            yield _filled(opened)
    else:
        with pg_schema_url() as url, open_store(url) as opened:
            yield _filled(opened)


def _filled(store: Store) -> Store:
    """Write the incidents, then change two so that last-change order differs from id order."""
    incidents = _incidents()
    store.replace_incidents(incidents)
    changed = [replace(m, sources=(*m.sources, "https://late.example/x")) if m.id in ("victim-03", "victim-11") else m
               for m in incidents]
    store.replace_incidents(changed)
    return store


def _run(coro: Any) -> Any:
    """Run a coroutine on a fresh loop in a worker thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _get(app: FastAPI, path: str, **params: Any) -> httpx.Response:
    """One GET through the ASGI transport."""

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            return await client.get(path, params=params, headers={"Accept": MEDIA_TYPE_TAXII})

    response: httpx.Response = _run(go())
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("order", INCIDENT_ORDERS)
def test_store_pages_in_every_order_cover_each_incident_once(store: Store, order: str) -> None:
    whole = [m.id for m in store.incidents(order=order)]
    pages = [[m.id for m in store.incidents(order=order, limit=4, offset=k)] for k in range(0, N + 4, 4)]
    assert all(len(p) <= 4 for p in pages)
    assert [i for p in pages for i in p] == whole and sorted(whole) == sorted(m.id for m in _incidents())


def test_store_orders_sort_what_they_name(store: Store) -> None:
    changed = [m.id for m in store.incidents(order="-changed")]
    assert set(changed[:2]) == {"victim-03", "victim-11"}  # the last write changed only these
    times = store.incident_times()
    assert [times[i][1] for i in changed] == sorted((times[i][1] for i in changed), reverse=True)
    records = [m.incident.record_count for m in store.incidents(order="-records")]
    assert records == sorted(records, key=lambda r: -1 if r is None else r, reverse=True)
    sources = [len(m.sources) for m in store.incidents(order="sources")]
    assert sources == sorted(sources)
    victims = [m.incident.victim.casefold() for m in store.incidents(order="victim")]
    assert victims == sorted(victims)


def test_store_keyset_by_last_change_pages_every_incident_once(store: Store) -> None:
    seen: list[str] = []
    cursor = None
    while page := store.incidents(order="changed", after=cursor, limit=5):
        assert len(page) <= 5
        seen.extend(m.id for m in page)
        cursor = (page[-1].updated_at or "", page[-1].id)
    assert seen == [m.id for m in store.incidents(order="changed")] and len(set(seen)) == N
    assert seen[-2:] == sorted(["victim-03", "victim-11"])  # changed last, served last


@pytest.mark.parametrize("filters", [
    IncidentFilter(), IncidentFilter(sector="retail"), IncidentFilter(modality="claimed"),
    IncidentFilter(until="2025-06"), IncidentFilter(since="2025-03", until="2025-09", actor="shiny hunters"),
])
def test_store_counts_equal_counting_every_incident(store: Store, filters: IncidentFilter) -> None:
    found = store.incidents(**vars(filters))
    counts = store.incident_counts(filters)
    assert counts.total == len(found)
    expected: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for m in found:
        for name, values in facet_values(m).items():
            for value in values:
                expected[name][value] = expected[name].get(value, 0) + 1
    assert {k: dict(v) for k, v in counts.facets.items()} == expected
    for values in counts.facets.values():
        assert values == sorted(values, key=lambda kv: (-kv[1], kv[0]))


@pytest.mark.parametrize("sort", ["-changed", "changed", "-date", "victim", "-records", "sources"])
def test_web_api_list_reads_one_page_per_request(store: Store, sort: str) -> None:
    spy = Spy(store)
    app = create_app(store, Settings.load())
    seen: list[str] = []
    first = _get(app, "/api/incidents", sort=sort, per_page=4).json()
    assert first["total"] == N and first["pages"] == -(-N // 4)
    for page in range(1, first["pages"] + 1):
        spy.reset()
        body = _get(app, "/api/incidents", sort=sort, per_page=4, page=page).json()
        seen.extend(i["id"] for i in body["incidents"])
        assert spy.reset() == [(4, len(body["incidents"]))]  # one query, one page of rows
    assert seen == [m.id for m in spy.real(order=sort)] and len(set(seen)) == N


def test_web_list_page_reads_one_page(store: Store) -> None:
    spy = Spy(store)
    app = create_app(store, Settings.load())
    html = _get(app, "/", sort="-changed", per_page=5, page=2).text
    assert spy.reset() == [(5, 5)]
    assert "victim-03" not in html  # on page 1, last changed


def _taxii(store: Store) -> FastAPI:
    """An app with only the TAXII router over the store."""
    app = FastAPI()
    app.include_router(taxii_router(lambda: store), prefix="/taxii2")
    return app


def _walk(app: FastAPI, path: str, limit: int, start: str | None = None, **params: Any) -> list[dict[str, Any]]:
    """Every page of a TAXII listing, following `next` (from the page after `start`, when given)."""
    pages = [_get(app, path, limit=limit, **params, **({"next": start} if start else {})).json()]
    while pages[-1]["more"]:
        assert len(pages) < 500, "paging does not end"
        pages.append(_get(app, path, limit=limit, next=pages[-1]["next"], **params).json())
    return pages


def _incident_of(report: dict[str, Any]) -> str:
    """The incident id a report was built from."""
    return next(e["x_breachlens_incident_id"] for e in report["extensions"].values() if "x_breachlens_incident_id" in e)


def test_taxii_objects_page_reads_a_batch_not_the_store(store: Store) -> None:
    spy = Spy(store)
    app = _taxii(store)
    body = _get(app, OBJECTS, limit=5).json()
    assert len(body["objects"]) == 5 and body["more"]
    calls = spy.reset()
    assert calls and all(limit is not None and limit <= 6 for limit, _ in calls)
    assert sum(rows for _, rows in calls) < N
    _get(app, MANIFEST, limit=5, next=body["next"])
    assert sum(rows for _, rows in spy.reset()) < N


@pytest.mark.parametrize("path", [OBJECTS, MANIFEST])
def test_taxii_paging_serves_every_incident_exactly_once_in_change_order(store: Store, path: str) -> None:
    spy = Spy(store)
    app = _taxii(store)
    pages = _walk(app, path, limit=7)
    assert all(limit is not None for limit, _ in spy.reset())
    ids = [o["id"] for p in pages for o in p.get("objects", [])]
    reports = [i for i in ids if i.startswith("report--")]
    assert len(reports) == len(set(reports)) == N
    everything = _walk(app, OBJECTS, limit=1000)[0]["objects"]
    assert set(ids) == {o["id"] for o in everything}
    order = [_incident_of(o) for o in everything if o["type"] == "report"]
    assert order == [m.id for m in store.incidents(order="changed")]
    added = [r["date_added"] for p in _walk(app, MANIFEST, limit=7) for r in p["objects"]]
    assert added == sorted(added)


def test_taxii_added_after_reads_only_what_changed(store: Store) -> None:
    app = _taxii(store)
    manifest = [r for p in _walk(app, MANIFEST, limit=1000) for r in p["objects"]]
    times = sorted({r["date_added"] for r in manifest})
    assert len(times) >= 2  # the first write, then the two changed incidents
    spy = Spy(store)
    later = _get(app, OBJECTS, added_after=times[-2], limit=1000).json()["objects"]
    assert sorted(_incident_of(o) for o in later if o["type"] == "report") == ["victim-03", "victim-11"]
    assert sum(rows for _, rows in spy.reset()) == 2  # the SQL filter, not a scan
    versions = {r["id"]: r["version"] for r in manifest}
    assert all(versions[o["id"]] == o["modified"] for o in later)


def test_taxii_next_survives_an_update_between_pages(store: Store) -> None:
    app = _taxii(store)
    first = _get(app, OBJECTS, limit=3, **{"match[type]": "report"}).json()
    served = [_incident_of(o) for o in first["objects"]]
    victim = next(m for m in store.incidents() if m.id == served[0])
    store.replace_incidents([*(m for m in store.incidents() if m.id != victim.id),
                             replace(victim, sources=(*victim.sources, "https://later.example/y"))])
    rest = _walk(app, OBJECTS, 3, first["next"], **{"match[type]": "report"})
    again = [_incident_of(o) for p in rest for o in p.get("objects", [])]
    assert again[-1] == served[0]  # changed after it was served: served again, last
    assert sorted(set(served) | set(again)) == sorted(m.id for m in _incidents())
    assert len(again) == N - len(served) + 1  # the first page's token still points where it did


@pytest.mark.parametrize("backend", BACKENDS)
def test_store_upgrade_fills_the_facets_of_stored_incidents(backend: str, tmp_path: Any) -> None:
    """Schema step 6 on a database holding incidents: the counts equal counting the incidents themselves."""
    with (pg_schema_url() if backend == "postgresql" else _path(tmp_path)) as url:
        with open_store(url) as opened:
            _filled(opened)
            expected = opened.incident_counts(IncidentFilter())
            conn = opened._conn  # type: ignore[attr-defined]
            conn.execute("DROP TABLE incident_facets")  # back to step 5, as an older breachlens left it
            conn.execute("DELETE FROM migrations WHERE number = 6")
            if hasattr(conn, "commit"):
                conn.commit()
        with open_store(url) as reopened:
            assert reopened.incident_counts(IncidentFilter()) == expected and expected.total == N
            assert expected.facets["actor"] == [("ShinyHunters", N // 2)]


@contextmanager
def _path(tmp_path: Any) -> Iterator[str]:
    """A SQLite file path, as a context like pg_schema_url."""
    yield str(tmp_path / "upgrade.db")


# -- the other per-request readers: actors, sectors, alert scans (issue 16) -----------------------------------

ACTOR = "ShinyHunters"
ACTOR_INCIDENTS = sorted(m.id for m in _incidents() if m.incident.threat_actors)


def _bounded(calls: list[tuple[int | None, int]], most: int) -> bool:
    """Whether every `incidents` call asked for at most `most` rows."""
    return all(limit is not None and limit <= most for limit, _ in calls)


def test_store_each_incident_reads_batches_and_months_count_in_sql(store: Store) -> None:
    spy = Spy(store)
    assert sorted(m.id for m in store.each_incident(batch=4, actor="shiny hunters")) == ACTOR_INCIDENTS
    calls = spy.reset()
    assert _bounded(calls, 4) and len(calls) == len(ACTOR_INCIDENTS) // 4 + 1
    for filters in (IncidentFilter(), IncidentFilter(sector="retail")):
        dates = store.first_dates([m.id for m in spy.real(**vars(filters))])
        expected: dict[str, int] = {}
        for d in dates.values():
            if d and len(d) >= 7:
                expected[d[:7]] = expected.get(d[:7], 0) + 1
        assert store.incident_months(filters) == expected
    actors = store.incident_counts(IncidentFilter(), ("actor",))
    assert actors.total == N and actors.facets == {"actor": [(ACTOR, len(ACTOR_INCIDENTS))]}
    assert spy.reset() == []  # counting reads no incident


def test_web_actor_index_reads_no_incident(store: Store) -> None:
    spy = Spy(store)
    app = create_app(store, Settings.load())
    actors = _get(app, "/api/actors").json()["actors"]
    assert [(a["name"], a["incidents"]) for a in actors] == [(ACTOR, len(ACTOR_INCIDENTS))]
    assert ACTOR in _get(app, "/actors").text
    assert spy.reset() == []


def test_web_actor_pages_read_a_page_and_bounded_batches(store: Store) -> None:
    spy = Spy(store)
    app = create_app(store, Settings.load())
    seen: list[str] = []
    first = _get(app, f"/api/actors/{ACTOR}", per_page=4).json()
    assert first["total"] == len(ACTOR_INCIDENTS) and first["pages"] == -(-len(ACTOR_INCIDENTS) // 4)
    assert first["techniques"] == [{"id": "T1566.004", "name": first["techniques"][0]["name"],
                                    "incidents": len(ACTOR_INCIDENTS)}]  # counted over every page
    for page in range(1, first["pages"] + 1):
        spy.reset()
        body = _get(app, f"/api/actors/{ACTOR}", per_page=4, page=page).json()
        seen.extend(i["id"] for i in body["incidents"])
        calls = spy.reset()
        assert (4, len(body["incidents"])) in calls and _bounded(calls, 500)
    assert sorted(seen) == ACTOR_INCIDENTS and len(set(seen)) == len(seen)
    html = _get(app, f"/actors/{ACTOR}", per_page=4, page=2).text
    assert _bounded(spy.reset(), 500)
    assert 'rel="prev"' in html and 'rel="next"' in html and "page=3" in html and "per_page=4" in html


def test_web_sector_page_reads_one_page(store: Store) -> None:
    spy = Spy(store)
    app = create_app(store, Settings.load())
    retail = [m.id for m in spy.real(sector="retail")]
    spy.reset()
    html = _get(app, "/sectors/retail", per_page=2, page=2).text
    assert spy.reset() == [(2, 2)]  # the page's rows; the charts are counted in SQL
    assert f"Page 2 of {-(-len(retail) // 2)}" in html and 'href="/sectors/retail?per_page=2"' in html
    assert retail[2] in html and retail[0] not in html


def test_alert_scan_reads_bounded_batches(store: Store) -> None:
    from breachlens.delivery.alerts import Watchlist, scan

    spy = Spy(store)
    alerts = scan(store, Watchlist("retail", sectors=("retail",)))
    assert sorted(a.incident_id for a in alerts) == sorted(m.id for m in spy.real(sector="retail"))
    assert _bounded(spy.reset(), 500)
