"""The web app in-process (httpx.ASGITransport): every page and endpoint, the error shape, headers, tokens, limits,
and path parameters that try to leave their lane."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest

from breachlens.delivery.web import create_app, serve
from breachlens.delivery.web.pages import bar_chart, highlight
from breachlens.delivery.web.security import CSP, error_body, is_loopback
from breachlens.errors import BreachlensError, UnsafeURLError
from breachlens.records import RawDocument
from breachlens.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "web_ui"
MARROWGATE = "marrowgate-stores-2025-06"
HOSTILE = "brindlecombe-cycles-2025-07"
TOKEN = "s3cret-token"


# ------------------------------------------------------------------------------------------------- plumbing


class ASGIClient:
    """Synchronous calls into `httpx.AsyncClient(transport=ASGITransport(app))`, run on a blocking portal.

    (Starlette's TestClient is deprecated in favour of plain httpx, and warnings are errors here.)
    """

    def __init__(self, portal: Any, app: Any, raise_app_exceptions: bool = True) -> None:
        self._portal = portal
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request, run to completion."""
        return self._portal.call(partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST."""
        return self.request("POST", url, **kwargs)


@contextmanager
def asgi_client(app: Any, raise_app_exceptions: bool = True) -> Iterator[ASGIClient]:
    """A client with its own event-loop thread."""
    with anyio.from_thread.start_blocking_portal() as portal:
        client = ASGIClient(portal, app, raise_app_exceptions)
        try:
            yield client
        finally:
            portal.call(client._client.aclose)


def _refuse_fetch(url: str, settings: Settings, **options: Any) -> RawDocument:
    """A fetcher that refuses everything, as the SSRF guard does for a private address."""
    raise UnsafeURLError(url, "resolves to a private address (127.0.0.1)")


def _fake_fetch(url: str, settings: Settings, **options: Any) -> RawDocument:
    """A fetcher that returns one canned article (never touches the network)."""
    assert options.get("allow_private") is False
    data = (FIXTURES / "quenby-clinic-breach.txt").read_bytes()
    return RawDocument(url, data, "0" * 64, "text")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A store holding the web_ui fixture articles (two sources and a conflict for Marrowgate, an actor)."""
    from breachlens.ingest.sources import ingest_sources
    from breachlens.store import open_store

    s = open_store(str(tmp_path_factory.mktemp("web") / "t.db"))
    summary = ingest_sources([str(FIXTURES)], s, Settings.load())
    assert summary.failed == 0, summary.failures
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(store: Any) -> Iterator[ASGIClient]:
    """The app on loopback defaults (no token), with a canned fetcher."""
    with asgi_client(create_app(store, Settings.load(), fetch=_fake_fetch)) as c:
        yield c


@pytest.fixture(scope="module")
def token_client(store: Any) -> Iterator[ASGIClient]:
    """The app as bound to a non-loopback address: a token is required for state-changing requests."""
    with asgi_client(create_app(store, Settings.load(), token=TOKEN, require_token=True, fetch=_fake_fetch)) as c:
        yield c


def _doc_sha(client: ASGIClient, name: str) -> str:
    """sha256 of a stored fixture document, found through the API."""
    docs = client.get("/api/documents").json()["documents"]
    return next(d["sha256"] for d in docs if d["source"].endswith(name))


def _assert_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is the one error shape with this status."""
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False and body["status"] == status and isinstance(body["error"], str)
    assert isinstance(body["errors"], list)
    return body


# ----------------------------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("url", [
    "/", "/?actor=Velvet+Lynx", "/?sort=victim", "/?sort=-records&per_page=1&page=2", "/?q=Marrowgate",
    "/?modality=claimed", "/?since=2025-06&until=2025-07", "/?sector=retail&country=gb", f"/incidents/{MARROWGATE}",
    "/actors", "/actors/Velvet%20Lynx", "/sectors", "/sectors/retail", "/sectors/energy", "/analyze", "/api/docs",
])
def test_web_pages_render(client: ASGIClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>" not in response.text  # only <script src=...> from our own origin
    assert re.findall(r"<script[^>]*>", response.text) == ['<script src="/static/app.js" defer>']


def test_web_no_inline_handlers_or_styles(client: ASGIClient) -> None:
    for url in ("/", f"/incidents/{MARROWGATE}", f"/incidents/{HOSTILE}", "/actors/Velvet%20Lynx", "/sectors/retail"):
        html = client.get(url).text
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert " style=" not in html and "<style" not in html, url


def test_web_list_filters_and_counts(client: ASGIClient) -> None:
    html = client.get("/").text
    assert "Marrowgate Stores" in html and "Quenby Clinics" in html
    assert re.search(r'data-facet="actor">Velvet Lynx</a> <span class="count">1</span>', html)
    filtered = client.get("/?actor=Velvet+Lynx").text
    assert "Marrowgate Stores" in filtered and "Quenby Clinics" not in filtered


def test_web_list_rejects_unknown_filter_values(client: ASGIClient) -> None:
    _assert_error(client.get("/?sector=plumbing"), 422)
    _assert_error(client.get("/?since=last-week"), 422)
    assert client.get("/?sector=plumbing", headers={"accept": "text/html"}).status_code == 422


def test_web_incident_page_shows_facts_sources_conflicts_downloads(client: ASGIClient) -> None:
    html = client.get(f"/incidents/{MARROWGATE}").text
    for modality in ("confirmed", "claimed"):
        assert f'class="modality modality-{modality}"' in html
    assert "marrowgate-followup.txt" in html and "marrowgate-retail-breach.txt" in html
    assert "published" in html or "date not known" in html
    assert 'class="side-by-side"' in html and "2025-06-05" in html and "2025-06-03" in html
    assert "/download/md" in html and "/download/json" in html
    assert "/static/app.js" in html and 'id="source-panel"' in html


def test_web_fact_link_highlights_its_quote(client: ASGIClient) -> None:
    html = client.get(f"/incidents/{MARROWGATE}").text
    href = re.search(r'class="quote-link fact-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    start, end = (int(x) for x in re.search(r"start=(\d+)&end=(\d+)", href).groups())
    page = client.get(href)
    assert page.status_code == 200
    sha = re.search(r"/documents/([0-9a-f]{64})", href).group(1)
    text = client.get(f"/api/documents/{sha}").json()["text"]
    marked = re.search(r'<mark id="quote" tabindex="-1">(.*?)</mark>', page.text, re.DOTALL).group(1)
    assert marked == str(highlight(text[start:end], None, None))
    partial_page = client.get(href.split("#")[0] + "&partial=1").text
    assert partial_page.lstrip().startswith("<article") and "<mark" in partial_page


def test_web_hostile_document_renders_as_text(client: ASGIClient) -> None:
    sha = _doc_sha(client, "hostile-page.txt")
    html = client.get(f"/documents/{sha}").text
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html and 'href="javascript:' not in html
    incident = client.get(f"/incidents/{HOSTILE}").text
    assert "<script>window" not in incident and 'href="javascript:' not in incident


def test_web_highlight_escapes_each_piece() -> None:
    out = str(highlight("a<b>c&d", 1, 4))
    assert out == 'a<mark id="quote" tabindex="-1">&lt;b&gt;</mark>c&amp;d'


def test_web_document_span_out_of_range_is_422(client: ASGIClient) -> None:
    sha = _doc_sha(client, "quenby-clinic-breach.txt")
    _assert_error(client.get(f"/documents/{sha}?start=5&end=999999"), 422)
    _assert_error(client.get(f"/documents/{sha}?start=5"), 422)
    _assert_error(client.get(f"/documents/{sha}?start=9&end=3"), 422)


def test_web_actor_and_sector_pages_have_svg_charts(client: ASGIClient) -> None:
    for url in ("/actors/Velvet%20Lynx", "/sectors/retail"):
        html = client.get(url).text
        assert html.count("<svg") == 2 and "Incidents per month" in html and "names" in html


def test_web_bar_chart_geometry() -> None:
    chart = bar_chart([("2025-06", 2), ("2025-07", 0), ("2025-08", 1)])
    heights = [b["h"] for b in chart["bars"]]
    assert heights[0] > heights[2] > heights[1] == 0


def test_web_downloads(client: ASGIClient) -> None:
    md = client.get(f"/incidents/{MARROWGATE}/download/md")
    assert md.status_code == 200 and md.text.startswith("# Incident report: Marrowgate Stores")
    assert md.headers["content-disposition"] == f'attachment; filename="{MARROWGATE}.md"'
    js = client.get(f"/incidents/{MARROWGATE}/download/json").json()
    assert js["incidents"][0]["id"] == MARROWGATE
    _assert_error(client.get(f"/incidents/{MARROWGATE}/download/exe"), 404)


@pytest.mark.parametrize("fmt", ["stix", "misp", "veris"])
def test_web_downloads_from_exporters(client: ASGIClient, fmt: str) -> None:
    pytest.importorskip("breachlens.delivery.export", reason="the exporters are not installed")
    from breachlens.delivery import export

    if not hasattr(export, "export"):
        pytest.skip("breachlens.delivery.export has no export() yet")
    assert f"/download/{fmt}" in client.get(f"/incidents/{MARROWGATE}").text
    response = client.get(f"/incidents/{MARROWGATE}/download/{fmt}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith(f'attachment; filename="{MARROWGATE}.')
    assert response.json()


def test_web_analyze_form_pasted_text(client: ASGIClient) -> None:
    text = (FIXTURES / "quenby-clinic-breach.txt").read_text()
    html = client.post("/analyze", data={"text": text}).text
    assert "Incident report: Quenby Clinics" in html and "modality-confirmed" in html


def test_web_analyze_form_url_uses_fetch(client: ASGIClient) -> None:
    html = client.post("/analyze", data={"url": "https://news.example/quenby"}).text
    assert "Incident report: Quenby Clinics" in html


def test_web_analyze_form_without_fetcher_says_unavailable(store: Any) -> None:
    app = create_app(store, Settings.load())
    app.state.breachlens.fetch = None
    with asgi_client(app) as c:
        assert "URL fetching is not available" in c.get("/analyze").text
        body = c.post("/api/analyze", json={"url": "https://news.example/x"}).json()
        assert body["documents"] == [] and "not available" in body["errors"][0]["reason"]


def test_web_analyze_refused_url_is_reported(store: Any) -> None:
    with asgi_client(create_app(store, Settings.load(), fetch=_refuse_fetch)) as c:
        body = c.post("/api/analyze", json={"url": "http://127.0.0.1/admin"}).json()
        assert body["errors"] == [{"source": "http://127.0.0.1/admin",
                                   "reason": "resolves to a private address (127.0.0.1)"}]
        html = c.post("/analyze", data={"url": "http://127.0.0.1/admin"}).text
        assert "resolves to a private address" in html


# ------------------------------------------------------------------------------------------------------- API


def test_web_api_incidents_contract_shape(client: ASGIClient, store: Any) -> None:
    body = client.get("/api/incidents").json()
    assert body["total"] == len(store.incidents()) and body["page"] == 1
    ids = [i["id"] for i in body["incidents"]]
    assert MARROWGATE in ids
    assert body["incidents"][ids.index(MARROWGATE)] == store.incident(MARROWGATE).as_dict()
    assert {"value": "Velvet Lynx", "count": 1} in body["facets"]["actor"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"actor": "velvet lynx"}, [MARROWGATE]),
    ({"sector": "healthcare"}, ["quenby-clinics-2025-09"]),
    ({"country": "IE"}, ["quenby-clinics-2025-09"]),
    ({"data_type": "health"}, ["quenby-clinics-2025-09"]),
    ({"modality": "claimed"}, [MARROWGATE]),
    ({"since": "2025-09"}, ["quenby-clinics-2025-09"]),
    ({"until": "2025-06", "sector": "retail"}, [MARROWGATE]),
    ({"q": "Quenby"}, ["quenby-clinics-2025-09"]),
])
def test_web_api_incident_filters(client: ASGIClient, params: dict[str, str], expected: list[str]) -> None:
    ids = [i["id"] for i in client.get("/api/incidents", params=params).json()["incidents"]]
    assert ids == expected


def test_web_api_sort_and_pages(client: ASGIClient) -> None:
    victims = [i["victim"] for i in client.get("/api/incidents?sort=victim").json()["incidents"]]
    assert victims == sorted(victims, key=str.casefold)
    page2 = client.get("/api/incidents?sort=victim&per_page=1&page=2").json()
    assert page2["pages"] == len(victims) and [i["victim"] for i in page2["incidents"]] == victims[1:2]


def test_web_api_incident_document_actor_search(client: ASGIClient) -> None:
    assert client.get(f"/api/incidents/{MARROWGATE}").json()["id"] == MARROWGATE
    sha = _doc_sha(client, "marrowgate-retail-breach.txt")
    doc = client.get(f"/api/documents/{sha}").json()
    assert doc["sha256"] == sha and doc["incidents"][0]["victim"] == "Marrowgate Stores"
    for fact in doc["incidents"][0]["data_exposed"]:
        for ev in fact["evidence"]:
            assert doc["text"][ev["start"]:ev["end"]] == ev["quote"]
    assert client.get("/api/actors").json()["actors"][0]["name"] == "Velvet Lynx"
    actor = client.get("/api/actors/Velvet%20Lynx").json()
    assert [i["id"] for i in actor["incidents"]] == [MARROWGATE]
    hits = client.get("/api/search?q=ransomware").json()
    assert [h["source"].rsplit("/", 1)[-1] for h in hits["documents"]] == ["quenby-clinic-breach.txt"]


def test_web_api_documents_read_one_page(client: ASGIClient, store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = client.get("/api/documents").json()
    calls: list[int | None] = []
    real = store.document_analyses

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("limit"))
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "document_analyses", spy)
    pages = [client.get(f"/api/documents?limit=1&offset={k}").json() for k in range(whole["total"] + 1)]
    assert calls == [1] * len(pages)  # one page per request, never every document
    assert [d for p in pages for d in p["documents"]] == whole["documents"] and whole["total"] >= 2
    assert {p["total"] for p in pages} == {whole["total"]}


@pytest.mark.parametrize(("payload", "reason"), [({"text": "  "}, "empty text"), ({"url": "\u0085"}, "empty URL")])
def test_web_api_analyze_blank_input_is_a_source_error(client: ASGIClient, payload: dict[str, Any], reason: str) -> None:
    body = client.post("/api/analyze", json=payload).json()  # schema-valid, so accepted: the source fails instead
    assert body["documents"] == [] and [e["reason"] for e in body["errors"]] == [reason]


def test_web_api_analyze_text(client: ASGIClient) -> None:
    text = (FIXTURES / "quenby-clinic-breach.txt").read_text()
    body = client.post("/api/analyze", json={"text": text, "source": "pasted"}).json()
    assert body["documents"][0]["source"] == "pasted"
    assert body["incidents"][0]["victim"] == "Quenby Clinics" and body["errors"] == []


@pytest.mark.parametrize("payload", [{}, {"text": "a", "url": "https://x.example/"}, {"other": 1},
                                     {"text": ""}, {"url": ""}])
def test_web_api_analyze_needs_exactly_one_input(client: ASGIClient, payload: dict[str, Any]) -> None:
    _assert_error(client.post("/api/analyze", json=payload), 422)


def test_web_openapi_lists_every_endpoint(client: ASGIClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {p for p in spec["paths"] if p.startswith("/api/")} == {
        "/api/incidents", "/api/incidents/{incident_id}", "/api/documents", "/api/documents/{sha256}",
        "/api/actors", "/api/actors/{name}", "/api/search", "/api/analyze",
    }
    assert spec["paths"]["/api/analyze"]["post"]["responses"]["401"]


# ---------------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("method", "url", "status"), [
    ("GET", "/api/incidents/no-such-incident", 404),
    ("GET", "/api/nothing-here", 404),
    ("GET", "/api/incidents?per_page=1000", 422),
    ("GET", "/api/incidents?sector=plumbing", 422),
    ("GET", "/api/search", 422),
    ("DELETE", "/api/incidents", 405),
    ("POST", "/api/analyze", 422),
])
def test_web_error_shape(client: ASGIClient, method: str, url: str, status: int) -> None:
    _assert_error(client.request(method, url), status)


def test_web_error_body_helper() -> None:
    assert error_body(404, "gone") == {"ok": False, "error": "gone", "errors": [], "status": 404}


def test_web_server_error_is_500_in_shape(tmp_path: Path) -> None:
    from breachlens.store import open_store

    broken = open_store(str(tmp_path / "b.db"))
    app = create_app(broken, Settings.load())
    broken.close()  # every read now raises StoreError
    with asgi_client(app, raise_app_exceptions=False) as c:
        _assert_error(c.get("/api/incidents"), 500)
        page = c.get("/", headers={"accept": "text/html"})
        assert page.status_code == 500 and "Error 500" in page.text
        assert page.headers["content-security-policy"] == CSP


def test_web_unexpected_exception_is_500_in_shape(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(store, Settings.load())

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr("breachlens.delivery.web.api.actor_index", boom)
    with asgi_client(app, raise_app_exceptions=False) as c:
        response = c.get("/api/actors")
        body = _assert_error(response, 500)
        assert body["error"] == "internal server error"
        assert response.headers["content-security-policy"] == CSP


# -------------------------------------------------------------------------------------------------- security


@pytest.mark.parametrize("url", ["/", "/api/incidents", "/static/style.css", "/api/incidents/nope",
                                 f"/incidents/{MARROWGATE}", "/api/openapi.json", "/api/docs"])
def test_web_security_headers(client: ASGIClient, url: str) -> None:
    headers = client.get(url).headers
    csp = headers["content-security-policy"]
    assert csp == CSP and "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_web_token_required_off_loopback(token_client: ASGIClient) -> None:
    text = {"text": (FIXTURES / "quenby-clinic-breach.txt").read_text()}
    _assert_error(token_client.post("/api/analyze", json=text), 401)
    _assert_error(token_client.post("/api/analyze", json=text, headers={"authorization": "Bearer wrong"}), 403)
    ok = token_client.post("/api/analyze", json=text, headers={"authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert token_client.post("/analyze", data={"text": text["text"]}).status_code == 401
    assert token_client.post("/analyze", data={"text": text["text"], "token": "nope"}).status_code == 403
    assert token_client.post("/analyze", data={"text": text["text"], "token": TOKEN}).status_code == 200
    assert 'name="token"' in token_client.get("/analyze").text
    assert token_client.get("/api/incidents").status_code == 200  # reading needs no token


def test_web_token_checked_before_body(token_client: ASGIClient) -> None:
    _assert_error(token_client.post("/api/analyze", json={"bogus": True}), 401)


def test_web_cross_site_post_refused(client: ASGIClient) -> None:
    _assert_error(client.post("/api/analyze", json={"text": "x"}, headers={"origin": "https://evil.example"}), 403)
    same = client.post("/api/analyze", json={"text": "nothing here"}, headers={"origin": "http://127.0.0.1"})
    assert same.status_code == 200


def test_web_require_token_without_token_is_refused(store: Any) -> None:
    with pytest.raises(ValueError, match="needs a token"):
        create_app(store, Settings.load(), require_token=True)


def test_web_serve_refuses_public_host_without_token() -> None:
    with pytest.raises(BreachlensError, match="without a token"):
        serve(host="0.0.0.0", port=0, db=":memory:")


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("example.org", False),
])
def test_web_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_web_body_limit_413(store: Any) -> None:
    with asgi_client(create_app(store, Settings.load(), max_body=1000)) as c:
        body = _assert_error(c.post("/api/analyze", json={"text": "x" * 2000}), 413)
        assert "1000 bytes" in body["error"]

        async def chunks() -> Any:
            for _ in range(10):
                yield b"y" * 200

        _assert_error(c.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"}), 413)


def test_web_default_body_limit_is_1mb(client: ASGIClient) -> None:
    _assert_error(client.post("/api/analyze", json={"text": "x" * 1_100_000}), 413)


@pytest.mark.parametrize("url", [
    "/incidents/..%2F..%2Fetc%2Fpasswd",
    "/incidents/..%252F..%252Fetc%252Fpasswd",
    "/incidents/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/incidents/..%5C..%5Cetc%5Cpasswd",
    "/incidents/....//....//etc/passwd",
    "/api/incidents/..%2F..%2Fetc%2Fpasswd",
    "/api/incidents/%2e%2e",
    "/api/documents/..%2F..%2Fetc%2Fpasswd",
    "/documents/..%2F..%2Fetc%2Fpasswd",
    "/actors/..%2F..%2Fetc%2Fpasswd",
    "/api/actors/..%2Fetc",
    "/api/actors/%2e%2e",
    "/sectors/..%2F..%2Fetc%2Fpasswd",
    "/static/..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2e%2e/%2e%2e/app.py",
    "/static/..%2Fapp.py",
    f"/incidents/{MARROWGATE}/download/..%2F..%2Fetc%2Fpasswd",
])
def test_web_no_traversal(client: ASGIClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (404, 422), (url, response.status_code)
    assert "root:" not in response.text and "create_app" not in response.text
    _assert_error(response, response.status_code)


def test_web_list_cache_follows_store_changes(tmp_path: Path) -> None:
    from breachlens.ingest.sources import ingest_sources
    from breachlens.store import open_store

    with open_store(str(tmp_path / "c.db")) as s:
        with asgi_client(create_app(s, Settings.load())) as c:
            assert c.get("/api/incidents").json()["total"] == 0
            ingest_sources([str(FIXTURES / "quenby-clinic-breach.txt")], s, Settings.load())
            assert c.get("/api/incidents").json()["total"] == 1


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [("2025-06", None, {"acme"}), (None, "2025-05", {"bolt"}), ("2025", "2025-06", {"acme", "bolt"}),
     ("2025-04", "2025-06-30", {"acme"})],
)
def test_web_date_filters_agree_with_the_store(tmp_path: Path, since: str | None, until: str | None,
                                               expected: set[str]) -> None:
    """An incident dated only by its source's publication: the CLI's --since and the web's since/until see the
    same date (the store's first date), and the web shows that date."""
    from breachlens.delivery.web import query as q
    from breachlens.store import open_store
    from store_helpers import make_document, make_incident

    with open_store(str(tmp_path / "dates.db")) as store:
        store.add_documents([make_document("a.html", "Acme breach notice", "Acme", published="2025-06-10"),
                             make_document("b.html", "Bolt breach notice", "Bolt", published="2025-06-11")])
        store.replace_incidents([make_incident("acme", "Acme", ("a.html",), disclosure_date=None),
                                 make_incident("bolt", "Bolt", ("b.html",), disclosure_date="2025-03-01")])
        result = q.run_query(store, q.IncidentQuery(since=since, until=until, sort="date"))
        assert {m.id for m in result.items} == expected
        if since:
            assert expected <= {m.id for m in store.incidents(since=since)}
        rows = {row["id"]: row["date"] for row in q.incident_summaries(store, result.items)}
        assert rows.get("acme", "2025-06-10") == "2025-06-10"
        assert [m.id for m in result.items] == sorted(expected, key={"bolt": 0, "acme": 1}.get)
