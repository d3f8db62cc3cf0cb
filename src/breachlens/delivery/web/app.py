"""The web app: `create_app(store, settings)` builds it, `serve()` runs it with uvicorn on 127.0.0.1.

    from breachlens.delivery.web import create_app, serve
    app = create_app("breachlens.db", Settings.load())          # for an ASGI server or httpx.ASGITransport
    serve(host="127.0.0.1", port=8000, db="breachlens.db")      # what `breachlens serve` calls

Optional parts are picked up when installed: exporters (`delivery.export.export`) become downloads on the
incident page, the TAXII router (`delivery.export.taxii.taxii_router`) is mounted at /taxii2/, and the
SSRF-guarded fetcher (`breachlens.ingest.fetch.fetch`) enables URLs on the analyse page.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ...errors import BreachlensError
from ...settings import Settings
from ...store import Store, open_store
from ...version import __version__
from . import api, pages
from .security import DEFAULT_ALLOWED_HOSTS, MAX_BODY_BYTES, SecurityMiddleware, error_response, is_loopback
from .service import AppState, Exporter, Fetch, WebError

__all__ = ["create_app", "serve"]

log = logging.getLogger(__name__)

# Formats the incident page offers when the export registry does not list its own.
DEFAULT_EXPORT_FORMATS = ("stix", "misp", "veris")


def _exporter() -> tuple[Exporter | None, tuple[str, ...]]:
    """`delivery.export.export` and the formats it offers beyond md/json, when the exporters are installed."""
    try:
        from .. import export as export_module

        exporter = export_module.export
    except (ImportError, AttributeError):
        return None, ()
    formats: Any = None
    for name in ("FORMATS", "EXPORTERS", "REGISTRY", "formats"):
        formats = getattr(export_module, name, None)
        if formats is not None:
            break
    if callable(formats):
        formats = formats()
    listed = tuple(formats) if formats else DEFAULT_EXPORT_FORMATS
    return exporter, tuple(f for f in listed if f not in ("md", "json") and f in pages.EXPORT_LABELS)


def _fetcher() -> Fetch | None:
    """The SSRF-guarded `breachlens.ingest.fetch.fetch`, when installed."""
    try:
        from ...ingest.fetch import fetch
    except ImportError:
        return None
    return fetch


def _mount_taxii(app: FastAPI, store_factory: Callable[[], Store]) -> bool:
    """Mount the TAXII 2.1 router at /taxii2/ when the exporters provide it."""
    try:
        from ..export.taxii import taxii_router
    except ImportError:
        return False
    # TAXII 2.1 is described by its own standard (discovery, API roots, collections), not by our OpenAPI.
    app.include_router(taxii_router(store_factory), prefix="/taxii2", include_in_schema=False)
    return True


def create_app(
    store_path_or_store: str | Path | Store,
    settings: Settings | None = None,
    token: str | None = None,
    require_token: bool | None = None,
    *,
    fetch: Fetch | None = None,
    max_body: int = MAX_BODY_BYTES,
    allowed_hosts: Iterable[str] | None = None,
) -> FastAPI:
    """The FastAPI app over a store: pages, REST API under /api (OpenAPI at /api/openapi.json), TAXII at /taxii2/.

    Args:
        store_path_or_store: a Store, or a path/URL for `open_store` (then closed when the app shuts down).
        settings: analysis settings for the analyse page and POST /api/analyze (defaults: `Settings.load()`).
        token: the secret that state-changing requests must carry (`Authorization: Bearer TOKEN` or the
            form's `token` field).
        require_token: whether state-changing requests need the token; None means "when a token is given".
            `serve` sets it for any host but loopback.
        fetch: the URL fetcher for one-off analysis (defaults to the SSRF-guarded `ingest.fetch.fetch`
            when installed); tests inject one.
        max_body: request bodies over this many bytes are answered 413.
        allowed_hosts: Host names the app answers to besides loopback addresses (default: "localhost"); any
            other Host is answered 400, which stops a DNS-rebinding page. "*" accepts every name.

    Raises:
        ValueError: `require_token=True` without a token.
    """
    if require_token is None:
        require_token = token is not None
    if require_token and not token:
        raise ValueError("require_token=True needs a token")
    if isinstance(store_path_or_store, Store):
        store, owns = store_path_or_store, False
    else:
        store, owns = open_store(str(store_path_or_store)), True
    exporter, formats = _exporter()
    state = AppState(
        store=store, settings=settings or Settings.load(), token=token, require_token=require_token,
        fetch=fetch if fetch is not None else _fetcher(), exporter=exporter, export_formats=formats,
        owns_store=owns,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if state.owns_store:
            state.store.close()

    app = FastAPI(
        title="breachlens",
        version=__version__,
        description="Data-breach incidents with the exact quotes behind every fact (shapes: the analysis contract).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.breachlens = state
    hosts = frozenset(DEFAULT_ALLOWED_HOSTS) | frozenset(allowed_hosts or ())
    app.add_middleware(SecurityMiddleware, max_body=max_body, allowed_hosts=hosts, html=pages.render_error)
    _add_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    static = resources.files("breachlens.delivery.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    state_taxii = _mount_taxii(app, lambda: state.store)
    app.state.taxii = state_taxii
    return app


def _error(request: Request, status: int, error: str, errors: list[Any] | None = None,
           headers: dict[str, str] | None = None) -> Response:
    """`error_response` with the HTML error page for browsers."""
    return error_response(request, status, error, errors, headers, html=pages.render_error)


def _add_error_handlers(app: FastAPI) -> None:
    """Every error, whatever raised it, leaves in the one shape (JSON for the API, the error page for browsers)."""

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        return _error(request, exc.status, exc.error, exc.errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        headers = dict(exc.headers) if exc.headers else None
        return _error(request, exc.status_code, message, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        return _error(request, 422, "invalid request", errors)

    @app.exception_handler(BreachlensError)
    async def breachlens_error(request: Request, exc: BreachlensError) -> Response:
        # the detail (a database path, an SQL message) goes to the log, never to the client
        log.error("%s %s: %s", request.method, request.url.path, exc)
        return _error(request, 500, "server error: the request could not be completed")

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        return _error(request, 500, "internal server error")


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    db: str | Path | None = None,
    token: str | None = None,
    settings: Settings | None = None,
    log_level: str = "info",
    allowed_hosts: Iterable[str] = (),
) -> None:
    """Run the UI, API and TAXII with uvicorn; refuses a non-loopback host unless a token is given.

    Args:
        host: address to bind; anything but loopback needs `token`, and then every state-changing request
            must carry it.
        port: TCP port (0 picks a free one).
        db: store path or URL (default: `settings.store.path`).
        token: the secret for state-changing requests.
        settings: analysis settings (default: `Settings.load()`).
        log_level: uvicorn's log level.
        allowed_hosts: Host names to answer to besides "localhost" and loopback addresses (and the bound host).

    Raises:
        BreachlensError: a non-loopback host without a token.
    """
    import uvicorn

    settings = settings or Settings.load()
    loopback = is_loopback(host)
    if not loopback and not token:
        raise BreachlensError(
            f"refusing to listen on {host} without a token: anyone who can reach it could submit URLs to fetch; "
            "give --token (or bind 127.0.0.1)"
        )
    hosts = [*allowed_hosts, *([] if host in ("0.0.0.0", "::") else [host])]
    app = create_app(db if db is not None else settings.store.path, settings, token=token,
                     require_token=not loopback or token is not None, allowed_hosts=hosts)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                proxy_headers=False, h11_max_incomplete_event_size=64 * 1024)
